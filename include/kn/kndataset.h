/* KNDataset: in-memory sample sets (synthetic generators, splits, min-max scaling) and the counter-based RNG. */
#pragma once

#include <kn/knsys.h>
#include <stdint.h>

/*
  Counter-based random numbers: a value is a pure function of (seed, stream, index), so every rank and every run
  draws the same numbers, and a value can be drawn by its global index without drawing the ones before it.
  bits = splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index); uniform = top 53 bits * 2^-53 in [0, 1);
  normal = Box-Muller (cosine branch) of the uniforms at indices 2*index and 2*index + 1.
  Streams keep unrelated uses of one seed apart; KN code uses the tags below (+ a small offset).
*/
#define KN_STREAM_PERMUTATION ((PetscInt64)1 << 56) /* + epoch: KNPermutation() */
#define KN_STREAM_INIT        ((PetscInt64)2 << 56) /* KNInitParameters() */
#define KN_STREAM_DATA        ((PetscInt64)3 << 56) /* + hash(generator name) + column: synthetic data sets */
#define KN_STREAM_SPLIT       ((PetscInt64)4 << 56) /* KNDatasetSplit() */
#define KN_STREAM_USER        ((PetscInt64)8 << 56) /* free for applications (e.g. base samples of a flow) */

static inline uint64_t KNSplitMix64(uint64_t z)
{
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* 64 random bits for (seed, stream, index). */
static inline uint64_t KNRandomBits(PetscInt64 seed, PetscInt64 stream, PetscInt64 index)
{
  return KNSplitMix64(KNSplitMix64(KNSplitMix64((uint64_t)seed) ^ (uint64_t)stream) ^ (uint64_t)index);
}

/* Uniform in [0, 1) with 53 random bits. */
static inline PetscReal KNRandomUniform(PetscInt64 seed, PetscInt64 stream, PetscInt64 index)
{
  return (PetscReal)(KNRandomBits(seed, stream, index) >> 11) * (1.0 / 9007199254740992.0);
}

/* Standard normal N(0, 1) (Box-Muller, cosine branch; uses the uniforms at 2*index and 2*index + 1). */
static inline PetscReal KNRandomNormal(PetscInt64 seed, PetscInt64 stream, PetscInt64 index)
{
  PetscReal u1 = KNRandomUniform(seed, stream, 2 * index), u2 = KNRandomUniform(seed, stream, 2 * index + 1);

  return PetscSqrtReal(-2.0 * PetscLogReal(1.0 - u1)) * PetscCosReal(2.0 * PETSC_PI * u2);
}

PETSC_EXTERN PetscErrorCode KNPermutation(PetscInt, PetscInt64, PetscInt64, PetscInt[]);

/*S
  KNDataset - n samples of nfeat features (sample-major: x[i*nfeat + k]) with optional targets (ntarget per sample,
  y[i*ntarget + t]: regression values, or a class label stored as a double). The data are replicated on every rank
  of the communicator.
S*/
typedef struct _p_KNDataset *KNDataset;

/* Which block of a dataset an operation acts on. */
typedef enum {
  KN_DATASET_FEATURES,
  KN_DATASET_TARGETS
} KNDatasetPart;

/* A synthetic generator fills ds (with KNDatasetSetData()) with n samples drawn from seed. */
typedef PetscErrorCode (*KNDatasetGeneratorFn)(KNDataset ds, PetscInt n, PetscInt64 seed);

PETSC_EXTERN PetscErrorCode KNDatasetCreate(MPI_Comm, KNDataset *);
PETSC_EXTERN PetscErrorCode KNDatasetDestroy(KNDataset *);
PETSC_EXTERN PetscErrorCode KNDatasetSetData(KNDataset, PetscInt, PetscInt, const PetscReal[], PetscInt, const PetscReal[]);
PETSC_EXTERN PetscErrorCode KNDatasetGetSizes(KNDataset, PetscInt *, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNDatasetGetData(KNDataset, const PetscReal **, const PetscReal **);
PETSC_EXTERN PetscErrorCode KNDatasetSetName(KNDataset, const char[]);
PETSC_EXTERN PetscErrorCode KNDatasetGetName(KNDataset, const char **);
PETSC_EXTERN PetscErrorCode KNDatasetSetNumClasses(KNDataset, PetscInt);
PETSC_EXTERN PetscErrorCode KNDatasetGetNumClasses(KNDataset, PetscInt *);
PETSC_EXTERN PetscErrorCode KNDatasetGetComm(KNDataset, MPI_Comm *);
PETSC_EXTERN PetscErrorCode KNDatasetView(KNDataset, PetscViewer);
PETSC_EXTERN PetscErrorCode KNDatasetGetBatch(KNDataset, const PetscInt[], PetscInt, PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNDatasetMinMaxFit(KNDataset, KNDatasetPart, PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNDatasetMinMaxApply(KNDataset, KNDatasetPart, const PetscReal[], const PetscReal[]);
PETSC_EXTERN PetscErrorCode KNDatasetSplit(KNDataset, PetscReal, PetscInt64, KNDataset *, KNDataset *);

PETSC_EXTERN PetscErrorCode KNDatasetRegister(const char[], KNDatasetGeneratorFn);
PETSC_EXTERN PetscErrorCode KNDatasetGetSyntheticNames(char[], size_t);
PETSC_EXTERN PetscErrorCode KNDatasetCreateSynthetic(MPI_Comm, const char[], PetscInt, PetscInt64, KNDataset *);

/* File readers (src/data/reader_*.c). Rank 0 reads, every rank gets the data; errors name the file and what is wrong. */
PETSC_EXTERN PetscErrorCode KNDatasetLoadCSV(MPI_Comm, const char[], PetscInt, KNDataset *);                    /* last ntarget columns are targets; header optional; .gz read too */
PETSC_EXTERN PetscErrorCode KNDatasetLoadHDF5(MPI_Comm, const char[], const char[], const char[], KNDataset *); /* file, features dataset, targets dataset (NULL: none) */
PETSC_EXTERN PetscErrorCode KNDatasetLoadIDX(MPI_Comm, const char[], const char[], KNDataset *);               /* MNIST-format images (+ labels or NULL), plain or .gz; pixels scaled to [0,1] */
PETSC_EXTERN PetscErrorCode KNDatasetLoadCIFAR(MPI_Comm, PetscInt, const char *const[], KNDataset *);          /* CIFAR-10 binary batch files; pixels to [0,1], channel-major */
PETSC_EXTERN PetscErrorCode KNDatasetLoadSklearn(MPI_Comm, const char[], KNDataset *);                         /* "diabetes" or "digits" from Debian's python3-sklearn CSVs */

/* Image augmentation (src/data/reader_augment.c): random rotation then random whole-pixel translation, zero fill. */
#define KN_STREAM_AUGMENT ((PetscInt64)5 << 56) /* + step: KNDatasetAugmentImages() */

typedef enum {
  KN_INTERP_NEAREST, /* torchvision's default for RandomRotation and RandomAffine */
  KN_INTERP_BILINEAR
} KNInterpolation;

/* The MNIST training transform of the reference is {1, 28, 28, 15.0, 0.1, KN_INTERP_NEAREST}. */
typedef struct {
  PetscInt        C, H, W;   /* image shape: nfeat = C*H*W, channel-major, each channel row-major */
  PetscReal       degrees;   /* rotation angle uniform in [-degrees, degrees], counter-clockwise */
  PetscReal       translate; /* shifts uniform in [-translate*W, translate*W] x [-translate*H, translate*H], rounded to whole pixels */
  KNInterpolation interp;
} KNImageAugment;

PETSC_EXTERN PetscErrorCode KNImageTransform(PetscInt, PetscInt, PetscInt, PetscReal, PetscReal, PetscReal, KNInterpolation, const PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNDatasetAugmentImages(KNDataset, const KNImageAugment *, PetscInt64, PetscInt64, PetscInt, const PetscInt[], PetscReal[]);
