/*
  Energies of the density-matching targets p(z) ~ exp(-U(z)), z = (z1, z2) (Rezende & Mohamed 2015, Table 1; spec 7.5):
    w1 = sin(2 pi z1 / 4),  w2 = 3 exp(-((z1 - 1)/0.6)^2 / 2),  w3 = 3 sigmoid((z1 - 1)/0.3)
    U1 = ((|z| - 2)/0.4)^2 / 2 - log( exp(-((z1 - 2)/0.6)^2 / 2) + exp(-((z1 + 2)/0.6)^2 / 2) )
    U2 = ((z2 - w1)/0.4)^2 / 2
    U3 = -log( exp(-((z2 - w1)/0.35)^2 / 2) + exp(-((z2 - w1 + w2)/0.35)^2 / 2) )
    U4 = -log( exp(-((z2 - w1)/0.4)^2 / 2) + exp(-((z2 - w1 + w3)/0.35)^2 / 2) )
  with exact gradients. The two-term -log(e^a + e^b) is evaluated with the max shift.
*/
#include <kn/knloss.h>

static PetscFunctionList KNPotentialList          = NULL;
static char              KNPotentialNames[512]    = "";
static PetscBool         KNPotentialRegisterAllCalled = PETSC_FALSE;

/* -log(e^a + e^b) and the softmax weights pa, pb (pa + pb = 1). */
static inline PetscReal NegLogSumExp2(PetscReal a, PetscReal b, PetscReal *pa, PetscReal *pb)
{
  const PetscReal m = PetscMax(a, b), ea = PetscExpReal(a - m), eb = PetscExpReal(b - m);

  *pa = ea / (ea + eb);
  *pb = eb / (ea + eb);
  return -(m + PetscLogReal(ea + eb));
}

/* a = -(u/s)^2/2 for u = z2 - w1 + c(z1): returns a; da1, da2 = its partials given dc/dz1. */
static inline PetscReal GaussTerm(PetscReal u, PetscReal s, PetscReal du1, PetscReal *da1, PetscReal *da2)
{
  *da1 = -u / (s * s) * du1;
  *da2 = -u / (s * s);
  return -0.5 * PetscSqr(u / s);
}

static void Potential1(const PetscReal z[2], PetscReal *U, PetscReal g[2])
{
  const PetscReal r = PetscSqrtReal(z[0] * z[0] + z[1] * z[1]), q = (r - 2.0) / 0.4;
  const PetscReal a = -0.5 * PetscSqr((z[0] - 2.0) / 0.6), b = -0.5 * PetscSqr((z[0] + 2.0) / 0.6);
  PetscReal       pa, pb, dr = r > 0 ? q / 0.4 / r : 0.0; /* d(q^2/2)/dz = q/0.4 * z/r; 0 at the origin */

  *U   = 0.5 * q * q + NegLogSumExp2(a, b, &pa, &pb);
  g[0] = dr * z[0] - (pa * (-(z[0] - 2.0) / 0.36) + pb * (-(z[0] + 2.0) / 0.36));
  g[1] = dr * z[1];
}

static void Potential2(const PetscReal z[2], PetscReal *U, PetscReal g[2])
{
  const PetscReal k = 2.0 * PETSC_PI / 4.0, w1 = PetscSinReal(k * z[0]), dw1 = k * PetscCosReal(k * z[0]);
  const PetscReal u = (z[1] - w1) / 0.4;

  *U   = 0.5 * u * u;
  g[0] = -u / 0.4 * dw1;
  g[1] = u / 0.4;
}

/* U3 (u4 = PETSC_FALSE) and U4 (u4 = PETSC_TRUE): -log(e^a + e^b), a from z2 - w1, b from z2 - w1 + w2 (or w3). */
static void Potential34(PetscBool u4, const PetscReal z[2], PetscReal *U, PetscReal g[2])
{
  const PetscReal k = 2.0 * PETSC_PI / 4.0, w1 = PetscSinReal(k * z[0]), dw1 = k * PetscCosReal(k * z[0]);
  PetscReal       c, dc, a, b, da1, da2, db1, db2, pa, pb;

  if (u4) {
    const PetscReal sg = 1.0 / (1.0 + PetscExpReal(-(z[0] - 1.0) / 0.3));
    c  = 3.0 * sg;
    dc = 3.0 * sg * (1.0 - sg) / 0.3;
  } else {
    c  = 3.0 * PetscExpReal(-0.5 * PetscSqr((z[0] - 1.0) / 0.6));
    dc = -c * (z[0] - 1.0) / 0.36;
  }
  a    = GaussTerm(z[1] - w1, u4 ? 0.4 : 0.35, -dw1, &da1, &da2);
  b    = GaussTerm(z[1] - w1 + c, 0.35, -dw1 + dc, &db1, &db2);
  *U   = NegLogSumExp2(a, b, &pa, &pb);
  g[0] = -(pa * da1 + pb * db1);
  g[1] = -(pa * da2 + pb * db2);
}

static void Potential3(const PetscReal z[2], PetscReal *U, PetscReal g[2])
{
  Potential34(PETSC_FALSE, z, U, g);
}

