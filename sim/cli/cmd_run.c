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
	if (o.help) {
		printf("usage: mnsim run -w TRACE [-p PLATFORM.xml] [--policy NAME] [--seed N] [--set key=value]... -o OUT.h5|-\n\n"
		       "Simulates TRACE on PLATFORM (default %s) under one notification policy\n"
		       "(default only_end; see 'mnsim policies') and writes OUT.h5 (see results/README.md); -o - writes\n"
		       "it to standard output (then the summary goes to standard error).\n"
		       "--set overrides a parameter (see 'mnsim params') for the kernel, every IOMMU and every device.\n"
		       "Prints the summary.  Exit status: 0 done, 1 bad input or failed run, 2 usage error.\n",
		       sim_default_platform());
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
	if (rc == 0 && (!file_readable("platform", o.cfg.platform_path) || !policy_by_name(o.cfg.policy))) {
		if (!policy_by_name(o.cfg.policy))
			fprintf(stderr, "mnsim: unknown policy '%s' (see 'mnsim policies')\n", o.cfg.policy);
		rc = 1;
	}
	struct summary sum;
	char err[1024];
	if (rc == 0 && sim_run_isolated(&o.cfg, &sum, err, sizeof err) != 0) {
		if (err[0])
			fprintf(stderr, "mnsim: %s\n", err);
		rc = 1;
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
