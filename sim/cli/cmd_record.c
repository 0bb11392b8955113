/* mnsim record: runs a program under perf (record.h) and converts the
 * capture (import.h) into a trace. */
#include "cli.h"
#include "gen.h"
#include "import.h"
#include "record.h"
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	print_usage_header("record", "[-o TRACE] [--keep DIR] [-s SPEC] [key=value]... -- COMMAND [ARGS]\n"
				     "       mnsim record [-o TRACE] --pid PID --seconds S [--keep DIR] [-s SPEC] [key=value]...\n"
				     "       mnsim record --check | --events");
	printf(
	       "Records a real program's memory operations with perf (the tracepoints of --events: page faults,\n"
	       "page allocations, TLB flushes, mmap/munmap/mprotect/madvise/mremap/brk, fork, exec, exit) and\n"
	       "writes an mnsim trace (format 2) of them, as 'mnsim import' does (see its --help).  COMMAND is\n"
	       "stopped at its exec while its /proc/PID/maps and pagemap are read, then traced with its children;\n"
	       "--pid attaches to a running process for S seconds instead.  Needs root, perf (Debian: linux-perf)\n"
	       "and tracefs (mounted at /sys/kernel/tracing if it is not).\n\n"
	       "  -o TRACE      the trace (default: record.trace)\n"
	       "  --keep DIR    keep perf.data, perf.txt (the text of perf script), maps and pages in DIR\n"
	       "  --bind root|busiest|PID  the process the synthetic devices are bound to (see mnsim import --help)\n"
	       "  -s SPEC, key=value   the SYNTHETIC device side: mnsim gen's device keys (see mnsim import --help)\n"
	       "  --check       say whether recording can work here (root, perf, tracefs, tracepoints)\n"
	       "  --events      list the events recorded\n\n"
	       "Examples:\n"
	       "  sudo mnsim record -o make.trace --bind busiest -- make -j2\n"
	       "  sudo mnsim record -o redis.trace --pid $(pidof redis-server) --seconds 5 devices=1 device_hosts=dev0\n"
	       "  sudo mnsim record --keep capture -o app.trace -- ./app   # keeps perf.data, perf.txt, maps, pages\n\n"
	       "Exit status: 0 done; 1 cannot record (what is missing is said) or bad capture; 2 usage error.\n");
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

int cmd_record(int argc, char **argv)
{
	enum { OPT_PID = 300, OPT_SECONDS, OPT_KEEP, OPT_CHECK, OPT_EVENTS, OPT_BIND };
	static const struct option opts[] = {{"pid", required_argument, NULL, OPT_PID}, {"seconds", required_argument, NULL, OPT_SECONDS},
					     {"keep", required_argument, NULL, OPT_KEEP}, {"check", no_argument, NULL, OPT_CHECK},
					     {"events", no_argument, NULL, OPT_EVENTS}, {"spec", required_argument, NULL, 's'},
					     {"bind", required_argument, NULL, OPT_BIND},
					     {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, OPT_VERSION}, {NULL, 0, NULL, 0}};
	struct record_opts ro = {0};
	struct import_opts io = {.progress = isatty(2)};
	const char *out = "record.trace", *spec = NULL, *keep = NULL;
	int c, check = 0;
	char err[1024];
	optind = 1;
	/* '+': the options end at the first word that is not one (the command's own options are its own) */
	while ((c = getopt_long(argc, argv, "+s:o:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'h': usage(); return 0;
		case OPT_VERSION: return print_version();
		case OPT_EVENTS: record_print_events(stdout); return 0;
		case OPT_CHECK: check = 1; break;
		case OPT_PID:
			ro.pid = strtol(optarg, &end, 10);
			if (*end || ro.pid <= 0)
				return usage_error("record", "--pid '%s': expected a process id", optarg);
			break;
		case OPT_SECONDS:
			ro.seconds = strtod(optarg, &end);
			if (*end || !(ro.seconds > 0 && ro.seconds <= 86400))
				return usage_error("record", "--seconds '%s': expected a number of seconds in (0, 86400]", optarg);
			break;
		case OPT_KEEP: keep = optarg; break;
		case OPT_BIND:
			if (import_parse_bind(&io, optarg, "record") != 0)
				return EXIT_USAGE;
			break;
		case 's': spec = optarg; break;
		case 'o': out = optarg; break;
		default: return usage_error("record", "unknown or incomplete option%s", "");
		}
	}
	if (check) {
		if (record_check(err, sizeof err) != 0) {
			fprintf(stderr, "mnsim record: %s\n", err);
			return 1;
		}
		printf("mnsim record: root, perf, tracefs and every required tracepoint are there\n");
		return 0;
	}
	/* key=value device settings, then the command after '--' (getopt leaves it) */
	int first_kv = optind, n_kv = 0;
	while (optind < argc && strchr(argv[optind], '=') && strcmp(argv[optind], "--") != 0)
		optind++, n_kv++;
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind < argc)
		ro.argv = argv + optind;
	if (!ro.argv && !ro.pid)
		return usage_error("record", "missing -- COMMAND [ARGS], or --pid PID --seconds S%s", "");
	if (ro.argv && ro.pid)
		return usage_error("record", "give either a COMMAND or --pid, not both%s", "");
	if (ro.pid && !ro.seconds)
		return usage_error("record", "--pid needs --seconds S%s", "");
	struct gen_spec *g = gen_spec_new();
	int rc = import_device_spec(g, spec, n_kv, argv + first_kv, &io.device_gap_given, &io.ats, "record");
	if (rc == 0 && record_check(err, sizeof err) != 0) {
		fprintf(stderr, "mnsim record: %s\n", err);
		rc = 1;
	}
	char dir[4096];
	if (keep)
		snprintf(dir, sizeof dir, "%s", keep);
	else
		snprintf(dir, sizeof dir, "%s/mnsim-record.%ld", getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	ro.dir = dir;
	static struct record_result r;
	if (rc == 0 && record_capture(&ro, &r, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim record: %s\n", err);
		rc = 1;
	}
	struct import_stats *st = NULL;
	if (rc == 0) {
		io.input = r.input;
		io.maps = r.maps;
		io.pages = r.pages;
		io.pid = r.pid;
		io.dev = g;
		io.capture = r.capture;
		io.n_capture = r.n_capture;
		rc = import_to_file(&io, out, &st, "record");
	}
	if (rc == 0) {
		import_print_summary(st, stdout);
		printf("trace: %s\n", out);
		if (keep)
			printf("capture kept in %s (perf.data, perf.txt, maps, pages)\n", keep);
	}
	if (!keep)
		remove_dir(dir);
	import_stats_free(st);
	gen_spec_free(g);
	return rc;
}
