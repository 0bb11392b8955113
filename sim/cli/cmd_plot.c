/* mnsim plot: one figure from result files. */
#include "cli.h"
#include "plot.h"
#include "report.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_plot(int argc, char **argv)
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
