/* A small parser for topology descriptions {"name": "<generator>", "args": {"key": value, ...}}.
   Values are integers, true/false, integer arrays or strings; that is all the reference generators take. */
#include "graphimpl.h"

typedef struct {
  MPI_Comm    comm;
  const char *text;
  size_t      pos;
} KNJSONParser;

static PetscErrorCode KNJSONError(KNJSONParser *p, const char fmt[], ...)
{
  char    msg[256];
  va_list ap;

  PetscFunctionBegin;
  va_start(ap, fmt);
  PetscCall(PetscVSNPrintf(msg, sizeof(msg), fmt, NULL, ap));
  va_end(ap);
  SETERRQ(p->comm, PETSC_ERR_ARG_WRONG, "Topology description, offset %zu: %s in: %s", p->pos, msg, p->text);
}

/* KNJSONCheck(p, cond, fmt, ...) - raises a parse error that shows the position and the whole description. */
#define KNJSONCheck(p, cond, ...) \
  do { \
    if (PetscUnlikely(!(cond))) PetscCall(KNJSONError(p, __VA_ARGS__)); \
  } while (0)

static void KNJSONSkipSpace(KNJSONParser *p)
{
  while (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' || p->text[p->pos] == '\n' || p->text[p->pos] == '\r') p->pos++;
}

static PetscErrorCode KNJSONExpect(KNJSONParser *p, char c)
{
  PetscFunctionBegin;
  KNJSONSkipSpace(p);
  KNJSONCheck(p, p->text[p->pos] == c, "expected '%c'", c);
  p->pos++;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Decodes the escape sequence after a backslash: \" \\ \/ \b \f \n \r \t and \u00XX (ASCII only). */
static PetscErrorCode KNJSONEscape(KNJSONParser *p, char *out)
{
  const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *hit;
  char        c    = p->text[p->pos++];
  unsigned    code = 0;

  PetscFunctionBegin;
  if (c == 'u') {
    for (int i = 0; i < 4; i++) {
      char     h = p->text[p->pos];
      unsigned d = (h >= '0' && h <= '9') ? (unsigned)(h - '0') : (h >= 'a' && h <= 'f') ? (unsigned)(h - 'a' + 10) : (h >= 'A' && h <= 'F') ? (unsigned)(h - 'A' + 10) : 16u;

      KNJSONCheck(p, d < 16, "bad \\u escape");
      code = 16 * code + d;
      p->pos++;
    }
    KNJSONCheck(p, code > 0 && code < 0x80, "\\u escape outside ASCII is not supported");
    *out = (char)code;
    PetscFunctionReturn(KN_SUCCESS);
  }
  hit = c ? strchr(from, c) : NULL;
  KNJSONCheck(p, hit, "unsupported escape sequence after a backslash");
  *out = to[hit - from];
  PetscFunctionReturn(KN_SUCCESS);
}

/* Parses a string literal into buf (len bytes); with buf == NULL only measures it into *need (bytes incl. NUL). */
static PetscErrorCode KNJSONString(KNJSONParser *p, char *buf, size_t len, size_t *need)
{
  size_t n = 0;

  PetscFunctionBegin;
  PetscCall(KNJSONExpect(p, '"'));
  while (p->text[p->pos] != '"') {
    char c = p->text[p->pos++];

    KNJSONCheck(p, c != '\0', "unterminated string");
    if (c == '\\') PetscCall(KNJSONEscape(p, &c));
    if (buf) {
      KNJSONCheck(p, n + 1 < len, "string longer than %zu characters", len - 1);
      buf[n] = c;
    }
    n++;
  }
  p->pos++;
  if (buf) buf[n] = '\0';
  if (need) *need = n + 1;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNJSONStringAlloc(KNJSONParser *p, char **s)
{
  size_t start, need = 0;

  PetscFunctionBegin;
  KNJSONSkipSpace(p);
  start = p->pos;
  PetscCall(KNJSONString(p, NULL, 0, &need));
  p->pos = start;
  PetscCall(PetscMalloc1(need, s));
  PetscCall(KNJSONString(p, *s, need, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNJSONInt(KNJSONParser *p, PetscInt64 *v)
{
  PetscBool neg = PETSC_FALSE;
  uint64_t  u   = 0;
  size_t    ndig = 0;

  PetscFunctionBegin;
  KNJSONSkipSpace(p);
  if (p->text[p->pos] == '-') {
    neg = PETSC_TRUE;
    p->pos++;
  }
  while (p->text[p->pos] >= '0' && p->text[p->pos] <= '9') {
    u = 10 * u + (uint64_t)(p->text[p->pos++] - '0');
    KNJSONCheck(p, u <= (uint64_t)INT64_MAX, "integer too large");
    ndig++;
  }
  KNJSONCheck(p, ndig > 0, "expected an integer");
  KNJSONCheck(p, !strchr(".eE", p->text[p->pos]) || !p->text[p->pos], "expected an integer, found a real number");
  *v = neg ? -(PetscInt64)u : (PetscInt64)u;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNJSONValue(KNJSONParser *p, KNDescArg *a)
{
  const char *t;

  PetscFunctionBegin;
  KNJSONSkipSpace(p);
  t = p->text + p->pos;
  if (*t == '"') {
    a->kind = KN_DESC_STRING;
    PetscCall(KNJSONStringAlloc(p, &a->sval));
  } else if (!strncmp(t, "true", 4) || !strncmp(t, "false", 5)) {
    a->kind = KN_DESC_BOOL;
    a->ival = *t == 't';
    p->pos += *t == 't' ? 4 : 5;
  } else if (*t == '[') {
    a->kind = KN_DESC_INTARRAY;
    p->pos++;
    KNJSONSkipSpace(p);
    if (p->text[p->pos] == ']') p->pos++;
    else {
      for (;;) {
        KNJSONCheck(p, a->n < KN_DESC_MAX_ARRAY, "array for '%s' has more than %d entries", a->key, KN_DESC_MAX_ARRAY);
        PetscCall(KNJSONInt(p, &a->arr[a->n++]));
        KNJSONSkipSpace(p);
        if (p->text[p->pos] == ']') break;
        PetscCall(KNJSONExpect(p, ','));
      }
      p->pos++;
    }
  } else if (*t == '-' || (*t >= '0' && *t <= '9')) {
    a->kind = KN_DESC_INT;
    PetscCall(KNJSONInt(p, &a->ival));
  } else {
    KNJSONCheck(p, PETSC_FALSE, "argument '%s' has an unsupported value (expected an integer, true/false, an integer array or a string)", a->key);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNJSONArgs(KNJSONParser *p, KNDesc *d)
{
  PetscFunctionBegin;
  PetscCall(KNJSONExpect(p, '{'));
  KNJSONSkipSpace(p);
  if (p->text[p->pos] == '}') {
    p->pos++;
    PetscFunctionReturn(KN_SUCCESS);
  }
  for (;;) {
    KNDescArg *a;

    KNJSONCheck(p, d->nargs < KN_DESC_MAX_ARGS, "more than %d arguments", KN_DESC_MAX_ARGS);
    a = &d->args[d->nargs++];
    PetscCall(KNJSONString(p, a->key, sizeof(a->key), NULL));
    for (PetscInt i = 0; i < d->nargs - 1; i++) KNJSONCheck(p, strcmp(d->args[i].key, a->key), "argument '%s' appears twice", a->key);
    PetscCall(KNJSONExpect(p, ':'));
    PetscCall(KNJSONValue(p, a));
    KNJSONSkipSpace(p);
    if (p->text[p->pos] == '}') break;
    PetscCall(KNJSONExpect(p, ','));
  }
  p->pos++;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDescParse_Inner(KNJSONParser *p, KNDesc *d)
{
  PetscBool havename = PETSC_FALSE, haveargs = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(KNJSONExpect(p, '{'));
  for (;;) {
    char key[KN_DESC_MAX_KEY];

    PetscCall(KNJSONString(p, key, sizeof(key), NULL));
    PetscCall(KNJSONExpect(p, ':'));
    if (!strcmp(key, "name")) {
      KNJSONCheck(p, !havename, "key \"name\" appears twice");
      PetscCall(KNJSONString(p, d->name, sizeof(d->name), NULL));
      havename = PETSC_TRUE;
    } else if (!strcmp(key, "args")) {
      KNJSONCheck(p, !haveargs, "key \"args\" appears twice");
      PetscCall(KNJSONArgs(p, d));
      haveargs = PETSC_TRUE;
    } else KNJSONCheck(p, PETSC_FALSE, "unknown key \"%s\" (expected \"name\" and \"args\")", key);
    KNJSONSkipSpace(p);
    if (p->text[p->pos] == '}') break;
    PetscCall(KNJSONExpect(p, ','));
  }
  p->pos++;
  KNJSONSkipSpace(p);
  KNJSONCheck(p, p->text[p->pos] == '\0', "unexpected text after the closing '}'");
  KNJSONCheck(p, havename, "missing key \"name\" (the generator, e.g. \"_fully_connect\")");
  PetscFunctionReturn(KN_SUCCESS);
}

/* Parses json into d (zeroed here); on error d holds nothing that needs freeing. */
PetscErrorCode KNDescParse_Private(MPI_Comm comm, const char json[], KNDesc *d)
{
  KNJSONParser   p = {comm, json, 0};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCheck(json, comm, PETSC_ERR_ARG_NULL, "Topology description is NULL");
  PetscCall(PetscMemzero(d, sizeof(*d)));
  ierr = KNDescParse_Inner(&p, d);
  if (ierr) PetscCall(KNDescFree_Private(d));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDescFree_Private(KNDesc *d)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < d->nargs; i++) PetscCall(PetscFree(d->args[i].sval));
  d->nargs = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Finds key (marking it used) and checks its kind; *a is NULL if absent and not required. */
static PetscErrorCode KNDescFind(MPI_Comm comm, KNDesc *d, const char key[], KNDescKind kind, PetscBool required, KNDescArg **a)
{
  const char *kinds[] = {"an integer", "true or false", "a string", "an integer array"};

  PetscFunctionBegin;
  *a = NULL;
  for (PetscInt i = 0; i < d->nargs; i++)
    if (!strcmp(d->args[i].key, key)) *a = &d->args[i];
  if (!*a && required) {
    char given[256] = "";

    for (PetscInt i = 0; i < d->nargs; i++) {
      PetscCall(PetscStrlcat(given, i ? ", " : "", sizeof(given)));
      PetscCall(PetscStrlcat(given, d->args[i].key, sizeof(given)));
    }
    SETERRQ(comm, PETSC_ERR_ARG_WRONG, "Topology %s: missing required argument \"%s\" (arguments given: %s)", d->name, key, d->nargs ? given : "none");
  }
  if (!*a) PetscFunctionReturn(KN_SUCCESS);
  (*a)->used = PETSC_TRUE;
  PetscCheck((*a)->kind == kind, comm, PETSC_ERR_ARG_WRONG, "Topology %s: argument \"%s\" must be %s", d->name, key, kinds[kind]);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDescGetInt64_Private(MPI_Comm comm, KNDesc *d, const char key[], PetscBool required, PetscInt64 def, PetscInt64 *v)
{
  KNDescArg *a;

  PetscFunctionBegin;
  PetscCall(KNDescFind(comm, d, key, KN_DESC_INT, required, &a));
  *v = a ? a->ival : def;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDescGetInt_Private(MPI_Comm comm, KNDesc *d, const char key[], PetscBool required, PetscInt def, PetscInt *v)
{
  PetscInt64 w = 0;

  PetscFunctionBegin;
  PetscCall(KNDescGetInt64_Private(comm, d, key, required, def, &w));
  PetscCheck(w >= PETSC_MIN_INT && w <= PETSC_MAX_INT, comm, PETSC_ERR_ARG_OUTOFRANGE, "Topology %s: argument \"%s\" = %" PetscInt64_FMT " does not fit PetscInt", d->name, key, w);
  *v = (PetscInt)w;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDescGetBool_Private(MPI_Comm comm, KNDesc *d, const char key[], PetscBool def, PetscBool *v)
{
  KNDescArg *a;

  PetscFunctionBegin;
  PetscCall(KNDescFind(comm, d, key, KN_DESC_BOOL, PETSC_FALSE, &a));
  *v = a ? (a->ival ? PETSC_TRUE : PETSC_FALSE) : def;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDescGetIntArray_Private(MPI_Comm comm, KNDesc *d, const char key[], PetscInt n, const PetscInt def[], PetscInt v[])
{
  KNDescArg *a;

  PetscFunctionBegin;
  PetscCall(KNDescFind(comm, d, key, KN_DESC_INTARRAY, PETSC_FALSE, &a));
  PetscCheck(!a || a->n == n, comm, PETSC_ERR_ARG_WRONG, "Topology %s: argument \"%s\" must have %" PetscInt_FMT " entries, it has %" PetscInt_FMT, d->name, key, n, a ? a->n : 0);
  for (PetscInt i = 0; i < n; i++) {
    PetscCheck(!a || (a->arr[i] >= PETSC_MIN_INT && a->arr[i] <= PETSC_MAX_INT), comm, PETSC_ERR_ARG_OUTOFRANGE, "Topology %s: argument \"%s\"[%" PetscInt_FMT "] does not fit PetscInt", d->name, key, i);
    v[i] = a ? (PetscInt)a->arr[i] : def[i];
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDescGetString_Private(MPI_Comm comm, KNDesc *d, const char key[], const char **v)
{
  KNDescArg *a;

  PetscFunctionBegin;
  PetscCall(KNDescFind(comm, d, key, KN_DESC_STRING, PETSC_TRUE, &a));
  *v = a->sval;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDescCheckAllUsed_Private(MPI_Comm comm, KNDesc *d, const char accepted[])
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < d->nargs; i++) PetscCheck(d->args[i].used, comm, PETSC_ERR_ARG_WRONG, "Topology %s: unknown argument \"%s\" (accepted: %s)", d->name, d->args[i].key, accepted);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNJSONQuote_Private(const char s[], char buf[], size_t len)
{
  size_t n;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(buf, &n));
  PetscCheck(n + 3 <= len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "JSON buffer of %zu bytes is too small", len);
  buf[n++] = '"';
  for (const char *c = s; *c; c++) {
    const char *esc = NULL;
    char        tmp[8];

    if (*c == '"') esc = "\\\"";
    else if (*c == '\\') esc = "\\\\";
    else if ((unsigned char)*c < 0x20) {
      PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "\\u%04x", (unsigned)(unsigned char)*c));
      esc = tmp;
    }
    PetscCheck(n + (esc ? strlen(esc) : 1) + 2 <= len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "JSON buffer of %zu bytes is too small for the string %s", len, s);
    if (esc) {
      for (const char *e = esc; *e; e++) buf[n++] = *e;
    } else buf[n++] = *c;
  }
  buf[n++] = '"';
  buf[n]   = '\0';
  PetscFunctionReturn(KN_SUCCESS);
}
