/* outfile: see outfile.h. */
#include "outfile.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum mode { M_RENAME, M_DIRECT, M_STDOUT };

struct outfile {
	char *user;   /* the path as given */
	char *final;  /* M_RENAME: the file renamed over (a link's target) */
	enum mode mode;
	enum outfile_kind kind;
	int fd;       /* the temporary file, or (direct text) the target */
	int slot;     /* the registry slot of a named temporary, or -1 */
	char name[64];/* what outfile_path() returns for an unnamed temporary */
	FILE *stream;
};

/* Named temporary files of this process, for signal handlers to remove. */
#define MAX_TEMPS 8
static char temp_names[MAX_TEMPS][PATH_MAX];
static volatile sig_atomic_t temp_used[MAX_TEMPS];

static int register_temp(const char *name)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (!temp_used[i]) {
			size_t n = strlen(name);
			if (n >= sizeof temp_names[i])
				return -1;
			memcpy(temp_names[i], name, n + 1);
			temp_used[i] = 1;
			return i;
		}
	return -1;
}

static void unregister_temp(int slot, int remove)
{
	if (slot < 0)
		return;
	if (remove)
		unlink(temp_names[slot]);
	temp_used[slot] = 0;
}

void outfile_unlink_temps(void)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temp_used[i])
			unlink(temp_names[i]);
}

static void die_cleanly(int sig)
{
	outfile_unlink_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

void outfile_clean_on_signals(void)
{
	struct sigaction sa = {.sa_handler = die_cleanly};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

const char *outfile_no_space(int err)
{
	switch (err) {
	case ENOSPC: return "disk full (ENOSPC: No space left on device)";
	case EDQUOT: return "disk full for this user (EDQUOT: Disk quota exceeded)";
	case EFBIG: return "disk full as far as this process may write (EFBIG: File too large; see ulimit -f)";
	default: return NULL;
	}
}

static const char *errno_name(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ENOENT, "ENOENT"}, {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"}, {EACCES, "EACCES"}, {EPERM, "EPERM"},
		{EROFS, "EROFS"}, {ENAMETOOLONG, "ENAMETOOLONG"}, {ELOOP, "ELOOP"}, {EPIPE, "EPIPE"}, {ENXIO, "ENXIO"},
		{EIO, "EIO"}, {EMFILE, "EMFILE"}, {EBUSY, "EBUSY"}, {ETXTBSY, "ETXTBSY"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].e == e)
			return names[i].name;
	return NULL;
}

/* "cannot VERB PATH: reason (ENAME...)", naming the directory that is
 * missing or is not one. */
static int fail_errno(char *err, size_t errlen, const char *verb, const char *path, int e)
{
	const char *full = outfile_no_space(e), *name = errno_name(e);
	char dir[PATH_MAX], more[PATH_MAX + 64] = "";
	if (e == ENOENT || e == ENOTDIR) {
		char copy[PATH_MAX];
		snprintf(copy, sizeof copy, "%s", path);
		snprintf(dir, sizeof dir, "%s", dirname(copy));
		struct stat st;
		int is_file = stat(dir, &st) == 0 && !S_ISDIR(st.st_mode);
		snprintf(more, sizeof more, ": %s%s %s", is_file || e == ENOENT ? "" : "a part of ", dir,
			 e == ENOENT ? "does not exist" : "is not a directory");
	}
	if (full)
		snprintf(err, errlen, "cannot %s %s: %s", verb, path, full);
	else if (name)
		snprintf(err, errlen, "cannot %s %s: %s (%s%s)", verb, path, strerror(e), name, more);
	else
		snprintf(err, errlen, "cannot %s %s: %s", verb, path, strerror(e));
	return -1;
}

static void host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '/')
			*c = '_';
}

static const char *temp_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

void outfile_temp_name(const char *path, long pid, char *buf, size_t len)
{
	char host[256];
	struct stat st;
	host_name(host, sizeof host);
	/* a direct target's (binary) output is built in $TMPDIR */
	if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
		snprintf(buf, len, "%s/mnsim-out.tmp.%s.%ld", temp_dir(), host, pid);
	else
		snprintf(buf, len, "%s.tmp.%s.%ld", path, host, pid);
}

