/* Sample panels: the threads of one rank share each RHS and J^T pass by samples (see KNPanel in circuitimpl.h). */
#include "circuitimpl.h"

/* Below this much work per pass (edge-samples, a flow's four times a forward's), waking a second thread costs more
   than it saves: friedman's 264 edges x 64 samples (7 us per RHS) ran 2.8x slower on 2 threads, twomoons' flow layers
   (60 x 512, 50 us) 1.4x faster. */
#define KN_PANEL_MIN_WORK 32768

PetscErrorCode KNCircuitSetUpPanels_Private(KNCircuit c)
{
  const PetscInt B = c->B, scratch = 6 + 3 * c->rows, lanes = KN_PANELS * KN_LANES;
  const PetscInt width = B >= lanes ? ((B + lanes - 1) / lanes) * KN_LANES : B; /* whole lane groups per panel */
  PetscInt       threads;

  PetscFunctionBegin;
  c->npanel = (B + width - 1) / width;
  for (PetscInt p = 0; p < c->npanel; p++) {
    c->panel[p].b0   = p * width;
    c->panel[p].nb   = PetscMin(width, B - p * width);
    c->panel[p].ebuf = c->ebuf + scratch * c->panel[p].b0;
    if (p) PetscCall(PetscMalloc1((c->nown_edges + 1) * c->rows, &c->panel[p].gbuf));
    else c->panel[p].gbuf = c->gbuf;
  }
  PetscCall(KNGetNumThreads(&threads, NULL));
  c->nthreads = c->le.n * B * (c->flow ? 4 : 1) >= KN_PANEL_MIN_WORK ? PetscMin(threads, c->npanel) : 1;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitDestroyPanels_Private(KNCircuit c)
{
  PetscFunctionBegin;
  for (PetscInt p = 1; p < KN_PANELS; p++) PetscCall(PetscFree(c->panel[p].gbuf));
  c->npanel = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/* gbuf = sum of the panels' parameter sums, in panel order. */
void KNCircuitSumPanelParameters_Private(KNCircuit c)
{
  const PetscInt n = (c->nown_edges + 1) * c->rows;
  PetscReal     *g = c->gbuf;

  for (PetscInt p = 1; p < c->npanel; p++) {
    const PetscReal *gp = c->panel[p].gbuf;

    for (PetscInt i = 0; i < n; i++) g[i] += gp[i];
  }
}

PetscErrorCode KNCircuitPanelsView_Private(KNCircuit c, PetscViewer viewer)
{
  PetscInt    threads;
  const char *why;

  PetscFunctionBegin;
  PetscCall(KNGetNumThreads(&threads, &why));
  if (c->nthreads > 1) PetscCall(PetscViewerASCIIPrintf(viewer, "  %" PetscInt_FMT " threads per rank (%s; -kn_threads), each over one of %" PetscInt_FMT " sample panels\n", c->nthreads, why, c->npanel));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "  1 thread per rank (%s), %" PetscInt_FMT " sample panel%s\n", threads > 1 && c->npanel > 1 ? "too little work per RHS to share" : why, c->npanel, c->npanel > 1 ? "s" : ""));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetThreads - the threads that run each edge loop of this rank and the sample panels they share

  Not Collective

  Input Parameter:
. c - the circuit, set up

  Output Parameters:
+ threads - threads per RHS or J^T pass (1 when the pass is too little work to share), or NULL
- panels - sample panels of each pass (fixed by the batch size: the bits do not depend on the threads), or NULL

  Level: intermediate

.seealso: KNGetNumThreads(), KNSetNumThreads()
@*/
PetscErrorCode KNCircuitGetThreads(KNCircuit c, PetscInt *threads, PetscInt *panels)
{
  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "KNCircuitGetThreads() needs KNCircuitSetUp() first");
  if (threads) *threads = c->nthreads;
  if (panels) *panels = c->npanel;
  PetscFunctionReturn(KN_SUCCESS);
}
