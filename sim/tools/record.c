/* record: see record.h. */
#include "record.h"
#include "textutil.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"

/* DESIGN.md 10: the events the import rules read.  Every one must exist. */
static const char *const required[] = {
	"exceptions:page_fault_user", "kmem:mm_page_alloc", "tlb:tlb_flush",
	"syscalls:sys_enter_mmap", "syscalls:sys_exit_mmap", "syscalls:sys_enter_munmap", "syscalls:sys_exit_munmap",
	"syscalls:sys_enter_mprotect", "syscalls:sys_exit_mprotect", "syscalls:sys_enter_madvise", "syscalls:sys_exit_madvise",
	"syscalls:sys_enter_mremap", "syscalls:sys_exit_mremap", "syscalls:sys_enter_brk", "syscalls:sys_exit_brk",
	"sched:sched_process_fork", "sched:sched_process_exit", "sched:sched_process_exec", "task:task_newtask",
};
/* Recorded where the kernel has them, and counted (migrations become ops;
 * the others cannot be tied to an address of the process). */
static const char *const optional[] = {"migrate", "vmscan", "ksm", "thp", "huge_memory"};

void record_print_events(FILE *out)
{
	fprintf(out, "required:\n");
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		fprintf(out, "  %s\n", required[i]);
	fprintf(out, "recorded where the kernel has them (every event of the group):\n");
	for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
		fprintf(out, "  %s:*\n", optional[i]);
}

static int event_exists(const char *ev)
{
	char path[512];
	const char *colon = strchr(ev, ':');
	snprintf(path, sizeof path, TRACEFS "/events/%.*s/%s", (int)(colon - ev), ev, colon + 1);
	return access(path, F_OK) == 0;
}

static int group_exists(const char *group)
{
	char path[512];
	snprintf(path, sizeof path, TRACEFS "/events/%s", group);
	return access(path, F_OK) == 0;
}

/* Runs argv with stdout to out_path (NULL: a pipe read into buf) and stderr
 * to err_path (NULL: /dev/null); returns the wait status, or -1. */
static int run_cmd(char *const *argv, const char *out_path, const char *err_path, char *buf, size_t len)
{
	int fds[2] = {-1, -1};
	if (!out_path && pipe(fds) != 0)
		return -1;
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		int o = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : fds[1];
		int e = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		if (fds[0] >= 0)
			close(fds[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (!out_path) {
		close(fds[1]);
		size_t got = 0;
		ssize_t n;
		while (len && got + 1 < len && (n = read(fds[0], buf + got, len - 1 - got)) > 0)
			got += (size_t)n;
		if (len)
			buf[got] = '\0';
		close(fds[0]);
	}
	int st;
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

int record_check(char *err, size_t errlen)
{
	if (geteuid() != 0)
		return failf(err, errlen, "recording needs root (perf reads the kernel's tracepoints): run it as root, e.g. sudo mnsim record ...");
	char version[256];
	char *const argv[] = {"perf", "--version", NULL};
	int st = run_cmd(argv, NULL, NULL, version, sizeof version);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || strncmp(version, "perf version", 12) != 0)
		return failf(err, errlen, "perf is missing or does not run: install the Debian package linux-perf (apt-get install linux-perf)");
	if (access(TRACEFS "/events", F_OK) != 0) {
		/* as root, mount it where perf looks for it */
		if (mount("nodev", TRACEFS, "tracefs", 0, NULL) != 0 || access(TRACEFS "/events", F_OK) != 0)
			return failf(err, errlen, "tracefs is not mounted at " TRACEFS " and cannot be mounted (%s): the kernel needs "
				     "CONFIG_TRACING; or mount it: mount -t tracefs nodev " TRACEFS, strerror(errno));
	}
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!event_exists(required[i]))
			return failf(err, errlen, "the kernel has no tracepoint %s (in " TRACEFS "/events): %s", required[i],
				     strncmp(required[i], "syscalls:", 9) == 0 ? "it needs CONFIG_FTRACE_SYSCALLS" : "a kernel without it cannot be recorded");
	return 0;
}

/* ---- the snapshot ---- */

/* The zero page's frame: an untouched private page read maps it. */
static uint64_t zero_pfn(void)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0, pfn = 0;
	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 && pread(fd, &e, sizeof e, (off_t)((uintptr_t)p / 4096 * 8)) == sizeof e && (e >> 63))
		pfn = e & ((1ULL << 55) - 1);
	if (fd >= 0)
		close(fd);
	munmap((void *)p, 4096);
	return pfn;
}

