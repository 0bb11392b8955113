/* mnsim policies, mnsim params: the tables the model is built from. */
#include "cli.h"
#include "kernel_ops.h"
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

int cmd_policies(int argc, char **argv)
{
	return cmd_simple(argc, argv, kernel_print_policy_table,
			  "usage: mnsim policies\n\nPrints, for every kernel op, how many invalidate_range calls each policy makes.\n");
}

int cmd_params(int argc, char **argv)
{
	return cmd_simple(argc, argv, params_print_table,
			  "usage: mnsim params\n\nPrints every model parameter: scope, default, unit, range and meaning.\n"
			  "Set one with --set NAME=VALUE, a trace line 'param NAME VALUE', or a platform host property.\n");
}
