/* HDF5 helpers of src/io: groups and attributes of each kind (files and hyperslabs: src/sys/h5mpio.c; lines: h5dataset.c). */
#define _POSIX_C_SOURCE 200809L
#include "ioimpl.h"
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

    PetscCall(KNH5CheckGlobalHeap_Private(comm, aid, where)); /* the string lives there: HDF5 may never return otherwise */
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

/* A string attribute; with fixed_only a variable-length one is an error. A variable-length one is read only after the
   file's global heap was checked (KNH5CheckGlobalHeap_Private(): HDF5 1.10's reader loops on a corrupt one). */
static PetscErrorCode ReadAttrString(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscBool fixed_only, char **s)
{
  KNH5Handles    h = {0};
  hid_t          aid, ftype;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *s   = NULL;
  ierr = OpenAttr(comm, loc, where, name, fixed_only ? "a fixed-length string" : "a string", H5T_STRING, H5T_STRING, &h, &aid, &ftype, NULL);
  if (!ierr && fixed_only && H5Tis_variable_str(ftype) != 0) ierr = PetscError(comm, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_FILE_UNEXPECTED, PETSC_ERROR_INITIAL, "%s: attribute '%s' must be a fixed-length string (it is variable-length or unreadable)", where, name);
  if (!ierr) ierr = ReadString(comm, where, name, aid, ftype, &h, s);
  KNH5CloseAll(&h);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNH5ReadAttrString_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], char **s)
{
  PetscFunctionBegin;
  PetscCall(ReadAttrString(comm, loc, where, name, PETSC_FALSE, s));
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

/* KNH5WriteAttrFixedString_Private - a fixed-length string attribute (h5py reads bytes); collective. */
PetscErrorCode KNH5WriteAttrFixedString_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], const char s[])
{
  size_t         n;
  hid_t          tid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(s, &n));
  tid = KNH5FixedStringType(n + 1);
  PetscCheck(tid >= 0, comm, PETSC_ERR_LIB, "HDF5 call failed: a fixed-length string type of %zu bytes", n + 1);
  ierr = WriteAttr(comm, loc, where, name, tid, tid, s);
  (void)H5Tclose(tid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5ReadAttrFixedString_Private - as KNH5ReadAttrString_Private(), but a variable-length string is an error: the
   records added since HDF5 1.10's vlen hangs were found are fixed-length only. */
PetscErrorCode KNH5ReadAttrFixedString_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], char **s)
{
  PetscFunctionBegin;
  PetscCall(ReadAttrString(comm, loc, where, name, PETSC_TRUE, s));
  PetscFunctionReturn(KN_SUCCESS);
}
