/* trace: see trace.h and workloads/README.md for the format. */
#include "trace.h"
#include "outfile.h"
#include "units.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TOKENS 32
#define MAX_EXPECTS 4096 /* 'expect' conditions in one trace (they are checked pairwise) */
/* The longest line, newline included: longer ones are refused as they are
 * read, so that a file without newlines (/dev/zero) costs no memory. */
#define MAX_LINE 4096
#define LOAD_CHUNK (1 << 16)
#define CURSOR_CHUNK 4096 /* grows to hold a long line: 10,000 cursors are common */

/* Lines read from a descriptor through a buffer that always holds the
 * whole current line (NUL-terminated in place of its newline); a loader
 * reads the file in order, a cursor from an offset, with pread. */
struct line_reader {
	int fd;
	int sequential;          /* read() in order (a FIFO), else pread() at offset */
	int copy_fd;             /* what is read is copied there (a non-regular trace), or -1 */
	const char *path;
	char *chunk;
	size_t cap, len, pos;    /* chunk holds bytes [chunk_at, chunk_at + len) of the file */
	long chunk_at;
	int eof;
	char *buf;               /* the current line, inside chunk */
	int lineno;
	long line_start, offset; /* where the current line starts, and where the next one does */
	long end_offset;         /* reading stops there (-1: at the end of the file) */
	char *tok[MAX_TOKENS];
	int ntok;
};

struct trace_cursor {
	struct line_reader rd;
	const struct trace_header *h;
	int stream;
	double last_abs;
};

/* Name lookups and the mappings of each process in address order, for
 * loading and for cursors (a name or a mapping is found in constant or
 * logarithmic time, not by a scan: 10,000 processes or streams). */
struct name_index { size_t cap, n; int *slot; }; /* open addressing; slot holds index + 1 */
struct trace_index {
	struct name_index processes, devices, streams;
	unsigned char *pasids; /* a bit per PASID in use */
	size_t *maps_of;       /* map indices sorted by (process, start) */
	size_t *first_map;     /* maps_of[first_map[p] .. first_map[p + 1]) are process p's */
	int maps_sorted;
	double *clock;         /* per stream: the earliest time its events can end (load only) */
	double *last_abs;
};

static int fail(char *err, size_t errlen, const char *path, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(err, errlen, "%s:%d: %s", path, line, msg);
	else
		snprintf(err, errlen, "%s: %s", path, msg);
	return -1;
}

/* Makes room for element n (zeroed); capacities double, at powers of two. */
static void *grow(void *arr, size_t n, size_t elem)
{
	if (n == 0 || (n & (n - 1)) == 0) {
		void *p = realloc(arr, (n ? 2 * n : 1) * elem);
		if (!p)
			abort();
		arr = p;
	}
	memset((char *)arr + n * elem, 0, elem);
	return arr;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* A line that cannot be the named stream's: a cursor skips it without
 * tokenising (trace_load has checked every line already). */
static int not_of_stream(const char *line, const char *name, size_t name_len)
{
	while (*line == ' ' || *line == '\t')
		line++;
	return *line != *name || strncmp(line, name, name_len) != 0 || (line[name_len] != ' ' && line[name_len] != '\t');
}

/* Checks that the line is text; trace_load does this for every line, so
 * cursors need not again (next_line has bounded its length). */
static int check_text(const struct line_reader *r, size_t len, char *err, size_t errlen)
{
	if (len != strlen(r->buf))
		return fail(err, errlen, r->path, r->lineno, "NUL byte in line: expected text");
	for (const unsigned char *c = (const unsigned char *)r->buf; *c && *c != '#'; c++)
		if ((*c < 0x20 && !is_blank((char)*c)) || *c >= 0x7f)
			return fail(err, errlen, r->path, r->lineno, "non-ASCII or control byte 0x%02x: expected text", *c);
	return 0;
}

static void reader_init(struct line_reader *r, int fd, const char *path, int sequential, int copy_fd, size_t cap)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->path = path;
	r->sequential = sequential;
	r->copy_fd = copy_fd;
	r->end_offset = -1;
	r->cap = cap;
	if (!(r->chunk = malloc(cap + 1))) /* + 1: a NUL after a last line without newline */
		abort();
}

static void reader_free(struct line_reader *r)
{
	free(r->chunk);
	r->chunk = NULL;
}

/* Reads more of the file after what the chunk holds. */
static int fill(struct line_reader *r, char *err, size_t errlen)
{
	for (;;) {
		ssize_t got = r->sequential ? read(r->fd, r->chunk + r->len, r->cap - r->len)
					    : pread(r->fd, r->chunk + r->len, r->cap - r->len, (off_t)(r->chunk_at + (long)r->len));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return fail(err, errlen, r->path, r->lineno + 1, "cannot read the trace: %s", strerror(errno));
		if (got == 0)
			r->eof = 1;
		else if (r->copy_fd >= 0 && outfile_write_all(r->copy_fd, r->chunk + r->len, (size_t)got) != 0)
			return fail(err, errlen, r->path, 0, "cannot keep a copy of the trace in $TMPDIR (it is not a regular file, "
							     "and each thread reads it again): %s", strerror(errno));
		r->len += (size_t)got;
		return 0;
	}
}

/* The next line, NUL-terminated in place of its newline, in r->buf; *raw
 * is its length in the file.  1, 0 at the end, -1 with err.  A line longer
 * than MAX_LINE is refused before the rest of it is read. */
static int next_line(struct line_reader *r, size_t *raw, size_t *content, char *err, size_t errlen)
{
	for (;;) {
		char *start = r->chunk + r->pos;
		size_t avail = r->len - r->pos;
		char *nl = memchr(start, '\n', avail);
		if (nl || (r->eof && avail > 0)) {
			size_t n = nl ? (size_t)(nl - start) + 1 : avail;
			if (n > MAX_LINE)
				break;
			*content = nl ? n - 1 : n;
			start[*content] = '\0';
			r->buf = start;
			r->pos += n;
			*raw = n;
			return 1;
		}
		if (r->eof)
			return 0;
		if (avail > MAX_LINE)
			break;
		/* keep the start of the line, read the rest */
		memmove(r->chunk, start, avail);
		r->chunk_at += (long)r->pos;
		r->len = avail;
		r->pos = 0;
		if (r->len == r->cap && !(r->chunk = realloc(r->chunk, (r->cap *= 2) + 1)))
			abort();
		if (fill(r, err, errlen) != 0)
			return -1;
	}
	return fail(err, errlen, r->path, r->lineno + 1, "line longer than %d characters", MAX_LINE);
}

