/* atomicfile: an output file written under a temporary name (PATH.tmp.PID)
 * and renamed to PATH only when every write has succeeded, so that a failed
 * command never leaves a partial file under the name a user reads; every
 * write error (a full disk above all) is reported, never ignored. */
#ifndef MNSIM_ATOMICFILE_H
#define MNSIM_ATOMICFILE_H
#include <stddef.h>
#include <stdio.h>

struct atomicfile { FILE *f; char path[4096], tmp[4200]; };

/* Opens PATH.tmp.PID for writing; NULL with the reason in err. */
FILE *atomicfile_open(struct atomicfile *a, const char *path, char *err, size_t errlen);
/* Flushes, checks that every write succeeded, closes and renames; on any
 * failure removes the temporary file and says why ("disk full" for ENOSPC
 * and EFBIG). */
int atomicfile_commit(struct atomicfile *a, char *err, size_t errlen);
/* Closes and removes the temporary file. */
void atomicfile_abort(struct atomicfile *a);
/* Renames an already written temporary file (e.g. one gnuplot wrote) to
 * its final name, or removes it; 0 or -1 with the reason. */
int atomicfile_rename(const char *tmp, const char *path, char *err, size_t errlen);
/* strerror(e), with "disk full" added where that is what e means. */
const char *atomicfile_strerror(int e);

#endif
