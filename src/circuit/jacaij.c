/* COO-assembled MPIAIJ Jacobian of the augmented state, for implicit TS types (beuler, cn, theta).
   The pattern is set once (MatSetPreallocationCOO); each evaluation only recomputes the values. */
#include "circuitimpl.h"

typedef struct {
  PetscCount n;
  PetscInt  *i, *j; /* NULL when only values are wanted */
  PetscReal *v;
} COOList;

static inline void COOPush(COOList *l, PetscInt i, PetscInt j, PetscReal v)
{
  if (l->i) {
    l->i[l->n] = i;
    l->j[l->n] = j;
  }
  if (l->v) l->v[l->n] = v;
  l->n++;
}

/* Global state index of the first parameter of circuit edge ce. */
static PetscInt ParameterColumn(KNCircuit c, PetscInt ce)
{
  PetscMPIInt r = 0;
  while (c->edge_range[r + 1] <= ce) r++;
  return c->state_range[r] + (c->node_range[r + 1] - c->node_range[r]) * c->B + ((c->flow && r == 0) ? c->B : 0) + (ce - c->edge_range[r]) * c->rows;
}

/* One traversal produces the pattern (l->i, l->j) and/or the values (l->v), in the same order: edge by edge, and
   each edge's samples panel by panel (the panels' blocks of lv are ld apart per slot). */
