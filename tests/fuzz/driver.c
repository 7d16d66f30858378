/* Runs a fuzz target without libFuzzer over files given on the command line (or every file of given directories):
   the regression corpus in the test suite, with any compiler. Exit 0 if no input crashed. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzzimpl.h"

static int RunFile(const char path[])
{
  FILE    *f = fopen(path, "rb");
  uint8_t *buf;
  long     n;

  if (!f) return fprintf(stderr, "cannot open %s\n", path), 1;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) return fclose(f), free(buf), fprintf(stderr, "cannot read %s\n", path), 1;
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)n);
  free(buf);
  printf("ok - %s\n", path);
  return 0;
}

int main(int argc, char **argv)
{
  int rc = 0, count = 0;

  if (LLVMFuzzerInitialize(&argc, &argv)) return 2;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (argv[i][0] == '-') continue; /* PETSc options */
    if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
      DIR           *d = opendir(argv[i]);
      struct dirent *e;
      char           path[4096];
      while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
        rc |= RunFile(path), count++;
      }
      if (d) closedir(d);
    } else rc |= RunFile(argv[i]), count++;
  }
  printf("1..%d\n", count);
  PetscFinalize();
  return rc;
}
