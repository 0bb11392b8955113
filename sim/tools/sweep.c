/* sweep: see sweep.h. */
#include "sweep.h"
#include "textutil.h"
#include "h5read.h"
#include "h5write.h"
#include "params.h"
#include "policy.h"
#include "isolate.h"
#include "pool.h"
#include "stats.h"
#include "units.h"
#include "outfile.h"
#include <dirent.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <simgrid/forward.h>
#include <simgrid/version.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The limits of a grid, named in the errors that enforce them. */
#define MAX_AXES 16
#define MAX_VALUES 1024      /* per axis */
#define MAX_POINTS 1000000   /* runs in all (points x seeds) */
#define STR_COL 256

struct axis { char key[48]; char **values; size_t n; };

struct sweep_spec {
	char *text; /* the spec as read: copied into DIR/sweep.spec */
	struct axis axes[MAX_AXES];
	size_t n_axes;
	int seeds;
};

/* Adds a value; -1 with why if it is repeated or one too many. */
static int add_value(struct axis *a, const char *v, char *why, size_t len)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->values[i], v) == 0)
			return failf(why, len, "%s: value '%s' given twice", a->key, v);
	if (a->n == MAX_VALUES)
		return failf(why, len, "%s: more than %d values (the limit per axis)", a->key, MAX_VALUES);
	if (!(a->values = realloc(a->values, (a->n + 1) * sizeof *a->values)))
		abort();
	a->values[a->n++] = strdup(v);
	return 0;
}

/* A finite decimal number at *p, moving past it. */
static int range_number(const char **p, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(*p, &end);
	if (end == *p || errno == ERANGE || !isfinite(*v))
		return -1;
	/* strtod also reads "inf", "nan" and hex: only decimals here */
	for (const char *c = *p; c < end; c++)
		if (!strchr("0123456789.eE+-", *c))
			return -1;
	*p = end;
	return 0;
}

/* "A..B *F" (geometric) or "A..B +S" (arithmetic), inclusive, and nothing after. */
static int expand_range(struct axis *a, const char *text, char *why, size_t len)
{
	static const char *const expected = "expected a range 'FROM..TO *FACTOR' (FROM > 0, factor > 1) or 'FROM..TO +STEP' (step > 0)";
	double lo, hi, step;
	char op;
	char first[64];
	const char *dots = strstr(text, "..");
	/* "8..32": split at ".." first, since strtod would read "8." */
	if ((size_t)(dots - text) >= sizeof first)
		return failf(why, len, "%s", expected);
	snprintf(first, sizeof first, "%.*s", (int)(dots - text), text);
	const char *p = first;
	if (range_number(&p, &lo) != 0 || *trim((char *)p))
		return failf(why, len, "%s", expected);
	p = dots + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (range_number(&p, &hi) != 0)
		return failf(why, len, "%s", expected);
	while (*p == ' ' || *p == '\t')
		p++;
	op = *p ? *p++ : '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if ((op != '*' && op != '+') || range_number(&p, &step) != 0 || (op == '*' && (step <= 1 || lo <= 0)) ||
	    (op == '+' && step <= 0) || hi < lo)
		return failf(why, len, "%s", expected);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return failf(why, len, "unexpected '%s' after the range: %s", p, expected);
	/* count first, so that a range too long is refused before it is made */
	size_t n = 0;
	for (double v = lo; v <= hi * (1 + 1e-12) && n <= MAX_VALUES; v = op == '*' ? v * step : v + step, n++)
		if (op == '+' && v + step == v)
			return failf(why, len, "%s: step %g is below the precision of %g", a->key, step, v);
	if (n > MAX_VALUES)
		return failf(why, len, "%s: the range gives more than %d values (the limit per axis)", a->key, MAX_VALUES);
	for (double v = lo; v <= hi * (1 + 1e-12); v = op == '*' ? v * step : v + step) {
		char buf[64];
		snprintf(buf, sizeof buf, "%.12g", v);
		if (add_value(a, buf, why, len) != 0)
			return -1;
	}
	return 0;
}

/* Checks one value of an axis; returns 0 or -1 with why. */
static int check_value(const char *key, const char *value, char *why, size_t len)
{
	if (strcmp(key, "policy") == 0) {
		if (policy_by_name(value))
			return 0;
		snprintf(why, len, "unknown policy '%s'", value);
		return -1;
	}
	if (strcmp(key, "workload") == 0 || strcmp(key, "platform") == 0) {
		if (access(value, R_OK) == 0)
			return 0;
		snprintf(why, len, "%s '%s': %s", key, value, strerror(errno));
		return -1;
	}
	struct params p;
	params_defaults(&p);
	return params_set(&p, key, value, why, len);
}

