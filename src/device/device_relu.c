/* ReLU and leaky-ReLU laws. act(z) = z for z > 0, alpha z otherwise (alpha = 0 or KN_LEAKY_SLOPE);
   act'(z) = 1 for z > 0, alpha otherwise (PyTorch: relu'(0) = 0, leaky_relu'(0) = alpha).
     shift_relu1 / shift_leaky_relu1: t1 act(vs - vd - t0), 2 rows
     shift_relu2 / relu_3p / shift_leaky_relu2: act(t0 vs + t1 vd + t2), 3 rows
     relu_diff: relu(t1 (vs - vd) + t0), 2 rows
   Second derivatives in the voltages vanish (almost everywhere); the mixed voltage/theta ones do not.
   The generic cores are inlined with a constant alpha, so each law compiles to its own branch-free loop. */
#include "deviceimpl.h"

static inline PetscReal Act(PetscReal z, PetscReal alpha)
{
  return z > 0 ? z : (alpha == 0 ? 0.0 : alpha * z);
}

static inline PetscReal DAct(PetscReal z, PetscReal alpha)
{
  return z > 0 ? 1.0 : alpha;
}

/* ---- act(t0 vs + t1 vd + t2) ---- */

static inline void Act3PCurrent_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) i[b] = Act(t0 * vs[b] + t1 * vd[b] + t2, alpha);
}

static inline void Act3PPartials_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict g0, PetscReal *restrict g1, PetscReal *restrict g2)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal u = t0 * vs[b] + t1 * vd[b] + t2, d = DAct(u, alpha);

    i[b]  = Act(u, alpha);
    gs[b] = t0 * d;
    gd[b] = t1 * d;
    g0[b] = vs[b] * d;
    g1[b] = vd[b] * d;
    g2[b] = d;
  }
}

static inline void Act3PSecond_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];
  PetscReal *restrict gs0 = gsth, *restrict gd1 = gdth + B;

  KNDeviceZero_Private(B, gss);
  KNDeviceZero_Private(B, gsd);
  KNDeviceZero_Private(B, gdd);
  KNDeviceZero_Private(2 * B, gsth + B); /* d2g/dvs dth1, d2g/dvs dth2 */
  KNDeviceZero_Private(B, gdth);         /* d2g/dvd dth0 */
  KNDeviceZero_Private(B, gdth + 2 * B); /* d2g/dvd dth2 */
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal d = DAct(t0 * vs[b] + t1 * vd[b] + t2, alpha);

    gs0[b] = d;
    gd1[b] = d;
  }
}

/* ---- t1 act(vs - vd - t0) ---- */

static inline void ShiftCurrent_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) i[b] = t1 * Act(vs[b] - vd[b] - t0, alpha);
}

static inline void ShiftPartials_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict g0, PetscReal *restrict g1)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal z = vs[b] - vd[b] - t0, a = Act(z, alpha), d = t1 * DAct(z, alpha);

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
    const PetscReal d = DAct(c0 * (vs[b] - vd[b]) + c1, alpha);

    gs1[b] = d;
    gd1[b] = -d;
  }
}

/* ---- relu(t1 (vs - vd) + t0) ---- */

static void ReluDiffCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) i[b] = Act(t1 * (vs[b] - vd[b]) + t0, 0.0);
}

static inline void ReluDiffPartials_Core(PetscReal t0, PetscReal t1, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict g0, PetscReal *restrict g1)
{
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal dv = vs[b] - vd[b], u = t1 * dv + t0, d = DAct(u, 0.0);

    i[b]  = Act(u, 0.0);
    gs[b] = t1 * d;
    gd[b] = -t1 * d;
    g0[b] = d;
    g1[b] = dv * d;
  }
}

static void ReluDiffPartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  ReluDiffPartials_Core(th[0], th[1], B, vs, vd, i, gs, gd, gth, gth + B);
}

static void ReluDiffSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  DiffSecond_Core(0.0, th[1], th[0], B, vs, vd, gss, gsd, gdd, gsth, gdth);
}

/* ---- the laws: one-line wrappers fixing alpha ---- */

#define KN_CUR_ARGS   const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i
#define KN_PAR_ARGS   KN_CUR_ARGS, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth
#define KN_SEC_ARGS   const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth

