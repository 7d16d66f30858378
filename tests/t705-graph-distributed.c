static char help[] = "Distributed graphs and circuit set-up: each rank holds only its block of the edge list; blocks, gathers, checksums and files equal the 1-rank generator; circuit edge shares; the 32-bit PetscInt limits fail clearly.\n";

#include "kntestfiles.h"

/* The block of g on this rank against the same generator run on this rank alone (g1, the whole list). */
static PetscErrorCode CompareBlocks(KNTest *t, KNGraph g, KNGraph g1, const char name[])
{
  PetscInt        E, E1, estart, n, n1, q, r, bad = 0;
  const PetscInt *s, *d, *s1, *d1, *sa, *da;
  PetscMPIInt     rank, size;
  char            sum[17], sum1[17];
  PetscBool       same;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(KNGraphGetSizes(g, NULL, &E));
  PetscCall(KNGraphGetSizes(g1, NULL, &E1));
  PetscCall(KNGraphGetLocalEdges(g, &estart, &n, &s, &d));
  PetscCall(KNGraphGetLocalEdges(g1, NULL, &n1, &s1, &d1));
  q = E / size, r = E % size;
  PetscCall(KNTestOkAll(t, (PetscBool)(E == E1 && n1 == E1 && n == q + (rank < r) && estart == rank * q + PetscMin(rank, r) && n <= (E + size - 1) / size), "%s: E = %" PetscInt_FMT ", each rank holds only its block (<= ceil(E/size) = %" PetscInt_FMT ")", name, E, (E + size - 1) / size));
  for (PetscInt e = 0; e < n; e++) bad += (s[e] != s1[estart + e] || d[e] != d1[estart + e]);
  PetscCall(KNTestOkAll(t, (PetscBool)(bad == 0), "%s: the block equals edges %" PetscInt_FMT "..%" PetscInt_FMT " of the 1-rank generator", name, estart, estart + n - 1));
  PetscCall(KNGraphGetEdges(g, &sa, &da));
  PetscCall(PetscArraycmp(sa, s1, E, &same));
  if (same) PetscCall(PetscArraycmp(da, d1, E, &same));
  PetscCall(KNGraphRestoreEdges(g, &sa, &da));
  PetscCall(KNTestOkAll(t, same, "%s: the gathered list (KNGraphGetEdges) equals the 1-rank generator", name));
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNGraphGetChecksum(g1, sum1));
  PetscCall(PetscStrcmp(sum, sum1, &same));
  PetscCall(KNTestOkAll(t, same, "%s: the chained FNV-1a checksum %s equals the sequential one %s", name, sum, sum1));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Generators(KNTest *t)
{
  const char *desc[] = {
    "{\"name\": \"random\", \"args\": {\"num_node\": 2000, \"num_edges\": 100003, \"seed\": 5}}",
    "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 7, \"repeat\": [2, 3]}}",
    "{\"name\": \"_simple_connect\", \"args\": {\"num_node\": 1001, \"include_gnd\": false, \"repeat\": [3, 0]}}",
    "{\"name\": \"_neighbor_index\", \"args\": {\"num_channel\": 2, \"width\": 9, \"height\": 8, \"neighbor_size\": 3, \"padding\": true, \"repeat\": 2}}",
    "{\"name\": \"_mix_connect\", \"args\": {\"num_channel\": 1, \"width\": 8, \"height\": 8, \"neighbor_size\": 3, \"fully_connect_node\": 5, \"repeat\": [1, 1]}}",
  };

  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(desc) / sizeof(desc[0]); i++) {
    KNGraph g, g1;
    PetscCall(KNGraphCreateFromDescription(PETSC_COMM_WORLD, desc[i], &g));
    PetscCall(KNGraphCreateFromDescription(PETSC_COMM_SELF, desc[i], &g1));
    PetscCall(CompareBlocks(t, g, g1, desc[i]));
    PetscCall(KNGraphDestroy(&g));
    PetscCall(KNGraphDestroy(&g1));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Text and HDF5 edge files written from blocks and read back into blocks. */
static PetscErrorCode Files(KNTest *t)
{
  KNGraph g, g1, h;
  char    dir[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t705", dir, sizeof(dir)));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 300, 5001, 11, &g));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_SELF, 300, 5001, 11, &g1));
  for (int k = 0; k < 2; k++) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/edges.%s", dir, k ? "h5" : "txt"));
    PetscCall(KNGraphSave(g, path));
    PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &h));
    PetscCall(CompareBlocks(t, h, g1, k ? "HDF5 file" : "text file"));
    PetscCall(KNGraphDestroy(&h));
  }
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphDestroy(&g1));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, dir));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode SetUpCircuit(MPI_Comm comm, KNGraph g, PetscInt B, KNPartitionType part, KNCircuit *c)
{
  KNDevice d;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(comm, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH2));
  PetscCall(KNCircuitCreate(comm, c));
  PetscCall(KNCircuitSetGraph(*c, g));
  PetscCall(KNCircuitSetDevice(*c, d));
  PetscCall(KNCircuitSetBatchSize(*c, B));
  PetscCall(KNCircuitSetPartitionType(*c, part));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNCircuitSetUp(*c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A random circuit: owned edges ~ E/size, evaluated edges ~ E (2 size - 1)/size^2 (an edge touches a rank with
   probability 1 - (1 - 1/size)^2); the parameter Vecs split the same way. */
static PetscErrorCode CircuitShares(KNTest *t, KNPartitionType part)
{
  const PetscInt N = 4000, E = 200000;
  KNGraph        g;
  KNCircuit      c;
  PetscInt       own, ev, nloc, glo, ghi, tot[2], rows;
  PetscMPIInt    size;
  Vec            th, tg;
  double         expect;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, N, E, 3, &g));
  PetscCall(SetUpCircuit(PETSC_COMM_WORLD, g, 2, part, &c));
  PetscCall(KNCircuitGetLocalEdgeCounts(c, &own, &ev, NULL));
  PetscCall(KNCircuitGetSizes(c, NULL, NULL, &rows));
  tot[0] = own, tot[1] = ev;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, tot, 2, MPIU_INT, MPI_SUM, PETSC_COMM_WORLD));
  expect = (double)E * (2 * size - 1) / ((double)size * size);
  PetscCall(KNTestOk(t, (PetscBool)(tot[0] == E), "%s: owned edges sum to E over the ranks", KNPartitionTypes[part]));
  if (part == KN_PARTITION_CONTIGUOUS) {
    PetscCall(KNTestOkAll(t, (PetscBool)(own <= 1.05 * E / size + 100), "contiguous: owned edges %" PetscInt_FMT " <= 1.05 E/size + 100 = %.0f", own, 1.05 * E / size + 100));
    PetscCall(KNTestOkAll(t, (PetscBool)(ev <= 1.05 * expect + 100), "contiguous: evaluated edges %" PetscInt_FMT " <= 1.05 E (2 size - 1)/size^2 + 100 = %.0f", ev, 1.05 * expect + 100));
  }
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &tg));
  PetscCall(VecGetLocalSize(th, &nloc));
  PetscCall(VecGetOwnershipRange(tg, &glo, &ghi));
  PetscCall(KNTestOkAll(t, (PetscBool)(nloc == own * rows && ghi - glo <= ((E + size - 1) / size) * rows), "%s: circuit-order parameters = owned edges, graph-order parameters = the graph block", KNPartitionTypes[part]));
  PetscCall(VecDestroy(&th));
  PetscCall(VecDestroy(&tg));
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Limits(KNTest *t, PetscMPIInt size)
{
  KNGraph   g = NULL;
  KNCircuit c = NULL;
  PetscInt  s[2] = {1, 2}, d[2] = {2, 1};

  PetscFunctionBeginUser;
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, "exceeds the 32-bit PetscInt limit", KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 50000, PETSC_TRUE, 1, 1, &g), "FC(50000): 5e9 edges fail with the PetscInt-limit message");
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 1000000, 100, 1, &g));
  EXPECT_ERROR(t, PETSC_ERR_SUP, "32-bit PetscInt limit", SetUpCircuit(PETSC_COMM_WORLD, g, 4096, KN_PARTITION_CONTIGUOUS, &c), "N*B = 10^6 * 4096 state entries fail with the PetscInt-limit message");
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(KNGraphDestroy(&g));
  if (size == 1) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNGraphCreate(PETSC_COMM_WORLD, &g));
  EXPECT_ERROR(t, PETSC_ERR_ARG_SIZ, "its block", KNGraphSetLocalEdges(g, 2, 2, 2, s, d), "KNGraphSetLocalEdges with the whole list on every rank is refused on more than one rank");
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  PetscMPIInt size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(Generators(&t));
  PetscCall(Files(&t));
  PetscCall(CircuitShares(&t, KN_PARTITION_CONTIGUOUS));
  PetscCall(CircuitShares(&t, KN_PARTITION_PTSCOTCH));
  PetscCall(Limits(&t, size));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