/* Splits the line into words, up to a comment. */
static int split_words(struct line_reader *r, char *err, size_t errlen)
{
	r->ntok = 0;
	for (char *c = r->buf;;) {
		while (is_blank(*c))
			c++;
		if (!*c || *c == '#')
			return 0;
		if (r->ntok == MAX_TOKENS)
			return fail(err, errlen, r->path, r->lineno, "more than %d words on one line", MAX_TOKENS);
		r->tok[r->ntok++] = c;
		while (*c && *c != '#' && !is_blank(*c))
			c++;
		if (*c == '#' || !*c) {
			*c = '\0';
			return 0;
		}
		*c++ = '\0';
	}
}

/* Reads the next line into tokens, dropping comments and blank lines, and,
 * if only_stream is set, lines of other streams.  Returns 1 with tokens, 0
 * at end of file, -1 on a malformed line. */
static int next_tokens_of(struct line_reader *r, const char *only_stream, char *err, size_t errlen)
{
	size_t only_len = only_stream ? strlen(only_stream) : 0;
	for (;;) {
		if (r->end_offset >= 0 && r->offset >= r->end_offset)
			return 0;
		size_t raw = 0, len = 0;
		int got = next_line(r, &raw, &len, err, errlen);
		if (got <= 0)
			return got;
		r->lineno++;
		r->line_start = r->offset;
		r->offset += (long)raw;
		if (only_stream && not_of_stream(r->buf, only_stream, only_len))
			continue;
		if ((!only_stream && check_text(r, len, err, errlen) != 0) || split_words(r, err, errlen) != 0)
			return -1;
		if (r->ntok)
			return 1;
	}
}

static int next_tokens(struct line_reader *r, char *err, size_t errlen) { return next_tokens_of(r, NULL, err, errlen); }

static int find_name(const void *arr, size_t n, size_t elem, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const char *const *np = (const char *const *)((const char *)arr + i * elem);
		if (strcmp(*np, name) == 0)
			return (int)i;
	}
	return -1;
}

