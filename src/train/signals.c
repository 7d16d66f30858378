/* SIGUSR1 / SIGTERM / SIGINT: handlers that only record the signal; the trainer acts on it inside the batch's solves
   (KNSignalsInterrupt()) or at the next mini-batch boundary. SIGINT (Ctrl-C) is a user's SIGTERM: the run stops with a checkpoint instead of losing its work. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <kn/kntrainer.h>

static volatile sig_atomic_t KNSignalCaught = 0;
static struct sigaction      KNSignalOld[3];
static PetscBool             KNSignalInstalled = PETSC_FALSE;
static const int             KNSignalNumbers[3] = {SIGUSR1, SIGTERM, SIGINT};

static void KNSignalHandler(int sig)
{
  KNSignalCaught = sig; /* async-signal-safe: nothing else happens here */
}

/*@C
  KNSignalsInstall - installs handlers for SIGUSR1, SIGTERM and SIGINT that only remember the signal (KNSignalsGet()); the
  trainer then stops the batch under way within a few solver steps, discards it, writes a checkpoint of the state
  before it and stops (KN_EXIT_CHECKPOINTED from knet train); between batches it stops at the next boundary

  Not Collective

  Notes:
  Call after PetscInitialize(): PETSc 3.18 traps neither signal (it leaves SIGUSR1, SIGUSR2 and, with Open MPI,
  SIGTERM alone), so these handlers are not replaced. SLURM sends the signal of --signal=USR1@T to every task of the
  job steps; srun and Open MPI's mpiexec forward SIGUSR1 to all ranks. Calling it again does nothing.

  Level: intermediate

.seealso: KNSignalsRestore(), KNSignalsGet(), KNTrainerTrain()
@*/
PetscErrorCode KNSignalsInstall(void)
{
  struct sigaction sa;

  PetscFunctionBegin;
  if (KNSignalInstalled) PetscFunctionReturn(KN_SUCCESS);
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = KNSignalHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; /* interrupted system calls (I/O, MPI progress) resume */
  for (int k = 0; k < 3; k++) PetscCheck(!sigaction(KNSignalNumbers[k], &sa, &KNSignalOld[k]), PETSC_COMM_SELF, PETSC_ERR_SYS, "Cannot install the handler of signal %d: %s", KNSignalNumbers[k], strerror(errno));
  KNSignalCaught    = 0;
  KNSignalInstalled = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNSignalsRestore - puts back the signal handlers that KNSignalsInstall() replaced

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNSignalsRestore(void)
{
  PetscFunctionBegin;
  if (!KNSignalInstalled) PetscFunctionReturn(KN_SUCCESS);
  for (int k = 0; k < 3; k++) (void)sigaction(KNSignalNumbers[k], &KNSignalOld[k], NULL);
  KNSignalInstalled = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNSignalsGet - the signal caught since the handlers were installed (0: none), and whether they are installed

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNSignalsGet(int *sig, PetscBool *installed)
{
  PetscFunctionBegin;
  if (sig) *sig = (int)KNSignalCaught;
  if (installed) *installed = KNSignalInstalled;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNSignalsInterrupt - the interrupt callback of KNNetSetInterrupt() / KNCircuitSetInterrupt() that says stop once a
  signal has been caught on this rank

  Not Collective

  Level: developer

.seealso: KNSignalsInstall(), KNNetSetInterrupt()
@*/
PetscErrorCode KNSignalsInterrupt(void *ctx, PetscBool *stop)
{
  (void)ctx;
  *stop = (PetscBool)(KNSignalCaught != 0);
  return KN_SUCCESS;
}
