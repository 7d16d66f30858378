static char help[] = "The same v(T), log-densities and gradients on 1 rank and on all ranks of the run (relative difference <= 1e-12).\n";

#include "kntestnet.h"

typedef struct {
  PetscInt   nout, ng;
  PetscReal *out, *grad, din[6], lp[4];
} Result;

/* Forward + backward on comm; the results are gathered on every rank of comm. */
static PetscErrorCode Run(MPI_Comm comm, KNDeviceType type, PetscBool flow, Result *r)
{
  KNNet     net;
  Vec       G;
  PetscInt  B = 2, nin = 3, K;
  PetscReal in[6], dout[64], dlogp[4], L;

  PetscFunctionBeginUser;
  PetscCall(KNTestNetCreate(comm, type, B, flow, &net));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNTestNetLoss(net, nin, in, flow, &L, dout, dlogp));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  r->nout = B * K;
  PetscCall(PetscMalloc1(r->nout, &r->out));
  PetscCall(KNNetGetOutput(net, r->out));
  if (flow) PetscCall(KNNetGetLogDensity(net, r->lp));
  PetscCall(KNNetCreateParameterVec(net, &G));
  PetscCall(KNNetBackward(net, dout, flow ? dlogp : NULL, G, r->din));
  PetscCall(KNTestNetParametersGraphOrder(net, G, &r->ng, &r->grad));
  PetscCall(VecDestroy(&G));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Compare(KNTest *t, const char opts[], KNDeviceType type, PetscBool flow)
{
  PetscMPIInt rank;
  Result      par, ser;
  PetscReal   e[4] = {0, 0, 0, 0};

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, opts));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(Run(PETSC_COMM_WORLD, type, flow, &par));
  if (rank == 0) {
    PetscCall(Run(PETSC_COMM_SELF, type, flow, &ser));
    e[0] = KNTestRelErr(par.nout, par.out, ser.out);
    e[1] = KNTestRelErr(par.ng, par.grad, ser.grad);
    e[2] = KNTestRelErr(6, par.din, ser.din);
    e[3] = flow ? KNTestRelErr(2, par.lp, ser.lp) : 0;
    PetscCall(PetscFree(ser.out));
    PetscCall(PetscFree(ser.grad));
  }
  PetscCallMPI(MPI_Bcast(e, 4, MPIU_REAL, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, (PetscBool)(e[0] <= 1e-12 && e[1] <= 1e-12 && e[2] <= 1e-12 && e[3] <= 1e-12), "%s %s%s: all ranks vs 1 rank: v(T) %.1e, dL/dtheta %.1e, dL/dv0 %.1e, logp %.1e", opts, type, flow ? " flow" : "", (double)e[0], (double)e[1], (double)e[2], (double)e[3]));
  PetscCall(PetscFree(par.out));
  PetscCall(PetscFree(par.grad));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(Compare(&t, "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-8 -ts_atol 1e-8", KNDEVICESHIFTTANH2, PETSC_FALSE));
  PetscCall(Compare(&t, "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTRELU1, PETSC_FALSE));
  PetscCall(Compare(&t, "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-8 -ts_atol 1e-8", KNDEVICESHIFTTANH1, PETSC_TRUE));
  PetscCall(Compare(&t, "-kn_partition ptscotch -ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02", KNDEVICESHIFTTANH2, PETSC_FALSE));
  PetscCall(Compare(&t, "-kn_partition ptscotch -ts_type rk -ts_rk_type 5dp -ts_rtol 1e-8 -ts_atol 1e-8", KNDEVICESHIFTTANH1, PETSC_TRUE));
  PetscCall(Compare(&t, "-kn_partition ptscotch -ts_type cn -kn_jacobian aij -ts_dt 0.05 -snes_rtol 1e-14 -snes_atol 1e-14 -ksp_rtol 1e-14 -ksp_atol 1e-15", KNDEVICESHIFTRELU1, PETSC_FALSE));
  PetscCall(Compare(&t, "-ts_type cn -kn_jacobian aij -ts_dt 0.05 -snes_rtol 1e-14 -snes_atol 1e-14 -ksp_rtol 1e-14 -ksp_atol 1e-15", KNDEVICESHIFTTANH2, PETSC_FALSE));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
