/* record: capturing a real program's memory operations with perf, for
 * `mnsim record`.  It runs a command (stopped at its exec while its
 * /proc/PID/maps and /proc/PID/pagemap are read, then traced with
 * `perf record -p`, which follows its children) or attaches to a running
 * process for some seconds, with the tracepoints of DESIGN.md section 10;
 * then `perf script` writes the text that import.h converts.  It needs root,
 * perf (Debian: linux-perf) and tracefs, which it mounts at
 * /sys/kernel/tracing when it is not mounted; each missing one is said at
 * once. */
#ifndef MNSIM_RECORD_H
#define MNSIM_RECORD_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct record_opts {
	char *const *argv;   /* the command to run, or NULL to attach */
	long pid;            /* attach: the process */
	double seconds;      /* attach: for how long */
	const char *dir;     /* where perf.data, perf.txt, maps and pages go (made if missing) */
};

/* What a capture left, for import_perf_script. */
struct record_result {
	char input[4200], maps[4200], pages[4200];
	/* capture lines: command, mode, kernel, perf, date, events, status */
	char values[8][512];
	const char *capture[16];
	size_t n_capture;
	long pid;            /* the recorded process */
	int status;          /* the command's wait status (launched commands) */
};

/* Whether recording can work here: root, perf, tracefs (mounted if needed)
 * and the required tracepoints.  Returns 0, or -1 with what is missing and
 * how to get it. */
int record_check(char *err, size_t errlen);
/* The events recorded: required ones, then the optional groups. */
void record_print_events(FILE *out);
/* Runs the capture into o->dir.  Returns 0, or -1 with the reason. */
int record_capture(const struct record_opts *o, struct record_result *r, char *err, size_t errlen);
/* Writes the pages of process pid present now as runs "START SIZE STATE"
 * (write: a private page of its own; zero: the zero page; cow: a page it
 * shares, with another process or the page cache), mapping by mapping of
 * its maps, to out.  Returns the number of pages, or -1 with the reason. */
long record_pagemap(long pid, FILE *out, char *err, size_t errlen);

#endif
