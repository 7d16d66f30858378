/* Shared machinery of the dataset readers: rank 0 reads, the dataset (or the error) reaches every rank; whole-file
   reads of plain or gzip-compressed files through zlib. */
#include "reader_impl.h"
#include "sys/knmemory.h"
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <zlib.h>

/* MPI counts are int: broadcast n reals in pieces of at most 2^28. */
static PetscErrorCode BcastReals(MPI_Comm comm, PetscInt64 n, PetscReal a[])
{
  const PetscInt64 chunk = (PetscInt64)1 << 28;

  PetscFunctionBegin;
  for (PetscInt64 s = 0; s < n; s += chunk) PetscCallMPI(MPI_Bcast(a + s, (PetscMPIInt)PetscMin(chunk, n - s), MPIU_REAL, 0, comm));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDatasetBcast_Private(KNDataset ds)
{
  PetscMPIInt rank, size;
  PetscInt64  info[5] = {0, 0, 0, 0, 0}; /* n, nfeat, ntarget, nclass, strlen(name) + 1 (0: no name) */

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(ds->comm, &size));
  if (size == 1) PetscFunctionReturn(KN_SUCCESS);
  PetscCallMPI(MPI_Comm_rank(ds->comm, &rank));
  if (rank == 0) {
    info[0] = ds->n;
    info[1] = ds->nfeat;
    info[2] = ds->ntarget;
    info[3] = ds->nclass;
    info[4] = ds->name ? (PetscInt64)strlen(ds->name) + 1 : 0;
  }
  PetscCallMPI(MPI_Bcast(info, 5, MPIU_INT64, 0, ds->comm));
  if (rank) {
    PetscCall(KNDatasetAllocate_Private(ds, (PetscInt)info[0], (PetscInt)info[1], (PetscInt)info[2]));
    ds->nclass = (PetscInt)info[3];
    PetscCall(PetscFree(ds->name));
    if (info[4]) PetscCall(PetscMalloc1((size_t)info[4], &ds->name));
  }
  if (info[4]) PetscCallMPI(MPI_Bcast(ds->name, (PetscMPIInt)info[4], MPI_CHAR, 0, ds->comm));
  PetscCall(BcastReals(ds->comm, info[0] * info[1], ds->x));
  PetscCall(BcastReals(ds->comm, info[0] * info[2], ds->y));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  KNDatasetReadFn read;
  void           *ctx;
  KNDataset       ds;
} KNLoadCtx;

static PetscErrorCode LoadRoot(void *ctx)
{
  KNLoadCtx *c = (KNLoadCtx *)ctx;

  PetscFunctionBegin;
  PetscCall(c->read(c->ds, c->ctx));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDatasetLoad_Private(MPI_Comm comm, KNDatasetReadFn read, void *ctx, KNDataset *ds)
{
  KNLoadCtx      c;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(ds, 4);
  *ds = NULL;
  c.read = read;
  c.ctx  = ctx;
  PetscCall(KNDatasetCreate(comm, &c.ds));
  ierr = KNRunOnRank0(comm, LoadRoot, &c);
  if (!ierr) ierr = KNDatasetBcast_Private(c.ds);
  if (ierr) PetscCall(KNDatasetDestroy(&c.ds));
  PetscCall(ierr);
  *ds = c.ds;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reads everything gz can deliver into buf (capacity *cap, grown by doubling); *size bytes read. */
static PetscErrorCode ReadAll(gzFile gz, const char path[], const char what[], unsigned char **buf, size_t *cap, size_t *size)
{
  PetscFunctionBegin;
  *size = 0;
  for (;;) {
    size_t want;
    int    got;

    if (*size + 1 >= *cap) { /* keep room for the terminating NUL */
      unsigned char *nbuf;

      char msg[PETSC_MAX_PATH_LEN + 64];

      PetscCheck(*cap < ((size_t)1 << 40), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s %s: more than 1 TiB of data", what, path);
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "the contents of %s %s (a gzip stream expands without limit)", what, path));
      PetscCall(KNMallocChecked_Private(2 * *cap, msg, &nbuf)); /* a small .gz may inflate past the node's memory */
      PetscCall(PetscArraycpy(nbuf, *buf, *size));
      PetscCall(PetscFree(*buf));
      *buf = nbuf;
      *cap *= 2;
    }
    want = PetscMin(*cap - 1 - *size, (size_t)INT_MAX / 2);
    got  = gzread(gz, *buf + *size, (unsigned)want);
    if (got <= 0) {
      int         err;
      const char *msg = gzerror(gz, &err);

      if (msg && !strncmp(msg, path, strlen(path)) && msg[strlen(path)] == ':') msg += strlen(path) + 1; /* gzerror() prefixes the path */
      PetscCheck(err != Z_BUF_ERROR, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s %s: the gzip stream ends early: truncated file", what, path);
      PetscCheck(got == 0 && err == Z_OK, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s %s: read error or corrupt gzip data (%s)", what, path, err == Z_ERRNO ? strerror(errno) : msg);
      break;
    }
    *size += (size_t)got;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNReadFile_Private(const char path[], const char what[], unsigned char **buf, size_t *size)
{
  struct stat    st;
  gzFile         gz;
  size_t         cap;
  PetscErrorCode ierr;
  int            zerr;

  PetscFunctionBegin;
  *buf  = NULL;
  *size = 0;
  PetscCheck(path && path[0], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "No %s file name given", what);
  PetscCheck(!stat(path, &st), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open %s %s: %s", what, path, strerror(errno));
  PetscCheck(S_ISREG(st.st_mode), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot read %s %s: not a regular file", what, path);
  gz = gzopen(path, "rb");
  PetscCheck(gz, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open %s %s: %s", what, path, errno ? strerror(errno) : "out of memory");
  (void)gzbuffer(gz, 1 << 18);
  cap  = PetscMax((size_t)st.st_size + 2, (size_t)1 << 16);
  ierr = PetscMalloc1(cap, buf);
  if (!ierr) ierr = ReadAll(gz, path, what, buf, &cap, size);
  zerr = gzclose_r(gz); /* Z_BUF_ERROR: the last read stopped inside a gzip stream */
  if (ierr || zerr != Z_OK) PetscCall(PetscFree(*buf));
  PetscCall(ierr);
  PetscCheck(zerr == Z_OK, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s %s: %s", what, path, zerr == Z_BUF_ERROR ? "the gzip stream ends early: truncated file" : "read error or corrupt gzip data");
  (*buf)[*size] = '\0';
  PetscFunctionReturn(KN_SUCCESS);
}
