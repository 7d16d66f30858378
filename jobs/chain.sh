#!/bin/bash
# A multi-day run as a chain of dependent jobs (for clusters where jobs may not requeue themselves): link k starts
# when link k-1 has ended, whatever its state (afterany), and resumes the same run directory from its newest
# checkpoint. Each link ends itself before its time limit with a checkpoint (jobs/train.sbatch derives
# -kn_max_walltime from the link's own end time minus KN_MARGIN seconds) and shows as COMPLETED in accounting; links
# after the run has finished return at once.
#
#   mkdir -p logs
#   jobs/chain.sh 7 --time=24:00:00 --ntasks=16                     # a week in 7 one-day links
#   KN_CONFIG=configs/mnist.yaml KN_RUN_DIR=runs/mnist-long jobs/chain.sh 3 --time=12:00:00
#
# Settings (environment): KN_CONFIG, KN_RUN_DIR (default runs/chain-<date-time>), KN_OPTIONS, KN_LAUNCHER, KN_KNET as
# in jobs/train.sbatch; KN_MARGIN seconds kept free for the final checkpoint (see jobs/train.sbatch); KN_LINK_WALLTIME
# sets -kn_max_walltime directly (seconds) instead.
set -euo pipefail
usage() { echo "usage: jobs/chain.sh LINKS [--time=D-HH:MM:SS|HH:MM:SS] [more sbatch options]" >&2; exit 2; }
if [ $# -lt 1 ] || ! [ "$1" -ge 1 ] 2> /dev/null; then usage; fi
links=$1; shift

wall=""
if [ -n "${KN_LINK_WALLTIME:-}" ]; then
  wall=$KN_LINK_WALLTIME
  export KN_OPTIONS="${KN_OPTIONS:-} -kn_max_walltime $wall"
fi
export KN_RUN_DIR=${KN_RUN_DIR:-runs/chain-$(date +%Y%m%d-%H%M%S)}
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
echo "run directory $KN_RUN_DIR; each link stops with a checkpoint ${wall:+after at most $wall s }before its time limit (-kn_max_walltime)"
