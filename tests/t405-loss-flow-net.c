static char help[] = "Flow sign conventions through a real KNNet: a linear flow dv/dt = A v with A = diag(-c1, -c2) (two conductances to\n"
                     "ground). Reversed sweep: z = e^{-AT} x and lp = tr(A) T, so KNLossFlowNLL gives -mean log p(x) of the pushforward\n"
                     "of N(0, I); forward sweep: lp = -tr(A) T and KNLossDensityKL = mean(lp + U(x)); dL/dc through KNNetBackward.\n";

#include "kntestutil.h"

#define B_ 3

static const PetscReal c[2] = {0.7, -0.3}, T = 0.8;

/* One layer: node 1 -> ground with conductance c1, node 2 -> ground with c2 (rows 1-2 of the device unused). */
static PetscErrorCode CreateLinearFlow(KNNet *net)
{
  const PetscInt src[2] = {1, 2}, dst[2] = {0, 0};
  KNGraph        g;
  KNDevice       d;
  KNCircuit      circ;
  Vec            go, th;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-12 -ts_atol 1e-12"));
  PetscCall(KNNetCreate(PETSC_COMM_WORLD, net));
  PetscCall(KNGraphCreate(PETSC_COMM_WORLD, &g));
  PetscCall(KNGraphSetEdges(g, 2, 2, src, dst));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICECONDUCTANCE));
  PetscCall(KNNetAddLayer(*net, g, d, T));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNNetSetBatchSize(*net, B_));
  PetscCall(KNNetSetFlow(*net, PETSC_TRUE));
  PetscCall(KNNetSetFromOptions(*net));
  PetscCall(KNNetSetUp(*net));
  PetscCall(KNNetGetLayer(*net, 0, &circ));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(circ, &go));
  PetscCall(KNCircuitCreateParameterVec(circ, &th));
  PetscCall(VecZeroEntries(go));
  PetscCall(KNTestVecAddValue(go, 0, c[0])); /* edge 0, row 0 */
  PetscCall(KNTestVecAddValue(go, 3, c[1])); /* edge 1, row 0 */
  PetscCall(KNCircuitParametersFromGraphOrder(circ, go, th));
  PetscCall(KNCircuitSetParameters(circ, th));
  PetscCall(VecDestroy(&go));
  PetscCall(VecDestroy(&th));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscReal LogN2(const PetscReal z[2])
{
  return -0.5 * (z[0] * z[0] + z[1] * z[1]) - PetscLogReal(2 * PETSC_PI);
}

static PetscErrorCode TestGeneration(KNTest *t, KNNet net)
{
  PetscReal x[2 * B_], z[2 * B_], lp[B_], dz[2 * B_], dlp[B_], din[2 * B_], L, Lexact = 0, lpe = -(c[0] + c[1]) * T, ez = 0, el = 0, dLdc[2] = {0, 0}, *ga;
  PetscInt  ng;
  Vec       G;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 2 * B_; i++) x[i] = 1.3 * KNTestRand(11, i);
  PetscCall(KNNetForward(net, 2, x, PETSC_TRUE));
  PetscCall(KNNetGetOutput(net, z));
  PetscCall(KNNetGetLogDensity(net, lp));
  for (PetscInt b = 0; b < B_; b++) {
    const PetscReal ze[2] = {x[2 * b] * PetscExpReal(c[0] * T), x[2 * b + 1] * PetscExpReal(c[1] * T)};
    ez = PetscMax(ez, PetscMax(PetscAbsReal(z[2 * b] - ze[0]), PetscAbsReal(z[2 * b + 1] - ze[1])));
    el = PetscMax(el, PetscAbsReal(lp[b] - lpe));
    /* the pushforward of N(0, I) by x = e^{AT} z has log p(x) = log N(e^{-AT} x) - tr(A) T */
    Lexact -= (LogN2(ze) + (c[0] + c[1]) * T) / B_;
    for (PetscInt k = 0; k < 2; k++) dLdc[k] += (ze[k] * ze[k] * T) / B_; /* d/dc_k of |z|^2/2, z_k = x_k e^{c_k T} */
  }
  dLdc[0] -= T, dLdc[1] -= T; /* d/dc_k of lp = -(c1 + c2) T */
  PetscCall(KNTestOk(t, (PetscBool)(ez < 1e-9 && el < 1e-9), "reversed sweep: z = e^{-AT} x (err %.1e) and lp = +int tr J dt = tr(A) T = %g (err %.1e)", (double)ez, (double)lpe, (double)el));
  PetscCall(KNLossFlowNLL(B_, 2, z, lp, &L, dz, dlp));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(L - Lexact) < 1e-9), "KNLossFlowNLL on the net's (z, lp) = -mean log p(x) of the exact pushforward density: %.12g vs %.12g", (double)L, (double)Lexact));
  PetscCall(KNNetCreateParameterVec(net, &G));
  PetscCall(KNNetBackward(net, dz, dlp, G, din));
  PetscCall(KNTestNetParametersGraphOrder(net, G, &ng, &ga));
  PetscCall(KNTestOk(t, (PetscBool)(KNRelDiff(ga[0], dLdc[0], 1e-3) < 1e-7 && KNRelDiff(ga[3], dLdc[1], 1e-3) < 1e-7), "dNLL/dc through KNNetBackward(dz, dlp): (%.10g, %.10g), analytic (%.10g, %.10g)", (double)ga[0], (double)ga[3], (double)dLdc[0], (double)dLdc[1]));
  PetscCall(PetscFree(ga));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestDensity(KNTest *t, KNNet net)
{
  PetscReal z0[2 * B_], x[2 * B_], lp[B_], U[B_], L, Le = 0, lpe = (c[0] + c[1]) * T, ex = 0, el = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 2 * B_; i++) z0[i] = KNTestRand(12, i);
  PetscCall(KNNetForward(net, 2, z0, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, x));
  PetscCall(KNNetGetLogDensity(net, lp));
  PetscCall(KNPotentialEvaluate("potential1", B_, x, U, NULL));
  for (PetscInt b = 0; b < B_; b++) {
    for (PetscInt k = 0; k < 2; k++) ex = PetscMax(ex, PetscAbsReal(x[2 * b + k] - z0[2 * b + k] * PetscExpReal(-c[k] * T)));
    el = PetscMax(el, PetscAbsReal(lp[b] - lpe));
    Le += (lpe + U[b]) / B_;
  }
  PetscCall(KNTestOk(t, (PetscBool)(ex < 1e-9 && el < 1e-9), "forward sweep: x = e^{AT} z0 (err %.1e) and lp = -int tr J dt = -tr(A) T = %g (err %.1e), so log q(x) = log N(z0) + lp", (double)ex, (double)lpe, (double)el));
  PetscCall(KNLossDensityKL(B_, x, lp, "potential1", &L, NULL, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(L - Le) < 1e-9), "KNLossDensityKL on the net's (x, lp) = mean(-tr(A) T + U(x)): %.12g vs %.12g", (double)L, (double)Le));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;
  KNNet  net;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(CreateLinearFlow(&net));
  PetscCall(TestGeneration(&t, net));
  PetscCall(TestDensity(&t, net));
  PetscCall(KNNetDestroy(&net));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
