#!/usr/bin/env bash
# knet export-spice / verify-spice / info -kn_hw_scale on the published twomoon model: files, run.sh, agreement with
# knet eval, -kn_spice_tol, clear failures (ngspice missing, ngspice failing, no output). TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
pub="$KN_PUBLISHED_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp" # verify-spice keeps its temporary directory when ngspice fails (for the logs)
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP ngspice is not installed"; }
have_ngspice=0; command -v ngspice > /dev/null 2>&1 && have_ngspice=1
fast="-kn_spice_steps 1000" # twomoon: |dv| ~ 1e-4 at 1000 steps per layer (error ~ (T/steps)^2), a few seconds

printf 'x,y\n0.5,0.25\n1.0,-0.3\n-0.7,0.8\n' > "$tmp/pts.csv"
"$knet" export-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_sample 2 -kn_spice_dir "$tmp/net" $fast > "$tmp/export.txt" 2>&1; rc=$?
b0=$(grep -c '^B' "$tmp/net/layer_000.cir"); c0=$(grep -c '^C' "$tmp/net/layer_000.cir")
grep -q '^\.tran .* uic$' "$tmp/net/layer_001.cir" && grep -q '^\.ic V(n1)=-0.69999999999999996$' "$tmp/net/layer_000.ic" &&
  grep -q '^\.meas tran kn_m2 FIND V(n2) AT=0.5$' "$tmp/net/layer_001.cir" && [ -x "$tmp/net/run.sh" ]
ok $(( rc | $? | (b0 != 300) | (c0 != 2) )) "export-spice writes per layer 300 B-sources, 2 capacitors, .ic of sample 2, .tran uic, .meas, and run.sh"

if [ $have_ngspice -eq 1 ]; then
  out=$("$tmp/net/run.sh" 2>&1); rc=$?
  "$knet" eval "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_output "$tmp/eval.csv" -ts_rtol 1e-10 -ts_atol 1e-10 > /dev/null 2>&1
  echo "$out" > "$tmp/run.csv"
  /usr/bin/python3 - "$tmp/run.csv" "$tmp/eval.csv" <<'PY'
import sys
r = open(sys.argv[1]).read().split()
e = open(sys.argv[2]).read().split()
assert r[0] == "v1,v2" and e[0] == "v1,v2", (r, e)
a = [float(x) for x in r[1].split(",")]
b = [float(x) for x in e[3].split(",")]  # sample 2
err = max(abs(x - y) for x, y in zip(a, b))
print("# run.sh readout", a, "knet eval", b, "max |dv| = %.2e" % err)
sys.exit(0 if err <= 1e-4 else 1)
PY
  ok $(( rc | $? )) "run.sh chains the layers in ngspice and prints the readout of knet eval (<= 1e-4 at 1000 steps)"

  out=$("$knet" verify-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_sample 2 $fast 2>&1); rc=$?
  echo "$out" | sed 's/^/# /'
  worst=$(echo "$out" | sed -n 's/^overall max|dv| = \([^ ]*\) V.*/\1/p')
  /usr/bin/python3 -c "import sys; sys.exit(0 if 0 < float('$worst') <= 1e-4 else 1)" 2>/dev/null
  ok $(( rc | $? )) "verify-spice reports every layer and an overall max|dv| = $worst <= 1e-4, exit 0"

  err=$("$knet" verify-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_sample 2 $fast -kn_spice_tol 1e-12 2>&1 >/dev/null); rc=$?
  [ $rc -eq 1 ] && echo "$err" | grep -q "more than -kn_spice_tol"; ok $? "-kn_spice_tol below the difference fails (exit 1) for scripting"

  "$knet" verify-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_sample 2 $fast -kn_hw_scale 1e-15 -kn_spice_dir "$tmp/fs" > "$tmp/fs.txt" 2>&1; rc=$?
  grep -q '^C1 n1 0 1.0000000000000001e-15$' "$tmp/fs/layer_000.cir" && grep -q "^\.tran .* 5.0000000000000004e-16 0 .* uic$" "$tmp/fs/layer_000.cir"
  ok $(( rc | $? )) "-kn_hw_scale 1e-15: fF capacitors, fs durations, verify-spice passes and keeps -kn_spice_dir"
  a1=$(grep '^readout' <<< "$out"); a15=$(grep '^readout' "$tmp/fs.txt")
  [ -n "$a1" ] && [ "$a1" = "$a15" ]; ok $? "the readout at a = 1e-15 equals the one at a = 1 (12 digits)"
else
  for k in 1 2 3 4 5; do skip "ngspice runs"; done
fi

mkdir -p "$tmp/empty"
# Open MPI's singleton start looks for ssh/rsh in PATH (plm_rsh_agent) and aborts in MPI_Init without them: name a program instead
err=$(OMPI_MCA_plm_rsh_agent=/bin/false PATH="$tmp/empty" "$knet" verify-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "ngspice not found: install the ngspice package"; ok $? "without ngspice in PATH: a clear message, exit 1, no crash"
err=$(PATH="$tmp/empty" /bin/sh "$tmp/net/run.sh" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "not found: install the ngspice package"; ok $? "run.sh without ngspice: the same message"

printf '#!/bin/sh\necho "Error on line 2: this fake ngspice fails"\nexit 1\n' > "$tmp/fail.sh"
printf '#!/bin/sh\necho "ngspice-39 done"\nexit 0\n' > "$tmp/mute.sh"
chmod +x "$tmp/fail.sh" "$tmp/mute.sh"
err=$("$knet" verify-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_spice_ngspice "$tmp/fail.sh" -kn_spice_dir "$tmp/f1" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "ngspice failed on layer 0 (exit status 1), see the log $tmp/f1/layer_000.log: Error on line 2"
ok $? "ngspice failing: the message names the layer, the log and the log's error line"
err=$("$knet" verify-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_spice_ngspice "$tmp/mute.sh" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "final voltages of 0 of the 2 nodes of layer 0"; ok $? "ngspice printing no voltages: a clear message naming the layer"
err=$(NGSPICE="$tmp/fail.sh" "$tmp/net/run.sh" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "ngspice failed on layer_000"; ok $? "run.sh with a failing ngspice names the layer and its log"

err=$("$knet" export-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q -- "-kn_spice_dir"; ok $? "export-spice without -kn_spice_dir is an error"
err=$("$knet" export-spice "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_sample 3 -kn_spice_dir "$tmp/x" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "outside the 3 samples"; ok $? "a sample index beyond the input is an error"

out=$("$knet" info "$pub/twomoon.h5" -kn_hw_scale 1e-15 -kn_hw_current 1e-6 -kn_input "$tmp/pts.csv" -kn_sample 2 2>&1); rc=$?
echo "$out" | grep -q "C\*a = 1e-15 F" && echo "$out" | grep -q "forward time (sum of T_i)\*a = 1e-15 s" &&
  echo "$out" | grep -q "shift_tanh2: 600" && echo "$out" | grep -q "charge per inference Q = I0\*a\*S = [0-9.e+-]* C" &&
  echo "$out" | grep -q "trapezoid rule"
ok $(( rc | $? )) "info -kn_hw_scale -kn_hw_current: capacitance, forward time, devices by law, charge with its approximation"
echo "$out" | grep -A3 "^hardware" | sed 's/^/# /'
out=$("$knet" info "$pub/twomoon.h5" 2>&1)
! echo "$out" | grep -q "hardware view"; ok $? "info without hardware options is unchanged"

echo "1..$n"
[ $failed -eq 0 ]
