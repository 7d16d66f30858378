static char help[] = "One integration per training step: trajectories kept from the loss pass give the recomputed gradient to the bit, "
                     "save the adjoint's RHS evaluations, never hold more than -kn_adjoint_memory (counted and in resident memory), "
                     "and are dropped mid-solve when they would.\n";

#include "kntestfiles.h" /* first: it sets _POSIX_C_SOURCE */
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "kntestnet.h"

typedef struct {
  PetscInt       ng, rhs_fwd, rhs_bwd, nkept, jact, jact_kept;
  PetscReal     *g, din[6];
  PetscLogDouble held;
} Result;

/* One forward (keeping trajectories within budget bytes) and backward of the small test net; after a first such step
   when warm (a layer's first solve keeps no law values in its first step, whose size it does not know yet). */
static PetscErrorCode Step(PetscBool flow, PetscLogDouble budget, PetscBool warm, Result *r)
{
  KNNet          net;
  Vec            G;
  KNCircuitStats s0, s1, s2;
  PetscInt       nin = 3, B = 2;
  PetscReal      in[6], dout[64], dlogp[16], L;

  PetscFunctionBeginUser;
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, B, flow, &net));
  PetscCall(KNNetSetAdjointMemory(net, budget));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNNetCreateParameterVec(net, &G));
  for (PetscInt k = 0; k < (warm ? 1 : 0); k++) {
    PetscCall(KNNetSetSaveTrajectory(net, PETSC_TRUE));
    PetscCall(KNTestNetLoss(net, nin, in, flow, &L, dout, dlogp));
    PetscCall(KNNetSetSaveTrajectory(net, PETSC_FALSE));
    PetscCall(KNNetBackward(net, dout, flow ? dlogp : NULL, G, r->din));
  }
  PetscCall(KNNetGetStats(net, &s0));
  PetscCall(KNNetSetSaveTrajectory(net, PETSC_TRUE));
  PetscCall(KNTestNetLoss(net, nin, in, flow, &L, dout, dlogp));
  PetscCall(KNNetSetSaveTrajectory(net, PETSC_FALSE));
  PetscCall(KNNetGetTrajectoryBytes(net, &r->held, &r->nkept));
  PetscCall(KNNetGetStats(net, &s1));
  PetscCall(KNNetBackward(net, dout, flow ? dlogp : NULL, G, r->din));
  PetscCall(KNNetGetStats(net, &s2));
  r->rhs_fwd = s1.rhs_evals - s0.rhs_evals, r->rhs_bwd = s2.rhs_evals - s1.rhs_evals;
  r->jact = s2.jact_mults - s1.jact_mults, r->jact_kept = s2.jact_kept - s1.jact_kept;
  PetscCall(KNTestNetParametersGraphOrder(net, G, &r->ng, &r->g));
  PetscCall(VecDestroy(&G));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Budgets: none (every layer recomputed), unlimited, one that holds some layers, one smaller than any layer. */
