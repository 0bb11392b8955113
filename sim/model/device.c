/* device: see device.h. */
#include "device.h"
#include "checker.h"
#include "iommu.h"
#include "kernel_ops.h"
#include "mm.h"
#include "optable.h"
#include "sim.h"
#include "tlb.h"
#include "waitq.h"
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xbt/log.h>

XBT_LOG_NEW_DEFAULT_CATEGORY(device, "mnsim devices: ATC, translation requests, ATS invalidations");

struct dev_thread {
	struct device *dev;
	int stream, tindex;
	/* an outstanding translation request */
	int waiting, done, raced;
	struct waitq completion;
	uint64_t wait_va;
	struct pcie_msg cpl;
	/* the access being performed, which an invalidation must wait for */
	int active;
	uint64_t active_start, active_end;
};

struct device {
	struct sim *sim;
	int index;
	char name[32];
	sg_host_t host;
	struct iommu *iommu;
	struct mm *mm;
	struct params p;
	struct tlb *atc;
	struct pcie_chan up, down;
	struct waitq access_done; /* an invalidation waiting for accesses to finish */
	struct dev_thread **threads;
	size_t n_threads;
	struct device_rec rec;
};

struct device *device_new(struct sim *sim, int index, const char *name, sg_host_t host, struct iommu *iommu,
			  struct mm *mm, const struct params *p)
{
	struct device *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	d->sim = sim;
	d->index = index;
	snprintf(d->name, sizeof d->name, "%s", name);
	d->host = host;
	d->iommu = iommu;
	d->mm = mm;
	d->p = *p;
	d->atc = tlb_new((size_t)p->atc_sets, (size_t)p->atc_ways);
	char mb[80];
	sg_host_t iommu_side = iommu_host(iommu);
	enum pcie_model model = (enum pcie_model)sim->p.pcie_model;
	snprintf(mb, sizeof mb, "%s.up", name);
	pcie_chan_init(&d->up, mb, model, (long)p->msg_bytes, host, iommu_side, &sim->engine);
	snprintf(mb, sizeof mb, "%s.down", name);
	pcie_chan_init(&d->down, mb, model, (long)p->msg_bytes, iommu_side, host, &sim->engine);
	waitq_init(&d->access_done, &sim->engine, "device accesses to end before an ATS invalidation completes");
	snprintf(d->rec.name, sizeof d->rec.name, "%s", name);
	return d;
}

void device_free(struct device *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_threads; i++) {
		waitq_destroy(&d->threads[i]->completion);
		free(d->threads[i]);
	}
	free(d->threads);
	tlb_free(d->atc);
	pcie_chan_destroy(&d->up);
	pcie_chan_destroy(&d->down);
	waitq_destroy(&d->access_done);
	free(d);
}

const char *device_name(const struct device *d) { return d->name; }
int device_has_ats(const struct device *d) { return d->p.ats != 0; }
struct mm *device_mm(const struct device *d) { return d->mm; }
struct iommu *device_iommu(const struct device *d) { return d->iommu; }
struct pcie_chan *device_up(struct device *d) { return &d->up; }
struct pcie_chan *device_down(struct device *d) { return &d->down; }

void device_report(const struct device *d, struct device_rec *out)
{
	*out = d->rec;
	const struct tlb_stats *st = tlb_stats(d->atc);
	out->atc_hits = st->hits;
	out->atc_misses = st->misses;
}

/* ---- port: what the IOMMU sends ---- */

static int access_overlaps(const struct device *d, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < d->n_threads; i++) {
		const struct dev_thread *t = d->threads[i];
		if (t->active && t->active_start < end && start < t->active_end)
			return 1;
	}
	return 0;
}

static void handle_invalidation(struct device *d, const struct pcie_msg *m)
{
	d->rec.invalidations_received++;
	if (!d->p.ats_inv_responds)
		return; /* a dead device: the IOMMU will time out */
	tlb_invalidate_range(d->atc, m->pasid, m->start, m->end);
	for (size_t i = 0; i < d->n_threads; i++) {
		struct dev_thread *t = d->threads[i];
		if (t->waiting && t->wait_va >= m->start && t->wait_va < m->end)
			t->raced = 1; /* its completion must not be cached */
	}
	sim_sleep(d->sim, d->p.ats_inv_latency);
	while (access_overlaps(d, m->start, m->end))
		waitq_wait(&d->access_done);
	struct pcie_msg cpl = {.type = MSG_INV_CPL, .pasid = m->pasid, .start = m->start, .end = m->end, .qi_seq = m->qi_seq};
	pcie_send(&d->up, &cpl);
}

static void port_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct device *d = sg_actor_self_get_data();
	sg_actor_daemonize(sg_actor_self());
	pcie_chan_bind_receiver(&d->down);
	for (;;) {
		struct pcie_msg *m = pcie_recv(&d->down);
		if (m->type == MSG_TRANSLATE_CPL) {
			struct dev_thread *t = d->threads[m->thread];
			t->cpl = *m;
			t->done = 1;
			waitq_wake_all(&t->completion);
		} else if (m->type == MSG_INV_REQ) {
			handle_invalidation(d, m);
		} else {
			XBT_WARN("%s: unexpected message type %d", d->name, m->type);
		}
		free(m);
	}
}

