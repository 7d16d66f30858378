#!/usr/bin/env bash
# tools/plot_run.py: a tiny twomoon flow trained for 2 epochs, then its loss curve and samples as PNG; the learned density
# of the published potential1 weights on a coarse grid; errors exit non-zero. TAP output; skipped without matplotlib.
set -u
knet="$KN_BUILD_ROOT/knet"
pub="$KN_PUBLISHED_DIR"
here=$(cd "$(dirname "$0")/.." && pwd)
plot=(/usr/bin/python3 "$here/tools/plot_run.py")
if ! /usr/bin/python3 -c 'import matplotlib, numpy' 2>/dev/null; then
  echo "1..0 # SKIP python3-matplotlib (or numpy) is not installed"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
# a valid PNG: nonzero size and the 8 magic bytes 89 50 4E 47 0D 0A 1A 0A
ispng() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

cat > "$tmp/tiny.yaml" <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 512
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [3, 3]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 256, epochs: 2}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-4, atol: 1.0e-4, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
"$knet" train -options_file "$tmp/tiny.yaml" -kn_run_dir "$tmp/run" > /dev/null 2>&1; rc=$?
[ -f "$tmp/run/model.h5" ] && [ -f "$tmp/run/metrics.csv" ]; ok $(( rc | $? )) "knet train -kn_run_dir writes a 2-epoch twomoon run"

out=$("${plot[@]}" loss "$tmp/run" -o "$tmp/loss.png" 2>&1); rc=$?
ispng "$tmp/loss.png"; ok $(( rc | $? )) "plot_run.py loss writes a valid PNG"
[ $rc -eq 0 ] || echo "# $out"

out=$("${plot[@]}" samples "$tmp/run" --data twomoon -n 2000 --knet "$knet" -o "$tmp/samples.png" 2>&1); rc=$?
ispng "$tmp/samples.png"; ok $(( rc | $? )) "plot_run.py samples (knet sample + twomoon data) writes a valid PNG"
[ $rc -eq 0 ] || echo "# $out"

out=$("${plot[@]}" density "$pub/potential1.h5" --potential potential1 --grid 40 --knet "$knet" -o "$tmp/density.png" 2>&1); rc=$?
ispng "$tmp/density.png"; ok $(( rc | $? )) "plot_run.py density of the published potential1 weights writes a valid PNG"
[ $rc -eq 0 ] || echo "# $out"

err=$("${plot[@]}" loss "$tmp/nothere" -o "$tmp/x.png" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "nothere" && [ ! -e "$tmp/x.png" ]; ok $? "a missing run directory fails, naming it"

err=$("${plot[@]}" samples "$tmp/run" --knet "$tmp/no-knet" -o "$tmp/x.png" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "knet not found"; ok $? "a missing knet program fails with the fix"

echo garbage > "$tmp/bad.h5"
err=$("${plot[@]}" samples "$tmp/bad.h5" --knet "$knet" -o "$tmp/x.png" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q "knet sample failed"; ok $? "a corrupt model fails with knet's message"

echo "1..$n"
[ $failed -eq 0 ]
