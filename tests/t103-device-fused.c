static char help[] = "The fused device kernels (apply: RHS accumulation, vjp: adjoint product) equal their composition from current and partials.\n";

#include "kntestutil.h"

static PetscErrorCode Check(KNTest *t, KNDeviceType type)
{
  enum { B = 13 }; /* not a multiple of the lane count: exercises the remainder loop */
  KNDevice               d;
  const KNDeviceKernels *k;
  PetscInt               rows;
  PetscReal th[3], vs[B], vd[B], ws[B], wd[B], i[B], gs[B], gd[B], gth[3 * B];
  PetscReal fs[B], fd[B], ys[B], yd[B], yth[3], rs[B], rd[B], rys[B], ryd[B], ryth[3] = {0, 0, 0}, err = 0, scale = 0;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_SELF, &d));
  PetscCall(KNDeviceSetType(d, type));
  PetscCall(KNDeviceGetKernels(d, &k));
  PetscCall(KNDeviceGetNumParameters(d, &rows));
  if (!k->apply && !k->vjp) {
    PetscCall(KNDeviceDestroy(&d));
    PetscFunctionReturn(KN_SUCCESS);
  }
  for (PetscInt r = 0; r < 3; r++) th[r] = 1.3 * KNTestRand(1, r), yth[r] = 0.1 * r;
  for (PetscInt b = 0; b < B; b++) {
    vs[b] = KNTestRand(2, b), vd[b] = KNTestRand(3, b), ws[b] = KNTestRand(4, b), wd[b] = KNTestRand(5, b);
    fs[b] = rs[b] = 0.5 * b, fd[b] = rd[b] = -0.25 * b, ys[b] = rys[b] = 0.1 * b, yd[b] = ryd[b] = 0.2;
  }
  for (PetscInt r = 0; r < rows; r++) ryth[r] = yth[r];
  k->partials(th, B, vs, vd, i, gs, gd, gth);
  for (PetscInt b = 0; b < B; b++) {
    PetscReal w = wd[b] - ws[b];
    rs[b] -= i[b], rd[b] += i[b];
    rys[b] += w * gs[b], ryd[b] += w * gd[b];
    for (PetscInt r = 0; r < rows; r++) ryth[r] += w * gth[r * B + b];
  }
  if (k->apply) k->apply(th, B, vs, vd, fs, fd);
  if (k->vjp) k->vjp(th, B, vs, vd, ws, wd, ys, yd, yth);
  for (PetscInt b = 0; b < B; b++) {
    if (k->apply) err = PetscMax(err, PetscMax(PetscAbsReal(fs[b] - rs[b]), PetscAbsReal(fd[b] - rd[b])));
    if (k->vjp) err = PetscMax(err, PetscMax(PetscAbsReal(ys[b] - rys[b]), PetscAbsReal(yd[b] - ryd[b])));
    scale = PetscMax(scale, PetscAbsReal(rs[b]) + PetscAbsReal(rys[b]) + 1);
  }
  for (PetscInt r = 0; r < rows && k->vjp; r++) err = PetscMax(err, PetscAbsReal(yth[r] - ryth[r]));
  PetscCall(KNTestOk(t, (PetscBool)(err <= 1e-14 * scale), "%s: fused%s%s kernels match the composed ones (max diff %.1e)", type, k->apply ? " apply" : "", k->vjp ? " vjp" : "", (double)err));
  PetscCall(KNDeviceDestroy(&d));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNTestForEachDeviceType(&t, Check));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
