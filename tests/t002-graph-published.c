static const char help[] = "KNGraph: every layer topology of the published models rebuilds the published edge order (FNV-1a checksum).\n";

#include "kntest.h"
#include <hdf5.h>

/* Reads a string attribute, variable-length or fixed-length, into buf. */
static PetscErrorCode ReadStringAttr(hid_t loc, const char name[], char buf[], size_t len)
{
  hid_t  aid, ftype, mtype;
  herr_t st;

  PetscFunctionBeginUser;
  aid = H5Aopen(loc, name, H5P_DEFAULT);
  PetscCheck(aid >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "no attribute %s", name);
  ftype = H5Aget_type(aid);
  mtype = H5Tcopy(H5T_C_S1);
  (void)H5Tset_cset(mtype, H5Tget_cset(ftype)); /* h5py writes UTF-8; HDF5 will not convert ASCII <-> UTF-8 */
  if (H5Tis_variable_str(ftype) > 0) {
    char *s = NULL;

    (void)H5Tset_size(mtype, H5T_VARIABLE);
    st = H5Aread(aid, mtype, &s);
    if (st >= 0) {
      PetscCall(PetscStrncpy(buf, s, len));
      (void)H5free_memory(s);
    }
  } else {
    size_t n = H5Tget_size(ftype);
    char  *s;

    PetscCall(PetscCalloc1(n + 1, &s));
    (void)H5Tset_size(mtype, n);
    st = H5Aread(aid, mtype, s);
    PetscCall(PetscStrncpy(buf, s, len));
    PetscCall(PetscFree(s));
  }
  (void)H5Tclose(mtype);
  (void)H5Tclose(ftype);
  (void)H5Aclose(aid);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read string attribute %s", name);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadIntAttr(hid_t loc, const char name[], PetscInt64 *v)
{
  hid_t  aid;
  herr_t st;

  PetscFunctionBeginUser;
  aid = H5Aopen(loc, name, H5P_DEFAULT);
  PetscCheck(aid >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "no attribute %s", name);
  st = H5Aread(aid, H5T_NATIVE_INT64, v);
  (void)H5Aclose(aid);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read integer attribute %s", name);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckLayer(KNTest *t, hid_t gid, const char exp[], const char layer[])
{
  char       topo[4096], want[64], sum[17];
  PetscInt64 wantE, wantN;
  PetscInt   N, E;
  KNGraph    g;

  PetscFunctionBeginUser;
  PetscCall(ReadStringAttr(gid, "topology", topo, sizeof(topo)));
  PetscCall(ReadStringAttr(gid, "edges_fnv1a64", want, sizeof(want)));
  PetscCall(ReadIntAttr(gid, "num_edges", &wantE));
  PetscCall(ReadIntAttr(gid, "num_state_nodes", &wantN));
  PetscCall(KNGraphCreateFromDescription(PETSC_COMM_WORLD, topo, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNTestOk(t, (PetscBool)(E == wantE && N == wantN && !strcmp(sum, want)), "%s/%s: E = %" PetscInt_FMT " (%" PetscInt64_FMT "), N = %" PetscInt_FMT " (%" PetscInt64_FMT "), fnv1a64 %s (%s)", exp, layer, E, wantE, N, wantN, sum, want));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  const char *exps[] = {"twomoon", "circle", "8gaussians", "swissroll", "pinwheel", "2spirals", "potential1", "potential2", "genmnist", "mnist"};
  const char *dir    = getenv("KN_PUBLISHED_DIR");
  KNTest      t;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCheck(dir, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "Set KN_PUBLISHED_DIR to the directory of the published .h5 files");
  for (size_t i = 0; i < sizeof(exps) / sizeof(exps[0]); i++) {
    char     path[PETSC_MAX_PATH_LEN], layer[32];
    hid_t    fid;
    PetscInt nlayers = 0;

    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s.h5", dir, exps[i]));
    fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    PetscCheck(fid >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s", path);
    for (;;) {
      hid_t gid;

      PetscCall(PetscSNPrintf(layer, sizeof(layer), "layer_%03" PetscInt_FMT, nlayers));
      if (H5Lexists(fid, layer, H5P_DEFAULT) <= 0) break;
      gid = H5Gopen2(fid, layer, H5P_DEFAULT);
      PetscCall(CheckLayer(&t, gid, exps[i], layer));
      (void)H5Gclose(gid);
      nlayers++;
    }
    (void)H5Fclose(fid);
    PetscCall(KNTestOk(&t, (PetscBool)(nlayers > 0), "%s has layer groups (%" PetscInt_FMT ")", exps[i], nlayers));
  }
  {
    int rc = KNTestEnd(&t);

    PetscCall(PetscFinalize());
    return rc;
  }
}
