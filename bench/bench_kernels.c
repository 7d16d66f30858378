/* bench_kernels: the per-edge device kernels (KNDeviceKernels) against this machine's bounds, single core.
   For every law and B (default 512 and 64) it times, in ns per edge-sample, the circuit's edge loops called per
   edge over a cache-resident batch (N = 16 nodes x B samples, E = 256 random edges; L1 at B = 64, L2 at B = 512):
   apply (RHS), trace (flow RHS), vjp (adjoint), flowvjp (flow adjoint), and the composed loops the circuit runs
   without them (edges with gains; every law before the fused kernels): current or partials + accumulation
   (rhs.c), partials + lane sums (jacobian.c), and for the flow adjoint the vjp pass + a second pass with `second`.
   For the laws with keep kernels (tanh): apply/trace keep (the forward of a layer whose adjoint follows: also stores
   each edge's law values, E x B, L2-resident here) and vjp/flowvjp kept (that adjoint: reads them, no tanh).
   Bounds:
   - arith: ns per sample of the law's nonlinearity alone, y[i] = NL(fma(a, x[i], c)), over L1-resident arrays;
   - minflop: ns per sample of one loop over contiguous L1-resident arrays doing only what the kernel kind must do
     for a law of that nonlinearity and row count, with fma wherever it saves an operation (MinApply_Core,
     MinVJP_Core): the kernel's arithmetic and memory streams without the per-edge structure;
   - mem: the DRAM bound of a cache-missing graph, 48 B (apply, trace: read vs, vd, fs, fd, write fs, fd) or 64 B
     (vjp, flowvjp: also ws, wd) per edge-sample at the triad rate of KNMeasureBandwidth().
   All figures of a law are taken in the same interleaved rounds, best round kept. Figures only: the exit status
   never depends on a time. -help lists the options (-types, -B, -N, -E, -trials, -samples, -bw_mb). */
#include <kn.h>
#include "device/deviceimpl.h" /* KN_LEAKY_SLOPE, the lane sums */
#include "device/kntanh.h"
#include "device/knact.h"
#include "bandwidth.h"

#define NLAW_MAX 32
#define NB_MAX   4

typedef struct {
  PetscInt N, E, nB, B[NB_MAX], trials, bw_mb, ntypes;
  char    *types[NLAW_MAX]; /* -types: the laws to time (default: all registered) */
  double   samples; /* edge-samples per timed trial */
} Params;

typedef enum {
  FAM_TANH,
  FAM_RELU,
  FAM_LEAKY,
  FAM_LINEAR,
  FAM_CONST
} Family;
static const char *FamilyName[] = {"tanh", "relu", "leaky relu", "linear", "constant"};

/* Keeps results alive; the timed functions are called through volatile pointers so nothing is hoisted or merged. */
static volatile double Sink;

/* ---- the bounds' loops ---- */

/* The cores are specialised per family and form by inlining (gcc would otherwise clone them with fam unknown). */
#define KN_BENCH_INLINE static inline __attribute__((always_inline))

/* The law value g(u) and its u-derivative D(u, g) of each family; fam is a constant in every caller. */
KN_BENCH_INLINE PetscReal NLG(Family fam, PetscReal u)
{
  switch (fam) {
  case FAM_TANH:
    return KNTanh(u);
  case FAM_RELU:
    return KNAct(u, 0.0);
  case FAM_LEAKY:
    return KNAct(u, KN_LEAKY_SLOPE);
  default:
    return u;
  }
}

KN_BENCH_INLINE PetscReal NLD(Family fam, PetscReal u, PetscReal g)
{
  switch (fam) {
  case FAM_TANH:
    return fma(-g, g, 1.0);
  case FAM_RELU:
    return KNDAct(u, 0.0);
  case FAM_LEAKY:
    return KNDAct(u, KN_LEAKY_SLOPE);
  default:
    return 1.0;
  }
}

/* The argument: 3-row form a x + b z + c (x, z the endpoint voltages), 2-row form a (x - z) + c. */
KN_BENCH_INLINE PetscReal Arg(PetscInt rows, PetscReal a, PetscReal b, PetscReal c, PetscReal x, PetscReal z)
{
  return rows == 3 ? fma(a, x, fma(b, z, c)) : fma(a, x - z, c);
}

/* The arithmetic bound: the nonlinearity of an fma argument, one input and one output stream. */
KN_BENCH_INLINE void MinNL_Core(Family fam, PetscInt n, PetscReal a, PetscReal c, const PetscReal *restrict x, PetscReal *restrict y)
{
  for (PetscInt i = 0; i < n; i++) y[i] = fam == FAM_CONST ? c : NLG(fam, fma(a, x[i], c));
}

