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
#include <stddef.h>
#include <stdint.h>

#define TRACE_VERSION 1
/* Times beyond this are typing mistakes, and would cost SimGrid its precision. */
#define TRACE_MAX_TIME 1e6

enum populate { POP_NONE, POP_ZERO, POP_WRITE, POP_COW, POP_ZEROED };

struct trace_process { char *name; unsigned pasid; };
struct trace_map { int process; uint64_t start, size; int huge; enum populate populate; int line; };
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
	int fd;                     /* what cursors read (a copy, for a trace that is not a regular file) */
	struct trace_index *index;  /* name and address lookups (trace.c) */
	struct trace_process *processes; size_t n_processes;
	struct trace_map *maps; size_t n_maps;
	struct trace_device *devices; size_t n_devices;
	struct trace_stream *streams; size_t n_streams;
	struct trace_expect *expects; size_t n_expects;
	struct param_settings params;
	uint64_t n_events;
};

struct trace_event {
	int line;
	enum op_kind op;
	int absolute;      /* time is absolute (@) rather than relative to the previous event (+) */
	double time;
	uint64_t va, arg2; /* arg2: size for ranges, other VA for ksm_merge */
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
