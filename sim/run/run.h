/* run: one simulation run.  sim_run() builds a world (struct sim, sim.h)
 * from a trace and a platform: processes and their memory, IOMMUs, devices,
 * CPU threads; runs SimGrid, summarises and writes the result file. */
#ifndef MNSIM_RUN_H
#define MNSIM_RUN_H
#include "params.h"
#include "results.h"
#include <stddef.h>
#include <stdint.h>

struct run_config {
	const char *trace_path;
	const char *platform_path;   /* NULL: the default preset */
	const char *policy;
	const char *out_path;        /* NULL: no result file */
	uint64_t seed;
	struct param_settings sets;  /* --set */
	int progress;                /* draw progress on stderr (results are the same) */
	const char *progress_label;  /* e.g. "[only_end 2/5]" */
};

const char *sim_default_platform(void);
/* Runs in this process; returns 0, or -1 with a message in err. */
int sim_run(const struct run_config *cfg, struct summary *out, char *err, size_t errlen);

#endif
