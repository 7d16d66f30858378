"""kirchhoffnet.Net: a loaded model, its layers and parameters, and the solver calls of knet eval / sample."""
import ctypes

import numpy as np

from . import _lib
from ._lib import Handle, PetscInt, call, KNError

_PUBLISHED_KEYS = ("-ts_rtol", "-ts_atol", "-ts_dt", "-ts_adapt_dt_min", "-ts_type", "-ts_rk_type")


def _real(a):
    return a.ctypes.data_as(_lib.RealPtr)


def _is_published(path):
    """A published reference file has the root attribute 'experiment' (what knet's loader looks for)."""
    h5 = _lib.lib
    h5.H5Fopen.restype, h5.H5Fopen.argtypes = ctypes.c_int64, [ctypes.c_char_p, ctypes.c_uint, ctypes.c_int64]
    h5.H5Aexists.restype, h5.H5Aexists.argtypes = ctypes.c_int, [ctypes.c_int64, ctypes.c_char_p]
    h5.H5Fclose.argtypes = [ctypes.c_int64]
    h5.H5Eset_auto2.argtypes = [ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p]
    h5.H5Eset_auto2(0, None, None)  # no HDF5 error stack on stderr: KNNetLoad() reports a bad file itself
    fid = h5.H5Fopen(path.encode(), 0, 0)
    if fid < 0:
        return False
    pub = h5.H5Aexists(fid, b"experiment") > 0
    h5.H5Fclose(fid)
    return pub


def _gather(vec):
    """A distributed Vec as one numpy array on every rank (VecScatterCreateToAll)."""
    sc, seq = Handle(), Handle()
    call("VecScatterCreateToAll", vec, ctypes.byref(sc), ctypes.byref(seq))
    try:
        call("VecScatterBegin", sc, vec, seq, _lib.INSERT_VALUES, _lib.SCATTER_FORWARD)
        call("VecScatterEnd", sc, vec, seq, _lib.INSERT_VALUES, _lib.SCATTER_FORWARD)
        n = PetscInt()
        call("VecGetSize", seq, ctypes.byref(n))
        p = _lib.RealPtr()
        call("VecGetArray", seq, ctypes.byref(p))
        out = np.ctypeslib.as_array(p, shape=(n.value,)).copy() if n.value else np.zeros(0)
        call("VecRestoreArray", seq, ctypes.byref(p))
    finally:
        call("VecScatterDestroy", ctypes.byref(sc))
        call("VecDestroy", ctypes.byref(seq))
    return out


def _scatter_in(vec, values):
    """Fills this rank's part of a distributed Vec from the whole array (the same on every rank)."""
    lo, hi = PetscInt(), PetscInt()
    call("VecGetOwnershipRange", vec, ctypes.byref(lo), ctypes.byref(hi))
    p = _lib.RealPtr()
    call("VecGetArray", vec, ctypes.byref(p))
    if hi.value > lo.value:
        np.ctypeslib.as_array(p, shape=(hi.value - lo.value,))[:] = values[lo.value:hi.value]
    call("VecRestoreArray", vec, ctypes.byref(p))