static void Relu3PCurrent(KN_CUR_ARGS) { Act3PCurrent_Core(0.0, th, B, vs, vd, i); }
static void Relu3PPartials(KN_PAR_ARGS) { Act3PPartials_Core(0.0, th, B, vs, vd, i, gs, gd, gth, gth + B, gth + 2 * B); }
static void Relu3PSecond(KN_SEC_ARGS) { Act3PSecond_Core(0.0, th, B, vs, vd, gss, gsd, gdd, gsth, gdth); }
static void Leaky3PCurrent(KN_CUR_ARGS) { Act3PCurrent_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i); }
static void Leaky3PPartials(KN_PAR_ARGS) { Act3PPartials_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i, gs, gd, gth, gth + B, gth + 2 * B); }
static void Leaky3PSecond(KN_SEC_ARGS) { Act3PSecond_Core(KN_LEAKY_SLOPE, th, B, vs, vd, gss, gsd, gdd, gsth, gdth); }
static void ShiftReluCurrent(KN_CUR_ARGS) { ShiftCurrent_Core(0.0, th, B, vs, vd, i); }
static void ShiftReluPartials(KN_PAR_ARGS) { ShiftPartials_Core(0.0, th, B, vs, vd, i, gs, gd, gth, gth + B); }
static void ShiftReluSecond(KN_SEC_ARGS) { DiffSecond_Core(0.0, 1.0, -th[0], B, vs, vd, gss, gsd, gdd, gsth, gdth); }
static void ShiftLeakyCurrent(KN_CUR_ARGS) { ShiftCurrent_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i); }
static void ShiftLeakyPartials(KN_PAR_ARGS) { ShiftPartials_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i, gs, gd, gth, gth + B); }
static void ShiftLeakySecond(KN_SEC_ARGS) { DiffSecond_Core(KN_LEAKY_SLOPE, 1.0, -th[0], B, vs, vd, gss, gsd, gdd, gsth, gdth); }

/* ---- constructors ---- */

/* shift_relu1 fused kernels (the classification law): g = t1 relu(vs - vd - t0). */
static void ShiftReluApply(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict fs, PetscReal *restrict fd)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal z = vs[b] - vd[b] - t0, g = t1 * (z > 0 ? z : 0.0);
    fs[b] -= g;
    fd[b] += g;
  }
}

static void ShiftReluVJP(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth)
{
  const PetscReal t0 = th[0], t1 = th[1];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal z = vs[b] - vd[b] - t0, t = wd[b] - ws[b], h = z > 0 ? t : 0.0, q = t1 * h;
    ys[b] += q;
    yd[b] -= q;
    a0[l] -= q;
    a1[l] += z > 0 ? t * z : 0.0;
  });
  yth[0] += KNLaneSum(a0), yth[1] += KNLaneSum(a1);
}

static const KNDeviceKernels Relu3PKernels     = {.current = Relu3PCurrent, .partials = Relu3PPartials, .second = Relu3PSecond};
static const KNDeviceKernels Leaky3PKernels    = {.current = Leaky3PCurrent, .partials = Leaky3PPartials, .second = Leaky3PSecond};
static const KNDeviceKernels ShiftReluKernels  = {.current = ShiftReluCurrent, .partials = ShiftReluPartials, .second = ShiftReluSecond, .apply = ShiftReluApply, .vjp = ShiftReluVJP};
static const KNDeviceKernels ShiftLeakyKernels = {.current = ShiftLeakyCurrent, .partials = ShiftLeakyPartials, .second = ShiftLeakySecond};
static const KNDeviceKernels ReluDiffKernels   = {.current = ReluDiffCurrent, .partials = ReluDiffPartials, .second = ReluDiffSecond};

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

/* KNDEVICESHIFTRELU2: the reference ShiftRelu2, paper Eq. (12). */
PetscErrorCode KNDeviceCreate_ShiftRelu2(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 3, &Relu3PKernels, "relu(th[0]*vs + th[1]*vd + th[2])"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICERELU3P: the reference Device(negation=False, activation=relu); same law as shift_relu2. */
PetscErrorCode KNDeviceCreate_Relu3P(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 3, &Relu3PKernels, "relu(th[0]*vs + th[1]*vd + th[2])"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICESHIFTLEAKYRELU2: the reference ShiftLeakyRelu2. */
PetscErrorCode KNDeviceCreate_ShiftLeakyRelu2(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 3, &Leaky3PKernels, "leaky_relu(th[0]*vs + th[1]*vd + th[2]), slope 0.01"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICERELUDIFF: the reference Device(negation=True, activation=relu), paper Eq. (10). */
PetscErrorCode KNDeviceCreate_ReluDiff(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 2, 2, &ReluDiffKernels, "relu(th[1]*(vs - vd) + th[0])"));
  PetscFunctionReturn(KN_SUCCESS);
}
