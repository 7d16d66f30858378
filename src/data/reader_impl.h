/* Private helpers of the dataset file readers (src/data/reader_*.c). */
#pragma once

#include "dataimpl.h"

/* Runs fn(ctx) on rank 0 of comm only; if it fails there, every rank raises the same error code and message
   (an error raised on rank 0 alone would leave the other ranks waiting in the broadcast). */

/* Copies the dataset held by rank 0 (sizes, class count, name, arrays) to every rank of its communicator. */
PETSC_INTERN PetscErrorCode KNDatasetBcast_Private(KNDataset);

/* A reader: fills the (empty) dataset from the file(s) named in ctx; runs on rank 0 only, errors on PETSC_COMM_SELF. */
typedef PetscErrorCode (*KNDatasetReadFn)(KNDataset, void *);

/* KNDatasetLoad_Private - creates a dataset on comm, has rank 0 fill it with read(ds, ctx) and broadcasts it; on an
   error every rank raises it, nothing leaks and *ds is left NULL. */
PETSC_INTERN PetscErrorCode KNDatasetLoad_Private(MPI_Comm, KNDatasetReadFn, void *, KNDataset *);

/* KNReadFile_Private - the whole content of a regular file, gzip-compressed or plain (zlib's gzread passes plain
   files through), in a new buffer with a NUL after the last byte; what names the kind of file in messages.
   Errors: PETSC_ERR_FILE_OPEN (missing, unreadable, a directory), PETSC_ERR_FILE_READ (read error, corrupt or
   truncated gzip stream). */
PETSC_INTERN PetscErrorCode KNReadFile_Private(const char path[], const char what[], unsigned char **buf, size_t *size);

/* KNParseTable_Private - parses a numeric text table in place (see KNDatasetLoadCSV() for the format); returns
   the rows (sample-major, nrow*ncol, PetscMalloc'ed) and whether a header line was skipped. */
PETSC_INTERN PetscErrorCode KNParseTable_Private(const char path[], char *buf, size_t size, PetscInt *nrow, PetscInt *ncol, PetscReal **v, PetscBool *header);

/* The last component of a path (no copy). */
static inline const char *KNBaseName_Private(const char path[])
{
  const char *s = strrchr(path, '/');

  return s ? s + 1 : path;
}
