# SPDX-License-Identifier: GPL-2.0
# Plot of the overcommit scenario; gnuplot -e "csv='...'; png='...'"
set terminal pngcairo size 1260,440 font ",10" noenhanced
set output png
set datafile separator ","
array panel[3] = ["(a) maps 13 GB, all active", \
		  "(b) maps 16 GB, 1.875 GB active", \
		  "(c) maps 16 GB, all active"]
set multiplot layout 1,3 title "overcommit: seed 004 experiments (a), (b), (c): two 24 GB VMs, 28 GB for VMs, swap only"
set xlabel "time (s)"
set ylabel "memory per VM (MB)"
set y2label "cumulative swap-in (MB)"
set yrange [0:18000]
set xtics 300
set ytics nomirror
set y2tics
set key bottom right
do for [i = 0:2] {
	b = 2 + 5 * i
	# Swap-in scale per panel, at least 1000 MB so zero stays readable.
	top = 1000
	do for [c = b + 3:b + 4] {
		stats csv using (column(c)) skip 1 nooutput
		if (STATS_max > top) { top = STATS_max }
	}
	set y2range [0:top * 1.1]
	set title panel[i + 1]
	plot csv using 1:b skip 1 with lines lw 2 lc rgb "#000000" title "mapped", \
	     csv using 1:b+1 skip 1 with lines lw 1 lc rgb "#4477aa" title "consumed VM 1", \
	     csv using 1:b+2 skip 1 with lines lw 1 dt 2 lc rgb "#4477aa" title "consumed VM 2", \
	     csv using 1:b+3 skip 1 axes x1y2 with lines lw 2 lc rgb "#cc6677" title "swap-in VM 1", \
	     csv using 1:b+4 skip 1 axes x1y2 with lines lw 2 dt 2 lc rgb "#cc6677" title "swap-in VM 2"
}
unset multiplot
