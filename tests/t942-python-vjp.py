#!/usr/bin/python3
"""kirchhoffnet.Net.vjp: dL/dtheta and dL/dx of the exact adjoint against central differences of forward() (fixed
steps, so that the loss is smooth in theta and x), and the NLL gradient against the library's own generation task
(KNTaskComputeBatch through the C API) with the published adaptive dopri5 settings. TAP output."""
import ctypes
import os
import tempfile

import numpy as np

import kirchhoffnet as kn
from kirchhoffnet import _lib
from kntap import Tap, published, relerr, write_csv

t = Tap()
tm = published("twomoon")
x = np.array([[0.5, 0.25], [1.0, -0.3], [-0.7, 0.8], [0.1, 1.2]])
n = x.shape[0]
c = 0.3 + 0.1 * np.arange(2 * n).reshape(n, 2)  # L = sum c*out + sum a*lp
a = 1.0 + 0.5 * np.arange(n)

# --- central differences, fixed steps -----------------------------------------------------------------------
kn.options({"ts_adapt_type": "none", "ts_dt": 0.05})
net = kn.load(tm)


def loss(net, x, reverse, flow):
    if flow:
        out, lp = net.forward(x, reverse=reverse, logp=True)
        return float(np.sum(c * out) + np.sum(a * lp))
    return float(np.sum(c * net.forward(x, reverse=reverse)))


h = 1e-6
rng = np.random.default_rng(11)
for reverse, flow in ((True, True), (False, False)):
    g, dx = net.vjp(x, c, a if flow else None, reverse=reverse)
    theta = net.parameters
    picks = [(int(rng.integers(2)), int(rng.integers(300)), int(rng.integers(3))) for _ in range(24)]
    fd, ad = [], []
    for (i, e, r) in picks:
        for s in (+1, -1):
            th = [p.copy() for p in theta]
            th[i][e, r] += s * h
            net.parameters = th
            fd.append(loss(net, x, reverse, flow) * s)
        fd[-2] = (fd[-2] + fd[-1]) / (2 * h)
        fd.pop()
        ad.append(g[i][e, r])
    net.parameters = theta
    fdx = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[k] += h
        xm[k] -= h
        fdx[k] = (loss(net, xp, reverse, flow) - loss(net, xm, reverse, flow)) / (2 * h)
    et, ex = relerr(ad, fd), relerr(dx, fdx)
    t.ok(et <= 1e-6 and ex <= 1e-6 and [p.shape for p in g] == [(300, 3), (300, 3)],
         "vjp (%s sweep%s, rk 5dp fixed steps) against central differences: dL/dtheta rel err %.1e over 24 parameters, dL/dx %.1e" % ("reversed" if reverse else "forward", ", with log-density" if flow else "", et, ex))

# callable form, batching
res = net.vjp(x, c, a, reverse=True)
res2 = net.vjp(x, lambda out, lp: (c, a), reverse=True)
out, lp = net.forward(x, reverse=True, logp=True)
t.ok(all(np.array_equal(p, q) for p, q in zip(res[0], res2[0])) and np.array_equal(res[1], res2[1]) and np.array_equal(res2.out, out) and np.array_equal(res2.logp, lp),
     "vjp with a function of the outputs = vjp with the arrays, bit for bit; .out/.logp = forward()")
halves = [net.vjp(x[k:k + 2], c[k:k + 2], a[k:k + 2], reverse=True) for k in (0, 2)]
b2 = net.vjp(x, c, a, reverse=True, batch_size=2)
t.ok(all(relerr(p, q + r) <= 1e-14 for p, q, r in zip(b2[0], halves[0][0], halves[1][0])) and np.array_equal(b2[1], np.concatenate([halves[0][1], halves[1][1]])),
     "vjp over 2 batches = the sum of the batches' dL/dtheta and their dL/dx rows")

# --- the NLL gradient of the library's generation task (C API), adaptive dopri5 ----------------------------------
kn.options(replace=True)
net = kn.load(tm)
m = 64
xs, _ = net.sample(m, seed=3)
res = net.vjp(xs, lambda z, lp: (z / m, np.full(len(lp), 1.0 / m)), reverse=True, batch_size=m)
nll = -np.mean(net.log_density(xs, batch_size=m))

lib = _lib.lib


class Tally(ctypes.Structure):
    _fields_ = [("n", _lib.PetscInt), ("loss", _lib.PetscReal), ("top1", _lib.PetscInt), ("top5", _lib.PetscInt)]


H, P = _lib.Handle, ctypes.POINTER(_lib.Handle)
for name, args in (("KNTaskCreate", [_lib.MPI_Comm, P]), ("KNTaskSetType", [H, ctypes.c_char_p]), ("KNTaskSetUpNet", [H, H, H]),
                   ("KNTaskComputeBatch", [H, H, _lib.PetscInt, _lib.RealPtr, _lib.RealPtr, _lib.PetscInt64, H, ctypes.POINTER(Tally)]),
                   ("KNTaskDestroy", [P]), ("KNDatasetLoadCSV", [_lib.MPI_Comm, ctypes.c_char_p, _lib.PetscInt, P]), ("KNDatasetDestroy", [P])):
    getattr(lib, name).argtypes = args
tmp = tempfile.mkdtemp()
write_csv(os.path.join(tmp, "xs.csv"), xs)
cn = net._cnet(m, True)
task, ds, grad, tally = H(), H(), H(), Tally()
comm = _lib.comm_world()
_lib.call("KNDatasetLoadCSV", comm, os.path.join(tmp, "xs.csv").encode(), 0, ctypes.byref(ds))
_lib.call("KNTaskCreate", comm, ctypes.byref(task))
_lib.call("KNTaskSetType", task, b"generation")
_lib.call("KNTaskSetUpNet", task, cn.h, ds)
_lib.call("KNNetCreateParameterVec", cn.h, ctypes.byref(grad))
_lib.call("KNTaskComputeBatch", task, cn.h, m, np.ascontiguousarray(xs).ctypes.data_as(_lib.RealPtr), None, 0, grad, ctypes.byref(tally))
ref = cn.gradient_to_graph_order(grad)
e = max(relerr(p.reshape(-1), q) for p, q in zip(res[0], ref))
t.ok(e <= 1e-12 and abs(tally.loss / tally.n - nll) <= 1e-12 * abs(nll), "NLL gradient from vjp = KNTaskComputeBatch's (generation task, C API), rel err %.1e; NLL %.6f = %.6f" % (e, nll, tally.loss / tally.n))
_lib.call("VecDestroy", ctypes.byref(grad))
_lib.call("KNTaskDestroy", ctypes.byref(task))
_lib.call("KNDatasetDestroy", ctypes.byref(ds))
t.done()
