/* Hardware view of a net: the final voltages of every layer for one sample, and the charge its devices move. */
#include "spiceimpl.h"

/* Sets the node voltages of a fresh state: v[j-1] for j = 1..N (logp 0, parameters are set by the solve). */
static PetscErrorCode SetNodes(KNCircuit c, Vec X, const PetscReal v[])
{
  PetscInt        n, start;
  const PetscInt *ids;
  PetscReal      *x;

  PetscFunctionBegin;
  PetscCall(VecZeroEntries(X));
  PetscCall(KNCircuitGetOwnedNodes(c, &n, &ids));
  PetscCall(VecGetOwnershipRange(X, &start, NULL));
  PetscCall(VecGetArray(X, &x));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt idx;
    PetscCall(KNCircuitGetNodeStateIndex(c, ids[k], &idx));
    x[idx - start] = v[ids[k] - 1];
  }
  PetscCall(VecRestoreArray(X, &x));
  PetscFunctionReturn(KN_SUCCESS);
}

/* v[j-1] = voltage of node j, on every rank (each entry has one owner, so the sum is exact). */
static PetscErrorCode GetNodes(KNCircuit c, Vec X, PetscReal v[])
{
  PetscInt         N, n, start;
  const PetscInt  *ids;
  const PetscReal *x;
  MPI_Comm         comm = PetscObjectComm((PetscObject)X);

  PetscFunctionBegin;
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCall(KNCircuitGetOwnedNodes(c, &n, &ids));
  PetscCall(VecGetOwnershipRange(X, &start, NULL));
  PetscCall(PetscArrayzero(v, N));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt idx;
    PetscCall(KNCircuitGetNodeStateIndex(c, ids[k], &idx));
    v[ids[k] - 1] = x[idx - start];
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, v, (PetscMPIInt)N, MPIU_REAL, MPIU_SUM, comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Trapezoid rule for int sum_e |i_e| dt over one layer's accepted TS steps. */
typedef struct {
  KNCircuit              c;
  const KNDeviceKernels *kern;
  const PetscInt        *src, *dst; /* this rank's block of the graph: edges e0 .. e0+ne-1 */
  const PetscReal       *theta;     /* their parameters, graph order */
  PetscInt               e0, ne, rows, points;
  PetscReal             *v, a, tprev, fprev, S;
} ChargeCtx;

static PetscErrorCode ChargeMonitor(TS ts, PetscInt step, PetscReal t, Vec X, void *ptr)
{
  ChargeCtx *ctx = (ChargeCtx *)ptr;
  PetscReal  f   = 0;

  PetscFunctionBegin;
  PetscCall(GetNodes(ctx->c, X, ctx->v + 1)); /* v[0] = ground */
  for (PetscInt k = 0; k < ctx->ne; k++) {
    PetscReal i;
    if (ctx->src[k] == ctx->dst[k]) continue; /* self-loops carry no current */
    ctx->kern->current(ctx->theta + k * ctx->rows, 1, &ctx->v[ctx->src[k]], &ctx->v[ctx->dst[k]], &i);
    f += PetscAbsReal(i);
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &f, 1, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)ts)));
  if (step > 0) ctx->S += 0.5 * (f + ctx->fprev) * (t - ctx->tprev) / ctx->a, ctx->points++;
  ctx->tprev = t, ctx->fprev = f;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Solves layer i from vin with the charge monitor attached, at most T/points apart; the step limits are restored. */
static PetscErrorCode SolveWithCharge(KNNet net, Vec P, PetscInt i, Vec X, PetscInt points, ChargeCtx *ctx)
{
  KNCircuit c;
  KNGraph   g;
  KNDevice  d;
  TS        ts;
  TSAdapt   adapt;
  Vec       t, gv;
  PetscInt  N, lo, hi;
  PetscReal T, tend, hmin, hmax;

  PetscFunctionBegin;
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitGetSizes(c, &N, NULL, &ctx->rows));
  PetscCall(KNCircuitGetGraph(c, &g));
  PetscCall(KNGraphGetLocalEdges(g, NULL, NULL, &ctx->src, &ctx->dst)); /* the graph block = the graph-order parameters here */
  PetscCall(KNCircuitGetDevice(c, &d));
  PetscCall(KNDeviceGetKernels(d, &ctx->kern));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &gv));
  PetscCall(KNNetGetLayerParameterVec(net, P, i, &t));
  PetscCall(KNCircuitParametersToGraphOrder(c, t, gv));
  PetscCall(KNNetRestoreLayerParameterVec(net, P, i, &t));
  PetscCall(VecGetOwnershipRange(gv, &lo, &hi));
  ctx->c = c, ctx->e0 = lo / ctx->rows, ctx->ne = (hi - lo) / ctx->rows;
  PetscCall(PetscCalloc1(N + 1, &ctx->v));
  PetscCall(KNCircuitGetDuration(c, &T));
  PetscCall(KNCircuitGetTS(c, &ts));
  PetscCall(TSGetMaxTime(ts, &tend));
  ctx->a = tend / T; /* the TS runs in hardware time T*a */
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(TSAdaptGetStepLimits(adapt, &hmin, &hmax));
  PetscCall(TSAdaptSetStepLimits(adapt, hmin, PetscMin(hmax, tend / points)));
  PetscCall(VecGetArrayRead(gv, &ctx->theta));
  PetscCall(TSMonitorSet(ts, ChargeMonitor, ctx, NULL));
  PetscCall(KNCircuitSolve(c, X));
  PetscCall(TSMonitorCancel(ts));
  PetscCall(VecRestoreArrayRead(gv, &ctx->theta));
  PetscCall(TSAdaptSetStepLimits(adapt, hmin, hmax));
  PetscCall(PetscFree(ctx->v));
  PetscCall(VecDestroy(&gv));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One sample through every layer; v (may be NULL) gets every layer's final voltages; with points > 0 also the charge. */
