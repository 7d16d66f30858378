#!/usr/bin/env bash
# knet train's run directories (1 and 2 ranks, tiny nets, a few steps each):
#  - without a config and without options naming the net, task or data, knet train is the quick demo with the
#    options given on top (1800 parameters), and says so; options naming the model build it from the options, and say so
#  - a run directory that holds a run is refused (nothing in it changes) unless -kn_resume or -kn_run_overwrite
#  - a stopped run prints the exact command that continues it; that command (no config, no options repeated) takes
#    the options stored in the checkpoint and ends with the uninterrupted model, bitwise, on 1 and on 2 ranks
#  - on resume options.txt is kept and the options given now take precedence (-kn_train_epochs extends a finished run)
#  - -kn_resume auto of a run that wrote no checkpoints does not start over its model.h5
# TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d /tmp/kn-t921.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
cd "$tmp" || exit 1

# -- what knet train builds without a config
out=$("$knet" train -kn_train_epochs 1 -kn_train_max_iterations 1 -kn_run_dir d1 2>&1); rc=$?
echo "$out" | grep -q "the quick demo (configs/quick-demo.yaml) with -kn_train_epochs 1 -kn_train_max_iterations 1 -kn_run_dir d1 on top" &&
  echo "$out" | grep -q "KNNet: 2 layers, 1800 parameters" && echo "$out" | grep -q "KNTrainer: 1 epochs, batch 512" && [ -f d1/model.h5 ]
ok $((rc | $?)) "knet train -kn_train_epochs 1 (no config) trains the quick demo's 1800-parameter flow for 1 epoch and says so"
out=$("$knet" train -kn_task_type regression -kn_data friedman1 -kn_data_size 64 -kn_topology_num_node 8 -kn_train_batch_size 32 -kn_train_epochs 1 -kn_run_dir m1 2>&1); rc=$?
echo "$out" | grep -q "no -options_file: the net, task and data come from the options given and knet.s defaults" && ! echo "$out" | grep -q "quick demo (configs" && [ -f m1/model.h5 ]
ok $((rc | $?)) "options naming the task and data (no config): built from them, and knet train says so"

# -- an occupied run directory
cp d1/model.h5 d1.model && cp d1/metrics.csv d1.metrics
err=$("$knet" train -kn_train_epochs 1 -kn_train_max_iterations 1 -kn_run_dir d1 -kn_seed 7 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "d1 already holds a run (model.h5; metrics.csv with 1 epoch(s)): continue it with -kn_resume auto, start it again with -kn_run_overwrite" &&
  cmp -s d1.model d1/model.h5 && cmp -s d1.metrics d1/metrics.csv && ! echo "$err" | grep -q "^epoch"
ok $? "a second run into d1 stops before training ($(echo "$err" | grep -o 'already holds a run ([^)]*)')), d1 unchanged"
out=$("$knet" train -kn_train_epochs 1 -kn_train_max_iterations 1 -kn_run_dir d1 -kn_seed 7 -kn_run_overwrite 2>&1); rc=$?
echo "$out" | grep -q -- "-kn_run_overwrite: d1 held an earlier run" && ! cmp -s d1.model d1/model.h5
ok $((rc | $?)) "-kn_run_overwrite starts again in d1 (a new model.h5)"

cat > tiny.yaml <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 256
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [2, 2]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 128, epochs: 12, monitor: 0}
ts: {type: rk, rk_type: 4, dt: 0.1, adapt_type: none}
YAML
"$knet" train -options_file tiny.yaml -kn_run_dir ref1 -kn_checkpoint_every 5 > /dev/null 2>&1 || echo "# the 1-rank reference failed"
mpiexec -n 2 "$knet" train -options_file tiny.yaml -kn_run_dir ref2 > /dev/null 2>&1 || echo "# the 2-rank reference failed"
err=$("$knet" train -options_file tiny.yaml -kn_run_dir ref1 -kn_resume "" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "ref1 already holds a run (3 checkpoint(s) of an earlier run, newest ref1/ckpt/ckpt_00000024.h5; model.h5; metrics.csv with 12 epoch(s))"
ok $? "a run into a directory with checkpoints is refused and lists them"

# -- stop, the printed command, resume with the stored options (-kn_max_walltime 0.001: always stops after step 1)
resume_case() { # dir, launcher words...
  local d=$1 out cmd rc r
  shift
  out=$("$@" "$knet" train -options_file tiny.yaml -kn_run_dir "$d" -kn_checkpoint_every 5 -kn_max_walltime 0.001 2>&1); rc=$?
  cmd=$(echo "$out" | sed -n 's/^knet train: to continue (on any number of ranks): //p')
  echo "# stopped with $rc; printed: $cmd"
  [ $rc -eq 85 ] && [ "$cmd" = "${*:+$* }$knet train -kn_run_dir $d -kn_resume auto" ] || return 1
  cp "$d/options.txt" "$d.options"
  out=$(eval "$cmd" 2>&1); r=$?
  echo "$out" | grep -q "the run.s options are those stored in $d/ckpt/ckpt_00000001.h5" || { echo "# $(echo "$out" | tail -2)"; return 1; }
  return $r
}
resume_case s1; r=$?
h5diff --exclude-path /options -q ref1/model.h5 s1/model.h5; ok $((r | $?)) "1 rank: exit 85 and the exact command 'knet train -kn_run_dir s1 -kn_resume auto', which continues with the stored options to the uninterrupted model (h5diff)"
cmp -s s1.options s1/options.txt && grep -q -- "-kn_max_walltime 0.001" s1/options.txt && ! grep -q -- "-kn_resume" s1/options.txt
ok $? "on resume options.txt is kept (the table the run was started with)"
resume_case s2 mpiexec -n 2; r=$?
h5diff --exclude-path /options -q ref2/model.h5 s2/model.h5; ok $((r | $?)) "2 ranks: the printed 'mpiexec -n 2 knet train -kn_run_dir s2 -kn_resume auto' ends with the uninterrupted 2-rank model (h5diff)"

out=$("$knet" train -kn_run_dir s1 -kn_resume auto -kn_train_epochs 15 2>&1); rc=$?
rows=$(tail -n +2 s1/metrics.csv | grep -c '^[0-9]')
[ "$rows" -eq 15 ] && cmp -s s1.options s1/options.txt
ok $((rc | $?)) "options given on resume take precedence: -kn_train_epochs 15 extends the finished 12-epoch run (metrics.csv has $rows rows)"

# -kn_resume auto of a finished run that wrote no checkpoints would start from scratch over its model: refused
cp m1/model.h5 m1.model
err=$("$knet" train -kn_run_dir m1 -kn_resume auto 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "the run's options are those stored in m1/options.txt" &&
  echo "$err" | grep -q "m1 holds a model.h5 but no checkpoint in m1/ckpt to continue from" && cmp -s m1.model m1/model.h5
ok $? "-kn_resume auto of a run without checkpoints (its options from options.txt) refuses to start over its model.h5"

echo "1..$n"
[ $failed -eq 0 ]
