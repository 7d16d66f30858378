#!/usr/bin/env bash
# Runs bench_scaling on 1, 2 and 4 ranks (4 is oversubscribed on a 2-core machine and marked so) and prints
# speedups and parallel efficiency per case. Usage: bench/run_scaling.sh [BUILD_DIR] [extra bench options]
#   bench/run_scaling.sh BUILD_DIR largest [E]: the largest-circuit run of the issue (one training step of a random
#   circuit, E edges (default 3.8e7) on E/10 nodes, B 8, RK4 10 steps, 1 rank, solution-only trajectory, ~18 GiB peak:
#   about 490 MiB per 10^6 edges + 40 MiB), under /usr/bin/time -v for the peak RSS.
set -eu
build=${1:-build}; shift || true
exe="$build/bench/bench_scaling"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
if [ "${1:-}" = largest ]; then
  free -g
  exec /usr/bin/time -v nice mpiexec -n 1 "$exe" -case c -c_edges "${2:-38000000}" -repeats 0 -kn_trajectory_solution_only
fi
cores=$(nproc)
declare -A t
for n in 1 2 4; do
  out=$(mpiexec -n "$n" "$exe" "$@" 2>&1)
  echo "== $n ranks$([ "$n" -gt "$cores" ] && echo " (oversubscribed: $cores cores)")"; echo "$out"
  while read -r name sec; do t[$name,$n]=$sec; done < <(echo "$out" | sed -n 's/^case \([a-z]\) .* step \([0-9.e+-]*\) s.*/\1 \2/p')
done
echo "== speedup over 1 rank (efficiency)"
for c in a b c; do
  [ -n "${t[$c,1]:-}" ] || continue
  line="case $c:"
  for n in 2 4; do
    [ -n "${t[$c,$n]:-}" ] && line="$line  $n ranks $(awk -v a="${t[$c,1]}" -v b="${t[$c,$n]}" -v n="$n" 'BEGIN{printf "%.2fx (%.0f%%)", a/b, 100*a/b/n}')"
  done
  echo "$line"
done
