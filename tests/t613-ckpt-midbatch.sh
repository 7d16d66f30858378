#!/usr/bin/env bash
# A signal stops a run in the middle of a long batch (issue 12, item 3): the layer solves poll the signal, every rank
# stops at the same solver step (also when only one rank of mpiexec -n 2 got it, with the graph split or the batch
# split, steps synchronised or not), the batch is discarded, the state before it is kept in a checkpoint, exit 85, and
# the resumed run ends with the uninterrupted run's model. Timing-independent: the signal is sent once the checkpoint
# of step 1 exists, and what is checked is where the run stopped (the stop message, the checkpoints), not when. TAP.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
# waits (at most 300 s: a slow machine only makes it wait longer) until the file exists
await() { for _ in $(seq 1 6000); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

# Long batches: fixed steps of 2e-4 over T = 0.5, so every layer solve takes 2500 steps, forward and adjoint.
cat > "$tmp/flow.yaml" <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 512
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [3, 3]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  threads: 1
  train: {batch_size: 128, epochs: 100000, monitor: 0, max_iterations: 2}
ts: {type: rk, rk_type: 5dp, dt: 2.0e-4, adapt_type: none}
YAML
opts="-options_file $tmp/flow.yaml"
steps=2500
"$knet" train $opts -kn_run_dir "$tmp/ref" > "$tmp/ref.log" 2>&1 || echo "# the reference run failed: $(tail -3 "$tmp/ref.log")"

# name signal ranks target-rank [options]: the signal goes to one process (the rank with that OMPI_COMM_WORLD_RANK)
# once ckpt_00000001.h5 exists; checks 85, the mid-batch message (a layer step before the end), that step 2 left no
# checkpoint, and that -kn_resume auto on the same ranks ends with the reference model (rounding: -d 1e-12).
midbatch() {
  local name=$1 sig=$2 np=$3 target=$4 dir="$tmp/$1" launch=() pid rc r2 d k victim=""
  shift 4
  [ "$np" -gt 1 ] && launch=(mpiexec -n "$np")
  "${launch[@]}" "$knet" train $opts -kn_checkpoint_every 1 -kn_run_dir "$dir" "$@" > "$dir.log" 2>&1 &
  pid=$!
  await "$dir/ckpt/ckpt_00000001.h5"
  if [ "$np" -gt 1 ]; then
    for c in $(pgrep -P $pid); do grep -qz "^OMPI_COMM_WORLD_RANK=$target$" /proc/$c/environ 2> /dev/null && victim=$c; done
  else victim=$pid; fi
  [ -n "$victim" ] && kill -s "$sig" "$victim"
  wait $pid; rc=$?
  k=$(grep -o "stopped mid-batch in step 2 (epoch 1, batch 2; Layer [0-9]*: the [a-z]* solve was interrupted at t = [0-9.e-]* of 0.5 (step [0-9]*)), which is discarded; stopped after step 1 (epoch 1, batch 1) with checkpoint $dir/ckpt/ckpt_00000001.h5" "$dir.log" | sed 's/.*(step \([0-9]*\)).*/\1/')
  "${launch[@]}" "$knet" train $opts -kn_checkpoint_every 1 -kn_run_dir "$dir" -kn_resume auto "$@" > "$dir.resume.log" 2>&1; r2=$?
  h5diff --exclude-path /options -d 1e-12 -q "$tmp/ref/model.h5" "$dir/model.h5"; d=$?
  echo "# $name: exit $rc, stopped at layer step ${k:-?} of $steps, resume $r2, h5diff $d"
  [ -n "$victim" ] && [ $rc -eq 85 ] && [ -n "$k" ] && [ "$k" -lt $steps ] && [ $r2 -eq 0 ] && [ $d -eq 0 ] &&
    grep -q "caught SIG$sig" "$dir.log" && grep -q "knet train: to continue (on any number of ranks): .*-kn_resume auto" "$dir.log" &&
    grep -q "the run's options are those stored in $dir/ckpt/ckpt_00000001.h5" "$dir.resume.log"
}
# the resume starts from ckpt 1 (no checkpoint of the discarded batch was written): its "options stored in" line
midbatch term TERM 1 0; ok $? "SIGTERM mid-batch: stops inside a layer solve, discards step 2, keeps ckpt 1, exit 85, the resume ends with the uninterrupted model"
midbatch int INT 1 0; ok $? "SIGINT mid-batch: the same"
midbatch usr1 USR1 1 0; ok $? "SIGUSR1 mid-batch: the same"
midbatch groups TERM 2 1; ok $? "mpiexec -n 2, 2 data groups (steps synchronised), SIGTERM to rank 1 only: both ranks stop at the same step, 85, resume"
midbatch graph TERM 2 0 -kn_data_groups 1; ok $? "mpiexec -n 2, the graph split over both ranks, SIGTERM to rank 0 only: the same"
midbatch unsync TERM 2 1 -kn_data_groups_sync_steps false; ok $? "mpiexec -n 2, 2 data groups stepping on their own, SIGTERM to rank 1 only: group 1 stops, group 0 learns it at the end of its slice, 85, resume"

# No signal: the polls change nothing (the reference took the same steps as a run without signal handlers).
"$knet" train $opts -kn_checkpoint_signals false -kn_run_dir "$tmp/nosig" > /dev/null 2>&1
h5diff --exclude-path /options -q "$tmp/ref/model.h5" "$tmp/nosig/model.h5"; ok $? "-kn_checkpoint_signals false (no polls) gives the same model bit for bit"

echo "1..$n"
[ $failed -eq 0 ]
