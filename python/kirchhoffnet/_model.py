"""kirchhoffnet.Net: load, inspect, change and save a model; forward, log-density, samples, trajectories, vjp."""
import ctypes
import os
import tempfile

import numpy as np

from . import _lib
from ._lib import Handle, KNError, call
from ._net import Layer, _CNet, _is_published, _real


def _file_is_flow(path, published):
    import h5py  # Debian's python3-h5py: its HDF5 symbols are versioned apart from the library's MPI build

    with h5py.File(path, "r") as f:
        if published:
            exp = f.attrs.get("experiment", b"")
            exp = exp.decode() if isinstance(exp, bytes) else str(exp)
            return exp != "mnist"  # the one published classifier; the other published models are flows
        return bool(int(f.attrs.get("flow", 0)))


class Net:
    """A KirchhoffNet loaded from a knet model file or a published reference file (see kirchhoffnet.load()).

    The library fixes the batch size and the flow mode when it sets a net up, so a Net keeps one library net per
    (batch size, flow) it was used with, all sharing the parameters held here; changing kirchhoffnet.options()
    rebuilds them at the next call, so solver options apply to every call made after them. A rebuild reads the model
    file again (then sets the parameters held here), so keep the file in place while the Net is in use.

    Every call is collective: under MPI, every rank makes the same calls with the same arrays and gets the same
    results (the 1-rank numbers to rounding).
    """

    def __init__(self, path):
        path = os.fspath(path)
        self.path = os.path.abspath(path)
        self.published = _is_published(self.path)
        self._cnets = {}
        self._theta = None
        cn = self._cnet(1, False)  # the library's checks and messages for a bad file come first
        self.flow = _file_is_flow(self.path, self.published)
        self._theta = [cn.layer_parameters(i) for i in range(len(cn.layers))]
        self.layers = [Layer(self, i, self._layer_info(cn, i)) for i in range(len(cn.layers))]
        for L, th in zip(self.layers, self._theta):
            th.shape = (L.num_edges, L.rows)
        self.readout = cn.readout
        _lib._live.add(self)

    # --- library nets ---------------------------------------------------------------------------------------
    def _cnet(self, B, flow):
        key = (int(B), bool(flow))
        cn = self._cnets.get(key)
        if cn is not None and cn.generation != _lib._state["generation"]:
            cn.destroy()
            cn = None
        if cn is None:
            cn = _CNet(self.path, self.published, key[0], key[1])
            self._cnets[key] = cn
            if self._theta is not None:
                for i, th in enumerate(self._theta):
                    cn.set_layer_parameters(i, th.reshape(-1))
        return cn

    def _release(self):
        for cn in self._cnets.values():
            cn.destroy()
        self._cnets = {}

    def __del__(self):
        try:
            self._release()
        except Exception:
            pass

    @staticmethod
    def _layer_info(cn, i):
        c = cn.layers[i]
        N, E, rows = _lib.PetscInt(), _lib.PetscInt(), _lib.PetscInt()
        call("KNCircuitGetSizes", c, ctypes.byref(N), ctypes.byref(E), ctypes.byref(rows))
        T, C, per = _lib.PetscReal(), _lib.PetscReal(), _lib.PetscBool()
        call("KNCircuitGetDuration", c, ctypes.byref(T))
        call("KNCircuitGetCapacitance", c, ctypes.byref(C), ctypes.byref(per))
        g, d, name, desc = Handle(), Handle(), ctypes.c_char_p(), ctypes.c_char_p()
        call("KNCircuitGetGraph", c, ctypes.byref(g))
        call("KNCircuitGetDevice", c, ctypes.byref(d))
        call("KNDeviceGetType", d, ctypes.byref(name))
        call("KNGraphGetDescription", g, ctypes.byref(desc))
        s, t = _lib.IntPtr(), _lib.IntPtr()
        call("KNGraphGetEdges", g, ctypes.byref(s), ctypes.byref(t))
        src = np.ctypeslib.as_array(s, shape=(E.value,)).astype(np.int64)
        dst = np.ctypeslib.as_array(t, shape=(E.value,)).astype(np.int64)
        call("KNGraphRestoreEdges", g, ctypes.byref(s), ctypes.byref(t))
        return dict(num_nodes=N.value, num_edges=E.value, rows=rows.value, T=T.value, capacitance=C.value,
                    per_node_capacitance=bool(per.value), device=(name.value or b"").decode(),
                    topology=(desc.value or b"").decode(), src=src, dst=dst)

    # --- parameters -----------------------------------------------------------------------------------------
    @property
    def parameters(self):
        """Copies of every layer's parameters: a list of float64 arrays [E_i, rows_i] in graph (file) edge order
        (the model file's theta). Assign a list of the same shapes to change them."""
        return [th.copy() for th in self._theta]

    @parameters.setter
    def parameters(self, values):
        values = list(values)
        if len(values) != len(self._theta):
            raise KNError("parameters: expected %d layer arrays, got %d" % (len(self._theta), len(values)))
        new = []
        for i, (v, old) in enumerate(zip(values, self._theta)):
            a = np.array(v, dtype=np.float64).reshape(-1)
            if a.size != old.size:
                raise KNError("parameters: layer %d needs %d values (%d edges x %d rows), got %d" % (i, old.size, old.shape[0], old.shape[1], a.size))
            if not np.all(np.isfinite(a)):
                raise KNError("parameters: layer %d has a value that is not a finite number" % i)
            new.append(a.reshape(old.shape))
        self._theta = new
        for cn in self._cnets.values():
            for i, th in enumerate(new):
                cn.set_layer_parameters(i, th.reshape(-1))

    @property
    def num_parameters(self):
        return int(sum(th.size for th in self._theta))

    def save(self, path):
        """Writes the model (current parameters) to a knet model file (KNNetSave(); written atomically by the
        library). A published file is saved in knet's own model format."""
        call("KNNetSave", self._cnet(1, self.flow).h, os.fspath(path).encode())

    # --- forward sweeps -------------------------------------------------------------------------------------
    def _inputs(self, x, what):
        x = np.ascontiguousarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[0] < 1:
            raise KNError("%s: x must be a [samples, features] array, got shape %s" % (what, x.shape))
        nin = x.shape[1]
        if nin > self.layers[0].num_nodes:
            raise KNError("%s: the input has %d features per sample but the first layer has only %d nodes" % (what, nin, self.layers[0].num_nodes))
        return x

    @staticmethod
    def _batches(n, batch_size):
        B = int(min(batch_size, n))
        if B < 1:
            raise KNError("batch_size must be at least 1, got %d" % batch_size)
        return B, range(0, n, B)

    def _sweep(self, cn, x, s, reverse):
        """Forward sweep of samples s.. of x through the library net cn (a short last batch padded with zeros)."""
        B, nin = cn.B, x.shape[1]
        m = min(B, x.shape[0] - s)
        if m == B:
            xb = x[s:s + B]
        else:
            xb = np.zeros((B, nin))
            xb[:m] = x[s:s + m]
        call("KNNetForward", cn.h, nin, _real(xb), bool(reverse))
        return m

    def forward(self, x, reverse=False, logp=False, batch_size=256):
        """The readout voltages for every input row, as `knet eval MODEL -kn_input x.csv [-kn_flow] [-kn_reverse]`.

        x: [n, nin] inputs (nodes 1..nin of the first layer; other nodes start at 0 V). reverse: traverse the layers
        last to first, backwards in time (a flow's data -> latent direction). logp: also return the log-density
        entry of each sample (-int tr(df/dv) dt along the sweep; a flow net). Samples are integrated batch_size at a
        time (they share adaptive steps, as in knet eval; its default is 256).
        Returns out [n, K] (K readout nodes, `readout` gives their ids), or (out, lp [n]) with logp=True.
        """
        x = self._inputs(x, "forward")
        n = x.shape[0]
        B, starts = self._batches(n, batch_size)
        cn = self._cnet(B, logp)
        out, lp = np.empty((n, cn.K)), np.empty(n)
        ob, lb = np.empty((B, cn.K)), np.empty(B)
        for s in starts:
            m = self._sweep(cn, x, s, reverse)
            call("KNNetGetOutput", cn.h, _real(ob))
            out[s:s + m] = ob[:m]
            if logp:
                call("KNNetGetLogDensity", cn.h, _real(lb))
                lp[s:s + m] = lb[:m]
        return (out, lp) if logp else out

    def log_density(self, x, batch_size=512):
        """log p(x) in nats of a flow (generation) model for every row of x: x integrated backwards through the
        layers to z, log p(x) = log N(z; 0, I) - int tr(df/dv) dt (KNFlowLogLikelihood()); the mean of -log p is
        the NLL that `knet eval MODEL -kn_task_type generation` reports (batches of 512 there too)."""
        x = self._inputs(x, "log_density")
        z, lp = self.forward(x, reverse=True, logp=True, batch_size=batch_size)
        d = self.layers[0].num_nodes
        if z.shape[1] != d:
            raise KNError("log_density: the readout has %d nodes but the base distribution needs all %d nodes of the first layer" % (z.shape[1], d))
        z = np.ascontiguousarray(z)
        out = np.empty(x.shape[0])
        call("KNFlowLogLikelihood", x.shape[0], d, _real(z), _real(np.ascontiguousarray(lp)), _real(out))
        return out

    def sample(self, n, seed=22, batch_size=512):
        """n samples of a flow and their log-density, as `knet sample MODEL -kn_samples n -kn_seed seed`
        (KNFlowSample(): z ~ N(0, I) drawn by global index from the seed, pushed forward batch_size at a time).
        Returns (x [n, K], logq [n])."""
        n = int(n)
        if n < 1:
            raise KNError("sample: n must be at least 1, got %d" % n)
        cn = self._cnet(min(int(batch_size), n), True)
        x, lq = np.empty((n, cn.K)), np.empty(n)
        call("KNFlowSample", cn.h, n, int(seed), _real(x), _real(lq))
        return x, lq

    def trajectory(self, x, times=None, reverse=False, nodes=None, logp=False, batch_size=256):
        """Node voltages over time of every input row, as `knet eval ... -kn_trajectory` (KNTrajectory).

        times: times within each layer (0..T) to record at, by the integrator's dense output (any number of
        samples); None records every accepted step (then all rows must fit in one batch). nodes: node ids to
        record (default all). Returns one dict per layer in model order: {"t": [nt], "v": [nt, n, nn],
        "nodes": [nn], "T": T, "reversed": bool, "sweep_position": int}.
        """
        import h5py

        x = self._inputs(x, "trajectory")
        n = x.shape[0]
        B, starts = self._batches(n, batch_size)
        cn = self._cnet(B, logp)
        from . import _mpi

        tj, tmp = Handle(), None
        call("KNTrajectoryCreate", cn.h, ctypes.byref(tj))
        try:
            samples = np.arange(n, dtype=np.int32)
            call("KNTrajectorySetSamples", tj, n, samples.ctypes.data_as(_lib.IntPtr))
            if nodes is not None:
                nd = np.ascontiguousarray(nodes, dtype=np.int32)
                call("KNTrajectorySetNodes", tj, nd.size, nd.ctypes.data_as(_lib.IntPtr))
            if times is not None:
                tt = np.ascontiguousarray(times, dtype=np.float64)
                call("KNTrajectorySetTimes", tj, tt.size, _real(tt))
            call("KNTrajectoryBegin", tj, 0)
            for s in starts:
                self._sweep(cn, x, s, reverse)
            # rank 0 writes the file (KNTrajectoryWrite()), reads it back and hands the arrays to every rank
            if _mpi.rank() == 0:
                fd, tmp = tempfile.mkstemp(suffix=".h5", prefix="kn-traj-")
                os.close(fd)
            tmp = _mpi.bcast(tmp)
            call("KNTrajectoryWrite", tj, tmp.encode())
            result = None
            if _mpi.rank() == 0:
                result = []
                with h5py.File(tmp, "r") as f:
                    for i in range(len(self.layers)):
                        g = f["layer_%03d" % i]
                        result.append({"t": g["t"][()], "v": g["v"][()], "nodes": g["nodes"][()], "T": float(g.attrs["T"]),
                                       "reversed": bool(reverse), "sweep_position": int(g.attrs["sweep_position"])})
            return _mpi.bcast(result)
        finally:
            call("KNTrajectoryDestroy", ctypes.byref(tj))
            if tmp and _mpi.rank() == 0 and os.path.exists(tmp):
                os.remove(tmp)

    # --- gradients ------------------------------------------------------------------------------------------
    def vjp(self, x, dL_dout, dL_dlogp=None, reverse=False, batch_size=256):
        """dL/dtheta and dL/dx of a loss L(out, logp) from the exact discrete adjoint (KNNetBackward()).

        x: [n, nin] inputs; dL_dout: [n, K] (or None), dL_dlogp: [n] for a flow's log-density entry (or None) --
        the sweep is then a flow sweep, as forward(..., logp=True). dL_dout may also be a function
        f(out, logp) -> (dL_dout, dL_dlogp) of one batch's outputs, so that a loss needs one forward sweep only.
        Returns (grads, dx): grads a list of float64 [E_i, rows_i] like `parameters` (summed over batches), dx
        [n, nin]; the result also has attributes out and logp (the forward values of the sweep).
        """
        x = self._inputs(x, "vjp")
        n, nin = x.shape
        B, starts = self._batches(n, batch_size)
        fn = dL_dout if callable(dL_dout) else None
        flow = dL_dlogp is not None or (fn is not None and self.flow)
        cn = self._cnet(B, flow)
        K = cn.K
        grad, acc = Handle(), None
        call("KNNetCreateParameterVec", cn.h, ctypes.byref(grad))
        dx, out, lp = np.empty((n, nin)), np.empty((n, K)), np.empty(n)
        ob, lb, db, dlb, dxb = np.empty((B, K)), np.empty(B), np.zeros((B, K)), np.zeros(B), np.empty((B, nin))
        try:
            call("KNNetSetSaveTrajectory", cn.h, True)  # one integration per layer: the adjoint reuses it
            for s in starts:
                m = self._sweep(cn, x, s, reverse)
                call("KNNetGetOutput", cn.h, _real(ob))
                out[s:s + m] = ob[:m]
                if flow:
                    call("KNNetGetLogDensity", cn.h, _real(lb))
                    lp[s:s + m] = lb[:m]
                if fn is not None:
                    go, gl = fn(ob[:m].copy(), lb[:m].copy() if flow else None)
                else:
                    go = None if dL_dout is None else np.asarray(dL_dout, dtype=np.float64).reshape(n, K)[s:s + m]
                    gl = None if dL_dlogp is None else np.asarray(dL_dlogp, dtype=np.float64).reshape(n)[s:s + m]
                db[:] = 0
                dlb[:] = 0
                if go is not None:
                    db[:m] = np.asarray(go, dtype=np.float64).reshape(m, K)
                if gl is not None:
                    dlb[:m] = np.asarray(gl, dtype=np.float64).reshape(m)
                call("KNNetBackward", cn.h, _real(db), _real(dlb) if flow else None, grad, _real(dxb))
                dx[s:s + m] = dxb[:m]
                g = cn.gradient_to_graph_order(grad)
                acc = g if acc is None else [a + b for a, b in zip(acc, g)]
        finally:
            call("KNNetSetSaveTrajectory", cn.h, False)
            call("VecDestroy", ctypes.byref(grad))
        grads = [a.reshape(th.shape) for a, th in zip(acc, self._theta)]
        res = _VJP((grads, dx))
        res.out, res.logp = out, (lp if flow else None)
        return res

    def __repr__(self):
        return "<kirchhoffnet.Net %s: %d layers, %d parameters%s>" % (os.path.basename(self.path), len(self.layers), self.num_parameters, ", flow" if self.flow else "")


class _VJP(tuple):
    """(grads, dx), with the sweep's forward values as attributes out and logp."""