/* The minimal loops: what each kernel kind must do per sample for a law of that family and row count, with fma
   wherever it saves an operation, over contiguous arrays: the inputs it must read, the outputs it must update, one
   lane sum per used parameter (flowvjp: one more, for the trace term's dc/dtheta). A constant current has no
   argument, no trace term and one parameter sum. */
KN_BENCH_INLINE void MinApply_Core(Family fam, PetscInt rows, PetscBool trace, PetscInt n, PetscReal a, PetscReal b, PetscReal c, PetscReal cc, const PetscReal *restrict x, const PetscReal *restrict z, PetscReal *restrict fs, PetscReal *restrict fd, PetscReal *restrict tr)
{
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal u = Arg(rows, a, b, c, x[i], z[i]), g = fam == FAM_CONST ? c : NLG(fam, u);

    fs[i] -= g;
    fd[i] += g;
    if (trace && fam != FAM_CONST) tr[i] = fma(cc, NLD(fam, u, g), tr[i]);
  }
}

KN_BENCH_INLINE void MinVJP_Core(Family fam, PetscInt rows, PetscBool flow, PetscInt n, PetscReal a, PetscReal b, PetscReal c, PetscReal cc, const PetscReal *restrict x, const PetscReal *restrict z, const PetscReal *restrict ws, const PetscReal *restrict wd, const PetscReal *restrict wl, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth)
{
  PetscReal a0[KN_LANES] = {0}, a1[KN_LANES] = {0}, a2[KN_LANES] = {0}, a3[KN_LANES] = {0};

  KN_LANE_LOOP(n, i, l, {
    const PetscReal t = wd[i] - ws[i];
    if (fam == FAM_CONST) a0[l] += t;
    else {
      const PetscReal u = Arg(rows, a, b, c, x[i], z[i]), g = NLG(fam, u), d = NLD(fam, u, g);
      const PetscReal q = flow && fam == FAM_TANH ? d * fma(cc * wl[i], g, t) : t * d; /* tanh: the trace term's d2g/du2 */

      ys[i] = fma(a, q, ys[i]);
      yd[i] = fma(rows == 3 ? b : -a, q, yd[i]);
      if (rows == 3) a0[l] = fma(q, x[i], a0[l]), a1[l] = fma(q, z[i], a1[l]), a2[l] += q;
      else if (rows == 2) a0[l] += q, a1[l] = fma(q, x[i] - z[i], a1[l]);
      else a0[l] = fma(q, x[i] - z[i], a0[l]);
      if (flow) a3[l] = fma(wl[i], d, a3[l]);
    }
  });
  yth[0] += KNLaneSum(a0) + KNLaneSum(a3), yth[1] += KNLaneSum(a1), yth[2] += KNLaneSum(a2);
}

#define KN_MIN_LOOPS(NAME, FAM, ROWS) \
  static void NAME##NL(PetscInt n, PetscReal a, PetscReal c, const PetscReal *restrict x, PetscReal *restrict y) { MinNL_Core(FAM, n, a, c, x, y); } \
  static void NAME##Apply(PetscInt n, PetscReal a, PetscReal b, PetscReal c, PetscReal cc, const PetscReal *restrict x, const PetscReal *restrict z, const PetscReal *restrict ws, const PetscReal *restrict wd, const PetscReal *restrict wl, PetscReal *restrict o1, PetscReal *restrict o2, PetscReal *restrict o3) \
  { \
    MinApply_Core(FAM, ROWS, PETSC_FALSE, n, a, b, c, cc, x, z, o1, o2, NULL); \
  } \
  static void NAME##Trace(PetscInt n, PetscReal a, PetscReal b, PetscReal c, PetscReal cc, const PetscReal *restrict x, const PetscReal *restrict z, const PetscReal *restrict ws, const PetscReal *restrict wd, const PetscReal *restrict wl, PetscReal *restrict o1, PetscReal *restrict o2, PetscReal *restrict o3) \
  { \
    MinApply_Core(FAM, ROWS, PETSC_TRUE, n, a, b, c, cc, x, z, o1, o2, o3); \
  } \
  static void NAME##VJP(PetscInt n, PetscReal a, PetscReal b, PetscReal c, PetscReal cc, const PetscReal *restrict x, const PetscReal *restrict z, const PetscReal *restrict ws, const PetscReal *restrict wd, const PetscReal *restrict wl, PetscReal *restrict o1, PetscReal *restrict o2, PetscReal *restrict o3) \
  { \
    MinVJP_Core(FAM, ROWS, PETSC_FALSE, n, a, b, c, cc, x, z, ws, wd, wl, o1, o2, o3); \
  } \
  static void NAME##FlowVJP(PetscInt n, PetscReal a, PetscReal b, PetscReal c, PetscReal cc, const PetscReal *restrict x, const PetscReal *restrict z, const PetscReal *restrict ws, const PetscReal *restrict wd, const PetscReal *restrict wl, PetscReal *restrict o1, PetscReal *restrict o2, PetscReal *restrict o3) \
  { \
    MinVJP_Core(FAM, ROWS, PETSC_TRUE, n, a, b, c, cc, x, z, ws, wd, wl, o1, o2, o3); \
  }