struct sweep_spec *sweep_spec_load(const char *path, int check_files, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		failf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct sweep_spec *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->seeds = 1;
	/* a line holds at most MAX_VALUES values, a spec at most MAX_AXES
	 * lines of them (and comments) */
	enum { MAX_SPEC_LINE = 1 << 18, MAX_SPEC = 1 << 22 };
	char *line = malloc(MAX_SPEC_LINE + 1), why[256];
	size_t textlen = 0;
	int lineno = 0, rc = 0, seeds_seen = 0, got;
	if (!line)
		abort();
	while (rc == 0 && (got = read_text_line(f, line, MAX_SPEC_LINE)) != 0) {
		lineno++;
		if (got < 0 || textlen > MAX_SPEC) {
			rc = failf(err, errlen, "%s:%d: %s%s%s", path, lineno, got < 0 ? text_line_error(got) : "a spec larger than 4 MiB",
				   got == -1 ? " (at most 256 KiB)" : got == -3 ? ": " : "", got == -3 ? strerror(errno) : "");
			break;
		}
		size_t len = strlen(line);
		if (!(s->text = realloc(s->text, textlen + len + 1)))
			abort();
		memcpy(s->text + textlen, line, len + 1);
		textlen += len;
		char *key, *vals;
		int kind = key_value_line(line, &key, &vals);
		if (kind == 0)
			continue;
		if (kind < 0) {
			rc = failf(err, errlen, "%s:%d: expected 'key = value, value...' or 'key = FROM..TO *FACTOR'", path, lineno);
			break;
		}
		if (strcmp(key, "seeds") == 0) {
			uint64_t n;
			const char *w;
			if (seeds_seen++ || units_parse_u64(vals, &n, &w) != 0 || n < 1 || n > 1000)
				rc = failf(err, errlen, "%s:%d: seeds: expected one integer in [1, 1000], set once", path, lineno);
			s->seeds = (int)n;
			continue;
		}
		int known = strcmp(key, "workload") == 0 || strcmp(key, "platform") == 0 || strcmp(key, "policy") == 0 || params_find(key);
		int dup = 0;
		for (size_t i = 0; i < s->n_axes; i++)
			dup |= strcmp(s->axes[i].key, key) == 0;
		if (!known || dup || strlen(key) >= sizeof s->axes[0].key) {
			rc = failf(err, errlen, "%s:%d: %s key '%s' (expected workload, platform, policy, seeds or a parameter of 'mnsim params')",
				   path, lineno, dup ? "repeated" : "unknown", key);
			break;
		}
		if (s->n_axes == MAX_AXES) {
			rc = failf(err, errlen, "%s:%d: %s: more than %d axes (the limit of a sweep)", path, lineno, key, MAX_AXES);
			break;
		}
		struct axis *a = &s->axes[s->n_axes++];
		snprintf(a->key, sizeof a->key, "%s", key);
		if (strstr(vals, "..")) {
			if (expand_range(a, vals, why, sizeof why) != 0)
				rc = failf(err, errlen, "%s:%d: %s%s%s", path, lineno, strncmp(why, key, strlen(key)) ? key : "",
					   strncmp(why, key, strlen(key)) ? ": " : "", why);
		} else if (*vals) {
			/* every item of the list, none empty ("a,,b" is a typing mistake) */
			for (char *v = vals, *comma; rc == 0 && v; v = comma ? comma + 1 : NULL) {
				if ((comma = strchr(v, ',')))
					*comma = '\0';
				if (!*trim(v))
					rc = failf(err, errlen, "%s:%d: %s: an empty item in the list: expected 'v1, v2, ...'", path, lineno, key);
				else if (add_value(a, trim(v), why, sizeof why) != 0)
					rc = failf(err, errlen, "%s:%d: %s", path, lineno, why);
			}
		}
		if (rc == 0 && a->n == 0)
			rc = failf(err, errlen, "%s:%d: %s: no value", path, lineno, key);
		for (size_t i = 0; rc == 0 && i < a->n; i++)
			if ((check_files || params_find(key) || strcmp(key, "policy") == 0) && check_value(key, a->values[i], why, sizeof why) != 0)
				rc = failf(err, errlen, "%s:%d: %s", path, lineno, why);
	}
	free(line);
	fclose(f);
	int has_workload = 0;
	for (size_t i = 0; i < s->n_axes; i++)
		has_workload |= strcmp(s->axes[i].key, "workload") == 0;
	if (rc == 0 && !has_workload)
		rc = failf(err, errlen, "%s: no 'workload = ...' line", path);
	/* the grid's size, counted without overflow, before any point is run */
	uint64_t points = (uint64_t)s->seeds;
	for (size_t i = 0; rc == 0 && i < s->n_axes; i++)
		if (__builtin_mul_overflow(points, (uint64_t)s->axes[i].n, &points) || points > MAX_POINTS)
			rc = failf(err, errlen, "%s: the grid has more than %d runs (points x seeds, the limit of a sweep) once "
						"'%s' (%zu values) is counted", path, MAX_POINTS, s->axes[i].key, s->axes[i].n);
	if (rc != 0) {
		sweep_spec_free(s);
		return NULL;
	}
	return s;
}

