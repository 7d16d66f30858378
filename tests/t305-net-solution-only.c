static char help[] = "-kn_trajectory_solution_only: the same gradients as the full trajectory (<= 1e-12) for every allowed scheme, "
                     "stages really recomputed, a finite-difference check, and FSAL schemes refused.\n";

#include "kntestfiles.h" /* first: it sets _POSIX_C_SOURCE */
#include "kntestnet.h"

typedef struct {
  const char  *name, *opts;
  KNDeviceType device;
  PetscBool    flow;
} Scheme;

typedef struct {
  PetscInt  ng, rhs;
  PetscReal *g, din[6], L;
} Result;

/* dL/dtheta (graph order), dL/dv(0) and RHS evaluations of one forward + backward with opts [+ solution-only]. */
static PetscErrorCode Gradient(const Scheme *s, PetscBool solonly, Result *r)
{
  KNNet          net;
  Vec            G;
  KNCircuitStats st;
  PetscInt       nin = 3, B = 2;
  PetscReal      in[6], dout[64], dlogp[16];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, s->opts));
  if (solonly) PetscCall(PetscOptionsInsertString(NULL, "-kn_trajectory_solution_only"));
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, s->device, B, s->flow, &net));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNNetCreateParameterVec(net, &G));
  PetscCall(KNTestNetLoss(net, nin, in, s->flow, &r->L, dout, dlogp));
  PetscCall(KNNetBackward(net, dout, s->flow ? dlogp : NULL, G, r->din));
  PetscCall(KNNetGetStats(net, &st));
  r->rhs = st.rhs_evals;
  PetscCall(KNTestNetParametersGraphOrder(net, G, &r->ng, &r->g));
  PetscCall(VecDestroy(&G));
  PetscCall(KNNetDestroy(&net));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckScheme(KNTest *t, const Scheme *s)
{
  Result    full, so;
  PetscReal et, ev;

  PetscFunctionBeginUser;
  PetscCall(Gradient(s, PETSC_FALSE, &full));
  PetscCall(Gradient(s, PETSC_TRUE, &so));
  et = KNTestRelErr(full.ng, so.g, full.g);
  ev = KNTestRelErr(6, so.din, full.din);
  PetscCall(KNTestOk(t, (PetscBool)(so.ng == full.ng && et <= 1e-12 && ev <= 1e-12 && so.L == full.L), "%s%s: solution-only dL/dtheta rel diff %.1e, dL/dv(0) %.1e from the full trajectory (<= 1e-12), same loss", s->name, s->flow ? " flow" : "", (double)et, (double)ev));
  PetscCall(KNTestOk(t, (PetscBool)(so.rhs > full.rhs), "%s%s: the adjoint recomputed the stages (%" PetscInt_FMT " RHS evaluations against %" PetscInt_FMT ")", s->name, s->flow ? " flow" : "", so.rhs, full.rhs));
  PetscCall(PetscFree(full.g));
  PetscCall(PetscFree(so.g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Directional central difference (L(p + h d) - L(p - h d)) / 2h against G.d, all with solution-only RK4. */
static PetscErrorCode CheckFD(KNTest *t)
{
  KNNet     net;
  Vec       P, G, D, Q;
  PetscInt  nin = 3, B = 2;
  PetscReal in[6], din[6], dout[64], L, Lp, Lm, gd, h = 1e-5, fd;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02 -kn_trajectory_solution_only"));
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, B, PETSC_FALSE, &net));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(VecDuplicate(P, &G));
  PetscCall(VecDuplicate(P, &D));
  PetscCall(VecDuplicate(P, &Q));
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNTestFillVec(D, 5, 1.0));
  PetscCall(KNTestNetLoss(net, nin, in, PETSC_FALSE, &L, dout, NULL));
  PetscCall(KNNetBackward(net, dout, NULL, G, din));
  PetscCall(VecDot(G, D, &gd));
  PetscCall(VecWAXPY(Q, h, D, P));
  PetscCall(KNNetSetParameters(net, Q));
  PetscCall(KNTestNetLoss(net, nin, in, PETSC_FALSE, &Lp, NULL, NULL));
  PetscCall(VecWAXPY(Q, -h, D, P));
  PetscCall(KNNetSetParameters(net, Q));
  PetscCall(KNTestNetLoss(net, nin, in, PETSC_FALSE, &Lm, NULL, NULL));
  fd = (Lp - Lm) / (2 * h);
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(fd - gd) <= 1e-7 * PetscAbsReal(gd)), "rk 4 solution-only: directional dL/dtheta %.10g, central difference %.10g (rel diff %.1e <= 1e-7)", (double)gd, (double)fd, (double)(PetscAbsReal(fd - gd) / PetscAbsReal(gd))));
  PetscCall(VecDestroy(&P));
  PetscCall(VecDestroy(&G));
  PetscCall(VecDestroy(&D));
  PetscCall(VecDestroy(&Q));
  PetscCall(KNNetDestroy(&net));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/* FSAL tableaus must be refused at set-up, with the option and the scheme named. */
