/* rwlock: a reader/writer lock for simulated actors (the mmap_lock).
 * Waiting writers block new readers, as with Linux's rwsem, so a writer is
 * not starved. */
#ifndef MNSIM_RWLOCK_H
#define MNSIM_RWLOCK_H
#include "waitq.h"

struct rwlock {
	struct waitq changed;
	int readers, writer, writers_waiting;
};

void rwlock_init(struct rwlock *l);
void rwlock_destroy(struct rwlock *l);
void rwlock_read_lock(struct rwlock *l);
void rwlock_read_unlock(struct rwlock *l);
void rwlock_write_lock(struct rwlock *l);
void rwlock_write_unlock(struct rwlock *l);

#endif
