#!/usr/bin/python3
"""Python-call overhead of a forward sweep: the twomoon flow (B = 512, reversed sweep with log-density, the
log_density() path) through kirchhoffnet.Net.forward against the same sweep through the C API.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_forward.py [MODEL.h5] [--repeats 50]

Prints, per sweep:
  - the C program build/bench/bench_forward (KNNetForward + KNNetGetOutput + KNNetGetLogDensity from C);
  - the same three library calls made from Python through ctypes on the Net's own library net;
  - Net.forward (argument checks, batching, output arrays, the same three calls);
with the model's dopri5 settings, and again with one fixed step per layer (-ts_adapt_type none -ts_dt 0.5), where
the sweep is cheap and the difference Net.forward - raw calls is the Python overhead itself. The two Python
timings are interleaved so that the load of a shared machine hits them alike. Last, the wrapper alone: Net.forward
against the raw calls with KNNetForward replaced by a no-op (2000 calls), the overhead in microseconds.
Figures only, never pass/fail.
"""
import argparse
import os
import subprocess
import time

import numpy as np

import kirchhoffnet as kn
from kirchhoffnet import _lib

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("model", nargs="?", default=os.path.join(here, "..", "tests", "data", "published", "twomoon.h5"))
ap.add_argument("--repeats", type=int, default=50)
ap.add_argument("--batch", type=int, default=512)
ap.add_argument("--threads", type=int, default=1, help="-kn_threads of both paths (1: least disturbed by a loaded machine)")
a = ap.parse_args()
kn.options({"kn_threads": a.threads})
B = a.batch
net = kn.load(a.model)
x, _ = net.sample(B, seed=22)  # the flow's own samples, as bench_forward draws them
exe = os.path.join(os.environ.get("KN_BUILD_ROOT", os.path.join(here, "..", "build")), "bench", "bench_forward")


def measure(label, extra):
    net.forward(x, reverse=True, logp=True, batch_size=B)  # builds the library net; warm-up
    cn = net._cnet(B, True)
    ob, lb = np.empty((B, cn.K)), np.empty(B)
    xc = np.ascontiguousarray(x)
    xp, op, lp = xc.ctypes.data_as(_lib.RealPtr), ob.ctypes.data_as(_lib.RealPtr), lb.ctypes.data_as(_lib.RealPtr)
    t_py, t_raw, c_py, c_raw = [], [], [], []
    for r in range(a.repeats):
        t0, u0 = time.perf_counter(), time.process_time()
        net.forward(x, reverse=True, logp=True, batch_size=B)
        t1, u1 = time.perf_counter(), time.process_time()
        _lib.lib.KNNetForward(cn.h, x.shape[1], xp, 1)
        _lib.lib.KNNetGetOutput(cn.h, op)
        _lib.lib.KNNetGetLogDensity(cn.h, lp)
        t2, u2 = time.perf_counter(), time.process_time()
        t_py.append(1e3 * (t1 - t0))
        t_raw.append(1e3 * (t2 - t1))
        c_py.append(1e3 * (u1 - u0))
        c_raw.append(1e3 * (u2 - u1))
    c_line = "(build/bench/bench_forward not built)"
    if os.path.exists(exe):
        args = [exe, a.model, "-batch", str(B), "-repeats", str(a.repeats), "-reverse", "-flow", "-kn_threads", str(a.threads)] + (["-published"] if net.published else []) + extra
        c_line = subprocess.run(args, capture_output=True, text=True).stdout.strip()
    med = lambda v: float(np.median(v))
    print("%s:" % label)
    print("  %s" % c_line)
    print("  raw calls from Python : median %8.4f ms, min %8.4f ms per sweep" % (med(t_raw), min(t_raw)))
    print("  Net.forward           : median %8.4f ms, min %8.4f ms per sweep" % (med(t_py), min(t_py)))
    d = np.array(t_py) - np.array(t_raw)
    print("  Net.forward - raw     : median %+8.4f ms, min %+8.4f ms (pairwise)" % (med(d), min(t_py) - min(t_raw)))
    print("  CPU time (this process, all threads): raw median %.4f ms, Net.forward median %.4f ms, difference %+.4f ms" % (med(c_raw), med(c_py), med(np.array(c_py) - np.array(c_raw))))


print("python_forward: %s, B %d, reversed flow sweep (Net.forward(x, reverse=True, logp=True)), %d sweeps each, %d thread(s)" % (os.path.basename(a.model), B, a.repeats, a.threads))
measure("the model's solver settings", [])
kn.options({"ts_adapt_type": "none", "ts_dt": 0.5, "kn_threads": a.threads})
measure("one fixed dopri5 step per layer (the sweep is cheap: the difference is the Python overhead)", ["-ts_adapt_type", "none", "-ts_dt", "0.5"])

# The wrapper alone, precisely: the solve replaced by a no-op (the readout calls stay real), 2000 calls each.
cn = net._cnet(B, True)
ob, lb = np.empty((B, cn.K)), np.empty(B)
op, lp = ob.ctypes.data_as(_lib.RealPtr), lb.ctypes.data_as(_lib.RealPtr)
real_forward = _lib.lib.KNNetForward
_lib.lib.KNNetForward = lambda *args: 0
try:
    n = 2000
    t0 = time.perf_counter()
    for r in range(n):
        net.forward(x, reverse=True, logp=True, batch_size=B)
    t1 = time.perf_counter()
    for r in range(n):
        _lib.lib.KNNetForward(cn.h, x.shape[1], op, 1)
        _lib.lib.KNNetGetOutput(cn.h, op)
        _lib.lib.KNNetGetLogDensity(cn.h, lp)
    t2 = time.perf_counter()
finally:
    _lib.lib.KNNetForward = real_forward
print("the wrapper alone (KNNetForward a no-op, %d calls): Net.forward %.1f us, the raw calls %.1f us: overhead %.1f us per call"
      % (n, 1e6 * (t1 - t0) / n, 1e6 * (t2 - t1) / n, 1e6 * ((t1 - t0) - (t2 - t1)) / n))
