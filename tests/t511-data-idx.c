static char help[] = "MNIST idx reader: small plain and gzip'd files read back exactly; bad magic, truncated, extra bytes, label/image count mismatch are errors on every rank; Debian's Fashion-MNIST t10k set if installed.\n";

#define _POSIX_C_SOURCE 200809L
#include "kntestfiles.h"
#include <stdlib.h>
#include <zlib.h>

#define FASHION "/usr/share/datasets/fashion-mnist"

static char        tmpdir[PETSC_MAX_PATH_LEN];
static PetscMPIInt rank;

/* Rank 0 writes n bytes to tmpdir/name (gzip'd if gz); every rank gets the path. */
static PetscErrorCode WriteBytes(const char name[], const unsigned char *b, size_t n, PetscBool gz, char path[])
{
  PetscFunctionBeginUser;
  (void)PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", tmpdir, name);
  if (!rank) {
    if (gz) {
      gzFile f = gzopen(path, "wb");

      PetscCheck(f && gzwrite(f, b, (unsigned)n) == (int)n && gzclose(f) == Z_OK, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    } else {
      FILE *f = fopen(path, "wb");

      PetscCheck(f && fwrite(b, 1, n, f) == n && !fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    }
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

static void Put32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

/* An idx3 image file of n images of r x c pixels, pixel (i, h, w) = (37 i + 11 h + 3 w) mod 256, and an idx1 label
   file; returns their sizes. */
static void MakeIDX(uint32_t n, uint32_t r, uint32_t c, const unsigned char lab[], uint32_t nlab, unsigned char img[], size_t *nimg, unsigned char lb[], size_t *nlb)
{
  Put32(img, 0x00000803);
  Put32(img + 4, n);
  Put32(img + 8, r);
  Put32(img + 12, c);
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t h = 0; h < r; h++)
      for (uint32_t w = 0; w < c; w++) img[16 + (i * r + h) * c + w] = (unsigned char)((37 * i + 11 * h + 3 * w) % 256);
  *nimg = 16 + (size_t)n * r * c;
  Put32(lb, 0x00000801);
  Put32(lb + 4, nlab);
  for (uint32_t i = 0; i < nlab; i++) lb[8 + i] = lab[i];
  *nlb = 8 + nlab;
}

/* ds holds n images of r x c pixels from MakeIDX, byte/255 in row-major order, and the labels lab (if not NULL). */
static PetscBool HoldsIDX(KNDataset ds, PetscInt n, PetscInt r, PetscInt c, const unsigned char lab[])
{
  PetscInt         n_, F, T;
  const PetscReal *x, *y;

  if (KNDatasetGetSizes(ds, &n_, &F, &T) || KNDatasetGetData(ds, &x, &y)) return PETSC_FALSE;
  if (n_ != n || F != r * c || T != (lab ? 1 : 0)) return PETSC_FALSE;
  for (PetscInt i = 0; i < n; i++) {
    for (PetscInt h = 0; h < r; h++)
      for (PetscInt w = 0; w < c; w++)
        if (x[i * F + h * c + w] != (PetscReal)((37 * i + 11 * h + 3 * w) % 256) / 255.0) return PETSC_FALSE;
    if (lab && y[i] != (PetscReal)lab[i]) return PETSC_FALSE;
  }
  return PETSC_TRUE;
}

static PetscErrorCode SmallFiles(KNTest *t)
{
  const unsigned char lab[3] = {7, 0, 9}, lab12[3] = {11, 0, 1};
  unsigned char       img[16 + 3 * 4 * 5], lb[8 + 3], tmp[16 + 3 * 4 * 5 + 8];
  size_t              nimg, nlb;
  char                ip[PETSC_MAX_PATH_LEN], lp[PETSC_MAX_PATH_LEN], bad[PETSC_MAX_PATH_LEN];
  KNDataset           ds = NULL;
  PetscInt            nclass;
  const char         *name;

  PetscFunctionBeginUser;
  MakeIDX(3, 4, 5, lab, 3, img, &nimg, lb, &nlb);
  PetscCall(WriteBytes("img-idx3-ubyte", img, nimg, PETSC_FALSE, ip));
  PetscCall(WriteBytes("lab-idx1-ubyte", lb, nlb, PETSC_FALSE, lp));
  PetscCall(KNDatasetLoadIDX(PETSC_COMM_WORLD, ip, lp, &ds));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNDatasetGetName(ds, &name));
  PetscCall(KNTestOkAll(t, (PetscBool)(HoldsIDX(ds, 3, 4, 5, lab) && nclass == 10 && name && !strcmp(name, "img-idx3-ubyte")), "plain idx: 3 images of 4 x 5, pixels byte/255 row-major (feature h*W + w), labels 7 0 9, 10 classes"));
  PetscCall(KNDatasetDestroy(&ds));

  PetscCall(WriteBytes("img-idx3-ubyte.gz", img, nimg, PETSC_TRUE, ip));
  PetscCall(WriteBytes("lab-idx1-ubyte.gz", lb, nlb, PETSC_TRUE, lp));
  PetscCall(KNDatasetLoadIDX(PETSC_COMM_WORLD, ip, lp, &ds));
  PetscCall(KNTestOkAll(t, HoldsIDX(ds, 3, 4, 5, lab), "gzip'd idx files read back the same values"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetLoadIDX(PETSC_COMM_WORLD, ip, NULL, &ds));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNTestOkAll(t, (PetscBool)(HoldsIDX(ds, 3, 4, 5, NULL) && nclass == 0), "images without labels: no targets"));
  PetscCall(KNDatasetDestroy(&ds));

  MakeIDX(3, 4, 5, lab12, 3, img, &nimg, lb, &nlb);
  PetscCall(WriteBytes("lab12-idx1-ubyte", lb, nlb, PETSC_FALSE, lp));
  PetscCall(KNDatasetLoadIDX(PETSC_COMM_WORLD, ip, lp, &ds));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNTestOkAll(t, (PetscBool)(HoldsIDX(ds, 3, 4, 5, lab12) && nclass == 12), "a label 11 gives 12 classes"));
  PetscCall(KNDatasetDestroy(&ds));

  /* errors */
  MakeIDX(3, 4, 5, lab, 3, img, &nimg, lb, &nlb);
  PetscCall(WriteBytes("img-idx3-ubyte", img, nimg, PETSC_FALSE, ip));
  PetscCall(WriteBytes("lab-idx1-ubyte", lb, nlb, PETSC_FALSE, lp));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "label file given as images", KNDatasetLoadIDX(PETSC_COMM_WORLD, lp, ip, &ds), "images and labels swapped: bad magic numbers, error says so");
  PetscCall(PetscArraycpy(tmp, img, nimg));
  Put32(tmp, 0x12345678);
  PetscCall(WriteBytes("garbage", tmp, nimg, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "not an idx file (magic number 0x12345678", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "a wrong magic number is an error naming it");
  Put32(tmp, 0x00000D03);
  PetscCall(WriteBytes("floats", tmp, nimg, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "element type 0x0d", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "float idx data (type 0x0D) is an error");
  PetscCall(WriteBytes("cut-idx3-ubyte", img, nimg - 1, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "truncated", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "an image file one byte short is an error (truncated)");
  PetscCall(WriteBytes("cut.gz", img, nimg - 7, PETSC_TRUE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "truncated", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "a gzip'd image file with too few pixels is an error (truncated)");
  PetscCall(WriteBytes("header-idx3-ubyte", img, 10, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "header is cut off", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "a file cut inside the header is an error");
  PetscCall(WriteBytes("empty", img, 0, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "too short", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "an empty file is an error");
  PetscCall(PetscArraycpy(tmp, img, nimg));
  PetscCall(PetscArrayzero(tmp + nimg, 8));
  PetscCall(WriteBytes("long-idx3-ubyte", tmp, nimg + 8, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "8 bytes follow", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "extra bytes after the data are an error");
  Put32(tmp, 0x00000803);
  Put32(tmp + 4, 0);
  PetscCall(WriteBytes("zero-idx3-ubyte", tmp, 16, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "no data", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, NULL, &ds), "zero images is an error");
  MakeIDX(3, 4, 5, lab, 2, img, &nimg, lb, &nlb);
  PetscCall(WriteBytes("lab2-idx1-ubyte", lb, nlb, PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "holds 2 labels but image file", KNDatasetLoadIDX(PETSC_COMM_WORLD, ip, bad, &ds), "2 labels for 3 images is an error");
  {
    unsigned char gzbuf[4096];
    char          whole[PETSC_MAX_PATH_LEN];

    /* a gzip stream cut in its middle (not just short data inside a complete stream) */
    MakeIDX(3, 4, 5, lab, 3, img, &nimg, lb, &nlb);
    PetscCall(WriteBytes("whole.gz", img, nimg, PETSC_TRUE, whole));
    if (!rank) {
      FILE  *f = fopen(whole, "rb");
      size_t n = f ? fread(gzbuf, 1, sizeof(gzbuf), f) : 0;

      if (f) (void)fclose(f);
      PetscCheck(n > 30, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s", whole);
      PetscCall(WriteBytes("stream-cut.gz", gzbuf, n / 2, PETSC_FALSE, bad));
    } else PetscCall(WriteBytes("stream-cut.gz", gzbuf, 0, PETSC_FALSE, bad));
    EXPECT_ERROR(t, 0, "truncated", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, lp, &ds), "a gzip stream cut in half is an error (truncated)");
  }
  (void)PetscSNPrintf(bad, sizeof(bad), "%s/missing-idx3-ubyte.gz", tmpdir);
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, "missing-idx3-ubyte.gz", KNDatasetLoadIDX(PETSC_COMM_WORLD, bad, NULL, &ds), "a missing file is PETSC_ERR_FILE_OPEN");
  PetscCall(KNTestOk(t, (PetscBool)(ds == NULL), "failed loads leave the handle NULL"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Debian's dataset-fashion-mnist: the t10k set is 10000 images of 28 x 28, 1000 per class. */
static PetscErrorCode Fashion(KNTest *t)
{
  PetscBool        have;
  KNDataset        ds;
  PetscInt         n, F, T, nclass, cnt[10] = {0}, bad = 0;
  const PetscReal *x, *y;
  PetscReal        lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL, sum = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscTestFile(FASHION "/t10k-images-idx3-ubyte.gz", 'r', &have));
  {
    PetscMPIInt h = have ? 1 : 0;

    PetscCallMPI(MPI_Bcast(&h, 1, MPI_INT, 0, PETSC_COMM_WORLD));
    have = h ? PETSC_TRUE : PETSC_FALSE;
  }
  if (!have) {
    PetscCall(KNTestOk(t, PETSC_TRUE, "# SKIP " FASHION " not installed (apt-get install dataset-fashion-mnist)"));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNDatasetLoadIDX(PETSC_COMM_WORLD, FASHION "/t10k-images-idx3-ubyte.gz", FASHION "/t10k-labels-idx1-ubyte.gz", &ds));
  PetscCall(KNDatasetGetSizes(ds, &n, &F, &T));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNDatasetGetData(ds, &x, &y));
  for (PetscInt i = 0; i < n * F; i++) {
    lo = PetscMin(lo, x[i]);
    hi = PetscMax(hi, x[i]);
    sum += x[i];
  }
  for (PetscInt i = 0; i < n * T; i++) {
    if (y[i] >= 0 && y[i] < 10) cnt[(PetscInt)y[i]]++;
    else bad++;
  }
  PetscCall(KNTestOkAll(t, (PetscBool)(n == 10000 && F == 784 && T == 1 && nclass == 10), "Fashion-MNIST t10k: 10000 x 784, one label, 10 classes"));
  PetscCall(KNTestOkAll(t, (PetscBool)(lo == 0 && hi == 1), "Fashion-MNIST pixels span [0, 1] exactly (min %g, max %g)", (double)lo, (double)hi));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "#   mean pixel %.6f\n", (double)(sum / (n * F))));
  {
    PetscBool even = (PetscBool)!bad;

    for (PetscInt k = 0; k < 10; k++) even = (PetscBool)(even && cnt[k] == 1000);
    PetscCall(KNTestOkAll(t, even, "Fashion-MNIST t10k labels: 1000 of each class 0..9"));
  }
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t511", tmpdir, sizeof(tmpdir)));
  PetscCall(SmallFiles(&t));
  PetscCall(Fashion(&t));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, tmpdir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
