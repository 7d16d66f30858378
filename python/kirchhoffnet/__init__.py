"""kirchhoffnet: the KirchhoffNet library (libkirchhoffnet, PETSc TS/TSAdjoint) from Python and numpy.

    import kirchhoffnet as kn
    net = kn.load("tests/data/published/twomoon.h5")    # a knet model file or a published reference file
    x, logq = net.sample(1000, seed=22)                   # = knet sample ... -kn_samples 1000 -kn_seed 22
    logp = net.log_density(x)                             # log p(x) of the flow, nats
    grads, dx = net.vjp(x[:512], dL_dout, dL_dlogp, reverse=True)   # exact adjoint gradients

Errors of the library (a bad file, a bad option, a failed solve) raise kirchhoffnet.KNError with knet's one-line
message; the interpreter goes on. PETSc starts on first use (MPI through mpi4py if it was imported first, else
PETSc's own) and stops at exit. Under `mpiexec -n P python3 script.py` every rank runs the same calls and gets
the 1-rank numbers to rounding.
"""
import ctypes
import os

from . import _lib
from ._lib import KNError, finalize, initialize
from ._model import Net

__all__ = ["KNError", "Net", "RunDirectory", "load", "options", "train", "initialize", "finalize", "rank", "size"]
__version__ = "0.1.0"


def options(values=None, replace=False, **kw):
    """Sets PETSc/knet options for the following calls; returns the previous options (a dict).

    Keys are option names with or without the leading '-': {"ts_rtol": 1e-6, "ts_atol": 1e-6}, or keyword
    arguments (kn.options(ts_rk_type="4")). Values are converted to text (True -> "true", lists -> "a,b,c");
    None removes the option. replace=True drops every option not given. Every library net is rebuilt with the new
    options at its next call. An option that no component of the net (net, layers, devices, time steppers)
    queries raises KNError at that call, as `knet` does for an unknown option; a bad value raises the library's
    error. Options set before the first call are also given to PetscInitialize() (e.g. {"log_view": ""}).
    """
    prev = dict(_lib._state["options"])
    new = {} if replace else dict(prev)
    for k, v in list((values or {}).items()) + list(kw.items()):
        key = k.lstrip("-")
        if v is None:
            new.pop(key, None)
        else:
            new[key] = v
    if new != prev:  # kn.options() alone only reads them
        _lib._state["options"] = new
        _lib._state["generation"] += 1
    return prev


def load(path):
    """Loads a knet model file (KNNetSave()) or a published reference file (tests/data/published/*.h5) as a Net.
    A published file brings its dopri5 settings (tol, first step, minimum step) unless options() gives them."""
    _lib.initialize()
    return Net(path)


def rank():
    """This process's rank in the library's communicator (PETSC_COMM_WORLD)."""
    from . import _mpi

    _lib.initialize()
    return _mpi.rank()


def size():
    from . import _mpi

    _lib.initialize()
    return _mpi.size()


class RunDirectory(str):
    """The run directory of kirchhoffnet.train() (a str), with attributes stop_reason ("completed", "signal" or
    "walltime": stopped early after writing a checkpoint, continue with kn_resume="auto") and checkpoint (the newest
    checkpoint file, or None)."""


_STOP = {0: "not stopped", 1: "completed", 2: "signal", 3: "walltime"}


def train(config=None, signals=False, **kw):
    """Runs the trainer, as `knet train`, and returns the run directory (which holds model.h5, metrics.csv and
    options.txt) as a RunDirectory.

    config: a PETSc YAML option file (configs/*.yaml, given as -options_file) or a dict of options
    ({"kn_train_epochs": 2, "kn_run_dir": "runs/x"}); keyword arguments add options. The options of options()
    apply too. An option the trainer does not use raises KNError, as knet train does (before training starts).
    signals=True installs knet train's SIGUSR1/SIGTERM handlers for the run (KNSignalsInstall()): a signal makes
    the trainer write a checkpoint at the next mini-batch boundary and return with stop_reason "signal"; Python's
    own handlers are back afterwards.
    """
    _lib.initialize()
    extra = {}
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        if not os.path.isfile(path):
            raise KNError("train: cannot open option file %s: no such file" % path)
        extra["options_file"] = path
    elif config is not None:
        extra.update({k.lstrip("-"): v for k, v in dict(config).items()})
    extra.update({k.lstrip("-"): v for k, v in kw.items()})
    tr, opts, installed = _lib.Handle(), _lib.Handle(), False
    lib = _lib.lib
    for name, args in (("PetscOptionsCreate", [ctypes.POINTER(_lib.Handle)]), ("PetscOptionsPush", [_lib.Handle]), ("PetscOptionsPop", []),
                       ("PetscOptionsDestroy", [ctypes.POINTER(_lib.Handle)]), ("KNSignalsInstall", []), ("KNSignalsRestore", []),
                       ("KNTrainerGetStopReason", [_lib.Handle, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_char_p)]),
                       ("PetscOptionsInsertFile", [_lib.MPI_Comm, _lib.Handle, ctypes.c_char_p, _lib.PetscBool]),
                       ("PetscOptionsInsertFileYAML", [_lib.MPI_Comm, _lib.Handle, ctypes.c_char_p, _lib.PetscBool])):
        getattr(lib, name).argtypes = args
    # A fresh options database for the run (PetscOptionsPush()): the trainer sees exactly options() + config, and
    # nothing of it stays behind for later calls.
    _lib.call("PetscOptionsCreate", ctypes.byref(opts))
    _lib.call("PetscOptionsPush", opts)
    try:
        path = extra.pop("options_file", None)
        if path is not None:
            fn = "PetscOptionsInsertFileYAML" if path.endswith((".yaml", ".yml")) else "PetscOptionsInsertFile"
            _lib.call(fn, _lib.comm_world(), opts, path.encode(), True)
        for k, v in _lib._option_pairs(dict(_lib._state["options"], **extra)):
            _lib.call("PetscOptionsSetValue", None, k.encode(), v.encode())
        if signals:  # now, so that a signal during the set-up is not lost (as knet train does)
            _lib.call("KNSignalsInstall")
            installed = True
        _lib.call("KNTrainerCreate", _lib.comm_world(), ctypes.byref(tr))
        _lib.call("KNTrainerSetFromOptions", tr)
        _lib.call("KNTrainerSetUp", tr)
        _lib.check_all_used("knet train")  # before hours of training (set-up reads every trainer option)
        _lib.call("KNTrainerView", tr, None)
        _lib.call("KNTrainerTrain", tr)
        _lib.check_all_used("knet train")
        d, reason, ckpt = ctypes.c_char_p(), ctypes.c_int(), ctypes.c_char_p()
        _lib.call("KNTrainerGetRunDirectory", tr, ctypes.byref(d))
        _lib.call("KNTrainerGetStopReason", tr, ctypes.byref(reason), ctypes.byref(ckpt))
        run = RunDirectory((d.value or b"").decode())
        run.stop_reason = _STOP.get(reason.value, str(reason.value))
        run.checkpoint = ckpt.value.decode() if ckpt.value else None
        return run
    finally:
        if installed:
            _lib.call("KNSignalsRestore")
        if tr.value:
            _lib.call("KNTrainerDestroy", ctypes.byref(tr))
        _lib.call("PetscOptionsPop")
        _lib.call("PetscOptionsDestroy", ctypes.byref(opts))
