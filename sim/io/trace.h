/* trace: the versioned, line-oriented workload format (workloads/README.md).
 * trace_load() reads a whole trace once, streaming, and validates every line
 * (declarations and events) so that a run never starts on a bad file; it keeps
 * only the declarations, and where each stream's events lie in the file.  A
 * trace_cursor then streams the events of one CPU or device thread, reading
 * only that stretch of the file (the whole trace once in all, when each
 * stream's events come in one block, as mnsim gen writes them), so memory
 * does not grow with the length of the trace. */
#ifndef MNSIM_TRACE_H
#define MNSIM_TRACE_H
#include "optable.h"
#include "params.h"
#include "rangeset.h"
#include <stddef.h>
#include <stdint.h>

/* the newest format version; version 1 traces are read as they always were */
#define TRACE_VERSION 2
/* Times beyond this are typing mistakes, and would cost SimGrid its precision. */
#define TRACE_MAX_TIME 1e6

enum populate { POP_NONE, POP_ZERO, POP_WRITE, POP_COW, POP_ZEROED };

/* forked (format 2): no address space until a fork op makes it a copy of its parent's */
struct trace_process { char *name; unsigned pasid; int forked; };
/* ro, shared (format 2): a read-only mapping; a MAP_SHARED one (a first read
 * allocates a page, fork shares its pages without write-protecting them) */
struct trace_map { int process; uint64_t start, size; int huge; enum populate populate; int line; uint8_t ro, shared; };
/* present (format 2): the state of pages inside a map when the trace starts
 * (the importer takes it from /proc/PID/pagemap) */
struct trace_present { int process; uint64_t start, size; enum populate populate; int line; };
/* capture (format 2): how a recorded trace was made; key and the rest of the line */
struct trace_capture { char *key, *value; };
struct trace_device { char *name; int process; int line; };
struct trace_stream {
	char *name; int is_device; int owner; char *core; int line;
	/* the bytes of the file that hold its events (a cursor reads only
	 * those), and the number of lines before them; 0, 0, 0 if none */
	long events_from, events_to; int lines_before;
};
struct trace_expect { char *policy; char *key; char cmp[3]; double value; int line; };

struct trace_index;

struct trace_header {
	char *path;
	int version;
	int fd;                     /* what cursors read (a copy, for a trace that is not a regular file) */
	struct trace_index *index;  /* name and address lookups (trace.c) */
	struct trace_process *processes; size_t n_processes;
	struct trace_map *maps; size_t n_maps;
	struct trace_device *devices; size_t n_devices;
	struct trace_stream *streams; size_t n_streams;
	struct trace_expect *expects; size_t n_expects;
	struct trace_present *present; size_t n_present;
	struct trace_capture *captures; size_t n_captures;
	struct param_settings params;
	uint64_t n_events;
};

struct trace_event {
	int line;
	enum op_kind op;
	int absolute;      /* time is absolute (@) rather than relative to the previous event (+) */
	double time;
	uint64_t va, arg2; /* arg2: size for ranges, other VA for ksm_merge, TO for brk */
	uint64_t arg3, arg4; /* mremap: NEW_VA, NEW_SIZE */
	int target;        /* fork: the child process */
	uint8_t ro, shared; /* mmap options */
	double duration;   /* think */
	int has_window;
	double window;     /* preemption window override */
};

int trace_load(const char *path, struct trace_header *h, char *err, size_t errlen);
void trace_free(struct trace_header *h);
int trace_find_process(const struct trace_header *h, const char *name);

struct trace_cursor;
struct trace_cursor *trace_cursor_open(const struct trace_header *h, int stream, char *err, size_t errlen);
/* 1: *ev filled; 0: end of stream; -1: error in err. */
int trace_cursor_next(struct trace_cursor *c, struct trace_event *ev, char *err, size_t errlen);
void trace_cursor_close(struct trace_cursor *c);

#endif
