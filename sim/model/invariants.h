/* invariants: the model's own consistency self-check (check_invariants=1).
 * The ordering rules of DESIGN.md section 5 are the checker's (checker.h);
 * these are the bookkeeping rules every correct model run keeps, whatever
 * the policy:
 *   - no page-table entry names a free frame, and a swap-cache entry's frame
 *     is still held (after every op, over the op's range);
 *   - every frame's reference count equals the entries that name it plus
 *     the holders outside the trace (physmem_get_external), once
 *     no op is in flight and deferred work has run (the end of the run):
 *     no leaked page, no page freed under a mapping;
 *   - no migration entry, migration mark or pending TLB flush outlives the
 *     op that made it, and every op that started ended (done or given up).
 * The first broken rule fails the run (sim_fail), naming the op, the page
 * and the simulated time: a failed run has no result file.  A page freed
 * twice fails it whether check_invariants is on or not. */
#ifndef MNSIM_INVARIANTS_H
#define MNSIM_INVARIANTS_H
#include <stdint.h>

struct sim;
struct mm;

/* After op `op_id` (kind name `op`) of process mm ended: the entries of
 * [start, end). */
void invariants_after_op(struct sim *s, struct mm *mm, int64_t op_id, const char *op, uint64_t start, uint64_t end);
/* After the simulation ended: the whole state. */
void invariants_at_end(struct sim *s);

#endif
