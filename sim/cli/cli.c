/* cli: see cli.h. */
#include "cli.h"
#include "params.h"
#include "units.h"
#include "outfile.h"
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const default_compare_policies = "double,only_end,secondary_tlbs,minimal,unsafe_end";

static const struct option common_long_opts[] = {
	{"workload", required_argument, NULL, 'w'}, {"platform", required_argument, NULL, 'p'},
	{"policy", required_argument, NULL, OPT_POLICY}, {"policies", required_argument, NULL, OPT_POLICIES},
	{"seed", required_argument, NULL, OPT_SEED}, {"set", required_argument, NULL, OPT_SET},
	{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "mnsim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'mnsim %s --help')\n", cmd);
	return EXIT_USAGE;
}

/* Parses argv into o; returns 0, or an exit code. */
int parse_common(const char *cmd, int argc, char **argv, struct common_opts *o, int allow_policies)
{
	int c, rc;
	char err[256];
	const char *why, *policy = NULL, *seed = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:p:o:h", common_long_opts, NULL)) != -1) {
		switch (c) {
		case 'w': if ((rc = set_once(cmd, "-w", &o->cfg.trace_path, optarg))) return rc; break;
		case 'p': if ((rc = set_once(cmd, "-p", &o->cfg.platform_path, optarg))) return rc; break;
		case 'o': if ((rc = set_once(cmd, "-o", &o->cfg.out_path, optarg))) return rc; break;
		case 'h': o->help = 1; return 0;
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
