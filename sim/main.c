/* mnsim: command-line entry point.  Each subcommand parses its options with
 * getopt_long and calls the simulator (sim.h); runs happen in child
 * processes so that one command can run many simulations. */
#include "gen.h"
#include "kernel_ops.h"
#include "params.h"
#include "plot.h"
#include "report.h"
#include "policy.h"
#include "sim.h"
#include "sizing.h"
#include "sweep.h"
#include "units.h"
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE 2

static const char *const default_compare_policies = "double,only_end,secondary_tlbs,minimal,unsafe_end";

static void usage_main(FILE *out)
{
	fprintf(out,
		"usage: mnsim COMMAND [OPTIONS]\n\n"
		"commands:\n"
		"  run       simulate one trace under one policy, write an HDF5 result file\n"
		"  compare   simulate one trace under several policies, print a side-by-side table\n"
		"  check     run the litmus suite and compare with the expected verdicts\n"
		"  gen       write a synthetic workload trace from a small spec\n"
		"  plot      draw a figure from result files (gnuplot)\n"
		"  report    write an HTML design-review report from result files\n"
		"  size-queue  smallest invalidation-queue depth that meets a latency target\n"
		"  sweep     run a parameter grid in parallel (or on Slurm), resumable, merged\n"
		"  policies  print the policy x op notification table\n"
		"  params    print every model parameter with default, unit, range and meaning\n\n"
		"'mnsim COMMAND --help' describes each command.\n");
}

/* Options shared by run and compare. */
struct common_opts { struct run_config cfg; const char *policies; int help; };

enum { OPT_POLICY = 256, OPT_SEED, OPT_SET, OPT_POLICIES };

static const struct option long_opts[] = {
	{"workload", required_argument, NULL, 'w'}, {"platform", required_argument, NULL, 'p'},
	{"policy", required_argument, NULL, OPT_POLICY}, {"policies", required_argument, NULL, OPT_POLICIES},
	{"seed", required_argument, NULL, OPT_SEED}, {"set", required_argument, NULL, OPT_SET},
	{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "mnsim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'mnsim %s --help')\n", cmd);
	return EXIT_USAGE;
}

/* Parses argv into o; returns 0, or an exit code. */
static int parse_common(const char *cmd, int argc, char **argv, struct common_opts *o, int allow_policies)
{
	int c;
	char err[256];
	const char *why;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:p:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'w': o->cfg.trace_path = optarg; break;
		case 'p': o->cfg.platform_path = optarg; break;
		case 'o': o->cfg.out_path = optarg; break;
		case 'h': o->help = 1; return 0;
		case OPT_POLICY:
			if (allow_policies)
				return usage_error(cmd, "use --policies LIST here, not --policy%s", "");
			o->cfg.policy = optarg;
			break;
		case OPT_POLICIES:
			if (!allow_policies)
				return usage_error(cmd, "--policies is for 'mnsim compare'%s", "");
			o->policies = optarg;
			break;
		case OPT_SEED:
			if (units_parse_u64(optarg, &o->cfg.seed, &why) != 0)
				return usage_error(cmd, "--seed: expected a non-negative integer, got '%s'", optarg);
			break;
		case OPT_SET: {
			char *eq = strchr(optarg, '=');
			if (!eq)
				return usage_error(cmd, "--set: expected key=value, got '%s'", optarg);
			*eq = '\0';
			if (param_settings_add(&o->cfg.sets, optarg, eq + 1, err, sizeof err) != 0) {
				fprintf(stderr, "mnsim %s: --set %s\n", cmd, err);
				return EXIT_USAGE;
			}
			break;
		}
		default:
			return usage_error(cmd, "unknown or incomplete option%s", "");
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!o->cfg.trace_path)
		return usage_error(cmd, "missing -w TRACE%s", "");
	if (!o->cfg.platform_path)
		o->cfg.platform_path = sim_default_platform();
	return 0;
}

