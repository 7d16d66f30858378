/* Checks behind sys/knoptions.h: a number or a name option needs a value, and integers must fit PetscInt. */
#include <errno.h>
#include <stdlib.h>
#include <kn/knsys.h>
#include "sys/knoptions.h"

static const char *const KNOptionKindNames[] = {"an integer", "a comma-separated list of integers", "a number", "a string", "a name"};

/* An integer literal (sign and digits, as PETSc reads it) outside PetscInt's range. */
static PetscBool IntOutOfRange(const char s[], size_t len)
{
  char     buf[64], *end;
  long long v;

  if (!len || len >= sizeof(buf)) return (PetscBool)(len >= sizeof(buf));
  memcpy(buf, s, len);
  buf[len] = 0;
  errno = 0;
  v     = strtoll(buf, &end, 10);
  if (*end || end == buf) return PETSC_FALSE; /* not a plain integer: PETSc's own parser judges it */
  return (PetscBool)(errno == ERANGE || v > PETSC_MAX_INT || v < PETSC_MIN_INT);
}

PetscErrorCode KNOptionsCheckValue_Private(PetscOptionItems *items, const char opt[], KNOptionKind kind)
{
  const char *value, *pre = items->prefix ? items->prefix : "";
  PetscBool   found;

  PetscFunctionBegin;
  PetscCall(PetscOptionsFindPair(items->options, items->prefix, opt, &value, &found));
  if (!found) PetscFunctionReturn(KN_SUCCESS);
  if (kind == KN_OPTION_STRING) PetscFunctionReturn(KN_SUCCESS); /* PETSc stores -x "" as -x without a value: an empty string */
  PetscCheck(value, items->comm, PETSC_ERR_ARG_WRONG, "option -%s%s needs a value (%s)", pre, opt + 1, KNOptionKindNames[kind]);
  if (kind == KN_OPTION_INT || kind == KN_OPTION_INT_ARRAY) {
    PetscBool bad = PETSC_FALSE;
    for (const char *s = value; *s && !bad;) { /* every item of a list, both ends of a range a-b */
      size_t len  = kind == KN_OPTION_INT ? strlen(s) : strcspn(s, ",");
      size_t dash = len > 1 ? strcspn(s + 1, "-") + 1 : len;
      if (dash < len) bad = (PetscBool)(IntOutOfRange(s, dash) || IntOutOfRange(s + dash + 1, len - dash - 1));
      else bad = IntOutOfRange(s, len);
      s += len + (s[len] == ',');
    }
    PetscCheck(!bad, items->comm, PETSC_ERR_ARG_OUTOFRANGE, "option -%s%s %s is out of range: integers must lie in [%d, %d]", pre, opt + 1, value, (int)PETSC_MIN_INT, (int)PETSC_MAX_INT);
  }
  PetscFunctionReturn(KN_SUCCESS);
}
