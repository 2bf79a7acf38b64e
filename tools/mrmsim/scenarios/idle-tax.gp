# SPDX-License-Identifier: GPL-2.0
# Plot of the idle-tax scenario; gnuplot -e "csv='...'; png='...'"
set terminal pngcairo size 900,520 font ",10" noenhanced
set output png
set datafile separator ","
set title "idle-tax: two 256 MB VMs, equal shares, 358 MB for VMs"
set xlabel "time (s)"
set ylabel "memory (MB)"
set yrange [0:280]
set key outside right
plot csv using 1:2 skip 1 with lines lw 2 dt 2 lc rgb "#888888" title "idle VM, tax 0", \
     csv using 1:3 skip 1 with lines lw 2 dt 2 lc rgb "#000000" title "active VM, tax 0", \
     csv using 1:4 skip 1 with lines lw 2 lc rgb "#888888" title "idle VM, default tax", \
     csv using 1:5 skip 1 with lines lw 2 lc rgb "#000000" title "active VM, default tax", \
     csv using 1:6 skip 1 with lines lw 1 dt 3 lc rgb "#4477aa" title "idle VM, estimate", \
     csv using 1:7 skip 1 with lines lw 1 dt 3 lc rgb "#cc6677" title "active VM, estimate"
