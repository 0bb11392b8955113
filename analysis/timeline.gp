# timeline.gp: the seed's table as a picture (one run): a row per CPU or
# device thread, time across, a mark per range_start, PTE update,
# notification, range_end and device access; violations in red.
# datafile: blocks 0-5 per event type, block 6 the violations; columns time
# (µs), row.  ylabels: the rows' names; nrows; policy.
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set title figtitle." — policy ".policy
set xlabel "simulated time (µs)"
eval("set ytics (".ylabels.")")
set yrange [nrows-0.5:-0.5]
set grid xtics ytics
set key outside right top
plot datafile index 0 using 1:2 with points pt 6 ps 2 lc rgb "#1f77b4" title "range_start", \
     "" index 1 using 1:2 with points pt 5 ps 1.3 lc rgb "#555555" title "PTE update", \
     "" index 2 using 1:2 with points pt 7 ps 1.6 lc rgb "#2ca02c" title "notify (IR)", \
     "" index 3 using 1:2 with points pt 4 ps 2 lc rgb "#ff7f0e" title "range_end", \
     "" index 4 using 1:2 with points pt 1 ps 1.2 lc rgb "#333333" title "read", \
     "" index 5 using 1:2 with points pt 2 ps 1.2 lc rgb "#8c564b" title "write", \
     "" index 6 using 1:2 with points pt 3 ps 4 lw 3 lc rgb "#d62728" title "violation"
