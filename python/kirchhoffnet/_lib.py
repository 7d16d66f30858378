"""ctypes binding of libkirchhoffnet: library lookup, PETSc start/stop, errors, the options database.

Every library call goes through call(): a non-zero PetscErrorCode raises KNError with the first message PETSc's
error machinery reported for it (captured by an error handler pushed at start-up, which prints nothing), so a
knet error never prints a traceback or aborts the interpreter.
"""
import atexit
import ctypes
import ctypes.util
import os
import weakref

# PETSc 3.18 as Debian builds it: 32-bit PetscInt, real double precision; Open MPI's MPI_Comm is a pointer.
PetscInt = ctypes.c_int32
PetscInt64 = ctypes.c_int64
PetscReal = ctypes.c_double
PetscBool = ctypes.c_int
PetscErrorCode = ctypes.c_int
MPI_Comm = ctypes.c_void_p
Handle = ctypes.c_void_p  # KNNet, KNCircuit, Vec, ... (opaque pointers)
RealPtr = ctypes.POINTER(PetscReal)
IntPtr = ctypes.POINTER(PetscInt)

PETSC_ERROR_INITIAL = 0  # PetscErrorType: the call that first raised the error (later ones are the traceback)
INSERT_VALUES, SCATTER_FORWARD = 1, 0


class KNError(RuntimeError):
    """A knet or PETSc error: the one-line message the library gave, e.g. the file or option and what is wrong.

    Attributes: message (the text), code (the PetscErrorCode), function, source (file:line where it was raised).
    """

    def __init__(self, message, code=0, function="", source=""):
        super().__init__(message)
        self.message, self.code, self.function, self.source = message, code, function, source