static PetscErrorCode Sweep(KNNet net, PetscInt nin, const PetscReal in[], PetscReal v[], PetscInt points, PetscReal *S, PetscInt *npoints)
{
  MPI_Comm   comm;
  PetscInt   D, B, Nmax = 0, off = 0;
  PetscReal *cur;
  Vec        P = NULL;

  PetscFunctionBegin;
  PetscCall(KNNetGetComm(net, &comm));
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCheck(B == 1, comm, PETSC_ERR_ARG_WRONGSTATE, "A per-sample hardware sweep needs a net of batch size 1, this one has %" PetscInt_FMT, B);
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscInt  N;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
    Nmax = PetscMax(Nmax, N);
    if (i == 0) PetscCheck(nin >= 0 && nin <= N, comm, PETSC_ERR_ARG_SIZ, "The input has %" PetscInt_FMT " features but the first layer has only %" PetscInt_FMT " nodes", nin, N);
  }
  PetscCall(PetscCalloc1(Nmax, &cur));
  PetscCall(PetscArraycpy(cur, in, nin));
  if (points > 0) {
    PetscCall(KNNetCreateParameterVec(net, &P));
    PetscCall(KNNetGetParameters(net, P));
    *S = 0, *npoints = 0;
  }
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    Vec       X;
    PetscInt  N, Nnext = 0;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
    PetscCall(KNCircuitSetReverse(c, PETSC_FALSE));
    PetscCall(KNCircuitCreateStateVec(c, &X));
    PetscCall(SetNodes(c, X, cur));
    if (points > 0) {
      ChargeCtx ctx = {0};
      PetscCall(SolveWithCharge(net, P, i, X, points, &ctx));
      *S += ctx.S, *npoints += ctx.points;
    } else PetscCall(KNCircuitSolve(c, X));
    PetscCall(GetNodes(c, X, cur));
    PetscCall(VecDestroy(&X));
    if (v) PetscCall(PetscArraycpy(v + off, cur, N));
    off += N;
    if (i + 1 < D) {
      KNCircuit cn;
      PetscCall(KNNetGetLayer(net, i + 1, &cn));
      PetscCall(KNCircuitGetSizes(cn, &Nnext, NULL, NULL));
      for (PetscInt j = N; j < Nnext; j++) cur[j] = 0; /* added nodes start at 0 V; dropped ones are ignored */
    }
  }
  PetscCall(VecDestroy(&P));
  PetscCall(PetscFree(cur));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetGetLayerVoltages - pushes one sample through the layers with the net's own solver and returns the final
  voltages of every layer, the quantities ngspice reports (KNNetRunSpice())

  Collective

  Input Parameters:
+ net - a set-up net of batch size 1
. nin - features of the sample (they set nodes 1..nin of the first layer, other nodes start at 0 V)
- in - the sample, the same on every rank

  Output Parameter:
. v - KNNetGetNumLayerVoltages() values: node j of layer i at off_i + j - 1, on every rank

  Notes:
  Each layer is solved with KNCircuitSolve() from the previous layer's final voltages (added nodes at 0 V,
  extra nodes dropped), exactly as KNNetForward() does, so the last layer equals KNNetGetFinalVoltages().

  Level: intermediate

.seealso: KNNetRunSpice(), KNNetForward()
@*/
PetscErrorCode KNNetGetLayerVoltages(KNNet net, PetscInt nin, const PetscReal in[], PetscReal v[])
{
  PetscFunctionBegin;
  PetscCall(Sweep(net, nin, in, v, 0, NULL, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetComputeDeviceCharge - the charge the devices move in one inference, S = sum_layers int_0^{T_i} sum_e |i_e(t)| dt,
  in units of (device current unit) x (software time unit)

  Collective

  Input Parameters:
+ net - a set-up net of batch size 1
. nin, in - one input sample (as KNNetGetLayerVoltages())
- points - at least this many trapezoid intervals per layer (the time step is capped at T/points)

  Output Parameters:
+ S - the integral; with hardware scale a and current scale I0 (amperes per unit current) the charge is Q = I0 * a * S
- npoints - the number of trapezoid intervals used (all layers)

  Notes:
  An estimate: the trapezoid rule over the accepted steps of each layer's time stepper. The layers' TS monitors are
  replaced during the solve (monitors set with -ts_monitor are cancelled). Self-loops carry no current.

  Level: intermediate

.seealso: KNNetGetLayerVoltages()
@*/
PetscErrorCode KNNetComputeDeviceCharge(KNNet net, PetscInt nin, const PetscReal in[], PetscInt points, PetscReal *S, PetscInt *npoints)
{
  MPI_Comm comm;

  PetscFunctionBegin;
  PetscCall(KNNetGetComm(net, &comm));
  PetscCheck(points >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "points must be at least 1, got %" PetscInt_FMT, points);
  PetscCall(Sweep(net, nin, in, NULL, points, S, npoints));
  PetscFunctionReturn(KN_SUCCESS);
}
