#!/usr/bin/env bash
# -ts_max_steps below what a layer needs: knet eval and knet train stop with an error naming the layer, the time
# reached and the steps, and a non-zero exit (they used to exit 0 with the state of the wrong time). TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

opts="-kn_task_type regression -kn_data friedman1 -kn_data_size 64 -kn_t_end 0,0.5,1 -kn_topology_type fc -kn_topology_num_node 12 -kn_device_type shift_tanh2 -kn_train_batch_size 32 -kn_train_monitor 0 -ts_adapt_type none -ts_dt 0.05"
"$knet" train $opts -kn_train_max_iterations 2 -kn_run_dir "$tmp/run" > "$tmp/train0.log" 2>&1
ok $? "a reference training with fixed steps (10 per layer) succeeds"
printf '0.1,0.2,0.3,0.4,0.5\n0.5,0.4,0.3,0.2,0.1\n' > "$tmp/x.csv"
"$knet" eval "$tmp/run/model.h5" -kn_input "$tmp/x.csv" -kn_output "$tmp/v.csv" -ts_adapt_type none -ts_dt 0.05 > /dev/null 2>&1
ok $? "knet eval with the layers' 10 steps succeeds"

for ranks in 1 2; do
  launch=(); [ $ranks -gt 1 ] && launch=(mpiexec -n $ranks)
  err=$("${launch[@]}" "$knet" eval "$tmp/run/model.h5" -kn_input "$tmp/x.csv" -kn_output "$tmp/w$ranks.csv" -ts_adapt_type none -ts_dt 0.05 -ts_max_steps 3 2>&1); rc=$?
  echo "$err" | grep -q "Layer 0: the time integration stopped at t = 0.15 of 0.5 after 3 steps: the step limit -ts_max_steps 3"; r=$?
  [ $rc -ne 0 ] && [ $r -eq 0 ] && [ ! -s "$tmp/w$ranks.csv" ]; ok $? "$ranks rank(s): knet eval -ts_max_steps 3: non-zero exit ($rc), the error names layer 0, t = 0.15 of 0.5 and 3 steps, no output"
  err=$("${launch[@]}" "$knet" train $opts -kn_train_max_iterations 2 -kn_run_dir "$tmp/r$ranks" -ts_max_steps 3 2>&1); rc=$?
  echo "$err" | grep -q "Layer 0: the time integration stopped at t = 0.15 of 0.5 after 3 steps"; r=$?
  [ $rc -ne 0 ] && [ $r -eq 0 ] && [ ! -e "$tmp/r$ranks/model.h5" ]; ok $? "$ranks rank(s): knet train -ts_max_steps 3: non-zero exit ($rc), the same error, no model written"
done
echo "1..$n"
[ $failed -eq 0 ]
