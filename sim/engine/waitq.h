/* waitq: how simulated actors block on each other, and the lock built on
 * that.  SimGrid runs one actor at a time and switches only inside its own
 * calls, so an actor that tests a condition and then waits cannot miss the
 * wake-up: a wait queue needs no mutex.  It is a SimGrid semaphore and a
 * count of waiters, so a blocking hand-off costs two simcalls where a mutex
 * and condition variable pair takes six (that difference was most of mnsim's
 * engine overhead).  (Suspending the actor would be as cheap, but SimGrid
 * then also suspends the messages it has in flight.)
 * Use:  while (!condition) waitq_wait(&q);   ...   waitq_wake_all(&q);
 * A lock costs nothing when it is free and is handed over in FIFO order, like
 * SimGrid's mutex, when it is not. */
#ifndef MNSIM_WAITQ_H
#define MNSIM_WAITQ_H
#include "engine.h"
#include <simgrid/semaphore.h>

struct waitq { sg_sem_t sem; unsigned waiting; struct engine *engine; const char *what; int idle; };

/* Each time an actor blocks on q, engine->waits counts it.  what: what a
 * waiter waits for, in a deadlock report (kept, not copied). */
void waitq_init(struct waitq *q, struct engine *engine, const char *what);
/* The same, for a server's wait for work (engine_block's idle). */
void waitq_init_idle(struct waitq *q, struct engine *engine, const char *what);
void waitq_destroy(struct waitq *q);
/* Blocks the calling actor until another wakes it; waiters wake in FIFO order. */
void waitq_wait(struct waitq *q);
void waitq_wake_one(struct waitq *q);
void waitq_wake_all(struct waitq *q);

struct lock { int held; struct waitq waiters; };

void lock_init(struct lock *l, struct engine *engine, const char *what);
void lock_destroy(struct lock *l);
void lock_acquire(struct lock *l);
void lock_release(struct lock *l);

#endif
