#!/usr/bin/env bash
# Per-rank memory of the topology-file paths and the Monte Carlo gains on a large random graph (issue 14, item 4):
# bench_graphio's phases save (HDF5 and text), load (both) and gains, each on 1 and 2 ranks, every rank under
# /usr/bin/time -v (its "Maximum resident set size" is printed next to bench_graphio's own per-rank figures).
# Usage: bench/run_graphio.sh [BUILD_DIR] [EDGES, default 10^7] [DIR for the files, default /tmp]
# Figures only: nothing passes or fails on them.
set -eu
build=${1:-build}; E=${2:-10000000}; dir=${3:-/tmp}
exe="$build/bench/bench_graphio"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
for n in 1 2; do
  for f in "$dir/knet_bench_graph.h5" "$dir/knet_bench_graph.txt"; do
    for phase in save load; do
      echo "== $phase $(basename "$f"), $n rank(s), E $E, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
      mpiexec -n "$n" sh -c "/usr/bin/time -v $exe -e $E -file $f -phase $phase 2> $dir/knet_bench_time.\$OMPI_COMM_WORLD_RANK"
      for r in $(seq 0 $((n - 1))); do
        echo "   rank $r: /usr/bin/time -v $(grep -E 'Maximum resident|Elapsed' "$dir/knet_bench_time.$r" | sed 's/^\s*//' | paste -sd';')"
      done
    done
  done
  echo "== gains, $n rank(s), E $E"
  mpiexec -n "$n" sh -c "/usr/bin/time -v $exe -e $E -phase gains 2> $dir/knet_bench_time.\$OMPI_COMM_WORLD_RANK"
  for r in $(seq 0 $((n - 1))); do
    echo "   rank $r: /usr/bin/time -v $(grep -E 'Maximum resident|Elapsed' "$dir/knet_bench_time.$r" | sed 's/^\s*//' | paste -sd';')"
  done
done
rm -f "$dir"/knet_bench_time.* "$dir/knet_bench_graph.h5" "$dir/knet_bench_graph.txt"
