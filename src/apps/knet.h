/* knet command line: shared declarations of the subcommands. */
#pragma once

#include <kn.h>
#include "sys/knoptions.h"

typedef struct {
  const char *name, *usage;
  PetscErrorCode (*run)(int, char **); /* argc, argv: the positional arguments, then the options */
  int nargs;                           /* positional arguments (MODEL.h5) */
} KNetCommand;

PETSC_INTERN PetscErrorCode KNetInfo(int, char **);
PETSC_INTERN PetscErrorCode KNetEval(int, char **);
PETSC_INTERN PetscErrorCode KNetDemo(int, char **);
PETSC_INTERN PetscErrorCode KNetExportSpice(int, char **);
PETSC_INTERN PetscErrorCode KNetVerifySpice(int, char **);
/* knet info -kn_hw_scale a [-kn_hw_current I0]: the hardware figures of a loaded net (nothing without those options);
   the options are read first (KNetReadHardwareOptions()), before the up-front option check. */
typedef struct {
  PetscReal a, I0;
  PetscInt  points, sample;
  PetscBool aset, iset;
  char      input[PETSC_MAX_PATH_LEN], dataset[256];
} KNetHardwareOptions;
PETSC_INTERN PetscErrorCode KNetReadHardwareOptions(MPI_Comm, KNetHardwareOptions *);
PETSC_INTERN PetscErrorCode KNetHardwareReport(KNNet, const KNetHardwareOptions *);
PETSC_INTERN PetscErrorCode KNetTrain(int, char **);
PETSC_INTERN PetscErrorCode KNetSample(int, char **);
/* knet eval with -kn_task_type: the task metric of a model on a dataset (src/apps/knet_task.c). */
PETSC_INTERN PetscErrorCode KNetEvalTask(int, char **, const KNModelRecords *);
/* KNNetLoad(); a published reference file first puts its dopri5 settings into the options (KNPublishedSetSolverOptions()). */
PETSC_INTERN PetscErrorCode KNetLoadModel(MPI_Comm, const char[], PetscInt, PetscBool, KNNet *);

/* Reads a matrix of n rows x m columns from a CSV/whitespace text file (optional header) or an HDF5 dataset. */
PETSC_INTERN PetscErrorCode KNetReadMatrix(MPI_Comm, const char[], const char[], PetscInt *, PetscInt *, PetscReal **);
/* Writes rows x cols values with a header line to a CSV file, atomically (temp file + rename), from rank 0. */
PETSC_INTERN PetscErrorCode KNetWriteCSV(MPI_Comm, const char[], const char[], PetscInt, PetscInt, const PetscReal[]);
/* Builds a throwaway net so that -help prints every option group of nets, circuits, devices and TS. */
PETSC_INTERN PetscErrorCode KNetHelpNet(MPI_Comm);
/* Before PetscInitialize() (knet_args.c, plain C): PETSc's key rule, -help spellings, argv and -options_file checks. */
PETSC_INTERN int KNetIsKey(const char[]);
PETSC_INTERN int KNetIsHelpKey(const char[]);
PETSC_INTERN int KNetCheckOptionsFile(const char[], int, char[], size_t);
PETSC_INTERN int KNetScanArgs(int, char **, int, const char[], int, int *, int *, char[], size_t);
/* knet_opts.c: the command whose -help pass names the known options; the up-front option check; knet CMD -help. */
PETSC_INTERN void           KNetSetCommand(const KNetCommand *);
PETSC_INTERN PetscErrorCode KNetCheckOptions(MPI_Comm);
PETSC_INTERN PetscErrorCode KNetCheckOptionsAtEnd(MPI_Comm);
PETSC_INTERN PetscErrorCode KNetPrintHelp(MPI_Comm, const char[]);
/* knet_records.c: the records of a model file as defaults (KNModelRecordsLoad()): stored options under prefixes
   (the command line wins), what they say (knet info), the readout line of eval/sample, min-max scaling both ways. */
PETSC_INTERN PetscErrorCode KNetUseStoredOptions(MPI_Comm, const char[], const char[], const KNModelRecords *, const char *const[]);
PETSC_INTERN PetscErrorCode KNetViewRecords(MPI_Comm, const char[], const KNModelRecords *, PetscInt);
PETSC_INTERN PetscErrorCode KNetSayReadout(MPI_Comm, const char[], const char[], const KNModelRecords *, KNNet);
PETSC_INTERN void           KNetMinMax(PetscBool, PetscInt, PetscInt, PetscInt, const PetscReal[], const PetscReal[], PetscReal[]);
PETSC_INTERN PetscReal      KNetMinMaxLogDet(PetscInt, const PetscReal[], const PetscReal[]);
/* The solver options of a model: the -ts_* keys (knet_records.c). */
PETSC_INTERN const char *const KNetSolverPrefixes[];
