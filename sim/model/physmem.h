/* physmem: physical page frames and the PFN allocator.  Each frame carries a
 * content token (the value a read returns), a reference count and an
 * allocation generation (new at every allocation, so a cached translation
 * can tell that its page was freed and handed out again).  Freed frames are
 * reused LIFO, which makes a use-after-free visible at once (DESIGN.md 1). */
#ifndef MNSIM_PHYSMEM_H
#define MNSIM_PHYSMEM_H
#include <stdint.h>

/* 32 bytes: one per allocated page. */
struct frame {
	uint64_t token;       /* content; 0 = zero-filled */
	uint64_t generation;  /* allocation generation */
	/* last write, for the checker's ordering rule */
	double last_write_time;
	uint32_t refs;
	int16_t last_writer;  /* device index, or -1 for a CPU */
	/* migrating: isolated and locked by a migration (isolate_lru_page,
	 * lock_page), which no other migration can then take */
	uint8_t free : 1, huge : 1, ksm : 1, zero_page : 1, migrating : 1;
};

struct physmem;

struct physmem *physmem_new(void);
void physmem_free_all(struct physmem *pm);
uint64_t physmem_alloc(struct physmem *pm, int huge);
void physmem_get(struct physmem *pm, uint64_t pfn);
/* A reference held for good outside the simulated processes: a
 * populate=cow page's parent, the child of a format-1 fork_wp.  Counted
 * apart (physmem_external), for the invariant check (invariants.h). */
void physmem_get_external(struct physmem *pm, uint64_t pfn);
uint32_t physmem_external(const struct physmem *pm, uint64_t pfn);
/* The external references of frame `from` pass to frame `to`: a migration's
 * rmap walk moves every mapping of the old page, the ones the trace does not
 * simulate too (remove_migration_ptes).  `from` keeps its other references. */
void physmem_move_external(struct physmem *pm, uint64_t from, uint64_t to);
/* Drops one reference; returns 1 if that freed the frame.  Dropping one of
 * a free frame (a page freed twice: a model bug, never an input error)
 * changes nothing and is counted, for the caller to fail the run with
 * (physmem_bad_puts). */
int physmem_put(struct physmem *pm, uint64_t pfn);
/* How many puts found their frame free, and the first such frame. */
uint64_t physmem_bad_puts(const struct physmem *pm, uint64_t *first_pfn);
struct frame *physmem_frame(struct physmem *pm, uint64_t pfn);
uint64_t physmem_zero_pfn(const struct physmem *pm);
/* A new, globally increasing content token. */
uint64_t physmem_new_token(struct physmem *pm);
uint64_t physmem_frames_in_use(const struct physmem *pm);
/* Frames ever made: PFNs are 0 .. physmem_n_frames() - 1. */
uint64_t physmem_n_frames(const struct physmem *pm);

#endif
