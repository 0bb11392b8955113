/* import: see import.h.  The rules that turn events into ops are those of
 * DESIGN.md section 10; each is counted under the name the summary shows.
 *
 * A perf script line is "COMM TID [CPU] SECONDS: SYSTEM:EVENT: FIELDS" or,
 * with -F comm,pid,tid,cpu,time,event,trace, "COMM PID/TID [CPU] ...".  COMM
 * may hold blanks, so a line is read from its "[CPU]" field outwards.
 *
 * Pass 1 plays every event on the importer's own picture of each address
 * space (its mappings and the pages the trace has made present) to learn the
 * processes, the streams, the pages the recorded process touched (for the
 * devices) and the faults outside every known mapping (a binary the kernel
 * mapped at exec, a stack that grew): those are gathered into inferred
 * mappings, each an `mmap` before its first fault.  Pass 2 plays them again
 * and writes; the header comes first, so the events go to a temporary file
 * that is copied after it. */
#include "import.h"
#include "gen.h"
#include "optable.h"
#include "rangeset.h"
#include "textutil.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_MASK_LO ((uint64_t)PAGE_SIZE - 1)
#define USER_END (1ULL << 47)
/* inferred faults closer than this, with nothing ever mapped between, are one mapping */
#define INFER_GAP (2ULL << 20)

/* ---- counters by name ---- */

struct stat_entry { char name[56]; uint64_t n; };
struct import_stats { struct stat_entry e[512]; size_t n; };

static void stat_add(struct import_stats *st, const char *name, uint64_t k)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->e[i].name, name) == 0) {
			st->e[i].n += k;
			return;
		}
	if (st->n == sizeof st->e / sizeof st->e[0])
		return; /* more kinds than any capture has: the rest is not counted by name */
	snprintf(st->e[st->n].name, sizeof st->e[0].name, "%s", name);
	st->e[st->n++].n = k;
}

static void stat_addf(struct import_stats *st, uint64_t k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void stat_addf(struct import_stats *st, uint64_t k, const char *fmt, ...)
{
	char name[56];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	for (char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c))
			*c = '_';
		else
			*c = (char)tolower((unsigned char)*c);
	stat_add(st, name, k);
}

uint64_t import_stat(const struct import_stats *st, const char *name)
{
	for (size_t i = 0; st && i < st->n; i++)
		if (strcmp(st->e[i].name, name) == 0)
			return st->e[i].n;
	return 0;
}

void import_stats_free(struct import_stats *st) { free(st); }

static int entry_cmp(const void *a, const void *b) { return strcmp(((const struct stat_entry *)a)->name, ((const struct stat_entry *)b)->name); }

/* ---- a set of pages (VA page numbers): open addressing with tombstones ---- */

#define PS_EMPTY 0
#define PS_GONE 1 /* page numbers 0 and 1 are never user pages */

struct pageset { uint64_t *slot; size_t cap, n, used; };

static size_t ps_hash(uint64_t k, size_t cap)
{
	k ^= k >> 31;
	k *= 0x9e3779b97f4a7c15ULL;
	k ^= k >> 29;
	return (size_t)k & (cap - 1);
}

static void ps_insert_raw(struct pageset *s, uint64_t k)
{
	size_t i = ps_hash(k, s->cap);
	while (s->slot[i] != PS_EMPTY && s->slot[i] != PS_GONE)
		i = (i + 1) & (s->cap - 1);
	if (s->slot[i] == PS_EMPTY)
		s->used++;
	s->slot[i] = k;
	s->n++;
}

static void ps_rehash(struct pageset *s, size_t cap)
{
	uint64_t *old = s->slot;
	size_t old_cap = s->cap;
	if (!(s->slot = calloc(cap, sizeof *s->slot)))
		abort();
	s->cap = cap;
	s->n = s->used = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i] > PS_GONE)
			ps_insert_raw(s, old[i]);
	free(old);
}

static int ps_has(const struct pageset *s, uint64_t k)
{
	if (!s->cap)
		return 0;
	for (size_t i = ps_hash(k, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == PS_EMPTY)
			return 0;
		if (s->slot[i] == k)
			return 1;
	}
}

static void ps_add(struct pageset *s, uint64_t k)
{
	if (ps_has(s, k))
		return;
	if (2 * (s->used + 1) > s->cap)
		ps_rehash(s, s->cap && 4 * s->n < s->cap ? s->cap : (s->cap ? 2 * s->cap : 64));
	ps_insert_raw(s, k);
}

static void ps_del(struct pageset *s, uint64_t k)
{
	if (!s->cap)
		return;
	for (size_t i = ps_hash(k, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == PS_EMPTY)
			return;
		if (s->slot[i] == k) {
			s->slot[i] = PS_GONE;
			s->n--;
			return;
		}
	}
}

/* Removes the pages of [start, end): page by page for a small range, by a
 * sweep of the table for a large one. */
static void ps_del_range(struct pageset *s, uint64_t start, uint64_t end)
{
	uint64_t lo = start / PAGE_SIZE, hi = (end + PAGE_MASK_LO) / PAGE_SIZE;
	if (hi - lo <= s->cap) {
		for (uint64_t k = lo; k < hi; k++)
			ps_del(s, k);
		return;
	}
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i] > PS_GONE && s->slot[i] >= lo && s->slot[i] < hi) {
			s->slot[i] = PS_GONE;
			s->n--;
		}
}

static void ps_copy(struct pageset *dst, const struct pageset *src)
{
	free(dst->slot);
	*dst = *src;
	if (src->cap) {
		if (!(dst->slot = malloc(src->cap * sizeof *dst->slot)))
			abort();
		memcpy(dst->slot, src->slot, src->cap * sizeof *dst->slot);
	}
}

static void ps_free(struct pageset *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- the importer's picture of an address space's mappings ---- */

struct ivma { uint64_t start, end; uint8_t ro, shared, file; };
struct vmalist { struct ivma *v; size_t n, cap; };

static long vl_find(const struct vmalist *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->v[lo].start <= addr ? (long)lo : -1;
}

/* Whether [start, end) is mapped throughout (by one mapping or adjacent ones). */
static int vl_covers(const struct vmalist *l, uint64_t start, uint64_t end)
{
	long i = vl_find(l, start);
	if (i < 0)
		return 0;
	while (l->v[i].end < end) {
		if ((size_t)i + 1 >= l->n || l->v[i + 1].start != l->v[i].end)
			return 0;
		i++;
	}
	return 1;
}

static void vl_insert_at(struct vmalist *l, size_t i, struct ivma v)
{
	if (l->n == l->cap && !(l->v = realloc(l->v, (l->cap = l->cap ? 2 * l->cap : 32) * sizeof *l->v)))
		abort();
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof *l->v);
	l->v[i] = v;
	l->n++;
}

/* Splits the mapping holding addr there, so that addr starts one. */
static void vl_split(struct vmalist *l, uint64_t addr)
{
	long i = vl_find(l, addr);
	if (i < 0 || l->v[i].start == addr)
		return;
	struct ivma tail = l->v[i];
	tail.start = addr;
	l->v[i].end = addr;
	vl_insert_at(l, (size_t)i + 1, tail);
}

static void vl_remove(struct vmalist *l, uint64_t start, uint64_t end)
{
	vl_split(l, start);
	vl_split(l, end);
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (!(l->v[i].start >= start && l->v[i].end <= end))
			l->v[k++] = l->v[i];
	l->n = k;
}

static void vl_add(struct vmalist *l, struct ivma v)
{
	vl_remove(l, v.start, v.end);
	size_t i = 0;
	while (i < l->n && l->v[i].start < v.start)
		i++;
	vl_insert_at(l, i, v);
}

static void vl_copy(struct vmalist *dst, const struct vmalist *src)
{
	free(dst->v);
	*dst = *src;
	if (src->cap) {
		if (!(dst->v = malloc(src->cap * sizeof *dst->v)))
			abort();
		memcpy(dst->v, src->v, src->n * sizeof *dst->v);
	}
}

/* ---- processes (address spaces), tasks and streams ---- */

