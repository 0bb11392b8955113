/* kernel_ops: see kernel_ops.h.  Each op is a row of `programs` below: the
 * steps of the kernel function named in optable.c, in order.  The
 * interpreter (run_step) gives each step its meaning and its cost. */
#include "kernel_ops.h"
#include "checker.h"
#include "later.h"
#include "mm.h"
#include "notifier.h"
#include "physmem.h"
#include "sim.h"
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <stdlib.h>
#include <string.h>
#include <xbt/log.h>

XBT_LOG_NEW_DEFAULT_CATEGORY(kernel, "mnsim kernel operations on CPU actors");

enum step_kind {
	ST_END,          /* end of program */
	ST_MMAP_READ, ST_MMAP_WRITE,
	ST_RANGE_START, ST_RANGE_END,
	ST_LOCK, ST_UNLOCK,
	ST_ALLOC,        /* new page (huge for huge ops) */
	ST_COPY,         /* copy the old page's content into the new one */
	ST_ZERO,         /* zero-fill the new page */
	ST_NEW_CONTENT,  /* the new page has content of its own (uprobes) */
	ST_CLEAR_FLUSH,  /* clear the entry, CPU TLB flush, then the site's IR */
	ST_FLUSH,        /* CPU TLB flush of the range, then the site's IR */
	ST_IR,           /* an explicit invalidate_range call */
	ST_SET_NEW,      /* entry -> new page (arg: writable) */
	ST_SET_RO,       /* entry -> the same page, read-only */
	ST_PREEMPT,      /* the preemption window */
	ST_DROP_OLD,     /* drop the old page's reference (free if last) */
	ST_WRPROTECT,    /* every entry in the range read-only */
	ST_SHARE_COW,    /* every entry read-only and shared with a child */
	ST_PROTECT_VMA,  /* the mapping becomes read-only */
	ST_REMOVE_VMA,   /* the mapping goes away */
	ST_SET_SWAP,     /* entry -> swap entry, page in the swap cache */
	ST_FREE_LATER,   /* swap cache page freed reclaim_free_delay later */
	ST_SET_MIGRATION,/* entry -> migration entry */
	ST_INSTALL_COPY, /* entry -> the copy; what was written to the old page since the copy began is lost */
	ST_PROTNONE,     /* entry -> NUMA hinting (not present) */
	ST_MARK_MIGRATING,
	ST_CHECK_PROTNONE, /* give up (counted) unless the entry is still protnone */
	ST_ZAP,          /* zap_pte_range over the range, flushing a full gather batch (site) */
	ST_ZAP_KEEP,     /* madv_free: the same walk, pages stay */
	ST_GATHER_FINAL, /* tlb_finish_mmu: flush, site's IR, free the rest */
	ST_TARGET_OTHER, ST_TARGET_MAIN, /* ksm: which page the next steps work on */
	ST_SKIP_IF_KSM,  /* skip arg steps if the current page is already a KSM page */
	ST_KSM_MARK,     /* the current page becomes the KSM page */
	ST_KSM_COMPARE,  /* give up unless both pages hold the same content */
	ST_KSM_REPLACE,  /* entry -> the KSM page, read-only */
	ST_SPLIT,        /* PMD -> 512 PTEs to the same page */
};

struct step { enum step_kind kind; enum ir_site site; int arg; };

enum precondition { NEED_NOTHING, NEED_PRESENT, NEED_PRESENT_OR_PROTNONE };

struct program {
	enum precondition need;
	unsigned uses_set_pte_notify : 1; /* set_pte_at_notify -> change_pte */
	struct step steps[32];
};

#define S(k) {ST_##k, SITE_FLUSH_ONLY, 0}
#define SITE(k, site) {ST_##k, SITE_##site, 0}
#define ARG(k, a) {ST_##k, SITE_FLUSH_ONLY, a}

