/* atomicfile: see atomicfile.h. */
#include "atomicfile.h"
#include "textutil.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

const char *atomicfile_strerror(int e)
{
	if (e == ENOSPC || e == EFBIG || e == EDQUOT)
		return e == EFBIG ? "disk full (file too large)" : "disk full (no space left on device)";
	return strerror(e);
}

FILE *atomicfile_open(struct atomicfile *a, const char *path, char *err, size_t errlen)
{
	snprintf(a->path, sizeof a->path, "%s", path);
	snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
	a->f = fopen(a->tmp, "w");
	if (!a->f)
		failf(err, errlen, "cannot write %s: %s", path, atomicfile_strerror(errno));
	return a->f;
}

int atomicfile_commit(struct atomicfile *a, char *err, size_t errlen)
{
	errno = 0;
	int bad = fflush(a->f) != 0 || ferror(a->f);
	int e = errno ? errno : EIO;
	if (fclose(a->f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	a->f = NULL;
	if (bad) {
		unlink(a->tmp);
		return failf(err, errlen, "cannot write %s: %s", a->path, atomicfile_strerror(e));
	}
	return atomicfile_rename(a->tmp, a->path, err, errlen);
}

void atomicfile_abort(struct atomicfile *a)
{
	if (a->f)
		fclose(a->f);
	a->f = NULL;
	unlink(a->tmp);
}

int atomicfile_rename(const char *tmp, const char *path, char *err, size_t errlen)
{
	if (rename(tmp, path) == 0)
		return 0;
	int e = errno;
	unlink(tmp);
	return failf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(e));
}