static PetscErrorCode COOTraverse(KNCircuit c, const PetscReal *lv, COOList *l)
{
  const PetscInt  ld = c->ld, rows = c->rows, nslots = c->nown + c->nghost;
  const PetscReal sigma = c->reverse ? -1.0 : 1.0;
  PetscReal      *cur = c->panel[0].ebuf, *gs = cur + ld, *gd = gs + ld, *gth = gd + ld;
  PetscReal      *gss = NULL, *gsd = NULL, *gdd = NULL, *gsth = NULL, *gdth = NULL, *secbuf = NULL;
  PetscInt        col[2], lp0 = -1, off;

  PetscFunctionBegin;
  if (c->flow) {
    PetscCall(KNCircuitGetLogDensityIndex(c, &lp0));
    PetscCall(PetscMalloc1((3 + 2 * rows) * ld, &secbuf));
    gss = secbuf, gsd = gss + ld, gdd = gsd + ld, gsth = gdd + ld, gdth = gsth + rows * ld;
  }
  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscInt is = c->le.in_s[e], id = c->le.in_d[e], pc = c->augmented ? ParameterColumn(c, c->le.circ[e]) : -1;
    const PetscBool own_s = (PetscBool)(c->le.out_s[e] < c->nown), own_d = (PetscBool)(c->le.out_d[e] < c->nown);
    const PetscBool gnd_s = (PetscBool)(is == nslots), gnd_d = (PetscBool)(id == nslots), own_e = (PetscBool)(c->le.par[e] < c->nown_edges);
    const PetscReal m = c->le.gain ? c->le.gain[e] : 1.0, rs = m * c->rcap_local[is], rd = m * c->rcap_local[id];

    col[0] = gnd_s ? -1 : (is < c->nown ? c->first_node + 1 + is : c->ghost_nodes[is - c->nown]);
    col[1] = gnd_d ? -1 : (id < c->nown ? c->first_node + 1 + id : c->ghost_nodes[id - c->nown]);
    if (col[0] > 0) PetscCall(KNCircuitStateIndex_Private(c, col[0], &col[0]));
    if (col[1] > 0) PetscCall(KNCircuitStateIndex_Private(c, col[1], &col[1]));
    for (PetscInt p = 0; p < c->npanel; p++) {
      const PetscInt nb = c->panel[p].nb, b0 = c->panel[p].b0;

      if (l->v) {
        const PetscReal *vs = lv + c->panel[p].lvoff + is * ld, *vd = lv + c->panel[p].lvoff + id * ld;

        c->kern->partials(c->le.theta + e * rows, nb, vs, vd, cur, gs, gd, gth);
        if (c->flow && own_e) c->kern->second(c->le.theta + e * rows, nb, vs, vd, gss, gsd, gdd, gsth, gdth);
      }
      for (PetscInt j = 0; j < nb; j++) {
        const PetscInt b = b0 + j, rowS = own_s ? col[0] + b : -1, rowD = own_d ? col[1] + b : -1;
        if (own_d) {
          if (!gnd_s) COOPush(l, rowD, col[0] + b, l->v ? sigma * rd * gs[j] : 0);
          COOPush(l, rowD, rowD, l->v ? sigma * rd * gd[j] : 0);
          for (PetscInt r = 0; r < rows && c->augmented; r++) COOPush(l, rowD, pc + r, l->v ? sigma * rd * gth[r * nb + j] : 0);
        }
        if (own_s) {
          COOPush(l, rowS, rowS, l->v ? -sigma * rs * gs[j] : 0);
          if (!gnd_d) COOPush(l, rowS, col[1] + b, l->v ? -sigma * rs * gd[j] : 0);
          for (PetscInt r = 0; r < rows && c->augmented; r++) COOPush(l, rowS, pc + r, l->v ? -sigma * rs * gth[r * nb + j] : 0);
        }
        if (c->flow && own_e) { /* logp_b' = -sigma (rd*gd - rs*gs) */
          if (!gnd_s) COOPush(l, lp0 + b, col[0] + b, l->v ? -sigma * (rd * gsd[j] - rs * gss[j]) : 0);
          if (!gnd_d) COOPush(l, lp0 + b, col[1] + b, l->v ? -sigma * (rd * gdd[j] - rs * gsd[j]) : 0);
          for (PetscInt r = 0; r < rows && c->augmented; r++) COOPush(l, lp0 + b, pc + r, l->v ? -sigma * (rd * gdth[r * nb + j] - rs * gsth[r * nb + j]) : 0);
        }
      }
    }
  }
  /* explicit (zero) diagonal on every owned row, so shifted systems (a I - J) have their diagonal in the pattern */
  PetscCall(KNCircuitGetParameterOffset_Private(c, &off));
  for (PetscInt k = 0; k < off + (c->augmented ? c->nown_edges * rows : 0); k++) COOPush(l, c->state_range[c->rank] + k, c->state_range[c->rank] + k, 0.0);
  PetscCall(PetscFree(secbuf));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitCreateAIJJacobian_Private(KNCircuit c, Mat *J)
{
  PetscInt n = c->state_range[c->rank + 1] - c->state_range[c->rank];
  COOList  l = {0, NULL, NULL, NULL};

  PetscFunctionBegin;
  PetscCall(COOTraverse(c, NULL, &l)); /* count */
  c->ncoo = l.n;
  PetscCall(PetscMalloc2(l.n, &l.i, l.n, &l.j));
  l.n = 0;
  PetscCall(COOTraverse(c, NULL, &l));
  PetscCall(MatCreate(c->comm, J));
  PetscCall(MatSetSizes(*J, n, n, PETSC_DETERMINE, PETSC_DETERMINE));
  PetscCall(MatSetType(*J, MATAIJ));
  PetscCall(MatSetPreallocationCOO(*J, l.n, l.i, l.j));
  PetscCall(PetscFree2(l.i, l.j));
  PetscCall(PetscMalloc1(c->ncoo, &c->coo_v));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitAssembleAIJJacobian_Private(KNCircuit c, Mat A)
{
  const PetscReal *lv;
  COOList          l = {0, NULL, NULL, c->coo_v};

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KN_JacobianAssembly, A, 0, 0, 0));
  PetscCall(VecGetArrayRead(c->lvJ, &lv));
  PetscCall(COOTraverse(c, lv, &l));
  PetscCall(VecRestoreArrayRead(c->lvJ, &lv));
  PetscCall(MatSetValuesCOO(A, c->coo_v, INSERT_VALUES));
  PetscCall(PetscLogEventEnd(KN_JacobianAssembly, A, 0, 0, 0));
  PetscFunctionReturn(KN_SUCCESS);
}
