/* mnsim import: a trace from the text of `perf script` (import.h). */
#include "cli.h"
#include "gen.h"
#include "import.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	print_usage_header("import", "PERF_SCRIPT.txt [--pid PID] [--maps MAPS] [--pages PAGES] [-s SPEC] [key=value]... -o TRACE");
	printf("Converts a capture made with perf (the text of 'perf script', with perf's default fields or with\n"
	       "-F comm,pid,tid,cpu,time,event,trace) of the events 'mnsim record --events' lists into an mnsim\n"
	       "trace (format 2, workloads/README.md).  Every page fault becomes the access that made it, every\n"
	       "mmap/munmap/mprotect/madvise/mremap/brk the op it is; forks, execs and exits make and release\n"
	       "processes.  The file is read twice (it must be a file, not a pipe); memory does not grow with it.\n\n"
	       "  --pid PID      the recorded process (default: the first in the capture); others are counted, not kept\n"
	       "  --maps MAPS    its /proc/PID/maps when the capture started\n"
	       "  --pages PAGES  its present pages then ('START SIZE write|zero|cow' lines, as mnsim record writes)\n"
	       "  --bind root|busiest|PID  the process the devices are bound to: the recorded one (default), the\n"
	       "                 address space that made the most ops (a worker child), or that process's first\n"
	       "  -s SPEC, key=value   the SYNTHETIC device side: mnsim gen's device keys (devices, device_hosts,\n"
	       "                 device_threads, device_ops, device_gap, device_arrivals, pattern, zipf_s, stride,\n"
	       "                 write_ratio, seed) over the pages the process touched; without device_gap the\n"
	       "                 streams span the process's time; ats=0|1 overrides the platform's devices\n"
	       "                 (the trace's 'param ats').  devices=0: no device.\n"
	       "  -o TRACE       the trace (written under a temporary name and renamed; '-' for standard output)\n\n"
	       "It prints what the trace header records: the events by kind, how many were mapped to ops,\n"
	       "without effect, ambiguous or unusable, by kind, the ops written, and the share of faults that\n"
	       "became exactly one op.  Errors name file:line; nothing is left behind.\n\n"
	       "Examples:\n"
	       "  perf script -i perf.data --ns -F comm,pid,tid,cpu,time,event,trace > perf.txt\n"
	       "  mnsim import perf.txt --maps maps --pages pages -o app.trace\n"
	       "  mnsim import perf.txt --bind busiest devices=2 device_hosts=dev0,dev2 write_ratio=0.5 -o app.trace\n\n"
	       "Exit status: 0 done; 1 bad input (file:line named); 2 usage error.\n");
}

/* Writes the trace through a temporary file renamed at the end. */
int import_to_file(const struct import_opts *io, const char *out, struct import_stats **st, const char *cmd)
{
	char tmp[4096], err[1024];
	int to_stdout = strcmp(out, "-") == 0;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
	FILE *f = to_stdout ? stdout : fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "mnsim %s: cannot create %s: %s\n", cmd, tmp, strerror(errno));
		return 1;
	}
	int rc = 0;
	if (import_perf_script(io, f, st, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim %s: %s\n", cmd, err);
		rc = 1;
	}
	if (!to_stdout && fclose(f) != 0 && rc == 0) {
		fprintf(stderr, "mnsim %s: cannot write %s: %s\n", cmd, tmp, strerror(errno));
		rc = 1;
	}
	if (to_stdout && fflush(f) != 0 && rc == 0)
		rc = 1;
	if (rc == 0 && !to_stdout && rename(tmp, out) != 0) {
		fprintf(stderr, "mnsim %s: cannot rename %s to %s: %s\n", cmd, tmp, out, strerror(errno));
		rc = 1;
	}
	if (rc != 0 && !to_stdout)
		unlink(tmp);
	return rc;
}

