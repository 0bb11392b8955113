/* iommu: see iommu.h. */
#include "iommu.h"
#include "device.h"
#include "mm.h"
#include "optable.h"
#include "pcie.h"
#include "physmem.h"
#include "sim.h"
#include "tlb.h"
#include "waitq.h"
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xbt/log.h>

XBT_LOG_NEW_DEFAULT_CATEGORY(iommu, "mnsim IOMMU: IOTLB, walker, invalidation queue");

struct qi_desc {
	struct qi_request req;
	uint64_t seq;
	uint8_t processed, done, freed;
	uint8_t issued, aborted; /* device-TLB: sent to the device; given up after an ITE */
	double t_submit, t_start, t_done, t_issued;
	struct waitq *submitter; /* wait descriptor: its submitter waits here */
};

/* A translation request waiting for a walker. */
struct walk_job { struct device *dev; struct pcie_msg req; struct walk_job *next; };

/* A transaction of a device without ATS, from its translation to its access. */
struct transaction { unsigned pasid; uint64_t start, end, seq; int used; };

/* Recent IOTLB invalidations, so that a walk that raced one does not fill. */
#define INV_LOG 64
struct inv_log_entry { unsigned pasid; uint64_t start, end; };

struct iommu {
	struct sim *sim;
	int index;
	char name[32];
	sg_host_t host;
	struct params p;
	struct tlb *iotlb;
	struct tlb *psc;      /* paging-structure cache: upper levels per 2 MiB region, or NULL */
	struct walk_job *walk_head, *walk_tail; /* translation requests waiting for a walker */
	struct waitq walk_ready;
	struct qi_desc *ring;
	uint64_t depth, head, tail, reclaim, oldest_incomplete;
	/* the ring's waits: the engine for work, submitters for space, the
	 * engine for a free ITag, the watchdog for an issued device-TLB
	 * descriptor (a submitter waits for its wait descriptor on its own) */
	struct waitq engine_idle, space_freed, itag_freed, devtlb_issued;
	int ats_outstanding;
	/* transactions in flight (ticket = index + 1), and invalidations
	 * waiting for those on their range to end */
	struct transaction *tx;
	size_t n_tx, cap_tx;
	uint64_t tx_seq;
	struct waitq drained;
	uint64_t inv_seq;
	struct inv_log_entry inv_log[INV_LOG];
	struct iommu_rec rec;
};

struct iommu *iommu_new(struct sim *sim, int index, const char *name, sg_host_t host, const struct params *p)
{
	struct iommu *io = calloc(1, sizeof *io);
	if (!io)
		abort();
	io->sim = sim;
	io->index = index;
	snprintf(io->name, sizeof io->name, "%s", name);
	io->host = host;
	io->p = *p;
	io->iotlb = tlb_new((size_t)p->iotlb_sets, (size_t)p->iotlb_ways);
	io->psc = p->psc_entries > 0 ? tlb_new(1, (size_t)p->psc_entries) : NULL;
	waitq_init_idle(&io->walk_ready, &sim->engine, "a translation request (an idle walker)");
	io->depth = (uint64_t)p->qi_depth;
	if (!(io->ring = calloc(io->depth, sizeof *io->ring)))
		abort();
	waitq_init_idle(&io->engine_idle, &sim->engine, "descriptors to process (an idle invalidation queue)");
	waitq_init(&io->space_freed, &sim->engine, "free invalidation-queue slots (a QI-full stall)");
	waitq_init(&io->itag_freed, &sim->engine, "a free ATS invalidation tag (ITag)");
	waitq_init_idle(&io->devtlb_issued, &sim->engine, "a device-TLB descriptor to time (idle watchdog)");
	waitq_init(&io->drained, &sim->engine, "in-flight DMA of an invalidated range to end (drain)");
	snprintf(io->rec.name, sizeof io->rec.name, "%s", name);
	io->rec.qi_depth = (uint32_t)io->depth;
	return io;
}

