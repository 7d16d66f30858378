/* Fuzz target: the CIFAR-10 binary batch reader (KNDatasetLoadCIFAR). */
#include "fuzzimpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return KNFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[256];

  if (KNFuzzWriteInput(data, size, ".bin", path, sizeof(path))) return 0;
  KNDataset   ds    = NULL;
  const char *files[1] = {path};
  if (!KNDatasetLoadCIFAR(PETSC_COMM_SELF, 1, files, &ds)) (void)KNDatasetDestroy(&ds);
  unlink(path);
  return 0;
}
