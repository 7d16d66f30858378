/* Linear laws: conductance    t0 (vs - vd), 3 rows allocated (rows 1-2 unused, as the reference Conductance);
                current_source t0, 1 row (a constant current from source to destination). */
#include "deviceimpl.h"

/* ---- t0 (vs - vd) ---- */

static void ConductanceCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) i[b] = t0 * (vs[b] - vd[b]);
}

static void ConductancePartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) {
    const PetscReal dv = vs[b] - vd[b];

    i[b]   = t0 * dv;
    gs[b]  = t0;
    gd[b]  = -t0;
    gth[b] = dv;
  }
  KNDeviceZero_Private(2 * B, gth + B);
}

static void ConductanceSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  KNDeviceZero_Private(B, gss);
  KNDeviceZero_Private(B, gsd);
  KNDeviceZero_Private(B, gdd);
  for (PetscInt b = 0; b < B; b++) {
    gsth[b] = 1.0;
    gdth[b] = -1.0;
  }
  KNDeviceZero_Private(2 * B, gsth + B);
  KNDeviceZero_Private(2 * B, gdth + B);
}

/* ---- t0 ---- */

static void CurrentSourceCurrent(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) i[b] = t0;
}

static void CurrentSourcePartials(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth)
{
  const PetscReal t0 = th[0];

  for (PetscInt b = 0; b < B; b++) {
    i[b]   = t0;
    gs[b]  = 0.0;
    gd[b]  = 0.0;
    gth[b] = 1.0;
  }
}

static void CurrentSourceSecond(const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth)
{
  KNDeviceZero_Private(B, gss);
  KNDeviceZero_Private(B, gsd);
  KNDeviceZero_Private(B, gdd);
  KNDeviceZero_Private(B, gsth);
  KNDeviceZero_Private(B, gdth);
}

/* ---- constructors ---- */

static const KNDeviceKernels ConductanceKernels   = {.current = ConductanceCurrent, .partials = ConductancePartials, .second = ConductanceSecond};
static const KNDeviceKernels CurrentSourceKernels = {.current = CurrentSourceCurrent, .partials = CurrentSourcePartials, .second = CurrentSourceSecond};

/* KNDEVICECONDUCTANCE: the reference Conductance, paper Eq. (3). */
PetscErrorCode KNDeviceCreate_Conductance(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 3, 1, &ConductanceKernels, "th[0]*(vs - vd), rows 1-2 unused"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNDEVICECURRENTSOURCE: an independent current source. */
PetscErrorCode KNDeviceCreate_CurrentSource(KNDevice d)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceSetLaw(d, 1, 1, &CurrentSourceKernels, "th[0]"));
  PetscFunctionReturn(KN_SUCCESS);
}
