/* KNDatasetLoadSklearn: the small real data sets that scikit-learn ships as gzip'd CSV files (diabetes, digits). */
#include "reader_impl.h"

/* Debian's python3-sklearn (1.2) installs them here; python3-sklearn-lib holds only the compiled extensions. */
#define KN_SKLEARN_DATA_DIR "/usr/lib/python3/dist-packages/sklearn/datasets/data"

typedef struct {
  const char *name;
} KNSklearnCtx;

/* Reads dir/file as a numeric table (space- or comma-separated, gzip'd). */
static PetscErrorCode ReadTable(const char dir[], const char file[], PetscInt *n, PetscInt *m, PetscReal **v)
{
  char           path[PETSC_MAX_PATH_LEN];
  unsigned char *buf;
  size_t         size;
  PetscBool      exists, header;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", dir, file));
  PetscCall(PetscTestFile(path, 'r', &exists));
  PetscCheck(exists, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "scikit-learn data file %s not found: install Debian's python3-sklearn (apt-get install python3-sklearn; python3-sklearn-lib alone has no data files) or point -kn_sklearn_data_dir to a sklearn/datasets/data directory", path);
  PetscCall(KNReadFile_Private(path, "scikit-learn data file", &buf, &size));
  ierr = KNParseTable_Private(path, (char *)buf, size, n, m, v, &header);
  PetscCall(PetscFree(buf));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* diabetes: 442 x 10 features, one regression target; features as load_diabetes(scaled=True) returns them: each
   column centred and divided by its (population) standard deviation times sqrt(n). */
static PetscErrorCode Diabetes(KNDataset ds, const char dir[])
{
  PetscInt       n, m, nt = 0, mt = 0;
  PetscReal     *x, *y = NULL;
  PetscBool      shape = PETSC_FALSE;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(ReadTable(dir, "diabetes_data_raw.csv.gz", &n, &m, &x));
  ierr = ReadTable(dir, "diabetes_target.csv.gz", &nt, &mt, &y);
  if (!ierr) shape = (PetscBool)(nt == n && mt == 1 && m == 10);
  if (!ierr && shape) ierr = KNDatasetAllocate_Private(ds, n, m, 1);
  if (!ierr && shape) {
    for (PetscInt k = 0; k < m; k++) {
      PetscReal mean = 0, var = 0, sd;

      for (PetscInt i = 0; i < n; i++) mean += x[i * m + k];
      mean /= n;
      for (PetscInt i = 0; i < n; i++) var += PetscSqr(x[i * m + k] - mean);
      sd = PetscSqrtReal(var / n);
      if (sd == 0) sd = 1;
      for (PetscInt i = 0; i < n; i++) ds->x[i * m + k] = (x[i * m + k] - mean) / sd / PetscSqrtReal((PetscReal)n);
    }
    for (PetscInt i = 0; i < n; i++) ds->y[i] = y[i];
  }
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(y));
  PetscCall(ierr);
  PetscCheck(shape, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "scikit-learn diabetes files in %s: %" PetscInt_FMT " x %" PetscInt_FMT " features and %" PetscInt_FMT " x %" PetscInt_FMT " targets, expected n x 10 and n x 1", dir, n, m, nt, mt);
  PetscFunctionReturn(KN_SUCCESS);
}

