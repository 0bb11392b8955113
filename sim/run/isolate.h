/* isolate: a run in a child process.  SimGrid can be initialised only once
 * per process and aborts on a bad platform file, so every command that runs
 * simulations runs each in a child; the summary comes back through a pipe,
 * and SIGINT/SIGTERM stop the child and remove what it leaves. */
#ifndef MNSIM_ISOLATE_H
#define MNSIM_ISOLATE_H
#include "run.h"

/* Runs cfg in a child process.  Returns 0, or -1: err is empty when the
 * child has printed why, else it says why. */
int sim_run_isolated(const struct run_config *cfg, struct summary *out, char *err, size_t errlen);

#endif
