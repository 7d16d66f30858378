#define _POSIX_C_SOURCE 200809L
/* knet options once PETSc runs: every option given must have been read by the time the command's objects are set
   up (KNetCheckOptions(), called before any work), and -help lists knet's own options first. The known options are
   what the command's objects print under -help: the command's help pass is run with PetscHelpPrintf() captured,
   so the list is always the one the code reads, not a table kept by hand. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "knet.h"

static const KNetCommand *current;
static struct {
  char  *text;
  size_t len, cap;
} capture;

static PetscErrorCode CapturePrintf(MPI_Comm comm, const char fmt[], ...)
{
  va_list ap;
  int     n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0) return 0;
  if (capture.len + (size_t)n + 1 > capture.cap) {
    char *t = realloc(capture.text, 2 * (capture.len + (size_t)n + 1));
    if (!t) return PETSC_ERR_MEM;
    capture.text = t, capture.cap = 2 * (capture.len + (size_t)n + 1);
  }
  va_start(ap, fmt);
  vsnprintf(capture.text + capture.len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  capture.len += (size_t)n;
  return 0;
}

/* Whatever the help pass prints to stdout (PetscPrintf(), the type lists of PetscOptionsFList()) is captured too. */
static PetscErrorCode (*vfprintf_orig)(FILE *, const char[], va_list);
static PetscErrorCode CaptureVFPrintf(FILE *fd, const char fmt[], va_list ap)
{
  va_list aq;
  int     n;

  if (fd != PETSC_STDOUT) return vfprintf_orig(fd, fmt, ap);
  va_copy(aq, ap);
  n = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  if (n <= 0) return 0;
  if (capture.len + (size_t)n + 1 > capture.cap) {
    char *t = realloc(capture.text, 2 * (capture.len + (size_t)n + 1));
    if (!t) return PETSC_ERR_MEM;
    capture.text = t, capture.cap = 2 * (capture.len + (size_t)n + 1);
  }
  vsnprintf(capture.text + capture.len, (size_t)n + 1, fmt, ap);
  capture.len += (size_t)n;
  return 0;
}

void KNetSetCommand(const KNetCommand *cmd)
{
  current = cmd;
}

