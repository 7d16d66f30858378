/* Private: HDF5 files over MPI-IO, shared by src/graph (edge lists) and src/io (models, checkpoints, trajectories).

   Handle discipline: a function that opens HDF5 objects registers each one in a KNH5Handles list (KNH5Keep) and
   its caller closes the whole list with KNH5CloseAll() on every path, so the body may return early through
   PetscCheck/KNCallHDF5 without leaking identifiers. HDF5's own error printing is switched off between
   KNH5QuietBegin() and KNH5QuietEnd() (every public entry point that touches HDF5 does this); failures become PETSc
   errors.

   Collectivity: on a file opened with the MPI-IO driver, every rank of the communicator makes the same calls with
   the same arguments (object creation, attribute writes, dataset transfers are collective). */
#pragma once

#include <hdf5.h>
#include "knh5size.h" /* KNH5Reserve, KNH5ReserveSpace_Private(), KNH5CloseFile_Private() */

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

PETSC_INTERN void KNH5QuietBegin(KNH5Quiet *);
PETSC_INTERN void KNH5QuietEnd(KNH5Quiet *);

/* Files: open (read-only, after checking on rank 0 that it exists and is HDF5) or create (truncate) with MPI-IO. */
PETSC_INTERN PetscErrorCode KNH5OpenFile_Private(MPI_Comm, const char[], const char[], hid_t *);
PETSC_INTERN PetscErrorCode KNH5CreateFile_Private(MPI_Comm, const char[], hid_t *);
/* An existing file opened read-write (MPI-IO); *fid = -1 if that fails (no error: the caller cleans up first). */
PETSC_INTERN PetscErrorCode KNH5OpenFileForWrite_Private(MPI_Comm, const char[], hid_t *);
/* Datasets of rank 1 or 2: shape, and collective hyperslab transfers (start/count per dimension; a rank with an
   empty count still takes part). WriteSlab creates the dataset (file type ftype, full shape dims). */
PETSC_INTERN PetscErrorCode KNH5GetShape_Private(MPI_Comm, hid_t, const char[], const char[], int *, hsize_t[2]);
PETSC_INTERN PetscErrorCode KNH5WriteSlab_Private(MPI_Comm, hid_t, const char[], const char[], hid_t, hid_t, int, const hsize_t[], const hsize_t[], const hsize_t[], const void *);
PETSC_INTERN PetscErrorCode KNH5ReadSlab_Private(MPI_Comm, hid_t, const char[], const char[], hid_t, int, const hsize_t[], const hsize_t[], void *);
/* The pieces of the transfers: an open dataset of loc (a missing one is an error) and its shape checked against the
   stored bytes (the dataspace is registered in the handle list). */
PETSC_INTERN PetscErrorCode KNH5OpenDataset_Private(MPI_Comm, hid_t, const char[], const char[], KNH5Handles *, hid_t *);
PETSC_INTERN PetscErrorCode KNH5DatasetShape_Private(MPI_Comm, hid_t, const char[], const char[], KNH5Handles *, hid_t *, int *, hsize_t[2]);
