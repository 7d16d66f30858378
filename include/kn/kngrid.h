/* KNGrid: the process grid of data-parallel groups x graph ranks. */
#pragma once

#include <kn/knsys.h>
#include <petscvec.h>

/*S
  KNGrid - MPI_COMM_WORLD (or any communicator) split into G data groups of size/G ranks. Each group holds the
  whole model and a slice of every mini-batch; the ranks of a group split the nodes of each layer. Group g
  is made of the consecutive ranks g*(size/G) .. (g+1)*(size/G)-1.

  Reductions across groups (gradients, losses) sum in group order 0, 1, ..., G-1 on every rank, so their
  bits do not depend on MPI's reduction algorithm and repeated runs are identical.
S*/
typedef struct _p_KNGrid *KNGrid;

PETSC_EXTERN PetscErrorCode KNGridCreate(MPI_Comm, PetscInt, KNGrid *);
PETSC_EXTERN PetscErrorCode KNGridDestroy(KNGrid *);
PETSC_EXTERN PetscErrorCode KNGridGetGroupComm(KNGrid, MPI_Comm *);
PETSC_EXTERN PetscErrorCode KNGridGetWorldComm(KNGrid, MPI_Comm *);
PETSC_EXTERN PetscErrorCode KNGridGetAcrossComm(KNGrid, MPI_Comm *);
PETSC_EXTERN PetscErrorCode KNGridGetGroup(KNGrid, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNGridGetBatchSlice(KNGrid, PetscInt, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNGridSumVec(KNGrid, Vec);
PETSC_EXTERN PetscErrorCode KNGridSumReals(KNGrid, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNGridView(KNGrid, PetscViewer);
PETSC_EXTERN PetscErrorCode KNGridRun(KNGrid, PetscBool, PetscErrorCode (*)(void *), void *);
PETSC_EXTERN PetscErrorCode KNGridChooseGroups(MPI_Comm, PetscInt, PetscInt, PetscInt, PetscInt, PetscInt *, const char **);