long record_pagemap(long pid, FILE *out, char *err, size_t errlen)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/maps", pid);
	FILE *maps = fopen(path, "r");
	snprintf(path, sizeof path, "/proc/%ld/pagemap", pid);
	int pm = open(path, O_RDONLY);
	if (!maps || pm < 0) {
		if (maps)
			fclose(maps);
		if (pm >= 0)
			close(pm);
		return failf(err, errlen, "cannot read /proc/%ld/maps or pagemap: %s", pid, strerror(errno));
	}
	uint64_t zpfn = zero_pfn();
	char *line = NULL;
	size_t cap = 0;
	long pages = 0;
	static uint64_t buf[4096];
	while (getline(&line, &cap, maps) >= 0) {
		unsigned long long start, end;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &start, &end, perms) != 3 || end > (1ULL << 47))
			continue;
		if (end - start > (16ULL << 30)) {
			fprintf(out, "# %#llx-%#llx: more than 16 GiB, its pages not read\n", start, end);
			continue;
		}
		int shared = perms[3] == 's';
		const char *run = NULL;
		uint64_t run_start = 0;
		for (uint64_t a = start; a < end;) {
			size_t n = (size_t)((end - a) / 4096);
			if (n > 4096)
				n = 4096;
			ssize_t got = pread(pm, buf, n * 8, (off_t)(a / 4096 * 8));
			if (got <= 0)
				break;
			n = (size_t)got / 8;
			for (size_t i = 0; i < n; i++, a += 4096) {
				uint64_t e = buf[i], pfn = e & ((1ULL << 55) - 1);
				const char *state = NULL;
				if (e >> 63) { /* present */
					if (shared)
						state = "write";
					else if (zpfn && pfn == zpfn)
						state = "zero";
					else if ((e >> 61) & 1) /* a page-cache page */
						state = "cow";
					else
						state = (e >> 56) & 1 ? "write" : "cow"; /* exclusive, or shared since a fork */
					pages++;
				}
				if (state != run) {
					if (run)
						fprintf(out, "%#" PRIx64 " %#" PRIx64 " %s\n", run_start, a - run_start, run);
					run = state;
					run_start = a;
				}
			}
		}
		if (run)
			fprintf(out, "%#" PRIx64 " %#" PRIx64 " %s\n", run_start, (uint64_t)(end - run_start), run);
	}
	free(line);
	fclose(maps);
	close(pm);
	return pages;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	FILE *in = fopen(from, "r"), *out = in ? fopen(to, "w") : NULL;
	char buf[65536];
	size_t n;
	int rc = in && out ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc ? failf(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno)) : 0;
}

static int snapshot(long pid, struct record_result *r, char *err, size_t errlen)
{
	char maps[64];
	snprintf(maps, sizeof maps, "/proc/%ld/maps", pid);
	if (copy_file(maps, r->maps, err, errlen) != 0)
		return -1;
	FILE *f = fopen(r->pages, "w");
	if (!f)
		return failf(err, errlen, "cannot create %s: %s", r->pages, strerror(errno));
	fprintf(f, "# present pages of process %ld when recording started (mnsim record, from /proc/%ld/pagemap)\n", pid, pid);
	long n = record_pagemap(pid, f, err, errlen);
	if (fclose(f) != 0 && n >= 0)
		return failf(err, errlen, "cannot write %s: %s", r->pages, strerror(errno));
	return n < 0 ? -1 : 0;
}