def _find_library():
    """The shared library: $KN_LIBRARY, else the one meson recorded in _paths.py (build tree or install, also a staged
    or moved install), else a build/ directory next to the source python/ directory, else the linker's search path."""
    env = os.environ.get("KN_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    names = ["libkirchhoffnet.so", "libkirchhoffnet.so.0"]
    dirs = []
    try:
        from . import _paths  # written by meson

        names.insert(0, _paths.LIBNAME)
        dirs.append(_paths.LIBDIR)
        rel = os.path.normpath(_paths.PKGDIR_REL) if _paths.PKGDIR_REL else None
        if rel and here.endswith(rel):
            dirs.append(os.path.join(here[: -len(rel)], _paths.LIBDIR_REL))
    except ImportError:
        pass
    if os.environ.get("KN_BUILD_ROOT"):
        dirs.append(os.environ["KN_BUILD_ROOT"])
    dirs.append(os.path.join(here, "..", "..", "build"))
    for d in dirs:
        for name in names:
            if os.path.exists(os.path.join(d, name)):
                return os.path.join(d, name)
    found = ctypes.util.find_library("kirchhoffnet")
    if not found:
        raise ImportError("kirchhoffnet: cannot find libkirchhoffnet; set KN_LIBRARY=/path/to/libkirchhoffnet.so "
                          "(after meson compile it is build/libkirchhoffnet.so.0)")
    return found


# Idle OpenMP threads spin for a short while only (libgomp reads this when the library loads): a notebook next to
# other work must not lose its cores to spinning threads (README, Cores).
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
# RTLD_GLOBAL: Open MPI's plugins need libmpi's symbols visible to them.
lib = ctypes.CDLL(_find_library(), mode=ctypes.RTLD_GLOBAL)

_PROTOTYPES = {
    # PETSc
    "PetscInitialize": [ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)), ctypes.c_char_p, ctypes.c_char_p],
    "PetscInitialized": [ctypes.POINTER(PetscBool)],
    "PetscFinalize": [],
    "PetscPushErrorHandler": [ctypes.c_void_p, ctypes.c_void_p],
    "PetscPopErrorHandler": [],
    "PetscOptionsSetValue": [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p],
    "PetscOptionsClearValue": [ctypes.c_void_p, ctypes.c_char_p],
    "PetscOptionsUsed": [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(PetscBool)],
    "PetscOptionsHasName": [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(PetscBool)],
    "VecDestroy": [ctypes.POINTER(Handle)],
    "VecGetSize": [Handle, ctypes.POINTER(PetscInt)],
    "VecGetOwnershipRange": [Handle, ctypes.POINTER(PetscInt), ctypes.POINTER(PetscInt)],
    "VecGetArray": [Handle, ctypes.POINTER(RealPtr)],
    "VecRestoreArray": [Handle, ctypes.POINTER(RealPtr)],
    "VecScatterCreateToAll": [Handle, ctypes.POINTER(Handle), ctypes.POINTER(Handle)],
    "VecScatterBegin": [Handle, Handle, Handle, ctypes.c_int, ctypes.c_int],
    "VecScatterEnd": [Handle, Handle, Handle, ctypes.c_int, ctypes.c_int],
    "VecScatterDestroy": [ctypes.POINTER(Handle)],
    # KNNet and its layers
    "KNNetLoad": [MPI_Comm, ctypes.c_char_p, PetscInt, PetscBool, ctypes.POINTER(Handle)],
    "KNNetSave": [Handle, ctypes.c_char_p],
    "KNNetDestroy": [ctypes.POINTER(Handle)],
    "KNPublishedSetSolverOptions": [MPI_Comm, ctypes.c_char_p],
    "KNNetGetNumLayers": [Handle, ctypes.POINTER(PetscInt)],
    "KNNetGetLayer": [Handle, PetscInt, ctypes.POINTER(Handle)],
    "KNNetGetReadout": [Handle, ctypes.POINTER(PetscInt), ctypes.POINTER(IntPtr)],
    "KNNetForward": [Handle, PetscInt, RealPtr, PetscBool],
    "KNNetGetOutput": [Handle, RealPtr],
    "KNNetGetLogDensity": [Handle, RealPtr],
    "KNNetBackward": [Handle, RealPtr, RealPtr, Handle, RealPtr],
    "KNNetSetSaveTrajectory": [Handle, PetscBool],
    "KNNetCreateParameterVec": [Handle, ctypes.POINTER(Handle)],
    "KNNetGetLayerParameterVec": [Handle, Handle, PetscInt, ctypes.POINTER(Handle)],
    "KNNetRestoreLayerParameterVec": [Handle, Handle, PetscInt, ctypes.POINTER(Handle)],
    "KNFlowSample": [Handle, PetscInt, PetscInt64, RealPtr, RealPtr],
    "KNFlowLogLikelihood": [PetscInt, PetscInt, RealPtr, RealPtr, RealPtr],
    "KNCircuitGetSizes": [Handle, ctypes.POINTER(PetscInt), ctypes.POINTER(PetscInt), ctypes.POINTER(PetscInt)],
    "KNCircuitGetGraph": [Handle, ctypes.POINTER(Handle)],
    "KNCircuitGetDevice": [Handle, ctypes.POINTER(Handle)],
    "KNCircuitGetDuration": [Handle, ctypes.POINTER(PetscReal)],
    "KNCircuitGetCapacitance": [Handle, ctypes.POINTER(PetscReal), ctypes.POINTER(PetscBool)],
    "KNCircuitCreateGraphOrderParameterVec": [Handle, ctypes.POINTER(Handle)],
    "KNCircuitCreateParameterVec": [Handle, ctypes.POINTER(Handle)],
    "KNCircuitGetParameters": [Handle, Handle],
    "KNCircuitSetParameters": [Handle, Handle],
    "KNCircuitParametersToGraphOrder": [Handle, Handle, Handle],
    "KNCircuitParametersFromGraphOrder": [Handle, Handle, Handle],
    "KNGraphGetEdges": [Handle, ctypes.POINTER(IntPtr), ctypes.POINTER(IntPtr)],
    "KNGraphRestoreEdges": [Handle, ctypes.POINTER(IntPtr), ctypes.POINTER(IntPtr)],
    "KNGraphGetDescription": [Handle, ctypes.POINTER(ctypes.c_char_p)],
    "KNDeviceGetType": [Handle, ctypes.POINTER(ctypes.c_char_p)],
    # trajectories
    "KNTrajectoryCreate": [Handle, ctypes.POINTER(Handle)],
    "KNTrajectoryDestroy": [ctypes.POINTER(Handle)],
    "KNTrajectorySetSamples": [Handle, PetscInt, IntPtr],
    "KNTrajectorySetNodes": [Handle, PetscInt, IntPtr],
    "KNTrajectorySetTimes": [Handle, PetscInt, RealPtr],
    "KNTrajectoryBegin": [Handle, PetscInt],
    "KNTrajectoryWrite": [Handle, ctypes.c_char_p],
    # training
    "KNTrainerCreate": [MPI_Comm, ctypes.POINTER(Handle)],
    "KNTrainerSetFromOptions": [Handle],
    "KNTrainerSetUp": [Handle],
    "KNTrainerView": [Handle, Handle],
    "KNTrainerTrain": [Handle],
    "KNTrainerGetRunDirectory": [Handle, ctypes.POINTER(ctypes.c_char_p)],
    "KNTrainerDestroy": [ctypes.POINTER(Handle)],
}
for _name, _args in _PROTOTYPES.items():
    _f = getattr(lib, _name)
    _f.argtypes, _f.restype = _args, PetscErrorCode

