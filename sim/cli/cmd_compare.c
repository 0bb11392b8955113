/* mnsim compare: one trace under several policies (and seeds), a table with
 * ratios and confidence intervals, a figure, and a manifest of the set. */
#include "cli.h"
#include "figures.h"
#include "outfile.h"
#include "pool.h"
#include "policy.h"
#include "resultset.h"
#include "stats.h"
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

struct column { const char *title, *key; double scale; int decimals; };

static const struct column compare_columns[] = {
	{"notifs", "notifications", 1, 0},
	{"ptl", "notifications_under_ptl", 1, 0},
	{"end", "notifications_range_end", 1, 0},
	{"descs", "descriptors", 1, 0},
	{"op_mean_us", "op_latency_mean", 1e6, 3},
	{"op_p99_us", "op_latency_p99", 1e6, 3},
	{"ptl_mean_us", "ptl_hold_mean", 1e6, 3},
	{"ptl_p99_us", "ptl_hold_p99", 1e6, 3},
	{"dev_stall_us", "device_stall_time", 1e6, 3},
	{"violations", "violations", 1, 0},
};
#define N_COLUMNS (sizeof compare_columns / sizeof compare_columns[0])

/* Mean and CI of one column over a policy's seeds. */
static struct mean_ci column_of(const struct summary *sums, int seeds, const struct column *c)
{
	double x[1000];
	for (int s = 0; s < seeds; s++) {
		x[s] = 0;
		summary_get(&sums[s], c->key, &x[s]);
		x[s] *= c->scale;
	}
	return stats_mean_ci(x, seeds);
}

static int width_of(const struct column *c, int seeds) { return (int)strlen(c->title) + (seeds > 1 ? 9 : 0) < 8 ? 8 : (int)strlen(c->title) + (seeds > 1 ? 9 : 0); }

static void print_header(int seeds)
{
	printf("%-15s", "policy");
	for (size_t c = 0; c < N_COLUMNS; c++)
		printf(" %*s", width_of(&compare_columns[c], seeds), compare_columns[c].title);
	printf("\n");
}

/* sums[i * seeds + s]: policy i, seed s+1. */
static void print_compare(const char **names, const struct summary *sums, int n, int seeds)
{
	if (seeds > 1)
		printf("mean ± half-width of the 95%% confidence interval over %d seeds (Student t)\n", seeds);
	print_header(seeds);
	for (int i = 0; i < n; i++) {
		printf("%-15s", names[i]);
		for (size_t c = 0; c < N_COLUMNS; c++) {
			struct mean_ci m = column_of(&sums[i * seeds], seeds, &compare_columns[c]);
			char cell[64];
			if (seeds > 1)
				snprintf(cell, sizeof cell, "%.*f ± %.*f", compare_columns[c].decimals, m.mean, compare_columns[c].decimals, m.ci95);
			else
				snprintf(cell, sizeof cell, "%.*f", compare_columns[c].decimals, m.mean);
			/* "±" is two bytes and one column wide */
			printf(" %*s", width_of(&compare_columns[c], seeds) + (seeds > 1 ? 1 : 0), cell);
		}
		printf("\n");
	}
	int base = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], "double") == 0)
			base = i;
	if (base < 0)
		return;
	printf("\nratio to double (of the means; 1.00 = same; '-' where double is 0)\n");
	print_header(seeds);
	for (int i = 0; i < n; i++) {
		printf("%-15s", names[i]);
		for (size_t c = 0; c < N_COLUMNS; c++) {
			double v = column_of(&sums[i * seeds], seeds, &compare_columns[c]).mean;
			double b = column_of(&sums[base * seeds], seeds, &compare_columns[c]).mean;
			int width = width_of(&compare_columns[c], seeds);
			if (b == 0)
				printf(" %*s", width, "-");
			else
				printf(" %*.2f", width, v / b);
		}
		printf("\n");
	}
}