class _CNet:
    """One KNNet of the library, loaded for a batch size and flow mode (both are fixed at the library's set-up)."""

    def __init__(self, path, published, B, flow):
        keys = _lib.apply_options()
        added = []
        if published:  # the reference dopri5 settings unless the user gave them (what knet eval/sample do)
            before = {k: _lib.is_set(k) for k in _PUBLISHED_KEYS}
            call("KNPublishedSetSolverOptions", _lib.comm_world(), path.encode())
            added = [k for k in _PUBLISHED_KEYS if not before[k] and _lib.is_set(k)]
        self.h = Handle()
        try:
            call("KNNetLoad", _lib.comm_world(), path.encode(), B, flow, ctypes.byref(self.h))
            _lib.check_used(keys, "the net, its layers or their time steppers")
        except KNError:
            self.destroy()
            raise
        finally:
            _lib.clear_keys(added)  # the next model must not inherit this file's solver settings
        self.B, self.flow, self.generation = B, flow, _lib._state["generation"]
        D = PetscInt()
        call("KNNetGetNumLayers", self.h, ctypes.byref(D))
        self.layers = []
        for i in range(D.value):
            c = Handle()
            call("KNNetGetLayer", self.h, i, ctypes.byref(c))
            self.layers.append(c)
        K, nodes = PetscInt(), _lib.IntPtr()
        call("KNNetGetReadout", self.h, ctypes.byref(K), ctypes.byref(nodes))
        self.K = K.value
        self.readout = np.ctypeslib.as_array(nodes, shape=(K.value,)).astype(np.int64) if nodes else np.arange(1, K.value + 1)

    def destroy(self):
        if self.h and self.h.value and not _lib._state["finalized"]:
            call("KNNetDestroy", ctypes.byref(self.h))
        self.h = Handle()

    def layer_parameters(self, i):
        """Layer i's parameters in graph (file) order, flat: entry e*rows + r."""
        c, th, g = self.layers[i], Handle(), Handle()
        call("KNCircuitCreateParameterVec", c, ctypes.byref(th))
        call("KNCircuitCreateGraphOrderParameterVec", c, ctypes.byref(g))
        try:
            call("KNCircuitGetParameters", c, th)
            call("KNCircuitParametersToGraphOrder", c, th, g)
            return _gather(g)
        finally:
            call("VecDestroy", ctypes.byref(th))
            call("VecDestroy", ctypes.byref(g))

    def set_layer_parameters(self, i, flat):
        c, th, g = self.layers[i], Handle(), Handle()
        call("KNCircuitCreateParameterVec", c, ctypes.byref(th))
        call("KNCircuitCreateGraphOrderParameterVec", c, ctypes.byref(g))
        try:
            _scatter_in(g, flat)
            call("KNCircuitParametersFromGraphOrder", c, g, th)
            call("KNCircuitSetParameters", c, th)
        finally:
            call("VecDestroy", ctypes.byref(th))
            call("VecDestroy", ctypes.byref(g))

    def gradient_to_graph_order(self, grad):
        """A net parameter Vec (KNNetBackward()'s dL/dtheta) as one graph-order array per layer."""
        out = []
        for i, c in enumerate(self.layers):
            gi, g = Handle(), Handle()
            call("KNNetGetLayerParameterVec", self.h, grad, i, ctypes.byref(gi))
            call("KNCircuitCreateGraphOrderParameterVec", c, ctypes.byref(g))
            try:
                call("KNCircuitParametersToGraphOrder", c, gi, g)
                out.append(_gather(g))
            finally:
                call("VecDestroy", ctypes.byref(g))
                call("KNNetRestoreLayerParameterVec", self.h, grad, i, ctypes.byref(gi))
        return out


class Layer:
    """One circuit layer: its structure (read-only) and its parameters `theta` (a copy; assign to change them).

    Attributes: index, num_nodes, num_edges, rows (parameters per edge), device (law name, e.g. "shift_tanh2"),
    T (duration), capacitance, topology (JSON description or ""), src, dst (int64 [E], node 0 = ground).
    """

    def __init__(self, net, index, info):
        self._net, self.index = net, index
        for k, v in info.items():
            setattr(self, k, v)

    @property
    def theta(self):
        """The layer's parameters, float64 [E, rows] in graph (file) edge order; assign to change them."""
        return self._net.parameters[self.index]

    @theta.setter
    def theta(self, value):
        params = self._net.parameters
        params[self.index] = value
        self._net.parameters = params

    def __repr__(self):
        return "<Layer %d: %d nodes, %d edges, %s x %d, T=%g>" % (self.index, self.num_nodes, self.num_edges, self.device, self.rows, self.T)
