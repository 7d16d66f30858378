/* Training-time image augmentation (reference section 7.3, MNIST): random rotation, then random translation, zero
   fill. Counter-based draws keyed by (seed, step, sample index): reproducible and the same on every rank. */
#include "reader_impl.h"

/* Nearest integer, halves away from zero (symmetric in the sign of the draw). */
static inline PetscReal Round(PetscReal x)
{
  return x >= 0 ? PetscFloorReal(x + 0.5) : -PetscFloorReal(-x + 0.5);
}

/*@C
  KNImageTransform - rotates C x H x W images about their centre, then shifts them; pixels mapped from outside the
  image are 0

  Not Collective

  Input Parameters:
+ C, H, W - channels, rows, columns; image k is in[k*H*W ...], row-major (row 0 at the top)
. degrees - rotation angle in degrees, counter-clockwise as displayed (torchvision's convention)
. tx, ty  - shift in pixels after the rotation: +tx moves the content right, +ty down
. interp  - KN_INTERP_NEAREST or KN_INTERP_BILINEAR
- in      - the C*H*W input values

  Output Parameter:
. out - the C*H*W transformed values (must not overlap in)

  Notes:
  Output pixel (h, w) samples the input at R^-1 ((w, h) - (tx, ty) - c) + c, with c = ((W-1)/2, (H-1)/2) the image
  centre, as torchvision's rotate() and affine() do. Nearest sampling picks the closest input pixel; bilinear
  weighs the four neighbours, treating pixels outside the image as 0. Both keep the values inside
  [min(0, min in), max(0, max in)]. Whole-pixel shifts (as RandomAffine draws) commute exactly with the sampling,
  so one pass equals torchvision's rotate-then-translate.

  Level: intermediate

.seealso: KNDatasetAugmentImages()
@*/
PetscErrorCode KNImageTransform(PetscInt C, PetscInt H, PetscInt W, PetscReal degrees, PetscReal tx, PetscReal ty, KNInterpolation interp, const PetscReal in[], PetscReal out[])
{
  const PetscReal a = degrees * PETSC_PI / 180.0, cx = 0.5 * (PetscReal)(W - 1), cy = 0.5 * (PetscReal)(H - 1);
  PetscReal       c = PetscCosReal(a), s = PetscSinReal(a);

  PetscFunctionBegin;
  PetscCheck(C >= 1 && H >= 1 && W >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNImageTransform: image shape %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " must be positive", C, H, W);
  PetscCheck(interp == KN_INTERP_NEAREST || interp == KN_INTERP_BILINEAR, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "KNImageTransform: unknown interpolation %d", (int)interp);
  PetscCheck(!PetscIsInfOrNanReal(degrees), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNImageTransform: angle %g is not a finite number", (double)degrees);
  PetscCheck(!PetscIsInfOrNanReal(tx) && !PetscIsInfOrNanReal(ty), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNImageTransform: shift (%g, %g) is not finite", (double)tx, (double)ty);
  PetscCheck(in && out, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "KNImageTransform: in or out is NULL");
  PetscCheck(out + C * H * W <= in || in + C * H * W <= out, PETSC_COMM_SELF, PETSC_ERR_ARG_IDN, "KNImageTransform: in and out overlap");
  /* exact quarter turns: no round-off in the sampling positions */
  if (PetscAbsReal(c) < 1e-12) c = 0;
  if (PetscAbsReal(s) < 1e-12) s = 0;
  for (PetscInt h = 0; h < H; h++) {
    for (PetscInt w = 0; w < W; w++) {
      const PetscReal u = (PetscReal)w - tx - cx, v = (PetscReal)h - ty - cy;
      const PetscReal sx = cx + c * u - s * v, sy = cy + s * u + c * v;

      if (interp == KN_INTERP_NEAREST) {
        const PetscReal rx = PetscFloorReal(sx + 0.5), ry = PetscFloorReal(sy + 0.5);
        const PetscBool inside = (PetscBool)(rx >= 0 && rx < W && ry >= 0 && ry < H);

        for (PetscInt k = 0; k < C; k++) out[(k * H + h) * W + w] = inside ? in[(k * H + (PetscInt)ry) * W + (PetscInt)rx] : 0.0;
      } else {
        const PetscReal x0 = PetscFloorReal(sx), y0 = PetscFloorReal(sy), fx = sx - x0, fy = sy - y0;

        for (PetscInt k = 0; k < C; k++) {
          PetscReal sum = 0, lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;

          for (PetscInt dy = 0; dy < 2; dy++) {
            for (PetscInt dx = 0; dx < 2; dx++) {
              const PetscReal px = x0 + dx, py = y0 + dy, wgt = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
              const PetscReal val = (px >= 0 && px < W && py >= 0 && py < H) ? in[(k * H + (PetscInt)py) * W + (PetscInt)px] : 0.0;

              if (wgt > 0) {
                sum += wgt * val;
                lo = PetscMin(lo, val);
                hi = PetscMax(hi, val);
              }
            }
          }
          out[(k * H + h) * W + w] = PetscMin(PetscMax(sum, lo), hi); /* a convex combination: no round-off overshoot */
        }
      }
    }
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetAugmentImages - gathers a batch of image samples and applies a random rotation then a random
  translation to each (the MNIST training transform of the reference: RandomRotation(15) then
  RandomAffine(0, translate=(0.1, 0.1)))

  Not Collective

  Input Parameters:
+ ds   - a dataset whose features are C x H x W images (nfeat = C*H*W, channel-major, row-major)
. aug  - the shape and ranges: aug->degrees (angle uniform in [-degrees, degrees]), aug->translate (shifts uniform in
         [-translate W, translate W] and [-translate H, translate H], rounded to whole pixels as torchvision does)
         and aug->interp (KN_INTERP_NEAREST is torchvision's default)
. seed - the run's seed
. step - the training step (or epoch): each step draws new transforms
. B    - batch size
- idx  - B sample indices in 0..n-1

  Output Parameter:
. x_out - B*C*H*W augmented features (as KNDatasetGetBatch() returns them, transformed)

  Notes:
  Sample idx[b] uses the uniforms KNRandomUniform(seed, KN_STREAM_AUGMENT + step, 3*idx[b] + j), j = 0 (angle),
  1 (horizontal shift), 2 (vertical shift): the transform of a sample depends on (seed, step, sample index) only,
  not on its batch, its position or the rank count. All channels get the same transform. Features in [0, 1] stay in
  [0, 1]. With degrees = translate = 0 the batch is returned unchanged.

  Level: intermediate

.seealso: KNImageTransform(), KNDatasetGetBatch(), KNPermutation()
@*/
PetscErrorCode KNDatasetAugmentImages(KNDataset ds, const KNImageAugment *aug, PetscInt64 seed, PetscInt64 step, PetscInt B, const PetscInt idx[], PetscReal x_out[])
{
  PetscInt F;

  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  KNAssertPointer(aug, 2);
  F = aug->C * aug->H * aug->W;
  PetscCheck(aug->C >= 1 && aug->H >= 1 && aug->W >= 1 && F == ds->nfeat, ds->comm, PETSC_ERR_ARG_SIZ, "KNDatasetAugmentImages: images of %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " do not match the %" PetscInt_FMT " features per sample", aug->C, aug->H, aug->W, ds->nfeat);
  PetscCheck(aug->degrees >= 0 && aug->degrees <= 180, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "KNDatasetAugmentImages: rotation range %g must be in [0, 180] degrees", (double)aug->degrees);
  PetscCheck(aug->translate >= 0 && aug->translate <= 1, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "KNDatasetAugmentImages: translation fraction %g must be in [0, 1]", (double)aug->translate);
  PetscCheck(!B || (idx && x_out), ds->comm, PETSC_ERR_ARG_NULL, "KNDatasetAugmentImages: idx or x_out is NULL");
  for (PetscInt b = 0; b < B; b++) {
    const PetscInt   i      = idx[b];
    const PetscInt64 stream = KN_STREAM_AUGMENT + step;
    PetscReal        angle, tx, ty;

    PetscCheck(i >= 0 && i < ds->n, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "Batch entry %" PetscInt_FMT ": sample index %" PetscInt_FMT " is outside 0..%" PetscInt_FMT, b, i, ds->n - 1);
    angle = aug->degrees * (2 * KNRandomUniform(seed, stream, 3 * (PetscInt64)i) - 1);
    tx    = Round(aug->translate * aug->W * (2 * KNRandomUniform(seed, stream, 3 * (PetscInt64)i + 1) - 1));
    ty    = Round(aug->translate * aug->H * (2 * KNRandomUniform(seed, stream, 3 * (PetscInt64)i + 2) - 1));
    PetscCall(KNImageTransform(aug->C, aug->H, aug->W, angle, tx, ty, aug->interp, ds->x + i * F, x_out + b * F));
  }
  PetscFunctionReturn(KN_SUCCESS);
}