struct imp_mm {
	char name[48];
	int pid, forked, users, events, exited, used, snapshot;
	struct vmalist vmas;
	struct pageset present;   /* pages the trace has made present */
	struct rangeset ever;     /* pass 1: every range a system call or the snapshot mapped */
	struct rangeset inferred; /* pass 1: pages faulted outside every mapping */
	struct rangeset pieces;   /* pass 2: inferred mappings not yet written */
	uint64_t brk_end;         /* the program break, page aligned; 0 unknown */
};

struct fault_pending { int active, kind, user_allocs, zero_allocs, flush1, other_flush; };
enum { PF_WP = 1, PF_FIRST = 2 };

struct imp_task {
	long tid, pid;
	int mm, stream, gen, alive, tracked;
	int sys_nr;               /* pending system call (0 none) */
	uint64_t sys_args[6];
	long newtask_pid;         /* task_newtask seen in this task: the child and its flags */
	uint64_t newtask_flags;
	struct fault_pending pf;
};

struct imp_stream { char name[48]; int mm; uint64_t events; uint64_t last_ns; };

enum sysno { SYS_NONE, SYS_MMAP, SYS_MUNMAP, SYS_MPROTECT, SYS_MADVISE, SYS_MREMAP, SYS_BRK };
static const char *const sys_names[] = {"", "mmap", "munmap", "mprotect", "madvise", "mremap", "brk"};

struct imp {
	const struct import_opts *o;
	int pass;
	FILE *out;               /* pass 2: the events */
	struct import_stats *st;
	struct imp_mm *mms;
	size_t n_mms;
	struct imp_task *tasks;
	size_t n_tasks;
	struct imp_stream *streams;
	size_t n_streams;
	int root;                /* the recorded process's first address space, -1 until seen */
	uint64_t t0_ns, last_ns, end_ns, bound_end_ns;
	int bound;               /* pass 2: the address space the devices are bound to */
	int have_t0;
	/* pass 1 results kept for pass 2 */
	struct rangeset *inferred_by_mm;
	size_t n_inferred;
	struct touched { struct pageset set; uint64_t *page, *ns; size_t n, cap; } touched; /* the root's pages, in order of first touch */
	struct rangeset gone;    /* root ranges unmapped at some point */
	/* the snapshot */
	struct ivma *snap;
	size_t n_snap;
	struct snap_run { uint64_t start, size; char state[16]; } *runs;
	size_t n_runs;
	uint64_t snap_brk;
	uint64_t snap_skipped;   /* snapshot mappings beyond the user address space */
	/* the line being read, for messages */
	const char *path;
	long lineno;
	int fields_pid;          /* lines carry PID/TID */
};

static struct imp_mm *mm_of(struct imp *im, int m) { return &im->mms[m]; }

/* Pass 2: the devices' process touched page (VA page number) at ns. */
static void touch(struct imp *im, int mm, uint64_t page, uint64_t ns)
{
	struct touched *t = &im->touched;
	if (im->pass != 2 || mm != im->bound || ps_has(&t->set, page))
		return;
	ps_add(&t->set, page);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		if (!(t->page = realloc(t->page, t->cap * sizeof *t->page)) || !(t->ns = realloc(t->ns, t->cap * sizeof *t->ns)))
			abort();
	}
	t->page[t->n] = page;
	t->ns[t->n++] = ns;
}

/* "pPID" or "tTID", with ".N" after the Nth exec. */
static void gen_name(char *buf, size_t len, char prefix, long id, int gen)
{
	if (gen)
		snprintf(buf, len, "%c%ld.%d", prefix, id, gen);
	else
		snprintf(buf, len, "%c%ld", prefix, id);
}

static int new_mm(struct imp *im, long pid, int gen, int forked)
{
	if (!(im->mms = realloc(im->mms, (im->n_mms + 1) * sizeof *im->mms)))
		abort();
	struct imp_mm *m = &im->mms[im->n_mms];
	memset(m, 0, sizeof *m);
	gen_name(m->name, sizeof m->name, 'p', pid, gen);
	m->pid = (int)pid;
	m->forked = forked;
	if (im->pass == 2 && im->n_mms < im->n_inferred)
		rangeset_copy(&m->pieces, &im->inferred_by_mm[im->n_mms]);
	return (int)im->n_mms++;
}

static int new_stream(struct imp *im, long tid, int gen, int mm)
{
	if (!(im->streams = realloc(im->streams, (im->n_streams + 1) * sizeof *im->streams)))
		abort();
	struct imp_stream *s = &im->streams[im->n_streams];
	memset(s, 0, sizeof *s);
	gen_name(s->name, sizeof s->name, 't', tid, gen);
	s->mm = mm;
	return (int)im->n_streams++;
}

static struct imp_task *find_task(struct imp *im, long tid)
{
	for (size_t i = im->n_tasks; i-- > 0;)
		if (im->tasks[i].tid == tid)
			return &im->tasks[i];
	return NULL;
}

static struct imp_task *add_task(struct imp *im, long tid, long pid, int mm, int gen)
{
	if (!(im->tasks = realloc(im->tasks, (im->n_tasks + 1) * sizeof *im->tasks)))
		abort();
	struct imp_task *t = &im->tasks[im->n_tasks++];
	memset(t, 0, sizeof *t);
	t->tid = tid;
	t->pid = pid;
	t->mm = mm;
	t->gen = gen;
	t->alive = t->tracked = 1;
	t->stream = new_stream(im, tid, gen, mm);
	t->newtask_pid = -1;
	mm_of(im, mm)->users++;
	return t;
}

/* ---- writing ops ---- */

/* Writes "STREAM @TIME OP ARGS" (args: a format, may be ""). */
static void op_line(struct imp *im, struct imp_task *t, uint64_t ns, const char *op, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void op_line(struct imp *im, struct imp_task *t, uint64_t ns, const char *op, const char *fmt, ...)
{
	struct imp_stream *s = &im->streams[t->stream];
	struct imp_mm *m = mm_of(im, t->mm);
	s->events++;
	m->events++;
	m->used = 1;
	char args[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	if (ns < s->last_ns) {
		stat_add(im->st, "ambiguous_event_out_of_time_order", 1);
		ns = s->last_ns; /* a stream's times never go back */
	}
	s->last_ns = ns;
	stat_addf(im->st, 1, "ops_%s", op);
	if (im->pass == 2)
		fprintf(im->out, "%s @%" PRIu64 "ns %s%s%s\n", s->name, ns, op, *args ? " " : "", args);
}

static const char *rights(const struct ivma *v) { return v->ro ? (v->shared ? " ro shared" : " ro") : v->shared ? " shared" : ""; }

/* The current mappings' pieces of [start, end), one call each. */
static void for_pieces(struct imp *im, int mm, uint64_t start, uint64_t end, int by_rights,
		       void (*fn)(struct imp *, int, const struct ivma *, uint64_t, uint64_t, void *), void *ctx)
{
	struct vmalist *l = &mm_of(im, mm)->vmas;
	/* a copy: fn may change the list */
	struct ivma *copy = NULL;
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].start < end && start < l->v[i].end) {
			if (!(copy = realloc(copy, (n + 1) * sizeof *copy)))
				abort();
			copy[n++] = l->v[i];
		}
	/* contiguous pieces go as one (by_rights: of the same rights) */
	for (size_t i = 0; i < n;) {
		uint64_t s = copy[i].start > start ? copy[i].start : start, e;
		size_t j = i;
		while (j + 1 < n && copy[j + 1].start == copy[j].end &&
		       (!by_rights || (copy[j + 1].ro == copy[i].ro && copy[j + 1].shared == copy[i].shared)))
			j++;
		e = copy[j].end < end ? copy[j].end : end;
		fn(im, mm, &copy[i], s, e, ctx);
		i = j + 1;
	}
	free(copy);
}

/* ---- the snapshot ---- */

/* Calls fn on every line of a snapshot file (the line, its number). */
static int each_line(struct imp *im, const char *path, int (*fn)(struct imp *, char *, const char *, long, char *, size_t), char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return failf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0)
		rc = fn(im, line, path, ++lineno, err, errlen);
	free(line);
	if (rc == 0 && ferror(f))
		rc = failf(err, errlen, "%s: read error", path);
	fclose(f);
	return rc;
}