static const struct program programs[OP_COUNT] = {
	[OP_COW] = {NEED_PRESENT, 1, {S(MMAP_READ), S(ALLOC), S(COPY), S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_CASE_B),
		ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	[OP_ZERO_FAULT] = {NEED_PRESENT, 1, {S(MMAP_READ), S(ALLOC), S(ZERO), S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_CASE_B),
		ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	[OP_THP_COW] = {NEED_PRESENT, 0, {S(MMAP_READ), S(ALLOC), S(COPY), S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_CASE_B),
		ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	[OP_HUGETLB_COW] = {NEED_PRESENT, 0, {S(MMAP_READ), S(ALLOC), S(COPY), S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, FLUSH_ONLY),
		SITE(IR, PTL_CASE_B), ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT), S(DROP_OLD)}},
	[OP_REPLACE_PAGE] = {NEED_PRESENT, 1, {S(MMAP_WRITE), S(ALLOC), S(NEW_CONTENT), S(RANGE_START), S(LOCK),
		SITE(CLEAR_FLUSH, PTL_CASE_B), ARG(SET_NEW, 0), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT), S(DROP_OLD)}},
	[OP_MUNMAP] = {NEED_NOTHING, 0, {S(MMAP_WRITE), S(REMOVE_VMA), S(RANGE_START), SITE(ZAP, GATHER_FREE), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), SITE(GATHER_FINAL, GATHER_FREE)}},
	[OP_MADV_FREE] = {NEED_NOTHING, 0, {S(MMAP_READ), S(RANGE_START), SITE(ZAP_KEEP, GATHER_NOFREE), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), SITE(GATHER_FINAL, GATHER_NOFREE)}},
	[OP_RECLAIM] = {NEED_PRESENT, 0, {S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_RECLAIM), S(SET_SWAP), S(UNLOCK), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), S(FREE_LATER)}},
	[OP_MIGRATE] = {NEED_PRESENT, 0, {S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_V414), S(SET_MIGRATION), S(UNLOCK), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), S(ALLOC), S(COPY), S(LOCK), S(INSTALL_COPY), S(UNLOCK), S(DROP_OLD)}},
	[OP_NUMA_HINT] = {NEED_PRESENT, 0, {S(MMAP_READ), S(RANGE_START), S(LOCK), S(PROTNONE), S(UNLOCK), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), SITE(FLUSH, FLUSH_ONLY)}},
	[OP_THP_MIGRATE] = {NEED_PRESENT_OR_PROTNONE, 0, {S(MMAP_READ), S(LOCK), S(MARK_MIGRATING), SITE(FLUSH, FLUSH_ONLY),
		SITE(IR, PRECOPY), S(UNLOCK), S(ALLOC), S(COPY), S(CHECK_PROTNONE), S(RANGE_START), S(LOCK),
		SITE(CLEAR_FLUSH, PTL_CASE_B), S(INSTALL_COPY), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	[OP_MPROTECT] = {NEED_NOTHING, 0, {S(MMAP_WRITE), S(PROTECT_VMA), S(RANGE_START), S(LOCK), S(WRPROTECT), S(UNLOCK), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), SITE(FLUSH, FLUSH_ONLY)}},
	[OP_FORK_WP] = {NEED_NOTHING, 0, {S(MMAP_WRITE), S(RANGE_START), S(LOCK), S(SHARE_COW), S(UNLOCK), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), SITE(FLUSH, FLUSH_ONLY)}},
	[OP_KSM_MERGE] = {NEED_PRESENT, 1, {S(MMAP_READ),
		/* write_protect_page on the other page, unless it is a KSM page already */
		S(TARGET_OTHER), ARG(SKIP_IF_KSM, 9), S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_V414), S(SET_RO), S(KSM_MARK),
		S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT),
		/* write_protect_page on this page */
		S(TARGET_MAIN), S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_V414), S(SET_RO), S(UNLOCK), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), S(KSM_COMPARE),
		/* replace_page */
		S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, PTL_V414), S(KSM_REPLACE), S(UNLOCK), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), S(DROP_OLD)}},
	[OP_THP_SPLIT] = {NEED_PRESENT, 0, {S(MMAP_READ), S(RANGE_START), S(LOCK), SITE(CLEAR_FLUSH, FLUSH_ONLY), S(SPLIT), S(UNLOCK),
		S(PREEMPT), SITE(RANGE_END, END_UNCHANGED)}},
};

static int has_gather_free(const struct program *pg)
{
	for (const struct step *st = pg->steps; st->kind != ST_END; st++)
		if (st->site == SITE_GATHER_FREE)
			return 1;
	return 0;
}

/* ---- the state of one running op ---- */

struct op_ctx {
	struct sim *s;
	struct mm *mm;
	enum op_kind kind;
	const struct program *pg;
	int cpu, holds_mmap, mmap_mode; /* mmap_mode: 0 none, 1 read, 2 write (taken by this op) */
	int huge, has_window;
	double window, lock_t0;
	struct lock *ptl;               /* the page-table lock held, if locked */
	uint64_t va, other_va, size;    /* size of the op's range in bytes */
	uint64_t cur_va, cur_pfn;       /* the page the steps work on (ksm switches) */
	uint64_t main_pfn, other_pfn, old_pfn, new_pfn, snapshot;
	int have_new, new_installed, locked, pair_irs, stop;
	uint8_t old_writable;
	uint64_t *batch;                /* mmu_gather */
	size_t n_batch, gathered;
	struct op_rec rec;
};

