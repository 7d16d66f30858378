/* knet helpers: matrix input from text or HDF5, atomic CSV output, unused-option check. */
#include "knet.h"
#include <hdf5.h>
#include <ctype.h>

static PetscErrorCode ReadText(MPI_Comm comm, const char file[], PetscInt *n, PetscInt *m, PetscReal **a)
{
  FILE     *fp;
  char      line[65536];
  PetscInt  cap = 1024, cnt = 0, lineno = 0, cols = -1, rows = 0;
  PetscReal *v;

  PetscFunctionBegin;
  fp = fopen(file, "r");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open input file %s", file);
  PetscCall(PetscMalloc1(cap, &v));
  while (fgets(line, sizeof(line), fp)) {
    char    *p = line, *end;
    PetscInt c = 0;
    lineno++;
    while (isspace((unsigned char)*p)) p++;
    if (!*p || *p == '#') continue;
    if (rows == 0 && cols < 0 && !(isdigit((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.')) { cols = -2; continue; } /* header */
    while (*p) {
      double x = strtod(p, &end);
      if (end == p) { fclose(fp); SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s line %" PetscInt_FMT ": '%.40s' is not a number", file, lineno, p); }
      if (cnt == cap) PetscCall(PetscRealloc(sizeof(PetscReal) * (cap *= 2), &v));
      v[cnt++] = x, c++;
      p = end;
      while (isspace((unsigned char)*p) || *p == ',' || *p == ';') p++;
    }
    if (cols < 0) cols = c;
    if (c != cols) { fclose(fp); SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s line %" PetscInt_FMT ": %" PetscInt_FMT " values, but earlier rows have %" PetscInt_FMT, file, lineno, c, cols); }
    rows++;
  }
  fclose(fp);
  PetscCheck(rows > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Input file %s has no data rows", file);
  *n = rows, *m = cols, *a = v;
  (void)comm;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadHDF5(const char file[], const char dset[], PetscInt *n, PetscInt *m, PetscReal **a)
{
  hid_t   f, d, s;
  hsize_t dims[2] = {0, 1};
  int     rank;

  PetscFunctionBegin;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(f >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open %s as an HDF5 file", file);
  d = H5Dopen2(f, dset, H5P_DEFAULT);
  if (d < 0) { H5Fclose(f); SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s has no dataset '%s' (choose one with -kn_input_dataset)", file, dset); }
  s    = H5Dget_space(d);
  rank = H5Sget_simple_extent_ndims(s);
  if (rank == 1 || rank == 2) H5Sget_simple_extent_dims(s, dims, NULL);
  H5Sclose(s);
  if (rank < 1 || rank > 2) { H5Dclose(d), H5Fclose(f); SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Dataset %s:%s must be 1-D or 2-D (samples x features), it has %d dimensions", file, dset, rank); }
  PetscCall(PetscMalloc1(dims[0] * dims[1], a));
  if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *a) < 0) { H5Dclose(d), H5Fclose(f); SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "Cannot read numbers from %s:%s", file, dset); }
  H5Dclose(d);
  H5Fclose(f);
  *n = (PetscInt)dims[0], *m = (PetscInt)dims[1];
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 reads (its error message says what is wrong); every rank receives the matrix or the error code. */
PetscErrorCode KNetReadMatrix(MPI_Comm comm, const char file[], const char dset[], PetscInt *n, PetscInt *m, PetscReal **a)
{
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  PetscInt       nm[2] = {0, 0};
  size_t         len;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *a = NULL;
  if (rank == 0) {
    PetscCall(PetscStrlen(file, &len));
    if (len > 3 && (!strcmp(file + len - 3, ".h5") || (len > 5 && !strcmp(file + len - 5, ".hdf5")))) ierr = ReadHDF5(file, dset, &nm[0], &nm[1], a);
    else ierr = ReadText(comm, file, &nm[0], &nm[1], a);
  }
  PetscCallMPI(MPI_Bcast(&ierr, 1, MPI_INT, 0, comm));
  if (ierr) PetscFunctionReturn(ierr); /* already reported on rank 0 */
  PetscCallMPI(MPI_Bcast(nm, 2, MPIU_INT, 0, comm));
  if (rank) PetscCall(PetscMalloc1(nm[0] * nm[1], a));
  PetscCallMPI(MPI_Bcast(*a, (PetscMPIInt)(nm[0] * nm[1]), MPIU_REAL, 0, comm));
  *n = nm[0], *m = nm[1];
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

PetscErrorCode KNetCheckUnusedOptions(MPI_Comm comm)
{
  PetscInt n, unused;
  char   **names, **values;

  PetscFunctionBegin;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  unused = n; /* PetscOptionsLeftRestore() zeroes n */
  for (PetscInt i = 0; i < n; i++) PetscCall(PetscFPrintf(comm, PETSC_STDERR, "knet: option -%s%s%s was not used (misspelled, or not an option of this command; see -help)\n", names[i], values[i] ? " " : "", values[i] ? values[i] : ""));
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscCheck(!unused, comm, PETSC_ERR_ARG_WRONG, "%" PetscInt_FMT " unknown option(s)", unused);
  PetscFunctionReturn(KN_SUCCESS);
}
