# Shared style of every mnsim figure: fonts, sizes and one colour per policy,
# the same in every figure (load it first).
set terminal pngcairo size 1200,700 font "DejaVu Sans,12" noenhanced
set encoding utf8
set border lw 1.2
set grid ytics lc rgb "#dddddd"
set key noautotitle
# policy colours (by policy name): double, only_end, secondary_tlbs, minimal, unsafe_end
policy_color(p) = (p eq "double") ? 0x1f77b4 : (p eq "only_end") ? 0xff7f0e : (p eq "secondary_tlbs") ? 0x2ca02c : \
                  (p eq "minimal") ? 0x9467bd : (p eq "unsafe_end") ? 0xd62728 : 0x7f7f7f