static struct pte *cur_entry(struct op_ctx *c) { return mm_entry(c->mm, c->cur_va, c->huge, 0); }
static uint64_t page_bytes(const struct op_ctx *c) { return c->huge ? HUGE_SIZE : PAGE_SIZE; }

static void ir(struct op_ctx *c, enum ir_site site, int is_flush, uint64_t start, uint64_t end)
{
	struct sim *s = c->s;
	int call = s->policy->ir_at_every_cpu_flush ? is_flush
						    : policy_calls(s->policy, site, (int)s->p.thp_migrate_fix, c->pair_irs,
								   has_gather_free(c->pg));
	if (!call)
		return;
	c->pair_irs++;
	sim_event(s, c->cpu, EV_NOTIFY, start, c->rec.id);
	enum ir_where where = c->locked ? IR_UNDER_PTL : site_is_range_end(site) ? IR_RANGE_END
						       : site_is_gather(site) ? IR_GATHER : IR_OTHER;
	struct ir_ctx ctx = {c->rec.id, c->kind, c->cpu, where, site};
	unsigned desc;
	if (notifier_invalidate_range(s, c->mm, start, end, &ctx, &desc)) {
		c->rec.notifications++;
		c->rec.notifications_under_ptl += where == IR_UNDER_PTL;
		c->rec.descriptors += desc;
	}
}

static void cpu_flush(struct op_ctx *c, enum ir_site site, uint64_t start, uint64_t end)
{
	sim_sleep(c->s, c->s->p.cpu_tlb_flush_latency);
	ir(c, site, 1, start, end);
}

static void lock_ptl(struct op_ctx *c)
{
	double t = sim_now(c->s);
	c->ptl = mm_ptl(c->mm, c->cur_va, c->huge);
	lock_acquire(c->ptl);
	c->lock_t0 = sim_now(c->s);
	c->rec.ptl_wait += c->lock_t0 - t;
	c->locked = 1;
}

static void unlock_ptl(struct op_ctx *c)
{
	double hold = sim_now(c->s) - c->lock_t0;
	c->rec.ptl_hold += hold;
	hist_add(&c->s->ptl_hold, hold);
	c->locked = 0;
	lock_release(c->ptl);
}

static void free_page(struct op_ctx *c, uint64_t pfn)
{
	if (physmem_put(c->s->mem, pfn))
		sim_sleep(c->s, c->s->p.page_free_latency);
}

static void set_entry(struct op_ctx *c, struct pte *p, enum pte_state state, uint64_t pfn, int writable)
{
	p->state = (uint8_t)state;
	p->pfn = pfn;
	p->writable = (uint8_t)writable;
	p->last_op = c->rec.id;
	sim_event(c->s, c->cpu, EV_PTE_UPDATE, c->cur_va, c->rec.id);
	sim_sleep(c->s, c->s->p.pte_update_latency);
}

/* Calls fn on every entry in [va, va + size), huge entries once. */
static void for_each_entry(struct op_ctx *c, void (*fn)(struct op_ctx *, struct pte *, uint64_t base))
{
	uint64_t base, end = c->va + c->size;
	struct pte *p;
	/* absent tables cost nothing; fn may sleep, so go on from after this entry */
	for (uint64_t a = c->va; a < end && (p = mm_next_entry(c->mm, a, end, &base)) != NULL;
	     a = base + (p->huge ? HUGE_SIZE : PAGE_SIZE))
		fn(c, p, base);
}

static void wrprotect_one(struct op_ctx *c, struct pte *p, uint64_t base)
{
	(void)base;
	if (p->state == PTE_PRESENT && p->writable)
		set_entry(c, p, PTE_PRESENT, p->pfn, 0);
}

static void share_one(struct op_ctx *c, struct pte *p, uint64_t base)
{
	(void)base;
	if (p->state != PTE_PRESENT || p->pfn == physmem_zero_pfn(c->s->mem))
		return;
	physmem_get(c->s->mem, p->pfn); /* the child's reference */
	set_entry(c, p, PTE_PRESENT, p->pfn, 0);
}

/* Frees the gathered pages: tlb_flush_mmu's free after the flush. */
static void free_batch(struct op_ctx *c)
{
	for (size_t i = 0; i < c->n_batch; i++)
		free_page(c, c->batch[i]);
	c->n_batch = 0;
}

