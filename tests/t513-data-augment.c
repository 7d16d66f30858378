static char help[] = "Image augmentation: zero ranges are the identity, quarter turns and shifts move pixels as expected, draws are reproducible and independent of the batch, values stay in [0,1], shifts are whole pixels.\n";

#include "kntest.h"

#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

/* n random images of C x H x W with values in [0, 1]. */
static PetscErrorCode RandomImages(PetscInt n, PetscInt C, PetscInt H, PetscInt W, KNDataset *ds)
{
  PetscReal *x;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n * C * H * W, &x));
  for (PetscInt i = 0; i < n * C * H * W; i++) x[i] = KNRandomUniform(7, KN_STREAM_USER, i);
  PetscCall(KNDatasetCreate(PETSC_COMM_WORLD, ds));
  PetscCall(KNDatasetSetData(*ds, n, C * H * W, x, 0, NULL));
  PetscCall(PetscFree(x));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscBool Same(PetscInt n, const PetscReal a[], const PetscReal b[])
{
  for (PetscInt i = 0; i < n; i++)
    if (a[i] != b[i]) return PETSC_FALSE;
  return PETSC_TRUE;
}

static PetscErrorCode Identity(KNTest *t)
{
  const PetscInt   idx[4] = {2, 0, 2, 1};
  KNImageAugment   aug    = {2, 5, 6, 0.0, 0.0, KN_INTERP_NEAREST};
  KNDataset        ds;
  PetscReal        out[4 * 60], ref[4 * 60];

  PetscFunctionBeginUser;
  PetscCall(RandomImages(3, 2, 5, 6, &ds));
  PetscCall(KNDatasetGetBatch(ds, idx, 4, ref, NULL));
  PetscCall(KNDatasetAugmentImages(ds, &aug, 1, 0, 4, idx, out));
  PetscCall(KNTestOk(t, Same(4 * 60, out, ref), "degrees = translate = 0, nearest: the batch is returned unchanged (KNDatasetGetBatch)"));
  aug.interp = KN_INTERP_BILINEAR;
  PetscCall(KNDatasetAugmentImages(ds, &aug, 1, 5, 4, idx, out));
  PetscCall(KNTestOk(t, Same(4 * 60, out, ref), "degrees = translate = 0, bilinear: unchanged"));
  PetscCall(KNImageTransform(2, 5, 6, 360.0, 0, 0, KN_INTERP_NEAREST, ref, out));
  PetscCall(KNTestOk(t, Same(60, out, ref), "a full turn is the identity"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Geometry(KNTest *t)
{
  PetscReal in[16], out[16], back[16], img[15], r180[15];
  PetscBool ok90 = PETSC_TRUE, ok90b = PETSC_TRUE, okm90 = PETSC_TRUE, okshift = PETSC_TRUE, ok180 = PETSC_TRUE;

  PetscFunctionBeginUser;
  /* in[h][w] = (4h + w + 1)/16: no two pixels equal, no symmetry */
  for (PetscInt k = 0; k < 16; k++) in[k] = (PetscReal)(k + 1) / 16.0;
  /* counter-clockwise quarter turn: the top-right pixel goes to the top-left, out[h][w] = in[w][3-h] */
  PetscCall(KNImageTransform(1, 4, 4, 90.0, 0, 0, KN_INTERP_NEAREST, in, out));
  for (PetscInt h = 0; h < 4; h++)
    for (PetscInt w = 0; w < 4; w++) ok90 = (PetscBool)(ok90 && out[h * 4 + w] == in[w * 4 + 3 - h]);
  PetscCall(KNTestOk(t, ok90, "90 degrees (nearest) on a 4 x 4 image: out[h][w] = in[w][3-h], counter-clockwise (top-right -> top-left)"));
  PetscCall(KNImageTransform(1, 4, 4, 90.0, 0, 0, KN_INTERP_BILINEAR, in, out));
  for (PetscInt h = 0; h < 4; h++)
    for (PetscInt w = 0; w < 4; w++) ok90b = (PetscBool)(ok90b && PetscAbsReal(out[h * 4 + w] - in[w * 4 + 3 - h]) < 1e-14);
  PetscCall(KNTestOk(t, ok90b, "90 degrees (bilinear) gives the same permutation"));
  PetscCall(KNImageTransform(1, 4, 4, -90.0, 0, 0, KN_INTERP_NEAREST, out, back));
  for (PetscInt k = 0; k < 16; k++) okm90 = (PetscBool)(okm90 && PetscAbsReal(back[k] - in[k]) < 1e-14);
  PetscCall(KNTestOk(t, okm90, "-90 degrees undoes +90 degrees"));
  /* shift right by 1 and down by 2: out[h][w] = in[h-2][w-1], zero where that is outside */
  PetscCall(KNImageTransform(1, 4, 4, 0.0, 1, 2, KN_INTERP_NEAREST, in, out));
  for (PetscInt h = 0; h < 4; h++)
    for (PetscInt w = 0; w < 4; w++) okshift = (PetscBool)(okshift && out[h * 4 + w] == (h >= 2 && w >= 1 ? in[(h - 2) * 4 + w - 1] : 0.0));
  PetscCall(KNTestOk(t, okshift, "shift (tx, ty) = (1, 2): content moves right 1 and down 2, zero fill"));
  /* 180 degrees on a 3 x 5 image: out[h][w] = in[2-h][4-w] */
  for (PetscInt k = 0; k < 15; k++) img[k] = (PetscReal)(k + 1) / 15.0;
  PetscCall(KNImageTransform(1, 3, 5, 180.0, 0, 0, KN_INTERP_NEAREST, img, r180));
  for (PetscInt h = 0; h < 3; h++)
    for (PetscInt w = 0; w < 5; w++) ok180 = (PetscBool)(ok180 && r180[h * 5 + w] == img[(2 - h) * 5 + 4 - w]);
  PetscCall(KNTestOk(t, ok180, "180 degrees on a non-square 3 x 5 image: out[h][w] = in[2-h][4-w]"));
  {
    PetscReal two[32], tout[32];
    PetscBool same = PETSC_TRUE;

    for (PetscInt k = 0; k < 16; k++) two[k] = in[k], two[16 + k] = 1 - in[k];
    PetscCall(KNImageTransform(2, 4, 4, 90.0, 0, 0, KN_INTERP_NEAREST, two, tout));
    for (PetscInt h = 0; h < 4; h++)
      for (PetscInt w = 0; w < 4; w++) same = (PetscBool)(same && tout[h * 4 + w] == in[w * 4 + 3 - h] && tout[16 + h * 4 + w] == 1 - in[w * 4 + 3 - h]);
    PetscCall(KNTestOk(t, same, "every channel of a 2-channel image gets the same transform"));
  }
  {
    /* Pillow 9.4 Image.rotate(angle, resample=NEAREST, fillcolor=0) of the 8 x 8 image (8h + w + 1): what torchvision's
       RandomRotation does to a PIL image (0 = filled) */
    const int pil10[64]  = {0, 3, 4, 5, 6, 7, 8, 0, 1, 10, 11, 12, 13, 14, 15, 24, 9, 18, 19, 20, 21, 22, 23, 32, 17, 26, 27, 28, 29, 30, 31, 40, 25, 34, 35, 36, 37, 38, 39, 48, 33, 42, 43, 44, 45, 46, 47, 56, 41, 50, 51, 52, 53, 54, 55, 64, 0, 57, 58, 59, 60, 61, 62, 0};
    const int pilm37[64] = {0, 0, 17, 10, 3, 4, 0, 0, 0, 25, 18, 19, 11, 12, 5, 0, 33, 34, 26, 27, 20, 13, 14, 6, 41, 42, 35, 28, 29, 21, 22, 15, 50, 43, 44, 36, 37, 30, 23, 24, 59, 51, 52, 45, 38, 39, 31, 32, 0, 60, 53, 54, 46, 47, 40, 0, 0, 0, 61, 62, 55, 48, 0, 0};
    PetscReal im8[64], r8[64];
    PetscBool pil = PETSC_TRUE;

    for (PetscInt k = 0; k < 64; k++) im8[k] = (PetscReal)(k + 1);
    PetscCall(KNImageTransform(1, 8, 8, 10.0, 0, 0, KN_INTERP_NEAREST, im8, r8));
    for (PetscInt k = 0; k < 64; k++) pil = (PetscBool)(pil && r8[k] == pil10[k]);
    PetscCall(KNImageTransform(1, 8, 8, -37.0, 0, 0, KN_INTERP_NEAREST, im8, r8));
    for (PetscInt k = 0; k < 64; k++) pil = (PetscBool)(pil && r8[k] == pilm37[k]);
    PetscCall(KNTestOk(t, pil, "nearest rotations by 10 and -37 degrees equal Pillow's Image.rotate (torchvision's RandomRotation on PIL images)"));
  }
  {
    PetscReal ones[784], rot[784], hi = 0;
    PetscInt  inner = 0;

    for (PetscInt k = 0; k < 784; k++) ones[k] = 1.0;
    for (PetscInt a = 1; a < 30; a++) {
      PetscCall(KNImageTransform(1, 28, 28, 1.37 * a, 0, 0, KN_INTERP_BILINEAR, ones, rot));
      for (PetscInt k = 0; k < 784; k++) hi = PetscMax(hi, rot[k]);
      inner += rot[14 * 28 + 14] == 1.0;
    }
    PetscCall(KNTestOk(t, (PetscBool)(hi == 1.0 && inner == 29), "bilinear rotations of an all-ones 28 x 28 image never exceed 1 (no round-off overshoot) and keep the centre at 1"));
  }
  EXPECT_ERROR(t, PETSC_ERR_ARG_IDN, KNImageTransform(1, 4, 4, 10.0, 0, 0, KN_INTERP_NEAREST, in, in), "in-place transform (in == out) is an error");
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Random(KNTest *t)
{
  const PetscInt n = 40, F = 3 * 8 * 8;
  KNImageAugment aug = {3, 8, 8, 15.0, 0.1, KN_INTERP_NEAREST};
  KNDataset      ds;
  PetscInt       all[40], rev[40], sub[3] = {17, 3, 17};
  PetscReal     *a, *b, *c, *d;
  PetscBool      inrange = PETSC_TRUE, changed = PETSC_FALSE, batchfree;

  PetscFunctionBeginUser;
  PetscCall(RandomImages(n, 3, 8, 8, &ds));
  PetscCall(PetscMalloc4(n * F, &a, n * F, &b, n * F, &c, n * F, &d));
  for (PetscInt i = 0; i < n; i++) all[i] = i, rev[i] = n - 1 - i;
  PetscCall(KNDatasetAugmentImages(ds, &aug, 42, 7, n, all, a));
  PetscCall(KNDatasetAugmentImages(ds, &aug, 42, 7, n, all, b));
  PetscCall(KNTestOk(t, Same(n * F, a, b), "same (seed, step): bitwise the same batch"));
  PetscCall(KNDatasetAugmentImages(ds, &aug, 42, 8, n, all, c));
  PetscCall(KNDatasetAugmentImages(ds, &aug, 43, 7, n, all, d));
  PetscCall(KNTestOk(t, (PetscBool)(!Same(n * F, a, c) && !Same(n * F, a, d)), "another step or another seed draws other transforms"));
  /* the transform of a sample depends on its index only: reversed batch and a sub-batch with repeats agree */
  PetscCall(KNDatasetAugmentImages(ds, &aug, 42, 7, n, rev, c));
  batchfree = PETSC_TRUE;
  for (PetscInt i = 0; i < n; i++) batchfree = (PetscBool)(batchfree && Same(F, c + i * F, a + (n - 1 - i) * F));
  PetscCall(KNDatasetAugmentImages(ds, &aug, 42, 7, 3, sub, d));
  batchfree = (PetscBool)(batchfree && Same(F, d, a + 17 * F) && Same(F, d + F, a + 3 * F) && Same(F, d + 2 * F, a + 17 * F));
  PetscCall(KNTestOk(t, batchfree, "a sample's transform does not depend on its batch or position (so not on the rank count)"));
  for (PetscInt interp = 0; interp < 2; interp++) {
    aug.interp = (KNInterpolation)interp;
    PetscCall(KNDatasetAugmentImages(ds, &aug, 1, 1, n, all, a));
    for (PetscInt i = 0; i < n * F; i++) inrange = (PetscBool)(inrange && a[i] >= 0 && a[i] <= 1);
  }
  PetscCall(KNDatasetGetBatch(ds, all, n, b, NULL));
  for (PetscInt i = 0; i < n; i++) changed = (PetscBool)(changed || !Same(F, a + i * F, b + i * F));
  PetscCall(KNTestOk(t, (PetscBool)(inrange && changed), "MNIST-style ranges (15 degrees, 10%%): outputs stay in [0, 1] (nearest and bilinear) and change the images"));
  PetscCall(PetscFree4(a, b, c, d));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A single bright pixel in the middle of a 9 x 9 image, no rotation, translate 0.3 (|shift| <= 2.7 -> whole pixels
   -3..3): each output is the pixel moved by whole pixels, also with bilinear sampling; every shift -3..3 occurs in
   each direction (P(+3) = 0.2/5.4: missed in 400 draws with probability < 1e-6). */
static PetscErrorCode Shifts(KNTest *t)
{
  const PetscInt n = 400;
  KNImageAugment aug = {1, 9, 9, 0.0, 0.3, KN_INTERP_BILINEAR}, shape = {1, 8, 9, 0.0, 0.1, KN_INTERP_NEAREST};
  KNImageAugment angle = {1, 9, 9, 200.0, 0.1, KN_INTERP_NEAREST}, shift = {1, 9, 9, 10.0, -0.1, KN_INTERP_NEAREST};
  KNDataset      ds;
  PetscReal     *x, *out;
  PetscInt      *idx, seenx[7] = {0}, seeny[7] = {0}, kinds = 0;
  PetscBool      whole = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(n * 81, &x));
  PetscCall(PetscMalloc2(n * 81, &out, n, &idx));
  for (PetscInt i = 0; i < n; i++) x[i * 81 + 40] = 1.0, idx[i] = i;
  PetscCall(KNDatasetCreate(PETSC_COMM_WORLD, &ds));
  PetscCall(KNDatasetSetData(ds, n, 81, x, 0, NULL));
  PetscCall(KNDatasetAugmentImages(ds, &aug, 3, 0, n, idx, out));
  for (PetscInt i = 0; i < n; i++) {
    PetscInt ones = 0, where = -1;

    for (PetscInt k = 0; k < 81; k++) {
      if (out[i * 81 + k] == 1.0) ones++, where = k;
      else if (out[i * 81 + k] != 0.0) whole = PETSC_FALSE;
    }
    if (ones != 1) whole = PETSC_FALSE;
    else {
      const PetscInt dy = where / 9 - 4, dx = where % 9 - 4;

      if (PetscAbsInt(dx) > 3 || PetscAbsInt(dy) > 3) whole = PETSC_FALSE;
      else {
        kinds += !seenx[dx + 3]++;
        kinds += !seeny[dy + 3]++;
      }
    }
  }
  PetscCall(KNTestOk(t, whole, "translations are whole pixels within round(0.3 * 9) = 3 (bilinear sampling leaves a one-hot image one-hot)"));
  PetscCall(KNTestOk(t, (PetscBool)(kinds == 14), "every shift -3..3 occurs horizontally and vertically in 400 draws (%" PetscInt_FMT " of 14 seen)", kinds));
  EXPECT_ERROR(t, PETSC_ERR_ARG_SIZ, KNDatasetAugmentImages(ds, &shape, 3, 0, n, idx, out), "an image shape that does not match nfeat is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNDatasetAugmentImages(ds, &angle, 3, 0, n, idx, out), "a rotation range over 180 degrees is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNDatasetAugmentImages(ds, &shift, 3, 0, n, idx, out), "a negative translation fraction is an error");
  idx[5] = n;
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNDatasetAugmentImages(ds, &aug, 3, 0, n, idx, out), "a sample index outside 0..n-1 is an error");
  PetscCall(PetscFree(x));
  PetscCall(PetscFree2(out, idx));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(Identity(&t));
  PetscCall(Geometry(&t));
  PetscCall(Random(&t));
  PetscCall(Shifts(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
