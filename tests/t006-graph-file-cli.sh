#!/usr/bin/env bash
# Edge lists written collectively (src/graph/graph_h5.c, graph_text.c) on 1, 2 and 4 ranks: t005 keeps its files in
# one directory (1 rank first, so 2 and 4 ranks also load the 1-rank files); the text files of any two rank counts are
# the same bytes, h5diff finds no difference between the HDF5 files, and h5py reads them back: int64 src/dst of num_edges entries, ids in 0..num_state_nodes,
# edges_fnv1a64 equal to the FNV-1a of the ids (an independent check of the blocks' order). TAP output.
set -u
exe="$KN_BUILD_ROOT/tests/t005-graph-file-ranks"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

for np in 1 2 4; do
  if [ "$np" -eq 1 ]; then "$exe" -out "$tmp" > "$tmp/log$np" 2>&1; else mpiexec -n "$np" "$exe" -out "$tmp" > "$tmp/log$np" 2>&1; fi
  rc=$?
  ok $rc "t005 on $np rank(s) writes and reads its files ($(grep -c '^ok' "$tmp/log$np") points passed)"
done
for np in 2 4; do
  cmp "$tmp/random_np1.txt" "$tmp/random_np$np.txt"; ok $? "text edge lists written on 1 and $np ranks are the same bytes"
done
for f in random layers; do
  for np in 2 4; do
    h5diff "$tmp/${f}_np1.h5" "$tmp/${f}_np$np.h5" > "$tmp/diff" 2>&1; ok $? "h5diff: ${f}_np1.h5 and ${f}_np$np.h5 hold the same datasets and attributes"
  done
done
/usr/bin/python3 - "$tmp" > "$tmp/h5py.out" 2>&1 <<'PY'
import os
import sys
import h5py
import numpy as np
sys.path.insert(0, os.environ["KN_SOURCE_ROOT"] + "/tests")
from check_model_h5py import fnv1a64

d = sys.argv[1]
for np_ in (1, 2, 4):
    for name, groups in (("random", ["/"]), ("layers", ["/", "/layer_001", "/more/layer_002"])):
        with h5py.File("%s/%s_np%d.h5" % (d, name, np_), "r") as f:
            for gname in groups:
                g = f[gname]
                src, dst = g["src"][...], g["dst"][...]
                E, N = int(g.attrs["num_edges"]), int(g.attrs["num_state_nodes"])
                good = (src.dtype == np.int64 and dst.dtype == np.int64 and src.shape == (E,) and dst.shape == (E,)
                        and src.min() >= 0 and dst.min() >= 0 and max(src.max(), dst.max()) <= N
                        and fnv1a64(src, dst) == g.attrs["edges_fnv1a64"])
                print("%d h5py: %s_np%d.h5:%s has int64 src/dst of %d edges in 0..%d and edges_fnv1a64 %s"
                      % (0 if good else 1, name, np_, gname, E, N, g.attrs["edges_fnv1a64"]))
PY
rc=$?
ok $rc "h5py read back every file ($(wc -l < "$tmp/h5py.out") groups)"
while read -r code msg; do ok "$code" "$msg"; done < <(grep -E '^[01] ' "$tmp/h5py.out")
echo "1..$n"
[ $failed -eq 0 ]