int outfile_is_stale_temp(const char *name)
{
	const char *t = NULL, *dot = strrchr(name, '.');
	for (const char *at = strstr(name, ".tmp."); at; at = strstr(at + 1, ".tmp."))
		t = at; /* the last one: the target's own name may hold ".tmp." */
	if (!t || !dot || dot < t + 5)
		return 0;
	char host[256], *end;
	host_name(host, sizeof host);
	long pid = strtol(dot + 1, &end, 10);
	if (*end || pid <= 0 || (size_t)(dot - (t + 5)) != strlen(host) || strncmp(t + 5, host, strlen(host)) != 0)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* O_TMPFILE files are linked into place through /proc (linkat needs it
 * without CAP_DAC_READ_SEARCH).  Only streams use them: HDF5 opens its file
 * by name and will not take a /proc/self/fd name (it resolves it). */
static int unnamed_possible(const struct outfile *o)
{
	const char *no = getenv("MNSIM_NO_TMPFILE"); /* to test the named fallback */
	return o->kind == OUTFILE_TEXT && !(no && *no && strcmp(no, "0") != 0) && access("/proc/self/fd", X_OK) == 0;
}

static void dir_of(const char *path, char *buf, size_t len)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	snprintf(buf, len, "%s", dirname(copy));
}

/* see outfile.h */
/* Removes the stale temporaries in dir whose names start with prefix. */
static void remove_stale(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[PATH_MAX * 2];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && outfile_is_stale_temp(e->d_name))
			unlink(path);
	}
	if (d)
		closedir(d);
}

void outfile_remove_stale(const char *final)
{
	char dir[PATH_MAX], base[PATH_MAX], copy[PATH_MAX];
	dir_of(final, dir, sizeof dir);
	snprintf(copy, sizeof copy, "%s", final);
	snprintf(base, sizeof base, "%s.tmp.", basename(copy));
	remove_stale(dir, base);
}

void outfile_remove_stale_in(const char *dir) { remove_stale(dir, ""); }

/* An unnamed temporary file in dir (O_TMPFILE) for a stream, else one named
 * `named` (registered, so that a signal removes it).  -1 with errno. */
static int open_temp(struct outfile *o, const char *dir, const char *named)
{
	if (unnamed_possible(o)) {
		int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
		if (fd >= 0) {
			snprintf(o->name, sizeof o->name, "/proc/self/fd/%d", fd);
			return fd;
		}
		/* EOPNOTSUPP (no O_TMPFILE in this file system), EISDIR or
		 * EINVAL (old kernels): use a name */
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return -1;
	}
	if ((o->slot = register_temp(named)) < 0) {
		errno = strlen(named) >= PATH_MAX ? ENAMETOOLONG : EMFILE;
		return -1;
	}
	int fd = open(named, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST && unlink(named) == 0) /* left by a process of the same number */
		fd = open(named, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;
		unregister_temp(o->slot, 0);
		o->slot = -1;
		errno = e;
	}
	return fd;
}

int outfile_same_file(const char *a, const char *b)
{
	struct stat x, y;
	return a && b && stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino && S_ISREG(x.st_mode);
}

