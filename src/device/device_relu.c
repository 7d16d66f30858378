/* ReLU laws of the voltage difference (KNAct, knact.h; alpha = 0 or KN_LEAKY_SLOPE):
     shift_relu1 / shift_leaky_relu1: t1 act(vs - vd - t0), 2 rows
     relu_diff:                       relu(t1 (vs - vd) + t0), 2 rows
   Second derivatives in the voltages vanish (almost everywhere); the mixed voltage/theta ones do not.
   The generic cores are inlined with a constant alpha, so each law compiles to its own branch-free loop.
   The act(t0 vs + t1 vd + t2) laws are in device_relu3p.c. */
#include "deviceimpl.h"
#include "knact.h"
#include "kntanh.h" /* KNFma */

/* ---- t1 act(vs - vd - t0) ---- */

static inline void ShiftCurrent_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) i[b] = t1 * KNAct(vs[b] - vd[b] - t0, alpha);
}

static inline void ShiftPartials_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict g0, PetscReal *restrict g1)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal z = vs[b] - vd[b] - t0, a = KNAct(z, alpha), d = t1 * KNDAct(z, alpha);

    i[b]  = t1 * a;
    gs[b] = d;
    gd[b] = -d;
    g0[b] = -d;
    g1[b] = a;
  }
}

/* Shared by the shift and diff forms: d2g/dvs dth1 = act'(.), d2g/dvd dth1 = -act'(.), everything else 0.
   For the shift form the argument is vs - vd - t0 (c0 = 1, c1 = -t0); for relu_diff it is t1 (vs - vd) + t0. */
static inline void DiffSecond_Core(PetscReal alpha, PetscReal c0, PetscReal c1, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  PetscReal *restrict gs1 = gsth + B, *restrict gd1 = gdth + B;

  KNDeviceZero_Private(B, gss);
  KNDeviceZero_Private(B, gsd);
  KNDeviceZero_Private(B, gdd);
  KNDeviceZero_Private(B, gsth);
  KNDeviceZero_Private(B, gdth);
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal d = KNDAct(c0 * (vs[b] - vd[b]) + c1, alpha);

    gs1[b] = d;
    gd1[b] = -d;
  }
}

/* Fused kernels: g as in `current`, so apply and trace agree with it bit for bit; the accumulations use fma
   (KNFma, kntanh.h). With a = act(z), D = act'(z): gs = -gd = t1 D, gth = (-t1 D, a), and the trace term
   rd gd - rs gs = -(rd + rs) t1 D has dh/dv = 0 and dh/dth = (0, -(rd + rs) D). */
static inline void ShiftApply_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict fs, PetscReal *restrict fd)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = t1 * KNAct(vs[b] - vd[b] - t0, alpha);
    fs[b] -= g;
    fd[b] += g;
  }
}

static inline void ShiftTrace_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal rs, PetscReal rd, PetscReal *restrict fs, PetscReal *restrict fd, PetscReal *restrict tr)
{
  const PetscReal t0 = th[0], t1 = th[1], c = -(rd + rs) * t1;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal z = vs[b] - vd[b] - t0, g = t1 * KNAct(z, alpha);
    fs[b] -= g;
    fd[b] += g;
    tr[b] = KNFma(c, KNDAct(z, alpha), tr[b]);
  }
}

/* flow: the flow adjoint product (flowvjp, wl used), otherwise the plain one (vjp). A constant in every caller, so the
   test leaves the loop (a test of wl itself would stay in it and keep the loop scalar). */
static inline void ShiftVJP_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, PetscBool flow, const PetscReal *restrict wl, PetscReal R, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth)
{
  const PetscReal t0 = th[0], t1 = th[1];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal z = vs[b] - vd[b] - t0, t = wd[b] - ws[b], d = KNDAct(z, alpha), q = t1 * (t * d);
    ys[b] += q;
    yd[b] -= q;
    a0[l] -= q;
    a1[l] = KNFma(t, KNAct(z, alpha), a1[l]);
    if (flow) a2[l] = KNFma(wl[b], d, a2[l]);
  });
  yth[0] += KNLaneSum(a0), yth[1] += KNLaneSum(a1);
  if (flow) yth[1] += R * KNLaneSum(a2);
}