static void zap_one(struct op_ctx *c, struct pte *p, uint64_t base, int frees)
{
	if (p->state == PTE_NONE)
		return;
	uint64_t pfn = p->pfn;
	int had_page = p->state == PTE_PRESENT || p->state == PTE_PROTNONE || p->state == PTE_MIGRATION;
	if (frees) {
		mm_clear_entry(p);
		p->last_op = c->rec.id;
		sim_sleep(c->s, c->s->p.pte_update_latency);
		if (had_page && pfn != physmem_zero_pfn(c->s->mem))
			c->batch[c->n_batch++] = pfn;
	} else {
		if (p->state != PTE_PRESENT)
			return;
		set_entry(c, p, PTE_PRESENT, pfn, p->writable); /* cleaned and made old, still mapped */
	}
	c->gathered++;
	if (c->gathered % (uint64_t)c->s->p.gather_batch == 0) {
		/* the batch is full: flush and notify under the ptl, then free */
		(void)base;
		cpu_flush(c, frees ? SITE_GATHER_FREE : SITE_GATHER_NOFREE, c->va, c->va + c->size);
		unlock_ptl(c);
		free_batch(c);
		lock_ptl(c);
	}
}

static void zap(struct op_ctx *c, int frees)
{
	if (!c->batch && !(c->batch = malloc((size_t)c->s->p.gather_batch * sizeof *c->batch)))
		abort();
	/* one ptl hold per page table (2 MiB of VA) */
	for (uint64_t table = c->va & ~(HUGE_SIZE - 1); table < c->va + c->size; table += HUGE_SIZE) {
		c->cur_va = table > c->va ? table : c->va;
		lock_ptl(c);
		uint64_t lo = table > c->va ? table : c->va, hi = table + HUGE_SIZE;
		if (hi > c->va + c->size)
			hi = c->va + c->size;
		struct pte *pmd = mm_entry(c->mm, table, 1, 0);
		if (pmd && pmd->state != PTE_NONE)
			zap_one(c, pmd, table, frees);
		for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
			struct pte *p = mm_entry(c->mm, a, 0, 0);
			if (p)
				zap_one(c, p, a, frees);
		}
		unlock_ptl(c);
	}
}

static void gather_final(struct op_ctx *c, enum ir_site site)
{
	if (c->gathered % (uint64_t)c->s->p.gather_batch != 0)
		cpu_flush(c, site, c->va, c->va + c->size);
	free_batch(c);
}

struct free_later { struct sim *s; struct mm *mm; uint64_t va, pfn; int huge; };

/* The swap cache lets go of a reclaimed page: its content is written to
 * swap if the entry still names it, and the page is freed. */
static void swap_out_done(struct sim *s, struct mm *mm, uint64_t va, int huge, uint64_t pfn)
{
	struct pte *p = mm_entry(mm, va, huge, 0);
	if (p && p->state == PTE_SWAP && p->swapcache && p->pfn == pfn) {
		p->swap_token = physmem_frame(s->mem, pfn)->token;
		p->swapcache = 0;
	}
	physmem_put(s->mem, pfn); /* the swap cache's reference */
}

static void swap_out_later(void *arg)
{
	struct free_later *f = arg;
	swap_out_done(f->s, f->mm, f->va, f->huge, f->pfn);
	free(f);
}

/* try_to_unmap returns first; the page is freed reclaim_free_delay later. */
static void free_later(struct op_ctx *c)
{
	if (c->s->p.reclaim_free_delay == 0) {
		swap_out_done(c->s, c->mm, c->cur_va, c->huge, c->old_pfn);
		return;
	}
	struct free_later *f = malloc(sizeof *f);
	if (!f)
		abort();
	*f = (struct free_later){c->s, c->mm, c->cur_va, c->old_pfn, c->huge};
	later_run(c->s->later, c->s->p.reclaim_free_delay, swap_out_later, f);
}

static void stop_op(struct op_ctx *c)
{
	c->stop = 1;
	c->rec.skipped = 1;
	c->s->ops_skipped++;
}

/* The entry still maps the page this op started from (pte_same). */
static int entry_unchanged(struct op_ctx *c, const struct pte *p)
{
	return p && (p->state == PTE_PRESENT || p->state == PTE_PROTNONE) && p->pfn == c->cur_pfn;
}

