/* KNDatasetLoadCSV: numeric text tables (comma, semicolon or whitespace separated; optional header; '#' comments). */
#include "reader_impl.h"
#include <errno.h>
#include <stdlib.h>

typedef struct {
  const char *path;
  PetscInt64  line;     /* 1-based line number */
  PetscBool   lastline; /* the line is the last one and has no newline: a cut-off file shows up here */
} KNLinePos;

/* Parses the NUL-terminated cell tok (already trimmed); *ok is PETSC_FALSE if it is not a number. */
static void ParseCell(const char tok[], PetscReal *v, PetscBool *ok)
{
  char *end;

  errno = 0;
  *v    = (PetscReal)strtod(tok, &end);
  *ok   = (PetscBool)(end != tok && *end == '\0');
}

/* Trims blanks around [s, e); returns the start, *te the end. */
static char *Trim(char *s, char *e, char **te)
{
  while (s < e && (*s == ' ' || *s == '\t' || *s == '\r')) s++;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
  *te = e;
  return s;
}

/* Splits one comment-free line into cells: at ',' and ';' if it has any, else at runs of blanks. Stores up to
   cap values in v (if v is not NULL), counts the cells in *ncell, and reports the first non-numeric cell in *bad
   (column index, -1 if none) and badtok (its first 40 characters). The line is left unchanged. */