KN_MIN_LOOPS(Tanh2, FAM_TANH, 2)
KN_MIN_LOOPS(Tanh3, FAM_TANH, 3)
KN_MIN_LOOPS(Relu2, FAM_RELU, 2)
KN_MIN_LOOPS(Relu3, FAM_RELU, 3)
KN_MIN_LOOPS(Leaky2, FAM_LEAKY, 2)
KN_MIN_LOOPS(Leaky3, FAM_LEAKY, 3)
KN_MIN_LOOPS(Linear1, FAM_LINEAR, 1)
KN_MIN_LOOPS(Const1, FAM_CONST, 1)

typedef void (*MinPassFn)(PetscInt, PetscReal, PetscReal, PetscReal, PetscReal, const PetscReal *restrict, const PetscReal *restrict, const PetscReal *restrict, const PetscReal *restrict, const PetscReal *restrict, PetscReal *restrict, PetscReal *restrict, PetscReal *restrict);
typedef struct {
  void (*nl)(PetscInt, PetscReal, PetscReal, const PetscReal *restrict, PetscReal *restrict);
  MinPassFn pass[4]; /* apply, trace, vjp, flowvjp */
} MinLoops;

/* Indexed by MinLoopsIndex(): family x form */
static const MinLoops AllMinLoops[] = {
  {Tanh2NL,   {Tanh2Apply, Tanh2Trace, Tanh2VJP, Tanh2FlowVJP}        },
  {Tanh3NL,   {Tanh3Apply, Tanh3Trace, Tanh3VJP, Tanh3FlowVJP}        },
  {Relu2NL,   {Relu2Apply, Relu2Trace, Relu2VJP, Relu2FlowVJP}        },
  {Relu3NL,   {Relu3Apply, Relu3Trace, Relu3VJP, Relu3FlowVJP}        },
  {Leaky2NL,  {Leaky2Apply, Leaky2Trace, Leaky2VJP, Leaky2FlowVJP}    },
  {Leaky3NL,  {Leaky3Apply, Leaky3Trace, Leaky3VJP, Leaky3FlowVJP}    },
  {Linear1NL, {Linear1Apply, Linear1Trace, Linear1VJP, Linear1FlowVJP}},
  {Const1NL,  {Const1Apply, Const1Trace, Const1VJP, Const1FlowVJP}    },
};

static PetscInt MinLoopsIndex(Family fam, PetscInt used)
{
  switch (fam) {
  case FAM_TANH:
    return used == 3 ? 1 : 0;
  case FAM_RELU:
    return used == 3 ? 3 : 2;
  case FAM_LEAKY:
    return used == 3 ? 5 : 4;
  case FAM_LINEAR:
    return 6;
  default:
    return 7;
  }
}

static Family LawFamily(const char *type)
{
  if (strstr(type, "tanh")) return FAM_TANH;
  if (strstr(type, "leaky")) return FAM_LEAKY;
  if (strstr(type, "relu")) return FAM_RELU;
  if (!strcmp(type, KNDEVICECONDUCTANCE)) return FAM_LINEAR;
  return FAM_CONST;
}

/* ---- the edge problem and the timed passes ---- */

typedef struct {
  PetscInt   N, E, B, rows;
  PetscInt  *s, *d;                              /* endpoints of edge e, 0..N-1, s != d */
  PetscReal *th, *rs, *rd;                       /* theta [rows e + r], 1/C factors per edge */
  PetscReal *v, *w, *f, *y, *tr, *wl, *yth;      /* node-major N x B: voltages, weights, RHS, J^T w; B: trace, wl */
  PetscReal *cur, *gs, *gd, *gth, *g2, *g2th, *t; /* composed-path scratch, as the circuit's ebuf */
  PetscReal *g;                                  /* E x B law values kept by the keep passes for the kept ones */
  const KNDeviceKernels *k;
} Edges;