static PetscErrorCode CheckBudgets(KNTest *t, PetscBool flow)
{
  Result         ref, all, r;
  const char    *kind = flow ? "flow" : "3 layers";
  PetscLogDouble budgets[2];

  PetscFunctionBeginUser;
  PetscCall(Step(flow, 0, PETSC_FALSE, &ref));
  PetscCall(Step(flow, 1e30, PETSC_TRUE, &all));
  PetscCall(KNTestOk(t, (PetscBool)(ref.nkept == 0 && ref.rhs_bwd == ref.rhs_fwd && ref.held == 0), "%s, budget 0: no trajectory kept, the adjoint integrates every layer again (%" PetscInt_FMT " RHS)", kind, ref.rhs_bwd));
  PetscCall(KNTestOk(t, (PetscBool)(all.nkept == (flow ? 2 : 3) && all.rhs_bwd == 0 && all.held > 0), "%s, unlimited: every layer kept (%" PetscInt_FMT "), the adjoint needs no RHS (%" PetscInt_FMT "), %.0f bytes held", kind, all.nkept, all.rhs_bwd, all.held));
  PetscCall(KNTestOk(t, (PetscBool)(all.ng == ref.ng && !memcmp(all.g, ref.g, ref.ng * sizeof(PetscReal)) && !memcmp(all.din, ref.din, sizeof(ref.din))), "%s: the kept trajectories give the recomputed dL/dtheta and dL/dv(0) to the bit", kind));
  PetscCall(KNTestOk(t, (PetscBool)(ref.jact_kept == 0 && all.jact_kept > all.jact / 2), "%s: after a first step, the kept law values serve %" PetscInt_FMT " of the %" PetscInt_FMT " J^T products (none when recomputed)", kind, all.jact_kept, all.jact));
  PetscCall(PetscOptionsSetValue(NULL, "-kn_adjoint_keep_law", "false"));
  PetscCall(Step(flow, 1e30, PETSC_TRUE, &r));
  PetscCall(PetscOptionsClearValue(NULL, "-kn_adjoint_keep_law"));
  PetscCall(KNTestOk(t, (PetscBool)(r.jact_kept == 0 && r.held < all.held && !memcmp(all.g, r.g, ref.ng * sizeof(PetscReal)) && !memcmp(all.din, r.din, sizeof(r.din))), "%s, -kn_adjoint_keep_law false: the law is evaluated in every J^T, the same gradient to the bit, %.0f bytes held instead of %.0f", kind, r.held, all.held));
  PetscCall(PetscFree(r.g));
  budgets[0] = 0.6 * all.held, budgets[1] = 0.05 * all.held;
  for (PetscInt k = 0; k < 2; k++) {
    PetscBool same;
    PetscCall(Step(flow, budgets[k], PETSC_FALSE, &r));
    same = (PetscBool)(r.ng == ref.ng && !memcmp(r.g, ref.g, ref.ng * sizeof(PetscReal)) && !memcmp(r.din, ref.din, sizeof(ref.din)));
    PetscCall(KNTestOkAll(t, (PetscBool)(r.held <= budgets[k] && r.nkept < all.nkept && r.rhs_fwd == ref.rhs_fwd), "%s, budget %.0f bytes: %.0f held, %" PetscInt_FMT " layers kept, the adjoint integrates %" PetscInt_FMT " RHS", kind, budgets[k], r.held, r.nkept, r.rhs_bwd));
    PetscCall(KNTestOk(t, (PetscBool)(same && r.rhs_bwd > 0 && r.rhs_bwd < ref.rhs_bwd + (k == 1)), "%s, budget %.0f bytes: the same gradient to the bit (rel diff %.1e, %.1e), the dropped layers recomputed", kind, budgets[k], (double)KNTestRelErr(ref.ng, r.g, ref.g), (double)KNTestRelErr(6, r.din, ref.din)));
    PetscCall(PetscFree(r.g));
  }
  PetscCall(PetscFree(ref.g));
  PetscCall(PetscFree(all.g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscLogDouble PeakResident(void)
{
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (PetscLogDouble)u.ru_maxrss * 1024.0;
}

static PetscLogDouble Resident(void)
{
  long  pages = 0, res = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
    fclose(f);
  }
  return (PetscLogDouble)res * (PetscLogDouble)sysconf(_SC_PAGE_SIZE);
}

/* A layer whose trajectory is ~170 MB: with a 24 MiB budget the resident memory of the forward sweep grows by at most
   the budget (plus allocator slack); without one it grows by what the net says it holds (less what the allocator
   kept resident from the dropped trajectory and hands out again). */
static PetscErrorCode CheckResident(KNTest *t)
{
  const PetscLogDouble budget = 24.0 * 1048576, slack = 4.0 * 1048576;
  KNNet                net;
  KNGraph              g;
  KNDevice             d;
  PetscInt             B = 64, N = 2000, nkept;
  PetscReal           *in;
  PetscLogDouble       p0, p1, r0, r1, held;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, "-ts_rtol 1e-7 -ts_atol 1e-7"));
  PetscCall(KNNetCreate(PETSC_COMM_SELF, &net));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_SELF, N, 4 * N, 7, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_SELF, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICETANHDIFF));
  PetscCall(KNNetAddLayer(net, g, d, 1.0));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNNetSetBatchSize(net, B));
  PetscCall(KNNetSetFromOptions(net));
  PetscCall(KNNetSetUp(net));
  PetscCall(KNTestNetRandomParameters(net, 3, 2.0));
  PetscCall(PetscMalloc1(B * N, &in));
  for (PetscInt i = 0; i < B * N; i++) in[i] = KNTestRand(5, i);
  PetscCall(KNNetForward(net, N, in, PETSC_FALSE)); /* the solver's own work vectors exist from here on */
  PetscCall(KNNetSetSaveTrajectory(net, PETSC_TRUE));
  PetscCall(KNNetSetAdjointMemory(net, budget));
  p0 = PeakResident();
  PetscCall(KNNetForward(net, N, in, PETSC_FALSE));
  p1 = PeakResident();
  PetscCall(KNNetGetTrajectoryBytes(net, &held, &nkept));
  PetscCall(KNTestOk(t, (PetscBool)(p1 - p0 <= budget + slack && held <= budget && nkept == 0), "budget 24 MiB: the forward's peak resident memory grew by %.1f MiB, the dropped trajectory holds %.1f MiB", (p1 - p0) / 1048576, held / 1048576));
  PetscCall(KNNetSetAdjointMemory(net, 1e30));
  r0 = Resident();
  PetscCall(KNNetForward(net, N, in, PETSC_FALSE));
  r1 = Resident();
  PetscCall(KNNetGetTrajectoryBytes(net, &held, &nkept));
  PetscCall(KNTestOk(t, (PetscBool)(nkept == 1 && held > 3 * budget && r1 - r0 >= 0.85 * held - budget && r1 - r0 <= 1.05 * held + slack), "unlimited: the kept trajectory holds %.1f MiB and the resident memory grew by %.1f MiB", held / 1048576, (r1 - r0) / 1048576));
  PetscCall(PetscFree(in));
  PetscCall(KNNetDestroy(&net));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  PetscMPIInt size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(CheckBudgets(&t, PETSC_FALSE));
  PetscCall(CheckBudgets(&t, PETSC_TRUE));
  if (size == 1) PetscCall(CheckResident(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
