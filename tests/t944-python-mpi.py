#!/usr/bin/python3
"""kirchhoffnet under MPI: tests/kn_mpi_calls.py (forward, log_density, sample, vjp, trajectory of the twomoon flow)
on 1 rank (PETSc starts MPI) and under mpiexec -n 2 with mpi4py imported first: the 2-rank numbers are the 1-rank
numbers to rounding and the same on both ranks. TAP output."""
import os
import subprocess
import sys
import tempfile

import numpy as np

from kntap import Tap, relerr

t = Tap()
tmp = tempfile.mkdtemp()
helper = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kn_mpi_calls.py")
p1 = subprocess.run([sys.executable, helper, os.path.join(tmp, "r1.npz")], capture_output=True, text=True)
p2 = subprocess.run(["mpiexec", "-n", "2", sys.executable, helper, os.path.join(tmp, "r2.npz"), "mpi4py"], capture_output=True, text=True)
t.ok(p1.returncode == 0 and p2.returncode == 0, "the helper runs on 1 rank and on 2 ranks with mpi4py (exit %d, %d)%s" % (p1.returncode, p2.returncode, (": " + (p1.stderr + p2.stderr).strip()[-300:]) if p1.returncode or p2.returncode else ""))
if os.path.exists(os.path.join(tmp, "r1.npz")) and os.path.exists(os.path.join(tmp, "r2.npz")):
    r1, r2 = np.load(os.path.join(tmp, "r1.npz")), np.load(os.path.join(tmp, "r2.npz"))
    t.ok(int(r1["size"][0]) == 1 and int(r2["size"][0]) == 2 and int(r2["same_on_all_ranks"][0]) == 1, "kn.size() is 1 and 2; both ranks got the same arrays")
    for k, what in (("out", "forward(reverse, logp) z"), ("lp", "forward(reverse, logp) lp"), ("fwd", "forward"), ("logpx", "log_density"),
                    ("xs", "sample x"), ("lq", "sample log q"), ("g0", "vjp dL/dtheta layer 0"), ("g1", "vjp dL/dtheta layer 1"),
                    ("dx", "vjp dL/dx"), ("traj", "trajectory")):
        e = relerr(r2[k], r1[k])
        t.ok(e <= 1e-11, "%s on 2 ranks = 1 rank: rel err %.1e" % (what, e))
else:
    t.ok(False, "both runs wrote their results")
t.done()
