/* figures: see figures.h. */
#include "figures.h"
#include "outfile.h"
#include "h5read.h"
#include "params.h"
#include "plot.h"
#include "stats.h"
#include "textutil.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- gnuplot variables and data blocks ---- */

struct vars { char *text; size_t len, cap; };

static void add_var(struct vars *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_var(struct vars *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (v->len + (size_t)n + 1 > v->cap) {
		v->cap = (v->len + (size_t)n + 1) * 2;
		if (!(v->text = realloc(v->text, v->cap)))
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(v->text + v->len, v->cap - v->len, fmt, ap);
	va_end(ap);
	v->len += (size_t)n;
}

/* name='value' with value quoted for gnuplot (a ' is written ''). */
static void add_string_var(struct vars *v, const char *name, const char *value)
{
	add_var(v, "%s='", name);
	for (const char *c = value; *c; c++) {
		if (*c == '\n')
			continue;
		add_var(v, "%s", *c == '\'' ? "''" : (char[2]){*c, 0});
	}
	add_var(v, "'; ");
}

/* Ends a data block.  Every block starts with a NaN row so that an empty one
 * still counts for gnuplot's `index` (empty blocks would merge). */
static void end_block(FILE *f) { fprintf(f, "nan\tnan\n\n\n"); }

static void titles_var(const struct result_set *rs, struct vars *v)
{
	add_var(v, "titles='");
	for (size_t i = 0; i < rs->n_groups; i++)
		add_var(v, "%s%s", i ? " " : "", rs->groups[i].name);
	add_var(v, "'; npol=%zu; ", rs->n_groups);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The exact quantile q of sorted x[0..n) (the order statistic at ceil(q n)). */
static double quantile_sorted(const double *x, long n, double q)
{
	if (n <= 0)
		return 0;
	long k = (long)ceil(q * (double)n) - 1;
	return x[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* Columns of a dataset, read together; n rows or -1. */
static long read_columns(const char *path, const char *dset, const char *const *fields, double **cols, int n_fields)
{
	char err[256];
	struct h5in *h = h5in_open(path, err, sizeof err);
	long n = h ? 0 : -1;
	for (int i = 0; i < n_fields; i++)
		cols[i] = NULL;
	for (int i = 0; h && i < n_fields; i++) {
		long m = h5in_column(h, dset, fields[i], &cols[i]);
		if (i == 0)
			n = m;
		if (m != n || m < 0) {
			n = -1;
			break;
		}
	}
	h5in_close(h);
	return n;
}

static void free_columns(double **cols, int n)
{
	for (int i = 0; i < n; i++)
		free(cols[i]);
}

/* ---- the figure kinds ---- */

struct kind_ctx {
	const struct fig_input *in;
	const struct plot_opts *o;
	FILE *f;
	struct vars *v;
	char *err;
	size_t errlen;
};

/* compare: per policy, mean and 95% CI over seeds of the headline values. */
static const struct { const char *key, *column; double scale; } compare_values[] = {
	{"notifications_under_ptl", "under_ptl", 1}, {"notifications_range_end", "range_end", 1},
	{"notifications_gather", "gather", 1},       {"notifications", "notifications", 1},
	{"descriptors", "descriptors", 1},           {"op_latency_p99", "op_p99_us", 1e6},
	{"ptl_hold_p99", "ptl_p99_us", 1e6},         {"op_latency_mean", "op_mean_us", 1e6},
	{"violations", "violations", 1},
};
#define N_COMPARE (sizeof compare_values / sizeof compare_values[0])

static long compare(struct kind_ctx *k)
{
	const struct result_set *rs = k->in->rs;
	fprintf(k->f, "policy\tseeds");
	for (size_t c = 0; c < N_COMPARE; c++)
		fprintf(k->f, "\t%s\t%s_ci95", compare_values[c].column, compare_values[c].column);
	fprintf(k->f, "\tother\n");
	int max_seeds = 1;
	for (size_t g = 0; g < rs->n_groups; g++) {
		const struct policy_group *pg = &rs->groups[g];
		double *x = calloc(pg->n, sizeof *x), sum_parts = 0, total = 0;
		fprintf(k->f, "%s\t%zu", pg->name, pg->n);
		max_seeds = (int)pg->n > max_seeds ? (int)pg->n : max_seeds;
		for (size_t c = 0; c < N_COMPARE; c++) {
			int n = result_set_values(rs, pg, compare_values[c].key, x);
			struct mean_ci m = stats_mean_ci(x, n);
			fprintf(k->f, "\t%.12g\t%.12g", m.mean * compare_values[c].scale, m.ci95 * compare_values[c].scale);
			if (c < 3)
				sum_parts += m.mean;
			if (c == 3)
				total = m.mean;
		}
		fprintf(k->f, "\t%.12g\n", total - sum_parts > 0 ? total - sum_parts : 0);
		free(x);
	}
	titles_var(rs, k->v);
	add_var(k->v, "seeds=%d; ", max_seeds);
	return (long)rs->n_groups;
}

/* An empirical CDF per policy of a column of /ops (every seed's ops), in
 * microseconds; at most 1000 points per policy. */
static long cdf_data(struct kind_ctx *k, const char *field, int skip_zero)
{
	const struct result_set *rs = k->in->rs;
	long total = 0;
	titles_var(rs, k->v);
	for (size_t g = 0; g < rs->n_groups; g++) {
		double *all = NULL;
		long n_all = 0;
		for (size_t r = rs->groups[g].first; r < rs->groups[g].first + rs->groups[g].n; r++) {
			const char *fields[] = {field, "skipped"};
			double *c[2];
			long n = read_columns(rs->runs[r].path, "ops", fields, c, 2);
			if (n > 0) {
				if (!(all = realloc(all, (size_t)(n_all + n) * sizeof *all)))
					abort();
				for (long i = 0; i < n; i++)
					if (!c[1][i] && !(skip_zero && c[0][i] == 0))
						all[n_all++] = c[0][i];
			}
			free_columns(c, 2);
		}
		fprintf(k->f, "# %s: %s (us)\tcdf\n", rs->groups[g].name, field);
		if (n_all > 0) {
			qsort(all, (size_t)n_all, sizeof *all, dbl_cmp);
			long points = n_all < 1000 ? n_all : 1000;
			for (long i = 0; i < points; i++) {
				long idx = (i + 1) * n_all / points - 1;
				fprintf(k->f, "%.6f\t%.6f\n", all[idx] * 1e6, (double)(idx + 1) / (double)n_all);
			}
			total += n_all;
		}
		end_block(k->f);
		free(all);
	}
	return total;
}

static long latency_cdf(struct kind_ctx *k) { return cdf_data(k, "latency", 0); }
static long ptl_hold(struct kind_ctx *k) { return cdf_data(k, "ptl_hold", 1); }

int per_op_stats(const struct result_set *rs, const struct policy_group *g, struct op_stats out[OP_COUNT], char *err,
		 size_t errlen)
{
	memset(out, 0, OP_COUNT * sizeof *out);
	double *lat[OP_COUNT] = {NULL}, *hold[OP_COUNT] = {NULL};
	long n_lat[OP_COUNT] = {0}, n_hold[OP_COUNT] = {0};
	int rc = 0;
	for (size_t r = g->first; rc == 0 && r < g->first + g->n; r++) {
		const char *fields[] = {"kind", "latency", "ptl_hold", "notifications", "notifications_under_ptl", "descriptors", "skipped"};
		double *c[7];
		long n = read_columns(rs->runs[r].path, "ops", fields, c, 7);
		if (n < 0)
			rc = failf(err, errlen, "%s: cannot read /ops", rs->runs[r].path);
		for (long i = 0; i < n; i++) {
			int kind = (int)c[0][i];
			if (kind < 0 || kind >= OP_COUNT)
				continue;
			struct op_stats *s = &out[kind];
			s->present = 1;
			s->ops++;
			s->irs += c[3][i];
			s->irs_under_ptl += c[4][i];
			s->descriptors += c[5][i];
			if (!c[6][i]) {
				if (!(lat[kind] = realloc(lat[kind], (size_t)(n_lat[kind] + 1) * sizeof(double))))
					abort();
				lat[kind][n_lat[kind]++] = c[1][i];
			}
			if (c[2][i] > 0) {
				if (!(hold[kind] = realloc(hold[kind], (size_t)(n_hold[kind] + 1) * sizeof(double))))
					abort();
				hold[kind][n_hold[kind]++] = c[2][i];
			}
		}
		free_columns(c, 7);
		const char *nf[] = {"op_kind", "where"};
		double *w[2];
		n = read_columns(rs->runs[r].path, "notifications", nf, w, 2);
		for (long i = 0; i < n; i++) {
			int kind = (int)w[0][i];
			if (kind < 0 || kind >= OP_COUNT)
				continue;
			out[kind].irs_range_end += w[1][i] == IR_RANGE_END;
			out[kind].irs_gather += w[1][i] == IR_GATHER;
		}
		free_columns(w, 2);
	}
	for (int kind = 0; kind < OP_COUNT; kind++) {
		struct op_stats *s = &out[kind];
		double runs = g->n ? (double)g->n : 1;
		s->ops /= runs, s->irs /= runs, s->irs_under_ptl /= runs, s->descriptors /= runs;
		s->irs_range_end /= runs, s->irs_gather /= runs;
		if (n_lat[kind]) {
			qsort(lat[kind], (size_t)n_lat[kind], sizeof(double), dbl_cmp);
			s->latency_p99 = quantile_sorted(lat[kind], n_lat[kind], 0.99);
			double sum = 0;
			for (long i = 0; i < n_lat[kind]; i++)
				sum += lat[kind][i];
			s->latency_mean = sum / (double)n_lat[kind];
		}
		if (n_hold[kind]) {
			qsort(hold[kind], (size_t)n_hold[kind], sizeof(double), dbl_cmp);
			s->ptl_hold_p99 = quantile_sorted(hold[kind], n_hold[kind], 0.99);
		}
		free(lat[kind]);
		free(hold[kind]);
	}
	return rc;
}

/* per-op: per op kind (rows) and policy, four panels: calls, descriptors,
 * ptl hold p99 and op latency p99. */
static long per_op(struct kind_ctx *k)
{
	const struct result_set *rs = k->in->rs;
	struct op_stats(*st)[OP_COUNT] = calloc(rs->n_groups, sizeof *st);
	for (size_t g = 0; g < rs->n_groups; g++)
		if (per_op_stats(rs, &rs->groups[g], st[g], k->err, k->errlen) != 0) {
			free(st);
			return -1;
		}
	static const char *const panel[] = {"irs", "descriptors", "ptl_hold_p99_us", "latency_p99_us"};
	fprintf(k->f, "op");
	for (int p = 0; p < 4; p++)
		for (size_t g = 0; g < rs->n_groups; g++)
			fprintf(k->f, "\t%s_%s", panel[p], rs->groups[g].name);
	fprintf(k->f, "\n");
	long rows = 0;
	for (int op = 0; op < OP_COUNT; op++) {
		int any = 0;
		for (size_t g = 0; g < rs->n_groups; g++)
			any |= st[g][op].present;
		if (!any || !op_info((enum op_kind)op)->kernel)
			continue;
		fprintf(k->f, "%s", op_info((enum op_kind)op)->name);
		for (size_t g = 0; g < rs->n_groups; g++)
			fprintf(k->f, "\t%.6g", st[g][op].irs);
		for (size_t g = 0; g < rs->n_groups; g++)
			fprintf(k->f, "\t%.6g", st[g][op].descriptors);
		for (size_t g = 0; g < rs->n_groups; g++)
			fprintf(k->f, "\t%.6g", st[g][op].ptl_hold_p99 * 1e6);
		for (size_t g = 0; g < rs->n_groups; g++)
			fprintf(k->f, "\t%.6g", st[g][op].latency_p99 * 1e6);
		fprintf(k->f, "\n");
		rows++;
	}
	free(st);
	titles_var(rs, k->v);
	add_var(k->v, "panels=4; ylab1='invalidate_range calls per run'; ylab2='descriptors per run (incl. waits)'; "
		      "ylab3='ptl hold p99 (µs)'; ylab4='op latency p99 (µs)'; ");
	return rows;
}

/* notifications: invalidate_range calls and descriptors per op kind (rows)
 * and policy, per run (mean over seeds). */
static long notifications(struct kind_ctx *k)
{
	const struct result_set *rs = k->in->rs;
	double(*count)[2] = calloc(rs->n_groups * OP_COUNT, sizeof *count);
	long total = 0;
	for (size_t g = 0; g < rs->n_groups; g++)
		for (size_t r = rs->groups[g].first; r < rs->groups[g].first + rs->groups[g].n; r++) {
			const char *fields[] = {"op_kind", "descriptors"};
			double *c[2];
			long n = read_columns(rs->runs[r].path, "notifications", fields, c, 2);
			for (long i = 0; i < n; i++)
				if (c[0][i] >= 0 && c[0][i] < OP_COUNT) {
					count[g * OP_COUNT + (size_t)c[0][i]][0] += 1.0 / (double)rs->groups[g].n;
					count[g * OP_COUNT + (size_t)c[0][i]][1] += c[1][i] / (double)rs->groups[g].n;
					total++;
				}
			free_columns(c, 2);
		}
	titles_var(rs, k->v);
	add_var(k->v, "panels=2; ylab1='invalidate_range calls per run'; ylab2='descriptors per run (incl. waits)'; ");
	fprintf(k->f, "op");
	for (int c = 0; c < 2; c++)
		for (size_t g = 0; g < rs->n_groups; g++)
			fprintf(k->f, "\t%s_%s", c ? "descriptors" : "notifications", rs->groups[g].name);
	fprintf(k->f, "\n");
	for (int op = 0; op < OP_COUNT; op++) {
		int any = 0;
		for (size_t g = 0; g < rs->n_groups; g++)
			any |= count[g * OP_COUNT + (size_t)op][0] > 0;
		if (!any)
			continue;
		fprintf(k->f, "%s", op_info((enum op_kind)op)->name);
		for (int c = 0; c < 2; c++)
			for (size_t g = 0; g < rs->n_groups; g++)
				fprintf(k->f, "\t%.6g", count[g * OP_COUNT + (size_t)op][c]);
		fprintf(k->f, "\n");
	}
	free(count);
	return total;
}

/* qi-occupancy: what a reader wants from the invalidation queues: how much
 * of the time how many slots are in use (a time-weighted CCDF over every
 * IOMMU and seed, one line per policy), and over time the windowed maximum
 * and mean (the first seed, all IOMMUs), one small panel per policy.  The
 * data are bounded: depth+1 CCDF rows and QI_WINDOWS windows per policy. */
#define QI_WINDOWS 200

struct occupancy { double *weight; long max_used; double *win_max, *win_sum, end; };

/* Adds one run's step functions (one per IOMMU) over [0, end]. */
static int occupancy_add(struct occupancy *o, const char *path, double end, int windows)
{
	const char *fields[] = {"time", "iommu", "used"};
	double *c[3];
	long n = read_columns(path, "qi_occupancy", fields, c, 3);
	if (n < 0) {
		free_columns(c, 3);
		return -1;
	}
	long n_io = 0;
	for (long i = 0; i < n; i++)
		n_io = (long)c[1][i] + 1 > n_io ? (long)c[1][i] + 1 : n_io;
	double *last_t = calloc((size_t)n_io + 1, sizeof *last_t), *last_u = calloc((size_t)n_io + 1, sizeof *last_u);
	double win = end > 0 ? end / QI_WINDOWS : 1;
	for (long i = 0; i <= n; i++) {
		/* after the last row, close every IOMMU's step at the end of the run */
		for (long io = i < n ? (long)c[1][i] : 0; io < (i < n ? (long)c[1][i] + 1 : n_io); io++) {
			double t1 = i < n ? c[0][i] : end, t0 = last_t[io], u = last_u[io];
			if (t1 > t0) {
				long slot = (long)u;
				if (slot > o->max_used) {
					if (!(o->weight = realloc(o->weight, (size_t)(slot + 1) * sizeof *o->weight)))
						abort();
					memset(o->weight + o->max_used + 1, 0, (size_t)(slot - o->max_used) * sizeof *o->weight);
					o->max_used = slot;
				}
				o->weight[slot] += t1 - t0;
				/* the windows this step covers */
				for (long w = (long)(t0 / win); windows && w < QI_WINDOWS && w * win < t1; w++) {
					double a = fmax(t0, w * win), b = fmin(t1, (w + 1) * win);
					if (b > a)
						o->win_sum[w] += u * (b - a) / (double)n_io;
					if (u > o->win_max[w])
						o->win_max[w] = u;
				}
			}
			last_t[io] = t1;
			if (i < n)
				last_u[io] = c[2][i];
		}
	}
	free(last_t), free(last_u);
	free_columns(c, 3);
	return 0;
}

static long qi_occupancy(struct kind_ctx *k)
{
	const struct result_set *rs = k->in->rs;
	struct occupancy *occ = calloc(rs->n_groups, sizeof *occ);
	long rows = 0, max_used = 0;
	double depth = 0, end_max = 0;
	for (size_t g = 0; g < rs->n_groups; g++) {
		struct occupancy *o = &occ[g];
		o->max_used = -1;
		o->win_max = calloc(QI_WINDOWS, sizeof *o->win_max);
		o->win_sum = calloc(QI_WINDOWS, sizeof *o->win_sum);
		for (size_t r = rs->groups[g].first; r < rs->groups[g].first + rs->groups[g].n; r++) {
			double end = 0, d = 0;
			summary_get(&rs->runs[r].sum, "sim_time", &end);
			if (r == rs->groups[g].first)
				o->end = end;
			if (occupancy_add(o, rs->runs[r].path, end, r == rs->groups[g].first) == 0)
				rows++;
			char err[256];
			struct h5in *h = h5in_open(rs->runs[r].path, err, sizeof err);
			double *qd = NULL;
			if (h && h5in_column(h, "iommus", "qi_depth", &qd) > 0)
				d = qd[0];
			free(qd);
			h5in_close(h);
			depth = d > depth ? d : depth;
		}
		max_used = o->max_used > max_used ? o->max_used : max_used;
		end_max = o->end > end_max ? o->end : end_max;
	}
	/* blocks 0..npol-1: CCDF (slots, share of time with at least that many in use) */
	for (size_t g = 0; g < rs->n_groups; g++) {
		struct occupancy *o = &occ[g];
		double total = 0;
		for (long s = 0; s <= o->max_used; s++)
			total += o->weight[s];
		fprintf(k->f, "# %s: slots in use\tshare of time with at least that many\n", rs->groups[g].name);
		double above = total;
		for (long s = 0; s <= o->max_used && total > 0; s++) {
			fprintf(k->f, "%ld\t%.9g\n", s, above / total);
			above -= o->weight[s];
		}
		if (total > 0)
			fprintf(k->f, "%ld\t%.9g\n", o->max_used + 1, 0.0);
		end_block(k->f);
	}
	/* blocks npol..2 npol-1: windows (mid time in us, max, mean) */
	for (size_t g = 0; g < rs->n_groups; g++) {
		struct occupancy *o = &occ[g];
		fprintf(k->f, "# %s: time (us)\tmax slots in use\tmean slots in use (window of %.4g us)\n", rs->groups[g].name,
			o->end / QI_WINDOWS * 1e6);
		for (int w = 0; w < QI_WINDOWS && o->end > 0; w++)
			fprintf(k->f, "%.6f\t%.0f\t%.6g\n", (w + 0.5) * o->end / QI_WINDOWS * 1e6, o->win_max[w],
				o->win_sum[w] / (o->end / QI_WINDOWS));
		end_block(k->f);
		free(o->weight), free(o->win_max), free(o->win_sum);
	}
	free(occ);
	titles_var(rs, k->v);
	add_var(k->v, "depth=%g; maxused=%ld; tmax=%.6f; ", depth, max_used, end_max * 1e6);
	return max_used > 0 ? rows : 0; /* a queue never used is no figure */
}

/* device-stall: stall time per device (rows) and policy, mean over seeds. */
static long device_stall(struct kind_ctx *k)
{
	const struct result_set *rs = k->in->rs;
	char err[256], (*names)[32] = NULL;
	struct h5in *h = h5in_open(rs->runs[0].path, err, sizeof err);
	long nd = h ? h5in_strings(h, "devices", "name", 32, (char **)&names) : -1;
	h5in_close(h);
	if (nd <= 0) {
		free(names);
		return 0;
	}
	double *stall = calloc((size_t)nd * rs->n_groups, sizeof *stall), any = 0;
	for (size_t g = 0; g < rs->n_groups; g++)
		for (size_t r = rs->groups[g].first; r < rs->groups[g].first + rs->groups[g].n; r++) {
			const char *fields[] = {"stall_time"};
			double *c[1];
			long n = read_columns(rs->runs[r].path, "devices", fields, c, 1);
			for (long d = 0; d < n && d < nd; d++) {
				stall[d * (long)rs->n_groups + (long)g] += c[0][d] / (double)rs->groups[g].n;
				any += c[0][d];
			}
			free_columns(c, 1);
		}
	titles_var(rs, k->v);
	add_var(k->v, "panels=1; ylab1='stall time per run (µs)'; ");
	fprintf(k->f, "device");
	for (size_t g = 0; g < rs->n_groups; g++)
		fprintf(k->f, "\t%s", rs->groups[g].name);
	fprintf(k->f, "\n");
	for (long d = 0; d < nd; d++) {
		fprintf(k->f, "%s", names[d]);
		for (size_t g = 0; g < rs->n_groups; g++)
			fprintf(k->f, "\t%.6f", stall[d * (long)rs->n_groups + (long)g] * 1e6);
		fprintf(k->f, "\n");
	}
	free(stall);
	free(names);
	return any > 0 ? nd : 0;
}

/* timeline: the seed's table as a picture, for one run: a row per trace
 * stream, ops as bars from start to end, each invalidate_range call marked
 * by where it was made, the checker's violations in red, and with
 * record_events=1 every range_start, PTE update and device access.  With
 * violations it shows the stretch around the first five, else the first
 * 200 ops. */
#define TIMELINE_VIOLATIONS 5
#define TIMELINE_OPS 200

static const struct run_info *timeline_run(const struct result_set *rs, const struct plot_opts *o)
{
	for (size_t g = 0; g < rs->n_groups; g++)
		if (o && o->policy && strcmp(rs->groups[g].name, o->policy) == 0)
			return &rs->runs[rs->groups[g].first];
	if (o && o->policy)
		return NULL;
	for (size_t i = 0; i < rs->n; i++) {
		double v = 0;
		if (summary_get(&rs->runs[i].sum, "violations", &v) && v > 0)
			return &rs->runs[i];
	}
	return &rs->runs[0];
}

static long timeline(struct kind_ctx *k)
{
	const struct run_info *run = timeline_run(k->in->rs, k->o);
	if (!run)
		return failf(k->err, k->errlen, "no run of policy '%s' here", k->o->policy);
	char err[256], (*names)[32] = NULL;
	struct h5in *h = h5in_open(run->path, err, sizeof err);
	long ns = h ? h5in_strings(h, "streams", "name", 32, (char **)&names) : -1;
	h5in_close(h);
	if (ns <= 0) {
		free(names);
		return 0;
	}
	const char *of[] = {"start", "end", "cpu", "kind", "id"}, *nf[] = {"time", "cpu", "where"};
	const char *vf[] = {"time", "thread", "op_id", "type"}, *ef[] = {"time", "stream", "type"};
	double *op[5], *ir[3], *vi[4], *ev[3];
	long n_op = read_columns(run->path, "ops", of, op, 5), n_ir = read_columns(run->path, "notifications", nf, ir, 3);
	long n_vi = read_columns(run->path, "violations", vf, vi, 4), n_ev = read_columns(run->path, "events", ef, ev, 3);
	/* the stretch shown */
	double lo = 0, hi = 0;
	if (n_vi > 0) {
		lo = vi[0][0];
		for (long i = 0; i < n_op; i++)
			if (op[4][i] == vi[2][0] && op[0][i] < lo)
				lo = op[0][i]; /* from the start of the op the first violation names */
		hi = vi[0][n_vi < TIMELINE_VIOLATIONS ? n_vi - 1 : TIMELINE_VIOLATIONS - 1];
	} else {
		double *starts = n_op > 0 ? malloc((size_t)n_op * sizeof *starts) : NULL;
		for (long i = 0; i < n_op; i++)
			starts[i] = op[0][i];
		if (n_op > 0) {
			qsort(starts, (size_t)n_op, sizeof *starts, dbl_cmp);
			hi = starts[n_op < TIMELINE_OPS ? n_op - 1 : TIMELINE_OPS - 1];
			for (long i = 0; i < n_op; i++)
				if (op[0][i] <= hi && op[1][i] > hi)
					hi = op[1][i];
		}
		free(starts);
		if (n_op <= 0 && n_ev > 0)
			hi = ev[0][n_ev - 1];
	}
	double margin = (hi - lo) * 0.05 + 0.5e-6;
	lo = lo - margin < 0 ? 0 : lo - margin;
	hi += margin;
#define IN(t) ((t) >= lo && (t) <= hi)
	fprintf(k->f, "# ops: start (us)\tstream row\tduration (us)\n");
	long rows = 0;
	for (long i = 0; i < n_op; i++)
		if (op[1][i] >= lo && op[0][i] <= hi && op[2][i] >= 0) {
			fprintf(k->f, "%.6f\t%.0f\t%.6f\n", op[0][i] * 1e6, op[2][i], (op[1][i] - op[0][i]) * 1e6);
			rows++;
		}
	end_block(k->f);
	static const char *const where_title[] = {"under ptl", "in range_end", "mmu_gather", "elsewhere"};
	for (int w = 0; w < 4; w++) {
		fprintf(k->f, "# invalidate_range %s: time (us)\tstream row\n", where_title[w]);
		for (long i = 0; i < n_ir; i++)
			if ((int)ir[2][i] == w && IN(ir[0][i]) && ir[1][i] >= 0)
				fprintf(k->f, "%.6f\t%.0f\n", ir[0][i] * 1e6, ir[1][i]), rows++;
		end_block(k->f);
	}
	static const int shown_events[] = {EV_RANGE_START, EV_PTE_UPDATE, EV_RANGE_END, EV_READ, EV_WRITE};
	for (size_t e = 0; e < sizeof shown_events / sizeof shown_events[0]; e++) {
		fprintf(k->f, "# %s: time (us)\tstream row\n", event_type_names[shown_events[e]]);
		for (long i = 0; i < n_ev; i++)
			if ((int)ev[2][i] == shown_events[e] && IN(ev[0][i]) && ev[1][i] >= 0)
				fprintf(k->f, "%.6f\t%.0f\n", ev[0][i] * 1e6, ev[1][i]), rows++;
		end_block(k->f);
	}
	fprintf(k->f, "# violations: time (us)\tstream row\n");
	long shown_v = 0;
	for (long i = 0; i < n_vi; i++)
		if (IN(vi[0][i]) && vi[1][i] >= 0)
			fprintf(k->f, "%.6f\t%.0f\n", vi[0][i] * 1e6, vi[1][i]), shown_v++;
	end_block(k->f);
#undef IN
	add_var(k->v, "ytics_list='");
	for (long s = 0; s < ns; s++) {
		for (char *c = names[s]; *c; c++)
			if (*c == '"' || *c == '\'' || *c == '\\')
				*c = '_';
		add_var(k->v, "%s\"%s\" %ld", s ? ", " : "", names[s], s);
	}
	add_var(k->v, "'; nrows=%ld; events=%d; ", ns, n_ev > 0);
	add_string_var(k->v, "policy", run->policy);
	char what[160];
	if (n_vi > 0)
		snprintf(what, sizeof what, "the first %ld of %ld violations (red)", shown_v, n_vi);
	else
		snprintf(what, sizeof what, "the first %ld ops (no violation)", n_op < TIMELINE_OPS ? n_op : TIMELINE_OPS);
	add_string_var(k->v, "what", what);
	free_columns(op, 5), free_columns(ir, 3), free_columns(vi, 4), free_columns(ev, 3), free(names);
	return rows;
}

/* ---- sweeps ---- */

struct field_list { char names[64][48]; int is_string[64]; int n; };

static void collect_field(void *ctx, const char *name, int is_string)
{
	struct field_list *l = ctx;
	if (l->n < 64) {
		snprintf(l->names[l->n], 48, "%s", name);
		l->is_string[l->n++] = is_string;
	}
}

static char *axis_text(struct h5in *h, const char *name, int numeric, long n);

int sweep_axes(const char *sweep_h5, char names[][48], int *numeric, int *n_values, int max, char *err, size_t errlen)
{
	struct h5in *h = h5in_open(sweep_h5, err, errlen);
	if (!h)
		return -1;
	struct field_list l = {.n = 0};
	int n = h5in_fields(h, "aggregate", collect_field, &l);
	double *seeds = NULL;
	long rows = n < 0 ? -1 : h5in_column(h, "aggregate", "seeds", &seeds);
	free(seeds);
	if (n < 0 || rows < 0) {
		h5in_close(h);
		return failf(err, errlen, "%s: no /aggregate: not a merged sweep (run 'mnsim sweep --merge DIR')", sweep_h5);
	}
	int axes = 0;
	for (int i = 0; i < l.n && strcmp(l.names[i], "seeds") != 0 && axes < max; i++, axes++) {
		snprintf(names[axes], 48, "%s", l.names[i]);
		numeric[axes] = !l.is_string[i];
		/* distinct values: an axis with one is a constant of the sweep */
		char *t = axis_text(h, names[axes], numeric[axes], rows);
		int distinct = 0;
		for (long r = 0; r < rows; r++) {
			long q;
			for (q = 0; q < r && strcmp(t + q * 256, t + r * 256) != 0; q++)
				;
			distinct += q == r;
		}
		free(t);
		if (n_values)
			n_values[axes] = distinct;
	}
	h5in_close(h);
	return axes;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* One axis' values of every /aggregate row, as text. */
static char *axis_text(struct h5in *h, const char *name, int numeric, long n)
{
	char *out = calloc((size_t)(n > 0 ? n : 1), 256);
	if (numeric) {
		double *x = NULL;
		if (h5in_column(h, "aggregate", name, &x) == n)
			for (long i = 0; i < n; i++)
				snprintf(out + i * 256, 256, "%.6g", x[i]);
		free(x);
	} else {
		char *s = NULL;
		if (h5in_strings(h, "aggregate", name, 256, &s) == n)
			for (long i = 0; i < n; i++)
				snprintf(out + i * 256, 256, "%s", base_name(s + i * 256));
		free(s);
	}
	return out;
}

/* sweep: a metric's mean and 95 % CI against one swept axis; one line per
 * policy, one panel per combination of the other axes (none is left out). */
static long sweep_metric(struct kind_ctx *k)
{
	const struct plot_opts *o = k->o;
	char axes[16][48];
	int numeric[16], n_values[16];
	int n_axes = sweep_axes(k->in->sweep_h5, axes, numeric, n_values, 16, k->err, k->errlen);
	if (n_axes < 0)
		return -1;
	/* the x axis: asked for, or the only numeric one that varies */
	int xa = -1, n_numeric = 0;
	char choices[512] = "";
	for (int a = 0; a < n_axes; a++) {
		if (o && o->x && strcmp(o->x, axes[a]) == 0)
			xa = a;
		if (strcmp(axes[a], "policy") != 0 && n_values[a] > 1)
			appendf(choices, sizeof choices, "%s%s", choices[0] ? ", " : "", axes[a]);
		n_numeric += numeric[a] && n_values[a] > 1;
	}
	if (o && o->x && xa < 0)
		return failf(k->err, k->errlen, "--x %s: not a swept axis of %s (axes: %s)", o->x, k->in->sweep_h5, choices);
	if (xa < 0)
		for (int a = 0; a < n_axes && xa < 0; a++)
			if (numeric[a] && n_values[a] > 1 && n_numeric == 1)
				xa = a;
	if (xa < 0)
		return failf(k->err, k->errlen, "give --x AXIS (the swept axes of %s: %s)", k->in->sweep_h5, choices[0] ? choices : "none");
	if (!o || !o->metric)
		return failf(k->err, k->errlen, "give --metric NAME (a /summary value, e.g. op_latency_p99, notify_latency_p99, "
						"violations; 'mnsim sweep' merges them all)");
	struct h5in *h = h5in_open(k->in->sweep_h5, k->err, k->errlen);
	if (!h)
		return -1;
	double *x = NULL, *mean = NULL, *ci = NULL;
	char name[96];
	long n = h5in_column(h, "aggregate", "seeds", &x);
	free(x);
	x = NULL;
	snprintf(name, sizeof name, "%s_mean", o->metric);
	long nm = h5in_column(h, "aggregate", name, &mean);
	snprintf(name, sizeof name, "%s_ci95", o->metric);
	long nc = h5in_column(h, "aggregate", name, &ci);
	if (n <= 0 || nm != n || nc != n) {
		h5in_close(h);
		free(mean), free(ci);
		return failf(k->err, k->errlen, "%s has no metric '%s' (a /summary value, e.g. op_latency_p99)", k->in->sweep_h5, o->metric);
	}
	char *text[16];
	for (int a = 0; a < n_axes; a++)
		text[a] = axis_text(h, axes[a], numeric[a], n);
	if (numeric[xa])
		h5in_column(h, "aggregate", axes[xa], &x);
	h5in_close(h);
	int pa = -1;
	for (int a = 0; a < n_axes; a++)
		if (strcmp(axes[a], "policy") == 0 && a != xa)
			pa = a;
	/* lines: the policies; panels: the combinations of the other axes; x
	 * values of a string axis are numbered in order of appearance */
	char (*lines)[256] = calloc((size_t)n + 1, 256), (*panels)[512] = calloc((size_t)n + 1, 512), (*xs)[256] = calloc((size_t)n + 1, 256);
	long *line_of = calloc((size_t)n, sizeof *line_of), *panel_of = calloc((size_t)n, sizeof *panel_of);
	double *xv = calloc((size_t)n, sizeof *xv);
	long n_lines = 0, n_panels = 0, n_xs = 0;
	for (long i = 0; i < n; i++) {
		const char *l = pa >= 0 ? text[pa] + i * 256 : "mean";
		char p[512] = "";
		for (int a = 0; a < n_axes; a++)
			if (a != xa && a != pa && n_values[a] > 1)
				appendf(p, sizeof p, "%s%s=%s", p[0] ? ", " : "", axes[a], text[a] + i * 256);
		long j;
		for (j = 0; j < n_lines && strcmp(lines[j], l) != 0; j++)
			;
		if (j == n_lines)
			snprintf(lines[n_lines++], 256, "%s", l);
		line_of[i] = j;
		for (j = 0; j < n_panels && strcmp(panels[j], p) != 0; j++)
			;
		if (j == n_panels)
			snprintf(panels[n_panels++], 512, "%s", p);
		panel_of[i] = j;
		if (numeric[xa]) {
			xv[i] = x[i];
		} else {
			for (j = 0; j < n_xs && strcmp(xs[j], text[xa] + i * 256) != 0; j++)
				;
			if (j == n_xs)
				snprintf(xs[n_xs++], 256, "%s", text[xa] + i * 256);
			xv[i] = (double)j;
		}
	}
	int in_us = strstr(o->metric, "latency") || strstr(o->metric, "_time") || strstr(o->metric, "ptl_hold");
	double scale = in_us ? 1e6 : 1, lo = INFINITY, hi = 0;
	/* a swept duration reads in µs */
	const struct param_def *xdef = numeric[xa] ? params_find(axes[xa]) : NULL;
	double xscale = xdef && xdef->type == PT_DURATION ? 1e6 : 1;
	long rows = 0;
	for (long p = 0; p < n_panels; p++)
		for (long l = 0; l < n_lines; l++) {
			fprintf(k->f, "# panel '%s', %s: %s\t%s mean\t95%% CI\n", panels[p], lines[l], axes[xa], o->metric);
			for (long i = 0; i < n; i++)
				if (panel_of[i] == p && line_of[i] == l) {
					fprintf(k->f, "%.12g\t%.12g\t%.12g\n", xv[i] * xscale, mean[i] * scale, ci[i] * scale);
					lo = xv[i] < lo ? xv[i] : lo, hi = xv[i] > hi ? xv[i] : hi;
					rows++;
				}
			end_block(k->f);
		}
	add_var(k->v, "titles='");
	for (long l = 0; l < n_lines; l++)
		add_var(k->v, "%s%s", l ? " " : "", lines[l]);
	add_var(k->v, "'; nlines=%ld; npanels=%ld; array ptitle[%ld]; ", n_lines, n_panels, n_panels);
	for (long p = 0; p < n_panels; p++) {
		char var[32];
		snprintf(var, sizeof var, "ptitle[%ld]", p + 1);
		add_string_var(k->v, var, panels[p]);
	}
	char xlab[96];
	snprintf(xlab, sizeof xlab, "%s%s", axes[xa], xscale != 1 ? " (µs)" : xdef && xdef->unit[0] ? "" : "");
	if (xdef && xscale == 1 && xdef->unit[0])
		snprintf(xlab, sizeof xlab, "%s (%s)", axes[xa], xdef->unit);
	add_string_var(k->v, "xlab", xlab);
	char ylab[160];
	snprintf(ylab, sizeof ylab, "%s%s", o->metric, in_us ? " (µs)" : "");
	add_string_var(k->v, "ylab", ylab);
	add_var(k->v, "logx=%d; ", numeric[xa] && lo > 0 && hi / lo >= 16);
	add_var(k->v, "xcat='");
	for (long j = 0; j < n_xs; j++)
		add_var(k->v, "%s\"%s\" %ld", j ? ", " : "", xs[j], j);
	add_var(k->v, "'; ");
	for (int a = 0; a < n_axes; a++)
		free(text[a]);
	free(x), free(mean), free(ci), free(lines), free(panels), free(xs), free(line_of), free(panel_of), free(xv);
	return rows;
}

/* ---- the table of kinds ---- */

struct kind {
	const char *name, *script, *help;
	long (*data)(struct kind_ctx *k);
	int sweep;  /* drawn from a sweep's sweep.h5 */
	int report; /* drawn in the report of a result set */
};

static const struct kind kinds[] = {
	{"compare", "compare.gp", "invalidate_range calls by where, descriptors, p99 latencies and violations per policy", compare, 0, 1},
	{"per-op", "bars.gp", "which op pays: calls, descriptors, ptl hold p99 and op latency p99 per op kind and policy", per_op, 0, 1},
	{"latency-cdf", "cdf.gp", "op latency CDF per policy", latency_cdf, 0, 1},
	{"ptl-hold", "cdf.gp", "page-table-lock hold time per op (distribution), per policy", ptl_hold, 0, 1},
	{"notifications", "bars.gp", "invalidate_range calls and descriptors per op type and policy", notifications, 0, 0},
	{"qi-occupancy", "qi-occupancy.gp", "invalidation-queue slots in use: share of time per policy, and over time", qi_occupancy, 0, 1},
	{"device-stall", "bars.gp", "device stall time per device and policy", device_stall, 0, 1},
	{"timeline", "timeline.gp", "timeline of one run: ops, invalidate_range calls and violations per thread (--policy P)", timeline, 0, 0},
	{"sweep", "sweep.gp", "a metric against a swept axis, per policy, one panel per other axis, with 95 percent CIs (--x, --metric)",
	 sweep_metric, 1, 0},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

void plot_print_kinds(FILE *out)
{
	for (size_t i = 0; i < N_KINDS; i++)
		fprintf(out, "  %-14s %s\n", kinds[i].name, kinds[i].help);
}

const char *figure_kind_at(size_t i)
{
	for (size_t k = 0; k < N_KINDS; k++)
		if (kinds[k].report && i-- == 0)
			return kinds[k].name;
	return NULL;
}

static const struct kind *kind_by_name(const char *name)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

const char *figure_help(const char *kind)
{
	const struct kind *k = kind_by_name(kind);
	return k ? k->help : NULL;
}

/* Whether gnuplot's output is whole: a PNG ends with its IEND chunk, an SVG
 * with </svg> (gnuplot does not always fail on a full disk). */
static int figure_is_whole(const char *path, int svg)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char tail[64] = "";
	int ok = fseek(f, -(long)(sizeof tail - 1), SEEK_END) == 0 || fseek(f, 0, SEEK_SET) == 0;
	size_t n = ok ? fread(tail, 1, sizeof tail - 1, f) : 0;
	fclose(f);
	tail[n] = '\0';
	if (svg)
		return strstr(tail, "</svg>") != NULL;
	return n >= 12 && memcmp(tail + n - 8, "IEND", 4) == 0;
}

int plot_figure(const char *kind, const struct fig_input *in, const struct plot_opts *o, const char *out, const char *data_path,
		char *err, size_t errlen)
{
	const struct kind *k = kind_by_name(kind);
	if (!k)
		return failf(err, errlen, "unknown figure kind '%s' (see 'mnsim plot --help')", kind);
	if (k->sweep != (in->sweep_h5 != NULL))
		return failf(err, errlen, k->sweep ? "--kind sweep draws a sweep: give a sweep's DIR or sweep.h5"
						   : "--kind %s draws result files; a sweep's DIR takes --kind sweep", kind);
	size_t len = strlen(out);
	int svg = len > 4 && strcmp(out + len - 4, ".svg") == 0;
	if (!svg && !(len > 4 && strcmp(out + len - 4, ".png") == 0))
		return failf(err, errlen, "%s: the figure's name must end in .png or .svg", out);
	struct vars v = {NULL, 0, 0};
	add_var(&v, "fmt='%s'; ", svg ? "svg" : "png");
	char title[160];
	snprintf(title, sizeof title, "%.*s", (int)strcspn(k->help, "("), k->help); /* the help without its remark */
	while (strlen(title) && title[strlen(title) - 1] == ' ')
		title[strlen(title) - 1] = '\0';
	add_string_var(&v, "figtitle", title);
	FILE *f;
	struct outfile *data = outfile_open_text(data_path, &f, err, errlen);
	if (!data) {
		free(v.text);
		return -1;
	}
	struct kind_ctx ctx = {in, o, f, &v, err, errlen};
	long rows = k->data(&ctx);
	if (rows <= 0) {
		outfile_abort(data);
		free(v.text);
		if (rows < 0)
			return -1;
		const char *path = in->sweep_h5 ? in->sweep_h5 : in->rs->n ? in->rs->runs[0].path : "";
		return failf(err, errlen, "no data for figure '%s' in %s%s", kind, path,
			     strcmp(kind, "qi-occupancy") == 0 ? " (no invalidation queue was used)" : "");
	}
	if (outfile_commit(data, err, errlen) != 0) {
		free(v.text);
		return -1;
	}
	/* gnuplot writes the figure into a scratch file; outfile_install puts it in place */
	char tmp[4200];
	const char *tdir = getenv("TMPDIR");
	snprintf(tmp, sizeof tmp, "%s/mnsim-figure-XXXXXX.%s", tdir && *tdir ? tdir : "/tmp", svg ? "svg" : "png");
	int fd = mkstemps(tmp, 4);
	if (fd < 0) {
		free(v.text);
		return failf(err, errlen, "cannot create a scratch file for %s: %s", out, strerror(errno));
	}
	close(fd);
	int rc = plot_render(k->script, data_path, tmp, v.text, err, errlen);
	free(v.text);
	if (rc == 0 && !figure_is_whole(tmp, svg))
		rc = failf(err, errlen, "cannot write %s: gnuplot wrote an incomplete figure (disk full?)", out);
	if (rc != 0) {
		unlink(tmp);
		return -1;
	}
	return outfile_install(tmp, out, err, errlen);
}
