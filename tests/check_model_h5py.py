#!/usr/bin/python3
"""Checks a KirchhoffNet model file (KNNetSave) with h5py: layout, types, shapes, attributes, edge checksum, and the
records (task, readout, scaling, options, version; include/kn/knio.h) where present.

usage: /usr/bin/python3 tests/check_model_h5py.py [--records] model.h5   (exit 0 if the file is valid; messages on stderr)
  --records: the records knet train writes must be there (knet_version, knet_git, task, readout, options); prints
             them as "key: value" lines on stdout
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


def check(path, require=False):
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
        groups = sorted(k for k in f.keys() if k.startswith("layer_"))
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
        if not errors:
            errors += check_records(f, int(f["layer_%03d" % (D - 1)].attrs["num_nodes"]), require)
    return errors


def fixed_string(value):
    """A fixed-length string attribute reads as numpy bytes in h5py (a vlen one as str)."""
    return isinstance(value, (bytes, np.bytes_))


def check_records(f, N, require):
    errors, a = [], f.attrs
    say = print if require else (lambda *args: None)
    extra = sorted(set(f.keys()) - {k for k in f.keys() if k.startswith("layer_")} - {"readout", "scaling", "options"})
    if extra:
        errors.append("unexpected root objects %s" % extra)
    for name in ("knet_version", "knet_git", "task"):
        if name in a:
            if not fixed_string(a[name]):
                errors.append("root attribute %s must be a fixed-length string" % name)
            else:
                say("%s: %s" % (name, a[name].decode()))
        elif require:
            errors.append("root attribute %s missing" % name)
    if "task" in a and a["task"].decode() not in ("regression", "classification", "generation", "density"):
        errors.append("task %r is not a knet task" % a["task"])
    if "readout" in f:
        r = f["readout"]
        if r.dtype != np.int64 or r.ndim != 1 or r.shape[0] < 1 or r[...].min() < 1 or r[...].max() > N:
            errors.append("readout must be int64 [K] node ids in 1..%d" % N)
        else:
            say("readout: %s" % ",".join(str(int(v)) for v in r[...]))
    elif require:
        errors.append("readout missing")
    if "scaling" in f:
        g = f["scaling"]
        if not fixed_string(g.attrs.get("type")) or g.attrs["type"] != b"minmax":
            errors.append("scaling/type must be the fixed-length string minmax")
        for part in ("feature", "target"):
            lo, hi = part + "_min", part + "_max"
            if (lo in g) != (hi in g) or (part == "feature" and lo not in g):
                errors.append("scaling/%s and %s must come together (features always)" % (lo, hi))
                continue
            if lo not in g:
                continue
            x, y = g[lo], g[hi]
            if x.dtype != np.float64 or y.dtype != np.float64 or x.ndim != 1 or x.shape != y.shape or np.any(x[...] > y[...]):
                errors.append("scaling/%s, %s must be float64 [n] with min <= max" % (lo, hi))
            else:
                say("scaling %s: %d columns" % (part, x.shape[0]))
    if "options" in f:
        o = f["options"]
        if o.dtype.kind != "S" or o.ndim != 1 or not all(s.startswith(b"-") for s in o[...]):
            errors.append("options must be fixed-length strings [lines], each '-key value'")
        else:
            say("options: %d lines" % o.shape[0])
    elif require:
        errors.append("options missing")
    return errors


def main():
    args = sys.argv[1:]
    require = "--records" in args
    args = [x for x in args if x != "--records"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.argv[1:] = args
    errors = check(sys.argv[1], require)
    for e in errors:
        print("check_model_h5py: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
