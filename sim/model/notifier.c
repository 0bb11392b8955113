/* notifier: see notifier.h. */
#include "notifier.h"
#include "device.h"
#include "iommu.h"
#include "mm.h"
#include "optable.h"
#include "sim.h"
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <stdlib.h>

#define MAX_REQS 256

struct req_list { struct qi_request r[MAX_REQS]; size_t n; int64_t notification; };

static void add(struct req_list *l, enum qi_type type, unsigned pasid, uint64_t start, uint64_t end, struct device *dev)
{
	if (l->n < MAX_REQS)
		l->r[l->n++] = (struct qi_request){type, pasid, start, end, dev, l->notification};
}

static unsigned ceil_log2(uint64_t n)
{
	unsigned m = 0;
	while ((1ULL << m) < n)
		m++;
	return m;
}

/* The largest naturally aligned power-of-two block of pages at start that
 * fits in [start, end). */
static uint64_t aligned_block(uint64_t start, uint64_t end)
{
	uint64_t pages = 1;
	while ((start / PAGE_SIZE) % (pages * 2) == 0 && start + pages * 2 * PAGE_SIZE <= end)
		pages *= 2;
	return pages * PAGE_SIZE;
}

/* The descriptors one device needs, in the order the driver submits them. */
static void build(const struct params *iop, int psi_align, struct device *dev, unsigned pasid, uint64_t start,
		  uint64_t end, struct req_list *l)
{
	uint64_t pages = (end - start) / PAGE_SIZE;
	int ats = device_has_ats(dev);
	if (pages > (uint64_t)iop->iotlb_psi_max_pages) {
		add(l, QI_IOTLB_PASID, pasid, 0, UINT64_MAX, NULL);
		if (ats)
			add(l, QI_DEVTLB, pasid, start, end, dev);
	} else if (psi_align) {
		for (uint64_t a = start; a < end;) {
			uint64_t size = aligned_block(a, end);
			add(l, QI_IOTLB_PSI, pasid, a, a + size, NULL);
			if (ats)
				add(l, QI_DEVTLB, pasid, a, a + size, dev);
			a += size;
		}
	} else {
		/* v4.15: unaligned address with mask ceil(log2(pages)); the hardware
		 * invalidates the 2^mask-page block that contains the address */
		uint64_t block = (1ULL << ceil_log2(pages)) * PAGE_SIZE;
		uint64_t bstart = start & ~(block - 1);
		add(l, QI_IOTLB_PSI, pasid, bstart, bstart + block, NULL);
		if (ats)
			add(l, QI_DEVTLB, pasid, start, end, dev);
	}
}

/* Submits the list one descriptor per submission, or all in one (qi_batch). */
static unsigned submit(struct iommu *io, const struct req_list *l, double *stall)
{
	if (iommu_params(io)->qi_batch) {
		*stall += iommu_submit_sync(io, l->r, l->n);
		return (unsigned)l->n + 1;
	}
	for (size_t i = 0; i < l->n; i++)
		*stall += iommu_submit_sync(io, &l->r[i], 1);
	return 2 * (unsigned)l->n;
}

int notifier_invalidate_range(struct sim *s, struct mm *mm, uint64_t start, uint64_t end, const struct ir_ctx *ctx,
			      unsigned *descriptors)
{
	*descriptors = 0;
	if (mm->n_devices == 0)
		return 0;
	double t0 = sim_now(s), stall = 0;
	int64_t id = s->next_notification_id++;
	sim_sleep(s, s->p.ir_overhead);
	for (size_t i = 0; i < s->n_iommus; i++) {
		struct iommu *io = s->iommus[i];
		for (size_t k = 0; k < mm->n_devices; k++) {
			struct device *dev = s->devices[mm->devices[k]];
			if (device_iommu(dev) != io)
				continue;
			struct req_list l = {.n = 0, .notification = id};
			build(iommu_params(io), (int)s->p.psi_align, dev, mm->pasid, start, end, &l);
			*descriptors += submit(io, &l, &stall);
		}
	}
	double duration = sim_now(s) - t0;
	struct notif_rec rec = {.id = id, .time = t0, .duration = duration, .qi_stall = stall, .op_id = ctx->op_id,
				.op_kind = ctx->op_kind, .cpu = ctx->cpu, .where = ctx->where, .site = ctx->site,
				.pasid = mm->pasid, .descriptors = *descriptors, .start = start, .pages = (end - start) / PAGE_SIZE};
	results_notification(s->results, &rec);
	s->notifications++;
	s->notifications_under_ptl += ctx->where == IR_UNDER_PTL;
	s->notifications_range_end += ctx->where == IR_RANGE_END;
	s->notifications_gather += ctx->where == IR_GATHER;
	s->descriptors += *descriptors;
	s->qi_stall_time += stall;
	hist_add(&s->notify_latency, duration);
	return 1;
}
