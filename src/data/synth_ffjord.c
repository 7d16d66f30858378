/*
  Synthetic 2-D sets of the FFJORD toy collection (spec section 7.4: 2spirals, pinwheel, 8gaussians; plus checkerboard
  and rings, which the KirchhoffNet reference lacks) and gauss. Same constructions as FFJORD's toy_data.py, with our
  counter-based RNG: column k of a generator draws from stream KNDatasetStream_Private(name, k), indexed by sample.
*/
#include "dataimpl.h"

/*
  2spirals: r = sqrt(u0) * 540 * 2 pi / 360, d = (-cos(r) r + 0.5 u1, sin(r) r + 0.5 u2); the first n - n/2 rows are
  d/3 (label 0), the other n/2 rows are -d/3 of the first n/2 points (label 1); then + 0.1 N(0, 1) per coordinate.
*/
PetscErrorCode KNDatasetGenerate_TwoSpirals(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const char    *name = "2spirals";
  const PetscInt h    = n - n / 2;

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 1));
  for (PetscInt i = 0; i < n; i++) {
    const PetscBool second = (PetscBool)(i >= h);
    const PetscInt  j      = second ? i - h : i;
    const PetscReal r      = PetscSqrtReal(KNRandomUniform(seed, KNDatasetStream_Private(name, 0), j)) * 540.0 * (2.0 * PETSC_PI) / 360.0;
    const PetscReal dx     = -PetscCosReal(r) * r + 0.5 * KNRandomUniform(seed, KNDatasetStream_Private(name, 1), j);
    const PetscReal dy     = PetscSinReal(r) * r + 0.5 * KNRandomUniform(seed, KNDatasetStream_Private(name, 2), j);
    const PetscReal sgn    = second ? -1.0 : 1.0;

    ds->x[2 * i]     = sgn * dx / 3.0 + 0.1 * KNRandomNormal(seed, KNDatasetStream_Private(name, 3), i);
    ds->x[2 * i + 1] = sgn * dy / 3.0 + 0.1 * KNRandomNormal(seed, KNDatasetStream_Private(name, 4), i);
    ds->y[i]         = second ? 1.0 : 0.0;
  }
  ds->nclass = 2;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  pinwheel: 5 classes, sample i in class c = floor(5 i / n) (n = 510 gives 102 each, as the reference); feature
  f = (1 + 0.3 e0, 0.1 e1), angle a = 2 pi c / 5 + 0.25 exp(f0); x = 2 (f0 cos a + f1 sin a, -f0 sin a + f1 cos a);
  rows shuffled.
*/
PetscErrorCode KNDatasetGenerate_Pinwheel(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const char *name = "pinwheel";

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 1));
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt  c  = (PetscInt)(((PetscInt64)5 * i) / n);
    const PetscReal f0 = 1.0 + 0.3 * KNRandomNormal(seed, KNDatasetStream_Private(name, 0), i);
    const PetscReal f1 = 0.1 * KNRandomNormal(seed, KNDatasetStream_Private(name, 1), i);
    const PetscReal a  = 2.0 * PETSC_PI * (PetscReal)c / 5.0 + 0.25 * PetscExpReal(f0);

    ds->x[2 * i]     = 2.0 * (f0 * PetscCosReal(a) + f1 * PetscSinReal(a));
    ds->x[2 * i + 1] = 2.0 * (-f0 * PetscSinReal(a) + f1 * PetscCosReal(a));
    ds->y[i]         = (PetscReal)c;
  }
  PetscCall(KNDatasetShuffleNoise_Private(ds, name, seed, 0.0));
  ds->nclass = 5;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  8gaussians: centre c = floor(8 u) of 4 (1,0), 4 (-1,0), 4 (0,1), 4 (0,-1), 4 (+-1/sqrt2, +-1/sqrt2) (FFJORD's order:
  (+,+), (+,-), (-,+), (-,-)); point = (centre + 0.5 N(0, I)) / 1.414; the label is c.
