/* mnsim report: the HTML design-review report. */
#include "cli.h"
#include "report.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_report(int argc, char **argv)
{
	enum { OPT_SIZE_QUEUE = 300 };
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {"size-queue", required_argument, NULL, OPT_SIZE_QUEUE},
					     {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, OPT_VERSION},
					     {NULL, 0, NULL, 0}};
	const char *dir = NULL;
	struct report_opts ro = {NULL};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_usage_header("report", "RESULT.h5|DIR|SWEEP_DIR -o REPORT_DIR [--size-queue SQ_DIR]");
			printf("Writes REPORT_DIR/index.html, a page that opens from disk (figures inlined as SVG).\n"
			       "For runs (one file, or a 'mnsim compare' directory): headline sentences with the numbers\n"
			       "(which policies are correct, calls, descriptors and p99 latencies relative to double, the\n"
			       "queue depth needed when 'mnsim size-queue' wrote SQ_DIR), the comparison table with ratios\n"
			       "and 95%% CIs over seeds, the per-op breakdown, the figures, the violations with a timeline\n"
			       "of the first few, and the configuration in units with provenance, non-defaults highlighted.\n"
			       "A compare that did not finish is reported as incomplete, with what is missing.\n"
			       "For a sweep directory: every review metric against each swept axis (one panel per value\n"
			       "of the other axes, 95%% CIs), and the merged table.\n\n"
			       "Examples:\n"
			       "  mnsim compare -w workloads/demo-mixed.trace --seeds 5 -o results/cmp\n"
			       "  mnsim report results/cmp -o results/cmp-report\n"
			       "  mnsim report results/my-sweep -o results/sweep-report\n");
			print_exit_codes();
			return 0;
		}
		if (c == OPT_VERSION)
			return print_version();
		if (c == 'o')
			dir = optarg;
		else if (c == OPT_SIZE_QUEUE)
			ro.size_queue = optarg;
		else
			return usage_error("report", "unknown or incomplete option%s", "");
	}
	if (optind != argc - 1 || !dir)
		return usage_error("report", "expected RESULT.h5|DIR|SWEEP_DIR and -o REPORT_DIR%s", "");
	char err[1024];
	if (report_write(argv[optind], dir, &ro, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim report: %s\n", err);
		return EXIT_FAILED;
	}
	printf("report: %s/index.html\n", dir);
	return 0;
}