/* A line of /proc/PID/maps. */
static int maps_line(struct imp *im, char *line, const char *path, long lineno, char *err, size_t errlen)
{
	unsigned long long start, end, inode, off;
	char perms[8], dev[32], pathname[4096] = "";
	if (line[0] == '#' || line[0] == '\n')
		return 0;
	int got = sscanf(line, "%llx-%llx %7s %llx %31s %llu %4095[^\n]", &start, &end, perms, &off, dev, &inode, pathname);
	if (got < 6 || strlen(perms) != 4 || start >= end || start % PAGE_SIZE || end % PAGE_SIZE)
		return failf(err, errlen, "%s:%ld: expected a /proc/PID/maps line: START-END PERMS OFFSET DEV INODE [PATH]", path, lineno);
	if (end > USER_END) { /* [vsyscall]: beyond the user address space */
		im->snap_skipped++;
		return 0;
	}
	if (strcmp(trim(pathname), "[heap]") == 0)
		im->snap_brk = end;
	if (!(im->snap = realloc(im->snap, (im->n_snap + 1) * sizeof *im->snap)))
		abort();
	im->snap[im->n_snap++] = (struct ivma){start, end, perms[1] != 'w', perms[3] == 's', inode != 0};
	return 0;
}

/* A line of mnsim record's pagemap summary: START SIZE STATE. */
static int pages_line(struct imp *im, char *line, const char *path, long lineno, char *err, size_t errlen)
{
	char *t = trim(line);
	if (!*t || *t == '#')
		return 0;
	unsigned long long start, size;
	char state[16];
	uint64_t last_end = im->n_runs ? im->runs[im->n_runs - 1].start + im->runs[im->n_runs - 1].size : 0;
	if (sscanf(t, "%llx %llx %15s", &start, &size, state) != 3 || start % PAGE_SIZE || !size || size % PAGE_SIZE ||
	    (strcmp(state, "write") && strcmp(state, "zero") && strcmp(state, "cow")) || start < last_end)
		return failf(err, errlen, "%s:%ld: expected 'START SIZE write|zero|cow' (hex, page aligned, in increasing address order)",
			     path, lineno);
	if (!(im->runs = realloc(im->runs, (im->n_runs + 1) * sizeof *im->runs)))
		abort();
	struct snap_run *r = &im->runs[im->n_runs++];
	r->start = start;
	r->size = size;
	snprintf(r->state, sizeof r->state, "%s", state);
	return 0;
}

/* The recorded process's first address space gets the snapshot. */
static void apply_snapshot(struct imp *im, int mm)
{
	struct imp_mm *m = mm_of(im, mm);
	m->snapshot = 1;
	for (size_t i = 0; i < im->n_snap; i++) {
		vl_add(&m->vmas, im->snap[i]);
		rangeset_add(&m->ever, im->snap[i].start, im->snap[i].end);
	}
	for (size_t i = 0; i < im->n_runs; i++)
		for (uint64_t a = im->runs[i].start; a < im->runs[i].start + im->runs[i].size; a += PAGE_SIZE) {
			ps_add(&m->present, a / PAGE_SIZE);
			touch(im, mm, a / PAGE_SIZE, 0);
		}
	m->brk_end = im->snap_brk;
}

/* ---- parsing one line ---- */

struct line {
	char comm[64];
	long pid, tid;
	uint64_t ns;
	char event[64];   /* "system:name" */
	const char *args; /* the fields, after "name: " */
};

static int bad(struct imp *im, char *err, size_t errlen, const char *what)
{
	return failf(err, errlen, "%s:%ld: %s", im->path, im->lineno, what);
}

/* "SECONDS.FRACTION" to nanoseconds, exactly. */
static int parse_time(const char *s, const char **end, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;
	const char *c = s;
	if (!isdigit((unsigned char)*c))
		return -1;
	while (isdigit((unsigned char)*c))
		sec = sec * 10 + (uint64_t)(*c++ - '0');
	if (*c++ != '.')
		return -1;
	while (isdigit((unsigned char)*c)) {
		if (digits < 9) {
			frac = frac * 10 + (uint64_t)(*c - '0');
			digits++;
		}
		c++;
	}
	if (!digits || *c != ':' || sec > 100000000)
		return -1;
	while (digits++ < 9)
		frac *= 10;
	*ns = sec * 1000000000ULL + frac;
	*end = c + 1;
	return 0;
}

static int parse_line(struct imp *im, char *text, struct line *l, char *err, size_t errlen)
{
	/* the [CPU] field: '[', digits, ']', blanks, then the time */
	char *br = NULL;
	for (char *c = strchr(text, '['); c; c = strchr(c + 1, '[')) {
		char *d = c + 1;
		while (isdigit((unsigned char)*d))
			d++;
		if (d == c + 1 || *d != ']')
			continue;
		char *t = d + 1;
		while (*t == ' ')
			t++;
		const char *after;
		if (parse_time(t, &after, &l->ns) == 0) {
			br = c;
			text[br - text] = '\0';
			l->args = after;
			break;
		}
	}
	if (!br)
		return bad(im, err, errlen, "expected a perf script event line: COMM [PID/]TID [CPU] SECONDS: EVENT: FIELDS");
	/* before it: COMM then TID or PID/TID */
	char *end = text + strlen(text);
	while (end > text && end[-1] == ' ')
		*--end = '\0';
	char *id = end;
	while (id > text && id[-1] != ' ')
		id--;
	char *slash = strchr(id, '/');
	char *rest;
	if (slash) {
		l->pid = strtol(id, &rest, 10);
		if (rest != slash)
			return bad(im, err, errlen, "expected PID/TID before the [CPU] field");
		l->tid = strtol(slash + 1, &rest, 10);
		im->fields_pid = 1;
	} else {
		l->pid = -1;
		l->tid = strtol(id, &rest, 10);
	}
	if (rest == id || *rest || l->tid < 0)
		return bad(im, err, errlen, "expected TID or PID/TID before the [CPU] field");
	while (id > text && id[-1] == ' ')
		id--;
	*id = '\0';
	char *comm = text;
	while (*comm == ' ')
		comm++;
	snprintf(l->comm, sizeof l->comm, "%s", comm);
	/* the event: "system:name:" */
	const char *e = l->args;
	while (*e == ' ')
		e++;
	const char *colon1 = strchr(e, ':'), *colon2 = colon1 ? strchr(colon1 + 1, ':') : NULL;
	if (!colon1 || !colon2 || colon2 - e >= (long)sizeof l->event || strchr(e, ' ') < colon2)
		return bad(im, err, errlen, "expected EVENT as SYSTEM:NAME: after the time");
	memcpy(l->event, e, (size_t)(colon2 - e));
	l->event[colon2 - e] = '\0';
	l->args = colon2 + 1;
	while (*l->args == ' ')
		l->args++;
	return 0;
}

/* The value after "key=" or "key: " in the fields. */
static int field_u64(const char *args, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	for (const char *c = args; (c = strstr(c, key)); c++) {
		if (c != args && c[-1] != ' ' && c[-1] != ',')
			continue;
		const char *p = c + kl;
		if (*p == '=' || *p == ':')
			p++;
		else
			continue;
		while (*p == ' ')
			p++;
		char *end;
		errno = 0;
		*v = strtoull(p, &end, 0);
		if (end == p || errno)
			return -1;
		return 0;
	}
	return -1;
}

static int field_str(const char *args, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	for (const char *c = args; (c = strstr(c, key)); c++) {
		if ((c != args && c[-1] != ' ') || c[kl] != '=')
			continue;
		const char *p = c + kl + 1;
		size_t n = strcspn(p, " ");
		snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
		return 0;
	}
	return -1;
}

/* ---- tasks appearing, forking, exiting ---- */

/* The last user of an address space is gone: exit_mmap, when the model
 * holds anything of it (a forked copy, or one the trace used). */
static void mm_release(struct imp *im, struct imp_task *t, uint64_t ns)
{
	struct imp_mm *m = mm_of(im, t->mm);
	if (--m->users > 0 || m->exited)
		return;
	m->exited = 1;
	if (m->forked || m->events) {
		op_line(im, t, ns, "exit", "%s", "");
		stat_add(im->st, "mapped_exit_mmap", 1);
	}
	if (im->pass == 2 && t->mm == im->bound && !im->bound_end_ns)
		im->bound_end_ns = ns;
	ps_free(&m->present);
}

