#!/usr/bin/env bash
# jobs/ on a REAL one-node SLURM cluster (tests/knslurm.sh), what t850 does not cover:
#  - --mem: train.sbatch asks for 8G per node (sbatch --mem overrides it), sweep.sbatch for 4G
#  - srun's MPI plugin: with the site's MpiDefault=none train.sbatch picks pmix from `srun --mpi=list` and trains on 2
#    ranks; with MpiDefault=pmix it passes no --mpi (the site's choice); KN_SRUN_MPI=NAME is passed as --mpi=NAME
#  - -kn_max_walltime from the job's own end time (default margin 180 s for a 5-minute job): a 3-minute job with KN_MARGIN=170 stops itself with a checkpoint
#    (the wall-time stop, not the signal), exit 85 -> with KN_REQUEUE=0 the job ends COMPLETED with 0:0 (as a healthy
#    jobs/chain.sh link must), and a second job continues from that checkpoint to the end
#  - sweep.sbatch: a config whose data files are absent is skipped (task COMPLETED, no run directory), the others train
# TAP output; a plain "1..0 # SKIP <reason>" if SLURM is missing or its daemons do not start here.
set -u
knet="$KN_BUILD_ROOT/knet"
src="$KN_SOURCE_ROOT"
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
. "$src/tests/knslurm.sh"

tmp=$(mktemp -d /tmp/kn-t851.XXXXXX)
trap 'kn_slurm_stop; rm -rf "$tmp"' EXIT
kn_slurm_start "$tmp" "MpiDefault=none"
mkdir -p "$tmp/work/logs"
cd "$tmp/work" || exit 1
lastlines() { tail -4 "$1" 2> /dev/null | tr '\n' ' '; }
cat > tiny.yaml <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 256
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [2, 2]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 128, epochs: 100000, monitor: 0}
ts: {type: rk, rk_type: 4, dt: 0.1, adapt_type: none}
YAML
submit() { local j; j=$(sbatch --parsable "$@"); echo "${j%%;*}"; }
env_common="ALL,KN_CONFIG=tiny.yaml,KN_KNET=$knet"

# --mem of the scripts (held jobs: only the request is looked at)
j1=$(submit --hold --export="$env_common" "$src/jobs/train.sbatch")
j2=$(submit --hold --mem=1G --export="$env_common" "$src/jobs/train.sbatch")
j3=$(submit --hold --array=0 --export="$env_common" "$src/jobs/sweep.sbatch")
m1=$(kn_jobfield "$j1" MinMemoryNode) m2=$(kn_jobfield "$j2" MinMemoryNode) m3=$(kn_jobfield "${j3}_0" MinMemoryNode)
scancel "$j1" "$j2" "$j3"
[ "$m1" = 8G ] && [ "$m2" = 1G ] && [ "$m3" = 4G ]
ok $? "--mem: train.sbatch asks for ${m1:-nothing} (sbatch --mem=1G gives ${m2:-nothing}), sweep.sbatch for ${m3:-nothing}"

# srun's MPI plugin (2 tasks, a few steps each)
mpi_case() { # name, extra env -> sets log, rc
  local jid rd="$PWD/$1"
  jid=$(submit --ntasks=2 --mem=1G --time=5 --export="$env_common,KN_RUN_DIR=$rd,KN_OPTIONS=-kn_train_max_iterations 4$2" "$src/jobs/train.sbatch")
  log="logs/kn-train-$jid.out"
  kn_await_gone "$jid" 120
  [ "$(kn_jobfield "$jid" JobState)" = COMPLETED ] && [ -f "$rd/model.h5" ] && grep -q "2 data groups" "$log"
  rc=$?
  [ $rc -eq 0 ] || echo "# job $jid: $(kn_jobfield "$jid" JobState); $(lastlines "$log")"
}
mpi_case mpi-none ""
grep -q "^== srun --mpi=pmix --kill-on-bad-exit=1 " "$log"
ok $((rc | $?)) "MpiDefault=none: train.sbatch runs '$(grep -o '^== srun [^ ]* [^ ]*' "$log")' (from srun --mpi=list) and knet trains on 2 ranks"
w=$(sed -n 's/^== job ends at .*: -kn_max_walltime \([0-9]*\) (margin 180 s)$/\1/p' "$log")
[ -n "$w" ] && [ "$w" -gt 0 ] && [ "$w" -le 120 ]
ok $? "--time=5 without KN_MARGIN: the default margin of 180 s (before the 120 s signal) gives -kn_max_walltime ${w:-?}"
sed -i 's/^MpiDefault=none/MpiDefault=pmix/' "$SLURM_CONF"
scontrol reconfigure
for _ in $(seq 1 50); do scontrol show config | grep -q 'MpiDefault *= pmix' && break; sleep 0.2; done
mpi_case mpi-site ""
grep -q "^== srun --kill-on-bad-exit=1 " "$log"
ok $((rc | $?)) "MpiDefault=pmix: train.sbatch leaves the plugin to the site ('$(grep -o '^== srun [^ ]*' "$log")') and knet trains on 2 ranks"
mpi_case mpi-given ",KN_SRUN_MPI=pmix"
grep -q "^== srun --mpi=pmix --kill-on-bad-exit=1 " "$log"
ok $((rc | $?)) "KN_SRUN_MPI=pmix is passed as --mpi=pmix"

