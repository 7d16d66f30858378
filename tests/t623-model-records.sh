#!/usr/bin/env bash
# model.h5 is self-contained (include/kn/knio.h): knet train records the task, readout, min-max scaling, options,
# version and git commit; knet eval / sample / info use them by default, the command line overrides them; files
# without records (published, earlier knet) behave as before; a malformed record is an error naming it. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
py=/usr/bin/python3
check="$KN_SOURCE_ROOT/tests/check_model_h5py.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
mpi2() { OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec -n 2 "$@"; }

# -- regression on CSV files with raw units far from [0, 1]: the trainer min-max scales features and targets
$py - <<'PY'
import numpy as np
rng = np.random.default_rng(7)
for name, n in (("train", 240), ("test", 60)):
    X = rng.uniform(0, 1, (n, 5)) * np.array([1, 2, 3, 1, 4]) + np.array([0, 1, -1, 5, 0])
    y = 100 + 10 * np.sin(np.pi * X[:, 0] * X[:, 1] / 2) + 20 * (X[:, 2] / 3) ** 2 + 10 * X[:, 3] / 6 + 5 * X[:, 4] / 4
    np.savetxt(name + ".csv", np.column_stack([X, y]), delimiter=",", header="a,b,c,d,e,y", comments="")
    np.savetxt(name + "_x.csv", X, delimiter=",", header="a,b,c,d,e", comments="")
PY
cat > reg.yaml <<'YAML'
kn:
  task_type: regression
  data: csv
  data_file: train.csv
  data_test_file: test.csv
  layers: 1
  layer_T: 1.0
  topology: {type: fc, num_node: 12, repeat: [1, 1]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 100, epochs: 3}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-5, atol: 1.0e-5, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
out=$("$knet" train -options_file reg.yaml -kn_run_dir reg 2>&1); rc=$?
mse=$(echo "$out" | sed -n 's/^knet train: .*test mse \([0-9.e+-]*\).*/\1/p')
[ $rc -eq 0 ] && [ -n "$mse" ]; ok $? "knet train writes a regression model (test mse $mse, scaled units)"

recs=$($py "$check" --records reg/model.h5); rc=$?
echo "$recs" | grep -qx "task: regression" && echo "$recs" | grep -qx "readout: 11" && echo "$recs" | grep -qx "scaling feature: 5 columns" \
  && echo "$recs" | grep -qx "scaling target: 1 columns" && echo "$recs" | grep -qx "knet_version: $KN_PROJECT_VERSION"
ok $(( rc | $? )) "h5py reads the records back: task, readout, feature and target scaling, version, options (fixed-length strings)"
$py -c "
import h5py, sys
o = [s.decode() for s in h5py.File('reg/model.h5', 'r')['options'][...]]
t = [l.strip() for l in open('reg/options.txt') if l.startswith('-')]
sys.exit(0 if o == t and '-kn_train_epochs 3' in o else 1)"; ok $? "the options record holds the lines of options.txt"
git=$($py -c "import h5py; print(h5py.File('reg/model.h5', 'r').attrs['knet_git'].decode())")
if top=$(git -C "$KN_SOURCE_ROOT" rev-parse --show-toplevel 2> /dev/null) && [ "$top" = "$(cd "$KN_SOURCE_ROOT" && pwd -P)" ]; then
  head=$(git -C "$KN_SOURCE_ROOT" rev-parse --short=12 HEAD); case "$git" in "$head"*) r=0 ;; *) r=1 ;; esac
  ok $r "knet_git is the source tree's commit ($git; HEAD $head)"
else
  [ "$git" = unknown ]; ok $? "outside a git checkout knet_git is 'unknown' ($git)"
fi

# eval on raw inputs: outputs in the targets' units, equal to the trainer's own test predictions (its test mse)
out=$("$knet" eval reg/model.h5 -kn_input test_x.csv -kn_output pred.csv 2>&1); rc=$?
echo "$out" | grep -q "inputs scaled, outputs un-scaled" && echo "$out" | grep -q "readout the last node (v11), as stored" \
  && echo "$out" | grep -q "options stored in reg/model.h5 .*-ts_rtol 1.0e-5"
