#!/usr/bin/env bash
# knet options are checked before any work: an unknown option (with the nearest known one), an option without its
# value, an integer out of range, a duplicate YAML key, a stray word, a missing/unreadable/malformed -options_file
# each stop knet with one line and a non-zero exit, on 1 and 2 ranks, and nothing is written. PETSc's own options keep
# working. Help: knet / -h / --help / help, knet CMD -help (short) and -help all, -version. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
mpi2() { mpiexec -n 2 "$@"; }
# knet's lines on stderr (mpiexec adds its own banner when a rank exits non-zero)
knetlines() { grep -c '^knet' "$1"; }
# run NAME EXPECTED_LINE CMD...: exit != 0, stderr has exactly one knet line and it is EXPECTED_LINE (a fixed string)
expect_one() {
  local name=$1 want=$2; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
  local got; got=$(grep '^knet' "$tmp/err")
  [ $rc -ne 0 ] && [ "$(knetlines "$tmp/err")" -eq 1 ] && [ "$got" = "$want" ]
  local r=$?
  [ $r -eq 0 ] || { echo "# rc=$rc, stderr:"; sed 's/^/#   /' "$tmp/err" | head -5; }
  ok $r "$name"
}

cat > "$tmp/tiny.yaml" <<'YAML'
kn:
  task_type: generation
  data: twomoon
  data_size: 256
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [2, 2]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 256, epochs: 1}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-3, atol: 1.0e-3, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
YAML
sed 's/train: {batch_size: 256, epochs: 1}/train: {batch_size: 256, epochs: 1, epoch: 5}/' "$tmp/tiny.yaml" > "$tmp/typo.yaml"
sed 's/  data_size: 256/  data_size: 256\n  data_size: 512/' "$tmp/tiny.yaml" > "$tmp/dup.yaml"
sed 's/  optim: {lr: 1.0e-2}/  optim: {lr: 1.0e-2}\n  optim_lr: 0.5/' "$tmp/tiny.yaml" > "$tmp/dupflat.yaml"
printf 'kn:\n  train: {epochs: 3\n  optim_lr: 1\n' > "$tmp/broken.yaml"
mkdir "$tmp/adir.yaml"

# -- unknown options: one line with the nearest known option, before the run directory exists
for np in 1 2; do
  run=""; [ $np -eq 2 ] && run=mpi2
  expect_one "np $np: a misspelled option on the command line names it and the nearest known one" \
    "knet train: unknown option -kn_optim_learning_rate (did you mean -kn_optim_lr?)" \
    $run "$knet" train -options_file "$tmp/tiny.yaml" -kn_optim_learning_rate 0.01 -kn_run_dir "$tmp/run$np"
  [ ! -e "$tmp/run$np" ] && ! grep -q '^epoch' "$tmp/out"; ok $? "np $np: ... and stops before the first epoch, with no run directory"
  t0=$(date +%s.%N)
  expect_one "np $np: a misspelled key in the YAML file stops the run, naming the option" \
    "knet train: unknown option -kn_train_epoch (did you mean -kn_train_epochs?)" \
    $run "$knet" train -options_file "$tmp/typo.yaml" -kn_run_dir "$tmp/yrun$np"
  t1=$(date +%s.%N)
  [ ! -e "$tmp/yrun$np" ] && ! grep -q '^epoch' "$tmp/out"; ok $? "np $np: ... before the first epoch ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s), no run directory"
done

# -- values: missing, out of range
expect_one "an option without its value (followed by another option) is an error" \
  "knet train: option -kn_train_epochs needs a value (an integer)" \
  "$knet" train -options_file "$tmp/tiny.yaml" -kn_train_epochs -kn_run_dir "$tmp/v1"
expect_one "an option without its value at the end of the line is an error" \
  "knet train: option -kn_optim_lr needs a value (a number)" \
  "$knet" train -options_file "$tmp/tiny.yaml" -kn_run_dir "$tmp/v2" -kn_optim_lr
expect_one "-kn_train_epochs 99999999999 is out of range, not wrapped" \
  "knet train: option -kn_train_epochs 99999999999 is out of range: integers must lie in [-2147483648, 2147483647]" \
  "$knet" train -options_file "$tmp/tiny.yaml" -kn_train_epochs 99999999999 -kn_run_dir "$tmp/v3"
expect_one "np 2: an integer list item out of range is an error" \
  "knet train: option -kn_topology_repeat 2,4294967296 is out of range: integers must lie in [-2147483648, 2147483647]" \
  mpi2 "$knet" train -options_file "$tmp/tiny.yaml" -kn_topology_repeat 2,4294967296 -kn_run_dir "$tmp/v4"
expect_one "np 2: a PETSc solver option without its value is an error too" \
  "knet train: option -ts_rtol needs a value" \
  mpi2 "$knet" train -options_file "$tmp/tiny.yaml" -ts_rtol -kn_run_dir "$tmp/v5"
