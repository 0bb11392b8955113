/* rwlock: see rwlock.h. */
#include "rwlock.h"

void rwlock_init(struct rwlock *l)
{
	l->mutex = sg_mutex_init();
	l->cond = sg_cond_init();
	l->readers = l->writer = l->writers_waiting = 0;
}

void rwlock_destroy(struct rwlock *l)
{
	sg_cond_destroy(l->cond);
	sg_mutex_destroy(l->mutex);
}

void rwlock_read_lock(struct rwlock *l)
{
	sg_mutex_lock(l->mutex);
	while (l->writer || l->writers_waiting)
		sg_cond_wait(l->cond, l->mutex);
	l->readers++;
	sg_mutex_unlock(l->mutex);
}

void rwlock_read_unlock(struct rwlock *l)
{
	sg_mutex_lock(l->mutex);
	if (--l->readers == 0)
		sg_cond_notify_all(l->cond);
	sg_mutex_unlock(l->mutex);
}

void rwlock_write_lock(struct rwlock *l)
{
	sg_mutex_lock(l->mutex);
	l->writers_waiting++;
	while (l->writer || l->readers)
		sg_cond_wait(l->cond, l->mutex);
	l->writers_waiting--;
	l->writer = 1;
	sg_mutex_unlock(l->mutex);
}

void rwlock_write_unlock(struct rwlock *l)
{
	sg_mutex_lock(l->mutex);
	l->writer = 0;
	sg_cond_notify_all(l->cond);
	sg_mutex_unlock(l->mutex);
}
