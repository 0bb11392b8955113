/* driver: see driver.h.  Descriptor and command kinds map onto the queue's
 * (iommu.h): a page-selective IOTLB invalidation, a TLBI by VA or INVALIDATE_
 * IOMMU_PAGES of one page are QI_IOTLB_PSI; PASID-wide, TLBI by ASID or the
 * whole PASID are QI_IOTLB_PASID; a device-TLB invalidation, ATC_INV or
 * INVALIDATE_IOTLB_PAGES is QI_DEVTLB; a wait descriptor, CMD_SYNC or
 * COMPLETION_WAIT closes every synchronous submission. */
#include "driver.h"
#include "device.h"
#include "iommu.h"
#include "optable.h"
#include "sim.h"

#define ALL 0, UINT64_MAX

/* One synchronous submission: its CPU cost, the queue, the wait.  Each
 * descriptor is marked with the invalidate_range call it serves. */
static void submit(struct sim *s, struct iommu *io, struct qi_request *q, size_t n, struct inv_cost *cost)
{
	for (size_t i = 0; i < n; i++)
		q[i].notification = cost->notification;
	sim_sleep(s, iommu_params(io)->qi_submit_overhead);
	cost->stall += iommu_submit_sync(io, q, n);
	cost->descriptors += (unsigned)n + 1;
	cost->submissions++;
}

static unsigned ceil_log2(uint64_t n)
{
	unsigned m = 0;
	while ((1ULL << m) < n)
		m++;
	return m;
}

/* Intel VT-d SVM: intel_invalidate_range (v4.15 - v6.5) and
 * intel_arch_invalidate_secondary_tlbs (v6.6), through
 * intel_flush_svm_range_dev: per device a PASID-based IOTLB invalidation
 * and, with ATS, a device-TLB invalidation, each its own qi_submit_sync;
 * from v6.12 (705c1cdf1e73, qi_batch) all of them and one wait. */