# the wall-time stop from the job's end time, then a continuation to the end
rd="$PWD/wall"
jid=$(submit --ntasks=1 --mem=1G --time=3 --signal=USR1@10 --export="$env_common,KN_RUN_DIR=$rd,KN_MARGIN=170,KN_REQUEUE=0" "$src/jobs/train.sbatch")
log="logs/kn-train-$jid.out"
kn_await_gone "$jid" 170
wall=$(sed -n 's/^== job ends at .*: -kn_max_walltime \([0-9]*\) (margin 170 s)$/\1/p' "$log")
state=$(kn_jobfield "$jid" JobState) code=$(kn_jobfield "$jid" ExitCode)
echo "# job $jid: -kn_max_walltime ${wall:-?}; $(grep -o 'the wall-time limit.*with checkpoint' "$log")"
[ -n "$wall" ] && [ "$wall" -gt 0 ] && [ "$wall" -le 10 ] && grep -q -- "-kn_max_walltime $wall " "$log"
ok $? "--time=3 with KN_MARGIN=170: train.sbatch passes -kn_max_walltime ${wall:-?} (the job's end time from squeue minus the margin)"
grep -Eq "the wall-time limit of $wall\.? s is near: stopped after step" "$log" && grep -q "knet train exited with 85" "$log" && ! grep -q "caught SIGUSR1" "$log" && ls "$rd"/ckpt/ckpt_*.h5 > /dev/null 2>&1
ok $? "knet stops itself by -kn_max_walltime with a checkpoint and exit 85, before the signal"
[ "$state" = COMPLETED ] && [ "$code" = 0:0 ] && grep -q "not requeued (KN_REQUEUE=0)" "$log"
ok $? "with KN_REQUEUE=0 (a jobs/chain.sh link) the stopped job ends $state with exit code $code, not FAILED"
step=$(grep -o 'stopped after step [0-9]*' "$log" | grep -o '[0-9]*$')
total=$((step + 5))
jid=$(submit --ntasks=1 --mem=1G --time=5 --export="$env_common,KN_RUN_DIR=$rd,KN_OPTIONS=-kn_train_max_iterations $total -kn_train_monitor 1" "$src/jobs/train.sbatch")
log2="logs/kn-train-$jid.out"
kn_await_gone "$jid" 120
[ "$(kn_jobfield "$jid" JobState)" = COMPLETED ] && grep -q "resuming from .*step ${step:-x}" "$log2" && [ -f "$rd/model.h5" ]
ok $? "a second job continues from step ${step:-?} to step $total: $(grep -o 'resuming from [^:]*' "$log2")"

# sweep.sbatch skips a config whose data is absent
mkdir -p sw
cp tiny.yaml sw/a-tiny.yaml
printf '%s\n' "# MNIST-like: the data is not here" "kn:" "  task_type: classification" "  data: idx" \
  "  data_file: data/none/train-images-idx3-ubyte.gz   # absent" "  data_labels: data/none/train-labels-idx1-ubyte.gz" > sw/b-nodata.yaml
jid=$(submit --array=0-1 --mem=1G --export="$env_common,KN_SWEEP_GLOB=sw/*.yaml,KN_SWEEP_DIR=$PWD/sweep,KN_OPTIONS=-kn_train_max_iterations 3,KN_JOBS_DIR=$src/jobs" "$src/jobs/sweep.sbatch")
for _ in $(seq 1 300); do [ -z "$(squeue -h -j "$jid" 2> /dev/null)" ] && break; sleep 0.2; done
l1="logs/kn-sweep-${jid}_1.out"
[ "$(kn_jobfield "${jid}_1" JobState)" = COMPLETED ] && grep -q "skipping sw/b-nodata.yaml: its data is absent (data/none/train-images-idx3-ubyte.gz data/none/train-labels-idx1-ubyte.gz)" "$l1" &&
  [ ! -e sweep/1-b-nodata ] && [ -f sweep/0-a-tiny/model.h5 ]
ok $? "sweep.sbatch: task 1 ($(grep -o 'skipping.*absent' "$l1" 2> /dev/null)) ends COMPLETED, task 0 trains"

echo "1..$n"
[ $failed -eq 0 ]
