# bars.gp: grouped bars, one colour per policy (notifications, device-stall).
# datafile: a header line, then one row per group: label, then npol columns
# per panel (panels = 1 or 2; ylab1, ylab2 name their axes).
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set datafile separator "\t"
set datafile columnheaders
set style data histograms
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 nomirror
set yrange [0:*]
set key top right
if (panels == 2) { set multiplot layout 1,2 title figtitle } else { set title figtitle }
set ylabel ylab1
plot for [i=1:npol] datafile using (column(i+1)):xtic(1) title word(titles, i) lc rgb policy_color(word(titles, i))
if (panels == 2) {
    set ylabel ylab2
    plot for [i=1:npol] datafile using (column(npol+i+1)):xtic(1) title word(titles, i) lc rgb policy_color(word(titles, i))
    unset multiplot
}
