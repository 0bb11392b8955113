/* report: see report.h. */
#include "report.h"
#include "textutil.h"
#include "h5read.h"
#include "optable.h"
#include "plot.h"
#include "results.h"
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void add_input(struct inputs *in, const char *path, char *err, size_t errlen, int *rc)
{
	struct h5in *f = h5in_open(path, err, errlen);
	if (!f) {
		*rc = -1;
		return;
	}
	char policy[64] = "?";
	h5in_attr_string(f, "/", "policy", policy, sizeof policy);
	h5in_close(f);
	if (!(in->paths = realloc(in->paths, (in->n + 1) * sizeof *in->paths)) ||
	    !(in->policies = realloc(in->policies, (in->n + 1) * sizeof *in->policies)))
		abort();
	in->paths[in->n] = strdup(path);
	in->policies[in->n++] = strdup(policy);
}

int report_inputs(const char *arg, struct inputs *in, char *err, size_t errlen)
{
	memset(in, 0, sizeof *in);
	struct stat st;
	int rc = 0;
	if (stat(arg, &st) != 0)
		return failf(err, errlen, "%s: %s", arg, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		add_input(in, arg, err, errlen, &rc);
		return rc;
	}
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
		names[n] = malloc(strlen(arg) + len + 2);
		sprintf(names[n++], "%s/%s", arg, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, str_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			add_input(in, names[i], err, errlen, &rc);
		free(names[i]);
	}
	free(names);
	if (rc == 0 && in->n == 0)
		rc = failf(err, errlen, "%s: no .h5 result file", arg);
	return rc;
}

void report_inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->paths[i]);
		free(in->policies[i]);
	}
	free(in->paths);
	free(in->policies);
	memset(in, 0, sizeof *in);
}

/* ---- the data of each figure kind ---- */

struct vars { char text[4096]; };

/* Ends a data block.  Every block starts with a NaN row so that an empty
 * one still counts for gnuplot's `index` (empty blocks would merge). */
static void end_block(FILE *f) { fprintf(f, "nan\tnan\n\n\n"); }

static void add_var(struct vars *v, const char *fmt, ...)
{
	size_t len = strlen(v->text);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->text + len, sizeof v->text - len, fmt, ap);
	va_end(ap);
}

/* Adds name='value' with value quoted for gnuplot (a ' is written ''). */
static void add_string_var(struct vars *v, const char *name, const char *value)
{
	add_var(v, "%s='", name);
	for (const char *c = value; *c; c++)
		add_var(v, "%s", *c == '\'' ? "''" : (char[2]){*c, 0});
	add_var(v, "'; ");
}