void iommu_free(struct iommu *io)
{
	if (!io)
		return;
	tlb_free(io->iotlb);
	tlb_free(io->psc);
	while (io->walk_head) {
		struct walk_job *next = io->walk_head->next;
		free(io->walk_head);
		io->walk_head = next;
	}
	waitq_destroy(&io->walk_ready);
	free(io->ring);
	waitq_destroy(&io->engine_idle);
	waitq_destroy(&io->space_freed);
	waitq_destroy(&io->itag_freed);
	waitq_destroy(&io->devtlb_issued);
	waitq_destroy(&io->drained);
	free(io->tx);
	free(io);
}

const struct params *iommu_params(const struct iommu *io) { return &io->p; }
const char *iommu_name(const struct iommu *io) { return io->name; }
sg_host_t iommu_host(const struct iommu *io) { return io->host; }

static struct qi_desc *slot(struct iommu *io, uint64_t seq) { return &io->ring[seq % io->depth]; }

static void record_occupancy(struct iommu *io)
{
	uint32_t used = (uint32_t)(io->tail - io->reclaim);
	if (used > io->rec.qi_max_used)
		io->rec.qi_max_used = used;
	struct qi_rec r = {sim_now(io->sim), io->index, used};
	results_qi(io->sim->results, &r);
}

/* Completes, in ring order, every wait descriptor whose predecessors are all
 * done, and wakes its submitter alone: waking every submitter for each wait
 * that completes cost most of a CPU-heavy run's hand-offs.
 * A wake-up lets the woken submitter run first, and it frees and reclaims its
 * slots, which new submissions may then reuse: so the ring position moves
 * past the wait descriptor before its submitter is woken, and the slot is not
 * read after.  (Waking first left oldest_incomplete on a reused slot, whose
 * new descriptor then never completed: the QI stayed full and every submitter
 * deadlocked, issue 16.) */
static void advance_completion(struct iommu *io)
{
	while (io->oldest_incomplete < io->head) {
		struct qi_desc *d = slot(io, io->oldest_incomplete);
		if (d->req.type == QI_WAIT && d->processed && !d->done) {
			d->done = 1;
			d->t_done = sim_now(io->sim);
			io->oldest_incomplete++;
			waitq_wake_one(d->submitter);
			continue;
		}
		if (!d->done)
			break;
		io->oldest_incomplete++;
	}
}

static void log_invalidation(struct iommu *io, unsigned pasid, uint64_t start, uint64_t end)
{
	io->inv_log[io->inv_seq % INV_LOG] = (struct inv_log_entry){pasid, start, end};
	io->inv_seq++;
}

static int invalidated_since(const struct iommu *io, uint64_t since, unsigned pasid, uint64_t start, uint64_t end)
{
	if (io->inv_seq - since > INV_LOG)
		return 1; /* the log has wrapped: assume the worst */
	for (uint64_t s = since; s < io->inv_seq; s++) {
		const struct inv_log_entry *e = &io->inv_log[s % INV_LOG];
		if (e->pasid == pasid && e->start < end && start < e->end)
			return 1;
	}
	return 0;
}

static void complete_desc(struct iommu *io, struct qi_desc *d)
{
	d->done = 1;
	d->t_done = sim_now(io->sim);
	advance_completion(io);
}

/* Ends the device-TLB descriptor d if it is still the outstanding one of
 * sequence number seq (its device answered, or it timed out): its ITag is
 * free again.  Returns 0 if it had already ended: an answer after an ITE, or
 * a slot reused since. */
static int end_devtlb(struct iommu *io, struct qi_desc *d, uint64_t seq, int timed_out)
{
	if (d->seq != seq || !d->issued || d->done)
		return 0;
	d->aborted = (uint8_t)timed_out; /* before completing: the submitter reads it */
	io->ats_outstanding--;
	complete_desc(io, d);
	waitq_wake_all(&io->itag_freed);
	return 1;
}

/* ---- transactions of devices without ATS ---- */

static uint64_t transaction_begin(struct iommu *io, unsigned pasid, uint64_t start, uint64_t end)
{
	size_t i = 0;
	while (i < io->n_tx && io->tx[i].used)
		i++;
	if (i == io->n_tx) {
		if (io->n_tx == io->cap_tx) {
			io->cap_tx = io->cap_tx ? 2 * io->cap_tx : 16;
			if (!(io->tx = realloc(io->tx, io->cap_tx * sizeof *io->tx)))
				abort();
		}
		io->n_tx++;
	}
	io->tx[i] = (struct transaction){pasid, start, end, io->tx_seq++, 1};
	return i + 1;
}

