/* Text edge lists read and written in parallel with MPI-IO: every rank handles only its share of the bytes and of the
   edges (O(E/size) per rank, plus one line).
   Reading is in two passes over each rank's byte range [lo, hi): a rank owns the lines that start in its range (the
   first one is the line after the first newline at or after lo - 1; the last may run past hi). Pass 1 counts lines
   and data lines and reads the "# nodes N" comments; prefix sums give each rank its first line number and edge
   index, so pass 2 parses with the file's line numbers and the same checks as one rank would. The parsed edges are
   then moved to the KNGraphBlock() blocks (MPI_Alltoallv). An error on any rank is raised on every rank: the one of
   the lowest rank, i.e. the first in the file (sys/kncapture.h). */
#include "graphimpl.h"
#include "sys/kncapture.h"
#include "sys/knmemory.h"
#include <errno.h>
#include <sys/stat.h>

typedef struct {
  const char *path;
  char       *buf;         /* the owned lines, NUL-terminated */
  size_t      len;
  PetscInt64  line0;       /* line number of the first owned line - 1 */
  PetscInt64  nlines, m;   /* lines and data lines owned */
  PetscInt    nodes;       /* "# nodes N" (pass 1: found here, -1 if none; pass 2: the file's) */
  PetscInt    maxid;
  PetscInt   *src, *dst;   /* pass 2: the m edges owned, in file order */
} TextPart;

/* Parses one node id starting at *p; advances *p. */
static PetscErrorCode ParseId(const char path[], PetscInt64 line, char **p, PetscInt *id)
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

/* A comment-only line: "# nodes N" sets the node count. */
static PetscErrorCode ParseComment(const char path[], PetscInt64 line, const char *c, PetscInt *nodes)
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

/* One pass over the owned lines. Pass 1 (src NULL): counts lines and data lines, reads "# nodes"; pass 2: parses the
   edges against the file's node count. '#' starts a comment. Each line is cut at its newline and restored after. */
