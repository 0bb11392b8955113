/* sizing: see sizing.h. */
#include "sizing.h"
#include "outfile.h"
#include "isolate.h"
#include "plot.h"
#include "pool.h"
#include "units.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The metrics a target can name: the summary's own names (one name per
 * metric everywhere), and the names size-queue took before, accepted with a
 * warning. */
static const struct { const char *name, *old_name; int is_time; } metrics[] = {
	{"notify_latency_p99", "p99_notify_latency", 1},
	{"notify_latency_p999", "p999_notify_latency", 1},
	{"notify_latency_mean", "mean_notify_latency", 1},
	{"op_latency_p99", "p99_op_latency", 1},
	{"qi_stall_fraction", NULL, 0},
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])
#define MIN_DEPTH 4
#define MAX_DEPTH 65536

int sizing_parse_target(const char *text, struct sizing_target *t, char *err, size_t errlen)
{
	const char *op = strstr(text, "<=");
	memset(t, 0, sizeof *t);
	if (!op || op == text || (size_t)(op - text) >= sizeof t->metric) {
		snprintf(err, errlen, "target '%s': expected METRIC<=VALUE, e.g. 'notify_latency_p99<=2us'", text);
		return -1;
	}
	snprintf(t->metric, sizeof t->metric, "%.*s", (int)(op - text), text);
	t->at_most = 1;
	for (size_t i = 0; i < N_METRICS; i++) {
		if (metrics[i].old_name && strcmp(metrics[i].old_name, t->metric) == 0) {
			fprintf(stderr, "mnsim size-queue: warning: '%s' is now called '%s' (as in the summary); the old name will go\n",
				metrics[i].old_name, metrics[i].name);
			snprintf(t->metric, sizeof t->metric, "%s", metrics[i].name);
		}
		if (strcmp(metrics[i].name, t->metric) != 0)
			continue;
		const char *why;
		int rc = metrics[i].is_time ? units_parse_duration(op + 2, &t->value, &why) : units_parse_double(op + 2, &t->value, &why);
		if (rc != 0) {
			snprintf(err, errlen, "target '%s': %s", text, why);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "target '%s': unknown metric '%s' (notify_latency_p99, notify_latency_p999, notify_latency_mean, "
			      "op_latency_p99, qi_stall_fraction)", text, t->metric);
	return -1;
}

static const char *summary_name(const struct sizing_target *t) { return t->metric; }

struct point { int depth; double value; };

struct search {
	const struct run_config *base;
	const char *policy;
	const struct sizing_target *t;
	struct point pts[64];
	int n;
};

/* The metric at one depth, from the points already run or a new run. */
static int measure(struct search *s, int depth, double *value, char *err, size_t errlen)
{
	for (int i = 0; i < s->n; i++)
		if (s->pts[i].depth == depth) {
			*value = s->pts[i].value;
			return 0;
		}
	struct run_config cfg = *s->base;
	char d[32];
	snprintf(d, sizeof d, "%d", depth);
	memset(&cfg.sets, 0, sizeof cfg.sets);
	for (size_t i = 0; i < s->base->sets.n; i++)
		param_settings_add(&cfg.sets, s->base->sets.names[i], s->base->sets.values[i], err, errlen);
	cfg.policy = s->policy;
	cfg.out_path = NULL;
	struct summary sum;
	int rc = param_settings_add(&cfg.sets, "qi_depth", d, err, errlen) == 0 ? sim_run_isolated(&cfg, &sum, err, errlen) : -1;
	param_settings_free(&cfg.sets);
	if (rc != 0)
		return -1;
	summary_get(&sum, summary_name(s->t), value);
	s->pts[s->n++] = (struct point){depth, *value};
	return 0;
}

static int meets(const struct search *s, double v) { return v <= s->t->value; }

/* Bisection for the smallest depth in [lo, hi] that meets the target, over
 * powers of two (step 'pow2') or all integers; assumes hi meets it. */
static int bisect(struct search *s, int lo, int hi, int pow2, int *answer, char *err, size_t errlen)
{
	double v;
	while (pow2 ? hi > lo * 2 : hi > lo + 1) {
		int mid = pow2 ? (int)lround(pow(2, floor((log2(lo) + log2(hi)) / 2))) : (lo + hi) / 2;
		if (measure(s, mid, &v, err, errlen) != 0)
			return -1;
		if (meets(s, v))
			hi = mid;
		else
			lo = mid;
	}
	*answer = hi;
	return 0;
}

static int point_cmp(const void *a, const void *b) { return ((const struct point *)a)->depth - ((const struct point *)b)->depth; }

/* Searches one policy; *answer = 0 if even the largest depth misses. */
static int search_policy(struct search *s, int exact, int *answer, int *monotone, char *err, size_t errlen)
{
	double v;
	*answer = 0;
	if (measure(s, MIN_DEPTH, &v, err, errlen) != 0)
		return -1;
	if (meets(s, v)) {
		*answer = MIN_DEPTH;
	} else {
		/* grow by 4x until the target is met (the search stays logarithmic),
		 * or until a larger queue no longer changes the metric */
		int hi = MIN_DEPTH;
		double prev = v;
		do {
			hi *= 4;
			prev = v;
			if (hi > MAX_DEPTH || measure(s, hi, &v, err, errlen) != 0)
				break;
		} while (!meets(s, v) && fabs(v - prev) > 1e-9 * fabs(prev));
		if (hi <= MAX_DEPTH && meets(s, v) && bisect(s, hi / 4, hi, 1, answer, err, errlen) != 0)
			return -1;
		if (*answer && exact && bisect(s, *answer / 2, *answer, 0, answer, err, errlen) != 0)
			return -1;
	}
	qsort(s->pts, (size_t)s->n, sizeof s->pts[0], point_cmp);
	*monotone = 1;
	for (int i = 1; i < s->n; i++)
		if (s->pts[i].value > s->pts[i - 1].value * (1 + 1e-9) + 1e-15)
			*monotone = 0;
	return 0;
}

/* One policy's search, as it comes back from the child that ran it. */
struct found { struct point pts[64]; int n, answer, monotone, rc; char err[512]; };

struct searches {
	const struct run_config *base;
	const char *const *policies;
	const struct sizing_target *t;
	int exact;
	struct found *f;
	int *fd;
};

static void search_one(const struct searches *x, size_t p, struct found *f)
{
	struct search s = {.base = x->base, .policy = x->policies[p], .t = x->t};
	memset(f, 0, sizeof *f);
	f->rc = search_policy(&s, x->exact, &f->answer, &f->monotone, f->err, sizeof f->err);
	memcpy(f->pts, s.pts, sizeof f->pts);
	f->n = s.n;
}

/* A child per policy; its result (a few KiB, less than a pipe holds) comes
 * back through a pipe.  The child stops its own runs on SIGTERM. */
static pid_t start_search(void *ctx, size_t p)
{
	struct searches *x = ctx;
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = pool_fork();
	if (pid != 0) {
		close(fds[1]);
		if (pid < 0)
			close(fds[0]);
		x->fd[p] = pid < 0 ? -1 : fds[0];
		return pid;
	}
	close(fds[0]);
	struct found f;
	search_one(x, p, &f);
	fflush(NULL);
	_exit(write(fds[1], &f, sizeof f) == (ssize_t)sizeof f ? 0 : 1);
}

static void search_done(void *ctx, size_t p, pid_t pid, int status, long maxrss_kib, int killed)
{
	(void)pid;
	(void)maxrss_kib;
	struct searches *x = ctx;
	struct found *f = &x->f[p];
	int ok = !killed && x->fd[p] >= 0 && status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		 read(x->fd[p], f, sizeof *f) == (ssize_t)sizeof *f;
	if (x->fd[p] >= 0)
		close(x->fd[p]);
	x->fd[p] = -1;
	if (!ok) {
		f->rc = -1;
		snprintf(f->err, sizeof f->err, "the search for %s ended without an answer", x->policies[p]);
	}
}

/* Every policy's search, jobs at a time (each in a child when jobs > 1). */
static int run_searches(struct searches *x, size_t n, int jobs, char *err, size_t errlen)
{
	if (jobs <= 1 || n <= 1) {
		for (size_t p = 0; p < n; p++)
			search_one(x, p, &x->f[p]);
	} else {
		for (size_t p = 0; p < n; p++)
			x->fd[p] = -1;
		static const struct pool_ops ops = {start_search, search_done, SIGTERM};
		int sig = pool_run(n, jobs, &ops, x);
		if (sig) {
			fprintf(stderr, "mnsim: interrupted by %s\n", strsignal(sig));
			exit(128 + sig);
		}
	}
	for (size_t p = 0; p < n; p++)
		if (x->f[p].rc != 0) {
			snprintf(err, errlen, "%s", x->f[p].err);
			return -1;
		}
	return 0;
}

int sizing_run(const struct run_config *base, const char *const *policies, const struct sizing_target *t, int exact,
	       int jobs, const char *dir, char *err, size_t errlen)
{
	char tsv[4096], png[4096], ans[4200];
	size_t n_pol = 0;
	while (policies[n_pol])
		n_pol++;
	struct searches x = {base, policies, t, exact, calloc(n_pol + 1, sizeof(struct found)), calloc(n_pol + 1, sizeof(int))};
	if (!x.f || !x.fd)
		abort();
	int searched = run_searches(&x, n_pol, jobs, err, errlen);
	if (searched != 0) {
		free(x.f);
		free(x.fd);
		return -1;
	}
	snprintf(ans, sizeof ans, "%s/size-queue.answers.tsv", dir);
	snprintf(tsv, sizeof tsv, "%s/size-queue.tsv", dir);
	snprintf(png, sizeof png, "%s/size-queue.png", dir);
	FILE *f, *fa;
	struct outfile *of = outfile_open_text(tsv, &f, err, errlen);
	struct outfile *oa = of ? outfile_open_text(ans, &fa, err, errlen) : NULL;
	if (!oa) {
		outfile_abort(of);
		free(x.f);
		free(x.fd);
		return -1;
	}
	char target[128], value[48];
	if (strcmp(t->metric, "qi_stall_fraction") != 0)
		units_format_duration(t->value, value, sizeof value);
	else
		snprintf(value, sizeof value, "%.9g", t->value);
	snprintf(target, sizeof target, "%s<=%s", t->metric, value);
	fprintf(fa, "# policy	target	smallest_qi_depth (0: not met)	simulations\n");
	int scale_us = strcmp(t->metric, "qi_stall_fraction") != 0;
	char titles[1024] = "", answers[4096] = "";
	int unmet = 0;
	printf("target: %s <= %g%s on %s\n\n", t->metric, scale_us ? t->value * 1e6 : t->value, scale_us ? " us" : "", base->trace_path);
	for (int p = 0; policies[p]; p++) {
		struct search s = {.base = base, .policy = policies[p], .t = t};
		memcpy(s.pts, x.f[p].pts, sizeof s.pts);
		s.n = x.f[p].n;
		int answer = x.f[p].answer, monotone = x.f[p].monotone;
		fprintf(fa, "%s\t%s\t%d\t%d\n", policies[p], target, answer, s.n);
		printf("%s\n  %10s  %s%s\n", policies[p], "qi_depth", t->metric, scale_us ? " (us)" : "");
		fprintf(f, "# %s: qi_depth\t%s\n", policies[p], t->metric);
		for (int i = 0; i < s.n; i++) {
			double v = scale_us ? s.pts[i].value * 1e6 : s.pts[i].value;
			printf("  %10d  %.4f%s\n", s.pts[i].depth, v, meets(&s, s.pts[i].value) ? "" : "  (misses)");
			fprintf(f, "%d\t%.9g\n", s.pts[i].depth, v);
		}
		fprintf(f, "nan\tnan\n\n\n");
		if (!monotone)
			printf("  note: the metric is not monotone in qi_depth over these points; bisection assumed it is\n");
		size_t len = strlen(answers);
		if (answer)
			snprintf(answers + len, sizeof answers - len, "%-15s smallest qi_depth: %d (%d simulations)\n", policies[p], answer, s.n);
		else
			snprintf(answers + len, sizeof answers - len, "%-15s target not met: the metric stops improving at qi_depth %d (%.4g%s)\n",
				 policies[p], s.pts[s.n - 1].depth, scale_us ? s.pts[s.n - 1].value * 1e6 : s.pts[s.n - 1].value, scale_us ? " us" : "");
		unmet |= !answer;
		snprintf(titles + strlen(titles), sizeof titles - strlen(titles), "%s%s", p ? " " : "", policies[p]);
	}
	free(x.f);
	free(x.fd);
	if (outfile_commit(of, err, errlen) != 0) {
		outfile_abort(oa);
		return -1;
	}
	if (outfile_commit(oa, err, errlen) != 0)
		return -1;
	printf("\n%s", answers);
	char vars[2048], why[512];
	snprintf(vars, sizeof vars, "titles='%s'; target=%.9g; ylab='%s'; figtitle='smallest invalidation queue for %s'; ", titles,
		 scale_us ? t->value * 1e6 : t->value, scale_us ? "µs" : "fraction", t->metric);
	if (plot_render("size-queue.gp", tsv, png, vars, why, sizeof why) == 0)
		printf("table:   %s\nanswers: %s (mnsim report --size-queue %s)\nfigure:  %s\n", tsv, ans, dir, png);
	else
		fprintf(stderr, "mnsim size-queue: no figure: %s\n", why);
	return unmet ? 1 : 0;
}
