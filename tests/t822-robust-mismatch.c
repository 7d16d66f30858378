static char help[] = "Device and capacitor mismatch draws (KNRobustnessApply): the gains reach the devices in graph edge order (a\n"
                     "gain on t1 relu(vs - vd - t0) equals scaling t1), a small draw changes the loss by the first-order amount\n"
                     "predicted by the adjoint, the spread over draws matches sigma, and capacitor mismatch scales linearly.\n";

#include "kntestrobust.h"

#define B_   2
#define NIN_ 3

/* Scales row `row` of every edge of every layer by the gains of draw k (graph order), or puts P back (gains NULL). */
static PetscErrorCode ScaleRow(KNNet net, KNRobustness r, PetscInt64 k, PetscInt row, PetscBool undo, Vec P)
{
  PetscInt D;

  PetscFunctionBeginUser;
  if (undo) {
    PetscCall(KNNetSetParameters(net, P));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit  c;
    KNGraph    gr;
    Vec        g, th;
    PetscInt   N, E, lo, hi, rows = 2;
    PetscReal *a, *gain;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetGraph(c, &gr));
    PetscCall(KNGraphGetSizes(gr, &N, &E));
    PetscCall(PetscMalloc1(E, &gain));
    PetscCall(KNRobustnessGetEdgeGains(r, k, i, E, gain));
    PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
    PetscCall(KNCircuitCreateParameterVec(c, &th));
    PetscCall(KNCircuitGetParameters(c, th));
    PetscCall(KNCircuitParametersToGraphOrder(c, th, g));
    PetscCall(VecGetOwnershipRange(g, &lo, &hi));
    PetscCall(VecGetArray(g, &a));
    for (PetscInt j = lo; j < hi; j++)
      if (j % rows == row) a[j - lo] *= gain[j / rows];
    PetscCall(VecRestoreArray(g, &a));
    PetscCall(KNCircuitParametersFromGraphOrder(c, g, th));
    PetscCall(KNCircuitSetParameters(c, th));
    PetscCall(VecDestroy(&g));
    PetscCall(VecDestroy(&th));
    PetscCall(PetscFree(gain));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Description(PetscReal sd, PetscReal sc, KNRobustness *r)
{
  PetscFunctionBeginUser;
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, r));
  PetscCall(KNRobustnessSetDeviceMismatch(*r, sd));
  PetscCall(KNRobustnessSetCapacitorMismatch(*r, sc));
  PetscCall(KNRobustnessSetSeed(*r, 11));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Loss (kntestnet.h) under draw k of r (r NULL: ideal), restored afterwards. */
