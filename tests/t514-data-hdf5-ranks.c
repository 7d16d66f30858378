static char help[] = "HDF5 data read collectively (src/data/reader_hdf5.c): every rank reads a block of the rows as a hyperslab and the\n"
                     "blocks are gathered; on 1, 2 and 4 ranks the dataset is bitwise the file's, KNDatasetLoadHDF5Rows reads a row\n"
                     "range only, a NaN in any rank's block is one error on every rank naming its row and column.\n";

#include "kntestfiles.h"
#include <hdf5.h>

#define N_ 1001

/* Rank 0 writes x: N_ x 3 x 2 float32 images with x[i][c][k] = i + c/4 + k/8 (exact in float32), y: int32 i % 7; with
   nan_row >= 0 one value of that row is NaN. */
static PetscErrorCode WriteData(const char path[], PetscInt nan_row)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) {
    hsize_t dx[3] = {N_, 3, 2}, dy[1] = {N_};
    float  *x;
    int    *y;
    hid_t   fid = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), sx = H5Screate_simple(3, dx, NULL), sy = H5Screate_simple(1, dy, NULL), d1, d2;

    PetscCall(PetscMalloc2(6 * N_, &x, N_, &y));
    for (PetscInt i = 0; i < N_; i++) {
      for (PetscInt j = 0; j < 6; j++) x[6 * i + j] = (float)i + (float)(j / 2) / 4.0f + (float)(j % 2) / 8.0f;
      y[i] = (int)(i % 7);
    }
    if (nan_row >= 0) x[6 * nan_row + 5] = NAN;
    d1 = H5Dcreate2(fid, "x", H5T_IEEE_F32LE, sx, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    d2 = H5Dcreate2(fid, "y", H5T_STD_I32LE, sy, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    PetscCheck(d1 >= 0 && d2 >= 0 && H5Dwrite(d1, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0 && H5Dwrite(d2, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 setup failed");
    (void)H5Dclose(d1), (void)H5Dclose(d2), (void)H5Sclose(sx), (void)H5Sclose(sy), (void)H5Fclose(fid);
    PetscCall(PetscFree2(x, y));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

/* ds holds rows r0 .. r0+n-1 of the file, bit for bit, with its 7 classes (or fewer in a short range). */
static PetscBool Holds(KNDataset ds, PetscInt r0, PetscInt n)
{
  PetscInt         m, nf, nt;
  const PetscReal *x, *y;
  PetscBool        ok;

  if (KNDatasetGetSizes(ds, &m, &nf, &nt) || KNDatasetGetData(ds, &x, &y)) return PETSC_FALSE;
  ok = (PetscBool)(m == n && nf == 6 && nt == 1);
  for (PetscInt i = 0; ok && i < n; i++) {
    for (PetscInt j = 0; j < 6; j++) ok = (PetscBool)(ok && x[6 * i + j] == (PetscReal)((float)(r0 + i) + (float)(j / 2) / 4.0f + (float)(j % 2) / 8.0f));
    ok = (PetscBool)(ok && y[i] == (PetscReal)((r0 + i) % 7));
  }
  return ok;
}

int main(int argc, char **argv)
{
  KNTest      t;
  KNDataset   ds = NULL;
  char        dir[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN + 16];
  PetscInt    K;
  PetscMPIInt size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t514", dir, sizeof(dir)));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/data.h5", dir));
  PetscCall(WriteData(path, -1));
  PetscCall(KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "x", "y", &ds));
  PetscCall(KNDatasetGetNumClasses(ds, &K));
  PetscCall(KNTestOkAll(&t, (PetscBool)(Holds(ds, 0, N_) && K == 7), "%d rank(s): the %d x 3 x 2 float32 images and int32 labels, read in blocks and gathered, are the file's bits on every rank (7 classes)", size, N_));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetLoadHDF5Rows(PETSC_COMM_WORLD, path, "x", "y", 500, 37, &ds));
  PetscCall(KNTestOkAll(&t, Holds(ds, 500, 37), "KNDatasetLoadHDF5Rows(500, 37): rows 500..536 only"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetLoadHDF5Rows(PETSC_COMM_WORLD, path, "x", "y", 998, PETSC_DETERMINE, &ds));
  PetscCall(KNTestOkAll(&t, Holds(ds, 998, 3), "KNDatasetLoadHDF5Rows(998, PETSC_DETERMINE): the last 3 rows (fewer rows than 4 ranks)"));
  PetscCall(KNDatasetDestroy(&ds));
  EXPECT_ERROR(&t, PETSC_ERR_ARG_OUTOFRANGE, "rows 990..1009", KNDatasetLoadHDF5Rows(PETSC_COMM_WORLD, path, "x", "y", 990, 20, &ds), "a row range past the end is refused on every rank");
  PetscCall(WriteData(path, 999));
  EXPECT_ERROR(&t, PETSC_ERR_FILE_UNEXPECTED, "row 999, column 5 is not a finite number", KNDatasetLoadHDF5(PETSC_COMM_WORLD, path, "x", "y", &ds), "a NaN in row 999 (the last rank's block): one error on every rank naming row and column");
  PetscCall(KNDatasetLoadHDF5Rows(PETSC_COMM_WORLD, path, "x", "y", 0, 999, &ds));
  PetscCall(KNTestOkAll(&t, Holds(ds, 0, 999), "rows 0..998 read without the NaN row: the bad value is never read"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNTestOk(&t, (PetscBool)(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0), "no HDF5 objects left open"));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, dir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
