/* resultset: see resultset.h. */
#include "resultset.h"
#include "h5read.h"
#include "policy.h"
#include "textutil.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST "compare.manifest"

enum result_kind result_kind_of(const char *arg, char *sweep_h5, size_t len)
{
	struct stat st;
	size_t n = strlen(arg);
	if (stat(arg, &st) != 0)
		return RK_RESULTS;
	if (S_ISDIR(st.st_mode)) {
		char spec[4200];
		snprintf(spec, sizeof spec, "%s/sweep.spec", arg);
		if (access(spec, F_OK) != 0)
			return RK_RESULTS;
		snprintf(sweep_h5, len, "%s/sweep.h5", arg);
		return RK_SWEEP;
	}
	if (n >= 8 && strcmp(arg + n - 8, "sweep.h5") == 0) {
		snprintf(sweep_h5, len, "%s", arg);
		return RK_SWEEP;
	}
	return RK_RESULTS;
}

struct summary_read { struct summary *s; struct h5in *h; };

static void add_summary(void *ctx, const char *name, double v)
{
	struct summary_read *r = ctx;
	char unit[16] = "";
	h5in_attr_string(r->h, "summary_units", name, unit, sizeof unit);
	if (r->s->n < SUMMARY_MAX)
		summary_set(r->s, name, v, unit);
}

static int policy_rank(const char *name)
{
	for (size_t i = 0; i < policy_count(); i++)
		if (strcmp(policy_at(i)->name, name) == 0)
			return (int)i;
	return (int)policy_count();
}

static int run_cmp(const void *a, const void *b)
{
	const struct run_info *x = a, *y = b;
	int rx = policy_rank(x->policy), ry = policy_rank(y->policy);
	if (rx != ry)
		return rx - ry;
	int c = strcmp(x->policy, y->policy);
	if (c)
		return c;
	return (x->seed > y->seed) - (x->seed < y->seed);
}

static int add_run(struct result_set *rs, const char *path, char *err, size_t errlen)
{
	struct h5in *h = h5in_open(path, err, errlen);
	if (!h)
		return -1;
	struct run_info r = {0};
	char seed[32] = "";
	if (h5in_attr_string(h, "/", "policy", r.policy, sizeof r.policy) != 0 ||
	    h5in_attr_string(h, "/", "seed", seed, sizeof seed) != 0) {
		h5in_close(h);
		return failf(err, errlen, "%s: not an mnsim result file (no policy or seed attribute)", path);
	}
	struct summary_read sr = {&r.sum, h};
	h5in_attrs(h, "summary", add_summary, &sr);
	if (rs->n == 0) {
		h5in_attr_string(h, "/", "trace", rs->trace, sizeof rs->trace);
		h5in_attr_string(h, "/", "platform", rs->platform, sizeof rs->platform);
	}
	h5in_close(h);
	if (r.sum.n == 0)
		return failf(err, errlen, "%s: not an mnsim result file (no /summary)", path);
	r.seed = strtoull(seed, NULL, 10);
	r.path = strdup(path);
	if (!(rs->runs = realloc(rs->runs, (rs->n + 1) * sizeof *rs->runs)))
		abort();
	rs->runs[rs->n++] = r;
	return 0;
}

static void append(char **list, const char *fmt, const char *a, const char *b)
{
	size_t len = *list ? strlen(*list) : 0, add = strlen(fmt) + strlen(a) + strlen(b) + 4;
	if (!(*list = realloc(*list, len + add)))
		abort();
	snprintf(*list + len, add, fmt, len ? ", " : "", a, b);
}

void compare_file_name(const char *policy, uint64_t seed, int seeds, char *buf, size_t len)
{
	if (seeds <= 1)
		snprintf(buf, len, "%s.h5", policy);
	else
		snprintf(buf, len, "%s.seed%llu.h5", policy, (unsigned long long)seed);
}

struct asked { char policies[32][64]; int n_policies, seeds; char (*done)[80]; int n_done; };

/* Reads DIR/compare.manifest; 0 if there is none. */
static int read_manifest(struct result_set *rs, const char *dir, struct asked *a, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/" MANIFEST, dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	rs->has_manifest = 1;
	snprintf(rs->status, sizeof rs->status, "interrupted (the compare did not finish)");
	char line[2048];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		if (!strchr(line, '\n'))
			break; /* a last line cut short by a kill */
		char *key, *value;
		int kind = key_value_line(line, &key, &value);
		if (kind == 0)
			continue;
		if (kind < 0) {
			rc = failf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
		} else if (strcmp(key, "policies") == 0) {
			for (char *save, *p = strtok_r(value, ", ", &save); p && a->n_policies < 32; p = strtok_r(NULL, ", ", &save))
				snprintf(a->policies[a->n_policies++], 64, "%s", p);
		} else if (strcmp(key, "seeds") == 0) {
			a->seeds = atoi(value);
		} else if (strcmp(key, "done") == 0) {
			if (!(a->done = realloc(a->done, (size_t)(a->n_done + 1) * sizeof *a->done)))
				abort();
			snprintf(a->done[a->n_done++], 80, "%s", value);
		} else if (strcmp(key, "status") == 0) {
			snprintf(rs->status, sizeof rs->status, "%s", value);
		}
	}
	fclose(f);
	if (a->seeds < 1)
		a->seeds = 1;
	rs->seeds_asked = a->seeds;
	return rc;
}

