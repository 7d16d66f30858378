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

  Records that make the file usable on its own (KNModelRecords; all optional, absent in files of earlier knet):

    /                 attrs knet_version, knet_git (the writer's version and git commit, "unknown" outside a
                      checkout), task (the KNTask type it was trained for: regression, classification, generation,
                      density)
    /readout          int64 [K]        the output nodes (1-based ids in the final layer), e.g. the 10 logits
    /scaling          attr type = "minmax": the scaling the data pipeline applied, scaled = (raw - min)/(max - min)
                      (raw - min for a constant column), fitted on the training set
    /scaling/feature_min, feature_max   float64 [nfeat]
    /scaling/target_min, target_max     float64 [ntarget] (only if the targets were scaled: regression)
    /options          fixed-length strings [lines]: the effective option table, one "-key value" a line (as
                      options.txt of the run directory)

  Strings are variable-length UTF-8 in the format_version 1 layout and fixed-length (null-terminated) in the
  records; integers int64, reals float64. A record that is absent is not used (knet eval then behaves as for
  an older file); a record that is present but malformed is an error naming the file and the record.

  Theta layout: knet's own files store theta as [E, rows] (edge-major: a rank reads its edges as one hyperslab).
  The published reference weights (tests/data/published, KNNetImportPublished()) store it as [rows, E], as the
  reference code's tensors are. The loader tells them apart by the root attributes, not by the shape (a layer with
  E == rows would be ambiguous): a 'format' attribute means a knet file ([E, rows], shape checked against
  num_edges and the device's rows); no 'format' but an 'experiment' attribute means a published file ([rows, E]).
*/
#define KN_MODEL_FORMAT         "kirchhoffnet-model"
#define KN_MODEL_FORMAT_VERSION 1

/*S
  KNModelRecords - what a model file records besides the net: the task, the data scaling, the effective options, the
  writer's version (see the layout above). Zero-initialise before use; KNModelRecordsLoad() fills it from a file and
  KNModelRecordsReset() frees what it holds. In KNNetSaveWithRecords() every field may be empty (0, "" or NULL):
  that record is not written. The readout and the version are always written (from the net and the library).
S*/
typedef struct {
  char       task[64];                     /* KNTask type ("" : not recorded) */
  PetscInt   nfeat, ntarget;               /* columns of the min-max scaling (0: that part is not scaled) */
  PetscReal *feature_min, *feature_max;    /* [nfeat] */
  PetscReal *target_min, *target_max;      /* [ntarget] */
  char      *options;                      /* "-key value" lines (NULL: not recorded) */
  /* read back only */
  char      version[64], git[64];          /* the writer's knet version and commit ("" : an older file) */
  PetscInt  nreadout;                      /* the stored readout (0: not recorded) */
  PetscInt *readout;                       /* its 1-based node ids in the final layer */
} KNModelRecords;

PETSC_EXTERN PetscErrorCode KNNetSave(KNNet, const char[]);
PETSC_EXTERN PetscErrorCode KNNetSaveWithRecords(KNNet, const char[], const KNModelRecords *);
PETSC_EXTERN PetscErrorCode KNModelRecordsLoad(MPI_Comm, const char[], KNModelRecords *);
PETSC_EXTERN PetscErrorCode KNModelRecordsReset(KNModelRecords *);
PETSC_EXTERN PetscErrorCode KNNetLoad(MPI_Comm, const char[], PetscInt, PetscBool, KNNet *);
PETSC_EXTERN PetscErrorCode KNNetImportPublished(MPI_Comm, const char[], PetscInt, PetscBool, KNNet *);
PETSC_EXTERN PetscErrorCode KNPublishedSetSolverOptions(MPI_Comm, const char[]);
