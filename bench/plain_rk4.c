/* Plain-C RK4 forward and discrete adjoint for shift_tanh2 circuits: the benchmark's no-PETSc-TS baseline. */
#include "plain_rk4.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

/*
  The edge passes cost tanh, not memory, so the tanh decides the kernel speed. Measured per value on this machine
  (bench_plain): scalar glibc tanh 7 ns and it blocks vectorisation (RHS 14 ns per edge-sample); glibc's vector
  tanh (libmvec) 0.86 ns (RHS 1.3); the inline version below 0.56 ns (RHS 0.75, L1-resident). The PETSc path
  (src/device) uses its own inline tanh of the same method, so the default keeps both paths doing the same
  arithmetic per edge-sample.
*/
#define KN_PLAIN_TANH_LIBM    0
#define KN_PLAIN_TANH_LIBMVEC 1
#define KN_PLAIN_TANH_INLINE  2
#if !defined(KN_PLAIN_TANH)
  #define KN_PLAIN_TANH KN_PLAIN_TANH_INLINE
#endif
#if !defined(PETSC_USE_REAL_DOUBLE) /* both vector versions are double-only */
  #undef KN_PLAIN_TANH
  #define KN_PLAIN_TANH KN_PLAIN_TANH_LIBM
#endif

#if KN_PLAIN_TANH == KN_PLAIN_TANH_INLINE
  #include "device/kntanh.h"
static const char PlainTanhType[] = "inline";
/* The device kernels' own tanh, so both paths do the same arithmetic per edge-sample. */
static inline PetscReal PlainTanh(PetscReal x)
{
  return KNTanh(x);
}
#elif KN_PLAIN_TANH == KN_PLAIN_TANH_LIBMVEC
static const char PlainTanhType[] = "libmvec";
/* glibc >= 2.35 ships vector tanh in libmvec (x86_64 vector-function ABI, linked through libm.so), but <math.h>
   declares it only under -ffast-math; this declaration lets the loops call it without fast-math. */
__attribute__((__simd__("notinbranch"))) extern double tanh(double);
static inline PetscReal PlainTanh(PetscReal x)
{
  return tanh(x);
}
#else
static const char PlainTanhType[] = "libm";
static inline PetscReal PlainTanh(PetscReal x)
{
  return PetscTanhReal(x);
}
#endif

/* Classical RK4: stage weights b_i and the only non-zero couplings a_{i+1,i}. */
static const PetscReal RK4_b[4] = {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
static const PetscReal RK4_a[3] = {0.5, 0.5, 1.0};

/* Lane count of the per-edge parameter sums: KN_LANES independent partial sums let the b loop vectorise without
   -ffast-math and fix the summation order whatever the vector width (deterministic results). */
#define KN_LANES 8

/* Ground rows: reads of node 0 see zeros, writes to node 0 go to a sink that is never read back. */
typedef struct {
  PetscReal *zero, *sink;
} GroundRows;

static PetscErrorCode GroundRowsCreate(PetscInt B, GroundRows *g)
{
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(B, &g->zero, B, &g->sink));
  PetscFunctionReturn(0);
}

static PetscErrorCode GroundRowsDestroy(GroundRows *g)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree2(g->zero, g->sink));
  PetscFunctionReturn(0);
}

static inline const PetscReal *RowR(const PetscReal *a, PetscInt k, PetscInt B, const GroundRows *g)
{
  return k ? a + (size_t)(k - 1) * B : g->zero;
}

static inline PetscReal *RowW(PetscReal *a, PetscInt k, PetscInt B, const GroundRows *g)
{
  return k ? a + (size_t)(k - 1) * B : g->sink;
}

static PetscErrorCode CheckCircuit(const KNPlainCircuit *c)
{
  PetscFunctionBeginUser;
  PetscCheck(c, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Null circuit");
  PetscCheck(c->N > 0 && c->E >= 0 && c->B > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Bad sizes N %" PetscInt_FMT " E %" PetscInt_FMT " B %" PetscInt_FMT, c->N, c->E, c->B);
  PetscFunctionReturn(0);
}

/* One edge, B samples: i = tanh(u) is subtracted at the source and added at the destination.
   restrict is valid because self-loops are skipped by the caller, so fs != fd. */
static inline void EdgeCurrent(PetscInt B, const PetscReal *th, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict fs, PetscReal *restrict fd)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal i = PlainTanh(t0 * vs[b] + t1 * vd[b] + t2);

    fs[b] -= i;
    fd[b] += i;
  }
}

