/* KNDatasetLoadHDF5 / KNDatasetLoadHDF5Rows: features (and targets) from numeric datasets of an HDF5 file, read
   collectively through MPI-IO (sys/knh5.h): every rank reads one block of the requested rows as a hyperslab, checks
   it, and the blocks are gathered into the dataset (which, like every KNDataset, is replicated on its communicator). */
#include "reader_impl.h"
#include "sys/knh5.h"

/* A numeric dataset as an n x m matrix: rank 1 gives m = 1, higher ranks flatten the trailing dimensions (C order). */
typedef struct {
  const char *name;
  int         nd;
  hsize_t     dims[H5S_MAX_RANK], n, m;
  PetscBool   isint;
} KNH5Matrix;

/* Shape and type of dataset a->name; the metadata is the same on every rank, so are the errors (raised on comm). */
static PetscErrorCode Describe(MPI_Comm comm, hid_t fid, const char file[], KNH5Matrix *a)
{
  KNH5Handles h = {0};
  hid_t       did, sid, tid;
  H5T_class_t cls;
  double      declared = 0, stored = 0;
  int         bad = 0;

  PetscFunctionBegin;
  PetscCheck(H5Lexists(fid, a->name, H5P_DEFAULT) > 0, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s has no dataset %s", file, a->name);
  did = KNH5Keep(&h, H5Dopen2(fid, a->name, H5P_DEFAULT), H5Dclose);
  tid = did < 0 ? -1 : KNH5Keep(&h, H5Dget_type(did), H5Tclose);
  sid = did < 0 ? -1 : KNH5Keep(&h, H5Dget_space(did), H5Sclose);
  cls = tid < 0 ? H5T_NO_CLASS : H5Tget_class(tid);
  a->nd = sid < 0 ? -1 : H5Sget_simple_extent_ndims(sid);
  if (a->nd >= 1) (void)H5Sget_simple_extent_dims(sid, a->dims, NULL);
  a->n = a->nd >= 1 ? a->dims[0] : 0;
  a->m = 1;
  for (int k = 1; k < a->nd; k++) a->m *= a->dims[k];
  if (did >= 0 && a->nd >= 1 && a->n && a->m && a->m <= (hsize_t)PETSC_MAX_INT / a->n) bad = KNH5CheckStorage_Private(did, (size_t)(a->n * a->m), &declared, &stored);
  KNH5CloseAll(&h);
  PetscCheck(did >= 0, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: %s is not a dataset", file, a->name);
  PetscCheck(cls == H5T_INTEGER || cls == H5T_FLOAT, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s must hold integers or floating-point numbers", file, a->name);
  a->isint = (PetscBool)(cls == H5T_INTEGER);
  PetscCheck(a->nd >= 1, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s must be an array with one row per sample (it is a scalar or has no shape)", file, a->name);
  PetscCheck(a->n > 0 && a->m > 0, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s is empty", file, a->name);
  PetscCheck(a->m <= (hsize_t)PETSC_MAX_INT / a->n, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s has %llu x %llu values, more than this PETSc build's PetscInt can index", file, a->name, (unsigned long long)a->n, (unsigned long long)a->m);
  PetscCheck(!bad, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s declares %llu x %llu values (%.0f bytes) but the file holds only %.0f bytes of them (truncated or tampered file)", file, a->name, (unsigned long long)a->n, (unsigned long long)a->m, declared, stored);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rows r0 .. r0+nr-1 of a into v (doubles, nr * m), a collective hyperslab read; 0 or -1. */
static int ReadRows(hid_t fid, const KNH5Matrix *a, hsize_t r0, hsize_t nr, PetscReal v[])
{
  KNH5Handles h = {0};
  hsize_t     start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK], one = 1;
  hid_t       did, fsid, msid, dxpl;
  int         st = -1;

  for (int k = 0; k < a->nd; k++) count[k] = a->dims[k];
  start[0] = r0, count[0] = nr;
  did  = KNH5Keep(&h, H5Dopen2(fid, a->name, H5P_DEFAULT), H5Dclose);
  fsid = did < 0 ? -1 : KNH5Keep(&h, H5Dget_space(did), H5Sclose);
  msid = KNH5Keep(&h, nr ? H5Screate_simple(a->nd, count, NULL) : H5Screate_simple(1, &one, NULL), H5Sclose);
  dxpl = KNH5Keep(&h, H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  if (fsid >= 0 && msid >= 0 && dxpl >= 0 && H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) >= 0) {
    /* an empty share still joins the collective transfer */
    herr_t sel = nr ? H5Sselect_hyperslab(fsid, H5S_SELECT_SET, start, NULL, count, NULL) : (H5Sselect_none(fsid) < 0 ? -1 : H5Sselect_none(msid));
    if (sel >= 0 && H5Dread(did, H5T_NATIVE_DOUBLE, msid, fsid, dxpl, v) >= 0) st = 0;
  }
  KNH5CloseAll(&h);
  return st;
}

/* This rank's block of rows [r0, r0 + nr) of a, read and checked (finite values); the first bad value over all ranks
   is one error on every rank. *v has (its block) * m values; *b0, *bn: the block (rows relative to r0). */
static PetscErrorCode ReadBlock(MPI_Comm comm, hid_t fid, const char file[], const KNH5Matrix *a, PetscInt r0, PetscInt nr, PetscInt *b0, PetscInt *bn, PetscReal **v)
{
  PetscMPIInt rank, size;
  PetscInt64  bad = INT64_MAX;
  int         st;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  *bn = nr / size + (rank < nr % size ? 1 : 0);
  *b0 = rank * (nr / size) + PetscMin(rank, nr % size);
  PetscCall(KNMallocChecked_Private(KNMulSize_Private((size_t)*bn * (size_t)a->m + 1, sizeof(PetscReal)), "a block of an HDF5 input dataset", v));
  st = ReadRows(fid, a, (hsize_t)(r0 + *b0), (hsize_t)*bn, *v);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &st, 1, MPI_INT, MPI_MIN, comm));
  if (st < 0) PetscCall(PetscFree(*v));
  PetscCheck(st >= 0, comm, PETSC_ERR_FILE_READ, "HDF5 file %s: reading dataset %s failed (corrupt file?)", file, a->name);
  for (PetscInt64 i = 0; i < (PetscInt64)*bn * (PetscInt64)a->m && bad == INT64_MAX; i++)
    if (PetscIsInfOrNanReal((*v)[i])) bad = ((PetscInt64)r0 + *b0) * (PetscInt64)a->m + i;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_INT64, MPI_MIN, comm));
  if (bad != INT64_MAX) PetscCall(PetscFree(*v));
  PetscCheck(bad == INT64_MAX, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s, row %llu, column %llu is not a finite number", file, a->name, (unsigned long long)(bad / (PetscInt64)a->m), (unsigned long long)(bad % (PetscInt64)a->m));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rows [r0, r0 + nr) of a into all[] (nr * m values) on every rank: each reads its block, then an allgather. */
static PetscErrorCode ReadAllRows(MPI_Comm comm, hid_t fid, const char file[], const KNH5Matrix *a, PetscInt r0, PetscInt nr, PetscReal all[])
{
  PetscMPIInt size, rank, *cnt, *dsp;
  PetscInt    b0, bn;
  PetscReal  *v;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(ReadBlock(comm, fid, file, a, r0, nr, &b0, &bn, &v));
  PetscCall(PetscMalloc2(size, &cnt, size, &dsp));
  for (PetscMPIInt q = 0; q < size; q++) {
    PetscInt q0 = q * (nr / size) + PetscMin(q, nr % size), qn = nr / size + (q < nr % size ? 1 : 0);
    /* counts in values: the dataset's n*m fits PetscInt (Describe), which is int in this build */
    cnt[q] = (PetscMPIInt)(qn * (PetscInt)a->m), dsp[q] = (PetscMPIInt)(q0 * (PetscInt)a->m);
  }
  PetscCallMPI(MPI_Allgatherv(v, cnt[rank], MPIU_REAL, all, cnt, dsp, MPIU_REAL, comm));
  PetscCall(PetscFree2(cnt, dsp));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  const char *file;
  KNH5Matrix  x, y;
  PetscInt    r0, nr;
} KNH5Load;

/* Both matrices described, the row range checked, the dataset filled (integer labels 0..K-1 in one column: K classes). */
static PetscErrorCode Fill(MPI_Comm comm, hid_t fid, KNH5Load *c, KNDataset ds)
{
  PetscInt  F, T;
  PetscReal maxlab = -1;
  PetscBool labels;

  PetscFunctionBegin;
  PetscCall(Describe(comm, fid, c->file, &c->x));
  if (c->y.name) PetscCall(Describe(comm, fid, c->file, &c->y));
  PetscCheck(!c->y.name || c->y.n == c->x.n, comm, PETSC_ERR_FILE_UNEXPECTED, "HDF5 file %s: dataset %s has %llu samples (rows) but dataset %s has %llu", c->file, c->x.name, (unsigned long long)c->x.n, c->y.name, (unsigned long long)c->y.n);
  if (c->nr == PETSC_DETERMINE) c->nr = (PetscInt)c->x.n - c->r0;
  PetscCheck(c->r0 >= 0 && c->nr >= 0 && (hsize_t)(c->r0 + c->nr) <= c->x.n, comm, PETSC_ERR_ARG_OUTOFRANGE, "HDF5 file %s: rows %" PetscInt_FMT "..%" PetscInt_FMT " are not within the %llu samples of dataset %s", c->file, c->r0, c->r0 + c->nr - 1, (unsigned long long)c->x.n, c->x.name);
  F = (PetscInt)c->x.m, T = c->y.name ? (PetscInt)c->y.m : 0;
  labels = (PetscBool)(c->y.name && c->y.isint && T == 1);
  PetscCall(KNDatasetAllocate_Private(ds, c->nr, F, T));
  PetscCall(ReadAllRows(comm, fid, c->file, &c->x, c->r0, c->nr, ds->x));
  if (T) PetscCall(ReadAllRows(comm, fid, c->file, &c->y, c->r0, c->nr, ds->y));
  for (PetscInt i = 0; labels && i < c->nr; i++) {
    if (ds->y[i] < 0) labels = PETSC_FALSE;
    maxlab = PetscMax(maxlab, ds->y[i]);
  }
  if (labels) ds->nclass = (PetscInt)maxlab + 1;
  PetscCall(KNDatasetSetName(ds, KNBaseName_Private(c->file)));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetLoadHDF5Rows - KNDatasetLoadHDF5() for the samples start .. start+count-1 only (count PETSC_DETERMINE: to
  the end): only those rows are read, e.g. one shard of a large set, or a data group's share when the caller's
  communicator is the group

  Collective

  Notes:
  Every rank of comm reads an equal block of the rows as a hyperslab through MPI-IO and the blocks are gathered, so
  no rank reads or holds more than the requested rows (plus its block while reading). The class count (integer
  labels) is the largest label among the rows read + 1.

  Level: intermediate

.seealso: KNDatasetLoadHDF5()
@*/
PetscErrorCode KNDatasetLoadHDF5Rows(MPI_Comm comm, const char file[], const char xname[], const char yname[], PetscInt start, PetscInt count, KNDataset *ds)
{
  KNH5Load       c;
  KNH5Quiet      q;
  hid_t          fid = -1;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(ds, 7);
  *ds = NULL;
  PetscCheck(file && file[0], comm, PETSC_ERR_ARG_NULL, "KNDatasetLoadHDF5: no file name given");
  PetscCheck(xname && xname[0], comm, PETSC_ERR_ARG_NULL, "KNDatasetLoadHDF5: no features dataset name given");
  PetscCall(PetscMemzero(&c, sizeof(c)));
  c.file = file, c.x.name = xname, c.y.name = yname && yname[0] ? yname : NULL, c.r0 = start, c.nr = count;
  KNH5QuietBegin(&q);
  ierr = KNH5OpenFile_Private(comm, file, "HDF5 data file", &fid);
  if (!ierr) ierr = KNDatasetCreate(comm, ds);
  if (!ierr) ierr = Fill(comm, fid, &c, *ds);
  if (fid >= 0) (void)H5Fclose(fid);
  KNH5QuietEnd(&q);
  if (ierr) PetscCall(KNDatasetDestroy(ds));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetLoadHDF5 - reads features (and optionally targets) from numeric datasets of an HDF5 file; every rank gets
  the data

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
  The file is read collectively (MPI-IO): every rank reads 1/size of the rows as a hyperslab, then the rows are
  gathered. The dataset itself is replicated on every rank of comm (KNDatasetCreate()); KNDatasetLoadHDF5Rows()
  reads a range of rows only.

  Level: beginner

.seealso: KNDatasetLoadHDF5Rows(), KNDatasetLoadCSV(), KNDatasetSetNumClasses()
@*/
PetscErrorCode KNDatasetLoadHDF5(MPI_Comm comm, const char file[], const char xname[], const char yname[], KNDataset *ds)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 5);
  PetscCall(KNDatasetLoadHDF5Rows(comm, file, xname, yname, 0, PETSC_DETERMINE, ds));
  PetscFunctionReturn(KN_SUCCESS);
}
