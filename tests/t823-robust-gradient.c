static char help[] = "Gradients under a fixed hardware draw (device and capacitor mismatch, boundary noise): the adjoint dL/dtheta and\n"
                     "dL/dv(0) against central finite differences of the same perturbed net, and they differ from the ideal gradient.\n";

#include "kntestrobust.h"

#define B_   2
#define NIN_ 3
#define H_   1e-6

/* Loss under draw 2 (re-applied, so every sweep sees the same noise). */
static PetscErrorCode Loss(KNNet net, KNRobustness r, const PetscReal in[], PetscReal *L, PetscReal dout[])
{
  PetscFunctionBeginUser;
  if (r) PetscCall(KNRobustnessApply(r, net, 2));
  PetscCall(KNTestNetLoss(net, NIN_, in, PETSC_FALSE, L, dout, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Central difference of the loss in graph-order parameter e of layer i. */
static PetscErrorCode FDParameter(KNNet net, KNRobustness r, PetscInt i, PetscInt e, const PetscReal in[], PetscReal *fd)
{
  KNCircuit c;
  Vec       g, th;
  PetscReal Lp, Lm;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNCircuitGetParameters(c, th));
  PetscCall(KNCircuitParametersToGraphOrder(c, th, g));
  PetscCall(KNTestVecAddValue(g, e, H_));
  PetscCall(KNCircuitParametersFromGraphOrder(c, g, th));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(Loss(net, r, in, &Lp, NULL));
  PetscCall(KNTestVecAddValue(g, e, -2 * H_));
  PetscCall(KNCircuitParametersFromGraphOrder(c, g, th));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(Loss(net, r, in, &Lm, NULL));
  PetscCall(KNTestVecAddValue(g, e, H_));
  PetscCall(KNCircuitParametersFromGraphOrder(c, g, th));
  PetscCall(KNCircuitSetParameters(c, th));
  *fd = (Lp - Lm) / (2 * H_);
  PetscCall(VecDestroy(&g));
  PetscCall(VecDestroy(&th));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Adjoint gradient (graph order, all layers) and input gradient of the loss under r (NULL: ideal). */
static PetscErrorCode Gradient(KNNet net, KNRobustness r, const PetscReal in[], PetscReal **ga, PetscReal din[])
{
  Vec       G;
  PetscReal L, dout[4];
  PetscInt  ng;

  PetscFunctionBeginUser;
  PetscCall(KNNetCreateParameterVec(net, &G));
  PetscCall(Loss(net, r, in, &L, dout));
  PetscCall(KNNetBackward(net, dout, NULL, G, din));
  PetscCall(KNTestNetParametersGraphOrder(net, G, &ng, ga));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest       t;
  KNNet        net;
  KNRobustness r;
  PetscReal    in[B_ * NIN_], din[B_ * NIN_], din0[B_ * NIN_], fdv[B_ * NIN_], *ga, *ga0, fd[6], an[6];
  PetscInt     pick[6][2] = {{0, 0}, {0, 37}, {0, 71}, {1, 5}, {1, 64}, {2, 47}}, np = 6, ng; /* (layer, graph-order index) */

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscOptionsInsertString(NULL, KN_TEST_FIXED_RK4));
  for (PetscInt i = 0; i < B_ * NIN_; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, B_, PETSC_FALSE, &net));
  PetscCall(KNNetGetNumParameters(net, &ng));
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, &r));
  PetscCall(KNRobustnessSetDeviceMismatch(r, 0.2));
  PetscCall(KNRobustnessSetCapacitorMismatch(r, 0.2));
  PetscCall(KNRobustnessSetBoundaryNoise(r, 0.05));
  PetscCall(Gradient(net, NULL, in, &ga0, din0));
  PetscCall(Gradient(net, r, in, &ga, din));
  for (PetscInt k = 0; k < np; k++) {
    const PetscInt off[3] = {0, 72, 72 + 90}; /* 3 rows x 24, 30 edges */
    PetscCall(FDParameter(net, r, pick[k][0], pick[k][1], in, &fd[k]));
    an[k] = ga[off[pick[k][0]] + pick[k][1]];
  }
  for (PetscInt i = 0; i < B_ * NIN_; i++) {
    PetscReal Lp, Lm, x = in[i];
    in[i] = x + H_;
    PetscCall(Loss(net, r, in, &Lp, NULL));
    in[i] = x - H_;
    PetscCall(Loss(net, r, in, &Lm, NULL));
    in[i]  = x;
    fdv[i] = (Lp - Lm) / (2 * H_);
  }
  PetscCall(KNTestOk(&t, (PetscBool)(KNTestRelErr(np, an, fd) <= 1e-6), "fixed draw (device 0.2, capacitor 0.2, noise 0.05): dL/dtheta on %" PetscInt_FMT " parameters of 3 layers matches central FD (rel err %.1e)", np, (double)KNTestRelErr(np, an, fd)));
  PetscCall(KNTestOk(&t, (PetscBool)(KNTestRelErr(B_ * NIN_, din, fdv) <= 1e-6), "fixed draw: dL/dv(0) matches central FD (rel err %.1e)", (double)KNTestRelErr(B_ * NIN_, din, fdv)));
  PetscCall(KNTestOk(&t, (PetscBool)(KNTestRelErr(ng, ga, ga0) > 1e-2 && KNTestRelErr(B_ * NIN_, din, din0) > 1e-2), "the draw changes the gradient (rel %.2e) and the input gradient (rel %.2e)", (double)KNTestRelErr(ng, ga, ga0), (double)KNTestRelErr(B_ * NIN_, din, din0)));
  PetscCall(KNRobustnessRestore(r, net));
  PetscCall(PetscFree(ga));
  PetscCall(PetscFree(ga0));
  PetscCall(KNRobustnessDestroy(&r));
  PetscCall(KNNetDestroy(&net));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
