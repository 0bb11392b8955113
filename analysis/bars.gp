# bars.gp: grouped bars, one colour per policy (per-op, notifications,
# device-stall).  datafile: a header line, then one row per group: label,
# then npol columns per panel (panels = 1, 2 or 4; ylab1..ylab4 name their
# axes); the policies' legend sits below the panels.
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set datafile separator "\t"
set datafile columnheaders
set style data histograms
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 nomirror
set yrange [0:*]
if (panels == 4) { set multiplot layout 2,2 title figtitle } else { if (panels == 2) { set multiplot layout 1,2 title figtitle } else { set title figtitle } }
set key outside bottom center horizontal
do for [p=1:panels] {
    set ylabel (p == 1 ? ylab1 : p == 2 ? ylab2 : p == 3 ? ylab3 : ylab4)
    if (p > 1 && panels > 1) { unset key }
    if (p == panels && panels == 4) { set key outside bottom center horizontal }
    plot for [i=1:npol] datafile using (column((p-1)*npol+i+1)):xtic(1) title word(titles, i) lc rgb policy_color(word(titles, i))
}
if (panels > 1) { unset multiplot }
