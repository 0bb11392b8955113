/* rwlock: see rwlock.h.  An actor woken from a wait already holds the lock:
 * whoever freed it counted it in. */
#include "rwlock.h"

void rwlock_init(struct rwlock *l, struct engine *engine, const char *read_what, const char *write_what)
{
	waitq_init(&l->readers_waiting, engine, read_what);
	waitq_init(&l->writers_waiting, engine, write_what);
	l->readers = l->writer = 0;
}

void rwlock_destroy(struct rwlock *l)
{
	waitq_destroy(&l->readers_waiting);
	waitq_destroy(&l->writers_waiting);
}

void rwlock_read_lock(struct rwlock *l)
{
	if (l->writer || l->writers_waiting.waiting)
		waitq_wait(&l->readers_waiting);
	else
		l->readers++;
}

static void hand_to_writer(struct rwlock *l)
{
	l->writer = 1;
	waitq_wake_one(&l->writers_waiting);
}

void rwlock_read_unlock(struct rwlock *l)
{
	if (--l->readers == 0 && l->writers_waiting.waiting)
		hand_to_writer(l);
}

void rwlock_write_lock(struct rwlock *l)
{
	if (l->writer || l->readers)
		waitq_wait(&l->writers_waiting);
	else
		l->writer = 1;
}

void rwlock_write_unlock(struct rwlock *l)
{
	l->writer = 0;
	if (l->writers_waiting.waiting) {
		hand_to_writer(l);
	} else {
		l->readers += (int)l->readers_waiting.waiting;
		waitq_wake_all(&l->readers_waiting);
	}
}
