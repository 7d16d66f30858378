static char help[] = "The keep kernels (apply_keep, trace_keep) store the law value they add, and the kept kernels (vjp_kept, flowvjp_kept)\n"
                     "fed with it give the plain kernels' outputs bit for bit: the adjoint may read kept law values instead of evaluating the law.\n";

#include <string.h>
#include "kntestutil.h"

enum { B = 21 }; /* not a multiple of the lane count: exercises the remainder loop */

static PetscBool Same(PetscInt n, const PetscReal a[], const PetscReal b[])
{
  return (PetscBool)!memcmp(a, b, sizeof(PetscReal) * (size_t)n);
}

static PetscErrorCode Check(KNTest *t, KNDeviceType type)
{
  KNDevice               d;
  const KNDeviceKernels *k;
  PetscReal th[3], vs[B], vd[B], ws[B], wd[B], wl[B], i[B], g[B], rs = 0.7, rd = 1.9;
  PetscReal f[4][B], tr[2][B], y[4][B], yth[4][3];

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_SELF, &d));
  PetscCall(KNDeviceSetType(d, type));
  PetscCall(KNDeviceGetKernels(d, &k));
  if (!k->apply_keep) {
    PetscCall(KNTestOk(t, (PetscBool)(!k->trace_keep && !k->vjp_kept && !k->flowvjp_kept), "%s: no keep kernels (the law is as cheap as a stored value)", type));
    PetscCall(KNDeviceDestroy(&d));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNTestOk(t, (PetscBool)(k->trace_keep && k->vjp_kept && k->flowvjp_kept && k->apply && k->trace && k->vjp && k->flowvjp), "%s: all four keep/kept kernels and their plain ones", type));
  for (PetscInt r = 0; r < 3; r++) th[r] = 1.3 * KNTestRand(1, r);
  for (PetscInt b = 0; b < B; b++) {
    vs[b] = 2 * KNTestRand(2, b), vd[b] = 2 * KNTestRand(3, b), ws[b] = KNTestRand(4, b), wd[b] = KNTestRand(5, b), wl[b] = KNTestRand(6, b);
    for (PetscInt j = 0; j < 4; j++) f[j][b] = 0.5 * b - j % 2, y[j][b] = 0.1 * b;
    tr[0][b] = tr[1][b] = -0.3 * b;
  }
  for (PetscInt j = 0; j < 4; j++)
    for (PetscInt r = 0; r < 3; r++) yth[j][r] = 0.1 * r;
  k->current(th, B, vs, vd, i);

  k->apply(th, B, vs, vd, f[0], f[1]);
  k->apply_keep(th, B, vs, vd, f[2], f[3], g);
  PetscCall(KNTestOk(t, (PetscBool)(Same(B, f[0], f[2]) && Same(B, f[1], f[3]) && Same(B, g, i)), "%s: apply_keep adds what apply adds and keeps the law's value (= current) bit for bit", type));
  k->vjp(th, B, vs, vd, ws, wd, y[0], y[1], yth[0]);
  k->vjp_kept(th, B, vs, vd, ws, wd, y[2], y[3], yth[2], g);
  PetscCall(KNTestOk(t, (PetscBool)(Same(B, y[0], y[2]) && Same(B, y[1], y[3]) && Same(3, yth[0], yth[2])), "%s: vjp_kept on the kept values = vjp bit for bit", type));

  k->trace(th, B, vs, vd, rs, rd, f[0], f[1], tr[0]);
  k->trace_keep(th, B, vs, vd, rs, rd, f[2], f[3], tr[1], g);
  PetscCall(KNTestOk(t, (PetscBool)(Same(B, f[0], f[2]) && Same(B, f[1], f[3]) && Same(B, tr[0], tr[1]) && Same(B, g, i)), "%s: trace_keep = trace bit for bit, and keeps the law's value", type));
  k->flowvjp(th, B, vs, vd, ws, wd, wl, rs, rd, y[0], y[1], yth[1]);
  k->flowvjp_kept(th, B, vs, vd, ws, wd, wl, rs, rd, y[2], y[3], yth[3], g);
  PetscCall(KNTestOk(t, (PetscBool)(Same(B, y[0], y[2]) && Same(B, y[1], y[3]) && Same(3, yth[1], yth[3])), "%s: flowvjp_kept on the kept values = flowvjp bit for bit", type));

  for (PetscInt b = 0; b < B; b++) g[b] = 0.25; /* other values must change the product: the kept values are really read */
  k->vjp_kept(th, B, vs, vd, ws, wd, y[2], y[3], yth[2], g);
  PetscCall(KNTestOk(t, (PetscBool)!Same(B, y[0], y[2]), "%s: vjp_kept reads the kept values (other values, other product)", type));
  PetscCall(KNDeviceDestroy(&d));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNTestForEachDeviceType(&t, Check));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
