#!/usr/bin/env bash
# Trajectories: knet sample / knet eval -kn_trajectory FILE.h5 write v(t) per layer, read back by h5py with the right
# shapes, t[0] = 0 and t[-1] = T, final values equal to the command's outputs; given times across batches (dense
# output); 2 ranks write the same file; tools/plot_trajectory.py draws PNGs. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
pub="$KN_PUBLISHED_DIR"
plot="$KN_SOURCE_ROOT/tools/plot_trajectory.py"
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# check FILE LAYERS NSAMPLES NNODES [CSV NCOLS]: shapes, t[0] = 0, t[-1] = T, increasing t; the last layer's final
# v equals the first NCOLS columns of CSV (samples in order)
check() {
  $py - "$@" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
D, ns, nn = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
assert f.attrs["format"] == "kirchhoffnet-trajectory" and f.attrs["layers"] == D, dict(f.attrs)
assert f["samples"].shape == (ns,)
last = None
for i in range(D):
    g = f["layer_%03d" % i]
    t, v = g["t"][:], g["v"][:]
    assert t.ndim == 1 and v.shape == (t.size, ns, nn), (t.shape, v.shape)
    assert g["nodes"].shape == (nn,)
    assert t[0] == 0.0 and abs(t[-1] - g.attrs["T"]) < 1e-12 and np.all(np.diff(t) > 0), t
    assert np.all(np.isfinite(v))
    if g.attrs["sweep_position"] == D - 1:
        last = v[-1]
if len(sys.argv) > 5:
    x = np.loadtxt(sys.argv[5], delimiter=",", skiprows=1, ndmin=2)[:, : int(sys.argv[6])]
    err = np.abs(last - x[f["samples"][:]]).max()
    assert err < 1e-9, err
print("ok")
PY
}

"$knet" sample "$pub/twomoon.h5" -kn_samples 20 -kn_batch_size 20 -kn_output "$tmp/s.csv" -kn_trajectory "$tmp/steps.h5" -kn_trajectory_samples 0-5 > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && check "$tmp/steps.h5" 2 5 2 "$tmp/s.csv" 2 | grep -qx ok; ok $? "knet sample -kn_trajectory (accepted steps): /layer_NNN/t [nt], v [nt, 5, 2]; t[0] = 0, t[-1] = T; final v = the samples"

"$knet" sample "$pub/twomoon.h5" -kn_samples 300 -kn_batch_size 128 -kn_output "$tmp/s3.csv" -kn_trajectory "$tmp/times.h5" -kn_trajectory_samples 0-300 -kn_trajectory_times 0,0.1,0.25,0.5 > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && check "$tmp/times.h5" 2 300 2 "$tmp/s3.csv" 2 | grep -qx ok; r1=$?
$py -c "import h5py; f = h5py.File('$tmp/times.h5', 'r'); assert list(f['layer_001/t'][:]) == [0, 0.1, 0.25, 0.5] and f.attrs['times'] == 'given'"; ok $((r1 | $?)) "given times across 3 batches (dense output): t = 0, 0.1, 0.25, 0.5 in every layer, 300 samples, final v = the samples"

err=$("$knet" sample "$pub/twomoon.h5" -kn_samples 300 -kn_batch_size 128 -kn_trajectory "$tmp/bad.h5" -kn_trajectory_samples 100-200 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "needs all trajectory samples in one batch of 128" && echo "$err" | grep -q -- "-kn_trajectory_times"; ok $? "accepted steps with samples from two batches: an error that suggests -kn_trajectory_times"

# knet eval of a trained regression net: chosen nodes, 3 layers, 2 ranks equal to 1 rank
"$knet" train -kn_task_type regression -kn_data friedman1 -kn_data_size 128 -kn_layers 3 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 64 -kn_train_epochs 2 -kn_train_monitor 0 -kn_run_dir "$tmp/reg" > /dev/null 2>&1
$py -c "
import numpy as np
np.savetxt('$tmp/in.csv', np.random.default_rng(1).uniform(size=(10, 5)), delimiter=',', header='a,b,c,d,e', comments='')"
# every node as a column, in circuit units (the model records a 1-node readout and min-max scaling)
"$knet" eval "$tmp/reg/model.h5" -kn_input "$tmp/in.csv" -kn_output "$tmp/out.csv" -kn_trajectory "$tmp/eval.h5" -kn_trajectory_samples 2,3,7 -kn_trajectory_nodes 1,6,7 -kn_readout_last 7 -kn_data_minmax false > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && check "$tmp/eval.h5" 3 3 3 | grep -qx ok; r1=$?
$py -c "
import h5py, numpy as np
f = h5py.File('$tmp/eval.h5', 'r'); x = np.loadtxt('$tmp/out.csv', delimiter=',', skiprows=1)
cols = open('$tmp/out.csv').readline().strip().split(',')
assert list(f['samples'][:]) == [2, 3, 7] and list(f['layer_002/nodes'][:]) == [1, 6, 7]
for k, node in enumerate([1, 6, 7]):
    assert np.abs(f['layer_002/v'][-1][:, k] - x[[2, 3, 7], cols.index('v%d' % node)]).max() < 1e-9"; ok $((r1 | $?)) "knet eval -kn_trajectory with -kn_trajectory_nodes 1,6,7 on samples 2,3,7: 3 layers, the nodes end at the outputs"
mpiexec -n 2 "$knet" eval "$tmp/reg/model.h5" -kn_input "$tmp/in.csv" -kn_output "$tmp/out2.csv" -kn_trajectory "$tmp/eval2.h5" -kn_trajectory_samples 2,3,7 -kn_trajectory_nodes 1,6,7 -kn_readout_last 7 -kn_data_minmax false > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && h5diff --relative=1e-8 "$tmp/eval.h5" "$tmp/eval2.h5" > /dev/null; ok $? "2 ranks (graph split) write the same trajectory to rounding"

if $py -c "import matplotlib" 2> /dev/null; then
  $py "$plot" "$tmp/steps.h5" -o "$tmp/v.png" > /dev/null && $py "$plot" "$tmp/times.h5" --mode stages -o "$tmp/st.png" > /dev/null
  [ -s "$tmp/v.png" ] && [ -s "$tmp/st.png" ] && [ "$(head -c 4 "$tmp/v.png" | tail -c 3)" = PNG ]; ok $? "tools/plot_trajectory.py draws node voltages over time and the flow's stages (Fig. 8) as PNG"
else skip "tools/plot_trajectory.py" "python3-matplotlib is not installed (tools/bootstrap.sh installs it)"; fi

echo "1..$n"
[ $failed -eq 0 ]