static void Potential4(const PetscReal z[2], PetscReal *U, PetscReal g[2])
{
  Potential34(PETSC_TRUE, z, U, g);
}

#define KN_POTENTIAL_WRAP(name, kernel) \
  static PetscErrorCode name(PetscInt n, const PetscReal z[], PetscReal U[], PetscReal dU[]) \
  { \
    PetscFunctionBegin; \
    for (PetscInt i = 0; i < n; i++) { \
      PetscReal g[2]; \
      kernel(z + 2 * i, U + i, g); \
      if (dU) dU[2 * i] = g[0], dU[2 * i + 1] = g[1]; \
    } \
    PetscFunctionReturn(KN_SUCCESS); \
  }
KN_POTENTIAL_WRAP(KNPotential_1, Potential1)
KN_POTENTIAL_WRAP(KNPotential_2, Potential2)
KN_POTENTIAL_WRAP(KNPotential_3, Potential3)
KN_POTENTIAL_WRAP(KNPotential_4, Potential4)

static PetscErrorCode KNPotentialFinalize_Private(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&KNPotentialList));
  KNPotentialNames[0]          = 0;
  KNPotentialRegisterAllCalled = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNPotentialAdd_Private(const char name[], KNPotentialFn fn)
{
  PetscErrorCode (*old)(PetscInt, const PetscReal[], PetscReal[], PetscReal[]) = NULL;

  PetscFunctionBegin;
  PetscCall(PetscFunctionListFind(KNPotentialList, name, &old));
  PetscCall(PetscFunctionListAdd(&KNPotentialList, name, fn));
  if (old) PetscFunctionReturn(KN_SUCCESS);
  if (KNPotentialNames[0]) PetscCall(PetscStrlcat(KNPotentialNames, ", ", sizeof(KNPotentialNames)));
  PetscCall(PetscStrlcat(KNPotentialNames, name, sizeof(KNPotentialNames)));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNPotentialRegisterAll_Private(void)
{
  PetscFunctionBegin;
  if (KNPotentialRegisterAllCalled) PetscFunctionReturn(KN_SUCCESS);
  KNPotentialRegisterAllCalled = PETSC_TRUE;
  PetscCall(KNInitializePackage());
  PetscCall(KNPotentialAdd_Private("potential1", KNPotential_1));
  PetscCall(KNPotentialAdd_Private("potential2", KNPotential_2));
  PetscCall(KNPotentialAdd_Private("potential3", KNPotential_3));
  PetscCall(KNPotentialAdd_Private("potential4", KNPotential_4));
  PetscCall(KNRegisterFinalize(KNPotentialFinalize_Private));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNPotentialRegister - adds (or replaces) a 2-D energy selectable by name in KNLossDensityKL()

  Not Collective

  Input Parameters:
+ name - the energy's name
- fn - evaluates U and (if dU is not NULL) grad U at n points

  Level: advanced

.seealso: KNPotentialEvaluate(), KNLossDensityKL()
@*/
PetscErrorCode KNPotentialRegister(const char name[], KNPotentialFn fn)
{
  PetscFunctionBegin;
  KNAssertPointer(name, 1);
  PetscCall(KNPotentialRegisterAll_Private());
  PetscCall(KNPotentialAdd_Private(name, fn));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNPotentialGetNames - the registered energy names, comma separated, in registration order

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNPotentialGetNames(char buf[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(KNPotentialRegisterAll_Private());
  PetscCall(PetscStrncpy(buf, KNPotentialNames, len));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNPotentialEvaluate - energy U(z) and its gradient at n 2-D points

  Not Collective

  Input Parameters:
+ name - potential1, potential2, potential3, potential4 (Rezende & Mohamed 2015), or a registered name
. n - number of points
- z - 2n coordinates z[2i], z[2i+1]

  Output Parameters:
+ U - n energies
- dU - 2n gradient entries (or NULL)

  Notes:
  potential1 has log Z = 1.8775 (quadrature on [-8, 8]^2); potential2 is not normalisable (unbounded along z1).
  The gradient of the ring term of potential1 is taken as 0 at the origin.

  Level: intermediate

.seealso: KNLossDensityKL(), KNPotentialRegister()
@*/
PetscErrorCode KNPotentialEvaluate(const char name[], PetscInt n, const PetscReal z[], PetscReal U[], PetscReal dU[])
{
  PetscErrorCode (*fn)(PetscInt, const PetscReal[], PetscReal[], PetscReal[]) = NULL;

  PetscFunctionBegin;
  KNAssertPointer(name, 1);
  PetscCall(KNPotentialRegisterAll_Private());
  PetscCall(PetscFunctionListFind(KNPotentialList, name, &fn));
  PetscCheck(fn, PETSC_COMM_SELF, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown potential \"%s\"; valid names: %s", name, KNPotentialNames);
  PetscCheck(n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Number of points %" PetscInt_FMT " must be >= 0", n);
  PetscCall((*fn)(n, z, U, dU));
  PetscFunctionReturn(KN_SUCCESS);
}