static int file_readable(const char *what, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mnsim: cannot open %s %s: %s\n", what, path, strerror(errno));
		return 0;
	}
	fclose(f);
	return 1;
}

static int cmd_run(int argc, char **argv)
{
	struct common_opts o = {.cfg = {.policy = "only_end", .seed = 1}};
	int rc = parse_common("run", argc, argv, &o, 0);
	if (o.help) {
		printf("usage: mnsim run -w TRACE [-p PLATFORM.xml] [--policy NAME] [--seed N] [--set key=value]... -o OUT.h5\n\n"
		       "Simulates TRACE on PLATFORM (default %s) under one notification policy\n"
		       "(default only_end; see 'mnsim policies') and writes OUT.h5 (see results/README.md).\n"
		       "--set overrides a parameter (see 'mnsim params') for the kernel, every IOMMU and every device.\n"
		       "Prints the summary.  Exit status: 0 done, 1 bad input or failed run, 2 usage error.\n",
		       sim_default_platform());
		return 0;
	}
	if (rc == 0 && !o.cfg.out_path)
		rc = usage_error("run", "missing -o OUT.h5%s", "");
	if (rc == 0 && (!file_readable("platform", o.cfg.platform_path) || !policy_by_name(o.cfg.policy))) {
		if (!policy_by_name(o.cfg.policy))
			fprintf(stderr, "mnsim: unknown policy '%s' (see 'mnsim policies')\n", o.cfg.policy);
		rc = 1;
	}
	struct summary sum;
	char err[1024];
	if (rc == 0 && sim_run_isolated(&o.cfg, &sum, err, sizeof err) != 0) {
		if (err[0])
			fprintf(stderr, "mnsim: %s\n", err);
		rc = 1;
	}
	if (rc == 0) {
		for (size_t i = 0; i < sum.n; i++)
			printf("%-26s %.9g%s%s\n", sum.names[i], sum.values[i], sum.units[i][0] ? " " : "", sum.units[i]);
		printf("results: %s\n", o.cfg.out_path);
	}
	param_settings_free(&o.cfg.sets);
	return rc;
}

/* ---- compare ---- */

#define MAX_POLICIES 16

