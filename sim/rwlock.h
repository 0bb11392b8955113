/* rwlock: a reader/writer lock for simulated actors (the mmap_lock), built
 * from a SimGrid mutex and condition variable.  Waiting writers block new
 * readers, as with Linux's rwsem, so a writer is not starved. */
#ifndef MNSIM_RWLOCK_H
#define MNSIM_RWLOCK_H
#include <simgrid/cond.h>
#include <simgrid/mutex.h>

struct rwlock {
	sg_mutex_t mutex;
	sg_cond_t cond;
	int readers, writer, writers_waiting;
};

void rwlock_init(struct rwlock *l);
void rwlock_destroy(struct rwlock *l);
void rwlock_read_lock(struct rwlock *l);
void rwlock_read_unlock(struct rwlock *l);
void rwlock_write_lock(struct rwlock *l);
void rwlock_write_unlock(struct rwlock *l);

#endif
