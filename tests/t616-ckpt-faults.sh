#!/usr/bin/env bash
# Long runs when things go wrong: SIGUSR1/SIGTERM/SIGINT (1 and 2 ranks) and -kn_max_walltime write a checkpoint and exit 85,
# and the resumed run ends with the uninterrupted run's model; kill -9 during a checkpoint write and a corrupt newest
# checkpoint are reported and the previous checkpoint is used; an unwritable or full checkpoint directory and a
# solver failure stop with a clear error and leave the last good checkpoint alone. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d)
mnt=()
cleanup() { for m in "${mnt[@]}"; do umount "$m" 2> /dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# waits (at most 300 s: a slow machine only makes it wait longer) until a file matching the glob exists
await() { for _ in $(seq 1 6000); do compgen -G "$1" > /dev/null && return 0; sleep 0.05; done; return 1; }

cat > "$tmp/flow.yaml" <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 512
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [3, 3]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 128, epochs: 100000, monitor: 0}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-4, atol: 1.0e-4, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
opts="-options_file $tmp/flow.yaml"
"$knet" train $opts -kn_train_max_iterations 300 -kn_run_dir "$tmp/ref" > /dev/null 2>&1 || echo "# the reference run failed"
mpiexec -n 2 "$knet" train $opts -kn_train_max_iterations 80 -kn_run_dir "$tmp/ref2" > /dev/null 2>&1 || echo "# the 2-rank reference run failed"

# A signal once the run is under way (its first checkpoint exists); 85; resume; the reference model.
interrupt() { # name signal ranks steps
  local dir="$tmp/$1" launch=() rc r2 d
  [ "$3" -gt 1 ] && launch=(mpiexec -n "$3")
  "${launch[@]}" "$knet" train $opts -kn_train_max_iterations "$4" -kn_checkpoint_every 20 -kn_run_dir "$dir" > "$dir.log" 2>&1 &
  local pid=$!
  await "$dir/ckpt/ckpt_00000020.h5"
  kill -s "$2" $pid
  wait $pid; rc=$?
  "${launch[@]}" "$knet" train $opts -kn_train_max_iterations "$4" -kn_checkpoint_every 20 -kn_run_dir "$dir" -kn_resume auto > "$dir.resume.log" 2>&1; r2=$?
  local ref="$tmp/ref"; [ "$3" -gt 1 ] && ref="$tmp/ref2"
  h5diff --exclude-path /options -q "$ref/model.h5" "$dir/model.h5"; d=$?
  [ $rc -eq 85 ] && [ $r2 -eq 0 ] && [ $d -eq 0 ] && grep -q "caught SIG$2" "$dir.log"
}
interrupt usr1 USR1 1 300; ok $? "SIGUSR1: checkpoint, exit code 85, -kn_resume auto ends with the uninterrupted model (h5diff)"
interrupt term TERM 1 300; ok $? "SIGTERM: the same"
interrupt int INT 1 300; ok $? "SIGINT (Ctrl-C): the same"
interrupt usr1np2 USR1 2 80; ok $? "SIGUSR1 to mpiexec -n 2 (forwarded to both ranks): 85, resume, the uninterrupted 2-rank model"

# -kn_max_walltime: a run that cannot finish in time stops at a step boundary with a checkpoint, a message and 85, and
# the links of a chain end with the uninterrupted model. Timing-independent: a limit of 1 ms has passed by the first
# step boundary on any machine, so each such link makes exactly one step (1, 2, 3); the last link has no limit and
# runs to the end. A 2 s limit on 10^7 steps must stop too (whatever step it reached).
wt="$tmp/wall" r=0 links=""
for k in 1 2 3; do
  resume=(); [ $k -gt 1 ] && resume=(-kn_resume auto)
  "$knet" train $opts -kn_train_max_iterations 300 -kn_max_walltime 0.001 -kn_run_dir "$wt" "${resume[@]}" > "$wt.$k.log" 2>&1; rc=$?
  links="$links $rc"
  [ $rc -eq 85 ] && [ -e "$wt/ckpt/ckpt_0000000$k.h5" ] && grep -q "wall-time limit of 0.001 s is near: stopped after step $k " "$wt.$k.log" || r=1