void sweep_spec_free(struct sweep_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_axes; i++) {
		for (size_t k = 0; k < s->axes[i].n; k++)
			free(s->axes[i].values[k]);
		free(s->axes[i].values);
	}
	free(s->text);
	free(s);
}

size_t sweep_points(const struct sweep_spec *s)
{
	size_t n = (size_t)s->seeds;
	for (size_t i = 0; i < s->n_axes; i++)
		n *= s->axes[i].n;
	return n;
}

/* Point `index` as one value index per axis (the first axis varies slowest)
 * and its seed (fastest). */
static int decode(const struct sweep_spec *s, size_t index, size_t *choice)
{
	int seed = (int)(index % (size_t)s->seeds) + 1;
	index /= (size_t)s->seeds;
	for (size_t i = s->n_axes; i-- > 0;) {
		choice[i] = index % s->axes[i].n;
		index /= s->axes[i].n;
	}
	return seed;
}

static const char *value_of(const struct sweep_spec *s, const size_t *choice, const char *key)
{
	for (size_t i = 0; i < s->n_axes; i++)
		if (strcmp(s->axes[i].key, key) == 0)
			return s->axes[i].values[choice[i]];
	return NULL;
}

/* A point's file name comes from its settings, not its index, so that a
 * point keeps its result if the spec's order changes. */
static void point_id(const struct sweep_spec *s, const size_t *choice, int seed, char *id, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	char buf[512];
	for (size_t i = 0; i <= s->n_axes; i++) {
		if (i < s->n_axes)
			snprintf(buf, sizeof buf, "%s=%s\n", s->axes[i].key, s->axes[i].values[choice[i]]);
		else
			snprintf(buf, sizeof buf, "seed=%d\n", seed);
		for (char *c = buf; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	}
	snprintf(id, len, "pt-%016llx", (unsigned long long)h);
}

static void point_config(const struct sweep_spec *s, const size_t *choice, int seed, struct run_config *cfg)
{
	char err[256];
	memset(cfg, 0, sizeof *cfg);
	cfg->trace_path = value_of(s, choice, "workload");
	cfg->platform_path = value_of(s, choice, "platform");
	if (!cfg->platform_path)
		cfg->platform_path = sim_default_platform();
	cfg->policy = value_of(s, choice, "policy");
	if (!cfg->policy)
		cfg->policy = "only_end";
	cfg->seed = (uint64_t)seed;
	for (size_t i = 0; i < s->n_axes; i++)
		if (params_find(s->axes[i].key))
			param_settings_add(&cfg->sets, s->axes[i].key, s->axes[i].values[choice[i]], err, sizeof err);
}

static int file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* DIR/sweep.spec holds the spec a directory was made for; another is refused. */
static int claim_dir(const struct sweep_spec *s, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/points", dir);
	if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(path, 0777) != 0 && errno != EEXIST))
		return failf(err, errlen, "cannot create %s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/sweep.spec", dir);
	FILE *f = fopen(path, "r");
	if (f) {
		char *old = calloc(1, strlen(s->text) + 2);
		size_t n = fread(old, 1, strlen(s->text) + 1, f);
		fclose(f);
		int same = n == strlen(s->text) && memcmp(old, s->text, n) == 0;
		free(old);
		if (!same)
			return failf(err, errlen, "%s holds another sweep (its sweep.spec differs): use another -o DIR", dir);
		return 0;
	}
	FILE *out;
	struct outfile *of = outfile_open_text(path, &out, err, errlen);
	if (!of)
		return -1;
	fputs(s->text, out);
	return outfile_commit(of, err, errlen);
}

/* ---- running ---- */

/* The points a run still has to do: task k of the pool is point index[k];
 * its run is an isolate.h child whose standard error goes to an unnamed
 * temporary file (log[k]) that becomes ID.err if the point fails. */
