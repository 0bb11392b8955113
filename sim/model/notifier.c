/* notifier: see notifier.h. */
#include "notifier.h"
#include "device.h"
#include "driver.h"
#include "iommu.h"
#include "mm.h"
#include "optable.h"
#include "sim.h"

int notifier_invalidate_range(struct sim *s, struct mm *mm, uint64_t start, uint64_t end, const struct ir_ctx *ctx,
			      unsigned *descriptors)
{
	*descriptors = 0;
	if (mm->n_devices == 0)
		return 0;
	double t0 = sim_now(s);
	struct inv_cost cost = {0, 0, 0, s->next_notification_id++};
	sim_sleep(s, s->p.ir_overhead);
	for (size_t i = 0; i < s->n_iommus; i++) {
		struct iommu *io = s->iommus[i];
		for (size_t k = 0; k < mm->n_devices; k++) {
			struct device *dev = s->devices[mm->devices[k]];
			if (device_iommu(dev) == io)
				driver_of(io)->invalidate(s, io, dev, mm->pasid, start, end, &cost);
		}
	}
	*descriptors = cost.descriptors;
	double duration = sim_now(s) - t0;
	uint64_t pages = end == UINT64_MAX ? UINT64_MAX / PAGE_SIZE : (end - start) / PAGE_SIZE;
	struct notif_rec rec = {.id = cost.notification, .time = t0, .duration = duration, .qi_stall = cost.stall, .op_id = ctx->op_id,
				.op_kind = ctx->op_kind, .cpu = ctx->cpu, .where = ctx->where, .site = ctx->site,
				.pasid = mm->pasid, .descriptors = cost.descriptors, .start = start, .pages = pages};
	results_notification(s->results, &rec);
	s->notifications++;
	s->notifications_under_ptl += ctx->where == IR_UNDER_PTL;
	s->notifications_range_end += ctx->where == IR_RANGE_END;
	s->notifications_gather += ctx->where == IR_GATHER;
	s->descriptors += cost.descriptors;
	s->qi_stall_time += cost.stall;
	hist_add(&s->notify_latency, duration);
	return 1;
}