void iommu_transaction_done(struct iommu *io, uint64_t ticket)
{
	io->tx[ticket - 1].used = 0;
	while (io->n_tx && !io->tx[io->n_tx - 1].used)
		io->n_tx--;
	waitq_wake_all(&io->drained);
}

/* An IOTLB invalidation of [start, end) under pasid, processed now: it waits
 * until the transactions on that range that began before it have ended. */
static void drain(struct iommu *io, unsigned pasid, uint64_t start, uint64_t end)
{
	uint64_t before = io->tx_seq;
	for (;;) {
		int busy = 0;
		for (size_t i = 0; i < io->n_tx && !busy; i++) {
			const struct transaction *t = &io->tx[i];
			busy = t->used && t->seq < before && t->pasid == pasid && t->start < end && start < t->end;
		}
		if (!busy)
			return;
		waitq_wait(&io->drained);
	}
}

static void process(struct iommu *io, struct qi_desc *d)
{
	const struct qi_request *r = &d->req;
	switch (r->type) {
	case QI_IOTLB_PSI:
		sim_sleep(io->sim, io->p.qi_iotlb_latency);
		tlb_invalidate_range(io->iotlb, r->pasid, r->start, r->end);
		if (io->psc)
			tlb_invalidate_range(io->psc, r->pasid, r->start, r->end);
		log_invalidation(io, r->pasid, r->start, r->end);
		drain(io, r->pasid, r->start, r->end);
		break;
	case QI_IOTLB_PASID:
		sim_sleep(io->sim, io->p.qi_pasid_latency);
		tlb_invalidate_pasid(io->iotlb, r->pasid);
		if (io->psc)
			tlb_invalidate_pasid(io->psc, r->pasid);
		log_invalidation(io, r->pasid, 0, UINT64_MAX);
		drain(io, r->pasid, 0, UINT64_MAX);
		break;
	case QI_DEVTLB: {
		sim_sleep(io->sim, io->p.qi_devtlb_issue_latency);
		struct pcie_msg m = {.type = MSG_INV_REQ, .pasid = r->pasid, .start = r->start, .end = r->end, .qi_seq = d->seq};
		pcie_send(device_down(r->dev), &m);
		d->issued = 1;
		d->t_issued = sim_now(io->sim);
		waitq_wake_all(&io->devtlb_issued); /* the watchdog now times it */
		return; /* completes when the device answers */
	}
	case QI_WAIT:
		sim_sleep(io->sim, io->p.qi_wait_latency);
		d->processed = 1;
		return;
	}
	complete_desc(io, d);
}

static void engine_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct iommu *io = sg_actor_self_get_data();
	sg_actor_daemonize(sg_actor_self());
	for (;;) {
		while (io->head == io->tail)
			waitq_wait(&io->engine_idle);
		struct qi_desc *d = slot(io, io->head);
		if (d->req.type == QI_DEVTLB) {
			while (io->ats_outstanding >= (int)io->p.ats_max_outstanding)
				waitq_wait(&io->itag_freed);
			io->ats_outstanding++;
		}
		d->t_start = sim_now(io->sim);
		process(io, d);
		io->head++;
		advance_completion(io);
	}
}

static void watchdog_actor(int argc, char **argv);
static void walker_actor(int argc, char **argv);

void iommu_start(struct iommu *io)
{
	char name[64];
	snprintf(name, sizeof name, "%s-qi", io->name);
	sim_start_actor(name, io->host, engine_actor, io);
	snprintf(name, sizeof name, "%s-watchdog", io->name);
	sim_start_actor(name, io->host, watchdog_actor, io);
	for (int k = 0; k < (int)io->p.max_walks; k++) {
		snprintf(name, sizeof name, "%s-walker%d", io->name, k);
		sim_start_actor(name, io->host, walker_actor, io);
	}
}