void device_start_port(struct device *d)
{
	char name[64];
	snprintf(name, sizeof name, "%s-port", d->name);
	sim_start_actor(name, d->host, port_actor, d);
}

/* ---- threads: translated accesses ---- */

/* Asks the IOMMU; returns 1 with *tr, 0 for a fault, -1 if the completion
 * raced an invalidation (not to be used or cached). */
static int request_translation(struct dev_thread *t, uint64_t va, int write, struct translation *tr)
{
	struct device *d = t->dev;
	d->rec.translation_requests++;
	t->waiting = 1;
	t->done = t->raced = 0;
	t->wait_va = va;
	struct pcie_msg req = {.type = MSG_TRANSLATE_REQ, .thread = t->tindex, .pasid = d->mm->pasid, .va = va, .write = write};
	pcie_send(&d->up, &req);
	while (!t->done)
		waitq_wait(&t->completion);
	t->waiting = 0;
	if (t->cpl.status != XLATE_OK)
		return 0;
	if (t->raced) {
		d->rec.raced_translations++;
		if (d->p.atc_discard_raced)
			return -1;
	}
	*tr = (struct translation){.vbase = t->cpl.vbase, .pfn = t->cpl.pfn, .generation = t->cpl.generation,
				   .writable = t->cpl.writable, .huge = t->cpl.huge};
	return 1;
}

static void perform(struct dev_thread *t, uint64_t va, int write, const struct translation *tr)
{
	struct device *d = t->dev;
	t->active = 1;
	t->active_start = tr->vbase;
	t->active_end = tr->vbase + (tr->huge ? HUGE_SIZE : PAGE_SIZE);
	sim_sleep(d->sim, d->p.device_access_latency);
	struct device_access a = {d->index, t->stream, d->mm, va, tr, write, sim_now(d->sim)};
	sim_event(d->sim, t->stream, write ? EV_WRITE : EV_READ, va, -1);
	checker_device_access(d->sim->checker, &a);
	t->active = 0;
	waitq_wake_all(&d->access_done);
	d->rec.accesses++;
	if (write)
		d->rec.writes++;
	else
		d->rec.reads++;
}

static void device_access(struct dev_thread *t, uint64_t va, int write)
{
	struct device *d = t->dev;
	for (int attempt = 0; attempt <= (int)d->sim->p.fault_max_retries; attempt++) {
		struct translation tr;
		if (d->p.ats) {
			if (attempt > 0) /* the first was slept by sim_replay */
				sim_sleep(d->sim, d->p.atc_hit_latency);
			if (tlb_lookup(d->atc, d->mm->pasid, va, &tr) && (!write || tr.writable)) {
				perform(t, va, write, &tr);
				return;
			}
		}
		double t0 = sim_now(d->sim);
		int got = request_translation(t, va, write, &tr);
		uint64_t ticket = got != 0 ? t->cpl.ticket : 0; /* without ATS: the transaction in the IOMMU */
		if (got > 0) {
			if (d->p.ats)
				tlb_insert(d->atc, d->mm->pasid, &tr);
			d->rec.stall_time += sim_now(d->sim) - t0;
			perform(t, va, write, &tr);
			if (ticket)
				iommu_transaction_done(d->iommu, ticket);
			return;
		}
		if (ticket)
			iommu_transaction_done(d->iommu, ticket); /* dropped: a raced translation */
		if (got == 0) {
			/* PCIe PRI: a page request served by the OS, then a retry */
			d->rec.page_requests++;
			sim_sleep(d->sim, iommu_params(d->iommu)->pri_latency);
			enum fault_result fr = kernel_handle_fault(d->sim, d->mm, va, write, -1);
			d->rec.stall_time += sim_now(d->sim) - t0;
			if (fr == FAULT_SEGV) {
				d->rec.fault_errors++;
				return;
			}
		} else {
			d->rec.stall_time += sim_now(d->sim) - t0;
		}
	}
	d->rec.dropped++;
	XBT_INFO("%s: access to %#llx dropped after %d retries at %.9f s", d->name, (unsigned long long)va,
		 (int)d->sim->p.fault_max_retries, sim_now(d->sim));
}

static void on_device_event(void *ctx, const struct trace_event *ev)
{
	struct dev_thread *t = ctx;
	/* a forked child's PASID exists once the fork has made its address
	 * space: until then its devices wait, as its CPU threads do (an access
	 * before it faulted a page into the unborn child, which the fork's copy
	 * then overwrote: a leaked frame) */
	mm_wait_born(t->dev->mm);
	device_access(t, ev->va, ev->op == OP_WRITE);
}

static void thread_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct dev_thread *t = sg_actor_self_get_data();
	/* the first ATC lookup of each access is slept with the wait for it */
	struct device *d = t->dev;
	sim_replay(d->sim, t->stream, d->p.ats ? d->p.atc_hit_latency : 0, on_device_event, t);
}

void device_start_thread(struct device *d, int stream)
{
	struct dev_thread *t = calloc(1, sizeof *t);
	if (!t || !(d->threads = realloc(d->threads, (d->n_threads + 1) * sizeof *d->threads)))
		abort();
	t->dev = d;
	t->stream = stream;
	t->tindex = (int)d->n_threads;
	waitq_init(&t->completion, &d->sim->engine, "a translation completion");
	d->threads[d->n_threads++] = t;
	sim_start_actor(d->sim->trace->streams[stream].name, d->host, thread_actor, t);
}
