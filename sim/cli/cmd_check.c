/* mnsim check: the litmus suite, each trace under the policies its header names. */
#include "cli.h"
#include "isolate.h"
#include "policy.h"
#include "trace.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int cmd_check(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_usage_header("check", "[DIR|FILE.trace]");
		printf("Runs every litmus trace in DIR (default %s/workloads/litmus) under every policy its\n"
		       "'expect' lines name, compares the summary with the expected values, prints one line per\n"
		       "(trace, policy) and a final line 'N passed, N failed'.  Exit status 0 only if all pass,\n"
		       "3 if a verdict differs.\n\n"
		       "Examples:\n"
		       "  mnsim check\n"
		       "  mnsim check workloads/litmus/01-seed-cow-order.trace\n",
		       MNSIM_SOURCE_DIR);
		print_exit_codes();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0)
		return print_version();
	if (check_log_setting() != 0)
		return EXIT_USAGE;
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
	return failed ? EXIT_NO : 0;
}
