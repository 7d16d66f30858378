/* Private KNDataset data and helpers shared by the data files. */
#pragma once

#include <kn/kndataset.h>

struct _p_KNDataset {
  MPI_Comm   comm;
  char      *name;    /* e.g. "twomoon"; NULL until set */
  PetscInt   n;       /* samples */
  PetscInt   nfeat;   /* features per sample */
  PetscInt   ntarget; /* targets per sample, 0 = unlabelled */
  PetscInt   nclass;  /* number of classes when the target is a class label, 0 otherwise */
  PetscReal *x;       /* n*nfeat, sample-major */
  PetscReal *y;       /* n*ntarget, sample-major, NULL when ntarget = 0 */
  PetscInt   nscaled[2];          /* the min-max scaling last applied (KNDatasetMinMaxApply()): columns of features, targets */
  PetscReal *scale_lo[2], *scale_hi[2]; /* its per-column min and max (NULL: that part was not scaled) */
};

/* Stream of column k of a synthetic generator: KN_STREAM_DATA + 48-bit FNV-1a hash of its name, times 256, + k. */
static inline PetscInt64 KNDatasetStream_Private(const char name[], PetscInt k)
{
  uint64_t h = 0xcbf29ce484222325ULL;

  for (const char *c = name; *c; c++) h = (h ^ (uint64_t)(unsigned char)*c) * 0x100000001b3ULL;
  return KN_STREAM_DATA + (PetscInt64)(((h & 0xFFFFFFFFFFFFULL) << 8) + (uint64_t)k);
}

/* Allocates an n x nfeat (+ n x ntarget) dataset in place of the current data; the generators fill the arrays. */
PETSC_INTERN PetscErrorCode KNDatasetAllocate_Private(KNDataset, PetscInt, PetscInt, PetscInt);
/* Fisher-Yates permutation of 0..n-1 drawn from (seed, stream); KNPermutation() uses stream KN_STREAM_PERMUTATION + epoch. */
PETSC_INTERN PetscErrorCode KNDatasetPermute_Private(PetscInt, PetscInt64, PetscInt64, PetscInt[]);
/* Applies the rows permutation perm to x and y (row i of the result = old row perm[i]). */
PETSC_INTERN PetscErrorCode KNDatasetPermuteRows_Private(KNDataset, const PetscInt[]);
/* Shuffles the rows (stream column 15 of name) then adds noise * N(0,1) to every feature (columns 16 + k), as sklearn. */
PETSC_INTERN PetscErrorCode KNDatasetShuffleNoise_Private(KNDataset, const char[], PetscInt64, PetscReal);

/* The built-in generators (synth_sklearn.c, synth_ffjord.c). */
PETSC_INTERN PetscErrorCode KNDatasetGenerate_TwoMoon(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_Circle(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_SwissRoll(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_Friedman1(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_TwoSpirals(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_Pinwheel(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_EightGaussians(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_Checkerboard(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_Rings(KNDataset, PetscInt, PetscInt64);
PETSC_INTERN PetscErrorCode KNDatasetGenerate_Gauss(KNDataset, PetscInt, PetscInt64);
