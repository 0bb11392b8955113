/* mnsim sweep: parameter grids, local or on Slurm, resumable, merged. */
#include "cli.h"
#include "sweep.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_sweep(int argc, char **argv)
{
	enum { OPT_MERGE = 300, OPT_CSV, OPT_SLURM, OPT_PARTITION, OPT_TIME, OPT_CHUNKS, OPT_CHUNK, OPT_DRY };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
		{"merge", required_argument, NULL, OPT_MERGE}, {"csv", no_argument, NULL, OPT_CSV},
		{"slurm", no_argument, NULL, OPT_SLURM}, {"partition", required_argument, NULL, OPT_PARTITION},
		{"time", required_argument, NULL, OPT_TIME}, {"chunks", required_argument, NULL, OPT_CHUNKS},
		{"chunk", required_argument, NULL, OPT_CHUNK}, {"dry-run", no_argument, NULL, OPT_DRY},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, OPT_VERSION}, {NULL, 0, NULL, 0}};
	const char *dir = NULL, *merge = NULL, *partition = NULL, *time_limit = NULL, *jobs_seen = NULL, *chunks_seen = NULL,
		   *chunk_seen = NULL;
	int rc, c, csv = 0, slurm = 0, dry = 0, chunks = 0;
	long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct sweep_opts so = {.jobs = n_cpus > 0 ? (int)n_cpus : 1, .chunk = 0, .chunks = 1, .progress = isatty(2)};
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_VERSION:
			return print_version();
		case 'h':
			print_usage_header("sweep", "SPEC.sweep -o DIR [-j N] [--csv]\n"
						    "       mnsim sweep SPEC.sweep -o DIR --slurm [--partition P] [--time T] [--chunks N] [--dry-run]\n"
						    "       mnsim sweep --merge DIR [--csv]");
			printf(
			       "Runs every point of the grid SPEC describes, N at a time (default: the number of cores),\n"
			       "each into DIR/points/ID.h5, then merges them into DIR/sweep.h5 (and CSV with --csv).\n"
			       "Re-running the same command skips finished points and retries failed ones (their errors\n"
			       "are in DIR/points/ID.err).  SPEC lines: 'key = v1, v2, ...' or 'key = FROM..TO *FACTOR' or\n"
			       "'key = FROM..TO +STEP', where key is workload, platform, policy or a parameter; and\n"
			       "'seeds = N' (runs of each point with seeds 1..N; the merge gives mean and 95%% CI).  Limits:\n"
			       "16 axes, 1024 values an axis, 1,000,000 runs (points x seeds).\n"
			       "--slurm writes DIR/sweep.sbatch, a job array whose tasks each run a chunk of the points\n"
			       "with this same runner, and submits it with sbatch (not with --dry-run).  sweep.h5 records the\n"
			       "spec, the versions and how many points were merged, failed and not run.  'mnsim report DIR'\n"
			       "draws every review metric against each swept axis.\n\n"
			       "Examples (sweeps/ holds more, each documented in its first lines):\n"
			       "  mnsim sweep sweeps/queue-depth.sweep -o results/queue-depth -j 2 --csv\n"
			       "  mnsim report results/queue-depth -o results/queue-depth-report\n"
			       "  mnsim plot results/queue-depth --kind sweep --x qi_depth --metric notify_latency_p99 -o qd.png\n");
			print_exit_codes();
			return 0;
		case 'o': if ((rc = set_once("sweep", "-o", &dir, optarg))) return rc; break;
		case 'j':
			if ((rc = set_once("sweep", "-j", &jobs_seen, optarg)))
				return rc;
			if (parse_count(optarg, 1, 1024, &so.jobs) != 0)
				return usage_error("sweep", "-j: expected 1 to 1024 jobs, got '%s'", optarg);
			break;
		case OPT_MERGE: if ((rc = set_once("sweep", "--merge", &merge, optarg))) return rc; break;
		case OPT_CSV: csv = 1; break;
		case OPT_SLURM: slurm = 1; break;
		case OPT_PARTITION: if ((rc = set_once("sweep", "--partition", &partition, optarg))) return rc; break;
		case OPT_TIME: if ((rc = set_once("sweep", "--time", &time_limit, optarg))) return rc; break;
		case OPT_CHUNKS:
			if ((rc = set_once("sweep", "--chunks", &chunks_seen, optarg)))
				return rc;
			if (parse_count(optarg, 1, 100000, &chunks) != 0)
				return usage_error("sweep", "--chunks: expected 1 to 100000, got '%s'", optarg);
			break;
		case OPT_DRY: dry = 1; break;
		case OPT_CHUNK:
		{
			if ((rc = set_once("sweep", "--chunk", &chunk_seen, optarg)))
				return rc;
			char k[32], *slash = strchr(optarg, '/');
			snprintf(k, sizeof k, "%.*s", slash ? (int)(slash - optarg) : 0, optarg);
			if (!slash || parse_count(k, 0, 99999, &so.chunk) != 0 || parse_count(slash + 1, 1, 100000, &so.chunks) != 0 ||
			    so.chunk >= so.chunks)
				return usage_error("sweep", "--chunk: expected K/N with 0 <= K < N, got '%s'", optarg);
			break;
		}
		default:
			return usage_error("sweep", "unknown or incomplete option%s", "");
		}
	}
	char err[1024];
	if (merge && !*merge)
		return usage_error("sweep", "--merge: an empty DIR%s", "");
	if (merge) {
		if (sweep_merge(merge, csv, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim sweep: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (optind != argc - 1 || !dir)
		return usage_error("sweep", "expected SPEC and -o DIR%s", "");
	if (!*dir || !*argv[optind])
		return usage_error("sweep", "an empty %s", !*dir ? "-o DIR" : "SPEC");
	if (strcmp(dir, "-") == 0)
		return usage_error("sweep", "-o DIR: a directory is needed, not standard output%s", "");
	size_t len = strlen(argv[optind]);
	if (len > 4 && strcmp(argv[optind] + len - 4, ".gen") == 0) {
		fprintf(stderr, "mnsim sweep: %s is a generator spec (.gen): it is for 'mnsim gen -s'; a sweep spec ends in .sweep\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (check_log_setting() != 0)
		return EXIT_USAGE;
	struct sweep_spec *s = sweep_spec_load(argv[optind], 1, err, sizeof err);
	if (!s) {
		fprintf(stderr, "mnsim sweep: %s\n", err);
		return 1;
	}
	rc = 0;
	if (slurm) {
		if (sweep_slurm(s, dir, partition, time_limit, chunks, dry, err, sizeof err) != 0) {
			fprintf(stderr, "mnsim sweep: %s\n", err);
			rc = 1;
		}
	} else {
		int failed = sweep_run(s, dir, &so, err, sizeof err);
		if (failed < 0) {
			fprintf(stderr, "mnsim sweep: %s\n", err);
			rc = 1;
		} else {
			if (failed > 0) {
				fprintf(stderr, "mnsim sweep: %d points failed (see %s/points/*.err); re-run to retry them\n", failed, dir);
				rc = 1;
			}
			if (so.chunks == 1 && sweep_merge(dir, csv, err, sizeof err) != 0) {
				fprintf(stderr, "mnsim sweep: %s\n", err);
				rc = 1;
			}
		}
	}
	sweep_spec_free(s);
	return rc;
}
