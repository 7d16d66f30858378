#!/usr/bin/python3
"""Helper of t944: the package's calls on the twomoon flow, saved by rank 0 to argv[1] (.npz). With argv[2] ==
"mpi4py", mpi4py is imported first (MPI started by mpi4py) and every rank checks that it got rank 0's numbers."""
import sys

if len(sys.argv) > 2 and sys.argv[2] == "mpi4py":
    from mpi4py import MPI
import numpy as np

import kirchhoffnet as kn
from kntap import published

net = kn.load(published("twomoon"))
rng = np.random.default_rng(5)
x = rng.normal(size=(300, 2))
r = {}
r["out"], r["lp"] = net.forward(x, reverse=True, logp=True)
r["fwd"] = net.forward(x[:40])
r["logpx"] = net.log_density(x)
r["xs"], r["lq"] = net.sample(700, seed=9)
g, r["dx"] = net.vjp(x[:64], lambda z, lp: (z / 64, np.full(len(lp), 1 / 64)), reverse=True)
r["g0"], r["g1"] = g
r["traj"] = net.trajectory(x[:5], times=[0, 0.2, 0.5])[1]["v"]
r["size"] = np.array([kn.size()])
if len(sys.argv) > 2:
    comm = MPI.COMM_WORLD
    same = all(np.array_equal(v, comm.bcast(v, root=0)) for v in r.values())
    r["same_on_all_ranks"] = np.array([comm.allreduce(int(same), op=MPI.MIN)])
if kn.rank() == 0:
    np.savez(sys.argv[1], **r)
