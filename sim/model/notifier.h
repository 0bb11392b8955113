/* notifier: the secondary-TLB callback invalidate_range(mm, start, end):
 * for each device bound to the mm's PASID, that device's IOMMU driver
 * (driver.h) turns it into descriptors and synchronous waits on the IOMMU's
 * queue.  An mm with no bound device has no notifier registered.  Records
 * every call (/notifications) and its cost. */
#ifndef MNSIM_NOTIFIER_H
#define MNSIM_NOTIFIER_H
#include "results.h"
#include <stdint.h>

struct sim;
struct mm;

struct ir_ctx {
	int64_t op_id;
	int op_kind, cpu;
	enum ir_where where;
	int site; /* enum ir_site, or -1 (change_pte) */
};

/* Returns 1 if a notifier was called (the mm has a bound device), else 0.
 * [start, end) is a byte range; (0, UINT64_MAX) is the whole address space. */
int notifier_invalidate_range(struct sim *s, struct mm *mm, uint64_t start, uint64_t end, const struct ir_ctx *ctx,
			      unsigned *descriptors);

#endif
