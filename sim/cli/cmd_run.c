/* mnsim run: one trace under one policy, one result file. */
#include "cli.h"
#include "isolate.h"
#include "outfile.h"
#include "policy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_run(int argc, char **argv)
{
	struct common_opts o = {.cfg = {.policy = "only_end", .seed = 1}};
	int rc = parse_common("run", argc, argv, &o, 0);
	if (o.version)
		return print_version();
	if (o.help) {
		print_usage_header("run", "-w TRACE [-p PLATFORM.xml] [--policy NAME] [--seed N] [--set key=value]... [-q|--progress] -o OUT.h5|-");
		printf("Simulates TRACE on PLATFORM (default %s) under one notification policy\n"
		       "(default only_end; see 'mnsim policies') and writes OUT.h5 (see results/README.md); -o - writes\n"
		       "it to standard output (then the summary goes to standard error).\n"
		       "--set overrides a parameter (see 'mnsim params') for the kernel, every IOMMU and every device;\n"
		       "durations take a unit: 500ns, 500 ns, 0.5us, 0.5µs, 5e-7s.  Prints the summary.  On a terminal\n"
		       "a progress line on stderr shows simulated time, events done, rate and ETA (-q: none;\n"
		       "--progress: even when stderr is not a terminal); results are the same either way.\n\n"
		       "Examples:\n"
		       "  mnsim run -w workloads/demo-mixed.trace --policy only_end -o results/mixed.h5\n"
		       "  mnsim run -w my.trace -p platforms/vtd-like.xml --policy double --seed 3 --set qi_depth=16 -o out.h5\n"
		       "  MNSIM_LOG=iommu:debug mnsim run -w workloads/litmus/01-seed-cow-order.trace -o seed.h5\n",
		       sim_default_platform());
		print_exit_codes();
		return 0;
	}
	if (rc == 0 && !o.cfg.out_path)
		rc = usage_error("run", "missing -o OUT.h5%s", "");
	if (rc == 0)
		rc = check_output("run", o.cfg.out_path, 1);
	if (rc == 0 && (outfile_same_file(o.cfg.out_path, o.cfg.trace_path) || outfile_same_file(o.cfg.out_path, o.cfg.platform_path)))
		rc = usage_error("run", "-o %s would replace an input (the trace or the platform)", o.cfg.out_path);
	if (rc == 0)
		outfile_remove_stale(o.cfg.out_path);
	if (rc == 0 && !policy_by_name(o.cfg.policy)) {
		fprintf(stderr, "mnsim run: unknown policy '%s' (see 'mnsim policies')\n", o.cfg.policy);
		rc = EXIT_USAGE;
	}
	if (rc == 0 && !file_readable("platform", o.cfg.platform_path))
		rc = EXIT_FAILED;
	if (rc == 0)
		rc = check_log_setting();
	struct summary sum;
	char err[1024];
	o.cfg.progress = progress_wanted(&o);
	if (rc == 0 && sim_run_isolated(&o.cfg, &sum, err, sizeof err) != 0) {
		if (err[0])
			fprintf(stderr, "mnsim: %s\n", err);
		rc = EXIT_FAILED;
	}
	if (rc == 0) {
		/* with -o -, standard output holds the result file: the summary goes to standard error */
		int to_stdout = strcmp(o.cfg.out_path, "-") == 0;
		FILE *say = to_stdout ? stderr : stdout;
		for (size_t i = 0; i < sum.n; i++)
			fprintf(say, "%-26s %.9g%s%s\n", sum.names[i], sum.values[i], sum.units[i][0] ? " " : "", sum.units[i]);
		fprintf(say, "results: %s\n", to_stdout ? "standard output" : o.cfg.out_path);
	}
	param_settings_free(&o.cfg.sets);
	return rc;
}
