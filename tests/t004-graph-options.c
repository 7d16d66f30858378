static const char help[] = "KNGraph: -kn_topology_* options, the type registry, and replicated load/save on several ranks.\n";

#include "kntest.h"

/* Every rank must hold the same edge list: compare each rank's checksum with rank 0's. */
static PetscErrorCode SameOnAllRanks(KNTest *t, KNGraph g, const char what[])
{
  char sum[17], root[17];

  PetscFunctionBeginUser;
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(PetscArraycpy(root, sum, 17));
  PetscCallMPI(MPI_Bcast(root, 17, MPI_CHAR, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOkAll(t, (PetscBool)!strcmp(sum, root), "%s: identical edge list on every rank (%s)", what, root));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Matches(KNGraph a, KNGraph b, PetscBool *same)
{
  char     sa[17], sb[17];
  PetscInt Na, Ea, Nb, Eb;

  PetscFunctionBeginUser;
  PetscCall(KNGraphGetChecksum(a, sa));
  PetscCall(KNGraphGetChecksum(b, sb));
  PetscCall(KNGraphGetSizes(a, &Na, &Ea));
  PetscCall(KNGraphGetSizes(b, &Nb, &Eb));
  *same = (PetscBool)(!strcmp(sa, sb) && Na == Nb && Ea == Eb);
  PetscFunctionReturn(KN_SUCCESS);
}

/* A user-registered type: a star from ground to nodes 1..4. */
static PetscErrorCode CreateStar(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  const PetscInt s[] = {0, 0, 0, 0}, d[] = {1, 2, 3, 4};

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreate(comm, g));
  PetscCall(KNGraphSetEdges(*g, 4, 4, s, d));
  PetscCall(KNGraphSetDescription(*g, "star"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestOptions(KNTest *t)
{
  KNGraph   g, h;
  PetscInt  N, E;
  PetscBool same;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateFromOptions(PETSC_COMM_WORLD, NULL, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNTestOk(t, (PetscBool)(N == 2 && E == 12), "default options: fc, 3 nodes with ground, repeat [1,1] (N = %" PetscInt_FMT ", E = %" PetscInt_FMT ")", N, E));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(PetscOptionsInsertString(NULL, "-a_kn_topology_type mix -a_kn_topology_width 3 -a_kn_topology_height 3 -a_kn_topology_kernel 2 -a_kn_topology_proj_nodes 2 -a_kn_topology_repeat 1,1"));
  PetscCall(KNGraphCreateFromOptions(PETSC_COMM_WORLD, "a_", &g));
  PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, 1, 3, 3, 2, 2, 1, 1, PETSC_FALSE, 1, &h));
  PetscCall(Matches(g, h, &same));
  PetscCall(KNTestOk(t, same, "-a_kn_topology_type mix with image options equals KNGraphCreateMix (106 edges)"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphDestroy(&h));

  PetscCall(PetscOptionsInsertString(NULL, "-b_kn_topology_type ne -b_kn_topology_channels 2 -b_kn_topology_width 4 -b_kn_topology_height 5 -b_kn_topology_kernel 3 -b_kn_topology_padding -b_kn_topology_kernel_repeat 2"));
  PetscCall(KNGraphCreateFromOptions(PETSC_COMM_WORLD, "b_", &g));
  PetscCall(KNGraphCreateNeighbor(PETSC_COMM_WORLD, 2, 4, 5, 3, PETSC_TRUE, 2, &h));
  PetscCall(Matches(g, h, &same));
  PetscCall(KNTestOk(t, same, "-b_kn_topology_type ne with padding and kernel_repeat equals KNGraphCreateNeighbor"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphDestroy(&h));

  PetscCall(PetscOptionsInsertString(NULL, "-c_kn_topology_type random -c_kn_topology_num_node 50 -c_kn_topology_num_edges 200 -c_kn_topology_seed 7"));
  PetscCall(KNGraphCreateFromOptions(PETSC_COMM_WORLD, "c_", &g));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 50, 200, 7, &h));
  PetscCall(Matches(g, h, &same));
  PetscCall(KNTestOk(t, same, "-c_kn_topology_type random equals KNGraphCreateRandom(50, 200, 7)"));
  PetscCall(SameOnAllRanks(t, g, "random"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphDestroy(&h));

  PetscCall(PetscOptionsInsertString(NULL, "-d_kn_topology_type chain -d_kn_topology_num_node 5 -d_kn_topology_include_gnd false -d_kn_topology_repeat 2,0"));
  PetscCall(KNGraphCreateFromOptions(PETSC_COMM_WORLD, "d_", &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNTestOk(t, (PetscBool)(N == 6 && E == 10), "-d_kn_topology_type chain without ground: N = 6, E = 10"));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphRegister("star", CreateStar));
  PetscCall(PetscOptionsInsertString(NULL, "-e_kn_topology_type star"));
  PetscCall(KNGraphCreateFromOptions(PETSC_COMM_WORLD, "e_", &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNTestOk(t, (PetscBool)(N == 4 && E == 4), "a KNGraphRegister()ed type is selectable with -kn_topology_type"));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(PetscOptionsInsertString(NULL, "-f_kn_topology_type bogus -g_kn_topology_type file -h_kn_topology_repeat 1,2,3"));
  {
    PetscErrorCode e1, e2, e3;

    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    e1 = KNGraphCreateFromOptions(PETSC_COMM_WORLD, "f_", &g);
    e2 = KNGraphCreateFromOptions(PETSC_COMM_WORLD, "g_", &g);
    e3 = KNGraphCreateFromOptions(PETSC_COMM_WORLD, "h_", &g);
    PetscCall(PetscPopErrorHandler());
    PetscCall(KNTestOk(t, (PetscBool)(e1 == PETSC_ERR_ARG_UNKNOWN_TYPE), "unknown -kn_topology_type is an error"));
    PetscCall(KNTestOk(t, (PetscBool)(e2 != 0), "type file without -kn_topology_file is an error"));
    PetscCall(KNTestOk(t, (PetscBool)(e3 != 0), "-kn_topology_repeat with three entries is an error"));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 writes and reads, every rank gets the graph; file names come from rank 0 so all ranks agree. */
static PetscErrorCode TestFiles(KNTest *t)
{
  const char *root = getenv("KN_BUILD_ROOT");
  char        base[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN], opt[2 * PETSC_MAX_PATH_LEN];
  PetscMPIInt size;
  KNGraph     g, h;
  PetscBool   same;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscSNPrintf(base, sizeof(base), "%s/t004-np%d", root ? root : "/tmp", (int)size));
  PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, 1, 5, 5, 3, 4, 1, 1, PETSC_FALSE, 1, &g));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s-mix.txt", base));
  PetscCall(KNGraphSave(g, path));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &h));
  PetscCall(Matches(g, h, &same));
  PetscCall(KNTestOkAll(t, same, "text save/load on every rank"));
  PetscCall(SameOnAllRanks(t, h, "loaded text edge list"));
  PetscCall(KNGraphDestroy(&h));

  PetscCall(PetscSNPrintf(path, sizeof(path), "%s-mix.h5", base));
  PetscCall(KNGraphSave(g, path));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "-i_kn_topology_type file -i_kn_topology_file %s:/", path));
  PetscCall(PetscOptionsInsertString(NULL, opt));
  PetscCall(KNGraphCreateFromOptions(PETSC_COMM_WORLD, "i_", &h));
  PetscCall(Matches(g, h, &same));
  PetscCall(KNTestOkAll(t, same, "-kn_topology_type file reads the HDF5 edge list on every rank"));
  PetscCall(KNGraphDestroy(&h));

  PetscCall(PetscSNPrintf(path, sizeof(path), "%s-missing.txt", base));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNGraphLoad(PETSC_COMM_WORLD, path, &h);
  PetscCall(PetscPopErrorHandler());
  PetscCall(KNTestOkAll(t, (PetscBool)(ierr == PETSC_ERR_FILE_OPEN), "a missing file fails on every rank with PETSC_ERR_FILE_OPEN (no hang)"));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestOptions(&t));
  PetscCall(TestFiles(&t));
  {
    int rc = KNTestEnd(&t);

    PetscCall(PetscFinalize());
    return rc;
  }
}