/* The command's -help pass (it sets objects up, but trains, evaluates and writes nothing) with its text captured. */
static PetscErrorCode CaptureHelp(void)
{
  PetscErrorCode (*print)(MPI_Comm, const char[], ...) = PetscHelpPrintf;
  char          *noargs[] = {NULL};

  PetscFunctionBegin;
  capture.len = 0;
  if (!current) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscOptionsHelpPrintedDestroy(&PetscOptionsHelpPrintedSingleton)); /* forget the blocks seen so far */
  PetscCall(PetscOptionsSetValue(NULL, "-help", NULL));
  PetscHelpPrintf = CapturePrintf;
  vfprintf_orig   = PetscVFPrintf;
  PetscVFPrintf   = CaptureVFPrintf;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); /* a bad option value may stop the pass early */
  (void)current->run(0, noargs);
  PetscCall(PetscPopErrorHandler());
  PetscVFPrintf   = vfprintf_orig;
  PetscHelpPrintf = print;
  PetscCall(PetscOptionsClearValue(NULL, "-help"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The option name at the start of a captured line "  -name...", or 0 if the line is not an option. */
static size_t OptionName(const char line[], const char **name)
{
  *name = line;
  if (line[0] != ' ' || line[1] != ' ' || line[2] != '-') return 0;
  *name = line + 2;
  return strcspn(line + 2, " :<\n");
}

static int Distance(const char a[], size_t na, const char b[], size_t nb)
{
  int row[256], prev, tmp;

  if (na > 255 || nb > 255) return 1000;
  for (size_t j = 0; j <= nb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= na; i++) {
    prev = row[0], row[0] = (int)i;
    for (size_t j = 1; j <= nb; j++) {
      int sub = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      tmp = row[j];
      row[j] = PetscMin(PetscMin(row[j] + 1, row[j - 1] + 1), sub);
      prev = tmp;
    }
  }
  return row[nb];
}

/* Edit distance, or 1 when the candidate abbreviates the words after a common start (-kn_optim_learning_rate -> -kn_optim_lr). */
static int Score(const char q[], const char c[], size_t nc)
{
  size_t nq = strlen(q), k = 0, i;
  char   abbr[64];
  int    d = Distance(q, nq, c, nc), na = 0;

  for (i = 0; i < nq && i < nc && tolower((unsigned char)q[i]) == tolower((unsigned char)c[i]); i++)
    if (q[i] == '_') k = i + 1;
  for (i = k; i < nq && na < 63; i++)
    if (i == k || q[i - 1] == '_') abbr[na++] = q[i];
  abbr[na] = 0;
  if (na > 1 && nc - k == (size_t)na && !strncasecmp(abbr, c + k, (size_t)na)) d = PetscMin(d, 1);
  return d;
}

/* Options knet itself, PETSc's start and end, or TSSolve() read outside any options block. */
static const char *const extra[] = {"-kn_traceback", "-options_file", "-help", "-version", "-log_view", "-options_left", "-options_view", "-malloc_debug", "-info", "-ts_view", "-ts_view_pre", NULL};

static void Nearest(const char q[], char best[], size_t len)
{
  int bestd = 1000;

  best[0] = 0;
  for (int i = 0; extra[i]; i++) {
    int d = Score(q, extra[i], strlen(extra[i]));
    if (d < bestd) bestd = d, snprintf(best, len, "%s", extra[i]);
  }
  for (const char *line = capture.text; line && line < capture.text + capture.len;) {
    const char *name;
    size_t      n = OptionName(line, &name);
    if (n) {
      int d = Score(q, name, n);
      if (d < bestd) bestd = d, snprintf(best, len, "%.*s", (int)n, name);
    }
    line = strchr(line, '\n');
    if (line) line++;
  }
  if (bestd > PetscMax(2, (int)strlen(q) / 3)) best[0] = 0;
}

/* Read at PetscFinalize() only: counted as used now. */
static const char *const at_finalize[] = {"-options_left", "-options_view", "-citations", "-memory_view", "-malloc_view", "-malloc_dump", "-log_view_memory", "-objects_dump", NULL};

/* PETSc reads some of its viewers and monitors (-ts_view after each solve, -vec_view, ...) only when it views or
   solves: those are checked at the end. (The TS trajectory is made after TSSetFromOptions(), so -ts_trajectory_*
   options are never read: knet chooses the trajectory itself.) */
static PetscBool ReadLate(const char name[])
{
  static const char *const words[] = {"view", "monitor", "converged", NULL};
  size_t                   n       = strlen(name);

  if (!strncmp(name, "kn_", 3)) return PETSC_FALSE; /* knet reads all of its own at set-up */
  for (int k = 0; words[k]; k++)
    for (const char *p = strstr(name, words[k]); p; p = strstr(p + 1, words[k])) {
      size_t w = strlen(words[k]);
      if ((p == name || p[-1] == '_') && ((size_t)(p - name) + w == n || p[w] == '_')) return PETSC_TRUE;
    }
  return PETSC_FALSE;
}

static PetscBool at_end = PETSC_FALSE;

/* A solver option (-ts_*, -snes_*, -ksp_*, -pc_*, also behind an options prefix). */
static PetscBool IsSolverOption(const char name[])
{
  static const char *const families[] = {"ts_", "snes_", "ksp_", "pc_", NULL};

  for (int k = 0; families[k]; k++)
    for (const char *p = strstr(name, families[k]); p; p = strstr(p + 1, families[k]))
      if (p == name || p[-1] == '_') return PETSC_TRUE;
  return PETSC_FALSE;
}

/* An integer literal beyond PetscInt: PETSc 3.18 wraps it. */
static PetscBool BigInteger(const char v[])
{
  size_t i = v[0] == '-' || v[0] == '+';

  if (!v[i]) return PETSC_FALSE;
  for (size_t k = i; v[k]; k++)
    if (!isdigit((unsigned char)v[k])) return PETSC_FALSE;
  errno = 0;
  {
    long long x = strtoll(v, NULL, 10);
    return (PetscBool)(errno == ERANGE || x > PETSC_MAX_INT || x < PETSC_MIN_INT);
  }
}

/* PETSc's own solver options given without a value keep their default, and integers beyond PetscInt wrap, silently
   (knet's options are checked where they are read, sys/knoptions.h). Under -help a value-taking option prints
   "-name <value", an integer (or name) one "-name <now value", a flag "-name: ...". */
static PetscErrorCode CheckSolverValues(MPI_Comm comm)
{
  char *all, *tok, *save = NULL, cand[8][128];
  int   nc = 0, big[8];

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetAll(NULL, &all));
  for (tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    const char *v;
    PetscBool   found;
    if (!KNetIsKey(tok) || !IsSolverOption(tok + 1) || ReadLate(tok + 1) || nc == 8) continue;
    PetscCall(PetscOptionsFindPair(NULL, NULL, tok, &v, &found));
    if (found && (!v || BigInteger(v))) {
      big[nc] = v != NULL;
      PetscCall(PetscStrncpy(cand[nc++], tok, sizeof(cand[0])));
    }
  }
  PetscCall(PetscFree(all));
  if (nc) PetscCall(CaptureHelp());
  for (int c = 0; c < nc; c++)
    for (const char *line = capture.text; line && line < capture.text + capture.len;) {
      const char *name, *v = NULL;
      size_t      n = OptionName(line, &name);
      if (n && n == strlen(cand[c]) && !strncmp(name, cand[c], n)) {
        PetscCheck(big[c] || strncmp(name + n, " <", 2), comm, PETSC_ERR_ARG_WRONG, "option %s needs a value", cand[c]);
        PetscCall(PetscOptionsFindPair(NULL, NULL, cand[c], &v, NULL));
        PetscCheck(!big[c] || strncmp(name + n, " <now ", 6), comm, PETSC_ERR_ARG_OUTOFRANGE, "option %s %s is out of range: integers must lie in [%d, %d]", cand[c], v, (int)PETSC_MIN_INT, (int)PETSC_MAX_INT);
      }
      line = strchr(line, '\n');
      if (line) line++;
    }
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  KNetCheckOptions - every option given has been read: call it after the command's objects are set up and before
  any work or output file. Errors (one line, on every rank) with each unknown option and the nearest known one.
  KNetCheckOptionsAtEnd() checks what PETSc reads late (ReadLate()) as well, after the work.
*/
PetscErrorCode KNetCheckOptionsAtEnd(MPI_Comm comm)
{
  PetscFunctionBegin;
  at_end = PETSC_TRUE;
  PetscCall(KNetCheckOptions(comm));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetCheckOptions(MPI_Comm comm)
{
  PetscInt  n, nleft = 0;
  char    **names, **values, **left, msg[4096] = "";
  PetscBool help, flg, hint = PETSC_TRUE;
  size_t    at = 0;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(KN_SUCCESS);
  for (int i = 0; at_finalize[i]; i++) PetscCall(PetscOptionsHasName(NULL, NULL, at_finalize[i], &flg));
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  PetscCall(PetscMalloc1(n, &left));
  for (PetscInt i = 0; i < n; i++)
    if (at_end || !ReadLate(names[i])) PetscCall(PetscStrallocpy(names[i], &left[nleft++]));
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  if (nleft) PetscCall(CaptureHelp());
  for (PetscInt i = 0; i < nleft; i++) {
    char q[256], best[256];
    PetscCall(PetscSNPrintf(q, sizeof(q), "-%s", left[i]));
    Nearest(q, best, sizeof(best));
    if (best[0]) hint = PETSC_FALSE;
    if (at < sizeof(msg)) at += (size_t)snprintf(msg + at, sizeof(msg) - at, "%sunknown option %s%s%s%s", i ? "; " : "", q, best[0] ? " (did you mean " : "", best, best[0] ? "?)" : "");
    PetscCall(PetscFree(left[i]));
  }
  PetscCall(PetscFree(left));
  PetscCheck(!nleft, comm, PETSC_ERR_ARG_WRONG, "%s%s%s%s", msg, hint ? " (see knet " : "", hint ? (current ? current->name : "CMD") : "", hint ? " -help)" : "");
  if (!at_end) PetscCall(CheckSolverValues(comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/* "  -name <now V : formerly V>: text (Man)" and the like -> "  -name <V>  text". */
static void PrintShort(MPI_Comm comm, const char line[], size_t len)
{
  const char *name, *rest, *lt, *text;
  size_t      n = OptionName(line, &name), vlen = 0, tlen;
  const char *val = NULL;

  rest = name + n;
  lt   = memchr(rest, '<', len - (size_t)(rest - line));
  text = rest;
  if (lt && lt - rest <= 2) {
    const char *gt = memchr(lt, '>', len - (size_t)(lt - line));
    val = lt + 1;
    if (!strncmp(val, "now ", 4)) val += 4;
    if (gt) {
      const char *colon = strstr(val, " : ");
      vlen = (colon && colon < gt ? colon : gt) - val;
      text = gt + 1;
    }
  }
  while (*text == ':' || *text == ' ') text++;
  tlen = len - (size_t)(text - line);
  if (tlen > 2 && text[tlen - 1] == ')') { /* the trailing (ManualPage) */
    const char *open = text + tlen - 1;
    while (open > text && *open != '(') open--;
    if (open > text && open[-1] == ' ') tlen = (size_t)(open - 1 - text);
  }
  (void)PetscPrintf(comm, "  %.*s%s%.*s%s  %.*s\n", (int)n, name, val ? " <" : "", (int)vlen, val ? val : "", val ? ">" : "", (int)tlen, text);
}

static PetscBool Printed(const char name[], size_t n, const char *seen[], int *nseen)
{
  for (int i = 0; i < *nseen; i++)
    if (strlen(seen[i]) == n && !strncmp(seen[i], name, n)) return PETSC_TRUE;
  if (*nseen < 1024) seen[(*nseen)++] = strndup(name, n);
  return PETSC_FALSE;
}

/* The solver options a user of knet sets (PETSc's other -ts_* options are in -help all). */
static const char *const ts_short[] = {"-ts_type", "-ts_rk_type", "-ts_rtol", "-ts_atol", "-ts_dt", "-ts_adapt_type", "-ts_adapt_dt_min", "-ts_max_steps", NULL};

/*
  KNetPrintHelp - knet CMD -help: the command's own options (-kn_*), grouped by the object that reads them, one line
  each, then the few -ts_* options that matter; -help all adds every PETSc option.
*/
PetscErrorCode KNetPrintHelp(MPI_Comm comm, const char usage[])
{
  const char *title = NULL, *seen[1024];
  int         nseen = 0, ttl = 0;

  PetscFunctionBegin;
  PetscCall(CaptureHelp());
  PetscCall(PetscPrintf(comm, "usage: %s\n", usage));
  for (const char *line = capture.text; line && line < capture.text + capture.len;) {
    const char *end = strchr(line, '\n'), *name;
    size_t      len = end ? (size_t)(end - line) : strlen(line), n;
    if (!strncmp(line, "-----", 5) && end) {
      title = end + 1; /* the next line is the block's title, "Title:" */
      ttl   = 1;
    } else if ((n = OptionName(line, &name)) && !strncmp(name, "-kn_", 4) && !Printed(name, n, seen, &nseen)) {
      if (ttl) {
        const char *te = strchr(title, '\n');
        PetscCall(PetscPrintf(comm, "%.*s\n", (int)(te - title), title));
        ttl = 0;
      }
      PrintShort(comm, line, len);
    }
    line = end ? end + 1 : NULL;
  }
  PetscCall(PetscPrintf(comm, "Solver (PETSc TS; see -help all for all):\n"));
  for (int k = 0; ts_short[k]; k++)
    for (const char *line = capture.text; line && line < capture.text + capture.len;) {
      const char *end = strchr(line, '\n'), *name;
      size_t      len = end ? (size_t)(end - line) : strlen(line), n = OptionName(line, &name);
      if (n == strlen(ts_short[k]) && !strncmp(name, ts_short[k], n)) {
        PrintShort(comm, line, len);
        break;
      }
      line = end ? end + 1 : NULL;
    }
  PetscCall(PetscPrintf(comm, "knet:\n  -options_file FILE.yaml  options from a YAML file (the command line overrides it)\n  -kn_traceback  PETSc's full traceback on errors\n"
                              "  -help all  this list and every PETSc option (-log_view, -ts_monitor, -ts_adapt_*, ...)\n  -version  knet's version\n"));
  for (int i = 0; i < nseen; i++) free((void *)seen[i]);
  PetscFunctionReturn(KN_SUCCESS);
}
