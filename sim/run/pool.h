/* pool: tasks run in child processes, up to N at a time: the worker pool of
 * mnsim sweep, compare and size-queue.  The parent waits for whichever child
 * ends first and starts the next task; SIGINT/SIGTERM kill the children
 * still running (each runs in its own process group, so a terminal's ^C
 * reaches only the parent) and the pool returns the signal's number.  Every
 * child dies with its parent (PR_SET_PDEATHSIG).  Also here: the same for
 * whole simulation runs (isolate.h's children, so that a run that dies is
 * explained as sim_run_isolated explains it), with their summaries handed
 * back in task order. */
#ifndef MNSIM_POOL_H
#define MNSIM_POOL_H
#include "run.h"
#include <stddef.h>
#include <sys/types.h>

struct pool_ops {
	/* Starts task i in a child (pool_fork, or isolate_spawn): returns the
	 * child's pid, or -1 if it could not start. */
	pid_t (*start)(void *ctx, size_t i);
	/* Task i's child ended: its wait status and peak memory in KiB (-1 if
	 * unknown); killed: the pool killed it (a signal stopped the pool).  A
	 * task that could not start is done with pid -1 and status -1. */
	void (*done)(void *ctx, size_t i, pid_t pid, int status, long maxrss_kib, int killed);
	/* The signal that stops a child (0: SIGKILL); SIGTERM for a child
	 * that runs simulations in children of its own and stops them. */
	int stop_signal;
};

/* Runs tasks 0..n-1, at most jobs at once.  Returns 0 when all ended, or
 * the signal number if SIGINT or SIGTERM stopped the pool. */
int pool_run(size_t n, int jobs, const struct pool_ops *ops, void *ctx);
/* fork() for a task: in the child (0 is returned) it dies with its parent,
 * has its own process group and default SIGINT/SIGTERM. */
pid_t pool_fork(void);
/* The number of processors online (at least 1): the default for -j. */
int pool_default_jobs(void);

/* Runs cfgs[0..n-1] like sim_run_isolated, jobs at a time; sums[i] gets
 * run i's summary and ok[i] whether it succeeded (why a run failed is
 * printed).  A signal stops every run, removes what they began and exits
 * 128 + signal, as sim_run_isolated does.  on_done (may be NULL) is told of
 * each run as it ends, in the order they end.  Returns the number of runs
 * that failed. */
size_t pool_run_isolated(const struct run_config *cfgs, size_t n, int jobs, struct summary *sums, int *ok,
			 void (*on_done)(void *arg, size_t i, int ok), void *arg);

#endif