/* --bind root|busiest|PID into io; 0, or a usage error. */
int import_parse_bind(struct import_opts *io, const char *arg, const char *cmd)
{
	char *end;
	if (strcmp(arg, "root") == 0)
		return 0;
	if (strcmp(arg, "busiest") == 0) {
		io->bind_busiest = 1;
		return 0;
	}
	io->bind_pid = strtol(arg, &end, 10);
	if (*end || io->bind_pid <= 0)
		return usage_error(cmd, "--bind '%s': expected root, busiest or a process id", arg);
	return 0;
}

/* Device keys from -s SPEC and key=value arguments; sets *gap_given, and
 * *ats (-1: as the platform says) from the one key that is not gen's. */
int import_device_spec(struct gen_spec *g, const char *spec, int argc, char **argv, int *gap_given, int *ats, const char *cmd)
{
	char err[1024];
	if (spec && gen_spec_load(g, spec, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim %s: %s\n", cmd, err);
		return 1;
	}
	*gap_given = 0;
	*ats = -1;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return usage_error(cmd, "expected key=value, got '%s'", argv[i]);
		*eq = '\0';
		if (strcmp(argv[i], "ats") == 0) { /* the devices with ATS (a device TLB) or without: the trace's 'param ats' */
			if (strcmp(eq + 1, "0") && strcmp(eq + 1, "1"))
				return usage_error(cmd, "ats='%s': expected 0 or 1", eq + 1);
			*ats = eq[1] - '0';
			continue;
		}
		*gap_given |= strcmp(argv[i], "device_gap") == 0;
		if (gen_spec_set(g, argv[i], eq + 1, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim %s: %s\n", cmd, err);
			return EXIT_USAGE;
		}
	}
	if (gen_spec_check(g, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim %s: %s\n", cmd, err);
		return 1;
	}
	return 0;
}

int cmd_import(int argc, char **argv)
{
	enum { OPT_PID = 300, OPT_MAPS, OPT_PAGES, OPT_BIND };
	static const struct option opts[] = {{"pid", required_argument, NULL, OPT_PID}, {"maps", required_argument, NULL, OPT_MAPS},
					     {"pages", required_argument, NULL, OPT_PAGES}, {"spec", required_argument, NULL, 's'},
					     {"bind", required_argument, NULL, OPT_BIND},
					     {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, OPT_VERSION}, {NULL, 0, NULL, 0}};
	struct import_opts io = {.progress = isatty(2)};
	const char *out = NULL, *spec = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'h':
			usage();
			return 0;
		case OPT_VERSION:
			return print_version();
		case OPT_PID:
			io.pid = strtol(optarg, &end, 10);
			if (*end || io.pid <= 0)
				return usage_error("import", "--pid '%s': expected a process id", optarg);
			break;
		case OPT_MAPS: io.maps = optarg; break;
		case OPT_PAGES: io.pages = optarg; break;
		case OPT_BIND:
			if (import_parse_bind(&io, optarg, "import") != 0)
				return EXIT_USAGE;
			break;
		case 's': spec = optarg; break;
		case 'o': out = optarg; break;
		default: return usage_error("import", "unknown or incomplete option%s", "");
		}
	}
	if (optind >= argc)
		return usage_error("import", "missing PERF_SCRIPT.txt (the text of 'perf script')%s", "");
	io.input = argv[optind++];
	if (!out)
		return usage_error("import", "missing -o TRACE%s", "");
	struct gen_spec *g = gen_spec_new();
	int rc = import_device_spec(g, spec, argc - optind, argv + optind, &io.device_gap_given, &io.ats, "import");
	const char *capture[] = {"source", io.input, "recorded_by", "perf (imported by mnsim import)"};
	io.dev = g;
	io.capture = capture;
	io.n_capture = 2;
	struct import_stats *st = NULL;
	if (rc == 0)
		rc = import_to_file(&io, out, &st, "import");
	if (rc == 0 && strcmp(out, "-") != 0) {
		import_print_summary(st, stdout);
		printf("trace: %s\n", out);
	}
	import_stats_free(st);
	gen_spec_free(g);
	return rc;
}
