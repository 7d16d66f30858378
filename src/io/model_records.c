/* The records of a model file besides the net (task, readout, data scaling, options, version): write and read. */
#include "ioimpl.h"
#include <kn/kncheckpoint.h>

/* A 1-D array of n values (int64 or float64), written by rank 0. */
static PetscErrorCode WriteArray(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscBool isint, PetscInt n, const void *v)
{
  PetscMPIInt rank;
  hsize_t     dims[1] = {(hsize_t)n}, start[1] = {0}, count[1];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  count[0] = rank ? 0 : (hsize_t)n;
  PetscCall(KNH5WriteSlab_Private(comm, loc, where, name, isint ? H5T_STD_I64LE : H5T_IEEE_F64LE, isint ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, 1, dims, start, count, v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* /scaling: type = "minmax", feature_min/max and (if the targets were scaled) target_min/max. */
static PetscErrorCode WriteScaling(MPI_Comm comm, hid_t loc, const char file[], const KNModelRecords *r)
{
  hid_t          gid;
  char           where[PETSC_MAX_PATH_LEN + 32];
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s, group scaling", file));
  PetscCall(KNH5CreateGroup_Private(comm, loc, where, "scaling", &gid));
  ierr = KNH5WriteAttrFixedString_Private(comm, gid, where, "type", "minmax");
  if (!ierr) ierr = WriteArray(comm, gid, where, "feature_min", PETSC_FALSE, r->nfeat, r->feature_min);
  if (!ierr) ierr = WriteArray(comm, gid, where, "feature_max", PETSC_FALSE, r->nfeat, r->feature_max);
  if (!ierr && r->ntarget) ierr = WriteArray(comm, gid, where, "target_min", PETSC_FALSE, r->ntarget, r->target_min);
  if (!ierr && r->ntarget) ierr = WriteArray(comm, gid, where, "target_max", PETSC_FALSE, r->ntarget, r->target_max);
  (void)H5Gclose(gid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The version and the readout (always), then the records given in r (may be NULL); collective. */
PetscErrorCode KNIOWriteRecords_Private(KNNet net, MPI_Comm comm, hid_t loc, const char file[], const KNModelRecords *r)
{
  const char     *version, *git;
  const PetscInt *nodes;
  PetscInt        K;
  PetscInt64     *ids;
  char            where[PETSC_MAX_PATH_LEN + 32];
  PetscErrorCode  ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s", file));
  PetscCall(KNGetVersion(&version, &git));
  PetscCall(KNH5WriteAttrFixedString_Private(comm, loc, where, "knet_version", version));
  PetscCall(KNH5WriteAttrFixedString_Private(comm, loc, where, "knet_git", git));
  PetscCall(KNNetGetReadout(net, &K, &nodes));
  PetscCall(PetscMalloc1(K + 1, &ids));
  for (PetscInt k = 0; k < K; k++) ids[k] = nodes[k];
  ierr = WriteArray(comm, loc, where, "readout", PETSC_TRUE, K, ids);
  PetscCall(PetscFree(ids));
  PetscCall(ierr);
  if (!r) PetscFunctionReturn(KN_SUCCESS);
  if (r->task[0]) PetscCall(KNH5WriteAttrFixedString_Private(comm, loc, where, "task", r->task));
  if (r->nfeat) PetscCall(WriteScaling(comm, loc, file, r));
  if (r->options && r->options[0]) PetscCall(KNH5WriteLines_Private(comm, loc, where, "options", r->options));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The bytes the records take in a file (for the space reservation). */
PetscErrorCode KNIORecordsBytes_Private(KNNet net, const KNModelRecords *r, double *bytes)
{
  PetscInt K;
  size_t   len = 0;

  PetscFunctionBegin;
  PetscCall(KNNetGetReadout(net, &K, NULL));
  if (r && r->options) PetscCall(PetscStrlen(r->options, &len));
  *bytes = 8.0 * (double)K + (r ? 16.0 * (double)(r->nfeat + r->ntarget) : 0.0);
  if (len) { /* fixed width: at most (longest line + 1) x lines <= (len + 1) x lines; lines <= len */
    size_t lines = 1, w = 0, wmax = 0;
    for (const char *c = r->options; *c; c++) {
      if (*c == '\n') lines++, w = 0;
      else wmax = PetscMax(wmax, ++w);
    }
    *bytes += (double)lines * (double)(wmax + 1);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* A 1-D array record of 1..max values (float64 or int64, all finite); *n = 0 if absent and optional. */
static PetscErrorCode ReadArray(MPI_Comm comm, hid_t loc, const char where[], const char name[], PetscBool isint, PetscInt max, PetscInt *n, void **v)
{
  int       nd;
  hsize_t   dims[2], start[1] = {0}, count[1];
  PetscBool has;

  PetscFunctionBegin;
  *n = 0, *v = NULL;
  PetscCall(KNH5HasLink_Private(loc, name, &has));
  if (!has) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNH5GetShape_Private(comm, loc, where, name, &nd, dims));
  PetscCheck(nd == 1 && dims[0] >= 1 && dims[0] <= (hsize_t)max, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: record %s must be a 1-D array of 1 to %" PetscInt_FMT " values", where, name, max);
  count[0] = dims[0];
  PetscCall(PetscMalloc(8 * (size_t)dims[0], v));
  PetscCall(KNH5ReadSlab_Private(comm, loc, where, name, isint ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, 1, start, count, *v));
  for (hsize_t i = 0; i < dims[0] && !isint; i++) PetscCheck(!PetscIsInfOrNanReal(((PetscReal *)*v)[i]), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: record %s holds NaN or Inf", where, name);
  *n = (PetscInt)dims[0];
  PetscFunctionReturn(KN_SUCCESS);
}

/* A min/max pair: both or neither, the same length, min <= max. */
static PetscErrorCode ReadPair(MPI_Comm comm, hid_t gid, const char where[], const char what[], PetscInt *n, PetscReal **lo, PetscReal **hi)
{
  char      a[32], b[32];
  PetscInt  na, nb;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(a, sizeof(a), "%s_min", what));
  PetscCall(PetscSNPrintf(b, sizeof(b), "%s_max", what));
  PetscCall(ReadArray(comm, gid, where, a, PETSC_FALSE, 1 << 24, &na, (void **)lo));
  PetscCall(ReadArray(comm, gid, where, b, PETSC_FALSE, 1 << 24, &nb, (void **)hi));
  PetscCheck(na == nb, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: record %s has %" PetscInt_FMT " values but %s has %" PetscInt_FMT " (corrupt or edited file)", where, a, na, b, nb);
  for (PetscInt k = 0; k < na; k++) PetscCheck((*lo)[k] <= (*hi)[k], comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s[%" PetscInt_FMT "] = %g exceeds %s[%" PetscInt_FMT "] = %g", where, a, k, (double)(*lo)[k], b, k, (double)(*hi)[k]);
  *n = na;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadScaling(MPI_Comm comm, hid_t loc, const char file[], KNModelRecords *r)
{
  hid_t          gid;
  char           where[PETSC_MAX_PATH_LEN + 32], *type = NULL;
  PetscBool      has, minmax = PETSC_FALSE;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNH5HasLink_Private(loc, "scaling", &has));
  if (!has) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s, group scaling", file));
  PetscCall(KNH5OpenGroup_Private(comm, loc, where, "scaling", &gid));
  ierr = KNH5ReadAttrFixedString_Private(comm, gid, where, "type", &type);
  if (!ierr) ierr = PetscStrcmp(type, "minmax", &minmax);
  if (!ierr && minmax) ierr = ReadPair(comm, gid, where, "feature", &r->nfeat, &r->feature_min, &r->feature_max);
  if (!ierr && minmax) ierr = ReadPair(comm, gid, where, "target", &r->ntarget, &r->target_min, &r->target_max);
  (void)H5Gclose(gid);
  PetscCall(PetscFree(type));
  PetscCall(ierr);
  PetscCheck(minmax, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute type must be \"minmax\" (the only scaling this knet knows)", where);
  PetscCheck(r->nfeat >= 1, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: feature_min and feature_max are missing", where);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The stored readout of the model at loc (*K = 0 if absent); node ids must lie in 1..N (N < 0: not checked). */
PetscErrorCode KNIOReadReadout_Private(MPI_Comm comm, hid_t loc, const char where[], PetscInt N, PetscInt *K, PetscInt **nodes)
{
  PetscInt64 *ids;

  PetscFunctionBegin;
  *nodes = NULL;
  PetscCall(ReadArray(comm, loc, where, "readout", PETSC_TRUE, N >= 0 ? PetscMax(N, 1) : PETSC_MAX_INT, K, (void **)&ids));
  if (!*K) PetscFunctionReturn(KN_SUCCESS);
  for (PetscInt k = 0; k < *K; k++) {
    if (N >= 0 && (ids[k] < 1 || ids[k] > N)) PetscCall(PetscFree(ids));
    PetscCheck(ids, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: record readout names a node outside the final layer's 1..%" PetscInt_FMT " (corrupt or edited file)", where, N);
  }
  PetscCall(PetscMalloc1(*K, nodes));
  for (PetscInt k = 0; k < *K; k++) (*nodes)[k] = (PetscInt)ids[k];
  PetscCall(PetscFree(ids));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A fixed-length string attribute into buf (absent: ""). */
static PetscErrorCode ReadName(MPI_Comm comm, hid_t loc, const char where[], const char name[], char buf[], size_t len)
{
  PetscBool has;
  char     *s;

  PetscFunctionBegin;
  buf[0] = 0;
  PetscCall(KNH5HasAttr_Private(loc, name, &has));
  if (!has) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNH5ReadAttrFixedString_Private(comm, loc, where, name, &s));
  PetscCall(PetscStrncpy(buf, s, len));
  PetscCall(PetscFree(s));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadRecords(MPI_Comm comm, hid_t loc, const char file[], KNModelRecords *r)
{
  char      where[PETSC_MAX_PATH_LEN + 32];
  PetscBool has;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s", file));
  PetscCall(ReadName(comm, loc, where, "task", r->task, sizeof(r->task)));
  PetscCall(ReadName(comm, loc, where, "knet_version", r->version, sizeof(r->version)));
  PetscCall(ReadName(comm, loc, where, "knet_git", r->git, sizeof(r->git)));
  PetscCall(KNIOReadReadout_Private(comm, loc, where, -1, &r->nreadout, &r->readout));
  PetscCall(ReadScaling(comm, loc, file, r));
  PetscCall(KNH5HasLink_Private(loc, "options", &has));
  if (has) PetscCall(KNH5ReadLines_Private(comm, loc, where, "options", &r->options));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNModelRecordsLoad - reads the records of a model file (task, readout, data scaling, options, writer's version)

  Collective

  Input Parameters:
+ comm - the communicator
- filename - a model file (KNNetSave()), a checkpoint (its /model) or a published reference file (no records)

  Output Parameter:
. r - the records; a record the file does not hold is left empty (0, "" or NULL)

  Notes:
  Files written by earlier knet and the published weights hold none of them: then every field is empty and a caller
  uses its defaults, as before. A record that is present but malformed (wrong type, a variable-length string,
  min and max of different lengths or min > max, NaN, readout nodes < 1) is an error naming the file and the
  record. Free with KNModelRecordsReset().

  Level: intermediate

.seealso: KNNetSaveWithRecords(), KNModelRecordsReset(), KNNetLoad()
@*/
PetscErrorCode KNModelRecordsLoad(MPI_Comm comm, const char filename[], KNModelRecords *r)
{
  KNH5Quiet      q;
  hid_t          fid = -1, gid = -1;
  char          *fmt = NULL;
  PetscBool      has, ckpt = PETSC_FALSE;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(filename, 2);
  KNAssertPointer(r, 3);
  PetscCall(PetscMemzero(r, sizeof(*r)));
  PetscCall(KNInitializePackage());
  KNH5QuietBegin(&q);
  ierr = KNH5OpenFile_Private(comm, filename, "model file", &fid);
  if (!ierr) ierr = KNH5HasAttr_Private(fid, "format", &has);
  if (!ierr && has) ierr = KNH5ReadAttrString_Private(comm, fid, filename, "format", &fmt);
  if (!ierr && has) ierr = PetscStrcmp(fmt, KN_CHECKPOINT_FORMAT, &ckpt);
  if (!ierr && ckpt) ierr = KNH5OpenGroup_Private(comm, fid, filename, "model", &gid);
  if (!ierr && has) ierr = ReadRecords(comm, gid >= 0 ? gid : fid, filename, r); /* no format: published, no records */
  if (gid >= 0) (void)H5Gclose(gid);
  if (fid >= 0) (void)H5Fclose(fid);
  KNH5QuietEnd(&q);
  PetscCall(PetscFree(fmt));
  if (ierr) PetscCall(KNModelRecordsReset(r));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNModelRecordsReset - frees the arrays of records read by KNModelRecordsLoad() and empties them

  Not Collective

  Level: intermediate

.seealso: KNModelRecordsLoad()
@*/
PetscErrorCode KNModelRecordsReset(KNModelRecords *r)
{
  PetscFunctionBegin;
  if (!r) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscFree(r->feature_min));
  PetscCall(PetscFree(r->feature_max));
  PetscCall(PetscFree(r->target_min));
  PetscCall(PetscFree(r->target_max));
  PetscCall(PetscFree(r->options));
  PetscCall(PetscFree(r->readout));
  PetscCall(PetscMemzero(r, sizeof(*r)));
  PetscFunctionReturn(KN_SUCCESS);
}
