#!/usr/bin/env bash
# knet train / sample / eval -kn_task_type: a tiny config writes the run directory; samples and metrics come back; bad
# input fails with a message. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
pub="$KN_PUBLISHED_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

cat > "$tmp/tiny.yaml" <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 512
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [3, 3]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 256, epochs: 3}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-4, atol: 1.0e-4, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
out=$("$knet" train -options_file "$tmp/tiny.yaml" -kn_run_dir "$tmp/run" 2>&1); rc=$?
[ -f "$tmp/run/model.h5" ] && [ -f "$tmp/run/options.txt" ] && [ -f "$tmp/run/metrics.csv" ]; ok $(( rc | $? )) "knet train -options_file writes model.h5, metrics.csv and options.txt"
head -1 "$tmp/run/metrics.csv" | grep -qx 'epoch,loss,lr,test_metric,rhs_evals,seconds'; ok $? "metrics.csv has the header epoch,loss,lr,test_metric,rhs_evals,seconds"
rows=$(tail -n +2 "$tmp/run/metrics.csv" | grep -c '^[0-9]'); [ "$rows" -eq 3 ]; ok $? "metrics.csv has one row per epoch ($rows)"
grep -q -- '-kn_topology_repeat 3,3' "$tmp/run/options.txt" && grep -q -- '-kn_train_epochs 3' "$tmp/run/options.txt"; ok $? "options.txt holds the effective option table (YAML keys as options)"
echo "$out" | grep -q '^epoch 3/3  loss' && echo "$out" | grep -q 'ETA'; ok $? "a progress line per epoch with loss and ETA"
echo "$out" | grep -q 'adjoint: 2 of 2 layers also keep their law values'; ok $? "the set-up view says that the tanh layers keep their law values for the adjoint"
out2=$("$knet" train -options_file "$tmp/tiny.yaml" -kn_train_epochs 1 -kn_adjoint_keep_law false -kn_run_dir "$tmp/run-nokeep" 2>&1)
echo "$out2" | grep -q 'adjoint: 0 of 2 layers also keep'; ok $? "-kn_adjoint_keep_law false: no layer keeps them"

"$knet" sample "$tmp/run/model.h5" -kn_samples 37 -kn_output "$tmp/s.csv" > /dev/null 2>&1; rc=$?
lines=$(wc -l < "$tmp/s.csv"); head -1 "$tmp/s.csv" | grep -qx 'v1,v2,logq'; ok $(( rc | $? | (lines != 38) )) "knet sample writes a header and N = 37 rows ($((lines - 1)))"

out=$("$knet" eval "$tmp/run/model.h5" -kn_task_type generation -kn_data twomoon -kn_data_size 300 2>&1); rc=$?
echo "$out" | grep -q 'nll [0-9]'; ok $(( rc | $? )) "knet eval -kn_task_type generation prints the NLL of the trained model"

out=$("$knet" eval "$pub/twomoon.h5" -kn_task_type generation -kn_data twomoon -kn_data_size 1000 2>&1); rc=$?
nll=$(echo "$out" | sed -n 's/.*nll \([0-9.]*\).*/\1/p')
awk -v x="$nll" 'BEGIN { exit !(x > 0.93 && x < 1.19) }'; ok $(( rc | $? )) "knet eval of the published twomoon weights: NLL $nll (re-evaluation 1.06)"

err=$("$knet" train -options_file "$tmp/tiny.yaml" -kn_run_dir "$tmp/run2" -kn_train_bogus 1 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "kn_train_bogus"; ok $? "an unknown option makes knet train fail, naming it"

err=$("$knet" train -kn_task_type density -kn_task_potential potential9 -kn_run_dir "$tmp/run3" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "potential9"; ok $? "an unknown potential is an error naming it"

err=$("$knet" train -kn_task_type generation -kn_topology_num_node 5 -kn_run_dir "$tmp/run4" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "num_node 3"; ok $? "a flow whose nodes do not match the data dimension fails with the fix"

err=$("$knet" train -kn_train_check_gradient 3 -kn_train_check_gradient_h 0 -kn_run_dir "$tmp/run5" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "kn_train_check_gradient_h" && [ ! -e "$tmp/run5" ]; ok $? "a zero finite-difference step is an error naming the option, before a run directory is made"

out=$("$knet" train -options_file "$tmp/tiny.yaml" -kn_run_dir "$tmp/run6" -kn_train_epochs 1 -kn_train_check_gradient 4 -ts_adapt_type none -ts_dt 0.05 2>&1); rc=$?
err=$(echo "$out" | sed -n 's/.*relative to max |gradient| [0-9.e+-]*: \([0-9.e+-]*\).*/\1/p')
[ $rc -eq 0 ] && awk -v x="$err" 'BEGIN { exit !(x != "" && x < 1e-6) }'; ok $? "-kn_train_check_gradient prints the adjoint-vs-FD error of the first batch ($err relative, fixed steps)"

out=$("$knet" train -help 2>&1)
for o in -kn_train_check_gradient -kn_task_density_anneal -kn_data_groups -kn_task_type -kn_train_epochs -kn_train_schedule -kn_data -kn_layers -kn_t_end -kn_topology_type -kn_device_type -kn_init -kn_optim_lr -ts_type; do
  echo "$out" | grep -q -- "$o" || { echo "# -help lacks $o"; false; } || break
done; ok $? "knet train -help lists the trainer, task, data, net, topology, device, optimizer and solver options"

echo "1..$n"
[ $failed -eq 0 ]
