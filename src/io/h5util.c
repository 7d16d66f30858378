/* HDF5 helpers of src/io: MPI-IO files, attributes of each kind, hyperslab transfers of 1-D/2-D datasets. */
#define _POSIX_C_SOURCE 200809L
#include "ioimpl.h"
#include <string.h>
#include "sys/knh5size.h"
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

PetscErrorCode KNH5OpenGroup_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], hid_t *gid)
{
  PetscBool has;

  PetscFunctionBegin;
  PetscCall(KNH5HasLink_Private(loc, name, &has));
  PetscCheck(has, comm, PETSC_ERR_FILE_UNEXPECTED, "%s has no group %s", where, name);
  *gid = H5Gopen2(loc, name, H5P_DEFAULT);
  PetscCheck(*gid >= 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is not a group", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNH5CreateGroup_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], hid_t *gid)
{
  PetscFunctionBegin;
  *gid = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(*gid >= 0, comm, PETSC_ERR_FILE_WRITE, "%s: cannot create group %s", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Opens attribute name, checks its type class (one of c1, c2) and, if npts is NULL, that it holds one value. */
static PetscErrorCode OpenAttr(MPI_Comm comm, hid_t loc, const char where[], const char name[], const char kind[], H5T_class_t c1, H5T_class_t c2, KNH5Handles *h, hid_t *aid, hid_t *ftype, hssize_t *npts)
{
  hid_t       sid;
  H5T_class_t cls;
  hssize_t    n;
  int         ndims;
  PetscBool   has;

  PetscFunctionBegin;
  PetscCall(KNH5HasAttr_Private(loc, name, &has));
  PetscCheck(has, comm, PETSC_ERR_FILE_UNEXPECTED, "%s has no attribute '%s'", where, name);
  KNCallHDF5(comm, *aid = KNH5Keep(h, H5Aopen(loc, name, H5P_DEFAULT), H5Aclose));
  KNCallHDF5(comm, *ftype = KNH5Keep(h, H5Aget_type(*aid), H5Tclose));
  KNCallHDF5(comm, sid = KNH5Keep(h, H5Aget_space(*aid), H5Sclose));
  cls   = H5Tget_class(*ftype);
  n     = H5Sget_simple_extent_npoints(sid);
  ndims = H5Sget_simple_extent_ndims(sid);
  PetscCheck(cls == c1 || cls == c2, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' must be %s", where, name, kind);
  PetscCheck(ndims <= 1, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' must be a scalar or a 1-D array (it has %d dimensions)", where, name, ndims);
  if (npts) *npts = n;
  else PetscCheck(n == 1, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' must be a single %s (it has %lld values)", where, name, kind, (long long)n);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadAttrNumber(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscBool isint, void *v)
{
  KNH5Handles    h = {0};
  hid_t          aid, ftype;
  herr_t         st = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  if (isint) ierr = OpenAttr(comm, loc, where, name, "an integer", H5T_INTEGER, H5T_INTEGER, &h, &aid, &ftype, NULL);
  else ierr = OpenAttr(comm, loc, where, name, "a number", H5T_FLOAT, H5T_INTEGER, &h, &aid, &ftype, NULL);
  if (!ierr) st = H5Aread(aid, isint ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, v);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscCheck(st >= 0, comm, PETSC_ERR_FILE_READ, "%s: cannot read attribute '%s'", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* PetscInt64 is int64_t and PetscReal is double (ioimpl.h), so HDF5 reads straight into them. */
PetscErrorCode KNH5ReadAttrInt_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscInt64 *v)
{
  PetscFunctionBegin;
  PetscCall(ReadAttrNumber(comm, loc, where, name, PETSC_TRUE, v));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNH5ReadAttrReal_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscReal *v)
{
  PetscFunctionBegin;
  PetscCall(ReadAttrNumber(comm, loc, where, name, PETSC_FALSE, v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Variable-length: read in the file's character set; fixed-length: read raw with the file type, strip padding. */
static PetscErrorCode ReadString(MPI_Comm comm, const char where[], const char name[], hid_t aid, hid_t ftype, KNH5Handles *h, char **s)
{
  hid_t mtype;

  PetscFunctionBegin;
  if (H5Tis_variable_str(ftype) > 0) {
    char  *v = NULL;
    herr_t st;

    KNCallHDF5(comm, mtype = KNH5Keep(h, H5Tcopy(H5T_C_S1), H5Tclose));
    KNCallHDF5(comm, H5Tset_size(mtype, H5T_VARIABLE));
    KNCallHDF5(comm, H5Tset_cset(mtype, H5Tget_cset(ftype)));
    PetscErrorCode ierr;

    st = H5Aread(aid, mtype, &v);
    PetscCheck(st >= 0, comm, PETSC_ERR_FILE_READ, "%s: cannot read string attribute '%s'", where, name);
    ierr = PetscStrallocpy(v ? v : "", s);
    if (v) (void)H5free_memory(v);
    PetscCall(ierr);
  } else {
    size_t n = H5Tget_size(ftype);

    PetscCall(PetscCalloc1(n + 1, s));
    if (H5Aread(aid, ftype, *s) < 0) PetscCall(PetscFree(*s));
    PetscCheck(*s, comm, PETSC_ERR_FILE_READ, "%s: cannot read string attribute '%s'", where, name);
    while (n > 0 && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\0')) (*s)[--n] = '\0';
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNH5ReadAttrString_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], char **s)
{
  KNH5Handles    h = {0};
  hid_t          aid, ftype;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *s   = NULL;
  ierr = OpenAttr(comm, loc, where, name, "a string", H5T_STRING, H5T_STRING, &h, &aid, &ftype, NULL);
  if (!ierr) ierr = ReadString(comm, where, name, aid, ftype, &h, s);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNH5ReadAttrRealArray_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscInt *n, PetscReal **v)
{
  KNH5Handles    h = {0};
  hid_t          aid, ftype;
  hssize_t       npts = 0;
  herr_t         st   = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *v   = NULL;
  ierr = OpenAttr(comm, loc, where, name, "an array of numbers", H5T_FLOAT, H5T_INTEGER, &h, &aid, &ftype, &npts);
  if (!ierr) ierr = PetscMalloc1(npts, v);
  if (!ierr && npts > 0) st = H5Aread(aid, H5T_NATIVE_DOUBLE, *v);
  KNH5CloseAll(&h);
  if (ierr || st < 0) PetscCall(PetscFree(*v));
  PetscCall(ierr);
  PetscCheck(st >= 0, comm, PETSC_ERR_FILE_READ, "%s: cannot read attribute '%s'", where, name);
  *n = (PetscInt)npts;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Creates a scalar attribute of file type ftype and writes *buf (memory type mtype); collective. */
static PetscErrorCode WriteAttr(MPI_Comm comm, hid_t loc, const char where[], const char name[], hid_t ftype, hid_t mtype, const void *buf)
{
  KNH5Handles h = {0};
  hid_t       sid, aid;
  herr_t      st = -1;

  PetscFunctionBegin;
  sid = KNH5Keep(&h, H5Screate(H5S_SCALAR), H5Sclose);
  aid = sid < 0 ? -1 : KNH5Keep(&h, H5Acreate2(loc, name, ftype, sid, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (aid >= 0) st = H5Awrite(aid, mtype, buf);
  KNH5CloseAll(&h);
  PetscCheck(st >= 0, comm, PETSC_ERR_FILE_WRITE, "%s: cannot write attribute '%s'", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNH5WriteAttrInt_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscInt64 v)
{
  PetscFunctionBegin;
  PetscCall(WriteAttr(comm, loc, where, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNH5WriteAttrReal_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscReal v)
{
  PetscFunctionBegin;
  PetscCall(WriteAttr(comm, loc, where, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Variable-length UTF-8 (h5py reads it as str). */
PetscErrorCode KNH5WriteAttrString_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], const char s[])
{
  hid_t          tid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  tid = H5Tcopy(H5T_C_S1);
  PetscCheck(tid >= 0, comm, PETSC_ERR_LIB, "HDF5 call failed: H5Tcopy(H5T_C_S1)");
  if (H5Tset_size(tid, H5T_VARIABLE) < 0 || H5Tset_cset(tid, H5T_CSET_UTF8) < 0) {
    (void)H5Tclose(tid);
    SETERRQ(comm, PETSC_ERR_LIB, "HDF5 call failed: H5Tset_size/H5Tset_cset of a variable-length UTF-8 string type");
  }
  ierr = WriteAttr(comm, loc, where, name, tid, tid, &s);
  (void)H5Tclose(tid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

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

/* A fixed-length (null-terminated) string type of n bytes; the caller closes it. */
static hid_t FixedStringType(size_t n)
{
  hid_t tid = H5Tcopy(H5T_C_S1);

  if (tid >= 0 && (H5Tset_size(tid, PetscMax(n, 1)) < 0 || H5Tset_strpad(tid, H5T_STR_NULLTERM) < 0)) {
    (void)H5Tclose(tid);
    tid = -1;
  }
  return tid;
}

/* KNH5WriteAttrFixedString_Private - a fixed-length string attribute (h5py reads bytes); collective. */
PetscErrorCode KNH5WriteAttrFixedString_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], const char s[])
{
  size_t         n;
  hid_t          tid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(s, &n));
  tid = FixedStringType(n + 1);
  PetscCheck(tid >= 0, comm, PETSC_ERR_LIB, "HDF5 call failed: a fixed-length string type of %zu bytes", n + 1);
  ierr = WriteAttr(comm, loc, where, name, tid, tid, s);
  (void)H5Tclose(tid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5ReadAttrFixedString_Private - as KNH5ReadAttrString_Private(), but a variable-length string is an error: HDF5
   1.10's vlen reader can hang on a hostile file (tests/fuzz/open), so records added since are fixed-length only. */
PetscErrorCode KNH5ReadAttrFixedString_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], char **s)
{
  KNH5Handles    h = {0};
  hid_t          aid, ftype;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *s   = NULL;
  ierr = OpenAttr(comm, loc, where, name, "a fixed-length string", H5T_STRING, H5T_STRING, &h, &aid, &ftype, NULL);
  if (!ierr && H5Tis_variable_str(ftype) != 0) ierr = PetscError(comm, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_FILE_UNEXPECTED, PETSC_ERROR_INITIAL, "%s: attribute '%s' must be a fixed-length string (it is variable-length or unreadable)", where, name);
  if (!ierr) ierr = ReadString(comm, where, name, aid, ftype, &h, s);
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
  tid     = FixedStringType(width);
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
