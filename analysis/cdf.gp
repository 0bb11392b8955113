# cdf.gp: an empirical CDF per policy (latency-cdf, ptl-hold).
# datafile: one block per policy (blank-line separated), columns value (µs), fraction.
height = 520
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set title figtitle
set xlabel "time (µs, log scale)"
set ylabel "fraction of ops at or below"
set logscale x
set yrange [0:1.02]
set key bottom right
plot for [i=1:words(titles)] datafile index (i-1) using 1:2 with steps lw 2.5 \
     lc rgb policy_color(word(titles, i)) title word(titles, i)
