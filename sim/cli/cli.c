/* cli: see cli.h. */
#include "cli.h"
#include "logspec.h"
#include "params.h"
#include "units.h"
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <simgrid/forward.h>
#include <simgrid/version.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const default_compare_policies = "double,only_end,secondary_tlbs,minimal,unsafe_end";

static const struct option common_long_opts[] = {
	{"workload", required_argument, NULL, 'w'}, {"platform", required_argument, NULL, 'p'},
	{"policy", required_argument, NULL, OPT_POLICY}, {"policies", required_argument, NULL, OPT_POLICIES},
	{"seed", required_argument, NULL, OPT_SEED}, {"set", required_argument, NULL, OPT_SET},
	{"seeds", required_argument, NULL, OPT_SEEDS}, {"quiet", no_argument, NULL, 'q'},
	{"progress", no_argument, NULL, OPT_PROGRESS}, {"version", no_argument, NULL, OPT_VERSION},
	{"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

void print_usage_header(const char *cmd, const char *args)
{
	printf("usage: mnsim %s %s\n(mnsim " MNSIM_VERSION ")\n\n", cmd, args);
}

void print_exit_codes(void)
{
	printf("\nExit status: 0 done; 1 bad input file, failed run or unwritable output; 2 usage error (options,\n"
	       "names, values); 3 ran, and the answer is no (a litmus verdict differs, a target is not met);\n"
	       "130/143 interrupted by SIGINT/SIGTERM (nothing half-written is left).\n");
}

int print_version(void)
{
	int major, minor, patch;
	unsigned hmaj, hmin, hrel;
	sg_version_get(&major, &minor, &patch);
	H5get_libversion(&hmaj, &hmin, &hrel);
	printf("mnsim " MNSIM_VERSION " (SimGrid %d.%d.%d, HDF5 %u.%u.%u, GSL %s)\n", major, minor, patch, hmaj, hmin, hrel,
	       GSL_VERSION);
	return 0;
}

int progress_wanted(const struct common_opts *o)
{
	return o->force_progress || (!o->quiet && isatty(2));
}

int check_log_setting(void)
{
	struct logspec l;
	char err[1024];
	if (logspec_parse(getenv("MNSIM_LOG"), &l, err, sizeof err) == 0)
		return 0;
	fprintf(stderr, "mnsim: %s\n", err);
	return EXIT_USAGE;
}

int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "mnsim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'mnsim %s --help')\n", cmd);
	return EXIT_USAGE;
}

int parse_jobs(const char *cmd, const char *arg, int *jobs)
{
	uint64_t n;
	const char *why;
	if (units_parse_u64(arg, &n, &why) != 0 || n < 1 || n > 1024)
		return usage_error(cmd, "-j: expected 1 to 1024 parallel runs, got '%s'", arg);
	*jobs = (int)n;
	return 0;
}

/* Parses argv into o; returns 0, or an exit code. */
int parse_common(const char *cmd, int argc, char **argv, struct common_opts *o, int allow_policies)
{
	int c;
	char err[256];
	const char *why;
	optind = 1;
	while ((c = getopt_long(argc, argv, allow_policies ? "w:p:o:j:qh" : "w:p:o:qh", common_long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!allow_policies)
				return usage_error(cmd, "-j is for 'mnsim compare'%s", "");
			if (parse_jobs(cmd, optarg, &o->jobs) != 0)
				return EXIT_USAGE;
			break;
		case 'w': o->cfg.trace_path = optarg; break;
		case 'p': o->cfg.platform_path = optarg; break;
		case 'o': o->cfg.out_path = optarg; break;
		case 'q': o->quiet = 1; break;
		case OPT_PROGRESS: o->force_progress = 1; break;
		case 'h': o->help = 1; return 0;
		case OPT_VERSION: o->version = 1; return 0;
		case OPT_SEEDS: {
			uint64_t n;
			if (!allow_policies)
				return usage_error(cmd, "--seeds is for 'mnsim compare' (one run has one --seed)%s", "");
			if (units_parse_u64(optarg, &n, &why) != 0 || n < 1 || n > 1000)
				return usage_error(cmd, "--seeds: expected an integer in [1, 1000], got '%s'", optarg);
			o->seeds = (int)n;
			break;
		}
		case OPT_POLICY:
			if (allow_policies)
				return usage_error(cmd, "use --policies LIST here, not --policy%s", "");
			o->cfg.policy = optarg;
			break;
		case OPT_POLICIES:
			if (!allow_policies)
				return usage_error(cmd, "--policies is for 'mnsim compare'%s", "");
			o->policies = optarg;
			break;
		case OPT_SEED:
			if (units_parse_u64(optarg, &o->cfg.seed, &why) != 0)
				return usage_error(cmd, "--seed: expected a non-negative integer, got '%s'", optarg);
			break;
		case OPT_SET: {
			char *eq = strchr(optarg, '=');
			if (!eq)
				return usage_error(cmd, "--set: expected key=value, got '%s'", optarg);
			*eq = '\0';
			if (param_settings_add(&o->cfg.sets, optarg, eq + 1, err, sizeof err) != 0) {
				fprintf(stderr, "mnsim %s: --set %s\n", cmd, err);
				return EXIT_USAGE;
			}
			break;
		}
		default:
			return usage_error(cmd, "unknown or incomplete option%s", "");
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!o->cfg.trace_path)
		return usage_error(cmd, "missing -w TRACE%s", "");
	if (!o->cfg.platform_path)
		o->cfg.platform_path = sim_default_platform();
	return 0;
}

int file_readable(const char *what, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mnsim: cannot open %s %s: %s\n", what, path, strerror(errno));
		return 0;
	}
	fclose(f);
	return 1;
}

int make_dir(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}
