/* pool: see pool.h. */
#include "pool.h"
#include "isolate.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t pool_signal;
static void on_signal(int sig) { pool_signal = sig; }

pid_t pool_fork(void)
{
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* die with the parent, even if it died before this line */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(1);
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return 0;
}

int pool_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

struct slot { pid_t pid; size_t task; };

int pool_run(size_t n, int jobs, const struct pool_ops *ops, void *ctx)
{
	if (jobs < 1)
		jobs = 1;
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	pool_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	struct slot *w = calloc((size_t)jobs, sizeof *w);
	if (!w)
		abort();
	size_t next = 0, running = 0;
	while ((next < n || running) && !pool_signal) {
		for (int k = 0; k < jobs && next < n && !pool_signal; k++) {
			if (w[k].pid)
				continue;
			fflush(NULL);
			size_t task = next++;
			pid_t pid = ops->start(ctx, task);
			if (pid < 0) {
				ops->done(ctx, task, -1, -1, -1, 0);
				continue;
			}
			setpgid(pid, pid); /* as the child does: whichever runs first */
			w[k] = (struct slot){pid, task};
			running++;
		}
		if (!running)
			continue;
		int status;
		struct rusage ru;
		pid_t pid = wait4(-1, &status, 0, &ru);
		if (pid < 0)
			continue; /* EINTR: a signal; the loop checks it */
		for (int k = 0; k < jobs; k++)
			if (w[k].pid == pid) {
				w[k].pid = 0;
				running--;
				ops->done(ctx, w[k].task, pid, status, ru.ru_maxrss, 0);
			}
	}
	int sig = pool_signal;
	for (int k = 0; sig && k < jobs; k++)
		if (w[k].pid) {
			int status = 0;
			kill(w[k].pid, ops->stop_signal ? ops->stop_signal : SIGKILL);
			while (waitpid(w[k].pid, &status, 0) < 0 && errno == EINTR)
				;
			ops->done(ctx, w[k].task, w[k].pid, status, -1, 1);
		}
	free(w);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return sig;
}

/* ---- whole runs, as sim_run_isolated ---- */

struct isolated {
	const struct run_config *cfgs;
	struct summary *sums;
	int *ok;
	struct isolate_child **child;
	size_t failed;
	void (*on_done)(void *arg, size_t i, int ok);
	void *arg;
};

static pid_t start_run(void *ctx, size_t i)
{
	struct isolated *r = ctx;
	char err[1024];
	if (!(r->child[i] = isolate_spawn(&r->cfgs[i], -1, 0, err, sizeof err))) {
		fprintf(stderr, "mnsim: %s\n", err);
		return -1;
	}
	return isolate_pid(r->child[i]);
}

static void run_done(void *ctx, size_t i, pid_t pid, int status, long maxrss_kib, int killed)
{
	(void)pid;
	struct isolated *r = ctx;
	char err[1024] = "";
	r->ok[i] = r->child[i] && isolate_reap(r->child[i], status, maxrss_kib, killed, &r->sums[i], err, sizeof err) == 0;
	r->child[i] = NULL;
	if (killed)
		return; /* the pool is stopping: nothing to say of this run */
	if (!r->ok[i]) {
		r->failed++;
		if (err[0])
			fprintf(stderr, "mnsim: %s\n", err);
	}
	if (r->on_done)
		r->on_done(r->arg, i, r->ok[i]);
}

size_t pool_run_isolated(const struct run_config *cfgs, size_t n, int jobs, struct summary *sums, int *ok,
			 void (*on_done)(void *arg, size_t i, int ok), void *arg)
{
	struct isolate_child **child = calloc(n + 1, sizeof *child);
	if (!child)
		abort();
	for (size_t i = 0; i < n; i++)
		ok[i] = 0;
	struct isolated r = {cfgs, sums, ok, child, 0, on_done, arg};
	static const struct pool_ops ops = {start_run, run_done, 0};
	int sig = pool_run(n, jobs, &ops, &r);
	free(child);
	if (sig) {
		fprintf(stderr, "mnsim: interrupted by %s; no result file was written for the runs still going\n", strsignal(sig));
		exit(128 + sig);
	}
	return r.failed;
}
