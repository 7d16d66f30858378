#!/usr/bin/python3
"""kirchhoffnet against the knet command line on the same inputs: forward and log-density of the published twomoon
flow and of the published MNIST model (knet eval -kn_flow [-kn_reverse]), samples with a seed (knet sample), the
generation NLL, trajectories (knet eval -kn_trajectory, read back by h5py), inspection against the file (h5py), and
save/load/parameter writes (knet eval of the saved file). TAP output."""
import os
import tempfile

import h5py
import numpy as np

import kirchhoffnet as kn
from kntap import Tap, knet, published, read_csv, relerr, write_csv

TOL = 1e-12  # the same library calls on the same batches: equal to rounding (in practice bit for bit)
t = Tap()
tmp = tempfile.mkdtemp()


def solver_args(path):
    """knet eval loads a published file with the library's default solver settings, knet sample and the Python
    package with the file's own (KNPublishedSetSolverOptions()); give them to knet eval explicitly."""
    with h5py.File(path, "r") as f:
        tol, dt, dtmin = (float(f.attrs[k]) for k in ("tol", "first_step", "min_step"))
    return ["-ts_type", "rk", "-ts_rk_type", "5dp", "-ts_rtol", repr(tol), "-ts_atol", repr(tol), "-ts_dt", repr(dt), "-ts_adapt_dt_min", repr(dtmin)]


# --- twomoon: inspection -----------------------------------------------------------------------------------------
tm = published("twomoon")
net = kn.load(tm)
with h5py.File(tm, "r") as f:
    theta = [f["layer_%03d/theta" % i][()].astype(np.float64).T for i in range(2)]
t.ok(len(net.layers) == 2 and net.flow and net.num_parameters == 1800 and all(L.device == "shift_tanh2" and L.num_edges == 300 and L.rows == 3 and L.T == 0.5 for L in net.layers),
     "twomoon: 2 layers of 300 shift_tanh2 edges, T 0.5, 1800 parameters, a flow")
t.ok(all(np.array_equal(a, b) for a, b in zip(net.parameters, theta)), "parameters equal the file's theta (h5py, [E, rows])")
info = knet("info", tm).stdout
t.ok(all(str(L.num_edges) in info for L in net.layers) and net.layers[0].src.shape == (300,) and set(np.unique(net.layers[0].dst)) <= {0, 1, 2}, "edges: src/dst int arrays of the layer's nodes")

# --- twomoon: forward, log-density, NLL ------------------------------------------------------------------------
rng = np.random.default_rng(5)
x = np.concatenate([rng.normal(size=(300, 2)) * 0.8, rng.uniform(-1, 2, size=(100, 2))])
write_csv(os.path.join(tmp, "x.csv"), x)
for rev in (False, True):
    knet("eval", tm, "-kn_input", os.path.join(tmp, "x.csv"), "-kn_output", os.path.join(tmp, "o.csv"), "-kn_flow", *(["-kn_reverse"] if rev else []), *solver_args(tm))
    cli = read_csv(os.path.join(tmp, "o.csv"))
    out, lp = net.forward(x, reverse=rev, logp=True)
    e = max(relerr(out, cli[:, :2]), relerr(lp, cli[:, 2]))
    t.ok(e <= TOL, "twomoon forward(x, reverse=%s, logp=True) = knet eval -kn_flow%s on 400 inputs (2 batches of 256): rel err %.1e" % (rev, " -kn_reverse" if rev else "", e))
logpx = net.log_density(x, batch_size=256)
z, lpc = cli[:, :2], cli[:, 2]
ref = -0.5 * np.sum(z * z, axis=1) - np.log(2 * np.pi) - lpc
t.ok(relerr(logpx, ref) <= TOL, "log_density = log N(z) - lp of knet eval -kn_reverse -kn_flow: rel err %.1e" % relerr(logpx, ref))
xs = net.sample(1000, seed=42)[0]  # data of the flow's own distribution, for the task metric
write_csv(os.path.join(tmp, "xs.csv"), xs)
knet("eval", tm, "-kn_input", os.path.join(tmp, "xs.csv"), "-kn_output", os.path.join(tmp, "os.csv"), "-kn_flow", "-kn_reverse", "-kn_batch_size", "512", *solver_args(tm))
cli = read_csv(os.path.join(tmp, "os.csv"))
nll_cli = np.mean(0.5 * np.sum(cli[:, :2] ** 2, axis=1) + np.log(2 * np.pi) + cli[:, 2])
nll = -np.mean(net.log_density(xs))
t.ok(abs(nll - nll_cli) <= 1e-12 * abs(nll_cli) and 0.5 < nll < 2, "generation NLL of 1000 flow samples (batches of 512) %.6f = knet eval's %.6f" % (nll, nll_cli))

