/* KNGraphLoad / KNGraphSave. HDF5 edge lists (graph_h5.c) are read and written collectively, every rank its own block;
   text edge lists here: rank 0 touches the file, the result (or the error) is broadcast. */
#include "graphimpl.h"
#include <errno.h>

PetscErrorCode KNGraphSplitPath_Private(const char path[], char file[], size_t flen, char group[], size_t glen, PetscBool *ish5)
{
  const char *colon = NULL, *ext[] = {".h5:", ".hdf5:"};
  size_t      n;

  PetscFunctionBegin;
  for (int i = 0; i < 2 && !colon; i++) {
    const char *hit = strstr(path, ext[i]);

    if (hit) colon = hit + strlen(ext[i]) - 1;
  }
  PetscCall(PetscStrncpy(group, "/", glen));
  if (colon) {
    n = (size_t)(colon - path);
    PetscCheck(n < flen, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "File name too long: %s", path);
    PetscCall(PetscStrncpy(file, path, n + 1));
    if (colon[1]) PetscCall(PetscStrncpy(group, colon + 1, glen));
    *ish5 = PETSC_TRUE;
  } else {
    PetscBool h5, hdf5;

    PetscCall(PetscStrncpy(file, path, flen));
    PetscCall(PetscStrendswith(path, ".h5", &h5));
    PetscCall(PetscStrendswith(path, ".hdf5", &hdf5));
    *ish5 = (h5 || hdf5) ? PETSC_TRUE : PETSC_FALSE;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reads a whole text file into a NUL-terminated buffer; errors if it cannot be read or holds NUL bytes. */
static PetscErrorCode KNReadWholeFile(const char path[], char **buf, size_t *size)
{
  FILE  *fp = fopen(path, "rb");
  long   len;
  size_t got;
  int    err;

  PetscFunctionBegin;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open topology file %s: %s", path, strerror(errno));
  err = fseek(fp, 0, SEEK_END);
  len = err ? -1 : ftell(fp);
  if (len < 0 || fseek(fp, 0, SEEK_SET)) {
    (void)fclose(fp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "Cannot determine the size of topology file %s (not a regular file?)", path);
  }
  {
    PetscErrorCode ierr = PetscMalloc1((size_t)len + 1, buf);

    if (ierr) (void)fclose(fp);
    PetscCall(ierr);
  }
  got = fread(*buf, 1, (size_t)len, fp);
  (void)fclose(fp);
  (*buf)[got] = '\0';
  *size       = got;
  if (got != (size_t)len || memchr(*buf, '\0', got)) {
    PetscCall(PetscFree(*buf));
    PetscCheck(got == (size_t)len, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "Short read from topology file %s", path);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Topology file %s contains NUL bytes: not a text edge list (HDF5 files must end in .h5)", path);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Parses one node id starting at *p; advances *p. */
static PetscErrorCode KNParseId(const char path[], PetscInt64 line, char **p, PetscInt *id)
{
  char     *end;
  long long v;

  PetscFunctionBegin;
  PetscCheck((**p >= '0' && **p <= '9') || **p == '-' || **p == '+', PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": malformed line, expected two integers \"src dst\"", path, line);
  errno = 0;
  v     = strtoll(*p, &end, 10);
  PetscCheck(end != *p && strchr(" \t\r#", *end), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": malformed line, expected two integers \"src dst\"", path, line);
  PetscCheck(v >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": negative node id %lld (0 is ground, state nodes are 1..N)", path, line, v);
  PetscCheck(errno != ERANGE && v < PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": node id %.*s exceeds the PetscInt limit of this PETSc build", path, line, (int)(end - *p), *p);
  *id = (PetscInt)v;
  *p  = end;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Handles a comment-only line: "# nodes N" sets the node count. */
static PetscErrorCode KNParseComment(const char path[], PetscInt64 line, const char *c, PetscInt *nodes)
{
  char     *end;
  long long v;

  PetscFunctionBegin;
  c += strspn(c, " \t");
  if (strncmp(c, "nodes", 5) || !strchr(" \t", c[5]) || !c[5]) PetscFunctionReturn(KN_SUCCESS);
  errno = 0;
  v     = strtoll(c + 5, &end, 10);
  PetscCheck(end != c + 5 && end[strspn(end, " \t\r")] == '\0', PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": malformed \"# nodes N\" line", path, line);
  PetscCheck(errno != ERANGE && v >= 0 && v < PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": node count %lld out of range", path, line, v);
  PetscCheck(*nodes < 0 || *nodes == (PetscInt)v, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": \"# nodes\" given twice with different values", path, line);
  *nodes = (PetscInt)v;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Splits the buffer into NUL-terminated lines in place; with src == NULL only counts the data lines.
   '#' starts a comment; a comment-only line may be "# nodes N". */
static PetscErrorCode KNParseLines(const char path[], char *buf, size_t size, PetscInt64 *E, PetscInt *nodes, PetscInt *maxid, PetscInt src[], PetscInt dst[])
{
  PetscInt64 line = 0, e = 0;

  PetscFunctionBegin;
  for (char *p = buf; p < buf + size; p += strlen(p) + 1) {
    char *nl = strchr(p, '\n'), *q;

    if (nl) *nl = '\0';
    line++;
    q = p + strspn(p, " \t\r");
    if (!*q) continue;
    if (*q == '#') {
      if (src) PetscCall(KNParseComment(path, line, q + 1, nodes));
      continue;
    }
    if (src) {
      PetscCall(KNParseId(path, line, &q, &src[e]));
      q += strspn(q, " \t\r");
      PetscCall(KNParseId(path, line, &q, &dst[e]));
      q += strspn(q, " \t\r");
      PetscCheck(*q == '\0' || *q == '#', PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": malformed line, expected exactly two integers \"src dst\"", path, line);
      PetscCheck(src[e] || dst[e], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": edge 0 -> 0 connects ground to ground", path, line);
      *maxid = PetscMax(*maxid, PetscMax(src[e], dst[e]));
      PetscCheck(*nodes < 0 || *maxid <= *nodes, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": node id %" PetscInt_FMT " exceeds \"# nodes %" PetscInt_FMT "\"", path, line, *maxid, *nodes);
    }
    e++;
  }
  *E = e;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphReadText_Private(const char path[], PetscInt *N, PetscInt *E, PetscInt **src, PetscInt **dst)
{
  char          *buf;
  size_t         size = 0;
  PetscInt64     count, filled;
  PetscInt       nodes = -1, maxid = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNReadWholeFile(path, &buf, &size));
  ierr = KNParseLines(path, buf, size, &count, &nodes, &maxid, NULL, NULL);
  if (!ierr) ierr = KNGraphAllocAllEdges_Private(count, path, src, dst);
  if (ierr) PetscCall(PetscFree(buf));
  PetscCall(ierr);
  /* the first pass replaced the newlines by NULs: restore them for the second */
  for (size_t i = 0; i < size; i++)
    if (buf[i] == '\0') buf[i] = '\n';
  ierr = KNParseLines(path, buf, size, &filled, &nodes, &maxid, *src, *dst);
  PetscCall(PetscFree(buf));
  if (ierr) PetscCall(PetscFree2(*src, *dst));
  PetscCall(ierr);
  /* a "# nodes" line after the edges is checked here */
  PetscCheck(nodes < 0 || maxid <= nodes, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: node id %" PetscInt_FMT " exceeds \"# nodes %" PetscInt_FMT "\"", path, maxid, nodes);
  *N = nodes >= 0 ? nodes : maxid;
  *E = (PetscInt)count;
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  const char *path;
  KNGraph     g;                 /* save */
  PetscInt    N, E, *src, *dst; /* the whole list on rank 0: read (load) or gathered (save) */
} KNFileCtx;

static PetscErrorCode KNLoadRoot(void *ctx)
{
  KNFileCtx *c = (KNFileCtx *)ctx;

  PetscFunctionBegin;
  PetscCall(KNGraphReadText_Private(c->path, &c->N, &c->E, &c->src, &c->dst));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Text: rank 0 reads the whole list and sends each rank its block (O(E) on rank 0 while reading). */
static PetscErrorCode KNLoadText(MPI_Comm comm, const char file[], PetscInt *N, PetscInt *E, PetscInt **src, PetscInt **dst)
{
  KNFileCtx   c;
  PetscMPIInt rank, size, *counts = NULL, *displs = NULL, n;
  PetscInt    sizes[2], estart, nlocal;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  c.path = file;
  PetscCall(KNRunOnRank0(comm, KNLoadRoot, &c));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  sizes[0] = c.N;
  sizes[1] = c.E;
  PetscCallMPI(MPI_Bcast(sizes, 2, MPIU_INT, 0, comm));
  KNGraphBlock(sizes[1], rank, size, &estart, &nlocal);
  PetscCall(PetscMalloc2(nlocal, src, nlocal, dst));
  PetscCall(PetscMalloc2(size, &counts, size, &displs));
  for (PetscMPIInt r = 0; r < size; r++) {
    PetscInt s0, m;
    KNGraphBlock(sizes[1], r, size, &s0, &m);
    counts[r] = (PetscMPIInt)m, displs[r] = (PetscMPIInt)s0; /* E fits PetscInt, which is int here */
  }
  PetscCall(PetscMPIIntCast(nlocal, &n));
  PetscCallMPI(MPI_Scatterv(c.src, counts, displs, MPIU_INT, *src, n, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Scatterv(c.dst, counts, displs, MPIU_INT, *dst, n, MPIU_INT, 0, comm));
  PetscCall(PetscFree2(counts, displs));
  PetscCall(PetscFree2(c.src, c.dst));
  *N = sizes[0], *E = sizes[1];
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphLoad - reads an edge list from a file; every rank gets its block of the edges

  Collective

  Input Parameters:
+ comm     - the communicator
- filename - "file.h5" or "file.h5:/group" for integer datasets src and dst (1-D, same length) in the root or the
             given group; any other name is a text edge list

  Output Parameter:
. g - the graph, with description {"name": "file", "args": {"file": "<filename>"}}

  Notes:
  Text format: one edge "src dst" per line, whitespace separated; '#' starts a comment; blank lines are ignored.
  N is the largest node id unless a comment line "# nodes N" gives it. In HDF5 files the group attribute
  num_state_nodes, if present, gives N. Errors name the file (and line): PETSC_ERR_FILE_OPEN for a missing or
  unreadable file, PETSC_ERR_FILE_UNEXPECTED for malformed content.
  Memory: an HDF5 file is read collectively through MPI-IO, every rank reading only its block of src and dst as
  hyperslabs (O(E/size) on every rank); this is the scalable path. A text file is read whole by rank 0, which scatters
  the blocks (O(E) there while reading); convert a large text list once with KNGraphSave() to "file.h5".

  Level: intermediate

.seealso: KNGraphSave(), KNGraphCreateFromOptions()
@*/
PetscErrorCode KNGraphLoad(MPI_Comm comm, const char filename[], KNGraph *g)
{
  char      file[PETSC_MAX_PATH_LEN], group[PETSC_MAX_PATH_LEN], *desc;
  PetscBool ish5;
  PetscInt  N, E, *src, *dst;
  size_t    len;

  PetscFunctionBegin;
  KNAssertPointer(g, 3);
  PetscCheck(filename && filename[0], comm, PETSC_ERR_ARG_NULL, "KNGraphLoad: no file name given");
  PetscCall(KNGraphSplitPath_Private(filename, file, sizeof(file), group, sizeof(group), &ish5));
  if (ish5) PetscCall(KNGraphReadHDF5_Private(comm, file, group, &N, &E, &src, &dst));
  else PetscCall(KNLoadText(comm, file, &N, &E, &src, &dst));
  PetscCall(PetscStrlen(filename, &len));
  PetscCall(PetscCalloc1(6 * len + 64, &desc));
  PetscCall(PetscStrcpy(desc, "{\"name\": \"file\", \"args\": {\"file\": "));
  PetscCall(KNJSONQuote_Private(filename, desc, 6 * len + 64));
  PetscCall(PetscStrlcat(desc, "}}", 6 * len + 64));
  PetscCall(KNGraphCreateOwned_Private(comm, N, E, src, dst, desc, g));
  PetscCall(PetscFree(desc));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNWriteText(KNGraph g, const PetscInt src[], const PetscInt dst[], const char path[])
{
  FILE *fp = fopen(path, "w");
  char  sum[17];
  int   bad;

  PetscFunctionBegin;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot create topology file %s: %s", path, strerror(errno));
  PetscCall(KNGraphGetChecksum(g, sum));
  bad = fprintf(fp, "# KirchhoffNet edge list: src dst (0 is ground)\n# nodes %" PetscInt_FMT "\n# edges %" PetscInt_FMT "\n# edges_fnv1a64 %s\n", g->N, g->E, sum) < 0;
  if (g->description) {
    bad = bad || fputs("# description ", fp) < 0;
    for (const char *c = g->description; *c && !bad; c++) bad = fputc(*c == '\n' || *c == '\r' ? ' ' : *c, fp) == EOF;
    bad = bad || fputc('\n', fp) == EOF;
  }
  for (PetscInt e = 0; e < g->E && !bad; e++) bad = fprintf(fp, "%" PetscInt_FMT " %" PetscInt_FMT "\n", src[e], dst[e]) < 0;
  bad = fclose(fp) || bad;
  PetscCheck(!bad, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "Writing topology file %s failed (disk full?)", path);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNSaveRoot(void *ctx)
{
  KNFileCtx *c = (KNFileCtx *)ctx;

  PetscFunctionBegin;
  PetscCall(KNWriteText(c->g, c->src, c->dst, c->path));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphSave - writes the edge list so that KNGraphLoad() reads it back

  Collective

  Input Parameters:
+ g        - the graph
- filename - "file.h5" or "file.h5:/group" (a new file: int64 datasets src, dst and attributes num_state_nodes,
             num_edges, edges_fnv1a64, topology), or any other name for a text edge list with "# nodes N"

  Notes:
  HDF5 files are written collectively through MPI-IO, every rank writing its own block of src and dst as a hyperslab
  (O(E/size) on every rank, no gather), so the file is the same bytes for any number of ranks. A text edge list is
  gathered on rank 0 (O(E) there) and written by it.

  Level: intermediate

.seealso: KNGraphLoad()
@*/
PetscErrorCode KNGraphSave(KNGraph g, const char filename[])
{
  KNFileCtx c;
  char      file[PETSC_MAX_PATH_LEN], group[PETSC_MAX_PATH_LEN];
  PetscBool ish5;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  PetscCheck(filename && filename[0], g->comm, PETSC_ERR_ARG_NULL, "KNGraphSave: no file name given");
  PetscCall(KNGraphSplitPath_Private(filename, file, sizeof(file), group, sizeof(group), &ish5));
  if (ish5) {
    PetscCall(KNGraphWriteHDF5_Private(g, file, group));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscMemzero(&c, sizeof(c)));
  c.path = file;
  c.g    = g;
  PetscCall(KNGraphGatherEdges_Private(g, PETSC_FALSE, &c.src, &c.dst));
  {
    PetscErrorCode ierr = KNRunOnRank0(g->comm, KNSaveRoot, &c);
    PetscCall(PetscFree2(c.src, c.dst));
    PetscCall(ierr);
  }
  PetscFunctionReturn(KN_SUCCESS);
}
