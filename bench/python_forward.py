#!/usr/bin/python3
"""Python-call overhead of a forward sweep: the twomoon flow (B = 512, reversed sweep with log-density, the
log_density() path) through kirchhoffnet.Net.forward against the same sweep through the C API.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_forward.py [MODEL.h5] [--repeats 50]

Prints, per sweep: the C program build/bench/bench_forward (median, min), the raw library calls made from Python
through ctypes (KNNetForward + KNNetGetOutput + KNNetGetLogDensity on the same library net: what ctypes costs), and
Net.forward (argument checks, batching, output arrays), and the differences. The sweeps are interleaved so that the
load of a shared machine hits them alike. Figures only, never pass/fail.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

import kirchhoffnet as kn
from kirchhoffnet import _lib

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("model", nargs="?", default=os.path.join(here, "..", "tests", "data", "published", "twomoon.h5"))
ap.add_argument("--repeats", type=int, default=50)
ap.add_argument("--batch", type=int, default=512)
a = ap.parse_args()

net = kn.load(a.model)
x, _ = net.sample(a.batch, seed=22)  # the flow's own samples, as bench_forward draws them
B = a.batch
net.forward(x, reverse=True, logp=True, batch_size=B)  # builds the library net, warm-up
cn = net._cnet(B, True)
ob, lb = np.empty((B, cn.K)), np.empty(B)
xp, op, lp = [v.ctypes.data_as(_lib.RealPtr) for v in (np.ascontiguousarray(x), ob, lb)]
t_py, t_raw = [], []
for r in range(a.repeats):
    t0 = time.perf_counter()
    net.forward(x, reverse=True, logp=True, batch_size=B)
    t1 = time.perf_counter()
    _lib.lib.KNNetForward(cn.h, x.shape[1], xp, 1)
    _lib.lib.KNNetGetOutput(cn.h, op)
    _lib.lib.KNNetGetLogDensity(cn.h, lp)
    t2 = time.perf_counter()
    t_py.append(1e3 * (t1 - t0))
    t_raw.append(1e3 * (t2 - t1))
# the overhead itself, without the solve: the same Python code path around a library that returns at once
t0 = time.perf_counter()
for r in range(1000):
    xx = net._inputs(x, "forward")
    out, lpo = np.empty((B, cn.K)), np.empty(B)
    out[:] = ob
    lpo[:] = lb
t_wrap = 1e3 * (time.perf_counter() - t0) / 1000

exe = os.path.join(os.environ.get("KN_BUILD_ROOT", os.path.join(here, "..", "build")), "bench", "bench_forward")
c_line = ""
if os.path.exists(exe):
    args = [exe, a.model, "-batch", str(B), "-repeats", str(a.repeats), "-reverse", "-flow"] + (["-published"] if net.published else [])
    c_line = subprocess.run(args, capture_output=True, text=True).stdout.strip()
med = lambda v: float(np.median(v))
print("python_forward: %s, B %d, reversed flow sweep (forward(x, reverse=True, logp=True)), %d sweeps" % (os.path.basename(a.model), B, a.repeats))
if c_line:
    print("  " + c_line)
print("  raw ctypes calls        : median %.4f ms, min %.4f ms per sweep" % (med(t_raw), min(t_raw)))
print("  Net.forward             : median %.4f ms, min %.4f ms per sweep" % (med(t_py), min(t_py)))
print("  Net.forward - raw calls : median %+.4f ms, min %+.4f ms (%.2f%% of the sweep)" % (med(t_py) - med(t_raw), min(t_py) - min(t_raw), 100 * (min(t_py) - min(t_raw)) / min(t_raw)))
print("  Python wrapper alone (checks, arrays; no solve): %.4f ms per call" % t_wrap)
