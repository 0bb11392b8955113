# qi-occupancy.gp: invalidation-queue slots in use over time, one line per policy.
# datafile: one block per policy, columns time (µs), used slots.
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set title figtitle
set xlabel "simulated time (µs)"
set ylabel "queue slots in use"
set yrange [0:*]
set key top right
plot for [i=1:words(titles)] datafile index (i-1) using 1:2 with steps lw 2 \
     lc rgb policy_color(word(titles, i)) title word(titles, i)
