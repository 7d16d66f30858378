/* Private KNNet data. */
#pragma once

#include <kn/knnet.h>
#include <kn/knrandom.h>

struct _p_KNNet {
  MPI_Comm    comm;
  PetscMPIInt rank;
  char       *prefix;
  PetscInt    D, maxD, B;
  KNCircuit  *layer;
  PetscReal   cap;
  PetscBool   flow, setupcalled;

  PetscInt  nread, *readout; /* readout node ids of the final layer (NULL until set: all nodes) */
  PetscBool readout_last;    /* readout = the last nread nodes */

  /* parameters: the concatenation of every layer's owned block */
  PetscInt *poff;  /* local offset of layer i's block, D+1 entries */
  PetscInt  nparam;
  Vec      *ptheta; /* per-layer work Vec wrapping a slice of a net parameter Vec */

  /* forward sweep storage */
  PetscBool   reverse;       /* direction of the last forward sweep */
  PetscInt    nin;
  Vec        *X0;            /* start state of every layer */
  Vec        *Lam;           /* adjoint work per layer */
  Vec        *Y;             /* per-layer solve work; Y[final_layer] is the final state of the sweep */
  PetscInt    final_layer;   /* the layer whose solve ended the last sweep */
  VecScatter *next, *prev;   /* transitions layer i -> i+1 and i+1 -> i (built lazily) */
  PetscBool   forward_done;

  /* one integration per training step: the loss pass keeps the layers' trajectories for KNNetBackward() */
  PetscBool      save_traj;      /* KNNetSetSaveTrajectory() */
  PetscLogDouble adjoint_memory; /* bytes per rank the kept trajectories may hold (0: every layer is recomputed) */
  PetscBool     *kept;           /* layer i's trajectory of the last forward sweep is kept */

  /* robustness studies: Gaussian noise on the voltages entering every layer after the first */
  PetscReal  noise_sigma;
  PetscInt64 noise_seed, noise_draw;
  PetscInt   noise_first, noise_total; /* sample b is sample noise_first + b of a batch of noise_total (0: B) */
  PetscInt   noise_count;              /* real samples of the slice: padding after them gets no noise */
};

PETSC_INTERN PetscErrorCode KNNetSetUpReadout_Private(KNNet);
PETSC_INTERN PetscErrorCode KNNetTransition_Private(KNNet, PetscInt, PetscInt, VecScatter *);
PETSC_INTERN PetscErrorCode KNNetSolveLayer_Private(KNNet, PetscInt, Vec);
PETSC_INTERN PetscErrorCode KNNetViewAdjointMemory_Private(KNNet, PetscViewer);