*/
PetscErrorCode KNDatasetGenerate_EightGaussians(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const char     *name = "8gaussians";
  const PetscReal h    = 1.0 / PetscSqrtReal(2.0);
  const PetscReal cx[8] = {1, -1, 0, 0, h, h, -h, -h}, cy[8] = {0, 0, 1, -1, h, -h, h, -h};

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 1));
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt c = (PetscInt)(8.0 * KNRandomUniform(seed, KNDatasetStream_Private(name, 2), i));

    ds->x[2 * i]     = (4.0 * cx[c] + 0.5 * KNRandomNormal(seed, KNDatasetStream_Private(name, 0), i)) / 1.414;
    ds->x[2 * i + 1] = (4.0 * cy[c] + 0.5 * KNRandomNormal(seed, KNDatasetStream_Private(name, 1), i)) / 1.414;
    ds->y[i]         = (PetscReal)c;
  }
  ds->nclass = 8;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  checkerboard (FFJORD): x1 = 4 u0 - 2, x2 = u1 - 2 b + (floor(x1) mod 2) with b in {0, 1}; the point is 2 (x1, x2).
  Uniform on the 8 occupied 2 x 2 squares of a 4 x 4 board on [-4, 4]^2 (alternating occupancy); no labels.
*/
PetscErrorCode KNDatasetGenerate_Checkerboard(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const char *name = "checkerboard";

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 0));
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal x1 = 4.0 * KNRandomUniform(seed, KNDatasetStream_Private(name, 0), i) - 2.0;
    const PetscReal b  = KNRandomUniform(seed, KNDatasetStream_Private(name, 2), i) < 0.5 ? 0.0 : 1.0;
    PetscReal       m  = PetscFmodReal(PetscFloorReal(x1), 2.0);

    if (m < 0) m += 2.0; /* numpy's floor-mod: -1 mod 2 = 1 */
    ds->x[2 * i]     = 2.0 * x1;
    ds->x[2 * i + 1] = 2.0 * (KNRandomUniform(seed, KNDatasetStream_Private(name, 1), i) - 2.0 * b + m);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  rings (FFJORD): 4 concentric circles of radii 3, 2.25, 1.5, 0.75 (= 3 x {1, 0.75, 0.5, 0.25}) with n/4, n/4, n/4 and
  n - 3 (n/4) points at equally spaced angles 2 pi j / m (endpoint excluded), label = ring index 0..3 (outermost
  first); rows shuffled, then N(0, 0.08^2) noise.
*/
PetscErrorCode KNDatasetGenerate_Rings(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  const PetscInt q = n / 4;

  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 1));
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt  k = q ? PetscMin(i / q, 3) : 3, j = i - k * q, m = k < 3 ? q : n - 3 * q;
    const PetscReal a = 2.0 * PETSC_PI * (PetscReal)j / (PetscReal)m, r = 3.0 * (1.0 - 0.25 * k);

    ds->x[2 * i]     = r * PetscCosReal(a);
    ds->x[2 * i + 1] = r * PetscSinReal(a);
    ds->y[i]         = (PetscReal)k;
  }
  PetscCall(KNDatasetShuffleNoise_Private(ds, "rings", seed, 0.08));
  ds->nclass = 4;
  PetscFunctionReturn(KN_SUCCESS);
}

/* gauss: N(0, I_2) - 1 (the reference's unused "gauss" set). */
PetscErrorCode KNDatasetGenerate_Gauss(KNDataset ds, PetscInt n, PetscInt64 seed)
{
  PetscFunctionBegin;
  PetscCall(KNDatasetAllocate_Private(ds, n, 2, 0));
  for (PetscInt k = 0; k < 2; k++) {
    const PetscInt64 s = KNDatasetStream_Private("gauss", k);
    for (PetscInt i = 0; i < n; i++) ds->x[2 * i + k] = KNRandomNormal(seed, s, i) - 1.0;
  }
  PetscFunctionReturn(KN_SUCCESS);
}
