/* isolate: a run in a child process.  SimGrid can be initialised only once
 * per process and aborts on a bad platform file, so every command that runs
 * simulations runs each in a child.  The child dies with its parent
 * (PR_SET_PDEATHSIG), leaves no file when either is killed, and records in
 * a page shared with the parent what it was doing and what it knew when it
 * died, so that the parent can say what happened: the signal, and whether it
 * was out of memory, an internal error of the model, SimGrid rejecting the
 * platform, or a kill from outside (the OOM killer).  The summary comes back
 * through the same page; SIGINT/SIGTERM stop the child. */
#ifndef MNSIM_ISOLATE_H
#define MNSIM_ISOLATE_H
#include "run.h"
#include <sys/types.h>

/* Runs cfg in a child process.  Returns 0, or -1: err is empty when the
 * child has printed why, else it says why. */
int sim_run_isolated(const struct run_config *cfg, struct summary *out, char *err, size_t errlen);

/* For callers that run many children at once (sweep): starts cfg in a child
 * whose standard error goes to stderr_fd (-1: inherited) and standard output
 * to /dev/null if quiet.  NULL with err on failure. */
struct isolate_child;
struct isolate_child *isolate_spawn(const struct run_config *cfg, int stderr_fd, int quiet, char *err, size_t errlen);
pid_t isolate_pid(const struct isolate_child *c);
/* After the child has been waited for (wait4 status and its peak memory in
 * KiB, or -1): 0 with *out, or -1 with err (empty when the child printed
 * why).  killed_by_us: the caller sent the SIGKILL.  Frees c and removes what
 * the child left. */
int isolate_reap(struct isolate_child *c, int status, long maxrss_kib, int killed_by_us, struct summary *out, char *err,
		 size_t errlen);

#endif
