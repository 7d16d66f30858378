/* Private HDF5 helpers of src/io: groups, scalar/string/array attributes, text as fixed-length lines. Files,
   handles, quiet error stacks and hyperslab transfers are src/sys's (sys/knh5.h), shared with src/graph. */
#pragma once

#include <kn/knio.h>
#include "sys/knh5.h"

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

/* Groups. */
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
