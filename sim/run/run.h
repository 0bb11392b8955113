/* run: one simulation run.  sim_run() builds a world (struct sim, sim.h)
 * from a trace and a platform: processes and their memory, IOMMUs, devices,
 * CPU threads; runs SimGrid, summarises and writes the result file. */
#ifndef MNSIM_RUN_H
#define MNSIM_RUN_H
#include "params.h"
#include "results.h"
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* What a run is doing, recorded as it goes (struct run_state), so that
 * the parent of a child that dies can say where it died. */
enum run_phase { RUN_STARTING, RUN_TRACE, RUN_PLATFORM, RUN_SETUP, RUN_MODEL, RUN_RESULTS, RUN_PHASES };
struct run_state {
	volatile sig_atomic_t phase;       /* enum run_phase */
	volatile sig_atomic_t actors;      /* SimGrid actors the run starts */
	volatile sig_atomic_t abort_errno; /* errno when the run aborted (ENOMEM: out of memory) */
};

struct run_config {
	const char *trace_path;
	const char *platform_path;   /* NULL: the default preset */
	const char *policy;
	const char *out_path;        /* NULL: no result file */
	uint64_t seed;
	struct param_settings sets;  /* --set */
	int progress;                /* draw progress on stderr (results are the same) */
	const char *progress_label;  /* e.g. "[only_end 2/5]" */
	struct run_state *state;     /* what the run is doing, for its parent; NULL: not recorded */
};

const char *sim_default_platform(void);
/* Runs in this process; returns 0, or -1 with a message in err. */
int sim_run(const struct run_config *cfg, struct summary *out, char *err, size_t errlen);

#endif
