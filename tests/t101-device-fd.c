/* t101: every registered device law against central finite differences (first and second derivatives),
   at random well-conditioned points, with and without a grounded source, plus one hand-computed value per law. */
#include <math.h>
#include "kntest.h"

#define NB    7    /* samples per kernel call */
#define MAXR  8    /* largest number of parameter rows this test handles */
#define FD_H  1e-6 /* central difference step */
#define TOL1  1e-6 /* first derivatives: relative error, floor 1e-8 */
#define TOL2  1e-5 /* second derivatives: relative error, floor 1e-3 (FD round-off is ~1e-10 absolute) */
#define FLOOR1 1e-8
#define FLOOR2 1e-3

typedef struct {
  const KNDeviceKernels *k;
  PetscInt               rows, used;
} Law;

/* Outputs of partials and second at one point; NaN-filled first so unwritten entries fail every check. */
typedef struct {
  PetscReal i[NB], gs[NB], gd[NB], gth[MAXR * NB];
  PetscReal gss[NB], gsd[NB], gdd[NB], gsth[MAXR * NB], gdth[MAXR * NB];
} Eval;

static void Fill(PetscInt n, PetscReal a[], PetscReal v)
{
  for (PetscInt k = 0; k < n; k++) a[k] = v;
}

static void Evaluate(const Law *law, const PetscReal th[], const PetscReal vs[], const PetscReal vd[], Eval *e)
{
  Fill(NB, e->i, NAN), Fill(NB, e->gs, NAN), Fill(NB, e->gd, NAN), Fill(MAXR * NB, e->gth, NAN);
  Fill(NB, e->gss, NAN), Fill(NB, e->gsd, NAN), Fill(NB, e->gdd, NAN), Fill(MAXR * NB, e->gsth, NAN), Fill(MAXR * NB, e->gdth, NAN);
  law->k->partials(th, NB, vs, vd, e->i, e->gs, e->gd, e->gth);
  law->k->second(th, NB, vs, vd, e->gss, e->gsd, e->gdd, e->gsth, e->gdth);
}

/* Largest relative error between n analytic values a and n finite differences (fp - fm) / 2h. */
static PetscReal MaxErr(PetscInt n, const PetscReal a[], const PetscReal fp[], const PetscReal fm[], PetscReal floor_)
{
  PetscReal err = 0;

  for (PetscInt k = 0; k < n; k++) {
    PetscReal e = KNRelDiff(a[k], (fp[k] - fm[k]) / (2 * FD_H), floor_);
    err         = (e != e) ? PETSC_MAX_REAL : PetscMax(err, e);
  }
  return err;
}

static PetscReal Sign(PetscReal x)
{
  return x >= 0 ? 1.0 : -1.0;
}

/* A point is well conditioned if every linear form a law with `rows` rows may use (t1 (vs-vd) + t0, vs-vd-t0, t0 vs + t1 vd + t2)
   is away from the ReLU kink and from tanh saturation, and the voltages are away from zero (no tiny derivatives). */
