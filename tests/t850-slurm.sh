#!/usr/bin/env bash
# jobs/ on a REAL one-node SLURM cluster (tests/knslurm.sh: munged, slurmctld and slurmd of Debian's munge and
# slurm-wlm with a private key, config, state directories, sockets and free ports under a temporary directory):
#  - jobs/train.sbatch (srun, 1 task): SIGUSR1 to the job step (what --signal=USR1@T does before the time limit) ->
#    checkpoint, exit 85 -> the script requeues the job -> the job resumes and ends with the uninterrupted model
#  - the same with KN_LAUNCHER=mpiexec on 2 ranks and the signal to the batch shell (--signal=B:USR1@T)
#  - jobs/chain.sh: dependent links, each stopped by -kn_max_walltime (1 ms: one step each), finish the run with the same model
#  - jobs/sweep.sbatch: a 2-task array trains two configurations into two run directories
# TAP output; a plain "1..0 # SKIP <reason>" if SLURM is missing or its daemons do not start here.
set -u
knet="$KN_BUILD_ROOT/knet"
src="$KN_SOURCE_ROOT"
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

. "$src/tests/knslurm.sh"
tmp=$(mktemp -d /tmp/kn-t850.XXXXXX)
trap 'kn_slurm_stop; rm -rf "$tmp"' EXIT
kn_slurm_start "$tmp" "MpiDefault=none"
mkdir -p "$tmp/work/logs"

# helpers beside knslurm.sh's kn_await_file, kn_jobfield, kn_await_state (timeouts in seconds)
await_requeue() { for _ in $(seq 1 $(($2 * 5))); do [ "$(kn_jobfield "$1" Restarts)" = 1 ] && [ "$(kn_jobfield "$1" JobState)" = PENDING ] && return 0; sleep 0.2; done; return 1; }
await_idle() { for _ in $(seq 1 $(($1 * 5))); do [ "$(sinfo -h -o %T)" = idle ] && return 0; sleep 0.2; done; return 1; }
lastlines() { tail -3 "$1" 2> /dev/null | tr '\n' ' '; }

cd "$tmp/work" || exit 1
cat > tiny.yaml <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 512
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [3, 3]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 128, epochs: 100000, monitor: 0}
  checkpoint_every: 20
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-4, atol: 1.0e-4, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
"$knet" train -options_file tiny.yaml -kn_train_max_iterations 600 -kn_run_dir ref1 > ref1.log 2>&1 || echo "# the 1-rank reference run failed"
mpiexec -n 2 "$knet" train -options_file tiny.yaml -kn_train_max_iterations 200 -kn_run_dir ref2 > ref2.log 2>&1 || echo "# the 2-rank reference run failed"

# signal -> 85 -> requeue -> resume -> complete (name ranks steps launcher signal-target)
requeue_case() {
  local rd="$PWD/$1" jid extra=() target=() log opts="-kn_train_max_iterations $3 -kn_checkpoint_keep 100000" # ckpt_20 must not be pruned before it is seen
  [ "$4" = mpiexec ] && extra=(--signal=B:USR1@60)
  [ "$5" = batch ] && target=(--batch)
  jid=$(sbatch --parsable --ntasks="$2" --time=5 "${extra[@]}" --export="ALL,KN_CONFIG=tiny.yaml,KN_RUN_DIR=$rd,KN_KNET=$knet,KN_LAUNCHER=$4,KN_OPTIONS=$opts" "$src/jobs/train.sbatch")
  jid=${jid%%;*}
  log="logs/kn-train-$jid.out"
  kn_await_file "$rd/ckpt/ckpt_00000020.h5" 60 || { echo "# job $jid made no checkpoint: $(lastlines "$log")"; return 1; }
  scancel --signal=USR1 "${target[@]}" "$jid"
  await_requeue "$jid" 60 || { echo "# job $jid was not requeued: state $(kn_jobfield "$jid" JobState); $(lastlines "$log")"; return 1; }
  # SLURM holds a requeued job ~2 min (BeginTime), time for the steps of its first run to be cleaned up; here it is
  # released as soon as slurmd reports them done (a step id reused too early fails to launch)
  await_idle 30
  for _ in $(seq 1 100); do grep -q "\[$jid.batch\] done with job" "$tmp/log/slurmd.log" && { [ "$4" != srun ] || grep -q "\[$jid.0\] done with job" "$tmp/log/slurmd.log"; } && break; sleep 0.2; done
  sleep 2
  scontrol update JobId="$jid" StartTime=now
  kn_await_state "$jid" COMPLETED 60 || { echo "# job $jid did not complete: state $(kn_jobfield "$jid" JobState); $(lastlines "$log")"; return 1; }
  if ! { grep -q "caught SIGUSR1" "$log" && grep -q "knet train exited with 85" "$log" && grep -q "requeueing job $jid" "$log" && grep -q "(restart 1)" "$log"; }; then
    echo "# $log lacks the signal / 85 / requeue / restart lines"
    return 1
  fi
  echo "# job $jid: $(grep -o 'stopped after step [0-9]*' "$log"), requeued, restart 1 completed"
}
requeue_case r1 1 600 srun step; r=$?
h5diff --exclude-path /options -q ref1/model.h5 r1/model.h5 > /dev/null 2>&1; ok $((r | $?)) "train.sbatch (srun): SIGUSR1 to the job step -> checkpoint, exit 85, scontrol requeue -> restart resumes -> the uninterrupted model (h5diff)"
requeue_case r2 2 200 mpiexec batch; r=$?
h5diff --exclude-path /options -q ref2/model.h5 r2/model.h5 > /dev/null 2>&1; ok $((r | $?)) "train.sbatch (KN_LAUNCHER=mpiexec, 2 ranks): SIGUSR1 to the batch shell (--signal=B:) is passed on -> 85 -> requeue -> the uninterrupted 2-rank model"