static size_t hash_name(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The arrays of declarations whose elements start with their name. */
enum { IX_PROCESSES, IX_DEVICES, IX_STREAMS };

static struct name_index *index_of(const struct trace_header *h, int which, const void **arr, size_t *n, size_t *elem)
{
	switch (which) {
	case IX_PROCESSES: *arr = h->processes, *n = h->n_processes, *elem = sizeof *h->processes; return &h->index->processes;
	case IX_DEVICES: *arr = h->devices, *n = h->n_devices, *elem = sizeof *h->devices; return &h->index->devices;
	default: *arr = h->streams, *n = h->n_streams, *elem = sizeof *h->streams; return &h->index->streams;
	}
}

static const char *name_at(const void *arr, size_t elem, size_t i) { return *(const char *const *)((const char *)arr + i * elem); }

static int lookup(const struct trace_header *h, int which, const char *name)
{
	const void *arr;
	size_t n, elem;
	if (!h->index)
		return which == IX_PROCESSES ? find_name(h->processes, h->n_processes, sizeof *h->processes, name)
		       : which == IX_DEVICES ? find_name(h->devices, h->n_devices, sizeof *h->devices, name)
					     : find_name(h->streams, h->n_streams, sizeof *h->streams, name);
	const struct name_index *ix = index_of(h, which, &arr, &n, &elem);
	if (!ix->cap)
		return -1;
	for (size_t i = hash_name(name) & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		int v = ix->slot[i];
		if (!v)
			return -1;
		if (strcmp(name_at(arr, elem, (size_t)v - 1), name) == 0)
			return v - 1;
	}
}

static void index_insert(struct name_index *ix, const void *arr, size_t elem, size_t i)
{
	size_t k = hash_name(name_at(arr, elem, i)) & (ix->cap - 1);
	while (ix->slot[k])
		k = (k + 1) & (ix->cap - 1);
	ix->slot[k] = (int)i + 1;
}

/* Adds the last element of the array to its index. */
static void remember(struct trace_header *h, int which)
{
	const void *arr;
	size_t n, elem;
	struct name_index *ix = index_of(h, which, &arr, &n, &elem);
	if (2 * n > ix->cap) {
		free(ix->slot);
		ix->cap = ix->cap ? 2 * ix->cap : 64;
		if (!(ix->slot = calloc(ix->cap, sizeof *ix->slot)))
			abort();
		for (size_t i = 0; i + 1 < n; i++)
			index_insert(ix, arr, elem, i);
	}
	index_insert(ix, arr, elem, n - 1);
	ix->n = n;
}

int trace_find_process(const struct trace_header *h, const char *name)
{
	return lookup(h, IX_PROCESSES, name);
}

/* Splits "key=value"; returns the value or NULL when tok has no '=' */
static char *key_value(char *tok)
{
	char *eq = strchr(tok, '=');
	if (!eq)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

static int parse_va(struct line_reader *r, const char *text, uint64_t align, uint64_t *va, char *err, size_t errlen)
{
	const char *why;
	if (units_parse_u64(text, va, &why) != 0)
		return fail(err, errlen, r->path, r->lineno, "address '%s': %s", text, why);
	if (*va % align)
		return fail(err, errlen, r->path, r->lineno, "address '%s' is not %s-aligned", text,
			    align == HUGE_SIZE ? "2 MiB" : "4 KiB page");
	return 0;
}

static const char *const populate_names[] = {"none", "zero", "write", "cow", "zeroed", NULL};

static int decl_process(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	if (r->ntok < 2)
		return fail(err, errlen, r->path, r->lineno, "expected: process NAME [pasid=N]");
	if (trace_find_process(h, r->tok[1]) >= 0)
		return fail(err, errlen, r->path, r->lineno, "process '%s' declared twice", r->tok[1]);
	unsigned pasid = (unsigned)h->n_processes + 1;
	int forked = 0, pasid_seen = 0;
	for (int i = 2; i < r->ntok; i++) {
		char *v = key_value(r->tok[i]);
		uint64_t u;
		const char *why;
		if (!v && h->version >= 2 && strcmp(r->tok[i], "forked") == 0 && !forked) {
			forked = 1;
			continue;
		}
		if (!v || strcmp(r->tok[i], "pasid") != 0 || pasid_seen++) {
			if (v)
				v[-1] = '='; /* show the token as written */
			return fail(err, errlen, r->path, r->lineno, "unknown or repeated key '%s': expected pasid=N%s once", r->tok[i],
				    h->version >= 2 ? " or forked" : "");
		}
		if (units_parse_u64(v, &u, &why) != 0 || u < 1 || u >= (1u << 20))
			return fail(err, errlen, r->path, r->lineno, "pasid '%s': expected an integer in [1, 2^20)", v);
		pasid = (unsigned)u;
	}
	if (pasid >= (1u << 20))
		return fail(err, errlen, r->path, r->lineno, "more than 2^20 - 1 processes: PASIDs are 20 bits");
	struct trace_index *ix = h->index;
	if (ix && !ix->pasids && !(ix->pasids = calloc((1u << 20) / 8, 1)))
		abort();
	if (!ix || (ix->pasids[pasid / 8] & (1u << (pasid % 8))))
		for (size_t i = 0; i < h->n_processes; i++)
			if (h->processes[i].pasid == pasid)
				return fail(err, errlen, r->path, r->lineno, "pasid %u already used by process '%s'", pasid, h->processes[i].name);
	if (ix)
		ix->pasids[pasid / 8] |= (unsigned char)(1u << (pasid % 8));
	h->processes = grow(h->processes, h->n_processes, sizeof *h->processes);
	h->processes[h->n_processes].name = strdup(r->tok[1]);
	h->processes[h->n_processes].forked = forked;
	h->processes[h->n_processes++].pasid = pasid;
	if (ix)
		remember(h, IX_PROCESSES);
	return 0;
}

static int decl_map(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	if (r->ntok < 4)
		return fail(err, errlen, r->path, r->lineno, "expected: map PROCESS START SIZE [huge] [populate=none|zero|write|cow|zeroed]");
	int proc = trace_find_process(h, r->tok[1]);
	if (proc < 0)
		return fail(err, errlen, r->path, r->lineno, "unknown process '%s' (declare it with 'process' first)", r->tok[1]);
	if (h->processes[proc].forked)
		return fail(err, errlen, r->path, r->lineno, "process '%s' is forked: its mappings are its parent's", r->tok[1]);
	struct trace_map m = {.process = proc, .line = r->lineno, .populate = POP_NONE};
	int anon = 0, populate_seen = 0;
	for (int i = 4; i < r->ntok; i++) {
		char *v = key_value(r->tok[i]);
		if ((!v && strcmp(r->tok[i], "huge") == 0 && m.huge) ||
		    (!v && (strcmp(r->tok[i], "anon") == 0 || strcmp(r->tok[i], "file") == 0) && anon) ||
		    (!v && strcmp(r->tok[i], "ro") == 0 && m.ro) || (!v && strcmp(r->tok[i], "shared") == 0 && m.shared) ||
		    (v && strcmp(r->tok[i], "populate") == 0 && populate_seen++)) {
			return fail(err, errlen, r->path, r->lineno, "map option '%s' given twice", r->tok[i]);
		} else if (!v && strcmp(r->tok[i], "huge") == 0) {
			m.huge = 1;
		} else if (!v && (strcmp(r->tok[i], "anon") == 0 || (h->version >= 2 && strcmp(r->tok[i], "file") == 0))) {
			anon = 1; /* private file pages are modelled as anonymous ones; accepted for readability */
		} else if (!v && h->version >= 2 && strcmp(r->tok[i], "ro") == 0 && !m.ro) {
			m.ro = 1;
		} else if (!v && h->version >= 2 && strcmp(r->tok[i], "shared") == 0 && !m.shared) {
			m.shared = 1;
		} else if (v && strcmp(r->tok[i], "populate") == 0) {
			int k = -1;
			for (int j = 0; populate_names[j]; j++)
				if (strcmp(v, populate_names[j]) == 0)
					k = j;
			if (k < 0)
				return fail(err, errlen, r->path, r->lineno, "populate='%s': expected none, zero, write, cow or zeroed", v);
			m.populate = (enum populate)k;
		} else {
			return fail(err, errlen, r->path, r->lineno, "unknown map option '%s': expected huge, anon%s or populate=...",
				    r->tok[i], h->version >= 2 ? ", file, ro, shared" : "");
		}
	}
	uint64_t align = m.huge ? HUGE_SIZE : PAGE_SIZE;
	const char *why;
	if (parse_va(r, r->tok[2], align, &m.start, err, errlen) != 0)
		return -1;
	if (units_parse_size(r->tok[3], &m.size, &why) != 0)
		return fail(err, errlen, r->path, r->lineno, "size '%s': %s", r->tok[3], why);
	if (m.size == 0 || m.size % align)
		return fail(err, errlen, r->path, r->lineno, "size '%s': expected a non-zero multiple of %s", r->tok[3], m.huge ? "2M" : "4K");
	if (m.start + m.size < m.start || m.start + m.size > (1ULL << 48))
		return fail(err, errlen, r->path, r->lineno, "mapping ends beyond the 48-bit address space");
	/* overlaps are found once all mappings are known (finish_declarations) */
	h->maps = grow(h->maps, h->n_maps, sizeof *h->maps);
	h->maps[h->n_maps++] = m;
	return 0;
}

static int decl_device(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	if (r->ntok != 3 || strncmp(r->tok[2], "process=", 8) != 0)
		return fail(err, errlen, r->path, r->lineno, "expected: device HOST process=NAME (the device binds to that process's PASID)");
	if (lookup(h, IX_DEVICES, r->tok[1]) >= 0)
		return fail(err, errlen, r->path, r->lineno, "device '%s' declared twice", r->tok[1]);
	int proc = trace_find_process(h, r->tok[2] + 8);
	if (proc < 0)
		return fail(err, errlen, r->path, r->lineno, "unknown process '%s'", r->tok[2] + 8);
	h->devices = grow(h->devices, h->n_devices, sizeof *h->devices);
	h->devices[h->n_devices++] = (struct trace_device){strdup(r->tok[1]), proc, r->lineno};
	if (h->index)
		remember(h, IX_DEVICES);
	return 0;
}

static int decl_stream(struct trace_header *h, struct line_reader *r, int is_device, char *err, size_t errlen)
{
	const char *owner_key = is_device ? "device" : "process";
	if (r->ntok < 3)
		return fail(err, errlen, r->path, r->lineno, "expected: %s NAME %s=NAME%s", r->tok[0], owner_key, is_device ? "" : " [core=HOST]");
	if (lookup(h, IX_STREAMS, r->tok[1]) >= 0)
		return fail(err, errlen, r->path, r->lineno, "stream '%s' declared twice", r->tok[1]);
	struct trace_stream s = {.is_device = is_device, .owner = -1, .line = r->lineno};
	int rc = 0;
	for (int i = 2; rc == 0 && i < r->ntok; i++) {
		char *v = key_value(r->tok[i]);
		if (v && strcmp(r->tok[i], owner_key) == 0 && s.owner < 0) {
			s.owner = is_device ? lookup(h, IX_DEVICES, v) : trace_find_process(h, v);
			if (s.owner < 0)
				rc = fail(err, errlen, r->path, r->lineno, "unknown %s '%s'", owner_key, v);
		} else if (v && !is_device && strcmp(r->tok[i], "core") == 0 && !s.core) {
			s.core = strdup(v);
		} else {
			if (v)
				v[-1] = '='; /* show the token as written */
			rc = fail(err, errlen, r->path, r->lineno, "unknown or repeated key '%s': expected %s=NAME%s", r->tok[i],
				  owner_key, is_device ? "" : " or core=HOST");
		}
	}
	if (rc == 0 && s.owner < 0)
		rc = fail(err, errlen, r->path, r->lineno, "missing %s=NAME", owner_key);
	if (rc != 0) {
		free(s.core);
		return -1;
	}
	s.name = strdup(r->tok[1]);
	h->streams = grow(h->streams, h->n_streams, sizeof *h->streams);
	h->streams[h->n_streams++] = s;
	if (h->index)
		remember(h, IX_STREAMS);
	return 0;
}

static int decl_expect(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	if (r->ntok < 3)
		return fail(err, errlen, r->path, r->lineno, "expected: expect POLICY KEY=N|KEY>=N|KEY<=N ...");
	if (h->n_expects + (size_t)r->ntok > MAX_EXPECTS)
		return fail(err, errlen, r->path, r->lineno, "more than %d expected values: a litmus header holds a few", MAX_EXPECTS);
	for (int i = 2; i < r->ntok; i++) {
		struct trace_expect e = {.line = r->lineno};
		char *t = r->tok[i], *op = strpbrk(t, "<>=");
		if (!op || op == t)
			return fail(err, errlen, r->path, r->lineno, "'%s': expected KEY=N, KEY>=N or KEY<=N", t);
		size_t oplen = (op[0] != '=' && op[1] == '=') ? 2 : 1;
		if (op[0] != '=' && oplen == 1)
			return fail(err, errlen, r->path, r->lineno, "'%s': expected KEY=N, KEY>=N or KEY<=N", t);
		memcpy(e.cmp, op, oplen);
		const char *why;
		if (units_parse_double(op + oplen, &e.value, &why) != 0)
			return fail(err, errlen, r->path, r->lineno, "'%s': %s", t, why);
		*op = '\0';
		for (size_t k = 0; k < h->n_expects; k++)
			if (strcmp(h->expects[k].policy, r->tok[1]) == 0 && strcmp(h->expects[k].key, t) == 0 && strcmp(h->expects[k].cmp, e.cmp) == 0)
				return fail(err, errlen, r->path, r->lineno, "expect %s %s%s given twice (first at line %d)", r->tok[1], t, e.cmp,
					    h->expects[k].line);
		e.policy = strdup(r->tok[1]);
		e.key = strdup(t);
		h->expects = grow(h->expects, h->n_expects, sizeof *h->expects);
		h->expects[h->n_expects++] = e;
	}
	return 0;
}

static int populate_by_name(const char *v)
{
	for (int j = 0; populate_names[j]; j++)
		if (strcmp(v, populate_names[j]) == 0)
			return j;
	return -1;
}

static int decl_present(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	if (r->ntok != 5)
		return fail(err, errlen, r->path, r->lineno, "expected: present PROCESS START SIZE write|zero|cow|zeroed");
	struct trace_present pr = {.process = trace_find_process(h, r->tok[1]), .line = r->lineno};
	const char *why;
	if (pr.process < 0)
		return fail(err, errlen, r->path, r->lineno, "unknown process '%s'", r->tok[1]);
	if (parse_va(r, r->tok[2], PAGE_SIZE, &pr.start, err, errlen) != 0)
		return -1;
	if (units_parse_size(r->tok[3], &pr.size, &why) != 0)
		return fail(err, errlen, r->path, r->lineno, "size '%s': %s", r->tok[3], why);
	if (pr.size == 0 || pr.size % PAGE_SIZE)
		return fail(err, errlen, r->path, r->lineno, "size '%s': expected a non-zero multiple of 4K", r->tok[3]);
	int k = populate_by_name(r->tok[4]);
	if (k <= POP_NONE)
		return fail(err, errlen, r->path, r->lineno, "page state '%s': expected write, zero, cow or zeroed", r->tok[4]);
	pr.populate = (enum populate)k;
	const struct trace_map *in = NULL;
	for (size_t i = 0; i < h->n_maps; i++) {
		const struct trace_map *m = &h->maps[i];
		if (m->process == pr.process && pr.start >= m->start && pr.start + pr.size <= m->start + m->size)
			in = m;
	}
	if (!in || in->huge || in->populate != POP_NONE)
		return fail(err, errlen, r->path, r->lineno, "range %s+%s is not inside one declared 4 KiB mapping without populate=", r->tok[2],
			    r->tok[3]);
	/* the importer writes them in address order; order is what makes overlaps cheap to refuse */
	for (size_t i = h->n_present; i-- > 0;)
		if (h->present[i].process == pr.process) {
			if (pr.start < h->present[i].start + h->present[i].size)
				return fail(err, errlen, r->path, r->lineno, "range starts before the end of the one declared at line %d: "
					    "expected present ranges of a process in increasing address order", h->present[i].line);
			break;
		}
	h->present = grow(h->present, h->n_present, sizeof *h->present);
	h->present[h->n_present++] = pr;
	return 0;
}

static int decl_capture(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	if (r->ntok < 3)
		return fail(err, errlen, r->path, r->lineno, "expected: capture KEY VALUE...");
	for (const char *c = r->tok[1]; *c; c++)
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			return fail(err, errlen, r->path, r->lineno, "capture key '%s': expected lower-case letters, digits and '_'", r->tok[1]);
	size_t len = 0;
	for (int i = 2; i < r->ntok; i++)
		len += strlen(r->tok[i]) + 1;
	char *v = malloc(len);
	if (!v)
		abort();
	v[0] = '\0';
	for (int i = 2; i < r->ntok; i++) {
		strcat(v, r->tok[i]);
		if (i + 1 < r->ntok)
			strcat(v, " ");
	}
	for (size_t i = 0; i < h->n_captures; i++)
		if (strcmp(h->captures[i].key, r->tok[1]) == 0) {
			free(v);
			return fail(err, errlen, r->path, r->lineno, "capture '%s' given twice", r->tok[1]);
		}
	h->captures = grow(h->captures, h->n_captures, sizeof *h->captures);
	h->captures[h->n_captures++] = (struct trace_capture){strdup(r->tok[1]), v};
	return 0;
}

static int decl_param(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	char why[256];
	if (r->ntok != 3)
		return fail(err, errlen, r->path, r->lineno, "expected: param NAME VALUE");
	if (param_settings_add(&h->params, r->tok[1], r->tok[2], why, sizeof why) != 0)
		return fail(err, errlen, r->path, r->lineno, "%s", why);
	return 0;
}

static int va_in_maps(const struct trace_header *h, int proc, uint64_t va, uint64_t len)
{
	const struct trace_index *ix = h->index;
	if (!ix || !ix->maps_sorted) {
		for (size_t i = 0; i < h->n_maps; i++) {
			const struct trace_map *m = &h->maps[i];
			if (m->process == proc && va >= m->start && va + len <= m->start + m->size)
				return 1;
		}
		return 0;
	}
	/* the last of the process's mappings that starts at or below va */
	size_t lo = ix->first_map[proc], hi = ix->first_map[proc + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->maps[ix->maps_of[mid]].start <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ix->first_map[proc])
		return 0;
	const struct trace_map *m = &h->maps[ix->maps_of[lo - 1]];
	return va + len >= va && va + len <= m->start + m->size;
}

static int map_cmp(const void *a, const void *b, void *ctx)
{
	const struct trace_header *h = ctx;
	const struct trace_map *x = &h->maps[*(const size_t *)a], *y = &h->maps[*(const size_t *)b];
	if (x->process != y->process)
		return x->process < y->process ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Once the declarations are read: the mappings of each process in address
 * order (for va_in_maps), and none overlapping another of its process.  Of
 * overlapping pairs, the one whose later line comes first is reported. */
static int finish_declarations(struct trace_header *h, const char *path, char *err, size_t errlen)
{
	struct trace_index *ix = h->index;
	if (ix->maps_sorted)
		return 0;
	if (!(ix->maps_of = malloc((h->n_maps + 1) * sizeof *ix->maps_of)) ||
	    !(ix->first_map = calloc(h->n_processes + 1, sizeof *ix->first_map)) ||
	    !(ix->clock = calloc(h->n_streams + 1, sizeof *ix->clock)) || !(ix->last_abs = calloc(h->n_streams + 1, sizeof *ix->last_abs)))
		abort();
	for (size_t i = 0; i < h->n_maps; i++)
		ix->maps_of[i] = i;
	qsort_r(ix->maps_of, h->n_maps, sizeof *ix->maps_of, map_cmp, h);
	int bad_line = 0, with_line = 0;
	size_t reach = 0; /* the sorted mapping that ends last among those before */
	for (size_t k = 0; k < h->n_maps; k++) {
		const struct trace_map *m = &h->maps[ix->maps_of[k]];
		ix->first_map[m->process + 1] = k + 1;
		if (k == 0 || h->maps[ix->maps_of[k - 1]].process != m->process) {
			reach = k;
			continue;
		}
		const struct trace_map *o = &h->maps[ix->maps_of[reach]];
		if (m->start < o->start + o->size) {
			int later = m->line > o->line ? m->line : o->line, earlier = m->line > o->line ? o->line : m->line;
			if (!bad_line || later < bad_line)
				bad_line = later, with_line = earlier;
		}
		if (m->start + m->size > o->start + o->size)
			reach = k;
	}
	for (size_t p = 1; p <= h->n_processes; p++)
		if (ix->first_map[p] < ix->first_map[p - 1])
			ix->first_map[p] = ix->first_map[p - 1];
	ix->maps_sorted = 1;
	if (bad_line)
		return fail(err, errlen, path, bad_line, "mapping overlaps the one declared at line %d", with_line);
	return 0;
}

/* Format 2's address rule: an address must lie in a range that a declared
 * map or an earlier mmap, brk or mremap of that process (or of its parent
 * before the fork) has covered.  known[p] is that set for process p; it
 * only grows (a range once mapped stays valid: what is unmapped at run time
 * is the model's business, a SIGSEGV or a skipped op). */
struct v2_state {
	struct rangeset *known;
	int *forks; /* fork ops naming each process */
	int *parent, *fork_line; /* per forked process: who forks it, and where */
};

static int check_known(const struct trace_header *h, struct line_reader *r, const struct v2_state *v, int proc, uint64_t start,
		       uint64_t len, const char *text, char *err, size_t errlen)
{
	if (rangeset_covers(&v->known[proc], start, start + len))
		return 0;
	return fail(err, errlen, r->path, r->lineno, "%s is outside every mapping of process '%s' (declared, or made by an earlier "
		    "mmap, brk or mremap)", text, h->processes[proc].name);
}

static int check_v2_event(const struct trace_header *h, struct line_reader *r, const struct v2_state *v, int proc,
			  const struct trace_event *ev, char *err, size_t errlen)
{
	const struct op_info *oi = op_info(ev->op);
	char text[96];
	snprintf(text, sizeof text, "address %#llx", (unsigned long long)ev->va);
	switch (oi->args) {
	case ARGS_VA:
		return check_known(h, r, v, proc, ev->va, oi->huge ? HUGE_SIZE : PAGE_SIZE, text, err, errlen);
	case ARGS_VA_VA:
		if (check_known(h, r, v, proc, ev->va, PAGE_SIZE, text, err, errlen) != 0)
			return -1;
		snprintf(text, sizeof text, "address %#llx", (unsigned long long)ev->arg2);
		return check_known(h, r, v, proc, ev->arg2, PAGE_SIZE, text, err, errlen);
	case ARGS_VA_SIZE:
		if (ev->op == OP_MMAP) {
			rangeset_add(&v->known[proc], ev->va, ev->va + ev->arg2);
			return 0;
		}
		snprintf(text, sizeof text, "range %#llx+%#llx", (unsigned long long)ev->va, (unsigned long long)ev->arg2);
		return check_known(h, r, v, proc, ev->va, ev->arg2, text, err, errlen);
	case ARGS_BRK:
		if (ev->arg2 > ev->va) {
			rangeset_add(&v->known[proc], ev->va, ev->arg2);
			return 0;
		}
		snprintf(text, sizeof text, "heap range %#llx..%#llx", (unsigned long long)ev->arg2, (unsigned long long)ev->va);
		return check_known(h, r, v, proc, ev->arg2, ev->va - ev->arg2, text, err, errlen);
	case ARGS_MREMAP:
		snprintf(text, sizeof text, "range %#llx+%#llx", (unsigned long long)ev->va, (unsigned long long)ev->arg2);
		if (check_known(h, r, v, proc, ev->va, ev->arg2, text, err, errlen) != 0)
			return -1;
		rangeset_add(&v->known[proc], ev->arg3, ev->arg3 + ev->arg4);
		return 0;
	case ARGS_PROCESS:
		if (v->forks[ev->target]++)
			return fail(err, errlen, r->path, r->lineno, "process '%s' is forked a second time: a forked process has one parent",
				    h->processes[ev->target].name);
		rangeset_copy(&v->known[ev->target], &v->known[proc]);
		v->parent[ev->target] = proc;
		v->fork_line[ev->target] = (int)r->lineno;
		return 0;
	case ARGS_DURATION:
	case ARGS_NONE:
		return 0;
	}
	return 0;
}

static int op_nargs(enum op_args a)
{
	switch (a) {
	case ARGS_VA: case ARGS_DURATION: case ARGS_PROCESS: return 1;
	case ARGS_VA_SIZE: case ARGS_VA_VA: case ARGS_BRK: return 2;
	case ARGS_MREMAP: return 4;
	case ARGS_NONE: return 0;
	}
	return 0;
}

static int parse_size_arg(struct line_reader *r, const char *text, uint64_t *size, char *err, size_t errlen)
{
	const char *why;
	if (units_parse_size(text, size, &why) != 0)
		return fail(err, errlen, r->path, r->lineno, "size '%s': %s", text, why);
	if (*size == 0 || *size % PAGE_SIZE)
		return fail(err, errlen, r->path, r->lineno, "size '%s': expected a non-zero multiple of 4K", text);
	if (*size > (1ULL << 48))
		return fail(err, errlen, r->path, r->lineno, "size '%s': expected at most the 48-bit address space", text);
	return 0;
}

/* The arguments of format 2's new argument shapes. */
static int parse_v2_args(const struct trace_header *h, struct line_reader *r, int proc, const struct op_info *oi,
			 struct trace_event *ev, char *err, size_t errlen)
{
	switch (oi->args) {
	case ARGS_BRK:
		if (parse_va(r, r->tok[3], PAGE_SIZE, &ev->va, err, errlen) != 0 || parse_va(r, r->tok[4], PAGE_SIZE, &ev->arg2, err, errlen) != 0)
			return -1;
		if (ev->va == ev->arg2 || ev->va >= (1ULL << 48) || ev->arg2 >= (1ULL << 48))
			return fail(err, errlen, r->path, r->lineno, "brk %s %s: expected two different addresses below 2^48", r->tok[3], r->tok[4]);
		return 0;
	case ARGS_MREMAP:
		if (parse_va(r, r->tok[3], PAGE_SIZE, &ev->va, err, errlen) != 0 || parse_size_arg(r, r->tok[4], &ev->arg2, err, errlen) != 0 ||
		    parse_va(r, r->tok[5], PAGE_SIZE, &ev->arg3, err, errlen) != 0 || parse_size_arg(r, r->tok[6], &ev->arg4, err, errlen) != 0)
			return -1;
		if (ev->arg3 + ev->arg4 > (1ULL << 48) || ev->va + ev->arg2 > (1ULL << 48))
			return fail(err, errlen, r->path, r->lineno, "mremap range ends beyond the 48-bit address space");
		if (ev->va < ev->arg3 + ev->arg4 && ev->arg3 < ev->va + ev->arg2)
			return fail(err, errlen, r->path, r->lineno, "mremap: the new range overlaps the old one (the kernel refuses that: EINVAL)");
		return 0;
	case ARGS_PROCESS:
		ev->target = trace_find_process(h, r->tok[3]);
		if (ev->target < 0)
			return fail(err, errlen, r->path, r->lineno, "unknown process '%s'", r->tok[3]);
		if (!h->processes[ev->target].forked || ev->target == proc)
			return fail(err, errlen, r->path, r->lineno, "fork %s: expected another process declared 'forked'", r->tok[3]);
		return 0;
	default:
		return 0;
	}
}

/* Parses the tokens of an event line of stream s into ev.  v: format 2's
 * address checks while trace_load reads the file (cursors pass NULL: the
 * file has been checked). */
static int parse_event(const struct trace_header *h, struct line_reader *r, int s, double *last_abs,
		       struct trace_event *ev, const struct v2_state *v, char *err, size_t errlen)
{
	const struct trace_stream *st = &h->streams[s];
	const char *why;
	memset(ev, 0, sizeof *ev);
	ev->line = r->lineno;
	ev->target = -1;
	if (r->ntok < 3)
		return fail(err, errlen, r->path, r->lineno, "expected: STREAM @TIME|+TIME OP ARGS...");
	char *t = r->tok[1];
	if (t[0] != '@' && t[0] != '+')
		return fail(err, errlen, r->path, r->lineno, "time '%s': expected @DURATION (absolute) or +DURATION (after the previous event)", t);
	ev->absolute = t[0] == '@';
	if (units_parse_duration(t + 1, &ev->time, &why) != 0)
		return fail(err, errlen, r->path, r->lineno, "time '%s': %s", t, why);
	if (ev->time > TRACE_MAX_TIME)
		return fail(err, errlen, r->path, r->lineno, "time '%s': expected at most %gs", t, TRACE_MAX_TIME);
	if (ev->absolute) {
		if (ev->time < *last_abs)
			return fail(err, errlen, r->path, r->lineno, "time '%s' goes backwards in stream '%s': expected at least the previous absolute time", t, st->name);
		*last_abs = ev->time;
	}
	int k = op_by_name(r->tok[2]);
	if (k < 0 || (int)op_info((enum op_kind)k)->version > h->version)
		return fail(err, errlen, r->path, r->lineno, "unknown operation '%s' (see workloads/README.md)%s", r->tok[2],
			    k >= 0 ? ": it needs 'mnsim-trace 2'" : "");
	const struct op_info *oi = op_info((enum op_kind)k);
	if (st->is_device ? !oi->device : !oi->cpu)
		return fail(err, errlen, r->path, r->lineno, "operation '%s' is not allowed in a %s stream", oi->name, st->is_device ? "device" : "CPU");
	ev->op = (enum op_kind)k;
	int nargs = op_nargs(oi->args);
	if (r->ntok < 3 + nargs)
		return fail(err, errlen, r->path, r->lineno, "operation '%s' expects %d argument%s", oi->name, nargs, nargs > 1 ? "s" : "");
	int proc = st->is_device ? h->devices[st->owner].process : st->owner;
	uint64_t align = oi->huge ? HUGE_SIZE : PAGE_SIZE;
	int v1 = h->version < 2;
	if (oi->args == ARGS_DURATION) {
		if (units_parse_duration(r->tok[3], &ev->duration, &why) != 0)
			return fail(err, errlen, r->path, r->lineno, "duration '%s': %s", r->tok[3], why);
		if (ev->duration > TRACE_MAX_TIME)
			return fail(err, errlen, r->path, r->lineno, "duration '%s': expected at most %gs", r->tok[3], TRACE_MAX_TIME);
	} else if (oi->args == ARGS_VA || oi->args == ARGS_VA_SIZE || oi->args == ARGS_VA_VA) {
		if (parse_va(r, r->tok[3], align, &ev->va, err, errlen) != 0)
			return -1;
		if (v1 && !va_in_maps(h, proc, ev->va, oi->huge ? HUGE_SIZE : PAGE_SIZE))
			return fail(err, errlen, r->path, r->lineno, "address %s is outside every mapping declared for process '%s'%s",
				    r->tok[3], h->processes[proc].name, oi->huge ? " (or not inside a huge mapping)" : "");
		if (!v1 && ev->va >= (1ULL << 48))
			return fail(err, errlen, r->path, r->lineno, "address %s is beyond the 48-bit address space", r->tok[3]);
	} else if (parse_v2_args(h, r, proc, oi, ev, err, errlen) != 0) {
		return -1;
	}
	if (oi->args == ARGS_VA_SIZE) {
		if (v1) {
			if (units_parse_size(r->tok[4], &ev->arg2, &why) != 0)
				return fail(err, errlen, r->path, r->lineno, "size '%s': %s", r->tok[4], why);
			if (ev->arg2 == 0 || ev->arg2 % PAGE_SIZE)
				return fail(err, errlen, r->path, r->lineno, "size '%s': expected a non-zero multiple of 4K", r->tok[4]);
			if (!va_in_maps(h, proc, ev->va, ev->arg2))
				return fail(err, errlen, r->path, r->lineno, "range %s+%s is not inside one declared mapping", r->tok[3], r->tok[4]);
		} else if (parse_size_arg(r, r->tok[4], &ev->arg2, err, errlen) != 0) {
			return -1;
		} else if (ev->va + ev->arg2 > (1ULL << 48)) {
			return fail(err, errlen, r->path, r->lineno, "range %s+%s ends beyond the 48-bit address space", r->tok[3], r->tok[4]);
		}
	} else if (oi->args == ARGS_VA_VA) {
		if (parse_va(r, r->tok[4], PAGE_SIZE, &ev->arg2, err, errlen) != 0)
			return -1;
		if (v1 && !va_in_maps(h, proc, ev->arg2, PAGE_SIZE))
			return fail(err, errlen, r->path, r->lineno, "address %s is outside every mapping of process '%s'", r->tok[4], h->processes[proc].name);
		if (ev->arg2 == ev->va)
			return fail(err, errlen, r->path, r->lineno, "ksm_merge needs two different pages");
	}
	for (int i = 3 + nargs; i < r->ntok; i++) {
		char *val = key_value(r->tok[i]);
		if (val && strcmp(r->tok[i], "window") == 0 && oi->kernel) {
			if (ev->has_window)
				return fail(err, errlen, r->path, r->lineno, "window= given twice");
			if (units_parse_duration(val, &ev->window, &why) != 0)
				return fail(err, errlen, r->path, r->lineno, "window '%s': %s", val, why);
			if (ev->window > TRACE_MAX_TIME)
				return fail(err, errlen, r->path, r->lineno, "window '%s': expected at most %gs", val, TRACE_MAX_TIME);
			ev->has_window = 1;
		} else if (!val && ev->op == OP_MMAP && strcmp(r->tok[i], "ro") == 0 && !ev->ro) {
			ev->ro = 1;
		} else if (!val && ev->op == OP_MMAP && strcmp(r->tok[i], "shared") == 0 && !ev->shared) {
			ev->shared = 1;
		} else {
			if (val)
				val[-1] = '='; /* show the token as written */
			return fail(err, errlen, r->path, r->lineno, "unexpected '%s'%s", r->tok[i],
				    ev->op == OP_MMAP ? ": expected ro, shared or window=DURATION"
				    : oi->kernel ? ": expected window=DURATION" : ": this operation takes no options");
		}
	}
	return v ? check_v2_event(h, r, v, proc, ev, err, errlen) : 0;
}

static int parse_declaration(struct trace_header *h, struct line_reader *r, char *err, size_t errlen)
{
	const char *kw = r->tok[0];
	if (strcmp(kw, "process") == 0)
		return decl_process(h, r, err, errlen);
	if (strcmp(kw, "map") == 0)
		return decl_map(h, r, err, errlen);
	if (strcmp(kw, "device") == 0)
		return decl_device(h, r, err, errlen);
	if (strcmp(kw, "cpu") == 0)
		return decl_stream(h, r, 0, err, errlen);
	if (strcmp(kw, "devthread") == 0)
		return decl_stream(h, r, 1, err, errlen);
	if (strcmp(kw, "expect") == 0)
		return decl_expect(h, r, err, errlen);
	if (strcmp(kw, "param") == 0)
		return decl_param(h, r, err, errlen);
	if (h->version >= 2 && strcmp(kw, "present") == 0)
		return decl_present(h, r, err, errlen);
	if (h->version >= 2 && strcmp(kw, "capture") == 0)
		return decl_capture(h, r, err, errlen);
	return fail(err, errlen, r->path, r->lineno,
		    "unknown keyword or stream '%s': expected process, map, device, cpu, devthread, param, expect%s or a declared stream name",
		    kw, h->version >= 2 ? ", present, capture" : "");
}

static int is_declaration_keyword(const char *kw, int version)
{
	static const char *const kws[] = {"process", "map", "device", "cpu", "devthread", "expect", "param", NULL};
	for (int i = 0; kws[i]; i++)
		if (strcmp(kw, kws[i]) == 0)
			return 1;
	return version >= 2 && (strcmp(kw, "present") == 0 || strcmp(kw, "capture") == 0);
}

static int check_header_line(struct line_reader *r, int *version, char *err, size_t errlen)
{
	int rc = next_tokens(r, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return fail(err, errlen, r->path, r->lineno, "empty trace: expected a first line 'mnsim-trace 1' or 'mnsim-trace %d'", TRACE_VERSION);
	if (r->ntok != 2 || strcmp(r->tok[0], "mnsim-trace") != 0)
		return fail(err, errlen, r->path, r->lineno, "expected a first line 'mnsim-trace 1' or 'mnsim-trace %d'", TRACE_VERSION);
	if (strcmp(r->tok[1], "1") != 0 && strcmp(r->tok[1], "2") != 0)
		return fail(err, errlen, r->path, r->lineno, "trace format version '%s' is not supported: expected 1 or %d", r->tok[1],
			    TRACE_VERSION);
	*version = r->tok[1][0] - '0';
	return 0;
}

static void v2_init(const struct trace_header *h, struct v2_state *v)
{
	if (!(v->known = calloc(h->n_processes + 1, sizeof *v->known)) || !(v->forks = calloc(h->n_processes + 1, sizeof *v->forks)) ||
	    !(v->parent = calloc(h->n_processes + 1, sizeof *v->parent)) ||
	    !(v->fork_line = calloc(h->n_processes + 1, sizeof *v->fork_line)))
		abort();
	for (size_t i = 0; i < h->n_maps; i++)
		rangeset_add(&v->known[h->maps[i].process], h->maps[i].start, h->maps[i].start + h->maps[i].size);
}

static void v2_free(const struct trace_header *h, struct v2_state *v)
{
	for (size_t p = 0; v->known && p < h->n_processes; p++)
		rangeset_clear(&v->known[p]);
	free(v->known);
	free(v->forks);
	free(v->parent);
	free(v->fork_line);
}

/* A process forked, through its ancestors, by a thread of its own: each
 * waits for the other's fork, forever (a trace no program can make). */
static int check_fork_cycles(const struct trace_header *h, const struct v2_state *v, const char *path, char *err, size_t errlen)
{
	for (size_t p = 0; v->forks && p < h->n_processes; p++) {
		if (!v->forks[p])
			continue;
		int q = v->parent[p];
		for (size_t steps = 0; steps < h->n_processes && h->processes[q].forked && v->forks[q]; steps++) {
			if (q == (int)p)
				return fail(err, errlen, path, v->fork_line[p],
					    "fork %s: '%s' descends from '%s' itself (a cycle of forks: their threads would wait for each "
					    "other forever)", h->processes[p].name, h->processes[v->parent[p]].name, h->processes[p].name);
			q = v->parent[q];
		}
	}
	return 0;
}

static void note_event_position(struct trace_stream *st, const struct line_reader *r)
{
	if (st->events_to == 0) {
		st->events_from = r->line_start;
		st->lines_before = r->lineno - 1;
	}
	st->events_to = r->offset;
}

/* Opens the trace.  A regular file is read in place (the cursors read it
 * again); anything else (a FIFO, <(...), a device) is read once, and what
 * is read is kept in an unnamed temporary file for the cursors (*copy_fd). */
static int open_trace(const char *path, int *fd, int *copy_fd, char *err, size_t errlen)
{
	struct stat st;
	*copy_fd = -1;
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail(err, errlen, path, 0, "cannot open trace: %s", strerror(errno));
	if (fstat(*fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(*fd);
		return fail(err, errlen, path, 0, "cannot open trace: %s", S_ISDIR(st.st_mode) ? "it is a directory" : strerror(errno));
	}
	if (!S_ISREG(st.st_mode) && (*copy_fd = outfile_scratch()) < 0) {
		close(*fd);
		return fail(err, errlen, path, 0, "cannot keep a copy of the trace in $TMPDIR (it is not a regular file, and each "
						  "thread reads it again): %s", strerror(errno));
	}
	return 0;
}

/* The earliest time the stream's events can end: absolute times, relative
 * ones and think durations add up (windows and waits only add to it). */
static int advance_clock(const struct trace_header *h, const struct line_reader *r, int s, const struct trace_event *ev,
			 char *err, size_t errlen)
{
	double *clock = &h->index->clock[s];
	*clock = ev->absolute ? (ev->time > *clock ? ev->time : *clock) : *clock + ev->time;
	if (ev->op == OP_THINK)
		*clock += ev->duration;
	if (*clock > TRACE_MAX_TIME)
		return fail(err, errlen, r->path, r->lineno, "stream '%s' reaches %gs here (its times and think durations add up): "
							    "expected at most %gs in all", h->streams[s].name, *clock, TRACE_MAX_TIME);
	return 0;
}

int trace_load(const char *path, struct trace_header *h, char *err, size_t errlen)
{
	struct line_reader r;
	int fd, copy_fd;
	memset(h, 0, sizeof *h);
	h->fd = -1;
	if (open_trace(path, &fd, &copy_fd, err, errlen) != 0)
		return -1;
	h->path = strdup(path);
	if (!(h->index = calloc(1, sizeof *h->index)))
		abort();
	reader_init(&r, fd, path, copy_fd >= 0, copy_fd, LOAD_CHUNK);
	int rc = check_header_line(&r, &h->version, err, errlen);
	struct v2_state v2 = {0};
	while (rc == 0) {
		int got = next_tokens(&r, err, errlen);
		if (got <= 0) {
			rc = got;
			break;
		}
		int s = lookup(h, IX_STREAMS, r.tok[0]);
		if (s < 0) {
			if (h->n_events && is_declaration_keyword(r.tok[0], h->version))
				rc = fail(err, errlen, path, r.lineno, "declaration '%s' after the first event: declarations come first", r.tok[0]);
			else
				rc = parse_declaration(h, &r, err, errlen);
			continue;
		}
		if (!h->n_events && (rc = finish_declarations(h, path, err, errlen)) != 0)
			break;
		if (h->version >= 2 && !v2.known)
			v2_init(h, &v2);
		struct trace_event ev;
		rc = parse_event(h, &r, s, &h->index->last_abs[s], &ev, v2.known ? &v2 : NULL, err, errlen);
		if (rc == 0)
			rc = advance_clock(h, &r, s, &ev, err, errlen);
		h->n_events++;
		note_event_position(&h->streams[s], &r);
	}
	reader_free(&r);
	if (rc == 0)
		rc = finish_declarations(h, path, err, errlen);
	if (rc == 0 && h->n_streams == 0)
		rc = fail(err, errlen, path, 0, "no cpu or devthread stream declared: nothing to simulate");
	if (rc == 0)
		rc = check_fork_cycles(h, &v2, path, err, errlen);
	for (size_t p = 0; rc == 0 && p < h->n_processes; p++)
		if (h->processes[p].forked && !(v2.forks && v2.forks[p]))
			rc = fail(err, errlen, path, 0, "process '%s' is declared forked but no fork op makes it", h->processes[p].name);
	v2_free(h, &v2);
	if (copy_fd >= 0)
		close(fd);
	h->fd = copy_fd >= 0 ? copy_fd : fd;
	if (rc != 0) {
		trace_free(h);
		return -1;
	}
	return 0;
}

void trace_free(struct trace_header *h)
{
	for (size_t i = 0; i < h->n_processes; i++)
		free(h->processes[i].name);
	for (size_t i = 0; i < h->n_devices; i++)
		free(h->devices[i].name);
	for (size_t i = 0; i < h->n_streams; i++) {
		free(h->streams[i].name);
		free(h->streams[i].core);
	}
	for (size_t i = 0; i < h->n_expects; i++) {
		free(h->expects[i].policy);
		free(h->expects[i].key);
	}
	for (size_t i = 0; i < h->n_captures; i++) {
		free(h->captures[i].key);
		free(h->captures[i].value);
	}
	free(h->present);
	free(h->captures);
	if (h->index) {
		free(h->index->processes.slot);
		free(h->index->devices.slot);
		free(h->index->streams.slot);
		free(h->index->pasids);
		free(h->index->maps_of);
		free(h->index->first_map);
		free(h->index->clock);
		free(h->index->last_abs);
		free(h->index);
	}
	if (h->fd >= 0)
		close(h->fd);
	free(h->processes);
	free(h->maps);
	free(h->devices);
	free(h->streams);
	free(h->expects);
	free(h->path);
	param_settings_free(&h->params);
	memset(h, 0, sizeof *h);
	h->fd = -1;
}

struct trace_cursor *trace_cursor_open(const struct trace_header *h, int stream, char *err, size_t errlen)
{
	if (h->fd < 0) {
		fail(err, errlen, h->path, 0, "the trace is not loaded");
		return NULL;
	}
	struct trace_cursor *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->h = h;
	c->stream = stream;
	/* from the stream's first event to the end of its last (at once, for a
	 * stream without events) */
	const struct trace_stream *st = &h->streams[stream];
	reader_init(&c->rd, h->fd, h->path, 0, -1, CURSOR_CHUNK);
	c->rd.chunk_at = c->rd.offset = st->events_from;
	c->rd.end_offset = st->events_to;
	c->rd.lineno = st->lines_before;
	return c;
}

int trace_cursor_next(struct trace_cursor *c, struct trace_event *ev, char *err, size_t errlen)
{
	int got = next_tokens_of(&c->rd, c->h->streams[c->stream].name, err, errlen);
	if (got <= 0)
		return got;
	return parse_event(c->h, &c->rd, c->stream, &c->last_abs, ev, NULL, err, errlen) == 0 ? 1 : -1;
}

void trace_cursor_close(struct trace_cursor *c)
{
	if (!c)
		return;
	reader_free(&c->rd);
	free(c);
}
