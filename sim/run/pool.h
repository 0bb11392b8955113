/* pool: tasks run in child processes, up to N at a time: the worker pool of
 * mnsim sweep, compare and size-queue.  The parent waits for whichever child
 * ends first and starts the next task; SIGINT/SIGTERM kill the children
 * still running (each runs in its own process group, so a terminal's ^C
 * reaches only the parent) and the pool returns the signal's number.  Also
 * here: the same for whole simulation runs, each in a child as
 * sim_run_isolated does, with their summaries handed back in task order. */
#ifndef MNSIM_POOL_H
#define MNSIM_POOL_H
#include "run.h"
#include <stddef.h>
#include <sys/types.h>

struct pool_ops {
	/* Forks task i: returns the child's pid (the child calls pool_child()
	 * first, and ends with _exit), or -1 if it could not start. */
	pid_t (*start)(void *ctx, size_t i);
	/* Task i's child ended with this waitpid status. */
	void (*done)(void *ctx, size_t i, pid_t pid, int status);
	/* On a signal: task i's child was killed and reaped (NULL: nothing to
	 * remove). */
	void (*killed)(void *ctx, size_t i, pid_t pid);
	/* The signal that stops a child (0: SIGKILL); SIGTERM for a child
	 * that runs simulations in children of its own and stops them. */
	int stop_signal;
};

/* Runs tasks 0..n-1, at most jobs at once.  Returns 0 when all ended (a task
 * that could not start counts as done with status -1), or the signal number
 * if SIGINT or SIGTERM stopped the pool. */
int pool_run(size_t n, int jobs, const struct pool_ops *ops, void *ctx);
/* Called first in a forked child: its own process group, default signals. */
void pool_child(void);
/* The number of processors online (at least 1): the default for -j. */
int pool_default_jobs(void);

/* Runs cfgs[0..n-1] like sim_run_isolated, jobs at a time; sums[i] gets
 * run i's summary and ok[i] whether it succeeded (a failed run's child has
 * printed why).  A signal stops every run, removes their temporary result
 * files and exits 128 + signal, as sim_run_isolated does.  on_done (may be
 * NULL) is told of each run as it ends, in the order they end.  Returns the
 * number of runs that failed. */
size_t pool_run_isolated(const struct run_config *cfgs, size_t n, int jobs, struct summary *sums, int *ok,
			 void (*on_done)(void *arg, size_t i, int ok), void *arg);

#endif