# --- twomoon: samples -------------------------------------------------------------------------------------------
for n, seed in ((600, 7), (5, 22)):
    knet("sample", tm, "-kn_samples", n, "-kn_seed", seed, "-kn_output", os.path.join(tmp, "s.csv"))
    cli = read_csv(os.path.join(tmp, "s.csv"))
    xs, lq = net.sample(n, seed=seed)
    e = max(relerr(xs, cli[:, :2]), relerr(lq, cli[:, 2]))
    t.ok(e <= TOL, "sample(%d, seed=%d) = knet sample -kn_samples %d -kn_seed %d (samples and log q): rel err %.1e" % (n, seed, n, seed, e))

# --- twomoon: trajectories --------------------------------------------------------------------------------------
xt = x[:6]
write_csv(os.path.join(tmp, "xt.csv"), xt)
for times in (None, [0.0, 0.1, 0.25, 0.5]):
    extra = ["-kn_trajectory_times", ",".join(map(str, times))] if times else []
    knet("eval", tm, "-kn_input", os.path.join(tmp, "xt.csv"), "-kn_output", os.path.join(tmp, "ot.csv"), "-kn_trajectory", os.path.join(tmp, "t.h5"), "-kn_trajectory_samples", "0-6", *extra, *solver_args(tm))
    tr = net.trajectory(xt, times=times)
    with h5py.File(os.path.join(tmp, "t.h5"), "r") as f:
        same = all(np.array_equal(tr[i]["t"], f["layer_%03d/t" % i][()]) and relerr(tr[i]["v"], f["layer_%03d/v" % i][()]) <= TOL for i in range(2))
        shape = tr[1]["v"].shape
    final = net.forward(xt)
    t.ok(same and shape[1:] == (6, 2) and relerr(tr[1]["v"][-1], final) <= TOL, "trajectory(x, times=%s) = knet eval -kn_trajectory (%d times), its last point is forward(x)" % (times, shape[0]))

# --- save, load, parameter writes -------------------------------------------------------------------------------
out_orig = net.forward(x[:50])
params = net.parameters
params[0] *= 1.01
net.parameters = params
out_mod = net.forward(x[:50])
saved = os.path.join(tmp, "m.h5")
net.save(saved)
again = kn.load(saved)
write_csv(os.path.join(tmp, "x50.csv"), x[:50])
kn.options({"ts_dt": 1e-3, "ts_adapt_dt_min": 1e-6})  # the published settings (tol 1e-4 is the library default)
knet("eval", saved, "-kn_input", os.path.join(tmp, "x50.csv"), "-kn_output", os.path.join(tmp, "o50.csv"), "-ts_dt", "1e-3", "-ts_adapt_dt_min", "1e-6")
cli = read_csv(os.path.join(tmp, "o50.csv"))
t.ok(relerr(out_mod, out_orig) > 1e-4 and relerr(again.forward(x[:50]), out_mod) <= TOL and relerr(cli, out_mod) <= TOL and all(np.array_equal(a, b) for a, b in zip(again.parameters, params)),
     "written parameters change the output; save() + load() and knet eval of the saved file reproduce it")
kn.options(replace=True)
chk = os.path.join(os.environ["KN_SOURCE_ROOT"], "tests", "check_model_h5py.py")
t.ok(os.system("/usr/bin/python3 %s %s" % (chk, saved)) == 0 and not kn.load(saved).published, "the saved file is a valid knet model file (tests/check_model_h5py.py)")

# --- MNIST ------------------------------------------------------------------------------------------------------
mn = published("mnist")
kn.options({"kn_readout_last": 10})
mnet = kn.load(mn)
xm = np.random.default_rng(3).random((3, 784))
write_csv(os.path.join(tmp, "xm.csv"), xm)
knet("eval", mn, "-kn_input", os.path.join(tmp, "xm.csv"), "-kn_output", os.path.join(tmp, "om.csv"), "-kn_readout_last", "10", "-kn_flow", *solver_args(mn))
cli = read_csv(os.path.join(tmp, "om.csv"))
out, lp = mnet.forward(xm, logp=True)
e = max(relerr(out, cli[:, :10]), relerr(lp, cli[:, 10]))
t.ok(e <= TOL and out.shape == (3, 10) and list(mnet.readout) == list(range(825, 835)), "MNIST forward(x, logp=True) (10 logits, log-density) = knet eval -kn_readout_last 10 -kn_flow: rel err %.1e" % e)
kn.options(replace=True)
t.done()
