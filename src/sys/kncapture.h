/* Private: errors raised on some ranks, kept so that every rank can raise them (KNRunOnRank0(), KNGridRun()). */
#pragma once

#include <petscsys.h>

/* The first error (PETSC_ERROR_INITIAL) raised while running the work: its code and message. */
typedef struct {
  PetscErrorCode code;
  char           msg[1024];
  MPI_Comm       comm;       /* where it was raised, for KNErrorCaptureReraise_Private() */
  int            line;
  const char    *func, *file; /* string literals of the raising code */
} KNErrorCapture;

PETSC_INTERN PetscErrorCode KNErrorCaptureRun_Private(PetscErrorCode (*)(void *), void *, KNErrorCapture *);
PETSC_INTERN PetscErrorCode KNErrorCaptureRaise_Private(MPI_Comm, PetscMPIInt, KNErrorCapture *);
PETSC_INTERN PetscErrorCode KNErrorCaptureReraise_Private(const KNErrorCapture *);
