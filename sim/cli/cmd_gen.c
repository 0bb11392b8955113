/* mnsim gen: a synthetic trace from a spec. */
#include "cli.h"
#include "gen.h"
#include "outfile.h"
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
		int rc;
		if (c == 's' && (rc = set_once("gen", "-s", &spec, optarg)))
			return rc;
		else if (c == 'o' && (rc = set_once("gen", "-o", &out, optarg)))
			return rc;
		else if (c != 's' && c != 'o')
			return usage_error("gen", "unknown or incomplete option%s", "");
	}
	if (!out)
		return usage_error("gen", "missing -o TRACE (or -o - for standard output)%s", "");
	if ((spec && !*spec) || !*out)
		return usage_error("gen", "an empty %s", !*out ? "-o" : "-s SPEC");
	if (spec && strlen(spec) > 6 && strcmp(spec + strlen(spec) - 6, ".sweep") == 0) {
		fprintf(stderr, "mnsim gen: %s is a sweep spec (.sweep): it is for 'mnsim sweep'; a generator spec ends in .gen\n", spec);
		return EXIT_USAGE;
	}
	int rc = check_output("gen", out, 0);
	if (rc != 0)
		return rc;
	if (outfile_same_file(out, spec))
		return usage_error("gen", "-o %s would replace the spec it is made from", out);
	struct gen_spec *g = gen_spec_new();
	char err[4400];
	if (spec && gen_spec_load(g, spec, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim gen: %s\n", err);
		rc = 1;
	}
	/* a key given twice on the command line is a mistake (the spec's keys
	 * may be overridden, once) */
	for (int i = optind; rc == 0 && i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			rc = usage_error("gen", "expected key=value, got '%s'", argv[i]);
			break;
		}
		for (int k = optind; k < i && rc == 0; k++)
			if (strncmp(argv[k], argv[i], (size_t)(eq - argv[i])) == 0 && argv[k][eq - argv[i]] == '\0') {
				*eq = '\0';
				rc = usage_error("gen", "key '%s' given twice", argv[i]);
			}
		if (rc)
			break;
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
		/* written to a temporary file and put in place at the end
		 * (outfile.h): an interrupted or failed gen leaves nothing */
		outfile_clean_on_signals();
		FILE *f;
		struct outfile *of = outfile_open_text(out, &f, err, sizeof err);
		if (!of) {
			fprintf(stderr, "mnsim gen: %s\n", err);
			rc = 1;
		} else if ((rc = gen_write(g, f, err, sizeof err)) != 0) {
			if (rc == -2)
				fprintf(stderr, "mnsim gen: cannot write %s: %s\n", strcmp(out, "-") ? out : "standard output", err);
			else
				fprintf(stderr, "mnsim gen: %s\n", err);
			outfile_abort(of);
			rc = 1;
		} else if (outfile_commit(of, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim gen: %s\n", err);
			rc = 1;
		}
	}
	gen_spec_free(g);
	return rc;
}