/* ---- relu(t1 (vs - vd) + t0) ---- */

static void ReluDiffCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) i[b] = KNAct(t1 * (vs[b] - vd[b]) + t0, 0.0);
}

static void ReluDiffPartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  const PetscReal t0 = th[0], t1 = th[1];
  PetscReal *restrict g0 = gth, *restrict g1 = gth + B;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal dv = vs[b] - vd[b], u = t1 * dv + t0, d = KNDAct(u, 0.0);

    i[b]  = KNAct(u, 0.0);
    gs[b] = t1 * d;
    gd[b] = -t1 * d;
    g0[b] = d;
    g1[b] = dv * d;
  }
}

static void ReluDiffSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  DiffSecond_Core(0.0, th[1], th[0], B, vs, vd, gss, gsd, gdd, gsth, gdth);
}

/* Fused kernels. With D = H(u): gs = -gd = t1 D, gth = (D, dv D); the trace term -(rd + rs) t1 D has
   dh/dv = 0 and dh/dth = (0, -(rd + rs) D). */
static void ReluDiffApply(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict fs, PetscReal *restrict fd)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNAct(t1 * (vs[b] - vd[b]) + t0, 0.0);
    fs[b] -= g;
    fd[b] += g;
  }
}

static void ReluDiffTrace(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal rs, PetscReal rd, PetscReal *restrict fs, PetscReal *restrict fd, PetscReal *restrict tr)
{
  const PetscReal t0 = th[0], t1 = th[1], c = -(rd + rs) * t1;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal u = t1 * (vs[b] - vd[b]) + t0, g = KNAct(u, 0.0);
    fs[b] -= g;
    fd[b] += g;
    tr[b] = KNFma(c, KNDAct(u, 0.0), tr[b]);
  }
}

static inline void ReluDiffVJP_Core(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, PetscBool flow, const PetscReal *restrict wl, PetscReal R, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth)
{
  const PetscReal t0 = th[0], t1 = th[1];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal dv = vs[b] - vd[b], d = KNDAct(t1 * dv + t0, 0.0), q = (wd[b] - ws[b]) * d;
    ys[b] = KNFma(t1, q, ys[b]);
    yd[b] = KNFma(-t1, q, yd[b]);
    a0[l] += q;
    a1[l] = KNFma(q, dv, a1[l]);
    if (flow) a2[l] = KNFma(wl[b], d, a2[l]);
  });
  yth[0] += KNLaneSum(a0), yth[1] += KNLaneSum(a1);
  if (flow) yth[1] += R * KNLaneSum(a2);
}

/* ---- the laws: one-line wrappers fixing alpha ---- */

