#!/usr/bin/env bash
# jobs/train.sbatch with KN_LAUNCHER=mpiexec (2 ranks), run as a plain script (no SLURM: no requeue, it exits with
# knet's code): Open MPI's mpiexec exits with 1 on SIGTERM although every rank wrote its checkpoint and exited with 85.
# A SIGTERM to the script (scancel --batch) is passed on as SIGUSR1: 85. A SIGTERM to the script and to mpiexec at
# once (what the time limit or scancel does to every process of the job): mpiexec's 1 counts as 85 because the ranks
# wrote a checkpoint. Either way -kn_resume auto then finishes the run. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
src="$KN_SOURCE_ROOT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
await() { for _ in $(seq 1 6000); do compgen -G "$1" > /dev/null && return 0; sleep 0.05; done; return 1; }
cd "$tmp" || exit 1
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
run() { # name: the script in the background
  SLURM_NTASKS=2 KN_CONFIG=tiny.yaml KN_RUN_DIR="$tmp/$1" KN_KNET="$knet" KN_LAUNCHER=mpiexec KN_OPTIONS="-kn_train_max_iterations 100000" \
    bash "$src/jobs/train.sbatch" > "$1.log" 2>&1 &
  pid=$!
  await "$tmp/$1/ckpt/ckpt_00000020.h5"
}

run script
kill -TERM $pid; wait $pid; rc=$?
grep -q "knet train exited with 85" script.log && grep -q "caught SIGUSR1" script.log; ok $(( (rc != 85) | $? )) "SIGTERM to train.sbatch (mpiexec, 2 ranks): passed on as SIGUSR1, checkpoint, the script exits with 85 ($rc)"

run all
mpi=$(pgrep -P $pid -x mpiexec)
kill -TERM $pid $mpi; wait $pid; rc=$?
last=$(ls "$tmp/all/ckpt" | tail -1)
grep -q "mpiexec exited with 1 after SIGTERM, but the ranks wrote a checkpoint: counted as 85" all.log && grep -q "knet train exited with 85" all.log; r=$?
SLURM_NTASKS=2 KN_CONFIG=tiny.yaml KN_RUN_DIR="$tmp/all" KN_KNET="$knet" KN_LAUNCHER=mpiexec KN_OPTIONS="-kn_train_max_iterations $(( 10#${last:5:8} + 5 ))" bash "$src/jobs/train.sbatch" > resume.log 2>&1; r2=$?
ok $(( (rc != 85) | r | r2 )) "SIGTERM to train.sbatch and mpiexec at once: mpiexec exits 1, the ranks' checkpoint ($last) makes it 85 ($rc); the resumed run completes ($r2)"

echo "1..$n"
[ $failed -eq 0 ]
