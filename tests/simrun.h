/* simrun: what the simulation tests share: a trace written to a temporary
 * file, a run in a child process with --set style settings, summary values
 * and whole columns of a result file (h5read.h). */
#ifndef MNSIM_TEST_SIMRUN_H
#define MNSIM_TEST_SIMRUN_H
#include "h5read.h"
#include "isolate.h"
#include "params.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA MNSIM_SOURCE_DIR "/tests/data/"
#define LITMUS MNSIM_SOURCE_DIR "/workloads/litmus/"
#define PLATFORMS MNSIM_SOURCE_DIR "/platforms/"

static char trace_path[64] __attribute__((unused));

static inline const char *write_trace(const char *text)
{
	snprintf(trace_path, sizeof trace_path, "/tmp/mnsim-sim-XXXXXX");
	int fd = mkstemp(trace_path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return trace_path;
}

static inline double get(const struct summary *s, const char *name)
{
	double v = NAN;
	if (!summary_get(s, name, &v))
		fprintf(stderr, "summary has no '%s'\n", name);
	return v;
}

/* set: "key=value[,key=value...]" or NULL */
static inline int run(const char *trace, const char *platform, const char *policy, const char *out, struct summary *sum,
	       const char *set)
{
	struct run_config cfg = {.trace_path = trace, .platform_path = platform, .policy = policy, .out_path = out, .seed = 1};
	char err[1024];
	char sets[512];
	snprintf(sets, sizeof sets, "%s", set ? set : "");
	for (char *save, *kv = strtok_r(sets, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		*eq = '\0';
		if (param_settings_add(&cfg.sets, kv, eq + 1, err, sizeof err) != 0)
			abort();
	}
	int rc = sim_run_isolated(&cfg, sum, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "run of %s under %s failed%s%s\n", trace, policy, err[0] ? ": " : "", err);
	param_settings_free(&cfg.sets);
	return rc;
}

/* One column of a result file's table (NULL and *n = -1 if absent). */
static inline double *column(const char *path, const char *dset, const char *field, long *n)
{
	char err[256];
	double *v = NULL;
	struct h5in *f = h5in_open(path, err, sizeof err);
	*n = f ? h5in_column(f, dset, field, &v) : -1;
	h5in_close(f);
	if (*n < 0)
		fprintf(stderr, "%s: no %s.%s\n", path, dset, field);
	return v;
}

/* The sum of a column (NAN if absent). */
static inline double column_sum(const char *path, const char *dset, const char *field)
{
	long n;
	double *v = column(path, dset, field, &n), sum = n < 0 ? NAN : 0;
	for (long i = 0; i < n; i++)
		sum += v[i];
	free(v);
	return sum;
}

#endif
