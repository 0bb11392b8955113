# timeline.gp: the seed's table as a picture (one run): a row per CPU or
# device thread, time across; each kernel op a grey bar from start to end,
# invalidate_range calls marked by where they are made, violations as red
# crosses; with record_events=1 also range_start/end, PTE updates and
# device reads and writes.  datafile: block 0 ops (start, row, duration),
# blocks 1-4 calls under the ptl / in range_end / mmu_gather / elsewhere,
# blocks 5-9 events (range_start, pte_update, range_end, read, write),
# block 10 violations; ytics_list, nrows, events, policy, what.
height = 260 + 45 * nrows
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set title "timeline of ".policy.": ".what
set xlabel "simulated time (µs)"
eval("set ytics (".ytics_list.")")
set yrange [nrows-0.5:-0.5]
set grid xtics ytics
set key outside right top vertical
plot datafile index 0 using 1:2:3:(0) with vectors nohead lw 9 lc rgb "#cccccc" title "kernel op", \
     "" index 1 using 1:2 with points pt 7 ps 1.6 lc rgb "#08519c" title "IR under ptl", \
     "" index 2 using 1:2 with points pt 5 ps 1.4 lc rgb "#ff7f0e" title "IR in range_end", \
     "" index 3 using 1:2 with points pt 9 ps 1.6 lc rgb "#2ca02c" title "IR mmu_gather", \
     "" index 4 using 1:2 with points pt 11 ps 1.6 lc rgb "#9467bd" title "IR elsewhere", \
     "" index 5 using 1:2 with points pt 6 ps 1.8 lc rgb "#1f77b4" title (events ? "range_start" : ""), \
     "" index 6 using 1:2 with points pt 2 ps 1.0 lc rgb "#555555" title (events ? "PTE update" : ""), \
     "" index 7 using 1:2 with points pt 4 ps 1.8 lc rgb "#ff7f0e" title (events ? "range_end" : ""), \
     "" index 8 using 1:2 with points pt 1 ps 1.2 lc rgb "#333333" title (events ? "device read" : ""), \
     "" index 9 using 1:2 with points pt 3 ps 1.2 lc rgb "#8c564b" title (events ? "device write" : ""), \
     "" index 10 using 1:2 with points pt 2 ps 3.5 lw 3 lc rgb "#d62728" title "violation"
