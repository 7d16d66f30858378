/* KNTrajectory: v(t) of chosen samples and nodes of every layer, recorded by a TSMonitor on each layer's TS (at the
   accepted steps, or at given times through the integrator's dense output), written to HDF5 by rank 0. */
#include "trajimpl.h"
#include <math.h>
#include "sys/knoptions.h"

/*@C
  KNTrajectoryCreate - a recorder of node voltages over time for a set-up net (samples 0..min(B, 8)-1, every node,
  every accepted step, until set otherwise)

  Collective

  Level: intermediate

.seealso: KNTrajectorySetFromOptions(), KNTrajectoryBegin(), KNTrajectoryWrite(), KNTrajectoryCreateFromOptions()
@*/
PetscErrorCode KNTrajectoryCreate(KNNet net, KNTrajectory *traj)
{
  KNTrajectory tj;

  PetscFunctionBegin;
  KNAssertPointer(traj, 2);
  PetscCall(PetscNew(&tj));
  tj->net = net;
  PetscCall(KNNetGetComm(net, &tj->comm));
  PetscCallMPI(MPI_Comm_rank(tj->comm, &tj->rank));
  PetscCall(KNNetGetNumLayers(net, &tj->D));
  PetscCall(KNNetGetBatchSize(net, &tj->B));
  tj->ns = PetscMin(tj->B, 8);
  PetscCall(PetscMalloc1(tj->ns, &tj->samples));
  for (PetscInt s = 0; s < tj->ns; s++) tj->samples[s] = s;
  PetscCall(PetscCalloc1(tj->D, &tj->layer));
  *traj = tj;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrajectoryDestroy(KNTrajectory *traj)
{
  PetscFunctionBegin;
  if (!traj || !*traj) PetscFunctionReturn(KN_SUCCESS);
  if ((*traj)->attached) PetscCall(KNTrajectoryEnd(*traj));
  for (PetscInt i = 0; i < (*traj)->D; i++) {
    KNTrajLayer *L = &(*traj)->layer[i];
    PetscCall(PetscFree(L->nodes));
    PetscCall(PetscFree2(L->t, L->v));
    PetscCall(VecDestroy(&L->work));
  }
  PetscCall(PetscFree((*traj)->layer));
  PetscCall(PetscFree((*traj)->samples));
  PetscCall(PetscFree((*traj)->nodes));
  PetscCall(PetscFree((*traj)->times));
  PetscCall(PetscFree(*traj));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrajectorySetSamples - the samples to record: 0-based indices of the inputs (knet eval) or draws (knet sample),
  which the sweeps take in batches of B consecutive ones

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrajectorySetSamples(KNTrajectory tj, PetscInt n, const PetscInt s[])
{
  PetscFunctionBegin;
  PetscCheck(!tj->attached, tj->comm, PETSC_ERR_ARG_WRONGSTATE, "Set the samples before KNTrajectoryBegin()");
  PetscCheck(n >= 1, tj->comm, PETSC_ERR_ARG_OUTOFRANGE, "Record at least one sample");
  for (PetscInt k = 0; k < n; k++) PetscCheck(s[k] >= 0, tj->comm, PETSC_ERR_ARG_OUTOFRANGE, "Trajectory sample %" PetscInt_FMT " must be >= 0 (0-based)", s[k]);
  PetscCall(PetscFree(tj->samples));
  PetscCall(PetscMalloc1(n, &tj->samples));
  PetscCall(PetscArraycpy(tj->samples, s, n));
  tj->ns = n;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrajectorySetNodes - the node ids 1..N to record (n = 0: every node of each layer); ids a layer does not have are
  left out of that layer

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrajectorySetNodes(KNTrajectory tj, PetscInt n, const PetscInt nodes[])
{
  PetscFunctionBegin;
  PetscCheck(!tj->attached, tj->comm, PETSC_ERR_ARG_WRONGSTATE, "Set the nodes before KNTrajectoryBegin()");
  for (PetscInt k = 0; k < n; k++) PetscCheck(nodes[k] >= 1, tj->comm, PETSC_ERR_ARG_OUTOFRANGE, "Trajectory node %" PetscInt_FMT " must be >= 1 (node 0 is ground)", nodes[k]);
  PetscCall(PetscFree(tj->nodes));
  if (n) PetscCall(PetscMalloc1(n, &tj->nodes));
  if (n) PetscCall(PetscArraycpy(tj->nodes, nodes, n));
  tj->nn = n;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrajectorySetTimes - record at these increasing times within each layer, 0..T, through the integrator's dense
  output TSInterpolate() (n = 0: at the accepted steps); times beyond a layer's T are skipped in that layer

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrajectorySetTimes(KNTrajectory tj, PetscInt n, const PetscReal t[])
{
  PetscFunctionBegin;
  PetscCheck(!tj->attached, tj->comm, PETSC_ERR_ARG_WRONGSTATE, "Set the times before KNTrajectoryBegin()");
  for (PetscInt k = 0; k < n; k++) PetscCheck(t[k] >= 0 && (k == 0 || t[k] > t[k - 1]), tj->comm, PETSC_ERR_ARG_OUTOFRANGE, "Trajectory times must be >= 0 and increasing (entry %" PetscInt_FMT " is %g)", k, (double)t[k]);
  PetscCall(PetscFree(tj->times));
  if (n) PetscCall(PetscMalloc1(n, &tj->times));
  if (n) PetscCall(PetscArraycpy(tj->times, t, n));
  tj->ntimes = n;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrajectorySetFileName(KNTrajectory tj, const char file[])
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(tj->file, file, sizeof(tj->file)));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrajectorySetFromOptions - reads the trajectory options

  Collective

  Options Database Keys:
+ -kn_trajectory <file.h5> - the trajectory file
. -kn_trajectory_samples <0-8> - samples to record (0-based; PETSc lists: 0,5,9 or ranges 0-100 = 0..99)
. -kn_trajectory_nodes <all> - node ids to record (1-based)
- -kn_trajectory_times <steps> - times within each layer (0..T) to record at, by dense output; default: every accepted step

  Level: intermediate
@*/
PetscErrorCode KNTrajectorySetFromOptions(KNTrajectory tj)
{
  PetscInt  ns = 100000, nn = 100000, nt = 100000, *s, *nodes;
  PetscReal *t;
  PetscBool sset, nset, tset;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(ns, &s, nn, &nodes, nt, &t));
  PetscOptionsBegin(tj->comm, NULL, "KirchhoffNet trajectories (knet eval, knet sample)", "KNTrajectory");
  PetscCall(PetscOptionsString("-kn_trajectory", "Write v(t) of chosen samples and nodes of every layer to this HDF5 file", "KNTrajectoryWrite", tj->file, tj->file, sizeof(tj->file), NULL));
  PetscCall(PetscOptionsIntArray("-kn_trajectory_samples", "Samples to record (0-based; ranges such as 0-100 allowed)", "KNTrajectorySetSamples", s, &ns, &sset));
  PetscCall(PetscOptionsIntArray("-kn_trajectory_nodes", "Node ids to record (default: all)", "KNTrajectorySetNodes", nodes, &nn, &nset));
  PetscCall(PetscOptionsRealArray("-kn_trajectory_times", "Times within each layer (0..T) to record at (default: every accepted step)", "KNTrajectorySetTimes", t, &nt, &tset));
  PetscOptionsEnd();
  if (!tj->net) sset = nset = tset = PETSC_FALSE; /* -help only */
  if (sset) PetscCall(KNTrajectorySetSamples(tj, ns, s));
  if (nset) PetscCall(KNTrajectorySetNodes(tj, nn, nodes));
  if (tset) PetscCall(KNTrajectorySetTimes(tj, nt, t));
  PetscCall(PetscFree3(s, nodes, t));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNTrajLayer set-up: its nodes, the time scale, storage for the given times. */
static PetscErrorCode SetUpLayer(KNTrajectory tj, PetscInt i)
{
  KNTrajLayer    *L = &tj->layer[i];
  KNCircuit c;
  TS        ts;
  PetscInt  N;
  PetscReal tmax;

  PetscFunctionBegin;
  L->traj = tj, L->i = i, L->position = -1, L->sweep = -1, L->last_step = -1;
  PetscCall(KNNetGetLayer(tj->net, i, &c));
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCall(KNCircuitGetDuration(c, &L->T));
  PetscCall(KNCircuitGetTS(c, &ts));
  PetscCall(TSGetMaxTime(ts, &tmax));
  L->scale = tmax / L->T; /* hardware scaling (KNCircuitSetHardwareScale()) stretches TS time */
  PetscCall(PetscFree(L->nodes));
  PetscCall(PetscMalloc1(tj->nn ? tj->nn : N, &L->nodes));
  L->nn = 0;
  for (PetscInt k = 0; k < (tj->nn ? tj->nn : N); k++) {
    PetscInt j = tj->nn ? tj->nodes[k] : k + 1;
    if (j <= N) L->nodes[L->nn++] = j;
  }
  PetscCall(PetscFree2(L->t, L->v));
  L->nt = 0, L->cap = 0;
  if (tj->ntimes) {
    while (L->nt < tj->ntimes && tj->times[L->nt] <= L->T * (1 + 1e-12)) L->nt++;
    L->cap = L->nt;
  }
  if (!tj->rank && L->cap) {
    PetscCall(PetscMalloc2(L->cap, &L->t, L->cap * tj->ns * L->nn, &L->v));
    for (PetscInt k = 0; k < L->cap; k++) L->t[k] = tj->times[k];
    for (PetscInt k = 0; k < L->cap * tj->ns * L->nn; k++) L->v[k] = NAN;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 gets row k (k = L->nt: a new one, in accepted-step mode) filled with the recorded samples of this sweep. */
static PetscErrorCode Record(KNTrajLayer *L, Vec X, PetscInt k, PetscReal t)
{
  KNTrajectory     tj = L->traj;
  KNCircuit        c;
  PetscInt         lo, hi, first = tj->first + L->sweep * tj->B, n = tj->ns * L->nn;
  const PetscReal *x;
  PetscReal       *buf, *sum = NULL;

  PetscFunctionBegin;
  PetscCall(KNNetGetLayer(tj->net, L->i, &c));
  PetscCall(PetscCalloc1(2 * n, &buf));
  PetscCall(VecGetOwnershipRange(X, &lo, &hi));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt s = 0; s < tj->ns; s++) {
    PetscInt b = tj->samples[s] - first;
    if (b < 0 || b >= tj->B) continue;
    buf[n + s * L->nn] = 1; /* this sample is in the sweep */
    for (PetscInt q = 0; q < L->nn; q++) {
      PetscInt idx;
      PetscCall(KNCircuitGetNodeStateIndex(c, L->nodes[q], &idx));
      if (idx + b >= lo && idx + b < hi) buf[s * L->nn + q] = x[idx + b - lo]; /* one owner: the sum is exact */
    }
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  if (!tj->rank) PetscCall(PetscMalloc1(2 * n, &sum));
  PetscCallMPI(MPI_Reduce(buf, sum, (PetscMPIInt)(2 * n), MPIU_REAL, MPI_SUM, 0, tj->comm));
  if (!tj->rank) {
    if (k >= L->cap) {
      PetscReal *t2, *v2;
      L->cap = PetscMax(16, 2 * L->cap);
      PetscCall(PetscMalloc2(L->cap, &t2, L->cap * n, &v2));
      if (L->nt) PetscCall(PetscArraycpy(t2, L->t, L->nt));
      if (L->nt) PetscCall(PetscArraycpy(v2, L->v, L->nt * n));
      PetscCall(PetscFree2(L->t, L->v));
      L->t = t2, L->v = v2;
    }
    for (PetscInt s = 0; s < tj->ns; s++)
      if (sum[n + s * L->nn] > 0 || !tj->ntimes)
        for (PetscInt q = 0; q < L->nn; q++) L->v[(k * tj->ns + s) * L->nn + q] = sum[n + s * L->nn] > 0 ? sum[s * L->nn + q] : NAN;
    L->t[k] = t;
  }
  PetscCall(PetscFree(buf));
  PetscCall(PetscFree(sum));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A new solve of layer L: which sweep (batch) it belongs to and whether it holds recorded samples. */
static PetscErrorCode StartSolve(KNTrajLayer *L)
{
  KNTrajectory tj = L->traj;
  PetscInt     first;

  PetscFunctionBegin;
  L->sweep = tj->nstart / tj->D, L->next = 0, L->last_step = -1;
  if (L->position < 0) L->position = tj->seen++;
  tj->nstart++;
  first     = tj->first + L->sweep * tj->B;
  L->active = PETSC_FALSE;
  for (PetscInt s = 0; s < tj->ns; s++)
    if (tj->samples[s] >= first && tj->samples[s] < first + tj->B) L->active = PETSC_TRUE;
  if (!tj->ntimes && L->active) L->nt = 0; /* accepted steps: the one sweep holding the samples */
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Monitor(TS ts, PetscInt step, PetscReal time, Vec X, void *ctx)
{
  KNTrajLayer       *L  = (KNTrajLayer *)ctx;
  KNTrajectory tj = L->traj;
  PetscReal    t  = time / L->scale, eps = 1e-12 * L->T;

  PetscFunctionBegin;
  if (step == 0 && L->last_step != 0) PetscCall(StartSolve(L)); /* a new solve */
  else if (step == L->last_step) PetscFunctionReturn(KN_SUCCESS); /* the same step reported twice (end of TSSolve) */
  L->last_step = step;
  if (!L->active) PetscFunctionReturn(KN_SUCCESS);
  if (!tj->ntimes) {
    PetscCall(Record(L, X, L->nt, t));
    L->nt++;
    PetscFunctionReturn(KN_SUCCESS);
  }
  for (; L->next < L->cap && tj->times[L->next] <= t + eps; L->next++) {
    if (step == 0 || PetscAbsReal(tj->times[L->next] - t) <= eps) PetscCall(Record(L, X, L->next, tj->times[L->next]));
    else {
      if (!L->work) PetscCall(VecDuplicate(X, &L->work));
      PetscCall(TSInterpolate(ts, tj->times[L->next] * L->scale, L->work));
      PetscCall(Record(L, L->work, L->next, tj->times[L->next]));
    }
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrajectoryBegin - attaches a TSMonitor to every layer's TS; the following forward sweeps are recorded

  Collective

  Input Parameters:
+ tj - the trajectory
- first - the sample index of the next sweep's first batch entry (0 for knet eval and KNFlowSample(): sweep k holds
          samples first + kB .. first + (k+1)B - 1)

  Notes:
  With -kn_trajectory_times the samples may come from any batches (every sweep is sampled at the same times, through
  TSInterpolate(): the integrator's dense output, which does not change the steps taken). Recording the accepted
  steps needs every sample in one batch, since each batch takes its own adaptive steps.

  Level: intermediate

.seealso: KNTrajectoryEnd(), KNTrajectoryWrite()
@*/
PetscErrorCode KNTrajectoryBegin(KNTrajectory tj, PetscInt first)
{
  PetscInt lo = PETSC_MAX_INT, hi = 0;

  PetscFunctionBegin;
  PetscCheck(!tj->attached, tj->comm, PETSC_ERR_ARG_WRONGSTATE, "KNTrajectoryBegin() was already called");
  PetscCheck(first >= 0, tj->comm, PETSC_ERR_ARG_OUTOFRANGE, "The first sample must be >= 0");
  for (PetscInt s = 0; s < tj->ns; s++) lo = PetscMin(lo, tj->samples[s] - first), hi = PetscMax(hi, tj->samples[s] - first);
  PetscCheck(lo >= 0, tj->comm, PETSC_ERR_ARG_OUTOFRANGE, "Trajectory sample %" PetscInt_FMT " comes before the first sample %" PetscInt_FMT, lo + first, first);
  PetscCheck(tj->ntimes || lo / tj->B == hi / tj->B, tj->comm, PETSC_ERR_ARG_INCOMP, "Recording the accepted steps needs all trajectory samples in one batch of %" PetscInt_FMT " (each batch takes its own steps): give -kn_trajectory_times t0,t1,... or samples within one batch (e.g. -kn_trajectory_samples %" PetscInt_FMT "-%" PetscInt_FMT ")", tj->B, (lo / tj->B) * tj->B + first, (lo / tj->B + 1) * tj->B + first);
  tj->nstart = 0, tj->seen = 0, tj->first = first;
  for (PetscInt i = 0; i < tj->D; i++) {
    KNCircuit c;
    TS        ts;

    PetscCall(SetUpLayer(tj, i));
    PetscCall(KNNetGetLayer(tj->net, i, &c));
    PetscCall(KNCircuitGetTS(c, &ts));
    PetscCall(TSMonitorSet(ts, Monitor, &tj->layer[i], NULL));
  }
  tj->attached = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrajectoryEnd - removes the monitors (TSMonitorCancel(): also any -ts_monitor of the layers)

  Collective

  Level: intermediate
@*/
PetscErrorCode KNTrajectoryEnd(KNTrajectory tj)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < tj->D && tj->attached; i++) {
    KNCircuit c;
    TS        ts;

    PetscCall(KNNetGetLayer(tj->net, i, &c));
    PetscCall(KNCircuitGetTS(c, &ts));
    PetscCall(TSMonitorCancel(ts));
  }
  tj->attached = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrajectoryCreateFromOptions - a trajectory of the net if -kn_trajectory FILE was given (else *traj = NULL),
  configured from the options and begun (KNTrajectoryBegin() with first = 0); net = NULL only lists the options
  (-help)

  Collective

  Level: beginner

.seealso: KNTrajectoryWrite(), KNTrajectoryDestroy()
@*/
PetscErrorCode KNTrajectoryCreateFromOptions(KNNet net, KNTrajectory *traj)
{
  PetscBool set;

  PetscFunctionBegin;
  if (traj) *traj = NULL;
  if (!net) { /* -help without a model: list the options */
    struct _p_KNTrajectory help;
    PetscCall(PetscMemzero(&help, sizeof(help)));
    help.comm = PETSC_COMM_WORLD;
    PetscCall(KNTrajectorySetFromOptions(&help));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscOptionsHasName(NULL, NULL, "-kn_trajectory", &set));
  if (!set) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNTrajectoryCreate(net, traj));
  PetscCall(KNTrajectorySetFromOptions(*traj));
  PetscCheck((*traj)->file[0], (*traj)->comm, PETSC_ERR_ARG_WRONG, "-kn_trajectory needs a file name (e.g. -kn_trajectory traj.h5)");
  PetscCall(KNTrajectoryBegin(*traj, 0));
  PetscFunctionReturn(KN_SUCCESS);
}
