/* mnsim compare: one trace under several policies, a table with ratios, a figure. */
#include "cli.h"
#include "isolate.h"
#include "outfile.h"
#include "plot.h"
#include "policy.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The policies of a comma-separated list: known, none empty or repeated. */
static int split_policies(char *list, const char **names, int max)
{
	int n = 0;
	for (char *t = list, *comma; t; t = comma ? comma + 1 : NULL) {
		if ((comma = strchr(t, ',')))
			*comma = '\0';
		if (!*t) {
			fprintf(stderr, "mnsim compare: --policies: an empty item in the list: expected NAME,NAME,...\n");
			return -1;
		}
		if (!policy_by_name(t)) {
			fprintf(stderr, "mnsim compare: unknown policy '%s' (see 'mnsim policies')\n", t);
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (strcmp(names[i], t) == 0) {
				fprintf(stderr, "mnsim compare: --policies: policy '%s' given twice\n", t);
				return -1;
			}
		if (n == max) {
			fprintf(stderr, "mnsim compare: at most %d policies\n", max);
			return -1;
		}
		names[n++] = t;
	}
	return n;
}

struct column { const char *title, *key; double scale; const char *fmt; };

static const struct column compare_columns[] = {
	{"notifs", "notifications", 1, "%8.0f"},
	{"ptl", "notifications_under_ptl", 1, "%8.0f"},
	{"end", "notifications_range_end", 1, "%8.0f"},
	{"descs", "descriptors", 1, "%8.0f"},
	{"op_mean_us", "op_latency_mean", 1e6, "%11.3f"},
	{"op_p99_us", "op_latency_p99", 1e6, "%10.3f"},
	{"ptl_mean_us", "ptl_hold_mean", 1e6, "%12.3f"},
	{"ptl_p99_us", "ptl_hold_p99", 1e6, "%11.3f"},
	{"dev_stall_us", "device_stall_time", 1e6, "%13.3f"},
	{"violations", "violations", 1, "%11.0f"},
};
#define N_COLUMNS (sizeof compare_columns / sizeof compare_columns[0])

static void print_header(void)
{
	printf("%-15s", "policy");
	for (size_t c = 0; c < N_COLUMNS; c++) {
		int width = (int)strlen(compare_columns[c].title) < 8 ? 8 : (int)strlen(compare_columns[c].title);
		printf(" %*s", width, compare_columns[c].title);
	}
	printf("\n");
}

static void print_compare(const char **names, const struct summary *sums, int n)
{
	print_header();
	for (int i = 0; i < n; i++) {
		printf("%-15s", names[i]);
		for (size_t c = 0; c < N_COLUMNS; c++) {
			double v = 0;
			summary_get(&sums[i], compare_columns[c].key, &v);
			printf(" ");
			printf(compare_columns[c].fmt, v * compare_columns[c].scale);
		}
		printf("\n");
	}
	int base = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], "double") == 0)
			base = i;
	if (base < 0)
		return;
	printf("\nratio to double (1.00 = same; '-' where double is 0)\n");
	print_header();
	for (int i = 0; i < n; i++) {
		printf("%-15s", names[i]);
		for (size_t c = 0; c < N_COLUMNS; c++) {
			double v = 0, b = 0;
			summary_get(&sums[i], compare_columns[c].key, &v);
			summary_get(&sums[base], compare_columns[c].key, &b);
			int width = (int)strlen(compare_columns[c].title) < 8 ? 8 : (int)strlen(compare_columns[c].title);
			if (b == 0)
				printf(" %*s", width, "-");
			else
				printf(" %*.2f", width, v / b);
		}
		printf("\n");
	}
}

/* compare.tsv: the table, one row per policy, every summary value. */
static int write_compare_tsv(const char *path, const char **names, const struct summary *sums, int n, char *err, size_t errlen)
{
	FILE *f;
	struct outfile *of = outfile_open_text(path, &f, err, errlen);
	if (!of)
		return -1;
	fprintf(f, "policy");
	for (size_t k = 0; k < sums[0].n; k++)
		fprintf(f, "\t%s", sums[0].names[k]);
	fprintf(f, "\n");
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s", names[i]);
		for (size_t k = 0; k < sums[i].n; k++)
			fprintf(f, "\t%.12g", sums[i].values[k]);
		fprintf(f, "\n");
	}
	return outfile_commit(of, err, errlen);
}

int cmd_compare(int argc, char **argv)
{
	struct common_opts o = {.cfg = {.seed = 1}};
	int rc = parse_common("compare", argc, argv, &o, 1);
	if (o.help) {
		printf("usage: mnsim compare -w TRACE [-p PLATFORM.xml] [--policies LIST] [--seed N] [--set key=value]... [-o DIR]\n\n"
		       "Runs TRACE under each policy of LIST (default %s),\n"
		       "writes DIR/POLICY.h5 (default DIR: results/compare) and prints one table: notifications\n"
		       "(total, under ptl, in range_end), descriptors, op latency mean and p99, ptl hold mean and p99,\n"
		       "device stall time and violations, then each value's ratio to 'double'.\n",
		       default_compare_policies);
		return 0;
	}
	char list[1024];
	snprintf(list, sizeof list, "%s", o.policies ? o.policies : default_compare_policies);
	const char *names[MAX_POLICIES];
	int n = rc ? 0 : split_policies(list, names, MAX_POLICIES);
	if (n < 0)
		rc = EXIT_USAGE;
	const char *dir = o.cfg.out_path ? o.cfg.out_path : MNSIM_SOURCE_DIR "/results/compare";
	if (rc == 0 && (!*dir || strcmp(dir, "-") == 0))
		rc = usage_error("compare", "-o DIR: %s", *dir ? "a directory is needed, not standard output" : "an empty path");
	if (rc == 0 && !file_readable("platform", o.cfg.platform_path))
		rc = 1;
	if (rc == 0 && make_dir(dir) != 0) {
		fprintf(stderr, "mnsim compare: cannot create directory %s: %s\n", dir, strerror(errno));
		rc = 1;
	}
	struct summary sums[MAX_POLICIES];
	for (int i = 0; rc == 0 && i < n; i++) {
		char out[4096], err[1024];
		snprintf(out, sizeof out, "%s/%s.h5", dir, names[i]);
		struct run_config cfg = o.cfg;
		cfg.policy = names[i];
		cfg.out_path = out;
		outfile_remove_stale(out);
		if (sim_run_isolated(&cfg, &sums[i], err, sizeof err) != 0) {
			if (err[0])
				fprintf(stderr, "mnsim: %s\n", err);
			rc = 1;
		}
	}
	if (rc == 0) {
		printf("workload %s on %s, seed %llu\n\n", o.cfg.trace_path, o.cfg.platform_path, (unsigned long long)o.cfg.seed);
		print_compare(names, sums, n);
		printf("\nresults: %s/{%s}.h5\n", dir, o.policies ? o.policies : default_compare_policies);
		char tsv[4096], png[4096], err[4400];
		snprintf(tsv, sizeof tsv, "%s/compare.tsv", dir);
		snprintf(png, sizeof png, "%s/compare.png", dir);
		if (write_compare_tsv(tsv, names, sums, n, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim compare: %s\n", err);
			rc = 1;
		} else if (plot_render("compare.gp", tsv, png, "", err, sizeof err) != 0) {
			fprintf(stderr, "mnsim compare: no figure: %s\n", err);
		} else {
			printf("table:   %s\nfigure:  %s\n", tsv, png);
		}
	}
	param_settings_free(&o.cfg.sets);
	return rc;
}