/* One edge, B samples, fused J^T w and Jp^T w: with t = w_d - w_s and q = t (1 - g^2),
   z_s += th0 q, z_d += th1 q, dth += sum_b q (vs, vd, 1), one tanh per edge-sample. The inner loop over a block of
   KN_LANES samples is a plain vector loop (the lane sums are elementwise array updates, not reductions). */
static inline void EdgeVJP(PetscInt B, const PetscReal *th, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, PetscReal *restrict zs, PetscReal *restrict zd, PetscReal *restrict dth)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0};
  PetscInt        b;

  for (b = 0; b + KN_LANES <= B; b += KN_LANES) {
    for (PetscInt l = 0; l < KN_LANES; l++) {
      const PetscReal g = PlainTanh(t0 * vs[b + l] + t1 * vd[b + l] + t2);
      const PetscReal q = (wd[b + l] - ws[b + l]) * (1 - g * g);

      zs[b + l] += t0 * q;
      zd[b + l] += t1 * q;
      a0[l] += q * vs[b + l];
      a1[l] += q * vd[b + l];
      a2[l] += q;
    }
  }
  for (; b < B; b++) { /* tail: B not a multiple of KN_LANES */
    const PetscReal g = PlainTanh(t0 * vs[b] + t1 * vd[b] + t2);
    const PetscReal q = (wd[b] - ws[b]) * (1 - g * g);

    zs[b] += t0 * q;
    zd[b] += t1 * q;
    a0[0] += q * vs[b];
    a1[0] += q * vd[b];
    a2[0] += q;
  }
  for (PetscInt l = 0; l < KN_LANES; l++) {
    dth[0] += a0[l];
    dth[1] += a1[l];
    dth[2] += a2[l];
  }
}

static PetscErrorCode RHS_Private(const KNPlainCircuit *c, const GroundRows *g, const PetscReal *v, PetscReal *f)
{
  const PetscInt B = c->B;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(f, (size_t)c->N * B));
  for (PetscInt e = 0; e < c->E; e++) {
    const PetscInt s = c->src[e], d = c->dst[e];

    if (s == d) continue;
    EdgeCurrent(B, c->theta + 3 * e, RowR(v, s, B, g), RowR(v, d, B, g), RowW(f, s, B, g), RowW(f, d, B, g));
  }
  PetscFunctionReturn(0);
}

/* z = J(Y)^T w and dtheta += Jp(Y)^T w, one edge pass. */
static PetscErrorCode VJP_Private(const KNPlainCircuit *c, const GroundRows *g, const PetscReal *Y, const PetscReal *w, PetscReal *z, PetscReal *dtheta)
{
  const PetscInt B = c->B;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(z, (size_t)c->N * B));
  for (PetscInt e = 0; e < c->E; e++) {
    const PetscInt s = c->src[e], d = c->dst[e];

    if (s == d) continue; /* t = w_d - w_s = 0 */
    EdgeVJP(B, c->theta + 3 * e, RowR(Y, s, B, g), RowR(Y, d, B, g), RowR(w, s, B, g), RowR(w, d, B, g), RowW(z, s, B, g), RowW(z, d, B, g), dtheta + 3 * e);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KNPlainRHS(const KNPlainCircuit *c, const PetscReal v[], PetscReal f[])
{
  GroundRows g;

  PetscFunctionBeginUser;
  PetscCall(CheckCircuit(c));
  PetscCall(GroundRowsCreate(c->B, &g));
  PetscCall(RHS_Private(c, &g, v, f));
  PetscCall(GroundRowsDestroy(&g));
  PetscFunctionReturn(0);
}

PetscErrorCode KNPlainTanh(PetscInt n, const PetscReal *restrict x, PetscReal *restrict y)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < n; k++) y[k] = PlainTanh(x[k]);
  PetscFunctionReturn(0);
}

PetscErrorCode KNPlainGetTanhType(const char **type)
{
  PetscFunctionBeginUser;
  *type = PlainTanhType;
  PetscFunctionReturn(0);
}

PetscErrorCode KNPlainRK4StageSize(const KNPlainCircuit *c, PetscInt nsteps, size_t *size)
{
  PetscFunctionBeginUser;
  PetscCall(CheckCircuit(c));
  *size = 4 * (size_t)nsteps * (size_t)c->N * (size_t)c->B;
  PetscFunctionReturn(0);
}

