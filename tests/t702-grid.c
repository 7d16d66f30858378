static char help[] = "Data groups x graph ranks: the summed gradient of a mini-batch split over G groups equals the 1-rank gradient\n"
                     "(fixed steps, <= 1e-12) for every grid shape that fits, repeated runs are bitwise identical, and a grid that does not fit is refused.\n";

#include "kntestnet.h"

#define BTOT 4
#define NIN  3

/* Sum over the group's samples of sum_k (out^2/2 + c_{bk} out) with b the GLOBAL sample index; gradient too. */
static PetscErrorCode GroupRun(MPI_Comm comm, PetscInt b0, PetscInt nb, PetscReal *L, PetscInt *ng, PetscReal **grad, KNGrid grid)
{
  KNNet     net;
  Vec       G;
  PetscInt  K;
  PetscReal in[BTOT * NIN], out[BTOT * 8], dout[BTOT * 8];

  PetscFunctionBeginUser;
  PetscCall(KNTestNetCreate(comm, KNDEVICESHIFTTANH2, nb, PETSC_FALSE, &net));
  for (PetscInt b = 0; b < nb; b++)
    for (PetscInt i = 0; i < NIN; i++) in[b * NIN + i] = 0.7 * KNTestRand(9, (b0 + b) * NIN + i);
  PetscCall(KNNetForward(net, NIN, in, PETSC_FALSE));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNNetGetOutput(net, out));
  *L = 0;
  for (PetscInt b = 0; b < nb; b++)
    for (PetscInt k = 0; k < K; k++) {
      PetscReal o = out[b * K + k], c = 0.3 + 0.1 * ((b0 + b) * K + k);
      *L += 0.5 * o * o + c * o;
      dout[b * K + k] = o + c;
    }
  PetscCall(KNNetCreateParameterVec(net, &G));
  PetscCall(KNNetBackward(net, dout, NULL, G, NULL));
  if (grid) {
    PetscCall(KNGridSumVec(grid, G));
    PetscCall(KNGridSumReals(grid, 1, L));
  }
  PetscCall(KNTestNetParametersGraphOrder(net, G, ng, grad));
  PetscCall(VecDestroy(&G));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckShape(KNTest *t, PetscInt Gn, const PetscReal *Lref, const PetscReal *gref, PetscInt nref)
{
  KNGrid    grid;
  MPI_Comm  gcomm;
  PetscInt  b0, nb, ng[2];
  PetscReal L[2], *g[2], err, e[2];
  PetscMPIInt size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(KNGridCreate(PETSC_COMM_WORLD, Gn, &grid));
  PetscCall(KNGridGetGroupComm(grid, &gcomm));
  PetscCall(KNGridGetBatchSlice(grid, BTOT, &b0, &nb));
  for (PetscInt r = 0; r < 2; r++) PetscCall(GroupRun(gcomm, b0, nb, &L[r], &ng[r], &g[r], grid));
  err = KNTestRelErr(nref, g[0], gref);
  e[0] = PetscAbsReal(L[0] - *Lref) / PetscAbsReal(*Lref), e[1] = err;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, e, 2, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, (PetscBool)(ng[0] == nref && e[0] <= 1e-12 && e[1] <= 1e-12), "grid %" PetscInt_FMT " groups x %" PetscInt_FMT " ranks: loss rel diff %.1e, gradient rel diff %.1e vs 1 rank", Gn, (PetscInt)size / Gn, (double)e[0], (double)e[1]));
  {
    PetscBool   eq;
    PetscMPIInt same;
    PetscCall(PetscMemcmp(g[0], g[1], sizeof(PetscReal) * ng[0], &eq));
    same = (PetscMPIInt)(L[0] == L[1] && eq);
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
    PetscCall(KNTestOk(t, (PetscBool)same, "grid %" PetscInt_FMT " groups: two identical runs are bitwise identical", Gn));
  }
  for (PetscInt r = 0; r < 2; r++) PetscCall(PetscFree(g[r]));
  PetscCall(KNGridDestroy(&grid));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  PetscMPIInt size, rank;
  PetscReal   Lref = 0, *gref = NULL;
  PetscInt    nref = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscOptionsInsertString(NULL, "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02"));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank == 0) PetscCall(GroupRun(PETSC_COMM_SELF, 0, BTOT, &Lref, &nref, &gref, NULL));
  PetscCallMPI(MPI_Bcast(&nref, 1, MPIU_INT, 0, PETSC_COMM_WORLD));
  if (rank) PetscCall(PetscMalloc1(nref, &gref));
  PetscCallMPI(MPI_Bcast(gref, (PetscMPIInt)nref, MPIU_REAL, 0, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Bcast(&Lref, 1, MPIU_REAL, 0, PETSC_COMM_WORLD));
  for (PetscInt G = 1; G <= size; G++)
    if (size % G == 0) PetscCall(CheckShape(&t, G, &Lref, gref, nref));
  {
    KNGrid         grid = NULL;
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = KNGridCreate(PETSC_COMM_WORLD, size + 1, &grid);
    PetscCall(PetscPopErrorHandler());
    PetscCall(KNTestOk(&t, (PetscBool)(ierr != 0 && !grid), "%d data groups on %d ranks are refused with an error", size + 1, size));
  }
  PetscCall(PetscFree(gref));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
