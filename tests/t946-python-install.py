#!/usr/bin/python3
"""kirchhoffnet installed by meson: `meson install --destdir` puts the package in the prefix's python3 directory next
to its _paths.py; run from that stage (no KN_LIBRARY, no build tree on the path) it finds the staged library and
gives the build tree's numbers. TAP output."""
import glob
import os
import subprocess
import sys
import tempfile

import kirchhoffnet as kn
from kntap import Tap, published

t = Tap()
tmp = tempfile.mkdtemp(prefix="kn-t946-")
dest = os.path.join(tmp, "dest")
p = subprocess.run(["meson", "install", "-C", os.environ["KN_BUILD_ROOT"], "--no-rebuild", "--quiet", "--destdir", dest], capture_output=True, text=True)
inits = glob.glob(os.path.join(dest, "**", "kirchhoffnet", "__init__.py"), recursive=True)
t.ok(p.returncode == 0 and len(inits) == 1 and os.path.exists(os.path.join(os.path.dirname(inits[0]), "_paths.py")),
     "meson install puts kirchhoffnet/ (with _paths.py) in %s" % (os.path.relpath(os.path.dirname(inits[0]), dest) if inits else "(nothing: %s)" % p.stderr.strip()[-200:]))
if inits:
    site = os.path.dirname(os.path.dirname(inits[0]))
    env = {k: v for k, v in os.environ.items() if k not in ("KN_LIBRARY", "KN_BUILD_ROOT", "PYTHONPATH")}
    env["PYTHONPATH"] = site
    code = "import kirchhoffnet as kn; print(kn.__file__); print(kn._lib.lib._name); print(repr(kn.load(%r).sample(4, seed=5)[1].tolist()))" % published("twomoon")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp)
    lines = r.stdout.split("\n")
    ok = r.returncode == 0 and len(lines) >= 3 and lines[0].startswith(dest) and lines[1].startswith(dest)
    t.ok(ok and eval(lines[2]) == kn.load(published("twomoon")).sample(4, seed=5)[1].tolist(),
         "the staged package loads the staged library (%s) and samples as the build tree does" % (os.path.relpath(lines[1], dest) if ok else (r.stdout + r.stderr).strip()[-300:]))
subprocess.run(["rm", "-rf", tmp])
t.done()
