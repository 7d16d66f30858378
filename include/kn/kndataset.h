/* KNDataset: in-memory sample sets (synthetic generators, splits, min-max scaling) and the counter-based RNG. */
#pragma once

#include <kn/knrandom.h>

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
PETSC_EXTERN PetscErrorCode KNDatasetGetMinMax(KNDataset, KNDatasetPart, PetscInt *, const PetscReal **, const PetscReal **);
PETSC_EXTERN PetscErrorCode KNDatasetSplit(KNDataset, PetscReal, PetscInt64, KNDataset *, KNDataset *);

PETSC_EXTERN PetscErrorCode KNDatasetRegister(const char[], KNDatasetGeneratorFn);
PETSC_EXTERN PetscErrorCode KNDatasetGetSyntheticNames(char[], size_t);
PETSC_EXTERN PetscErrorCode KNDatasetCreateSynthetic(MPI_Comm, const char[], PetscInt, PetscInt64, KNDataset *);

/* File readers (src/data/reader_*.c). Rank 0 reads, every rank gets the data; errors name the file and what is wrong. */
PETSC_EXTERN PetscErrorCode KNDatasetLoadCSV(MPI_Comm, const char[], PetscInt, KNDataset *);                    /* last ntarget columns are targets; header optional; .gz read too */
PETSC_EXTERN PetscErrorCode KNDatasetLoadHDF5(MPI_Comm, const char[], const char[], const char[], KNDataset *); /* file, features dataset, targets dataset (NULL: none) */
PETSC_EXTERN PetscErrorCode KNDatasetLoadHDF5Rows(MPI_Comm, const char[], const char[], const char[], PetscInt, PetscInt, KNDataset *); /* ..., first row, rows (PETSC_DETERMINE: to the end) */
PETSC_EXTERN PetscErrorCode KNDatasetLoadIDX(MPI_Comm, const char[], const char[], KNDataset *);               /* MNIST-format images (+ labels or NULL), plain or .gz; pixels scaled to [0,1] */
PETSC_EXTERN PetscErrorCode KNDatasetLoadCIFAR(MPI_Comm, PetscInt, const char *const[], KNDataset *);          /* CIFAR-10 binary batch files; pixels to [0,1], channel-major */
PETSC_EXTERN PetscErrorCode KNDatasetLoadSklearn(MPI_Comm, const char[], KNDataset *);                         /* "diabetes" or "digits" from Debian's python3-sklearn CSVs */

/* Image augmentation (src/data/reader_augment.c): random rotation then random whole-pixel translation, zero fill. */

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
