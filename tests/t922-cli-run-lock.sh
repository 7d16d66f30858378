#!/usr/bin/env bash
# One writer per run directory: while a training runs in RUN, a second knet train into RUN (resuming it, or with
# -kn_run_overwrite; 1 and 2 ranks) stops at once with one line naming RUN and the writer, and touches nothing; the
# first run goes on; once it has stopped (SIGTERM: checkpoint, 85) RUN is free and the run continues. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d /tmp/kn-t922.XXXXXX)
trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
n=0 failed=0 pid=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
cd "$tmp" || exit 1
cat > tiny.yaml <<'YAML'
kn:
  task_type: regression
  data: friedman1
  data_size: 64
  layers: 1
  layer_T: 1.0
  topology: {type: fc, num_node: 6, repeat: [1, 1]}
  device_type: relu_diff
  train: {batch_size: 16, epochs: 100000000}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-3, atol: 1.0e-3}
YAML
"$knet" train -options_file tiny.yaml -kn_run_dir run -kn_checkpoint_every 50 > first.log 2>&1 &
pid=$!
for _ in $(seq 1 3000); do compgen -G "run/ckpt/ckpt_*.h5" > /dev/null && break; sleep 0.1; done # under way, on any machine
snapshot() { md5sum run/options.txt run/.knet.lock; } # the first run keeps writing checkpoints and metrics
before=$(snapshot)
for ranks in 1 2; do
  launch=(); [ $ranks -gt 1 ] && launch=(mpiexec -n $ranks)
  err=$(timeout 300 "${launch[@]}" "$knet" train -kn_run_dir run -kn_resume auto -kn_train_max_iterations 1 2>&1); rc=$?
  lines=$(echo "$err" | grep -c "run is in use: another knet train (process $pid) is writing it")
  [ $rc -ne 0 ] && [ "$lines" -eq 1 ] && ! echo "$err" | grep -q "^epoch" && [ "$(snapshot)" = "$before" ] && kill -0 $pid
  ok $? "$ranks rank(s), -kn_resume auto into a run directory in use: one line naming it and the writer, exit $rc, nothing changed, the first run goes on"
done
err=$(timeout 300 "$knet" train -options_file tiny.yaml -kn_run_dir run -kn_run_overwrite -kn_train_max_iterations 1 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "run is in use" && compgen -G "run/ckpt/ckpt_*.h5" > /dev/null && kill -0 $pid
ok $? "-kn_run_overwrite does not take a run directory in use either (its checkpoints are still there)"
kill -TERM $pid; wait $pid; rc1=$?
timeout 300 "$knet" train -kn_run_dir run -kn_resume auto -kn_train_max_iterations 1 > second.log 2>&1; rc2=$?
[ $rc1 -eq 85 ] && { [ $rc2 -eq 0 ] || [ $rc2 -eq 85 ]; } && ! grep -q "in use" second.log
ok $? "after the first run stopped (exit $rc1), the directory is free: the run continues (exit $rc2)"
echo "1..$n"
exit $((failed > 0))
