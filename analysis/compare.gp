# compare.gp: the figure of `mnsim compare` and the report's first figure:
# per policy, invalidate_range calls stacked by where they are made (under
# the ptl, in range_end, in the mmu_gather flush, elsewhere), descriptors,
# op latency and ptl hold p99, and the checker's violations, each with its
# 95% CI over seeds when there are several.  Legends sit below the panels,
# never on the bars.  datafile: a header line, one row per policy (columns
# NAME and NAME_ci95, see figures.c); titles, npol, seeds.
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set datafile separator "\t"
set datafile columnheaders
set multiplot layout 2,2 title figtitle.(seeds > 1 ? sprintf(" (mean and 95%% CI over %d seeds)", seeds) : "")
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics nomirror rotate by -20 offset -1,0
set xrange [-0.6:npol-0.4]
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
bar(c) = column(c)
set title "invalidate_range calls"
set ylabel "calls"
set key outside bottom center horizontal samplen 1.5
set style data histograms
set style histogram rowstacked
plot datafile using "under_ptl":xtic(1) lc rgb "#08519c" title "under the ptl", \
     "" using "range_end" lc rgb "#6baed6" title "in range_end", \
     "" using "gather" lc rgb "#c6dbef" title "mmu_gather", \
     "" using "other" lc rgb "#eeeeee" title "elsewhere", \
     "" using 0:(seeds > 1 ? column("notifications") : 1/0):(column("notifications_ci95")) with yerrorbars lc rgb "black" pt 0 lw 1.5 notitle, \
     "" using 0:(column("notifications")):(sprintf("%.0f", column("notifications"))) with labels offset 0,0.8 notitle
set style data boxes
unset key
set title "descriptors submitted (incl. waits)"
set ylabel "descriptors"
plot datafile using 0:(column("descriptors")):(policy_color(strcol("policy"))):xtic(1) with boxes lc rgb variable, \
     "" using 0:(seeds > 1 ? column("descriptors") : 1/0):(column("descriptors_ci95")) with yerrorbars lc rgb "black" pt 0 lw 1.5, \
     "" using 0:(column("descriptors")):(sprintf("%.0f", column("descriptors"))) with labels offset 0,0.8
set title "p99 latencies"
set ylabel "µs"
set key outside bottom center horizontal samplen 1.5
plot datafile using ($0-0.18):(column("op_p99_us")):(0.35):(policy_color(strcol("policy"))):xtic(1) with boxes lc rgb variable title "op latency p99", \
     "" using ($0-0.18):(seeds > 1 ? column("op_p99_us") : 1/0):(column("op_p99_us_ci95")) with yerrorbars lc rgb "black" pt 0 lw 1.5 notitle, \
     "" using ($0+0.18):(column("ptl_p99_us")):(0.35) with boxes fs pattern 4 lc rgb "black" title "ptl hold p99", \
     "" using ($0+0.18):(seeds > 1 ? column("ptl_p99_us") : 1/0):(column("ptl_p99_us_ci95")) with yerrorbars lc rgb "black" pt 0 lw 1.5 notitle
unset key
set title "violations (checker)"
set ylabel "violations"
stats datafile using (column("violations")) nooutput
set yrange [0:(STATS_max > 0 ? STATS_max * 1.25 : 1)]
set offsets 0, 0, 0, 0
plot datafile using 0:(column("violations")):(policy_color(strcol("policy"))):xtic(1) with boxes lc rgb variable, \
     "" using 0:(column("violations")):(sprintf("%.0f", column("violations"))) with labels offset 0,0.8 font ",15"
unset multiplot
