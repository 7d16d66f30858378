/* Fuzz target: model files: knet's own (KNNetLoad) and the published format (KNNetImportPublished), forward and flow. */
#include "fuzzimpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return KNFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[256];

  if (KNFuzzWriteInput(data, size, ".h5", path, sizeof(path))) return 0;
  for (PetscInt flow = 0; flow < 2; flow++) {
    KNNet net = NULL;
    if (!KNNetLoad(PETSC_COMM_SELF, path, 2, (PetscBool)flow, &net)) (void)KNNetDestroy(&net);
    if (!KNNetImportPublished(PETSC_COMM_SELF, path, 2, (PetscBool)flow, &net)) (void)KNNetDestroy(&net);
  }
  unlink(path);
  return 0;
}
