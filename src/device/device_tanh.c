/* Tanh laws: shift_tanh2 / tanh_3p  (tanh(t0 vs + t1 vd + t2), 3 rows),
              tanh_diff            (tanh(t1 (vs - vd) + t0), 2 rows),
              shift_tanh1          (tanh_diff with a third, unused row, as the reference allocates).
   With g = tanh(u): dg/du = s = 1 - g^2 and d2g/du2 = k = -2 g s; tanh is evaluated once per sample. */
#include <stdint.h>
#include <string.h>
#include "deviceimpl.h"

#include "kntanh.h"

/* ---- tanh(t0 vs + t1 vd + t2) ---- */

static void Tanh3PCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) i[b] = KNTanh(t0 * vs[b] + t1 * vd[b] + t2);
}

static inline void Tanh3PPartials_Core(PetscReal t0, PetscReal t1, PetscReal t2, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict g0, PetscReal *restrict g1, PetscReal *restrict g2)
{
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNTanh(t0 * vs[b] + t1 * vd[b] + t2), s = 1.0 - g * g;

    i[b]  = g;
    gs[b] = t0 * s;
    gd[b] = t1 * s;
    g0[b] = vs[b] * s;
    g1[b] = vd[b] * s;
    g2[b] = s;
  }
}

static void Tanh3PPartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  Tanh3PPartials_Core(th[0], th[1], th[2], B, vs, vd, i, gs, gd, gth, gth + B, gth + 2 * B);
}

static inline void Tanh3PSecond_Core(PetscReal t0, PetscReal t1, PetscReal t2, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gs0, PetscReal *restrict gs1, PetscReal *restrict gs2, PetscReal *restrict gd0, PetscReal *restrict gd1, PetscReal *restrict gd2)
{
  const PetscReal t00 = t0 * t0, t01 = t0 * t1, t11 = t1 * t1;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNTanh(t0 * vs[b] + t1 * vd[b] + t2), s = 1.0 - g * g, k = -2.0 * g * s;

    gss[b] = t00 * k;
    gsd[b] = t01 * k;
    gdd[b] = t11 * k;
    gs0[b] = s + t0 * vs[b] * k;
    gs1[b] = t0 * vd[b] * k;
    gs2[b] = t0 * k;
    gd0[b] = t1 * vs[b] * k;
    gd1[b] = s + t1 * vd[b] * k;
    gd2[b] = t1 * k;
  }
}

static void Tanh3PSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  Tanh3PSecond_Core(th[0], th[1], th[2], B, vs, vd, gss, gsd, gdd, gsth, gsth + B, gsth + 2 * B, gdth, gdth + B, gdth + 2 * B);
}

/* ---- tanh(t1 (vs - vd) + t0) ---- */

static void TanhDiffCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) i[b] = KNTanh(t1 * (vs[b] - vd[b]) + t0);
}

static inline void TanhDiffPartials_Core(PetscReal t0, PetscReal t1, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict g0, PetscReal *restrict g1)
{
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal dv = vs[b] - vd[b], g = KNTanh(t1 * dv + t0), s = 1.0 - g * g;

    i[b]  = g;
    gs[b] = t1 * s;
    gd[b] = -t1 * s;
    g0[b] = s;
    g1[b] = dv * s;
  }
}

static void TanhDiffPartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  TanhDiffPartials_Core(th[0], th[1], B, vs, vd, i, gs, gd, gth, gth + B);
}

static inline void TanhDiffSecond_Core(PetscReal t0, PetscReal t1, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gs0, PetscReal *restrict gs1, PetscReal *restrict gd0, PetscReal *restrict gd1)
{
  const PetscReal t11 = t1 * t1;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal dv = vs[b] - vd[b], g = KNTanh(t1 * dv + t0), s = 1.0 - g * g, k = -2.0 * g * s;
    const PetscReal c = s + t1 * dv * k;

    gss[b] = t11 * k;
    gsd[b] = -t11 * k;
    gdd[b] = t11 * k;
    gs0[b] = t1 * k;
    gs1[b] = c;
    gd0[b] = -t1 * k;
    gd1[b] = -c;
  }
}