struct todo {
	const struct sweep_spec *s;
	const char *dir;
	size_t *index;
	char (*id)[32];
	struct isolate_child **child;
	FILE **log;
	size_t done, failed, n;
	int progress;
	time_t start;
};

/* What killed workers leave in DIR/points: the named temporary files of
 * their result files (outfile.h), and ID.log files of mnsim versions that
 * named their logs.  Only those of this host whose process is gone go: a
 * Slurm array's other tasks may be writing theirs. */
static void remove_debris(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/points", dir);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		int old_log = n > 4 && strcmp(e->d_name + n - 4, ".log") == 0;
		if (old_log || (strstr(e->d_name, ".h5.tmp.") && outfile_is_stale_temp(e->d_name))) {
			snprintf(path, sizeof path, "%s/points/%s", dir, e->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
}

static pid_t start_point(void *ctx, size_t k)
{
	struct todo *t = ctx;
	size_t choice[MAX_AXES], index = t->index[k];
	int seed = decode(t->s, index, choice);
	point_id(t->s, choice, seed, t->id[k], sizeof t->id[k]);
	char out[4096], err[1024];
	snprintf(out, sizeof out, "%s/points/%s.h5", t->dir, t->id[k]);
	struct run_config cfg;
	point_config(t->s, choice, seed, &cfg);
	cfg.out_path = out;
	if (!(t->log[k] = tmpfile())) {
		fprintf(stderr, "\nmnsim sweep: point %zu: cannot create a temporary log file: %s\n", index, strerror(errno));
		param_settings_free(&cfg.sets);
		return -1;
	}
	fprintf(t->log[k], "point %zu: workload=%s policy=%s seed=%d\n", index, cfg.trace_path, cfg.policy, seed);
	fflush(t->log[k]);
	t->child[k] = isolate_spawn(&cfg, fileno(t->log[k]), 1, err, sizeof err);
	param_settings_free(&cfg.sets);
	if (!t->child[k]) {
		fprintf(stderr, "\nmnsim sweep: point %zu: %s\n", index, err);
		fclose(t->log[k]);
		t->log[k] = NULL;
		return -1;
	}
	return isolate_pid(t->child[k]);
}

static void progress(size_t done, size_t total, size_t failed, time_t start)
{
	double el = difftime(time(NULL), start);
	double eta = done ? el / (double)done * (double)(total - done) : 0;
	fprintf(stderr, "\r%zu/%zu points, %zu failed, %.0fs elapsed, ETA %.0fs   ", done, total, failed, el, eta);
}

/* The point's end: its log becomes ID.err if it failed (with what mnsim
 * knows of a child that died), and a stale ID.err goes if it succeeded; a
 * point the pool killed (interrupted) leaves nothing. */
static void finish_point(void *ctx, size_t k, pid_t pid, int status, long maxrss_kib, int killed)
{
	(void)pid;
	struct todo *t = ctx;
	struct summary sum;
	char why[1024] = "", errf[4096];
	int ok = t->child[k] && isolate_reap(t->child[k], status, maxrss_kib, killed, &sum, why, sizeof why) == 0;
	t->child[k] = NULL;
	snprintf(errf, sizeof errf, "%s/points/%s.err", t->dir, t->id[k]);
	FILE *log = t->log[k];
	t->log[k] = NULL;
	if (ok || killed) {
		if (ok)
			unlink(errf);
		if (log)
			fclose(log);
		t->done += ok;
	} else {
		t->failed++;
		if (log && why[0]) {
			fprintf(log, "mnsim: %s\n", why);
			fflush(log);
		}
		char last[1024] = "", line[1024], msg[1024];
		FILE *out = NULL;
		struct outfile *of = outfile_open_text(errf, &out, msg, sizeof msg);
		if (log)
			rewind(log);
		while (log && fgets(line, sizeof line, log)) {
			if (out)
				fputs(line, out);
			if (line[0] && line[0] != '\n' && line[0] != '[' && line[0] != ' ')
				snprintf(last, sizeof last, "%s", line);
		}
		if (!of || outfile_commit(of, msg, sizeof msg) != 0)
			fprintf(stderr, "\nmnsim sweep: %s\n", msg);
		if (log)
			fclose(log);
		if (!last[0] && why[0])
			snprintf(last, sizeof last, "%s\n", why);
		fprintf(stderr, "\nmnsim sweep: point %zu (%s) failed: %s", t->index[k], t->id[k], last[0] ? last : "no message\n");
	}
	if (t->progress && !killed)
		progress(t->done + t->failed, t->n, t->failed, t->start);
}

int sweep_run(const struct sweep_spec *s, const char *dir, const struct sweep_opts *o, char *err, size_t errlen)
{
	if (claim_dir(s, dir, err, errlen) != 0)
		return -1;
	remove_debris(dir);
	size_t total = sweep_points(s), mine = 0, skipped = 0;
	struct todo t = {.s = s, .dir = dir, .progress = o->progress, .start = time(NULL)};
	if (!(t.index = malloc((total + 1) * sizeof *t.index)) || !(t.id = malloc((total + 1) * sizeof *t.id)) ||
	    !(t.child = calloc(total + 1, sizeof *t.child)) || !(t.log = calloc(total + 1, sizeof *t.log)))
		abort();
	for (size_t i = 0; i < total; i++) {
		if ((int)(i % (size_t)o->chunks) != o->chunk)
			continue;
		mine++;
		size_t choice[MAX_AXES];
		int seed = decode(s, i, choice);
		char id[32], path[4096];
		point_id(s, choice, seed, id, sizeof id);
		snprintf(path, sizeof path, "%s/points/%s.h5", dir, id);
		if (file_exists(path))
			skipped++;
		else
			t.index[t.n++] = i;
	}
	static const struct pool_ops ops = {start_point, finish_point, 0};
	int sig = pool_run(t.n, o->jobs, &ops, &t);
	if (sig) {
		fprintf(stderr, "\nmnsim sweep: interrupted; %zu points finished are kept, re-run the same command to go on\n", t.done);
		exit(128 + sig);
	}
	if (o->progress)
		fprintf(stderr, "\n");
	printf("sweep %s: %zu points%s: %zu run now, %zu already done, %zu failed (%.0fs)\n", dir, mine,
	       o->chunks > 1 ? " in this chunk" : "", t.done, skipped, t.failed, difftime(time(NULL), t.start));
	free(t.index);
	free(t.id);
	free(t.child);
	free(t.log);
	return (int)t.failed;
}

/* ---- merging ---- */

/* A swept parameter's value as the run saw it (the spec was checked). */
static double param_value(const char *key, const char *text)
{
	struct params p;
	char why[256];
	params_defaults(&p);
	const struct param_def *d = params_find(key);
	return d && params_set(&p, key, text, why, sizeof why) == 0 ? params_get(&p, d) : NAN;
}

struct names { size_t n; char name[64][40]; };
struct units { const struct names *names; char unit[64][16]; struct h5in *h; };

static void collect_unit(struct units *u)
{
	for (size_t i = 0; i < u->names->n; i++)
		if (h5in_attr_string(u->h, "summary_units", u->names->name[i], u->unit[i], sizeof u->unit[i]) != 0)
			u->unit[i][0] = '\0';
}

static void collect_name(void *ctx, const char *name, double v)
{
	(void)v;
	struct names *n = ctx;
	if (n->n < 64)
		snprintf(n->name[n->n++], sizeof n->name[0], "%s", name);
}

struct values { const struct names *names; double *v; };

static void collect_value(void *ctx, const char *name, double v)
{
	struct values *x = ctx;
	for (size_t i = 0; i < x->names->n; i++)
		if (strcmp(x->names->name[i], name) == 0)
			x->v[i] = v;
}

/* A table under construction: column names, and rows of strings (axes) then doubles. */
struct table_out {
	size_t n_str, n_num, rows, cap;
	char (*str_names)[48];
	char (*num_names)[64];
	char (*num_units)[16]; /* written as attributes named after the columns */
	char (*strs)[STR_COL];
	double *nums;
};

static void table_add_row(struct table_out *t, char (*strs)[STR_COL], const double *nums)
{
	if (t->rows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		if (!(t->strs = realloc(t->strs, t->cap * t->n_str * STR_COL)) || !(t->nums = realloc(t->nums, t->cap * t->n_num * sizeof(double))))
			abort();
	}
	memcpy(t->strs + t->rows * t->n_str, strs, t->n_str * STR_COL);
	memcpy(t->nums + t->rows * t->n_num, nums, t->n_num * sizeof(double));
	t->rows++;
}

static int write_h5_table(hid_t file, const char *name, const struct table_out *t)
{
	size_t row = t->n_str * STR_COL + t->n_num * sizeof(double);
	hid_t type = H5Tcreate(H5T_COMPOUND, row), str = H5Tcopy(H5T_C_S1);
	H5Tset_size(str, STR_COL);
	H5Tset_cset(str, H5T_CSET_UTF8);
	for (size_t i = 0; i < t->n_str; i++)
		H5Tinsert(type, t->str_names[i], i * STR_COL, str);
	for (size_t i = 0; i < t->n_num; i++)
		H5Tinsert(type, t->num_names[i], t->n_str * STR_COL + i * sizeof(double), H5T_NATIVE_DOUBLE);
	char *buf = calloc(t->rows ? t->rows : 1, row);
	for (size_t r = 0; r < t->rows; r++) {
		memcpy(buf + r * row, t->strs + r * t->n_str, t->n_str * STR_COL);
		memcpy(buf + r * row + t->n_str * STR_COL, t->nums + r * t->n_num, t->n_num * sizeof(double));
	}
	hsize_t dims = t->rows;
	hid_t space = H5Screate_simple(1, &dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
	H5Pset_obj_track_times(dcpl, 0);
	hid_t d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	int rc = d >= 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0 ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < t->n_str; i++)
		rc = h5write_string_attr(d, t->str_names[i], "");
	for (size_t i = 0; rc == 0 && i < t->n_num; i++)
		rc = h5write_string_attr(d, t->num_names[i], t->num_units[i]);
	if (d >= 0)
		H5Dclose(d);
	H5Pclose(dcpl), H5Sclose(space), H5Tclose(str), H5Tclose(type);
	free(buf);
	return rc;
}

static int write_csv(const char *path, const struct table_out *t, char *err, size_t errlen)
{
	FILE *f;
	struct outfile *of = outfile_open_text(path, &f, err, errlen);
	if (!of)
		return -1;
	for (size_t i = 0; i < t->n_str; i++)
		fprintf(f, "%s%s", i ? "," : "", t->str_names[i]);
	for (size_t i = 0; i < t->n_num; i++)
		fprintf(f, ",%s", t->num_names[i]);
	fprintf(f, "\n");
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t i = 0; i < t->n_str; i++)
			fprintf(f, "%s\"%s\"", i ? "," : "", t->strs[r * t->n_str + i]);
		for (size_t i = 0; i < t->n_num; i++)
			fprintf(f, ",%.12g", t->nums[r * t->n_num + i]);
		fprintf(f, "\n");
	}
	return outfile_commit(of, err, errlen);
}

