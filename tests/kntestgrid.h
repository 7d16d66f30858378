/* Helpers for the process-grid training tests (-kn_data_groups): train, collect the whole model, compare runs. */
#pragma once

#include "kntestfiles.h" /* KNTestTempDirCreate(); a test includes it first (POSIX) */
#include "kntesttrain.h"

typedef struct {
  PetscInt   n;
  PetscReal *theta, loss, metric; /* parameters in graph order (the whole model, on every rank); free theta */
  PetscBool  synced;              /* the layers' TSAdapt is kngroups */
} KNTestGridResult;

/* Trains with options and extra in a fresh subdirectory of tmp and returns the trainer's parameters, final loss and
   test metric. */
static inline PetscErrorCode KNTestGridRun(MPI_Comm comm, const char tmp[], const char options[], const char extra[], KNTestGridResult *r)
{
  static int  count = 0;
  KNTrainer   tr;
  KNNet       net;
  KNCircuit   c;
  TS          ts;
  TSAdapt     adapt;
  Vec         P;
  char        dir[PETSC_MAX_PATH_LEN], opts[2048];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/run%d-%d", tmp, count++, comm == PETSC_COMM_SELF ? (int)rank : -1));
  PetscCall(PetscSNPrintf(opts, sizeof(opts), "%s %s", options, extra));
  PetscCall(KNTestTrain(comm, opts, dir, &tr));
  PetscCall(KNTrainerGetResult(tr, NULL, &r->loss, &r->metric, NULL));
  PetscCall(KNTrainerGetNet(tr, &net));
  PetscCall(KNNetGetLayer(net, 0, &c));
  PetscCall(KNCircuitGetTS(c, &ts));
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(PetscObjectTypeCompare((PetscObject)adapt, KNTSADAPTGROUPS, &r->synced));
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNTestNetParametersGraphOrder(net, P, &r->n, &r->theta));
  PetscCall(VecDestroy(&P));
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Largest relative difference from the reference over every rank: parameters, loss, metric (NaN == NaN). */
static inline PetscErrorCode KNTestGridDiff(const KNTestGridResult *a, const KNTestGridResult *ref, PetscReal *e)
{
  PetscReal m = a->n == ref->n ? KNTestRelErr(a->n, a->theta, ref->theta) : 1;

  PetscFunctionBeginUser;
  m = PetscMax(m, KNRelDiff(a->loss, ref->loss, 1e-30));
  if (!(PetscIsNanReal(a->metric) && PetscIsNanReal(ref->metric))) m = PetscMax(m, KNRelDiff(a->metric, ref->metric, 1e-30));
  if (PetscIsNanReal(m)) m = 1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &m, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  *e = m;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Whether a equals b bitwise on every rank (b NULL: whether every rank, so every group, holds the same model). */
static inline PetscErrorCode KNTestGridBitwise(const KNTestGridResult *a, const KNTestGridResult *b, PetscBool *same)
{
  PetscReal  *lo, *hi;
  PetscBool   eq = PETSC_FALSE;
  PetscMPIInt s;

  PetscFunctionBeginUser;
  if (b) {
    if (a->n == b->n) PetscCall(PetscMemcmp(a->theta, b->theta, sizeof(PetscReal) * a->n, &eq));
    eq = (PetscBool)(eq && a->loss == b->loss && (a->metric == b->metric || (PetscIsNanReal(a->metric) && PetscIsNanReal(b->metric))));
  } else {
    PetscCall(PetscMalloc2(a->n, &lo, a->n, &hi));
    PetscCallMPI(MPI_Allreduce(a->theta, lo, (PetscMPIInt)a->n, MPIU_REAL, MPIU_MIN, PETSC_COMM_WORLD));
    PetscCallMPI(MPI_Allreduce(a->theta, hi, (PetscMPIInt)a->n, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
    PetscCall(PetscMemcmp(lo, hi, sizeof(PetscReal) * a->n, &eq));
    PetscCall(PetscFree2(lo, hi));
  }
  s = (PetscMPIInt)eq;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  *same = (PetscBool)s;
  PetscFunctionReturn(KN_SUCCESS);
}

/* One grid shape of one case, as given to a KNTestGridShapeCheck. */
typedef struct {
  const char             *tmp, *name, *options; /* the temporary directory, the case's name and options */
  PetscInt                G;                     /* groups, dividing size */
  PetscMPIInt             size;                  /* ranks of PETSC_COMM_WORLD */
  const KNTestGridResult *ref;                   /* the 1-rank run of options */
} KNTestGridShape;

typedef PetscErrorCode (*KNTestGridShapeCheck)(KNTest *, const KNTestGridShape *);

/* Trains the case on PETSC_COMM_WORLD with -kn_data_groups G and the options more; e (if not NULL): its largest
   relative difference from the 1-rank run; same (if not NULL): whether every group holds bitwise the same model. */
static inline PetscErrorCode KNTestGridRunShape(const KNTestGridShape *s, const char more[], KNTestGridResult *r, PetscReal *e, PetscBool *same)
{
  char extra[256];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT " %s", s->G, more));
  PetscCall(KNTestGridRun(PETSC_COMM_WORLD, s->tmp, s->options, extra, r));
  if (e) PetscCall(KNTestGridDiff(r, s->ref, e));
  if (same) PetscCall(KNTestGridBitwise(r, NULL, same));
  PetscFunctionReturn(KN_SUCCESS);
}

/* For every case {name, options}: trains on 1 rank as the reference, then runs check for every number of groups G
   that divides the size. */
static inline PetscErrorCode KNTestGridCheckCases(KNTest *t, const char tmp[], size_t ncases, const char *const cases[][2], KNTestGridShapeCheck check)
{
  KNTestGridResult ref;
  KNTestGridShape  s;

  PetscFunctionBeginUser;
  s.tmp = tmp;
  s.ref = &ref;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &s.size));
  for (size_t c = 0; c < ncases; c++) {
    s.name    = cases[c][0];
    s.options = cases[c][1];
    PetscCall(KNTestGridRun(PETSC_COMM_SELF, tmp, s.options, "-kn_data_groups 1", &ref));
    for (s.G = 1; s.G <= s.size; s.G++)
      if (!(s.size % s.G)) PetscCall(check(t, &s));
    PetscCall(PetscFree(ref.theta));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* The tests' main: every case through KNTestGridCheckCases(), then more (if not NULL), in one temporary directory
   named after prefix. */
static inline int KNTestGridMain(int argc, char **argv, const char help[], const char prefix[], size_t ncases, const char *const cases[][2], KNTestGridShapeCheck check, PetscErrorCode (*more)(KNTest *, const char[]))
{
  KNTest t;
  char   tmp[PETSC_MAX_PATH_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, prefix, tmp, sizeof(tmp)));
  PetscCall(KNTestGridCheckCases(&t, tmp, ncases, cases, check));
  if (more) PetscCall(more(&t, tmp));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, tmp));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
