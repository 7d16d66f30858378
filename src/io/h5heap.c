/* The global heap of an HDF5 file, checked before a variable-length string is read from it. HDF5 1.10.8 reads such a
   string from a global heap collection ("GCOL") and, loading the collection, walks its objects by their sizes
   (H5HG__cache_heap_deserialize): a free-space object of size 0 never advances, and the read loops forever (fuzz
   finding, tests/fuzz/corpus/model/regress-*). No HDF5 call bounds that, so the collections are walked here first, the
   same way, on the file's bytes. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ioimpl.h"
#include "h5util.h"

#define KN_GCOL_HEADER 16 /* "GCOL", version 1, 3 reserved bytes, the collection size (8 bytes) */
#define KN_GCOL_OBJHDR 16 /* object index (2), references (2), reserved (4), size (8) */
#define KN_SCAN_CHUNK  (1 << 20)

static PetscInt64 LE(const unsigned char *p, int n)
{
  PetscInt64 v = 0;

  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* The collection at byte a (its header read): NULL if HDF5 can walk it to its end, else what is wrong. */
static const char *WalkCollection(int fd, off_t a, PetscInt64 size, PetscInt64 filesize)
{
  PetscInt64 p = KN_GCOL_HEADER;

  if (size < KN_GCOL_HEADER || size > filesize - (PetscInt64)a) return "has a size past the end of the file";
  while (p + KN_GCOL_OBJHDR <= size) { /* a shorter tail is free space, as HDF5 takes it */
    unsigned char h[KN_GCOL_OBJHDR];
    PetscInt64    idx, osize, need;

    if (pread(fd, h, sizeof(h), a + (off_t)p) != (ssize_t)sizeof(h)) return "cannot be read";
    idx   = LE(h, 2);
    osize = LE(h + 8, 8);
    if (osize < 0 || osize > size) return "holds an object larger than the collection";
    need = idx > 0 ? KN_GCOL_OBJHDR + ((osize + 7) / 8) * 8 : osize; /* free space (index 0) includes its header */
    if (need <= 0) return "holds a free-space object of size 0 (HDF5 1.10 would loop forever reading it)";
    if (need > size - p) return "holds an object past the end of the collection";
    p += need;
  }
  return NULL;
}

/* Scans the file for collections; *bad = the byte of the first one HDF5 cannot walk (-1: none) and why. */
static PetscErrorCode Scan(int fd, PetscInt64 filesize, PetscInt64 *bad, const char **why)
{
  unsigned char *buf;

  PetscFunctionBegin;
  *bad = -1, *why = NULL;
  PetscCall(PetscMalloc1(KN_SCAN_CHUNK + 3, &buf));
  for (off_t off = 0; off < (off_t)filesize && *bad < 0; off += KN_SCAN_CHUNK) {
    ssize_t got = pread(fd, buf, KN_SCAN_CHUNK + 3, off); /* 3 more: a signature across the chunk boundary */

    if (got < 0) break;
    for (ssize_t i = 0; i + 4 <= got && i < KN_SCAN_CHUNK && *bad < 0; i++) {
      unsigned char h[KN_GCOL_HEADER];

      if (memcmp(buf + i, "GCOL", 4)) continue;
      if (pread(fd, h, sizeof(h), off + i) != (ssize_t)sizeof(h) || h[4] != 1 || h[5] || h[6] || h[7]) continue; /* not a collection: HDF5 refuses it with an error */
      *why = WalkCollection(fd, off + i, LE(h + 8, 8), filesize);
      if (*why) *bad = (PetscInt64)(off + i);
    }
  }
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  KNH5CheckGlobalHeap_Private - before a variable-length read from the file of loc: every global heap collection of the
  file must be one HDF5 can walk to its end; else an error naming the file and the collection's byte. The last file
  found good (device, inode, size, modification time) is not scanned again. Not collective.
*/
PetscErrorCode KNH5CheckGlobalHeap_Private(MPI_Comm comm, hid_t loc, const char where[])
{
  static struct stat good;
  static PetscBool    have = PETSC_FALSE;
  struct stat         st;
  char                name[PETSC_MAX_PATH_LEN];
  hid_t               fid = H5Iget_file_id(loc);
  ssize_t             len = fid < 0 ? -1 : H5Fget_name(fid, name, sizeof(name));
  PetscInt64          bad = -1;
  const char         *why = NULL;
  int                 fd;

  PetscFunctionBegin;
  if (fid >= 0) (void)H5Fclose(fid);
  PetscCheck(len > 0 && (size_t)len < sizeof(name), comm, PETSC_ERR_FILE_READ, "%s: cannot tell which file to check before reading a variable-length string", where);
  fd = open(name, O_RDONLY);
  PetscCheck(fd >= 0, comm, PETSC_ERR_FILE_OPEN, "%s: cannot open %s to check its global heap before reading a variable-length string: %s", where, name, strerror(errno));
  if (fstat(fd, &st) == 0 && have && st.st_dev == good.st_dev && st.st_ino == good.st_ino && st.st_size == good.st_size && st.st_mtim.tv_sec == good.st_mtim.tv_sec && st.st_mtim.tv_nsec == good.st_mtim.tv_nsec) {
    (void)close(fd);
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(Scan(fd, (PetscInt64)st.st_size, &bad, &why));
  (void)close(fd);
  PetscCheck(bad < 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: corrupt HDF5 file: the global heap collection at byte %" PetscInt64_FMT " (where variable-length strings are kept) %s", where, bad, why);
  good = st, have = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}