static PetscErrorCode SplitLine(const KNLinePos *pos, char *line, PetscReal v[], PetscInt cap, PetscInt *ncell, PetscInt *bad, char badtok[41])
{
  const PetscBool delim = (PetscBool)(strpbrk(line, ",;") != NULL);
  char           *q     = line;
  PetscInt        k     = 0;

  PetscFunctionBegin;
  *bad      = -1;
  badtok[0] = '\0';
  for (;;) {
    char     *s, *e, *tok, *te, save;
    PetscReal x;
    PetscBool ok;

    if (delim) {
      s = q;
      e = s + strcspn(s, ",;");
    } else {
      s = q + strspn(q, " \t\r");
      if (!*s) break;
      e = s + strcspn(s, " \t\r");
    }
    tok = Trim(s, e, &te);
    if (te - tok >= 2 && *tok == '"' && te[-1] == '"') tok++, te--; /* "1.5" as some spreadsheets write it */
    save = *te;
    *te  = '\0';
    ParseCell(tok, &x, &ok);
    if (!ok && *bad < 0) {
      *bad = k;
      PetscCall(PetscStrncpy(badtok, tok, 41));
    }
    *te = save;
    PetscCheck(te > tok, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": column %" PetscInt_FMT " is empty%s", pos->path, pos->line, k + 1, pos->lastline ? " (the file ends inside this line: truncated?)" : "");
    PetscCheck(!ok || !PetscIsInfOrNanReal(x), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": column %" PetscInt_FMT ": \"%.*s\" is not a finite number", pos->path, pos->line, k + 1, (int)PetscMin(te - tok, 40), tok);
    if (v && k < cap) v[k] = x;
    k++;
    if (!*e) break;
    q = e + 1;
  }
  *ncell = k;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNParseTable_Private(const char path[], char *buf, size_t size, PetscInt *nrow, PetscInt *ncol, PetscReal **v, PetscBool *header)
{
  KNLinePos  pos = {path, 0, PETSC_FALSE};
  PetscInt64 nlines = 1, n = 0, cap = 0, firstrow = 0;
  PetscInt   m = -1, hcol = -1;
  PetscReal *a = NULL;
  char      *p = buf, *end = buf + size;

  PetscFunctionBegin;
  *v      = NULL;
  *header = PETSC_FALSE;
  for (size_t i = 0; i < size; i++) nlines += buf[i] == '\n';
  if (size >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) p += 3; /* UTF-8 byte order mark */
  for (char *next; p < end; p = next) {
    char    *nl = memchr(p, '\n', (size_t)(end - p)), *hash, bad[41];
    PetscInt k, badcol;

    if (nl) *nl = '\0';
    next = nl ? nl + 1 : end;
    pos.line++;
    pos.lastline = (PetscBool)!nl;
    if ((hash = strchr(p, '#'))) *hash = '\0';
    if (!p[strspn(p, " \t\r")]) continue;
    if (m < 0) { /* first line with content: a header if a cell is not a number */
      PetscCall(SplitLine(&pos, p, NULL, 0, &k, &badcol, bad));
      if (badcol >= 0 && hcol < 0) {
        *header = PETSC_TRUE;
        hcol    = k;
        continue;
      }
      PetscCheck(badcol < 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": column %" PetscInt_FMT ": \"%.40s\" is not a number (only the first line may be a header)", path, pos.line, badcol + 1, bad);
      PetscCheck(hcol < 0 || hcol == k, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": %" PetscInt_FMT " columns, but the header has %" PetscInt_FMT, path, pos.line, k, hcol);
      PetscCheck(nlines * k < PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: too many values for the PetscInt range of this PETSc build", path);
      m        = k;
      firstrow = pos.line;
      cap      = nlines * m;
      PetscCall(PetscMalloc1(cap, &a));
    }
    {
      PetscErrorCode ierr = SplitLine(&pos, p, a + n * m, m, &k, &badcol, bad);

      if (ierr) PetscCall(PetscFree(a));
      PetscCall(ierr);
    }
    if (badcol >= 0 || k != m) PetscCall(PetscFree(a));
    PetscCheck(badcol < 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": column %" PetscInt_FMT ": \"%.40s\" is not a number", path, pos.line, badcol + 1, bad);
    PetscCheck(k == m, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s:%" PetscInt64_FMT ": %" PetscInt_FMT " columns, but line %" PetscInt64_FMT " has %" PetscInt_FMT "%s", path, pos.line, k, firstrow, m, pos.lastline ? " (the file ends inside this line: truncated?)" : " (ragged rows)");
    n++;
  }
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: no data rows (the file is empty, or holds only comments%s)", path, *header ? " and a header" : "");
  *nrow = (PetscInt)n;
  *ncol = m;
  *v    = a;
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  const char *file;
  PetscInt    ntarget;
} KNCSVCtx;

static PetscErrorCode ReadCSV(KNDataset ds, void *ctx)
{
  KNCSVCtx      *c = (KNCSVCtx *)ctx;
  unsigned char *buf;
  size_t         size;
  PetscInt       n, m, F;
  PetscReal     *v;
  PetscBool      header;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNReadFile_Private(c->file, "CSV file", &buf, &size));
  if (memchr(buf, '\0', size)) PetscCall(PetscFree(buf));
  PetscCheck(buf, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "CSV file %s contains NUL bytes: a binary file, not text", c->file);
  ierr = KNParseTable_Private(c->file, (char *)buf, size, &n, &m, &v, &header);
  PetscCall(PetscFree(buf));
  PetscCall(ierr);
  F = m - c->ntarget;
  if (F < 1) PetscCall(PetscFree(v));
  PetscCheck(F >= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: %" PetscInt_FMT " columns; %" PetscInt_FMT " target columns leave no feature", c->file, m, c->ntarget);
  ierr = KNDatasetAllocate_Private(ds, n, F, c->ntarget);
  if (!ierr) {
    for (PetscInt i = 0; i < n; i++) {
      PetscCall(PetscArraycpy(ds->x + i * F, v + i * m, F));
      if (c->ntarget) PetscCall(PetscArraycpy(ds->y + i * c->ntarget, v + i * m + F, c->ntarget));
    }
    ierr = KNDatasetSetName(ds, KNBaseName_Private(c->file));
  }
  PetscCall(PetscFree(v));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetLoadCSV - reads a numeric text table; rank 0 reads, every rank gets the data

  Collective

  Input Parameters:
+ comm    - the communicator
. file    - the file name; a gzip-compressed file (e.g. data.csv.gz) is read transparently
- ntarget - the last ntarget columns are targets (0: unlabelled); the others are features

  Output Parameter:
. ds - the new dataset, named after the file

  Notes:
  One sample per line. Cells are separated by commas or semicolons (if a line has any) or else by blanks; blank
  lines are skipped and '#' starts a comment. The first line with content is a header (and skipped) if one of its
  cells is not a number; it must have as many cells as the data rows. Every cell must be a finite number
  (strtod(): C locale, a decimal point), optionally in double quotes (no separators inside quotes). Errors
  (PETSC_ERR_FILE_UNEXPECTED) name the file, the line and the column: empty cells, non-numeric cells, rows with a
  different number of columns (ragged or truncated files), a file without data rows; PETSC_ERR_FILE_OPEN if the
  file cannot be opened. A '#' inside a header name starts a comment too. Class labels read as targets are
  declared with KNDatasetSetNumClasses().

  Level: beginner

.seealso: KNDatasetLoadHDF5(), KNDatasetSetNumClasses(), KNDatasetMinMaxFit()
@*/
PetscErrorCode KNDatasetLoadCSV(MPI_Comm comm, const char file[], PetscInt ntarget, KNDataset *ds)
{
  KNCSVCtx c;

  PetscFunctionBegin;
  KNAssertPointer(ds, 4);
  PetscCheck(file && file[0], comm, PETSC_ERR_ARG_NULL, "KNDatasetLoadCSV: no file name given");
  PetscCheck(ntarget >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "KNDatasetLoadCSV: ntarget = %" PetscInt_FMT " must be >= 0", ntarget);
  c.file    = file;
  c.ntarget = ntarget;
  PetscCall(KNDatasetLoad_Private(comm, ReadCSV, &c, ds));
  PetscFunctionReturn(KN_SUCCESS);
}