typedef enum {
  PASS_APPLY,
  PASS_TRACE,
  PASS_VJP,
  PASS_FLOWVJP,
  PASS_APPLY_COMPOSED,
  PASS_TRACE_COMPOSED,
  PASS_VJP_COMPOSED,
  PASS_FLOWVJP_COMPOSED,
  PASS_APPLY_KEEP,
  PASS_TRACE_KEEP,
  PASS_VJP_KEPT,
  PASS_FLOWVJP_KEPT,
  NPASS
} Pass;
static const char *PassName[] = {"apply", "trace", "vjp", "flowvjp", "apply composed", "trace composed", "vjp composed", "flowvjp composed", "apply keep", "trace keep", "vjp kept", "flowvjp kept"};
static const PetscInt PassKind[] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}; /* the bound each pass is compared with */

/* The circuit's edge loops without the fused kernels: rhs.c (current, or partials for the flow) and jacobian.c
   (partials, then lane sums), as they run for edges with gains, and ran for every law before the fused kernels. */
static void RHSComposed(Edges *p)
{
  const PetscInt B = p->B;

  for (PetscInt e = 0; e < p->E; e++) {
    PetscReal *fs = p->f + p->s[e] * B, *fd = p->f + p->d[e] * B;

    p->k->current(p->th + e * p->rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->cur);
    for (PetscInt b = 0; b < B; b++) {
      fs[b] -= p->cur[b];
      fd[b] += p->cur[b];
    }
  }
}

static void VJPComposedEdge(Edges *p, PetscInt e)
{
  const PetscInt   B = p->B, rows = p->rows;
  const PetscReal *vs = p->v + p->s[e] * B, *vd = p->v + p->d[e] * B, *ws = p->w + p->s[e] * B, *wd = p->w + p->d[e] * B;
  PetscReal       *ys = p->y + p->s[e] * B, *yd = p->y + p->d[e] * B, *yt = p->yth + e * rows;

  p->k->partials(p->th + e * rows, B, vs, vd, p->cur, p->gs, p->gd, p->gth);
  for (PetscInt b = 0; b < B; b++) {
    p->t[b] = wd[b] - ws[b];
    ys[b] += p->t[b] * p->gs[b];
    yd[b] += p->t[b] * p->gd[b];
  }
  for (PetscInt r = 0; r < rows; r++) {
    PetscReal acc[KN_LANES] = {0};
    KN_LANE_LOOP(B, b, l, acc[l] += p->t[b] * p->gth[r * B + b];);
    yt[r] += KNLaneSum(acc);
  }
}

/* The composed flow RHS edge loop of rhs.c (partials, then accumulate). */
static void FlowRHSComposed(Edges *p)
{
  const PetscInt B = p->B;

  for (PetscInt e = 0; e < p->E; e++) {
    PetscReal *fs = p->f + p->s[e] * B, *fd = p->f + p->d[e] * B;

    p->k->partials(p->th + e * p->rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->cur, p->gs, p->gd, p->gth);
    for (PetscInt b = 0; b < B; b++) {
      fs[b] -= p->cur[b];
      fd[b] += p->cur[b];
      p->tr[b] += p->rd[e] * p->gd[b] - p->rs[e] * p->gs[b];
    }
  }
}

/* The two composed flow adjoint passes of jacobian.c: FusedTranspose (vjp, or partials where a law has none) and TraceTranspose. */
static void FlowAdjointComposed(Edges *p)
{
  const PetscInt B = p->B, rows = p->rows;

  for (PetscInt e = 0; e < p->E; e++) {
    if (p->k->vjp) p->k->vjp(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->w + p->s[e] * B, p->w + p->d[e] * B, p->y + p->s[e] * B, p->y + p->d[e] * B, p->yth + e * rows);
    else VJPComposedEdge(p, e);
  }
  for (PetscInt e = 0; e < p->E; e++) {
    PetscReal *gss = p->g2, *gsd = gss + B, *gdd = gsd + B, *gsth = p->g2th, *gdth = gsth + rows * B;
    PetscReal *ys = p->y + p->s[e] * B, *yd = p->y + p->d[e] * B, *yt = p->yth + e * rows;
    const PetscReal rs = p->rs[e], rd = p->rd[e], *wl = p->wl;

    p->k->second(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, gss, gsd, gdd, gsth, gdth);
    for (PetscInt b = 0; b < B; b++) {
      ys[b] -= wl[b] * (rd * gsd[b] - rs * gss[b]);
      yd[b] -= wl[b] * (rd * gdd[b] - rs * gsd[b]);
    }
    for (PetscInt r = 0; r < rows; r++) {
      PetscReal acc[KN_LANES] = {0};
      KN_LANE_LOOP(B, b, l, acc[l] += wl[b] * (rd * gdth[r * B + b] - rs * gsth[r * B + b]););
      yt[r] -= KNLaneSum(acc);
    }
  }
}