static struct imp_task *task_for_line(struct imp *im, const struct line *l)
{
	struct imp_task *t = find_task(im, l->tid);
	if (t && t->alive)
		return t;
	/* a task the capture did not see being made */
	long pid = l->pid >= 0 ? l->pid : -1;
	if (im->o->pid) {
		if (pid >= 0 && pid != im->o->pid)
			return NULL; /* another process */
		if (pid < 0 && l->tid != im->o->pid) {
			if (im->root < 0)
				return NULL;
			stat_add(im->st, "ambiguous_task_assumed_thread_of_pid", 1);
			pid = im->o->pid;
		}
		if (pid < 0)
			pid = l->tid;
	} else if (pid < 0) {
		pid = l->tid;
	}
	/* a thread of a process already seen, or a new process */
	for (size_t i = im->n_tasks; i-- > 0;) {
		struct imp_task *o = &im->tasks[i];
		if (o->alive && o->pid == pid && !mm_of(im, o->mm)->exited) {
			stat_add(im->st, "mapped_thread_seen_running", 1);
			return add_task(im, l->tid, pid, o->mm, o->gen);
		}
	}
	int mm = new_mm(im, pid, 0, 0);
	if (im->root < 0 && (!im->o->pid || pid == im->o->pid)) {
		im->root = mm;
		apply_snapshot(im, mm);
	}
	stat_add(im->st, "mapped_process_seen_running", 1);
	return add_task(im, l->tid, pid, mm, 0);
}

static void finish_fault(struct imp *im, struct imp_task *t)
{
	struct fault_pending *f = &t->pf;
	if (!f->active)
		return;
	f->active = 0;
	if (f->kind != PF_WP)
		return;
	/* DESIGN.md 10: a write fault on a present page followed by a user page
	 * allocation and a one-page flush is a COW (a zeroed page: zero_fault);
	 * with neither, wp_page_reuse */
	if (f->user_allocs == 1 && f->flush1 >= 1)
		stat_add(im->st, f->zero_allocs ? "rule_zero_fault" : "rule_cow", 1);
	else if (f->user_allocs == 0 && f->flush1 == 0)
		stat_add(im->st, "rule_reuse", 1);
	else
		stat_addf(im->st, 1, "rule_ambiguous_%s", f->user_allocs == 0 ? "flush_without_alloc"
							   : f->flush1 == 0 ? "alloc_without_flush" : "several_allocs");
}

static void do_fork(struct imp *im, struct imp_task *t, const struct line *l)
{
	uint64_t child;
	char ccomm[64];
	if (field_u64(l->args, "child_pid", &child) != 0)
		return;
	(void)field_str(l->args, "child_comm", ccomm, sizeof ccomm);
	struct imp_task *old = find_task(im, (long)child);
	if (old && old->alive) {
		stat_add(im->st, "ambiguous_fork_of_a_running_task", 1);
		old->alive = 0;
	}
	int thread;
	if (t->newtask_pid == (long)child) {
		thread = (t->newtask_flags & 0x100) != 0; /* CLONE_VM: a thread, or a vfork child until it execs */
	} else {
		stat_add(im->st, "ambiguous_fork_without_clone_flags", 1);
		thread = 0;
	}
	t->newtask_pid = -1;
	if (thread) {
		add_task(im, (long)child, t->pid, t->mm, t->gen);
		stat_add(im->st, "mapped_clone_vm", 1);
		return;
	}
	int cm = new_mm(im, (long)child, 0, 1);
	struct imp_mm *pm = mm_of(im, t->mm), *c = mm_of(im, cm);
	vl_copy(&c->vmas, &pm->vmas);
	ps_copy(&c->present, &pm->present);
	rangeset_copy(&c->ever, &pm->ever);
	c->brk_end = pm->brk_end;
	c->used = 1;
	op_line(im, t, l->ns - im->t0_ns, "fork", "%s", c->name);
	stat_add(im->st, "mapped_fork", 1);
	add_task(im, (long)child, (long)child, cm, 0);
}

static void do_exec(struct imp *im, struct imp_task *t, const struct line *l)
{
	uint64_t pid, old_pid;
	if (field_u64(l->args, "pid", &pid) != 0 || field_u64(l->args, "old_pid", &old_pid) != 0)
		return;
	uint64_t ns = l->ns - im->t0_ns;
	int was_root = t->mm == im->root && !mm_of(im, t->mm)->events;
	mm_release(im, t, ns);
	int gen = t->gen + 1;
	int mm = new_mm(im, (long)pid, gen, 0);
	if (was_root) { /* perf record -- COMMAND: the program starts at its exec */
		im->root = mm;
	}
	if ((long)pid != t->tid) {
		stat_add(im->st, "ambiguous_exec_by_another_thread", 1);
		t->tid = (long)pid;
	}
	t->pid = (long)pid;
	t->gen = gen;
	t->mm = mm;
	t->stream = new_stream(im, t->tid, gen, mm);
	mm_of(im, mm)->users++;
	stat_add(im->st, "mapped_exec", 1);
}

/* ---- faults ---- */

/* A fault outside every mapping the importer knows: the inferred mapping
 * around it (pass 2), or one page. */
static void infer_mapping(struct imp *im, struct imp_task *t, uint64_t page, uint64_t ns)
{
	struct imp_mm *m = mm_of(im, t->mm);
	stat_add(im->st, "ambiguous_fault_outside_known_mappings", 1);
	if (im->pass == 1) {
		rangeset_add(&m->inferred, page, page + PAGE_SIZE);
		vl_add(&m->vmas, (struct ivma){page, page + PAGE_SIZE, 0, 0, 0});
		return;
	}
	long i = rangeset_find(&m->pieces, page);
	uint64_t s = page, e = page + PAGE_SIZE;
	if (i >= 0) {
		s = m->pieces.r[i].start;
		e = m->pieces.r[i].end;
		rangeset_remove(&m->pieces, s, e);
		/* what has been mapped meanwhile stays as it is */
		for (size_t k = 0; k < m->vmas.n; k++)
			if (m->vmas.v[k].start < e && s < m->vmas.v[k].end) {
				s = page;
				e = page + PAGE_SIZE;
				break;
			}
	}
	op_line(im, t, ns, "mmap", "%#" PRIx64 " %#" PRIx64, s, e - s);
	stat_add(im->st, "mapped_inferred_mapping", 1);
	vl_add(&m->vmas, (struct ivma){s, e, 0, 0, 0});
}

static void do_fault(struct imp *im, struct imp_task *t, const struct line *l, char *err, size_t errlen, int *rc)
{
	uint64_t addr, code;
	if (field_u64(l->args, "address", &addr) != 0 || field_u64(l->args, "error_code", &code) != 0) {
		*rc = bad(im, err, errlen, "page_fault_user: expected address=ADDRESS and error_code=CODE");
		return;
	}
	uint64_t ns = l->ns - im->t0_ns, page = addr & ~PAGE_MASK_LO;
	struct imp_mm *m = mm_of(im, t->mm);
	int present = code & 1, write = (code & 2) != 0;
	stat_add(im->st, "faults", 1);
	if (addr >= USER_END) {
		stat_add(im->st, "unusable_fault_beyond_user_space", 1);
		return;
	}
	if (addr < 0x10000) { /* below mmap_min_addr: a NULL pointer, the program's SIGSEGV */
		stat_add(im->st, "unusable_fault_below_mmap_min_addr", 1);
		return;
	}
	if (present && !write) {
		stat_add(im->st, "unusable_read_fault_on_present_page", 1); /* protection keys, shadow stacks */
		return;
	}
	if (vl_find(&m->vmas, page) < 0)
		infer_mapping(im, t, page, ns);
	int one_op = 1;
	if (present && !ps_has(&m->present, page / PAGE_SIZE)) {
		/* present for the kernel but not in the trace: mapped by fault-around
		 * or before the capture; a read first makes it present for the model */
		op_line(im, t, ns, "read", "%#" PRIx64, page);
		stat_add(im->st, "ambiguous_present_page_unseen_read_added", 1);
		one_op = 0;
	}
	op_line(im, t, ns, write ? "write" : "read", "%#" PRIx64, page);
	stat_add(im->st, present ? "mapped_fault_write_protect" : write ? "mapped_fault_first_touch_write" : "mapped_fault_first_touch_read", 1);
	if (one_op)
		stat_add(im->st, "faults_one_op", 1);
	ps_add(&m->present, page / PAGE_SIZE);
	touch(im, t->mm, page / PAGE_SIZE, ns);
	t->pf = (struct fault_pending){1, present && write ? PF_WP : PF_FIRST, 0, 0, 0, 0};
}

