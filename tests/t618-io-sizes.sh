#!/usr/bin/env bash
# Sizes and types declared by a file are checked before anything is allocated or converted: an HDF5 input of 1.4 KB
# that declares 10^9 x 2 values (unwritten, or compressed chunks that hold almost nothing), an idx header whose
# dimension product wraps past 2^64, a model whose num_nodes says 10^9, an HDF5 edge list that declares more ids than
# it stores, and a model whose src dataset holds floats (HDF5 would truncate them silently): each is an error naming
# the file and the dataset or attribute, exit 1, within seconds and a small memory limit; a gzip file that inflates
# past the memory limit fails with "out of memory: N bytes for" it. TAP output.
set -u
knet="$KN_BUILD_ROOT/knet"
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
# runs knet with its address space limited to 3 GB (a trusted size would allocate 8-16 GB), 120 s at most
limited() { (ulimit -v 3000000; timeout 120 "$knet" "$@"); }
expect() { # log regex
  grep -q -- "$2" "$1" || { sed 's/^/#   /' "$1" | head -3; return 1; }
}

opts="-kn_task_type regression -kn_data friedman1 -kn_data_size 32 -kn_t_end 0,0.5 -kn_topology_type fc -kn_topology_num_node 8 -kn_train_batch_size 16 -kn_train_monitor 0"
"$knet" train $opts -kn_train_max_iterations 1 -kn_run_dir "$tmp/run" > /dev/null 2>&1 || echo "# the training of the test model failed"
$py - "$tmp" <<'PY'
import struct, sys, h5py, numpy as np
d = sys.argv[1]
with h5py.File(d + "/big.h5", "w") as f:
    f.create_dataset("x", shape=(10**9, 2), dtype="f8")  # declared, never written: no storage
with h5py.File(d + "/bigz.h5", "w") as f:
    x = f.create_dataset("x", shape=(10**9, 2), dtype="f8", chunks=(1000, 2), compression="gzip")
    x[0:1000] = 1.0  # one chunk of 16 KB stored in 53 bytes
# 65537 x 65536 x 4294901761 = 2^64 + 65536: wraps to the 65536 bytes that follow the header
open(d + "/wrap.idx", "wb").write(struct.pack(">IIII", 0x803, 65537, 65536, 4294901761) + bytes(65536))
src = h5py.File(d + "/run/model.h5", "r")
for name, edit in (("nodes", "num_nodes"), ("float", "src")):
    with h5py.File(d + "/%s.h5" % name, "w") as f:
        for k, v in src.attrs.items():
            f.attrs[k] = v
        src.copy(src["layer_000"], f, "layer_000")
        g = f["layer_000"]
        if edit == "num_nodes":
            g.attrs["num_nodes"] = np.int64(10**9)
        else:
            s = g["src"][...]
            del g["src"]
            g.create_dataset("src", data=s.astype(np.float64) + 0.25)
import gzip
member = gzip.compress(bytes(1 << 26), compresslevel=9)  # 64 MB of zeros in one gzip member
with open(d + "/bomb.idx.gz", "wb") as f:
    f.write(member * 64)  # concatenated members: 4 GB once inflated
with h5py.File(d + "/edges.h5", "w") as f:
    f.create_dataset("src", data=np.array([0, 1, 2], dtype=np.int64))
    f.create_dataset("dst", shape=(10**9,), dtype=np.int64)
PY

