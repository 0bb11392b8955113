/* mnsim size-queue: the smallest invalidation queue that meets a target. */
#include "cli.h"
#include "params.h"
#include "policy.h"
#include "pool.h"
#include "sizing.h"
#include "units.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_size_queue(int argc, char **argv)
{
	static const struct option opts[] = {
		{"workload", required_argument, NULL, 'w'}, {"platform", required_argument, NULL, 'p'},
		{"policy", required_argument, NULL, OPT_POLICY}, {"target", required_argument, NULL, 't'},
		{"exact", no_argument, NULL, 'e'}, {"seed", required_argument, NULL, OPT_SEED},
		{"set", required_argument, NULL, OPT_SET}, {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, OPT_VERSION}, {NULL, 0, NULL, 0}};
	struct run_config cfg = {.policy = "only_end", .seed = 1};
	const char *target = NULL, *dir = MNSIM_SOURCE_DIR "/results/size-queue", *dir_seen = NULL, *policy_seen = NULL,
		   *seed_seen = NULL, *jobs_seen = NULL;
	int c, exact = 0, rc = 0, jobs = 0;
	char err[1024];
	const char *why;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "w:p:t:o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_usage_header("size-queue", "-w TRACE [-p PLATFORM] [--policy P|all] --target 'METRIC<=VALUE'\n"
							 "                        [--exact] [--seed N] [--set key=value]... [-o DIR] [-j N]");
			printf("Finds the smallest qi_depth (a power of two; any depth with --exact) that meets the target,\n"
			       "by bisection (it assumes the metric does not grow with depth and says so when the points\n"
			       "it ran disagree).  METRIC is a summary value: notify_latency_p99, notify_latency_p999,\n"
			       "notify_latency_mean, op_latency_p99 (durations: 2us, 2 us, 2µs, 2e-6s) or qi_stall_fraction\n"
			       "(0..1); the old names p99_notify_latency... are accepted with a warning.  --policy all\n"
			       "answers for every policy, the policies' searches N at a time in child processes (-j N; default:\n"
			       "the number of cores; the answers do not depend on N).  Prints depth -> metric and the answer; writes\n"
			       "DIR/size-queue.{tsv,png} and DIR/size-queue.answers.tsv, which 'mnsim report --size-queue DIR'\n"
			       "puts in the report's headline (default DIR: results/size-queue).\n\n"
			       "Examples:\n"
			       "  mnsim size-queue -w workloads/devices-3.trace -p platforms/many-devices.xml --policy all \\\n"
			       "      --target 'notify_latency_p99<=5us' -o results/sq\n"
			       "  mnsim size-queue -w my.trace --exact --target 'qi_stall_fraction<=0'\n");
			print_exit_codes();
			param_settings_free(&cfg.sets);
			return 0;
		case OPT_VERSION:
			param_settings_free(&cfg.sets);
			return print_version();
		case 'w': rc = set_once("size-queue", "-w", &cfg.trace_path, optarg); break;
		case 'p': rc = set_once("size-queue", "-p", &cfg.platform_path, optarg); break;
		case 't': rc = set_once("size-queue", "--target", &target, optarg); break;
		case 'e': exact = 1; break;
		case 'j': if ((rc = set_once("size-queue", "-j", &jobs_seen, optarg)) == 0) rc = parse_jobs("size-queue", optarg, &jobs); break;
		case 'o': if ((rc = set_once("size-queue", "-o", &dir_seen, optarg)) == 0) dir = optarg; break;
		case OPT_POLICY: if ((rc = set_once("size-queue", "--policy", &policy_seen, optarg)) == 0) cfg.policy = optarg; break;
		case OPT_SEED:
			if ((rc = set_once("size-queue", "--seed", &seed_seen, optarg)))
				break;
			if (units_parse_u64(optarg, &cfg.seed, &why) != 0)
				rc = usage_error("size-queue", "--seed: expected a non-negative integer, got '%s'", optarg);
			break;
		case OPT_SET: {
			char *eq = strchr(optarg, '=');
			if (!eq) {
				rc = usage_error("size-queue", "--set: expected key=value, got '%s'", optarg);
				break;
			}
			*eq = '\0';
			if (strcmp(optarg, "qi_depth") == 0) {
				rc = usage_error("size-queue", "--set qi_depth%s: size-queue chooses the depth itself", "");
				break;
			}
			if (param_settings_add(&cfg.sets, optarg, eq + 1, err, sizeof err) != 0) {
				fprintf(stderr, "mnsim size-queue: --set %s\n", err);
				rc = EXIT_USAGE;
			}
			break;
		}
		default:
			rc = usage_error("size-queue", "unknown or incomplete option%s", "");
		}
	}
	struct sizing_target t;
	if (rc == 0 && (!cfg.trace_path || !target))
		rc = usage_error("size-queue", "missing -w TRACE or --target%s", "");
	if (rc == 0 && sizing_parse_target(target, &t, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim size-queue: %s\n", err);
		rc = EXIT_USAGE;
	}
	const char *all[MAX_POLICIES + 1] = {NULL}, *one[2] = {cfg.policy, NULL};
	for (size_t i = 0; i < policy_count() && i < MAX_POLICIES; i++)
		all[i] = policy_at(i)->name;
	if (rc == 0 && strcmp(cfg.policy, "all") != 0 && !policy_by_name(cfg.policy)) {
		fprintf(stderr, "mnsim size-queue: unknown policy '%s' (see 'mnsim policies')\n", cfg.policy);
		rc = EXIT_USAGE;
	}
	if (!cfg.platform_path)
		cfg.platform_path = sim_default_platform();
	if (rc == 0 && (!*dir || !*cfg.trace_path || (cfg.platform_path && !*cfg.platform_path)))
		rc = usage_error("size-queue", "an empty %s", !*dir ? "-o DIR" : !*cfg.trace_path ? "-w TRACE" : "-p PLATFORM");
	if (rc == 0 && strcmp(dir, "-") == 0)
		rc = usage_error("size-queue", "-o DIR: a directory is needed, not standard output%s", "");
	if (rc == 0 && make_dir(dir) != 0) {
		fprintf(stderr, "mnsim size-queue: cannot create %s: %s\n", dir, strerror(errno));
		rc = EXIT_FAILED;
	}
	if (rc == 0)
		rc = check_log_setting();
	if (rc == 0) {
		rc = sizing_run(&cfg, strcmp(cfg.policy, "all") == 0 ? all : one, &t, exact, jobs ? jobs : pool_default_jobs(), dir, err,
				sizeof err);
		if (rc < 0) {
			if (err[0])
				fprintf(stderr, "mnsim size-queue: %s\n", err);
			rc = EXIT_FAILED;
		} else if (rc == 1) {
			rc = EXIT_NO; /* a target not met is an answer, not an error */
		}
	}
	param_settings_free(&cfg.sets);
	return rc;
}