static PetscBool WellConditioned(PetscInt rows, const PetscReal t[3], PetscReal vs, PetscReal vd, PetscBool ground)
{
  const PetscReal dv = vs - vd, u[3] = {t[1] * dv + t[0], dv - t[0], t[0] * vs + t[1] * vd + t[2]};
  const PetscInt  nu = rows >= 3 ? 3 : (rows == 2 ? 2 : 0); /* forms that exist with this many rows */

  if (!ground && PetscAbsReal(vs) < 0.1) return PETSC_FALSE;
  if (PetscAbsReal(vd) < 0.1 || PetscAbsReal(dv) < 0.1) return PETSC_FALSE;
  for (PetscInt k = 0; k < nu; k++)
    if (PetscAbsReal(u[k]) < 0.05 || PetscAbsReal(u[k]) > 2.5) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* Draws theta (|theta| in [0.3, 1.2]) and NB well-conditioned samples; redraws theta if the samples are hard to find. */
static PetscErrorCode DrawPoint(PetscRandom rnd, PetscInt rows, PetscBool ground, PetscReal th[], PetscReal vs[], PetscReal vd[])
{
  PetscFunctionBeginUser;
  for (PetscInt attempt = 0; attempt < 100; attempt++) {
    PetscReal t[3] = {0, 0, 0}, x;
    PetscInt  b    = 0;

    for (PetscInt r = 0; r < rows; r++) {
      PetscCall(PetscRandomGetValueReal(rnd, &x));
      th[r] = Sign(x) * (0.3 + 0.9 * PetscAbsReal(x));
      if (r < 3) t[r] = th[r];
    }
    for (PetscInt tries = 0; tries < 10000 && b < NB; tries++) {
      PetscCall(PetscRandomGetValueReal(rnd, &vs[b]));
      PetscCall(PetscRandomGetValueReal(rnd, &vd[b]));
      if (ground) vs[b] = 0;
      if (WellConditioned(rows, t, vs[b], vd[b], ground)) b++;
    }
    if (b == NB) PetscFunctionReturn(KN_SUCCESS);
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_PLIB, "Could not draw a well-conditioned test point");
}

/* The FD checks of one law at one random point. */
static PetscErrorCode CheckLaw(KNTest *t, const char name[], const Law *law, PetscRandom rnd, PetscBool ground)
{
  const char *where = ground ? " (vs = ground)" : "";
  PetscReal   th[MAXR], thp[MAXR], vs[NB], vd[NB], vp[NB], vm[NB], cur[NB], ip[NB], im[NB], errc = 0;
  PetscReal   e1[3] = {0, 0, 0}, e2[6] = {0, 0, 0, 0, 0, 0}; /* e2: gss, gsd (from gd), gsd (from gs), gdd, gsth, gdth */
  PetscBool   unused = PETSC_TRUE, written = PETSC_TRUE;
  Eval        e, ep, em;

  PetscFunctionBeginUser;
  PetscCall(DrawPoint(rnd, law->rows, ground, th, vs, vd));
  Evaluate(law, th, vs, vd, &e);
  Fill(NB, cur, NAN);
  law->k->current(th, NB, vs, vd, cur);
  for (PetscInt b = 0; b < NB; b++) errc = PetscMax(errc, KNRelDiff(cur[b], e.i[b], 1e-300));
  PetscCall(KNTestOk(t, errc <= 1e-14, "%s%s: current == partials' i (rel diff %g)", name, where, (double)errc));
  /* d/dvs (dir 0) and d/dvd (dir 1): first derivatives from the current, second ones from gs and gd */
  for (PetscInt dir = 0; dir < 2; dir++) {
    const PetscReal *v = dir ? vd : vs;

    for (PetscInt b = 0; b < NB; b++) vp[b] = v[b] + FD_H, vm[b] = v[b] - FD_H;
    law->k->current(th, NB, dir ? vs : vp, dir ? vp : vd, ip);
    law->k->current(th, NB, dir ? vs : vm, dir ? vm : vd, im);
    Evaluate(law, th, dir ? vs : vp, dir ? vp : vd, &ep);
    Evaluate(law, th, dir ? vs : vm, dir ? vm : vd, &em);
    e1[dir]         = MaxErr(NB, dir ? e.gd : e.gs, ip, im, FLOOR1);
    e2[2 * dir]     = MaxErr(NB, dir ? e.gsd : e.gss, ep.gs, em.gs, FLOOR2);
    e2[2 * dir + 1] = MaxErr(NB, dir ? e.gdd : e.gsd, ep.gd, em.gd, FLOOR2);
  }
  /* d/dtheta_r: first derivatives from the current, mixed second ones from gs and gd */
  for (PetscInt r = 0; r < law->rows; r++) {
    for (PetscInt q = 0; q < law->rows; q++) thp[q] = th[q];
    thp[r] = th[r] + FD_H;
    law->k->current(thp, NB, vs, vd, ip);
    Evaluate(law, thp, vs, vd, &ep);
    thp[r] = th[r] - FD_H;
    law->k->current(thp, NB, vs, vd, im);
    Evaluate(law, thp, vs, vd, &em);
    e1[2] = PetscMax(e1[2], MaxErr(NB, e.gth + r * NB, ip, im, FLOOR1));
    e2[4] = PetscMax(e2[4], MaxErr(NB, e.gsth + r * NB, ep.gs, em.gs, FLOOR2));
    e2[5] = PetscMax(e2[5], MaxErr(NB, e.gdth + r * NB, ep.gd, em.gd, FLOOR2));
    for (PetscInt b = 0; b < NB; b++) {
      const PetscReal a = e.gth[r * NB + b], c = e.gsth[r * NB + b], d = e.gdth[r * NB + b];

      written = (PetscBool)(written && !PetscIsInfOrNanReal(a) && !PetscIsInfOrNanReal(c) && !PetscIsInfOrNanReal(d));
      if (r >= law->used) unused = (PetscBool)(unused && a == 0 && c == 0 && d == 0);
    }
  }
  PetscCall(KNTestOk(t, written, "%s%s: every parameter row of gth, gsth, gdth written", name, where));
  PetscCall(KNTestOk(t, e1[0] <= TOL1, "%s%s: dg/dvs vs FD (max rel err %g)", name, where, (double)e1[0]));
  PetscCall(KNTestOk(t, e1[1] <= TOL1, "%s%s: dg/dvd vs FD (max rel err %g)", name, where, (double)e1[1]));
  PetscCall(KNTestOk(t, e1[2] <= TOL1, "%s%s: dg/dtheta (%" PetscInt_FMT " rows) vs FD (max rel err %g)", name, where, law->rows, (double)e1[2]));
  PetscCall(KNTestOk(t, e2[0] <= TOL2, "%s%s: d2g/dvs2 vs FD (max rel err %g)", name, where, (double)e2[0]));
  PetscCall(KNTestOk(t, e2[1] <= TOL2 && e2[2] <= TOL2, "%s%s: d2g/dvs dvd vs FD of gd and of gs (max rel err %g, %g)", name, where, (double)e2[1], (double)e2[2]));
  PetscCall(KNTestOk(t, e2[3] <= TOL2, "%s%s: d2g/dvd2 vs FD (max rel err %g)", name, where, (double)e2[3]));
  PetscCall(KNTestOk(t, e2[4] <= TOL2, "%s%s: d2g/dvs dtheta vs FD (max rel err %g)", name, where, (double)e2[4]));
  PetscCall(KNTestOk(t, e2[5] <= TOL2, "%s%s: d2g/dvd dtheta vs FD (max rel err %g)", name, where, (double)e2[5]));
  if (law->used < law->rows) PetscCall(KNTestOk(t, unused, "%s%s: rows %" PetscInt_FMT "..%" PetscInt_FMT " (unused) have zero derivatives", name, where, law->used, law->rows - 1));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One value per law, computed by hand from the reference formulas (row order included). */
static PetscErrorCode CheckHandValues(KNTest *t)
{
  static const struct {
    const char *type;
    PetscReal   th[3], vs, vd, i;
  } cases[] = {
    {KNDEVICESHIFTTANH2,      {0.5, -0.25, 0.1}, 0.4,  0.8, 0.099667994624955817}, /* tanh(0.2 - 0.2 + 0.1) */
    {KNDEVICETANH3P,          {0.5, -0.25, 0.1}, 0.4,  0.8, 0.099667994624955817},
    {KNDEVICESHIFTTANH1,      {0.1, 2.0, 7.0},   0.7,  0.2, 0.80049902176062971 }, /* tanh(2*0.5 + 0.1); row 2 ignored */
    {KNDEVICETANHDIFF,        {0.1, 2.0, 0},     0.7,  0.2, 0.80049902176062971 },
    {KNDEVICESHIFTRELU1,      {0.1, 2.0, 0},     0.7,  0.2, 0.8                  }, /* 2*relu(0.5 - 0.1) */
    {KNDEVICESHIFTRELU1,      {0.1, 2.0, 0},     0.2,  0.7, 0.0                  },
    {KNDEVICESHIFTLEAKYRELU1, {0.1, 2.0, 0},     0.2,  0.7, -0.012               }, /* 2*0.01*(-0.5 - 0.1) */
    {KNDEVICESHIFTRELU2,      {1.0, -2.0, 0.5},  0.3,  0.1, 0.6                  }, /* relu(0.3 - 0.2 + 0.5) */
    {KNDEVICESHIFTRELU2,      {1.0, -2.0, 0.5},  -1.0, 0.1, 0.0                  },
    {KNDEVICERELU3P,          {1.0, -2.0, 0.5},  0.3,  0.1, 0.6                  },
    {KNDEVICESHIFTLEAKYRELU2, {1.0, -2.0, 0.5},  -1.0, 0.1, -0.007               }, /* 0.01*(-1 - 0.2 + 0.5) */
    {KNDEVICERELUDIFF,        {0.1, 2.0, 0},     0.7,  0.2, 1.1                  }, /* relu(2*0.5 + 0.1) */
    {KNDEVICERELUDIFF,        {0.1, 2.0, 0},     0.2,  0.7, 0.0                  },
    {KNDEVICECONDUCTANCE,     {3.0, 9.0, 9.0},   0.7,  0.2, 1.5                  }, /* 3*0.5; rows 1-2 ignored */
    {KNDEVICECURRENTSOURCE,   {0.25, 0, 0},      0.7,  0.2, 0.25                 },
  };
  KNDevice               dev;
  const KNDeviceKernels *k;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    PetscReal i = NAN, gs[1], gd[1], gth[3], ip = NAN;

    PetscCall(KNDeviceSetType(dev, cases[c].type));
    PetscCall(KNDeviceGetKernels(dev, &k));
    k->current(cases[c].th, 1, &cases[c].vs, &cases[c].vd, &i);
    k->partials(cases[c].th, 1, &cases[c].vs, &cases[c].vd, &ip, gs, gd, gth);
    PetscCall(KNTestOk(t, KNRelDiff(i, cases[c].i, 1e-12) <= 1e-12 && i == ip, "%s(th = %g, %g, %g; vs = %g, vd = %g) = %.17g, expected %g", cases[c].type, (double)cases[c].th[0], (double)cases[c].th[1], (double)cases[c].th[2], (double)cases[c].vs, (double)cases[c].vd, (double)i, (double)cases[c].i));
  }
  PetscCall(KNDeviceDestroy(&dev));
  PetscFunctionReturn(KN_SUCCESS);
}

/* At a kink the ReLU laws use PyTorch's one-sided derivative: relu'(0) = 0, leaky_relu'(0) = 0.01. */
static PetscErrorCode CheckKinks(KNTest *t)
{
  static const struct {
    const char *type;
    PetscReal   th[3], vs, vd, gs; /* the points make the ReLU argument exactly 0 */
  } cases[] = {
    {KNDEVICESHIFTRELU1,      {0.5, 2.0, 0},  0.5,  0.0,  0.0 },
    {KNDEVICESHIFTLEAKYRELU1, {0.5, 2.0, 0},  0.5,  0.0,  0.02},
    {KNDEVICESHIFTRELU2,      {1.0, 1.0, 0},  0.25, -0.25, 0.0 },
    {KNDEVICESHIFTLEAKYRELU2, {1.0, 1.0, 0},  0.25, -0.25, 0.01},
    {KNDEVICERELU3P,          {1.0, 1.0, 0},  0.25, -0.25, 0.0 },
    {KNDEVICERELUDIFF,        {-0.5, 2.0, 0}, 0.25, 0.0,  0.0 },
  };
  KNDevice               dev;
  const KNDeviceKernels *k;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    PetscReal i = NAN, gs = NAN, gd, gth[3];

    PetscCall(KNDeviceSetType(dev, cases[c].type));
    PetscCall(KNDeviceGetKernels(dev, &k));
    k->partials(cases[c].th, 1, &cases[c].vs, &cases[c].vd, &i, &gs, &gd, gth);
    PetscCall(KNTestOk(t, i == 0 && KNRelDiff(gs, cases[c].gs, 1e-300) <= 1e-15, "%s at its kink: i = %g, dg/dvs = %g (expected 0, %g)", cases[c].type, (double)i, (double)gs, (double)cases[c].gs));
  }
  PetscCall(KNDeviceDestroy(&dev));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The tanh laws use their own vectorisable tanh: compare it with libm's, through tanh_diff with th = (0, 1), vd = 0. */
static PetscErrorCode CheckTanh(KNTest *t)
{
  enum { N = 4601 };
  PetscReal             *x, *vd, *y, err = 0, one;
  const PetscReal        th[2] = {0.0, 1.0}, special[4] = {INFINITY, -INFINITY, NAN, 0.0};
  PetscReal              ys[4];
  PetscBool              odd = PETSC_TRUE, position = PETSC_TRUE;
  KNDevice               dev;
  const KNDeviceKernels *k;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(N, &x, N, &vd, N, &y));
  for (PetscInt n = 0; n < 4001; n++) x[n] = -25.0 + 50.0 * n / 4000.0 + 1e-3 * PetscSinReal(n); /* spans saturation */
  for (PetscInt n = 4001; n < N; n++) x[n] = ((n % 2) ? -1 : 1) * PetscPowReal(10.0, -(PetscReal)(n - 4001) / 2.0); /* down to 1e-300 */
  for (PetscInt n = 0; n < N; n++) vd[n] = 0;
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  PetscCall(KNDeviceSetType(dev, KNDEVICETANHDIFF));
  PetscCall(KNDeviceGetKernels(dev, &k));
  k->current(th, N, x, vd, y);
  for (PetscInt n = 0; n < N; n++) {
    PetscReal mx = -x[n], my;

    err = PetscMax(err, KNRelDiff(y[n], PetscTanhReal(x[n]), 1e-300));
    k->current(th, 1, &mx, vd, &my);
    odd = (PetscBool)(odd && my == -y[n]);
    k->current(th, 1, &x[n], vd, &one);
    position = (PetscBool)(position && one == y[n]);
  }
  PetscCall(KNTestOk(t, err <= 2e-15, "tanh of the tanh laws vs libm tanh on %d points in [-25, 25] and down to 1e-300 (max rel diff %g)", N, (double)err));
  PetscCall(KNTestOk(t, odd, "tanh of the tanh laws is exactly odd"));
  PetscCall(KNTestOk(t, position, "tanh of the tanh laws gives the same bits with B = 1 and B = %d (independent of batch position)", N));
  k->current(th, 4, special, vd, ys);
  PetscCall(KNTestOk(t, ys[0] == 1 && ys[1] == -1 && PetscIsNanReal(ys[2]) && ys[3] == 0, "tanh(+Inf, -Inf, NaN, 0) = %g, %g, %g, %g", (double)ys[0], (double)ys[1], (double)ys[2], (double)ys[3]));
  PetscCall(KNDeviceDestroy(&dev));
  PetscCall(PetscFree3(x, vd, y));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest                 t;
  KNDevice               dev;
  PetscRandom            rnd;
  const char           **types;
  PetscInt               ntypes;
  const KNDeviceKernels *k;
  Law                    law;

  PetscCall(PetscInitialize(&argc, &argv, NULL, "t101: device laws against finite differences"));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, -1.0, 1.0));
  PetscCall(PetscRandomSetSeed(rnd, 20231015));
  PetscCall(PetscRandomSeed(rnd));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  PetscCall(KNDeviceGetTypes(&ntypes, &types));
  PetscCall(KNTestOk(&t, ntypes >= 12, "%" PetscInt_FMT " device laws registered (12 built in)", ntypes));
  for (PetscInt n = 0; n < ntypes; n++) {
    PetscCall(KNDeviceSetType(dev, types[n]));
    PetscCall(KNDeviceGetKernels(dev, &k));
    PetscCall(KNDeviceGetNumParameters(dev, &law.rows));
    PetscCall(KNDeviceGetNumUsedParameters(dev, &law.used));
    PetscCheck(law.rows <= MAXR, PETSC_COMM_SELF, PETSC_ERR_SUP, "Law %s has %" PetscInt_FMT " rows; raise MAXR", types[n], law.rows);
    law.k = k;
    PetscCall(CheckLaw(&t, types[n], &law, rnd, PETSC_FALSE));
    PetscCall(CheckLaw(&t, types[n], &law, rnd, PETSC_TRUE));
  }
  PetscCall(PetscFree(types));
  PetscCall(CheckHandValues(&t));
  PetscCall(CheckKinks(&t));
  PetscCall(CheckTanh(&t));
  PetscCall(KNDeviceDestroy(&dev));
  PetscCall(PetscRandomDestroy(&rnd));
  {
    int status = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return status;
  }
}