/* ---- system calls ---- */

static void unmap_piece(struct imp *im, int mm, const struct ivma *v, uint64_t s, uint64_t e, void *ctx)
{
	struct imp_task *t = ((void **)ctx)[0];
	uint64_t ns = *(uint64_t *)((void **)ctx)[1];
	const char *op = ((void **)ctx)[2];
	(void)v;
	op_line(im, t, ns, op, "%#" PRIx64 " %#" PRIx64, s, e - s);
	struct imp_mm *m = mm_of(im, mm);
	if (strcmp(op, "madv_free") != 0)
		ps_del_range(&m->present, s, e);
	if (strcmp(op, "munmap") == 0) {
		vl_remove(&m->vmas, s, e);
		if (mm == im->bound && im->pass == 2)
			rangeset_add(&im->gone, s, e);
	}
}

static void unmap_range(struct imp *im, struct imp_task *t, uint64_t ns, const char *op, uint64_t s, uint64_t e)
{
	void *ctx[3] = {t, &ns, (void *)op};
	for_pieces(im, t->mm, s, e, 0, unmap_piece, ctx);
}

static void protect_piece(struct imp *im, int mm, const struct ivma *v, uint64_t s, uint64_t e, void *ctx)
{
	struct imp_task *t = ((void **)ctx)[0];
	uint64_t ns = *(uint64_t *)((void **)ctx)[1];
	int ro = *(int *)((void **)ctx)[2];
	struct vmalist *l = &mm_of(im, mm)->vmas;
	if (v->ro == ro) {
		stat_add(im->st, "no_effect_mprotect_same_write_right", 1);
		return;
	}
	op_line(im, t, ns, ro ? "mprotect" : "mprotect_rw", "%#" PRIx64 " %#" PRIx64, s, e - s);
	stat_add(im->st, ro ? "mapped_mprotect_remove_write" : "mapped_mprotect_add_write", 1);
	vl_split(l, s);
	vl_split(l, e);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].start >= s && l->v[i].end <= e)
			l->v[i].ro = (uint8_t)ro;
}

static void touch_range(struct imp *im, struct imp_task *t, uint64_t ns, uint64_t s, uint64_t e, int write, const char *why)
{
	struct imp_mm *m = mm_of(im, t->mm);
	for (uint64_t a = s; a < e; a += PAGE_SIZE) {
		op_line(im, t, ns, write ? "write" : "read", "%#" PRIx64, a);
		ps_add(&m->present, a / PAGE_SIZE);
		touch(im, t->mm, a / PAGE_SIZE, ns);
	}
	stat_add(im->st, why, (e - s) / PAGE_SIZE);
}

static int is_error(uint64_t ret) { return ret > (uint64_t)-4096; }

static void sys_mmap(struct imp *im, struct imp_task *t, uint64_t ns, const uint64_t *a, uint64_t ret)
{
	uint64_t len = (a[1] + PAGE_MASK_LO) & ~PAGE_MASK_LO, prot = a[2], flags = a[3];
	if (flags & 0x40000) { /* MAP_HUGETLB */
		stat_add(im->st, "unusable_mmap_hugetlb", 1);
		return;
	}
	if (ret % PAGE_SIZE || !len || ret + len > USER_END) {
		stat_add(im->st, "unusable_mmap_range", 1);
		return;
	}
	struct imp_mm *m = mm_of(im, t->mm);
	struct ivma v = {ret, ret + len, !(prot & 2), (flags & 3) != 0 && (flags & 3) != 2, !(flags & 0x20)};
	int over = 0;
	for (size_t i = 0; i < m->vmas.n; i++)
		over |= m->vmas.v[i].start < v.end && v.start < m->vmas.v[i].end;
	if (over) {
		stat_add(im->st, "mapped_mmap_over_a_mapping", 1); /* MAP_FIXED: the model unmaps what it covers first */
		ps_del_range(&m->present, v.start, v.end);
		if (t->mm == im->bound && im->pass == 2)
			rangeset_add(&im->gone, v.start, v.end);
	}
	op_line(im, t, ns, "mmap", "%#" PRIx64 " %#" PRIx64 "%s", v.start, len, rights(&v));
	stat_add(im->st, "mapped_mmap", 1);
	vl_add(&m->vmas, v);
	rangeset_add(&m->ever, v.start, v.end);
	if (flags & 0x8000) /* MAP_POPULATE: the kernel faults the pages in, a write for a private writable mapping */
		touch_range(im, t, ns, v.start, v.end, !v.ro && !v.shared, "mapped_map_populate_pages");
}

static void sys_madvise(struct imp *im, struct imp_task *t, uint64_t ns, const uint64_t *a, uint64_t ret)
{
	static const char *const names[] = {"normal", "random", "sequential", "willneed", "dontneed", "5", "6", "7", "free", "remove",
					    "dontfork", "dofork", "mergeable", "unmergeable", "hugepage", "nohugepage", "dontdump", "dodump",
					    "wipeonfork", "keeponfork", "cold", "pageout", "populate_read", "populate_write", "24", "collapse"};
	uint64_t s = a[0], e = a[0] + ((a[1] + PAGE_MASK_LO) & ~PAGE_MASK_LO), b = a[2];
	const char *name = b < sizeof names / sizeof names[0] ? names[b] : "other";
	if (is_error(ret) && ret != (uint64_t)-12) { /* ENOMEM: a hole, the mapped parts are done */
		stat_addf(im->st, 1, "no_effect_failed_madvise_%s", name);
		return;
	}
	if (b == 4 || b == 9) {
		unmap_range(im, t, ns, "madv_dontneed", s, e);
		stat_addf(im->st, 1, "mapped_madvise_%s", name);
	} else if (b == 8) {
		unmap_range(im, t, ns, "madv_free", s, e);
		stat_add(im->st, "mapped_madvise_free", 1);
	} else if (b == 22 || b == 23) {
		struct imp_mm *m = mm_of(im, t->mm);
		for (size_t i = 0; i < m->vmas.n; i++) {
			uint64_t ps = m->vmas.v[i].start > s ? m->vmas.v[i].start : s, pe = m->vmas.v[i].end < e ? m->vmas.v[i].end : e;
			if (ps < pe)
				touch_range(im, t, ns, ps, pe, b == 23, "mapped_madvise_populate_pages");
		}
	} else if (b == 10 || b == 11 || b == 12 || b == 13 || b == 18 || b == 19 || b == 21) {
		stat_addf(im->st, 1, "unusable_madvise_%s", name); /* fork's copy, KSM, reclaim: not modelled from here */
	} else {
		stat_addf(im->st, 1, "no_effect_madvise_%s", name);
	}
}

