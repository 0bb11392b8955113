/* import: turns the text of `perf script` for the events of DESIGN.md
 * section 10 (page faults, page allocations, TLB flushes, the memory system
 * calls, fork, exec and exit) into an mnsim trace of format 2: every fault
 * becomes the CPU access that made it (the model decides, as the kernel
 * does, whether it is a first touch, a copy-on-write, a reuse or a zero
 * fault), every memory system call the op it is, forks make forked
 * processes and exits release them.  A snapshot of the recorded process
 * (its /proc/PID/maps, and the pages present, from pagemap) gives the state
 * when the capture starts.  The device side is synthetic: `mnsim gen`'s
 * device keys over the pages the process touched, and the trace says so.
 *
 * The input is read twice (once to learn the address spaces, once to write),
 * streaming: memory grows with the number of processes and the pages they
 * touch, never with the number of events.  Both field layouts are read:
 * perf's default one and `-F comm,pid,tid,cpu,time,event,trace`.  A line
 * that is not an event of that form is an error naming file:line; every
 * event is counted, by kind, as mapped to ops, without effect on the model,
 * ambiguous or unusable. */
#ifndef MNSIM_IMPORT_H
#define MNSIM_IMPORT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gen_spec;

struct import_opts {
	const char *input;  /* perf script text (a file: it is read twice) */
	const char *maps;   /* the recorded process's /proc/PID/maps at the start, or NULL */
	const char *pages;  /* its present pages (mnsim record's pagemap summary), or NULL */
	long pid;           /* the recorded process; 0: the first process in the capture */
	struct gen_spec *dev;       /* the synthetic device side */
	int bind_busiest;           /* bind the devices to the address space that made the most ops */
	long bind_pid;              /* or to this process's first one (0: the recorded process's) */
	int device_gap_given;       /* else device_gap is set so that the streams span the recorded process's time */
	int ats;                    /* 0 or 1: 'param ats' in the trace (the devices without or with ATS); -1: the platform's */
	/* capture lines for the header (key, value), e.g. command, kernel, perf, date */
	const char *const *capture;
	size_t n_capture;
	int progress;       /* print progress on stderr */
};

struct import_stats;

/* Writes the trace to out.  Returns 0, or -1 with file:line and what was
 * expected in err. */
int import_perf_script(const struct import_opts *o, FILE *out, struct import_stats **stats, char *err, size_t errlen);
/* The summary the trace header records: events by kind, and how many
 * were mapped, without effect, ambiguous or unusable, by kind; the ops
 * written by kind; the fault-classification rules' counts. */
void import_print_summary(const struct import_stats *st, FILE *f);
/* One count by name (e.g. "ops_write", "rule_cow"), 0 if none. */
uint64_t import_stat(const struct import_stats *st, const char *name);
void import_stats_free(struct import_stats *st);

#endif