static PetscErrorCode CheckRefused(KNTest *t, const char rktype[])
{
  KNNet    net;
  KNGraph  g;
  KNDevice d;
  char     opts[256];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(opts, sizeof(opts), "-ts_type rk -ts_rk_type %s -kn_trajectory_solution_only", rktype));
  PetscCall(PetscOptionsInsertString(NULL, opts));
  PetscCall(KNNetCreate(PETSC_COMM_WORLD, &net));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 5, 12, 3, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH2));
  PetscCall(KNNetAddLayer(net, g, d, 1.0));
  PetscCall(KNNetSetBatchSize(net, 2));
  PetscCall(KNNetSetFromOptions(net));
  PetscCall(PetscSNPrintf(opts, sizeof(opts), "-kn_trajectory_solution_only cannot be used with -ts_rk_type %s", rktype));
  EXPECT_ERROR(t, PETSC_ERR_ARG_INCOMP, opts, KNNetSetUp(net), "rk %s with -kn_trajectory_solution_only is refused at set-up, naming the option and the scheme", rktype);
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNNetDestroy(&net));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest       t;
  const Scheme schemes[] = {
    {"rk 1fe fixed", "-ts_type rk -ts_rk_type 1fe -ts_adapt_type none -ts_dt 0.01", KNDEVICESHIFTRELU1, PETSC_FALSE},
    {"rk 2a fixed", "-ts_type rk -ts_rk_type 2a -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTTANH2, PETSC_FALSE},
    {"rk 2a adaptive", "-ts_type rk -ts_rk_type 2a -ts_rtol 1e-6 -ts_atol 1e-6 -ts_dt 0.01", KNDEVICESHIFTTANH2, PETSC_FALSE},
    {"rk 3 fixed", "-ts_type rk -ts_rk_type 3 -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTTANH2, PETSC_FALSE},
    {"rk 4 fixed", "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTTANH2, PETSC_FALSE},
    {"rk 4 fixed", "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTTANH2, PETSC_TRUE},
    {"rk 4 fixed, theta in the state", "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02 -kn_adjoint_params state", KNDEVICESHIFTRELU1, PETSC_FALSE},
    {"beuler", "-ts_type beuler -kn_jacobian aij -ts_dt 0.02 -snes_rtol 1e-14 -snes_atol 1e-14 -ksp_rtol 1e-14 -ksp_atol 1e-15", KNDEVICESHIFTTANH2, PETSC_FALSE},
    {"cn", "-ts_type cn -kn_jacobian aij -ts_dt 0.02 -snes_rtol 1e-14 -snes_atol 1e-14 -ksp_rtol 1e-14 -ksp_atol 1e-15", KNDEVICESHIFTTANH2, PETSC_FALSE},
  };
  const char *refused[] = {"3bs", "5dp", "5bs"};

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) PetscCall(CheckScheme(&t, &schemes[i]));
  PetscCall(CheckFD(&t));
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) PetscCall(CheckRefused(&t, refused[i]));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
