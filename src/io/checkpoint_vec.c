/* KNCheckpoint: Vecs with the net's parameter layout stored per layer in graph edge order (rank-count independent),
   their order-independent checksums, and the check that a checkpoint's /model matches a net. */
#include "ckptimpl.h"
#include <kn/knrandom.h>
#include <string.h>

/* Entry k (global graph-order position over all layers) with value v: summing these is independent of the order. */
static inline uint64_t SumTerm(uint64_t k, PetscReal v)
{
  uint64_t bits;

  memcpy(&bits, &v, sizeof(bits));
  return KNSplitMix64(KNSplitMix64(k) ^ bits);
}

/* Layer i of P (the net's layout) as a new graph-order Vec gv (split in whole edges). */
static PetscErrorCode LayerToGraphOrder(KNNet net, Vec P, PetscInt i, Vec *gv)
{
  KNCircuit c;
  Vec       t;

  PetscFunctionBegin;
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, gv));
  PetscCall(KNNetGetLayerParameterVec(net, P, i, &t));
  PetscCall(KNCircuitParametersToGraphOrder(c, t, *gv));
  PetscCall(KNNetRestoreLayerParameterVec(net, P, i, &t));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Local part of the checksum of a graph-order layer Vec whose first entry is global position off. */
static PetscErrorCode LocalSum(Vec gv, PetscInt64 off, uint64_t *sum)
{
  const PetscReal *a;
  PetscInt         lo, hi;

  PetscFunctionBegin;
  PetscCall(VecGetOwnershipRange(gv, &lo, &hi));
  PetscCall(VecGetArrayRead(gv, &a));
  for (PetscInt k = lo; k < hi; k++) *sum += SumTerm((uint64_t)(off + k), a[k - lo]);
  PetscCall(VecRestoreArrayRead(gv, &a));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode FinishSum(MPI_Comm comm, uint64_t local, char hex[17])
{
  uint64_t sum;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, comm)); /* exact: integer addition mod 2^64 */
  PetscCall(PetscSNPrintf(hex, 17, "%016llx", (unsigned long long)sum));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointParameterSum_Private(KNNet net, Vec P, char hex[17])
{
  PetscInt   D;
  PetscInt64 off = 0;
  uint64_t   local = 0;
  MPI_Comm   comm;

  PetscFunctionBegin;
  PetscCall(KNNetGetComm(net, &comm));
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    Vec      gv;
    PetscInt n;

    PetscCall(LayerToGraphOrder(net, P, i, &gv));
    PetscCall(LocalSum(gv, off, &local));
    PetscCall(VecGetSize(gv, &n));
    PetscCall(VecDestroy(&gv));
    off += n;
  }
  PetscCall(FinishSum(comm, local, hex));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Writes or reads dataset <name> [E, rows] of group <group>/layer_NNN: this rank's whole edges of gv. */
