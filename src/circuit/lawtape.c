/* Law values kept from the forward stages for the adjoint: a layer whose trajectory is kept also keeps, per RHS
   evaluation, the law's value of every local edge and sample (its tanh, the dearest part of each kernel), keyed by the
   gathered voltages. Each adjoint Jacobian point looks its key up, so its J^T reads the values instead of evaluating
   the law again. A key is compared in full: a point that was never evaluated (or new parameters) finds no slot and
   evaluates the law, so the gradients are the same bits either way. The slots share the trajectory's byte limit, and
   give way to it. */
#include <string.h>
#include "circuitimpl.h"

static size_t SlotBytes(KNCircuit c)
{
  return sizeof(PetscReal) * ((size_t)c->nlv + (size_t)c->le.n * (size_t)c->B);
}

PetscLogDouble KNCircuitLawTapeBytes_Private(KNCircuit c)
{
  return (PetscLogDouble)c->law.nalloc * (PetscLogDouble)SlotBytes(c);
}

static PetscBool Kept(KNCircuit c)
{
  const KNDeviceKernels *k = c->kern;

  if (!c->law.use || c->le.gain || c->jactype == KN_JACOBIAN_AIJ) return PETSC_FALSE;
  return (PetscBool)(c->flow ? k->trace_keep && k->flowvjp_kept && k->flowvjp : k->apply_keep && k->vjp_kept && k->vjp);
}

/*@
  KNCircuitGetKeepLaw - whether a trajectory kept from this set-up circuit's solves also keeps the law values of its
  stages for the adjoint (-kn_adjoint_keep_law, a law with keep kernels, no edge gains, the shell Jacobian)

  Not Collective

  Output Parameter:
. keep - PETSC_TRUE if it does

  Level: intermediate

.seealso: KNCircuitSolveWithTrajectory(), KNNetSetAdjointMemory()
@*/
PetscErrorCode KNCircuitGetKeepLaw(KNCircuit c, PetscBool *keep)
{
  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  *keep = Kept(c);
  PetscFunctionReturn(KN_SUCCESS);
}

/* A solve that keeps its trajectory under a byte limit starts: earlier slots are void (the RHS calls refill them). */
void KNCircuitLawTapeBegin_Private(KNCircuit c)
{
  c->law.n = 0, c->law.jac = NULL, c->law.rec = NULL;
  c->law.recording = (PetscBool)(c->tape_limited && Kept(c));
}

void KNCircuitLawTapeEnd_Private(KNCircuit c)
{
  c->law.recording = PETSC_FALSE, c->law.rec = NULL;
}

/* The kept values no longer match the parameters (or the adjoint used them up). */
void KNCircuitLawTapeInvalidate_Private(KNCircuit c)
{
  c->law.n = 0, c->law.jac = NULL, c->law.rec = NULL;
}

PetscErrorCode KNCircuitLawTapeFree_Private(KNCircuit c)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < c->law.nalloc; k++) PetscCall(PetscFree(c->law.slot[k]));
  PetscCall(PetscFree(c->law.slot));
  c->law.nalloc = c->law.cap = 0, c->law.recording = PETSC_FALSE;
  KNCircuitLawTapeInvalidate_Private(c);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Before the RHS kernels at the gathered voltages lv: a slot for their law values (law.rec), if the limit allows one
   beside the trajectory's next step; else law.rec = NULL and the RHS keeps nothing. The trajectory and the slots
   together never pass the limit: the trajectory's growth frees the slots first (KNCircuitLawTapeYield_Private). */
PetscErrorCode KNCircuitLawTapeRecord_Private(KNCircuit c, const PetscReal *lv)
{
  const size_t   bytes = SlotBytes(c);
  PetscLogDouble traj  = (PetscLogDouble)(c->tape_held + 1) * c->tape_step_bytes;

  PetscFunctionBegin;
  c->law.rec = NULL;
  /* until the first stored step tells the trajectory's step size (the layer's first solve), keep nothing: the slots
     must never take room the trajectory needs */
  if (!c->law.recording || !c->tape_step_bytes) PetscFunctionReturn(KN_SUCCESS);
  if (c->law.n == c->law.nalloc) {
    if (traj + (PetscLogDouble)(c->law.nalloc + 1) * (PetscLogDouble)bytes > c->tape_limit) PetscFunctionReturn(KN_SUCCESS);
    if (c->law.nalloc == c->law.cap) {
      PetscReal **slot;

      c->law.cap = PetscMax(16, 2 * c->law.cap);
      PetscCall(PetscMalloc1(c->law.cap, &slot));
      if (c->law.nalloc) PetscCall(PetscArraycpy(slot, c->law.slot, c->law.nalloc));
      PetscCall(PetscFree(c->law.slot));
      c->law.slot = slot;
    }
    PetscCall(PetscMalloc(bytes, &c->law.slot[c->law.nalloc]));
    c->law.nalloc++;
  }
  PetscCall(PetscArraycpy(c->law.slot[c->law.n], lv, c->nlv));
  c->law.rec    = c->law.slot[c->law.n] + c->nlv;
  c->law.cursor = c->law.n++;
  PetscFunctionReturn(KN_SUCCESS);
}

/* The trajectory's next step needs need bytes under the limit: the slots give way first (frees them, stops keeping). */
PetscErrorCode KNCircuitLawTapeYield_Private(KNCircuit c, PetscLogDouble need)
{
  PetscFunctionBegin;
  if (c->law.nalloc && need + KNCircuitLawTapeBytes_Private(c) > c->tape_limit) {
    PetscCall(PetscInfo(c->ts, "Layer %s: the kept law values give way to the trajectory (%g bytes)\n", c->name ? c->name : "", KNCircuitLawTapeBytes_Private(c)));
    PetscCall(KNCircuitLawTapeFree_Private(c));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* After lvJ was gathered at a Jacobian point: law.jac = the law values kept at exactly these voltages, or NULL. The
   adjoint visits the stages in reverse order, so the search starts at the last match and walks down. */
void KNCircuitLawTapeFind_Private(KNCircuit c, const PetscReal *lvJ)
{
  const size_t bytes = sizeof(PetscReal) * (size_t)c->nlv;
  PetscInt     n     = c->law.n;

  c->law.jac = NULL;
  if (!n) return;
  for (PetscInt i = 0; i < n; i++) {
    PetscInt k = ((c->law.cursor - i) % n + n) % n;

    if (!memcmp(c->law.slot[k], lvJ, bytes)) {
      c->law.jac = c->law.slot[k] + c->nlv, c->law.cursor = k;
      return;
    }
  }
}
