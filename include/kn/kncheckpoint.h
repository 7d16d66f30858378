/* KirchhoffNet checkpoint files (a net plus named state, for an exact restart) and trajectory files (v(t) of chosen
   samples and nodes). Both are HDF5 and readable from h5py. */
#pragma once

#include <kn/knnet.h>

/*
  Checkpoint file (format "kirchhoffnet-checkpoint", format_version 1), see DESIGN.md section 6:

    /                        attrs format, format_version, step (int64: the global optimizer step)
    /meta                    provenance, not part of the state: created_utc, mpi_size, petsc_version, hdf5_version
    /model                   the model layout of knio.h (attrs format "kirchhoffnet-model", format_version, layers,
                             flow; groups layer_NNN with src, dst, theta [E, rows] in graph edge order) and the attr
                             theta_sum64
    /<group>/layer_NNN/<name>  float64 [E, rows]: a Vec with the net's parameter layout (e.g. optimizer moments) in
                             graph edge order, KNCheckpointWriteParameterVec(); attr <name>_sum64 on /<group>
    /<group>                 scalar attrs (int64, float64, variable-length UTF-8) from KNCheckpointWriteInt() etc.

  <name>_sum64 (16 hex digits) is an order-independent checksum of the values and their graph-order positions, so it
  does not depend on the number of ranks that wrote or read the file; a mismatch on reading means a corrupt file.
  Everything stored in graph order makes a checkpoint written on p ranks readable on any other number of ranks.
  The trainer's groups (/optim, /train, /config) are described in KNTrainerWriteCheckpoint().

  Checkpoint directories hold ckpt_<step:08d>.h5; a file is written as ckpt_<step>.h5.tmp and renamed only when
  complete, so a crash leaves at most a .tmp file, which KNCheckpointList() reports separately.
*/
#define KN_CHECKPOINT_FORMAT         "kirchhoffnet-checkpoint"
#define KN_CHECKPOINT_FORMAT_VERSION 1

typedef struct _p_KNCheckpoint *KNCheckpoint;

PETSC_EXTERN PetscErrorCode KNCheckpointCreate(KNNet, const char[], PetscInt64, KNCheckpoint *);
PETSC_EXTERN PetscErrorCode KNCheckpointCommit(KNCheckpoint *);
PETSC_EXTERN PetscErrorCode KNCheckpointOpen(MPI_Comm, const char[], KNCheckpoint *);
PETSC_EXTERN PetscErrorCode KNCheckpointDestroy(KNCheckpoint *);
PETSC_EXTERN PetscErrorCode KNCheckpointGetStep(KNCheckpoint, PetscInt64 *);
PETSC_EXTERN PetscErrorCode KNCheckpointGetFileName(KNCheckpoint, const char **);

PETSC_EXTERN PetscErrorCode KNCheckpointWriteInt(KNCheckpoint, const char[], const char[], PetscInt64);
PETSC_EXTERN PetscErrorCode KNCheckpointWriteReal(KNCheckpoint, const char[], const char[], PetscReal);
PETSC_EXTERN PetscErrorCode KNCheckpointWriteString(KNCheckpoint, const char[], const char[], const char[]);
PETSC_EXTERN PetscErrorCode KNCheckpointHasEntry(KNCheckpoint, const char[], const char[], PetscBool *);
PETSC_EXTERN PetscErrorCode KNCheckpointReadInt(KNCheckpoint, const char[], const char[], PetscInt64 *);
PETSC_EXTERN PetscErrorCode KNCheckpointReadReal(KNCheckpoint, const char[], const char[], PetscReal *);
PETSC_EXTERN PetscErrorCode KNCheckpointReadString(KNCheckpoint, const char[], const char[], char **);

PETSC_EXTERN PetscErrorCode KNCheckpointWriteParameterVec(KNCheckpoint, const char[], const char[], KNNet, Vec);
PETSC_EXTERN PetscErrorCode KNCheckpointReadParameterVec(KNCheckpoint, const char[], const char[], KNNet, Vec);
PETSC_EXTERN PetscErrorCode KNCheckpointCheckNet(KNCheckpoint, KNNet);

PETSC_EXTERN PetscErrorCode KNCheckpointFileName(const char[], PetscInt64, char[], size_t);
PETSC_EXTERN PetscErrorCode KNCheckpointList(MPI_Comm, const char[], PetscInt *, char ***, PetscInt *, char ***);
PETSC_EXTERN PetscErrorCode KNCheckpointListDestroy(PetscInt, char ***);
PETSC_EXTERN PetscErrorCode KNCheckpointPrune(MPI_Comm, const char[], PetscInt);
PETSC_EXTERN PetscErrorCode KNCheckpointRemoveFile(MPI_Comm, const char[]);

/*
  Trajectory file (format "kirchhoffnet-trajectory", format_version 1):

    /                  attrs format, format_version, layers (int64), times ("steps" or "given")
    /samples           int64 [ns]          the recorded samples (0-based indices of the inputs / draws)
    /layer_NNN/t       float64 [nt]        times within the layer, 0..T (the sweep's own time: a reversed layer runs
                                           from its end back to its start)
    /layer_NNN/v       float64 [nt, ns, nn] v(t) of sample s at node nodes[k]
    /layer_NNN/nodes   int64 [nn]          the recorded node ids (1-based, as in the model file)
    /layer_NNN         attrs T, sweep_position (0 = the first layer the sweep visits; a reversed sweep, e.g.
                                           knet eval -kn_reverse or a flow's data -> latent pass, visits layer D-1
                                           first, so the direction is sweep_position of layer_000 > 0 when D > 1)
*/
#define KN_TRAJECTORY_FORMAT         "kirchhoffnet-trajectory"
#define KN_TRAJECTORY_FORMAT_VERSION 1

typedef struct _p_KNTrajectory *KNTrajectory;

PETSC_EXTERN PetscErrorCode KNTrajectoryCreate(KNNet, KNTrajectory *);
PETSC_EXTERN PetscErrorCode KNTrajectoryDestroy(KNTrajectory *);
PETSC_EXTERN PetscErrorCode KNTrajectorySetSamples(KNTrajectory, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KNTrajectorySetNodes(KNTrajectory, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KNTrajectorySetTimes(KNTrajectory, PetscInt, const PetscReal[]);
PETSC_EXTERN PetscErrorCode KNTrajectorySetFileName(KNTrajectory, const char[]);
PETSC_EXTERN PetscErrorCode KNTrajectorySetFromOptions(KNTrajectory);
PETSC_EXTERN PetscErrorCode KNTrajectoryCreateFromOptions(KNNet, KNTrajectory *);
PETSC_EXTERN PetscErrorCode KNTrajectoryBegin(KNTrajectory, PetscInt);
PETSC_EXTERN PetscErrorCode KNTrajectoryEnd(KNTrajectory);
PETSC_EXTERN PetscErrorCode KNTrajectoryWrite(KNTrajectory, const char[]);
