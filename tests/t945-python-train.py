#!/usr/bin/python3
"""kirchhoffnet.train: a tiny generation run from a YAML file and from a dict returns the run directory; its
metrics.csv and model.h5 equal those of `knet train` with the same options; a bad option raises KNError and nothing
of the run's options stays behind. TAP output."""
import os
import sys
import tempfile

import numpy as np

import kirchhoffnet as kn
from kntap import Tap, knet

t = Tap()
tmp = tempfile.mkdtemp()
yaml = os.path.join(tmp, "tiny.yaml")
with open(yaml, "w") as f:
    f.write("""kn:
  task_type: generation
  data: twomoon
  data_size: 512
  t_end: [0.0, 0.5, 1.0]
  topology: {type: fc, num_node: 3, repeat: [3, 3]}
  device_type: shift_tanh2
  optim: {lr: 1.0e-2}
  train: {batch_size: 256, epochs: 2}
ts: {type: rk, rk_type: 5dp, rtol: 1.0e-4, atol: 1.0e-4, dt: 1.0e-3, adapt_dt_min: 1.0e-6}
""")


def quiet(fn, *args, **kw):
    """fn(...) with the trainer's progress lines (C stdout) sent to a log file, away from the TAP stream."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.path.join(tmp, "train.log"), "ab") as log:
        os.dup2(log.fileno(), 1)
        try:
            return fn(*args, **kw)
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def losses(run):
    rows = np.genfromtxt(os.path.join(run, "metrics.csv"), delimiter=",", names=True)
    return np.atleast_1d(rows["loss"])


knet("train", "-options_file", yaml, "-kn_run_dir", os.path.join(tmp, "cli"))
run = quiet(kn.train, yaml, kn_run_dir=os.path.join(tmp, "py"))
ref, got = losses(os.path.join(tmp, "cli")), losses(run)
same = all(np.array_equal(a, b) for a, b in zip(kn.load(os.path.join(run, "model.h5")).parameters, kn.load(os.path.join(tmp, "cli", "model.h5")).parameters))
t.ok(run == os.path.join(tmp, "py") and len(got) == 2 and np.array_equal(got, ref) and same, "train(yaml) returns the run directory; losses %s and model.h5 equal knet train's" % got)

opts = {"kn_task_type": "generation", "kn_data": "twomoon", "kn_data_size": 512, "kn_t_end": [0.0, 0.5, 1.0], "kn_topology_type": "fc",
        "kn_topology_num_node": 3, "kn_topology_repeat": [3, 3], "kn_device_type": "shift_tanh2", "kn_optim_lr": 1e-2,
        "kn_train_batch_size": 256, "kn_train_epochs": 2, "ts_type": "rk", "ts_rk_type": "5dp", "ts_rtol": 1e-4, "ts_atol": 1e-4,
        "ts_dt": 1e-3, "ts_adapt_dt_min": 1e-6, "kn_run_dir": os.path.join(tmp, "dict")}
run = quiet(kn.train, opts)
t.ok(np.array_equal(losses(run), ref) and run.stop_reason == "completed", "train(dict) with the same options gives the same losses (stop_reason completed)")

import signal
import threading

timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGUSR1))
timer.start()
sig = quiet(kn.train, dict(opts, kn_train_epochs=1000, kn_run_dir=os.path.join(tmp, "sig")), signals=True)
timer.join()
rows = len(losses(sig))
t.ok(sig.stop_reason == "signal" and sig.checkpoint and os.path.exists(sig.checkpoint) and rows < 1000 and signal.getsignal(signal.SIGUSR1) == signal.SIG_DFL,
     "train(signals=True): SIGUSR1 writes a checkpoint and returns early (stop_reason %r after %d epochs, %s); Python's handler is back" % (sig.stop_reason, rows, sig.checkpoint))
try:
    quiet(kn.train, dict(opts, kn_train_epochz=3, kn_run_dir=os.path.join(tmp, "bad")))
    err = None
except kn.KNError as e:
    err = e
t.ok(err is not None and "-kn_train_epochz" in str(err) and not os.path.exists(os.path.join(tmp, "bad", "metrics.csv")), "a misspelled trainer option raises KNError naming it before any training: %r" % (str(err),))
try:
    kn.train(os.path.join(tmp, "missing.yaml"))
    err = None
except kn.KNError as e:
    err = e
t.ok(err is not None and "missing.yaml" in str(err), "a missing option file raises: %r" % (str(err),))
net = kn.load(os.path.join(run, "model.h5"))  # would fail on a leftover -kn_* trainer option (unused by a net)
x = np.array([[0.3, 0.1]])
from kirchhoffnet import _lib
t.ok(net.forward(x).shape == (1, 2) and not any(_lib.is_set(k) for k in ("-kn_task_type", "-kn_train_epochs", "-ts_rk_type")), "afterwards the interpreter goes on and no trainer option is left in the database")
t.done()
