static const char help[] = "KNGraph generators: the worked examples of the reference spec section 3 and the production sizes.\n";

#include "kntest.h"

/* Compares g's edge list with the expected pairs {s0, d0, s1, d1, ...}. */
static PetscErrorCode EdgesEqual(KNGraph g, PetscInt E, const PetscInt pairs[], PetscBool *eq)
{
  const PetscInt *src, *dst;
  PetscInt        gE;

  PetscFunctionBeginUser;
  PetscCall(KNGraphGetSizes(g, NULL, &gE));
  PetscCall(KNGraphGetEdges(g, &src, &dst));
  *eq = gE == E ? PETSC_TRUE : PETSC_FALSE;
  for (PetscInt e = 0; e < E && *eq; e++)
    if (src[e] != pairs[2 * e] || dst[e] != pairs[2 * e + 1]) *eq = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rebuilding from the graph's own description must give the same edges. */
static PetscErrorCode CheckRoundTrip(KNTest *t, KNGraph g, const char what[])
{
  KNGraph     h;
  const char *desc;
  char        a[17], b[17];
  PetscInt    N, E, hN, hE;

  PetscFunctionBeginUser;
  PetscCall(KNGraphGetDescription(g, &desc));
  PetscCall(KNGraphCreateFromDescription(PETSC_COMM_WORLD, desc, &h));
  PetscCall(KNGraphGetChecksum(g, a));
  PetscCall(KNGraphGetChecksum(h, b));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNGraphGetSizes(h, &hN, &hE));
  PetscCall(KNTestOk(t, (PetscBool)(!strcmp(a, b) && N == hN && E == hE), "%s: description %s rebuilds the same graph", what, desc));
  PetscCall(KNGraphDestroy(&h));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestFC(KNTest *t)
{
  const PetscInt ex[] = {0, 1, 0, 1, 1, 0, 0, 2, 0, 2, 2, 0, 1, 0, 1, 0, 0, 1, 1, 2, 1, 2, 2, 1, 2, 0, 2, 0, 0, 2, 2, 1, 2, 1, 1, 2};
  KNGraph        g;
  PetscInt       N, E;
  PetscBool      eq;
  const char    *desc;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 2, 1, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(EdgesEqual(g, 18, ex, &eq));
  PetscCall(KNTestOk(t, (PetscBool)(eq && N == 2), "fc(3, include_gnd, [2,1]) is the 18-edge list of spec 3.1, N = 2 (N = %" PetscInt_FMT ", E = %" PetscInt_FMT ")", N, E));
  PetscCall(CheckRoundTrip(t, g, "fc(3,[2,1])"));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 25, 25, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNGraphGetDescription(g, &desc));
  PetscCall(KNTestOk(t, (PetscBool)(E == 300 && N == 2), "fc(3, [25,25]): E = 300 (got %" PetscInt_FMT ")", E));
  PetscCall(KNTestOk(t, (PetscBool)!strcmp(desc, "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 3, \"repeat\": [25, 25]}}"), "fc description is the reference JSON form: %s", desc));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 10, 10, &g));
  PetscCall(KNGraphGetSizes(g, NULL, &E));
  PetscCall(KNTestOk(t, (PetscBool)(E == 120), "fc(3, [10,10]): E = 120 (got %" PetscInt_FMT ")", E));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 4, PETSC_FALSE, 1, 0, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  {
    const PetscInt *src, *dst;
    PetscBool       noground = PETSC_TRUE;

    PetscCall(KNGraphGetEdges(g, &src, &dst));
    for (PetscInt e = 0; e < E; e++)
      if (!src[e] || !dst[e]) noground = PETSC_FALSE;
    PetscCall(KNTestOk(t, (PetscBool)(N == 4 && E == 12 && noground && src[0] == 1 && dst[0] == 2), "fc(4, no ground, [1,0]): N = 4, E = 12, no ground edge"));
  }
  PetscCall(CheckRoundTrip(t, g, "fc(4, no ground)"));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static const PetscInt NE3x3[] = {1, 2, 1, 4, 1, 5, 2, 1, 2, 4, 2, 5, 4, 1, 4, 2, 4, 5, 5, 1, 5, 2, 5, 4, 2, 3, 2, 5, 2, 6, 3, 2, 3, 5, 3, 6, 5, 2, 5, 3, 5, 6, 6, 2, 6, 3, 6, 5,
                                 4, 5, 4, 7, 4, 8, 5, 4, 5, 7, 5, 8, 7, 4, 7, 5, 7, 8, 8, 4, 8, 5, 8, 7, 5, 6, 5, 8, 5, 9, 6, 5, 6, 8, 6, 9, 8, 5, 8, 6, 8, 9, 9, 5, 9, 6, 9, 8};

