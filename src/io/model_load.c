/* KNNetLoad: reads a model file (or dispatches to the published importer) into a set-up net. */
#include "ioimpl.h"
#include <kn/kncheckpoint.h>

/* What a model file says about one layer. */
typedef struct {
  char      *device, *topology, *checksum;
  PetscReal  T, C;
  PetscInt64 N, E, rows;
  PetscInt  *src, *dst; /* this rank's block of the edge list (KNGraphSetLocalEdges()) */
  PetscInt   nlocal;
} LayerInfo;

static PetscErrorCode LayerInfoFree(LayerInfo *l)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(l->device));
  PetscCall(PetscFree(l->topology));
  PetscCall(PetscFree(l->checksum));
  PetscCall(PetscFree2(l->src, l->dst));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNIOCheckChecksum_Private(MPI_Comm comm, KNGraph g, const char stored[], const char where[])
{
  char      sum[17];
  PetscBool same;

  PetscFunctionBegin;
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(PetscStrcmp(sum, stored, &same));
  PetscCheck(same, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: edge checksum mismatch (stored edges_fnv1a64 %s, the edges give %s): file corrupt or edited", where, stored, sum);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reads this rank's block of src and dst (a hyperslab each: no rank reads the whole list) and checks the node ids;
   the first bad entry is agreed over the ranks so that all raise the same error. */
static PetscErrorCode ReadEdges(MPI_Comm comm, hid_t gid, const char where[], LayerInfo *l)
{
  int            nds, ndd;
  hsize_t        ds[2], dd[2], start[1], count[1];
  PetscInt64    *v, bad[2] = {INT64_MAX, 0}, badval = 0;
  PetscInt       estart, n;
  PetscMPIInt    rank, size;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNH5GetShape_Private(comm, gid, where, "src", &nds, ds));
  PetscCall(KNH5GetShape_Private(comm, gid, where, "dst", &ndd, dd));
  PetscCheck(nds == 1 && ndd == 1, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: src and dst must be 1-D datasets", where);
  PetscCheck(ds[0] == dd[0], comm, PETSC_ERR_FILE_UNEXPECTED, "%s: src and dst differ in length (%llu and %llu)", where, (unsigned long long)ds[0], (unsigned long long)dd[0]);
  PetscCheck((PetscInt64)ds[0] == l->E, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: src and dst have %llu entries but num_edges = %" PetscInt64_FMT, where, (unsigned long long)ds[0], l->E);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscIntCast(l->E, &n));
  estart = (PetscInt)(l->E / size) * rank + PetscMin((PetscInt)rank, (PetscInt)(l->E % size)); /* the default split, as KNGraphSetLocalEdges() */
  n      = (PetscInt)(l->E / size) + (rank < l->E % size ? 1 : 0);
  start[0] = (hsize_t)estart, count[0] = (hsize_t)n;
  PetscCall(PetscMalloc1(2 * (size_t)n + 1, &v));
  ierr = KNH5ReadSlab_Private(comm, gid, where, "src", H5T_NATIVE_INT64, 1, start, count, v);
  if (!ierr) ierr = KNH5ReadSlab_Private(comm, gid, where, "dst", H5T_NATIVE_INT64, 1, start, count, v + n);
  for (PetscInt k = 0; k < 2 * n && !ierr && bad[0] == INT64_MAX; k++) {
    if (v[k] < 0 || v[k] > l->N) bad[0] = (k < n ? 0 : l->E) + estart + k % PetscMax(n, 1), badval = v[k];
  }
  if (!ierr) {
    PetscInt64 mine = bad[0];
    PetscCallMPI(MPI_Allreduce(&mine, bad, 1, MPIU_INT64, MPI_MIN, comm));
    bad[1] = (bad[0] == mine && mine != INT64_MAX) ? badval : INT64_MIN;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad[1], 1, MPIU_INT64, MPI_MAX, comm));
  }
  if (!ierr && bad[0] == INT64_MAX) ierr = PetscMalloc2(n, &l->src, n, &l->dst);
  for (PetscInt e = 0; e < n && !ierr && bad[0] == INT64_MAX; e++) l->src[e] = (PetscInt)v[e], l->dst[e] = (PetscInt)v[n + e];
  l->nlocal = n;
  PetscCall(PetscFree(v));
  PetscCall(ierr);
  PetscCheck(bad[0] == INT64_MAX, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s[%" PetscInt64_FMT "] = %" PetscInt64_FMT " is not a node id in 0..num_nodes = %" PetscInt64_FMT, where, bad[0] < l->E ? "src" : "dst", bad[0] % PetscMax(l->E, 1), bad[1], l->N);
  PetscFunctionReturn(KN_SUCCESS);
}

/* num_nodes is one attribute, backed by nothing else in the file: before the graph and the circuit allocate per-node
   arrays, it must fit this rank's share of the node's memory at 12 values per node (state, RK stages and work
   vectors of a single sample), or a tampered file would make the process grow until it is killed. */
static PetscErrorCode CheckNodesFit(MPI_Comm comm, const char where[], PetscInt64 N)
{
  PetscLogDouble share, need = 12.0 * sizeof(PetscReal) * (PetscLogDouble)N;

  PetscFunctionBegin;
  PetscCall(KNGetNodeMemoryShare(comm, &share));
  PetscCheck(share <= 0 || need <= share, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: num_nodes = %" PetscInt64_FMT " would need at least %.3g GB (12 values per node for one sample), more than this rank's %.3g GB share of the node's memory (a corrupt or tampered num_nodes?)", where, N, need / 1e9, share / 1e9);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadLayerInfo(MPI_Comm comm, hid_t gid, const char where[], LayerInfo *l)
{
  PetscFunctionBegin;
  PetscCall(KNH5ReadAttrString_Private(comm, gid, where, "device", &l->device));
  PetscCall(KNH5ReadAttrString_Private(comm, gid, where, "topology", &l->topology));
  PetscCall(KNH5ReadAttrString_Private(comm, gid, where, "edges_fnv1a64", &l->checksum));
  PetscCall(KNH5ReadAttrReal_Private(comm, gid, where, "T", &l->T));
  PetscCall(KNH5ReadAttrReal_Private(comm, gid, where, "capacitance", &l->C));
  PetscCall(KNH5ReadAttrInt_Private(comm, gid, where, "num_nodes", &l->N));
  PetscCall(KNH5ReadAttrInt_Private(comm, gid, where, "num_edges", &l->E));
  PetscCall(KNH5ReadAttrInt_Private(comm, gid, where, "param_rows", &l->rows));
  PetscCheck(l->T > 0 && !PetscIsInfOrNanReal(l->T), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: duration T = %g must be positive and finite", where, (double)l->T);
  PetscCheck(l->C > 0 && !PetscIsInfOrNanReal(l->C), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: capacitance = %g must be positive and finite", where, (double)l->C);
  PetscCheck(l->N >= 0 && l->N < PETSC_MAX_INT, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: num_nodes = %" PetscInt64_FMT " is out of range", where, l->N);
  PetscCheck(l->E >= 0 && l->E <= PETSC_MAX_INT, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: num_edges = %" PetscInt64_FMT " is out of range for this PETSc build", where, l->E);
  PetscCheck(l->rows >= 1 && l->rows <= 64, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: param_rows = %" PetscInt64_FMT " is out of range", where, l->rows);
  PetscCall(CheckNodesFit(comm, where, l->N));
  PetscCall(ReadEdges(comm, gid, where, l));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The device of a stored type name; an unknown name is an error naming the file and layer. */
static PetscErrorCode CreateDevice(MPI_Comm comm, const char type[], const char where[], KNDevice *d)
{
  PetscInt     n;
  const char **types;
  PetscBool    known = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(KNDeviceGetTypes(&n, &types));
  for (PetscInt k = 0; k < n && !known; k++) PetscCall(PetscStrcmp(type, types[k], &known));
  PetscCall(PetscFree(types));
  PetscCheck(known, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: unknown device type \"%s\" (not registered with KNDeviceRegister(); see -help for -kn_device_type)", where, type);
  PetscCall(KNDeviceCreate(comm, d));
  PetscCall(KNDeviceSetType(*d, type));
  PetscFunctionReturn(KN_SUCCESS);
}

/* theta must be [num_edges, rows of the device], and param_rows must agree. */
static PetscErrorCode CheckThetaShape(MPI_Comm comm, hid_t gid, const char where[], const LayerInfo *l, PetscInt rows)
{
  int     nd;
  hsize_t dims[2];

  PetscFunctionBegin;
  PetscCheck(l->rows == rows, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: param_rows = %" PetscInt64_FMT " but device %s has %" PetscInt_FMT " parameter rows", where, l->rows, l->device, rows);
  PetscCall(KNH5GetShape_Private(comm, gid, where, "theta", &nd, dims));
  PetscCheck(nd == 2, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: theta must be a 2-D dataset [num_edges, rows] = [%" PetscInt64_FMT ", %" PetscInt_FMT "], it has shape [%llu]", where, l->E, rows, (unsigned long long)dims[0]);
  PetscCheck((PetscInt64)dims[0] == l->E && (PetscInt64)dims[1] == rows, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: theta has shape [%llu, %llu], expected [%" PetscInt64_FMT ", %" PetscInt_FMT "] (num_edges, rows of device %s)", where, (unsigned long long)dims[0],
             (unsigned long long)dims[1], l->E, rows, l->device);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Graph, checksum, device and theta shape of one layer; adds the layer to net. */
static PetscErrorCode AddLayer(KNNet net, MPI_Comm comm, hid_t gid, const char where[], const LayerInfo *l)
{
  KNGraph        g = NULL;
  KNDevice       d = NULL;
  PetscInt       rows;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNGraphCreate(comm, &g));
  ierr = KNGraphSetLocalEdges(g, (PetscInt)l->N, (PetscInt)l->E, l->nlocal, l->src, l->dst);
  if (!ierr && l->topology[0]) ierr = KNGraphSetDescription(g, l->topology);
  if (!ierr) ierr = KNIOCheckChecksum_Private(comm, g, l->checksum, where);
  if (!ierr) ierr = CreateDevice(comm, l->device, where, &d);
  if (!ierr) ierr = KNDeviceGetNumParameters(d, &rows);
  if (!ierr) ierr = CheckThetaShape(comm, gid, where, l, rows);
  if (!ierr) ierr = KNNetAddLayer(net, g, d, l->T);
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode LoadLayer(KNNet net, MPI_Comm comm, hid_t fid, const char file[], PetscInt i, PetscReal *C)
{
  LayerInfo      l = {0};
  char           name[32], where[PETSC_MAX_PATH_LEN + 64];
  hid_t          gid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNIOLayerName_Private(i, name, sizeof(name)));
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s (attribute layers > %" PetscInt_FMT ")", file, i));
  PetscCall(KNH5OpenGroup_Private(comm, fid, where, name, &gid));
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s, group %s (layer %" PetscInt_FMT ")", file, name, i));
  ierr = ReadLayerInfo(comm, gid, where, &l);
  if (!ierr) ierr = AddLayer(net, comm, gid, where, &l);
  (void)H5Gclose(gid);
  *C = l.C;
  PetscCall(LayerInfoFree(&l));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  MPI_Comm    comm;
  hid_t       fid;
  const char *file;
  PetscInt    layer;
} ModelFill;

/* theta[E, rows] is stored in graph order: this rank's edges are one hyperslab, read straight into a. */
static PetscErrorCode FillModel(void *ctx, PetscInt e0, PetscInt ne, PetscInt rows, PetscReal a[])
{
  ModelFill     *m = (ModelFill *)ctx;
  char           name[32], where[PETSC_MAX_PATH_LEN + 64];
  hid_t          gid;
  hsize_t        start[2] = {(hsize_t)e0, 0}, count[2] = {(hsize_t)ne, (hsize_t)rows};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNIOLayerName_Private(m->layer, name, sizeof(name)));
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s, group %s", m->file, name));
  PetscCall(KNH5OpenGroup_Private(m->comm, m->fid, where, name, &gid));
  ierr = KNH5ReadSlab_Private(m->comm, gid, where, "theta", H5T_NATIVE_DOUBLE, 2, start, count, a);
  (void)H5Gclose(gid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNIOFinishNet_Private(KNNet net, PetscInt B, PetscBool flow, const PetscReal caps[])
{
  PetscInt D;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetSetBatchSize(net, B));
  PetscCall(KNNetSetFlow(net, flow));
  for (PetscInt i = 0; i < D && caps; i++) {
    KNCircuit c;
    if (caps[i] == 1.0) continue;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitSetCapacitance(c, caps[i]));
  }
  PetscCall(KNNetSetFromOptions(net));
  PetscCall(KNNetSetUp(net));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNIOReadLayerParameters_Private(KNNet net, PetscInt i, const char where[], KNIOFillFn fill, void *ctx)
{
  MPI_Comm       comm;
  KNCircuit      c;
  Vec            gv, t;
  PetscInt       lo, hi, rows;
  PetscReal     *a;
  PetscMPIInt    bad;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNNetGetComm(net, &comm));
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitGetSizes(c, NULL, NULL, &rows));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &gv));
  PetscCall(VecGetOwnershipRange(gv, &lo, &hi));
  PetscCheck(lo % rows == 0 && hi % rows == 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "Graph-order parameters of layer %" PetscInt_FMT " are not split in whole edges", i);
  PetscCall(VecGetArray(gv, &a));
  ierr = fill(ctx, lo / rows, (hi - lo) / rows, rows, a);
  bad  = 0;
  for (PetscInt k = 0; k < hi - lo && !ierr && !bad; k++) bad = PetscIsInfOrNanReal(a[k]) ? 1 : 0;
  PetscCall(VecRestoreArray(gv, &a));
  if (ierr) PetscCall(VecDestroy(&gv));
  PetscCall(ierr);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
  if (bad) PetscCall(VecDestroy(&gv));
  PetscCheck(!bad, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: theta holds NaN or Inf values", where);
  PetscCall(KNCircuitCreateParameterVec(c, &t));
  PetscCall(KNCircuitParametersFromGraphOrder(c, gv, t));
  PetscCall(KNCircuitSetParameters(c, t));
  PetscCall(VecDestroy(&t));
  PetscCall(VecDestroy(&gv));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The readout record (files of earlier knet have none: all nodes, as then), before KNNetSetFromOptions() so that
   -kn_readout_last overrides it. */
static PetscErrorCode SetStoredReadout(KNNet net, MPI_Comm comm, hid_t fid, const char where[])
{
  KNCircuit c;
  PetscInt  D, N, K;
  PetscInt *nodes;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetLayer(net, D - 1, &c));
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCall(KNIOReadReadout_Private(comm, fid, where, N, &K, &nodes));
  if (K) PetscCall(KNNetSetReadout(net, K, nodes));
  PetscCall(PetscFree(nodes));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The layers, set-up and parameters of a model file (format already checked). */
static PetscErrorCode LoadModel(MPI_Comm comm, hid_t fid, const char file[], PetscInt B, PetscBool flow, KNNet net)
{
  PetscInt64     D, version;
  PetscReal     *caps;
  char           where[PETSC_MAX_PATH_LEN + 32];
  PetscErrorCode ierr = KN_SUCCESS;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s", file));
  PetscCall(KNH5ReadAttrInt_Private(comm, fid, where, "format_version", &version));
  PetscCheck(version <= KN_MODEL_FORMAT_VERSION, comm, PETSC_ERR_FILE_UNEXPECTED, "%s has format_version %" PetscInt64_FMT ", written by a newer KirchhoffNet; this build reads version %d", where, version, KN_MODEL_FORMAT_VERSION);
  PetscCheck(version >= 1, comm, PETSC_ERR_FILE_UNEXPECTED, "%s has an invalid format_version %" PetscInt64_FMT, where, version);
  PetscCall(KNH5ReadAttrInt_Private(comm, fid, where, "layers", &D));
  PetscCheck(D >= 1 && D <= 100000, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: layers = %" PetscInt64_FMT " is out of range", where, D);
  PetscCall(PetscMalloc1(D, &caps));
  for (PetscInt i = 0; i < D && !ierr; i++) ierr = LoadLayer(net, comm, fid, file, i, &caps[i]);
  if (!ierr) ierr = SetStoredReadout(net, comm, fid, where);
  if (!ierr) ierr = KNIOFinishNet_Private(net, B, flow, caps);
  PetscCall(PetscFree(caps));
  PetscCall(ierr);
  for (PetscInt i = 0; i < D; i++) {
    ModelFill m = {comm, fid, file, i};
    char      lw[PETSC_MAX_PATH_LEN + 64];

    PetscCall(PetscSNPrintf(lw, sizeof(lw), "model file %s, layer %" PetscInt_FMT, file, i));
    PetscCall(KNIOReadLayerParameters_Private(net, i, lw, FillModel, &m));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

typedef enum {
  KN_FILE_MODEL,
  KN_FILE_PUBLISHED,
  KN_FILE_CHECKPOINT /* the model is the group /model */
} FileKind;

/* A model file has the format attribute; a published file has 'experiment' and layer_000/theta of rank 2. */
static PetscErrorCode DetectKind(MPI_Comm comm, hid_t fid, const char file[], FileKind *kind)
{
  PetscBool has, exp, grp, th = PETSC_FALSE;
  char     *fmt;

  PetscFunctionBegin;
  PetscCall(KNH5HasAttr_Private(fid, "format", &has));
  if (!has) {
    PetscCall(KNH5HasAttr_Private(fid, "experiment", &exp));
    PetscCall(KNH5HasLink_Private(fid, "layer_000", &grp));
    if (grp) PetscCall(KNH5HasLink_Private(fid, "layer_000/theta", &th));
    if (exp && th) {
      int     nd;
      hsize_t dims[2];

      PetscCall(KNH5GetShape_Private(comm, fid, file, "layer_000/theta", &nd, dims));
      th = nd == 2 ? PETSC_TRUE : PETSC_FALSE;
    }
    PetscCheck(exp && th, comm, PETSC_ERR_FILE_UNEXPECTED, "file %s is not a KirchhoffNet model (no 'format' attribute)", file);
    *kind = KN_FILE_PUBLISHED;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNH5ReadAttrString_Private(comm, fid, file, "format", &fmt));
  PetscCall(PetscStrcmp(fmt, KN_CHECKPOINT_FORMAT, &has));
  if (has) {
    PetscCall(PetscFree(fmt));
    *kind = KN_FILE_CHECKPOINT;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscStrcmp(fmt, KN_MODEL_FORMAT, &has));
  if (!has) {
    char found[64];
    PetscCall(PetscStrncpy(found, fmt, sizeof(found)));
    PetscCall(PetscFree(fmt));
    SETERRQ(comm, PETSC_ERR_FILE_UNEXPECTED, "file %s is not a KirchhoffNet model: its 'format' attribute is '%s', not '%s'", file, found, KN_MODEL_FORMAT);
  }
  PetscCall(PetscFree(fmt));
  *kind = KN_FILE_MODEL;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetLoad - reads a model file written by KNNetSave() (or a published reference model) into a new, set-up net

  Collective

  Input Parameters:
+ comm - the communicator of the new net (any number of ranks, independent of the writer's)
. filename - the HDF5 file
. B - the batch size
- flow - PETSC_TRUE for a flow (log-density) net

  Output Parameter:
. net - the net, set up (KNNetSetFromOptions() and KNNetSetUp() were called) with the stored parameters

  Notes:
  Each layer's edge list is checked against its stored FNV-1a checksum, its device type must be registered and
  theta must have the shape [num_edges, rows of the device]. The stored capacitances (per layer) and the stored
  readout (if the file has one, see KNModelRecordsLoad()) are applied before KNNetSetFromOptions(), so
  -kn_capacitance and -kn_readout_last override them.
  A file without a 'format' attribute but with the attributes of the published reference models ('experiment' and
  layer_000/theta of shape (rows, E)) is passed to KNNetImportPublished(). A checkpoint (KNCheckpointCreate()) loads
  the net of its /model group.
  On error nothing is returned (*net = NULL) and every object created is destroyed.

  Level: beginner

.seealso: KNNetSave(), KNNetImportPublished(), KNPublishedSetSolverOptions()
@*/
PetscErrorCode KNNetLoad(MPI_Comm comm, const char filename[], PetscInt B, PetscBool flow, KNNet *net)
{
  KNNet          n = NULL;
  KNH5Quiet      q;
  hid_t          fid  = -1, gid = -1;
  FileKind       kind = KN_FILE_MODEL;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(filename, 2);
  KNAssertPointer(net, 5);
  *net = NULL;
  PetscCall(KNInitializePackage());
  PetscCall(PetscLogEventBegin(KN_ModelIO, 0, 0, 0, 0));
  KNH5QuietBegin(&q);
  ierr = KNH5OpenFile_Private(comm, filename, "model file", &fid);
  if (!ierr) ierr = DetectKind(comm, fid, filename, &kind);
  if (!ierr && kind == KN_FILE_CHECKPOINT) ierr = KNH5OpenGroup_Private(comm, fid, filename, "model", &gid); /* the model layout */
  if (!ierr && kind != KN_FILE_PUBLISHED) ierr = KNNetCreate(comm, &n);
  if (!ierr && kind != KN_FILE_PUBLISHED) ierr = LoadModel(comm, gid >= 0 ? gid : fid, filename, B, flow, n);
  if (gid >= 0) (void)H5Gclose(gid);
  if (fid >= 0) (void)H5Fclose(fid);
  KNH5QuietEnd(&q);
  PetscCall(PetscLogEventEnd(KN_ModelIO, 0, 0, 0, 0));
  if (ierr) PetscCall(KNNetDestroy(&n));
  PetscCall(ierr);
  if (kind == KN_FILE_PUBLISHED) PetscCall(KNNetImportPublished(comm, filename, B, flow, &n));
  *net = n;
  PetscFunctionReturn(KN_SUCCESS);
}
