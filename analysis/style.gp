# Shared style of every mnsim figure (load it first): fonts, size, and one
# colour per policy, the same in every figure.  Variables set by mnsim:
# datafile, outfile, fmt ('png' or 'svg'), figtitle, and per kind titles
# (space-separated policy names, one per data block or column); width and
# height (pixels) when a figure needs another size than 1200x700.
if (!exists("fmt")) fmt = "png"
if (!exists("width")) width = 1200
if (!exists("height")) height = 700
if (fmt eq "svg") {
    set terminal svg size width,height dynamic font "DejaVu Sans,13" noenhanced
} else {
    set terminal pngcairo size width,height font "DejaVu Sans,13" noenhanced
}
set output outfile
set encoding utf8
set border lw 1.2
set grid lc rgb "#dddddd"
set key noautotitle
# policy colours: double, only_end, secondary_tlbs, minimal, unsafe_end
policy_color(p) = (p eq "double") ? 0x1f77b4 : (p eq "only_end") ? 0xff7f0e : (p eq "secondary_tlbs") ? 0x2ca02c : \
                  (p eq "minimal") ? 0x9467bd : (p eq "unsafe_end") ? 0xd62728 : 0x7f7f7f