static int split_policies(char *list, const char **names, int max)
{
	int n = 0;
	for (char *save, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!policy_by_name(t)) {
			fprintf(stderr, "mnsim compare: unknown policy '%s' (see 'mnsim policies')\n", t);
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

static int make_dir(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
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
static int write_compare_tsv(const char *path, const char **names, const struct summary *sums, int n)
{
	FILE *f = fopen(path, "w");
	if (!f)
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
	return fclose(f) == 0 ? 0 : -1;
}

static int cmd_compare(int argc, char **argv)
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
		char tsv[4096], png[4096], err[1024];
		snprintf(tsv, sizeof tsv, "%s/compare.tsv", dir);
		snprintf(png, sizeof png, "%s/compare.png", dir);
		if (write_compare_tsv(tsv, names, sums, n) != 0) {
			fprintf(stderr, "mnsim compare: cannot write %s: %s\n", tsv, strerror(errno));
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

/* ---- check ---- */

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int expectation_holds(const struct trace_expect *e, double v)
{
	if (strcmp(e->cmp, ">=") == 0)
		return v >= e->value;
	if (strcmp(e->cmp, "<=") == 0)
		return v <= e->value;
	return v == e->value;
}

/* Runs one litmus file under each policy its header names; returns the
 * number of failed (file, policy) cases, adds to *passed. */
static int check_file(const char *path, int *passed)
{
	struct trace_header h;
	char err[1024];
	if (trace_load(path, &h, err, sizeof err) != 0) {
		printf("FAIL %s: %s\n", path, err);
		return 1;
	}
	int failed = 0;
	if (h.n_expects == 0) {
		printf("FAIL %s: no 'expect' line: a litmus trace must state its expected verdicts\n", path);
		failed = 1;
	}
	for (size_t i = 0; i < h.n_expects; i++) {
		const char *pol = h.expects[i].policy;
		int first = 1;
		for (size_t j = 0; j < i; j++)
			first &= strcmp(h.expects[j].policy, pol) != 0;
		if (!first)
			continue;
		if (!policy_by_name(pol)) {
			printf("FAIL %s:%d: unknown policy '%s'\n", path, h.expects[i].line, pol);
			failed++;
			continue;
		}
		struct run_config cfg = {.trace_path = path, .platform_path = sim_default_platform(), .policy = pol, .seed = 1};
		struct summary sum;
		if (sim_run_isolated(&cfg, &sum, err, sizeof err) != 0) {
			printf("FAIL %s %s: %s\n", path, pol, err[0] ? err : "the run failed (see above)");
			failed++;
			continue;
		}
		char detail[1024] = "";
		int ok = 1;
		for (size_t j = i; j < h.n_expects; j++) {
			const struct trace_expect *e = &h.expects[j];
			if (strcmp(e->policy, pol) != 0)
				continue;
			double v;
			size_t len = strlen(detail);
			if (!summary_get(&sum, e->key, &v)) {
				snprintf(detail + len, sizeof detail - len, " %s:unknown-key", e->key);
				ok = 0;
				continue;
			}
			int holds = expectation_holds(e, v);
			ok &= holds;
			snprintf(detail + len, sizeof detail - len, " %s=%g%s", e->key, v,
				 holds ? "" : (strcmp(e->cmp, "=") == 0 ? "(expected =)" : e->cmp[0] == '>' ? "(expected >=)" : "(expected <=)"));
			if (!holds) {
				len = strlen(detail);
				snprintf(detail + len - 1, sizeof detail - len + 1, "%g)", e->value);
			}
		}
		printf("%s %s %s:%s\n", ok ? "PASS" : "FAIL", path, pol, detail);
		if (ok)
			(*passed)++;
		else
			failed++;
	}
	trace_free(&h);
	return failed;
}

static int cmd_check(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: mnsim check [DIR|FILE.trace]\n\n"
		       "Runs every litmus trace in DIR (default %s/workloads/litmus) under every policy its\n"
		       "'expect' lines name, compares the summary with the expected values, prints one line per\n"
		       "(trace, policy) and a final line 'N passed, N failed'.  Exit status 0 only if all pass.\n",
		       MNSIM_SOURCE_DIR);
		return 0;
	}
	if (argc > 2)
		return usage_error("check", "expected at most one DIR or FILE, got '%s'", argv[2]);
	const char *dir = argc > 1 ? argv[1] : MNSIM_SOURCE_DIR "/workloads/litmus";
	int passed = 0, failed = 0;
	struct stat st;
	if (stat(dir, &st) != 0) {
		fprintf(stderr, "mnsim check: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (S_ISREG(st.st_mode)) {
		failed = check_file(dir, &passed);
	} else {
		DIR *d = opendir(dir);
		if (!d) {
			fprintf(stderr, "mnsim check: cannot open %s: %s\n", dir, strerror(errno));
			return 1;
		}
		char **files = NULL;
		size_t n = 0;
		for (struct dirent *e; (e = readdir(d));) {
			if (!has_suffix(e->d_name, ".trace"))
				continue;
			if (!(files = realloc(files, (n + 1) * sizeof *files)))
				abort();
			size_t len = strlen(dir) + strlen(e->d_name) + 2;
			files[n] = malloc(len);
			snprintf(files[n++], len, "%s/%s", dir, e->d_name);
		}
		closedir(d);
		qsort(files, n, sizeof *files, name_cmp);
		for (size_t i = 0; i < n; i++) {
			failed += check_file(files[i], &passed);
			free(files[i]);
		}
		free(files);
		if (n == 0) {
			fprintf(stderr, "mnsim check: no .trace file in %s\n", dir);
			return 1;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

static int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {{"spec", required_argument, NULL, 's'}, {"output", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *spec = NULL, *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: mnsim gen [-s SPEC] [key=value]... -o TRACE|-\n\n"
			       "Writes a synthetic trace.  SPEC holds 'key = value' lines ('#' comments); key=value\n"
			       "arguments override it.  The same spec gives the same trace.  Keys:\n\n");
			gen_print_keys(stdout);
			return 0;
		}
		if (c == 's')
			spec = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return usage_error("gen", "unknown or incomplete option%s", "");
	}
	if (!out)
		return usage_error("gen", "missing -o TRACE (or -o - for standard output)%s", "");
	struct gen_spec *g = gen_spec_new();
	char err[1024];
	int rc = 0;
	if (spec && gen_spec_load(g, spec, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim gen: %s\n", err);
		rc = 1;
	}
	for (int i = optind; rc == 0 && i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			rc = usage_error("gen", "expected key=value, got '%s'", argv[i]);
			break;
		}
		*eq = '\0';
		if (gen_spec_set(g, argv[i], eq + 1, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim gen: %s\n", err);
			rc = EXIT_USAGE;
		}
	}
	if (rc == 0 && gen_spec_check(g, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim gen: %s\n", err);
		rc = 1;
	}
	if (rc == 0) {
		/* written under a temporary name and renamed, like result files */
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
		int to_stdout = strcmp(out, "-") == 0;
		FILE *f = to_stdout ? stdout : fopen(tmp, "w");
		if (!f) {
			fprintf(stderr, "mnsim gen: cannot create %s: %s\n", tmp, strerror(errno));
			rc = 1;
		} else if (gen_write(g, f, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim gen: %s\n", err);
			if (!to_stdout)
				fclose(f);
			rc = 1;
		} else if ((!to_stdout && fclose(f) != 0) || (to_stdout && fflush(f) != 0)) {
			fprintf(stderr, "mnsim gen: cannot write %s: %s\n", to_stdout ? "standard output" : tmp, strerror(errno));
			rc = 1;
		} else if (!to_stdout && rename(tmp, out) != 0) {
			fprintf(stderr, "mnsim gen: cannot rename %s to %s: %s\n", tmp, out, strerror(errno));
			rc = 1;
		}
		if (rc != 0 && !to_stdout)
			unlink(tmp);
	}
	gen_spec_free(g);
	return rc;
}

static int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {{"kind", required_argument, NULL, 'k'}, {"output", required_argument, NULL, 'o'},
					     {"data", required_argument, NULL, 'd'}, {"x", required_argument, NULL, 'x'},
					     {"metric", required_argument, NULL, 'm'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *kind = NULL, *out = NULL, *data = NULL;
	struct plot_opts po = {NULL, NULL};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:o:d:x:m:h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: mnsim plot RESULT.h5|DIR --kind KIND -o FIGURE.png|FIGURE.svg [--data DATA.tsv]\n"
			       "       mnsim plot SWEEP_DIR --kind sweep --x PARAM --metric NAME -o FIGURE.png\n\n"
			       "Draws a figure from one result file or from every .h5 in DIR (one per policy, as\n"
			       "'mnsim compare' writes them).  The data gnuplot reads are kept in DATA.tsv (default:\n"
			       "FIGURE with .tsv).  Kinds:\n");
			plot_print_kinds(stdout);
			return 0;
		}
		if (c == 'k')
			kind = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'd')
			data = optarg;
		else if (c == 'x')
			po.x = optarg;
		else if (c == 'm')
			po.metric = optarg;
		else
			return usage_error("plot", "unknown or incomplete option%s", "");
	}
	if (optind != argc - 1)
		return usage_error("plot", "expected one RESULT.h5 or DIR%s", "");
	if (!kind || !out)
		return usage_error("plot", "missing --kind KIND or -o FIGURE%s", "");
	char data_path[4096], err[1024];
	snprintf(data_path, sizeof data_path, "%s", data ? data : out);
	if (!data) {
		char *dot = strrchr(data_path, '.');
		snprintf(dot ? dot : data_path + strlen(data_path), 8, ".tsv");
	}
	struct inputs in;
	if (report_inputs(argv[optind], &in, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim plot: %s\n", err);
		return 1;
	}
	int rc = plot_figure(kind, &in, &po, out, data_path, err, sizeof err);
	report_inputs_free(&in);
	if (rc != 0) {
		fprintf(stderr, "mnsim plot: %s\n", err);
		return 1;
	}
	printf("figure: %s\ndata:   %s\n", out, data_path);
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *dir = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: mnsim report RESULT.h5|DIR -o REPORT_DIR\n\n"
			       "Writes REPORT_DIR/index.html, a page that opens from disk: the runs, the comparison\n"
			       "table with ratios to 'double', every figure that has data (SVG, inlined), the\n"
			       "violations and the configuration.\n");
			return 0;
		}
		if (c == 'o')
			dir = optarg;
		else
			return usage_error("report", "unknown or incomplete option%s", "");
	}
	if (optind != argc - 1 || !dir)
		return usage_error("report", "expected RESULT.h5|DIR and -o REPORT_DIR%s", "");
	struct inputs in;
	char err[1024];
	if (report_inputs(argv[optind], &in, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim report: %s\n", err);
		return 1;
	}
	int rc = report_write(&in, dir, err, sizeof err);
	report_inputs_free(&in);
	if (rc != 0) {
		fprintf(stderr, "mnsim report: %s\n", err);
		return 1;
	}
	printf("report: %s/index.html\n", dir);
	return 0;
}

static int cmd_size_queue(int argc, char **argv)
{
	static const struct option opts[] = {
		{"workload", required_argument, NULL, 'w'}, {"platform", required_argument, NULL, 'p'},
		{"policy", required_argument, NULL, OPT_POLICY}, {"target", required_argument, NULL, 't'},
		{"exact", no_argument, NULL, 'e'}, {"seed", required_argument, NULL, OPT_SEED},
		{"set", required_argument, NULL, OPT_SET}, {"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct run_config cfg = {.policy = "only_end", .seed = 1};
	const char *target = NULL, *dir = MNSIM_SOURCE_DIR "/results/size-queue";
	int c, exact = 0, rc = 0;
	char err[1024];
	const char *why;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "w:p:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: mnsim size-queue -w TRACE [-p PLATFORM] [--policy P|all] --target 'METRIC<=VALUE'\n"
			       "                        [--exact] [--seed N] [--set key=value]... [-o DIR]\n\n"
			       "Finds the smallest qi_depth (a power of two; any depth with --exact) that meets the target,\n"
			       "by bisection (it assumes the metric does not grow with depth and says so when the points\n"
			       "it ran disagree).  METRIC: p99_notify_latency, p999_notify_latency, mean_notify_latency,\n"
			       "p99_op_latency (durations, e.g. 2us) or qi_stall_fraction (0..1).  --policy all answers for\n"
			       "every policy.  Prints depth -> metric and the answer; writes DIR/size-queue.{tsv,png}\n"
			       "(default DIR: results/size-queue).  Exit status 1 if the target cannot be met.\n");
			param_settings_free(&cfg.sets);
			return 0;
		case 'w': cfg.trace_path = optarg; break;
		case 'p': cfg.platform_path = optarg; break;
		case 't': target = optarg; break;
		case 'e': exact = 1; break;
		case 'o': dir = optarg; break;
		case OPT_POLICY: cfg.policy = optarg; break;
		case OPT_SEED:
			if (units_parse_u64(optarg, &cfg.seed, &why) != 0)
				rc = usage_error("size-queue", "--seed: expected a non-negative integer, got '%s'", optarg);
			break;
		case OPT_SET: {
			char *eq = strchr(optarg, '=');
			if (!eq) {
				rc = usage_error("size-queue", "--set: expected key=value, got '%s'", optarg);
				break;
			}
			*eq = '\0';
			if (param_settings_add(&cfg.sets, optarg, eq + 1, err, sizeof err) != 0) {
				fprintf(stderr, "mnsim size-queue: --set %s\n", err);
				rc = EXIT_USAGE;
			}
			break;
		}
		default:
			rc = usage_error("size-queue", "unknown or incomplete option%s", "");
		}
	}
	struct sizing_target t;
	if (rc == 0 && (!cfg.trace_path || !target))
		rc = usage_error("size-queue", "missing -w TRACE or --target%s", "");
	if (rc == 0 && sizing_parse_target(target, &t, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim size-queue: %s\n", err);
		rc = EXIT_USAGE;
	}
	const char *all[MAX_POLICIES + 1] = {NULL}, *one[2] = {cfg.policy, NULL};
	for (size_t i = 0; i < policy_count() && i < MAX_POLICIES; i++)
		all[i] = policy_at(i)->name;
	if (rc == 0 && strcmp(cfg.policy, "all") != 0 && !policy_by_name(cfg.policy)) {
		fprintf(stderr, "mnsim size-queue: unknown policy '%s' (see 'mnsim policies')\n", cfg.policy);
		rc = EXIT_USAGE;
	}
	if (!cfg.platform_path)
		cfg.platform_path = sim_default_platform();
	if (rc == 0 && make_dir(dir) != 0) {
		fprintf(stderr, "mnsim size-queue: cannot create %s: %s\n", dir, strerror(errno));
		rc = 1;
	}
	if (rc == 0) {
		rc = sizing_run(&cfg, strcmp(cfg.policy, "all") == 0 ? all : one, &t, exact, dir, err, sizeof err);
		if (rc < 0) {
			if (err[0])
				fprintf(stderr, "mnsim size-queue: %s\n", err);
			rc = 1;
		}
	}
	param_settings_free(&cfg.sets);
	return rc;
}

static int cmd_sweep(int argc, char **argv)
{
	enum { OPT_MERGE = 300, OPT_CSV, OPT_SLURM, OPT_PARTITION, OPT_TIME, OPT_CHUNKS, OPT_CHUNK, OPT_DRY };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
		{"merge", required_argument, NULL, OPT_MERGE}, {"csv", no_argument, NULL, OPT_CSV},
		{"slurm", no_argument, NULL, OPT_SLURM}, {"partition", required_argument, NULL, OPT_PARTITION},
		{"time", required_argument, NULL, OPT_TIME}, {"chunks", required_argument, NULL, OPT_CHUNKS},
		{"chunk", required_argument, NULL, OPT_CHUNK}, {"dry-run", no_argument, NULL, OPT_DRY},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *dir = NULL, *merge = NULL, *partition = NULL, *time_limit = NULL;
	int c, csv = 0, slurm = 0, dry = 0, chunks = 0;
	long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct sweep_opts so = {.jobs = n_cpus > 0 ? (int)n_cpus : 1, .chunk = 0, .chunks = 1, .progress = isatty(2)};
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: mnsim sweep SPEC -o DIR [-j N] [--csv]\n"
			       "       mnsim sweep SPEC -o DIR --slurm [--partition P] [--time T] [--chunks N] [--dry-run]\n"
			       "       mnsim sweep --merge DIR [--csv]\n\n"
			       "Runs every point of the grid SPEC describes, N at a time (default: the number of cores),\n"
			       "each into DIR/points/ID.h5, then merges them into DIR/sweep.h5 (and CSV with --csv).\n"
			       "Re-running the same command skips finished points and retries failed ones (their errors\n"
			       "are in DIR/points/ID.err).  SPEC lines: 'key = v1, v2, ...' or 'key = FROM..TO *FACTOR' or\n"
			       "'key = FROM..TO +STEP', where key is workload, platform, policy or a parameter; and\n"
			       "'seeds = N' (runs of each point with seeds 1..N; the merge gives mean and 95%% CI).\n"
			       "--slurm writes DIR/sweep.sbatch, a job array whose tasks each run a chunk of the points\n"
			       "with this same runner, and submits it with sbatch (not with --dry-run).\n");
			return 0;
		case 'o': dir = optarg; break;
		case 'j': so.jobs = atoi(optarg); break;
		case OPT_MERGE: merge = optarg; break;
		case OPT_CSV: csv = 1; break;
		case OPT_SLURM: slurm = 1; break;
		case OPT_PARTITION: partition = optarg; break;
		case OPT_TIME: time_limit = optarg; break;
		case OPT_CHUNKS: chunks = atoi(optarg); break;
		case OPT_DRY: dry = 1; break;
		case OPT_CHUNK:
			if (sscanf(optarg, "%d/%d", &so.chunk, &so.chunks) != 2 || so.chunks < 1 || so.chunk < 0 || so.chunk >= so.chunks)
				return usage_error("sweep", "--chunk: expected K/N with 0 <= K < N, got '%s'", optarg);
			break;
		default:
			return usage_error("sweep", "unknown or incomplete option%s", "");
		}
	}
	char err[1024];
	if (merge) {
		if (sweep_merge(merge, csv, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim sweep: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (optind != argc - 1 || !dir)
		return usage_error("sweep", "expected SPEC and -o DIR%s", "");
	if (so.jobs < 1 || so.jobs > 1024)
		return usage_error("sweep", "-j: expected 1 to 1024 jobs%s", "");
	struct sweep_spec *s = sweep_spec_load(argv[optind], 1, err, sizeof err);
	if (!s) {
		fprintf(stderr, "mnsim sweep: %s\n", err);
		return 1;
	}
	int rc = 0;
	if (slurm) {
		if (sweep_slurm(s, dir, partition, time_limit, chunks, dry, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim sweep: %s\n", err);
			rc = 1;
		}
	} else {
		int failed = sweep_run(s, dir, &so, err, sizeof err);
		if (failed < 0) {
			fprintf(stderr, "mnsim sweep: %s\n", err);
			rc = 1;
		} else {
			if (failed > 0) {
				fprintf(stderr, "mnsim sweep: %d points failed (see %s/points/*.err); re-run to retry them\n", failed, dir);
				rc = 1;
			}
			if (so.chunks == 1 && sweep_merge(dir, csv, err, sizeof err) != 0) {
				fprintf(stderr, "mnsim sweep: %s\n", err);
				rc = 1;
			}
		}
	}
	sweep_spec_free(s);
	return rc;
}

static int cmd_simple(int argc, char **argv, void (*print)(FILE *), const char *help)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("%s", help);
		return 0;
	}
	if (argc > 1)
		return usage_error(argv[0], "unexpected argument '%s'", argv[1]);
	print(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_main(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return cmd_compare(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "sweep") == 0)
		return cmd_sweep(argc - 1, argv + 1);
	if (strcmp(cmd, "size-queue") == 0)
		return cmd_size_queue(argc - 1, argv + 1);
	if (strcmp(cmd, "plot") == 0)
		return cmd_plot(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "gen") == 0)
		return cmd_gen(argc - 1, argv + 1);
	if (strcmp(cmd, "policies") == 0)
		return cmd_simple(argc - 1, argv + 1, kernel_print_policy_table,
				  "usage: mnsim policies\n\nPrints, for every kernel op, how many invalidate_range calls each policy makes.\n");
	if (strcmp(cmd, "params") == 0)
		return cmd_simple(argc - 1, argv + 1, params_print_table,
				  "usage: mnsim params\n\nPrints every model parameter: scope, default, unit, range and meaning.\n"
				  "Set one with --set NAME=VALUE, a trace line 'param NAME VALUE', or a platform host property.\n");
	fprintf(stderr, "mnsim: unknown command '%s'\n", cmd);
	usage_main(stderr);
	return EXIT_USAGE;
}
