/* KNGetVersion: the version and git commit the library was built from (recorded in model files). */
#include <kn/knsys.h>
#include "sys/knversion.h"

/*@C
  KNGetVersion - the library's version (meson project version) and the git commit it was built from

  Not Collective

  Output Parameters:
+ version - e.g. "0.1.0" (or NULL)
- git - the commit hash (12 digits, "-dirty" if the tree had changes), or "unknown" for a build outside a git
        checkout, e.g. from a release tarball (or NULL)

  Level: beginner

.seealso: KNNetSave()
@*/
PetscErrorCode KNGetVersion(const char **version, const char **git)
{
  PetscFunctionBegin;
  if (version) *version = KN_VERSION_STRING;
  if (git) *git = KN_GIT_HASH;
  PetscFunctionReturn(KN_SUCCESS);
}
