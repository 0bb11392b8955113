# size-queue.gp: the metric against qi_depth for each policy, with the target.
# datafile: one block per policy, columns qi_depth, metric.
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set title figtitle
set xlabel "invalidation queue depth (qi_depth, slots, log scale)"
set ylabel ylab
set logscale x 2
set key top right
plot for [i=1:words(titles)] datafile index (i-1) using 1:2 with linespoints lw 2 pt 7 \
     lc rgb policy_color(word(titles, i)) title word(titles, i), \
     target with lines dt 2 lw 2 lc rgb "black" title "target"
