/* knet helpers: matrix input (through the dataset readers), atomic CSV output, the -help net. */
#include "knet.h"

/* Inputs through the dataset readers: CSV/text (KNDatasetLoadCSV, no targets) or an HDF5 dataset (.h5/.hdf5).
   Every rank gets the samples x features matrix; errors name the file and line. */
PetscErrorCode KNetReadMatrix(MPI_Comm comm, const char file[], const char dset[], PetscInt *n, PetscInt *m, PetscReal **a)
{
  KNDataset        ds;
  const PetscReal *x;
  PetscInt         nt;
  size_t           len;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(file, &len));
  if ((len > 3 && !strcmp(file + len - 3, ".h5")) || (len > 5 && !strcmp(file + len - 5, ".hdf5"))) PetscCall(KNDatasetLoadHDF5(comm, file, dset, NULL, &ds));
  else PetscCall(KNDatasetLoadCSV(comm, file, 0, &ds));
  PetscCall(KNDatasetGetSizes(ds, n, m, &nt));
  PetscCall(KNDatasetGetData(ds, &x, NULL));
  PetscCall(PetscMalloc1(*n * *m, a));
  PetscCall(PetscArraycpy(*a, x, *n * *m));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* For -help without a model: a throwaway one-layer net makes every option group print itself. */
PetscErrorCode KNetHelpNet(MPI_Comm comm)
{
  KNNet    net;
  KNGraph  g;
  KNDevice d;

  PetscFunctionBegin;
  PetscCall(KNGraphCreateFullyConnected(comm, 3, PETSC_TRUE, 1, 1, &g));
  PetscCall(KNDeviceCreate(comm, &d));
  PetscCall(KNDeviceSetFromOptions(d));
  PetscCall(KNNetCreate(comm, &net));
  PetscCall(KNNetAddLayer(net, g, d, 1.0));
  PetscCall(KNNetSetFromOptions(net));
  PetscCall(KNNetSetUp(net));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetWriteCSV(MPI_Comm comm, const char file[], const char header[], PetscInt rows, PetscInt cols, const PetscReal v[])
{
  PetscMPIInt rank;
  int         ok = 1;
  char        tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    FILE *fp;
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", file));
    fp = fopen(tmp, "w");
    if (fp) {
      fprintf(fp, "%s\n", header);
      for (PetscInt i = 0; i < rows; i++)
        for (PetscInt j = 0; j < cols; j++) fprintf(fp, "%.17g%s", (double)v[i * cols + j], j + 1 < cols ? "," : "\n");
      ok = !ferror(fp);
      ok = (fclose(fp) == 0) && ok && rename(tmp, file) == 0;
      if (!ok) remove(tmp);
    } else ok = 0;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "Cannot write output file %s (directory missing, not writable, or disk full); nothing was changed", file);
  PetscFunctionReturn(KN_SUCCESS);
}
