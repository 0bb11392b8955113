/* notifier: the secondary-TLB callback invalidate_range(mm, start, end) as
 * Intel SVM implemented it (intel_invalidate_range, v4.15-v5.1): for each
 * device bound to the mm's PASID, on that device's IOMMU, a synchronous
 * PASID-based IOTLB invalidation (page-selective or PASID-wide) with its wait
 * descriptor, then, if the device has ATS, a device-TLB invalidation with its
 * wait descriptor.  An mm with no bound device has no notifier registered. */
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

/* Returns 1 if a notifier was called (the mm has a bound device), else 0. */
int notifier_invalidate_range(struct sim *s, struct mm *mm, uint64_t start, uint64_t end, const struct ir_ctx *ctx,
			      unsigned *descriptors);

#endif
