# SPDX-License-Identifier: GPL-2.0
# Plot of the estimator scenario; gnuplot -e "csv='...'; png='...'"
set terminal pngcairo size 900,520 font ",10" noenhanced
set output png
set datafile separator ","
set title "estimator: active set 10 % -> 50 % -> 20 %"
set xlabel "sampling periods"
set ylabel "active fraction"
set yrange [0:0.7]
set key outside right
plot csv using 1:2 skip 1 with lines lw 2 lc rgb "#000000" title "true", \
     csv using 1:3 skip 1 with lines lw 2 lc rgb "#cc6677" title "estimate (n = 1000)", \
     csv using 1:4 skip 1 with lines lw 1 dt 3 lc rgb "#4477aa" title "slow EWMA", \
     csv using 1:5 skip 1 with lines lw 1 dt 2 lc rgb "#228833" title "fast EWMA", \
     csv using 1:6 skip 1 with lines lw 1 lc rgb "#bbbbbb" title "estimate (n = 100)"
