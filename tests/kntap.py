"""TAP output for the Python tests (printed by rank 0 of the library's communicator); exit status 1 on a failure."""
import os
import subprocess
import sys

import numpy as np


class Tap:
    def __init__(self, quiet=False):
        self.n, self.failed, self.quiet = 0, 0, quiet

    def ok(self, cond, text):
        self.n += 1
        self.failed += 0 if cond else 1
        if not self.quiet:
            print("%s %d - %s" % ("ok" if cond else "not ok", self.n, text), flush=True)
        return cond

    def done(self):
        if not self.quiet:
            print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


def relerr(a, b):
    """max |a - b| / max(max |b|, 1e-300), elementwise over whole arrays."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return np.inf
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-300)) if a.size else 0.0


def knet(*args, ranks=1, check=True):
    """Runs build/knet (under mpiexec -n ranks if ranks > 1); returns the CompletedProcess."""
    exe = os.path.join(os.environ["KN_BUILD_ROOT"], "knet")
    cmd = (["mpiexec", "-n", str(ranks)] if ranks > 1 else []) + [exe] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p


def read_csv(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def write_csv(path, x):
    np.savetxt(path, x, delimiter=",", header=",".join("x%d" % i for i in range(x.shape[1])), comments="", fmt="%.17g")


def published(name):
    return os.path.join(os.environ["KN_PUBLISHED_DIR"], name + ".h5")
