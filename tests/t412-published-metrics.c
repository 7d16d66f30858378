static char help[] = "The paper authors' published weights reproduce their metrics through KNTask: generation NLL of the six 2-D\n"
                     "flows on 2000 fresh samples of our generators (within 0.10 of the independent re-evaluation), and the\n"
                     "density-matching loss of potential1 (0.964 +- 0.03) and potential2 (0.03 +- 0.05) on 20000 base samples.\n";

#include "kntesttrain.h"

typedef struct {
  const char *exp;
  PetscReal   expected, tol;
} Published;

/* tests/data/published/README.md, "independent re-evaluation" column */
static const Published flows[] = {
  {"twomoon", 1.06, 0.10}, {"circle", 0.83, 0.10}, {"8gaussians", 2.85, 0.10}, {"swissroll", 2.69, 0.10}, {"pinwheel", 2.35, 0.10}, {"2spirals", 2.68, 0.10},
};
static const Published densities[] = {
  {"potential1", 0.964, 0.03},
  {"potential2", 0.03, 0.05},
};

/* The file's own dopri5 settings: forget the previous model's first. */
static PetscErrorCode SolverOptions(MPI_Comm comm, const char file[])
{
  const char *names[] = {"-ts_rtol", "-ts_atol", "-ts_dt", "-ts_adapt_dt_min", "-ts_type", "-ts_rk_type"};

  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) PetscCall(PetscOptionsClearValue(NULL, names[i]));
  PetscCall(KNPublishedSetSolverOptions(comm, file));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Check(KNTest *t, const char dir[], const Published *p, PetscBool density)
{
  char        file[PETSC_MAX_PATH_LEN];
  KNTask      task;
  KNDataset   ds = NULL;
  KNNet       net;
  KNTaskTally tally;
  PetscReal   metric;
  PetscInt    n = density ? 20000 : 2000;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s.h5", dir, p->exp));
  PetscCall(SolverOptions(t->comm, file));
  PetscCall(KNTaskCreate(t->comm, &task));
  PetscCall(KNTaskSetType(task, density ? KNTASKDENSITY : KNTASKGENERATION));
  if (density) PetscCall(KNTaskSetPotential(task, p->exp));
  else PetscCall(KNDatasetCreateSynthetic(t->comm, p->exp, n, 42, &ds));
  PetscCall(KNNetLoad(t->comm, file, density ? 2000 : 500, PETSC_TRUE, &net));
  PetscCall(KNTaskSetUpNet(task, net, ds));
  PetscCall(KNTaskEvaluate(task, net, ds, n, 0, &tally));
  PetscCall(KNTaskTallyGetMetric(task, &tally, NULL, &metric));
  PetscCall(KNTestOk(t, (PetscBool)(tally.n == n && PetscAbsReal(metric - p->expected) <= p->tol), "%s: %s %.4f on %" PetscInt_FMT " %s, re-evaluation %.3f +- %.2f", p->exp, density ? "density loss" : "NLL", (double)metric, n, density ? "base samples" : "fresh samples", (double)p->expected, (double)p->tol));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNTaskDestroy(&task));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;
  char   dir[PETSC_MAX_PATH_LEN] = "tests/data/published";

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  if (getenv("KN_PUBLISHED_DIR")) PetscCall(PetscStrncpy(dir, getenv("KN_PUBLISHED_DIR"), sizeof(dir)));
  for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) PetscCall(Check(&t, dir, &flows[i], PETSC_FALSE));
  for (size_t i = 0; i < sizeof(densities) / sizeof(densities[0]); i++) PetscCall(Check(&t, dir, &densities[i], PETSC_TRUE));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