/* digits: 1797 images of 8 x 8 pixels in 0..16 (scaled to [0, 1] by 1/16) and the digit 0..9 in the last column. */
static PetscErrorCode Digits(KNDataset ds, const char dir[])
{
  PetscInt       n, m, bad = -1;
  PetscReal     *v;
  PetscErrorCode ierr = KN_SUCCESS;

  PetscFunctionBegin;
  PetscCall(ReadTable(dir, "digits.csv.gz", &n, &m, &v));
  for (PetscInt i = 0; m == 65 && bad < 0 && i < n; i++) {
    const PetscReal c = v[i * m + 64];

    if (!(c >= 0 && c <= 9 && c == PetscFloorReal(c))) bad = i;
  }
  if (m == 65 && bad < 0) {
    ierr = KNDatasetAllocate_Private(ds, n, 64, 1);
    for (PetscInt i = 0; !ierr && i < n; i++) {
      for (PetscInt k = 0; k < 64; k++) ds->x[i * 64 + k] = v[i * m + k] / 16.0;
      ds->y[i] = v[i * m + 64];
    }
    ds->nclass = 10;
  }
  PetscCall(PetscFree(v));
  PetscCall(ierr);
  PetscCheck(m == 65, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "scikit-learn file %s/digits.csv.gz has %" PetscInt_FMT " columns, expected 65 (64 pixels and the label)", dir, m);
  PetscCheck(bad < 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "scikit-learn file %s/digits.csv.gz, data row %" PetscInt_FMT ": the label is not a digit 0..9", dir, bad + 1);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadSklearn(KNDataset ds, void *ctx)
{
  KNSklearnCtx *c = (KNSklearnCtx *)ctx;
  char          dir[PETSC_MAX_PATH_LEN] = KN_SKLEARN_DATA_DIR;
  PetscBool     diabetes, digits;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kn_sklearn_data_dir", dir, sizeof(dir), NULL));
  PetscCall(PetscStrcmp(c->name, "diabetes", &diabetes));
  PetscCall(PetscStrcmp(c->name, "digits", &digits));
  if (diabetes) PetscCall(Diabetes(ds, dir));
  else PetscCall(Digits(ds, dir));
  PetscCall(KNDatasetSetName(ds, c->name));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetLoadSklearn - loads one of scikit-learn's bundled real data sets from the files Debian installs;
  rank 0 reads, every rank gets the data

  Collective

  Input Parameters:
+ comm - the communicator
- name - "diabetes" (442 samples, 10 features, 1 regression target: disease progression after one year) or
         "digits" (1797 8x8 images, 64 features in [0, 1], 10 classes)

  Output Parameter:
. ds - the new dataset, named name

  Options Database Key:
. -kn_sklearn_data_dir <dir> - where the files are (default /usr/lib/python3/dist-packages/sklearn/datasets/data,
  Debian's python3-sklearn; a pip install has them in site-packages/sklearn/datasets/data)

  Notes:
  diabetes reads diabetes_data_raw.csv.gz and diabetes_target.csv.gz and returns the features as
  sklearn.datasets.load_diabetes() does (scaled=True: each column centred, divided by its standard deviation and by
  sqrt(442)); the reference min-max scales them afterwards (KNDatasetMinMaxFit()), which undoes any per-column
  affine map. digits reads digits.csv.gz (64 pixels 0..16, then the label) and divides the pixels by 16; pixel
  (h, w) is feature h*8 + w. An unknown name is PETSC_ERR_ARG_UNKNOWN_TYPE, missing files PETSC_ERR_FILE_OPEN
  (install python3-sklearn).

  Level: beginner

.seealso: KNDatasetLoadCSV(), KNDatasetCreateSynthetic(), KNDatasetMinMaxFit()
@*/
PetscErrorCode KNDatasetLoadSklearn(MPI_Comm comm, const char name[], KNDataset *ds)
{
  KNSklearnCtx c;
  PetscBool    diabetes, digits;

  PetscFunctionBegin;
  KNAssertPointer(ds, 3);
  PetscCall(PetscStrcmp(name, "diabetes", &diabetes));
  PetscCall(PetscStrcmp(name, "digits", &digits));
  PetscCheck(diabetes || digits, comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown scikit-learn data set \"%s\": valid names are diabetes, digits", name ? name : "(null)");
  c.name = name;
  PetscCall(KNDatasetLoad_Private(comm, ReadSklearn, &c, ds));
  PetscFunctionReturn(KN_SUCCESS);
}