/* One pass over the edges, as the circuit's loops call the kernels (no prefetch: everything is in cache). */
static void RunPass(Edges *p, Pass pass)
{
  const PetscInt B = p->B, rows = p->rows;

  switch (pass) {
  case PASS_APPLY:
    for (PetscInt e = 0; e < p->E; e++) p->k->apply(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->f + p->s[e] * B, p->f + p->d[e] * B);
    break;
  case PASS_TRACE:
    for (PetscInt e = 0; e < p->E; e++) p->k->trace(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->rs[e], p->rd[e], p->f + p->s[e] * B, p->f + p->d[e] * B, p->tr);
    break;
  case PASS_VJP:
    for (PetscInt e = 0; e < p->E; e++) p->k->vjp(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->w + p->s[e] * B, p->w + p->d[e] * B, p->y + p->s[e] * B, p->y + p->d[e] * B, p->yth + e * rows);
    break;
  case PASS_FLOWVJP:
    for (PetscInt e = 0; e < p->E; e++)
      p->k->flowvjp(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->w + p->s[e] * B, p->w + p->d[e] * B, p->wl, p->rs[e], p->rd[e], p->y + p->s[e] * B, p->y + p->d[e] * B, p->yth + e * rows);
    break;
  case PASS_APPLY_KEEP:
    for (PetscInt e = 0; e < p->E; e++) p->k->apply_keep(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->f + p->s[e] * B, p->f + p->d[e] * B, p->g + e * B);
    break;
  case PASS_TRACE_KEEP:
    for (PetscInt e = 0; e < p->E; e++) p->k->trace_keep(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->rs[e], p->rd[e], p->f + p->s[e] * B, p->f + p->d[e] * B, p->tr, p->g + e * B);
    break;
  case PASS_VJP_KEPT:
    for (PetscInt e = 0; e < p->E; e++) p->k->vjp_kept(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->w + p->s[e] * B, p->w + p->d[e] * B, p->y + p->s[e] * B, p->y + p->d[e] * B, p->yth + e * rows, p->g + e * B);
    break;
  case PASS_FLOWVJP_KEPT:
    for (PetscInt e = 0; e < p->E; e++)
      p->k->flowvjp_kept(p->th + e * rows, B, p->v + p->s[e] * B, p->v + p->d[e] * B, p->w + p->s[e] * B, p->w + p->d[e] * B, p->wl, p->rs[e], p->rd[e], p->y + p->s[e] * B, p->y + p->d[e] * B, p->yth + e * rows, p->g + e * B);
    break;
  case PASS_APPLY_COMPOSED:
    RHSComposed(p);
    break;
  case PASS_TRACE_COMPOSED:
    FlowRHSComposed(p);
    break;
  case PASS_VJP_COMPOSED:
    for (PetscInt e = 0; e < p->E; e++) VJPComposedEdge(p, e);
    break;
  case PASS_FLOWVJP_COMPOSED:
    FlowAdjointComposed(p);
    break;
  default:
    break;
  }
}

static PetscBool HasPass(const KNDeviceKernels *k, Pass pass)
{
  switch (pass) {
  case PASS_APPLY:
    return k->apply ? PETSC_TRUE : PETSC_FALSE;
  case PASS_TRACE:
    return k->trace ? PETSC_TRUE : PETSC_FALSE;
  case PASS_VJP:
    return k->vjp ? PETSC_TRUE : PETSC_FALSE;
  case PASS_FLOWVJP:
    return k->flowvjp ? PETSC_TRUE : PETSC_FALSE;
  case PASS_APPLY_KEEP:
  case PASS_TRACE_KEEP:
  case PASS_VJP_KEPT:
  case PASS_FLOWVJP_KEPT:
    return k->apply_keep ? PETSC_TRUE : PETSC_FALSE;
  default:
    return PETSC_TRUE;
  }
}

