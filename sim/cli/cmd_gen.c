/* mnsim gen: a synthetic trace from a spec. */
#include "cli.h"
#include "gen.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {{"spec", required_argument, NULL, 's'}, {"output", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, OPT_VERSION},
					     {NULL, 0, NULL, 0}};
	const char *spec = NULL, *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_usage_header("gen", "[-s SPEC.gen] [key=value]... -o TRACE|-");
			printf("Writes a synthetic trace.  SPEC.gen holds 'key = value' lines ('#' comments; generator\n"
			       "specs end in .gen, sweep specs in .sweep); key=value arguments override it.  The same spec\n"
			       "gives the same trace.  Keys:\n\n");
			gen_print_keys(stdout);
			printf("\nExamples:\n"
			       "  mnsim gen -s workloads/specs/fork-cow.gen cpu_threads=8 -o my.trace\n"
			       "  mnsim gen cpu_ops=20000 device_ops=20000 seed=7 -o long.trace\n"
			       "  mnsim gen -s workloads/specs/mixed.gen -o - | head\n");
			print_exit_codes();
			return 0;
		}
		if (c == OPT_VERSION)
			return print_version();
		if (c == 's')
			spec = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return usage_error("gen", "unknown or incomplete option%s", "");
	}
	if (!out)
		return usage_error("gen", "missing -o TRACE (or -o - for standard output)%s", "");
	if (spec && strlen(spec) > 6 && strcmp(spec + strlen(spec) - 6, ".sweep") == 0) {
		fprintf(stderr, "mnsim gen: %s is a sweep spec (.sweep): it is for 'mnsim sweep'; a generator spec ends in .gen\n", spec);
		return EXIT_USAGE;
	}
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