static void sys_mremap(struct imp *im, struct imp_task *t, uint64_t ns, const uint64_t *a, uint64_t ret)
{
	uint64_t old = a[0], olen = (a[1] + PAGE_MASK_LO) & ~PAGE_MASK_LO, nlen = (a[2] + PAGE_MASK_LO) & ~PAGE_MASK_LO, flags = a[3];
	struct imp_mm *m = mm_of(im, t->mm);
	long vi = vl_find(&m->vmas, old);
	if (!olen || !vl_covers(&m->vmas, old, old + olen)) {
		stat_add(im->st, "unusable_mremap_of_an_unknown_range", 1);
		return;
	}
	struct ivma attrs = m->vmas.v[vi];
	if (ret == old) { /* in place */
		if (nlen > olen) {
			attrs.start = old + olen;
			attrs.end = old + nlen;
			op_line(im, t, ns, "mmap", "%#" PRIx64 " %#" PRIx64 "%s", attrs.start, nlen - olen, rights(&attrs));
			vl_add(&m->vmas, attrs);
			rangeset_add(&m->ever, attrs.start, attrs.end);
			stat_add(im->st, "mapped_mremap_grown_in_place", 1);
		} else if (nlen < olen) {
			unmap_range(im, t, ns, "munmap", old + nlen, old + olen);
			stat_add(im->st, "mapped_mremap_shrunk_in_place", 1);
		}
		return;
	}
	if (flags & 2) /* MREMAP_FIXED: do_munmap of the new range first */
		unmap_range(im, t, ns, "munmap", ret, ret + nlen);
	if (nlen < olen) {
		unmap_range(im, t, ns, "munmap", old + nlen, old + olen);
		olen = nlen;
	}
	op_line(im, t, ns, "mremap", "%#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64, old, olen, ret, nlen);
	stat_add(im->st, "mapped_mremap_moved", 1);
	/* the pages move with their entries */
	for (uint64_t p = old; p < old + olen; p += PAGE_SIZE)
		if (ps_has(&m->present, p / PAGE_SIZE)) {
			ps_del(&m->present, p / PAGE_SIZE);
			ps_add(&m->present, (ret + (p - old)) / PAGE_SIZE);
		}
	vl_remove(&m->vmas, old, old + olen);
	if (t->mm == im->bound && im->pass == 2)
		rangeset_add(&im->gone, old, old + olen);
	attrs.start = ret;
	attrs.end = ret + nlen;
	vl_add(&m->vmas, attrs);
	rangeset_add(&m->ever, attrs.start, attrs.end);
	if (flags & 4) { /* MREMAP_DONTUNMAP: the old range stays mapped, empty */
		attrs.start = old;
		attrs.end = old + olen;
		op_line(im, t, ns, "mmap", "%#" PRIx64 " %#" PRIx64 "%s", old, olen, rights(&attrs));
		vl_add(&m->vmas, attrs);
	}
}

static void sys_brk(struct imp *im, struct imp_task *t, uint64_t ns, uint64_t ret)
{
	struct imp_mm *m = mm_of(im, t->mm);
	uint64_t nb = (ret + PAGE_MASK_LO) & ~PAGE_MASK_LO;
	if (!m->brk_end || nb == m->brk_end) {
		m->brk_end = nb;
		stat_add(im->st, "no_effect_brk_unchanged", 1);
		return;
	}
	if (nb > m->brk_end) {
		op_line(im, t, ns, "brk", "%#" PRIx64 " %#" PRIx64, m->brk_end, nb);
		vl_add(&m->vmas, (struct ivma){m->brk_end, nb, 0, 0, 0});
		rangeset_add(&m->ever, m->brk_end, nb);
		stat_add(im->st, "mapped_brk_grow", 1);
	} else {
		long i = vl_find(&m->vmas, nb);
		if (i >= 0 && m->vmas.v[i].end >= m->brk_end && !m->vmas.v[i].ro) {
			op_line(im, t, ns, "brk", "%#" PRIx64 " %#" PRIx64, m->brk_end, nb);
			ps_del_range(&m->present, nb, m->brk_end);
			vl_remove(&m->vmas, nb, m->brk_end);
			if (t->mm == im->bound && im->pass == 2)
				rangeset_add(&im->gone, nb, m->brk_end);
		} else {
			unmap_range(im, t, ns, "munmap", nb, m->brk_end);
		}
		stat_add(im->st, "mapped_brk_shrink", 1);
	}
	m->brk_end = nb;
}

static void do_sys_exit(struct imp *im, struct imp_task *t, int nr, const struct line *l)
{
	uint64_t ret, ns = l->ns - im->t0_ns;
	const char *p = l->args;
	char *end;
	errno = 0;
	ret = strtoull(p, &end, 0);
	if (end == p || errno) {
		stat_addf(im->st, 1, "unusable_sys_exit_%s_unparsable", sys_names[nr]);
		t->sys_nr = 0;
		return;
	}
	if (t->sys_nr != nr) {
		stat_addf(im->st, 1, "unusable_sys_exit_%s_without_enter", sys_names[nr]);
		t->sys_nr = 0;
		return;
	}
	t->sys_nr = 0;
	const uint64_t *a = t->sys_args;
	if (nr != SYS_MADVISE && nr != SYS_BRK && is_error(ret)) {
		stat_addf(im->st, 1, "no_effect_failed_%s", sys_names[nr]);
		return;
	}
	switch (nr) {
	case SYS_MMAP:
		sys_mmap(im, t, ns, a, ret);
		break;
	case SYS_MUNMAP:
		unmap_range(im, t, ns, "munmap", a[0], a[0] + ((a[1] + PAGE_MASK_LO) & ~PAGE_MASK_LO));
		stat_add(im->st, "mapped_munmap", 1);
		break;
	case SYS_MPROTECT: {
		int ro = !(a[2] & 2);
		void *ctx[3] = {t, &ns, &ro};
		if (!(a[2] & 1))
			stat_add(im->st, "ambiguous_mprotect_prot_none_as_read_only", 1);
		for_pieces(im, t->mm, a[0], a[0] + ((a[1] + PAGE_MASK_LO) & ~PAGE_MASK_LO), 1, protect_piece, ctx);
		stat_add(im->st, "mapped_mprotect", 1);
		break;
	}
	case SYS_MADVISE:
		sys_madvise(im, t, ns, a, ret);
		break;
	case SYS_MREMAP:
		sys_mremap(im, t, ns, a, ret);
		break;
	case SYS_BRK:
		sys_brk(im, t, ns, ret);
		break;
	}
}

static int sys_of(const char *name)
{
	for (int i = 1; i < (int)(sizeof sys_names / sizeof sys_names[0]); i++)
		if (strcmp(name, sys_names[i]) == 0)
			return i;
	return 0;
}

/* The arguments of sys_enter_NAME, in the order of the tracepoint's format. */
static int sys_enter(struct imp *im, struct imp_task *t, int nr, const struct line *l, char *err, size_t errlen)
{
	static const char *const keys[][6] = {
		[SYS_MMAP] = {"addr", "len", "prot", "flags", "fd", "off"},
		[SYS_MUNMAP] = {"addr", "len"},
		[SYS_MPROTECT] = {"start", "len", "prot"},
		[SYS_MADVISE] = {"start", "len_in", "behavior"},
		[SYS_MREMAP] = {"addr", "old_len", "new_len", "flags", "new_addr"},
		[SYS_BRK] = {"brk"},
	};
	if (t->sys_nr)
		stat_addf(im->st, 1, "unusable_sys_enter_%s_without_exit", sys_names[t->sys_nr]);
	memset(t->sys_args, 0, sizeof t->sys_args);
	for (int i = 0; i < 6 && keys[nr][i]; i++)
		if (field_u64(l->args, keys[nr][i], &t->sys_args[i]) != 0) {
			char what[128];
			snprintf(what, sizeof what, "sys_enter_%s: expected the field '%s'", sys_names[nr], keys[nr][i]);
			return bad(im, err, errlen, what);
		}
	t->sys_nr = nr;
	return 0;
}

/* ---- one event ---- */

static int is_user_page_alloc(const char *args)
{
	return strstr(args, "GFP_HIGHUSER") != NULL || strstr(args, "GFP_USER") != NULL;
}

static int event(struct imp *im, struct line *l, char *err, size_t errlen)
{
	const char *name = strchr(l->event, ':') + 1;
	stat_addf(im->st, 1, "events_%s", name);
	struct imp_task *t = task_for_line(im, l);
	if (!t) {
		stat_addf(im->st, 1, "unusable_other_process_%s", name);
		return 0;
	}
	/* times count from the first event of the recorded processes */
	if (!im->have_t0) {
		im->t0_ns = l->ns;
		im->have_t0 = 1;
	}
	if (l->ns < im->t0_ns)
		l->ns = im->t0_ns;
	if (l->ns > im->last_ns)
		im->last_ns = l->ns;
	int rc = 0;
	if (strcmp(name, "mm_page_alloc") == 0) {
		uint64_t order = 0;
		(void)field_u64(l->args, "order", &order);
		if (t->pf.active && is_user_page_alloc(l->args)) {
			t->pf.user_allocs++;
			t->pf.zero_allocs += strstr(l->args, "__GFP_ZERO") != NULL;
			if (order > 0)
				stat_add(im->st, "ambiguous_large_folio_fault_as_4k_pages", 1);
		}
		stat_add(im->st, "no_effect_page_alloc_read_by_the_rules", 1);
		return 0;
	}
	if (strcmp(name, "tlb_flush") == 0) {
		uint64_t pages = 0;
		if (t->pf.active && field_u64(l->args, "pages", &pages) == 0 && pages == 1)
			t->pf.flush1++;
		stat_add(im->st, "no_effect_tlb_flush_read_by_the_rules", 1);
		return 0;
	}
	finish_fault(im, t);
	if (strcmp(name, "page_fault_user") == 0) {
		do_fault(im, t, l, err, errlen, &rc);
	} else if (strncmp(name, "sys_enter_", 10) == 0 && sys_of(name + 10)) {
		rc = sys_enter(im, t, sys_of(name + 10), l, err, errlen);
	} else if (strncmp(name, "sys_exit_", 9) == 0 && sys_of(name + 9)) {
		do_sys_exit(im, t, sys_of(name + 9), l);
	} else if (strcmp(name, "task_newtask") == 0) {
		uint64_t pid;
		char buf[32];
		if (field_u64(l->args, "pid", &pid) == 0 && field_str(l->args, "clone_flags", buf, sizeof buf) == 0) {
			t->newtask_pid = (long)pid;
			t->newtask_flags = strtoull(buf, NULL, 16);
		}
		stat_add(im->st, "no_effect_task_newtask_read_by_fork", 1);
	} else if (strcmp(name, "sched_process_fork") == 0) {
		do_fork(im, t, l);
	} else if (strcmp(name, "sched_process_exec") == 0) {
		do_exec(im, t, l);
	} else if (strcmp(name, "sched_process_exit") == 0) {
		if (t->sys_nr)
			stat_addf(im->st, 1, "unusable_sys_enter_%s_without_exit", sys_names[t->sys_nr]);
		mm_release(im, t, l->ns - im->t0_ns);
		t->alive = 0;
		stat_add(im->st, "mapped_task_exit", 1);
	} else if (strcmp(name, "set_migration_pte") == 0) {
		uint64_t addr;
		struct imp_mm *m = mm_of(im, t->mm);
		if (field_u64(l->args, "addr", &addr) == 0 && ps_has(&m->present, addr / PAGE_SIZE)) {
			op_line(im, t, l->ns - im->t0_ns, "migrate", "%#" PRIx64, addr & ~PAGE_MASK_LO);
			stat_add(im->st, "mapped_migration", 1);
		} else {
			stat_add(im->st, "unusable_migration_of_an_unknown_page", 1);
		}
	} else if (strcmp(name, "remove_migration_pte") == 0) {
		stat_add(im->st, "no_effect_remove_migration_pte", 1);
	} else {
		stat_addf(im->st, 1, "unusable_event_%s", name); /* vmscan, ksm, thp: not attributable to a VA here */
	}
	return rc;
}

/* ---- a pass over the input ---- */

static int run_pass(struct imp *im, char *err, size_t errlen)
{
	FILE *f = fopen(im->o->input, "r");
	if (!f)
		return failf(err, errlen, "%s: cannot open: %s", im->o->input, strerror(errno));
	long size = -1;
	if (fseek(f, 0, SEEK_END) == 0) {
		size = ftell(f);
		rewind(f);
	}
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	im->lineno = 0;
	while (rc == 0 && (len = getline(&buf, &cap, f)) >= 0) {
		im->lineno++;
		if (len == 0 || buf[len - 1] != '\n') {
			rc = bad(im, err, errlen, "truncated line: the capture ends in the middle of an event");
			break;
		}
		buf[--len] = '\0';
		if (len && buf[len - 1] == '\r')
			buf[--len] = '\0';
		if ((size_t)len != strlen(buf)) {
			rc = bad(im, err, errlen, "NUL byte in line: expected text");
			break;
		}
		char *t = buf;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!*t || *t == '#')
			continue;
		struct line l;
		rc = parse_line(im, buf, &l, err, errlen);
		if (rc == 0)
			rc = event(im, &l, err, errlen);
		if (im->o->progress && (im->lineno & 0xffff) == 0 && size > 0)
			fprintf(stderr, "\rimport: pass %d of 2: %ld lines (%.0f%%)", im->pass, im->lineno, 100.0 * (double)ftell(f) / (double)size);
	}
	if (rc == 0 && ferror(f))
		rc = failf(err, errlen, "%s: read error", im->o->input);
	if (im->o->progress && size > 0)
		fprintf(stderr, "\rimport: pass %d of 2: %ld lines (100%%)\n", im->pass, im->lineno);
	free(buf);
	fclose(f);
	for (size_t i = 0; rc == 0 && i < im->n_tasks; i++) {
		finish_fault(im, &im->tasks[i]);
		if (im->tasks[i].alive && im->tasks[i].sys_nr)
			stat_addf(im->st, 1, "unusable_sys_enter_%s_without_exit", sys_names[im->tasks[i].sys_nr]);
	}
	im->end_ns = im->last_ns - im->t0_ns;
	if (rc == 0 && im->root < 0)
		rc = failf(err, errlen, "%s: no event of %s in the capture", im->o->input,
			   im->o->pid ? "the process given with --pid" : "any process");
	return rc;
}