static void titles_var(const struct inputs *in, struct vars *v)
{
	char list[2048] = "";
	for (size_t i = 0; i < in->n; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "", in->policies[i]);
	add_string_var(v, "titles", list);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* An empirical CDF per input of a column of /ops, in microseconds; at most
 * 1000 points per input (every n/1000-th order statistic and the maximum). */
static long cdf_data(const struct inputs *in, FILE *f, const char *field, int skip_zero, struct vars *v)
{
	long total = 0;
	titles_var(in, v);
	for (size_t i = 0; i < in->n; i++) {
		char err[256];
		struct h5in *h = h5in_open(in->paths[i], err, sizeof err);
		double *x = NULL, *skipped = NULL;
		long n = h ? h5in_column(h, "ops", field, &x) : -1;
		if (n > 0 && h5in_column(h, "ops", "skipped", &skipped) == n) {
			long m = 0;
			for (long k = 0; k < n; k++)
				if (!skipped[k] && !(skip_zero && x[k] == 0))
					x[m++] = x[k];
			n = m;
		}
		h5in_close(h);
		fprintf(f, "# %s: %s (us)\tcdf\n", in->policies[i], field);
		if (n > 0) {
			qsort(x, (size_t)n, sizeof *x, dbl_cmp);
			long points = n < 1000 ? n : 1000;
			for (long k = 0; k < points; k++) {
				long idx = (k + 1) * n / points - 1;
				fprintf(f, "%.6f\t%.6f\n", x[idx] * 1e6, (double)(idx + 1) / (double)n);
			}
			total += n;
		}
		end_block(f);
		free(x);
		free(skipped);
	}
	return total;
}

static long latency_cdf(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	(void)o;
	return cdf_data(in, f, "latency", 0, v);
}

static long ptl_hold(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	(void)o;
	return cdf_data(in, f, "ptl_hold", 1, v);
}

/* invalidate_range calls and descriptors per op kind (rows) and policy. */
static long notifications(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	(void)o;
	double (*count)[2] = calloc(in->n * OP_COUNT, sizeof *count);
	long total = 0;
	for (size_t i = 0; i < in->n; i++) {
		char err[256];
		struct h5in *h = h5in_open(in->paths[i], err, sizeof err);
		double *kind = NULL, *desc = NULL;
		long n = h ? h5in_column(h, "notifications", "op_kind", &kind) : -1;
		if (n > 0 && h5in_column(h, "notifications", "descriptors", &desc) == n)
			for (long k = 0; k < n; k++)
				if (kind[k] >= 0 && kind[k] < OP_COUNT) {
					count[i * OP_COUNT + (int)kind[k]][0]++;
					count[i * OP_COUNT + (int)kind[k]][1] += desc[k];
					total++;
				}
		h5in_close(h);
		free(kind);
		free(desc);
	}
	titles_var(in, v);
	add_var(v, "npol=%zu; panels=2; ylab1='invalidate_range calls'; ylab2='descriptors (incl. waits)'; ", in->n);
	fprintf(f, "op");
	for (size_t i = 0; i < in->n; i++)
		fprintf(f, "\tnotifications_%s", in->policies[i]);
	for (size_t i = 0; i < in->n; i++)
		fprintf(f, "\tdescriptors_%s", in->policies[i]);
	fprintf(f, "\n");
	for (int op = 0; op < OP_COUNT; op++) {
		int any = 0;
		for (size_t i = 0; i < in->n; i++)
			any |= count[i * OP_COUNT + op][0] > 0;
		if (!any)
			continue;
		fprintf(f, "%s", op_info(op)->name);
		for (int c = 0; c < 2; c++)
			for (size_t i = 0; i < in->n; i++)
				fprintf(f, "\t%.0f", count[i * OP_COUNT + op][c]);
		fprintf(f, "\n");
	}
	free(count);
	return total;
}

/* Used slots of each invalidation queue over time, one block per input;
 * more than 5000 changes are reduced to the maximum of 5000 time bins. */
static long qi_occupancy(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	(void)o;
	long total = 0;
	titles_var(in, v);
	for (size_t i = 0; i < in->n; i++) {
		char err[256];
		struct h5in *h = h5in_open(in->paths[i], err, sizeof err);
		double *t = NULL, *used = NULL;
		long n = h ? h5in_column(h, "qi_occupancy", "time", &t) : -1;
		if (n > 0 && h5in_column(h, "qi_occupancy", "used", &used) != n)
			n = -1;
		h5in_close(h);
		fprintf(f, "# %s: time (us)\tused slots\n", in->policies[i]);
		long bins = 5000;
		for (long k = 0; n > 0 && k < n; k++) {
			if (n <= bins) {
				fprintf(f, "%.6f\t%.0f\n", t[k] * 1e6, used[k]);
				continue;
			}
			long b = k * bins / n, last = (b + 1) * n / bins - 1;
			double peak = used[k];
			for (long j = k + 1; j <= last && j < n; j++)
				if (used[j] > peak)
					peak = used[j];
			fprintf(f, "%.6f\t%.0f\n", t[k] * 1e6, peak);
			k = last;
		}
		total += n > 0 ? n : 0;
		end_block(f);
		free(t);
		free(used);
	}
	return total;
}

/* Stall time per device (rows) and policy (columns). */
static long device_stall(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	(void)o;
	char err[256], (*names)[32] = NULL;
	struct h5in *h = h5in_open(in->paths[0], err, sizeof err);
	long nd = h ? h5in_strings(h, "devices", "name", 32, (char **)&names) : -1;
	h5in_close(h);
	if (nd <= 0) {
		free(names);
		return 0;
	}
	double *stall = calloc((size_t)nd * in->n, sizeof *stall);
	for (size_t i = 0; i < in->n; i++) {
		double *s = NULL;
		h = h5in_open(in->paths[i], err, sizeof err);
		long n = h ? h5in_column(h, "devices", "stall_time", &s) : -1;
		for (long d = 0; d < n && d < nd; d++)
			stall[d * (long)in->n + (long)i] = s[d];
		h5in_close(h);
		free(s);
	}
	titles_var(in, v);
	add_var(v, "npol=%zu; panels=1; ylab1='stall time (µs)'; ", in->n);
	fprintf(f, "device");
	for (size_t i = 0; i < in->n; i++)
		fprintf(f, "\t%s", in->policies[i]);
	fprintf(f, "\n");
	for (long d = 0; d < nd; d++) {
		fprintf(f, "%s", names[d]);
		for (size_t i = 0; i < in->n; i++)
			fprintf(f, "\t%.6f", stall[d * (long)in->n + (long)i] * 1e6);
		fprintf(f, "\n");
	}
	free(stall);
	free(names);
	return nd;
}

/* The seed's table as a picture, for the first input: one row per trace
 * stream, one block per event type, then the violations. */
static long timeline(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	(void)o;
	char err[256], (*names)[32] = NULL;
	struct h5in *h = h5in_open(in->paths[0], err, sizeof err);
	double *t = NULL, *stream = NULL, *type = NULL, *vt = NULL, *vthread = NULL;
	long ns = h ? h5in_strings(h, "streams", "name", 32, (char **)&names) : -1;
	long n = h ? h5in_column(h, "events", "time", &t) : -1;
	long nv = h ? h5in_column(h, "violations", "time", &vt) : -1;
	if (n > 0 && (h5in_column(h, "events", "stream", &stream) != n || h5in_column(h, "events", "type", &type) != n))
		n = -1;
	if (nv > 0 && h5in_column(h, "violations", "thread", &vthread) != nv)
		nv = -1;
	h5in_close(h);
	char labels[2048] = "";
	for (long s = 0; s < ns; s++) {
		for (char *c = names[s]; *c; c++)
			if (*c == '"' || *c == '\'' || *c == '\\')
				*c = '_';
		snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s\"%s\" %ld", s ? ", " : "", names[s], s);
	}
	add_string_var(v, "ylabels", labels);
	add_string_var(v, "policy", in->policies[0]);
	add_var(v, "nrows=%ld; ", ns);
	static const char *const type_names[EV_TYPES] = {"range_start", "PTE update", "notify", "range_end", "device read", "device write"};
	for (int k = 0; k < EV_TYPES; k++) {
		fprintf(f, "# %s: time (us)\tstream row\n", type_names[k]);
		for (long i = 0; i < n; i++)
			if ((int)type[i] == k && stream[i] >= 0)
				fprintf(f, "%.6f\t%.0f\n", t[i] * 1e6, stream[i]);
		end_block(f);
	}
	fprintf(f, "# violations: time (us)\tstream row\n");
	for (long i = 0; i < nv; i++)
		fprintf(f, "%.6f\t%.0f\n", vt[i] * 1e6, vthread[i]);
	end_block(f);
	free(names), free(t), free(stream), free(type), free(vt), free(vthread);
	return n > 0 ? n : 0;
}

