/* bench_plain: checks the plain-C RK4 discrete adjoint against central finite differences, times the plain
   forward/adjoint loops and compares the RHS cost with memory-traffic bounds.
   Options: -N 1000 -E 10000 -B 64 -T 1 -steps 20 -scale 0.5 -seed 1 -eps 1e-5 -repeats 5 -bw_mb 256 */
#include <math.h>
#include <stdint.h>
#include "plain_rk4.h"
#include "bandwidth.h"

typedef struct {
  KNPlainCircuit c;
  PetscInt      *src, *dst;
  PetscReal     *theta, *v0, *target;
  PetscReal      T;
  PetscInt       nsteps;
} Problem;

/* splitmix64: a tiny fixed generator so the problem is identical on every machine and build */
static uint64_t RandNext(uint64_t *s)
{
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static PetscReal RandUniform(uint64_t *s) /* in (0, 1) */
{
  return ((PetscReal)(RandNext(s) >> 11) + 0.5) / 9007199254740992.0;
}

static PetscReal RandNormal(uint64_t *s) /* Box-Muller, one value per call */
{
  const PetscReal u1 = RandUniform(s), u2 = RandUniform(s);

  return PetscSqrtReal(-2 * PetscLogReal(u1)) * PetscCosReal(2 * PETSC_PI * u2);
}

static PetscErrorCode ProblemCreate(PetscInt N, PetscInt E, PetscInt B, PetscReal scale, uint64_t seed, Problem *p)
{
  uint64_t s = seed;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc5(E, &p->src, E, &p->dst, 3 * E, &p->theta, N * B, &p->v0, N * B, &p->target));
  for (PetscInt e = 0; e < E; e++) {
    p->src[e] = (PetscInt)(RandNext(&s) % (uint64_t)(N + 1));
    do p->dst[e] = (PetscInt)(RandNext(&s) % (uint64_t)(N + 1));
    while (p->dst[e] == p->src[e]);
  }
  for (PetscInt k = 0; k < 3 * E; k++) p->theta[k] = scale * RandNormal(&s);
  for (PetscInt k = 0; k < N * B; k++) p->v0[k] = RandNormal(&s);
  for (PetscInt k = 0; k < N * B; k++) p->target[k] = RandNormal(&s);
  p->c = (KNPlainCircuit){.N = N, .E = E, .B = B, .src = p->src, .dst = p->dst, .theta = p->theta};
  PetscFunctionReturn(0);
}

static PetscErrorCode ProblemDestroy(Problem *p)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree5(p->src, p->dst, p->theta, p->v0, p->target));
  PetscFunctionReturn(0);
}

/* L(a) - L(b) for L = 0.5 ||v - target||^2, as 0.5 sum (a - b)(a + b - 2 target): no cancellation of two large sums */
static PetscReal LossDifference(PetscInt n, const PetscReal *a, const PetscReal *b, const PetscReal *target)
{
  PetscReal d = 0;

  for (PetscInt k = 0; k < n; k++) d += 0.5 * (a[k] - b[k]) * (a[k] + b[k] - 2 * target[k]);
  return d;
}

/* Central difference of L in one entry x[k] of theta or v0 (x is modified and restored). */
static PetscErrorCode CentralDifference(Problem *p, PetscReal *x, PetscInt k, PetscReal eps, const PetscReal *v0, PetscReal *work, PetscReal *fd)
{
  const PetscInt  n  = p->c.N * p->c.B;
  const PetscReal xk = x[k];

  PetscFunctionBeginUser;
  x[k] = xk + eps;
  PetscCall(KNPlainRK4Forward(&p->c, p->T, p->nsteps, v0, work, NULL));
  x[k] = xk - eps;
  PetscCall(KNPlainRK4Forward(&p->c, p->T, p->nsteps, v0, work + n, NULL));
  x[k] = xk;
  *fd  = LossDifference(n, work, work + n, p->target) / (2 * eps);
  PetscFunctionReturn(0);
}

static PetscReal RelativeError(PetscReal a, PetscReal b)
{
  return PetscAbsReal(a - b) / PetscMax(PetscAbsReal(b), 1e-300);
}

