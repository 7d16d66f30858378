/* Fuzz target: checkpoint files (KNCheckpointOpen and the reads a resume makes). */
#include "fuzzimpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return KNFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char         path[256];
  KNCheckpoint ck = NULL;

  if (KNFuzzWriteInput(data, size, ".h5", path, sizeof(path))) return 0;
  if (!KNCheckpointOpen(PETSC_COMM_SELF, path, &ck)) { /* the entries a resume reads first (src/train/trainer_ckpt.c) */
    const char *ints[] = {"epoch", "batch", "global_step", "batch_size", "data_size", "rng_seed"};
    PetscInt64  step, i;
    PetscReal   r;
    char       *s = NULL;

    (void)KNCheckpointGetStep(ck, &step);
    for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++) (void)KNCheckpointReadInt(ck, "train", ints[k], &i);
    (void)KNCheckpointReadReal(ck, "train", "loss", &r);
    if (!KNCheckpointReadString(ck, "train", "schedule", &s)) (void)PetscFree(s);
    if (!KNCheckpointReadString(ck, "optim", "type", &s)) (void)PetscFree(s);
    (void)KNCheckpointDestroy(&ck);
  }
  unlink(path);
  return 0;
}