/* The comparison table (as mnsim compare writes it) from /summary. */
static const char *const compare_keys[] = {"notifications", "notifications_under_ptl", "notifications_range_end", "descriptors",
	"op_latency_mean", "op_latency_p99", "ptl_hold_mean", "ptl_hold_p99", "device_stall_time", "violations", NULL};

static long compare(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	(void)o;
	(void)v;
	fprintf(f, "policy");
	for (int k = 0; compare_keys[k]; k++)
		fprintf(f, "\t%s", compare_keys[k]);
	fprintf(f, "\n");
	for (size_t i = 0; i < in->n; i++) {
		char err[256];
		struct h5in *h = h5in_open(in->paths[i], err, sizeof err);
		fprintf(f, "%s", in->policies[i]);
		for (int k = 0; compare_keys[k]; k++) {
			double x = 0;
			if (h)
				h5in_attr_double(h, "summary", compare_keys[k], &x);
			fprintf(f, "\t%.12g", x);
		}
		fprintf(f, "\n");
		h5in_close(h);
	}
	return (long)in->n;
}

/* The sweep figure: a metric's mean and 95% CI (from /aggregate of a
 * sweep.h5) against a swept parameter, one line per policy.  Rows whose other
 * string axes (workload, platform) differ from the first row's are left out. */
