# Grouped bars: time to verify one access token, per algorithm and implementation, log scale.
# Called by bench/run.sh:  gnuplot -e "data='chart.dat'; out='performance.svg'" bench/chart.gp
# chart.dat (written by dev.gatehouse.bench.Report): a header row of quoted implementation
# names, then one row per algorithm with µs/op per implementation, tab-separated.
set terminal svg size 1000,520 dynamic enhanced font "sans,12" background rgb "white"
set output out
set title "Verifying one access token (lower is better)"
set ylabel "µs per token (log scale)"
set logscale y
set yrange [0.01:*]
set format y "%g"
set grid ytics mytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key below maxrows 2
set xtics nomirror
set datafile separator "\t"
plot for [col=2:7] data using col:xtic(1) title columnheader(col)
