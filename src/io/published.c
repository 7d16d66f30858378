/* The published reference models (data/published/<exp>.h5): import into a KNNet, and their solver settings. */
#include "ioimpl.h"

/* Turns an error caught under PetscReturnErrorHandler into one that also names the file and what was being read. */
static PetscErrorCode Rethrow(MPI_Comm comm, PetscErrorCode ierr, const char where[], const char what[])
{
  char *msg = NULL;

  PetscFunctionBegin;
  if (!ierr) PetscFunctionReturn(KN_SUCCESS);
  (void)PetscErrorMessage(ierr, NULL, &msg);
  SETERRQ(comm, ierr, "%s: %s: %s", where, what, msg ? msg : "error");
}

static PetscErrorCode GraphFromDescription(MPI_Comm comm, const char topo[], const char where[], KNGraph *g)
{
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNGraphCreateFromDescription(comm, topo, g);
  PetscCall(PetscPopErrorHandler());
  PetscCall(Rethrow(comm, ierr, where, "attribute 'topology'"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Checks the graph against num_edges, num_state_nodes, edges_fnv1a64 and the theta shape (rows, E). */
static PetscErrorCode CheckLayer(MPI_Comm comm, hid_t gid, const char where[], KNGraph g, PetscInt rows)
{
  PetscInt64 E64, N64;
  PetscInt   N, E;
  char      *sum;
  int        nd;
  hsize_t    dims[2];

  PetscFunctionBegin;
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNH5ReadAttrInt_Private(comm, gid, where, "num_edges", &E64));
  PetscCall(KNH5ReadAttrInt_Private(comm, gid, where, "num_state_nodes", &N64));
  PetscCheck(E64 == E && N64 == N, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: the topology gives %" PetscInt_FMT " edges and %" PetscInt_FMT " nodes, but num_edges = %" PetscInt64_FMT " and num_state_nodes = %" PetscInt64_FMT, where, E, N, E64, N64);
  PetscCall(KNH5ReadAttrString_Private(comm, gid, where, "edges_fnv1a64", &sum));
  {
    PetscErrorCode ierr = KNIOCheckChecksum_Private(comm, g, sum, where);
    PetscCall(PetscFree(sum));
    PetscCall(ierr);
  }
  PetscCall(KNH5GetShape_Private(comm, gid, where, "theta", &nd, dims));
  PetscCheck(nd == 2 && dims[0] == (hsize_t)rows && dims[1] == (hsize_t)E, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: theta has shape (%llu, %llu), expected (%" PetscInt_FMT ", %" PetscInt_FMT ") = (rows of the device, num_edges)", where, (unsigned long long)dims[0],
             nd == 2 ? (unsigned long long)dims[1] : 0ULL, rows, E);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Layer i: topology -> graph (checked), device, duration T (checked against t_end if given); adds it to net. */
static PetscErrorCode AddLayer(KNNet net, MPI_Comm comm, hid_t gid, const char where[], KNDeviceType type, const PetscReal tend[])
{
  KNGraph        g = NULL;
  KNDevice       d = NULL;
  PetscInt       rows;
  PetscReal      T;
  char          *topo;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNH5ReadAttrReal_Private(comm, gid, where, "T", &T));
  PetscCheck(T > 0 && !PetscIsInfOrNanReal(T), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: duration T = %g must be positive and finite", where, (double)T);
  if (tend) {
    PetscReal dt = tend[1] - tend[0];
    PetscCheck(PetscAbsReal(T - dt) <= 1e-9 * PetscMax(1.0, PetscAbsReal(tend[1])), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: T = %.17g disagrees with t_end (%.17g - %.17g)", where, (double)T, (double)tend[1], (double)tend[0]);
  }
  PetscCall(KNH5ReadAttrString_Private(comm, gid, where, "topology", &topo));
  ierr = GraphFromDescription(comm, topo, where, &g);
  PetscCall(PetscFree(topo));
  PetscCall(ierr);
  ierr = KNDeviceCreate(comm, &d);
  if (!ierr) ierr = KNDeviceSetType(d, type);
  if (!ierr) ierr = KNDeviceGetNumParameters(d, &rows);
  if (!ierr) ierr = CheckLayer(comm, gid, where, g, rows);
  if (!ierr) ierr = KNNetAddLayer(net, g, d, T);
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Root attributes: the device class (-> our type), the layer count and, if present, t_end (D+1 anchors). */
static PetscErrorCode ReadRoot(MPI_Comm comm, hid_t fid, const char where[], KNDeviceType *type, PetscInt *D, PetscReal **tend)
{
  char          *cls;
  PetscInt64     D64;
  PetscInt       n;
  PetscBool      has;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *tend = NULL;
  PetscCall(KNH5ReadAttrString_Private(comm, fid, where, "device", &cls));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNDeviceTypeFromReference(cls, type);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFree(cls));
  PetscCall(Rethrow(comm, ierr, where, "attribute 'device'"));
  PetscCall(KNH5ReadAttrInt_Private(comm, fid, where, "layers", &D64));
  PetscCheck(D64 >= 1 && D64 <= 100000, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: layers = %" PetscInt64_FMT " is out of range", where, D64);
  *D = (PetscInt)D64;
  PetscCall(KNH5HasAttr_Private(fid, "t_end", &has));
  if (has) {
    PetscCall(KNH5ReadAttrRealArray_Private(comm, fid, where, "t_end", &n, tend));
    if (n != *D + 1) PetscCall(PetscFree(*tend));
    PetscCheck(n == *D + 1, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: t_end has %" PetscInt_FMT " entries, expected layers + 1 = %" PetscInt_FMT, where, n, *D + 1);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  MPI_Comm    comm;
  hid_t       fid;
  const char *file;
  PetscInt    layer;
} PublishedFill;

/* theta is float32 (rows, E): read this rank's columns as doubles, transpose into graph order [E, rows]. */
static PetscErrorCode FillPublished(void *ctx, PetscInt e0, PetscInt ne, PetscInt rows, PetscReal a[])
{
  PublishedFill *p = (PublishedFill *)ctx;
  char           name[32], where[PETSC_MAX_PATH_LEN + 64];
  hid_t          gid;
  hsize_t        start[2] = {0, (hsize_t)e0}, count[2] = {(hsize_t)rows, (hsize_t)ne};
  PetscReal     *buf;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNIOLayerName_Private(p->layer, name, sizeof(name)));
  PetscCall(PetscSNPrintf(where, sizeof(where), "published model file %s, group %s", p->file, name));
  PetscCall(PetscMalloc1(rows * ne + 1, &buf));
  ierr = KNH5OpenGroup_Private(p->comm, p->fid, where, name, &gid);
  if (!ierr) {
    ierr = KNH5ReadSlab_Private(p->comm, gid, where, "theta", H5T_NATIVE_DOUBLE, 2, start, count, buf);
    (void)H5Gclose(gid);
  }
  for (PetscInt r = 0; r < rows && !ierr; r++)
    for (PetscInt e = 0; e < ne; e++) a[e * rows + r] = buf[r * ne + e];
  PetscCall(PetscFree(buf));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ImportLayers(MPI_Comm comm, hid_t fid, const char file[], PetscInt B, PetscBool flow, KNNet net)
{
  KNDeviceType   type;
  PetscInt       D = 0;
  PetscReal     *tend;
  char           where[PETSC_MAX_PATH_LEN + 64];
  PetscErrorCode ierr = KN_SUCCESS;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "published model file %s", file));
  PetscCall(ReadRoot(comm, fid, where, &type, &D, &tend));
  for (PetscInt i = 0; i < D && !ierr; i++) {
    char  name[32], lw[PETSC_MAX_PATH_LEN + 96];
    hid_t gid;

    ierr = KNIOLayerName_Private(i, name, sizeof(name));
    if (!ierr) ierr = PetscSNPrintf(lw, sizeof(lw), "published model file %s, group %s (layer %" PetscInt_FMT ")", file, name, i);
    if (!ierr) ierr = KNH5OpenGroup_Private(comm, fid, where, name, &gid);
    if (ierr) break;
    ierr = AddLayer(net, comm, gid, lw, type, tend ? tend + i : NULL);
    (void)H5Gclose(gid);
  }
  PetscCall(PetscFree(tend));
  PetscCall(ierr);
  PetscCall(KNIOFinishNet_Private(net, B, flow, NULL));
  for (PetscInt i = 0; i < D; i++) {
    PublishedFill p = {comm, fid, file, i};
    char          lw[PETSC_MAX_PATH_LEN + 64];

    PetscCall(PetscSNPrintf(lw, sizeof(lw), "published model file %s, layer %" PetscInt_FMT, file, i));
    PetscCall(KNIOReadLayerParameters_Private(net, i, lw, FillPublished, &p));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetImportPublished - reads one of the published reference models (the paper authors' trained weights, converted
  to HDF5; see data/published/README.md) into a new, set-up net

  Collective

  Input Parameters:
+ comm - the communicator of the new net
. filename - the published file, e.g. twomoon.h5
. B - the batch size
- flow - PETSC_TRUE for the generation/density experiments (flows), PETSC_FALSE for classification (mnist)

  Output Parameter:
. net - the net with the published parameters

  Notes:
  The root attribute 'device' (a reference class such as ShiftTanh2) selects the device law
  (KNDeviceTypeFromReference()); each group layer_NNN rebuilds its topology from the JSON attribute 'topology' and
  must reproduce num_edges, num_state_nodes and the FNV-1a edge checksum edges_fnv1a64; theta (float32, shape
  (rows, E)) is converted to double and transposed into graph order; the attribute T is the layer duration.
  The readout is left at its default (every node of the last layer), or -kn_readout_last K: mnist reads its logits
  from the last 10 nodes (-kn_readout_last 10 at load time, or KNNetSetReadout() with the explicit node ids
  825..834 afterwards). KNNetLoad() calls this for files without a 'format' attribute.
  Call KNPublishedSetSolverOptions() before to use the reference solver settings.

  Level: intermediate

.seealso: KNNetLoad(), KNPublishedSetSolverOptions(), KNDeviceTypeFromReference(), KNGraphCreateFromDescription()
@*/
PetscErrorCode KNNetImportPublished(MPI_Comm comm, const char filename[], PetscInt B, PetscBool flow, KNNet *net)
{
  KNNet          n = NULL;
  KNH5Quiet      q;
  hid_t          fid = -1;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(filename, 2);
  KNAssertPointer(net, 5);
  *net = NULL;
  PetscCall(KNInitializePackage());
  PetscCall(PetscLogEventBegin(KN_ModelIO, 0, 0, 0, 0));
  KNH5QuietBegin(&q);
  ierr = KNH5OpenFile_Private(comm, filename, "published model file", &fid);
  if (!ierr) ierr = KNNetCreate(comm, &n);
  if (!ierr) ierr = ImportLayers(comm, fid, filename, B, flow, n);
  if (fid >= 0) (void)H5Fclose(fid);
  KNH5QuietEnd(&q);
  PetscCall(PetscLogEventEnd(KN_ModelIO, 0, 0, 0, 0));
  if (ierr) PetscCall(KNNetDestroy(&n));
  PetscCall(ierr);
  *net = n;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadSolverSettings(MPI_Comm comm, hid_t fid, const char where[], PetscReal v[3])
{
  PetscBool has;

  PetscFunctionBegin;
  PetscCall(KNH5HasAttr_Private(fid, "experiment", &has));
  PetscCheck(has, comm, PETSC_ERR_FILE_UNEXPECTED, "%s is not a published reference model (no 'experiment' attribute)", where);
  PetscCall(KNH5ReadAttrReal_Private(comm, fid, where, "tol", &v[0]));
  PetscCall(KNH5ReadAttrReal_Private(comm, fid, where, "first_step", &v[1]));
  PetscCall(KNH5ReadAttrReal_Private(comm, fid, where, "min_step", &v[2]));
  for (int k = 0; k < 3; k++) PetscCheck(v[k] > 0 && !PetscIsInfOrNanReal(v[k]), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: solver setting %s = %g must be positive", where, k == 0 ? "tol" : k == 1 ? "first_step" : "min_step", (double)v[k]);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Sets -name value unless the user already gave -name. */
static PetscErrorCode SetDefault(const char name[], const char value[])
{
  PetscBool set;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasName(NULL, NULL, name, &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, name, value));
  PetscCall(PetscInfo(NULL, "%s %s%s\n", name, set ? "kept (given by the user), file has " : "", value));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNPublishedSetSolverOptions - puts the reference solver settings of a published model into the options database:
  dopri5 with rtol = atol = tol, first step and minimum step, unless the user set them already

  Collective

  Input Parameters:
+ comm - the ranks that read the file
- filename - the published file

  Notes:
  From the root attributes tol, first_step and min_step, each of -ts_rtol, -ts_atol (tol), -ts_dt (first_step) and
  -ts_adapt_dt_min (min_step) is set if it is not in the options database yet; if -ts_type is unset, -ts_type rk
  and (if unset) -ts_rk_type 5dp are set too. Call it before KNNetLoad()/KNNetImportPublished() (the time steppers
  read their options at set-up). The global options database (no prefix) is changed.

  Level: intermediate

.seealso: KNNetImportPublished(), KNNetLoad()
@*/
PetscErrorCode KNPublishedSetSolverOptions(MPI_Comm comm, const char filename[])
{
  KNH5Quiet      q;
  hid_t          fid = -1;
  PetscReal      v[3];
  char           where[PETSC_MAX_PATH_LEN + 32], buf[64];
  PetscBool      set;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(filename, 2);
  PetscCall(PetscSNPrintf(where, sizeof(where), "published model file %s", filename));
  KNH5QuietBegin(&q);
  ierr = KNH5OpenFile_Private(comm, filename, "published model file", &fid);
  if (!ierr) ierr = ReadSolverSettings(comm, fid, where, v);
  if (fid >= 0) (void)H5Fclose(fid);
  KNH5QuietEnd(&q);
  PetscCall(ierr);
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%.17g", (double)v[0]));
  PetscCall(SetDefault("-ts_rtol", buf));
  PetscCall(SetDefault("-ts_atol", buf));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%.17g", (double)v[1]));
  PetscCall(SetDefault("-ts_dt", buf));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%.17g", (double)v[2]));
  PetscCall(SetDefault("-ts_adapt_dt_min", buf));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_type", &set));
  if (!set) {
    PetscCall(SetDefault("-ts_type", "rk"));
    PetscCall(SetDefault("-ts_rk_type", "5dp"));
  }
  PetscFunctionReturn(KN_SUCCESS);
}
