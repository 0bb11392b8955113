/* isolate: see isolate.h. */
#include "isolate.h"
#include "limits.h"
#include "outfile.h"
#include "textutil.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* The page the child writes and the parent reads after the child's end. */
struct shared {
	struct run_state state;
	volatile sig_atomic_t said; /* the child printed why it failed */
	volatile sig_atomic_t done; /* the summary is complete */
	struct summary sum;
};

struct isolate_child {
	pid_t pid;
	struct shared *sh;
	char *trace, *platform, *out;
};

static const char *const phase_text[RUN_PHASES] = {
	[RUN_STARTING] = "starting",
	[RUN_TRACE] = "reading the trace",
	[RUN_PLATFORM] = "SimGrid was loading the platform",
	[RUN_SETUP] = "setting up the simulated machine",
	[RUN_MODEL] = "running the model",
	[RUN_RESULTS] = "writing the result file",
};

/* ---- the child ---- */

static struct shared *child_shared; /* in the child only, for its signal handlers */

/* A fatal signal in the child: keep errno for the parent (ENOMEM: an
 * allocation failed), remove a named temporary file, die of the signal. */
static void on_fatal(int sig)
{
	if (child_shared && !child_shared->state.abort_errno)
		child_shared->state.abort_errno = errno;
	outfile_unlink_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void child_main(const struct run_config *cfg, struct shared *sh, pid_t parent, int stderr_fd, int quiet)
{
	/* die with the parent, even if it died before this line */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(1);
	/* its own process group: a terminal's ^C reaches only the parent,
	 * which stops the child */
	setpgid(0, 0);
	child_shared = sh;
	struct sigaction sa = {.sa_handler = on_fatal};
	sigemptyset(&sa.sa_mask);
	static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &sa, NULL);
	/* past a file-size limit, or when the reader of -o - has gone, let
	 * write() fail (EFBIG, EPIPE) and say so rather than die */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (stderr_fd >= 0 && dup2(stderr_fd, 2) < 0)
		_exit(1);
	int null = quiet ? open("/dev/null", O_WRONLY) : -1;
	if (quiet && (null < 0 || dup2(null, 1) < 0))
		_exit(1);
	struct run_config c = *cfg;
	c.state = &sh->state;
	struct summary sum;
	char err[1024];
	if (sim_run(&c, &sum, err, sizeof err) != 0) {
		fprintf(stderr, "mnsim: %s\n", err);
		sh->said = 1;
		fflush(NULL);
		_exit(1);
	}
	memcpy(&sh->sum, &sum, sizeof sum);
	sh->done = 1;
	fflush(NULL);
	_exit(0);
}

struct isolate_child *isolate_spawn(const struct run_config *cfg, int stderr_fd, int quiet, char *err, size_t errlen)
{
	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		failf(err, errlen, "mmap: %s", strerror(errno));
		return NULL;
	}
	memset(sh, 0, sizeof *sh);
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		failf(err, errlen, "fork: %s", strerror(errno));
		munmap(sh, sizeof *sh);
		return NULL;
	}
	if (pid == 0)
		child_main(cfg, sh, parent, stderr_fd, quiet);
	setpgid(pid, pid);
	struct isolate_child *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->pid = pid;
	c->sh = sh;
	c->trace = strdup(cfg->trace_path);
	c->platform = strdup(cfg->platform_path ? cfg->platform_path : sim_default_platform());
	c->out = cfg->out_path ? strdup(cfg->out_path) : NULL;
	return c;
}

pid_t isolate_pid(const struct isolate_child *c) { return c->pid; }

/* ---- what the parent says about a child that died ---- */

/* "peak memory N MiB of this machine's M MiB" and the limits that apply. */
static void memory_facts(long maxrss_kib, char *buf, size_t len)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	struct rlimit as;
	int n = 0;
	buf[0] = '\0';
	if (maxrss_kib > 0)
		n += snprintf(buf + n, len - (size_t)n, "; its peak memory was %ld MiB", maxrss_kib / 1024);
	if (pages > 0 && page > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " of this machine's %lld MiB", (long long)pages * page / (1 << 20));
	if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; the address-space limit (ulimit -v) is %llu KiB",
			 (unsigned long long)(as.rlim_cur / 1024));
}

