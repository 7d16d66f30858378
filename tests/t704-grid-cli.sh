#!/usr/bin/env bash
# knet train -kn_data_groups from the command line: -help documents it; set-up prints the grid it chose; a grid that
# does not fit the ranks is a clear error naming the option; 2 groups x 1 rank and 1 group x 2 ranks give the 1-rank
# model.h5 (fixed steps, h5diff --exclude-path /options --relative=1e-12), written once with one metrics.csv row per epoch; a checkpoint written
# by 2 groups continues on 1 rank and on 1 group x 2 ranks to the same model; adaptive steps (5dp) on 2 groups give the
# 1-rank model too, and a controller that cannot be synchronised (dsp) is refused. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

reg="-kn_task_type regression -kn_data friedman1 -kn_data_size 200 -kn_layers 2 -kn_topology_num_node 8 -kn_device_type shift_relu1
     -kn_train_batch_size 25 -kn_optim_lr 1e-2 -kn_train_epochs 2 -ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05"

"$knet" train -help 2>&1 | grep -q -- "-kn_data_groups"; ok $? "knet train -help documents -kn_data_groups"

err=$(mpiexec -n 4 "$knet" train $reg -kn_data_groups 3 -kn_run_dir "$tmp/bad" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q -- "-kn_data_groups 3 does not fit 4 MPI ranks"; ok $? "4 ranks with -kn_data_groups 3: non-zero exit and an error naming -kn_data_groups"
err=$("$knet" train $reg -kn_data_groups 2 -kn_run_dir "$tmp/bad1" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q -- "-kn_data_groups 2 does not fit 1 MPI rank"; ok $? "1 rank with -kn_data_groups 2: non-zero exit and an error naming -kn_data_groups"

"$knet" train $reg -kn_run_dir "$tmp/r1" > "$tmp/r1.log" 2>&1; r1=$?
mpiexec -n 2 "$knet" train $reg -kn_run_dir "$tmp/g2" > "$tmp/g2.log" 2>&1; r2=$?
grep -q "^knet train: 2 data groups x 1 graph rank (dense or small layers: the batch is split" "$tmp/g2.log"; ok $((r1 | r2 | $?)) "2 ranks, small FC layers: the default splits the batch and says so"
grep "data group" "$tmp/g2.log" | sed 's/^/# /'
h5diff --exclude-path /options --relative=1e-12 "$tmp/r1/model.h5" "$tmp/g2/model.h5" > /dev/null; ok $? "2 groups x 1 rank: model.h5 equals the 1-rank one (h5diff --exclude-path /options --relative=1e-12)"
[ "$(wc -l < "$tmp/g2/metrics.csv")" -eq 3 ] && [ "$(grep -c '^epoch 2/2' "$tmp/g2.log")" -eq 1 ]; ok $? "2 groups: metrics.csv has the header and one row per epoch, progress printed once"
mpiexec -n 2 "$knet" train $reg -kn_data_groups 1 -kn_run_dir "$tmp/g1" > "$tmp/g1.log" 2>&1; r=$?
grep -q "^knet train: 1 data group x 2 graph ranks (as requested" "$tmp/g1.log" && h5diff --exclude-path /options --relative=1e-12 "$tmp/r1/model.h5" "$tmp/g1/model.h5" > /dev/null; ok $((r | $?)) "1 group x 2 ranks: model.h5 equals the 1-rank one"

# adaptive steps (5dp, basic): 2 groups take the steps of the whole batch (TSAdapt kngroups), other controllers are refused
# (batch 24: G must divide the batch, else the groups hold more padding than one net and it enters the error norm)
ada=$(echo "$reg" | sed 's/-ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05/-ts_rk_type 5dp -ts_adapt_type basic -ts_rtol 1e-3 -ts_atol 1e-4/; s/-kn_train_batch_size 25/-kn_train_batch_size 24/')
"$knet" train $ada -kn_run_dir "$tmp/a1" > /dev/null 2>&1; r1=$?
mpiexec -n 2 "$knet" train $ada -kn_data_groups 2 -kn_run_dir "$tmp/a2" > /dev/null 2>&1; r2=$?
h5diff --exclude-path /options --relative=1e-12 "$tmp/a1/model.h5" "$tmp/a2/model.h5" > /dev/null; ok $((r1 | r2 | $?)) "adaptive 5dp, 2 groups x 1 rank: model.h5 equals the 1-rank one (h5diff --exclude-path /options --relative=1e-12)"
err=$(mpiexec -n 2 "$knet" train $ada -kn_data_groups 2 -ts_adapt_type dsp -kn_run_dir "$tmp/dsp" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q -- "-ts_adapt_type dsp cannot keep 2 data groups in step"; ok $? "-ts_adapt_type dsp on 2 groups: non-zero exit and an error naming -ts_adapt_type"

# a checkpoint after 5 steps on 2 groups x 1 rank, continued on 1 rank and on 1 group x 2 ranks
mpiexec -n 2 "$knet" train $reg -kn_run_dir "$tmp/c" -kn_train_max_iterations 5 -kn_checkpoint_every 5 > /dev/null 2>&1; r=$?
for d in c1 c12; do mkdir -p "$tmp/$d/ckpt" && cp "$tmp/c/ckpt/ckpt_00000005.h5" "$tmp/$d/ckpt/"; done
"$knet" train $reg -kn_run_dir "$tmp/c1" -kn_resume auto > /dev/null 2>&1; r1=$?
h5diff --exclude-path /options --relative=1e-12 "$tmp/r1/model.h5" "$tmp/c1/model.h5" > /dev/null; ok $((r | r1 | $?)) "a 2-group checkpoint resumed on 1 rank ends with the 1-rank model"
mpiexec -n 2 "$knet" train $reg -kn_data_groups 1 -kn_run_dir "$tmp/c12" -kn_resume auto > /dev/null 2>&1; r1=$?
h5diff --exclude-path /options --relative=1e-12 "$tmp/r1/model.h5" "$tmp/c12/model.h5" > /dev/null; ok $((r1 | $?)) "a 2-group checkpoint resumed on 1 group x 2 ranks ends with the 1-rank model"

echo "1..$n"
[ $failed -eq 0 ]
