#!/usr/bin/env bash
# knet eval -kn_mc N [-kn_mc_*]: the Monte Carlo line (mean, std, min, max, ideal) over N hardware draws; sigma 0
# reproduces the ideal metric; quantisers on a flow task and bad values fail with a message; knet train accepts
# -kn_train_mc_*. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
pub="$KN_PUBLISHED_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
field() { sed -n "s/.*$1 \([-0-9.e+]*\).*/\1/p" | head -1; }

data="-kn_task_type generation -kn_data twomoon -kn_data_size 300"
out=$("$knet" eval "$pub/twomoon.h5" $data -kn_mc 3 2>&1); rc=$?
ideal=$(echo "$out" | grep '^knet eval' | field nll)
mc=$(echo "$out" | grep '^Monte Carlo nll over 3 draws')
mean=$(echo "$mc" | field mean); std=$(echo "$mc" | field std)
[ -n "$mc" ] && [ "$mean" = "$ideal" ] && [ "$std" = "0.000000" ]; ok $(( rc | $? )) "-kn_mc 3 with ideal hardware: mean $mean = ideal nll $ideal, std $std"

out=$("$knet" eval "$pub/twomoon.h5" $data -kn_mc 3 -kn_mc_device_sigma 0.05 -kn_mc_cap_sigma 0.05 -kn_mc_seed 3 -kn_mc_monitor 2>&1); rc=$?
mc=$(echo "$out" | grep '^Monte Carlo nll over 3 draws')
std=$(echo "$mc" | field std); lo=$(echo "$mc" | field min); hi=$(echo "$mc" | field max)
echo "$out" | grep -q 'KNRobustness: device mismatch 0.05, capacitor mismatch 0.05' && [ "$(echo "$out" | grep -c 'Monte Carlo draw [123]/3: nll')" -eq 3 ] &&
  awk -v s="$std" -v a="$lo" -v b="$hi" 'BEGIN { exit !(s > 0 && a < b) }'; ok $(( rc | $? )) "device and capacitor mismatch: a line per draw (-kn_mc_monitor), std $std > 0, min $lo < max $hi"
out2=$("$knet" eval "$pub/twomoon.h5" $data -kn_mc 3 -kn_mc_device_sigma 0.05 -kn_mc_cap_sigma 0.05 -kn_mc_seed 3 2>&1)
[ "$(echo "$out2" | grep '^Monte Carlo' | sed 's/;.*//')" = "$(echo "$mc" | sed 's/;.*//')" ]; ok $? "the same seed gives the same draws"
out2=$(mpiexec -n 2 "$knet" eval "$pub/twomoon.h5" $data -kn_mc 3 -kn_mc_device_sigma 0.05 -kn_mc_cap_sigma 0.05 -kn_mc_seed 3 2>&1)
[ "$(echo "$out2" | grep '^Monte Carlo' | sed 's/;.*//')" = "$(echo "$mc" | sed 's/;.*//')" ]; ok $? "2 ranks print the same Monte Carlo line"

err=$("$knet" eval "$pub/twomoon.h5" $data -kn_mc 2 -kn_mc_input_bits 4 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "regression and classification"; ok $? "quantisers on a flow task fail with a message"
err=$("$knet" eval "$pub/twomoon.h5" $data -kn_mc 2 -kn_mc_device_sigma -0.1 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "sigma must be >= 0"; ok $? "a negative sigma fails with a message"

cls="-kn_task_type classification -kn_data twomoon -kn_data_size 512"
arch="-kn_layers 1 -kn_layer_T 1 -kn_topology_num_node 5 -kn_topology_repeat 2,2"
solver="-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05"
out=$("$knet" train $cls $arch $solver -kn_train_batch_size 128 -kn_optim_lr 1e-2 -kn_train_epochs 2 -kn_train_mc_device_sigma 0.05 -kn_train_mc_noise_sigma 0.01 -kn_run_dir "$tmp/cls" 2>&1); rc=$?
[ -f "$tmp/cls/model.h5" ]; ok $(( rc | $? )) "knet train takes -kn_train_mc_device_sigma and -kn_train_mc_noise_sigma (noise-aware training)"
out=$("$knet" eval "$tmp/cls/model.h5" $cls $solver -kn_mc 2 -kn_mc_input_bits 8 -kn_mc_input_range -3,3 -kn_mc_output_bits 6 2>&1); rc=$?
echo "$out" | grep -q '^Monte Carlo top1 over 2 draws: mean [0-9.]*, std 0.000000' && echo "$out" | grep -q 'output ADC 6 bits over \[-[0-9.]*, [0-9.]*\] (max |output| of the ideal run)'; ok $(( rc | $? )) "classification with an 8-bit DAC and a 6-bit ADC: deterministic top1 over 2 draws"

echo "1..$n"
[ $failed -eq 0 ]
