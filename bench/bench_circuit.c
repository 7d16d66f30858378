/* bench_circuit: the figures the project reports for one KirchhoffNet layer (shift_tanh2, random graph, batch B):
   PETSc TS (rk4 fixed step, 5dp adaptive) forward and forward+adjoint times against the plain-C RK4 baseline, a
   cross-check of the rk4 results against it, and the RHS cost against memory-traffic bounds. Figures only: times never
   decide the exit status (a failed cross-check does). Serial. -help lists the options; each TS configuration has its
   own prefix (-rk4_ts_*, -dp5_ts_*): user flags override the defaults set here, and -log_view splits by stage. */
#include <kn.h>
#include "plain_rk4.h"
#include "bandwidth.h"

typedef struct {
  PetscInt  N, E, B, seed, repeats, rhs_calls, bw_mb, nsteps;
  PetscReal T, dt, tol, scale;
} Params;

typedef struct {
  Params          par;
  KNGraph         graph;
  KNDevice        device;
  KNPlainCircuit  pc;
  PetscReal      *theta, *v0, *target; /* theta in graph order, [3e + r] */
} Problem;

typedef struct {
  const char    *label, *prefix;
  KNCircuit      c;
  Vec            X0, X, L, Lseed, G; /* initial state, work state, adjoint, dL/dX(T), dL/dtheta */
  double         fwd, fwdadj;     /* best times, s */
  KNCircuitStats sf, sa;          /* counts of one forward solve and of one forward+adjoint */
} Config;

typedef struct {
  double     fwd, fwdadj, adj; /* adj: the adjoint sweep alone (4 fused VJPs per step) */
  PetscReal *vT, *lambda0, *dtheta, *stages;
} Plain;

/* Counter-based N(0,1) draws (Box-Muller on two hashed counters): stream s, index k, independent of call order. */
static PetscReal Uniform01(PetscInt64 seed, PetscInt64 s, PetscInt64 k)
{
  unsigned long long z = (unsigned long long)seed * 0x9e3779b97f4a7c15ULL ^ ((unsigned long long)s << 56) ^ (unsigned long long)k;

  z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL; /* the 64-bit finaliser of MurmurHash3 */
  z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
  z ^= z >> 33;
  return ((PetscReal)(z >> 11) + 0.5) / 9007199254740992.0;
}

static PetscReal Normal(PetscInt64 seed, PetscInt64 s, PetscInt64 k)
{
  return PetscSqrtReal(-2 * PetscLogReal(Uniform01(seed, s, 2 * k))) * PetscCosReal(2 * PETSC_PI * Uniform01(seed, s, 2 * k + 1));
}

static PetscReal RelMaxDiff(PetscInt n, const PetscReal *a, const PetscReal *b)
{
  PetscReal d = 0, m = 0;

  for (PetscInt i = 0; i < n; i++) {
    d = PetscMax(d, PetscAbsReal(a[i] - b[i]));
    m = PetscMax(m, PetscAbsReal(b[i]));
  }
  return m > 0 ? d / m : d;
}

