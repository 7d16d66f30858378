#!/usr/bin/env bash
# knet train checkpoints from the command line: N steps straight = N/2 + checkpoint + -kn_resume auto, bitwise (h5diff
# of model.h5) on 1 and 2 ranks; 2 -> 1 ranks equal to rounding; a checkpoint is readable by h5py with the documented
# groups; a fresh run refuses a directory with checkpoints of another run; -help lists the options. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
py=/usr/bin/python3

cat > "$tmp/flow.yaml" <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 512
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [3, 3]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 128, epochs: 5, monitor: 0, schedule: cosinelr_5_1e-4}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-4, atol: 1.0e-4, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
# 8 nodes per layer: 2 ranks make 2 data groups (the default for small layers); the groups take the adaptive steps of
# the whole batch (TSAdapt kngroups), so 1 and 2 ranks differ by rounding
reg="-kn_task_type regression -kn_data friedman1 -kn_data_size 256 -kn_layers 2 -kn_topology_num_node 8 -kn_device_type shift_relu1
     -kn_train_batch_size 64 -kn_optim_lr 1e-2 -kn_train_epochs 4 -kn_train_monitor 0
     -ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6"

# 1 rank: 20 steps straight vs 7 + checkpoint + resume (inside an epoch of 4 batches)
"$knet" train -options_file "$tmp/flow.yaml" -kn_run_dir "$tmp/a1" > /dev/null 2>&1; r1=$?
"$knet" train -options_file "$tmp/flow.yaml" -kn_run_dir "$tmp/b1" -kn_train_max_iterations 7 -kn_checkpoint_every 7 > /dev/null 2>&1; r2=$?
out=$("$knet" train -options_file "$tmp/flow.yaml" -kn_run_dir "$tmp/b1" -kn_resume auto -kn_train_monitor 1 2>&1); r3=$?
echo "$out" | grep -q "resuming from $tmp/b1/ckpt/ckpt_00000007.h5: epoch 2, batch 3 done, step 7"; r4=$?
h5diff --exclude-path /options -q "$tmp/a1/model.h5" "$tmp/b1/model.h5"; ok $((r1 | r2 | r3 | r4 | $?)) "1 rank: 20 steps straight and 7 + checkpoint + -kn_resume auto give the same model.h5 (h5diff)"
cmp -s <(cut -d, -f1-4 "$tmp/a1/metrics.csv") <(cut -d, -f1-4 "$tmp/b1/metrics.csv"); ok $? "metrics.csv of the resumed run has the straight run's rows (epoch, loss, lr, test metric)"

# the checkpoint as h5py sees it
$py - "$tmp/b1/ckpt/ckpt_00000007.h5" > "$tmp/h5py.txt" 2>&1 <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format"] == "kirchhoffnet-checkpoint" and f.attrs["format_version"] == 1 and f.attrs["step"] == 7
assert f["model"].attrs["format"] == "kirchhoffnet-model" and f["model/layer_000/theta"].shape == (36, 3)
assert f["optim"].attrs["type"] == "adamw" and f["optim"].attrs["step"] == 7
assert f["optim/layer_001/m"].shape == (36, 3) and f["optim/layer_001/v"].shape == (36, 3)
t = f["train"].attrs
assert (t["epoch"], t["batch"], t["global_step"], t["rng_seed"], t["rng_draw_counter"]) == (1, 3, 7, 42, 7 * 128)
assert isinstance(f["config"].attrs["options"], str) and "-kn_topology_repeat 3,3" in f["config"].attrs["options"]
assert f["meta"].attrs["mpi_size"] == 1
print("ok")
PY
grep -qx ok "$tmp/h5py.txt"; ok $? "h5py reads the checkpoint: /model (model layout), /optim (adamw, step, m and v [E, rows]), /train (position, RNG counters), /config (options as str), /meta"

# 2 ranks: the same, bitwise
mpiexec -n 2 "$knet" train $reg -kn_run_dir "$tmp/a2" > /dev/null 2>&1; r1=$?
mpiexec -n 2 "$knet" train $reg -kn_run_dir "$tmp/b2" -kn_train_max_iterations 5 -kn_checkpoint_every 5 > /dev/null 2>&1; r2=$?
mpiexec -n 2 "$knet" train $reg -kn_run_dir "$tmp/b2" -kn_resume auto > /dev/null 2>&1; r3=$?
h5diff --exclude-path /options -q "$tmp/a2/model.h5" "$tmp/b2/model.h5"; ok $((r1 | r2 | r3 | $?)) "2 ranks: 12 steps straight and 5 + checkpoint + resume give the same model.h5 (h5diff)"

# 2 -> 1 ranks: the 2-rank checkpoint continued on 1 rank equals the 2-rank run to rounding
mkdir -p "$tmp/c1/ckpt" && cp "$tmp/b2/ckpt/ckpt_00000005.h5" "$tmp/c1/ckpt/"
"$knet" train $reg -kn_run_dir "$tmp/c1" -kn_resume auto > /dev/null 2>&1; r1=$?
h5diff --exclude-path /options --relative=1e-6 "$tmp/a2/model.h5" "$tmp/c1/model.h5" > /dev/null; ok $((r1 | $?)) "a 2-rank checkpoint resumed on 1 rank ends equal to rounding (h5diff --exclude-path /options --relative=1e-6)"
"$knet" train $reg -kn_run_dir "$tmp/a1r" > /dev/null 2>&1
h5diff --exclude-path /options -q "$tmp/a1r/model.h5" "$tmp/a2/model.h5"; [ $? -eq 1 ]; ok $? "(1 and 2 ranks do differ in the last bits for this net, so the 2 -> 1 check is not vacuous)"

err=$("$knet" train -options_file "$tmp/flow.yaml" -kn_run_dir "$tmp/b1" -kn_checkpoint_every 5 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "already holds .* checkpoint(s) of an earlier run" && echo "$err" | grep -q -- "-kn_resume auto"; ok $? "a run without -kn_resume refuses a checkpoint directory of another run and names -kn_resume auto"

"$knet" train -options_file "$tmp/flow.yaml" -kn_run_dir "$tmp/b1" -kn_resume auto -kn_train_monitor 1 > "$tmp/again.log" 2>&1; r1=$?
grep -q "step 20" "$tmp/again.log" && h5diff --exclude-path /options -q "$tmp/a1/model.h5" "$tmp/b1/model.h5"; ok $((r1 | $?)) "resuming a finished run is harmless: it loads the final checkpoint and writes the same model.h5"

# -kn_resume FILE without -kn_run_dir continues in the run directory stored in the checkpoint (attribute run_dir)
mv "$tmp/b1" "$tmp/b1.orig" && cp "$tmp/b1.orig/ckpt/ckpt_00000007.h5" "$tmp/x7.h5"
"$knet" train -options_file "$tmp/flow.yaml" -kn_resume "$tmp/x7.h5" > /dev/null 2>&1; r1=$?
h5diff --exclude-path /options -q "$tmp/a1/model.h5" "$tmp/b1/model.h5"; ok $((r1 | $?)) "-kn_resume FILE without -kn_run_dir goes on in the run directory the checkpoint names, to the same model"

out=$("$knet" train -help 2>&1)
for o in -kn_checkpoint_every -kn_checkpoint_seconds -kn_checkpoint_keep -kn_checkpoint_dir -kn_checkpoint_signals -kn_resume -kn_max_walltime; do
  echo "$out" | grep -q -- "$o" || { echo "# -help lacks $o"; false; } || break
done; ok $? "knet train -help lists the checkpoint and long-run options"

echo "1..$n"
[ $failed -eq 0 ]