/* ---- perf ---- */

static pid_t start_perf(const struct record_opts *o, long pid, const char *data, const char *ctl, const char *ack, char *events,
			const char *log)
{
	char pidtext[32];
	snprintf(pidtext, sizeof pidtext, "%ld", pid);
	char ctlarg[4200];
	snprintf(ctlarg, sizeof ctlarg, "fifo:%s,%s", ctl, ack);
	char *argv[] = {"perf", "record", "-q", "-e", events, "-p", pidtext, "-o", (char *)data, "--control", ctlarg, "-D", "-1", NULL};
	(void)o;
	pid_t p = fork();
	if (p == 0) {
		int e = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644), nul = open("/dev/null", O_RDONLY);
		if (e < 0 || nul < 0 || dup2(e, 2) < 0 || dup2(e, 1) < 0 || dup2(nul, 0) < 0)
			_exit(126);
		signal(SIGINT, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	return p;
}

static int alive(pid_t p)
{
	int st;
	return waitpid(p, &st, WNOHANG) == 0;
}

/* Tells perf to start, and waits for its "ack" (10 s at most). */
static int enable_perf(pid_t perf, const char *ctl, const char *ack, const char *log, char *err, size_t errlen)
{
	int fd = -1;
	for (int i = 0; i < 1000 && fd < 0; i++) {
		fd = open(ctl, O_WRONLY | O_NONBLOCK);
		if (fd < 0) {
			if (!alive(perf))
				return failf(err, errlen, "perf record stopped at once (see %s)", log);
			usleep(10000);
		}
	}
	int afd = open(ack, O_RDONLY | O_NONBLOCK);
	if (fd < 0 || afd < 0 || write(fd, "enable\n", 7) != 7) {
		if (fd >= 0)
			close(fd);
		if (afd >= 0)
			close(afd);
		return failf(err, errlen, "cannot talk to perf record through %s: %s (see %s)", ctl, strerror(errno), log);
	}
	char buf[16] = "";
	ssize_t got = 0;
	for (int i = 0; i < 1000 && got <= 0; i++) {
		struct pollfd pfd = {afd, POLLIN, 0};
		if (poll(&pfd, 1, 10) > 0)
			got = read(afd, buf, sizeof buf - 1);
		if (got <= 0 && !alive(perf))
			break;
	}
	close(fd);
	close(afd);
	if (got <= 0 || strncmp(buf, "ack", 3) != 0)
		return failf(err, errlen, "perf record did not start recording (see %s)", log);
	return 0;
}

/* Waits for perf to end (it does when the traced processes have); after
 * `grace` seconds, tells it to with SIGINT. */
static int stop_perf(pid_t perf, double grace, const char *log, char *err, size_t errlen)
{
	int st = 0;
	for (int i = 0; grace >= 0 && i < (int)(grace * 100); i++) {
		pid_t w = waitpid(perf, &st, WNOHANG);
		if (w == perf)
			goto done;
		usleep(10000);
	}
	kill(perf, SIGINT);
	while (waitpid(perf, &st, 0) < 0)
		if (errno != EINTR)
			return failf(err, errlen, "cannot wait for perf: %s", strerror(errno));
done:
	/* perf record re-raises the SIGINT it was stopped with, once its file is written */
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0) && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT))
		return failf(err, errlen, "perf record failed (see %s)", log);
	return 0;
}

static void join_words(char *const *argv, char *buf, size_t len)
{
	buf[0] = '\0';
	int words = 0;
	for (int i = 0; argv[i] && words < 24; i++, words++) {
		size_t at = strlen(buf);
		snprintf(buf + at, len - at, "%s%s", i ? " " : "", argv[i]);
	}
	if (argv[words])
		snprintf(buf + strlen(buf), len - strlen(buf), " ...");
	for (char *c = buf; *c; c++) /* the trace is ASCII text and '#' starts a comment */
		if (*c < 0x20 || *c >= 0x7f || *c == '#')
			*c = '?';
}

