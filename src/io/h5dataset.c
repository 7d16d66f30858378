/* HDF5 datasets of src/io: shapes checked against the stored bytes, hyperslab transfers of 1-D/2-D datasets, and
   text kept as a list of fixed-length lines. */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "ioimpl.h"
#include <string.h>
#include "sys/knh5size.h"

static PetscErrorCode GetShape(MPI_Comm comm, hid_t did, const char where[], const char name[], KNH5Handles *h, hid_t *sid, int *ndims, hsize_t dims[2])
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

static PetscErrorCode OpenDataset(MPI_Comm comm, hid_t loc, const char where[], const char name[], KNH5Handles *h, hid_t *did)
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
  ierr = OpenDataset(comm, loc, where, name, &h, &did);
  if (!ierr) ierr = GetShape(comm, did, where, name, &h, &sid, ndims, dims);
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
  PetscCall(OpenDataset(comm, loc, where, name, h, &did));
  KNCallHDF5(comm, ftype = KNH5Keep(h, H5Dget_type(did), H5Tclose));
  cls = H5Tget_class(ftype);
  /* HDF5 converts floats to integers silently (truncating): integers are read from integers only */
  PetscCheck(H5Tget_class(mtype) != H5T_INTEGER || cls == H5T_INTEGER, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold integers, but it holds %s values", where, name, cls == H5T_FLOAT ? "floating-point" : "non-integer");
  PetscCheck(H5Tget_class(mtype) != H5T_FLOAT || cls == H5T_FLOAT || cls == H5T_INTEGER, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold numbers", where, name);
  PetscCall(GetShape(comm, did, where, name, h, &fsid, &nd, dims));
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

/* KNH5WriteLines_Private - the lines of text (empty ones dropped) as a 1-D dataset of fixed-length strings, as wide as
   the longest line; rank 0 writes, every rank takes part. */
PetscErrorCode KNH5WriteLines_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], const char text[])
{
  size_t         width = 1, cur = 0, nlines = 0;
  char          *buf   = NULL;
  hsize_t        dims[1], start[1] = {0}, count[1];
  PetscMPIInt    rank;
  hid_t          tid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  for (const char *c = text;; c++) {
    if (*c && *c != '\n') cur++;
    else {
      if (cur) nlines++, width = PetscMax(width, cur + 1);
      cur = 0;
      if (!*c) break;
    }
  }
  PetscCall(PetscCalloc1(nlines * width + 1, &buf));
  nlines = 0;
  for (const char *c = text; *c;) {
    size_t n = strcspn(c, "\n");
    if (n) PetscCall(PetscMemcpy(buf + width * nlines++, c, n));
    c += n + (c[n] ? 1 : 0);
  }
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  dims[0] = (hsize_t)nlines, count[0] = rank ? 0 : (hsize_t)nlines;
  tid     = KNH5FixedStringType(width);
  ierr    = tid < 0 ? PETSC_ERR_LIB : KNH5WriteSlab_Private(comm, loc, where, name, tid, tid, 1, dims, start, count, buf);
  if (tid >= 0) (void)H5Tclose(tid);
  PetscCall(PetscFree(buf));
  PetscCheck(tid >= 0, comm, PETSC_ERR_LIB, "HDF5 call failed: a fixed-length string type of %zu bytes", width);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The fixed-length string dataset name into one PetscMalloc'ed text, a line per entry; every rank reads it all. */
static PetscErrorCode ReadLines(MPI_Comm comm, hid_t loc, const char where[], const char name[], KNH5Handles *h, char **text)
{
  hid_t   did, ftype, sid;
  int     nd;
  hsize_t dims[2];
  size_t  width, at = 0;
  char   *buf;

  PetscFunctionBegin;
  PetscCall(OpenDataset(comm, loc, where, name, h, &did));
  KNCallHDF5(comm, ftype = KNH5Keep(h, H5Dget_type(did), H5Tclose));
  PetscCheck(H5Tget_class(ftype) == H5T_STRING && H5Tis_variable_str(ftype) == 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold fixed-length strings", where, name);
  PetscCall(GetShape(comm, did, where, name, h, &sid, &nd, dims));
  width = H5Tget_size(ftype);
  PetscCheck(nd == 1 && width >= 1 && width <= 65536 && dims[0] <= 100000, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must be a 1-D list of at most 100000 strings of at most 65536 bytes", where, name);
  PetscCall(PetscCalloc1((size_t)dims[0] * width + 1, &buf));
  if (dims[0] && H5Dread(did, ftype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) PetscCall(PetscFree(buf));
  PetscCheck(buf, comm, PETSC_ERR_FILE_READ, "%s: reading dataset %s failed (corrupt file?)", where, name);
  PetscCall(PetscCalloc1((size_t)dims[0] * (width + 1) + 1, text));
  for (hsize_t i = 0; i < dims[0]; i++) {
    size_t n = strnlen(buf + i * width, width);
    PetscCall(PetscMemcpy(*text + at, buf + i * width, n));
    at += n;
    (*text)[at++] = '\n';
  }
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5ReadLines_Private - a dataset written by KNH5WriteLines_Private(), joined with newlines; collective. */
PetscErrorCode KNH5ReadLines_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], char **text)
{
  KNH5Handles    h = {0};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *text = NULL;
  ierr  = ReadLines(comm, loc, where, name, &h, text);
  KNH5CloseAll(&h);
  if (ierr) PetscCall(PetscFree(*text));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}
