#!/bin/bash
# A multi-day run as a chain of dependent jobs (for clusters where jobs may not requeue themselves): link k starts
# when link k-1 has ended, whatever its state (afterany), and resumes the same run directory from its newest
# checkpoint. Each link ends itself before its time limit with -kn_max_walltime (the limit minus KN_MARGIN seconds)
# and a checkpoint; links after the run has finished return at once.
#
#   mkdir -p logs
#   jobs/chain.sh 7 --time=24:00:00 --ntasks=16                     # a week in 7 one-day links
#   KN_CONFIG=configs/mnist.yaml KN_RUN_DIR=runs/mnist-long jobs/chain.sh 3 --time=12:00:00
#
# Settings (environment): KN_CONFIG, KN_RUN_DIR (default runs/chain-<date-time>), KN_OPTIONS, KN_LAUNCHER, KN_KNET as
# in jobs/train.sbatch; KN_MARGIN (default 300) seconds kept free for the final checkpoint; KN_LINK_WALLTIME sets
# -kn_max_walltime directly (seconds) instead of deriving it from --time.
set -euo pipefail
usage() { echo "usage: jobs/chain.sh LINKS --time=D-HH:MM:SS|HH:MM:SS [more sbatch options]" >&2; exit 2; }
if [ $# -lt 1 ] || ! [ "$1" -ge 1 ] 2> /dev/null; then usage; fi
links=$1; shift

# seconds of a SLURM time limit: [D-]HH:MM:SS, HH:MM or MM
seconds() {
  local t=$1 d=0
  [[ $t == *-* ]] && { d=${t%%-*}; t=${t#*-}; }
  IFS=: read -r -a p <<< "$t"
  case ${#p[@]} in
    3) echo $((d * 86400 + 10#${p[0]} * 3600 + 10#${p[1]} * 60 + 10#${p[2]})) ;;
    2) echo $((d * 86400 + 10#${p[0]} * 60 + 10#${p[1]})) ;;
    1) echo $((d * 86400 + 10#${p[0]} * 60)) ;;
  esac
}
limit=""
for a in "$@"; do case $a in --time=*) limit=${a#--time=} ;; -t*) limit=${a#-t} ;; esac; done
if [ -n "${KN_LINK_WALLTIME:-}" ]; then wall=$KN_LINK_WALLTIME
else
  [ -n "$limit" ] || { echo "jobs/chain.sh: give --time=... (each link stops before it) or KN_LINK_WALLTIME" >&2; exit 2; }
  wall=$(( $(seconds "$limit") - ${KN_MARGIN:-300} ))
  [ "$wall" -gt 0 ] || { echo "jobs/chain.sh: --time=$limit leaves no time after the margin of ${KN_MARGIN:-300} s" >&2; exit 2; }
fi
export KN_RUN_DIR=${KN_RUN_DIR:-runs/chain-$(date +%Y%m%d-%H%M%S)}
export KN_OPTIONS="${KN_OPTIONS:-} -kn_max_walltime $wall"
export KN_REQUEUE=0
mkdir -p logs
prev=""
for k in $(seq 1 "$links"); do
  dep=()
  [ -n "$prev" ] && dep=(--dependency="afterany:$prev")
  prev=$(sbatch --parsable "${dep[@]}" --job-name=kn-chain --export=ALL "$@" "${KN_JOBS_DIR:-jobs}/train.sbatch")
  prev=${prev%%;*}
  echo "link $k/$links: job $prev${dep:+ (after ${dep[0]#--dependency=afterany:})}"
done
echo "run directory $KN_RUN_DIR; each link stops after at most $wall s with a checkpoint (-kn_max_walltime)"
