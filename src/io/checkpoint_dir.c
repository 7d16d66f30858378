/* Checkpoint directories: file names ckpt_<step:08d>.h5, listing (newest first, partial .tmp files apart), keep-last-k. */
#define _POSIX_C_SOURCE 200809L
#include "ckptimpl.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*@C
  KNCheckpointFileName - the name of the checkpoint of a step: <dir>/ckpt_<step:08d>.h5

  Not Collective

  Level: intermediate

.seealso: KNCheckpointList()
@*/
PetscErrorCode KNCheckpointFileName(const char dir[], PetscInt64 step, char name[], size_t len)
{
  PetscFunctionBegin;
  PetscCheck(step >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Checkpoint step %" PetscInt64_FMT " must be >= 0", step);
  PetscCall(PetscSNPrintf(name, len, "%s/ckpt_%08" PetscInt64_FMT ".h5", dir, step));
  PetscFunctionReturn(KN_SUCCESS);
}

/* "ckpt_<digits>.h5" (*tmp = 0) or "ckpt_<digits>.h5.tmp" (*tmp = 1); -1 for other names. */
static PetscInt64 ParseName(const char *name, int *tmp)
{
  const char *p = name + 5;
  char       *end;
  long long   step;

  if (strncmp(name, "ckpt_", 5) || *p < '0' || *p > '9') return -1;
  step = strtoll(p, &end, 10);
  if (!strcmp(end, ".h5")) *tmp = 0;
  else if (!strcmp(end, ".h5.tmp")) *tmp = 1;
  else return -1;
  return step;
}

typedef struct {
  PetscInt64 step;
  int        tmp;
  char      *name;
} Entry;

static int CompareNewestFirst(const void *a, const void *b)
{
  const Entry *x = (const Entry *)a, *y = (const Entry *)b;
  return x->step < y->step ? 1 : x->step > y->step ? -1 : 0;
}

/* Rank 0: the matching names of dir, newest first, as "path\n" lines (complete files first, then "\t" and the .tmp
   files); returns a malloc'ed string (NULL if the directory cannot be read). */
static char *Scan(const char dir[])
{
  DIR           *d = opendir(dir);
  struct dirent *e;
  Entry         *v   = NULL;
  size_t         n   = 0, cap = 0, len = 2, off = 0;
  char          *out = NULL;

  if (!d) return NULL;
  while ((e = readdir(d))) {
    int        tmp;
    PetscInt64 step = ParseName(e->d_name, &tmp);
    if (step < 0) continue;
    if (n == cap) {
      Entry *w = (Entry *)realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(Entry));
      if (!w) break;
      v = w;
    }
    v[n].step = step, v[n].tmp = tmp, v[n].name = strdup(e->d_name);
    len += strlen(dir) + strlen(e->d_name) + 2;
    n++;
  }
  closedir(d);
  if (n > 1) qsort(v, n, sizeof(Entry), CompareNewestFirst); /* v is NULL for an empty directory */
  out = (char *)malloc(len + 1);
  for (int pass = 0; out && pass < 2; pass++) {
    for (size_t k = 0; k < n; k++)
      if (v[k].tmp == pass && v[k].name) off += (size_t)snprintf(out + off, len + 1 - off, "%s/%s\n", dir, v[k].name);
    if (!pass) off += (size_t)snprintf(out + off, len + 1 - off, "\t");
  }
  for (size_t k = 0; k < n; k++) free(v[k].name);
  free(v);
  return out;
}

/* Splits the lines of s (up to the first '\t' if part == 0, after it if part == 1) into a PetscMalloc'ed array. */
static PetscErrorCode Split(const char *s, int part, PetscInt *n, char ***list)
{
  const char *p = s, *tab = strchr(s, '\t');
  PetscInt    cnt = 0;

  PetscFunctionBegin;
  if (part) p = tab + 1;
  for (const char *q = p; *q && *q != '\t'; q++) cnt += *q == '\n';
  PetscCall(PetscCalloc1(cnt + 1, list));
  for (PetscInt k = 0; k < cnt; k++) {
    const char *nl = strchr(p, '\n');
    size_t      l  = (size_t)(nl - p);
    PetscCall(PetscMalloc1(l + 1, &(*list)[k]));
    PetscCall(PetscMemcpy((*list)[k], p, l));
    (*list)[k][l] = 0;
    p                  = nl + 1;
  }
  *n = cnt;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointList - the checkpoints of a directory, newest (largest step) first, and the partial ones

  Collective

  Input Parameters:
+ comm - the communicator (rank 0 reads the directory, every rank gets the lists)
- dir - the checkpoint directory (a missing directory gives empty lists)

  Output Parameters:
+ n - number of complete files ckpt_<step>.h5
. files - their paths, newest first (free with KNCheckpointListDestroy())
. ntmp - number of partial files ckpt_<step>.h5.tmp left by an interrupted write (or pass NULL)
- tmps - their paths (or pass NULL)

  Level: intermediate

.seealso: KNCheckpointFileName(), KNCheckpointPrune()
@*/
PetscErrorCode KNCheckpointList(MPI_Comm comm, const char dir[], PetscInt *n, char ***files, PetscInt *ntmp, char ***tmps)
{
  PetscMPIInt rank;
  char       *s   = NULL, *buf;
  int         len = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    s   = Scan(dir);
    len = s ? (int)strlen(s) : 0;
  }
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, comm));
  PetscCall(PetscMalloc1(len + 2, &buf));
  if (!rank) {
    if (s) memcpy(buf, s, (size_t)len);
    free(s);
  }
  buf[len] = 0;
  PetscCallMPI(MPI_Bcast(buf, len, MPI_CHAR, 0, comm));
  if (!len) PetscCall(PetscStrncpy(buf, "\t", 2));
  PetscCall(Split(buf, 0, n, files));
  if (tmps) PetscCall(Split(buf, 1, ntmp, tmps));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointListDestroy(PetscInt n, char ***list)
{
  PetscFunctionBegin;
  if (!list || !*list) PetscFunctionReturn(KN_SUCCESS);
  for (PetscInt k = 0; k < n; k++) PetscCall(PetscFree((*list)[k]));
  PetscCall(PetscFree(*list));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointRemoveFile - removes a file on rank 0 (a missing file is not an error)

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCheckpointRemoveFile(MPI_Comm comm, const char file[])
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && unlink(file) && errno != ENOENT) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "Cannot remove %s: %s", file, strerror(err));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointPrune - keeps the newest keep complete checkpoints of a directory and removes the older ones

  Collective

  Input Parameters:
+ comm - the communicator
. dir - the checkpoint directory
- keep - how many to keep (>= 1)

  Level: intermediate

.seealso: KNCheckpointList()
@*/
PetscErrorCode KNCheckpointPrune(MPI_Comm comm, const char dir[], PetscInt keep)
{
  PetscInt n;
  char   **files;

  PetscFunctionBegin;
  PetscCheck(keep >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "Keep at least one checkpoint (-kn_checkpoint_keep %" PetscInt_FMT ")", keep);
  PetscCall(KNCheckpointList(comm, dir, &n, &files, NULL, NULL));
  for (PetscInt k = keep; k < n; k++) PetscCall(KNCheckpointRemoveFile(comm, files[k]));
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscFunctionReturn(KN_SUCCESS);
}