done
"$knet" train $opts -kn_train_max_iterations 300 -kn_run_dir "$wt" -kn_resume auto > "$wt.4.log" 2>&1; rc=$?
h5diff --exclude-path /options -q "$tmp/ref/model.h5" "$wt/model.h5"; ok $((r | rc | $?)) "-kn_max_walltime 0.001: three links stop after steps 1, 2, 3 with a checkpoint, the message and 85 (exits:$links); the resumed last link ($rc) ends with the uninterrupted model (h5diff)"
"$knet" train $opts -kn_train_max_iterations 10000000 -kn_max_walltime 2 -kn_run_dir "$tmp/wall2" > "$tmp/wall2.log" 2>&1; rc=$?
last=$(ls "$tmp/wall2/ckpt" 2> /dev/null | tail -1)
[ $rc -eq 85 ] && [ -n "$last" ] && grep -q "wall-time limit of 2\.* s is near: stopped after step [0-9]* .* with checkpoint $tmp/wall2/ckpt/$last" "$tmp/wall2.log"
ok $? "-kn_max_walltime 2 on 10^7 steps: exit $rc, $(grep -o 'stopped after step [0-9]*' "$tmp/wall2.log") with checkpoint $last"

# kill -9 while a checkpoint is written (KN_TEST_CHECKPOINT_DELAY holds the complete .tmp 60 s before its rename; the kill comes as soon as it appears)
kd="$tmp/kill"
KN_TEST_CHECKPOINT_DELAY=60 "$knet" train $opts -kn_train_max_iterations 300 -kn_checkpoint_every 20 -kn_run_dir "$kd" > /dev/null 2>&1 &
pid=$!
await "$kd/ckpt/ckpt_00000040.h5.tmp"; kill -9 $pid; wait $pid 2> /dev/null
[ -e "$kd/ckpt/ckpt_00000020.h5" ] && [ ! -e "$kd/ckpt/ckpt_00000040.h5" ]; r1=$?
out=$("$knet" train $opts -kn_train_max_iterations 300 -kn_checkpoint_every 20 -kn_run_dir "$kd" -kn_resume auto -kn_train_monitor 1 2>&1); r2=$?
echo "$out" | grep -q "ignoring the partial checkpoint $kd/ckpt/ckpt_00000040.h5.tmp" && echo "$out" | grep -q "resuming from $kd/ckpt/ckpt_00000020.h5"; r3=$?
h5diff --exclude-path /options -q "$tmp/ref/model.h5" "$kd/model.h5"; ok $((r1 | r2 | r3 | $?)) "kill -9 during a checkpoint write leaves a .tmp; -kn_resume auto reports it, resumes from the previous checkpoint and ends with the uninterrupted model"

# a corrupt newest checkpoint (truncated; then one with overwritten values) is skipped with a message
cd0="$tmp/corrupt"
"$knet" train $opts -kn_train_max_iterations 60 -kn_checkpoint_every 20 -kn_run_dir "$cd0" > /dev/null 2>&1
head -c 3000 "$cd0/ckpt/ckpt_00000060.h5" > "$tmp/x" && mv "$tmp/x" "$cd0/ckpt/ckpt_00000060.h5"
off=$(/usr/bin/python3 -c "import h5py; print(h5py.File('$cd0/ckpt/ckpt_00000040.h5', 'r')['optim/layer_001/v'].id.get_offset())")
printf '\xde\xad\xbe\xef' | dd of="$cd0/ckpt/ckpt_00000040.h5" bs=1 seek=$((off + 16)) conv=notrunc 2> /dev/null
out=$("$knet" train $opts -kn_train_max_iterations 300 -kn_checkpoint_every 20 -kn_run_dir "$cd0" -kn_resume auto -kn_train_monitor 1 2>&1); r1=$?
echo "$out" | grep -q "skipping the unreadable checkpoint $cd0/ckpt/ckpt_00000060.h5"; r2=$?
echo "$out" | grep -q "skipping the unreadable checkpoint $cd0/ckpt/ckpt_00000040.h5: .* is corrupt: the values of /optim/layer_\*/v have checksum"; r3=$?
echo "$out" | grep -q "resuming from $cd0/ckpt/ckpt_00000020.h5"; r4=$?
h5diff --exclude-path /options -q "$tmp/ref/model.h5" "$cd0/model.h5"; ok $((r1 | r2 | r3 | r4 | $?)) "a truncated and a checksum-corrupted checkpoint are skipped with messages; the run resumes from the one before and ends with the same model"