static void TanhDiffSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  TanhDiffSecond_Core(th[0], th[1], B, vs, vd, gss, gsd, gdd, gsth, gsth + B, gdth, gdth + B);
}

/* shift_tanh1: the tanh_diff law with row 2 allocated but unused (its derivatives are zero). */
static void ShiftTanh1Partials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  TanhDiffPartials_Core(th[0], th[1], B, vs, vd, i, gs, gd, gth, gth + B);
  KNDeviceZero_Private(B, gth + 2 * B);
}

static void ShiftTanh1Second(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  TanhDiffSecond_Core(th[0], th[1], B, vs, vd, gss, gsd, gdd, gsth, gsth + B, gdth, gdth + B);
  KNDeviceZero_Private(B, gsth + 2 * B);
  KNDeviceZero_Private(B, gdth + 2 * B);
}

/* ---- fused kernels: the RHS accumulation and the adjoint product in one pass, tanh evaluated once ---- */

/* Lane sums: KN_LANES independent partial sums per parameter, combined in a fixed order, so the loops
   vectorise without -ffast-math and the result does not depend on the vector width.
   The law's value g is computed as in `current` (apply, trace and current agree bit for bit); the derivative and
   accumulation terms use fma: one rounding instead of two, fewer operations (trace, flowvjp 10-15% faster). */
/* Each fused kernel is an inlined core with an optional pointer to kept law values: the *Keep wrappers also store g
   (the forward stages of a layer whose adjoint follows), the *Kept ones read it instead of evaluating tanh again (that
   adjoint). The flag is a constant in each wrapper, so each gets its own loop (a test of the pointer would not fold). g is the same expression of the same inputs in both, so kept and evaluated values agree bit for bit. */
#define KN_INLINE static inline __attribute__((always_inline))

KN_INLINE void Tanh3PApply_Core(KN_APP_ARGS, PetscReal *restrict gk, const int keep)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNTanh(t0 * vs[b] + t1 * vd[b] + t2);
    if (keep) gk[b] = g;
    fs[b] -= g;
    fd[b] += g;
  }
}

KN_INLINE void Tanh3PVJP_Core(KN_VJP_ARGS, const PetscReal *restrict gk, const int kept)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal g = kept ? gk[b] : KNTanh(t0 * vs[b] + t1 * vd[b] + t2), q = (wd[b] - ws[b]) * KNFma(-g, g, 1.0);
    ys[b] = KNFma(t0, q, ys[b]);
    yd[b] = KNFma(t1, q, yd[b]);
    a0[l] = KNFma(q, vs[b], a0[l]);
    a1[l] = KNFma(q, vd[b], a1[l]);
    a2[l] += q;
  });
  yth[0] += KNLaneSum(a0), yth[1] += KNLaneSum(a1), yth[2] += KNLaneSum(a2);
}

/* Flow RHS: rd gd - rs gs = (rd t1 - rs t0) s, one constant per edge. */
KN_INLINE void Tanh3PTrace_Core(KN_TRC_ARGS, PetscReal *restrict gk, const int keep)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2], c = rd * t1 - rs * t0;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNTanh(t0 * vs[b] + t1 * vd[b] + t2);
    if (keep) gk[b] = g;
    fs[b] -= g;
    fd[b] += g;
    tr[b] = KNFma(c, KNFma(-g, g, 1.0), tr[b]);
  }
}

/* Flow adjoint: the trace term is h = c s(u) with c = rd t1 - rs t0, so with k = ds/du = -2 g s the two products
   combine into one weight per sample, q = t s - wl c k = s (t + 2 c wl g):
   ys += t0 q, yd += t1 q, yth += (vs q + rs wl s, vd q - rd wl s, q) (the rs, rd terms come from dc/dth). */
