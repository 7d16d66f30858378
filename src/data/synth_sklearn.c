/*
  Synthetic sets that the reference draws with scikit-learn (spec section 7.2, 7.4): twomoon (make_moons, noise 0.1),
  circle (make_circles, noise 0.06, factor 0.5), swissroll (make_swiss_roll, noise 1, columns [0,2] / 5) and friedman1
  (make_friedman1, 5 features, noise 0). Same constructions, with our counter-based RNG instead of numpy's:
  column k of a generator draws from stream KNDatasetStream_Private(name, k), indexed by the sample.
*/
#include "dataimpl.h"

/*
  twomoon: n/2 points (cos s, sin s), s = linspace(0, pi, n/2) (endpoint included), label 0, and n - n/2 points
  (1 - cos s, 1 - sin s - 0.5), label 1; rows shuffled, then N(0, 0.1^2) noise on every coordinate.
*/
PetscErrorCode KNDatasetGenerate_TwoMoon(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const PetscInt nout = n / 2, nin = n - nout;

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 1));
  for (PetscInt i = 0; i < n; i++) {
    const PetscBool inner = (PetscBool)(i >= nout);
    const PetscInt  j = inner ? i - nout : i, m = inner ? nin : nout;
    const PetscReal s = m > 1 ? PETSC_PI * (PetscReal)j / (PetscReal)(m - 1) : 0.0;

    ds->x[2 * i]     = inner ? 1.0 - PetscCosReal(s) : PetscCosReal(s);
    ds->x[2 * i + 1] = inner ? 1.0 - PetscSinReal(s) - 0.5 : PetscSinReal(s);
    ds->y[i]         = inner ? 1.0 : 0.0;
  }
  PetscCall(KNDatasetShuffleNoise_Private(ds, "twomoon", seed, 0.1));
  ds->nclass = 2;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  circle: n/2 points on the unit circle at angles 2 pi j/(n/2) (endpoint excluded), label 0, and n - n/2 on the
  circle of radius 0.5, label 1; rows shuffled, then N(0, 0.06^2) noise.
*/
PetscErrorCode KNDatasetGenerate_Circle(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const PetscInt nout = n / 2, nin = n - nout;

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 1));
  for (PetscInt i = 0; i < n; i++) {
    const PetscBool inner = (PetscBool)(i >= nout);
    const PetscInt  j = inner ? i - nout : i, m = inner ? nin : nout;
    const PetscReal a = 2.0 * PETSC_PI * (PetscReal)j / (PetscReal)m, r = inner ? 0.5 : 1.0;

    ds->x[2 * i]     = r * PetscCosReal(a);
    ds->x[2 * i + 1] = r * PetscSinReal(a);
    ds->y[i]         = inner ? 1.0 : 0.0;
  }
  PetscCall(KNDatasetShuffleNoise_Private(ds, "circle", seed, 0.06));
  ds->nclass = 2;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  swissroll: t = 1.5 pi (1 + 2 u), (t cos t + e0, t sin t + e2) / 5 with e ~ N(0, 1) (the height 21 u' is dropped with
  column 1, as the reference keeps columns [0, 2]); the target is t.
*/
PetscErrorCode KNDatasetGenerate_SwissRoll(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const char    *name = "swissroll";
  const PetscInt64 su = KNDatasetStream_Private(name, 0), s0 = KNDatasetStream_Private(name, 1), s2 = KNDatasetStream_Private(name, 2);

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 1));
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal t = 1.5 * PETSC_PI * (1.0 + 2.0 * KNRandomUniform(seed, su, i));

    ds->x[2 * i]     = (t * PetscCosReal(t) + KNRandomNormal(seed, s0, i)) / 5.0;
    ds->x[2 * i + 1] = (t * PetscSinReal(t) + KNRandomNormal(seed, s2, i)) / 5.0;
    ds->y[i]         = t;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* friedman1: x ~ U[0,1]^5, y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 (no noise). */
PetscErrorCode KNDatasetGenerate_Friedman1(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 5, 1));
  for (PetscInt k = 0; k < 5; k++) {
    const PetscInt64 s = KNDatasetStream_Private("friedman1", k);
    for (PetscInt i = 0; i < n; i++) ds->x[5 * i + k] = KNRandomUniform(seed, s, i);
  }
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal *x = ds->x + 5 * i;
    ds->y[i]           = 10.0 * PetscSinReal(PETSC_PI * x[0] * x[1]) + 20.0 * PetscSqr(x[2] - 0.5) + 10.0 * x[3] + 5.0 * x[4];
  }
  PetscFunctionReturn(KN_SUCCESS);
}
