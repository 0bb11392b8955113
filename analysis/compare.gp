# compare.gp: the figure of `mnsim compare`: per policy, invalidate_range calls
# (under the ptl and in range_end), mean and p99 op latency, and violations.
# Input: datafile = compare.tsv written by mnsim compare (header line, one row
# per policy); output: outfile (PNG).
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set datafile separator "\t"
set datafile columnheaders
set multiplot layout 1,3 title "mnsim compare: ".datafile
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by -30 nomirror
set offsets 0, 0, graph 0.15, 0
set yrange [0:*]
set key top left
set ylabel "invalidate_range calls"
set title "notifications"
plot datafile using 0:(column("notifications")):(policy_color(strcol("policy"))):xtic(1) with boxes lc rgb variable, \
     "" using 0:(column("notifications_under_ptl")) with points pt 7 ps 1.5 lc rgb "black" title "under ptl"
set key top right
set title "op latency"
set ylabel "latency (µs)"
plot datafile using ($0-0.18):(column("op_latency_mean")*1e6):(0.35):(policy_color(strcol("policy"))):xtic(1) with boxes lc rgb variable title "mean", \
     "" using ($0+0.18):(column("op_latency_p99")*1e6):(0.35) with boxes fs pattern 4 lc rgb "black" title "p99"
set key noautotitle
set title "violations (checker)"
set ylabel "violations"
stats datafile using (column("violations")) nooutput
set yrange [0:(STATS_max > 0 ? STATS_max : 1)]
plot datafile using 0:(column("violations")):(policy_color(strcol("policy"))):xtic(1) with boxes lc rgb variable
unset multiplot
