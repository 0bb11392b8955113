/* pool: see pool.h. */
#include "pool.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t pool_signal;
static void on_signal(int sig) { pool_signal = sig; }

void pool_child(void)
{
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
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
				ops->done(ctx, task, -1, -1);
				continue;
			}
			setpgid(pid, pid); /* as the child does: whichever runs first */
			w[k] = (struct slot){pid, task};
			running++;
		}
		if (!running)
			continue;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0)
			continue; /* EINTR: a signal; the loop checks it */
		for (int k = 0; k < jobs; k++)
			if (w[k].pid == pid) {
				w[k].pid = 0;
				running--;
				ops->done(ctx, w[k].task, pid, status);
			}
	}
	int sig = pool_signal;
	for (int k = 0; sig && k < jobs; k++)
		if (w[k].pid) {
			kill(w[k].pid, ops->stop_signal ? ops->stop_signal : SIGKILL);
			while (waitpid(w[k].pid, NULL, 0) < 0 && errno == EINTR)
				;
			if (ops->killed)
				ops->killed(ctx, w[k].task, w[k].pid);
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
	int *ok, *fd;
	size_t failed;
	void (*on_done)(void *arg, size_t i, int ok);
	void *arg;
};

static int write_full(int fd, const void *buf, size_t n)
{
	for (size_t put = 0; put < n;) {
		ssize_t w = write(fd, (const char *)buf + put, n - put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* The summary is a few KiB, less than a pipe holds: the child never waits
 * for the parent to read it. */
static pid_t start_run(void *ctx, size_t i)
{
	struct isolated *r = ctx;
	int fds[2];
	if (pipe(fds) != 0) {
		fprintf(stderr, "mnsim: pipe: %s\n", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid != 0) {
		close(fds[1]);
		if (pid < 0) {
			fprintf(stderr, "mnsim: fork: %s\n", strerror(errno));
			close(fds[0]);
		}
		r->fd[i] = pid < 0 ? -1 : fds[0];
		return pid;
	}
	pool_child();
	signal(SIGXFSZ, SIG_IGN); /* past a file-size limit, let write() fail (EFBIG) */
	close(fds[0]);
	struct summary sum;
	char err[1024];
	if (sim_run(&r->cfgs[i], &sum, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim: %s\n", err);
		fflush(NULL);
		_exit(1);
	}
	fflush(NULL);
	_exit(write_full(fds[1], &sum, sizeof sum) == 0 ? 0 : 1);
}

static void remove_tmp(const struct run_config *cfg, pid_t pid)
{
	if (!cfg->out_path || pid <= 0)
		return;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", cfg->out_path, (long)pid);
	unlink(tmp);
}

static void run_done(void *ctx, size_t i, pid_t pid, int status)
{
	struct isolated *r = ctx;
	int got = r->fd[i] >= 0 && read_full(r->fd[i], &r->sums[i], sizeof r->sums[i]) == 0;
	if (r->fd[i] >= 0)
		close(r->fd[i]);
	r->fd[i] = -1;
	r->ok[i] = got && status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (r->on_done)
		r->on_done(r->arg, i, r->ok[i]);
	if (r->ok[i])
		return;
	r->failed++;
	remove_tmp(&r->cfgs[i], pid); /* a child that died cannot clean up after itself */
	if (status >= 0 && WIFSIGNALED(status))
		fprintf(stderr, "mnsim: the simulation of %s was aborted by signal %d (%s); a SimGrid parse error above "
				"means the platform file %s is malformed\n",
			r->cfgs[i].trace_path, WTERMSIG(status), strsignal(WTERMSIG(status)), r->cfgs[i].platform_path);
}

static void run_killed(void *ctx, size_t i, pid_t pid)
{
	struct isolated *r = ctx;
	remove_tmp(&r->cfgs[i], pid);
}

size_t pool_run_isolated(const struct run_config *cfgs, size_t n, int jobs, struct summary *sums, int *ok,
			 void (*on_done)(void *arg, size_t i, int ok), void *arg)
{
	int *fd = malloc((n + 1) * sizeof *fd);
	if (!fd)
		abort();
	for (size_t i = 0; i < n; i++)
		fd[i] = -1, ok[i] = 0;
	struct isolated r = {cfgs, sums, ok, fd, 0, on_done, arg};
	static const struct pool_ops ops = {start_run, run_done, run_killed, 0};
	int sig = pool_run(n, jobs, &ops, &r);
	for (size_t i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(fd);
	if (sig) {
		fprintf(stderr, "mnsim: interrupted by %s; no result file was written for the runs still going\n", strsignal(sig));
		exit(128 + sig);
	}
	return r.failed;
}
