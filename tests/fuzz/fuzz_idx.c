/* Fuzz target: the MNIST idx reader (KNDatasetLoadIDX) on images alone, the input given as images and as labels. */
#include "fuzzimpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return KNFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[256];

  if (KNFuzzWriteInput(data, size, ".idx", path, sizeof(path))) return 0;
  KNDataset ds = NULL;
  if (!KNDatasetLoadIDX(PETSC_COMM_SELF, path, NULL, &ds)) (void)KNDatasetDestroy(&ds);
  if (!KNDatasetLoadIDX(PETSC_COMM_SELF, path, path, &ds)) (void)KNDatasetDestroy(&ds);
  unlink(path);
  return 0;
}
