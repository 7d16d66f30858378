/* Plain-C reference for the benchmark: fixed-step classical RK4 and its exact discrete adjoint for one
   KirchhoffNet circuit with the shift_tanh2 law, no PETSc TS. Serial; the baseline the TS path is timed against. */
#pragma once

#include <petscsys.h>

/*
  Circuit: N nodes (ids 1..N, ground 0 has v = 0), E edges src[e] -> dst[e] (ids 0..N), batch B.
  State layout is node-major with the batch innermost: v[(j-1)*B + b] is node j of sample b.
  Law: i_e = tanh(theta[3e] vs + theta[3e+1] vd + theta[3e+2]);  dv_j/dt = sum_{dst=j} i_e - sum_{src=j} i_e.
  Currents into or out of ground are dropped; self-loops (src == dst) contribute nothing and are skipped.
*/
typedef struct {
  PetscInt         N, E, B;
  const PetscInt  *src, *dst;
  const PetscReal *theta;
} KNPlainCircuit;

/* f = dv/dt at v (one edge pass). v and f have N*B entries and must not overlap. */
PETSC_EXTERN PetscErrorCode KNPlainRHS(const KNPlainCircuit *, const PetscReal[], PetscReal[]);

/* y = tanh(x) with the tanh the kernels use, so a benchmark can time the arithmetic floor of an edge pass.
   x and y must not overlap. KNPlainGetTanhType() names it: "inline" (default, vectorisable arithmetic),
   "libmvec" (build with -DKN_PLAIN_TANH=1) or "libm" (scalar, -DKN_PLAIN_TANH=0). */
PETSC_EXTERN PetscErrorCode KNPlainTanh(PetscInt, const PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNPlainGetTanhType(const char **);

/* Size, in PetscReals, of the stage storage the adjoint needs: 4*nsteps*N*B.
   Layout: stage state Y_i (i = 0..3) of step n starts at stages[(4*n + i)*N*B]. */
PETSC_EXTERN PetscErrorCode KNPlainRK4StageSize(const KNPlainCircuit *, PetscInt, size_t *);

/* vT = v(T) by nsteps classical RK4 steps from v0 (vT may equal v0). If stages is not NULL the stage states
   are stored there for KNPlainRK4Adjoint(). */
PETSC_EXTERN PetscErrorCode KNPlainRK4Forward(const KNPlainCircuit *, PetscReal, PetscInt, const PetscReal[], PetscReal[], PetscReal *);

/* Exact discrete adjoint of KNPlainRK4Forward(): given lambdaT = dL/dv(T), returns lambda0 = dL/dv0
   (lambda0 may equal lambdaT) and ADDS dL/dtheta to dtheta[3E]. One fused edge pass per stage. */
PETSC_EXTERN PetscErrorCode KNPlainRK4Adjoint(const KNPlainCircuit *, PetscReal, PetscInt, const PetscReal *, const PetscReal[], PetscReal[], PetscReal[]);
