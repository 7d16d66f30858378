/* KNDatasetLoadCIFAR: CIFAR-10 binary batches (data_batch_1.bin ... data_batch_5.bin, test_batch.bin). */
#include "reader_impl.h"

#define KN_CIFAR_PIXELS 3072 /* 3 channels x 32 x 32 */
#define KN_CIFAR_RECORD 3073 /* 1 label byte + the pixels */

typedef struct {
  PetscInt           nfiles;
  const char *const *files;
} KNCIFARCtx;

/* Checks the records of one file and adds their number to *n; if ds has been allocated (second pass), also copies
   them into ds from sample *n on. */
static PetscErrorCode ReadBatch(const char path[], KNDataset ds, PetscInt *n)
{
  unsigned char *buf;
  size_t         size, nrec;

  PetscFunctionBegin;
  PetscCall(KNReadFile_Private(path, "CIFAR-10 batch file", &buf, &size));
  nrec = size / KN_CIFAR_RECORD;
  if (!size || size % KN_CIFAR_RECORD) PetscCall(PetscFree(buf));
  PetscCheck(size, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "CIFAR-10 batch file %s is empty", path);
  PetscCheck(!(size % KN_CIFAR_RECORD), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "CIFAR-10 batch file %s: %zu bytes is not a whole number of 3073-byte records (1 label + 3072 pixels): truncated, or not a CIFAR-10 binary batch (CIFAR-100 records are 3074 bytes)", path, size);
  if (nrec > (size_t)(PETSC_MAX_INT / KN_CIFAR_PIXELS - *n)) PetscCall(PetscFree(buf));
  PetscCheck(buf, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "CIFAR-10 batch file %s: %zu more records exceed this PETSc build's PetscInt range", path, nrec);
  for (size_t r = 0; r < nrec; r++) {
    const unsigned char *rec = buf + r * KN_CIFAR_RECORD;

    const int            label = rec[0];

    if (label > 9) PetscCall(PetscFree(buf));
    PetscCheck(buf, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "CIFAR-10 batch file %s: record %zu has label %d, not a class in 0..9 (not a CIFAR-10 file, or records out of step)", path, r, label);
    /* the file stores R, G, B planes of 32 x 32 row-major: exactly the channel-major node order */
    if (ds->x) {
      PetscReal *x = ds->x + (*n + (PetscInt)r) * KN_CIFAR_PIXELS;

      for (PetscInt k = 0; k < KN_CIFAR_PIXELS; k++) x[k] = (PetscReal)rec[1 + k] / 255.0;
      ds->y[*n + (PetscInt)r] = (PetscReal)rec[0];
    }
  }
  *n += (PetscInt)nrec;
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Two passes over the files: count the records (and check every file), then allocate and fill. */
static PetscErrorCode ReadCIFAR(KNDataset ds, void *ctx)
{
  KNCIFARCtx *c = (KNCIFARCtx *)ctx;
  PetscInt    n = 0, filled = 0;

  PetscFunctionBegin;
  for (PetscInt f = 0; f < c->nfiles; f++) {
    PetscCheck(c->files[f] && c->files[f][0], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "KNDatasetLoadCIFAR: file name %" PetscInt_FMT " is empty", f);
    PetscCall(ReadBatch(c->files[f], ds, &n));
  }
  PetscCall(KNDatasetAllocate_Private(ds, n, KN_CIFAR_PIXELS, 1));
  for (PetscInt f = 0; f < c->nfiles; f++) PetscCall(ReadBatch(c->files[f], ds, &filled));
  PetscCheck(filled == n, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "KNDatasetLoadCIFAR: the files changed while being read");
  ds->nclass = 10;
  PetscCall(KNDatasetSetName(ds, c->nfiles == 1 ? KNBaseName_Private(c->files[0]) : "cifar10"));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetLoadCIFAR - reads CIFAR-10 binary batch files into one dataset; rank 0 reads, every rank gets the data

  Collective

  Input Parameters:
+ comm   - the communicator
. nfiles - number of files (>= 1), e.g. 5 for data_batch_1.bin ... data_batch_5.bin
- files  - the file names, plain or gzip-compressed; their records are concatenated in this order

  Output Parameter:
. ds - the new dataset: 3072 features in [0, 1] and one class label in 0..9 per record, 10 classes

  Notes:
  A record is 1 label byte and 3072 pixel bytes: the R, G and B planes, each 32 x 32 row-major. Features are
  channel-major, feature c*1024 + h*32 + w is node 1 + c*1024 + h*32 + w (reference section 4.6), scaled by 1/255 as
  torchvision's ToTensor. Errors (PETSC_ERR_FILE_UNEXPECTED) name the file: a size that is not a multiple of 3073
  (truncated file, or a CIFAR-100 file), a label outside 0..9 (with the record number), an empty file.

  Level: beginner

.seealso: KNDatasetLoadIDX(), KNDatasetAugmentImages()
@*/
PetscErrorCode KNDatasetLoadCIFAR(MPI_Comm comm, PetscInt nfiles, const char *const files[], KNDataset *ds)
{
  KNCIFARCtx c;

  PetscFunctionBegin;
  KNAssertPointer(ds, 4);
  PetscCheck(nfiles >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "KNDatasetLoadCIFAR: nfiles = %" PetscInt_FMT " must be >= 1", nfiles);
  PetscCheck(files, comm, PETSC_ERR_ARG_NULL, "KNDatasetLoadCIFAR: files is NULL");
  c.nfiles = nfiles;
  c.files  = files;
  PetscCall(KNDatasetLoad_Private(comm, ReadCIFAR, &c, ds));
  PetscFunctionReturn(KN_SUCCESS);
}