printf '0.1,0.2,0.3,0.4,0.5\n' > "$tmp/x.csv"
limited eval "$tmp/run/model.h5" -kn_input "$tmp/big.h5" -kn_input_dataset x -kn_output "$tmp/o.csv" > "$tmp/1.log" 2>&1; rc=$?
expect "$tmp/1.log" "HDF5 file $tmp/big.h5: dataset x declares 1000000000 x 2 values (16000000000 bytes) but the file holds only 0 bytes of them"; ok $(( (rc != 1) | $? )) "an HDF5 input of $(stat -c %s "$tmp/big.h5") bytes declaring 10^9 x 2 unwritten values: exit $rc, the error names the file and dataset"
limited eval "$tmp/run/model.h5" -kn_input "$tmp/bigz.h5" -kn_input_dataset x -kn_output "$tmp/o.csv" > "$tmp/2.log" 2>&1; rc=$?
expect "$tmp/2.log" "HDF5 file $tmp/bigz.h5: dataset x declares 1000000000 x 2 values (16000000000 bytes) but the file holds only [0-9]* bytes"; ok $(( (rc != 1) | $? )) "the same declared with gzip chunks of which one is stored: exit $rc, the error names the file and dataset"
limited train $opts -kn_data idx -kn_data_file "$tmp/wrap.idx" -kn_train_max_iterations 1 -kn_run_dir "$tmp/r2" > "$tmp/3.log" 2>&1; rc=$?
expect "$tmp/3.log" "idx image file $tmp/wrap.idx: the header's dimensions 65537 x 65536 x 4294901761 overflow 64 bits"; ok $(( (rc != 1) | $? )) "an idx header whose dimensions multiply to 2^64 + the file's 65536 bytes: exit $rc, refused"
limited info "$tmp/nodes.h5" > "$tmp/4.log" 2>&1; rc=$?
expect "$tmp/4.log" "model file $tmp/nodes.h5, group layer_000 (layer 0): num_nodes = 1000000000 would need at least 96 GB"; ok $(( (rc != 1) | $? )) "knet info on a model whose num_nodes says 10^9: exit $rc, the error names the file, the layer and num_nodes"
limited info "$tmp/float.h5" > "$tmp/5.log" 2>&1; rc=$?
expect "$tmp/5.log" "model file $tmp/float.h5, group layer_000 (layer 0): dataset src must hold integers, but it holds floating-point values"; ok $(( (rc != 1) | $? )) "a model whose src dataset holds floats: exit $rc, an error naming the file and dataset (no silent truncation)"
limited train $opts -kn_topology_type file -kn_topology_file "$tmp/edges.h5" -kn_train_max_iterations 1 -kn_run_dir "$tmp/r3" > "$tmp/6.log" 2>&1; rc=$?
expect "$tmp/6.log" "dataset dst declares 1000000000 node ids (8000000000 bytes) but the file holds only 0 bytes"; ok $(( (rc == 0) | (rc > 128) | $? )) "an HDF5 edge list declaring 10^9 unwritten ids: exit $rc, refused before allocating"

(ulimit -v 1500000; timeout 120 "$knet" train $opts -kn_data idx -kn_data_file "$tmp/bomb.idx.gz" -kn_train_max_iterations 1 -kn_run_dir "$tmp/r4") > "$tmp/7.log" 2>&1; rc=$?
expect "$tmp/7.log" "out of memory: [0-9]* bytes for the contents of image file $tmp/bomb.idx.gz"; ok $(( (rc != 1) | $? )) "a $(( $(stat -c %s "$tmp/bomb.idx.gz") / 1048576 )) MB gzip file that inflates to 4 GB, under a 1.5 GB memory limit: exit $rc, 'out of memory: N bytes for' the file"

# A variable-length string in a corrupt global heap (HDF5 1.10.8 loops forever in H5Aread): the free-space object of
# circle.h5's collection set to size 0, and the fuzz finding of the checkpoint reader; a named error, not a hang.
$py - "$tmp" "$KN_PUBLISHED_DIR/circle.h5" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[2], "rb").read())
a = b.find(b"GCOL"); end = a + struct.unpack("<Q", b[a + 8:a + 16])[0]; p = a + 16
while p + 16 <= end and struct.unpack("<H", b[p:p + 2])[0] != 0:
    p += 16 + (struct.unpack("<Q", b[p + 8:p + 16])[0] + 7) // 8 * 8
b[p + 8:p + 16] = bytes(8)  # the free-space object: size 0
open(sys.argv[1] + "/heap0.h5", "wb").write(b)
PY
limited info "$tmp/heap0.h5" > "$tmp/8.log" 2>&1; rc=$?
expect "$tmp/8.log" "heap0.h5.*corrupt HDF5 file: the global heap collection at byte [0-9]* .* free-space object of size 0"; ok $(( (rc != 1) | $? )) "a published model whose global heap has a free-space object of size 0: exit $rc, a named error instead of HDF5's endless loop"
mkdir -p "$tmp/r8/ckpt" && cp "$KN_SOURCE_ROOT/tests/fuzz/corpus/checkpoint/regress-hdf5-vlen-hang" "$tmp/r8/ckpt/ckpt_00000001.h5"
(ulimit -v 3000000; timeout 120 "$knet" train $opts -kn_run_dir "$tmp/r8" -kn_resume "$tmp/r8/ckpt/ckpt_00000001.h5") > "$tmp/9.log" 2>&1; rc=$?
expect "$tmp/9.log" "ckpt_00000001.h5: corrupt HDF5 file: the global heap collection at byte 2048"; ok $(( (rc != 1) | $? )) "the checkpoint fuzz finding (the same loop on its format attribute): exit $rc, a named error"

echo "1..$n"
[ $failed -eq 0 ]
