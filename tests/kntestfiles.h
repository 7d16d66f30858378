/* Helpers for tests that write files: an expected-error check that also matches the message, and a temporary
   directory created by rank 0 and shared with every rank. */
#pragma once

#ifndef _POSIX_C_SOURCE
  #define _POSIX_C_SOURCE 200809L
#endif
#include "kntest.h"
#include <stdlib.h>

/* msg contains sub (always true for sub = NULL) */
static inline PetscBool KNTestContains(const char *msg, const char *sub)
{
  return (PetscBool)(!sub || (msg && strstr(msg, sub)));
}

/* call must fail on every rank, with error code `code` (0: any) and a message containing substr (NULL: any). */
#define EXPECT_ERROR(t, code, substr, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    char          *msg_ = NULL; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    if (ierr_) (void)PetscErrorMessage(ierr_, NULL, &msg_); \
    PetscCall(KNTestOkAll(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code)) && KNTestContains(msg_, substr)), __VA_ARGS__)); \
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "#   error %d: %s\n", (int)ierr_, msg_ ? msg_ : "(none)")); \
  } while (0)

/* dir = a fresh directory /tmp/<prefix>-XXXXXX made by rank 0, the same name on every rank. */
static inline PetscErrorCode KNTestTempDirCreate(MPI_Comm comm, const char prefix[], char dir[], size_t len)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(dir, len, "/tmp/%s-XXXXXX", prefix));
  if (!rank) PetscCheck(mkdtemp(dir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create a temporary directory");
  PetscCallMPI(MPI_Bcast(dir, (PetscMPIInt)len, MPI_CHAR, 0, comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Removes the directory once every rank is done with it. */
static inline PetscErrorCode KNTestTempDirRemove(MPI_Comm comm, const char dir[])
{
  PetscMPIInt rank;
  char        cmd[PETSC_MAX_PATH_LEN + 16];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "rm -rf '%s'", dir));
  if (!rank && system(cmd)) PetscCall(PetscPrintf(PETSC_COMM_SELF, "# could not remove %s\n", dir));
  PetscFunctionReturn(KN_SUCCESS);
}
