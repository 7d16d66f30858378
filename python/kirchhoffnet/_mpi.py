"""The few MPI calls the package makes itself, on the library's communicator (PETSC_COMM_WORLD), through the libmpi
the library links (no mpi4py needed)."""
import ctypes
import pickle

from . import _lib

_mpi = _lib.lib
_mpi.MPI_Comm_rank.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
_mpi.MPI_Comm_size.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
_mpi.MPI_Bcast.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
# Open MPI's predefined datatypes are the addresses of global objects (MPI_BYTE = &ompi_mpi_byte)
_BYTE = ctypes.addressof(ctypes.c_char.in_dll(_mpi, "ompi_mpi_byte"))
_LONG = ctypes.addressof(ctypes.c_char.in_dll(_mpi, "ompi_mpi_long_long_int"))


def rank():
    r = ctypes.c_int()
    _mpi.MPI_Comm_rank(_lib.comm_world(), ctypes.byref(r))
    return r.value


def size():
    s = ctypes.c_int()
    _mpi.MPI_Comm_size(_lib.comm_world(), ctypes.byref(s))
    return s.value


def bcast(obj):
    """Rank 0's obj on every rank (pickled; small objects such as a trajectory's arrays)."""
    comm = _lib.comm_world()
    data = pickle.dumps(obj) if rank() == 0 else b""
    n = ctypes.c_longlong(len(data))
    _mpi.MPI_Bcast(ctypes.byref(n), 1, _LONG, 0, comm)
    buf = ctypes.create_string_buffer(data, n.value) if rank() == 0 else ctypes.create_string_buffer(n.value)
    _mpi.MPI_Bcast(buf, n.value, _BYTE, 0, comm)
    return pickle.loads(buf.raw[:n.value])