static void add_capture(struct record_result *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_capture(struct record_result *r, const char *key, const char *fmt, ...)
{
	size_t k = r->n_capture;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->values[k], sizeof r->values[k], fmt, ap);
	va_end(ap);
	for (char *c = r->values[k]; *c; c++)
		if (*c < 0x20 || *c >= 0x7f || *c == '#')
			*c = '?';
	r->capture[2 * k] = key;
	r->capture[2 * k + 1] = r->values[k];
	r->n_capture++;
}

int record_capture(const struct record_opts *o, struct record_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	if (mkdir(o->dir, 0755) != 0 && errno != EEXIST)
		return failf(err, errlen, "cannot make %s: %s", o->dir, strerror(errno));
	char data[4200], ctl[4200], ack[4200], log[4200], events[2048] = "";
	snprintf(data, sizeof data, "%s/perf.data", o->dir);
	snprintf(ctl, sizeof ctl, "%s/perf.ctl", o->dir);
	snprintf(ack, sizeof ack, "%s/perf.ack", o->dir);
	snprintf(log, sizeof log, "%s/perf.log", o->dir);
	snprintf(r->input, sizeof r->input, "%s/perf.txt", o->dir);
	snprintf(r->maps, sizeof r->maps, "%s/maps", o->dir);
	snprintf(r->pages, sizeof r->pages, "%s/pages", o->dir);
	unlink(ctl);
	unlink(ack);
	if (mkfifo(ctl, 0600) != 0 || mkfifo(ack, 0600) != 0)
		return failf(err, errlen, "cannot make fifos in %s: %s", o->dir, strerror(errno));
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		snprintf(events + strlen(events), sizeof events - strlen(events), "%s%s", i ? "," : "", required[i]);
	char optional_seen[256] = "", optional_missing[256] = "";
	for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
		char *list = group_exists(optional[i]) ? optional_seen : optional_missing;
		snprintf(list + strlen(list), 256 - strlen(list), "%s%s:*", *list ? " " : "", optional[i]);
		if (list == optional_seen)
			snprintf(events + strlen(events), sizeof events - strlen(events), ",%s:*", optional[i]);
	}
	struct utsname u;
	uname(&u);
	char perfv[256] = "";
	char *const vargv[] = {"perf", "--version", NULL};
	run_cmd(vargv, NULL, NULL, perfv, sizeof perfv);
	perfv[strcspn(perfv, "\n")] = '\0';
	char date[64];
	time_t now = time(NULL);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	pid_t child = -1, perf = -1;
	int rc = 0;
	void (*old_int)(int) = signal(SIGINT, SIG_IGN); /* ^C stops the command; the capture is still converted */
	if (o->argv) {
		/* the command stops at its exec: its first state is read, then perf attaches */
		int report[2];
		if (pipe2(report, O_CLOEXEC) != 0)
			return failf(err, errlen, "pipe: %s", strerror(errno));
		child = fork();
		if (child == 0) {
			signal(SIGINT, old_int);
			close(report[0]);
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
			execvp(o->argv[0], o->argv);
			int e = errno;
			if (write(report[1], &e, sizeof e) < 0)
				_exit(127);
			_exit(127);
		}
		close(report[1]);
		int e = 0, st;
		ssize_t got = read(report[0], &e, sizeof e);
		close(report[0]);
		if (waitpid(child, &st, 0) != child || got == sizeof e || !WIFSTOPPED(st)) {
			signal(SIGINT, old_int);
			return failf(err, errlen, "cannot run %s: %s", o->argv[0], got == sizeof e ? strerror(e) : "it did not stop at its exec");
		}
		r->pid = child;
		rc = snapshot(child, r, err, errlen);
		if (rc == 0 && (perf = start_perf(o, child, data, ctl, ack, events, log)) < 0)
			rc = failf(err, errlen, "cannot start perf: %s", strerror(errno));
		if (rc == 0)
			rc = enable_perf(perf, ctl, ack, log, err, errlen);
		ptrace(PTRACE_DETACH, child, NULL, NULL);
		if (rc != 0)
			kill(child, SIGKILL);
		while (waitpid(child, &r->status, 0) < 0 && errno == EINTR)
			;
		if (perf > 0) {
			char scratch[512];
			int s = stop_perf(perf, rc == 0 ? 10 : 0, log, rc ? scratch : err, rc ? sizeof scratch : errlen);
			if (rc == 0)
				rc = s;
		}
		char cmd[400];
		join_words(o->argv, cmd, sizeof cmd);
		add_capture(r, "command", "%s", cmd);
		add_capture(r, "mode", "launched, stopped at its exec to read /proc/%ld/maps and pagemap, then perf record -p %ld", (long)child,
			    (long)child);
		add_capture(r, "exit_status", "%d%s", WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128 + WTERMSIG(r->status),
			    WIFSIGNALED(r->status) ? " (killed by a signal)" : "");
	} else {
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/%ld", o->pid);
		if (access(proc, F_OK) != 0) {
			signal(SIGINT, old_int);
			return failf(err, errlen, "no process %ld", o->pid);
		}
		r->pid = o->pid;
		if ((perf = start_perf(o, o->pid, data, ctl, ack, events, log)) < 0)
			rc = failf(err, errlen, "cannot start perf: %s", strerror(errno));
		if (rc == 0)
			rc = enable_perf(perf, ctl, ack, log, err, errlen);
		/* after perf is on: what happens meanwhile is in both, which is harmless */
		if (rc == 0)
			rc = snapshot(o->pid, r, err, errlen);
		if (rc == 0) {
			struct timespec ts = {(time_t)o->seconds, (long)((o->seconds - (double)(time_t)o->seconds) * 1e9)};
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR && alive(perf))
				;
		}
		if (perf > 0) {
			char scratch[512];
			int s = stop_perf(perf, 0, log, rc ? scratch : err, rc ? sizeof scratch : errlen);
			if (rc == 0)
				rc = s;
		}
		char cmdline[64], cmd[400] = "";
		snprintf(cmdline, sizeof cmdline, "/proc/%ld/cmdline", o->pid);
		FILE *f = fopen(cmdline, "r");
		if (f) {
			size_t n = fread(cmd, 1, sizeof cmd - 1, f);
			for (size_t i = 0; i + 1 < n; i++)
				if (!cmd[i])
					cmd[i] = ' ';
			cmd[n] = '\0';
			for (size_t i = n; i > 0 && (cmd[i - 1] == ' ' || cmd[i - 1] == '\0'); i--)
				cmd[i - 1] = '\0'; /* a process title padded with blanks */
			fclose(f);
		}
		add_capture(r, "command", "%s", *cmd ? cmd : "(unknown)");
		add_capture(r, "mode", "attached to process %ld for %gs (perf record -p), /proc/%ld/maps and pagemap read once perf was on",
			    o->pid, o->seconds, o->pid);
	}
	signal(SIGINT, old_int);
	add_capture(r, "kernel", "%s %s", u.sysname, u.release);
	add_capture(r, "perf", "%s", perfv);
	add_capture(r, "date", "%s", date);
	add_capture(r, "events_optional", "%s%s%s", *optional_seen ? optional_seen : "none", *optional_missing ? "; missing: " : "",
		    optional_missing);
	if (rc != 0)
		return -1;
	/* the text the importer reads */
	char *sargv[] = {"perf", "script", "-i", data, "--ns", "-F", "comm,pid,tid,cpu,time,event,trace", NULL};
	char serr[4200];
	snprintf(serr, sizeof serr, "%s/perf-script.log", o->dir);
	int st = run_cmd(sargv, r->input, serr, NULL, 0);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return failf(err, errlen, "perf script failed (see %s)", serr);
	return 0;
}
