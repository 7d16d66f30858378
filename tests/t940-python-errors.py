#!/usr/bin/python3
"""kirchhoffnet errors: a bad path, a bad file, a misspelled option, a bad option value, bad inputs and an unwritable
output raise KNError with knet's one-line message, print nothing, and the interpreter and the library go on (the
numbers after all of them equal the ones before). TAP output."""
import glob
import os
import sys
import tempfile

import numpy as np

import kirchhoffnet as kn
from kntap import Tap, knet, published


class StderrCapture:
    """Collects what the process writes to fd 2 (C code included) inside the with block."""

    def __enter__(self):
        sys.stderr.flush()
        self.f = tempfile.TemporaryFile()
        self.saved = os.dup(2)
        os.dup2(self.f.fileno(), 2)
        return self

    def __exit__(self, *exc):
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.f.seek(0)
        self.text = self.f.read().decode(errors="replace")
        self.f.close()


def raises(fn):
    """The KNError fn raises (None if it returns), and what the process printed on stderr meanwhile."""
    with StderrCapture() as cap:
        try:
            fn()
            err = None
        except kn.KNError as e:
            err = e
    return err, cap.text


def cli_message(*args):
    """knet's one-line error message: the text after 'knet CMD: ' on the first line of its stderr."""
    p = knet(*args, check=False)
    prefix = "knet %s: " % args[0]
    line = [l for l in p.stderr.splitlines() if l.startswith(prefix)]
    return p.returncode, (line[0][len(prefix):] if line else p.stderr)


t = Tap()
tmp = tempfile.mkdtemp()
missing = os.path.join(tmp, "missing.h5")
net = kn.load(published("twomoon"))
x = np.array([[0.5, 0.25], [1.0, -0.3], [-0.7, 0.8]])
before = net.forward(x, reverse=True, logp=True)

err, text = raises(lambda: kn.load(missing))
rc, msg = cli_message("info", missing)
t.ok(err is not None and str(err) == msg and rc != 0, "a missing model file raises KNError with knet's message: %r" % (str(err),))
t.ok(text == "", "... and prints nothing on stderr")

garbage = os.path.join(tmp, "garbage.h5")
with open(garbage, "wb") as f:
    f.write(np.random.default_rng(1).bytes(3000))
err, text = raises(lambda: kn.load(garbage))
rc, msg = cli_message("info", garbage)
t.ok(err is not None and str(err) == msg and "garbage.h5" in str(err) and text == "", "a corrupt model file raises knet's message naming it: %r" % (str(err),))

kn.options({"ts_rtoll": 1e-6})
err, text = raises(lambda: net.forward(x))
t.ok(err is not None and "-ts_rtoll" in str(err) and text == "", "a misspelled option raises KNError naming it: %r" % (str(err),))
kn.options({"ts_rtoll": None, "ts_type": "bogus"})
err, text = raises(lambda: net.forward(x))
csv = os.path.join(tmp, "x.csv")
np.savetxt(csv, x, delimiter=",", header="a,b", comments="")
rc, msg = cli_message("eval", published("twomoon"), "-kn_input", csv, "-ts_type", "bogus")
t.ok(err is not None and str(err) == msg and text == "", "a bad option value raises knet's message: %r" % (str(err),))
kn.options({"ts_type": None, "ts_rtol": "abc"})
err, text = raises(lambda: net.sample(4))
t.ok(err is not None and "abc" in str(err) and text == "", "a non-numeric tolerance raises: %r" % (str(err),))
kn.options({"ts_rtol": None})

err, _ = raises(lambda: net.forward(np.zeros((2, 5))))
t.ok(err is not None and "5 features" in str(err), "too many input features raise: %r" % (str(err),))
err, text = raises(lambda: net.forward(np.array([[np.nan, 0.0]])))
t.ok(err is not None and text == "", "a NaN input raises the library's error: %r" % (str(err),))
err, _ = raises(lambda: setattr(net, "parameters", [np.zeros(3)] * 2))
t.ok(err is not None and "900 values" in str(err), "parameters of the wrong size raise: %r" % (str(err),))
target = os.path.join(tmp, "no", "such", "dir", "m.h5")
err, text = raises(lambda: net.save(target))
t.ok(err is not None and "m.h5" in str(err) and not os.path.exists(os.path.dirname(target)) and text == "", "saving into a missing directory raises and creates nothing: %r" % (str(err),))
err, _ = raises(lambda: net.sample(0))
t.ok(err is not None and "at least 1" in str(err), "sample(0) raises: %r" % (str(err),))

leakcheck = """
import numpy as np, kirchhoffnet as kn
kn.options({"malloc_dump": ""})
net = kn.load(%r)
x = net.sample(6, seed=2)[0]
net.vjp(x, x, np.ones(6), reverse=True); net.trajectory(x[:2], times=[0, 0.5])
kn.options({"ts_rtoll": 1})
for call in (lambda: net.forward(x), lambda: kn.load(%r)):
    try: call()
    except kn.KNError: pass
kn.options({"ts_rtoll": None})
for call in (lambda: net.forward(np.array([[np.nan, 0.0]])), lambda: net.save("/no/such/dir/m.h5")):
    try: call()
    except kn.KNError: pass
print("done")
""" % (published("twomoon"), garbage)
import subprocess
p = subprocess.run([sys.executable, "-c", leakcheck], capture_output=True, text=True)
t.ok(p.returncode == 0 and p.stdout.strip() == "done" and p.stderr == "", "under -malloc_dump no PETSc memory is left at exit after calls and errors (unused option, bad file, failed solve, bad save)%s" % ("" if p.stdout.strip() == "done" else ": " + (p.stdout + p.stderr)[-300:]))

src = os.path.join(os.environ["KN_SOURCE_ROOT"], "python")
env = dict(os.environ, PYTHONPATH=src, KN_LIBRARY=glob.glob(os.path.join(os.environ["KN_BUILD_ROOT"], "libkirchhoffnet.so*[0-9]"))[0])
p = subprocess.run([sys.executable, "-c", "import kirchhoffnet as kn; print(kn.__file__); print(repr(kn.load(%r).sample(5, seed=4)[1].tolist()))" % published("twomoon")], capture_output=True, text=True, env=env)
lines = p.stdout.split("\n")
t.ok(p.returncode == 0 and lines[0].startswith(src) and eval(lines[1]) == net.sample(5, seed=4)[1].tolist(), "the source python/ directory with KN_LIBRARY works too (same samples)")

after = net.forward(x, reverse=True, logp=True)
t.ok(all(np.array_equal(a, b) for a, b in zip(before, after)), "after every error the same call gives the same numbers bit for bit")
t.done()
