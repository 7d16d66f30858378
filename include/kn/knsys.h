/* KirchhoffNet system layer: PETSc version compatibility, package initialisation, log events. */
#pragma once

#include <petscsys.h>

#if PETSC_VERSION_LT(3, 18, 0)
  #error "KirchhoffNet needs PETSc 3.18 or later"
#endif

/* PETSC_SUCCESS arrived in 3.19; 3.18 returns 0. */
#if PETSC_VERSION_GE(3, 19, 0)
  #define KN_SUCCESS PETSC_SUCCESS
#else
  #define KN_SUCCESS 0
#endif

/* PetscAssertPointer arrived in 3.20; 3.18's PetscValidPointer lives in a private header. */
#if PETSC_VERSION_GE(3, 20, 0)
  #define KNAssertPointer(p, a) PetscAssertPointer(p, a)
#else
  #define KNAssertPointer(p, a) \
    do { \
      if (!(p)) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Null pointer: parameter # %d", (int)(a)); \
    } while (0)
#endif

/* A solve stopped by its interrupt callback (KNCircuitSetInterrupt(), e.g. a caught signal) raises this code; PETSc
   itself uses it only for fatal signals, which abort instead of returning. */
#define KN_ERR_INTERRUPTED PETSC_ERR_SIG

/* Log events, registered by KNInitializePackage(); -log_view shows where time goes. */
PETSC_EXTERN PetscLogEvent KN_RHSEval, KN_JacobianCache, KN_JacobianTranspose, KN_JacobianAssembly;
PETSC_EXTERN PetscLogEvent KN_LayerForward, KN_LayerAdjoint, KN_GhostUpdate, KN_ModelIO;
PETSC_EXTERN PetscClassId  KN_CLASSID;

PETSC_EXTERN PetscErrorCode KNInitializePackage(void);
PETSC_EXTERN PetscErrorCode KNRegisterFinalize(PetscErrorCode (*)(void));
PETSC_EXTERN PetscErrorCode KNCheckFiniteArray(MPI_Comm, PetscInt, const PetscReal[], const char[]);
PETSC_EXTERN PetscErrorCode KNRunOnRank0(MPI_Comm, PetscErrorCode (*)(void *), void *);
PETSC_EXTERN PetscErrorCode KNGetNodeMemoryShare(MPI_Comm, PetscLogDouble *);
PETSC_EXTERN PetscErrorCode KNGetVersion(const char **, const char **);
/* The sample panels every edge loop splits a batch into, whatever the threads: the most threads a rank uses. */
#define KN_PANELS 2
PETSC_EXTERN PetscErrorCode KNGetNumThreads(PetscInt *, const char **);
PETSC_EXTERN PetscErrorCode KNSetNumThreads(PetscInt);
