/* KNDataset operations: deterministic permutations, train/test split, min-max scaling. */
#include "dataimpl.h"

/* Fisher-Yates driven by the counter-based RNG: step i (n-1 down to 1) swaps i with j uniform in 0..i. */
PetscErrorCode KNDatasetPermute_Private(PetscInt n, PetscInt64 seed, PetscInt64 stream, PetscInt perm[])
{
  PetscFunctionBegin;
  PetscCheck(n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Permutation length %" PetscInt_FMT " must be >= 0", n);
#if defined(PETSC_USE_64BIT_INDICES)
  PetscCheck((PetscInt64)n <= ((PetscInt64)1 << 32), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Permutation length %" PetscInt_FMT " must be at most 2^32", n);
#endif
  for (PetscInt i = 0; i < n; i++) perm[i] = i;
  for (PetscInt i = n - 1; i > 0; i--) {
    /* multiply-shift: the top 32 random bits times (i+1), >> 32, is uniform in 0..i up to 2^-32 bias, never i+1 */
    uint64_t r = KNRandomBits(seed, stream, i) >> 32;
    PetscInt j = (PetscInt)((r * (uint64_t)(i + 1)) >> 32), t = perm[i];

    perm[i] = perm[j];
    perm[j] = t;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNPermutation - a deterministic random permutation of 0..n-1 for a (seed, epoch) pair: the shuffle of an epoch

  Not Collective

  Input Parameters:
+ n - length (at most 2^32)
. seed - the run's seed
- epoch - the epoch (any 64-bit integer); each epoch gives an independent permutation

  Output Parameter:
. perm - n distinct indices

  Notes:
  Fisher-Yates with the swap partner of position i drawn from KNRandomBits(seed, KN_STREAM_PERMUTATION + epoch, i):
  the same on every rank, in every run, for every rank count.

  Level: beginner

.seealso: KNDatasetGetBatch(), KNRandomBits()
@*/
PetscErrorCode KNPermutation(PetscInt n, PetscInt64 seed, PetscInt64 epoch, PetscInt perm[])
{
  PetscFunctionBegin;
  PetscCheck(!n || perm, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "KNPermutation: perm is NULL");
  PetscCall(KNDatasetPermute_Private(n, seed, KN_STREAM_PERMUTATION + epoch, perm));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Part_Private(KNDataset ds, KNDatasetPart part, PetscInt *m, PetscReal **a)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  PetscCheck(part == KN_DATASET_FEATURES || part == KN_DATASET_TARGETS, ds->comm, PETSC_ERR_ARG_WRONG, "Unknown dataset part %d; use KN_DATASET_FEATURES or KN_DATASET_TARGETS", (int)part);
  *m = part == KN_DATASET_FEATURES ? ds->nfeat : ds->ntarget;
  *a = part == KN_DATASET_FEATURES ? ds->x : ds->y;
  PetscCheck(*m > 0, ds->comm, PETSC_ERR_ARG_WRONGSTATE, "The dataset has no targets to scale");
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetMinMaxFit - the per-column minimum and maximum of the features or targets (sklearn MinMaxScaler.fit)

  Not Collective

  Input Parameters:
+ ds - the dataset (fit on the training set only)
- part - KN_DATASET_FEATURES or KN_DATASET_TARGETS

  Output Parameters:
+ lo - per-column minimum (nfeat or ntarget entries)
- hi - per-column maximum

  Level: intermediate

.seealso: KNDatasetMinMaxApply(), KNDatasetSplit()
@*/
PetscErrorCode KNDatasetMinMaxFit(KNDataset ds, KNDatasetPart part, PetscReal lo[], PetscReal hi[])
{
  PetscInt   m;
  PetscReal *a;

  PetscFunctionBegin;
  PetscCall(Part_Private(ds, part, &m, &a));
  PetscCheck(ds->n > 0, ds->comm, PETSC_ERR_ARG_WRONGSTATE, "Cannot fit min-max scaling on an empty dataset");
  for (PetscInt k = 0; k < m; k++) lo[k] = hi[k] = a[k];
  for (PetscInt i = 1; i < ds->n; i++)
    for (PetscInt k = 0; k < m; k++) {
      lo[k] = PetscMin(lo[k], a[i * m + k]);
      hi[k] = PetscMax(hi[k], a[i * m + k]);
    }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetMinMaxApply - scales each column in place: a = (a - lo)/(hi - lo), or a - lo for a constant column (as sklearn)

  Not Collective

  Input Parameters:
+ ds - the dataset
. part - KN_DATASET_FEATURES or KN_DATASET_TARGETS
. lo - per-column minimum from KNDatasetMinMaxFit() (usually of the training set)
- hi - per-column maximum

  Notes:
  With lo/hi fitted on the training set, training values land in [0, 1]; test values may fall outside.

  Level: intermediate

.seealso: KNDatasetMinMaxFit()
@*/
PetscErrorCode KNDatasetMinMaxApply(KNDataset ds, KNDatasetPart part, const PetscReal lo[], const PetscReal hi[])
{
  PetscInt   m;
  PetscReal *a;

  PetscFunctionBegin;
  PetscCall(Part_Private(ds, part, &m, &a));
  for (PetscInt k = 0; k < m; k++) {
    PetscReal range = hi[k] - lo[k];

    PetscCheck(range >= 0, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "Min-max scaling of column %" PetscInt_FMT ": hi %g < lo %g", k, (double)hi[k], (double)lo[k]);
    if (range == 0) range = 1;
    for (PetscInt i = 0; i < ds->n; i++) a[i * m + k] = (a[i * m + k] - lo[k]) / range;
  }
  PetscCall(PetscFree2(ds->scale_lo[part], ds->scale_hi[part])); /* remembered for the model file (KNDatasetGetMinMax()) */
  PetscCall(PetscMalloc2(m, &ds->scale_lo[part], m, &ds->scale_hi[part]));
  PetscCall(PetscArraycpy(ds->scale_lo[part], lo, m));
  PetscCall(PetscArraycpy(ds->scale_hi[part], hi, m));
  ds->nscaled[part] = m;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetMinMax - the min-max scaling last applied to a part of the dataset by KNDatasetMinMaxApply()

  Not Collective

  Input Parameters:
+ ds - the dataset
- part - KN_DATASET_FEATURES or KN_DATASET_TARGETS

  Output Parameters:
+ m - the number of columns scaled (0: this part was never scaled)
. lo - per-column minimum (owned by the dataset; NULL if m = 0)
- hi - per-column maximum

  Notes:
  A scaled value is (raw - lo)/(hi - lo), or raw - lo for a constant column. The trainer records the scaling of its
  training set in model.h5, so that knet eval can take raw inputs and give outputs in the raw units.

  Level: intermediate

.seealso: KNDatasetMinMaxApply(), KNNetSaveWithRecords()
@*/
PetscErrorCode KNDatasetGetMinMax(KNDataset ds, KNDatasetPart part, PetscInt *m, const PetscReal **lo, const PetscReal **hi)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  PetscCheck(part == KN_DATASET_FEATURES || part == KN_DATASET_TARGETS, ds->comm, PETSC_ERR_ARG_WRONG, "Unknown dataset part %d; use KN_DATASET_FEATURES or KN_DATASET_TARGETS", (int)part);
  *m = ds->nscaled[part];
  if (lo) *lo = ds->scale_lo[part];
  if (hi) *hi = ds->scale_hi[part];
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Subset_Private(KNDataset ds, PetscInt cnt, const PetscInt idx[], const char suffix[], KNDataset *sub)
{
  PetscReal *x, *y = NULL;
  char       name[256];

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(cnt * ds->nfeat, &x));
  if (ds->ntarget) PetscCall(PetscMalloc1(cnt * ds->ntarget, &y));
  PetscCall(KNDatasetGetBatch(ds, idx, cnt, x, y));
  PetscCall(KNDatasetCreate(ds->comm, sub));
  PetscCall(KNDatasetSetData(*sub, cnt, ds->nfeat, x, ds->ntarget, y));
  (*sub)->nclass = ds->nclass;
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s-%s", ds->name ? ds->name : "data", suffix));
  PetscCall(KNDatasetSetName(*sub, name));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(y));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetSplit - a random train/test split (sklearn train_test_split semantics)

  Collective

  Input Parameters:
+ ds - the dataset
. test_fraction - fraction of samples in the test set, in (0, 1): n_test = ceil(test_fraction * n)
- seed - the split's seed

  Output Parameters:
+ train - the n - n_test other samples, in permuted order (or NULL)
- test - the first n_test entries of a permutation of 0..n-1 (or NULL)

  Notes:
  The permutation is drawn from stream KN_STREAM_SPLIT. Friedman #1 with n = 4096 and 0.4 gives 2457 / 1639, as the
  reference. The names get suffixes "-train" and "-test".

  Level: intermediate

.seealso: KNDatasetMinMaxFit(), KNPermutation()
@*/
PetscErrorCode KNDatasetSplit(KNDataset ds, PetscReal test_fraction, PetscInt64 seed, KNDataset *train, KNDataset *test)
{
  PetscInt *perm, ntest;

  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  PetscCheck(test_fraction > 0 && test_fraction < 1, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "Test fraction %g must be in (0, 1)", (double)test_fraction);
  ntest = (PetscInt)PetscCeilReal(test_fraction * (PetscReal)ds->n);
  PetscCheck(ntest >= 1 && ntest < ds->n, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "Test fraction %g of %" PetscInt_FMT " samples leaves an empty train or test set", (double)test_fraction, ds->n);
  PetscCall(PetscMalloc1(ds->n, &perm));
  PetscCall(KNDatasetPermute_Private(ds->n, seed, KN_STREAM_SPLIT, perm));
  if (test) PetscCall(Subset_Private(ds, ntest, perm, "test", test));
  if (train) PetscCall(Subset_Private(ds, ds->n - ntest, perm + ntest, "train", train));
  PetscCall(PetscFree(perm));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDatasetShuffleNoise_Private(KNDataset ds, const char name[], PetscInt64 seed, PetscReal noise)
{
  PetscInt *perm;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(ds->n, &perm));
  PetscCall(KNDatasetPermute_Private(ds->n, seed, KNDatasetStream_Private(name, 15), perm));
  PetscCall(KNDatasetPermuteRows_Private(ds, perm));
  PetscCall(PetscFree(perm));
  if (noise != 0)
    for (PetscInt k = 0; k < ds->nfeat; k++) {
      const PetscInt64 s = KNDatasetStream_Private(name, 16 + k);
      for (PetscInt i = 0; i < ds->n; i++) ds->x[i * ds->nfeat + k] += noise * KNRandomNormal(seed, s, i);
    }
  PetscFunctionReturn(KN_SUCCESS);
}
