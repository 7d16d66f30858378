#!/usr/bin/python3
"""python/examples/train_twomoon.py (Python loop, numpy AdamW, vjp gradients) runs 8 iterations: the NLL falls and the
saved model loads with the trained parameters. TAP output."""
import os
import re
import subprocess
import sys
import tempfile

import kirchhoffnet as kn
from kntap import Tap, published

t = Tap()
tmp = tempfile.mkdtemp()
ex = os.path.join(os.environ["KN_SOURCE_ROOT"], "python", "examples", "train_twomoon.py")
p = subprocess.run([sys.executable, ex, "8", published("twomoon")], cwd=tmp, capture_output=True, text=True)
nll = [float(v) for v in re.findall(r"NLL ([0-9.eE+-]+)", p.stdout)]
t.ok(p.returncode == 0 and p.stderr == "" and len(nll) == 2 and nll[1] < nll[0], "8 AdamW iterations: NLL %s falls (exit %d)" % (nll, p.returncode))
saved = os.path.join(tmp, "twomoon-python.h5")
ok = os.path.exists(saved) and kn.load(saved).num_parameters == 1800
t.ok(ok and not all((a == b).all() for a, b in zip(kn.load(saved).parameters, kn.load(published("twomoon")).parameters)), "the trained model is saved and loads (1800 parameters, not the published ones)")
t.done()
