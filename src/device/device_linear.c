/* Linear laws: conductance    t0 (vs - vd), 3 rows allocated (rows 1-2 unused, as the reference Conductance);
                current_source t0, 1 row (a constant current from source to destination). */
#include "deviceimpl.h"
#include "kntanh.h" /* KNFma */

/* ---- t0 (vs - vd) ---- */

static void ConductanceCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) i[b] = t0 * (vs[b] - vd[b]);
}

static void ConductancePartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal dv = vs[b] - vd[b];

    i[b]   = t0 * dv;
    gs[b]  = t0;
    gd[b]  = -t0;
    gth[b] = dv;
  }
  KNDeviceZero_Private(2 * B, gth + B);
}

static void ConductanceSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  KNDeviceZero_Private(B, gss);
  KNDeviceZero_Private(B, gsd);
  KNDeviceZero_Private(B, gdd);
  for (PetscInt b = 0; b < B; b++) {
    gsth[b] = 1.0;
    gdth[b] = -1.0;
  }
  KNDeviceZero_Private(2 * B, gsth + B);
  KNDeviceZero_Private(2 * B, gdth + B);
}

/* ---- t0 ---- */

static void CurrentSourceCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) i[b] = t0;
}

static void CurrentSourcePartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) {
    i[b]   = t0;
    gs[b]  = 0.0;
    gd[b]  = 0.0;
    gth[b] = 1.0;
  }
}

static void CurrentSourceSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  KNDeviceZero_Private(B, gss);
  KNDeviceZero_Private(B, gsd);
  KNDeviceZero_Private(B, gdd);
  KNDeviceZero_Private(B, gsth);
  KNDeviceZero_Private(B, gdth);
}

/* ---- fused kernels ---- */

/* g as in `current`; the accumulations use fma (KNFma, kntanh.h). */

/* Conductance: gs = -gd = t0, gth = (dv, 0, 0); the trace term -(rd + rs) t0 is a constant of the edge,
   with dh/dv = 0 and dh/dth = (-(rd + rs), 0, 0). */
static void ConductanceApply(KN_APP_ARGS)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = t0 * (vs[b] - vd[b]);
    fs[b] -= g;
    fd[b] += g;
  }
}

static void ConductanceTrace(KN_TRC_ARGS)
{
  const PetscReal t0 = th[0], c = -(rd + rs) * t0;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = t0 * (vs[b] - vd[b]);
    fs[b] -= g;
    fd[b] += g;
    tr[b] += c;
  }
}

/* flow: the flow adjoint product (flowvjp, wl used), otherwise the plain one (vjp). A constant in every caller, so the
   test leaves the loop (a test of wl itself would stay in it and keep the loop scalar). */
static inline void ConductanceVJP_Core(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, PetscBool flow, const PetscReal *restrict wl, PetscReal R, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth)
{
  const PetscReal t0 = th[0];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal t = wd[b] - ws[b], q = t * t0;
    ys[b] += q;
    yd[b] -= q;
    a0[l] = KNFma(t, vs[b] - vd[b], a0[l]);
    if (flow) a1[l] += wl[b];
  });
  yth[0] += KNLaneSum(a0);
  if (flow) yth[0] += R * KNLaneSum(a1);
}

static void ConductanceVJP(KN_VJP_ARGS) { ConductanceVJP_Core(th, B, vs, vd, ws, wd, PETSC_FALSE, NULL, 0.0, ys, yd, yth); }
static void ConductanceFlowVJP(KN_FLOW_ARGS) { ConductanceVJP_Core(th, B, vs, vd, ws, wd, PETSC_TRUE, wl, rd + rs, ys, yd, yth); }

/* Current source: gs = gd = 0, gth = 1, no trace term. */
static void CurrentSourceApply(KN_APP_ARGS)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) {
    fs[b] -= t0;
    fd[b] += t0;
  }
}

static void CurrentSourceTrace(KN_TRC_ARGS) { CurrentSourceApply(th, B, vs, vd, fs, fd); }

static void CurrentSourceVJP(KN_VJP_ARGS)
{
  PetscReal a0[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, a0[l] += wd[b] - ws[b];);
  yth[0] += KNLaneSum(a0);
}

static void CurrentSourceFlowVJP(KN_FLOW_ARGS) { CurrentSourceVJP(th, B, vs, vd, ws, wd, ys, yd, yth); }

/* ---- constructors ---- */

static const KNDeviceKernels ConductanceKernels   = {.current = ConductanceCurrent, .partials = ConductancePartials, .second = ConductanceSecond, .apply = ConductanceApply, .vjp = ConductanceVJP, .trace = ConductanceTrace, .flowvjp = ConductanceFlowVJP};
static const KNDeviceKernels CurrentSourceKernels = {.current = CurrentSourceCurrent, .partials = CurrentSourcePartials, .second = CurrentSourceSecond, .apply = CurrentSourceApply, .vjp = CurrentSourceVJP, .trace = CurrentSourceTrace, .flowvjp = CurrentSourceFlowVJP};

/* KNDEVICECONDUCTANCE: the reference Conductance, paper Eq. (3). */
PetscErrorCode KNDeviceCreate_Conductance(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 1, &ConductanceKernels, "th[0]*(vs - vd), rows 1-2 unused"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICECURRENTSOURCE: an independent current source. */
PetscErrorCode KNDeviceCreate_CurrentSource(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 1, 1, &CurrentSourceKernels, "th[0]"));
  PetscFunctionReturn(KN_SUCCESS);
}