static void table_free(struct table_out *t)
{
	free(t->str_names), free(t->num_names), free(t->num_units), free(t->strs), free(t->nums);
}

int sweep_merge(const char *dir, int csv, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/sweep.spec", dir);
	struct sweep_spec *s = sweep_spec_load(path, 0, err, errlen);
	if (!s)
		return -1;
	remove_debris(dir);
	size_t total = sweep_points(s), found = 0;
	struct names names = {0};
	/* axes: workload, platform, policy and choices (kernel, driver, ...) are
	 * string columns, the other parameters numeric ones */
	size_t n_str = 0, n_par = 0, str_axis[MAX_AXES], par_axis[MAX_AXES];
	for (size_t i = 0; i < s->n_axes; i++) {
		const struct param_def *d = params_find(s->axes[i].key);
		if (d && d->type != PT_CHOICE)
			par_axis[n_par++] = i;
		else
			str_axis[n_str++] = i;
	}
	struct table_out pts = {.n_str = n_str}, agg = {.n_str = n_str};
	pts.str_names = calloc(n_str + 1, sizeof *pts.str_names);
	agg.str_names = calloc(n_str + 1, sizeof *agg.str_names);
	for (size_t i = 0; i < n_str; i++) {
		snprintf(pts.str_names[i], 48, "%s", s->axes[str_axis[i]].key);
		snprintf(agg.str_names[i], 48, "%s", s->axes[str_axis[i]].key);
	}
	double *vals = NULL, *seed_vals = NULL; /* this point's values, seed by seed */
	int n_seen = 0;
	size_t failed = 0, missing = 0;
	char *failed_ids = NULL; /* the IDs of the failed points, space-separated */
	char (*strs)[STR_COL] = calloc(n_str + 1, STR_COL);
	for (size_t i = 0; i < total; i++) {
		size_t choice[MAX_AXES];
		int seed = decode(s, i, choice);
		char id[32];
		point_id(s, choice, seed, id, sizeof id);
		snprintf(path, sizeof path, "%s/points/%s.h5", dir, id);
		struct h5in *h = file_exists(path) ? h5in_open(path, err, errlen) : NULL;
		if (h && names.n == 0) {
			h5in_attrs(h, "summary", collect_name, &names);
			struct units u = {.names = &names, .h = h};
			collect_unit(&u);
			pts.n_num = n_par + 1 + names.n;
			agg.n_num = n_par + 1 + 2 * names.n;
			pts.num_names = calloc(pts.n_num, sizeof *pts.num_names);
			agg.num_names = calloc(agg.n_num, sizeof *agg.num_names);
			pts.num_units = calloc(pts.n_num, sizeof *pts.num_units);
			agg.num_units = calloc(agg.n_num, sizeof *agg.num_units);
			for (size_t k = 0; k < n_par; k++) {
				snprintf(pts.num_names[k], 64, "%s", s->axes[par_axis[k]].key);
				snprintf(agg.num_names[k], 64, "%s", s->axes[par_axis[k]].key);
				snprintf(pts.num_units[k], 16, "%s", params_find(s->axes[par_axis[k]].key)->unit);
				snprintf(agg.num_units[k], 16, "%s", params_find(s->axes[par_axis[k]].key)->unit);
			}
			snprintf(pts.num_names[n_par], 64, "seed");
			snprintf(agg.num_names[n_par], 64, "seeds");
			for (size_t k = 0; k < names.n; k++) {
				snprintf(pts.num_names[n_par + 1 + k], 64, "%s", names.name[k]);
				snprintf(agg.num_names[n_par + 1 + 2 * k], 64, "%s_mean", names.name[k]);
				snprintf(agg.num_names[n_par + 2 + 2 * k], 64, "%s_ci95", names.name[k]);
				snprintf(pts.num_units[n_par + 1 + k], 16, "%s", u.unit[k]);
				snprintf(agg.num_units[n_par + 1 + 2 * k], 16, "%s", u.unit[k]);
				snprintf(agg.num_units[n_par + 2 + 2 * k], 16, "%s", u.unit[k]);
			}
			vals = calloc(pts.n_num, sizeof *vals);
			seed_vals = calloc((size_t)s->seeds * (names.n + 1), sizeof *seed_vals);
		}
		for (size_t a = 0; a < n_str; a++)
			snprintf(strs[a], STR_COL, "%s", s->axes[str_axis[a]].values[choice[str_axis[a]]]);
		if (h) {
			struct values x = {&names, vals + n_par + 1};
			/* a parameter's value in its unit (seconds for "10us", not 10) */
			for (size_t k = 0; k < n_par; k++)
				vals[k] = param_value(s->axes[par_axis[k]].key, s->axes[par_axis[k]].values[choice[par_axis[k]]]);
			vals[n_par] = seed;
			h5in_attrs(h, "summary", collect_value, &x);
			h5in_close(h);
			table_add_row(&pts, strs, vals);
			for (size_t k = 0; k < names.n; k++)
				seed_vals[k * (size_t)s->seeds + (size_t)n_seen] = vals[n_par + 1 + k];
			n_seen++;
			found++;
		} else {
			snprintf(path, sizeof path, "%s/points/%s.err", dir, id);
			if (file_exists(path)) {
				size_t len = failed_ids ? strlen(failed_ids) : 0;
				if (!(failed_ids = realloc(failed_ids, len + strlen(id) + 2)))
					abort();
				sprintf(failed_ids + len, "%s%s", len ? " " : "", id);
				failed++;
			} else {
				missing++;
			}
		}
		if (seed == s->seeds && n_seen > 0) {
			/* the last seed of a point: its mean and confidence interval */
			double *row = calloc(agg.n_num, sizeof *row);
			memcpy(row, vals, n_par * sizeof *row);
			row[n_par] = n_seen;
			for (size_t k = 0; k < names.n; k++) {
				struct mean_ci m = stats_mean_ci(seed_vals + k * (size_t)s->seeds, n_seen);
				row[n_par + 1 + 2 * k] = m.mean;
				row[n_par + 2 + 2 * k] = m.ci95;
			}
			table_add_row(&agg, strs, row);
			free(row);
			n_seen = 0;
		}
	}
	int rc = 0;
	if (found == 0) {
		rc = failf(err, errlen, "%s: no finished point to merge", dir);
	} else {
		char final[4096];
		snprintf(final, sizeof final, "%s/sweep.h5", dir);
		struct outfile *of = outfile_open(final, OUTFILE_BINARY, err, errlen);
		H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
		hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
		H5Pset_obj_track_times(fcpl, 0);
		hid_t f = of ? H5Fcreate(outfile_path(of), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT) : -1;
		H5Pclose(fcpl);
		/* what the file is: the spec, the versions, what was merged and what not */
		int sg_major, sg_minor, sg_patch;
		sg_version_get(&sg_major, &sg_minor, &sg_patch);
		char sg[32];
		snprintf(sg, sizeof sg, "%d.%d.%d", sg_major, sg_minor, sg_patch);
		int arc = f < 0 ? -1 : 0;
		if (arc == 0)
			arc = h5write_string_attr(f, "spec", s->text) | h5write_string_attr(f, "mnsim_version", MNSIM_VERSION) |
			      h5write_string_attr(f, "simgrid_version", sg) | h5write_double_attr(f, "points", (double)total) |
			      h5write_double_attr(f, "points_merged", (double)found) | h5write_double_attr(f, "points_failed", (double)failed) |
			      h5write_double_attr(f, "points_missing", (double)missing) | h5write_double_attr(f, "seeds", s->seeds) |
			      h5write_string_attr(f, "failed_points", failed_ids ? failed_ids : "");
		int bad = f < 0 || arc != 0 || write_h5_table(f, "points", &pts) != 0 || write_h5_table(f, "aggregate", &agg) != 0;
		if (f >= 0 && H5Fclose(f) < 0)
			bad = 1;
		if (!of)
			rc = -1;
		else if (bad) {
			outfile_abort(of);
			rc = failf(err, errlen, "cannot write %s: %s", final, outfile_no_space(errno) ? outfile_no_space(errno) : "HDF5 failed");
		} else
			rc = outfile_commit(of, err, errlen);
		if (rc == 0 && csv) {
			snprintf(path, sizeof path, "%s/sweep.csv", dir);
			char path2[4096];
			snprintf(path2, sizeof path2, "%s/sweep-aggregate.csv", dir);
			if (write_csv(path, &pts, err, errlen) != 0 || write_csv(path2, &agg, err, errlen) != 0)
				rc = -1;
		}
		if (rc == 0)
			printf("merged %zu of %zu points into %s/sweep.h5 (/points, /aggregate: mean and 95%% CI over seeds)%s\n", found,
			       total, dir, csv ? ", sweep.csv, sweep-aggregate.csv" : "");
		if (rc == 0 && found < total)
			printf("not merged: %zu failed (DIR/points/ID.err), %zu not run yet\n", failed, missing);
	}
	free(vals), free(seed_vals), free(strs), free(failed_ids);
	table_free(&pts);
	table_free(&agg);
	sweep_spec_free(s);
	return rc;
}