static void split(struct op_ctx *c)
{
	for (uint64_t i = 0; i < HUGE_PAGES; i++) {
		struct pte *p = mm_entry(c->mm, c->cur_va + i * PAGE_SIZE, 0, 1);
		p->state = PTE_PRESENT;
		p->pfn = c->old_pfn;
		p->writable = c->old_writable;
		p->last_op = c->rec.id;
		if (i)
			physmem_get(c->s->mem, c->old_pfn);
	}
	sim_sleep(c->s, c->s->p.pte_update_latency * (double)HUGE_PAGES);
}

static void run_step(struct op_ctx *c, const struct step *st, const struct step **next)
{
	struct sim *s = c->s;
	struct pte *p;
	uint64_t start = c->cur_va, end = c->cur_va + page_bytes(c);
	switch (st->kind) {
	case ST_END:
		break;
	case ST_MMAP_READ:
	case ST_MMAP_WRITE:
		if (!c->holds_mmap) {
			double t = sim_now(c->s);
			if (st->kind == ST_MMAP_WRITE)
				rwlock_write_lock(&c->mm->mmap_lock);
			else
				rwlock_read_lock(&c->mm->mmap_lock);
			c->mmap_mode = st->kind == ST_MMAP_WRITE ? 2 : 1;
			c->rec.mmap_wait += sim_now(c->s) - t;
		}
		break;
	case ST_RANGE_START:
		c->pair_irs = 0;
		sim_event(s, c->cpu, EV_RANGE_START, c->cur_va, c->rec.id);
		break;
	case ST_RANGE_END:
		if (c->size > page_bytes(c))
			start = c->va, end = c->va + c->size;
		sim_event(s, c->cpu, EV_RANGE_END, c->cur_va, c->rec.id);
		ir(c, st->site, 0, start, end);
		break;
	case ST_LOCK:
		lock_ptl(c);
		break;
	case ST_UNLOCK:
		unlock_ptl(c);
		break;
	case ST_ALLOC:
		c->new_pfn = physmem_alloc(s->mem, c->huge);
		c->have_new = 1;
		sim_sleep(s, s->p.page_alloc_latency);
		break;
	case ST_COPY: {
		/* the content is taken when the copy starts */
		struct frame *old = physmem_frame(s->mem, c->old_pfn), *nw = physmem_frame(s->mem, c->new_pfn);
		c->snapshot = old->token;
		nw->token = old->token;
		nw->last_write_time = old->last_write_time;
		sim_sleep(s, c->huge ? s->p.copy_latency_huge : s->p.copy_latency);
		break;
	}
	case ST_ZERO:
		physmem_frame(s->mem, c->new_pfn)->token = 0;
		sim_sleep(s, c->huge ? s->p.copy_latency_huge : s->p.copy_latency);
		break;
	case ST_NEW_CONTENT:
		checker_cpu_write(s->checker, c->new_pfn, sim_now(s));
		break;
	case ST_CLEAR_FLUSH:
		p = cur_entry(c);
		if (!entry_unchanged(c, p)) {
			stop_op(c);
			break;
		}
		c->old_writable = p->writable;
		set_entry(c, p, PTE_NONE, p->pfn, 0);
		cpu_flush(c, st->site, start, end);
		break;
	case ST_FLUSH:
		if (c->size > page_bytes(c))
			start = c->va, end = c->va + c->size;
		cpu_flush(c, st->site, start, end);
		break;
	case ST_IR:
		ir(c, st->site, 0, start, end);
		break;
	case ST_SET_NEW:
		set_entry(c, cur_entry(c), PTE_PRESENT, c->new_pfn, st->arg);
		c->new_installed = 1;
		if (c->pg->uses_set_pte_notify && s->p.driver_change_pte) {
			struct ir_ctx ctx = {c->rec.id, c->kind, c->cpu, c->locked ? IR_UNDER_PTL : IR_OTHER, -1};
			unsigned desc;
			if (notifier_invalidate_range(s, c->mm, c->cur_va, c->cur_va + PAGE_SIZE, &ctx, &desc)) {
				c->rec.notifications++;
				c->rec.descriptors += desc;
			}
		}
		break;
	case ST_SET_RO:
		set_entry(c, cur_entry(c), PTE_PRESENT, c->cur_pfn, 0);
		break;
	case ST_PREEMPT:
		sim_sleep(s, sim_preempt_window(s, c->has_window, c->window));
		break;
	case ST_DROP_OLD:
		free_page(c, c->old_pfn);
		break;
	case ST_WRPROTECT:
		for_each_entry(c, wrprotect_one);
		break;
	case ST_SHARE_COW:
		for_each_entry(c, share_one);
		break;
	case ST_PROTECT_VMA:
		mm_protect_vmas(c->mm, c->va, c->va + c->size);
		break;
	case ST_REMOVE_VMA:
		mm_remove_vmas(c->mm, c->va, c->va + c->size);
		break;
	case ST_SET_SWAP:
		p = cur_entry(c);
		set_entry(c, p, PTE_SWAP, c->old_pfn, 0);
		p->swapcache = 1;
		break;
	case ST_FREE_LATER:
		free_later(c);
		break;
	case ST_SET_MIGRATION:
		set_entry(c, cur_entry(c), PTE_MIGRATION, c->old_pfn, 0);
		break;
	case ST_INSTALL_COPY:
		p = cur_entry(c);
		set_entry(c, p, PTE_PRESENT, c->new_pfn, c->old_writable);
		p->migrating = 0;
		c->new_installed = 1;
		checker_copy_installed(s->checker, c->mm, c->cur_va, c->old_pfn, c->new_pfn, c->snapshot, c->rec.id,
				       sim_now(s));
		break;
	case ST_PROTNONE:
		set_entry(c, cur_entry(c), PTE_PROTNONE, c->old_pfn, cur_entry(c)->writable);
		break;
	case ST_MARK_MIGRATING:
		cur_entry(c)->migrating = 1;
		break;
	case ST_CHECK_PROTNONE:
		p = cur_entry(c);
		if (!p || p->state != PTE_PROTNONE || p->pfn != c->old_pfn) {
			if (p)
				p->migrating = 0;
			stop_op(c);
		}
		break;
	case ST_ZAP:
		zap(c, 1);
		break;
	case ST_ZAP_KEEP:
		zap(c, 0);
		break;
	case ST_GATHER_FINAL:
		gather_final(c, st->site);
		break;
	case ST_TARGET_OTHER:
		c->cur_va = c->other_va;
		c->cur_pfn = c->other_pfn;
		break;
	case ST_TARGET_MAIN:
		c->cur_va = c->va;
		c->cur_pfn = c->main_pfn;
		break;
	case ST_SKIP_IF_KSM:
		if (physmem_frame(s->mem, c->cur_pfn)->ksm)
			*next += st->arg;
		break;
	case ST_KSM_MARK:
		physmem_frame(s->mem, c->cur_pfn)->ksm = 1;
		break;
	case ST_KSM_COMPARE:
		if (physmem_frame(s->mem, c->main_pfn)->token != physmem_frame(s->mem, c->other_pfn)->token)
			stop_op(c);
		break;
	case ST_KSM_REPLACE:
		physmem_get(s->mem, c->other_pfn);
		set_entry(c, cur_entry(c), PTE_PRESENT, c->other_pfn, 0);
		break;
	case ST_SPLIT:
		split(c);
		break;
	}
}

