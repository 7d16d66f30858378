/* Private HDF5 helpers of src/io: MPI-IO files, scalar/string/array attributes, hyperslabs of 1-D and 2-D datasets.

   Handle discipline: a function that opens HDF5 objects registers each one in a KNH5Handles list (KNH5Keep) and
   its caller closes the whole list with KNH5CloseAll() on every path, so the body may return early through
   PetscCheck/KNCallHDF5 without leaking identifiers. HDF5's own error printing is switched off between
   KNH5QuietBegin() and KNH5QuietEnd() (every public io entry point does this); failures become PETSc errors.

   Collectivity: on a file opened with the MPI-IO driver, every rank of the communicator makes the same calls with
   the same arguments (object creation, attribute writes, dataset transfers are collective). */
#pragma once

#include <kn/knio.h>
#include <hdf5.h>
#include "sys/knh5size.h" /* KNH5Reserve, KNH5ReserveSpace_Private(), KNH5CloseFile_Private() */

/* KNCallHDF5 - a negative HDF5 return value (hid_t or herr_t) becomes a PETSc error naming the call. */
#define KNCallHDF5(comm, call) \
  do { \
    if ((call) < 0) SETERRQ((comm), PETSC_ERR_LIB, "HDF5 call failed: %s", #call); \
  } while (0)

#define KNH5_MAX_HANDLES 8

typedef struct {
  int    n;
  hid_t  id[KNH5_MAX_HANDLES];
  herr_t (*close[KNH5_MAX_HANDLES])(hid_t);
} KNH5Handles;

/* Registers id (if valid) to be closed by KNH5CloseAll(); returns id, or -1 (after closing id) if the list is full. */
static inline hid_t KNH5Keep(KNH5Handles *h, hid_t id, herr_t (*close)(hid_t))
{
  if (id < 0) return id;
  if (h->n >= KNH5_MAX_HANDLES) {
    (void)close(id);
    return -1;
  }
  h->id[h->n]    = id;
  h->close[h->n] = close;
  h->n++;
  return id;
}

/* Closes the registered identifiers, last opened first. */
static inline void KNH5CloseAll(KNH5Handles *h)
{
  while (h->n > 0) {
    h->n--;
    (void)h->close[h->n](h->id[h->n]);
  }
}

/* Existence of a link (a path of existing groups; a missing intermediate group counts as absent) or an attribute. */
static inline PetscErrorCode KNH5HasLink_Private(hid_t loc, const char name[], PetscBool *has)
{
  *has = H5Lexists(loc, name, H5P_DEFAULT) > 0 ? PETSC_TRUE : PETSC_FALSE;
  return KN_SUCCESS;
}

static inline PetscErrorCode KNH5HasAttr_Private(hid_t loc, const char name[], PetscBool *has)
{
  *has = H5Aexists(loc, name) > 0 ? PETSC_TRUE : PETSC_FALSE;
  return KN_SUCCESS;
}

typedef struct {
  H5E_auto2_t func;
  void       *data;
} KNH5Quiet;

/* A fixed-length (null-terminated) string type of n bytes, or -1; the caller closes it. */
static inline hid_t KNH5FixedStringType(size_t n)
{
  hid_t tid = H5Tcopy(H5T_C_S1);

  if (tid >= 0 && (H5Tset_size(tid, PetscMax(n, 1)) < 0 || H5Tset_strpad(tid, H5T_STR_NULLTERM) < 0)) {
    (void)H5Tclose(tid);
    tid = -1;
  }
  return tid;
}

PETSC_INTERN void KNH5QuietBegin(KNH5Quiet *);
PETSC_INTERN void KNH5QuietEnd(KNH5Quiet *);

/* Files: open (read-only, after checking on rank 0 that it exists and is HDF5) or create (truncate) with MPI-IO. */
PETSC_INTERN PetscErrorCode KNH5OpenFile_Private(MPI_Comm, const char[], const char[], hid_t *);
PETSC_INTERN PetscErrorCode KNH5CreateFile_Private(MPI_Comm, const char[], hid_t *);
PETSC_INTERN PetscErrorCode KNH5OpenGroup_Private(MPI_Comm, hid_t, const char[], const char[], hid_t *);
PETSC_INTERN PetscErrorCode KNH5CreateGroup_Private(MPI_Comm, hid_t, const char[], const char[], hid_t *);

/* Attributes (where names the file/group in messages). Strings read may be variable- or fixed-length; they are
   returned PetscMalloc'ed. Strings are written variable-length UTF-8, integers int64, reals float64. */
PETSC_INTERN PetscErrorCode KNH5ReadAttrInt_Private(MPI_Comm, hid_t, const char[], const char[], PetscInt64 *);
PETSC_INTERN PetscErrorCode KNH5ReadAttrReal_Private(MPI_Comm, hid_t, const char[], const char[], PetscReal *);
PETSC_INTERN PetscErrorCode KNH5ReadAttrString_Private(MPI_Comm, hid_t, const char[], const char[], char **);
PETSC_INTERN PetscErrorCode KNH5ReadAttrRealArray_Private(MPI_Comm, hid_t, const char[], const char[], PetscInt *, PetscReal **);
PETSC_INTERN PetscErrorCode KNH5WriteAttrInt_Private(MPI_Comm, hid_t, const char[], const char[], PetscInt64);
PETSC_INTERN PetscErrorCode KNH5WriteAttrReal_Private(MPI_Comm, hid_t, const char[], const char[], PetscReal);
PETSC_INTERN PetscErrorCode KNH5WriteAttrString_Private(MPI_Comm, hid_t, const char[], const char[], const char[]);
/* Fixed-length strings (the records added to model files since knet 0.1: HDF5 1.10's vlen reader can hang on a hostile
   file, see tests/fuzz/open): the reader refuses a variable-length one. Lines: a 1-D dataset, one string a line. */
PETSC_INTERN PetscErrorCode KNH5WriteAttrFixedString_Private(MPI_Comm, hid_t, const char[], const char[], const char[]);
PETSC_INTERN PetscErrorCode KNH5ReadAttrFixedString_Private(MPI_Comm, hid_t, const char[], const char[], char **);
/* h5heap.c: the file's global heap collections can be walked (HDF5 1.10 loops on a corrupt one); before vlen reads. */
PETSC_INTERN PetscErrorCode KNH5CheckGlobalHeap_Private(MPI_Comm, hid_t, const char[]);
PETSC_INTERN PetscErrorCode KNH5WriteLines_Private(MPI_Comm, hid_t, const char[], const char[], const char[]);
PETSC_INTERN PetscErrorCode KNH5ReadLines_Private(MPI_Comm, hid_t, const char[], const char[], char **);

/* Datasets of rank 1 or 2: shape, and collective hyperslab transfers (start/count per dimension; a rank with an
   empty count still takes part). WriteSlab creates the dataset (file type ftype, full shape dims). */
PETSC_INTERN PetscErrorCode KNH5GetShape_Private(MPI_Comm, hid_t, const char[], const char[], int *, hsize_t[2]);
PETSC_INTERN PetscErrorCode KNH5WriteSlab_Private(MPI_Comm, hid_t, const char[], const char[], hid_t, hid_t, int, const hsize_t[], const hsize_t[], const hsize_t[], const void *);
PETSC_INTERN PetscErrorCode KNH5ReadSlab_Private(MPI_Comm, hid_t, const char[], const char[], hid_t, int, const hsize_t[], const hsize_t[], void *);