KN_INLINE void Tanh3PFlowVJP_Core(KN_FLOW_ARGS, const PetscReal *restrict gk, const int kept)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2], c2 = 2.0 * (rd * t1 - rs * t0);
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0}, a3[KN_LANES] = {0}, sw;

  KN_LANE_LOOP(B, b, l, {
    const PetscReal g = kept ? gk[b] : KNTanh(t0 * vs[b] + t1 * vd[b] + t2), s = KNFma(-g, g, 1.0), q = s * KNFma(c2 * wl[b], g, wd[b] - ws[b]);
    ys[b] = KNFma(t0, q, ys[b]);
    yd[b] = KNFma(t1, q, yd[b]);
    a0[l] = KNFma(q, vs[b], a0[l]);
    a1[l] = KNFma(q, vd[b], a1[l]);
    a2[l] += q;
    a3[l] = KNFma(wl[b], s, a3[l]);
  });
  sw = KNLaneSum(a3);
  yth[0] += KNLaneSum(a0) + rs * sw, yth[1] += KNLaneSum(a1) - rd * sw, yth[2] += KNLaneSum(a2);
}

KN_INLINE void TanhDiffApply_Core(KN_APP_ARGS, PetscReal *restrict gk, const int keep)
{
  const PetscReal t0 = th[0], t1 = th[1];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNTanh(t1 * (vs[b] - vd[b]) + t0);
    if (keep) gk[b] = g;
    fs[b] -= g;
    fd[b] += g;
  }
}

KN_INLINE void TanhDiffVJP_Core(KN_VJP_ARGS, const PetscReal *restrict gk, const int kept)
{
  const PetscReal t0 = th[0], t1 = th[1];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal dv = vs[b] - vd[b], g = kept ? gk[b] : KNTanh(t1 * dv + t0), q = (wd[b] - ws[b]) * KNFma(-g, g, 1.0);
    ys[b] = KNFma(t1, q, ys[b]);
    yd[b] = KNFma(-t1, q, yd[b]);
    a0[l] += q;
    a1[l] = KNFma(q, dv, a1[l]);
  });
  yth[0] += KNLaneSum(a0), yth[1] += KNLaneSum(a1);
}

/* Flow RHS: rd gd - rs gs = -(rd + rs) t1 s. */
KN_INLINE void TanhDiffTrace_Core(KN_TRC_ARGS, PetscReal *restrict gk, const int keep)
{
  const PetscReal t0 = th[0], t1 = th[1], c = -(rd + rs) * t1;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNTanh(t1 * (vs[b] - vd[b]) + t0);
    if (keep) gk[b] = g;
    fs[b] -= g;
    fd[b] += g;
    tr[b] = KNFma(c, KNFma(-g, g, 1.0), tr[b]);
  }
}

/* Flow adjoint, as Tanh3PFlowVJP with h = c s(u), c = -(rd + rs) t1: q = s (t + 2 c wl g),
   ys += t1 q, yd -= t1 q, yth += (q, dv q + (rd + rs) wl s). */
KN_INLINE void TanhDiffFlowVJP_Core(KN_FLOW_ARGS, const PetscReal *restrict gk, const int kept)
{
  const PetscReal t0 = th[0], t1 = th[1], R = rd + rs, c2 = -2.0 * R * t1;
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal dv = vs[b] - vd[b], g = kept ? gk[b] : KNTanh(t1 * dv + t0), s = KNFma(-g, g, 1.0), q = s * KNFma(c2 * wl[b], g, wd[b] - ws[b]);
    ys[b] = KNFma(t1, q, ys[b]);
    yd[b] = KNFma(-t1, q, yd[b]);
    a0[l] += q;
    a1[l] = KNFma(q, dv, a1[l]);
    a2[l] = KNFma(wl[b], s, a2[l]);
  });
  yth[0] += KNLaneSum(a0), yth[1] += KNLaneSum(a1) + R * KNLaneSum(a2);
}