static PetscErrorCode Scan(TextPart *t, PetscBool parse)
{
  PetscInt64 line = t->line0, e = 0;
  char      *p = t->buf, *end = t->buf + t->len;

  PetscFunctionBegin;
  while (p < end) {
    char     *nl = memchr(p, '\n', (size_t)(end - p)), *q;
    PetscBool data;

    if (nl) *nl = '\0';
    line++;
    q    = p + strspn(p, " \t\r");
    data = (PetscBool)(*q && *q != '#');
    if (*q == '#' && !parse) PetscCall(ParseComment(t->path, line, q + 1, &t->nodes));
    if (data && parse) {
      PetscCall(ParseId(t->path, line, &q, &t->src[e]));
      q += strspn(q, " \t\r");
      PetscCall(ParseId(t->path, line, &q, &t->dst[e]));
      q += strspn(q, " \t\r");
      PetscCheck(*q == '\0' || *q == '#', PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": malformed line, expected exactly two integers \"src dst\"", t->path, line);
      PetscCheck(t->src[e] || t->dst[e], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": edge 0 -> 0 connects ground to ground", t->path, line);
      t->maxid = PetscMax(t->maxid, PetscMax(t->src[e], t->dst[e]));
      PetscCheck(t->nodes < 0 || t->maxid <= t->nodes, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": node id %" PetscInt_FMT " exceeds \"# nodes %" PetscInt_FMT "\"", t->path, line, t->maxid, t->nodes);
    }
    if (data) e++;
    if (nl) *nl = '\n';
    p = nl ? nl + 1 : end;
  }
  t->nlines = line - t->line0;
  t->m      = e;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Pass1(void *ctx)
{
  PetscFunctionBegin;
  PetscCall(Scan((TextPart *)ctx, PETSC_FALSE));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Pass2(void *ctx)
{
  TextPart *t = (TextPart *)ctx;

  PetscFunctionBegin;
  PetscCall(KNGraphCheckIntRange_Private(PETSC_COMM_SELF, t->m, "Text edge list: number of edges"));
  PetscCall(PetscMalloc2(t->m, &t->src, t->m, &t->dst));
  PetscCall(Scan(t, PETSC_TRUE));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Runs fn on every rank; the first error (the lowest rank's) is raised on all. */
static PetscErrorCode RunEverywhere(MPI_Comm comm, PetscErrorCode (*fn)(void *), void *ctx)
{
  KNErrorCapture cap;
  PetscMPIInt    rank, first;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&cap, sizeof(cap)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(KNErrorCaptureRun_Private(fn, ctx, &cap));
  first = cap.code ? rank : PETSC_MPI_INT_MAX;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first != PETSC_MPI_INT_MAX) PetscCall(KNErrorCaptureRaise_Private(comm, first, &cap));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reads n bytes at off into b (fewer at the end of the file); *got = bytes read, or -1 on a read error. */
static void ReadAt(MPI_File fh, MPI_Offset off, char *b, int n, int *got)
{
  MPI_Status st;

  *got = -1;
  if (MPI_File_read_at(fh, off, b, n, MPI_CHAR, &st) == MPI_SUCCESS) (void)MPI_Get_count(&st, MPI_CHAR, got);
}

/* This rank's lines: from the first line start in [lo, hi) to the end of the line holding byte hi - 1. Not collective;
   errors on PETSC_COMM_SELF (the caller agrees on them). */
static PetscErrorCode ReadPart(MPI_File fh, const char path[], MPI_Offset size, MPI_Offset lo, MPI_Offset hi, TextPart *t)
{
  const int  chunk = 1 << 16;
  MPI_Offset from  = lo > 0 ? lo - 1 : 0, cap = hi - from + chunk, n = 0;
  char      *b, *s;
  int        got;

  PetscFunctionBegin;
  if (lo >= hi) { /* more ranks than bytes */
    PetscCall(PetscCalloc1(1, &t->buf));
    t->len = 0;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNMallocChecked_Private((size_t)cap + 1, "a share of a text edge list", &b));
  for (MPI_Offset at = from; at < hi; at += got) { /* the range itself, in pieces MPI counts can express */
    ReadAt(fh, at, b + n, (int)PetscMin(hi - at, (MPI_Offset)1 << 30), &got);
    if (got <= 0) PetscCall(PetscFree(b));
    PetscCheck(got > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "Short read from topology file %s", path);
    n += got;
  }
  while (n && b[n - 1] != '\n' && from + n < size) { /* the last line runs on */
    if (n + chunk > cap) {
      char *nb;
      PetscCall(PetscMalloc1((size_t)(2 * cap + 1), &nb));
      PetscCall(PetscMemcpy(nb, b, (size_t)n));
      PetscCall(PetscFree(b));
      b = nb, cap *= 2;
    }
    ReadAt(fh, from + n, b + n, chunk, &got);
    if (got <= 0) PetscCall(PetscFree(b));
    PetscCheck(got > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "Short read from topology file %s", path);
    for (int i = 0; i < got; i++, n++)
      if (b[n] == '\n' && from + n >= hi - 1) { n++, got = 0; break; }
  }
  b[n] = '\0';
  if (memchr(b, '\0', (size_t)n)) PetscCall(PetscFree(b));
  PetscCheck(b, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Topology file %s contains NUL bytes: not a text edge list (HDF5 files must end in .h5)", path);
  /* skip the line that started before lo (it is the previous rank's) */
  s = b;
  if (lo > 0) {
    char *nl = memchr(b, '\n', (size_t)n);
    s        = nl && (nl - b) + 1 < hi - from ? nl + 1 : b + n; /* the next line must start before hi */
  }
  t->len = (size_t)(b + n - s);
  PetscCall(PetscMemmove(b, s, t->len + 1));
  t->buf = b;
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  MPI_File    fh;
  const char *path;
  MPI_Offset  size, lo, hi;
  TextPart   *t;
} ReadCtx;

static PetscErrorCode ReadPartCtx(void *ctx)
{
  ReadCtx *r = (ReadCtx *)ctx;

  PetscFunctionBegin;
  PetscCall(ReadPart(r->fh, r->path, r->size, r->lo, r->hi, r->t));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: the size of a regular, readable file; the same error on every rank otherwise. */
static PetscErrorCode FileSize(MPI_Comm comm, const char path[], MPI_Offset *size)
{
  PetscMPIInt rank;
  long long   v[2] = {0, 0}; /* errno, size */

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    struct stat st;
    FILE       *fp = fopen(path, "rb");

    if (!fp) v[0] = errno ? errno : EIO;
    else if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) v[0] = -1;
    else v[1] = (long long)st.st_size;
    if (fp) (void)fclose(fp);
  }
  PetscCallMPI(MPI_Bcast(v, 2, MPI_LONG_LONG, 0, comm));
  PetscCheck(v[0] <= 0, comm, PETSC_ERR_FILE_OPEN, "Cannot open topology file %s: %s", path, strerror((int)v[0]));
  PetscCheck(v[0] == 0, comm, PETSC_ERR_FILE_READ, "Cannot determine the size of topology file %s (not a regular file?)", path);
  *size = (MPI_Offset)v[1];
  PetscFunctionReturn(KN_SUCCESS);
}

/* Moves the edges [e0, e0 + m) of this rank (file order) to the KNGraphBlock() blocks of E edges. */
static PetscErrorCode ToBlocks(MPI_Comm comm, PetscInt E, PetscInt e0, PetscInt m, const PetscInt s[], const PetscInt d[], PetscInt **src, PetscInt **dst)
{
  PetscMPIInt rank, size, *sc, *sd, *rc, *rd;
  PetscInt    b0, nb, *starts;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc5(size + 1, &starts, size, &sc, size, &sd, size, &rc, size, &rd));
  PetscCallMPI(MPI_Allgather(&e0, 1, MPIU_INT, starts, 1, MPIU_INT, comm));
  starts[size] = E;
  KNGraphBlock(E, rank, size, &b0, &nb);
  for (PetscMPIInt q = 0; q < size; q++) {
    PetscInt q0, nq;
    KNGraphBlock(E, q, size, &q0, &nq);
    /* what this rank sends q: its edges in q's block; what it receives from q: q's edges in its own block */
    sd[q] = (PetscMPIInt)(PetscMax(q0, e0) - e0);
    sc[q] = (PetscMPIInt)PetscMax(0, PetscMin(q0 + nq, e0 + m) - PetscMax(q0, e0));
    rd[q] = (PetscMPIInt)(PetscMax(starts[q], b0) - b0);
    rc[q] = (PetscMPIInt)PetscMax(0, PetscMin(starts[q + 1], b0 + nb) - PetscMax(starts[q], b0));
    if (!sc[q]) sd[q] = 0;
    if (!rc[q]) rd[q] = 0;
  }
  PetscCall(PetscMalloc2(nb, src, nb, dst));
  PetscCallMPI(MPI_Alltoallv(s, sc, sd, MPIU_INT, *src, rc, rd, MPIU_INT, comm));
  PetscCallMPI(MPI_Alltoallv(d, sc, sd, MPIU_INT, *dst, rc, rd, MPIU_INT, comm));
  PetscCall(PetscFree5(starts, sc, sd, rc, rd));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The file's node count from every rank's "# nodes" (-1: none); two different values are an error. */
static PetscErrorCode AgreeNodes(MPI_Comm comm, const char path[], PetscInt *nodes)
{
  PetscInt lo = *nodes < 0 ? PETSC_MAX_INT : *nodes, hi = *nodes;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPIU_INT, MPI_MIN, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPIU_INT, MPI_MAX, comm));
  PetscCheck(hi < 0 || lo == hi, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: \"# nodes\" given twice with different values (%" PetscInt_FMT " and %" PetscInt_FMT ")", path, lo, hi);
  *nodes = hi;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  KNGraphReadText_Private - this rank's block (KNGraphBlock()) of the text edge list path, and N and E; collective.
  Every rank reads about size(file)/size bytes; see the top of this file.
*/
PetscErrorCode KNGraphReadText_Private(MPI_Comm comm, const char path[], PetscInt *N, PetscInt *E, PetscInt **src, PetscInt **dst)
{
  PetscMPIInt    rank, size;
  MPI_Offset     bytes = 0;
  TextPart       t;
  ReadCtx        r;
  PetscInt64     c[2], pre[2] = {0, 0}, tot[2];
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(FileSize(comm, path, &bytes));
  PetscCall(PetscMemzero(&t, sizeof(t)));
  t.path = path, t.nodes = -1;
  r.path = path, r.size = bytes, r.t = &t;
  r.lo = bytes / size * rank + PetscMin((MPI_Offset)rank, bytes % size);
  r.hi = r.lo + bytes / size + (rank < bytes % size ? 1 : 0);
  PetscCallMPI(MPI_File_open(comm, path, MPI_MODE_RDONLY, MPI_INFO_NULL, &r.fh));
  ierr = RunEverywhere(comm, ReadPartCtx, &r);
  PetscCallMPI(MPI_File_close(&r.fh));
  PetscCall(ierr);
  /* pass 1 (its line numbers only matter for "# nodes" errors, and need the earlier ranks' line counts first) */
  c[0] = 0;
  for (size_t i = 0; i < t.len; i++) c[0] += t.buf[i] == '\n';
  c[0] += t.len && t.buf[t.len - 1] != '\n'; /* a last line without a newline */
  PetscCallMPI(MPI_Exscan(c, pre, 1, MPIU_INT64, MPI_SUM, comm));
  t.line0 = rank ? pre[0] : 0;
  ierr    = RunEverywhere(comm, Pass1, &t);
  if (!ierr) ierr = AgreeNodes(comm, path, &t.nodes);
  if (!ierr) ierr = RunEverywhere(comm, Pass2, &t);
  PetscCall(PetscFree(t.buf));
  if (ierr) PetscCall(PetscFree2(t.src, t.dst));
  PetscCall(ierr);
  c[1] = t.m;
  PetscCallMPI(MPI_Exscan(&c[1], &pre[1], 1, MPIU_INT64, MPI_SUM, comm));
  if (!rank) pre[1] = 0;
  PetscCallMPI(MPI_Allreduce(&c[1], &tot[1], 1, MPIU_INT64, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &t.maxid, 1, MPIU_INT, MPI_MAX, comm));
  ierr = KNGraphCheckIntRange_Private(comm, tot[1], "Text edge list: number of edges");
  if (!ierr) ierr = ToBlocks(comm, (PetscInt)tot[1], (PetscInt)pre[1], (PetscInt)t.m, t.src, t.dst, src, dst);
  PetscCall(PetscFree2(t.src, t.dst));
  PetscCall(ierr);
  *N = t.nodes >= 0 ? t.nodes : t.maxid;
  *E = (PetscInt)tot[1];
  PetscFunctionReturn(KN_SUCCESS);
}

#define KN_TEXT_CHUNK 65536 /* edges formatted per write: the text never exists whole in memory */

/* The header (rank 0 only; empty elsewhere) into b (capacity cap); its length. */
static size_t Header(KNGraph g, char b[], size_t cap)
{
  size_t n = 0;
  char   sum[17];

  if (g->rank) return 0;
  (void)KNGraphGetChecksum(g, sum); /* computed when the edges were set: cannot fail */
  n += (size_t)snprintf(b, cap, "# KirchhoffNet edge list: src dst (0 is ground)\n# nodes %" PetscInt_FMT "\n# edges %" PetscInt_FMT "\n# edges_fnv1a64 %s\n", g->N, g->E, sum);
  if (g->description) {
    n += (size_t)snprintf(b + n, cap - n, "# description ");
    for (const char *c = g->description; *c; c++) b[n++] = *c == '\n' || *c == '\r' ? ' ' : *c;
    b[n++] = '\n';
  }
  return n;
}

/* Decimal digits of v >= 0. */
static inline long long Digits(PetscInt v)
{
  long long d = 1;

  for (; v >= 10; v /= 10) d++;
  return d;
}

/* Writes len bytes at off; 0 or 1 (failed). */
static int WriteAt(MPI_File fh, long long off, const char b[], long long len)
{
  for (long long at = 0; at < len;) {
    MPI_Status st;
    int        chunk = (int)PetscMin(len - at, (long long)1 << 30), got = 0;

    if (MPI_File_write_at(fh, (MPI_Offset)(off + at), b + at, chunk, MPI_CHAR, &st) != MPI_SUCCESS || MPI_Get_count(&st, MPI_CHAR, &got) != MPI_SUCCESS || got != chunk) return 1;
    at += chunk;
  }
  return 0;
}

/* KNGraphWriteText_Private - the text edge list of g into path: every rank counts the bytes of its block's lines, a
   prefix sum gives its offset, and it writes them with MPI-IO, KN_TEXT_CHUNK lines at a time; collective. */
PetscErrorCode KNGraphWriteText_Private(KNGraph g, const char path[])
{
  size_t    cap = 64 + 24 * (size_t)KN_TEXT_CHUNK + (g->rank ? 0 : 256 + (g->description ? strlen(g->description) : 0));
  MPI_File  fh;
  char     *b;
  long long n, off = 0;
  int       bad = 0, err;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(cap, &b));
  n = (long long)Header(g, b, cap);
  for (PetscInt e = 0; e < g->nlocal; e++) n += Digits(g->src[e]) + Digits(g->dst[e]) + 2;
  PetscCallMPI(MPI_Exscan(&n, &off, 1, MPI_LONG_LONG, MPI_SUM, g->comm));
  if (!g->rank) off = 0;
  err = MPI_File_open(g->comm, path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
  if (err != MPI_SUCCESS) PetscCall(PetscFree(b));
  PetscCheck(err == MPI_SUCCESS, g->comm, PETSC_ERR_FILE_OPEN, "Cannot create topology file %s (missing directory, or no permission?)", path);
  bad = MPI_File_set_size(fh, 0) != MPI_SUCCESS; /* collective: an old, longer file must not leave a tail */
  n   = (long long)Header(g, b, cap);
  for (PetscInt e0 = 0; !bad && (e0 < g->nlocal || n); e0 += KN_TEXT_CHUNK) {
    for (PetscInt e = e0; e < PetscMin(e0 + KN_TEXT_CHUNK, g->nlocal); e++) n += snprintf(b + n, cap - (size_t)n, "%" PetscInt_FMT " %" PetscInt_FMT "\n", g->src[e], g->dst[e]);
    bad = WriteAt(fh, off, b, n);
    off += n, n = 0;
  }
  PetscCall(PetscFree(b));
  bad = MPI_File_close(&fh) != MPI_SUCCESS || bad;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, g->comm));
  PetscCheck(!bad, g->comm, PETSC_ERR_FILE_WRITE, "Writing topology file %s failed (disk full?)", path);
  PetscFunctionReturn(KN_SUCCESS);
}