ok $(( rc | $? )) "knet eval says which stored settings it applied (scaling, readout, solver options)"
$py - "$mse" <<'PY'; ok $? "eval on raw inputs: outputs in raw units (about 100), whose scaled mse equals the trainer's test mse"
import sys, h5py, numpy as np
s = h5py.File("reg/model.h5", "r")["scaling"]
lo, hi = s["target_min"][0], s["target_max"][0]
p = np.loadtxt("pred.csv", delimiter=",", skiprows=1)
t = np.loadtxt("test.csv", delimiter=",", skiprows=1)[:, -1]
mse = np.mean(((p - t) / (hi - lo)) ** 2)
print("# eval mse %.7g, trainer %s; predictions %.4g..%.4g" % (mse, sys.argv[1], p.min(), p.max()))
sys.exit(0 if abs(mse - float(sys.argv[1])) <= 1e-5 * float(sys.argv[1]) + 1e-9 and 80 < p.mean() < 130 else 1)
PY
mpi2 "$knet" eval reg/model.h5 -kn_input test_x.csv -kn_output pred2.csv > /dev/null 2>&1; rc=$?
$py -c "
import numpy as np, sys
a, b = (np.loadtxt(f, delimiter=',', skiprows=1) for f in ('pred.csv', 'pred2.csv'))
sys.exit(0 if np.allclose(a, b, rtol=1e-10, atol=0) else 1)"; ok $(( rc | $? )) "2 ranks: the same raw-unit predictions"
out=$("$knet" eval reg/model.h5 2>&1); rc=$?
m2=$(echo "$out" | sed -n 's/^knet eval: regression on 60 samples.*: mse \([0-9.e+-]*\).*/\1/p')
echo "$out" | grep -q "task regression, as stored" && awk -v a="$m2" -v b="$mse" 'BEGIN { d = a - b; exit !(a != "" && d * d <= 1e-12 * 1.0001) }'; ok $(( rc | $? )) "knet eval MODEL alone: the stored task, data options and scaling give the trainer's test mse ($m2 vs $mse, printed to 6 digits)"
"$knet" eval reg/model.h5 -kn_input test_x.csv -kn_data_minmax false -kn_output raw.csv > /dev/null 2>&1; rc=$?
$py -c "
import numpy as np, sys
a, b = (np.loadtxt(f, delimiter=',', skiprows=1) for f in ('pred.csv', 'raw.csv'))
sys.exit(0 if abs(a.mean() - b.mean()) > 10 else 1)"; ok $(( rc | $? )) "-kn_data_minmax false overrides the stored scaling (values as the net sees them)"
err=$("$knet" eval reg/model.h5 -kn_input pred.csv 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "pred.csv has 1 columns but the model's stored min-max scaling is for 5 features"; ok $? "inputs with the wrong number of columns are an error naming the file and the stored scaling"

# -- old-format files: no records, eval as before (all nodes, no scaling); a missing record falls back
cp reg/model.h5 old.h5
$py -c "
import h5py
f = h5py.File('old.h5', 'a')
for k in ('readout', 'scaling', 'options'): del f[k]
for k in ('task', 'knet_version', 'knet_git'): del f.attrs[k]"
ts="-ts_type rk -ts_rk_type 5dp -ts_rtol 1.0e-5 -ts_atol 1.0e-5 -ts_dt 1.0e-3 -ts_adapt_dt_min 1.0e-6" # the config's, which old.h5 no longer records
out=$("$knet" eval old.h5 -kn_input test_x.csv -kn_output old.csv $ts 2>&1); rc=$?
cols=$(head -1 old.csv | tr ',' '\n' | wc -l)
! echo "$out" | grep -q "stored" && [ "$cols" -eq 11 ]; ok $(( rc | $? )) "a file without records loads; eval reads out all 11 nodes and applies no scaling, as before"
$py -c "
import numpy as np, sys
a = np.loadtxt('old.csv', delimiter=',', skiprows=1)[:, -1]; b = np.loadtxt('raw.csv', delimiter=',', skiprows=1)
sys.exit(0 if np.array_equal(a, b) else 1)"; ok $? "its last column (with the config's solver options) equals the eval of the full file with -kn_data_minmax false"
out=$("$knet" info old.h5 2>&1); rc=$?
echo "$out" | grep -q "no records (a file of an earlier knet"; ok $(( rc | $? )) "knet info on a file without records says so"
out=$("$knet" info reg/model.h5 2>&1); rc=$?
echo "$out" | grep -q "task: regression" && echo "$out" | grep -q "readout: the last node (v11)" && echo "$out" | grep -q "scaling: min-max of 5 features and 1 target" && echo "$out" | grep -q -- "  -kn_train_epochs 3"
ok $(( rc | $? )) "knet info prints the task, readout, scaling and options"
out=$("$knet" info "$KN_PUBLISHED_DIR/twomoon.h5" 2>&1); rc=$?
echo "$out" | grep -q "no records"; ok $(( rc | $? )) "the published weights load and have no records"

# -- a corrupted record is an error naming it
cp reg/model.h5 bad1.h5
$py -c "
import h5py, numpy as np
g = h5py.File('bad1.h5', 'a')['scaling']; del g['feature_max']; g['feature_max'] = np.ones(4)"
err=$("$knet" eval bad1.h5 -kn_input test_x.csv 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "bad1.h5, group scaling: record feature_min has 5 values but feature_max has 4"; ok $? "scaling arrays of different lengths: an error naming the file and the record"
cp reg/model.h5 bad2.h5
$py -c "
import h5py
f = h5py.File('bad2.h5', 'a'); del f.attrs['task']; f.attrs['task'] = 'regression'"
err=$("$knet" eval bad2.h5 -kn_input test_x.csv 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "attribute 'task' must be a fixed-length string"; ok $? "a variable-length string record is refused (HDF5 1.10's vlen reader can hang on hostile files)"
cp reg/model.h5 bad3.h5
$py -c "
import h5py, numpy as np
f = h5py.File('bad3.h5', 'a'); del f['readout']; f['readout'] = np.array([12], dtype=np.int64)"
err=$("$knet" eval bad3.h5 -kn_input test_x.csv 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "record readout names a node outside the final layer's 1..11"; ok $? "a readout outside the last layer is an error naming the record"

# -- classification: the stored readout replaces -kn_readout_last
cat > cls.yaml <<'YAML'
kn:
  task_type: classification
  data: twomoon
  data_size: 256
  layers: 1
  layer_T: 1.0
  topology: {type: fc, num_node: 6, repeat: [1, 1]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 128, epochs: 2}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-4, atol: 1.0e-4, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
"$knet" train -options_file cls.yaml -kn_run_dir cls > /dev/null 2>&1; rc=$?
printf 'x,y\n0.1,0.2\n1.5,-0.3\n-0.7,0.9\n' > pts.csv
"$knet" eval cls/model.h5 -kn_input pts.csv -kn_output c1.csv > c1.log 2>&1; r1=$?
"$knet" eval cls/model.h5 -kn_input pts.csv -kn_output c2.csv -kn_readout_last 2 > c2.log 2>&1; r2=$?
head -1 c1.csv | grep -qx 'v4,v5' && cmp -s c1.csv c2.csv && grep -q "as stored in the model" c1.log && grep -q "from -kn_readout_last" c2.log
ok $(( rc | r1 | r2 | $? )) "classification: eval without -kn_readout_last gives the 2 logits and the same predictions as with it"
"$knet" eval cls/model.h5 -kn_input pts.csv -kn_output c3.csv -kn_readout_last 3 > /dev/null 2>&1; rc=$?
head -1 c3.csv | grep -qx 'v3,v4,v5'; ok $(( rc | $? )) "an explicit -kn_readout_last overrides the stored readout"
out=$("$knet" eval cls/model.h5 2>&1); rc=$?
echo "$out" | grep -q "task classification, as stored" && echo "$out" | grep -q "classification on 52 samples.*top1"; ok $(( rc | $? )) "knet eval MODEL alone evaluates the stored task on the stored test split"

# -- up-front option checks of info, export-spice, verify-spice; the resume command's launcher
for c in "info cls/model.h5 -kn_hw_scal 2" "export-spice cls/model.h5 -kn_input pts.csv -kn_spice_dir sp -kn_spice_stesp 10" "verify-spice cls/model.h5 -kn_input pts.csv -kn_spice_tl 1"; do
  err=$($knet $c 2>&1 > out.txt); rc=$?
  [ $rc -ne 0 ] && [ "$(echo "$err" | grep -c 'unknown option')" -eq 1 ] && echo "$err" | grep -q "did you mean" && [ ! -s out.txt ] && [ ! -e sp ] || { echo "# $c: $err"; false; }
  ok $? "knet ${c%% *} checks its options before any output: $(echo "$err" | grep -o 'unknown option [^ ]*')"
done
out=$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec -n 1 "$knet" train -options_file cls.yaml -kn_run_dir st -kn_train_epochs 50 -kn_max_walltime 0.001 2>&1); rc=$?
echo "$out" | grep -q "to continue (on any number of ranks): mpiexec -n 1 .*knet train -kn_run_dir st -kn_resume auto"; ok $(( (rc != 85) | $? )) "mpiexec -n 1: the resume command says mpiexec -n 1"
out=$("$knet" train -options_file cls.yaml -kn_run_dir st2 -kn_train_epochs 50 -kn_max_walltime 0.001 2>&1); rc=$?
echo "$out" | grep -q "to continue (on any number of ranks): $knet train -kn_run_dir st2 -kn_resume auto"; ok $(( (rc != 85) | $? )) "a plain 1-rank run: the resume command has no launcher"

echo "1..$n"
[ $failed -eq 0 ]