expect_one "a PETSc integer option out of range is an error (a real one takes the same digits)" \
  "knet train: option -ts_max_steps 99999999999 is out of range: integers must lie in [-2147483648, 2147483647]" \
  "$knet" train -options_file "$tmp/tiny.yaml" -ts_max_time 99999999999 -ts_max_steps 99999999999 -kn_run_dir "$tmp/v6"
[ ! -e "$tmp/v1" ] && [ ! -e "$tmp/v2" ] && [ ! -e "$tmp/v3" ] && [ ! -e "$tmp/v4" ] && [ ! -e "$tmp/v5" ] && [ ! -e "$tmp/v6" ]; ok $? "no run directory for any of the bad values"

# -- the options file: duplicates, malformed, missing, not a file (checked before PETSc starts)
for np in 1 2; do
  run=""; [ $np -eq 2 ] && run=mpi2
  expect_one "np $np: a duplicate YAML key names the file, both lines and the option" \
    "knet train: $tmp/dup.yaml:5: option -kn_data_size is set twice (first at line 4); keep one" \
    $run "$knet" train -options_file "$tmp/dup.yaml" -kn_run_dir "$tmp/d$np"
  expect_one "np $np: a malformed YAML file is one line with its position" \
    "knet train: $tmp/broken.yaml:3:11: not valid YAML: did not find expected ',' or '}' while parsing a flow mapping" \
    $run "$knet" train -options_file "$tmp/broken.yaml" -kn_run_dir "$tmp/b$np"
  expect_one "np $np: a missing options file is one line, not a PETSc traceback" \
    "knet train: -options_file $tmp/none.yaml: No such file or directory" \
    $run "$knet" train -options_file "$tmp/none.yaml" -kn_run_dir "$tmp/m$np"
  ! grep -q 'PETSC ERROR\|MPI_ABORT' "$tmp/err"; ok $? "np $np: ... without PETSC ERROR or MPI_ABORT"
done
expect_one "the same option twice through nesting (optim: {lr} and optim_lr) is a duplicate" \
  "knet train: $tmp/dupflat.yaml:9: option -kn_optim_lr is set twice (first at line 8); keep one" \
  "$knet" train -options_file "$tmp/dupflat.yaml" -kn_run_dir "$tmp/d3"
expect_one "an options file that cannot be read (a directory) is one line" \
  "knet train: -options_file $tmp/adir.yaml: is a directory, not a file" \
  "$knet" train -options_file "$tmp/adir.yaml"
expect_one "-options_file without a file name is one line" \
  "knet train: -options_file needs a file name" \
  "$knet" train -kn_run_dir "$tmp/m3" -options_file
ls "$tmp" | grep -q -E '^(d[0-9]|b[0-9]|m[0-9])$'; [ $? -ne 0 ]; ok $? "no run directory for any bad options file"

# -- stray words
expect_one "a positional argument knet train does not take is an error" \
  "knet train: unexpected argument 'extra' (options start with -, each takes at most one value; see knet train -help)" \
  "$knet" train extra -options_file "$tmp/tiny.yaml"
expect_one "a second value after an option is an error" \
  "knet train: unexpected argument '5' (options start with -, each takes at most one value; see knet train -help)" \
  "$knet" train -options_file "$tmp/tiny.yaml" -kn_train_epochs 1 5 -kn_run_dir "$tmp/s1"
[ ! -e "$tmp/s1" ]; ok $? "no run directory for a stray word"

# -- a real (tiny) model for eval and sample: typos stop them before any output file
"$knet" train -options_file "$tmp/tiny.yaml" -kn_run_dir "$tmp/run" > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/run/model.h5" ]; ok $? "the tiny model trains with the checked options (exit $rc)"
printf 'x,y\n0.5,0.25\n1.0,-0.3\n' > "$tmp/pts.csv"
expect_one "np 2: knet eval with a misspelled option names it and writes no output" \
  "knet eval: unknown option -kn_outptu (did you mean -kn_output?)" \
  mpi2 "$knet" eval "$tmp/run/model.h5" -kn_input "$tmp/pts.csv" -kn_outptu "$tmp/e.csv"
[ ! -e "$tmp/e.csv" ]; ok $? "... no output file"
expect_one "knet eval with a second positional argument is an error" \
  "knet eval: unexpected argument '$tmp/pts.csv' (options start with -, each takes at most one value; see knet eval -help)" \
  "$knet" eval "$tmp/run/model.h5" "$tmp/pts.csv" -kn_input "$tmp/pts.csv"
expect_one "knet sample with a misspelled option names it and writes nothing" \
  "knet sample: unknown option -kn_sampels (did you mean -kn_samples?)" \
  "$knet" sample "$tmp/run/model.h5" -kn_sampels 5 -kn_output "$tmp/s.csv"
