static char help[] = "The fused flow kernels (trace: flow RHS, flowvjp: flow adjoint) equal their composition from partials and second, to rounding.\n";

#include "kntestutil.h"

#define NB_MAX 64

/* Relative rounding allowance: the fused kernels regroup the same terms (e.g. one per-edge constant rd t1 - rs t0),
   so they agree with the composition to a few ulps of the sum of the absolute values of the terms. */
#define TOL (64 * PETSC_MACHINE_EPSILON)

typedef struct {
  PetscReal err, worst; /* max |fused - composed| / magnitude, and that worst ratio's magnitude */
} Cmp;

static void Compare(Cmp *c, PetscReal fused, PetscReal composed, PetscReal mag)
{
  const PetscReal r = PetscAbsReal(fused - composed) / PetscMax(mag, PETSC_MIN_REAL);

  if (r > c->err) c->err = r, c->worst = mag;
}

/* The circuit's composed flow RHS edge (rhs.c, AccumulateCurrentsAndTrace without gains) against the trace kernel. */
/* The currents (fs, fd) must equal those of partials bit for bit: the flow and plain RHS evaluate the law alike. */
static void CheckTrace(const KNDeviceKernels *k, const PetscReal *th, PetscInt B, const PetscReal *vs, const PetscReal *vd, PetscReal rs, PetscReal rd, Cmp *c, PetscInt *nbits)
{
  PetscReal i[NB_MAX], gs[NB_MAX], gd[NB_MAX], gth[3 * NB_MAX], fs[NB_MAX], fd[NB_MAX], tr[NB_MAX], rfs[NB_MAX], rfd[NB_MAX], rtr[NB_MAX];

  for (PetscInt b = 0; b < B; b++) fs[b] = rfs[b] = 0.5 * b - 1, fd[b] = rfd[b] = -0.25 * b, tr[b] = rtr[b] = 0.125 * b;
  k->partials(th, B, vs, vd, i, gs, gd, gth);
  k->trace(th, B, vs, vd, rs, rd, fs, fd, tr);
  for (PetscInt b = 0; b < B; b++) {
    Compare(c, fs[b], rfs[b] - i[b], PetscAbsReal(rfs[b]) + PetscAbsReal(i[b]));
    Compare(c, fd[b], rfd[b] + i[b], PetscAbsReal(rfd[b]) + PetscAbsReal(i[b]));
    *nbits += (fs[b] != rfs[b] - i[b]) + (fd[b] != rfd[b] + i[b]);
    Compare(c, tr[b], rtr[b] + (rd * gd[b] - rs * gs[b]), PetscAbsReal(rtr[b]) + PetscAbsReal(rd * gd[b]) + PetscAbsReal(rs * gs[b]));
  }
}

/* The circuit's two composed adjoint passes (jacobian.c, FusedTranspose and TraceTranspose without gains) against flowvjp. */
static void CheckFlowVJP(const KNDeviceKernels *k, const PetscReal *th, PetscInt B, const PetscReal *vs, const PetscReal *vd, const PetscReal *ws, const PetscReal *wd, const PetscReal *wl, PetscReal rs, PetscReal rd, PetscInt rows, Cmp *c)
{
  PetscReal i[NB_MAX], gs[NB_MAX], gd[NB_MAX], gth[3 * NB_MAX], gss[NB_MAX], gsd[NB_MAX], gdd[NB_MAX], gsth[3 * NB_MAX], gdth[3 * NB_MAX];
  PetscReal ys[NB_MAX], yd[NB_MAX], yth[3], rys[NB_MAX], ryd[NB_MAX], ryth[3], mys[NB_MAX], myd[NB_MAX], myth[3];

  for (PetscInt r = 0; r < 3; r++) yth[r] = ryth[r] = myth[r] = 0.1 * (r + 1);
  for (PetscInt b = 0; b < B; b++) ys[b] = rys[b] = mys[b] = 0.1 * b, yd[b] = ryd[b] = myd[b] = 0.2 - 0.05 * b;
  k->partials(th, B, vs, vd, i, gs, gd, gth);
  k->second(th, B, vs, vd, gss, gsd, gdd, gsth, gdth);
  k->flowvjp(th, B, vs, vd, ws, wd, wl, rs, rd, ys, yd, yth);
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal t = wd[b] - ws[b];

    rys[b] += t * gs[b], mys[b] = PetscAbsReal(mys[b]) + PetscAbsReal(t * gs[b]);
    ryd[b] += t * gd[b], myd[b] = PetscAbsReal(myd[b]) + PetscAbsReal(t * gd[b]);
    for (PetscInt r = 0; r < rows; r++) ryth[r] += t * gth[r * B + b], myth[r] += PetscAbsReal(t * gth[r * B + b]);
  }
  for (PetscInt b = 0; b < B; b++) {
    rys[b] -= wl[b] * (rd * gsd[b] - rs * gss[b]), mys[b] += PetscAbsReal(wl[b]) * (PetscAbsReal(rd * gsd[b]) + PetscAbsReal(rs * gss[b]));
    ryd[b] -= wl[b] * (rd * gdd[b] - rs * gsd[b]), myd[b] += PetscAbsReal(wl[b]) * (PetscAbsReal(rd * gdd[b]) + PetscAbsReal(rs * gsd[b]));
    for (PetscInt r = 0; r < rows; r++) {
      ryth[r] -= wl[b] * (rd * gdth[r * B + b] - rs * gsth[r * B + b]);
      myth[r] += PetscAbsReal(wl[b]) * (PetscAbsReal(rd * gdth[r * B + b]) + PetscAbsReal(rs * gsth[r * B + b]));
    }
  }
  for (PetscInt b = 0; b < B; b++) Compare(c, ys[b], rys[b], mys[b]), Compare(c, yd[b], ryd[b], myd[b]);
  for (PetscInt r = 0; r < rows; r++) Compare(c, yth[r], ryth[r], myth[r]);
}

