# SPDX-License-Identifier: GPL-2.0
# Plot of the states scenario; gnuplot -e "csv='...'; png='...'"
set terminal pngcairo size 900,620 font ",10" noenhanced
set output png
set datafile separator ","
set multiplot layout 2,1 title "states: noisy free memory, with and without hysteresis"
set ylabel "free memory (% of minfree)"
set yrange [0:160]
set key outside right
plot csv using 1:2 skip 1 with lines lc rgb "#888888" title "free", \
     64 with lines dt 2 lc rgb "#4477aa" title "soft (64 %)", \
     32 with lines dt 2 lc rgb "#cc6677" title "hard (32 %)", \
     16 with lines dt 2 lc rgb "#000000" title "low (16 %)"
set xlabel "time (s)"
set ylabel "state"
set yrange [-0.3:3.6]
set ytics ("high" 0, "soft" 1, "hard" 2, "low" 3)
plot csv using 1:($4 + 0.15) skip 1 with steps lc rgb "#cc6677" title "no margin", \
     csv using 1:3 skip 1 with steps lw 2 lc rgb "#000000" title "margin 8 %"
unset multiplot