static void ShiftReluCurrent(KN_CUR_ARGS) { ShiftCurrent_Core(0.0, th, B, vs, vd, i); }
static void ShiftReluPartials(KN_PAR_ARGS) { ShiftPartials_Core(0.0, th, B, vs, vd, i, gs, gd, gth, gth + B); }
static void ShiftReluSecond(KN_SEC_ARGS) { DiffSecond_Core(0.0, 1.0, -th[0], B, vs, vd, gss, gsd, gdd, gsth, gdth); }
static void ShiftReluApply(KN_APP_ARGS) { ShiftApply_Core(0.0, th, B, vs, vd, fs, fd); }
static void ShiftReluTrace(KN_TRC_ARGS) { ShiftTrace_Core(0.0, th, B, vs, vd, rs, rd, fs, fd, tr); }
static void ShiftReluVJP(KN_VJP_ARGS) { ShiftVJP_Core(0.0, th, B, vs, vd, ws, wd, PETSC_FALSE, NULL, 0.0, ys, yd, yth); }
static void ShiftReluFlowVJP(KN_FLOW_ARGS) { ShiftVJP_Core(0.0, th, B, vs, vd, ws, wd, PETSC_TRUE, wl, rd + rs, ys, yd, yth); }
static void ShiftLeakyCurrent(KN_CUR_ARGS) { ShiftCurrent_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i); }
static void ShiftLeakyPartials(KN_PAR_ARGS) { ShiftPartials_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i, gs, gd, gth, gth + B); }
static void ShiftLeakySecond(KN_SEC_ARGS) { DiffSecond_Core(KN_LEAKY_SLOPE, 1.0, -th[0], B, vs, vd, gss, gsd, gdd, gsth, gdth); }
static void ShiftLeakyApply(KN_APP_ARGS) { ShiftApply_Core(KN_LEAKY_SLOPE, th, B, vs, vd, fs, fd); }
static void ShiftLeakyTrace(KN_TRC_ARGS) { ShiftTrace_Core(KN_LEAKY_SLOPE, th, B, vs, vd, rs, rd, fs, fd, tr); }
static void ShiftLeakyVJP(KN_VJP_ARGS) { ShiftVJP_Core(KN_LEAKY_SLOPE, th, B, vs, vd, ws, wd, PETSC_FALSE, NULL, 0.0, ys, yd, yth); }
static void ShiftLeakyFlowVJP(KN_FLOW_ARGS) { ShiftVJP_Core(KN_LEAKY_SLOPE, th, B, vs, vd, ws, wd, PETSC_TRUE, wl, rd + rs, ys, yd, yth); }
static void ReluDiffVJP(KN_VJP_ARGS) { ReluDiffVJP_Core(th, B, vs, vd, ws, wd, PETSC_FALSE, NULL, 0.0, ys, yd, yth); }
static void ReluDiffFlowVJP(KN_FLOW_ARGS) { ReluDiffVJP_Core(th, B, vs, vd, ws, wd, PETSC_TRUE, wl, rd + rs, ys, yd, yth); }

/* ---- constructors ---- */

static const KNDeviceKernels ShiftReluKernels  = {.current = ShiftReluCurrent, .partials = ShiftReluPartials, .second = ShiftReluSecond, .apply = ShiftReluApply, .vjp = ShiftReluVJP, .trace = ShiftReluTrace, .flowvjp = ShiftReluFlowVJP};
static const KNDeviceKernels ShiftLeakyKernels = {.current = ShiftLeakyCurrent, .partials = ShiftLeakyPartials, .second = ShiftLeakySecond, .apply = ShiftLeakyApply, .vjp = ShiftLeakyVJP, .trace = ShiftLeakyTrace, .flowvjp = ShiftLeakyFlowVJP};
static const KNDeviceKernels ReluDiffKernels   = {.current = ReluDiffCurrent, .partials = ReluDiffPartials, .second = ReluDiffSecond, .apply = ReluDiffApply, .vjp = ReluDiffVJP, .trace = ReluDiffTrace, .flowvjp = ReluDiffFlowVJP};

/* KNDEVICESHIFTRELU1: the reference ShiftRelu1 (slope outside the ReLU, t0 a threshold; not paper Eq. (10)). */
PetscErrorCode KNDeviceCreate_ShiftRelu1(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 2, 2, &ShiftReluKernels, "th[1]*relu(vs - vd - th[0])"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICESHIFTLEAKYRELU1: the reference ShiftLeakyRelu1. */
PetscErrorCode KNDeviceCreate_ShiftLeakyRelu1(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 2, 2, &ShiftLeakyKernels, "th[1]*leaky_relu(vs - vd - th[0]), slope 0.01"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICERELUDIFF: the reference Device(negation=True, activation=relu), paper Eq. (10). */
PetscErrorCode KNDeviceCreate_ReluDiff(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 2, 2, &ReluDiffKernels, "relu(th[1]*(vs - vd) + th[0])"));
  PetscFunctionReturn(KN_SUCCESS);
}