static PetscErrorCode Check(KNTest *t, KNDeviceType type)
{
  /* B = 1 and values not a multiple of the lane count exercise the remainder loop; 64 only full lanes */
  const PetscInt  Bs[] = {1, 5, 13, 35, 64};
  const PetscReal rr[][2] = {{0.7, 1.9}, {0.0, 1.3}, {2.1, 0.0}}; /* (rs, rd): the forward passes 0 for a node the rank does not own */
  KNDevice               d;
  const KNDeviceKernels *k;
  PetscInt               rows;
  PetscReal              th[3], vs[NB_MAX], vd[NB_MAX], ws[NB_MAX], wd[NB_MAX], wl[NB_MAX];
  Cmp                    ctr = {0, 0}, cvjp = {0, 0};
  PetscInt               nbits = 0;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_SELF, &d));
  PetscCall(KNDeviceSetType(d, type));
  PetscCall(KNDeviceGetKernels(d, &k));
  PetscCall(KNDeviceGetNumParameters(d, &rows));
  PetscCall(KNTestOk(t, (PetscBool)(k->trace && k->flowvjp), "%s: has the fused flow kernels (trace, flowvjp)", type));
  if (!k->trace || !k->flowvjp) {
    PetscCall(KNDeviceDestroy(&d));
    PetscFunctionReturn(KN_SUCCESS);
  }
  for (PetscInt seed = 0; seed < 4; seed++) {
    for (PetscInt r = 0; r < 3; r++) th[r] = 1.3 * KNTestRand(10 + seed, r);
    for (PetscInt b = 0; b < NB_MAX; b++) {
      vs[b] = 1.5 * KNTestRand(20 + seed, b), vd[b] = 1.5 * KNTestRand(30 + seed, b);
      ws[b] = KNTestRand(40 + seed, b), wd[b] = KNTestRand(50 + seed, b), wl[b] = KNTestRand(60 + seed, b);
    }
    for (size_t ib = 0; ib < sizeof(Bs) / sizeof(Bs[0]); ib++)
      for (size_t ir = 0; ir < sizeof(rr) / sizeof(rr[0]); ir++) {
        CheckTrace(k, th, Bs[ib], vs, vd, rr[ir][0], rr[ir][1], &ctr, &nbits);
        CheckFlowVJP(k, th, Bs[ib], vs, vd, ws, wd, wl, rr[ir][0], rr[ir][1], rows, &cvjp);
      }
  }
  PetscCall(KNTestOk(t, (PetscBool)(ctr.err <= TOL), "%s: trace matches partials (max diff %.1e of the terms' magnitude)", type, (double)ctr.err));
  PetscCall(KNTestOk(t, (PetscBool)(nbits == 0), "%s: trace's currents equal partials' bit for bit (%" PetscInt_FMT " differ)", type, nbits));
  PetscCall(KNTestOk(t, (PetscBool)(cvjp.err <= TOL), "%s: flowvjp matches partials + second (max diff %.1e of the terms' magnitude)", type, (double)cvjp.err));
  PetscCall(KNDeviceDestroy(&d));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNTestForEachDeviceType(&t, Check));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