/* Whether "POLICY SEED FILE" is in the manifest's done list. */
static int is_done(const struct asked *a, const char *policy, int seed)
{
	char want[80];
	snprintf(want, sizeof want, "%s %d ", policy, seed);
	for (int i = 0; i < a->n_done; i++)
		if (strncmp(a->done[i], want, strlen(want)) == 0)
			return 1;
	return 0;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int scan_dir(struct result_set *rs, const char *arg, const struct asked *ap, char *err, size_t errlen);

static int load_dir(struct result_set *rs, const char *arg, char *err, size_t errlen)
{
	struct asked *ap = calloc(1, sizeof *ap);
	if (!ap)
		abort();
	int rc = read_manifest(rs, arg, ap, err, errlen);
	if (rc == 0)
		rc = scan_dir(rs, arg, ap, err, errlen);
	free(ap->done);
	free(ap);
	return rc;
}

static int scan_dir(struct result_set *rs, const char *arg, const struct asked *ap, char *err, size_t errlen)
{
	const struct asked *a = ap;
	DIR *d = opendir(arg);
	if (!d)
		return failf(err, errlen, "%s: %s", arg, strerror(errno));
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".h5") != 0)
			continue;
		if (!(names = realloc(names, (n + 1) * sizeof *names)))
			abort();
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		int wanted = !rs->has_manifest;
		for (int p = 0; !wanted && p < a->n_policies; p++)
			for (int s = 1; !wanted && s <= a->seeds; s++) {
				char file[128];
				compare_file_name(a->policies[p], (uint64_t)s, a->seeds, file, sizeof file);
				wanted = strcmp(file, names[i]) == 0 && is_done(a, a->policies[p], s);
			}
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", arg, names[i]);
		if (!wanted)
			append(&rs->ignored, "%s%s%s", names[i], "");
		else if (rc == 0)
			rc = add_run(rs, path, err, errlen);
		free(names[i]);
	}
	free(names);
	if (rc == 0 && rs->n == 0)
		rc = failf(err, errlen, "%s: no result file (a compare directory holds POLICY.h5 files%s)", arg,
			   rs->has_manifest ? "; its compare.manifest lists none finished" : "");
	/* what was asked for and is not there */
	for (int p = 0; rc == 0 && p < a->n_policies; p++) {
		char seeds[512] = "";
		int absent = 0;
		for (int s = 1; s <= a->seeds; s++) {
			int found = 0;
			for (size_t i = 0; i < rs->n; i++)
				found |= strcmp(rs->runs[i].policy, a->policies[p]) == 0 && (a->seeds == 1 || rs->runs[i].seed == (uint64_t)s);
			if (!found) {
				absent++;
				snprintf(seeds + strlen(seeds), sizeof seeds - strlen(seeds), "%s%d", absent > 1 ? ", " : "", s);
			}
		}
		if (absent == a->seeds)
			append(&rs->missing, "%s%s%s", a->policies[p], "");
		else if (absent) {
			char what[600];
			snprintf(what, sizeof what, " (seed%s %s)", absent > 1 ? "s" : "", seeds);
			append(&rs->missing, "%s%s%s", a->policies[p], what);
		}
	}
	rs->complete = !rs->has_manifest || (!rs->missing && strcmp(rs->status, "complete") == 0);
	return rc;
}

int result_set_load(const char *arg, struct result_set *rs, char *err, size_t errlen)
{
	memset(rs, 0, sizeof *rs);
	struct stat st;
	int rc;
	if (stat(arg, &st) != 0)
		return failf(err, errlen, "%s: %s", arg, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		snprintf(rs->dir, sizeof rs->dir, "%s", arg);
		rc = load_dir(rs, arg, err, errlen);
	} else {
		rc = add_run(rs, arg, err, errlen);
		rs->complete = 1;
	}
	if (rc != 0) {
		result_set_free(rs);
		return -1;
	}
	qsort(rs->runs, rs->n, sizeof *rs->runs, run_cmp);
	for (size_t i = 0; i < rs->n; i++) {
		if (i == 0 || strcmp(rs->runs[i].policy, rs->runs[i - 1].policy) != 0) {
			if (!(rs->groups = realloc(rs->groups, (rs->n_groups + 1) * sizeof *rs->groups)))
				abort();
			struct policy_group *g = &rs->groups[rs->n_groups++];
			snprintf(g->name, sizeof g->name, "%s", rs->runs[i].policy);
			g->first = i;
			g->n = 0;
		}
		rs->groups[rs->n_groups - 1].n++;
	}
	return 0;
}

void result_set_free(struct result_set *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->runs[i].path);
	free(rs->runs);
	free(rs->groups);
	free(rs->missing);
	free(rs->ignored);
	memset(rs, 0, sizeof *rs);
}

int result_set_values(const struct result_set *rs, const struct policy_group *g, const char *name, double *x)
{
	int n = 0;
	for (size_t i = g->first; i < g->first + g->n; i++) {
		double v = 0;
		summary_get(&rs->runs[i].sum, name, &v);
		x[n++] = v;
	}
	return n;
}

FILE *manifest_begin(const char *dir, const char *trace, const char *platform, const char *const *policies, int n,
		     int seeds, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/" MANIFEST, dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		failf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "# mnsim compare: what this directory holds (mnsim report reads it)\ntrace = %s\nplatform = %s\nseeds = %d\npolicies = ",
		trace, platform, seeds);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", policies[i]);
	fprintf(f, "\n");
	fflush(f);
	return f;
}

void manifest_done(FILE *m, const char *policy, uint64_t seed, const char *file)
{
	if (!m)
		return;
	fprintf(m, "done = %s %llu %s\n", policy, (unsigned long long)seed, file);
	fflush(m);
}

void manifest_end(FILE *m, const char *status)
{
	if (!m)
		return;
	fprintf(m, "status = %s\n", status);
	fclose(m);
}
