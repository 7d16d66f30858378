/* Minimal TAP harness for KirchhoffNet tests: rank 0 prints, every rank agrees on pass/fail. */
#pragma once

#include <kn.h>

typedef struct {
  MPI_Comm comm;
  PetscInt count, failed;
} KNTest;

/* KNTestOk - records one TAP test point; cond must be the same on every rank (use KNTestOkAll otherwise). */
static inline PetscErrorCode KNTestOkV(KNTest *t, PetscBool cond, const char fmt[], va_list ap)
{
  char msg[1024];

  PetscFunctionBeginUser;
  PetscCall(PetscVSNPrintf(msg, sizeof(msg), fmt, NULL, ap));
  t->count++;
  if (!cond) t->failed++;
  PetscCall(PetscPrintf(t->comm, "%s %" PetscInt_FMT " - %s\n", cond ? "ok" : "not ok", t->count, msg));
  PetscFunctionReturn(KN_SUCCESS);
}

static inline PetscErrorCode KNTestOk(KNTest *t, PetscBool cond, const char fmt[], ...)
{
  va_list ap;

  PetscFunctionBeginUser;
  va_start(ap, fmt);
  PetscCall(KNTestOkV(t, cond, fmt, ap));
  va_end(ap);
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNTestOkAll - like KNTestOk, but cond may differ between ranks: passes only if it holds on all. */
static inline PetscErrorCode KNTestOkAll(KNTest *t, PetscBool cond, const char fmt[], ...)
{
  va_list     ap;
  PetscMPIInt c = cond ? 1 : 0, all;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(&c, &all, 1, MPI_INT, MPI_MIN, t->comm));
  va_start(ap, fmt);
  PetscCall(KNTestOkV(t, all ? PETSC_TRUE : PETSC_FALSE, fmt, ap));
  va_end(ap);
  PetscFunctionReturn(KN_SUCCESS);
}

static inline PetscErrorCode KNTestBegin(MPI_Comm comm, KNTest *t)
{
  PetscFunctionBeginUser;
  t->comm   = comm;
  t->count  = 0;
  t->failed = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNTestEnd - prints the TAP plan; returns the exit status for main(). */
static inline int KNTestEnd(KNTest *t)
{
  (void)PetscPrintf(t->comm, "1..%" PetscInt_FMT "\n", t->count);
  return t->failed ? 1 : 0;
}

/* Relative difference |a-b| / max(|a|,|b|,floor), the measure every gradient check uses. */
static inline PetscReal KNRelDiff(PetscReal a, PetscReal b, PetscReal floor_)
{
  PetscReal m = PetscMax(PetscMax(PetscAbsReal(a), PetscAbsReal(b)), floor_);
  return PetscAbsReal(a - b) / m;
}