static int precondition_holds(struct op_ctx *c)
{
	if (c->pg->need == NEED_NOTHING)
		return 1;
	struct pte *p = mm_entry(c->mm, c->va, c->huge, 0);
	int ok = p && (p->state == PTE_PRESENT || (c->pg->need == NEED_PRESENT_OR_PROTNONE && p->state == PTE_PROTNONE));
	if (!ok)
		return 0;
	c->main_pfn = c->cur_pfn = c->old_pfn = p->pfn;
	if (c->kind == OP_KSM_MERGE) {
		struct pte *o = mm_entry(c->mm, c->other_va, 0, 0);
		if (!o || o->state != PTE_PRESENT || o->pfn == p->pfn)
			return 0;
		c->other_pfn = o->pfn;
	}
	return 1;
}

/* Runs op `kind` to completion and records it. */
static void run_op(struct sim *s, struct mm *mm, int cpu, enum op_kind kind, uint64_t va, uint64_t arg2, int has_window,
		   double window, int holds_mmap)
{
	struct op_ctx c = {.s = s, .mm = mm, .kind = kind, .pg = &programs[kind], .cpu = cpu, .holds_mmap = holds_mmap,
			   .huge = op_info(kind)->huge, .has_window = has_window, .window = window, .va = va, .cur_va = va};
	c.size = op_info(kind)->args == ARGS_VA_SIZE ? arg2 : page_bytes(&c);
	c.other_va = op_info(kind)->args == ARGS_VA_VA ? arg2 : 0;
	c.rec = (struct op_rec){.id = s->next_op_id++, .kind = kind, .cpu = cpu, .start = sim_now(s), .va = va,
				.pages = c.size / PAGE_SIZE};
	const struct step *st = c.pg->steps;
	/* the mmap_lock step (always first when present) comes before the precondition */
	if (st->kind == ST_MMAP_READ || st->kind == ST_MMAP_WRITE)
		run_step(&c, st++, &st);
	if (!precondition_holds(&c))
		stop_op(&c);
	while (!c.stop && st->kind != ST_END) {
		const struct step *cur = st++;
		run_step(&c, cur, &st);
	}
	if (c.locked)
		unlock_ptl(&c);
	if (c.have_new && !c.new_installed)
		physmem_put(s->mem, c.new_pfn);
	if (c.mmap_mode == 2)
		rwlock_write_unlock(&mm->mmap_lock);
	else if (c.mmap_mode == 1)
		rwlock_read_unlock(&mm->mmap_lock);
	free(c.batch);
	c.rec.end = sim_now(s);
	c.rec.latency = c.rec.end - c.rec.start;
	if (!c.rec.skipped)
		hist_add(&s->op_latency, c.rec.latency);
	s->kernel_ops++;
	results_op(s->results, &c.rec);
}

