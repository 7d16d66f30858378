/* Sample panels: the threads of one rank share each RHS and J^T pass by samples (see KNPanel in circuitimpl.h). */
#include "circuitimpl.h"

/* Below this much work per pass (edge-samples, a flow's four times a forward's), waking a second thread costs more
   than it saves: friedman's 264 edges x 64 samples (7 us per RHS) ran 2.8x slower on 2 threads, twomoons' flow layers
   (60 x 512, 50 us) 1.4x faster. */
#define KN_PANEL_MIN_WORK 32768

/* A cache line of space after each panel's block: no line holds two panels' entries. */
#define KN_PANEL_GAP KN_LANES

/* The panels' sample ranges, their blocks of the local buffers (lv, lw, lvJ sized by KNCircuitSetUpLayout_Private()
   from c->nlv), and fbuf, the kernel scratch and trace rows and the parameter sums, one block per panel. */
PetscErrorCode KNCircuitSetUpPanels_Private(KNCircuit c)
{
  const PetscInt B = c->B, scratch = 6 + 3 * c->rows, lanes = KN_PANELS * KN_LANES;
  const PetscInt width = B >= lanes ? ((B + lanes - 1) / lanes) * KN_LANES : B; /* whole lane groups per panel */
  const PetscInt lvblock = (c->nown + c->nghost + 1) * width + KN_PANEL_GAP, fblock = (c->nown + 1) * width + KN_PANEL_GAP;
  const PetscInt eblock = (scratch + 1) * width + KN_PANEL_GAP, gsize = (c->nown_edges + 1) * c->rows + KN_PANEL_GAP;
  PetscInt       threads;

  PetscFunctionBegin;
  c->npanel = (B + width - 1) / width;
  c->ld     = width;
  c->nlv    = c->npanel * lvblock;
  PetscCall(PetscMalloc2(c->npanel * fblock, &c->fbuf, c->npanel * eblock, &c->ebuf));
  PetscCall(PetscMalloc1(gsize, &c->gbuf));
  for (PetscInt p = 0; p < c->npanel; p++) {
    KNPanel *P = &c->panel[p];

    P->b0    = p * width;
    P->nb    = PetscMin(width, B - p * width);
    P->lvoff = p * lvblock;
    P->foff  = p * fblock;
    P->ebuf  = c->ebuf + p * eblock;
    P->trace = P->ebuf + scratch * width;
    if (p) PetscCall(PetscMalloc1(gsize, &P->gbuf));
    else P->gbuf = c->gbuf;
  }
  PetscCall(KNGetNumThreads(&threads, NULL));
  c->nthreads = c->le.n * B * (c->flow ? 4 : 1) >= KN_PANEL_MIN_WORK ? PetscMin(threads, c->npanel) : 1;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitDestroyPanels_Private(KNCircuit c)
{
  PetscFunctionBegin;
  for (PetscInt p = 1; p < c->npanel; p++) PetscCall(PetscFree(c->panel[p].gbuf));
  PetscCall(PetscFree(c->gbuf));
  PetscCall(PetscFree2(c->fbuf, c->ebuf));
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

/* y[k*B + b] = sigma * scale[k] * (owned row k of fbuf, sample b): the panel blocks back to the state's node-major
   layout (scale NULL: 1). */
void KNCircuitPanelsToState_Private(KNCircuit c, const PetscReal *scale, PetscReal sigma, PetscReal *y)
{
  const PetscInt B = c->B, ld = c->ld;

  for (PetscInt p = 0; p < c->npanel; p++) {
    const KNPanel   *P = &c->panel[p];
    const PetscReal *fp = c->fbuf + P->foff;

    for (PetscInt k = 0; k < c->nown; k++) {
      const PetscReal  s = scale ? sigma * scale[k] : sigma, *src = fp + k * ld;
      PetscReal       *dst = y + k * B + P->b0;

      for (PetscInt j = 0; j < P->nb; j++) dst[j] = s * src[j];
    }
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
