/* sizing: see sizing.h. */
#include "sizing.h"
#include "outfile.h"
#include "isolate.h"
#include "plot.h"
#include "units.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Target names users write, and the summary value each reads. */
static const struct { const char *name, *summary; int is_time; } metrics[] = {
	{"p99_notify_latency", "notify_latency_p99", 1},
	{"p999_notify_latency", "notify_latency_p999", 1},
	{"mean_notify_latency", "notify_latency_mean", 1},
	{"p99_op_latency", "op_latency_p99", 1},
	{"qi_stall_fraction", "qi_stall_fraction", 0},
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])
#define MIN_DEPTH 4
#define MAX_DEPTH 65536

int sizing_parse_target(const char *text, struct sizing_target *t, char *err, size_t errlen)
{
	const char *op = strstr(text, "<=");
	memset(t, 0, sizeof *t);
	if (!op || op == text || (size_t)(op - text) >= sizeof t->metric) {
		snprintf(err, errlen, "target '%s': expected METRIC<=VALUE, e.g. 'p99_notify_latency<=2us'", text);
		return -1;
	}
	snprintf(t->metric, sizeof t->metric, "%.*s", (int)(op - text), text);
	t->at_most = 1;
	for (size_t i = 0; i < N_METRICS; i++) {
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
	snprintf(err, errlen, "target '%s': unknown metric '%s' (p99_notify_latency, p999_notify_latency, mean_notify_latency, "
			      "p99_op_latency, qi_stall_fraction)", text, t->metric);
	return -1;
}

static const char *summary_name(const struct sizing_target *t)
{
	for (size_t i = 0; i < N_METRICS; i++)
		if (strcmp(metrics[i].name, t->metric) == 0)
			return metrics[i].summary;
	return NULL;
}

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

int sizing_run(const struct run_config *base, const char *const *policies, const struct sizing_target *t, int exact,
	       const char *dir, char *err, size_t errlen)
{
	char tsv[4096], png[4096];
	snprintf(tsv, sizeof tsv, "%s/size-queue.tsv", dir);
	snprintf(png, sizeof png, "%s/size-queue.png", dir);
	FILE *f;
	struct outfile *of = outfile_open_text(tsv, &f, err, errlen);
	if (!of)
		return -1;
	int scale_us = strcmp(t->metric, "qi_stall_fraction") != 0;
	char titles[1024] = "", answers[4096] = "";
	int unmet = 0;
	printf("target: %s <= %g%s on %s\n\n", t->metric, scale_us ? t->value * 1e6 : t->value, scale_us ? " us" : "", base->trace_path);
	for (int p = 0; policies[p]; p++) {
		struct search s = {.base = base, .policy = policies[p], .t = t};
		int answer, monotone;
		if (search_policy(&s, exact, &answer, &monotone, err, errlen) != 0) {
			outfile_abort(of);
			return -1;
		}
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
	if (outfile_commit(of, err, errlen) != 0)
		return -1;
	printf("\n%s", answers);
	char vars[2048], why[512];
	snprintf(vars, sizeof vars, "titles='%s'; target=%.9g; ylab='%s'; figtitle='smallest invalidation queue for %s'; ", titles,
		 scale_us ? t->value * 1e6 : t->value, scale_us ? "µs" : "fraction", t->metric);
	if (plot_render("size-queue.gp", tsv, png, vars, why, sizeof why) == 0)
		printf("table:   %s\nfigure:  %s\n", tsv, png);
	else
		fprintf(stderr, "mnsim size-queue: no figure: %s\n", why);
	return unmet ? 1 : 0;
}
