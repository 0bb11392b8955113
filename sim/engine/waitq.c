/* waitq: see waitq.h. */
#include "waitq.h"

void waitq_init(struct waitq *q, struct engine *engine, const char *what)
{
	q->what = what;
	q->sem = sg_sem_init(0);
	q->waiting = 0;
	q->engine = engine;
	q->idle = 0;
}

void waitq_init_idle(struct waitq *q, struct engine *engine, const char *what)
{
	waitq_init(q, engine, what);
	q->idle = 1;
}

void waitq_destroy(struct waitq *q) { sg_sem_destroy(q->sem); }

/* The semaphore queues its acquirers in the order their calls are handled,
 * which is the order they counted themselves in: a release always goes to
 * the oldest waiter, even if a woken one has queued again meanwhile. */
void waitq_wait(struct waitq *q)
{
	engine_block(q->engine, q->what, q->idle);
	q->waiting++;
	q->engine->waits++;
	sg_sem_acquire(q->sem);
	engine_resumed(q->engine);
	engine_unblock(q->engine);
}

void waitq_wake_one(struct waitq *q)
{
	if (q->waiting) {
		struct engine *e = q->engine; /* q may be gone when the release returns */
		q->waiting--;
		engine_call_begin(e);
		engine_woke(e, 1);
		sg_sem_release(q->sem);
		engine_call_end(e);
	}
}

/* Each release lets other actors run, so the count is taken first: actors
 * that start waiting meanwhile wait for the next wake-up. */
void waitq_wake_all(struct waitq *q)
{
	unsigned n = q->waiting;
	if (!n)
		return;
	struct engine *e = q->engine;
	sg_sem_t sem = q->sem; /* read first: a woken actor may end q */
	q->waiting = 0;
	engine_call_begin(e);
	engine_woke(e, n);
	while (n--)
		sg_sem_release(sem);
	engine_call_end(e);
}

void lock_init(struct lock *l, struct engine *engine, const char *what)
{
	l->held = 0;
	waitq_init(&l->waiters, engine, what);
}

void lock_destroy(struct lock *l) { waitq_destroy(&l->waiters); }

/* A released lock with waiters passes straight to the oldest, which returns
 * from waitq_wait holding it. */
void lock_acquire(struct lock *l)
{
	if (!l->held)
		l->held = 1;
	else
		waitq_wait(&l->waiters);
}

void lock_release(struct lock *l)
{
	if (l->waiters.waiting)
		waitq_wake_one(&l->waiters);
	else
		l->held = 0;
}