/* ---- Slurm ---- */

int sweep_slurm(const struct sweep_spec *s, const char *dir, const char *partition, const char *time_limit, int chunks,
		int dry_run, char *err, size_t errlen)
{
	if (claim_dir(s, dir, err, errlen) != 0)
		return -1;
	size_t total = sweep_points(s);
	if (chunks < 1 || (size_t)chunks > total)
		chunks = total < 100 ? (int)total : 100;
	char path[4096], self[4096], abs_dir[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0 || !realpath(dir, abs_dir))
		return failf(err, errlen, "cannot resolve the mnsim binary or %s", dir);
	self[n] = '\0';
	snprintf(path, sizeof path, "%s/sweep.sbatch", dir);
	FILE *f;
	struct outfile *of = outfile_open_text(path, &f, err, errlen);
	if (!of)
		return -1;
	fprintf(f, "#!/bin/bash\n# mnsim sweep as a Slurm job array: %zu points in %d chunks.  Each task runs the\n"
		   "# same resumable runner on its chunk; merge afterwards with: mnsim sweep --merge %s\n"
		   "#SBATCH --job-name=mnsim-sweep\n#SBATCH --array=0-%d\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
		   "#SBATCH --output=%s/slurm-%%A_%%a.out\n",
		total, chunks, abs_dir, chunks - 1, abs_dir);
	if (partition)
		fprintf(f, "#SBATCH --partition=%s\n", partition);
	if (time_limit)
		fprintf(f, "#SBATCH --time=%s\n", time_limit);
	fprintf(f, "exec '%s' sweep '%s/sweep.spec' -o '%s' -j 1 --chunk \"$SLURM_ARRAY_TASK_ID/%d\"\n", self, abs_dir, abs_dir, chunks);
	if (outfile_commit(of, err, errlen) != 0)
		return -1;
	printf("wrote %s (%zu points, %d array tasks)\n", path, total, chunks);
	if (dry_run)
		return 0;
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "sbatch '%s'", path);
	fflush(NULL);
	int rc = system(cmd);
	if (rc != 0)
		return failf(err, errlen, "sbatch failed (exit %d); the script is %s", WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, path);
	return 0;
}
