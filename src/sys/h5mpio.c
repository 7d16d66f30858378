/* HDF5 over MPI-IO, shared by src/graph (edge lists) and src/io (models, checkpoints, trajectories): quiet error
   stacks, files opened or created on a communicator, dataset shapes, collective hyperslab transfers. */
#define _POSIX_C_SOURCE 200809L
#include "knh5.h"
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void KNH5QuietBegin(KNH5Quiet *q)
{
  (void)H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void KNH5QuietEnd(KNH5Quiet *q)
{
  (void)H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

/* Rank 0 checks that file is a readable regular HDF5 file; every rank raises the same error otherwise. */
static PetscErrorCode CheckReadable(MPI_Comm comm, const char file[], const char what[])
{
  PetscMPIInt rank;
  int         code = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    struct stat st;

    if (stat(file, &st)) code = 1;
    else if (S_ISDIR(st.st_mode)) code = 2;
    else if (access(file, R_OK)) code = 3;
#if H5_VERSION_GE(1, 12, 0)
    else if (H5Fis_accessible(file, H5P_DEFAULT) <= 0) code = 4;
#else
    else if (H5Fis_hdf5(file) <= 0) code = 4;
#endif
  }
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, comm));
  PetscCheck(code != 1, comm, PETSC_ERR_FILE_OPEN, "Cannot open %s %s: no such file", what, file);
  PetscCheck(code != 2, comm, PETSC_ERR_FILE_OPEN, "Cannot open %s %s: it is a directory", what, file);
  PetscCheck(code != 3, comm, PETSC_ERR_FILE_OPEN, "Cannot open %s %s: permission denied", what, file);
  PetscCheck(code != 4, comm, PETSC_ERR_FILE_UNEXPECTED, "The %s %s is not an HDF5 file (or it is truncated or corrupt)", what, file);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CreateMPIIOAccess(MPI_Comm comm, PetscBool write, KNH5Handles *h, hid_t *fapl)
{
  PetscFunctionBegin;
  KNCallHDF5(comm, *fapl = KNH5Keep(h, H5Pcreate(H5P_FILE_ACCESS), H5Pclose));
  KNCallHDF5(comm, H5Pset_fapl_mpio(*fapl, comm, MPI_INFO_NULL));
  (void)write; /* no collective metadata writes: after a failed flush in that mode, HDF5 1.10 cannot shut down cleanly */
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5OpenFile_Private - opens an existing HDF5 file read-only on comm (MPI-IO); what names it in messages. */
PetscErrorCode KNH5OpenFile_Private(MPI_Comm comm, const char file[], const char what[], hid_t *fid)
{
  KNH5Handles    h = {0};
  hid_t          fapl;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *fid = -1;
  PetscCall(CheckReadable(comm, file, what));
  ierr = CreateMPIIOAccess(comm, PETSC_FALSE, &h, &fapl);
  if (!ierr) *fid = H5Fopen(file, H5F_ACC_RDONLY, fapl);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscCheck(*fid >= 0, comm, PETSC_ERR_FILE_OPEN, "Cannot open the %s %s with HDF5 (MPI-IO driver): corrupt file?", what, file);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5OpenFileForWrite_Private - opens an existing HDF5 file read-write on comm (MPI-IO), e.g. to add a group; *fid is
   -1 (no error raised) if it cannot be opened, so that the caller can release what it holds first. */
PetscErrorCode KNH5OpenFileForWrite_Private(MPI_Comm comm, const char file[], hid_t *fid)
{
  KNH5Handles    h = {0};
  hid_t          fapl;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *fid = -1;
  ierr = CreateMPIIOAccess(comm, PETSC_TRUE, &h, &fapl);
  if (!ierr) *fid = H5Fopen(file, H5F_ACC_RDWR, fapl);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5CreateFile_Private - creates (truncates) an HDF5 file on comm (MPI-IO, collective metadata writes). */
PetscErrorCode KNH5CreateFile_Private(MPI_Comm comm, const char file[], hid_t *fid)
{
  KNH5Handles    h = {0};
  hid_t          fapl;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *fid = -1;
  ierr = CreateMPIIOAccess(comm, PETSC_TRUE, &h, &fapl);
  if (!ierr) *fid = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscCheck(*fid >= 0, comm, PETSC_ERR_FILE_OPEN, "Cannot create HDF5 file %s (is the path a directory, or the file system full or read-only?)", file);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5DatasetShape_Private - the shape (rank 1 or 2) of the open dataset did, checked against its stored bytes; the
   dataspace is registered in h. */
PetscErrorCode KNH5DatasetShape_Private(MPI_Comm comm, hid_t did, const char where[], const char name[], KNH5Handles *h, hid_t *sid, int *ndims, hsize_t dims[2])
{
  PetscFunctionBegin;
  KNCallHDF5(comm, *sid = KNH5Keep(h, H5Dget_space(did), H5Sclose));
  *ndims = H5Sget_simple_extent_ndims(*sid);
  PetscCheck(*ndims >= 1 && *ndims <= 2, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must have 1 or 2 dimensions, it has %d", where, name, *ndims);
  KNCallHDF5(comm, H5Sget_simple_extent_dims(*sid, dims, NULL));
  {
    double declared, stored;
    size_t nvalues = KNMulSize_Private((size_t)dims[0], *ndims == 2 ? (size_t)dims[1] : 1);

    PetscCheck(!KNH5CheckStorage_Private(did, nvalues, &declared, &stored), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s declares %g values (%.0f bytes) but the file holds only %.0f bytes of them (truncated or tampered file)", where, name, (double)nvalues, declared, stored);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5OpenDataset_Private - opens dataset name of loc (registered in h); a missing one or another object is an error. */
PetscErrorCode KNH5OpenDataset_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], KNH5Handles *h, hid_t *did)
{
  PetscBool has;

  PetscFunctionBegin;
  PetscCall(KNH5HasLink_Private(loc, name, &has));
  PetscCheck(has, comm, PETSC_ERR_FILE_UNEXPECTED, "%s has no dataset %s", where, name);
  *did = KNH5Keep(h, H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose);
  PetscCheck(*did >= 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is not a dataset", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5GetShape_Private - the rank (1 or 2) and dimensions of dataset name; missing dataset or other ranks are errors. */
PetscErrorCode KNH5GetShape_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], int *ndims, hsize_t dims[2])
{
  KNH5Handles    h = {0};
  hid_t          did, sid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  dims[0] = dims[1] = 0;
  ierr = KNH5OpenDataset_Private(comm, loc, where, name, &h, &did);
  if (!ierr) ierr = KNH5DatasetShape_Private(comm, did, where, name, &h, &sid, ndims, dims);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Selects the hyperslab start/count in the file space fsid and creates the matching memory space; collective transfer list. */
static PetscErrorCode SelectSlab(MPI_Comm comm, hid_t fsid, int ndims, const hsize_t start[], const hsize_t count[], KNH5Handles *h, hid_t *msid, hid_t *dxpl)
{
  hsize_t n = 1, one = 1;

  PetscFunctionBegin;
  for (int k = 0; k < ndims; k++) n *= count[k];
  if (n) {
    KNCallHDF5(comm, H5Sselect_hyperslab(fsid, H5S_SELECT_SET, start, NULL, count, NULL));
    KNCallHDF5(comm, *msid = KNH5Keep(h, H5Screate_simple(ndims, count, NULL), H5Sclose));
  } else { /* an empty share: the rank still joins the collective transfer */
    KNCallHDF5(comm, H5Sselect_none(fsid));
    KNCallHDF5(comm, *msid = KNH5Keep(h, H5Screate_simple(1, &one, NULL), H5Sclose));
    KNCallHDF5(comm, H5Sselect_none(*msid));
  }
  KNCallHDF5(comm, *dxpl = KNH5Keep(h, H5Pcreate(H5P_DATASET_XFER), H5Pclose));
  KNCallHDF5(comm, H5Pset_dxpl_mpio(*dxpl, H5FD_MPIO_COLLECTIVE));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteSlab(MPI_Comm comm, hid_t loc, const char where[], const char name[], hid_t ftype, hid_t mtype, int ndims, const hsize_t dims[], const hsize_t start[], const hsize_t count[], const void *buf, KNH5Handles *h)
{
  hid_t fsid, did, msid, dxpl;

  PetscFunctionBegin;
  KNCallHDF5(comm, fsid = KNH5Keep(h, H5Screate_simple(ndims, dims, NULL), H5Sclose));
  did = KNH5Keep(h, H5Dcreate2(loc, name, ftype, fsid, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  PetscCheck(did >= 0, comm, PETSC_ERR_FILE_WRITE, "%s: cannot create dataset %s", where, name);
  PetscCall(SelectSlab(comm, fsid, ndims, start, count, h, &msid, &dxpl));
  PetscCheck(H5Dwrite(did, mtype, msid, fsid, dxpl, buf) >= 0, comm, PETSC_ERR_FILE_WRITE, "%s: writing dataset %s failed (file system full?)", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5WriteSlab_Private - creates dataset name (file type ftype, shape dims) and writes this rank's hyperslab; collective. */
PetscErrorCode KNH5WriteSlab_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], hid_t ftype, hid_t mtype, int ndims, const hsize_t dims[], const hsize_t start[], const hsize_t count[], const void *buf)
{
  KNH5Handles    h = {0};
  int            bad;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  ierr = WriteSlab(comm, loc, where, name, ftype, mtype, ndims, dims, start, count, buf, &h);
  KNH5CloseAll(&h);
  bad  = ierr ? 1 : 0; /* a full disk may fail one rank's share only: all ranks stop here, not in the next collective */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
  PetscCall(ierr);
  PetscCheck(!bad, comm, PETSC_ERR_FILE_WRITE, "%s: writing dataset %s failed on another rank (file system full?)", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadSlab(MPI_Comm comm, hid_t loc, const char where[], const char name[], hid_t mtype, int ndims, const hsize_t start[], const hsize_t count[], void *buf, KNH5Handles *h)
{
  hid_t       did, fsid, msid, dxpl, ftype;
  H5T_class_t cls;
  int     nd;
  hsize_t dims[2];

  PetscFunctionBegin;
  PetscCall(KNH5OpenDataset_Private(comm, loc, where, name, h, &did));
  KNCallHDF5(comm, ftype = KNH5Keep(h, H5Dget_type(did), H5Tclose));
  cls = H5Tget_class(ftype);
  /* HDF5 converts floats to integers silently (truncating): integers are read from integers only */
  PetscCheck(H5Tget_class(mtype) != H5T_INTEGER || cls == H5T_INTEGER, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold integers, but it holds %s values", where, name, cls == H5T_FLOAT ? "floating-point" : "non-integer");
  PetscCheck(H5Tget_class(mtype) != H5T_FLOAT || cls == H5T_FLOAT || cls == H5T_INTEGER, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold numbers", where, name);
  PetscCall(KNH5DatasetShape_Private(comm, did, where, name, h, &fsid, &nd, dims));
  PetscCheck(nd == ndims, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has %d dimensions, expected %d", where, name, nd, ndims);
  for (int k = 0; k < ndims; k++) PetscCheck(start[k] + count[k] <= dims[k], comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s is too small in dimension %d (%llu < %llu)", where, name, k, (unsigned long long)dims[k], (unsigned long long)(start[k] + count[k]));
  PetscCall(SelectSlab(comm, fsid, ndims, start, count, h, &msid, &dxpl));
  PetscCheck(H5Dread(did, mtype, msid, fsid, dxpl, buf) >= 0, comm, PETSC_ERR_FILE_READ, "%s: reading dataset %s failed (wrong type or corrupt file?)", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5ReadSlab_Private - reads this rank's hyperslab of dataset name, converting to memory type mtype; collective. */
PetscErrorCode KNH5ReadSlab_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], hid_t mtype, int ndims, const hsize_t start[], const hsize_t count[], void *buf)
{
  KNH5Handles    h = {0};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  ierr = ReadSlab(comm, loc, where, name, mtype, ndims, start, count, buf, &h);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}