static void count_desc(struct iommu *io, const struct qi_desc *d, uint64_t submission)
{
	if (io->sim->p.check_invariants && !(d->t_submit <= d->t_start && d->t_start <= d->t_done)) {
		char why[256];
		snprintf(why, sizeof why,
			 "model invariant broken at simulated time %.9f s: %s descriptor %llu of submission %llu was submitted at "
			 "%.9f s, started at %.9f s and completed at %.9f s (out of order)",
			 sim_now(io->sim), io->name, (unsigned long long)d->seq, (unsigned long long)submission, d->t_submit,
			 d->t_start, d->t_done);
		sim_fail(io->sim, why);
	}
	struct qi_desc_rec rec = {d->t_submit, d->t_start, d->t_done, io->index, d->req.type, submission, d->req.notification};
	results_qi_desc(io->sim->results, &rec);
	uint64_t *counters[] = {&io->rec.desc_iotlb_psi, &io->rec.desc_iotlb_pasid, &io->rec.desc_devtlb, &io->rec.desc_wait};
	(*counters[d->req.type])++;
	io->rec.desc_queue_time += d->t_start - d->t_submit;
	io->rec.desc_service_time += d->t_done - d->t_start;
}

/* The oldest device-TLB descriptor that was issued and is not complete, or
 * NULL.  The time-out is the same for all, so it is also the first to time out. */
static struct qi_desc *oldest_outstanding(struct iommu *io)
{
	for (uint64_t s = io->oldest_incomplete; s < io->head + 1 && s < io->tail; s++) {
		struct qi_desc *d = slot(io, s);
		if (d->req.type == QI_DEVTLB && d->issued && !d->done)
			return d;
	}
	return NULL;
}

/* The hardware's invalidation time-out: a device-TLB descriptor not
 * completed ats_inv_timeout after it was issued raises an invalidation
 * time-out error (ITE); the descriptor is given up, which lets its wait
 * descriptor complete, and the submitter sees it.  (A timed condition wait
 * would be simpler, but SimGrid 3.32's sg_cond_wait_for fails when notified.) */
static void watchdog_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct iommu *io = sg_actor_self_get_data();
	sg_actor_daemonize(sg_actor_self());
	for (;;) {
		struct qi_desc *d;
		while (!(d = oldest_outstanding(io)))
			waitq_wait(&io->devtlb_issued);
		uint64_t seq = d->seq;
		double deadline = d->t_issued + io->p.ats_inv_timeout;
		sim_sleep_until(io->sim, deadline);
		if (end_devtlb(io, d, seq, 1))
			XBT_INFO("%s: invalidation time-out error on %s at %.9f s", io->name, device_name(d->req.dev), sim_now(io->sim));
	}
}

/* Puts n descriptors and a wait descriptor in the ring and spins until the
 * wait completes.  Returns 1 if the wait completed only because an ITE gave
 * up a device-TLB descriptor. */
static int submit_once(struct iommu *io, const struct qi_request *reqs, size_t n, double *stall)
{
	if (io->depth - (io->tail - io->reclaim) < n + 2) {
		double t0 = sim_now(io->sim);
		io->rec.qi_full_stalls++;
		while (io->depth - (io->tail - io->reclaim) < n + 2)
			waitq_wait(&io->space_freed);
		double waited = sim_now(io->sim) - t0;
		*stall += waited;
		io->rec.qi_stall_time += waited;
	}
	struct waitq done; /* the wait descriptor, last, points here */
	waitq_init(&done, &io->sim->engine, "its invalidation wait descriptor to complete");
	uint64_t first = io->tail;
	double now = sim_now(io->sim);
	for (size_t i = 0; i <= n; i++) {
		struct qi_desc *d = slot(io, io->tail);
		memset(d, 0, sizeof *d);
		d->req = i < n ? reqs[i] : (struct qi_request){.type = QI_WAIT, .notification = n ? reqs[0].notification : -1};
		d->submitter = i < n ? NULL : &done;
		d->seq = io->tail++;
		d->t_submit = now;
	}
	uint64_t wait_seq = io->tail - 1, submission = ++io->rec.submissions;
	record_occupancy(io);
	waitq_wake_one(&io->engine_idle);
	while (!slot(io, wait_seq)->done)
		waitq_wait(&done);
	waitq_destroy(&done);
	int aborted = 0;
	for (uint64_t s = first; s <= wait_seq; s++) {
		slot(io, s)->freed = 1;
		aborted |= slot(io, s)->aborted;
		count_desc(io, slot(io, s), submission);
	}
	while (io->reclaim < io->tail && slot(io, io->reclaim)->freed)
		io->reclaim++;
	record_occupancy(io);
	waitq_wake_all(&io->space_freed);
	return aborted;
}

