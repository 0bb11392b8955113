/* limits: what a run needs of the machine, checked before it starts, so
 * that a run too big for it is refused at once with the limit named, rather
 * than dying later in SimGrid or at the OOM killer's hand: the memory its
 * populated pages take, and the memory maps and stack space of SimGrid's
 * actors (vm.max_map_count, ulimit -v). */
#ifndef MNSIM_LIMITS_H
#define MNSIM_LIMITS_H
#include "trace.h"
#include <stddef.h>

/* Model memory per populated page: its page-table entry and its frame
 * (measured: a 4 GiB populate=write mapping, 1M pages, took 101 MB more
 * than a 4 KiB one, mnsim 0.1.0; rounded up). */
#define LIMITS_PAGE_BYTES 128

/* The number a /proc or /sys file starts with, or -1. */
long limits_read_number(const char *path);
/* The trace's populated mappings and n SimGrid actors with stacks of
 * stack_kib KiB fit: the pages in this machine's memory, every actor's
 * stack and guard page (two maps) in vm.max_map_count, and all of it in
 * ulimit -v.  0, or -1 with err naming the limit (and the mapping). */
int limits_check(const struct trace_header *t, long actors, long stack_kib, char *err, size_t errlen);

#endif
