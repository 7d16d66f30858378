static char help[] = "Dataset readers: CSV (header, separators, comments, gzip; ragged, non-numeric, empty, truncated files) and HDF5 (1-D, 2-D, N-D, labels; missing dataset, shape mismatch).\n";

#define _POSIX_C_SOURCE 200809L
#include "kntestfiles.h"
#include <hdf5.h>
#include <stdlib.h>
#include <zlib.h>

/* The TAP point passes if call fails (with code, if code != 0) on every rank and the message contains substr (if
   not NULL); the message follows as a TAP diagnostic line. */
static char        tmpdir[PETSC_MAX_PATH_LEN];
static PetscMPIInt rank;

static void TmpPath(const char name[], char path[])
{
  (void)PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", tmpdir, name);
}

/* Rank 0 writes the text to tmpdir/name (gzip-compressed if gz); every rank gets the path. */
static PetscErrorCode WriteText(const char name[], const char text[], PetscBool gz, char path[])
{
  PetscFunctionBeginUser;
  TmpPath(name, path);
  if (!rank) {
    size_t n = strlen(text);

    if (gz) {
      gzFile f = gzopen(path, "wb");

      PetscCheck(f && gzwrite(f, text, (unsigned)n) == (int)n && gzclose(f) == Z_OK, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    } else {
      FILE *f = fopen(path, "wb");

      PetscCheck(f && fwrite(text, 1, n, f) == n && !fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    }
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

/* ds has sizes (n, F, T) and exactly the values x (and y). */
static PetscBool Holds(KNDataset ds, PetscInt n, PetscInt F, PetscInt T, const PetscReal x[], const PetscReal y[])
{
  PetscInt         n_, F_, T_;
  const PetscReal *dx, *dy;

  if (KNDatasetGetSizes(ds, &n_, &F_, &T_) || KNDatasetGetData(ds, &dx, &dy)) return PETSC_FALSE;
  if (n_ != n || F_ != F || T_ != T) return PETSC_FALSE;
  for (PetscInt i = 0; i < n * F; i++)
    if (dx[i] != x[i]) return PETSC_FALSE;
  for (PetscInt i = 0; i < n * T; i++)
    if (dy[i] != y[i]) return PETSC_FALSE;
  return PETSC_TRUE;
}

static PetscErrorCode CSVGood(KNTest *t)
{
  const PetscReal x1[4] = {1, 2, 4.5, -0.6}, y1[2] = {3, 7}, x2[6] = {1, 2, 3, 4, 5, 6}, x3[2] = {1, 3}, y3[2] = {2, 4};
  char            path[PETSC_MAX_PATH_LEN];
  KNDataset       ds;
  const char     *name;
  PetscInt        nclass;

  PetscFunctionBeginUser;
  PetscCall(WriteText("header.csv", "x1,x2,y\n1,2,3\n4.5,-6e-1,7\n", PETSC_FALSE, path));
  PetscCall(KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds));
  PetscCall(KNDatasetGetName(ds, &name));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNTestOkAll(t, (PetscBool)(Holds(ds, 2, 2, 1, x1, y1) && name && !strcmp(name, "header.csv") && nclass == 0), "CSV with a header: 2 samples, 2 features + 1 target, exact values, named after the file"));
  PetscCall(KNDatasetDestroy(&ds));

  PetscCall(WriteText("plain.txt", "# a comment line\n1 2\t3\r\n\n   \n4 5 6   # trailing comment\n# 7 8 9\n", PETSC_FALSE, path));
  PetscCall(KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 0, &ds));
  PetscCall(KNTestOkAll(t, Holds(ds, 2, 3, 0, x2, NULL), "whitespace separated, no header, comments, blank lines, CRLF: 2 x 3, unlabelled"));
  PetscCall(KNDatasetDestroy(&ds));

  PetscCall(WriteText("semi.csv", "\xEF\xBB\xBF" "\"a\" ; \"b\"\n1;\"2\"\n 3 ; 4", PETSC_FALSE, path));
  PetscCall(KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds));
  PetscCall(KNTestOkAll(t, Holds(ds, 2, 1, 1, x3, y3), "semicolons, a byte order mark, a quoted header and cell, no final newline"));
  PetscCall(KNDatasetDestroy(&ds));

  PetscCall(WriteText("data.csv.gz", "x1,x2,y\n1,2,3\n4.5,-6e-1,7\n", PETSC_TRUE, path));
  PetscCall(KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds));
  PetscCall(KNTestOkAll(t, Holds(ds, 2, 2, 1, x1, y1), "a gzip-compressed CSV file reads the same"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CSVErrors(KNTest *t)
{
  char      path[PETSC_MAX_PATH_LEN];
  KNDataset ds = NULL;

  PetscFunctionBeginUser;
  PetscCall(WriteText("ragged.csv", "1,2,3\n4,5,6\n7,8\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "ragged.csv:3:", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a ragged row is an error naming file and line 3");
  PetscCall(WriteText("long.csv", "1,2\n3,4,5\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "long.csv:2:", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a row with an extra column is an error naming line 2");
  PetscCall(WriteText("word.csv", "a,b,c\n1,2,3\n4,x5,6\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "word.csv:3: column 2: \"x5\" is not a number", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a non-numeric cell is an error naming line 3, column 2 and the cell");
  PetscCall(WriteText("twoheaders.csv", "a,b\nc,d\n1,2\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "twoheaders.csv:2:", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "only the first line may be a header");
  PetscCall(WriteText("nan.csv", "1,nan\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "not a finite number", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a NaN cell is an error");
  PetscCall(WriteText("emptycell.csv", "1,,3\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "emptycell.csv:1: column 2 is empty", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "an empty cell is an error");
  PetscCall(WriteText("empty.csv", "", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "no data rows", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 0, &ds), "an empty file is an error");
  PetscCall(WriteText("onlyheader.csv", "# comment\nx,y\n\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "no data rows", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 0, &ds), "a file with only comments and a header is an error");
  PetscCall(WriteText("cut.csv", "1.5,2.5,3.5\n4.5,5.5,6.5\n7.5,8.", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "cut.csv:3:", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a truncated file (last row cut) is an error naming line 3");
  PetscCall(WriteText("cut2.csv", "1.5,2.5,3.5\n4.5,", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "truncated", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a file cut after a separator is an error that suggests truncation");
  PetscCall(WriteText("narrow.csv", "1,2\n3,4\n", PETSC_FALSE, path));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "leave no feature", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 2, &ds), "ntarget >= number of columns is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, NULL, KNDatasetLoadCSV(PETSC_COMM_WORLD, path, -1, &ds), "ntarget < 0 is an error");
  {
    char gzpath[PETSC_MAX_PATH_LEN];

    /* a gzip stream cut in the middle */
    PetscCall(WriteText("whole.csv.gz", "1,2,3\n4,5,6\n7,8,9\n10,11,12\n", PETSC_TRUE, gzpath));
    TmpPath("cut.csv.gz", path);
    if (!rank) {
      char   buf[4096];
      FILE  *f = fopen(gzpath, "rb");
      size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

      if (f) (void)fclose(f);
      f = fopen(path, "wb");
      PetscCheck(f && n > 20 && fwrite(buf, 1, n - 12, f) == n - 12 && !fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    }
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    EXPECT_ERROR(t, PETSC_ERR_FILE_READ, "truncated", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a truncated gzip file is an error");
  }
  TmpPath("missing.csv", path);
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, "missing.csv", KNDatasetLoadCSV(PETSC_COMM_WORLD, path, 1, &ds), "a missing file is PETSC_ERR_FILE_OPEN");
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, NULL, KNDatasetLoadCSV(PETSC_COMM_WORLD, tmpdir, 1, &ds), "a directory is PETSC_ERR_FILE_OPEN");
  PetscCall(KNTestOk(t, (PetscBool)(ds == NULL), "a failed load leaves the handle NULL"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 writes tmpdir/data.h5 with datasets of several shapes and types. */
static PetscErrorCode WriteH5(char path[])
{
  PetscFunctionBeginUser;
  TmpPath("data.h5", path);
  if (!rank) {
    const double x[6] = {1, 2, 3, 4, 5, 6}, z[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const float  x1[3] = {0.5f, 1.5f, 2.5f};
    const int    y[3] = {2, 0, 1}, y4[4] = {0, 1, 2, 3}, yneg[3] = {-1, 0, 1};
    hsize_t      d2[2] = {3, 2}, d1[1] = {3}, d4[1] = {4}, d3[3] = {3, 2, 2};
    hid_t        f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), g, s, d, st;
    herr_t       e = 0;

    PetscCheck(f >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot create %s", path);
#define KN_WRITE(loc, name, ndim, dims, ftype, mtype, buf) \
  do { \
    s = H5Screate_simple(ndim, dims, NULL); \
    d = H5Dcreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT); \
    e |= H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf); \
    e |= H5Dclose(d) | H5Sclose(s); \
  } while (0)
    KN_WRITE(f, "x", 2, d2, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, x);
    KN_WRITE(f, "x1", 1, d1, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, x1);
    KN_WRITE(f, "y", 1, d1, H5T_STD_I32LE, H5T_NATIVE_INT, y);
    KN_WRITE(f, "yneg", 1, d1, H5T_STD_I32LE, H5T_NATIVE_INT, yneg);
    KN_WRITE(f, "y4", 1, d4, H5T_STD_I32LE, H5T_NATIVE_INT, y4);
    KN_WRITE(f, "img", 3, d3, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, z);
    g = H5Gcreate2(f, "train", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    KN_WRITE(g, "x", 2, d2, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, x);
    e |= H5Gclose(g);
    st = H5Tcopy(H5T_C_S1);
    e |= H5Tset_size(st, 4);
    {
      const char str[12] = "abcdefghijk";
      KN_WRITE(f, "s", 1, d1, st, st, str);
    }
    e |= H5Tclose(st);
#undef KN_WRITE
    e |= H5Fclose(f);
    PetscCheck(e >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "writing %s failed", path);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode HDF5(KNTest *t)
{
  const PetscReal x[6] = {1, 2, 3, 4, 5, 6}, y[3] = {2, 0, 1}, x1[3] = {0.5, 1.5, 2.5}, z[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, yneg[3] = {-1, 0, 1};
  char            path[PETSC_MAX_PATH_LEN], bad[PETSC_MAX_PATH_LEN];
  KNDataset       ds = NULL;
  PetscInt        nclass;

  PetscFunctionBeginUser;
  PetscCall(WriteH5(path));
  PetscCall(KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "x", "y", &ds));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNTestOkAll(t, (PetscBool)(Holds(ds, 3, 2, 1, x, y) && nclass == 3), "HDF5 2-D float64 features and 1-D int32 labels: 3 x 2, 3 classes (integer targets are class labels)"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "x1", NULL, &ds));
  PetscCall(KNTestOkAll(t, Holds(ds, 3, 1, 0, x1, NULL), "HDF5 1-D float32 features, no targets: 3 x 1"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "/train/x", "x1", &ds));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNTestOkAll(t, (PetscBool)(Holds(ds, 3, 2, 1, x, x1) && nclass == 0), "HDF5 dataset in a group; float targets are regression values"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "img", "yneg", &ds));
  PetscCall(KNDatasetGetNumClasses(ds, &nclass));
  PetscCall(KNTestOkAll(t, (PetscBool)(Holds(ds, 3, 4, 1, z, yneg) && nclass == 0), "HDF5 3 x 2 x 2 images flatten to 4 features in C order; negative integer targets are not labels"));
  PetscCall(KNDatasetDestroy(&ds));

  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "has no dataset nope", KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "nope", NULL, &ds), "a missing features dataset is an error naming it");
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "has no dataset /a/b", KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "x", "/a/b", &ds), "a missing targets dataset in a missing group is an error");
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "samples", KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "x", "y4", &ds), "features and targets with different row counts (3 vs 4) are an error");
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "integers or floating-point", KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "s", NULL, &ds), "a string dataset is an error");
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "not a dataset", KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "train", NULL, &ds), "a group given as a dataset is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_NULL, NULL, KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, NULL, NULL, &ds), "no features dataset name is an error");
  PetscCall(WriteText("garbage.h5", "this is not HDF5\n", PETSC_FALSE, bad));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "garbage.h5", KNDatasetLoadHDF5(PETSC_COMM_WORLD, bad, "x", NULL, &ds), "a file that is not HDF5 is an error");
  TmpPath("missing.h5", bad);
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, "missing.h5", KNDatasetLoadHDF5(PETSC_COMM_WORLD, bad, "x", NULL, &ds), "a missing HDF5 file is PETSC_ERR_FILE_OPEN");
  PetscCall(KNTestOk(t, (PetscBool)(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0), "no HDF5 objects left open after the error paths"));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t510", tmpdir, sizeof(tmpdir)));
  PetscCall(CSVGood(&t));
  PetscCall(CSVErrors(&t));
  PetscCall(HDF5(&t));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, tmpdir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
