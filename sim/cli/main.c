/* mnsim: command-line entry point.  Dispatches to one function per
 * subcommand (cmd_NAME.c, declared in cli.h); each parses its options with
 * getopt_long.  Runs happen in child processes (isolate.h) so that one
 * command can run many simulations. */
#include "cli.h"
#include <stdio.h>
#include <string.h>

static void usage_main(FILE *out)
{
	fprintf(out,
		"usage: mnsim COMMAND [OPTIONS]\n(mnsim " MNSIM_VERSION ")\n\n"
		"commands:\n"
		"  run       simulate one trace under one policy, write an HDF5 result file\n"
		"  compare   simulate one trace under several policies, print a side-by-side table\n"
		"  check     run the litmus suite and compare with the expected verdicts\n"
		"  gen       write a synthetic workload trace from a small spec\n"
		"  record    run a program under perf and write a trace of its memory operations\n"
		"  import    convert the text of 'perf script' into a trace\n"
		"  plot      draw a figure from result files (gnuplot)\n"
		"  report    write an HTML design-review report from result files\n"
		"  size-queue  smallest invalidation-queue depth that meets a latency target\n"
		"  sweep     run a parameter grid in parallel (or on Slurm), resumable, merged\n"
		"  policies  print the policy x op notification table\n"
		"  params    print every model parameter with default, unit, range and meaning\n\n"
		"'mnsim COMMAND --help' describes each command, with examples; 'mnsim --version'.\n"
		"Environment: MNSIM_LOG=LEVEL or CATEGORY:LEVEL,... (categories sim, kernel, iommu, device,\n"
		"checker; levels trace, debug, verbose, info, warning, error, critical), MNSIM_PLATFORM (the\n"
		"default platform file).\n");
}

static const struct { const char *name; int (*run)(int, char **); } commands[] = {
	{"run", cmd_run},         {"compare", cmd_compare}, {"check", cmd_check},       {"sweep", cmd_sweep},
	{"size-queue", cmd_size_queue}, {"plot", cmd_plot}, {"report", cmd_report},     {"gen", cmd_gen},
	{"policies", cmd_policies}, {"params", cmd_params}, {"import", cmd_import}, {"record", cmd_record},
};

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_main(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return print_version();
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mnsim: unknown command '%s'\n", argv[1]);
	usage_main(stderr);
	return EXIT_USAGE;
}
