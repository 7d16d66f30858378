/* ReLU laws of a voltage combination (KNAct, knact.h; alpha = 0 or KN_LEAKY_SLOPE):
     shift_relu2 / relu_3p / shift_leaky_relu2: act(t0 vs + t1 vd + t2), 3 rows
   Second derivatives in the voltages vanish (almost everywhere); the mixed voltage/theta ones do not.
   The generic cores are inlined with a constant alpha, so each law compiles to its own branch-free loop. */
#include "deviceimpl.h"
#include "knact.h"
#include "kntanh.h" /* KNFma */

static inline void Act3PCurrent_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) i[b] = KNAct(t0 * vs[b] + t1 * vd[b] + t2, alpha);
}

static inline void Act3PPartials_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict g0, PetscReal *restrict g1, PetscReal *restrict g2)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal u = t0 * vs[b] + t1 * vd[b] + t2, d = KNDAct(u, alpha);

    i[b]  = KNAct(u, alpha);
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
    const PetscReal d = KNDAct(t0 * vs[b] + t1 * vd[b] + t2, alpha);

    gs0[b] = d;
    gd1[b] = d;
  }
}

/* Fused kernels: g as in `current`, so apply and trace agree with it bit for bit; the accumulations use fma
   (KNFma, kntanh.h). With D = act'(u): gs = t0 D, gd = t1 D, gth = (vs D, vd D, D), and the trace term
   rd gd - rs gs = (rd t1 - rs t0) D has dh/dv = 0 and dh/dth = (-rs D, rd D, 0). */
static inline void Act3PApply_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict fs, PetscReal *restrict fd)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal g = KNAct(t0 * vs[b] + t1 * vd[b] + t2, alpha);
    fs[b] -= g;
    fd[b] += g;
  }
}

static inline void Act3PTrace_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal rs, PetscReal rd, PetscReal *restrict fs, PetscReal *restrict fd, PetscReal *restrict tr)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2], c = rd * t1 - rs * t0;

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal u = t0 * vs[b] + t1 * vd[b] + t2, g = KNAct(u, alpha);
    fs[b] -= g;
    fd[b] += g;
    tr[b] = KNFma(c, KNDAct(u, alpha), tr[b]);
  }
}

/* flow: the flow adjoint product (flowvjp, wl used), otherwise the plain one (vjp). A constant in every caller, so the
   test leaves the loop (a test of wl itself would stay in it and keep the loop scalar). */
static inline void Act3PVJP_Core(PetscReal alpha, const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, PetscBool flow, const PetscReal *restrict wl, PetscReal rs, PetscReal rd, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth)
{
  const PetscReal t0 = th[0], t1 = th[1], t2 = th[2];
  PetscReal       a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0}, a3[KN_LANES] = {0};

  KN_LANE_LOOP(B, b, l, {
    const PetscReal d = KNDAct(t0 * vs[b] + t1 * vd[b] + t2, alpha), q = (wd[b] - ws[b]) * d;
    ys[b] = KNFma(t0, q, ys[b]);
    yd[b] = KNFma(t1, q, yd[b]);
    a0[l] = KNFma(q, vs[b], a0[l]);
    a1[l] = KNFma(q, vd[b], a1[l]);
    a2[l] += q;
    if (flow) a3[l] = KNFma(wl[b], d, a3[l]);
  });
  yth[0] += KNLaneSum(a0), yth[1] += KNLaneSum(a1), yth[2] += KNLaneSum(a2);
  if (flow) {
    const PetscReal sw = KNLaneSum(a3);
    yth[0] += rs * sw, yth[1] -= rd * sw;
  }
}

/* ---- the laws: one-line wrappers fixing alpha ---- */

static void Relu3PCurrent(KN_CUR_ARGS) { Act3PCurrent_Core(0.0, th, B, vs, vd, i); }
static void Relu3PPartials(KN_PAR_ARGS) { Act3PPartials_Core(0.0, th, B, vs, vd, i, gs, gd, gth, gth + B, gth + 2 * B); }
static void Relu3PSecond(KN_SEC_ARGS) { Act3PSecond_Core(0.0, th, B, vs, vd, gss, gsd, gdd, gsth, gdth); }
static void Relu3PApply(KN_APP_ARGS) { Act3PApply_Core(0.0, th, B, vs, vd, fs, fd); }
static void Relu3PTrace(KN_TRC_ARGS) { Act3PTrace_Core(0.0, th, B, vs, vd, rs, rd, fs, fd, tr); }
static void Relu3PVJP(KN_VJP_ARGS) { Act3PVJP_Core(0.0, th, B, vs, vd, ws, wd, PETSC_FALSE, NULL, 0.0, 0.0, ys, yd, yth); }
static void Relu3PFlowVJP(KN_FLOW_ARGS) { Act3PVJP_Core(0.0, th, B, vs, vd, ws, wd, PETSC_TRUE, wl, rs, rd, ys, yd, yth); }
static void Leaky3PCurrent(KN_CUR_ARGS) { Act3PCurrent_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i); }
static void Leaky3PPartials(KN_PAR_ARGS) { Act3PPartials_Core(KN_LEAKY_SLOPE, th, B, vs, vd, i, gs, gd, gth, gth + B, gth + 2 * B); }
static void Leaky3PSecond(KN_SEC_ARGS) { Act3PSecond_Core(KN_LEAKY_SLOPE, th, B, vs, vd, gss, gsd, gdd, gsth, gdth); }
static void Leaky3PApply(KN_APP_ARGS) { Act3PApply_Core(KN_LEAKY_SLOPE, th, B, vs, vd, fs, fd); }
static void Leaky3PTrace(KN_TRC_ARGS) { Act3PTrace_Core(KN_LEAKY_SLOPE, th, B, vs, vd, rs, rd, fs, fd, tr); }
static void Leaky3PVJP(KN_VJP_ARGS) { Act3PVJP_Core(KN_LEAKY_SLOPE, th, B, vs, vd, ws, wd, PETSC_FALSE, NULL, 0.0, 0.0, ys, yd, yth); }
static void Leaky3PFlowVJP(KN_FLOW_ARGS) { Act3PVJP_Core(KN_LEAKY_SLOPE, th, B, vs, vd, ws, wd, PETSC_TRUE, wl, rs, rd, ys, yd, yth); }

/* ---- constructors ---- */

static const KNDeviceKernels Relu3PKernels  = {.current = Relu3PCurrent, .partials = Relu3PPartials, .second = Relu3PSecond, .apply = Relu3PApply, .vjp = Relu3PVJP, .trace = Relu3PTrace, .flowvjp = Relu3PFlowVJP};
static const KNDeviceKernels Leaky3PKernels = {.current = Leaky3PCurrent, .partials = Leaky3PPartials, .second = Leaky3PSecond, .apply = Leaky3PApply, .vjp = Leaky3PVJP, .trace = Leaky3PTrace, .flowvjp = Leaky3PFlowVJP};

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