# PetscErrorCode handler(MPI_Comm, int line, const char *func, const char *file, PetscErrorCode, PetscErrorType,
#                        const char *mess, void *ctx)
_HANDLER_T = ctypes.CFUNCTYPE(PetscErrorCode, MPI_Comm, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p,
                              PetscErrorCode, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_first_error = None


def _on_error(comm, line, func, file, code, kind, mess, ctx):
    """Keeps the first (innermost) message of an error; prints nothing and returns the code up the stack."""
    global _first_error
    if kind == PETSC_ERROR_INITIAL and _first_error is None:
        text = (mess or b"").decode(errors="replace").strip() or "(no message)"
        _first_error = (text, (func or b"").decode(errors="replace"), "%s:%d" % ((file or b"").decode(errors="replace"), line))
    return code


_handler = _HANDLER_T(_on_error)  # kept alive for the life of the process

_state = {"initialized": False, "finalized": False, "options": {}, "generation": 0, "set": set(), "startup": set()}
_live = weakref.WeakSet()  # objects holding PETSc handles, released before PetscFinalize()


def call(name, *args):
    """Calls a library function; a non-zero error code raises KNError with the library's message."""
    global _first_error
    _first_error = None
    code = getattr(lib, name)(*args)
    if code:
        text, func, where = _first_error or ("%s failed with PETSc error code %d" % (name, code), name, "")
        _first_error = None
        raise KNError(text, code, func, where)


def _option_pairs(opts):
    """{"ts_rtol": 1e-6, "-kn_flow": True} -> [("-ts_rtol", "1e-06"), ("-kn_flow", "true")]."""
    pairs = []
    for k, v in opts.items():
        key = k if k.startswith("-") else "-" + k
        if v is None:
            continue
        if isinstance(v, bool):
            val = "true" if v else "false"
        elif isinstance(v, (list, tuple)):
            val = ",".join(str(x) for x in v)
        elif isinstance(v, float):
            val = repr(v)
        else:
            val = str(v)
        pairs.append((key, val))
    return pairs


def initialize():
    """Starts PETSc once (lazily, on first use): MPI through mpi4py if it was imported (MPI is then already
    initialised and PETSc leaves it alone), else PETSc's own MPI_Init. Options given to kirchhoffnet.options()
    before this point are passed as command-line options, so start-up options such as -log_view work too.
    PETSc's signal handler is not installed (-no_signal_handler), so Ctrl-C stays Python's."""
    if _state["initialized"]:
        if _state["finalized"]:
            raise KNError("kirchhoffnet: PETSc was finalized (kirchhoffnet.finalize()); restart the interpreter")
        return
    flag = PetscBool(0)
    lib.PetscInitialized(ctypes.byref(flag))
    words = ["python3", "-no_signal_handler"]
    for k, v in _option_pairs(_state["options"]):
        words += [k, v]
    argv = (ctypes.c_char_p * (len(words) + 1))(*[w.encode() for w in words], None)
    argc = ctypes.c_int(len(words))
    pargv = ctypes.cast(argv, ctypes.POINTER(ctypes.c_char_p))
    if not flag.value:
        code = lib.PetscInitialize(ctypes.byref(argc), ctypes.byref(pargv), None, None)
        if code:
            raise KNError("PetscInitialize failed with error code %d" % code, code)
    _state["initialized"] = True
    call("PetscPushErrorHandler", ctypes.cast(_handler, ctypes.c_void_p), None)
    # Options PetscInitialize() itself read (-log_view, -malloc_dump, ...) stay as they are; the others are
    # managed per call by apply_options().
    _state["startup"] = set()
    for k, _ in _option_pairs(_state["options"]):
        used = PetscBool(0)
        call("PetscOptionsUsed", None, k.lstrip("-").encode(), ctypes.byref(used))
        if used.value:
            _state["startup"].add(k)
    _state["set"] = {k for k, _ in _option_pairs(_state["options"])} - _state["startup"]
    atexit.register(finalize)


def finalize():
    """Releases every live net and calls PetscFinalize() (registered with atexit; safe to call twice)."""
    if not _state["initialized"] or _state["finalized"]:
        return
    for obj in list(_live):
        obj._release()
    _state["finalized"] = True
    lib.PetscPopErrorHandler()
    lib.PetscFinalize()


def comm_world():
    initialize()
    return MPI_Comm.in_dll(lib, "PETSC_COMM_WORLD").value


def apply_options(extra=None):
    """Makes the options database hold exactly the options of kirchhoffnet.options() (plus extra): the values this
    module set before are cleared first. Returns the keys set, for check_used()."""
    initialize()
    for k in _state["set"]:
        call("PetscOptionsClearValue", None, k.encode())
    pairs = [(k, v) for k, v in _option_pairs(_state["options"]) + _option_pairs(extra or {}) if k not in _state["startup"]]
    for k, v in pairs:
        call("PetscOptionsSetValue", None, k.encode(), v.encode())
    _state["set"] = {k for k, _ in pairs}
    return [k for k, _ in pairs]


def clear_keys(keys):
    for k in keys:
        call("PetscOptionsClearValue", None, k.encode())
        _state["set"].discard(k)


def check_used(keys, what):
    """Raises KNError naming the first option no component queried (misspelled, or not an option of `what`)."""
    for k in keys:
        used = PetscBool(0)
        call("PetscOptionsUsed", None, k.lstrip("-").encode(), ctypes.byref(used))  # stored without the dash
        if not used.value:
            raise KNError("option %s was not used by %s (misspelled, or not one of its options; "
                          "`knet eval -help` lists them)" % (k, what))


def is_set(key):
    has = PetscBool(0)
    call("PetscOptionsHasName", None, None, key.encode(), ctypes.byref(has))
    return bool(has.value)


def check_all_used(what):
    """Raises KNError listing the options of the current database that nothing queried (knet's unused-option check)."""
    lib.PetscOptionsLeftGet.argtypes = [ctypes.c_void_p, ctypes.POINTER(PetscInt), ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)), ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p))]
    lib.PetscOptionsLeftRestore.argtypes = lib.PetscOptionsLeftGet.argtypes
    n, names, values = PetscInt(), ctypes.POINTER(ctypes.c_char_p)(), ctypes.POINTER(ctypes.c_char_p)()
    call("PetscOptionsLeftGet", None, ctypes.byref(n), ctypes.byref(names), ctypes.byref(values))
    left = ["-" + names[i].decode() for i in range(n.value)]
    call("PetscOptionsLeftRestore", None, ctypes.byref(n), ctypes.byref(names), ctypes.byref(values))
    if left:
        raise KNError("option %s was not used by %s (misspelled, or not one of its options; `knet train -help` lists them)" % (", ".join(left), what))
