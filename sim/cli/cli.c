/* cli: see cli.h. */
#include "cli.h"
#include "logspec.h"
#include "params.h"
#include "units.h"
#include "outfile.h"
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
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
	int c, rc;
	char err[256];
	const char *why, *policy = NULL, *seed = NULL, *jobs = NULL, *seeds = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, allow_policies ? "w:p:o:j:qh" : "w:p:o:qh", common_long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!allow_policies)
				return usage_error(cmd, "-j is for 'mnsim compare'%s", "");
			if ((rc = set_once(cmd, "-j", &jobs, optarg)))
				return rc;
			if (parse_jobs(cmd, optarg, &o->jobs) != 0)
				return EXIT_USAGE;
			break;
		case 'w': if ((rc = set_once(cmd, "-w", &o->cfg.trace_path, optarg))) return rc; break;
		case 'p': if ((rc = set_once(cmd, "-p", &o->cfg.platform_path, optarg))) return rc; break;
		case 'o': if ((rc = set_once(cmd, "-o", &o->cfg.out_path, optarg))) return rc; break;
		case 'q': o->quiet = 1; break;
		case OPT_PROGRESS: o->force_progress = 1; break;
		case 'h': o->help = 1; return 0;
		case OPT_VERSION: o->version = 1; return 0;
		case OPT_SEEDS: {
			uint64_t n;
			if (!allow_policies)
				return usage_error(cmd, "--seeds is for 'mnsim compare' (one run has one --seed)%s", "");
			if ((rc = set_once(cmd, "--seeds", &seeds, optarg)))
				return rc;
			if (units_parse_u64(optarg, &n, &why) != 0 || n < 1 || n > 1000)
				return usage_error(cmd, "--seeds: expected an integer in [1, 1000], got '%s'", optarg);
			o->seeds = (int)n;
			break;
		}
		case OPT_POLICY:
			if (allow_policies)
				return usage_error(cmd, "use --policies LIST here, not --policy%s", "");
			if ((rc = set_once(cmd, "--policy", &policy, optarg)))
				return rc;
			o->cfg.policy = optarg;
			break;
		case OPT_POLICIES:
			if (!allow_policies)
				return usage_error(cmd, "--policies is for 'mnsim compare'%s", "");
			if ((rc = set_once(cmd, "--policies", &o->policies, optarg)))
				return rc;
			break;
		case OPT_SEED:
			if ((rc = set_once(cmd, "--seed", &seed, optarg)))
				return rc;
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
	if (!*o->cfg.trace_path || (o->cfg.platform_path && !*o->cfg.platform_path) || (o->cfg.out_path && !*o->cfg.out_path))
		return usage_error(cmd, "an empty %s", !*o->cfg.trace_path ? "-w TRACE" : o->cfg.out_path && !*o->cfg.out_path ? "-o" : "-p PLATFORM");
	if (!o->cfg.platform_path)
		o->cfg.platform_path = sim_default_platform();
	return 0;
}

int set_once(const char *cmd, const char *opt, const char **slot, const char *value)
{
	if (*slot) {
		fprintf(stderr, "mnsim %s: %s given twice ('%s', then '%s')\n(see 'mnsim %s --help')\n", cmd, opt, *slot, value, cmd);
		return EXIT_USAGE;
	}
	*slot = value;
	return 0;
}

int parse_count(const char *text, long min, long max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (!*text || *end || errno == ERANGE || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int check_output(const char *cmd, const char *path, int binary)
{
	char err[4400];
	int rc = outfile_check(path, binary ? OUTFILE_BINARY : OUTFILE_TEXT, err, sizeof err);
	if (rc == 1)
		return usage_error(cmd, "-o: %s", err);
	if (rc != 0)
		fprintf(stderr, "mnsim %s: %s\n", cmd, err);
	return rc ? 1 : 0;
}

int file_readable(const char *what, const char *path)
{
	/* without blocking on a FIFO: SimGrid reads a platform again, so it
	 * must be a regular file */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int e = fd < 0 ? errno : fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (fd >= 0)
		close(fd);
	if (e) {
		fprintf(stderr, "mnsim: cannot open %s %s: %s\n", what, path, strerror(e));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "mnsim: %s %s is not a regular file (SimGrid reads it again): save it to a file first\n", what, path);
		return 0;
	}
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
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}