[ ! -e "$tmp/s.csv" ]; ok $? "... no samples file"
expect_one "knet eval -kn_task_type with a misspelled solver option names the PETSc option" \
  "knet eval: unknown option -ts_rtoll (did you mean -ts_rtol?)" \
  "$knet" eval "$tmp/run/model.h5" -kn_task_type generation -kn_data twomoon -kn_data_size 64 -ts_rtoll 1e-3

# -- PETSc's own options keep working
out=$("$knet" eval "$tmp/run/model.h5" -kn_input "$tmp/pts.csv" -log_view -options_left -options_view 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "Performance Summary" && echo "$out" | grep -q "no unused options\|There are no unused options"; ok $? "-log_view, -options_left and -options_view still work (exit $rc)"
out=$("$knet" eval "$tmp/run/model.h5" -kn_input "$tmp/pts.csv" -ts_error_if_step_fails -kn_flow 2>&1); rc=$?
[ $rc -eq 0 ]; ok $? "flags (PETSc's -ts_error_if_step_fails, knet's -kn_flow) need no value (exit $rc)"
out=$("$knet" eval "$tmp/run/model.h5" -kn_input "$tmp/pts.csv" -ts_view 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "TS Object"; ok $? "-ts_view, which PETSc reads after each solve, still works (exit $rc)"
out=$(mpi2 "$knet" eval "$tmp/run/model.h5" -kn_input "$tmp/pts.csv" -ts_adapt_type basic -ts_max_reject 20 2>&1); rc=$?
[ $rc -eq 0 ]; ok $? "np 2: PETSc TS options given by the user are known options"

# -- help and version
for h in "" -h --help help -help; do
  out=$("$knet" $h 2>&1); rc=$?
  [ $rc -eq 0 ] && echo "$out" | grep -q '^usage: knet <command>'; ok $? "knet $h prints the usage and exits 0"
done
out=$("$knet" -version 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$out" = "knet $KN_PROJECT_VERSION (libkirchhoffnet; PETSc $(echo "$out" | sed -n 's/.*PETSc \([0-9.]*\)).*/\1/p'))" ]; ok $? "knet -version prints meson's project version $KN_PROJECT_VERSION ($out)"
out=$("$knet" train -options_file "$tmp/tiny.yaml" -version 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "^knet $KN_PROJECT_VERSION "; ok $? "knet train ... -version prints the version too"
"$knet" train -help > "$tmp/h1" 2>&1; rc=$?
lines=$(wc -l < "$tmp/h1")
[ $rc -eq 0 ] && [ "$lines" -le 130 ] && grep -q '^usage: knet train' "$tmp/h1" && grep -q '^KirchhoffNet trainer options:' "$tmp/h1" \
  && grep -q '^  -kn_train_epochs <' "$tmp/h1" && grep -q '^  -ts_rtol <' "$tmp/h1" && grep -q -- '-help all' "$tmp/h1" \
  && ! grep -q 'Options for all PETSc programs\|^  -snes_\|^  -ksp_' "$tmp/h1"; ok $? "knet train -help: knet's options grouped, a few -ts_*, no PETSc-wide list ($lines lines)"
"$knet" train -h > "$tmp/h1b" 2>&1 && "$knet" train --help > "$tmp/h1c" 2>&1; rc=$?
[ $rc -eq 0 ] && cmp -s "$tmp/h1" "$tmp/h1b" && cmp -s "$tmp/h1" "$tmp/h1c"; ok $? "knet train -h and --help print the same list"
"$knet" train -help all > "$tmp/h2" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'Options for all PETSc programs' "$tmp/h2" && grep -q -- '-ksp_type' "$tmp/h2" && grep -q -- '-kn_train_epochs' "$tmp/h2"; ok $? "knet train -help all adds PETSc's full list"
"$knet" train -help > "$tmp/h3" 2>&1
a=$(grep -- '-kn_t_end' "$tmp/h1"); b=$(grep -- '-kn_t_end' "$tmp/h3")
[ -n "$a" ] && [ "$a" = "$b" ] && echo "$a" | grep -q -- '-kn_t_end <0>'; ok $? "the -kn_t_end default printed by -help is fixed ($a)"
for c in "eval" "sample" "info" "demo"; do
  out=$("$knet" $c -help 2>&1); rc=$?
  [ $rc -eq 0 ] && echo "$out" | grep -q "^usage: knet $c" && echo "$out" | grep -q '^  -kn_'; ok $? "knet $c -help lists its options and exits 0"
done
out=$(mpi2 "$knet" eval -help 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(echo "$out" | grep -c '^usage: knet eval')" -eq 1 ]; ok $? "np 2: knet eval -help prints once"

echo "1..$n"
[ $failed -eq 0 ]
