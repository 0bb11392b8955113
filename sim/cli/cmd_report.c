/* mnsim report: the HTML design-review report. */
#include "cli.h"
#include "report.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_report(int argc, char **argv)
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