# unwritable checkpoint directories
touch "$tmp/file"
err=$("$knet" train $opts -kn_train_max_iterations 10 -kn_checkpoint_every 5 -kn_run_dir "$tmp/u1" -kn_checkpoint_dir "$tmp/file/ckpt" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "Cannot write checkpoints to $tmp/file/ckpt: Not a directory (choose another with -kn_checkpoint_dir)"; ok $? "an unusable checkpoint directory: a clear error before training, non-zero exit ($rc)"
ro="$tmp/ro"; mkdir -p "$ro"
if mount -t tmpfs -o ro,size=64k tmpfs "$ro" 2> /dev/null; then
  mnt+=("$ro")
  err=$("$knet" train $opts -kn_train_max_iterations 10 -kn_checkpoint_every 5 -kn_run_dir "$tmp/u2" -kn_checkpoint_dir "$ro" 2>&1); rc=$?
  [ $rc -ne 0 ] && echo "$err" | grep -q "Cannot write checkpoints to $ro: Read-only file system"; ok $? "a read-only checkpoint directory: a clear error, non-zero exit ($rc)"
else skip "a read-only checkpoint directory" "cannot mount a tmpfs here (not root)"; fi

# a full disk: the next checkpoint does not fit; clear error, the earlier ones intact and usable
full="$tmp/full"; mkdir -p "$full"
if mount -t tmpfs -o size=90k tmpfs "$full" 2> /dev/null; then
  mnt+=("$full")
  err=$("$knet" train $opts -kn_train_max_iterations 300 -kn_checkpoint_every 20 -kn_run_dir "$tmp/f" -kn_checkpoint_dir "$full" 2>&1); rc=$?
  last=$(ls "$full" | tail -1)
  echo "$err" | grep -q "No space left on device" && echo "$err" | grep -q "training stopped at step .* the last good one, $full/$last"; r1=$?
  [ $rc -eq 1 ] && [ -z "$(ls "$full" | grep tmp)" ]; r2=$?
  mkdir -p "$tmp/f2/ckpt" && cp "$full/$last" "$tmp/f2/ckpt/"
  "$knet" train $opts -kn_train_max_iterations 300 -kn_checkpoint_every 20 -kn_run_dir "$tmp/f2" -kn_resume auto > /dev/null 2>&1; r3=$?
  h5diff --exclude-path /options -q "$tmp/ref/model.h5" "$tmp/f2/model.h5"; ok $((r1 | r2 | r3 | $?)) "a full disk: clear error and exit 1, no .tmp left, the last good checkpoint ($last) resumes to the same model"
else skip "a full checkpoint disk" "cannot mount a small tmpfs here (not root)"; fi

# a solver failure: the error names layer, time and step; nothing overwrites the last good checkpoint
sd="$tmp/solver"
"$knet" train $opts -kn_train_max_iterations 40 -kn_checkpoint_every 20 -kn_run_dir "$sd" > /dev/null 2>&1
sum=$(md5sum "$sd/ckpt/"*.h5)
err=$("$knet" train $opts -kn_train_max_iterations 80 -kn_checkpoint_every 20 -kn_run_dir "$sd" -kn_resume auto -ts_max_reject 0 -ts_rtol 1e-13 -ts_atol 1e-13 -ts_dt 0.1 2>&1); rc=$?
echo "$err" | grep -q "Layer [0-9]*: the time integration failed at t = .* after [0-9]* steps (DIVERGED_STEP_REJECTED)"; r1=$?
echo "$err" | grep -q "training stopped by the error above in epoch 11, batch 1, step 41; nothing was written for it; the last good checkpoint is $sd/ckpt/ckpt_00000040.h5"; r2=$?
[ "$sum" = "$(md5sum "$sd/ckpt/"*.h5)" ]; ok $(( (rc == 0) | r1 | r2 | $? )) "a solver failure stops with the layer, time and step, names the last good checkpoint and leaves the checkpoints untouched"

echo "1..$n"
[ $failed -eq 0 ]
