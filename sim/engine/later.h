/* later: work run a fixed delay after it is asked for (the swap cache
 * letting go of a reclaimed page), by one actor for the whole run rather
 * than an actor per request (each SimGrid actor costs a stack: thousands of
 * them were a sixth of a reclaim-heavy run).  Requests must come in due-time
 * order, as a constant delay gives.  The actor keeps the simulation going
 * until every request has run, so that it ends as it would with an actor per
 * request: the threads that can make requests hold it while they run. */
#ifndef MNSIM_LATER_H
#define MNSIM_LATER_H
#include "engine.h"
#include <simgrid/host.h>

struct later;

/* holders: the threads that may make requests, each to call later_release
 * when it is done; the actor sleeps and waits through engine. */
struct later *later_new(struct engine *engine, int holders);
void later_free(struct later *l);
void later_start(struct later *l, sg_host_t host);
void later_release(struct later *l);
/* Runs fn(arg) at the current time + delay; fn must not block. */
void later_run(struct later *l, double delay, void (*fn)(void *arg), void *arg);

#endif
