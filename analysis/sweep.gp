# sweep.gp: a metric's mean against a swept axis with 95% confidence
# intervals over seeds as error bars: one line per policy, one small panel
# per combination of the other swept axes (ptitle[p] names it).  datafile:
# block (p-1)*nlines + l-1 is line l of panel p, columns x, mean, CI.
# titles, nlines, npanels, xlab, ylab, logx; xcat: tic labels of a string
# x axis (values numbered 0, 1, ...), or ''.
cols = npanels < 3 ? npanels : 3
rows = (npanels + cols - 1) / cols
height = 160 + 400 * rows
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set multiplot layout rows, cols title ylab." against ".xlab.": mean and 95% CI over seeds"
set xlabel xlab
set ylabel ylab
set format y "%.4g"
if (logx) { set logscale x 2 }
if (strlen(xcat) > 0) { eval("set xtics (".xcat.")"); set offsets 0.3, 0.3, 0, 0 }
set key outside bottom center horizontal
do for [p=1:npanels] {
    set title ptitle[p]
    if (p > 1) { unset key }
    plot for [l=1:nlines] datafile index ((p-1)*nlines + l-1) using 1:2:3 with yerrorlines lw 2 pt 7 \
         lc rgb policy_color(word(titles, l)) title word(titles, l)
}
unset multiplot