/* Adjoint gradient against central differences for a few theta and v0 entries. */
static PetscErrorCode CheckGradient(Problem *p, PetscReal eps, PetscReal *maxrel)
{
  const PetscInt N = p->c.N, E = p->c.E, B = p->c.B, n = N * B;
  const PetscInt edges[] = {0, 1, E / 3, E / 2, E - 1}, nodes[] = {0, 1, B + 5, (N / 2) * B + 7, n - 1};
  PetscReal     *stages, *vT, *lam, *dtheta, *v0, *work, fd, rel, l2 = 0;
  size_t         nstage;
  PetscInt       ground = -1;

  PetscFunctionBeginUser;
  PetscCall(KNPlainRK4StageSize(&p->c, p->nsteps, &nstage));
  PetscCall(PetscMalloc6(nstage, &stages, n, &vT, n, &lam, 3 * E, &dtheta, n, &v0, 2 * n, &work));
  PetscCall(PetscArrayzero(dtheta, 3 * E));
  PetscCall(KNPlainRK4Forward(&p->c, p->T, p->nsteps, p->v0, vT, stages));
  for (PetscInt k = 0; k < n; k++) {
    lam[k] = vT[k] - p->target[k];
    l2 += PetscSqr(vT[k] - p->v0[k]);
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "dynamics: ||v(T) - v(0)|| / sqrt(NB) = %.3f (non-trivial if O(1))\n", (double)PetscSqrtReal(l2 / n)));
  PetscCall(KNPlainRK4Adjoint(&p->c, p->T, p->nsteps, stages, lam, lam, dtheta));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "gradient check, central differences with eps = %g:\n  %-22s %22s %22s %10s\n", (double)eps, "entry", "adjoint", "finite difference", "rel err"));
  *maxrel = 0;
  for (size_t i = 0; i < PETSC_STATIC_ARRAY_LENGTH(edges); i++) {
    for (PetscInt r = 0; r < 3; r++) {
      const PetscInt k = 3 * edges[i] + r;

      PetscCall(CentralDifference(p, p->theta, k, eps, p->v0, work, &fd));
      rel     = RelativeError(dtheta[k], fd);
      *maxrel = PetscMax(*maxrel, rel);
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "  theta[%5" PetscInt_FMT "] (e %5" PetscInt_FMT " %" PetscInt_FMT "->%" PetscInt_FMT ") % 22.14e % 22.14e %10.2e\n", k, edges[i], p->src[edges[i]], p->dst[edges[i]], (double)dtheta[k], (double)fd, (double)rel));
    }
  }
  PetscCall(PetscArraycpy(v0, p->v0, n));
  for (size_t i = 0; i < PETSC_STATIC_ARRAY_LENGTH(nodes); i++) {
    PetscCall(CentralDifference(p, v0, nodes[i], eps, v0, work, &fd));
    rel     = RelativeError(lam[nodes[i]], fd);
    *maxrel = PetscMax(*maxrel, rel);
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "  v0[%7" PetscInt_FMT "] (node %4" PetscInt_FMT ", b %2" PetscInt_FMT ")  % 22.14e % 22.14e %10.2e\n", nodes[i], nodes[i] / B + 1, nodes[i] % B, (double)lam[nodes[i]], (double)fd, (double)rel));
  }
  /* A ground source makes theta0 dead: its gradient must be exactly zero. */
  for (PetscInt e = 0; e < E && ground < 0; e++)
    if (p->src[e] == 0) ground = e;
  if (ground >= 0) PetscCall(PetscPrintf(PETSC_COMM_SELF, "  edge %" PetscInt_FMT " has a ground source: dL/dtheta0 = %g (must be 0)\n", ground, (double)dtheta[3 * ground]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  max relative error %.2e\n", (double)*maxrel));
  PetscCall(PetscFree6(stages, vT, lam, dtheta, v0, work));
  PetscFunctionReturn(0);
}

typedef struct {
  double rhs, fwd, fwd_store, adj;
} Timings;

/* Best of `repeats` for one RHS, forward without and with stage storage, and the adjoint. */
static PetscErrorCode TimeSolver(Problem *p, PetscInt repeats, Timings *t)
{
  const PetscInt n = p->c.N * p->c.B;
  PetscReal     *stages, *vT, *lam, *dtheta;
  size_t         nstage;

  PetscFunctionBeginUser;
  PetscCall(KNPlainRK4StageSize(&p->c, p->nsteps, &nstage));
  PetscCall(PetscMalloc4(nstage, &stages, n, &vT, n, &lam, 3 * p->c.E, &dtheta));
  *t = (Timings){PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL};
  for (PetscInt r = 0; r < repeats; r++) {
    double t0;

    PetscCall(KNPlainRHS(&p->c, p->v0, vT)); /* warm: the previous adjoint streamed the stages through the caches */
    t0 = MPI_Wtime();
    PetscCall(KNPlainRHS(&p->c, p->v0, vT));
    t->rhs = PetscMin(t->rhs, MPI_Wtime() - t0);
    t0     = MPI_Wtime();
    PetscCall(KNPlainRK4Forward(&p->c, p->T, p->nsteps, p->v0, vT, NULL));
    t->fwd       = PetscMin(t->fwd, MPI_Wtime() - t0);
    t0           = MPI_Wtime();
    PetscCall(KNPlainRK4Forward(&p->c, p->T, p->nsteps, p->v0, vT, stages));
    t->fwd_store = PetscMin(t->fwd_store, MPI_Wtime() - t0);
    for (PetscInt k = 0; k < n; k++) lam[k] = vT[k] - p->target[k];
    PetscCall(PetscArrayzero(dtheta, 3 * p->c.E));
    t0     = MPI_Wtime();
    PetscCall(KNPlainRK4Adjoint(&p->c, p->T, p->nsteps, stages, lam, lam, dtheta));
    t->adj = PetscMin(t->adj, MPI_Wtime() - t0);
  }
  PetscCall(PetscFree4(stages, vT, lam, dtheta));
  PetscFunctionReturn(0);
}

typedef struct {
  double rhs, vjp, tanh_only;
} Floor;

/* Same E, B and edge stream, but random edges among 32 nodes: v, f (and Y, w, z) stay in L1, so what is left is
   the arithmetic. Also times tanh alone, on an L1-resident array. */
static PetscErrorCode TimeComputeFloor(const Problem *p, PetscInt repeats, Floor *fl)
{
  const PetscInt n = 32 * p->c.B, E = p->c.E;
  KNPlainCircuit c = p->c;
  PetscInt      *src, *dst;
  PetscReal     *v, *f, *stages, *dtheta, *x;
  uint64_t       s = 7;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc7(E, &src, E, &dst, n, &v, n, &f, 4 * n, &stages, 3 * E, &dtheta, n, &x));
  for (PetscInt e = 0; e < E; e++) {
    src[e] = 1 + (PetscInt)(RandNext(&s) % 32);
    do dst[e] = 1 + (PetscInt)(RandNext(&s) % 32);
    while (dst[e] == src[e]);
  }
  for (PetscInt k = 0; k < n; k++) v[k] = p->v0[k];
  for (PetscInt k = 0; k < n; k++) x[k] = 2 * RandNormal(&s);
  PetscCall(PetscArrayzero(dtheta, 3 * E));
  c.N   = 32;
  c.src = src;
  c.dst = dst;
  *fl   = (Floor){PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL};
  for (PetscInt r = 0; r < repeats; r++) {
    double t0 = MPI_Wtime();

    PetscCall(KNPlainRHS(&c, v, f));
    fl->rhs = PetscMin(fl->rhs, MPI_Wtime() - t0);
    PetscCall(KNPlainRK4Forward(&c, 0.05, 1, v, f, stages));
    t0 = MPI_Wtime();
    PetscCall(KNPlainRK4Adjoint(&c, 0.05, 1, stages, f, f, dtheta)); /* one step = 4 fused VJP passes */
    fl->vjp = PetscMin(fl->vjp, (MPI_Wtime() - t0) / 4);
    t0      = MPI_Wtime();
    for (PetscInt k = 0; k < E / 32; k++) PetscCall(KNPlainTanh(n, x, f));
    fl->tanh_only = PetscMin(fl->tanh_only, (MPI_Wtime() - t0) / (32 * (E / 32)) * E); /* per E*B values */
  }
  PetscCall(PetscFree7(src, dst, v, f, stages, dtheta, x));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReportTimings(const Problem *p, const Timings *t, const Floor *fl)
{
  const double es = (double)p->c.E * p->c.B, evals = 4.0 * p->nsteps;
  const char  *tanh_type;

  PetscFunctionBeginUser;
  PetscCall(KNPlainGetTanhType(&tanh_type));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "timings (best of repeats), %" PetscInt_FMT " RK4 steps = %g RHS evaluations, %s tanh:\n", p->nsteps, evals, tanh_type));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  one RHS              %9.3f ms  %6.3f ns per edge-sample\n", 1e3 * t->rhs, 1e9 * t->rhs / es));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  forward (no storage) %9.3f ms  %6.3f ns per edge-sample per RHS\n", 1e3 * t->fwd, 1e9 * t->fwd / evals / es));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  forward (+ stages)   %9.3f ms  %6.3f ns per edge-sample per RHS\n", 1e3 * t->fwd_store, 1e9 * t->fwd_store / evals / es));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  adjoint              %9.3f ms  %6.3f ns per edge-sample per fused VJP; adjoint/forward = %.2f\n", 1e3 * t->adj, 1e9 * t->adj / evals / es, t->adj / t->fwd_store));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "compute floor (same edge stream, 32 nodes: every gather in L1), ns per edge-sample:\n"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  tanh alone %6.3f   RHS %6.3f   fused VJP %6.3f\n", 1e9 * fl->tanh_only / es, 1e9 * fl->rhs / es, 1e9 * fl->vjp / es));
  PetscFunctionReturn(0);
}

