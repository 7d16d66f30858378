/* Fuzz target: the CSV/whitespace table reader (KNDatasetLoadCSV), with one target column and without. */
#include "fuzzimpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return KNFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[256];

  if (KNFuzzWriteInput(data, size, ".csv", path, sizeof(path))) return 0;
  for (PetscInt ntarget = 0; ntarget < 2; ntarget++) {
    KNDataset ds = NULL;
    if (!KNDatasetLoadCSV(PETSC_COMM_SELF, path, ntarget, &ds)) (void)KNDatasetDestroy(&ds);
  }
  unlink(path);
  return 0;
}
