/* mnsim plot: one figure from result files or a sweep. */
#include "cli.h"
#include "figures.h"
#include "resultset.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {{"kind", required_argument, NULL, 'k'}, {"output", required_argument, NULL, 'o'},
					     {"data", required_argument, NULL, 'd'}, {"x", required_argument, NULL, 'x'},
					     {"metric", required_argument, NULL, 'm'}, {"policy", required_argument, NULL, OPT_POLICY},
					     {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, OPT_VERSION},
					     {NULL, 0, NULL, 0}};
	const char *kind = NULL, *out = NULL, *data = NULL;
	struct plot_opts po = {NULL, NULL, NULL};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:o:d:x:m:h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_usage_header("plot", "RESULT.h5|DIR --kind KIND -o FIGURE.png|FIGURE.svg [--data DATA.tsv] [--policy P]\n"
						   "       mnsim plot SWEEP_DIR --kind sweep [--x AXIS] --metric NAME -o FIGURE.png");
			printf("Draws a figure from one result file, from a 'mnsim compare' directory (every policy\n"
			       "and seed it holds, as its compare.manifest lists them), or from a sweep.  The data\n"
			       "gnuplot reads are kept in DATA.tsv (default: FIGURE with .tsv).  Both files are written\n"
			       "under temporary names and renamed when complete.  Kinds:\n");
			plot_print_kinds(stdout);
			printf("\nExamples:\n"
			       "  mnsim plot results/cmp --kind latency-cdf -o cdf.svg\n"
			       "  mnsim plot results/cmp --kind timeline --policy unsafe_end -o t.png\n"
			       "  mnsim plot results/my-sweep --kind sweep --x qi_depth --metric notify_latency_p99 -o sweep.png\n");
			print_exit_codes();
			return 0;
		}
		if (c == OPT_VERSION)
			return print_version();
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
		else if (c == OPT_POLICY)
			po.policy = optarg;
		else
			return usage_error("plot", "unknown or incomplete option%s", "");
	}
	if (optind != argc - 1)
		return usage_error("plot", "expected one RESULT.h5, DIR or SWEEP_DIR%s", "");
	if (!kind || !out)
		return usage_error("plot", "missing --kind KIND or -o FIGURE%s", "");
	if (!figure_help(kind))
		return usage_error("plot", "unknown figure kind '%s' (see 'mnsim plot --help')", kind);
	size_t len = strlen(out);
	if (len < 5 || (strcmp(out + len - 4, ".png") != 0 && strcmp(out + len - 4, ".svg") != 0))
		return usage_error("plot", "%s: the figure's name must end in .png or .svg", out);
	char data_path[4096], err[1024], sweep_h5[4200];
	snprintf(data_path, sizeof data_path, "%s", data ? data : out);
	if (!data) {
		char *dot = strrchr(data_path, '.');
		snprintf(dot ? dot : data_path + strlen(data_path), 8, ".tsv");
	}
	struct result_set rs;
	struct fig_input in = {NULL, NULL};
	int is_sweep = result_kind_of(argv[optind], sweep_h5, sizeof sweep_h5) == RK_SWEEP;
	if (is_sweep) {
		in.sweep_h5 = sweep_h5;
	} else if (result_set_load(argv[optind], &rs, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim plot: %s\n", err);
		return EXIT_FAILED;
	} else {
		in.rs = &rs;
		if (!rs.complete)
			fprintf(stderr, "mnsim plot: warning: %s is an incomplete compare; missing: %s\n", argv[optind],
				rs.missing ? rs.missing : "(no final status)");
	}
	int rc = plot_figure(kind, &in, &po, out, data_path, err, sizeof err);
	if (!is_sweep)
		result_set_free(&rs);
	if (rc != 0) {
		fprintf(stderr, "mnsim plot: %s\n", err);
		/* a missing --x or --metric is a usage error */
		return strncmp(err, "give --", 7) == 0 ? EXIT_USAGE : EXIT_FAILED;
	}
	printf("figure: %s\ndata:   %s\n", out, data_path);
	return 0;
}