static PetscErrorCode TestNE(KNTest *t)
{
  KNGraph   g;
  PetscInt  N, E;
  PetscBool eq;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateNeighbor(PETSC_COMM_WORLD, 1, 3, 3, 2, PETSC_FALSE, 1, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(EdgesEqual(g, 48, NE3x3, &eq));
  PetscCall(KNTestOk(t, (PetscBool)(eq && N == 9), "ne(1,3,3,k=2) is the 48-edge list of spec 3.2, N = 9"));
  PetscCall(CheckRoundTrip(t, g, "ne 3x3"));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphCreateNeighbor(PETSC_COMM_WORLD, 1, 3, 3, 2, PETSC_TRUE, 1, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNTestOk(t, (PetscBool)(E == 64 && N == 9), "ne 3x3 k=2 with padding: E = 64 (got %" PetscInt_FMT ")", E));
  PetscCall(CheckRoundTrip(t, g, "ne 3x3 padded"));
  PetscCall(KNGraphDestroy(&g));

  /* E_NE = repeat (W-k+1)(H-k+1)(Ck^2)(Ck^2-1), non-square and multi-channel */
  PetscCall(KNGraphCreateNeighbor(PETSC_COMM_WORLD, 2, 5, 4, 3, PETSC_FALSE, 2, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNTestOk(t, (PetscBool)(E == 2 * 3 * 2 * 18 * 17 && N == 40), "ne(2,5,4,k=3,repeat 2): E = %d (got %" PetscInt_FMT "), N = 40", 2 * 3 * 2 * 18 * 17, E));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphCreateNeighbor(PETSC_COMM_WORLD, 1, 28, 28, 4, PETSC_FALSE, 1, &g));
  PetscCall(KNGraphGetSizes(g, NULL, &E));
  PetscCall(KNTestOk(t, (PetscBool)(E == 150000), "mnist NE block: E_NE = 150000 (got %" PetscInt_FMT ")", E));
  PetscCall(KNGraphDestroy(&g));

  /* with padding every pixel still appears, so the largest id is C W H */
  PetscCall(KNGraphCreateNeighbor(PETSC_COMM_WORLD, 2, 4, 3, 3, PETSC_TRUE, 1, &g));
  {
    const PetscInt *src, *dst;
    PetscInt        maxid = 0;

    PetscCall(KNGraphGetSizes(g, &N, &E));
    PetscCall(KNGraphGetEdges(g, &src, &dst));
    for (PetscInt e = 0; e < E; e++) maxid = PetscMax(maxid, PetscMax(src[e], dst[e]));
    PetscCall(KNTestOk(t, (PetscBool)(maxid == 24 && N == 24), "ne(2,4,3,k=3,padding): largest id = N = 24 (got %" PetscInt_FMT ")", maxid));
  }
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestMix(KNTest *t)
{
  KNGraph         g;
  PetscInt        N, E, n = 0, *ex;
  PetscBool       eq;
  const PetscInt *src, *dst;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, 1, 3, 3, 2, 2, 1, 1, PETSC_FALSE, 1, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(PetscMalloc1(2 * 106, &ex));
  PetscCall(PetscArraycpy(ex, NE3x3, 96));
  n = 48;
  for (PetscInt v = 1; v <= 9; v++) {
    ex[2 * n] = v, ex[2 * n + 1] = 0, n++;
    ex[2 * n] = 0, ex[2 * n + 1] = v, n++;
  }
  for (PetscInt p = 10; p <= 11; p++) {
    for (PetscInt i = 0; i <= 9; i++) {
      ex[2 * n] = i, ex[2 * n + 1] = p, n++;
      ex[2 * n] = p, ex[2 * n + 1] = i, n++;
    }
  }
  PetscCall(EdgesEqual(g, 106, ex, &eq));
  PetscCall(KNTestOk(t, (PetscBool)(eq && n == 106 && N == 11), "mix(3x3, k=2, F=2, [1,1]): 106 edges in spec 3.3 order, N = 11 (E = %" PetscInt_FMT ")", E));
  PetscCall(KNGraphGetEdges(g, &src, &dst));
  PetscCall(KNTestOk(t, (PetscBool)(src[48] == 1 && dst[48] == 0 && src[49] == 0 && dst[49] == 1 && src[66] == 0 && dst[66] == 10 && src[67] == 10 && dst[67] == 0), "mix: first appended edges (1,0)(0,1) ... (0,10)(10,0)"));
  PetscCall(CheckRoundTrip(t, g, "mix 3x3"));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, 1, 3, 3, 2, 2, 1, 0, PETSC_FALSE, 1, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  n = 48;
  for (PetscInt v = 1; v <= 9; v++) ex[2 * n] = v, ex[2 * n + 1] = 0, n++;
  for (PetscInt p = 10; p <= 11; p++)
    for (PetscInt i = 0; i <= 9; i++) ex[2 * n] = i, ex[2 * n + 1] = p, n++;
  PetscCall(EdgesEqual(g, 77, ex, &eq));
  PetscCall(KNTestOk(t, (PetscBool)(eq && N == 11), "mix(3x3, k=2, F=2, [1,0]): 77 edges (got %" PetscInt_FMT ")", E));
  PetscCall(PetscFree(ex));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Production sizes of spec 3.3: E = E_NE + M(r0+r1) + F(M+1)(r0+r1) */
static PetscErrorCode TestSizes(KNTest *t)
{
  struct {
    const char *name;
    PetscInt    C, W, k, F, r0, r1, E, N;
  } cases[] = {
    {"mnist",    1, 28, 4, 50, 1, 1, 230068,  834 },
    {"genmnist", 1, 28, 3, 0,  1, 1, 50240,   784 },
    {"cifar10",  3, 32, 4, 50, 1, 0, 2054018, 3122},
  };

  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    KNGraph  g;
    PetscInt N, E;

    PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, cases[i].C, cases[i].W, cases[i].W, cases[i].k, cases[i].F, cases[i].r0, cases[i].r1, PETSC_FALSE, 1, &g));
    PetscCall(KNGraphGetSizes(g, &N, &E));
    PetscCall(KNTestOk(t, (PetscBool)(E == cases[i].E && N == cases[i].N), "%s mix layer: E = %" PetscInt_FMT " (want %" PetscInt_FMT "), N = %" PetscInt_FMT " (want %" PetscInt_FMT ")", cases[i].name, E, cases[i].E, N, cases[i].N));
    PetscCall(KNGraphDestroy(&g));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestChain(KNTest *t)
{
  const PetscInt ex[] = {0, 1, 0, 1, 1, 2, 1, 2, 2, 3, 2, 3};
  KNGraph        g;
  PetscInt       N, E;
  PetscBool      eq;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateChain(PETSC_COMM_WORLD, 3, PETSC_TRUE, 2, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(EdgesEqual(g, 6, ex, &eq));
  PetscCall(KNTestOk(t, (PetscBool)(eq && N == 3), "chain(3, ground, r0=2): (0,1)x2 (1,2)x2 (2,3)x2, N = 3"));
  PetscCall(CheckRoundTrip(t, g, "chain"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphCreateChain(PETSC_COMM_WORLD, 3, PETSC_FALSE, 1, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNTestOk(t, (PetscBool)(E == 3 && N == 4), "chain(3, no ground): E = 3, N = 4"));
  PetscCall(CheckRoundTrip(t, g, "chain without ground"));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNGraphView writes sizes, checksum, description and degrees; checked through an ASCII file viewer. */
static PetscErrorCode TestView(KNTest *t)
{
  KNGraph     g;
  PetscViewer v;
  char        path[PETSC_MAX_PATH_LEN], text[4096] = "", sum[17], line[64];
  const char *root = getenv("KN_BUILD_ROOT");
  FILE       *fp;
  size_t      n;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/t001-view.txt", root ? root : "."));
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 2, 1, &g));
  PetscCall(PetscViewerASCIIOpen(PETSC_COMM_WORLD, path, &v));
  PetscCall(KNGraphView(g, v));
  PetscCall(PetscViewerDestroy(&v));
  PetscCall(KNGraphGetChecksum(g, sum));
  fp = fopen(path, "r");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot read %s", path);
  n       = fread(text, 1, sizeof(text) - 1, fp);
  text[n] = '\0';
  (void)fclose(fp);
  (void)remove(path);
  PetscCall(PetscSNPrintf(line, sizeof(line), "checksum (FNV-1a 64): %s", sum));
  PetscCall(KNTestOk(t, (PetscBool)(strstr(text, "2 state nodes") && strstr(text, "18 edges") && strstr(text, line) && strstr(text, "_fully_connect") && strstr(text, "in-degree min/max: 6 / 6")), "KNGraphView prints sizes, checksum, description, degrees"));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestFC(&t));
  PetscCall(TestNE(&t));
  PetscCall(TestMix(&t));
  PetscCall(TestSizes(&t));
  PetscCall(TestChain(&t));
  PetscCall(TestView(&t));
  {
    int rc = KNTestEnd(&t);

    PetscCall(PetscFinalize());
    return rc;
  }
}