int outfile_scratch(void)
{
	int fd = open(temp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	char name[PATH_MAX];
	snprintf(name, sizeof name, "%s/mnsim-scratch.XXXXXX", temp_dir());
	if ((fd = mkostemp(name, O_CLOEXEC)) >= 0)
		unlink(name);
	return fd;
}

/* The target's kind: 0 regular or absent, 1 direct, or -1 with err. */
static int classify(const char *path, enum outfile_kind kind, char *err, size_t errlen)
{
	struct stat st;
	if (path[strlen(path) - 1] == '/') {
		snprintf(err, errlen, "cannot write %s: it names a directory (a trailing '/'): expected a file", path);
		return -1;
	}
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return fail_errno(err, errlen, "write", path, errno);
		char dir[PATH_MAX];
		dir_of(path, dir, sizeof dir);
		if (stat(dir, &st) != 0)
			return fail_errno(err, errlen, "create", path, errno);
		if (!S_ISDIR(st.st_mode))
			return fail_errno(err, errlen, "create", path, ENOTDIR);
		if (access(dir, W_OK) != 0)
			return fail_errno(err, errlen, "create", path, errno);
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return fail_errno(err, errlen, "write", path, EISDIR);
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "cannot write %s: it is a block device (a disk): refusing to write onto it", path);
		return -1;
	}
	if (kind == OUTFILE_BINARY && S_ISCHR(st.st_mode)) {
		int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		int tty = fd >= 0 && isatty(fd);
		if (fd >= 0)
			close(fd);
		if (tty) {
			snprintf(err, errlen, "cannot write %s: it is a terminal, and the output is a binary HDF5 file", path);
			return -1;
		}
	}
	return 1;
}

int outfile_check(const char *path, enum outfile_kind kind, char *err, size_t errlen)
{
	if (!path || !*path) {
		snprintf(err, errlen, "the output path is empty");
		return 1;
	}
	if (strcmp(path, "-") == 0) {
		if (kind == OUTFILE_BINARY && isatty(1)) {
			snprintf(err, errlen, "cannot write the binary HDF5 output to standard output: it is a terminal");
			return -1;
		}
		return 0;
	}
	return classify(path, kind, err, errlen) < 0 ? -1 : 0;
}

struct outfile *outfile_open(const char *path, enum outfile_kind kind, char *err, size_t errlen)
{
	int c = outfile_check(path, kind, err, errlen);
	if (c != 0)
		return NULL;
	struct outfile *o = calloc(1, sizeof *o);
	if (!o)
		abort();
	o->user = strdup(path);
	o->kind = kind;
	o->slot = -1;
	o->fd = -1;
	char named[PATH_MAX + 300];
	if (strcmp(path, "-") == 0)
		o->mode = M_STDOUT;
	else if ((c = classify(path, kind, err, errlen)) < 0)
		goto fail;
	else
		o->mode = c == 1 ? M_DIRECT : M_RENAME;
	if (o->mode == M_RENAME) {
		char real[PATH_MAX], dir[PATH_MAX];
		struct stat st;
		/* follow a symbolic link: replace its target, keep it */
		o->final = lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, real) ? strdup(real) : strdup(path);
		dir_of(o->final, dir, sizeof dir);
		outfile_temp_name(o->final, (long)getpid(), named, sizeof named);
		if ((o->fd = open_temp(o, dir, named)) < 0) {
			fail_errno(err, errlen, "create", path, errno);
			goto fail;
		}
	} else if (kind == OUTFILE_TEXT && o->mode == M_DIRECT) {
		if ((o->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
			fail_errno(err, errlen, "write", path, errno);
			goto fail;
		}
	} else if (kind == OUTFILE_BINARY) {
		/* built in $TMPDIR, copied into the target at the end */
		outfile_temp_name(path, (long)getpid(), named, sizeof named);
		if ((o->fd = open_temp(o, temp_dir(), named)) < 0) {
			fail_errno(err, errlen, "create a temporary file in", temp_dir(), errno);
			goto fail;
		}
	}
	return o;
fail:
	outfile_abort(o);
	return NULL;
}

struct outfile *outfile_open_text(const char *path, FILE **stream, char *err, size_t errlen)
{
	struct outfile *o = outfile_open(path, OUTFILE_TEXT, err, errlen);
	if (o && !(*stream = outfile_stream(o))) {
		fail_errno(err, errlen, "write", path, errno);
		outfile_abort(o);
		o = NULL;
	}
	return o;
}

const char *outfile_path(const struct outfile *o)
{
	return o->slot >= 0 ? temp_names[o->slot] : o->name;
}

