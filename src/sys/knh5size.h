/* Private: a dataset's declared shape checked against the bytes the file really holds for it (the shape is a few
   header bytes: a tampered or truncated file may declare 10^9 rows in 1 KB), before anything of that size is
   allocated. */
#pragma once

#include <hdf5.h>
#include <petscsys.h>
#include "knmemory.h"

/* The storage of a filtered (compressed) dataset can be this much smaller than its values (deflate's limit is 1032). */
#define KN_H5_MAX_COMPRESSION 1100.0

/* KNH5CheckStorage_Private - 0 if the open dataset did, of nvalues values, is backed by enough stored bytes;
   otherwise 1 and the declared and stored byte counts (not collective, no error raised: callers word it). */
static inline int KNH5CheckStorage_Private(hid_t did, size_t nvalues, double *declared, double *stored)
{
  hid_t   tid = H5Dget_type(did), dcpl = H5Dget_create_plist(did);
  size_t  esize = tid >= 0 ? H5Tget_size(tid) : 1;
  int     nfilt = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0;
  hsize_t have  = H5Dget_storage_size(did);

  if (tid >= 0) (void)H5Tclose(tid);
  if (dcpl >= 0) (void)H5Pclose(dcpl);
  *declared = (double)nvalues * (double)esize;
  *stored   = (double)have;
  if (!nvalues) return 0;
  return (double)have < (nfilt > 0 ? *declared / KN_H5_MAX_COMPRESSION : *declared) ? 1 : 0;
}

/* Space for a file being written. HDF5 1.10 cannot recover from a failed metadata flush: a failed H5Fclose leaves the
   file id registered with its object freed (the library's shutdown at MPI_Finalize then crashes), and a flush that
   fails half-way leaves cache entries it can no longer evict. So rank 0 first reserves 1.25 raw + keep bytes in
   "<tmp>.reserve" (posix_fallocate: a full disk or quota is a clean error before anything is written), where raw is
   the data the file holds and keep a bound on its metadata, and keeps keep bytes of it while the datasets are
   written; KNH5CloseFile_Private releases them just before the metadata is flushed (and empties a doomed temporary
   file first), so that the flush, and with it the close, succeed and every HDF5 object is released. */
typedef struct {
  char path[PETSC_MAX_PATH_LEN + 16]; /* rank 0: the reserve file ("" when none is held) */
} KNH5Reserve;

PETSC_INTERN PetscErrorCode KNH5ReserveSpace_Private(MPI_Comm, const char[], const char[], const char[], double, double, KNH5Reserve *);
PETSC_INTERN void           KNH5ReleaseSpace_Private(KNH5Reserve *);
PETSC_INTERN PetscErrorCode KNH5CloseFile_Private(MPI_Comm, hid_t *, const char[], KNH5Reserve *, PetscBool, PetscBool *);