static void explain(const struct isolate_child *c, int status, long maxrss_kib, int killed_by_us, char *err, size_t errlen)
{
	const struct run_state *p = &c->sh->state;
	int phase = p->phase >= 0 && p->phase < RUN_PHASES ? (int)p->phase : RUN_STARTING;
	char mem[256], maps[256] = "";
	memory_facts(maxrss_kib, mem, sizeof mem);
	long max_maps = limits_read_number("/proc/sys/vm/max_map_count");
	if (max_maps > 0 && p->actors > 0 && 2L * p->actors > max_maps / 2)
		snprintf(maps, sizeof maps, ", or too many memory maps (%d SimGrid actors need about %d of vm.max_map_count=%ld)",
			 (int)p->actors, 2 * (int)p->actors, max_maps);
	if (WIFEXITED(status)) {
		if (phase == RUN_PLATFORM)
			failf(err, errlen, "SimGrid could not load the platform file %s (its message is above)", c->platform);
		else
			failf(err, errlen, "the simulation of %s ended with exit status %d while %s, without saying why (see the messages above)",
			      c->trace, WEXITSTATUS(status), phase_text[phase]);
		return;
	}
	int sig = WTERMSIG(status);
	char what[640];
	if (sig == SIGKILL && !killed_by_us)
		snprintf(what, sizeof what, "out of memory (killed, probably by the OOM killer%s)", mem);
	else if (sig == SIGABRT && p->abort_errno == ENOMEM)
		snprintf(what, sizeof what, "out of memory (an allocation failed%s%s)", mem, maps);
	else if (sig == SIGABRT && phase == RUN_PLATFORM)
		snprintf(what, sizeof what, "SimGrid could not load the platform file %s (its message is above)", c->platform);
	else if (sig == SIGABRT)
		snprintf(what, sizeof what, "an internal error of the model, a bug in mnsim and not in the inputs "
					    "(the message above says which check failed)");
	else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL)
		snprintf(what, sizeof what, "a crash: a bug in mnsim or SimGrid, or an actor's stack overflowing (SimGrid's "
					    "contexts/stack-size); a core dump or 'MNSIM_LOG=debug' says more");
	else if (sig == SIGPIPE)
		snprintf(what, sizeof what, "the reader of its output went away");
	else if (sig == SIGXCPU)
		snprintf(what, sizeof what, "the CPU-time limit (ulimit -t) was reached");
	else
		snprintf(what, sizeof what, "stopped by a signal from outside mnsim");
	failf(err, errlen, "the simulation of %s died of signal %d (%s) while %s: %s", c->trace, sig, strsignal(sig),
	      phase_text[phase], what);
}

int isolate_reap(struct isolate_child *c, int status, long maxrss_kib, int killed_by_us, struct summary *out, char *err,
		 size_t errlen)
{
	int rc = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && c->sh->done) {
		memcpy(out, &c->sh->sum, sizeof *out);
	} else {
		rc = -1;
		if (c->out) { /* a child that was killed cannot clean up after itself */
			char tmp[4400];
			outfile_temp_name(c->out, (long)c->pid, tmp, sizeof tmp);
			unlink(tmp);
		}
		if (WIFEXITED(status) && c->sh->said)
			err[0] = '\0'; /* the child has said why */
		else
			explain(c, status, maxrss_kib, killed_by_us, err, errlen);
	}
	munmap(c->sh, sizeof *c->sh);
	free(c->trace);
	free(c->platform);
	free(c->out);
	free(c);
	return rc;
}

/* ---- one run at a time ---- */

/* The child being waited for, so that SIGINT/SIGTERM can be passed on. */
static volatile sig_atomic_t running_child, caught_signal;

/* The child is stopped with SIGKILL: SimGrid's own SIGINT handler would
 * only print noise, and the parent removes what the child leaves. */
static void forward_signal(int sig)
{
	caught_signal = sig;
	if (running_child > 0)
		kill((pid_t)running_child, SIGKILL);
}

int sim_run_isolated(const struct run_config *cfg, struct summary *out, char *err, size_t errlen)
{
	struct sigaction sa = {.sa_handler = forward_signal}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	struct isolate_child *c = isolate_spawn(cfg, -1, 0, err, errlen);
	if (!c) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		return -1;
	}
	running_child = c->pid;
	if (caught_signal) /* a signal that came before the child was known */
		kill(c->pid, SIGKILL);
	int status = 0;
	struct rusage ru = {0};
	while (wait4(c->pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	running_child = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	int rc = isolate_reap(c, status, ru.ru_maxrss, caught_signal != 0, out, err, errlen);
	if (rc != 0 && caught_signal) {
		int sig = caught_signal;
		fprintf(stderr, "mnsim: interrupted by %s; no result file was written for %s\n", strsignal(sig),
			cfg->out_path ? cfg->out_path : cfg->trace_path);
		exit(128 + sig);
	}
	return rc;
}
