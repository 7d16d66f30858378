/* Private KNCheckpoint data shared by src/io/checkpoint*.c. */
#pragma once

#include <kn/kncheckpoint.h>
#include "ioimpl.h"

struct _p_KNCheckpoint {
  MPI_Comm   comm;
  hid_t      fid;
  PetscBool  writing; /* created by KNCheckpointCreate() and not yet committed: destroying it removes tmp */
  PetscInt64 step;
  char       file[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN];
  KNH5Reserve reserve; /* space held for the metadata while writing (h5util.h) */
};

/* Opens group (NULL, "" or "/": the root; else one level below it), creating it if create; close with H5Gclose(). */
PETSC_INTERN PetscErrorCode KNCheckpointGroup_Private(KNCheckpoint, const char[], PetscBool, hid_t *);
/* "checkpoint <file>, group /<group>" for messages. */
PETSC_INTERN PetscErrorCode KNCheckpointWhere_Private(KNCheckpoint, const char[], char[], size_t);
/* The order-independent checksum (16 hex digits) of a Vec with the net's parameter layout; collective. */
PETSC_INTERN PetscErrorCode KNCheckpointParameterSum_Private(KNNet, Vec, char[17]);
