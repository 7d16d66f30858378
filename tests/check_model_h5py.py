#!/usr/bin/python3
"""Checks a KirchhoffNet model file (KNNetSave) with h5py: layout, types, shapes, attributes, edge checksum.

usage: /usr/bin/python3 tests/check_model_h5py.py model.h5   (exit 0 if the file is valid; messages on stderr)
"""
import sys

import h5py
import numpy as np

LAYER_ATTRS = {"device": str, "T": float, "num_nodes": int, "num_edges": int, "param_rows": int,
               "capacitance": float, "topology": str, "edges_fnv1a64": str}


def fnv1a64(src, dst):
    """FNV-1a 64-bit over the edges as consecutive little-endian int32 pairs (src, dst), edge 0 first."""
    pairs = np.empty(2 * len(src), dtype="<i4")
    pairs[0::2] = src
    pairs[1::2] = dst
    h = 0xCBF29CE484222325
    for byte in pairs.tobytes():
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def kind_ok(value, kind):
    if kind is str:
        return isinstance(value, str)
    if kind is int:
        return isinstance(value, np.int64)
    return isinstance(value, np.float64)


def check(path):
    errors = []
    with h5py.File(path, "r") as f:
        a = f.attrs
        if not isinstance(a.get("format"), str) or a["format"] != "kirchhoffnet-model":
            errors.append("root attribute format must be the str 'kirchhoffnet-model', got %r" % (a.get("format"),))
        for name in ("format_version", "layers", "flow"):
            if name not in a or not isinstance(a[name], np.int64):
                errors.append("root attribute %s must be an int64 scalar" % name)
        if errors:
            return errors
        if a["format_version"] != 1 or a["flow"] not in (0, 1):
            errors.append("format_version must be 1 and flow 0 or 1")
        D = int(a["layers"])
        groups = sorted(k for k in f.keys())
        if groups != ["layer_%03d" % i for i in range(D)]:
            errors.append("groups %s do not match layers = %d" % (groups, D))
            return errors
        for name in groups:
            g = f[name]
            for attr, kind in LAYER_ATTRS.items():
                if attr not in g.attrs or not kind_ok(g.attrs[attr], kind):
                    errors.append("%s: attribute %s missing or not %s" % (name, attr, kind.__name__))
            if errors:
                continue
            E, rows, N = int(g.attrs["num_edges"]), int(g.attrs["param_rows"]), int(g.attrs["num_nodes"])
            for ds, dtype, shape in (("src", np.int64, (E,)), ("dst", np.int64, (E,)), ("theta", np.float64, (E, rows))):
                if ds not in g or g[ds].dtype != dtype or g[ds].shape != shape:
                    errors.append("%s/%s must be %s %s" % (name, ds, np.dtype(dtype).name, shape))
            if errors:
                continue
            src, dst = g["src"][...], g["dst"][...]
            if E and (src.min() < 0 or dst.min() < 0 or src.max() > N or dst.max() > N):
                errors.append("%s: node ids outside 0..%d" % (name, N))
            if not np.all(np.isfinite(g["theta"][...])):
                errors.append("%s: theta is not finite" % name)
            if fnv1a64(src, dst) != g.attrs["edges_fnv1a64"]:
                errors.append("%s: edges_fnv1a64 %s but src/dst give %s" % (name, g.attrs["edges_fnv1a64"], fnv1a64(src, dst)))
            if not (g.attrs["T"] > 0 and g.attrs["capacitance"] > 0):
                errors.append("%s: T and capacitance must be positive" % name)
    return errors


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    errors = check(sys.argv[1])
    for e in errors:
        print("check_model_h5py: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
