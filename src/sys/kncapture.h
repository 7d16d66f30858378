/* Private: errors raised on some ranks, kept so that every rank can raise them (KNRunOnRank0(), KNGridRun()). */
#pragma once

#include <petscsys.h>

/* The first error (PETSC_ERROR_INITIAL) raised while running the work: its code and message. */
typedef struct {
  PetscErrorCode code;
  char           msg[1024];
} KNErrorCapture;

PETSC_INTERN PetscErrorCode KNErrorCaptureRun_Private(PetscErrorCode (*)(void *), void *, KNErrorCapture *);
PETSC_INTERN PetscErrorCode KNErrorCaptureRaise_Private(MPI_Comm, PetscMPIInt, KNErrorCapture *);
