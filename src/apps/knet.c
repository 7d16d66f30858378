static char help[] = "knet: KirchhoffNet command line (subcommands are being added).\n";

#include <kn.h>

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "usage: knet <subcommand> [options]\n"));
  PetscCall(PetscFinalize());
  return 1;
}
