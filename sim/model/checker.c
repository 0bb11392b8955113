/* checker: see checker.h.
 * order_violation: a device that has observed a write W2 must not then read a
 * value older than a write W1 that completed before W2 started.  Writes are
 * instantaneous in the model (start = completion = the instant the store is
 * performed), so per device we keep the latest performance time of any write
 * it has observed, and a later read of (mm, VA) is an order violation when
 * the page VA maps holds a newer write that was performed strictly before
 * that time. */
#include "checker.h"
#include <simgrid/engine.h>
#include <stdlib.h>
#include <xbt/log.h>

XBT_LOG_NEW_DEFAULT_CATEGORY(checker, "mnsim ordering checker");

struct checker {
	struct physmem *mem;
	struct results *res;
	double *observed_write_time; /* per device; -1 = none observed */
	size_t n_devices;
	uint64_t count[V_TYPES];
	uint64_t discard_races;
};

struct checker *checker_new(struct physmem *mem, struct results *res, size_t n_devices)
{
	struct checker *c = calloc(1, sizeof *c);
	if (!c || !(c->observed_write_time = malloc((n_devices + 1) * sizeof(double))))
		abort();
	c->mem = mem;
	c->res = res;
	c->n_devices = n_devices;
	for (size_t i = 0; i < n_devices; i++)
		c->observed_write_time[i] = -1;
	return c;
}

void checker_free(struct checker *c)
{
	if (c)
		free(c->observed_write_time);
	free(c);
}

static void store(struct checker *c, uint64_t pfn, int writer, double now)
{
	struct frame *f = physmem_frame(c->mem, pfn);
	f->token = physmem_new_token(c->mem);
	f->last_write_time = now;
	f->last_writer = writer;
}

void checker_cpu_write(struct checker *c, uint64_t pfn, double now) { store(c, pfn, -1, now); }

static void report(struct checker *c, enum violation_type t, const struct device_access *a, int64_t pfn_expected,
		   int64_t op_id)
{
	struct violation_rec v = {
		.time = a->now, .type = t, .device = a->device, .thread = a->thread, .pasid = a->mm->pasid,
		.va = a->va, .pfn_seen = (int64_t)a->tr->pfn, .pfn_expected = pfn_expected, .op_id = op_id};
	c->count[t]++;
	XBT_VERB("%s: device %d thread %d va %#llx pfn %lld (expected %lld) at %.9f", violation_names[t], a->device,
		 a->thread, (unsigned long long)a->va, (long long)v.pfn_seen, (long long)pfn_expected, a->now);
	results_violation(c->res, &v);
}

/* The frame (mm, va) maps now, present or not (a migration, swap-cache or
 * NUMA-hint entry still names its page); -1 if none. */
static int64_t current_pfn(struct mm *mm, uint64_t va, int64_t *op_id)
{
	uint64_t base;
	struct pte *p = mm_lookup(mm, va, &base);
	*op_id = p ? p->last_op : -1;
	if (!p || (p->state == PTE_SWAP && !p->swapcache))
		return -1;
	return (int64_t)p->pfn;
}

void checker_device_access(struct checker *c, const struct device_access *a)
{
	struct frame *f = physmem_frame(c->mem, a->tr->pfn);
	int64_t op_id;
	int64_t cur = current_pfn(a->mm, a->va, &op_id);
	if (f->free || f->generation != a->tr->generation) {
		report(c, V_USE_AFTER_FREE, a, cur, op_id);
	} else if (cur >= 0 && (uint64_t)cur != a->tr->pfn && mm_discarding(a->mm, a->va)) {
		/* the range is being unmapped or zapped (munmap, madv_dontneed, ...)
		 * and was faulted in again meanwhile: an access racing the call
		 * that discards it may see the old page, for a device as for a
		 * CPU whose TLB the kernel has not flushed yet; only freeing the
		 * old page too early (above) is the kernel's to prevent */
		c->discard_races++;
	} else if (cur >= 0 && (uint64_t)cur != a->tr->pfn) {
		const struct frame *now_f = physmem_frame(c->mem, (uint64_t)cur);
		if (a->write) {
			report(c, V_LOST_WRITE, a, cur, op_id);
		} else if (now_f->token > f->token) {
			report(c, V_STALE_READ, a, cur, op_id);
			double seen = c->observed_write_time[a->device];
			if (now_f->last_write_time < seen)
				report(c, V_ORDER_VIOLATION, a, cur, op_id);
		}
	}
	if (a->write) {
		store(c, a->tr->pfn, a->device, a->now);
	} else if (f->token && f->last_write_time > c->observed_write_time[a->device]) {
		c->observed_write_time[a->device] = f->last_write_time;
	}
}

void checker_copy_installed(struct checker *c, struct mm *mm, uint64_t va, uint64_t old_pfn, uint64_t new_pfn,
			    uint64_t snapshot, int64_t op_id, double now)
{
	const struct frame *old = physmem_frame(c->mem, old_pfn);
	if (old->token == snapshot || old->last_writer < 0)
		return;
	struct translation tr = {.pfn = old_pfn, .generation = old->generation};
	struct device_access a = {.device = old->last_writer, .thread = -1, .mm = mm, .va = va, .tr = &tr, .write = 1, .now = now};
	report(c, V_LOST_WRITE, &a, (int64_t)new_pfn, op_id);
}

uint64_t checker_count(const struct checker *c, enum violation_type t) { return c->count[t]; }

uint64_t checker_discard_races(const struct checker *c) { return c->discard_races; }

uint64_t checker_total(const struct checker *c)
{
	uint64_t n = 0;
	for (int t = 0; t < V_TYPES; t++)
		n += c->count[t];
	return n;
}
