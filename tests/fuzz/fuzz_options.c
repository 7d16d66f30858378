/* Fuzz target: YAML options files (PETSc's parser, as -options_file reads them), into a private options database. */
#include "fuzzimpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return KNFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char         path[256];
  PetscOptions opts = NULL;

  if (KNFuzzWriteInput(data, size, ".yaml", path, sizeof(path))) return 0;
  if (!PetscOptionsCreate(&opts)) {
    (void)PetscOptionsInsertFileYAML(PETSC_COMM_SELF, opts, path, PETSC_TRUE);
    (void)PetscOptionsDestroy(&opts);
  }
  unlink(path);
  return 0;
}
