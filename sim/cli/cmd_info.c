/* mnsim policies, mnsim params: the tables the model is built from. */
#include "census.h"
#include "cli.h"
#include "params.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_simple(int argc, char **argv, void (*print)(FILE *), const char *help)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_usage_header(argv[0], "");
		printf("%s", help);
		print_exit_codes();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0)
		return print_version();
	if (argc > 1)
		return usage_error(argv[0], "unexpected argument '%s'", argv[1]);
	print(stdout);
	return 0;
}

static void print_policies(FILE *out)
{
	char err[1024] = "";
	if (census_print(out, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim policies: %s\n", err[0] ? err : "a census run failed");
		exit(1);
	}
}

int cmd_policies(int argc, char **argv)
{
	return cmd_simple(argc, argv, print_policies,
			  "Prints, for every policy and each kernel version it replays, the invalidate_range calls\n"
			  "every kernel op makes (under the ptl, at range_end, at a gather flush; measured by running\n"
			  "each op), and the kernel code each op follows per version.\n\n"
			  "Examples:\n  mnsim policies\n  mnsim policies | grep -A3 only_end\n");
}

int cmd_params(int argc, char **argv)
{
	return cmd_simple(argc, argv, params_print_table,
			  "Prints every model parameter: scope, default, unit, range, meaning and provenance (cited,\n"
			  "approx., measured, calibrated, assumption or switch, with its source).  Set one with\n"
			  "--set NAME=VALUE, a trace line 'param NAME VALUE', or a platform host property; durations\n"
			  "take a unit (500ns, 500 ns, 0.5us, 0.5µs, 5e-7s).\n\n"
			  "Examples:\n  mnsim params\n  mnsim params | grep assumption\n"
			  "  mnsim run -w workloads/demo-mixed.trace --set qi_depth=16 --set walk_latency='1 us' -o out.h5\n");
}