static long sweep_metric(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o)
{
	char err[256], name[96], *pol = NULL, *wl = NULL;
	struct h5in *h = h5in_open(in->paths[0], err, sizeof err);
	double *x = NULL, *mean = NULL, *ci = NULL;
	long n = -1;
	if (h && o && o->x && o->metric) {
		n = h5in_column(h, "aggregate", o->x, &x);
		snprintf(name, sizeof name, "%s_mean", o->metric);
		if (n > 0 && h5in_column(h, "aggregate", name, &mean) != n)
			n = -1;
		snprintf(name, sizeof name, "%s_ci95", o->metric);
		if (n > 0 && h5in_column(h, "aggregate", name, &ci) != n)
			n = -1;
		if (n > 0 && h5in_strings(h, "aggregate", "policy", 256, &pol) != n) {
			free(pol);
			pol = NULL;
		}
		if (n > 0 && h5in_strings(h, "aggregate", "workload", 256, &wl) != n) {
			free(wl);
			wl = NULL;
		}
	}
	h5in_close(h);
	char titles[2048] = "";
	long rows = 0;
	double lo = INFINITY, hi = 0;
	/* summary times are in seconds: show them in µs */
	int in_us = o && o->metric && (strstr(o->metric, "latency") || strstr(o->metric, "_time") || strstr(o->metric, "ptl_hold"));
	double scale = in_us ? 1e6 : 1;
	for (long i = 0; i < n; i++) {
		const char *p = pol ? pol + i * 256 : "run";
		if (strstr(titles, p) || (wl && strcmp(wl + i * 256, wl) != 0))
			continue; /* a policy already written, or another workload */
		snprintf(titles + strlen(titles), sizeof titles - strlen(titles), "%s%s", titles[0] ? " " : "", p);
		fprintf(f, "# %s: %s\t%s mean\t95%% CI\n", p, o->x, o->metric);
		for (long k = i; k < n; k++) {
			if ((pol && strcmp(pol + k * 256, p) != 0) || (wl && strcmp(wl + k * 256, wl) != 0))
				continue;
			fprintf(f, "%.12g\t%.12g\t%.12g\n", x[k], mean[k] * scale, ci[k] * scale);
			lo = x[k] < lo ? x[k] : lo, hi = x[k] > hi ? x[k] : hi;
			rows++;
		}
		end_block(f);
	}
	add_string_var(v, "titles", titles);
	add_string_var(v, "xlab", o ? o->x : "");
	char ylab[128];
	snprintf(ylab, sizeof ylab, "%s%s", o && o->metric ? o->metric : "", in_us ? " (µs)" : "");
	add_string_var(v, "ylab", ylab);
	add_var(v, "logx=%d; ", lo > 0 && hi / lo >= 16);
	free(x), free(mean), free(ci), free(pol), free(wl);
	return rows;
}

