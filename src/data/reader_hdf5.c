/* KNDatasetLoadHDF5: features (and targets) from numeric datasets of an HDF5 file, read by rank 0 (serial driver). */
#include "reader_impl.h"
#include <hdf5.h>
#include "sys/knh5size.h"

typedef struct {
  const char *file, *xname, *yname;
} KNH5DataCtx;

/* A numeric dataset as an n x m matrix: rank 1 gives m = 1, higher ranks flatten the trailing dimensions (C order). */
typedef struct {
  const char *name;
  hsize_t     n, m;
  PetscBool   isint;
  PetscReal  *v;
} KNH5Matrix;

/* Shape and type of an open dataset. */
static PetscErrorCode Describe(hid_t did, const char file[], KNH5Matrix *a)
{
  hid_t       sid, tid;
  H5T_class_t cls;
  int         nd;
  hsize_t     dims[H5S_MAX_RANK];

  PetscFunctionBegin;
  tid = H5Dget_type(did);
  cls = tid >= 0 ? H5Tget_class(tid) : H5T_NO_CLASS;
  if (tid >= 0) (void)H5Tclose(tid);
  PetscCheck(cls == H5T_INTEGER || cls == H5T_FLOAT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s must hold integers or floating-point numbers", file, a->name);
  a->isint = (PetscBool)(cls == H5T_INTEGER);
  sid      = H5Dget_space(did);
  nd       = sid >= 0 ? H5Sget_simple_extent_ndims(sid) : -1;
  if (nd >= 1) (void)H5Sget_simple_extent_dims(sid, dims, NULL);
  if (sid >= 0) (void)H5Sclose(sid);
  PetscCheck(nd >= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s must be an array with one row per sample (it is a scalar or has no shape)", file, a->name);
  a->n = dims[0];
  a->m = 1;
  for (int k = 1; k < nd; k++) a->m *= dims[k];
  PetscCheck(a->n > 0 && a->m > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s is empty", file, a->name);
  PetscCheck(a->m <= (hsize_t)PETSC_MAX_INT / a->n, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s has %llu x %llu values, more than this PETSc build's PetscInt can index", file, a->name,
             (unsigned long long)a->n, (unsigned long long)a->m);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadMatrix(hid_t fid, const char file[], KNH5Matrix *a)
{
  hid_t          did;
  herr_t         st = -1;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  a->v = NULL;
  PetscCheck(H5Lexists(fid, a->name, H5P_DEFAULT) > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s has no dataset %s", file, a->name);
  did = H5Dopen2(fid, a->name, H5P_DEFAULT);
  PetscCheck(did >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: %s is not a dataset", file, a->name);
  ierr = Describe(did, file, a);
  if (!ierr) {
    double declared, stored;

    if (KNH5CheckStorage_Private(did, (size_t)(a->n * a->m), &declared, &stored)) {
      (void)H5Dclose(did);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s declares %llu x %llu values (%.0f bytes) but the file holds only %.0f bytes of them (truncated or tampered file)", file, a->name, (unsigned long long)a->n, (unsigned long long)a->m, declared, stored);
    }
    ierr = KNMallocChecked_Private(KNMulSize_Private((size_t)(a->n * a->m), sizeof(PetscReal)), "an HDF5 input dataset", &a->v);
  }
  if (!ierr) st = H5Dread(did, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a->v);
  (void)H5Dclose(did);
  if (ierr || st < 0) PetscCall(PetscFree(a->v));
  PetscCall(ierr);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "HDF5 file %s: reading dataset %s failed (corrupt file?)", file, a->name);
  for (hsize_t i = 0; i < a->n * a->m; i++) {
    if (PetscIsInfOrNanReal(a->v[i])) {
      PetscCall(PetscFree(a->v));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s, row %llu, column %llu is not a finite number", file, a->name, (unsigned long long)(i / a->m), (unsigned long long)(i % a->m));
    }
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Fills ds from the two matrices (y.v may be NULL); integer labels 0..K-1 in one column make a K-class set. */
static PetscErrorCode Fill(KNDataset ds, const char file[], const KNH5Matrix *x, const KNH5Matrix *y)
{
  PetscInt  n = (PetscInt)x->n, F = (PetscInt)x->m, T = y->v ? (PetscInt)y->m : 0;
  PetscReal maxlab = -1;
  PetscBool labels = (PetscBool)(y->v && y->isint && T == 1);

  PetscFunctionBegin;
  PetscCheck(!y->v || y->n == x->n, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s has %llu samples (rows) but dataset %s has %llu", file, x->name, (unsigned long long)x->n, y->name, (unsigned long long)y->n);
  PetscCall(KNDatasetAllocate_Private(ds, n, F, T));
  PetscCall(PetscArraycpy(ds->x, x->v, n * F));
  if (T) PetscCall(PetscArraycpy(ds->y, y->v, n * T));
  for (PetscInt i = 0; labels && i < n; i++) {
    if (ds->y[i] < 0) labels = PETSC_FALSE;
    maxlab = PetscMax(maxlab, ds->y[i]);
  }
  if (labels) ds->nclass = (PetscInt)maxlab + 1;
  PetscCall(KNDatasetSetName(ds, KNBaseName_Private(file)));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadH5(KNDataset ds, void *ctx)
{
  KNH5DataCtx   *c = (KNH5DataCtx *)ctx;
  KNH5Matrix     x = {c->xname, 0, 0, PETSC_FALSE, NULL}, y = {c->yname, 0, 0, PETSC_FALSE, NULL};
  PetscBool      exists;
  H5E_auto2_t    func;
  void          *data;
  hid_t          fid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscTestFile(c->file, 'r', &exists));
  PetscCheck(exists, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open HDF5 data file %s: it does not exist or is not readable", c->file);
  (void)H5Eget_auto2(H5E_DEFAULT, &func, &data);
  (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  fid  = H5Fopen(c->file, H5F_ACC_RDONLY, H5P_DEFAULT);
  ierr = fid >= 0 ? KN_SUCCESS : PETSC_ERR_FILE_UNEXPECTED;
  if (!ierr) ierr = ReadMatrix(fid, c->file, &x);
  if (!ierr && c->yname) ierr = ReadMatrix(fid, c->file, &y);
  if (fid >= 0) (void)H5Fclose(fid);
  (void)H5Eset_auto2(H5E_DEFAULT, func, data);
  PetscCheck(fid >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Cannot open %s as HDF5: not an HDF5 file, or corrupt or truncated", c->file);
  if (!ierr) ierr = Fill(ds, c->file, &x, &y);
  PetscCall(PetscFree(x.v));
  PetscCall(PetscFree(y.v));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetLoadHDF5 - reads features (and optionally targets) from numeric datasets of an HDF5 file; rank 0 reads,
  every rank gets the data

  Collective

  Input Parameters:
+ comm  - the communicator
. file  - the HDF5 file
. xname - path of the features dataset, e.g. "x" or "/train/x"
- yname - path of the targets dataset, or NULL for unlabelled data

  Output Parameter:
. ds - the new dataset, named after the file

  Notes:
  Row i of each dataset is sample i: a 1-D dataset of length n is n samples of one value, an n x m dataset n samples
  of m values; higher ranks are flattened in C order (an n x C x H x W image stack gives C*H*W features, channel
  major, as the node numbering of images expects). Integer and floating-point types are converted to PetscReal.
  Targets stored as integers in one column with values >= 0 are class labels: the class count is set to the
  largest label + 1 (KNDatasetSetNumClasses(ds, 0) makes them plain numbers again). Errors name the file and the
  dataset: a missing dataset, a non-numeric or empty one, NaN or Inf values, features and targets with different
  numbers of rows.

  Level: beginner

.seealso: KNDatasetLoadCSV(), KNDatasetSetNumClasses()
@*/
PetscErrorCode KNDatasetLoadHDF5(MPI_Comm comm, const char file[], const char xname[], const char yname[], KNDataset *ds)
{
  KNH5DataCtx c;

  PetscFunctionBegin;
  KNAssertPointer(ds, 5);
  PetscCheck(file && file[0], comm, PETSC_ERR_ARG_NULL, "KNDatasetLoadHDF5: no file name given");
  PetscCheck(xname && xname[0], comm, PETSC_ERR_ARG_NULL, "KNDatasetLoadHDF5: no features dataset name given");
  c.file  = file;
  c.xname = xname;
  c.yname = yname && yname[0] ? yname : NULL;
  PetscCall(KNDatasetLoad_Private(comm, ReadH5, &c, ds));
  PetscFunctionReturn(KN_SUCCESS);
}
