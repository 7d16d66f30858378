/* Flow losses: maximum likelihood of a continuous normalizing flow (generation) and reverse KL (density matching). */
#include <kn/knloss.h>

/* log N(z; 0, I_d) of one sample. */
static inline PetscReal LogStdNormal(PetscInt d, const PetscReal z[])
{
  PetscReal s = 0;

  for (PetscInt k = 0; k < d; k++) s += z[k] * z[k];
  return -0.5 * s - 0.5 * (PetscReal)d * PetscLogReal(2.0 * PETSC_PI);
}

/*@C
  KNFlowLogLikelihood - per-sample log-likelihood of data under a flow: log p(x_b) = log N(z_b; 0, I) - lp_b

  Not Collective

  Input Parameters:
+ B - batch size
. d - dimension of the base distribution (the nodes of the first layer)
. z - B*d base points reached by the reversed sweep: KNNetForward(..., PETSC_TRUE), then KNNetGetFinalVoltages()
      (all d nodes of layer 0, z[b*d + j-1]) or KNNetGetOutput() with every node read out
- lp - B log-density entries of the same reversed sweep (KNNetGetLogDensity()): lp = +int tr(df/dv) dt

  Output Parameter:
. logpx - B values log p(x_b) in nats

  Level: intermediate

.seealso: KNLossFlowNLL()
@*/
PetscErrorCode KNFlowLogLikelihood(PetscInt B, PetscInt d, const PetscReal z[], const PetscReal lp[], PetscReal logpx[])
{
  PetscFunctionBegin;
  PetscCheck(B > 0 && d > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNFlowLogLikelihood needs B > 0 and d > 0 (got %" PetscInt_FMT ", %" PetscInt_FMT ")", B, d);
  for (PetscInt b = 0; b < B; b++) logpx[b] = LogStdNormal(d, z + b * d) - lp[b];
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNLossFlowNLL - negative log-likelihood (nats, mean over the batch) of a continuous normalizing flow, and its gradient

  Not Collective

  Input Parameters:
+ B - batch size
. d - dimension (2 for the toy sets)
. z - B*d base points z[b*d + k] of a REVERSED sweep (data -> base): KNNetForward(net, d, x, PETSC_TRUE), then
      KNNetGetFinalVoltages() (or KNNetGetOutput() with all d nodes read out)
- lp - B entries of KNNetGetLogDensity() after that reversed sweep: lp = +int_0^T tr(df/dv) dt (the reference's Delta;
       for f(v) = a v: z = x e^{-aT}, lp = aT)

  Output Parameters:
+ L - -(1/B) sum_b [ log N(z_b; 0, I) - lp_b ] = (1/B) sum_b [ |z_b|^2/2 + (d/2) log(2 pi) + lp_b ]
. dz - dL/dz = z/B (or NULL)
- dlp - dL/dlp = 1/B for every sample (or NULL)

  Notes:
  Pass dz and dlp to KNNetBackward() as dout and dlogp.

  Level: beginner

.seealso: KNFlowLogLikelihood(), KNLossDensityKL()
@*/
PetscErrorCode KNLossFlowNLL(PetscInt B, PetscInt d, const PetscReal z[], const PetscReal lp[], PetscReal *L, PetscReal dz[], PetscReal dlp[])
{
  PetscReal s = 0;

  PetscFunctionBegin;
  PetscCheck(B > 0 && d > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNLossFlowNLL needs B > 0 and d > 0 (got %" PetscInt_FMT ", %" PetscInt_FMT ")", B, d);
  KNAssertPointer(L, 5);
  for (PetscInt b = 0; b < B; b++) {
    s += lp[b] - LogStdNormal(d, z + b * d);
    if (dz)
      for (PetscInt k = 0; k < d; k++) dz[b * d + k] = z[b * d + k] / (PetscReal)B;
    if (dlp) dlp[b] = 1.0 / (PetscReal)B;
  }
  *L = s / (PetscReal)B;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNLossDensityKL - the density-matching loss mean_b [ lp_b + U(x_b) ] (reverse KL up to constants) and its gradient

  Not Collective

  Input Parameters:
+ B - batch size
. x - B 2-D points x[2b], x[2b+1] pushed FORWARD from base samples z0 ~ N(0, I): KNNetForward(net, 2, z0, PETSC_FALSE)
. lp - B entries of KNNetGetLogDensity() after that forward sweep: lp = -int tr(df/dv) dt (the reference's Delta), so
       that log q(x) = log N(z0) + lp
- potential - the energy: potential1, potential2, potential3, potential4 (see KNPotentialEvaluate())

  Output Parameters:
+ L - (1/B) sum_b [ lp_b + U(x_b) ] = KL(q || p) - E[log N(z0)] - log Z; at KL = 0 it is 1 + log(2 pi) - log Z
      (0.9604 for potential1, whose log Z = 1.8775)
. dx - dL/dx = grad U(x_b)/B (or NULL)
- dlp - dL/dlp = 1/B (or NULL)

  Level: beginner

.seealso: KNPotentialEvaluate(), KNLossFlowNLL()
@*/
PetscErrorCode KNLossDensityKL(PetscInt B, const PetscReal x[], const PetscReal lp[], const char potential[], PetscReal *L, PetscReal dx[], PetscReal dlp[])
{
  PetscReal *U, s = 0;

  PetscFunctionBegin;
  PetscCheck(B > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNLossDensityKL needs B > 0 (got %" PetscInt_FMT ")", B);
  KNAssertPointer(L, 5);
  PetscCall(KNPotentialEvaluate(potential, 0, NULL, NULL, NULL)); /* checks the name before anything is allocated */
  PetscCall(PetscMalloc1(B, &U));
  PetscCall(KNPotentialEvaluate(potential, B, x, U, dx));
  for (PetscInt b = 0; b < B; b++) {
    s += lp[b] + U[b];
    if (dx) {
      dx[2 * b] /= (PetscReal)B;
      dx[2 * b + 1] /= (PetscReal)B;
    }
    if (dlp) dlp[b] = 1.0 / (PetscReal)B;
  }
  *L = s / (PetscReal)B;
  PetscCall(PetscFree(U));
  PetscFunctionReturn(KN_SUCCESS);
}
