static char help[] = "Published reference models: KNNetLoad imports all ten (layers, nodes, edges, parameters = the file's float32 values); solver options; twomoon runs.\n";

#include "kntestutil.h"
#include <hdf5.h>
#include <stdlib.h>

/* Reads attribute name of loc as an int64 (test-side, serial HDF5). */
static PetscErrorCode ReadInt(hid_t loc, const char name[], PetscInt64 *v)
{
  hid_t  aid = H5Aopen(loc, name, H5P_DEFAULT);
  herr_t st  = aid < 0 ? -1 : H5Aread(aid, H5T_NATIVE_INT64, v);

  PetscFunctionBeginUser;
  if (aid >= 0) (void)H5Aclose(aid);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "test: cannot read attribute %s", name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The file's theta of one layer, float32 (rows, E) as stored, and its attributes, read independently of the importer. */
static PetscErrorCode ReadLayer(hid_t fid, PetscInt i, PetscInt64 *N, PetscInt64 *E, hsize_t dims[2], float **v)
{
  char   name[32];
  hid_t  gid, did, sid;
  herr_t st = -1;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(name, sizeof(name), "layer_%03" PetscInt_FMT, i));
  gid = H5Gopen2(fid, name, H5P_DEFAULT);
  PetscCheck(gid >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "test: no group %s", name);
  PetscCall(ReadInt(gid, "num_state_nodes", N));
  PetscCall(ReadInt(gid, "num_edges", E));
  did = H5Dopen2(gid, "theta", H5P_DEFAULT);
  sid = H5Dget_space(did);
  (void)H5Sget_simple_extent_dims(sid, dims, NULL);
  PetscCall(PetscMalloc1(dims[0] * dims[1], v));
  st = H5Dread(did, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, *v);
  (void)H5Sclose(sid);
  (void)H5Dclose(did);
  (void)H5Gclose(gid);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "test: cannot read %s/theta", name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Layer sizes and every parameter of the imported net against the file (rank-local read of the whole file). */
static PetscErrorCode CompareWithFile(KNNet net, const char path[], PetscInt *D, PetscInt64 *P, PetscBool *ok, char summary[], size_t len)
{
  hid_t      fid;
  Vec        Pv;
  PetscInt   np = 0, off = 0;
  PetscInt64 Dfile;
  PetscReal *theta;

  PetscFunctionBeginUser;
  *ok = PETSC_TRUE;
  *P  = 0;
  PetscCall(KNNetGetNumLayers(net, D));
  PetscCall(KNNetCreateParameterVec(net, &Pv));
  PetscCall(KNNetGetParameters(net, Pv));
  PetscCall(KNTestNetParametersGraphOrder(net, Pv, &np, &theta));
  PetscCall(VecDestroy(&Pv));
  fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(fid >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "test: cannot open %s", path);
  PetscCall(ReadInt(fid, "layers", &Dfile));
  if (Dfile != *D) *ok = PETSC_FALSE;
  summary[0] = 0;
  for (PetscInt i = 0; i < *D && *ok; i++) {
    KNCircuit  c;
    PetscInt   N, E, rows;
    PetscInt64 fN, fE;
    hsize_t    dims[2];
    float     *v;
    size_t     l;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &N, &E, &rows));
    PetscCall(ReadLayer(fid, i, &fN, &fE, dims, &v));
    if (N != fN || E != fE || (hsize_t)rows != dims[0] || (hsize_t)E != dims[1] || off + E * rows > np) *ok = PETSC_FALSE;
    for (PetscInt e = 0; e < E && *ok; e++)
      for (PetscInt r = 0; r < rows; r++)
        if (theta[off + e * rows + r] != (PetscReal)v[r * E + e]) *ok = PETSC_FALSE;
    off += E * rows;
    *P += (PetscInt64)E * rows;
    PetscCall(PetscFree(v));
    PetscCall(PetscStrlen(summary, &l));
    if (i < 2) PetscCall(PetscSNPrintf(summary + l, len - l, "%sN=%" PetscInt_FMT " E=%" PetscInt_FMT " rows=%" PetscInt_FMT, i ? "; " : "", N, E, rows));
  }
  (void)H5Fclose(fid);
  if (off != np) *ok = PETSC_FALSE;
  PetscCall(PetscFree(theta));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckExperiment(KNTest *t, const char dir[], const char exp[], PetscBool flow)
{
  char       path[PETSC_MAX_PATH_LEN], summary[256];
  KNNet      net;
  PetscInt   D, P;
  PetscInt64 Pfile;
  PetscBool  ok;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s.h5", dir, exp));
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, path, 2, flow, &net));
  PetscCall(CompareWithFile(net, path, &D, &Pfile, &ok, summary, sizeof(summary)));
  PetscCall(KNNetGetNumParameters(net, &P));
  ok = (PetscBool)(ok && P == Pfile);
  PetscCall(KNTestOkAll(t, ok, "%s: %" PetscInt_FMT " layers (%s%s), %" PetscInt_FMT " parameters equal the file's float32 values in graph order", exp, D, summary, D > 2 ? "; ..." : "", P));
  if (!strcmp(exp, "mnist")) {
    KNCircuit c;
    PetscInt  N, E;
    PetscCall(KNNetGetLayer(net, 1, &c));
    PetscCall(KNCircuitGetSizes(c, &N, &E, NULL));
    PetscCall(KNTestOk(t, (PetscBool)(D == 2 && E == 230068 && N == 834 && P == 920272), "mnist: 2 layers of 834 nodes and 230068 edges, 920272 parameters"));
  }
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode OptionValue(const char name[], PetscReal *v)
{
  PetscBool set;

  PetscFunctionBeginUser;
  *v = -1;
  PetscCall(PetscOptionsGetReal(NULL, NULL, name, v, &set));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reference solver settings (keeping a user's -ts_dt), then 4 twomoon points pushed data -> base with log-densities. */
static PetscErrorCode Twomoon(KNTest *t, const char dir[])
{
  char      path[PETSC_MAX_PATH_LEN], type[64] = "";
  KNNet     net;
  PetscReal rtol, atol, dt, dtmin, in[8] = {0.0, 0.5, 1.0, -0.4, 1.9, 0.2, -0.8, 0.6}, out[8], lp[4];
  PetscBool finite = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/twomoon.h5", dir));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-ts_dt", "0.002"));
  PetscCall(KNPublishedSetSolverOptions(PETSC_COMM_WORLD, path));
  PetscCall(OptionValue("-ts_rtol", &rtol));
  PetscCall(OptionValue("-ts_atol", &atol));
  PetscCall(OptionValue("-ts_dt", &dt));
  PetscCall(OptionValue("-ts_adapt_dt_min", &dtmin));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-ts_rk_type", type, sizeof(type), NULL));
  PetscCall(KNTestOk(t, (PetscBool)(rtol == 1e-4 && atol == 1e-4 && dtmin == 1e-6 && dt == 0.002 && !strcmp(type, "5dp")), "KNPublishedSetSolverOptions: -ts_rtol %g -ts_atol %g -ts_adapt_dt_min %g -ts_rk_type %s set from the file, the user's -ts_dt %g kept", (double)rtol, (double)atol, (double)dtmin, type, (double)dt));
  PetscCall(KNNetImportPublished(PETSC_COMM_WORLD, path, 4, PETSC_TRUE, &net));
  PetscCall(KNNetForward(net, 2, in, PETSC_TRUE));
  PetscCall(KNNetGetOutput(net, out));
  PetscCall(KNNetGetLogDensity(net, lp));
  for (PetscInt k = 0; k < 8; k++) finite = (PetscBool)(finite && !PetscIsInfOrNanReal(out[k]));
  for (PetscInt k = 0; k < 4; k++) finite = (PetscBool)(finite && !PetscIsInfOrNanReal(lp[k]));
  PetscCall(KNTestOk(t, finite, "twomoon: 4 points pushed data -> base: z and log-density terms finite (z0 = (%.4f, %.4f), logp0 = %.4f)", (double)out[0], (double)out[1], (double)lp[0]));
  PetscCall(KNNetDestroy(&net));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  const char *exps[] = {"twomoon", "circle", "8gaussians", "swissroll", "pinwheel", "2spirals", "potential1", "potential2", "genmnist", "mnist"};
  const char *dir    = getenv("KN_PUBLISHED_DIR");
  KNTest      t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  if (!dir) PetscCall(KNTestOk(&t, PETSC_TRUE, "# SKIP KN_PUBLISHED_DIR is not set"));
  for (size_t k = 0; dir && k < sizeof(exps) / sizeof(exps[0]); k++) PetscCall(CheckExperiment(&t, dir, exps[k], (PetscBool)strcmp(exps[k], "mnist")));
  if (dir) PetscCall(Twomoon(&t, dir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
