/* progress: a one-line progress display on stderr while a run goes
 * (simulated time, trace events done of the total, rate, ETA), redrawn at
 * most five times a second.  It only reads counters and the wall clock:
 * results are the same with and without it.  The caller decides whether it
 * is on (a terminal, not -q). */
#ifndef MNSIM_PROGRESS_H
#define MNSIM_PROGRESS_H
#include <stdint.h>

struct progress {
	int on, drawn;
	uint64_t total, done;
	double start, next; /* wall clock, s */
	char label[96];
};

void progress_init(struct progress *p, int on, uint64_t total, const char *label);
void progress_draw(struct progress *p, double sim_time);
/* One trace event done; looks at the clock every 1024 events. */
static inline void progress_tick(struct progress *p, double sim_time)
{
	if (p->on && (++p->done & 1023) == 0)
		progress_draw(p, sim_time);
}
/* Clears the line. */
void progress_end(struct progress *p);

#endif