struct kind {
	const char *name, *script, *help;
	long (*data)(const struct inputs *in, FILE *f, struct vars *v, const struct plot_opts *o);
	int needs_opts; /* only drawn when asked, with --x and --metric */
};

static const struct kind kinds[] = {
	{"compare", "compare.gp", "notifications, op latency and violations per policy", compare, 0},
	{"latency-cdf", "cdf.gp", "op latency CDF per policy", latency_cdf, 0},
	{"ptl-hold", "cdf.gp", "page-table-lock hold time per op (distribution), per policy", ptl_hold, 0},
	{"notifications", "bars.gp", "invalidate_range calls and descriptors per op type and policy", notifications, 0},
	{"qi-occupancy", "qi-occupancy.gp", "invalidation-queue slots in use over time, per policy", qi_occupancy, 0},
	{"device-stall", "bars.gp", "device stall time per device and policy", device_stall, 0},
	{"timeline", "timeline.gp", "timeline of one run, as the seed's table (run it with --set record_events=1)", timeline, 0},
	{"sweep", "sweep.gp", "a metric against a swept parameter, per policy, with 95 percent CIs (sweep DIR; --x, --metric)", sweep_metric, 1},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

void plot_print_kinds(FILE *out)
{
	for (size_t i = 0; i < N_KINDS; i++)
		fprintf(out, "  %-14s %s\n", kinds[i].name, kinds[i].help);
}

static const struct kind *kind_by_name(const char *name)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* Writes the data of k; returns the number of data rows, or -1. */
static long write_data(const struct kind *k, const struct inputs *in, const struct plot_opts *o, const char *data_path,
		       struct vars *v, char *err, size_t errlen)
{
	FILE *f = fopen(data_path, "w");
	if (!f)
		return failf(err, errlen, "cannot write %s: %s", data_path, strerror(errno));
	long rows = k->data(in, f, v, o);
	if (fclose(f) != 0)
		return failf(err, errlen, "cannot write %s: %s", data_path, strerror(errno));
	return rows;
}

int plot_figure(const char *kind, const struct inputs *in, const struct plot_opts *o, const char *out, const char *data_path,
		char *err, size_t errlen)
{
	const struct kind *k = kind_by_name(kind);
	if (!k)
		return failf(err, errlen, "unknown figure kind '%s' (see 'mnsim plot --help')", kind);
	size_t len = strlen(out);
	int svg = len > 4 && strcmp(out + len - 4, ".svg") == 0;
	if (!svg && !(len > 4 && strcmp(out + len - 4, ".png") == 0))
		return failf(err, errlen, "%s: the figure's name must end in .png or .svg", out);
	struct vars v = {""};
	char title[128];
	snprintf(title, sizeof title, "%.*s", (int)strcspn(k->help, "("), k->help); /* the help without its remark */
	add_var(&v, "fmt='%s'; ", svg ? "svg" : "png");
	add_string_var(&v, "figtitle", title);
	long rows = write_data(k, in, o, data_path, &v, err, errlen);
	if (rows < 0)
		return -1;
	if (rows == 0)
		return failf(err, errlen, "no data for figure '%s' in %s%s", kind, in->paths[0],
			     strcmp(kind, "timeline") == 0 ? " (run with --set record_events=1)"
			     : strcmp(kind, "sweep") == 0 ? " (give a sweep's DIR or sweep.h5, --x PARAM and --metric NAME)" : "");
	return plot_render(k->script, data_path, out, v.text, err, errlen);
}

/* ---- the HTML report ---- */

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A recorded trace (mnsim record/import) says how it was captured and that
 * its device side is synthetic: the report says so too. */
static void write_capture(FILE *f, const char *path)
{
	char err[256], command[1024] = "", device[1024] = "";
	struct h5in *h = h5in_open(path, err, sizeof err);
	if (h && h5in_attr_string(h, "capture", "device_side", device, sizeof device) == 0) {
		h5in_attr_string(h, "capture", "command", command, sizeof command);
		fprintf(f, "<p><b>Recorded workload</b> (<code>");
		html_escape(f, command);
		fprintf(f, "</code>): the CPU side is the program's own memory operations; <b>the device side is synthetic</b>: ");
		html_escape(f, device);
		fprintf(f, ".</p>\n");
	}
	h5in_close(h);
}

/* Copies an SVG file into the page, without its XML prologue. */
static void inline_svg(FILE *f, const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return;
	char line[8192];
	int started = 0;
	while (fgets(line, sizeof line, in)) {
		if (!started && strncmp(line, "<svg", 4) != 0)
			continue;
		started = 1;
		fputs(line, f);
	}
	fclose(in);
}

static void config_row(void *ctx, const char *name, double v) { fprintf(ctx, "<tr><td>%s</td><td>%.9g</td></tr>\n", name, v); }

static void write_table(FILE *f, const struct inputs *in)
{
	static const char *const titles[] = {"notifications", "under ptl", "in range_end", "descriptors", "op mean (µs)",
					     "op p99 (µs)", "ptl mean (µs)", "ptl p99 (µs)", "device stall (µs)", "violations"};
	static const double scale[] = {1, 1, 1, 1, 1e6, 1e6, 1e6, 1e6, 1e6, 1};
	double base[16] = {0};
	int have_base = 0;
	for (size_t i = 0; i < in->n && !have_base; i++) {
		if (strcmp(in->policies[i], "double") != 0)
			continue;
		char err[256];
		struct h5in *h = h5in_open(in->paths[i], err, sizeof err);
		for (int k = 0; h && compare_keys[k]; k++)
			h5in_attr_double(h, "summary", compare_keys[k], &base[k]);
		h5in_close(h);
		have_base = 1;
	}
	fprintf(f, "<table><tr><th>policy</th>");
	for (int k = 0; compare_keys[k]; k++)
		fprintf(f, "<th>%s</th>", titles[k]);
	fprintf(f, "</tr>\n");
	for (size_t i = 0; i < in->n; i++) {
		char err[256];
		struct h5in *h = h5in_open(in->paths[i], err, sizeof err);
		fprintf(f, "<tr><td>");
		html_escape(f, in->policies[i]);
		fprintf(f, "</td>");
		for (int k = 0; compare_keys[k]; k++) {
			double x = 0;
			if (h)
				h5in_attr_double(h, "summary", compare_keys[k], &x);
			fprintf(f, "<td%s>%.4g", strcmp(compare_keys[k], "violations") == 0 && x > 0 ? " class=bad" : "", x * scale[k]);
			if (have_base && base[k] != 0 && strcmp(in->policies[i], "double") != 0)
				fprintf(f, " <small>(%.2f×)</small>", x / base[k]);
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
		h5in_close(h);
	}
	fprintf(f, "</table>\n");
}

static void write_violations(FILE *f, const struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		char err[256];
		struct h5in *h = h5in_open(in->paths[i], err, sizeof err);
		double *t = NULL, *type = NULL, *dev = NULL, *va = NULL, *seen = NULL, *exp = NULL, *op = NULL;
		long n = h ? h5in_column(h, "violations", "time", &t) : -1;
		if (n > 0) {
			h5in_column(h, "violations", "type", &type);
			h5in_column(h, "violations", "device", &dev);
			h5in_column(h, "violations", "va", &va);
			h5in_column(h, "violations", "pfn_seen", &seen);
			h5in_column(h, "violations", "pfn_expected", &exp);
			h5in_column(h, "violations", "op_id", &op);
			fprintf(f, "<h3>");
			html_escape(f, in->policies[i]);
			fprintf(f, ": %ld violation%s%s</h3>\n<table><tr><th>time (µs)</th><th>type</th><th>device</th><th>VA</th>"
				   "<th>page seen</th><th>page mapped</th><th>op</th></tr>\n", n, n > 1 ? "s" : "", n > 100 ? " (first 100)" : "");
			for (long k = 0; k < n && k < 100; k++)
				fprintf(f, "<tr><td>%.3f</td><td>%s</td><td>%.0f</td><td>%#llx</td><td>%.0f</td><td>%.0f</td><td>%.0f</td></tr>\n",
					t[k] * 1e6, violation_names[(int)type[k] % V_TYPES], dev[k], (unsigned long long)va[k], seen[k], exp[k], op[k]);
			fprintf(f, "</table>\n");
		}
		free(t), free(type), free(dev), free(va), free(seen), free(exp), free(op);
		h5in_close(h);
	}
}

int report_write(const struct inputs *in, const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return failf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	char path[4096];
	snprintf(path, sizeof path, "%s/index.html", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return failf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mnsim report</title>\n<style>\n"
		   "body{font-family:'DejaVu Sans',sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;margin:1em 0}"
		   "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}td:first-child{text-align:left}"
		   ".bad{background:#fdd;font-weight:bold}svg{max-width:100%%;height:auto}small{color:#666}\n</style></head><body>\n"
		   "<h1>mnsim report</h1>\n<h2>Runs</h2>\n<table><tr><th>policy</th><th>file</th><th>trace</th><th>platform</th><th>seed</th></tr>\n");
	for (size_t i = 0; i < in->n; i++) {
		struct h5in *h = h5in_open(in->paths[i], err, errlen);
		char trace[1024] = "", platform[1024] = "", seed[64] = "";
		if (h) {
			h5in_attr_string(h, "/", "trace", trace, sizeof trace);
			h5in_attr_string(h, "/", "platform", platform, sizeof platform);
			h5in_attr_string(h, "/", "seed", seed, sizeof seed);
		}
		h5in_close(h);
		const char *cells[] = {in->policies[i], in->paths[i], trace, platform, seed};
		fprintf(f, "<tr>");
		for (int c = 0; c < 5; c++) {
			fprintf(f, "<td>");
			html_escape(f, cells[c]);
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
	write_capture(f, in->paths[0]);
	fprintf(f, "<h2>Comparison</h2>\n<p>Ratios are to <code>double</code> (Linux ≤ 4.14).</p>\n");
	write_table(f, in);
	fprintf(f, "<h2>Figures</h2>\n");
	for (size_t k = 0; k < N_KINDS; k++) {
		char svg[4096], data[4096], why[1024];
		snprintf(svg, sizeof svg, "%s/%s.svg", dir, kinds[k].name);
		snprintf(data, sizeof data, "%s/%s.tsv", dir, kinds[k].name);
		if (kinds[k].needs_opts || plot_figure(kinds[k].name, in, NULL, svg, data, why, sizeof why) != 0) {
			remove(data);
			continue; /* a figure without data (e.g. no /events) is left out */
		}
		fprintf(f, "<h3>%s</h3>\n", kinds[k].help);
		inline_svg(f, svg);
	}
	fprintf(f, "<h2>Violations</h2>\n");
	write_violations(f, in);
	fprintf(f, "<h2>Configuration</h2>\n<p>Parameters of ");
	html_escape(f, in->paths[0]);
	fprintf(f, " (SI units: seconds, pages, slots; see <code>mnsim params</code>).</p>\n<table>\n");
	struct h5in *h = h5in_open(in->paths[0], err, errlen);
	if (h)
		h5in_attrs(h, "config", config_row, f);
	h5in_close(h);
	fprintf(f, "</table>\n</body></html>\n");
	if (fclose(f) != 0)
		return failf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return 0;
}