/* compare.tsv: one row per run (policy, seed), every summary value. */
static int write_compare_tsv(const char *path, const char **names, const struct summary *sums, int n, int seeds, char *err,
			     size_t errlen)
{
	FILE *f;
	struct outfile *of = outfile_open_text(path, &f, err, errlen);
	if (!of)
		return -1;
	fprintf(f, "policy\tseed");
	for (size_t k = 0; k < sums[0].n; k++)
		fprintf(f, "\t%s", sums[0].names[k]);
	fprintf(f, "\n");
	for (int i = 0; i < n; i++)
		for (int s = 0; s < seeds; s++) {
			fprintf(f, "%s\t%d", names[i], s + 1);
			for (size_t k = 0; k < sums[i * seeds + s].n; k++)
				fprintf(f, "\t%.12g", sums[i * seeds + s].values[k]);
			fprintf(f, "\n");
		}
	return outfile_commit(of, err, errlen);
}

/* The manifest learns of each run as it ends, so that an interrupted compare
 * still lists what finished. */
struct compare_progress {
	FILE *manifest;
	const struct run_config *cfgs;
	char (*files)[256];
	int seeds;
	char status[1200];
};

static void compare_run_done(void *arg, size_t k, int ok)
{
	struct compare_progress *cp = arg;
	if (ok)
		manifest_done(cp->manifest, cp->cfgs[k].policy, cp->seeds > 1 ? cp->cfgs[k].seed : 1, cp->files[k]);
	else if (strcmp(cp->status, "complete") == 0)
		snprintf(cp->status, sizeof cp->status, "failed: %s seed %llu (see its error above)", cp->cfgs[k].policy,
			 (unsigned long long)cp->cfgs[k].seed);
}

