/* Private: the data and the error norm shared by the group-aware step-size controllers (kngroups, kndopri). */
#pragma once

#include <petsc/private/tsimpl.h> /* adapt->wnormtype, always_accept, timestepjustdecreased, ts->ops->evaluate* */
#include "circuitimpl.h"

typedef struct {
  MPI_Comm    across; /* one rank per group, in group order; MPI_COMM_NULL: this TS alone */
  PetscMPIInt G;
  PetscReal  *buf;    /* 2*G gathered values */
  Vec         Y;      /* the embedded (lower order) solution */
  PetscReal   dfactor; /* kndopri: the smallest factor a rejected step shrinks by */
} KNAdaptGroups;

PETSC_INTERN PetscErrorCode KNAdaptGroupsCreate_Private(TSAdapt);
PETSC_INTERN PetscErrorCode KNAdaptGroupsDestroy_Private(TSAdapt);
PETSC_INTERN PetscErrorCode KNAdaptGroupsError_Private(TSAdapt, TS, PetscInt *, PetscReal *);
