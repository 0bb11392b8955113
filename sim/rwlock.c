/* rwlock: see rwlock.h. */
#include "rwlock.h"

void rwlock_init(struct rwlock *l)
{
	waitq_init(&l->changed);
	l->readers = l->writer = l->writers_waiting = 0;
}

void rwlock_destroy(struct rwlock *l) { waitq_destroy(&l->changed); }

void rwlock_read_lock(struct rwlock *l)
{
	while (l->writer || l->writers_waiting)
		waitq_wait(&l->changed);
	l->readers++;
}

void rwlock_read_unlock(struct rwlock *l)
{
	if (--l->readers == 0)
		waitq_wake_all(&l->changed);
}

void rwlock_write_lock(struct rwlock *l)
{
	l->writers_waiting++;
	while (l->writer || l->readers)
		waitq_wait(&l->changed);
	l->writers_waiting--;
	l->writer = 1;
}

void rwlock_write_unlock(struct rwlock *l)
{
	l->writer = 0;
	waitq_wake_all(&l->changed);
}