FILE *outfile_stream(struct outfile *o)
{
	if (o->stream)
		return o->stream;
	if (o->mode == M_STDOUT && o->kind == OUTFILE_TEXT)
		return o->stream = stdout;
	int fd = dup(o->fd); /* the stream closes its own descriptor; o->fd stays for linkat */
	if (fd < 0 || !(o->stream = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return o->stream;
}

int outfile_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies the temporary file into fd; -1 with errno. */
static int copy_into(int from, int to)
{
	char buf[1 << 16];
	off_t at = 0;
	for (;;) {
		ssize_t r = pread(from, buf, sizeof buf, at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		if (outfile_write_all(to, buf, (size_t)r) != 0)
			return -1;
		at += r;
	}
}

static void free_outfile(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	free(o->user);
	free(o->final);
	free(o);
}

/* Puts the finished temporary file in place of o->final. */
static int put_in_place(struct outfile *o, char *err, size_t errlen)
{
	if (o->slot >= 0) { /* a named temporary: rename it */
		if (rename(temp_names[o->slot], o->final) != 0)
			return fail_errno(err, errlen, "write", o->user, errno);
		unregister_temp(o->slot, 0);
		o->slot = -1;
		return 0;
	}
	/* an unnamed one: give it a temporary name, then rename that over the
	 * target (linkat cannot replace a file) */
	char named[PATH_MAX + 300];
	outfile_temp_name(o->final, (long)getpid(), named, sizeof named);
	int slot = register_temp(named);
	int rc = linkat(AT_FDCWD, o->name, AT_FDCWD, named, AT_SYMLINK_FOLLOW);
	if (rc != 0 && errno == EEXIST && unlink(named) == 0)
		rc = linkat(AT_FDCWD, o->name, AT_FDCWD, named, AT_SYMLINK_FOLLOW);
	if (rc == 0 && rename(named, o->final) != 0) {
		int e = errno;
		unlink(named);
		errno = e;
		rc = -1;
	}
	int e = errno;
	unregister_temp(slot, 0);
	return rc == 0 ? 0 : fail_errno(err, errlen, "write", o->user, e);
}

int outfile_commit(struct outfile *o, char *err, size_t errlen)
{
	int rc = 0;
	if (o->stream) {
		int bad = fflush(o->stream) != 0 || ferror(o->stream);
		int e = errno;
		if (o->stream != stdout && fclose(o->stream) != 0 && !bad)
			bad = 1, e = errno;
		o->stream = NULL;
		if (bad)
			rc = fail_errno(err, errlen, "write", o->mode == M_STDOUT ? "standard output" : o->user, e ? e : EIO);
	}
	if (rc == 0 && o->mode == M_RENAME) {
		rc = put_in_place(o, err, errlen);
	} else if (rc == 0 && o->kind == OUTFILE_BINARY) {
		int to = o->mode == M_STDOUT ? 1 : open(o->user, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (to < 0 || copy_into(o->fd, to) != 0)
			rc = fail_errno(err, errlen, "write", o->mode == M_STDOUT ? "standard output" : o->user, errno);
		if (to > 1 && close(to) != 0 && rc == 0)
			rc = fail_errno(err, errlen, "write", o->user, errno);
	}
	unregister_temp(o->slot, 1);
	o->slot = -1;
	free_outfile(o);
	return rc;
}

int outfile_install(const char *written, const char *path, char *err, size_t errlen)
{
	struct outfile *o = outfile_open(path, OUTFILE_BINARY, err, errlen);
	int from = o ? open(written, O_RDONLY | O_CLOEXEC) : -1;
	int rc = !o ? -1 : from < 0 || copy_into(from, o->fd) != 0 ? fail_errno(err, errlen, "write", path, errno) : 0;
	if (from >= 0)
		close(from);
	unlink(written);
	if (rc != 0) {
		outfile_abort(o);
		return -1;
	}
	return outfile_commit(o, err, errlen);
}

void outfile_abort(struct outfile *o)
{
	if (!o)
		return;
	if (o->stream && o->stream != stdout)
		fclose(o->stream);
	unregister_temp(o->slot, 1);
	free_outfile(o);
}
