static char help[] = "Monte Carlo of a task metric (KNRobustnessEvaluate): with every sigma 0 each draw is the ideal metric bit for bit;\n"
                     "non-ideal draws are reproducible from the seed, differ between draws and seeds, leave the net ideal afterwards,\n"
                     "and are the same on every rank count.\n";

#include "kntestrobust.h"

static PetscBool SameTally(const KNTaskTally *a, const KNTaskTally *b)
{
  return (PetscBool)(a->n == b->n && a->top1 == b->top1 && a->top5 == b->top5 && !memcmp(&a->loss, &b->loss, sizeof(a->loss)));
}

/* Every sigma 0: the ideal tally and every draw equal KNTaskEvaluate() bit for bit. */
static PetscErrorCode CheckIdeal(KNTest *t, KNTaskType type)
{
  KNTask       task;
  KNDataset    ds;
  KNNet        net;
  KNTaskTally  t0, ti;
  KNRobustness r;
  PetscReal    m0, mu, sd, lo, hi, ideal;
  PetscInt     N;
  PetscBool    same = PETSC_TRUE, perfect;
  const PetscReal *m;

  PetscFunctionBeginUser;
  PetscCall(KNTestRobustProblem(PETSC_COMM_WORLD, type, KNDEVICESHIFTTANH2, 4, 10, PETSC_FALSE, &task, &ds, &net));
  PetscCall(KNTaskEvaluate(task, net, ds, 0, 0, &t0));
  PetscCall(KNTaskTallyGetMetric(task, &t0, NULL, &m0));
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, &r));
  PetscCall(KNRobustnessSetNumDraws(r, 3));
  PetscCall(KNRobustnessIsIdeal(r, &perfect));
  PetscCall(KNRobustnessEvaluate(r, task, net, ds, 0, &ti));
  PetscCall(KNRobustnessGetDrawMetrics(r, &N, &m));
  for (PetscInt k = 0; k < N; k++) same = (PetscBool)(same && !memcmp(&m[k], &m0, sizeof(m0)));
  PetscCall(KNRobustnessGetResult(r, NULL, &ideal, &mu, &sd, &lo, &hi));
  PetscCall(KNTestOk(t, (PetscBool)(perfect && N == 3 && same && SameTally(&ti, &t0) && !memcmp(&ideal, &m0, sizeof(m0))), "%s, every sigma 0: the ideal run and all %" PetscInt_FMT " draws reproduce KNTaskEvaluate() bit for bit (%.17g)", type, N, (double)m0));
  PetscCall(KNTestOk(t, (PetscBool)(sd == 0 && lo == m0 && hi == m0 && PetscAbsReal(mu - m0) <= 1e-15 * PetscAbsReal(m0)), "%s, every sigma 0: std 0, min = max = ideal", type));
  PetscCall(KNRobustnessDestroy(&r));
  PetscCall(KNTestRobustProblemDestroy(&task, &ds, &net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Non-ideal draws: repeatable, different per draw and seed; the net is ideal again afterwards; rank-independent. */
static PetscErrorCode CheckDraws(KNTest *t)
{
  KNTask      task, stask = NULL;
  KNDataset   ds, sds = NULL;
  KNNet       net, snet = NULL;
  KNTaskTally t0, t1;
  PetscReal   a[4], b[4], c[4], s[4], m0;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(KNTestRobustProblem(PETSC_COMM_WORLD, KNTASKREGRESSION, KNDEVICESHIFTTANH2, 4, 10, PETSC_FALSE, &task, &ds, &net));
  PetscCall(KNTaskEvaluate(task, net, ds, 0, 0, &t0));
  PetscCall(KNTaskTallyGetMetric(task, &t0, NULL, &m0));
  PetscCall(KNTestRobustMC(task, net, ds, 0.05, 0.05, 0.01, 7, 4, NULL, a));
  PetscCall(KNTaskEvaluate(task, net, ds, 0, 0, &t1));
  PetscCall(KNTestOk(t, SameTally(&t0, &t1), "after the Monte Carlo the net is ideal again (bit for bit)"));
  PetscCall(KNTestRobustMC(task, net, ds, 0.05, 0.05, 0.01, 7, 4, NULL, b));
  PetscCall(KNTestRobustMC(task, net, ds, 0.05, 0.05, 0.01, 8, 4, NULL, c));
  PetscCall(KNTestOk(t, (PetscBool)!memcmp(a, b, sizeof(a)), "the draws are reproducible from the seed (bit for bit): mse %.6g %.6g %.6g %.6g (ideal %.6g)", (double)a[0], (double)a[1], (double)a[2], (double)a[3], (double)m0));
  PetscCall(KNTestOk(t, (PetscBool)(a[0] != a[1] && a[1] != a[2] && a[0] != m0 && KNTestRelErr(4, c, a) > 1e-6), "draws differ from each other and from the ideal; another seed draws other hardware"));
  PetscCall(KNTestRobustMC(task, net, ds, 0.05, 0, 0, 7, 2, NULL, b));
  PetscCall(KNTestRobustMC(task, net, ds, 0, 0.05, 0, 7, 2, NULL, c));
  PetscCall(KNTestOk(t, (PetscBool)(b[0] != m0 && c[0] != m0 && b[0] != a[0] && c[0] != a[0]), "device mismatch alone and capacitor mismatch alone each change the metric"));
  if (rank == 0) {
    PetscCall(KNTestRobustProblem(PETSC_COMM_SELF, KNTASKREGRESSION, KNDEVICESHIFTTANH2, 4, 10, PETSC_FALSE, &stask, &sds, &snet));
    PetscCall(KNTestRobustMC(stask, snet, sds, 0.05, 0.05, 0.01, 7, 4, NULL, s));
    PetscCall(KNTestRobustProblemDestroy(&stask, &sds, &snet));
  }
  PetscCallMPI(MPI_Bcast(s, 4, MPIU_REAL, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, (PetscBool)(KNTestRelErr(4, a, s) <= 1e-12), "the draws on all ranks equal those of 1 rank (rel err %.1e)", (double)KNTestRelErr(4, a, s)));
  PetscCall(KNTestRobustProblemDestroy(&task, &ds, &net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One draw's outputs on all ranks equal 1 rank's. */
static PetscErrorCode CheckOutputs(KNTest *t)
{
  KNNet        net, snet;
  KNRobustness r;
  PetscReal    in[6], out[4], s[4];
  PetscMPIInt  rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  for (PetscInt i = 0; i < 6; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, &r));
  PetscCall(KNRobustnessSetDeviceMismatch(r, 0.1));
  PetscCall(KNRobustnessSetCapacitorMismatch(r, 0.1));
  PetscCall(KNRobustnessSetBoundaryNoise(r, 0.05));
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTRELU1, 2, PETSC_FALSE, &net));
  PetscCall(KNRobustnessApply(r, net, 3));
  PetscCall(KNNetForward(net, 3, in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, out));
  if (rank == 0) {
    PetscCall(KNTestNetCreate(PETSC_COMM_SELF, KNDEVICESHIFTRELU1, 2, PETSC_FALSE, &snet));
    PetscCall(KNRobustnessApply(r, snet, 3));
    PetscCall(KNNetForward(snet, 3, in, PETSC_FALSE));
    PetscCall(KNNetGetOutput(snet, s));
    PetscCall(KNNetDestroy(&snet));
  }
  PetscCallMPI(MPI_Bcast(s, 4, MPIU_REAL, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, (PetscBool)(KNTestRelErr(4, out, s) <= 1e-12), "draw 3 (device, capacitor, noise) gives the same outputs on all ranks as on 1 rank (%.1e)", (double)KNTestRelErr(4, out, s)));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNRobustnessDestroy(&r));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscOptionsInsertString(NULL, KN_TEST_FIXED_RK4));
  PetscCall(CheckIdeal(&t, KNTASKREGRESSION));
  PetscCall(CheckIdeal(&t, KNTASKCLASSIFICATION));
  PetscCall(CheckDraws(&t));
  PetscCall(CheckOutputs(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