# chain.sh: links that stop themselves with -kn_max_walltime finish the run. Timing-independent: a 1 ms limit has
# passed by the first step boundary on any machine, so each link makes one step and stops with a checkpoint and 85;
# 5 links finish a 4-step run (link 4 or 5 writes the model) with the uninterrupted 4-step model
"$knet" train -options_file tiny.yaml -kn_train_max_iterations 4 -kn_run_dir ref4 > ref4.log 2>&1 || echo "# the 4-step reference run failed"
out=$(KN_CONFIG=tiny.yaml KN_RUN_DIR="$PWD/chain" KN_KNET="$knet" KN_JOBS_DIR="$src/jobs" KN_LINK_WALLTIME=0.001 KN_OPTIONS="-kn_train_max_iterations 4" "$src/jobs/chain.sh" 5 --ntasks=1 --time=5 2>&1); r=$?
last=$(echo "$out" | sed -n 's/^link 5\/5: job \([0-9]*\).*/\1/p')
[ -n "$last" ] && kn_await_state "$last" COMPLETED 600; r2=$?
stops=$(grep -l "knet train exited with 85" logs/kn-chain-*.out 2> /dev/null | wc -l)
steps=$(grep -ho "stopped after step [0-9]*" logs/kn-chain-*.out 2> /dev/null | awk '{print $4}' | sort -n | tr '\n' ' ')
case "$steps" in "1 2 3 " | "1 2 3 4 ") r3=0 ;; *) r3=1 ;; esac
h5diff --exclude-path /options -q ref4/model.h5 chain/model.h5 > /dev/null 2>&1; ok $((r | r2 | r3 | $?)) "chain.sh: 5 dependent links (afterany), $stops of them stopped by -kn_max_walltime with a checkpoint (after steps $steps), end with the uninterrupted model"

# sweep.sbatch: a 2-task array over a list file, one run directory per task
printf '%s\n' "# config and options per task" "tiny.yaml -kn_seed 1 -kn_train_max_iterations 30" "tiny.yaml -kn_seed 2 -kn_train_max_iterations 30" > sweep.txt
jid=$(sbatch --parsable --array=0-1 --export="ALL,KN_SWEEP_LIST=sweep.txt,KN_SWEEP_DIR=$PWD/sweep,KN_KNET=$knet,KN_JOBS_DIR=$src/jobs" "$src/jobs/sweep.sbatch"); r=$?
jid=${jid%%;*}
for _ in $(seq 1 300); do [ -z "$(squeue -h -j "$jid" 2> /dev/null)" ] && break; sleep 0.2; done
[ -f sweep/0-tiny/model.h5 ] && [ -f sweep/1-tiny/model.h5 ] && ! h5diff --exclude-path /options -q sweep/0-tiny/model.h5 sweep/1-tiny/model.h5 > /dev/null 2>&1
ok $((r | $?)) "sweep.sbatch: array tasks 0 and 1 train their list lines (seeds 1, 2) into sweep/0-tiny and sweep/1-tiny"

echo "1..$n"
[ $failed -eq 0 ]