static PetscErrorCode GetParams(MPI_Comm comm, Params *p)
{
  PetscFunctionBeginUser;
  *p = (Params){.N = 1000, .E = 10000, .B = 64, .seed = 1, .repeats = 5, .rhs_calls = 200, .bw_mb = 256, .T = 1, .dt = 0.05, .tol = 1e-6, .scale = 0.5};
  PetscOptionsBegin(comm, NULL, "bench_circuit: PETSc TS path against the plain-C RK4 baseline", NULL);
  PetscCall(PetscOptionsBoundedInt("-N", "Number of nodes", NULL, p->N, &p->N, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-E", "Number of random edges", NULL, p->E, &p->E, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-B", "Batch size", NULL, p->B, &p->B, NULL, 1));
  PetscCall(PetscOptionsInt("-seed", "Seed of the graph, theta, v0 and target", NULL, p->seed, &p->seed, NULL));
  PetscCall(PetscOptionsBoundedInt("-repeats", "Timed repeats after one warm-up (best is reported)", NULL, p->repeats, &p->repeats, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-rhs_calls", "RHS evaluations timed for the RHS cost (best is reported)", NULL, p->rhs_calls, &p->rhs_calls, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-bw_mb", "MB per array of the DRAM bandwidth probe", NULL, p->bw_mb, &p->bw_mb, NULL, 1));
  PetscCall(PetscOptionsReal("-T", "Integration time", NULL, p->T, &p->T, NULL));
  PetscCall(PetscOptionsReal("-dt", "rk4 step (= 5dp first step); T/dt must be an integer", NULL, p->dt, &p->dt, NULL));
  PetscCall(PetscOptionsReal("-tol", "5dp rtol = atol", NULL, p->tol, &p->tol, NULL));
  PetscCall(PetscOptionsReal("-scale", "theta ~ scale N(0,1)", NULL, p->scale, &p->scale, NULL));
  PetscOptionsEnd();
  p->nsteps = (PetscInt)(p->T / p->dt + 0.5);
  PetscCheck(p->nsteps >= 1 && PetscAbsReal(p->nsteps * p->dt - p->T) < 1e-12 * p->T, comm, PETSC_ERR_ARG_OUTOFRANGE, "-T %g must be a multiple of -dt %g", (double)p->T, (double)p->dt);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ProblemCreate(MPI_Comm comm, const Params *par, Problem *p)
{
  const PetscInt  N = par->N, E = par->E, B = par->B;
  const PetscInt *src, *dst;

  PetscFunctionBeginUser;
  p->par = *par;
  PetscCall(KNGraphCreateRandom(comm, N, E, par->seed, &p->graph));
  PetscCall(KNGraphGetEdges(p->graph, &src, &dst));
  PetscCall(KNDeviceCreate(comm, &p->device));
  PetscCall(KNDeviceSetType(p->device, KNDEVICESHIFTTANH2));
  PetscCall(PetscMalloc3(3 * E, &p->theta, N * B, &p->v0, N * B, &p->target));
  for (PetscInt k = 0; k < 3 * E; k++) p->theta[k] = par->scale * Normal(par->seed, 1, k);
  for (PetscInt k = 0; k < N * B; k++) p->v0[k] = Normal(par->seed, 2, k);
  for (PetscInt k = 0; k < N * B; k++) p->target[k] = Normal(par->seed, 3, k);
  p->pc = (KNPlainCircuit){.N = N, .E = E, .B = B, .src = src, .dst = dst, .theta = p->theta};
  PetscFunctionReturn(KN_SUCCESS);
}

/* Sets -<prefix><name> <value> for each pair unless the user already gave it: user flags win, nothing is cleared. */
static PetscErrorCode SetDefaultOptions(const char prefix[], const char *const pairs[], PetscInt n)
{
  char name[256];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    PetscBool set;

    PetscCall(PetscSNPrintf(name, sizeof(name), "-%s%s", prefix, pairs[2 * i]));
    PetscCall(PetscOptionsHasName(NULL, NULL, name, &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, name, pairs[2 * i + 1]));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* The voltage block of a state Vec on one rank is node-major, batch innermost: the plain layout. */
static PetscErrorCode StateVoltages(KNCircuit c, Vec X, const PetscReal *in, PetscReal *out)
{
  PetscInt   N, B;
  PetscReal *x;

  PetscFunctionBeginUser;
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCall(KNCircuitGetBatchSize(c, &B));
  PetscCall(VecGetArray(X, &x));
  if (in) PetscCall(PetscArraycpy(x, in, N * B));
  if (out) PetscCall(PetscArraycpy(out, x, N * B));
  PetscCall(VecRestoreArray(X, &x));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ConfigCreate(MPI_Comm comm, const Problem *p, const char *const opts[], PetscInt nopts, Config *cf)
{
  Vec        g, t;
  PetscInt   lo, hi;
  PetscReal *a;

  PetscFunctionBeginUser;
  PetscCall(SetDefaultOptions(cf->prefix, opts, nopts));
  PetscCall(KNCircuitCreate(comm, &cf->c));
  PetscCall(KNCircuitSetName(cf->c, cf->label));
  PetscCall(KNCircuitSetOptionsPrefix(cf->c, cf->prefix));
  PetscCall(KNCircuitSetGraph(cf->c, p->graph));
  PetscCall(KNCircuitSetDevice(cf->c, p->device));
  PetscCall(KNCircuitSetBatchSize(cf->c, p->par.B));
  PetscCall(KNCircuitSetDuration(cf->c, p->par.T));
  PetscCall(KNCircuitSetFromOptions(cf->c));
  PetscCall(KNCircuitSetUp(cf->c));
  /* the same theta as the plain baseline, given in graph order */
  PetscCall(KNCircuitCreateGraphOrderParameterVec(cf->c, &g));
  PetscCall(KNCircuitCreateParameterVec(cf->c, &t));
  PetscCall(VecGetOwnershipRange(g, &lo, &hi));
  PetscCall(VecGetArray(g, &a));
  PetscCall(PetscArraycpy(a, p->theta + lo, hi - lo));
  PetscCall(VecRestoreArray(g, &a));
  PetscCall(KNCircuitParametersFromGraphOrder(cf->c, g, t));
  PetscCall(KNCircuitSetParameters(cf->c, t));
  PetscCall(VecDestroy(&g));
  PetscCall(VecDestroy(&t));
  PetscCall(KNCircuitCreateStateVec(cf->c, &cf->X0));
  PetscCall(VecDuplicate(cf->X0, &cf->X));
  PetscCall(VecDuplicate(cf->X0, &cf->L));
  PetscCall(VecDuplicate(cf->X0, &cf->Lseed));
  PetscCall(KNCircuitCreateParameterVec(cf->c, &cf->G));
  PetscCall(VecZeroEntries(cf->X0));
  PetscCall(StateVoltages(cf->c, cf->X0, p->v0, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ConfigDestroy(Config *cf)
{
  PetscFunctionBeginUser;
  PetscCall(VecDestroy(&cf->X0));
  PetscCall(VecDestroy(&cf->X));
  PetscCall(VecDestroy(&cf->L));
  PetscCall(VecDestroy(&cf->Lseed));
  PetscCall(VecDestroy(&cf->G));
  PetscCall(KNCircuitDestroy(&cf->c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One warm-up, then `repeats` timed forward solves and forward+adjoint solves; leaves X = v(T), L = dL/dX(0). */
static PetscErrorCode ConfigRun(const Problem *p, Config *cf)
{
  const PetscInt n = p->par.N * p->par.B;
  KNCircuitStats s0, s1;
  PetscReal     *vT;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  cf->fwd = cf->fwdadj = PETSC_MAX_REAL;
  PetscCall(PetscMalloc1(n, &vT));
  for (PetscInt r = 0; r <= p->par.repeats; r++) {
    PetscCall(VecCopy(cf->X0, cf->X));
    PetscCall(KNCircuitGetStats(cf->c, &s0));
    PetscCall(PetscTime(&t0));
    PetscCall(KNCircuitSolve(cf->c, cf->X));
    PetscCall(PetscTime(&t1));
    PetscCall(KNCircuitGetStats(cf->c, &s1));
    cf->sf = (KNCircuitStats){.steps = s1.steps - s0.steps, .rejects = s1.rejects, .rhs_evals = s1.rhs_evals - s0.rhs_evals};
    if (r) cf->fwd = PetscMin(cf->fwd, t1 - t0);
    /* dL/dv(T) = v(T) - target, dL/dtheta direct = 0 */
    PetscCall(StateVoltages(cf->c, cf->X, NULL, vT));
    for (PetscInt k = 0; k < n; k++) vT[k] -= p->target[k];
    PetscCall(VecZeroEntries(cf->Lseed));
    PetscCall(StateVoltages(cf->c, cf->Lseed, vT, NULL));
    PetscCall(VecCopy(cf->X0, cf->X));
    PetscCall(VecCopy(cf->Lseed, cf->L));
    PetscCall(PetscTime(&t0));
    PetscCall(VecZeroEntries(cf->G));
    PetscCall(KNCircuitSolveAdjoint(cf->c, cf->X, cf->L, cf->G));
    PetscCall(PetscTime(&t1));
    PetscCall(KNCircuitGetStats(cf->c, &s0));
    cf->sa = (KNCircuitStats){.steps = s0.steps - s1.steps, .rejects = s0.rejects, .rhs_evals = s0.rhs_evals - s1.rhs_evals, .jac_evals = s0.jac_evals - s1.jac_evals, .jact_mults = s0.jact_mults - s1.jact_mults};
    if (r) cf->fwdadj = PetscMin(cf->fwdadj, t1 - t0);
  }
  PetscCall(PetscFree(vT));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The same sequence for the plain-C baseline: forward alone; forward with stage storage + hand-written adjoint. */
static PetscErrorCode PlainRun(const Problem *p, Plain *pl)
{
  const KNPlainCircuit *pc = &p->pc;
  const PetscInt        n = pc->N * pc->B, ns = p->par.nsteps;
  size_t                nstage;
  PetscLogDouble        t0, t1;

  PetscFunctionBeginUser;
  PetscCall(KNPlainRK4StageSize(pc, ns, &nstage));
  PetscCall(PetscMalloc4(n, &pl->vT, n, &pl->lambda0, 3 * pc->E, &pl->dtheta, nstage, &pl->stages));
  pl->fwd = pl->fwdadj = pl->adj = PETSC_MAX_REAL;
  for (PetscInt r = 0; r <= p->par.repeats; r++) {
    PetscLogDouble t2;

    PetscCall(PetscTime(&t0));
    PetscCall(KNPlainRK4Forward(pc, p->par.T, ns, p->v0, pl->vT, NULL));
    PetscCall(PetscTime(&t1));
    if (r) pl->fwd = PetscMin(pl->fwd, t1 - t0);
    for (PetscInt k = 0; k < n; k++) pl->lambda0[k] = pl->vT[k] - p->target[k]; /* dL/dv(T) */
    PetscCall(PetscArrayzero(pl->dtheta, 3 * pc->E));
    PetscCall(PetscTime(&t0));
    PetscCall(KNPlainRK4Forward(pc, p->par.T, ns, p->v0, pl->vT, pl->stages));
    PetscCall(PetscTime(&t2));
    PetscCall(KNPlainRK4Adjoint(pc, p->par.T, ns, pl->stages, pl->lambda0, pl->lambda0, pl->dtheta));
    PetscCall(PetscTime(&t1));
    if (r) pl->fwdadj = PetscMin(pl->fwdadj, t1 - t0);
    if (r) pl->adj = PetscMin(pl->adj, t1 - t2);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode PrintTimes(const char *label, double fwd, double fwdadj, const Config *cf)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-26s forward %8.3f ms   forward+adjoint %8.3f ms   (fwd+adj)/fwd %.2f\n", label, 1e3 * fwd, 1e3 * fwdadj, fwdadj / fwd));
  if (cf) PetscCall(PetscPrintf(PETSC_COMM_SELF, "    forward: %" PetscInt_FMT " steps, %" PetscInt_FMT " rejected, %" PetscInt_FMT " RHS;  adjoint: %" PetscInt_FMT " RHS (recomputed forward), %" PetscInt_FMT " Jacobian evaluations, %" PetscInt_FMT " J^T products\n", cf->sf.steps, cf->sf.rejects, cf->sf.rhs_evals, cf->sa.rhs_evals, cf->sa.jac_evals, cf->sa.jact_mults));
  PetscFunctionReturn(KN_SUCCESS);
}

/* PETSc rk4 v(T), dL/dv0 and dL/dtheta (graph order) against the plain baseline; also 5dp v(T) (discretisation). */
static PetscErrorCode CrossCheck(const Problem *p, Config *rk4, Config *dp5, const Plain *pl, PetscReal *worst)
{
  const PetscInt   n = p->par.N * p->par.B, np = 3 * p->par.E;
  PetscReal       *v, dv, dl, dt, d5, l2 = 0, atol, rtol;
  const PetscReal *a;
  Vec              t, g;
  TS               ts;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, &v));
  PetscCall(StateVoltages(dp5->c, dp5->X, NULL, v));
  d5 = RelMaxDiff(n, v, pl->vT);
  PetscCall(KNCircuitGetTS(dp5->c, &ts));
  PetscCall(TSGetTolerances(ts, &atol, NULL, &rtol, NULL));
  PetscCall(StateVoltages(rk4->c, rk4->L, NULL, v));
  dl = RelMaxDiff(n, v, pl->lambda0);
  PetscCall(StateVoltages(rk4->c, rk4->X, NULL, v));
  dv = RelMaxDiff(n, v, pl->vT);
  for (PetscInt k = 0; k < n; k++) l2 += PetscSqr(pl->vT[k] - p->v0[k]);
  PetscCall(KNCircuitCreateGraphOrderParameterVec(rk4->c, &g));
  PetscCall(KNCircuitParametersToGraphOrder(rk4->c, rk4->G, g));
  PetscCall(VecGetArrayRead(g, &a));
  dt = RelMaxDiff(np, a, pl->dtheta);
  PetscCall(VecRestoreArrayRead(g, &a));
  *worst = PetscMax(dv, PetscMax(dl, dt));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "cross-check, max|PETSc - plain| / max|plain| (expect 1e-14..1e-12):\n"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  rk4 v(T) %.2e   dL/dv0 %.2e   dL/dtheta (graph order) %.2e\n", (double)dv, (double)dl, (double)dt));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  dynamics ||v(T) - v0|| / sqrt(NB) = %.3f;  5dp (rtol %g, atol %g) v(T) vs plain rk4 %.2e (discretisation)\n", (double)PetscSqrtReal(l2 / n), (double)rtol, (double)atol, (double)d5));
  PetscCall(VecDestroy(&t));
  PetscCall(VecDestroy(&g));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  double petsc, plain, bound, jt, vjp; /* ns per edge-sample */
} RHSCost;

/* Best-of-calls time of KNCircuitComputeRHS and KNPlainRHS on v0, and the memory bound that applies. */
static PetscErrorCode TimeRHS(const Problem *p, Config *cf, const Plain *pl, RHSCost *rc)
{
  const PetscInt N = p->par.N, E = p->par.E, B = p->par.B;
  const double   es = (double)E * B;
  const size_t   state = (size_t)N * B * sizeof(PetscReal);
  double         tc = PETSC_MAX_REAL, tp = PETSC_MAX_REAL, tj = PETSC_MAX_REAL, dram[2], ws[2], dram_bytes, gather_bytes, b_dram, b_ws;
  PetscReal     *f;
  PetscBool      cached;
  Vec            F, Y;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(cf->X0, &F));
  PetscCall(VecDuplicate(cf->X0, &Y));
  PetscCall(PetscMalloc1(N * B, &f));
  for (PetscInt i = 0; i <= p->par.rhs_calls; i++) {
    PetscLogDouble t0, t1, t2, t3;

    PetscCall(PetscTime(&t0));
    PetscCall(KNCircuitComputeRHS(cf->c, cf->X0, F));
    PetscCall(PetscTime(&t1));
    PetscCall(KNPlainRHS(&p->pc, p->v0, f));
    PetscCall(PetscTime(&t2));
    PetscCall(KNCircuitComputeJacobianTranspose(cf->c, cf->X0, cf->Lseed, Y, NULL));
    PetscCall(PetscTime(&t3));
    if (i) tc = PetscMin(tc, t1 - t0);
    if (i) tp = PetscMin(tp, t2 - t1);
    if (i) tj = PetscMin(tj, t3 - t2);
  }
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&Y));
  PetscCall(PetscFree(f));
  PetscCall(KNMeasureBandwidth((size_t)p->par.bw_mb << 20, &dram[0], &dram[1]));
  PetscCall(KNMeasureBandwidth(state, &ws[0], &ws[1]));
  PetscCall(KNRHSTraffic(N, E, B, &dram_bytes, &gather_bytes));
  b_dram = KNRHSBoundNs(dram_bytes, dram[0], E, B);
  b_ws   = KNRHSBoundNs(gather_bytes, ws[0], E, B);
  cached = ws[0] > 1.5 * dram[0] ? PETSC_TRUE : PETSC_FALSE; /* arrays of the working-set size run at cache speed */
  rc->petsc = 1e9 * tc / es;
  rc->plain = 1e9 * tp / es;
  rc->bound = cached ? b_ws : PetscMax(b_ws, b_dram);
  rc->jt    = 1e9 * tj / es;
  rc->vjp   = 1e9 * pl->adj / (4.0 * p->par.nsteps) / es;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "RHS cost (best of %" PetscInt_FMT " calls), ns per edge-sample (E*B = %.0f):\n", p->par.rhs_calls, es));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  KNCircuitComputeRHS %7.3f (%.3f ms)   KNPlainRHS %7.3f (%.3f ms)   PETSc/plain %.2f\n", rc->petsc, 1e3 * tc, rc->plain, 1e3 * tp, rc->petsc / rc->plain));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  KNCircuitComputeJacobianTranspose %7.3f   plain fused VJP (adjoint sweep / %" PetscInt_FMT ") %7.3f   PETSc/plain %.2f\n", rc->jt, 4 * p->par.nsteps, rc->vjp, rc->jt / rc->vjp));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  bandwidth, 1 core, triad (STREAM convention) / read: DRAM (3 x %" PetscInt_FMT " MB) %.1f / %.1f GB/s;  cache (3 x %zu KB, the state size) %.1f / %.1f GB/s\n", p->par.bw_mb, dram[0], dram[1], state >> 10, ws[0], ws[1]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  bounds: DRAM, %.2f MB compulsory per RHS: %.3f;  cache, %.0f B gathered per edge-sample at the cache triad rate: %.3f\n", dram_bytes * 1e-6, b_dram, gather_bytes / es, b_ws));
  if (cached) PetscCall(PetscPrintf(PETSC_COMM_SELF, "  applies: the cache bound (the %.2f MB working set runs at %.1fx the DRAM rate: it stays in cache between evaluations)\n", dram_bytes * 1e-6, ws[0] / dram[0]));
  else PetscCall(PetscPrintf(PETSC_COMM_SELF, "  applies: the larger of both (the working set runs at DRAM speed)\n"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  RHS / bound: PETSc %.2f   plain %.2f\n", rc->petsc / rc->bound, rc->plain / rc->bound));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode PrintSummary(const Config *rk4, const Config *dp5, const Plain *pl, const RHSCost *rc)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "summary (one run; figures, not pass/fail):\n"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  rk4 forward          PETSc/plain %.2f\n", rk4->fwd / pl->fwd));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  rk4 forward+adjoint  PETSc/plain %.2f   (target <= 1.3)\n", rk4->fwdadj / pl->fwdadj));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  5dp forward+adjoint  / plain rk4 %.2f   (%" PetscInt_FMT " steps, %" PetscInt_FMT " RHS)\n", dp5->fwdadj / pl->fwdadj, dp5->sf.steps, dp5->sf.rhs_evals));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  J^T w (one adjoint stage) PETSc/plain %.2f   RHS PETSc/plain %.2f\n", rc->jt / rc->vjp, rc->petsc / rc->plain));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  RHS / bound          PETSc %.2f   plain %.2f   (target <= 2)\n", rc->petsc / rc->bound, rc->plain / rc->bound));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  MPI_Comm           comm;
  PetscMPIInt        size;
  Params             par;
  Problem            p;
  Plain              pl;
  RHSCost            rc    = {0};
  PetscReal          worst = PETSC_MAX_REAL;
  PetscLogStage      st[4];
  const char *const  stage_names[4] = {"rk4 PETSc", "5dp PETSc", "rk4 plain", "RHS cost"};
  char               dt[32], tol[32], plain[64];
  Config             rk4 = {.label = "PETSc TSRK 4, dt fixed", .prefix = "rk4_"}, dp5 = {.label = "PETSc TSRK 5dp, adaptive", .prefix = "dp5_"};

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, "bench_circuit: PETSc TS path against the plain-C RK4 baseline"));
  comm = PETSC_COMM_WORLD;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(size == 1, comm, PETSC_ERR_SUP, "bench_circuit compares against a serial baseline: run it on 1 rank");
  PetscCall(GetParams(comm, &par));
  PetscCall(PetscSNPrintf(dt, sizeof(dt), "%g", (double)par.dt));
  PetscCall(PetscSNPrintf(tol, sizeof(tol), "%g", (double)par.tol));
  {
    const char *const o4[] = {"ts_type", "rk", "ts_rk_type", "4", "ts_adapt_type", "none", "ts_dt", dt};
    const char *const o5[] = {"ts_type", "rk", "ts_rk_type", "5dp", "ts_rtol", tol, "ts_atol", tol, "ts_dt", dt};

    PetscCall(ProblemCreate(comm, &par, &p));
    PetscCall(ConfigCreate(comm, &p, o4, 4, &rk4));
    PetscCall(ConfigCreate(comm, &p, o5, 5, &dp5));
  }
  for (int i = 0; i < 4; i++) PetscCall(PetscLogStageRegister(stage_names[i], &st[i]));
  PetscCall(PetscPrintf(comm, "bench_circuit: N %" PetscInt_FMT " E %" PetscInt_FMT " (random, seed %" PetscInt_FMT ") B %" PetscInt_FMT " T %g, shift_tanh2, theta ~ %g N(0,1); best of %" PetscInt_FMT " after 1 warm-up\n", par.N, par.E, par.seed, par.B, (double)par.T, (double)par.scale, par.repeats));
  PetscCall(PetscLogStagePush(st[0]));
  PetscCall(ConfigRun(&p, &rk4));
  PetscCall(PetscLogStagePop());
  PetscCall(PetscLogStagePush(st[1]));
  PetscCall(ConfigRun(&p, &dp5));
  PetscCall(PetscLogStagePop());
  PetscCall(PetscLogStagePush(st[2]));
  PetscCall(PlainRun(&p, &pl));
  PetscCall(PetscLogStagePop());
  PetscCall(PetscPrintf(comm, "times (L = 1/2 ||v(T) - target||^2; forward+adjoint = recomputed forward with storage + adjoint):\n"));
  PetscCall(PrintTimes(rk4.label, rk4.fwd, rk4.fwdadj, &rk4));
  PetscCall(PrintTimes(dp5.label, dp5.fwd, dp5.fwdadj, &dp5));
  PetscCall(PetscSNPrintf(plain, sizeof(plain), "plain C RK4, %" PetscInt_FMT " steps", par.nsteps));
  PetscCall(PrintTimes(plain, pl.fwd, pl.fwdadj, NULL));
  PetscCall(CrossCheck(&p, &rk4, &dp5, &pl, &worst));
  PetscCall(PetscLogStagePush(st[3]));
  PetscCall(TimeRHS(&p, &rk4, &pl, &rc));
  PetscCall(PetscLogStagePop());
  PetscCall(PrintSummary(&rk4, &dp5, &pl, &rc));
  PetscCall(PetscFree4(pl.vT, pl.lambda0, pl.dtheta, pl.stages));
  PetscCall(ConfigDestroy(&rk4));
  PetscCall(ConfigDestroy(&dp5));
  PetscCall(PetscFree3(p.theta, p.v0, p.target));
  PetscCall(KNGraphDestroy(&p.graph));
  PetscCall(KNDeviceDestroy(&p.device));
  PetscCall(PetscFinalize());
  return worst < 1e-8 ? 0 : 1;
}