static void reset_state(struct imp *im)
{
	for (size_t i = 0; i < im->n_mms; i++) {
		struct imp_mm *m = &im->mms[i];
		free(m->vmas.v);
		ps_free(&m->present);
		rangeset_clear(&m->ever);
		rangeset_clear(&m->inferred);
		rangeset_clear(&m->pieces);
	}
	free(im->mms);
	free(im->tasks);
	free(im->streams);
	im->mms = NULL;
	im->tasks = NULL;
	im->streams = NULL;
	im->n_mms = im->n_tasks = im->n_streams = 0;
	im->root = -1;
	im->have_t0 = 0;
	im->last_ns = im->bound_end_ns = 0;
	memset(im->st, 0, sizeof *im->st);
	if (im->snap_skipped)
		stat_add(im->st, "unusable_snapshot_mapping_beyond_user_space", im->snap_skipped);
}

/* Inferred mappings: the faults outside every mapping, gathered into runs
 * of pages closer than INFER_GAP with nothing ever mapped between, less what
 * a system call or the snapshot mapped at some time. */
static void infer_pieces(struct imp_mm *m, struct rangeset *out)
{
	memset(out, 0, sizeof *out);
	const struct rangeset *in = &m->inferred;
	for (size_t i = 0; i < in->n;) {
		uint64_t s = in->r[i].start, e = in->r[i].end;
		size_t j = i + 1;
		while (j < in->n && in->r[j].start - e < INFER_GAP && !rangeset_overlaps(&m->ever, e, in->r[j].start))
			e = in->r[j++].end;
		rangeset_add(out, s, e);
		i = j;
	}
	for (size_t i = 0; i < m->ever.n; i++)
		rangeset_remove(out, m->ever.r[i].start, m->ever.r[i].end);
}

/* ---- the trace ---- */

static void write_header(struct imp *im, FILE *out, uint64_t n_dev)
{
	const struct import_opts *o = im->o;
	fprintf(out, "mnsim-trace 2\n# recorded from a real program (mnsim record / mnsim import, workloads/README.md).\n"
		     "# The CPU side is the program's own page faults and memory system calls; the device side is\n"
		     "# SYNTHETIC (mnsim gen's device keys over the pages the program touched, line 'capture device_side').\n");
	for (size_t i = 0; i + 1 < o->n_capture * 2; i += 2)
		fprintf(out, "capture %s %s\n", o->capture[i], o->capture[i + 1]);
	char dev[512];
	gen_device_summary(o->dev, dev, sizeof dev);
	fprintf(out, "capture device_side synthetic over %" PRIu64 " pages the recorded process touched: %s%s\n", n_dev, dev,
		o->ats == 0 ? " ats=0" : o->ats == 1 ? " ats=1" : "");
	qsort(im->st->e, im->st->n, sizeof im->st->e[0], entry_cmp);
	for (size_t i = 0; i < im->st->n; i++)
		fprintf(out, "capture %s %" PRIu64 "\n", im->st->e[i].name, im->st->e[i].n);
	if (o->ats >= 0 && n_dev)
		fprintf(out, "param ats %d\n", o->ats);
	for (size_t i = 0; i < im->n_mms; i++)
		if (im->mms[i].used || (int)i == im->root)
			fprintf(out, "process %s%s\n", im->mms[i].name, im->mms[i].forked ? " forked" : "");
	if (im->root >= 0)
		for (size_t i = 0; i < im->n_snap; i++) {
			const struct ivma *v = &im->snap[i];
			fprintf(out, "map %s %#" PRIx64 " %#" PRIx64 "%s%s%s\n", im->mms[im->root].name, v->start, v->end - v->start,
				v->ro ? " ro" : "", v->shared ? " shared" : "", v->file ? " file" : "");
		}
	for (size_t i = 0; im->root >= 0 && i < im->n_runs; i++)
		fprintf(out, "present %s %#" PRIx64 " %#" PRIx64 " %s\n", im->mms[im->root].name, im->runs[i].start, im->runs[i].size,
			im->runs[i].state);
	if (n_dev)
		gen_device_decls(o->dev, im->mms[im->bound].name, out);
	for (size_t i = 0; i < im->n_streams; i++)
		if (im->streams[i].events)
			fprintf(out, "cpu %s process=%s\n", im->streams[i].name, im->mms[im->streams[i].mm].name);
	if (n_dev)
		gen_devthread_decls(o->dev, out);
}

