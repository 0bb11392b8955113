/* isolate: see isolate.h. */
#include "isolate.h"
#include "textutil.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t put = 0;
	while (put < n) {
		ssize_t w = write(fd, (const char *)buf + put, n - put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

/* The child being waited for, so that SIGINT/SIGTERM can be passed on. */
static volatile sig_atomic_t running_child, caught_signal;

/* The child runs in its own process group (a terminal's ^C reaches only the
 * parent) and is stopped with SIGKILL: SimGrid's own SIGINT handler would
 * only print noise, and the parent removes what the child leaves. */
static void forward_signal(int sig)
{
	caught_signal = sig;
	if (running_child > 0)
		kill((pid_t)running_child, SIGKILL);
}

static void remove_child_tmp(const struct run_config *cfg, pid_t pid)
{
	if (!cfg->out_path)
		return;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", cfg->out_path, (long)pid);
	unlink(tmp);
}

int sim_run_isolated(const struct run_config *cfg, struct summary *out, char *err, size_t errlen)
{
	int fds[2];
	if (pipe(fds) != 0)
		return failf(err, errlen, "pipe: %m");
	struct sigaction sa = {.sa_handler = forward_signal}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return failf(err, errlen, "fork: %m");
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		/* past a file-size limit, let write() fail (EFBIG) rather than die */
		signal(SIGXFSZ, SIG_IGN);
		close(fds[0]);
		struct summary sum;
		char cerr[1024];
		if (sim_run(cfg, &sum, cerr, sizeof cerr) != 0) {
			fprintf(stderr, "mnsim: %s\n", cerr);
			fflush(NULL);
			_exit(1);
		}
		fflush(NULL);
		_exit(write_full(fds[1], &sum, sizeof sum) == 0 ? 0 : 1);
	}
	setpgid(pid, pid);
	running_child = pid;
	if (caught_signal) /* a signal that came before the child was known */
		kill(pid, SIGKILL);
	close(fds[1]);
	int got = read_full(fds[0], out, sizeof *out);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	running_child = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == 0)
		return 0;
	remove_child_tmp(cfg, pid); /* a child that died cannot clean up after itself */
	if (caught_signal) {
		int sig = caught_signal;
		fprintf(stderr, "mnsim: interrupted by %s; no result file was written for %s\n", strsignal(sig),
			cfg->out_path ? cfg->out_path : cfg->trace_path);
		exit(128 + sig);
	}
	if (WIFSIGNALED(status))
		return failf(err, errlen, "the simulation of %s was aborted by signal %d (%s); a SimGrid parse error above "
				     "means the platform file %s is malformed",
			     cfg->trace_path, WTERMSIG(status), strsignal(WTERMSIG(status)), cfg->platform_path);
	err[0] = '\0'; /* the child has said why */
	return -1;
}
