#!/usr/bin/env bash
# Every file writer on a full disk (a real small tmpfs, filled up to a given free space), on 1 and 2 ranks: the model
# (knet train), a checkpoint, a trajectory (knet eval -kn_trajectory) and the SPICE export. Each stops with a clear
# error and exit 1 -- never a crash at PetscFinalize (HDF5 1.10 used to segfault in H5F__close_cb after a failed
# H5Fclose) nor HDF5's "infinite loop closing library" --, leaves no .tmp or .reserve file, and an older file of the
# same name is unchanged. Two paths: the space check before writing ("Cannot write the ...: No space left on
# device"), and (KN_TEST_NO_SPACE_CHECK=1 skips that check) the disk filling up during the write. Needs root to mount
# a tmpfs (a file-size limit, ulimit -f, is no substitute: Open MPI's start-up then fails on its shared-memory files).
# TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
tmp=$(mktemp -d)
full="$tmp/full"
mounted=0
cleanup() { [ $mounted -eq 1 ] && umount "$full" 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

mkdir -p "$full"
if ! mount -t tmpfs -o size=2m tmpfs "$full" 2> /dev/null; then
  echo "ok 1 - full-disk writers # SKIP cannot mount a tmpfs here (not root)"
  echo "1..1"
  exit 0
fi
mounted=1
# leaves about $1 KiB free on the tmpfs (a filler file takes the rest)
fill_to() {
  local avail
  rm -f "$full/filler"
  avail=$(df -B1 --output=avail "$full" | tail -1)
  [ "$avail" -gt $(($1 * 1024)) ] && head -c $((avail - $1 * 1024)) /dev/zero > "$full/filler" 2> /dev/null
  return 0
}
# a clean failure: exit 1 (not a signal), the expected message, no HDF5 shutdown trouble, no temporary files left
clean_fail() { # rc log regex dir
  [ "$1" -eq 1 ] && grep -q -- "$3" "$2" && ! grep -q "infinite loop closing library\|Segmentation fault\|Signal: " "$2" &&
    [ -z "$(find "$4" -name '*.tmp' -o -name '*.reserve' -o -name '*.tmp.*')" ]
}

# about 100 KB of model (2 layers of 24 nodes), fixed steps; 256 input rows for a large trajectory
opts="-kn_task_type regression -kn_data friedman1 -kn_data_size 64 -kn_t_end 0,0.5,1 -kn_topology_type fc -kn_topology_num_node 24 -kn_device_type shift_tanh2 -kn_train_batch_size 32 -kn_train_monitor 0 -ts_adapt_type none -ts_dt 0.05"
"$knet" train $opts -kn_train_max_iterations 1 -kn_run_dir "$tmp/ref" > /dev/null 2>&1 || echo "# the reference training failed"
/usr/bin/python3 -c "
import random
random.seed(1)
print('\n'.join(','.join('%.3f' % random.random() for _ in range(5)) for _ in range(256)))" > "$tmp/x.csv"
traj="-kn_input $tmp/x.csv -ts_adapt_type none -ts_dt 0.05 -kn_trajectory_samples 0-256 -kn_trajectory_times 0,0.1,0.2,0.3,0.4,0.5"

for ranks in 1 2; do
  launch=(timeout 300); [ $ranks -gt 1 ] && launch=(timeout 300 mpiexec -n $ranks) # a hang (ranks out of step) fails, not blocks
  rm -rf "${full:?}"/*
  run="$full/run$ranks"
  # the run goes on (-kn_resume auto, checkpoints off the small disk) and writes model.h5 again at its end
  ck=(-kn_checkpoint_every 1 -kn_checkpoint_dir "$tmp/ck$ranks")
  "${launch[@]}" "$knet" train $opts -kn_train_max_iterations 1 "${ck[@]}" -kn_run_dir "$run" > /dev/null 2>&1; r0=$?
  sum=$(md5sum < "$run/model.h5")

  fill_to 100
  "${launch[@]}" "$knet" train $opts -kn_train_max_iterations 2 "${ck[@]}" -kn_run_dir "$run" -kn_resume auto > "$tmp/m1.log" 2>&1; rc=$?
  clean_fail $rc "$tmp/m1.log" "Cannot write the model $run/model.h5: No space left on device" "$full"; r1=$?
  [ "$sum" = "$(md5sum < "$run/model.h5")" ]
  ok $((r0 | r1 | $?)) "$ranks rank(s): model.h5 on a full disk, space check: exit $rc, a clear error, the old model.h5 unchanged, no temporary files"

  rm -f "$tmp/ck$ranks/ckpt_00000002.h5"
  fill_to 100
  KN_TEST_NO_SPACE_CHECK=1 "${launch[@]}" "$knet" train $opts -kn_train_max_iterations 2 "${ck[@]}" -kn_run_dir "$run" -kn_resume auto > "$tmp/m2.log" 2>&1; rc=$?
  clean_fail $rc "$tmp/m2.log" "model file $run/model.h5, group layer_00[01]: writing dataset .* failed\|Writing $run/model.h5.tmp failed" "$full"; r1=$?
  [ "$sum" = "$(md5sum < "$run/model.h5")" ]
  ok $((r1 | $?)) "$ranks rank(s): the disk fills while model.h5 is written: exit $rc (no crash at PetscFinalize), a clear error, the old model.h5 unchanged"
  grep "error" "$tmp/m2.log" | head -1 | sed 's/^/# /'

  fill_to 100
  KN_TEST_NO_SPACE_CHECK=1 "${launch[@]}" "$knet" train $opts -kn_train_max_iterations 2 -kn_run_dir "$tmp/c$ranks" -kn_checkpoint_every 1 -kn_checkpoint_dir "$full/ckpt$ranks" > "$tmp/c.log" 2>&1; rc=$?
  clean_fail $rc "$tmp/c.log" "ckpt_00000001.h5.tmp, group [a-z_0-9/]*: writing dataset .* failed\|Writing checkpoint $full/ckpt$ranks/ckpt_00000001.h5.tmp failed" "$full"
  ok $? "$ranks rank(s): the disk fills while a checkpoint is written: exit $rc, a clear error, no temporary files"
  grep "error" "$tmp/c.log" | head -1 | sed 's/^/# /'

  rm -f "$full/filler"
  "${launch[@]}" "$knet" eval "$tmp/ref/model.h5" $traj -kn_output "$tmp/v.csv" -kn_trajectory "$full/tr$ranks.h5" > /dev/null 2>&1; r0=$?
  tsum=$(md5sum < "$full/tr$ranks.h5")
  fill_to 200
  "${launch[@]}" "$knet" eval "$tmp/ref/model.h5" $traj -kn_output "$tmp/v.csv" -kn_trajectory "$full/tr$ranks.h5" > "$tmp/t1.log" 2>&1; rc=$?
  clean_fail $rc "$tmp/t1.log" "Cannot write the trajectory $full/tr$ranks.h5: No space left on device" "$full"; r1=$?
  KN_TEST_NO_SPACE_CHECK=1 "${launch[@]}" "$knet" eval "$tmp/ref/model.h5" $traj -kn_output "$tmp/v.csv" -kn_trajectory "$full/tr$ranks.h5" > "$tmp/t2.log" 2>&1; rc2=$?
  clean_fail $rc2 "$tmp/t2.log" "trajectory file $full/tr$ranks.h5.*failed\|Writing $full/tr$ranks.h5.tmp failed" "$full"; r2=$?
  [ "$tsum" = "$(md5sum < "$full/tr$ranks.h5")" ]
  ok $((r0 | r1 | r2 | $?)) "$ranks rank(s): a trajectory on a full disk (space check: exit $rc; filling during the write: exit $rc2): clear errors, the old file unchanged"
  grep "error" "$tmp/t2.log" | head -1 | sed 's/^/# /'
done

# SPICE export (rank 0 writes text files): a full disk leaves the old netlists, not truncated ones
rm -rf "${full:?}"/*
"$knet" export-spice "$tmp/ref/model.h5" -kn_input "$tmp/x.csv" -kn_spice_dir "$full/net" > /dev/null 2>&1; r0=$?
ssum=$(cat "$full/net/"* | md5sum)
fill_to 4
"$knet" export-spice "$tmp/ref/model.h5" -kn_input "$tmp/x.csv" -kn_sample 3 -kn_spice_dir "$full/net" > "$tmp/s.log" 2>&1; rc=$?
clean_fail $rc "$tmp/s.log" "Writing $full/net/layer_000.cir failed: No space left on device" "$full"; r1=$?
[ "$ssum" = "$(cat "$full/net/"* | md5sum)" ] && [ -z "$(find "$full/net" -size 0)" ]
ok $((r0 | r1 | $?)) "export-spice on a full disk: exit $rc, a clear error, the old netlists unchanged (no 0-byte file)"
rm -rf "${full:?}"/*
fill_to 4
"$knet" export-spice "$tmp/ref/model.h5" -kn_input "$tmp/x.csv" -kn_spice_dir "$full/net" > "$tmp/s.log" 2>&1; rc=$?
clean_fail $rc "$tmp/s.log" "Writing $full/net/layer_000.cir failed" "$full"; r1=$?
[ -z "$(ls "$full/net")" ]; ok $((r1 | $?)) "export-spice into an empty directory on a full disk: exit $rc, no file left"

echo "1..$n"
[ $failed -eq 0 ]