/* The bound process's pages a device may use: touched, never unmapped, in a
 * mapping that is writable and still there at the end; of those, the half
 * touched first, and the device streams start when the last of that half
 * was first touched (*start_ns), so that a device never reaches a page
 * before the program has it (a snapshot's pages are there from the start). */
static uint64_t *device_pages(struct imp *im, uint64_t *n, uint64_t *start_ns)
{
	const struct touched *t = &im->touched;
	uint64_t *p = malloc((t->n + 1) * sizeof *p), *when = malloc((t->n + 1) * sizeof *when);
	if (!p || !when)
		abort();
	*n = 0;
	const struct imp_mm *root = im->bound >= 0 ? &im->mms[im->bound] : NULL;
	for (size_t i = 0; root && i < t->n; i++) {
		uint64_t va = t->page[i] * PAGE_SIZE;
		long v = vl_find(&root->vmas, va);
		if (v >= 0 && !root->vmas.v[v].ro && !rangeset_overlaps(&im->gone, va, va + PAGE_SIZE)) {
			when[*n] = t->ns[i];
			p[(*n)++] = va;
		}
	}
	*start_ns = 0;
	if (*n) {
		size_t half = (*n - 1) / 2;
		*start_ns = when[half];
		while (half + 1 < *n && when[half + 1] <= *start_ns)
			half++;
		*n = half + 1;
	}
	free(when);
	qsort(p, *n, sizeof *p, u64_cmp);
	return p;
}

/* The address space the devices are bound to: the recorded process's, or
 * the one that made the most ops (--bind busiest), or a pid's first. */
static int choose_bound(const struct imp *im)
{
	int best = im->root;
	for (size_t i = 0; i < im->n_mms; i++) {
		const struct imp_mm *m = &im->mms[i];
		if (im->o->bind_pid > 0 ? m->pid == im->o->bind_pid && best == im->root && m->events
		    : im->o->bind_busiest && m->events > im->mms[best].events)
			best = (int)i;
	}
	return best;
}

int import_perf_script(const struct import_opts *o, FILE *out, struct import_stats **stats, char *err, size_t errlen)
{
	struct imp im = {.o = o, .root = -1, .bound = -1, .path = o->input};
	if (!(im.st = calloc(1, sizeof *im.st)))
		abort();
	int rc = 0;
	if (o->maps && each_line(&im, o->maps, maps_line, err, errlen) != 0)
		rc = -1;
	if (rc == 0 && o->pages && each_line(&im, o->pages, pages_line, err, errlen) != 0)
		rc = -1;
	/* pass 1: the address spaces */
	im.pass = 1;
	if (rc == 0)
		rc = run_pass(&im, err, errlen);
	uint64_t n_dev = 0, *dev = NULL, dev_start = 0;
	if (rc == 0) {
		/* keep what pass 1 learnt, start again */
		im.n_inferred = im.n_mms;
		if (!(im.inferred_by_mm = calloc(im.n_mms + 1, sizeof *im.inferred_by_mm)))
			abort();
		for (size_t i = 0; i < im.n_mms; i++)
			infer_pieces(&im.mms[i], &im.inferred_by_mm[i]);
		int bound = choose_bound(&im);
		reset_state(&im);
		im.bound = bound;
		im.pass = 2;
		if (!(im.out = tmpfile()))
			rc = failf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
	}
	if (rc == 0)
		rc = run_pass(&im, err, errlen);
	if (rc == 0 && gen_devices(o->dev) > 0) {
		dev = device_pages(&im, &n_dev, &dev_start);
		/* the device streams cover the bound process's time, unless told otherwise */
		uint64_t end = im.bound_end_ns ? im.bound_end_ns : im.end_ns, span = end > dev_start ? end - dev_start : 0;
		if (!o->device_gap_given && gen_device_ops(o->dev) > 0 && span > 0) {
			char gap[64];
			snprintf(gap, sizeof gap, "%.0fps", (double)span * 1e3 / gen_device_ops(o->dev));
			if (gen_spec_set(o->dev, "device_gap", gap, err, errlen) != 0)
				rc = -1;
		}
	}
	if (rc == 0) {
		write_header(&im, out, n_dev);
		rewind(im.out);
		char chunk[65536];
		size_t got;
		while ((got = fread(chunk, 1, sizeof chunk, im.out)) > 0)
			if (fwrite(chunk, 1, got, out) != got)
				break;
		if (ferror(im.out) || ferror(out))
			rc = failf(err, errlen, "cannot write the trace: %s", strerror(errno));
		if (rc == 0 && n_dev)
			gen_device_streams(o->dev, dev, n_dev, (double)dev_start * 1e-9, out);
		if (rc == 0 && ferror(out))
			rc = failf(err, errlen, "cannot write the trace: %s", strerror(errno));
	}
	if (im.out)
		fclose(im.out);
	free(dev);
	for (size_t i = 0; i < im.n_inferred; i++)
		rangeset_clear(&im.inferred_by_mm[i]);
	free(im.inferred_by_mm);
	ps_free(&im.touched.set);
	free(im.touched.page);
	free(im.touched.ns);
	rangeset_clear(&im.gone);
	free(im.snap);
	free(im.runs);
	struct import_stats *st = im.st;
	im.st = calloc(1, sizeof *im.st); /* reset_state needs one */
	reset_state(&im);
	free(im.st);
	if (rc == 0 && stats)
		*stats = st;
	else
		free(st);
	return rc;
}

/* Alphabetical order, which groups the kinds by their prefix. */
void import_print_summary(const struct import_stats *st, FILE *f)
{
	static const char *const groups[][2] = {{"events_", "events captured, by kind"}, {"mapped_", "mapped to ops, by rule"},
						{"no_effect_", "without effect on the model (read by the rules, or nothing to do)"},
						{"ambiguous_", "ambiguous (a guess was made)"}, {"unusable_", "unusable (not in the trace)"},
						{"rule_", "write faults on present pages by the rules of DESIGN.md 10"},
						{"ops_", "ops written, by kind"}};
	struct stat_entry *e = malloc((st->n + 1) * sizeof *e);
	if (!e)
		abort();
	memcpy(e, st->e, st->n * sizeof *e);
	qsort(e, st->n, sizeof *e, entry_cmp);
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		size_t pl = strlen(groups[g][0]);
		int header = 0;
		for (size_t i = 0; i < st->n; i++) {
			if (strncmp(e[i].name, groups[g][0], pl) != 0)
				continue;
			if (!header++)
				fprintf(f, "%s:\n", groups[g][1]);
			fprintf(f, "  %-56s %12" PRIu64 "\n", e[i].name + pl, e[i].n);
		}
	}
	uint64_t faults = import_stat(st, "faults"), one = import_stat(st, "faults_one_op");
	fprintf(f, "faults mapped to exactly one op: %" PRIu64 " of %" PRIu64 " (%.2f%%)\n", one, faults,
		faults ? 100.0 * (double)one / (double)faults : 100.0);
	free(e);
}
