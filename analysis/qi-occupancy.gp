# qi-occupancy.gp: invalidation-queue slots in use.  Top: the share of the
# run's time (over every IOMMU and seed) with at least N slots in use, one
# line per policy (a CCDF, log scale), the queue depth dashed.  Below: one
# small panel per policy over time, the windowed maximum (bars) and mean
# (line), on one y scale.  datafile: blocks 0..npol-1 the CCDFs (slots,
# share), blocks npol..2npol-1 the windows (time us, max, mean); titles,
# npol, depth, maxused, tmax.
height = 380 + 240 * ((npol + 1) / 2)
load sprintf("%s/style.gp", system("dirname '".ARG0."'"))
set multiplot title figtitle
top = 380.0 / height
set origin 0, 1 - top
set size 1, top - 0.03
set title "share of time with at least N slots in use (all IOMMUs)"
set xlabel "slots in use (N)"
set ylabel "share of time"
set logscale y
set yrange [*:1.2]
set xrange [0:(maxused + 1 < depth ? maxused * 1.1 + 1 : depth * 1.02)]
set key top right
plot for [i=1:npol] datafile index (i-1) using 1:2 with steps lw 2.5 lc rgb policy_color(word(titles, i)) title word(titles, i), \
     (depth <= maxused * 1.1 + 1 ? 1/0 : 1/0) notitle
if (depth <= maxused * 1.1 + 1) { set arrow from depth, graph 0 to depth, graph 1 nohead dt 2 lw 2 lc rgb "black" }
unset logscale y
unset arrow
rows = (npol + 1) / 2
ph = (1 - top - 0.02) / rows
set yrange [0:(maxused > 0 ? maxused * 1.1 : 1)]
set xrange [0:tmax]
set xlabel "simulated time (µs)"
set ylabel "slots"
set style fill solid 0.5 noborder
set ytics 0, (maxused > 3 ? ceil(maxused / 3.0) : 1)
do for [i=1:npol] {
    set origin ((i - 1) % 2) * 0.5, 1 - top - 0.02 - ((i - 1) / 2 + 1) * ph
    set size 0.5, ph
    set title word(titles, i).": max (bars) and mean (line) per window"
    plot datafile index (npol + i - 1) using 1:2 with boxes lc rgb policy_color(word(titles, i)) notitle, \
         "" index (npol + i - 1) using 1:3 with lines lw 2 lc rgb "black" notitle
}
unset multiplot
