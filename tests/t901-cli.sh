#!/usr/bin/env bash
# knet command line: info and eval on real files, 1 and 2 ranks, and clear failures on bad input. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
pub="$KN_PUBLISHED_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

out=$("$knet" info "$pub/twomoon.h5" 2>&1); rc=$?
echo "$out" | grep -q "8e32ec254aae8725" && echo "$out" | grep -q "1800 parameters"; ok $(( rc | $? )) "knet info prints the published twomoon checksum and parameter count"

out=$("$knet" info "$pub/mnist.h5" 2>&1); rc=$?
echo "$out" | grep -q "920272 parameters" && echo "$out" | grep -q "shift_relu1"; ok $(( rc | $? )) "knet info on the MNIST model: 920272 parameters, shift_relu1"

printf 'x,y\n0.5,0.25\n1.0,-0.3\n-0.7,0.8\n0.1,0.1\n-1.2,0.4\n' > "$tmp/pts.csv"
"$knet" eval "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_output "$tmp/out1.csv" -kn_flow -kn_reverse > /dev/null 2>&1; rc=$?
lines=$(wc -l < "$tmp/out1.csv"); head -1 "$tmp/out1.csv" | grep -q '^v1,v2,logp$'
ok $(( rc | $? | (lines != 6) )) "knet eval writes a header and one row per input sample ($lines lines)"

OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec -n 2 "$knet" eval "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_output "$tmp/out2.csv" -kn_flow -kn_reverse > /dev/null 2>&1; rc=$?
/usr/bin/python3 - "$tmp/out1.csv" "$tmp/out2.csv" <<'PY'
import sys
a = [list(map(float, l.split(","))) for l in open(sys.argv[1]).read().split("\n")[1:] if l]
b = [list(map(float, l.split(","))) for l in open(sys.argv[2]).read().split("\n")[1:] if l]
err = max(abs(x - y) / max(abs(x), 1e-300) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
sys.exit(0 if len(a) == len(b) == 5 and err <= 1e-12 else 1)
PY
ok $(( rc | $? )) "knet eval on 2 ranks gives the 1-rank outputs (<= 1e-12)"

err=$("$knet" eval "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_bogus 1 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "kn_bogus"; ok $? "an unknown option is an error naming it"

err=$("$knet" info "$tmp/missing.h5" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -qi "missing.h5"; ok $? "a missing model file fails with a message naming it"

head -c 3000 /dev/urandom > "$tmp/garbage.h5"
err=$("$knet" info "$tmp/garbage.h5" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "garbage.h5"; ok $? "a corrupt model file fails cleanly"

printf '0.1,0.2\n0.3\n' > "$tmp/ragged.csv"
err=$("$knet" eval "$pub/twomoon.h5" -kn_input "$tmp/ragged.csv" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q -E "line 2|ragged.csv:2"; ok $? "a ragged CSV input names the bad line"

printf '0.1,0.2,0.3\n' > "$tmp/wide.csv"
err=$("$knet" eval "$pub/twomoon.h5" -kn_input "$tmp/wide.csv" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "3 features"; ok $? "more input features than first-layer nodes is an error"

echo "keep" > "$tmp/out3.csv"
"$knet" eval "$pub/twomoon.h5" -kn_input "$tmp/pts.csv" -kn_output "$tmp/nodir/out.csv" > /dev/null 2>&1; rc=$?
[ $rc -ne 0 ] && [ "$(cat "$tmp/out3.csv")" = keep ]; ok $? "an unwritable output path fails and touches nothing"

out=$("$knet" eval -help 2>&1)
echo "$out" | grep -q -- "-kn_input" && echo "$out" | grep -q -- "-kn_readout_last" && echo "$out" | grep -q -- "-ts_type"; ok $? "-help lists the command's options, the net's and the solver's"

"$knet" nosuchcommand > /dev/null 2>&1; rc=$?
[ $rc -ne 0 ]; ok $? "an unknown command is an error"

out=$("$knet" demo 2>&1); rc=$?
echo "$out" | grep -q "finite difference"; ok $(( rc | $? )) "knet demo runs the embedded circuit"

echo "1..$n"
[ $failed -eq 0 ]
