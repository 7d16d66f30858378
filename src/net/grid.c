/* KNGrid: data groups x graph ranks, and deterministic reductions across groups. */
#include <kn/kngrid.h>
#include <petscvec.h>
#include <string.h>

struct _p_KNGrid {
  MPI_Comm    world, group, across; /* across: the ranks with the same position in every group */
  PetscMPIInt size, G, g;
  PetscReal  *buf;                  /* gather buffer for the ordered sums */
  size_t      nbuf;
};

/*@
  KNGridCreate - splits comm into G data groups of size/G consecutive ranks

  Collective

  Input Parameters:
+ comm - the communicator to split (usually PETSC_COMM_WORLD)
- G - the number of data groups; it must divide the number of ranks

  Output Parameter:
. grid - the grid

  Level: intermediate

.seealso: KNGridChooseGroups(), KNGridSumVec()
@*/
PetscErrorCode KNGridCreate(MPI_Comm comm, PetscInt G, KNGrid *grid)
{
  KNGrid      n;
  PetscMPIInt size, rank;

  PetscFunctionBegin;
  KNAssertPointer(grid, 3);
  PetscCall(KNInitializePackage());
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!(G >= 1 && G <= size && size % G == 0)) {
    char fits[256] = "";
    for (PetscMPIInt d = 1; d <= size && strlen(fits) < sizeof(fits) - 16; d++)
      if (size % d == 0) PetscCall(PetscSNPrintf(fits + strlen(fits), sizeof(fits) - strlen(fits), "%s%d", fits[0] ? ", " : "", d));
    SETERRQ(comm, PETSC_ERR_ARG_INCOMP, "-kn_data_groups %" PetscInt_FMT " does not fit %d MPI rank%s: the number of data groups must divide the number of ranks (here %s)", G, size, size > 1 ? "s" : "", fits);
  }
  PetscCall(PetscNew(&n));
  n->world = comm, n->size = size, n->G = (PetscMPIInt)G, n->g = rank / (size / (PetscMPIInt)G);
  PetscCallMPI(MPI_Comm_split(comm, n->g, rank, &n->group));
  PetscCallMPI(MPI_Comm_split(comm, rank % (size / n->G), n->g, &n->across));
  *grid = n;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGridDestroy(KNGrid *grid)
{
  PetscFunctionBegin;
  if (!*grid) PetscFunctionReturn(KN_SUCCESS);
  PetscCallMPI(MPI_Comm_free(&(*grid)->group));
  PetscCallMPI(MPI_Comm_free(&(*grid)->across));
  PetscCall(PetscFree((*grid)->buf));
  PetscCall(PetscFree(*grid));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridGetGroupComm - the communicator of this rank's data group (build the net on it)

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNGridGetGroupComm(KNGrid grid, MPI_Comm *comm)
{
  PetscFunctionBegin;
  *comm = grid->group;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridGetWorldComm - the communicator the grid was made from (every group)

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNGridGetWorldComm(KNGrid grid, MPI_Comm *comm)
{
  PetscFunctionBegin;
  *comm = grid->world;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridGetAcrossComm - the communicator of the ranks with this rank's position in every group, ranked in group order
  (one rank per group): adaptive time steps are agreed on it (KNNetSetStepComm())

  Not Collective

  Level: developer
@*/
PetscErrorCode KNGridGetAcrossComm(KNGrid grid, MPI_Comm *comm)
{
  PetscFunctionBegin;
  *comm = grid->across;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridGetGroup - this rank's group index g and the number of groups G

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNGridGetGroup(KNGrid grid, PetscInt *g, PetscInt *G)
{
  PetscFunctionBegin;
  if (g) *g = grid->g;
  if (G) *G = grid->G;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridGetBatchSlice - the samples start..start+count-1 of a mini-batch of B that this rank's group integrates

  Not Collective

  Notes:
  Contiguous slices, the first B mod G groups get one sample more. Global sample indices are what
  counter-based random draws use, so the data does not depend on G.

  Level: intermediate
@*/
PetscErrorCode KNGridGetBatchSlice(KNGrid grid, PetscInt B, PetscInt *start, PetscInt *count)
{
  PetscInt q = B / grid->G, r = B % grid->G;

  PetscFunctionBegin;
  *start = grid->g * q + PetscMin(grid->g, r);
  *count = q + (grid->g < r ? 1 : 0);
  PetscFunctionReturn(KN_SUCCESS);
}

/* a[0..n) = sum over groups in group order, identical on every rank. */
static PetscErrorCode OrderedSum(KNGrid grid, PetscInt n, PetscReal a[])
{
  PetscFunctionBegin;
  if (grid->G == 1) PetscFunctionReturn(KN_SUCCESS);
  if (grid->nbuf < (size_t)n * grid->G) {
    PetscCall(PetscFree(grid->buf));
    grid->nbuf = (size_t)n * grid->G;
    PetscCall(PetscMalloc1(grid->nbuf, &grid->buf));
  }
  PetscCallMPI(MPI_Allgather(a, (PetscMPIInt)n, MPIU_REAL, grid->buf, (PetscMPIInt)n, MPIU_REAL, grid->across));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal s = grid->buf[i];
    for (PetscMPIInt g = 1; g < grid->G; g++) s += grid->buf[(size_t)g * n + i];
    a[i] = s;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridSumVec - replaces v (a Vec on the group communicator, e.g. a gradient) by its sum over all groups

  Collective on the grid

  Notes:
  Every group must hold v with the same layout, which holds for Vecs of the same net built on each group.
  The sum is taken in group order on every rank: deterministic and identical in all groups.

  Level: intermediate
@*/
PetscErrorCode KNGridSumVec(KNGrid grid, Vec v)
{
  PetscReal *a;
  PetscInt   n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArray(v, &a));
  PetscCall(OrderedSum(grid, n, a));
  PetscCall(VecRestoreArray(v, &a));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridSumReals - sums n values (the same on every rank of a group, e.g. a loss) over the groups, in group order

  Collective on the grid

  Level: intermediate
@*/
PetscErrorCode KNGridSumReals(KNGrid grid, PetscInt n, PetscReal a[])
{
  PetscFunctionBegin;
  PetscCall(OrderedSum(grid, n, a));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGridView(KNGrid grid, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(grid->world, &viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNGrid: %d data groups x %d graph ranks\n", grid->G, grid->size / grid->G));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNGridChooseGroups - a default number of data groups for size ranks: all-to-all layers (ghosts would be every
  node) favour splitting the batch, local layers (NE, Proj, sparse random) favour splitting the graph

  Not Collective

  Input Parameters:
+ comm - the communicator (its size is the rank count)
. N, E - nodes and edges of the largest layer
. B - mini-batch size
- requested - the user's -kn_data_groups, or 0 to choose

  Output Parameters:
+ G - the number of groups
- why - a short reason to print

  Level: intermediate
@*/
PetscErrorCode KNGridChooseGroups(MPI_Comm comm, PetscInt N, PetscInt E, PetscInt B, PetscInt requested, PetscInt *G, const char **why)
{
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (requested > 0) {
    *G = requested, *why = "as requested";
  } else if (size == 1) {
    *G = 1, *why = "one rank";
  } else if ((PetscReal)E >= 0.25 * (PetscReal)N * (PetscReal)N || N < 64 * size) {
    /* dense or small layers: a node partition would ghost almost every node, splitting the batch communicates only gradients */
    *G = size;
    while (*G > 1 && (size % *G || B / *G < 1)) (*G)--;
    *why = "dense or small layers: the batch is split";
  } else {
    *G = 1, *why = "sparse/local layers: the graph is split";
  }
  PetscFunctionReturn(KN_SUCCESS);
}
