/* driver: the IOMMU drivers' secondary-TLB callbacks, one row each (the
 * IOMMU-scope parameter `driver`): how one invalidate_range(mm, start, end)
 * for one bound device becomes descriptors (VT-d), commands (AMD, SMMUv3)
 * and synchronous waits on that device's IOMMU queue (iommu.h).  Each
 * bound device registers its own notifier in all three drivers of v4.14 -
 * v6.6 (intel_svm_dev, amd iommu_v2 pasid_state, arm_smmu_mmu_notifier per
 * domain), so the notifier calls the driver once per device. */
#ifndef MNSIM_DRIVER_H
#define MNSIM_DRIVER_H
#include <stddef.h>
#include <stdint.h>

struct sim;
struct iommu;
struct device;

/* What one call cost: descriptors (waits included), submissions, QI-full
 * stall; and the /notifications row (id) its descriptors serve. */
struct inv_cost { unsigned descriptors, submissions; double stall; int64_t notification; };

struct driver {
	const char *name;   /* as the `driver` parameter names it */
	const char *source; /* the kernel function it follows */
	void (*invalidate)(struct sim *s, struct iommu *io, struct device *dev, unsigned pasid, uint64_t start, uint64_t end,
			   struct inv_cost *cost);
};

/* The rows, in the order of the `driver` parameter's names. */
size_t driver_count(void);
const struct driver *driver_at(size_t i);
/* The driver of an IOMMU (its `driver` parameter). */
const struct driver *driver_of(const struct iommu *io);

#endif