/* The kernel table's entries: each core without kept values, storing them, and reading them. */
#define KN_FUSED_WRAPPERS(Law) \
  static void Law##Apply(KN_APP_ARGS) { Law##Apply_Core(th, B, vs, vd, fs, fd, NULL, 0); } \
  static void Law##ApplyKeep(KN_APP_ARGS, PetscReal *restrict g) { Law##Apply_Core(th, B, vs, vd, fs, fd, g, 1); } \
  static void Law##Trace(KN_TRC_ARGS) { Law##Trace_Core(th, B, vs, vd, rs, rd, fs, fd, tr, NULL, 0); } \
  static void Law##TraceKeep(KN_TRC_ARGS, PetscReal *restrict g) { Law##Trace_Core(th, B, vs, vd, rs, rd, fs, fd, tr, g, 1); } \
  static void Law##VJP(KN_VJP_ARGS) { Law##VJP_Core(th, B, vs, vd, ws, wd, ys, yd, yth, NULL, 0); } \
  static void Law##VJPKept(KN_VJP_ARGS, const PetscReal *restrict g) { Law##VJP_Core(th, B, vs, vd, ws, wd, ys, yd, yth, g, 1); } \
  static void Law##FlowVJP(KN_FLOW_ARGS) { Law##FlowVJP_Core(th, B, vs, vd, ws, wd, wl, rs, rd, ys, yd, yth, NULL, 0); } \
  static void Law##FlowVJPKept(KN_FLOW_ARGS, const PetscReal *restrict g) { Law##FlowVJP_Core(th, B, vs, vd, ws, wd, wl, rs, rd, ys, yd, yth, g, 1); }
KN_FUSED_WRAPPERS(Tanh3P)
KN_FUSED_WRAPPERS(TanhDiff)

/* ---- constructors ---- */

#define KN_KEEP_KERNELS(Law) .apply_keep = Law##ApplyKeep, .trace_keep = Law##TraceKeep, .vjp_kept = Law##VJPKept, .flowvjp_kept = Law##FlowVJPKept

static const KNDeviceKernels Tanh3PKernels      = {.current = Tanh3PCurrent, .partials = Tanh3PPartials, .second = Tanh3PSecond, .apply = Tanh3PApply, .vjp = Tanh3PVJP, .trace = Tanh3PTrace, .flowvjp = Tanh3PFlowVJP, KN_KEEP_KERNELS(Tanh3P)};
static const KNDeviceKernels TanhDiffKernels    = {.current = TanhDiffCurrent, .partials = TanhDiffPartials, .second = TanhDiffSecond, .apply = TanhDiffApply, .vjp = TanhDiffVJP, .trace = TanhDiffTrace, .flowvjp = TanhDiffFlowVJP, KN_KEEP_KERNELS(TanhDiff)};
static const KNDeviceKernels ShiftTanh1Kernels  = {.current = TanhDiffCurrent, .partials = ShiftTanh1Partials, .second = ShiftTanh1Second, .apply = TanhDiffApply, .vjp = TanhDiffVJP, .trace = TanhDiffTrace, .flowvjp = TanhDiffFlowVJP, KN_KEEP_KERNELS(TanhDiff)};
static const char            Tanh3PFormula[]    = "tanh(th[0]*vs + th[1]*vd + th[2])";
static const char            TanhDiffFormula[]  = "tanh(th[1]*(vs - vd) + th[0])";
static const char            ShiftTanh1Formula[] = "tanh(th[1]*(vs - vd) + th[0]), row 2 unused";

/* KNDEVICESHIFTTANH2: the reference ShiftTanh2, paper Eq. (13). */
PetscErrorCode KNDeviceCreate_ShiftTanh2(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 3, &Tanh3PKernels, Tanh3PFormula));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICETANH3P: the reference Device(negation=False, activation=tanh); same law as shift_tanh2. */
PetscErrorCode KNDeviceCreate_Tanh3P(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 3, &Tanh3PKernels, Tanh3PFormula));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICETANHDIFF: the reference Device(negation=True, activation=tanh), paper Eq. (11). */
PetscErrorCode KNDeviceCreate_TanhDiff(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 2, 2, &TanhDiffKernels, TanhDiffFormula));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICESHIFTTANH1: the reference ShiftTanh1 (3 rows allocated, 2 used). */
PetscErrorCode KNDeviceCreate_ShiftTanh1(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 2, &ShiftTanh1Kernels, ShiftTanh1Formula));
  PetscFunctionReturn(KN_SUCCESS);
}