static void intel_svm(struct sim *s, struct iommu *io, struct device *dev, unsigned pasid, uint64_t start, uint64_t end,
		      struct inv_cost *cost)
{
	const struct params *p = iommu_params(io);
	int ats = device_has_ats(dev);
	struct qi_request q[8];
	size_t n = 0;
	if (start == 0 && end == UINT64_MAX) {
		/* 6.6.0: (end - start + PAGE_SIZE - 1) >> VTD_PAGE_SHIFT is 0
		 * pages; fixed by intel_flush_svm_all (Nov 2023) */
		if (s->p.vtd_all_overflow)
			return;
		q[n++] = (struct qi_request){QI_IOTLB_PASID, pasid, ALL, NULL, -1};
		if (ats)
			q[n++] = (struct qi_request){QI_DEVTLB, pasid, ALL, dev, -1};
	} else {
		uint64_t pages = (end - start + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t align = PAGE_SIZE << ceil_log2(pages);
		if (p->iotlb_psi_max_pages > 0 && pages > (uint64_t)p->iotlb_psi_max_pages) {
			/* what-if: no Intel driver of v4.14 - v6.6 does this */
			q[n++] = (struct qi_request){QI_IOTLB_PASID, pasid, ALL, NULL, -1};
			if (ats)
				q[n++] = (struct qi_request){QI_DEVTLB, pasid, start, end, dev, -1};
		} else if (s->p.psi_align) {
			/* 2d6ffc63f124: the range rounded out to blocks of
			 * 2^ceil(log2(pages)) pages: at most two */
			uint64_t last = (start + pages * PAGE_SIZE + align - 1) & ~(align - 1);
			for (uint64_t a = start & ~(align - 1); a < last; a += align) {
				q[n++] = (struct qi_request){QI_IOTLB_PSI, pasid, a, a + align, NULL, -1};
				if (ats)
					q[n++] = (struct qi_request){QI_DEVTLB, pasid, a, a + align, dev, -1};
			}
		} else {
			/* v4.15: the unaligned address with mask ceil(log2(pages));
			 * the hardware invalidates the 2^mask-page block that
			 * contains the address; the device-TLB encoding covers the
			 * whole range */
			uint64_t bstart = start & ~(align - 1);
			q[n++] = (struct qi_request){QI_IOTLB_PSI, pasid, bstart, bstart + align, NULL, -1};
			if (ats)
				q[n++] = (struct qi_request){QI_DEVTLB, pasid, start, end, dev, -1};
		}
	}
	if (p->qi_batch) {
		submit(s, io, q, n, cost);
		return;
	}
	for (size_t i = 0; i < n; i++)
		submit(s, io, &q[i], 1, cost);
}

/* AMD IOMMUv2: mn_invalidate_range (iommu_v2.c, v4.14 - v6.6): one page if
 * the range is inside one page (amd_iommu_flush_page), else the whole PASID
 * (amd_iommu_flush_tlb); __flush_pasid sends INVALIDATE_IOMMU_PAGES and waits
 * (domain_flush_complete), then INVALIDATE_IOTLB_PAGES for the ATS device
 * and waits: 2 waits per call whatever the range. */
static void amd_iommuv2(struct sim *s, struct iommu *io, struct device *dev, unsigned pasid, uint64_t start, uint64_t end,
			struct inv_cost *cost)
{
	int one_page = (start ^ (end - 1)) < PAGE_SIZE;
	uint64_t page = start & ~(PAGE_SIZE - 1);
	struct qi_request q = one_page ? (struct qi_request){QI_IOTLB_PSI, pasid, page, page + PAGE_SIZE, NULL, -1}
				       : (struct qi_request){QI_IOTLB_PASID, pasid, ALL, NULL, -1};
	submit(s, io, &q, 1, cost);
	if (!device_has_ats(dev))
		return;
	q = one_page ? (struct qi_request){QI_DEVTLB, pasid, page, page + PAGE_SIZE, dev, -1}
		     : (struct qi_request){QI_DEVTLB, pasid, ALL, dev, -1};
	submit(s, io, &q, 1, cost);
}

/* arm_smmu_cmdq_batch_add issues a full batch of BITS_PER_LONG commands;
 * the model closes each with its CMD_SYNC (Linux waits for queue space
 * instead: the same time, one more sync per 64 commands) */
#define CMDQ_BATCH_ENTRIES 64
#define CMDQ_TLBI_RANGE_NUM_MAX 31

/* Arm SMMUv3 SVA: arm_smmu_mm_invalidate_range (v5.x - v6.5) and
 * arm_smmu_mm_arch_invalidate_secondary_tlbs (v6.6): TLBI commands for the
 * ASID (__arm_smmu_tlb_inv_range: one per page, or with range invalidation
 * num x 2^scale pages each) and a CMD_SYNC (arm_smmu_cmdq_batch_submit),
 * then one ATC_INV for the ATS device and a CMD_SYNC (arm_smmu_atc_inv_domain).
 * From d5afb4b47e13 a range of CMDQ_MAX_TLBI_OPS (512) pages or more is one
 * TLBI by ASID and an ATC_INV of everything (smmu_max_tlbi_ops; 0: before,
 * the CVE-2023-52484 soft lockup). */
static void arm_smmu_v3(struct sim *s, struct iommu *io, struct device *dev, unsigned pasid, uint64_t start, uint64_t end,
			struct inv_cost *cost)
{
	const struct params *p = iommu_params(io);
	int all = start == 0 && end == UINT64_MAX;
	uint64_t pages = (end - start) / PAGE_SIZE;
	if (!all && !p->smmu_range_inv && p->smmu_max_tlbi_ops > 0 && pages >= (uint64_t)p->smmu_max_tlbi_ops)
		all = 1;
	struct qi_request q[CMDQ_BATCH_ENTRIES];
	size_t n = 0;
	if (all) {
		q[n++] = (struct qi_request){QI_IOTLB_PASID, pasid, ALL, NULL, -1};
	} else {
		for (uint64_t iova = start, left = pages; left > 0;) {
			uint64_t span = 1;
			if (p->smmu_range_inv) {
				unsigned scale = (unsigned)__builtin_ctzll(left);
				uint64_t num = (left >> scale) & CMDQ_TLBI_RANGE_NUM_MAX;
				span = num << scale;
			}
			q[n++] = (struct qi_request){QI_IOTLB_PSI, pasid, iova, iova + span * PAGE_SIZE, NULL, -1};
			iova += span * PAGE_SIZE;
			left -= span;
			if (n == CMDQ_BATCH_ENTRIES && left > 0) {
				submit(s, io, q, n, cost);
				n = 0;
			}
		}
	}
	submit(s, io, q, n, cost);
	if (!device_has_ats(dev))
		return;
	q[0] = all ? (struct qi_request){QI_DEVTLB, pasid, ALL, dev, -1} : (struct qi_request){QI_DEVTLB, pasid, start, end, dev, -1};
	submit(s, io, q, 1, cost);
}

static const struct driver drivers[] = {
	{"intel-svm", "drivers/iommu/intel/svm.c intel_invalidate_range / intel_arch_invalidate_secondary_tlbs", intel_svm},
	{"amd-iommuv2", "drivers/iommu/amd/iommu_v2.c mn_invalidate_range", amd_iommuv2},
	{"arm-smmu-v3", "drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c arm_smmu_mm_arch_invalidate_secondary_tlbs",
	 arm_smmu_v3},
};

size_t driver_count(void) { return sizeof drivers / sizeof drivers[0]; }
const struct driver *driver_at(size_t i) { return i < driver_count() ? &drivers[i] : NULL; }
const struct driver *driver_of(const struct iommu *io) { return &drivers[(size_t)iommu_params(io)->driver]; }
