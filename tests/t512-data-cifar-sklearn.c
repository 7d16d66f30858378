static char help[] = "CIFAR-10 binary batches (channel-major features, [0,1], several files; bad sizes and labels are errors) and scikit-learn's diabetes and digits from Debian's python3-sklearn.\n";

#define _POSIX_C_SOURCE 200809L
#include "kntestfiles.h"
#include <stdlib.h>

#define SKLEARN_DIR "/usr/lib/python3/dist-packages/sklearn/datasets/data"

static char        tmpdir[PETSC_MAX_PATH_LEN];
static PetscMPIInt rank;

static PetscErrorCode WriteBytes(const char name[], const unsigned char *b, size_t n, char path[])
{
  PetscFunctionBeginUser;
  (void)PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", tmpdir, name);
  if (!rank) {
    FILE *f = fopen(path, "wb");

    PetscCheck(f && (!n || fwrite(b, 1, n, f) == n) && !fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Pixel byte of record i (global), channel c, row h, column w. */
static unsigned char Pixel(PetscInt i, PetscInt c, PetscInt h, PetscInt w)
{
  return (unsigned char)((101 * i + 59 * c + 7 * h + 3 * w) % 256);
}

static void MakeRecords(PetscInt first, PetscInt n, const unsigned char lab[], unsigned char *buf)
{
  for (PetscInt r = 0; r < n; r++) {
    unsigned char *rec = buf + r * 3073;

    rec[0] = lab[r];
    for (PetscInt c = 0; c < 3; c++)
      for (PetscInt h = 0; h < 32; h++)
        for (PetscInt w = 0; w < 32; w++) rec[1 + c * 1024 + h * 32 + w] = Pixel(first + r, c, h, w);
  }
}

static PetscErrorCode CIFAR(KNTest *t)
{
  const unsigned char la[2] = {3, 9}, lb[1] = {0}, l10[1] = {10};
  unsigned char      *buf;
  char                pa[PETSC_MAX_PATH_LEN], pb[PETSC_MAX_PATH_LEN], bad[PETSC_MAX_PATH_LEN];
  const char         *files[2] = {pa, pb}, *badfiles[2];
  KNDataset           ds = NULL;
  PetscInt            n, F, T, nclass;
  const PetscReal    *x, *y;
  PetscBool           ok = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(3 * 3073, &buf));
  MakeRecords(0, 2, la, buf);
  PetscCall(WriteBytes("data_batch_1.bin", buf, 2 * 3073, pa));
  MakeRecords(2, 1, lb, buf);
  PetscCall(WriteBytes("data_batch_2.bin", buf, 3073, pb));
  PetscCall(KNDatasetLoadCIFAR(PETSC_COMM_WORLD, 2, files, &ds));
  PetscCall(KNDatasetGetSizes(ds, &n, &F, &T));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNDatasetGetData(ds, &x, &y));
  PetscCall(KNTestOkAll(t, (PetscBool)(n == 3 && F == 3072 && T == 1 && nclass == 10), "two CIFAR-10 batch files (2 + 1 records): 3 x 3072, 10 classes"));
  for (PetscInt i = 0; ok && i < n; i++)
    for (PetscInt c = 0; c < 3; c++)
      for (PetscInt h = 0; h < 32; h++)
        for (PetscInt w = 0; w < 32; w++) ok = (PetscBool)(ok && x[i * 3072 + c * 1024 + h * 32 + w] == (PetscReal)Pixel(i, c, h, w) / 255.0);
  PetscCall(KNTestOkAll(t, ok, "features channel-major: feature c*1024 + h*32 + w = pixel(c, h, w)/255, records in file order"));
  PetscCall(KNTestOkAll(t, (PetscBool)(y[0] == 3 && y[1] == 9 && y[2] == 0), "labels 3 9 0 in file order"));
  PetscCall(KNDatasetDestroy(&ds));

  MakeRecords(0, 2, la, buf);
  PetscCall(WriteBytes("short.bin", buf, 2 * 3073 - 1, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "6145 bytes is not a whole number of 3073-byte records", KNDatasetLoadCIFAR(PETSC_COMM_WORLD, 1, (const char *const[]){bad}, &ds), "a file of 2*3073 - 1 bytes is an error");
  PetscCall(WriteBytes("empty.bin", buf, 0, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "is empty", KNDatasetLoadCIFAR(PETSC_COMM_WORLD, 1, (const char *const[]){bad}, &ds), "an empty file is an error");
  MakeRecords(0, 1, l10, buf);
  PetscCall(WriteBytes("label10.bin", buf, 3073, bad));
  badfiles[0] = pa;
  badfiles[1] = bad;
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "label10.bin: record 0 has label 10", KNDatasetLoadCIFAR(PETSC_COMM_WORLD, 2, badfiles, &ds), "a label 10 is an error naming the file and record");
  (void)PetscSNPrintf(bad, sizeof(bad), "%s/missing.bin", tmpdir);
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, "missing.bin", KNDatasetLoadCIFAR(PETSC_COMM_WORLD, 2, badfiles, &ds), "a missing second file is PETSC_ERR_FILE_OPEN");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, NULL, KNDatasetLoadCIFAR(PETSC_COMM_WORLD, 0, files, &ds), "nfiles = 0 is an error");
  PetscCall(KNTestOk(t, (PetscBool)(ds == NULL), "failed loads leave the handle NULL"));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Sklearn(KNTest *t)
{
  /* sklearn.datasets.load_diabetes().data[0] and [441] (scikit-learn 1.2.1, scaled=True) */
  const PetscReal  d0[10]   = {0.038075906433423026, 0.050680118739818619, 0.061696206518683294, 0.0218723855140367, -0.044223498424445992, -0.03482076283769895, -0.043400845652024907, -0.002592261998183278, 0.019907486170462722, -0.01764612515980379};
  const PetscReal  d441[10] = {-0.045472477940023646, -0.044641636506989144, -0.073030302716416653, -0.08141314376144114, 0.083740117388258248, 0.027808929520208008, 0.17381578478910462, -0.039493382874093291, -0.0042215139381076502, 0.0030644094143684884};
  PetscBool        have;
  KNDataset        ds = NULL;
  PetscInt         n, F, T, nclass, cnt[10] = {0};
  const PetscReal *x, *y;
  PetscReal        err = 0, lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;
  const char      *name;

  PetscFunctionBeginUser;
  EXPECT_ERROR(t, PETSC_ERR_ARG_UNKNOWN_TYPE, "valid names are diabetes, digits", KNDatasetLoadSklearn(PETSC_COMM_WORLD, "iris", &ds), "an unknown name is an error listing the valid ones");
  PetscCall(PetscOptionsSetValue(NULL, "-kn_sklearn_data_dir", "/nonexistent/sklearn/data"));
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, "install Debian's python3-sklearn", KNDatasetLoadSklearn(PETSC_COMM_WORLD, "digits", &ds), "missing files are an error saying which package to install");
  PetscCall(PetscOptionsClearValue(NULL, "-kn_sklearn_data_dir"));

  PetscCall(PetscTestFile(SKLEARN_DIR "/diabetes_data_raw.csv.gz", 'r', &have));
  {
    PetscMPIInt h = have ? 1 : 0;

    PetscCallMPI(MPI_Bcast(&h, 1, MPI_INT, 0, PETSC_COMM_WORLD));
    have = h ? PETSC_TRUE : PETSC_FALSE;
  }
  if (!have) {
    PetscCall(KNTestOk(t, PETSC_TRUE, "# SKIP scikit-learn diabetes: python3-sklearn is not installed (" SKLEARN_DIR ")"));
    PetscCall(KNTestOk(t, PETSC_TRUE, "# SKIP scikit-learn digits: python3-sklearn is not installed"));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNDatasetLoadSklearn(PETSC_COMM_WORLD, "diabetes", &ds));
  PetscCall(KNDatasetGetSizes(ds, &n, &F, &T));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNDatasetGetData(ds, &x, &y));
  PetscCall(KNDatasetGetName(ds, &name));
  for (PetscInt k = 0; n == 442 && F == 10 && k < 10; k++) err = PetscMax(err, PetscMax(PetscAbsReal(x[k] - d0[k]), PetscAbsReal(x[441 * 10 + k] - d441[k])));
  PetscCall(KNTestOkAll(t, (PetscBool)(n == 442 && F == 10 && T == 1 && nclass == 0 && !strcmp(name, "diabetes")), "diabetes: 442 x 10 features, 1 regression target"));
  PetscCall(KNTestOkAll(t, (PetscBool)(n == 442 && err < 1e-15 && y[0] == 151 && y[1] == 75 && y[441] == 57), "diabetes: rows 0 and 441 equal sklearn's load_diabetes() (max difference %g), targets 151, 75, ..., 57", (double)err));
  PetscCall(KNDatasetDestroy(&ds));

  PetscCall(KNDatasetLoadSklearn(PETSC_COMM_WORLD, "digits", &ds));
  PetscCall(KNDatasetGetSizes(ds, &n, &F, &T));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNDatasetGetData(ds, &x, &y));
  for (PetscInt i = 0; i < n * F; i++) lo = PetscMin(lo, x[i]), hi = PetscMax(hi, x[i]);
  for (PetscInt i = 0; i < n * T; i++) cnt[(PetscInt)y[i] % 10]++;
  PetscCall(KNTestOkAll(t, (PetscBool)(n == 1797 && F == 64 && T == 1 && nclass == 10 && lo == 0 && hi == 1), "digits: 1797 x 64 in [0, 1] (min %g, max %g), 10 classes", (double)lo, (double)hi));
  PetscCall(KNTestOkAll(t, (PetscBool)(n == 1797 && x[2] == 5.0 / 16 && x[3] == 13.0 / 16 && y[0] == 0 && y[1] == 1 && y[4] == 4 && cnt[0] == 178 && cnt[8] == 174), "digits: first image starts 0 0 5 13 (/16), labels 0 1 2 3 4 ..., 178 zeros and 174 eights as load_digits()"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t512", tmpdir, sizeof(tmpdir)));
  PetscCall(CIFAR(&t));
  PetscCall(Sklearn(&t));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, tmpdir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
