/* Shared by the fuzz targets: one PETSc start for all inputs, errors returned quietly (a clean error is the expected
   answer to a bad file; only a crash, a sanitizer report or a runaway allocation is a finding), the input written to
   a file of this process so the readers see it as a user's file would be. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <hdf5.h>
#include <kn.h>

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static inline int KNFuzzInitialize(int *argc, char ***argv)
{
  if (PetscInitialize(argc, argv, NULL, NULL)) return 1;
  if (PetscPushErrorHandler(PetscReturnErrorHandler, NULL)) return 1;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 prints its own error stack otherwise */
  return 0;
}

/* Writes the input to /tmp/knfuzz-<pid><suffix>; returns 0 on success. */
static inline int KNFuzzWriteInput(const uint8_t *data, size_t size, const char suffix[], char path[], size_t len)
{
  FILE *f;

  snprintf(path, len, "/tmp/knfuzz-%ld%s", (long)getpid(), suffix);
  if (!(f = fopen(path, "wb"))) return 1;
  if (size && fwrite(data, 1, size, f) != size) {
    fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}
