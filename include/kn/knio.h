/* KirchhoffNet files: HDF5 model files (save/load, readable from h5py) and the importer of the published weights. */
#pragma once

#include <kn/knnet.h>

/*
  Model file (format "kirchhoffnet-model", format_version 1), see DESIGN.md section 6:

    /                 attrs format (vlen UTF-8), format_version (int64), layers (int64 D), flow (int64 0/1)
    /layer_NNN/src    int64 [E]        source node of each edge, graph edge order
    /layer_NNN/dst    int64 [E]        destination node of each edge
    /layer_NNN/theta  float64 [E, rows] row e = the parameters of edge e (the device's rows, reference row order)
    /layer_NNN        attrs device (KNDevice type name), T, num_nodes, num_edges, param_rows, capacitance,
                      topology (JSON description or ""), edges_fnv1a64 (16 hex digits, see KNGraphGetChecksum())

  Strings are variable-length UTF-8, integers int64, reals float64.
*/
#define KN_MODEL_FORMAT         "kirchhoffnet-model"
#define KN_MODEL_FORMAT_VERSION 1

PETSC_EXTERN PetscErrorCode KNNetSave(KNNet, const char[]);
PETSC_EXTERN PetscErrorCode KNNetLoad(MPI_Comm, const char[], PetscInt, PetscBool, KNNet *);
PETSC_EXTERN PetscErrorCode KNNetImportPublished(MPI_Comm, const char[], PetscInt, PetscBool, KNNet *);
PETSC_EXTERN PetscErrorCode KNPublishedSetSolverOptions(MPI_Comm, const char[]);
