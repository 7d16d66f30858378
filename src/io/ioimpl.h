/* Private declarations shared by the files of src/io (model save/load and the published importer). */
#pragma once

#include "h5util.h"

#if !defined(PETSC_USE_REAL_DOUBLE)
  #error "The KirchhoffNet HDF5 files are read and written through double-precision PetscReal"
#endif
_Static_assert(sizeof(PetscInt64) == sizeof(int64_t), "PetscInt64 must be int64_t (HDF5 reads H5T_NATIVE_INT64 into it)");

/* Group name of layer i: layer_000, layer_001, ... */
PETSC_INTERN PetscErrorCode KNIOLayerName_Private(PetscInt, char[], size_t);

/* Capacitance of a layer (*uniform = PETSC_FALSE if per-node capacitances were set). */

/* Fills a[(e - e0)*rows + r] = theta of graph edge e, row r, for e = e0 .. e0+ne-1 (collective: every rank calls). */
typedef PetscErrorCode (*KNIOFillFn)(void *, PetscInt, PetscInt, PetscInt, PetscReal[]);

/* After the layers were added: batch size, flow, per-layer capacitances (caps may be NULL), options, set-up. */
PETSC_INTERN PetscErrorCode KNIOFinishNet_Private(KNNet, PetscInt, PetscBool, const PetscReal[]);
/* Reads layer i's parameters in graph order through fill (this rank's whole edges), checks them, sets them. */
PETSC_INTERN PetscErrorCode KNIOReadLayerParameters_Private(KNNet, PetscInt, const char[], KNIOFillFn, void *);
/* Compares a stored edge checksum with the graph's; the error names where. */
PETSC_INTERN PetscErrorCode KNIOCheckChecksum_Private(MPI_Comm, KNGraph, const char[], const char[]);

/* Writes the model layout (root attributes format, format_version, layers, flow and the layer groups) into loc, an open
   file or group (model.c; a checkpoint's /model group). */
PETSC_INTERN PetscErrorCode KNIOWriteNet_Private(KNNet, MPI_Comm, hid_t, const char[]);
/* Rank 0 checks that the directory of a file to be written exists and is writable; gives the directory and "<file>.tmp". */
PETSC_INTERN PetscErrorCode KNIOCheckTarget_Private(MPI_Comm, const char[], const char[], char[], char[], size_t);
/* The data bytes of a model file of the net and a bound on its metadata, for KNH5ReserveSpace_Private(). */
PETSC_INTERN PetscErrorCode KNIONetCounts_Private(KNNet, PetscInt *, PetscInt *, PetscInt *);
/* Rank 0 only: fsync the temporary file, rename it onto file, fsync the directory; 0 or an errno value. */
PETSC_INTERN int KNIOCommitFile_Private(const char[], const char[], const char[]);
/* model_records.c: the records of KNModelRecords (and always the version and the readout) into loc; their bytes for
   the space reservation; the stored readout (K = 0 if absent; node ids checked against 1..N unless N < 0). */
PETSC_INTERN PetscErrorCode KNIOWriteRecords_Private(KNNet, MPI_Comm, hid_t, const char[], const KNModelRecords *);
PETSC_INTERN PetscErrorCode KNIORecordsBytes_Private(KNNet, const KNModelRecords *, double *);
PETSC_INTERN PetscErrorCode KNIOReadReadout_Private(MPI_Comm, hid_t, const char[], PetscInt, PetscInt *, PetscInt **);
