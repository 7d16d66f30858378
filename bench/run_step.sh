#!/usr/bin/env bash
# Runs bench_step (one training step of friedman, twomoons, sparse5dp, sparserk4, fashion against quoted PyTorch
# figures) on 1 and on 2 ranks and prints both tables. With 2 ranks the trainer's grid choice (KNGridChooseGroups) decides:
# friedman, twomoons and fashion (dense by its E >= N^2/4 rule) split the batch (2 data groups x 1 rank), the sparse
# circuits split the graph (1 group x 2 ranks); -W_kn_data_groups G overrides it per workload W.
# Usage: bench/run_step.sh [BUILD_DIR] [extra bench_step options, e.g. -workload sparse5dp -repeats 3]
set -eu
build=${1:-build}; shift || true
exe="$build/bench/bench_step"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cores=$(nproc)
declare -A table
for n in 1 2; do
  echo "== $n rank$([ "$n" -gt 1 ] && echo s)$([ "$n" -gt "$cores" ] && echo " (oversubscribed: $cores cores)"), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  out=$(mpiexec -n "$n" "$exe" "$@" 2>&1) || { echo "$out"; exit 1; }
  echo "$out"
  table[$n]=$(echo "$out" | sed -n '/^workload /,$p')
done
echo
for n in 1 2; do echo "== table, $n rank$([ "$n" -gt 1 ] && echo s)"; echo "${table[$n]}"; done
