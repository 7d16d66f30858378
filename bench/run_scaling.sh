#!/usr/bin/env bash
# Runs bench_scaling on 1, 2 and 4 ranks (4 is oversubscribed on a 2-core machine and marked so) and prints
# speedups and parallel efficiency per case. Usage: bench/run_scaling.sh [BUILD_DIR] [extra bench options]
set -eu
build=${1:-build}; shift || true
exe="$build/bench/bench_scaling"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
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
