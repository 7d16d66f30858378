/* Fuzz target: the HDF5 dataset reader (KNDatasetLoadHDF5): features x, targets y. */
#include "fuzzimpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return KNFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[256];

  if (KNFuzzWriteInput(data, size, ".h5", path, sizeof(path))) return 0;
  KNDataset ds = NULL;
  if (!KNDatasetLoadHDF5(PETSC_COMM_SELF, path, "x", "y", &ds)) (void)KNDatasetDestroy(&ds);
  if (!KNDatasetLoadHDF5(PETSC_COMM_SELF, path, "x", NULL, &ds)) (void)KNDatasetDestroy(&ds);
  unlink(path);
  return 0;
}