/* ---- handle_mm_fault ---- */

static void map_new_page(struct sim *s, struct mm *mm, uint64_t va, int huge, int write)
{
	uint64_t base = huge ? va & ~(HUGE_SIZE - 1) : va & ~(PAGE_SIZE - 1);
	struct lock *ptl = mm_ptl(mm, base, huge);
	lock_acquire(ptl);
	struct pte *p = mm_entry(mm, base, huge, 1);
	if (p->state == PTE_NONE) {
		int zero = !huge && !write;
		p->pfn = zero ? physmem_zero_pfn(s->mem) : physmem_alloc(s->mem, huge);
		p->state = PTE_PRESENT;
		p->writable = (uint8_t)!zero;
	}
	lock_release(ptl);
	sim_sleep(s, s->p.page_alloc_latency + s->p.pte_update_latency);
}

static void swap_in(struct sim *s, struct mm *mm, struct pte *p, uint64_t base, int writable)
{
	struct lock *ptl = mm_ptl(mm, base, p->huge);
	lock_acquire(ptl);
	if (p->state == PTE_SWAP) {
		if (p->swapcache) {
			physmem_get(s->mem, p->pfn);
		} else {
			uint64_t token = p->swap_token; /* shares its place with pfn */
			p->pfn = physmem_alloc(s->mem, p->huge);
			physmem_frame(s->mem, p->pfn)->token = token;
		}
		p->state = PTE_PRESENT;
		p->swapcache = 0;
		p->writable = (uint8_t)writable;
	}
	lock_release(ptl);
	sim_sleep(s, s->p.page_alloc_latency + s->p.pte_update_latency);
}

static void write_protect_fault(struct sim *s, struct mm *mm, struct pte *p, uint64_t base, int cpu)
{
	const struct frame *f = physmem_frame(s->mem, p->pfn);
	if (f->zero_page) {
		run_op(s, mm, cpu, OP_ZERO_FAULT, base, 0, 0, 0, 1);
	} else if (!f->ksm && f->refs == 1) {
		/* wp_page_reuse: a permission upgrade needs no invalidation */
		struct lock *ptl = mm_ptl(mm, base, p->huge);
		lock_acquire(ptl);
		p->writable = 1;
		lock_release(ptl);
		sim_sleep(s, s->p.pte_update_latency);
	} else {
		run_op(s, mm, cpu, p->huge ? OP_THP_COW : OP_COW, base, 0, 0, 0, 1);
	}
}

enum fault_result kernel_handle_fault(struct sim *s, struct mm *mm, uint64_t va, int write, int cpu)
{
	rwlock_read_lock(&mm->mmap_lock);
	sim_sleep(s, s->p.fault_latency);
	enum fault_result result = FAULT_RETRY;
	const struct vma *vma = mm_find_vma(mm, va);
	uint64_t base;
	struct pte *p = vma ? mm_lookup(mm, va, &base) : NULL;
	/* migration_entry_wait: sleep until the page has moved */
	while (p && (p->state == PTE_MIGRATION || (p->state == PTE_PROTNONE && p->migrating)))
		sim_sleep(s, s->p.fault_latency);
	if (!vma || (write && !vma->writable)) {
		result = FAULT_SEGV;
	} else if (!p) {
		map_new_page(s, mm, va, vma->huge, write);
	} else if (p->state == PTE_PRESENT) {
		if (write && !p->writable)
			write_protect_fault(s, mm, p, base, cpu);
	} else if (p->state == PTE_SWAP) {
		swap_in(s, mm, p, base, vma->writable);
	} else if (p->state == PTE_PROTNONE && !p->migrating) {
		/* NUMA hinting fault, page left where it is: restore access */
		struct lock *ptl = mm_ptl(mm, base, p->huge);
		lock_acquire(ptl);
		p->state = PTE_PRESENT;
		lock_release(ptl);
	}
	rwlock_read_unlock(&mm->mmap_lock);
	return result;
}

