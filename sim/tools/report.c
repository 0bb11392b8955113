/* report: see report.h. */
#include "report.h"
#include "outfile.h"
#include "figures.h"
#include "h5read.h"
#include "params.h"
#include "resultset.h"
#include "stats.h"
#include "textutil.h"
#include "units.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- HTML helpers ---- */

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Prints with %s arguments HTML-escaped: the format itself is markup. */
static void html(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			esc(f, va_arg(ap, const char *));
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			fputc('%', f);
			p++;
		} else if (p[0] == '%' && p[1] == 'd') {
			fprintf(f, "%d", va_arg(ap, int));
			p++;
		} else {
			fputc(*p, f);
		}
	}
	va_end(ap);
}

/* A duration in the unit a person reads: "500 ns", "1.25 µs", "3.2 ms". */
static const char *fmt_time(double s, char *buf, size_t len) { return units_format_duration_text(s, buf, (int)len); }

/* A count with thousands separators ("12,345"), or 3 significant digits
 * when it is not whole (a mean over seeds). */
static const char *fmt_count(double v, char *buf, size_t len)
{
	if (fabs(v - round(v)) > 1e-9 && fabs(v) < 100) {
		snprintf(buf, len, "%.3g", v);
		return buf;
	}
	char digits[64];
	snprintf(digits, sizeof digits, "%.0f", fabs(v));
	size_t n = strlen(digits), o = 0;
	if (v < 0 && o < len - 1)
		buf[o++] = '-';
	for (size_t i = 0; i < n && o < len - 1; i++) {
		if (i && (n - i) % 3 == 0 && o < len - 1)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static const char *fmt_value(double v, const char *unit, char *buf, size_t len)
{
	return strcmp(unit, "s") == 0 ? fmt_time(v, buf, len) : fmt_count(v, buf, len);
}

/* A recorded trace (mnsim record/import) says how it was captured and that
 * its device side is synthetic: the report says so too. */
static void write_capture(FILE *f, const char *path)
{
	char err[256], command[1024] = "", device[1024] = "";
	struct h5in *h = h5in_open(path, err, sizeof err);
	if (h && h5in_attr_string(h, "capture", "device_side", device, sizeof device) == 0) {
		h5in_attr_string(h, "capture", "command", command, sizeof command);
		html(f, "<p><b>Recorded workload</b> (<code>%s</code>): the CPU side is the program's own memory operations; "
			"<b>the device side is synthetic</b>: %s.</p>\n", command, device);
	}
	h5in_close(h);
}

/* Copies an SVG file into the page, without its XML prologue; 0 or -1. */
static int inline_svg(FILE *f, const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return -1;
	char line[8192];
	int started = 0;
	while (fgets(line, sizeof line, in)) {
		if (!started && strncmp(line, "<svg", 4) != 0)
			continue;
		started = 1;
		fputs(line, f);
	}
	int bad = ferror(in);
	fclose(in);
	return bad || !started ? -1 : 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static const char *const css =
	"body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:1250px;color:#222;line-height:1.4}"
	"h1{font-size:1.7em;margin-bottom:.1em}h2{border-bottom:2px solid #1f77b4;padding-bottom:.15em;margin-top:1.8em}"
	".sub{color:#555;margin-top:0}.banner{background:#fff3cd;border:1px solid #e0b000;padding:.6em 1em;border-radius:4px}"
	".headline{background:#f4f8fc;border-left:5px solid #1f77b4;padding:.8em 1.2em .8em 2.2em;font-size:1.12em}"
	".headline li{margin:.35em 0}table{border-collapse:collapse;margin:.8em 0;font-size:.92em}"
	"td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}td{white-space:nowrap}th{background:#eef2f6}"
	"td.l,th.l,td.w{text-align:left}td.w{white-space:normal}tr:nth-child(even) td{background:#fafafa}.bad{background:#fdd!important;font-weight:bold;color:#a00}"
	".good{color:#060;font-weight:bold}.changed td{background:#fff6d5!important}.ratio{color:#555;font-size:.9em}"
	".ci{color:#777;font-size:.85em}.prov{font-size:.8em;padding:1px 5px;border-radius:3px;white-space:nowrap}"
	".prov{white-space:normal}.cited{background:#d9f0d3}.approx{background:#fff1b8}.measured{background:#d9f0d3}.calibrated{background:#d9f0d3}"
	".assumption{background:#fde0c5}.switch{background:#e8e8e8}svg{max-width:100%;height:auto}figure{margin:1em 0}"
	"figcaption{color:#555;font-size:.92em;margin-bottom:.3em}code{background:#f2f2f2;padding:0 3px}"
	"details{margin:.5em 0}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}";

static void page_start(FILE *f, const char *title)
{
	html(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n<style>", title);
	fputs(css, f);
	fputs("</style></head><body>\n", f);
}

/* Draws figure kind into DIR/NAME.svg and inlines it with a heading and a
 * caption; returns 1 if drawn, 0 if the kind has no data here, -1 on a
 * write error (err). */
static int figure(FILE *f, const char *dir, const char *kind, const char *name, const struct fig_input *in,
		  const struct plot_opts *o, const char *heading, const char *caption, char *err, size_t errlen)
{
	char svg[4200], data[4200], why[1024];
	snprintf(svg, sizeof svg, "%s/%s.svg", dir, name);
	snprintf(data, sizeof data, "%s/%s.tsv", dir, name);
	if (plot_figure(kind, in, o, svg, data, why, sizeof why) != 0) {
		if (strstr(why, "disk full") || strstr(why, "cannot write"))
			return failf(err, errlen, "%s", why);
		return 0; /* a figure without data is left out */
	}
	if (heading)
		html(f, "<h3>%s</h3>\n", heading);
	html(f, "<figure>");
	if (caption)
		html(f, "<figcaption>%s</figcaption>", caption);
	if (inline_svg(f, svg) != 0)
		return failf(err, errlen, "cannot read back %s", svg);
	html(f, "</figure>\n");
	return 1;
}

/* ---- a result set ---- */

struct stat_of { struct mean_ci m; int present; };

static struct stat_of value_of(const struct result_set *rs, size_t g, const char *name)
{
	double x[1024];
	const struct policy_group *pg = &rs->groups[g];
	int n = 0, present = 0;
	for (size_t i = pg->first; i < pg->first + pg->n && n < 1024; i++) {
		double v = 0;
		present |= summary_get(&rs->runs[i].sum, name, &v);
		x[n++] = v;
	}
	return (struct stat_of){stats_mean_ci(x, n), present};
}

static long group_of(const struct result_set *rs, const char *policy)
{
	for (size_t g = 0; g < rs->n_groups; g++)
		if (strcmp(rs->groups[g].name, policy) == 0)
			return (long)g;
	return -1;
}

static int seeds_of(const struct result_set *rs)
{
	int max = 1;
	for (size_t g = 0; g < rs->n_groups; g++)
		max = (int)rs->groups[g].n > max ? (int)rs->groups[g].n : max;
	return max;
}

/* "1,234 ± 12" or "1,234" (times in their unit). */
/* A time's mean and CI in the mean's unit: "5.10 ± 0.19 µs", or with a
 * separator other than " " "5.10 µs", sep, "± 0.19". */
static void time_ci(double mean, double ci, const char *sep, char *buf, size_t len)
{
	static const struct { double below, scale; const char *unit; } u[] = {
		{1e-6, 1e9, "ns"}, {1e-3, 1e6, "µs"}, {1, 1e3, "ms"}, {INFINITY, 1, "s"}};
	int i = 0;
	while (fabs(mean) >= u[i].below)
		i++;
	if (strcmp(sep, " ") == 0)
		snprintf(buf, len, "%.3g ± %.2g %s", mean * u[i].scale, ci * u[i].scale, u[i].unit);
	else
		snprintf(buf, len, "%.3g %s%s± %.2g", mean * u[i].scale, u[i].unit, sep, ci * u[i].scale);
}

/* "1,234 ± 12" or "1,234" (times in their unit); sep goes before the ±. */
static const char *mean_text_sep(struct mean_ci m, const char *unit, int seeds, const char *sep, char *buf, size_t len)
{
	char a[64], b[64];
	if (seeds > 1 && m.n > 1 && strcmp(unit, "s") == 0 && m.mean != 0) {
		time_ci(m.mean, m.ci95, sep, buf, len);
	} else if (seeds > 1 && m.n > 1) {
		snprintf(buf, len, "%s%s± %s", fmt_value(m.mean, unit, a, sizeof a), sep, fmt_value(m.ci95, unit, b, sizeof b));
	} else {
		snprintf(buf, len, "%s", fmt_value(m.mean, unit, a, sizeof a));
	}
	return buf;
}

static const char *mean_text(struct mean_ci m, const char *unit, int seeds, char *buf, size_t len)
{
	return mean_text_sep(m, unit, seeds, " ", buf, len);
}

static void violation_kinds(const struct result_set *rs, size_t g, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int t = 0; t < V_TYPES; t++) {
		struct stat_of s = value_of(rs, g, violation_names[t]);
		if (s.m.mean > 0) {
			char c[32];
			appendf(buf, len, "%s%s %s", buf[0] ? ", " : "", fmt_count(s.m.mean, c, sizeof c),
				 violation_names[t]);
		}
	}
}

/* The size-queue answers (policy -> depth), from DIR/size-queue.answers.tsv. */
static void queue_sentence(FILE *f, const char *sq_dir)
{
	if (!sq_dir)
		return;
	char path[4200], line[512], target[256] = "";
	snprintf(path, sizeof path, "%s/size-queue.answers.tsv", sq_dir);
	FILE *in = fopen(path, "r");
	if (!in)
		return;
	char text[2048] = "";
	while (fgets(line, sizeof line, in)) {
		char pol[64], tgt[200];
		int depth, sims;
		if (sscanf(line, "%63s\t%199s\t%d\t%d", pol, tgt, &depth, &sims) != 4)
			continue;
		snprintf(target, sizeof target, "%s", tgt);
		char one[160];
		if (depth > 0)
			snprintf(one, sizeof one, "%s%s <b>%d</b>", text[0] ? ", " : "", pol, depth);
		else
			snprintf(one, sizeof one, "%s%s <b class=bad>not met</b>", text[0] ? ", " : "", pol);
		appendf(text, sizeof text, "%s", one);
	}
	fclose(in);
	if (text[0]) {
		html(f, "<li><b>Queue depth needed</b> for <code>%s</code> (<code>mnsim size-queue</code>): ", target);
		fputs(text, f);
		html(f, " slots.</li>\n");
	}
}

/* Headline sentences, numbers first. */
static void headline(FILE *f, const struct result_set *rs, const struct report_opts *o)
{
	int seeds = seeds_of(rs);
	char buf[256], a[96], b[96];
	html(f, "<h2>Headline</h2>\n<ul class=headline>\n");
	/* correctness */
	char good[1024] = "", bad[2048] = "";
	for (size_t g = 0; g < rs->n_groups; g++) {
		struct stat_of v = value_of(rs, g, "violations");
		if (v.m.mean == 0) {
			appendf(good, sizeof good, "%s%s", good[0] ? ", " : "", rs->groups[g].name);
		} else {
			char kinds[256];
			violation_kinds(rs, g, kinds, sizeof kinds);
			appendf(bad, sizeof bad, "%s%s: %s violation%s (%s)", bad[0] ? "; " : "",
				 rs->groups[g].name, fmt_count(v.m.mean, a, sizeof a), v.m.mean == 1 ? "" : "s", kinds);
		}
	}
	html(f, "<li>");
	if (good[0])
		html(f, "<b class=good>Correct on this workload:</b> %s (no violation%s). ", good, seeds > 1 ? " in any seed" : "");
	if (bad[0])
		html(f, "<b class=bad>Not correct:</b> %s.", bad);
	html(f, "</li>\n");
	/* cost relative to double */
	long base = group_of(rs, "double");
	for (size_t g = 0; base >= 0 && g < rs->n_groups; g++) {
		if ((long)g == base)
			continue;
		struct stat_of n = value_of(rs, g, "notifications"), nb = value_of(rs, (size_t)base, "notifications");
		struct stat_of p = value_of(rs, g, "notifications_under_ptl"), pb = value_of(rs, (size_t)base, "notifications_under_ptl");
		struct stat_of d = value_of(rs, g, "descriptors"), db = value_of(rs, (size_t)base, "descriptors");
		struct stat_of l = value_of(rs, g, "op_latency_p99"), lb = value_of(rs, (size_t)base, "op_latency_p99");
		struct stat_of h = value_of(rs, g, "ptl_hold_p99"), hb = value_of(rs, (size_t)base, "ptl_hold_p99");
		html(f, "<li><b>%s</b> makes ", rs->groups[g].name);
		if (nb.m.mean > 0)
			fprintf(f, "<b>%.2f×</b> the invalidate_range calls of double (", n.m.mean / nb.m.mean);
		else
			fprintf(f, "(");
		html(f, "%s", mean_text(n.m, "", seeds, a, sizeof a));
		html(f, " vs %s)", mean_text(nb.m, "", seeds, b, sizeof b));
		if (pb.m.mean > 0)
			fprintf(f, ", <b>%.2f×</b> of them under the ptl (%s vs %s)", p.m.mean / pb.m.mean, fmt_count(p.m.mean, a, sizeof a),
				fmt_count(pb.m.mean, b, sizeof b));
		if (db.m.mean > 0)
			fprintf(f, " and <b>%.2f×</b> the descriptors", d.m.mean / db.m.mean);
		fprintf(f, "; op latency p99 <b>%.2f×</b> (%s", lb.m.mean > 0 ? l.m.mean / lb.m.mean : 0, mean_text(l.m, "s", seeds, a, sizeof a));
		fprintf(f, " vs %s)", mean_text(lb.m, "s", seeds, b, sizeof b));
		if (hb.m.mean > 0) {
			fprintf(f, ", ptl hold p99 <b>%.2f×</b> (%s", h.m.mean / hb.m.mean, mean_text(h.m, "s", seeds, a, sizeof a));
			fprintf(f, " vs %s)", mean_text(hb.m, "s", seeds, b, sizeof b));
		}
		fprintf(f, ".</li>\n");
	}
	if (base < 0)
		html(f, "<li>No <code>double</code> run here: ratios to Linux ≤ 4.14 need one (<code>mnsim compare</code> runs it by default).</li>\n");
	/* which op pays */
	size_t g0 = base >= 0 ? (size_t)base : 0;
	struct op_stats st[OP_COUNT];
	char err[256];
	if (per_op_stats(rs, &rs->groups[g0], st, err, sizeof err) == 0) {
		double total = 0, dtotal = 0, best = -1;
		int top = -1;
		for (int k = 0; k < OP_COUNT; k++) {
			total += st[k].irs, dtotal += st[k].descriptors;
			if (st[k].irs > best)
				best = st[k].irs, top = k;
		}
		if (top >= 0 && total > 0)
			html(f, "<li><b>Which op pays:</b> under %s, <b>%s</b> makes %d%% of the invalidate_range calls", rs->groups[g0].name,
			     op_info((enum op_kind)top)->name, (int)lround(100 * best / total)),
				fprintf(f, " and %.0f%% of the descriptors; its ops take %s at p99.</li>\n",
					dtotal > 0 ? 100 * st[top].descriptors / dtotal : 0, fmt_time(st[top].latency_p99, buf, sizeof buf));
		int madv = 0;
		for (size_t g = 0; g < rs->n_groups; g++)
			if (per_op_stats(rs, &rs->groups[g], st, err, sizeof err) == 0)
				madv |= st[OP_MADV_FREE].present;
		if (madv)
			html(f, "<li><code>madv_free</code> needs its invalidate_range call for dirty-bit tracking, which the model does not "
				"have: the checker cannot tell whether it was needed (DESIGN.md §8).</li>\n");
	}
	/* queue */
	struct stat_of used = value_of(rs, g0, "qi_max_used"), stalls = value_of(rs, g0, "qi_full_stalls");
	if (o && o->size_queue)
		queue_sentence(f, o->size_queue);
	else if (rs->dir[0])
		queue_sentence(f, rs->dir);
	html(f, "<li><b>Invalidation queue</b> under %s: at most %s slots in use, %s QI-full stall%s.</li>\n", rs->groups[g0].name,
	     fmt_count(used.m.mean, a, sizeof a), fmt_count(stalls.m.mean, b, sizeof b), stalls.m.mean == 1 ? "" : "s");
	if (seeds == 1)
		html(f, "<li>One seed per policy: no confidence intervals (<code>mnsim compare --seeds N</code> gives mean and 95 %% CI).</li>\n");
	else
		html(f, "<li>Means over %d seeds; ± is the half-width of the 95 %% confidence interval (Student t).</li>\n", seeds);
	html(f, "</ul>\n");
}

static const struct { const char *key, *title, *unit; } table_cols[] = {
	{"notifications", "invalidate_range calls", ""},
	{"notifications_under_ptl", "under ptl", ""},
	{"notifications_range_end", "in range_end", ""},
	{"descriptors", "descriptors", ""},
	{"op_latency_mean", "op mean", "s"},
	{"op_latency_p99", "op p99", "s"},
	{"ptl_hold_mean", "ptl hold mean", "s"},
	{"ptl_hold_p99", "ptl hold p99", "s"},
	{"notify_latency_p99", "IR latency p99", "s"},
	{"device_stall_time", "device stall", "s"},
	{"violations", "violations", ""},
};
#define N_TABLE_COLS (sizeof table_cols / sizeof table_cols[0])

static void comparison_table(FILE *f, const struct result_set *rs)
{
	int seeds = seeds_of(rs);
	long base = group_of(rs, "double");
	html(f, "<h2>Comparison</h2>\n<p>Per run%s; ratios to <code>double</code> (Linux ≤ 4.14) below each value.</p>\n<table><tr><th class=l>policy</th>",
	     seeds > 1 ? ", mean ± 95 % CI over seeds" : "");
	for (size_t c = 0; c < N_TABLE_COLS; c++)
		html(f, "<th>%s</th>", table_cols[c].title);
	html(f, "</tr>\n");
	for (size_t g = 0; g < rs->n_groups; g++) {
		html(f, "<tr><td class=l><b>%s</b></td>", rs->groups[g].name);
		for (size_t c = 0; c < N_TABLE_COLS; c++) {
			struct stat_of v = value_of(rs, g, table_cols[c].key);
			char a[96];
			int is_bad = strcmp(table_cols[c].key, "violations") == 0 && v.m.mean > 0;
			html(f, "<td%s>", is_bad ? " class=bad" : "");
			/* the CI on a line of its own keeps the table narrow */
			if (!v.present)
				html(f, "–");
			else if (seeds > 1) {
				char *pm = strstr(mean_text_sep(v.m, table_cols[c].unit, seeds, "|", a, sizeof a), "|");
				*pm = '\0';
				html(f, "%s<br><span class=ci>%s</span>", a, pm + 1);
			} else
				html(f, "%s", mean_text(v.m, table_cols[c].unit, seeds, a, sizeof a));
			if (base >= 0 && (long)g != base) {
				struct stat_of b = value_of(rs, (size_t)base, table_cols[c].key);
				if (b.m.mean != 0)
					fprintf(f, "<br><span class=ratio>%.2f×</span>", v.m.mean / b.m.mean);
			}
			html(f, "</td>");
		}
		html(f, "</tr>\n");
	}
	html(f, "</table>\n");
}

static void per_op_table(FILE *f, const struct result_set *rs)
{
	struct op_stats(*st)[OP_COUNT] = calloc(rs->n_groups, sizeof *st);
	char err[256];
	for (size_t g = 0; g < rs->n_groups; g++)
		if (per_op_stats(rs, &rs->groups[g], st[g], err, sizeof err) != 0)
			memset(st[g], 0, sizeof st[g]);
	int any = 0;
	for (size_t g = 0; g < rs->n_groups; g++)
		for (int k = 0; k < OP_COUNT; k++)
			any |= st[g][k].present && op_info((enum op_kind)k)->kernel;
	if (!any) {
		free(st);
		return;
	}
	html(f, "<h2>Per op: which op pays?</h2>\n<p>Per run (mean over seeds); percentiles over every op of the kind.</p>\n"
		"<table><tr><th class=l>op</th><th class=l>policy</th><th>ops</th><th>invalidate_range calls</th><th>under ptl</th>"
		"<th>in range_end</th><th>mmu_gather</th><th>descriptors</th><th>ptl hold p99</th><th>op latency p99</th><th>op latency mean</th></tr>\n");
	for (int k = 0; k < OP_COUNT; k++) {
		int rows = 0;
		for (size_t g = 0; g < rs->n_groups; g++)
			rows += st[g][k].present;
		if (!rows || !op_info((enum op_kind)k)->kernel)
			continue;
		int first = 1;
		for (size_t g = 0; g < rs->n_groups; g++) {
			const struct op_stats *s = &st[g][k];
			if (!s->present)
				continue;
			char v[8][64];
			html(f, "<tr>");
			if (first)
				fprintf(f, "<td class=w rowspan=%d style=\"max-width:16em\"><b>%s</b><br><small>%s</small></td>", rows, op_info((enum op_kind)k)->name,
					op_info((enum op_kind)k)->source);
			first = 0;
			html(f, "<td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			     rs->groups[g].name, fmt_count(s->ops, v[0], 64), fmt_count(s->irs, v[1], 64), fmt_count(s->irs_under_ptl, v[2], 64),
			     fmt_count(s->irs_range_end, v[3], 64), fmt_count(s->irs_gather, v[4], 64), fmt_count(s->descriptors, v[5], 64),
			     fmt_time(s->ptl_hold_p99, v[6], 64), fmt_time(s->latency_p99, v[7], 64),
			     fmt_time(s->latency_mean, (char[64]){0}, 64));
		}
	}
	html(f, "</table>\n");
	free(st);
}

static int violations_section(FILE *f, const struct result_set *rs, const char *dir, const struct fig_input *in, char *err, size_t errlen)
{
	int any = 0;
	for (size_t g = 0; g < rs->n_groups; g++)
		any |= value_of(rs, g, "violations").m.mean > 0;
	if (!any)
		return 0;
	html(f, "<h2>Violations</h2>\n<p>What the checker found: a device reached memory out of order. Each policy's first "
		"violations on a timeline of its run (seed %d), then the first 20.</p>\n", (int)rs->runs[0].seed);
	for (size_t g = 0; g < rs->n_groups; g++) {
		if (value_of(rs, g, "violations").m.mean == 0)
			continue;
		const struct run_info *run = &rs->runs[rs->groups[g].first];
		char kinds[256], name[128], heading[400];
		violation_kinds(rs, g, kinds, sizeof kinds);
		snprintf(heading, sizeof heading, "%s: %s", rs->groups[g].name, kinds);
		snprintf(name, sizeof name, "timeline-%s", rs->groups[g].name);
		struct plot_opts o = {.policy = rs->groups[g].name};
		if (figure(f, dir, "timeline", name, in, &o, heading, NULL, err, errlen) < 0)
			return -1;
		struct h5in *h = h5in_open(run->path, err, errlen);
		const char *fields[] = {"time", "type", "device", "va", "pfn_seen", "pfn_expected", "op_id"};
		double *c[7] = {NULL};
		long n = h ? h5in_column(h, "violations", fields[0], &c[0]) : -1;
		for (int i = 1; i < 7 && n > 0; i++)
			if (h5in_column(h, "violations", fields[i], &c[i]) != n)
				n = -1;
		h5in_close(h);
		if (n > 0) {
			html(f, "<table><tr><th>time</th><th class=l>type</th><th>device</th><th>VA</th><th>page seen</th><th>page mapped</th>"
				"<th>op (/ops id)</th></tr>\n");
			for (long i = 0; i < n && i < 20; i++) {
				char t[64];
				int type = (int)c[1][i];
				fprintf(f, "<tr><td>%s</td><td class=l>%s</td><td>%.0f</td><td>%#llx</td><td>%.0f</td><td>%.0f</td><td>%.0f</td></tr>\n",
					fmt_time(c[0][i], t, sizeof t), type >= 0 && type < V_TYPES ? violation_names[type] : "?", c[2][i],
					(unsigned long long)c[3][i], c[4][i], c[5][i], c[6][i]);
			}
			html(f, "</table>\n");
			if (n > 20)
				html(f, "<p>%d more in <code>/violations</code> of %s.</p>\n", (int)(n - 20), run->path);
		}
		for (int i = 0; i < 7; i++)
			free(c[i]);
	}
	return 0;
}

struct config_read { const char *names[256]; double values[256]; int n; };

static void collect_config(void *ctx, const char *name, double v)
{
	struct config_read *c = ctx;
	if (c->n < 256) {
		c->names[c->n] = strdup(name);
		c->values[c->n++] = v;
	}
}

static const char *prov_class(const char *p)
{
	static const char *const classes[] = {"cited", "approx", "measured", "calibrated", "assumption", "switch"};
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (strncmp(p, classes[i], strlen(classes[i])) == 0)
			return classes[i];
	return "assumption";
}

static void configuration(FILE *f, const struct result_set *rs)
{
	struct config_read c = {.n = 0};
	char err[256];
	struct h5in *h = h5in_open(rs->runs[0].path, err, sizeof err);
	if (h) {
		h5in_attrs(h, "config", collect_config, &c);
		/* a choice is stored by its name (kernel, preempt_dist, ...) */
		for (size_t i = 0; i < params_count(); i++) {
			const struct param_def *d = params_def(i);
			char name[64];
			int k;
			if (d->type == PT_CHOICE && h5in_attr_string(h, "config", d->name, name, sizeof name) == 0 &&
			    (k = params_choice_index(d, name)) >= 0)
				collect_config(&c, d->name, k);
		}
	}
	h5in_close(h);
	struct params def;
	params_defaults(&def);
	int changed = 0;
	for (int i = 0; i < c.n; i++) {
		const struct param_def *d = params_find(c.names[i]);
		changed += d && params_get(&def, d) != c.values[i];
	}
	html(f, "<h2>Configuration</h2>\n<p>Every parameter of the runs, in its unit; <b>%d</b> differ from mnsim's defaults "
		"(highlighted). Provenance: <span class=\"prov cited\">cited</span> from a primary source, "
		"<span class=\"prov approx\">approx.</span> a commonly quoted number, <span class=\"prov assumption\">assumption</span> "
		"the project's own guess, <span class=\"prov switch\">switch</span> a model switch. Nobody has measured double against "
		"only_end on hardware (DESIGN.md §9): read every number with its assumptions.</p>\n",
	     changed);
	html(f, "<table><tr><th class=l>parameter</th><th>value</th><th>default</th><th class=l>scope</th><th class=l>provenance</th>"
		"<th class=l>meaning</th></tr>\n");
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < c.n; i++) {
			const struct param_def *d = params_find(c.names[i]);
			if (!d)
				continue;
			int differs = params_get(&def, d) != c.values[i];
			if (differs != (pass == 0))
				continue; /* non-defaults first */
			char v[64], dv[64];
			params_format_value(d, c.values[i], v, sizeof v);
			params_format(&def, d, dv, sizeof dv);
			if (d->type == PT_DURATION)
				fmt_time(c.values[i], v, sizeof v), fmt_time(params_get(&def, d), dv, sizeof dv);
			else if (d->type == PT_BOOL)
				snprintf(v, sizeof v, "%s", c.values[i] ? "on" : "off"), snprintf(dv, sizeof dv, "%s", params_get(&def, d) ? "on" : "off");
			else if (d->unit[0] && strcmp(d->unit, "s") != 0)
				appendf(v, sizeof v, " %s", d->unit),
					appendf(dv, sizeof dv, " %s", d->unit);
			html(f, "<tr%s><td class=l><code>%s</code></td><td>%s</td><td>%s</td><td class=l>%s</td>", differs ? " class=changed" : "",
			     d->name, v, dv, params_scope_name(d->scope));
			html(f, "<td class=w><span class=\"prov %s\">%s</span></td><td class=w>%s</td></tr>\n", prov_class(d->provenance),
			     d->provenance, d->help);
		}
	html(f, "</table>\n");
	for (int i = 0; i < c.n; i++)
		free((char *)c.names[i]);
}

static void runs_table(FILE *f, const struct result_set *rs)
{
	html(f, "<h2>Runs</h2>\n<table><tr><th class=l>policy</th><th>seed</th><th class=l>file</th><th class=l>trace SHA-256</th>"
		"<th>simulated time</th><th>kernel ops</th><th>device accesses</th></tr>\n");
	for (size_t i = 0; i < rs->n; i++) {
		char sha[80] = "", err[256], t[64], a[64], b[64];
		struct h5in *h = h5in_open(rs->runs[i].path, err, sizeof err);
		if (h)
			h5in_attr_string(h, "/", "trace_sha256", sha, sizeof sha);
		h5in_close(h);
		double st = 0, ops = 0, acc = 0;
		summary_get(&rs->runs[i].sum, "sim_time", &st);
		summary_get(&rs->runs[i].sum, "kernel_ops", &ops);
		summary_get(&rs->runs[i].sum, "device_accesses", &acc);
		html(f, "<tr><td class=l>%s</td><td>%d</td><td class=l><code>%s</code></td><td class=l><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
		     rs->runs[i].policy, (int)rs->runs[i].seed, rs->runs[i].path, sha[0] ? sha : "(not recorded)", fmt_time(st, t, sizeof t),
		     fmt_count(ops, a, sizeof a), fmt_count(acc, b, sizeof b));
	}
	html(f, "</table>\n");
}

static const struct { const char *kind, *heading, *caption; } set_figures[] = {
	{"compare", NULL, "Per policy: calls stacked by where they are made, descriptors, p99 latencies, violations."},
	{"per-op", "Per op kind", "The same per op kind: which op pays, and under which policy."},
	{"latency-cdf", "Op latency", "Share of kernel ops that finish within a time (log scale): further left is faster."},
	{"ptl-hold", "Page-table-lock hold time", "Share of ops whose ptl hold is within a time: what other CPUs wait behind."},
	{"qi-occupancy", "Invalidation queue", "How much of the time how many slots are in use (top), and the windowed maximum and mean "
					     "over the run, per policy."},
	{"device-stall", "Device stall", "Time devices spent waiting for translations and faults."},
};

static int report_set(FILE *f, const struct result_set *rs, const char *dir, const struct report_opts *o, char *err, size_t errlen)
{
	char title[1200];
	snprintf(title, sizeof title, "mnsim design review: %s", base_name(rs->trace));
	page_start(f, title);
	html(f, "<h1>%s</h1>\n<p class=sub>", title);
	html(f, "trace <code>%s</code> · platform <code>%s</code> · ", rs->trace, base_name(rs->platform));
	for (size_t g = 0; g < rs->n_groups; g++)
		html(f, "%s%s", g ? ", " : "", rs->groups[g].name);
	html(f, " · %d seed%s · mnsim " MNSIM_VERSION "</p>\n", seeds_of(rs), seeds_of(rs) > 1 ? "s" : "");
	if (!rs->complete || rs->ignored) {
		html(f, "<p class=banner>");
		if (!rs->complete)
			html(f, "<b>Incomplete set</b>: the compare that wrote %s %s; missing: <b>%s</b>. The numbers below are "
				"only for what is here. ",
			     rs->dir, strncmp(rs->status, "failed", 6) == 0 ? rs->status : "did not finish (interrupted)",
			     rs->missing ? rs->missing : "nothing listed, but no final status");
		if (rs->ignored)
			html(f, "Not part of this compare (left out): %s.", rs->ignored);
		html(f, "</p>\n");
	}
	if (rs->n)
		write_capture(f, rs->runs[0].path);
	headline(f, rs, o);
	comparison_table(f, rs);
	struct fig_input in = {rs, NULL};
	for (size_t i = 0; i < sizeof set_figures / sizeof set_figures[0]; i++) {
		if (i == 1)
			per_op_table(f, rs);
		if (i == 2)
			html(f, "<h2>Figures</h2>\n");
		if (figure(f, dir, set_figures[i].kind, set_figures[i].kind, &in, NULL, set_figures[i].heading, set_figures[i].caption,
			   err, errlen) < 0)
			return -1;
	}
	if (violations_section(f, rs, dir, &in, err, errlen) != 0)
		return -1;
	configuration(f, rs);
	runs_table(f, rs);
	html(f, "</body></html>\n");
	return 0;
}

/* ---- a sweep ---- */

/* The metrics a review asks about, in this order (those the sweep has). */
static const char *const sweep_metrics[] = {"violations", "notifications", "notifications_under_ptl", "descriptors",
	"op_latency_p99", "ptl_hold_p99", "notify_latency_p99", "qi_stall_fraction", "qi_max_used", "device_stall_time", NULL};

/* "policy=only_end, qi_depth=32": the varying axes of /aggregate row i. */
static void point_text(struct h5in *h, char axes[][48], const int *numeric, const int *n_values, int n_axes, long n, long i,
		       char *buf, size_t len)
{
	buf[0] = '\0';
	for (int a = 0; a < n_axes; a++) {
		if (n_values[a] < 2)
			continue;
		if (numeric[a]) {
			double *x = NULL;
			const struct param_def *d = params_find(axes[a]);
			char v[64];
			if (h5in_column(h, "aggregate", axes[a], &x) == n)
				appendf(buf, len, "%s%s=%s", buf[0] ? ", " : "", axes[a],
					d && d->type == PT_DURATION ? fmt_time(x[i], v, sizeof v) : (snprintf(v, sizeof v, "%.6g", x[i]), v));
			free(x);
		} else {
			char *s = NULL;
			if (h5in_strings(h, "aggregate", axes[a], 256, &s) == n)
				appendf(buf, len, "%s%s=%s", buf[0] ? ", " : "", axes[a], base_name(s + i * 256));
			free(s);
		}
	}
}

struct sweep_info { char spec[8192]; double points, merged, failed, missing, seeds; char failed_ids[4096]; };

static int report_sweep(FILE *f, const char *sweep_h5, const char *dir, char *err, size_t errlen)
{
	struct h5in *h = h5in_open(sweep_h5, err, errlen);
	if (!h)
		return failf(err, errlen, "%s: no merged sweep (run 'mnsim sweep --merge DIR' first)", sweep_h5);
	struct sweep_info si = {.points = 0};
	h5in_attr_string(h, "/", "spec", si.spec, sizeof si.spec);
	h5in_attr_double(h, "/", "points", &si.points);
	h5in_attr_double(h, "/", "points_merged", &si.merged);
	h5in_attr_double(h, "/", "points_failed", &si.failed);
	h5in_attr_double(h, "/", "points_missing", &si.missing);
	h5in_attr_double(h, "/", "seeds", &si.seeds);
	h5in_attr_string(h, "/", "failed_points", si.failed_ids, sizeof si.failed_ids);
	char axes[16][48];
	int numeric[16], n_values[16];
	int n_axes = sweep_axes(sweep_h5, axes, numeric, n_values, 16, err, errlen);
	if (n_axes < 0) {
		h5in_close(h);
		return -1;
	}
	char title[600];
	snprintf(title, sizeof title, "mnsim sweep report: %s", base_name(dir));
	page_start(f, title);
	html(f, "<h1>mnsim sweep: %s</h1>\n<p class=sub>", sweep_h5);
	int shown_axes = 0;
	for (int a = 0; a < n_axes; a++)
		if (n_values[a] > 1)
			html(f, "%s<code>%s</code> (%d)", shown_axes++ ? " × " : "axes ", axes[a], n_values[a]);
	fprintf(f, " · %.0f points (%.0f merged) · %.0f seed%s each · mnsim " MNSIM_VERSION "</p>\n", si.points, si.merged, si.seeds,
		si.seeds == 1 ? "" : "s");
	if (si.failed > 0 || si.missing > 0) {
		fprintf(f, "<p class=banner><b>Incomplete sweep</b>: %.0f point%s failed, %.0f not run yet; means and CIs are over the "
			   "points that finished. ", si.failed, si.failed == 1 ? "" : "s", si.missing);
		if (si.failed_ids[0])
			html(f, "Failed: <code>%s</code> (their errors are in <code>points/ID.err</code>).", si.failed_ids);
		html(f, "</p>\n");
	}
	/* headline: violations and the range of each review metric */
	html(f, "<h2>Headline</h2>\n<ul class=headline>\n");
	double *v = NULL, *vmax = NULL;
	char *pol = NULL;
	long n = h5in_column(h, "aggregate", "violations_mean", &v);
	int pa = -1;
	for (int a = 0; a < n_axes; a++)
		if (strcmp(axes[a], "policy") == 0)
			pa = a;
	if (n > 0 && pa >= 0 && h5in_strings(h, "aggregate", "policy", 256, &pol) == n) {
		char clean[1024] = "", dirty[2048] = "";
		for (long i = 0; i < n; i++) {
			const char *p = pol + i * 256;
			if (strstr(clean, p) || strstr(dirty, p))
				continue;
			long bad = 0, all = 0;
			for (long j = 0; j < n; j++)
				if (strcmp(pol + j * 256, p) == 0)
					all++, bad += v[j] > 0;
			if (bad)
				appendf(dirty, sizeof dirty, "%s%s at %ld of %ld points", dirty[0] ? "; " : "", p,
					 bad, all);
			else
				appendf(clean, sizeof clean, "%s%s", clean[0] ? ", " : "", p);
		}
		html(f, "<li>");
		if (clean[0])
			html(f, "<b class=good>No violation at any point:</b> %s. ", clean);
		if (dirty[0])
			html(f, "<b class=bad>Violations:</b> %s.", dirty);
		html(f, "</li>\n");
	} else if (n > 0) {
		long bad = 0;
		for (long i = 0; i < n; i++)
			bad += v[i] > 0;
		html(f, "<li>Violations at <b>%d</b> of %d points.</li>\n", (int)bad, (int)n);
	}
	for (int m = 1; sweep_metrics[m] && n > 0; m++) {
		char name[96];
		snprintf(name, sizeof name, "%s_mean", sweep_metrics[m]);
		if (h5in_column(h, "aggregate", name, &vmax) != n) {
			free(vmax);
			vmax = NULL;
			continue;
		}
		double lo = INFINITY, hi = -INFINITY;
		long ilo = 0, ihi = 0;
		for (long i = 0; i < n; i++) {
			if (vmax[i] < lo)
				lo = vmax[i], ilo = i;
			if (vmax[i] > hi)
				hi = vmax[i], ihi = i;
		}
		char unit[16] = "", a[64], b[64], where_lo[1024], where_hi[1024];
		h5in_attr_string(h, "aggregate", name, unit, sizeof unit);
		point_text(h, axes, numeric, n_values, n_axes, n, ilo, where_lo, sizeof where_lo);
		point_text(h, axes, numeric, n_values, n_axes, n, ihi, where_hi, sizeof where_hi);
		if (hi > lo)
			html(f, "<li><code>%s</code> from <b>%s</b> (%s) to <b>%s</b> (%s).</li>\n", sweep_metrics[m], fmt_value(lo, unit, a, sizeof a),
			     where_lo, fmt_value(hi, unit, b, sizeof b), where_hi);
		free(vmax);
		vmax = NULL;
	}
	html(f, "</ul>\n");
	free(v), free(pol);
	/* figures: each review metric that varies against each swept axis:
	 * the numeric axes, or the other string axes when there is none; the
	 * policies are the lines */
	struct fig_input in = {NULL, sweep_h5};
	int any_numeric = 0;
	for (int a = 0; a < n_axes; a++)
		any_numeric |= numeric[a] && n_values[a] > 1;
	char constant[2048] = "";
	for (int m = 0; sweep_metrics[m]; m++) {
		char name[96], unit[16] = "", a[64];
		double *x = NULL;
		snprintf(name, sizeof name, "%s_mean", sweep_metrics[m]);
		long k = h5in_column(h, "aggregate", name, &x);
		int same = k > 0;
		for (long i = 1; i < k; i++)
			same &= x[i] == x[0];
		h5in_attr_string(h, "aggregate", name, unit, sizeof unit);
		if (same)
			appendf(constant, sizeof constant, "%s<code>%s</code> = %s", constant[0] ? ", " : "", sweep_metrics[m],
				fmt_value(x[0], unit, a, sizeof a));
		free(x);
	}
	html(f, "<h2>Figures</h2>\n<p>Mean and 95 %% CI over seeds; one line per policy, one panel per value of every other swept axis.");
	if (constant[0])
		fprintf(f, " The same at every point (not drawn): %s.", constant);
	html(f, "</p>\n");
	for (int a = 0; a < n_axes; a++) {
		if (strcmp(axes[a], "policy") == 0 || n_values[a] < 2 || (any_numeric && !numeric[a]))
			continue;
		int drawn = 0;
		for (int m = 0; sweep_metrics[m]; m++) {
			char mname[96];
			snprintf(mname, sizeof mname, "<code>%s</code> =", sweep_metrics[m]);
			if (strstr(constant, mname))
				continue;
			char name[160], heading[200];
			snprintf(name, sizeof name, "sweep-%s-%s", sweep_metrics[m], axes[a]);
			snprintf(heading, sizeof heading, "%s against %s", sweep_metrics[m], axes[a]);
			struct plot_opts o = {.x = axes[a], .metric = sweep_metrics[m]};
			int rc = figure(f, dir, "sweep", name, &in, &o, heading, NULL, err, errlen);
			if (rc < 0) {
				h5in_close(h);
				return -1;
			}
			drawn += rc;
		}
		(void)drawn;
	}
	/* the merged table */
	html(f, "<h2>Merged table</h2>\n<p>One row per point of <code>/aggregate</code> (mean ± 95 %% CI over its seeds); all columns are "
		"in <code>%s</code> and, with <code>--csv</code>, <code>sweep-aggregate.csv</code>.</p>\n<table><tr>", sweep_h5);
	for (int a = 0; a < n_axes; a++)
		html(f, "<th class=l>%s</th>", axes[a]);
	html(f, "<th>seeds</th>");
	double *cols[32] = {NULL}, *cis[32] = {NULL};
	char units[32][16];
	int shown[32], n_shown = 0;
	for (int m = 0; sweep_metrics[m] && n_shown < 32; m++) {
		char name[96];
		snprintf(name, sizeof name, "%s_mean", sweep_metrics[m]);
		if (h5in_column(h, "aggregate", name, &cols[n_shown]) != n) {
			free(cols[n_shown]);
			cols[n_shown] = NULL;
			continue;
		}
		units[n_shown][0] = '\0';
		h5in_attr_string(h, "aggregate", name, units[n_shown], sizeof units[n_shown]);
		snprintf(name, sizeof name, "%s_ci95", sweep_metrics[m]);
		h5in_column(h, "aggregate", name, &cis[n_shown]);
		shown[n_shown++] = m;
		html(f, "<th>%s</th>", sweep_metrics[m]);
	}
	html(f, "</tr>\n");
	char *text[16];
	double *seeds = NULL;
	h5in_column(h, "aggregate", "seeds", &seeds);
	for (int a = 0; a < n_axes; a++) {
		text[a] = calloc((size_t)(n > 0 ? n : 1), 256);
		if (numeric[a]) {
			double *x = NULL;
			if (h5in_column(h, "aggregate", axes[a], &x) == n)
				for (long i = 0; i < n; i++)
					snprintf(text[a] + i * 256, 256, "%.6g", x[i]);
			free(x);
		} else {
			char *s = NULL;
			if (h5in_strings(h, "aggregate", axes[a], 256, &s) == n)
				for (long i = 0; i < n; i++)
					snprintf(text[a] + i * 256, 256, "%s", base_name(s + i * 256));
			free(s);
		}
	}
	for (long i = 0; i < n && i < 1000; i++) {
		html(f, "<tr>");
		for (int a = 0; a < n_axes; a++)
			html(f, "<td class=l>%s</td>", text[a] + i * 256);
		fprintf(f, "<td>%.0f</td>", seeds ? seeds[i] : 0);
		for (int k = 0; k < n_shown; k++) {
			char a[64], b[64];
			int is_bad = strcmp(sweep_metrics[shown[k]], "violations") == 0 && cols[k][i] > 0;
			html(f, "<td%s>%s", is_bad ? " class=bad" : "", fmt_value(cols[k][i], units[k], a, sizeof a));
			if (cis[k] && cis[k][i] > 0)
				html(f, " <span class=ci>± %s</span>", fmt_value(cis[k][i], units[k], b, sizeof b));
			html(f, "</td>");
		}
		html(f, "</tr>\n");
	}
	html(f, "</table>\n");
	if (n > 1000)
		html(f, "<p>%d more rows in <code>/aggregate</code>.</p>\n", (int)(n - 1000));
	for (int a = 0; a < n_axes; a++)
		free(text[a]);
	for (int k = 0; k < n_shown; k++)
		free(cols[k]), free(cis[k]);
	free(seeds);
	h5in_close(h);
	html(f, "<h2>Spec</h2>\n<pre>%s</pre>\n</body></html>\n", si.spec);
	return 0;
}

int report_write(const char *arg, const char *dir, const struct report_opts *o, char *err, size_t errlen)
{
	char sweep_h5[4200];
	enum result_kind kind = result_kind_of(arg, sweep_h5, sizeof sweep_h5);
	struct result_set rs;
	if (kind == RK_SWEEP) {
		if (access(sweep_h5, R_OK) != 0)
			return failf(err, errlen, "%s is a sweep without a merged sweep.h5: run 'mnsim sweep --merge %s' first", arg, arg);
	} else if (result_set_load(arg, &rs, err, errlen) != 0) {
		return -1;
	}
	int rc = 0;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		rc = failf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	char path[4200];
	snprintf(path, sizeof path, "%s/index.html", dir);
	FILE *f = NULL;
	struct outfile *page = rc == 0 ? outfile_open_text(path, &f, err, errlen) : NULL;
	if (!page)
		rc = -1;
	if (rc == 0)
		rc = kind == RK_SWEEP ? report_sweep(f, sweep_h5, dir, err, errlen) : report_set(f, &rs, dir, o, err, errlen);
	if (page && rc == 0)
		rc = outfile_commit(page, err, errlen);
	else
		outfile_abort(page);
	if (kind != RK_SWEEP)
		result_set_free(&rs);
	return rc;
}