int cmd_compare(int argc, char **argv)
{
	struct common_opts o = {.cfg = {.seed = 1}, .seeds = 1};
	int rc = parse_common("compare", argc, argv, &o, 1);
	if (o.version)
		return print_version();
	if (o.help) {
		print_usage_header("compare", "-w TRACE [-p PLATFORM.xml] [--policies LIST] [--seeds N | --seed N] [--set key=value]...\n"
					      "                     [-j N] [-q|--progress] [-o DIR]");
		printf("Runs TRACE under each policy of LIST (default %s), N runs at a time in child\n"
		       "processes (-j N; default: the number of cores; the results do not depend on N); writes DIR/POLICY.h5 (with --seeds N: DIR/POLICY.seedK.h5 for seeds 1..N; default DIR:\n"
		       "results/compare) and prints one table: notifications (total, under ptl, in range_end),\n"
		       "descriptors, op latency mean and p99, ptl hold mean and p99, device stall time and\n"
		       "violations (with --seeds: mean ± 95%% CI, Student t), then each value's ratio to 'double'.\n"
		       "Also writes DIR/compare.tsv (every summary value per run), DIR/compare.png and\n"
		       "DIR/compare.manifest (what was asked for and what finished: 'mnsim report DIR' says when\n"
		       "a compare was interrupted or failed, and what is missing).  Progress on a terminal as for run\n"
		       "(when the runs go one at a time: -j 1, or a single run).\n\n"
		       "Examples:\n"
		       "  mnsim compare -w workloads/demo-mixed.trace -o results/cmp\n"
		       "  mnsim compare -w workloads/fork-cow.trace --policies double,only_end --seeds 5 --set preempt_dist=exp -o results/cow\n"
		       "  mnsim report results/cmp -o results/cmp-report\n",
		       default_compare_policies);
		print_exit_codes();
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
		rc = EXIT_FAILED;
	if (rc == 0)
		rc = check_log_setting();
	if (rc == 0 && make_dir(dir) != 0) {
		fprintf(stderr, "mnsim compare: cannot create directory %s: %s\n", dir, strerror(errno));
		rc = EXIT_FAILED;
	}
	int seeds = o.seeds;
	char err[1024];
	FILE *manifest = NULL;
	if (rc == 0 && !(manifest = manifest_begin(dir, o.cfg.trace_path, o.cfg.platform_path, names, n, seeds, err, sizeof err))) {
		fprintf(stderr, "mnsim compare: %s\n", err);
		rc = EXIT_FAILED;
	}
	if (rc == 0)
		outfile_remove_stale_in(dir); /* what runs killed with their parent left */
	size_t runs = (size_t)(n > 0 ? n : 1) * (size_t)seeds;
	int jobs = o.jobs ? o.jobs : pool_default_jobs();
	struct summary *sums = calloc(runs, sizeof *sums);
	struct run_config *cfgs = calloc(runs, sizeof *cfgs);
	char (*outs)[4200] = calloc(runs, sizeof *outs), (*files)[256] = calloc(runs, sizeof *files),
	     (*labels)[128] = calloc(runs, sizeof *labels);
	int *ok = calloc(runs, sizeof *ok);
	if (!sums || !cfgs || !outs || !files || !labels || !ok)
		abort();
	for (int i = 0; rc == 0 && i < n; i++)
		for (int s = 0; s < seeds; s++) {
			size_t k = (size_t)i * (size_t)seeds + (size_t)s;
			struct run_config *cfg = &cfgs[k];
			*cfg = o.cfg;
			cfg->policy = names[i];
			if (seeds > 1)
				cfg->seed = (uint64_t)s + 1;
			compare_file_name(names[i], cfg->seed, seeds, files[k], sizeof files[k]);
			snprintf(outs[k], sizeof outs[k], "%s/%s", dir, files[k]);
			cfg->out_path = outs[k];
			snprintf(labels[k], sizeof labels[k], "[%s %zu/%zu%s]", names[i], k + 1, runs, seeds > 1 ? " seeds" : "");
			/* one progress line at a time: only when the runs go one by one */
			cfg->progress = progress_wanted(&o) && (jobs == 1 || runs == 1);
			cfg->progress_label = labels[k];
		}
	struct compare_progress cp = {manifest, cfgs, files, seeds, "complete"};
	if (rc == 0 && pool_run_isolated(cfgs, runs, jobs, sums, ok, compare_run_done, &cp) > 0)
		rc = EXIT_FAILED;
	manifest_end(manifest, cp.status);
	free(cfgs);
	free(outs);
	free(files);
	free(labels);
	free(ok);
	if (rc == 0) {
		if (seeds > 1)
			printf("workload %s on %s, seeds 1..%d\n\n", o.cfg.trace_path, o.cfg.platform_path, seeds);
		else
			printf("workload %s on %s, seed %llu\n\n", o.cfg.trace_path, o.cfg.platform_path, (unsigned long long)o.cfg.seed);
		print_compare(names, sums, n, seeds);
		printf("\nresults: %s/{%s}%s.h5\n", dir, o.policies ? o.policies : default_compare_policies, seeds > 1 ? ".seed{1..N}" : "");
		char tsv[4200], png[4200], data[4200];
		snprintf(tsv, sizeof tsv, "%s/compare.tsv", dir);
		snprintf(png, sizeof png, "%s/compare.png", dir);
		snprintf(data, sizeof data, "%s/compare-figure.tsv", dir);
		struct result_set rs;
		if (write_compare_tsv(tsv, names, sums, n, seeds, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim compare: %s\n", err);
			rc = EXIT_FAILED;
		} else if (result_set_load(dir, &rs, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim compare: no figure: %s\n", err);
		} else {
			struct fig_input in = {&rs, NULL};
			if (plot_figure("compare", &in, NULL, png, data, err, sizeof err) != 0)
				fprintf(stderr, "mnsim compare: no figure: %s\n", err);
			else
				printf("table:   %s\nfigure:  %s\n", tsv, png);
			result_set_free(&rs);
		}
	}
	free(sums);
	param_settings_free(&o.cfg.sets);
	return rc;
}
