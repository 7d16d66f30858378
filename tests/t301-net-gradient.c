static char help[] = "Full multi-layer gradient (theta and inputs) against central finite differences, for every offered time stepper.\n";

#include "kntestnet.h"
#include <dirent.h>

typedef struct {
  const char *name, *opts;
  KNDeviceType device;
  PetscReal    h;
} Scheme;

/* Loss with graph-order parameter e of layer c moved by h (restored afterwards). */
static PetscErrorCode PerturbedLoss(KNNet net, KNCircuit c, Vec g, Vec th, PetscInt e, PetscReal h, PetscInt nin, const PetscReal in[], PetscBool flow, PetscReal *L)
{
  PetscFunctionBeginUser;
  PetscCall(KNTestVecAddValue(g, e, h));
  PetscCall(VecAssemblyBegin(g));
  PetscCall(VecAssemblyEnd(g));
  PetscCall(KNCircuitParametersFromGraphOrder(c, g, th));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(KNTestNetLoss(net, nin, in, flow, L, NULL, NULL));
  PetscCall(KNTestVecAddValue(g, e, -h));
  PetscCall(VecAssemblyBegin(g));
  PetscCall(VecAssemblyEnd(g));
  PetscCall(KNCircuitParametersFromGraphOrder(c, g, th));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckScheme(KNTest *t, const Scheme *s, PetscBool flow)
{
  KNNet      net;
  Vec        P, G;
  PetscInt   nin = 3, B = 2, ng;
  PetscReal  in[6], din[6], dout[64], dlogp[16], L, *fd, *ga, err_t, err_v;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, s->opts));
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, s->device, B, flow, &net));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(VecDuplicate(P, &G));
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNTestNetLoss(net, nin, in, flow, &L, dout, dlogp));
  PetscCall(KNNetBackward(net, dout, flow ? dlogp : NULL, G, din));
  PetscCall(KNTestNetParametersGraphOrder(net, G, &ng, &ga));
  /* FD over every parameter in graph order: perturb through the graph-order layout of each layer */
  PetscCall(PetscMalloc1(ng, &fd));
  {
    PetscInt D, base = 0;
    PetscCall(KNNetGetNumLayers(net, &D));
    for (PetscInt i = 0; i < D; i++) {
      KNCircuit c;
      Vec       g, th;
      PetscInt  m;
      PetscCall(KNNetGetLayer(net, i, &c));
      PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
      PetscCall(KNCircuitCreateParameterVec(c, &th));
      PetscCall(KNCircuitGetParameters(c, th));
      PetscCall(KNCircuitParametersToGraphOrder(c, th, g));
      PetscCall(VecGetSize(g, &m));
      for (PetscInt e = 0; e < m; e++) {
        PetscReal Lp = 0, Lm = 0;
        PetscCall(PerturbedLoss(net, c, g, th, e, s->h, nin, in, flow, &Lp));
        PetscCall(PerturbedLoss(net, c, g, th, e, -s->h, nin, in, flow, &Lm));
        fd[base + e] = (Lp - Lm) / (2 * s->h);
      }
      base += m;
      PetscCall(VecDestroy(&g));
      PetscCall(VecDestroy(&th));
    }
  }
  err_t = KNTestRelErr(ng, ga, fd);
  {
    PetscReal fdv[6];
    for (PetscInt i = 0; i < B * nin; i++) {
      PetscReal Lp = 0, Lm = 0, x = in[i];
      in[i] = x + s->h;
      PetscCall(KNTestNetLoss(net, nin, in, flow, &Lp, NULL, NULL));
      in[i] = x - s->h;
      PetscCall(KNTestNetLoss(net, nin, in, flow, &Lm, NULL, NULL));
      in[i]  = x;
      fdv[i] = (Lp - Lm) / (2 * s->h);
    }
    err_v = KNTestRelErr(B * nin, din, fdv);
  }
  PetscCall(KNTestOk(t, (PetscBool)(err_t <= 1e-5 && err_v <= 1e-5), "%s%s (%s): dL/dtheta rel err %.1e over %" PetscInt_FMT " parameters, dL/dv(0) rel err %.1e", s->name, flow ? " flow" : "", s->device, (double)err_t, ng, (double)err_v));
  PetscCall(PetscFree(fd));
  PetscCall(PetscFree(ga));
  PetscCall(VecDestroy(&P));
  PetscCall(VecDestroy(&G));
  PetscCall(KNNetDestroy(&net));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest       t;
  const Scheme schemes[] = {
    {"rk 1fe fixed", "-ts_type rk -ts_rk_type 1fe -ts_adapt_type none -ts_dt 0.01", KNDEVICESHIFTRELU1, 1e-6},
    {"rk 2a fixed", "-ts_type rk -ts_rk_type 2a -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTRELU1, 1e-6},
    {"rk 3 fixed", "-ts_type rk -ts_rk_type 3 -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTRELU1, 1e-6},
    {"rk 3bs fixed", "-ts_type rk -ts_rk_type 3bs -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTRELU1, 1e-6},
    {"rk 4 fixed", "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTRELU1, 1e-6},
    {"rk 4 fixed, theta in the state", "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02 -kn_adjoint_params state", KNDEVICESHIFTTANH2, 1e-6},
    {"rk 3bs adaptive, TSSetRHSJacobianP", "-ts_type rk -ts_rk_type 3bs -ts_rtol 1e-10 -ts_atol 1e-10 -ts_dt 0.01 -kn_adjoint_params jacobianp", KNDEVICESHIFTTANH1, 1e-5},
    {"rk 5dp fixed", "-ts_type rk -ts_rk_type 5dp -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTRELU1, 1e-6},
    {"rk 5bs fixed", "-ts_type rk -ts_rk_type 5bs -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTRELU1, 1e-6},
    {"rk 5dp fixed", "-ts_type rk -ts_rk_type 5dp -ts_adapt_type none -ts_dt 0.05", KNDEVICESHIFTTANH2, 1e-6},
    {"rk 3bs adaptive", "-ts_type rk -ts_rk_type 3bs -ts_rtol 1e-10 -ts_atol 1e-10 -ts_dt 0.01", KNDEVICESHIFTTANH2, 1e-5},
    {"rk 5dp adaptive", "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-10 -ts_atol 1e-10 -ts_dt 0.01", KNDEVICESHIFTTANH2, 1e-5},
    {"rk 5bs adaptive", "-ts_type rk -ts_rk_type 5bs -ts_rtol 1e-10 -ts_atol 1e-10 -ts_dt 0.01", KNDEVICESHIFTTANH1, 1e-5},
    {"beuler", "-ts_type beuler -kn_jacobian aij -ts_dt 0.02 -snes_rtol 1e-14 -snes_atol 1e-14 -ksp_rtol 1e-14 -ksp_atol 1e-15", KNDEVICESHIFTTANH2, 1e-6},
    {"cn", "-ts_type cn -kn_jacobian aij -ts_dt 0.02 -snes_rtol 1e-14 -snes_atol 1e-14 -ksp_rtol 1e-14 -ksp_atol 1e-15", KNDEVICESHIFTTANH2, 1e-6},
  };

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) PetscCall(CheckScheme(&t, &schemes[i], PETSC_FALSE));
  PetscCall(CheckScheme(&t, &schemes[11], PETSC_TRUE)); /* 5dp adaptive */
  PetscCall(CheckScheme(&t, &schemes[4], PETSC_TRUE));  /* rk4 */
  PetscCall(CheckScheme(&t, &schemes[13], PETSC_TRUE)); /* beuler */
  {
    PetscBool found = PETSC_FALSE; /* the default (basic) trajectory would have left TS-data-* folders here */
    DIR      *dir = opendir(".");
    for (struct dirent *e; dir && (e = readdir(dir));) found = (PetscBool)(found || !strncmp(e->d_name, "TS-data-", 8));
    if (dir) closedir(dir);
    PetscCall(KNTestOkAll(&t, (PetscBool)!found, "no TS-data-* trajectory folder left in the working directory"));
  }
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
