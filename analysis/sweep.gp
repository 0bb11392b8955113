# sweep.gp: a metric's mean against a swept parameter, one line per policy,
# with 95% confidence intervals over seeds as error bars.
# datafile: one block per policy, columns x, mean, CI half-width.
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set title figtitle
set xlabel xlab
set ylabel ylab.", mean and 95% CI over seeds"
set format y "%.4g"
if (logx) set logscale x 2
set key top right
plot for [i=1:words(titles)] datafile index (i-1) using 1:2:3 with yerrorlines lw 2 pt 7 \
     lc rgb policy_color(word(titles, i)) title word(titles, i)