double iommu_submit_sync(struct iommu *io, const struct qi_request *reqs, size_t n)
{
	/* a batch larger than the ring could never be submitted: Linux never
	 * builds one, so split it */
	if (n + 2 > io->depth) {
		size_t half = n / 2;
		return iommu_submit_sync(io, reqs, half) + iommu_submit_sync(io, reqs + half, n - half);
	}
	double stall = 0;
	/* after an ITE Linux restarts the submission (qi_submit_sync -EAGAIN) */
	for (int attempt = 0; submit_once(io, reqs, n, &stall); attempt++) {
		io->rec.ite++;
		if (attempt == (int)io->p.ite_retries) {
			io->rec.ite_giveups++;
			XBT_WARN("%s: device-TLB invalidation given up after %d time-outs at %.9f s", io->name, attempt + 1, sim_now(io->sim));
			break;
		}
	}
	return stall;
}

/* ---- translation requests and invalidation completions from a device ---- */

/* Levels a walk must read: all of them, or only the leaf when the
 * paging-structure cache holds the upper levels of va's 2 MiB region. */
static int walk_levels_needed(struct iommu *io, unsigned pasid, uint64_t va)
{
	struct translation upper;
	if (!io->psc)
		return (int)io->p.walk_levels;
	if (tlb_lookup(io->psc, pasid, va & ~(HUGE_SIZE - 1), &upper))
		return 1;
	upper = (struct translation){.vbase = va & ~(HUGE_SIZE - 1)};
	tlb_insert(io->psc, pasid, &upper);
	return (int)io->p.walk_levels;
}

/* A page walk: the leaf entry is read when the last level starts, so a slow
 * walk can return what an invalidation made stale in the meantime.  The
 * IOTLB is not filled if an invalidation of the range was processed during
 * the walk.  Returns 1 with *tr if the entry allows the access. */
static int walk(struct iommu *io, struct mm *mm, const struct pcie_msg *q, struct translation *tr)
{
	uint64_t since = io->inv_seq;
	io->rec.walks++;
	int levels = walk_levels_needed(io, q->pasid, q->va);
	sim_sleep(io->sim, (levels - 1) * io->p.walk_latency);
	uint64_t base;
	struct pte *p = mm->exited ? NULL : mm_lookup(mm, q->va, &base); /* a torn-down PASID translates nothing */
	int ok = p && p->state == PTE_PRESENT && (!q->write || p->writable);
	if (ok)
		*tr = (struct translation){.vbase = base, .pfn = p->pfn,
					   .generation = physmem_frame(io->sim->mem, p->pfn)->generation,
					   .writable = p->writable, .huge = p->huge};
	sim_sleep(io->sim, io->p.walk_latency);
	uint64_t size = ok && tr->huge ? HUGE_SIZE : PAGE_SIZE;
	if (ok && !invalidated_since(io, since, q->pasid, base, base + size))
		tlb_insert(io->iotlb, q->pasid, tr);
	return ok;
}

