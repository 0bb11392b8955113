/* rwlock: a reader/writer lock for simulated actors (the mmap_lock).
 * Waiting writers block new readers, as with Linux's rwsem, so a writer is
 * not starved: a freed lock goes to the oldest waiting writer, or else to
 * every waiting reader at once.  It is handed over directly, so nobody is
 * woken only to find the lock taken again. */
#ifndef MNSIM_RWLOCK_H
#define MNSIM_RWLOCK_H
#include "waitq.h"

struct rwlock {
	struct waitq readers_waiting, writers_waiting;
	int readers, writer;
};

/* read_what, write_what: what its readers and writers wait for (waitq_init) */
void rwlock_init(struct rwlock *l, struct engine *engine, const char *read_what, const char *write_what);
void rwlock_destroy(struct rwlock *l);
void rwlock_read_lock(struct rwlock *l);
void rwlock_read_unlock(struct rwlock *l);
void rwlock_write_lock(struct rwlock *l);
void rwlock_write_unlock(struct rwlock *l);

#endif
