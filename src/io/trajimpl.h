/* Private KNTrajectory data shared by src/io/trajectory*.c. */
#pragma once

#include <kn/kncheckpoint.h>
#include "ioimpl.h"

typedef struct {
  KNTrajectory traj;
  PetscInt     i, nn, *nodes;   /* layer index; recorded node ids */
  PetscInt     nt, cap;         /* rank 0: recorded times (accepted-step mode grows, given-times mode is fixed) */
  PetscReal   *t, *v;           /* rank 0: t[nt], v[(nt*ns + s)*nn + k] */
  PetscReal    scale, T;        /* TS time = scale * layer time; the layer's duration */
  PetscInt     next, last_step; /* given times: next one to fill; accepted steps: last step recorded */
  PetscInt     sweep, position; /* the sweep (batch) being recorded and the layer's place in it (-1: not seen) */
  PetscBool    active;          /* the current sweep holds recorded samples */
  Vec          work;            /* dense output */
} KNTrajLayer;

struct _p_KNTrajectory {
  KNNet       net;
  MPI_Comm    comm;
  PetscMPIInt rank;
  PetscInt    D, B, ns, *samples, nn, *nodes, ntimes;
  PetscInt    first, nstart, seen; /* sample of the first sweep's entry 0; layer solves seen; layers seen in a sweep */
  PetscReal  *times;
  char        file[PETSC_MAX_PATH_LEN];
  PetscBool   attached;
  KNTrajLayer      *layer;
};
