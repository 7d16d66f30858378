#!/usr/bin/env bash
# Bytes per edge of one training step (forward + adjoint; bench_scaling case c: random circuit, N = E/10, shift_tanh2,
# B 8, RK4 10 steps) with the full and the solution-only trajectory, on 1 and 2 ranks, every rank under
# /usr/bin/time -v (issue 14, item 3). From the two edge counts it fits peak = a + b E per rank and prints the largest
# circuit whose step fits LIMIT GiB on one rank: E = (LIMIT - a) / b. Figures only.
# Usage: bench/run_memory.sh [BUILD_DIR] [E1, default 10^5] [E2, default 10^6] [LIMIT GiB, default 24]
set -eu
build=${1:-build}; e1=${2:-100000}; e2=${3:-1000000}; limit=${4:-24}
exe="$build/bench/bench_scaling"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
declare -A kb
for traj in solution-only full; do
  opt=""; [ "$traj" = solution-only ] && opt="-kn_trajectory_solution_only"
  for n in 1 2; do
    for E in "$e1" "$e2"; do
      mpiexec -n "$n" sh -c "/usr/bin/time -v $exe -case c -c_edges $E -repeats 0 $opt > $tmp/out.\$OMPI_COMM_WORLD_RANK 2> $tmp/time.\$OMPI_COMM_WORLD_RANK"
      line="$traj, $n rank(s), E $E:"
      for r in $(seq 0 $((n - 1))); do
        k=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.$r")
        kb[$traj,$n,$E,$r]=$k
        line="$line rank $r $(awk -v k="$k" -v e="$E" 'BEGIN{printf "%.0f MB, %.0f bytes/edge", k/1024, k*1024/e}')"
      done
      echo "$line ($(grep -o 'step [0-9.]* s' "$tmp/out.0"))"
    done
  done
  # one rank: peak = a + b E, the largest E in LIMIT GiB
  awk -v k1="${kb[$traj,1,$e1,0]}" -v k2="${kb[$traj,1,$e2,0]}" -v e1="$e1" -v e2="$e2" -v L="$limit" -v t="$traj" 'BEGIN{
    b = (k2 - k1) * 1024 / (e2 - e1); a = k1 * 1024 - b * e1;
    printf "%s, 1 rank: %.0f bytes per edge (slope), %.0f MB fixed; largest circuit in %g GiB: %.3g edges (%.3g nodes)\n", t, b, a / 1048576, L, (L * 1073741824 - a) / b, (L * 1073741824 - a) / b / 10 }'
done