static PetscErrorCode DrawLoss(KNNet net, KNRobustness r, PetscInt64 k, const PetscReal in[], PetscReal *L, PetscReal out[])
{
  PetscFunctionBeginUser;
  if (r) PetscCall(KNRobustnessApply(r, net, k));
  PetscCall(KNTestNetLoss(net, NIN_, in, PETSC_FALSE, L, NULL, NULL));
  if (out) PetscCall(KNNetGetOutput(net, out));
  if (r) PetscCall(KNRobustnessRestore(r, net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Gains on relu devices equal the scaled t1; the first-order change dL = sum_e (g_e - 1) t1_e dL/dt1_e. */
static PetscErrorCode CheckGains(KNTest *t, KNNet net, const PetscReal in[])
{
  KNRobustness r;
  Vec          P, G;
  PetscReal    L0 = 0, L, Ls, out[4], outs[4], dout[4], pred = 0, *ga, *th, rms = 0, prms = 0;
  PetscInt     ng, off = 0, D;

  PetscFunctionBeginUser;
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(VecDuplicate(P, &G));
  PetscCall(Description(1e-3, 0, &r));
  PetscCall(DrawLoss(net, r, 0, in, &L, out));
  PetscCall(ScaleRow(net, r, 0, 1, PETSC_FALSE, P));
  PetscCall(DrawLoss(net, NULL, 0, in, &Ls, outs));
  PetscCall(ScaleRow(net, r, 0, 1, PETSC_TRUE, P));
  PetscCall(KNTestOk(t, (PetscBool)(KNTestRelErr(4, out, outs) <= 1e-12), "gains of draw 0 on t1 relu(vs - vd - t0) equal scaling t1 by them in graph edge order (%.1e)", (double)KNTestRelErr(4, out, outs)));
  /* the adjoint gradient and theta in graph order: entry e*2 + 1 of every layer is t1 of edge e */
  PetscCall(KNTestNetLoss(net, NIN_, in, PETSC_FALSE, &L0, dout, NULL));
  PetscCall(KNNetBackward(net, dout, NULL, G, NULL));
  PetscCall(KNTestNetParametersGraphOrder(net, G, &ng, &ga));
  PetscCall(KNTestNetParametersGraphOrder(net, P, &ng, &th));
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    KNGraph   gr;
    PetscInt  N, E;
    PetscReal gain[64];
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetGraph(c, &gr));
    PetscCall(KNGraphGetSizes(gr, &N, &E));
    PetscCall(KNRobustnessGetEdgeGains(r, 0, i, E, gain));
    for (PetscInt e = 0; e < E; e++) pred += (gain[e] - 1) * th[off + 2 * e + 1] * ga[off + 2 * e + 1];
    for (PetscInt e = 0; e < E; e++) prms += PetscSqr(1e-2 * th[off + 2 * e + 1] * ga[off + 2 * e + 1]);
    off += 2 * E;
  }
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal((L - L0) - pred) <= 0.02 * PetscAbsReal(pred)), "sigma 1e-3: the loss changes by %.4e, the adjoint's first-order prediction is %.4e", (double)(L - L0), (double)pred));
  PetscCall(KNRobustnessDestroy(&r));
  /* spread over 40 draws at sigma 1e-2: rms of dL against sigma * sqrt(sum_e (t1_e dL/dt1_e)^2) */
  PetscCall(Description(1e-2, 0, &r));
  for (PetscInt k = 0; k < 40; k++) {
    PetscCall(DrawLoss(net, r, k, in, &L, NULL));
    rms += PetscSqr(L - L0) / 40;
  }
  rms = PetscSqrtReal(rms), prms = PetscSqrtReal(prms);
  PetscCall(KNTestOk(t, (PetscBool)(rms > 0.6 * prms && rms < 1.5 * prms), "sigma 1e-2, 40 draws: rms change of the loss %.4e, expected %.4e from the log-normal gains", (double)rms, (double)prms));
  PetscCall(DrawLoss(net, NULL, 0, in, &L, NULL));
  PetscCall(KNTestOk(t, (PetscBool)!memcmp(&L, &L0, sizeof(L)), "after KNRobustnessRestore() the loss is the ideal one bit for bit"));
  PetscCall(KNRobustnessDestroy(&r));
  PetscCall(PetscFree(ga));
  PetscCall(PetscFree(th));
  PetscCall(VecDestroy(&P));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Output change of draw 0 relative to the ideal outputs. */
static PetscErrorCode RelChange(KNNet net, PetscReal sd, PetscReal sc, const PetscReal in[], const PetscReal ideal[], PetscReal *rel)
{
  KNRobustness r;
  PetscReal    L, out[4];

  PetscFunctionBeginUser;
  PetscCall(Description(sd, sc, &r));
  PetscCall(DrawLoss(net, r, 0, in, &L, out));
  *rel = KNTestRelErr(4, out, ideal);
  PetscCall(KNRobustnessDestroy(&r));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Both mismatches change the outputs in proportion to sigma (small sigma: linear). */
static PetscErrorCode CheckScaling(KNTest *t, KNNet net, const PetscReal in[])
{
  PetscReal L, ideal[4], d1, d2, c1, c2;

  PetscFunctionBeginUser;
  PetscCall(DrawLoss(net, NULL, 0, in, &L, ideal));
  PetscCall(RelChange(net, 1e-3, 0, in, ideal, &d1));
  PetscCall(RelChange(net, 1e-2, 0, in, ideal, &d2));
  PetscCall(RelChange(net, 0, 1e-3, in, ideal, &c1));
  PetscCall(RelChange(net, 0, 1e-2, in, ideal, &c2));
  PetscCall(KNTestOk(t, (PetscBool)(d1 > 1e-5 && d1 < 1e-2 && d2 / d1 > 9 && d2 / d1 < 11), "device mismatch changes the outputs by O(sigma): %.2e at 1e-3, %.2e at 1e-2 (ratio %.2f)", (double)d1, (double)d2, (double)(d2 / d1)));
  PetscCall(KNTestOk(t, (PetscBool)(c1 > 1e-5 && c1 < 1e-2 && c2 / c1 > 9 && c2 / c1 < 11), "capacitor mismatch changes the outputs by O(sigma): %.2e at 1e-3, %.2e at 1e-2 (ratio %.2f)", (double)c1, (double)c2, (double)(c2 / c1)));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest    t;
  KNNet     net;
  PetscReal in[B_ * NIN_];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscOptionsInsertString(NULL, KN_TEST_FIXED_RK4));
  for (PetscInt i = 0; i < B_ * NIN_; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTRELU1, B_, PETSC_FALSE, &net));
  PetscCall(CheckGains(&t, net, in));
  PetscCall(CheckScaling(&t, net, in));
  PetscCall(KNNetDestroy(&net));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