PetscErrorCode KNPlainRK4Forward(const KNPlainCircuit *c, PetscReal T, PetscInt nsteps, const PetscReal v0[], PetscReal vT[], PetscReal *stages)
{
  const size_t    n = (size_t)c->N * c->B;
  const PetscReal h = T / nsteps;
  PetscReal      *y = vT, *k, *acc, *ybuf;
  GroundRows      g;

  PetscFunctionBeginUser;
  PetscCall(CheckCircuit(c));
  PetscCheck(nsteps > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "nsteps %" PetscInt_FMT " must be positive", nsteps);
  PetscCall(PetscMalloc3(n, &k, n, &acc, n, &ybuf));
  PetscCall(GroundRowsCreate(c->B, &g));
  if (vT != v0) PetscCall(PetscArraycpy(vT, v0, n));
  for (PetscInt step = 0; step < nsteps; step++) {
    PetscReal *Y[4];

    /* Without storage, stage 0 reads y directly and stages 1..3 reuse one buffer (k is computed before it is overwritten). */
    for (PetscInt i = 0; i < 4; i++) Y[i] = stages ? stages + (4 * (size_t)step + i) * n : (i ? ybuf : y);
    if (stages) PetscCall(PetscArraycpy(Y[0], y, n));
    for (PetscInt i = 0; i < 4; i++) {
      const PetscReal hb = h * RK4_b[i];

      PetscCall(RHS_Private(c, &g, Y[i], k));
      if (i < 3) {
        const PetscReal ha = h * RK4_a[i];
        PetscReal      *Yn = Y[i + 1];

        if (i == 0)
          for (size_t j = 0; j < n; j++) acc[j] = y[j] + hb * k[j];
        else
          for (size_t j = 0; j < n; j++) acc[j] += hb * k[j];
        for (size_t j = 0; j < n; j++) Yn[j] = y[j] + ha * k[j];
      } else {
        for (size_t j = 0; j < n; j++) y[j] = acc[j] + hb * k[j];
      }
    }
  }
  PetscCall(GroundRowsDestroy(&g));
  PetscCall(PetscFree3(k, acc, ybuf));
  PetscFunctionReturn(0);
}

/*
  Reverse of one RK4 step y+ = y + h sum_i b_i f(Y_i), Y_i = y + h a_{i,i-1} f(Y_{i-1}), with lam = dL/dy+:
    u_i  = h b_i lam + h a_{i+1,i} mu_{i+1}     (i = 3..0, the second term absent for i = 3)
    mu_i = J(Y_i)^T u_i,   dtheta += Jp(Y_i)^T u_i,   dL/dy = lam + sum_i mu_i.
  This is the transpose of exactly the operations the forward performed, i.e. TSAdjoint's discrete adjoint.
*/
PetscErrorCode KNPlainRK4Adjoint(const KNPlainCircuit *c, PetscReal T, PetscInt nsteps, const PetscReal *stages, const PetscReal lambdaT[], PetscReal lambda0[], PetscReal dtheta[])
{
  const size_t    n = (size_t)c->N * c->B;
  const PetscReal h = T / nsteps;
  PetscReal      *lam = lambda0, *u, *mu, *acc;
  GroundRows      g;

  PetscFunctionBeginUser;
  PetscCall(CheckCircuit(c));
  PetscCheck(nsteps > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "nsteps %" PetscInt_FMT " must be positive", nsteps);
  PetscCheck(stages, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "The adjoint needs the stages stored by KNPlainRK4Forward()");
  PetscCall(PetscMalloc3(n, &u, n, &mu, n, &acc));
  PetscCall(GroundRowsCreate(c->B, &g));
  if (lambda0 != lambdaT) PetscCall(PetscArraycpy(lambda0, lambdaT, n));
  for (PetscInt step = nsteps - 1; step >= 0; step--) {
    for (PetscInt i = 3; i >= 0; i--) {
      const PetscReal *Y  = stages + (4 * (size_t)step + i) * n;
      const PetscReal  hb = h * RK4_b[i];

      if (i == 3)
        for (size_t j = 0; j < n; j++) u[j] = hb * lam[j];
      else {
        const PetscReal ha = h * RK4_a[i];

        for (size_t j = 0; j < n; j++) u[j] = hb * lam[j] + ha * mu[j];
      }
      PetscCall(VJP_Private(c, &g, Y, u, mu, dtheta));
      /* lam is still needed by the remaining stages: sum the mu_i aside and overwrite lam last */
      if (i == 3)
        for (size_t j = 0; j < n; j++) acc[j] = lam[j] + mu[j];
      else if (i > 0)
        for (size_t j = 0; j < n; j++) acc[j] += mu[j];
      else
        for (size_t j = 0; j < n; j++) lam[j] = acc[j] + mu[j];
    }
  }
  PetscCall(GroundRowsDestroy(&g));
  PetscCall(PetscFree3(u, mu, acc));
  PetscFunctionReturn(0);
}