/* Deterministic values in [-1, 1) (splitmix64). */
static PetscReal Rand(uint64_t *s)
{
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (PetscReal)(z >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

static PetscErrorCode EdgesCreate(const Params *par, PetscInt B, KNDevice dev, Edges *p)
{
  const PetscInt N = par->N, E = par->E;
  uint64_t       seed = 12345;

  PetscFunctionBeginUser;
  p->N = N, p->E = E, p->B = B;
  PetscCall(KNDeviceGetKernels(dev, &p->k));
  PetscCall(KNDeviceGetNumParameters(dev, &p->rows));
  PetscCall(PetscMalloc5(E, &p->s, E, &p->d, 3 * E, &p->th, E, &p->rs, E, &p->rd));
  PetscCall(PetscMalloc7(N * B, &p->v, N * B, &p->w, N * B, &p->f, N * B, &p->y, B, &p->tr, B, &p->wl, 3 * E, &p->yth));
  PetscCall(PetscMalloc7(B, &p->cur, B, &p->gs, B, &p->gd, 3 * B, &p->gth, 3 * B, &p->g2, 6 * B, &p->g2th, B, &p->t));
  PetscCall(PetscCalloc1(E * B, &p->g));
  for (PetscInt e = 0; e < E; e++) {
    p->s[e] = (PetscInt)((Rand(&seed) + 1) * 0.5 * N) % N;
    do p->d[e] = (PetscInt)((Rand(&seed) + 1) * 0.5 * N) % N;
    while (p->d[e] == p->s[e]);
    for (PetscInt r = 0; r < 3; r++) p->th[3 * e + r] = 0.8 * Rand(&seed);
    p->rs[e] = 1 + 0.5 * Rand(&seed), p->rd[e] = 1 + 0.5 * Rand(&seed);
  }
  for (PetscInt i = 0; i < N * B; i++) p->v[i] = Rand(&seed), p->w[i] = Rand(&seed), p->f[i] = p->y[i] = 0;
  for (PetscInt b = 0; b < B; b++) p->wl[b] = Rand(&seed), p->tr[b] = 0;
  PetscCall(PetscArrayzero(p->yth, 3 * E));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode EdgesDestroy(Edges *p)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree5(p->s, p->d, p->th, p->rs, p->rd));
  PetscCall(PetscFree7(p->v, p->w, p->f, p->y, p->tr, p->wl, p->yth));
  PetscCall(PetscFree7(p->cur, p->gs, p->gd, p->gth, p->g2, p->g2th, p->t));
  PetscCall(PetscFree(p->g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* ---- timing: every figure of a law is taken in the same rounds, interleaved, and the best round is kept, so that
   the bounds and the kernels see the same machine state (other jobs on the machine slow some rounds down) ---- */

typedef struct {
  Edges          *p; /* an edge pass (pass), or NULL: a bound's loop (m, kind) */
  Pass            pass;
  const MinLoops *m;
  PetscInt        kind; /* -1: the nonlinearity alone; 0..3: the minimal loop of apply, trace, vjp, flowvjp; 4..7: the
                           law's kernel of that kind called once on the same contiguous arrays */
  const KNDeviceKernels *k;
  PetscInt               n, reps;
  PetscReal             *a[8], th[3], yth[3]; /* the loop's arrays */
  double          best; /* s per sample */
} Item;

static void RunItem(Item *it)
{
  const PetscReal a = 0.7, b = -0.4, c = 0.1, cc = 0.3;

  for (PetscInt r = 0; r < it->reps; r++) {
    if (it->p) RunPass(it->p, it->pass);
    else if (it->kind < 0) it->m->nl(it->n, a, c, it->a[0], it->a[5]);
    else if (it->kind < 4) it->m->pass[it->kind](it->n, a, b, c, cc, it->a[0], it->a[1], it->a[2], it->a[3], it->a[4], it->a[5], it->a[6], it->a[7]);
    else if (it->kind == 4) it->k->apply(it->th, it->n, it->a[0], it->a[1], it->a[5], it->a[6]);
    else if (it->kind == 5) it->k->trace(it->th, it->n, it->a[0], it->a[1], cc, 2 * cc, it->a[5], it->a[6], it->a[7]);
    else if (it->kind == 6) it->k->vjp(it->th, it->n, it->a[0], it->a[1], it->a[2], it->a[3], it->a[5], it->a[6], it->yth);
    else it->k->flowvjp(it->th, it->n, it->a[0], it->a[1], it->a[2], it->a[3], it->a[4], cc, 2 * cc, it->a[5], it->a[6], it->yth);
  }
}
static void (*volatile RunItemFn)(Item *) = RunItem;

static void ItemEdges(const Params *par, Edges *p, Pass pass, Item *it)
{
  *it      = (Item){.p = p, .pass = pass, .n = p->E * p->B, .best = PETSC_MAX_REAL};
  it->reps = PetscMax(1, (PetscInt)(par->samples / it->n));
}

/* n = 512-sample arrays (4 KB each), 64 bytes apart so that no two are 4 KB-aliased: everything stays in L1. */
static void ItemLoop(const Params *par, const MinLoops *m, const KNDeviceKernels *k, PetscInt kind, PetscReal *buf, Item *it)
{
  *it      = (Item){.m = m, .k = k, .kind = kind, .n = 512, .th = {0.7, -0.4, 0.1}, .best = PETSC_MAX_REAL};
  it->reps = PetscMax(1, (PetscInt)(par->samples / it->n));
  for (PetscInt k = 0; k < 8; k++) it->a[k] = buf + k * (it->n + 8);
}

static void TimeItems(const Params *par, PetscInt n, Item *items)
{
  for (PetscInt round = 0; round <= par->trials; round++) /* round 0 warms up */
    for (PetscInt i = 0; i < n; i++) {
      const double t0 = MPI_Wtime();

      if (!items[i].reps) continue; /* a placeholder */
      RunItemFn(&items[i]);
      if (round) items[i].best = PetscMin(items[i].best, (MPI_Wtime() - t0) / ((double)items[i].reps * items[i].n));
    }
}

/* One law: its bounds and its kernels at every B, timed in the same rounds. */
static PetscErrorCode BenchLaw(const Params *par, const char *type, const double mem[4])
{
  enum {
    NI = 9 + NB_MAX * NPASS
  };
  const Family    fam = LawFamily(type);
  const PetscInt  nbuf = 8 * (512 + 8);
  KNDevice        dev;
  PetscInt        used, ni = 0, it = 9;
  const KNDeviceKernels *k;
  const MinLoops *m;
  Edges           p[NB_MAX];
  Item            items[NI];
  PetscReal      *buf;
  uint64_t        seed = 99;
  double          nl;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_SELF, &dev));
  PetscCall(KNDeviceSetType(dev, type));
  PetscCall(KNDeviceGetNumUsedParameters(dev, &used));
  PetscCall(KNDeviceGetKernels(dev, &k));
  m = &AllMinLoops[MinLoopsIndex(fam, used)];
  PetscCall(PetscMalloc1(nbuf, &buf));
  for (PetscInt i = 0; i < nbuf; i++) buf[i] = i < 5 * (512 + 8) ? Rand(&seed) : 0;
  for (PetscInt kind = -1; kind < 8; kind++)
    if (kind < 4 || HasPass(k, (Pass)(kind - 4))) ItemLoop(par, m, k, kind, buf, &items[ni++]);
    else ni++, items[ni - 1] = (Item){.best = 0}; /* not timed (no such kernel) */
  for (PetscInt ib = 0; ib < par->nB; ib++) {
    PetscCall(EdgesCreate(par, par->B[ib], dev, &p[ib]));
    for (PetscInt pass = 0; pass < NPASS; pass++)
      if (HasPass(p[ib].k, (Pass)pass)) ItemEdges(par, &p[ib], (Pass)pass, &items[ni++]);
  }
  TimeItems(par, ni, items);

  nl = 1e9 * items[0].best;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "\n%s (%s, %" PetscInt_FMT " used rows): arith %.3f ns; minflop apply %.3f trace %.3f vjp %.3f flowvjp %.3f ns\n", type, FamilyName[fam], used, nl, 1e9 * items[1].best, 1e9 * items[2].best, 1e9 * items[3].best, 1e9 * items[4].best));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  the kernels on the minimal loops' contiguous arrays, x minflop: apply %.2f trace %.2f vjp %.2f flowvjp %.2f\n", items[5].best / items[1].best, items[6].best / items[2].best, items[7].best / items[3].best, items[8].best / items[4].best));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s %5s %8s %8s %9s %8s\n", "kernel", "B", "ns/es", "x arith", "x minflop", "x mem"));
  for (PetscInt ib = 0; ib < par->nB; ib++) {
    double ns[NPASS];

    for (PetscInt pass = 0; pass < NPASS; pass++) {
      const PetscInt kind = PassKind[pass];

      if (!HasPass(p[ib].k, (Pass)pass)) {
        PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s %5" PetscInt_FMT " %8s\n", PassName[pass], p[ib].B, "-"));
        continue;
      }
      ns[pass] = 1e9 * items[it++].best;
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s %5" PetscInt_FMT " %8.3f %8.2f %9.2f %8.2f\n", PassName[pass], p[ib].B, ns[pass], ns[pass] / nl, ns[pass] / (1e9 * items[1 + kind].best), ns[pass] / mem[kind]));
    }
    if (HasPass(p[ib].k, PASS_APPLY) && HasPass(p[ib].k, PASS_TRACE) && HasPass(p[ib].k, PASS_VJP) && HasPass(p[ib].k, PASS_FLOWVJP))
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "  fused vs composed at B = %" PetscInt_FMT ": RHS %.2fx, flow RHS %.2fx, adjoint %.2fx, flow adjoint %.2fx faster\n", p[ib].B, ns[PASS_APPLY_COMPOSED] / ns[PASS_APPLY], ns[PASS_TRACE_COMPOSED] / ns[PASS_TRACE], ns[PASS_VJP_COMPOSED] / ns[PASS_VJP], ns[PASS_FLOWVJP_COMPOSED] / ns[PASS_FLOWVJP]));
    Sink += p[ib].f[0] + p[ib].y[0] + p[ib].tr[0] + p[ib].yth[0];
    PetscCall(EdgesDestroy(&p[ib]));
  }
  Sink += buf[5 * (512 + 8)] + buf[7 * (512 + 8)];
  PetscCall(PetscFree(buf));
  PetscCall(KNDeviceDestroy(&dev));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode GetParams(Params *p)
{
  PetscBool set;

  PetscFunctionBeginUser;
  *p = (Params){.N = 16, .E = 256, .nB = 2, .B = {512, 64}, .trials = 15, .bw_mb = 256, .samples = 1e6};
  PetscOptionsBegin(PETSC_COMM_SELF, NULL, "bench_kernels: per-edge device kernels against the machine's bounds", NULL);
  PetscCall(PetscOptionsBoundedInt("-N", "Nodes of the cache-resident batch (N x B x 8 bytes per array)", NULL, p->N, &p->N, NULL, 2));
  PetscCall(PetscOptionsBoundedInt("-E", "Random edges", NULL, p->E, &p->E, NULL, 1));
  p->nB = NB_MAX;
  PetscCall(PetscOptionsIntArray("-B", "Batch sizes", NULL, p->B, &p->nB, &set));
  if (!set) p->nB = 2;
  PetscCall(PetscOptionsBoundedInt("-trials", "Timed rounds (the best is reported)", NULL, p->trials, &p->trials, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-bw_mb", "MB per array of the DRAM bandwidth probe", NULL, p->bw_mb, &p->bw_mb, NULL, 1));
  p->ntypes = NLAW_MAX;
  PetscCall(PetscOptionsStringArray("-types", "Laws to time (default: all)", NULL, p->types, &p->ntypes, &set));
  if (!set) p->ntypes = 0;
  PetscCall(PetscOptionsReal("-samples", "Samples per timing of one item", NULL, p->samples, &p->samples, NULL));
  PetscOptionsEnd();
  for (PetscInt i = 0; i < p->nB; i++) PetscCheck(p->B[i] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "-B values must be positive");
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  Params       par;
  PetscInt     nlaw;
  const char **types;
  double       triad, read, mem[4];

  PetscCall(PetscInitialize(&argc, &argv, NULL, "bench_kernels: per-edge device kernels against the machine's bounds, single core\n"));
  PetscCall(GetParams(&par));
  PetscCall(KNMeasureBandwidth((size_t)par.bw_mb << 20, &triad, &read));
  mem[0] = mem[1] = 48 / triad, mem[2] = mem[3] = 64 / triad;
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "bench_kernels: single core; edge loops over N = %" PetscInt_FMT " nodes x B samples, E = %" PetscInt_FMT " random edges; best of %" PetscInt_FMT " interleaved rounds\n", par.N, par.E, par.trials));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "memory bound, cache-missing graph: DRAM triad %.1f GB/s (read %.1f GB/s, %" PetscInt_FMT " MB arrays): apply/trace 48 B -> %.3f ns, vjp/flowvjp 64 B -> %.3f ns per edge-sample\n", triad, read, par.bw_mb, mem[0], mem[2]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "ns/es: ns per edge-sample; x arith: / the nonlinearity alone; x minflop: / the minimal loop of that kernel kind; x mem: / the memory bound\n"));
  PetscCall(KNDeviceGetTypes(&nlaw, &types));
  for (PetscInt il = 0; il < nlaw; il++) {
    PetscBool wanted = par.ntypes ? PETSC_FALSE : PETSC_TRUE;

    for (PetscInt i = 0; i < par.ntypes; i++) wanted = wanted || !strcmp(par.types[i], types[il]) ? PETSC_TRUE : PETSC_FALSE;
    if (wanted) PetscCall(BenchLaw(&par, types[il], mem));
  }
  PetscCall(PetscFree(types));
  for (PetscInt i = 0; i < par.ntypes; i++) PetscCall(PetscFree(par.types[i]));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "(sink %g)\n", (double)(Sink != 0)));
  PetscCall(PetscFinalize());
  return 0;
}
