/* waitq: see waitq.h. */
#include "waitq.h"

void waitq_init(struct waitq *q, uint64_t *blocked)
{
	q->sem = sg_sem_init(0);
	q->waiting = 0;
	q->blocked = blocked;
}

void waitq_destroy(struct waitq *q) { sg_sem_destroy(q->sem); }

/* The semaphore queues its acquirers in the order their calls are handled,
 * which is the order they counted themselves in: a release always goes to
 * the oldest waiter, even if a woken one has queued again meanwhile. */
void waitq_wait(struct waitq *q)
{
	q->waiting++;
	if (q->blocked)
		(*q->blocked)++;
	sg_sem_acquire(q->sem);
}

void waitq_wake_one(struct waitq *q)
{
	if (q->waiting) {
		q->waiting--;
		sg_sem_release(q->sem);
	}
}

/* Each release lets other actors run, so the count is taken first: actors
 * that start waiting meanwhile wait for the next wake-up. */
void waitq_wake_all(struct waitq *q)
{
	unsigned n = q->waiting;
	q->waiting = 0;
	while (n--)
		sg_sem_release(q->sem);
}

void lock_init(struct lock *l, uint64_t *blocked)
{
	l->held = 0;
	waitq_init(&l->waiters, blocked);
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