/* ---- CPU threads ---- */

struct cpu_thread { struct sim *s; int stream; struct mm *mm; };

#define CPU_FAULT_RETRIES 64

static void cpu_access(struct cpu_thread *t, uint64_t va, int write)
{
	struct sim *s = t->s;
	s->cpu_accesses++;
	for (int attempt = 0; attempt < CPU_FAULT_RETRIES; attempt++) {
		sim_sleep(s, s->p.cpu_access_latency);
		uint64_t base;
		struct pte *p = mm_lookup(t->mm, va, &base);
		if (p && p->state == PTE_PRESENT && (!write || p->writable)) {
			if (write)
				checker_cpu_write(s->checker, p->pfn, sim_now(s));
			sim_event(s, t->stream, write ? EV_WRITE : EV_READ, va, -1);
			return;
		}
		if (kernel_handle_fault(s, t->mm, va, write, t->stream) == FAULT_SEGV) {
			s->cpu_sigsegv++;
			return;
		}
	}
	XBT_WARN("CPU access to %#llx gave up after %d faults", (unsigned long long)va, CPU_FAULT_RETRIES);
}

static void on_cpu_event(void *ctx, const struct trace_event *ev)
{
	struct cpu_thread *t = ctx;
	if (ev->op == OP_READ || ev->op == OP_WRITE)
		cpu_access(t, ev->va, ev->op == OP_WRITE);
	else
		run_op(t->s, t->mm, t->stream, ev->op, ev->va, ev->arg2, ev->has_window, ev->window, 0);
}

static void cpu_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct cpu_thread *t = sg_actor_self_get_data();
	sim_replay(t->s, t->stream, 0, on_cpu_event, t);
	free(t);
}

void kernel_start_cpu_thread(struct sim *s, int stream, sg_host_t host)
{
	struct cpu_thread *t = malloc(sizeof *t);
	if (!t)
		abort();
	*t = (struct cpu_thread){s, stream, s->mms[s->trace->streams[stream].owner]};
	sim_start_actor(s->trace->streams[stream].name, host, cpu_actor, t);
}

/* ---- the policy table ---- */

int kernel_op_ir_count(enum op_kind k, const struct policy *p)
{
	const struct program *pg = &programs[k];
	int n = 0, pair = 0, gather_free = has_gather_free(pg);
	for (const struct step *st = pg->steps; st->kind != ST_END; st++) {
		int is_flush = st->kind == ST_CLEAR_FLUSH || st->kind == ST_FLUSH || st->kind == ST_GATHER_FINAL;
		int may_call = is_flush || st->kind == ST_IR || st->kind == ST_RANGE_END;
		if (st->kind == ST_RANGE_START)
			pair = 0;
		if (st->kind == ST_SKIP_IF_KSM)
			st += st->arg; /* merging into an existing KSM page */
		if (!may_call)
			continue;
		int call = p->ir_at_every_cpu_flush ? is_flush : policy_calls(p, st->site, 1, pair, gather_free);
		n += call;
		pair += call;
	}
	return n;
}

void kernel_print_policy_table(FILE *out)
{
	fprintf(out, "invalidate_range calls per op (one page; munmap/madv_free within one gather batch;\n"
		     "ksm_merge into an existing KSM page; thp_migrate_fix=1)\n\n%-14s", "op");
	for (size_t i = 0; i < policy_count(); i++)
		fprintf(out, " %14s", policy_at(i)->name);
	fprintf(out, "   source\n");
	for (int k = 0; k < OP_COUNT; k++) {
		if (!op_info(k)->kernel)
			continue;
		fprintf(out, "%-14s", op_info(k)->name);
		for (size_t i = 0; i < policy_count(); i++)
			fprintf(out, " %14d", kernel_op_ir_count(k, policy_at(i)));
		fprintf(out, "   %s\n", op_info(k)->source);
	}
	fprintf(out, "\npolicies:\n");
	for (size_t i = 0; i < policy_count(); i++)
		fprintf(out, "  %-15s %s\n", policy_at(i)->name, policy_at(i)->models);
	fprintf(out, "\nnote: madv_free needs its IR in the kernel for dirty-bit tracking; the model has no dirty\n"
		     "bits, so the checker cannot tell whether that IR was needed.\n");
}