/* Answers one translation request: IOTLB lookup, a walk on a miss. */
static void translate(struct iommu *io, const struct walk_job *job)
{
	const struct pcie_msg *q = &job->req;
	struct pcie_msg cpl = {.type = MSG_TRANSLATE_CPL, .thread = q->thread, .pasid = q->pasid, .va = q->va,
			       .write = q->write, .status = XLATE_FAULT};
	struct translation tr;
	/* without ATS the access follows in the same transaction: an
	 * invalidation of its page waits for it (iommu_transaction_done) */
	uint64_t ticket = device_has_ats(job->dev) ? 0 : transaction_begin(io, q->pasid, q->va & ~(PAGE_SIZE - 1), (q->va & ~(PAGE_SIZE - 1)) + PAGE_SIZE);
	sim_sleep(io->sim, io->p.iotlb_lookup_latency);
	int hit = tlb_lookup(io->iotlb, q->pasid, q->va, &tr) && (!q->write || tr.writable);
	if (!hit)
		hit = walk(io, device_mm(job->dev), q, &tr);
	if (hit) {
		cpl.status = XLATE_OK;
		cpl.vbase = tr.vbase;
		cpl.pfn = tr.pfn;
		cpl.generation = tr.generation;
		cpl.writable = tr.writable;
		cpl.huge = tr.huge;
		if (ticket && tr.huge) { /* the whole huge page is in use */
			io->tx[ticket - 1].start = tr.vbase;
			io->tx[ticket - 1].end = tr.vbase + HUGE_SIZE;
		}
		cpl.ticket = ticket;
	} else if (ticket) {
		iommu_transaction_done(io, ticket); /* a fault: no access follows */
	}
	pcie_send(device_down(job->dev), &cpl);
}

/* One of the IOMMU's max_walks translation engines: a fixed pool of actors
 * (creating an actor per request would cost more than the simulation). */
static void walker_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct iommu *io = sg_actor_self_get_data();
	sg_actor_daemonize(sg_actor_self());
	for (;;) {
		while (!io->walk_head)
			waitq_wait(&io->walk_ready);
		struct walk_job *job = io->walk_head;
		io->walk_head = job->next;
		if (!io->walk_head)
			io->walk_tail = NULL;
		translate(io, job);
		free(job);
	}
}

static void start_walk(struct iommu *io, struct device *dev, const struct pcie_msg *req)
{
	struct walk_job *job = malloc(sizeof *job);
	if (!job)
		abort();
	*job = (struct walk_job){dev, *req, NULL};
	if (io->walk_tail)
		io->walk_tail->next = job;
	else
		io->walk_head = job;
	io->walk_tail = job;
	waitq_wake_one(&io->walk_ready);
}

static void invalidation_completed(struct iommu *io, uint64_t qi_seq)
{
	end_devtlb(io, slot(io, qi_seq), qi_seq, 0);
}

struct port { struct iommu *io; struct device *dev; };

static void port_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct port *pt = sg_actor_self_get_data();
	struct iommu *io = pt->io;
	struct device *dev = pt->dev;
	free(pt);
	sg_actor_daemonize(sg_actor_self());
	struct pcie_chan *up = device_up(dev);
	pcie_chan_bind_receiver(up);
	for (;;) {
		struct pcie_msg *m = pcie_recv(up);
		if (m->type == MSG_TRANSLATE_REQ)
			start_walk(io, dev, m);
		else if (m->type == MSG_INV_CPL)
			invalidation_completed(io, m->qi_seq);
		else
			XBT_WARN("%s: unexpected message type %d from %s", io->name, m->type, device_name(dev));
		free(m);
	}
}

void iommu_attach_device(struct iommu *io, struct device *d)
{
	struct port *pt = malloc(sizeof *pt);
	if (!pt)
		abort();
	*pt = (struct port){io, d};
	char name[96];
	snprintf(name, sizeof name, "%s-port-%s", io->name, device_name(d));
	sim_start_actor(name, io->host, port_actor, pt);
}

void iommu_report(const struct iommu *io, struct iommu_rec *out)
{
	const struct tlb_stats *st = tlb_stats(io->iotlb);
	*out = io->rec;
	out->iotlb_hits = st->hits;
	out->iotlb_misses = st->misses;
	out->iotlb_evictions = st->evictions;
	out->iotlb_invalidated = st->invalidated;
}

void iommu_report_pasids(const struct iommu *io, struct results *r)
{
	unsigned pasid;
	struct tlb_stats st;
	for (size_t i = 0; tlb_pasid_stats(io->iotlb, i, &pasid, &st); i++) {
		struct pasid_rec rec = {.pasid = pasid, .hits = st.hits, .misses = st.misses, .fills = st.fills,
					.evictions = st.evictions, .invalidated = st.invalidated};
		snprintf(rec.iommu, sizeof rec.iommu, "%s", io->name);
		results_pasid(r, &rec);
	}
}