static PetscErrorCode LayerSlab(KNCheckpoint ck, const char group[], const char name[], PetscInt i, KNNet net, Vec gv, PetscBool write)
{
  KNCircuit      c;
  PetscInt       E, rows, lo, hi;
  hsize_t        dims[2], start[2], count[2];
  char           path[PETSC_MAX_PATH_LEN], where[PETSC_MAX_PATH_LEN + 64], lname[32];
  hid_t          gid = -1;
  PetscReal     *a;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitGetSizes(c, NULL, &E, &rows));
  PetscCall(VecGetOwnershipRange(gv, &lo, &hi));
  PetscCall(KNIOLayerName_Private(i, lname, sizeof(lname)));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", group, lname));
  PetscCall(KNCheckpointWhere_Private(ck, path, where, sizeof(where)));
  dims[0] = (hsize_t)E, dims[1] = (hsize_t)rows;
  start[0] = (hsize_t)(lo / rows), start[1] = 0, count[0] = (hsize_t)((hi - lo) / rows), count[1] = (hsize_t)rows;
  PetscCall(KNCheckpointGroup_Private(ck, path, write, &gid));
  if (!write) {
    int     nd;
    hsize_t shape[2] = {0, 0};

    ierr = KNH5GetShape_Private(ck->comm, gid, where, name, &nd, shape);
    if (!ierr && (nd != 2 || shape[0] != dims[0] || shape[1] != dims[1])) {
      (void)H5Gclose(gid);
      SETERRQ(ck->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has shape [%llu, %llu], but layer %" PetscInt_FMT " of this net has %" PetscInt_FMT " edges with %" PetscInt_FMT " parameters each", where, name, (unsigned long long)shape[0], (unsigned long long)shape[1], i, E, rows);
    }
    if (ierr) (void)H5Gclose(gid);
    PetscCall(ierr);
  }
  PetscCall(VecGetArray(gv, &a));
  if (write) ierr = KNH5WriteSlab_Private(ck->comm, gid, where, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, start, count, a);
  else ierr = KNH5ReadSlab_Private(ck->comm, gid, where, name, H5T_NATIVE_DOUBLE, 2, start, count, a);
  PetscCall(VecRestoreArray(gv, &a));
  (void)H5Gclose(gid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointWriteParameterVec - writes P, a Vec with the net's parameter layout (KNNetCreateParameterVec()), as
  datasets <group>/layer_NNN/<name> [E, rows] in graph edge order, and its checksum as the attribute <name>_sum64 of
  <group>

  Collective

  Input Parameters:
+ ck - a checkpoint being written
. group - the group, e.g. "optim"
. name - the dataset name in each layer group, e.g. "m"
. net - the net whose layout P has
- P - the values

  Notes:
  The file does not depend on the number of ranks: KNCheckpointReadParameterVec() reads it on any other number.

  Level: intermediate

.seealso: KNCheckpointReadParameterVec(), KNOptimizerGetMoments()
@*/
PetscErrorCode KNCheckpointWriteParameterVec(KNCheckpoint ck, const char group[], const char name[], KNNet net, Vec P)
{
  PetscInt       D;
  PetscInt64     off   = 0;
  uint64_t       local = 0;
  char           hex[17], attr[128], where[PETSC_MAX_PATH_LEN + 64];
  hid_t          gid;
  KNH5Quiet      q;
  PetscErrorCode ierr = KN_SUCCESS;

  PetscFunctionBegin;
  PetscCheck(ck->writing, ck->comm, PETSC_ERR_ARG_WRONGSTATE, "Checkpoint %s was opened for reading", ck->file);
  PetscCall(KNNetGetNumLayers(net, &D));
  KNH5QuietBegin(&q);
  for (PetscInt i = 0; i < D && !ierr; i++) {
    Vec      gv = NULL;
    PetscInt n  = 0;

    ierr = LayerToGraphOrder(net, P, i, &gv);
    if (!ierr) ierr = LayerSlab(ck, group, name, i, net, gv, PETSC_TRUE);
    if (!ierr) ierr = LocalSum(gv, off, &local);
    if (!ierr) ierr = VecGetSize(gv, &n);
    PetscCall(VecDestroy(&gv));
    off += n;
  }
  if (!ierr) ierr = FinishSum(ck->comm, local, hex);
  if (!ierr) ierr = PetscSNPrintf(attr, sizeof(attr), "%s_sum64", name);
  if (!ierr) ierr = KNCheckpointWhere_Private(ck, group, where, sizeof(where));
  if (!ierr) ierr = KNCheckpointGroup_Private(ck, group, PETSC_TRUE, &gid);
  if (!ierr) {
    ierr = KNH5WriteAttrString_Private(ck->comm, gid, where, attr, hex);
    (void)H5Gclose(gid);
  }
  KNH5QuietEnd(&q);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointReadParameterVec - reads <group>/layer_NNN/<name> into P (the net's parameter layout) and verifies the
  checksum <name>_sum64

  Collective

  Input Parameters:
+ ck - an opened checkpoint
. group, name - as given to KNCheckpointWriteParameterVec(); group "model", name "theta" reads the model's parameters
- net - a set-up net with the layers of the checkpoint (see KNCheckpointCheckNet())

  Output Parameter:
. P - the values (also on a checksum error, so pass a work Vec if P must stay unchanged on failure)

  Level: intermediate

.seealso: KNCheckpointWriteParameterVec()
@*/
PetscErrorCode KNCheckpointReadParameterVec(KNCheckpoint ck, const char group[], const char name[], KNNet net, Vec P)
{
  PetscInt       D;
  PetscInt64     off   = 0;
  uint64_t       local = 0;
  char           hex[17], attr[128], *stored = NULL;
  PetscBool      same;
  KNH5Quiet      q;
  PetscErrorCode ierr = KN_SUCCESS;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(attr, sizeof(attr), "%s_sum64", name));
  PetscCall(KNCheckpointReadString(ck, group, attr, &stored));
  PetscCall(KNNetGetNumLayers(net, &D));
  KNH5QuietBegin(&q);
  for (PetscInt i = 0; i < D && !ierr; i++) {
    KNCircuit c;
    Vec       gv = NULL, t;
    PetscInt  n  = 0;

    ierr = KNNetGetLayer(net, i, &c);
    if (!ierr) ierr = KNCircuitCreateGraphOrderParameterVec(c, &gv);
    if (!ierr) ierr = LayerSlab(ck, group, name, i, net, gv, PETSC_FALSE);
    if (!ierr) ierr = LocalSum(gv, off, &local);
    if (!ierr) ierr = KNNetGetLayerParameterVec(net, P, i, &t);
    if (!ierr) ierr = KNCircuitParametersFromGraphOrder(c, gv, t);
    if (!ierr) ierr = KNNetRestoreLayerParameterVec(net, P, i, &t);
    if (!ierr) ierr = VecGetSize(gv, &n);
    PetscCall(VecDestroy(&gv));
    off += n;
  }
  KNH5QuietEnd(&q);
  if (!ierr) ierr = FinishSum(ck->comm, local, hex);
  if (!ierr) ierr = PetscStrcmp(hex, stored, &same);
  if (!ierr && !same) {
    char s[17];
    PetscCall(PetscStrncpy(s, stored, sizeof(s)));
    PetscCall(PetscFree(stored));
    SETERRQ(ck->comm, PETSC_ERR_FILE_UNEXPECTED, "Checkpoint %s is corrupt: the values of /%s/layer_*/%s have checksum %s, the file says %s", ck->file, group, name, hex, s);
  }
  PetscCall(PetscFree(stored));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* One layer of /model against the net's layer i. */
static PetscErrorCode CheckLayer(KNCheckpoint ck, KNNet net, PetscInt i)
{
  KNCircuit      c;
  KNGraph        g;
  KNDevice       d;
  KNDeviceType   type;
  PetscInt       N, E, rows;
  PetscInt64     fN, fE, frows;
  PetscReal      T, fT;
  char           path[64], lname[32], sum[17], fdevice[64] = "?", *fdev = NULL, *fsum = NULL;
  PetscBool      sdev = PETSC_FALSE, ssum = PETSC_FALSE;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitGetGraph(c, &g));
  PetscCall(KNCircuitGetDevice(c, &d));
  PetscCall(KNDeviceGetType(d, &type));
  PetscCall(KNCircuitGetSizes(c, &N, &E, &rows));
  PetscCall(KNCircuitGetDuration(c, &T));
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNIOLayerName_Private(i, lname, sizeof(lname)));
  PetscCall(PetscSNPrintf(path, sizeof(path), "model/%s", lname));
  PetscCall(KNCheckpointReadInt(ck, path, "num_nodes", &fN));
  PetscCall(KNCheckpointReadInt(ck, path, "num_edges", &fE));
  PetscCall(KNCheckpointReadInt(ck, path, "param_rows", &frows));
  PetscCall(KNCheckpointReadReal(ck, path, "T", &fT));
  ierr = KNCheckpointReadString(ck, path, "device", &fdev);
  if (!ierr) ierr = KNCheckpointReadString(ck, path, "edges_fnv1a64", &fsum);
  if (!ierr) ierr = PetscStrcmp(fdev, type, &sdev);
  if (!ierr) ierr = PetscStrcmp(fsum, sum, &ssum);
  if (!ierr) ierr = PetscStrncpy(fdevice, fdev, sizeof(fdevice));
  PetscCall(PetscFree(fdev));
  PetscCall(PetscFree(fsum));
  PetscCall(ierr);
  PetscCheck(sdev && ssum && fN == N && fE == E && frows == rows && fT == T, ck->comm, PETSC_ERR_ARG_INCOMP,
             "Checkpoint %s holds a different layer %" PetscInt_FMT " (%s: %" PetscInt64_FMT " nodes, %" PetscInt64_FMT " edges, T = %g%s) than this run builds (%s: %" PetscInt_FMT " nodes, %" PetscInt_FMT " edges, T = %g): resume with the net options the run was started with (see options.txt of its run directory) or start a new run directory",
             ck->file, i, fdevice, fN, fE, (double)fT, ssum ? "" : ", other edges", type, N, E, (double)T);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointCheckNet - errors unless the checkpoint's /model has the net's layers: count, devices, node and edge
  counts, edge lists (checksums) and durations

  Collective

  Level: intermediate

.seealso: KNCheckpointReadParameterVec()
@*/
PetscErrorCode KNCheckpointCheckNet(KNCheckpoint ck, KNNet net)
{
  PetscInt   D;
  PetscInt64 fD;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNCheckpointReadInt(ck, "model", "layers", &fD));
  PetscCheck(fD == D, ck->comm, PETSC_ERR_ARG_INCOMP, "Checkpoint %s holds a net of %" PetscInt64_FMT " layers, this run builds %" PetscInt_FMT ": resume with the options the run was started with (see options.txt of its run directory)", ck->file, fD, D);
  for (PetscInt i = 0; i < D; i++) PetscCall(CheckLayer(ck, net, i));
  PetscFunctionReturn(KN_SUCCESS);
}