/* Memory bounds for one RHS against the measured time and the L1 compute floor: says which bound applies. */
static PetscErrorCode ReportBounds(const Problem *p, const Timings *t, const Floor *fl, size_t big_bytes)
{
  const PetscInt N = p->c.N, E = p->c.E, B = p->c.B;
  const size_t   state = (size_t)N * B * sizeof(PetscReal);
  const double   es = (double)E * B, rhs = 1e9 * t->rhs / es, flo = 1e9 * fl->rhs / es;
  double         dram[2], ws[2], l2[2], l1[2], dram_bytes, gather_bytes, b_dram, b_ws, b_l2, b_l1;

  PetscFunctionBeginUser;
  PetscCall(KNMeasureBandwidth(big_bytes, &dram[0], &dram[1]));
  PetscCall(KNMeasureBandwidth(state, &ws[0], &ws[1]));
  PetscCall(KNMeasureBandwidth(256 << 10, &l2[0], &l2[1]));
  PetscCall(KNMeasureBandwidth(16 << 10, &l1[0], &l1[1]));
  PetscCall(KNRHSTraffic(N, E, B, &dram_bytes, &gather_bytes));
  b_dram = KNRHSBoundNs(dram_bytes, dram[0], E, B);
  b_ws   = KNRHSBoundNs(gather_bytes, ws[0], E, B);
  b_l2   = KNRHSBoundNs(gather_bytes, l2[0], E, B);
  b_l1   = KNRHSBoundNs(gather_bytes, l1[0], E, B);
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "bandwidth, 1 core, best of 7 (triad counts 3 arrays moved, STREAM convention):\n"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  3 x %4zu MB (DRAM)           triad %7.1f GB/s  read %7.1f GB/s\n", big_bytes >> 20, dram[0], dram[1]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  3 x %4zu KB (N*B state size) triad %7.1f GB/s  read %7.1f GB/s\n", state >> 10, ws[0], ws[1]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  3 x  256 KB (L2-resident)    triad %7.1f GB/s  read %7.1f GB/s\n", l2[0], l2[1]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  3 x   16 KB (L1-resident)    triad %7.1f GB/s  read %7.1f GB/s\n", l1[0], l1[1]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "RHS lower bounds, ns per edge-sample (measured %.3f, L1 compute floor %.3f):\n", rhs, flo));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  DRAM: %.2f MB compulsory per RHS at DRAM triad rate        %6.3f\n", dram_bytes * 1e-6, b_dram));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  cache: 48 B gathers per edge-sample at state-size triad   %6.3f\n", b_ws));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  cache: 48 B gathers per edge-sample at L2 triad           %6.3f\n", b_l2));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  cache: 48 B gathers per edge-sample at L1 triad           %6.3f\n", b_l1));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  The DRAM bound does not apply: v, f and the edge data (%.1f MB) stay in cache between evaluations.\n", dram_bytes * 1e-6));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  v + f = %zu KB: the gathers hit L2/L3, so the relevant memory bound is the state-size one (%.3f).\n", 2 * state >> 10, b_ws));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  That bound is %.0f%% of the measured time, the L1 compute floor %.0f%%: the RHS is %s-bound;\n", 100 * b_ws / rhs, 100 * flo / rhs, flo > b_ws ? "compute (tanh)" : "memory"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  the %.3f ns above the floor is what the L2/L3 gathers add (the two partly overlap).\n", rhs - flo));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt  N = 1000, E = 10000, B = 64, nsteps = 20, repeats = 5, seed = 1, bw_mb = 256;
  PetscReal T = 1, scale = 0.5, eps = 1e-5, maxrel = PETSC_MAX_REAL;
  Problem   p;
  Timings   t         = {0};
  Floor     fl        = {0};

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, "plain-C RK4 / discrete adjoint baseline"));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-N", &N, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-E", &E, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-B", &B, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-steps", &nsteps, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeats", &repeats, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-seed", &seed, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-bw_mb", &bw_mb, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-T", &T, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-scale", &scale, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-eps", &eps, NULL));
  PetscCall(ProblemCreate(N, E, B, scale, (uint64_t)seed, &p));
  p.T      = T;
  p.nsteps = nsteps;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "plain RK4 baseline: N %" PetscInt_FMT " E %" PetscInt_FMT " B %" PetscInt_FMT " T %g steps %" PetscInt_FMT " (dt %g), theta ~ %g N(0,1)\n", N, E, B, (double)T, nsteps, (double)(T / nsteps), (double)scale));
  PetscCall(CheckGradient(&p, eps, &maxrel));
  PetscCall(TimeSolver(&p, repeats, &t));
  PetscCall(TimeComputeFloor(&p, 4 * repeats, &fl));
  PetscCall(ReportTimings(&p, &t, &fl));
  PetscCall(ReportBounds(&p, &t, &fl, (size_t)bw_mb << 20));
  PetscCall(ProblemDestroy(&p));
  PetscCall(PetscFinalize());
  return maxrel < 1e-5 ? 0 : 1;
}
