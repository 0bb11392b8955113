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
		printf("%s", help);
		return 0;
	}
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
			  "usage: mnsim policies\n\nPrints, for every policy and each kernel version it replays, the invalidate_range\n"
			  "calls every kernel op makes (measured by running each op), and the kernel code each op\n"
			  "follows per version.\n");
}

int cmd_params(int argc, char **argv)
{
	return cmd_simple(argc, argv, params_print_table,
			  "usage: mnsim params\n\nPrints every model parameter: scope, default, unit, range and meaning.\n"
			  "Set one with --set NAME=VALUE, a trace line 'param NAME VALUE', or a platform host property.\n");
}
