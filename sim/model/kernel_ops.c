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
	/* the ops of real programs (trace format 2) */
	ST_DONE,         /* the op is complete (not skipped) */
	ST_SKIP_UNLESS_MAPPED, /* skip arg steps unless the range meets a mapping */
	ST_SKIP_IF_GROW, /* brk: skip arg steps when the heap grows */
	ST_ADD_VMA,      /* the range becomes a mapping (mmap's rights; brk: anonymous, writable) */
	ST_UNPROTECT_VMA,/* the mapping becomes writable */
	ST_TOUCH_PTES,   /* change_pte_range rewrites every present entry with the new rights */
	ST_MREMAP_VMA,   /* the new range becomes a mapping like the old one; skip the op if it is still mapped */
	ST_MOVE_PTES,    /* move_ptes: entries move to the new range, per page table, flush if one was present (site) */
	ST_UNMAP_TAIL,   /* mremap to a smaller size: do_munmap of the tail first (a munmap op of its own) */
	ST_FORK_COPY,    /* copy_page_range of every mapping into the child, a range_start/end pair per COW mapping (site) */
	ST_CHILD_BORN,   /* the child's address space exists: its threads may run */
	ST_RELEASE,      /* mmu_notifier_release: the driver's release flushes the PASID; no notifier is left */
	ST_EXIT_ZAP,     /* unmap_vmas over every mapping into one gather (site) */
	ST_REMOVE_ALL,   /* every mapping goes away */
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
	/* ---- trace format 2: what real programs do.  v4.14 and v4.15 follow the
	 * same sequence for each of these; where v6.6 differs it is said. ---- */
	/* mm/mmap.c mmap_region (v4.14, v4.15): "Clear old maps": do_munmap of
	 * whatever the new range covers (unmap_region -> unmap_vmas, as munmap),
	 * then the new vma; a new range has no PTEs, so no notifier call at all.
	 * v6.6: do_vmi_munmap, the same sequence. */
	[OP_MMAP] = {NEED_NOTHING, 0, {S(MMAP_WRITE), ARG(SKIP_UNLESS_MAPPED, 6), S(REMOVE_VMA), S(RANGE_START), SITE(ZAP, GATHER_FREE),
		S(PREEMPT), SITE(RANGE_END, END_KEPT), SITE(GATHER_FINAL, GATHER_FREE), S(ADD_VMA)}},
	/* mm/mmap.c SYSCALL brk (v4.14, v4.15): a smaller break is do_munmap of
	 * [newbrk, oldbrk) (as munmap); a larger one do_brk (v6.6: do_brk_flags),
	 * which extends the heap vma: no PTE, no notifier call. */
	[OP_BRK] = {NEED_NOTHING, 0, {S(MMAP_WRITE), ARG(SKIP_IF_GROW, 7), S(REMOVE_VMA), S(RANGE_START), SITE(ZAP, GATHER_FREE),
		S(PREEMPT), SITE(RANGE_END, END_KEPT), SITE(GATHER_FINAL, GATHER_FREE), S(DONE), S(ADD_VMA)}},
	/* mm/mremap.c mremap_to (v4.14, v4.15): a smaller new size unmaps the
	 * tail first (do_munmap: a munmap op of its own); move_vma: copy_vma,
	 * move_page_tables (mmu_notifier_invalidate_range_start/end over the old
	 * range; move_ptes per page table under the ptl, flush_tlb_range of what
	 * it moved if an entry was present), then do_munmap of the old range: a
	 * second range_start/end pair (unmap_vmas) that finds nothing left, and
	 * tlb_finish_mmu with nothing gathered (no flush).  v6.6: the same, with
	 * mmu_notifier_range_init(MMU_NOTIFY_UNMAP). */
	[OP_MREMAP] = {NEED_NOTHING, 0, {S(MMAP_WRITE), S(UNMAP_TAIL), S(MREMAP_VMA), S(RANGE_START), SITE(MOVE_PTES, FLUSH_ONLY),
		S(PREEMPT), SITE(RANGE_END, END_KEPT), S(REMOVE_VMA), S(RANGE_START), SITE(RANGE_END, END_KEPT)}},
	/* mm/madvise.c madvise_dontneed_single_vma -> zap_page_range (v4.14,
	 * v4.15; v6.6 zap_page_range_single): range_start, unmap_single_vma
	 * (zap_pte_range with the mmu_gather), range_end, tlb_finish_mmu; the vma
	 * stays.  madvise_need_mmap_write(MADV_DONTNEED) is 0: mmap_lock for read. */
	[OP_MADV_DONTNEED] = {NEED_NOTHING, 0, {S(MMAP_READ), S(RANGE_START), SITE(ZAP, GATHER_FREE), S(PREEMPT),
		SITE(RANGE_END, END_KEPT), SITE(GATHER_FINAL, GATHER_FREE)}},
	/* mm/mprotect.c mprotect_fixup -> change_protection (v4.14, v4.15):
	 * change_pmd_range calls range_start for the first page table that exists
	 * and range_end after the walk; change_pte_range rewrites every present
	 * PTE with the vma's new vm_page_prot, which for a private mapping has no
	 * write bit (PAGE_COPY: a later write fault reuses or copies the page);
	 * flush_tlb_range if it rewrote any.  v6.6 makes an exclusive anonymous
	 * page writable at once (MM_CP_TRY_CHANGE_WRITABLE, can_change_pte_writable). */
	[OP_MPROTECT_RW] = {NEED_NOTHING, 0, {S(MMAP_WRITE), S(UNPROTECT_VMA), S(RANGE_START), S(LOCK), S(TOUCH_PTES), S(UNLOCK),
		S(PREEMPT), SITE(RANGE_END, END_KEPT), SITE(FLUSH, FLUSH_ONLY)}},
	/* kernel/fork.c dup_mmap (v4.14, v4.15): the parent's mmap_lock for
	 * write; per vma, mm/memory.c copy_page_range: nothing for a mapping
	 * without anonymous pages, else, when is_cow_mapping, range_start,
	 * copy_pte_range (parent PTE write-protected, the child's PTE names the
	 * same page: get_page), range_end; after every vma flush_tlb_mm(oldmm).
	 * v6.6: the same walk; range_end no longer calls the secondary TLB, the
	 * flush_tlb_mm does. */
	[OP_FORK] = {NEED_NOTHING, 0, {S(MMAP_WRITE), SITE(FORK_COPY, END_KEPT), SITE(FLUSH, FLUSH_ONLY), S(CHILD_BORN)}},
	/* mm/mmap.c exit_mmap (v4.14, v4.15): mmu_notifier_release first (the
	 * Intel SVM driver's release, intel_mm_release, tears the PASID down: one
	 * PASID-wide flush, and no notifier is left), then unmap_vmas(0, -1) into
	 * one mmu_gather and tlb_finish_mmu: the pages go back (a page the parent
	 * still maps has one reference again).  v6.6: the same order. */
	[OP_EXIT] = {NEED_NOTHING, 0, {S(MMAP_WRITE), S(RELEASE), S(RANGE_START), SITE(EXIT_ZAP, GATHER_FREE), SITE(RANGE_END, END_KEPT),
		SITE(GATHER_FINAL, GATHER_FREE), S(REMOVE_ALL)}},
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
	/* format 2 ops */
	struct mm *child;               /* fork */
	uint64_t new_va, new_size;      /* mremap */
	uint8_t map_ro, map_shared;     /* mmap */
	int grow;                       /* brk */
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

static void touch_one(struct op_ctx *c, struct pte *p, uint64_t base)
{
	(void)base;
	if (p->state == PTE_PRESENT)
		set_entry(c, p, PTE_PRESENT, p->pfn, p->writable);
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

/* ---- the steps of format 2's ops ---- */

static void run_op(struct sim *s, struct mm *mm, int cpu, enum op_kind kind, uint64_t va, uint64_t arg2, int has_window,
		   double window, int holds_mmap);

/* Whole address space, for the flushes and notifications that cover it. */
#define VA_SPACE_END (1ULL << 47)

static int range_mapped(const struct mm *mm, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (mm->vmas[i].start < end && start < mm->vmas[i].end)
			return 1;
	return 0;
}

/* mremap: the new vma, with the rights of the one at the old address. */
static void mremap_vma(struct op_ctx *c)
{
	const struct vma *old = mm_find_vma(c->mm, c->va);
	if (!old || range_mapped(c->mm, c->new_va, c->new_va + c->new_size)) {
		stop_op(c); /* nothing to move, or the new range still mapped (the munmap comes first) */
		return;
	}
	mm_add_vma_prot(c->mm, c->new_va, c->new_va + c->new_size, old->huge, old->writable, old->shared);
}

/* move_page_tables -> move_ptes: per page table of the old range, under its
 * ptl, every entry moves to the same offset of the new range (the page and
 * its references stay); a flush of that table's stretch if an entry was
 * present (force_flush).  A PMD entry moves whole when the new address is
 * 2 MiB aligned (move_huge_pmd); else the op gives up (not modelled). */
static void move_ptes(struct op_ctx *c, enum ir_site site)
{
	uint64_t end = c->va + c->size; /* the tail beyond a smaller new size is gone already */
	for (uint64_t table = c->va & ~(HUGE_SIZE - 1); table < end && !c->stop; table += HUGE_SIZE) {
		uint64_t lo = table > c->va ? table : c->va, hi = table + HUGE_SIZE < end ? table + HUGE_SIZE : end;
		c->cur_va = lo;
		lock_ptl(c);
		int present = 0;
		struct pte *pmd = mm_entry(c->mm, table, 1, 0);
		if (pmd && pmd->state != PTE_NONE) {
			uint64_t to = c->new_va + (table - c->va);
			if (table < c->va || table + HUGE_SIZE > end || to % HUGE_SIZE) {
				unlock_ptl(c);
				stop_op(c);
				break;
			}
			struct pte *np = mm_entry(c->mm, to, 1, 1);
			*np = *pmd;
			np->last_op = c->rec.id;
			present = pmd->state == PTE_PRESENT;
			mm_clear_entry(pmd);
			pmd->last_op = c->rec.id;
			sim_sleep(c->s, c->s->p.pte_update_latency);
		}
		for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
			struct pte *p = mm_entry(c->mm, a, 0, 0);
			if (!p || p->state == PTE_NONE)
				continue;
			struct pte *np = mm_entry(c->mm, c->new_va + (a - c->va), 0, 1);
			*np = *p;
			np->last_op = c->rec.id;
			present |= p->state == PTE_PRESENT;
			mm_clear_entry(p);
			p->last_op = c->rec.id;
			sim_event(c->s, c->cpu, EV_PTE_UPDATE, a, c->rec.id);
			sim_sleep(c->s, c->s->p.pte_update_latency);
		}
		if (present)
			cpu_flush(c, site, lo, hi);
		unlock_ptl(c);
	}
	c->cur_va = c->va;
}

/* copy_one_pte for one present entry of the parent: the child's entry names
 * the same page (one more reference); a private writable mapping's entry is
 * write-protected on both sides. */
static void fork_one(struct op_ctx *c, const struct vma *v, struct pte *p, uint64_t va)
{
	struct pte *cp = mm_entry(c->child, va, p->huge, 1);
	uint64_t zero = physmem_zero_pfn(c->s->mem);
	cp->state = PTE_PRESENT;
	cp->pfn = p->pfn;
	cp->last_op = c->rec.id;
	if (p->state == PTE_SWAP) {
		/* swap_duplicate: the child's entry names the same swapped content */
		cp->state = PTE_SWAP;
		cp->swap_token = p->swapcache ? physmem_frame(c->s->mem, p->pfn)->token : p->swap_token;
		cp->pfn = 0;
		return;
	}
	if (p->pfn != zero)
		physmem_get(c->s->mem, p->pfn);
	int cow = v->writable && !v->shared;
	if (cow && p->writable) {
		c->cur_va = va;
		set_entry(c, p, p->state, p->pfn, 0); /* ptep_set_wrprotect */
	}
	cp->writable = (uint8_t)(cow ? 0 : p->writable);
	sim_sleep(c->s, c->s->p.pte_update_latency); /* the child's set_pte_at */
}

static int vma_cmp(const void *a, const void *b)
{
	const struct vma *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* A copy of the mm's vmas in address order (*nv of them), and the VAs of its
 * entries in address order (*vas, *ne): what fork and exit walk.  The
 * caller frees both. */
static struct vma *vmas_and_entries(struct mm *mm, size_t *nv, uint64_t **vas, size_t *ne)
{
	*nv = mm->n_vmas;
	struct vma *vmas = malloc((*nv + 1) * sizeof *vmas);
	if (!vmas)
		abort();
	if (*nv)
		memcpy(vmas, mm->vmas, *nv * sizeof *vmas);
	qsort(vmas, *nv, sizeof *vmas, vma_cmp);
	*vas = mm_collect_entries(mm, 0, VA_SPACE_END, ne);
	return vmas;
}

/* dup_mmap: every vma is copied into the child; copy_page_range copies the
 * entries of each one that has pages, and makes a range_start/end pair
 * (IR site `site`) around it when the mapping is copy-on-write.  Entries in
 * no vma (there are none, but a trace could leave some) are not copied. */
static void fork_copy(struct op_ctx *c, enum ir_site site)
{
	size_t nv, ne, e = 0;
	uint64_t *vas;
	struct vma *vmas = vmas_and_entries(c->mm, &nv, &vas, &ne);
	for (size_t i = 0; i < nv && !c->stop; i++) {
		const struct vma *v = &vmas[i];
		mm_add_vma_prot(c->child, v->start, v->end, v->huge, v->writable, v->shared);
		while (e < ne && vas[e] < v->start)
			e++;
		size_t first = e;
		while (e < ne && vas[e] < v->end)
			e++;
		if (e == first)
			continue; /* no anon_vma: copy_page_range returns at once */
		int cow = v->writable && !v->shared;
		c->va = v->start;
		c->size = v->end - v->start;
		if (cow) {
			c->pair_irs = 0;
			sim_event(c->s, c->cpu, EV_RANGE_START, v->start, c->rec.id);
		}
		/* one ptl hold per page table */
		uint64_t table = UINT64_MAX, huge_end = 0;
		for (size_t k = first; k < e; k++) {
			uint64_t base;
			struct pte *p = mm_lookup(c->mm, vas[k], &base);
			if (!p || base < huge_end || (p->huge && base != vas[k]))
				continue; /* under a PMD entry copied already */
			if (p->state == PTE_MIGRATION)
				continue; /* the child refaults once the page has moved */
			if ((vas[k] & ~(HUGE_SIZE - 1)) != table) {
				if (table != UINT64_MAX)
					unlock_ptl(c);
				table = vas[k] & ~(HUGE_SIZE - 1);
				c->cur_va = vas[k];
				lock_ptl(c);
			}
			if (p->huge)
				huge_end = base + HUGE_SIZE;
			fork_one(c, v, p, base);
		}
		if (table != UINT64_MAX)
			unlock_ptl(c);
		if (cow) {
			sim_sleep(c->s, sim_preempt_window(c->s, c->has_window, c->window));
			sim_event(c->s, c->cpu, EV_RANGE_END, v->start, c->rec.id);
			ir(c, site, 0, v->start, v->end);
		}
	}
	free(vas);
	free(vmas);
	/* flush_tlb_mm(oldmm) covers the whole address space */
	c->va = 0;
	c->size = VA_SPACE_END;
	c->cur_va = 0;
}

/* mmu_notifier_release at exit: the driver's release tears the PASID down
 * (one PASID-wide invalidation through the notifier, whatever the policy:
 * it is not an invalidate_range site), and the mm has no notifier after it. */
static void notifier_release(struct op_ctx *c)
{
	if (c->mm->n_devices == 0)
		return;
	struct ir_ctx ctx = {c->rec.id, c->kind, c->cpu, IR_OTHER, -1};
	unsigned desc;
	if (notifier_invalidate_range(c->s, c->mm, 0, VA_SPACE_END, &ctx, &desc)) {
		c->rec.notifications++;
		c->rec.descriptors += desc;
	}
	c->mm->n_devices = 0;
}

/* unmap_vmas(0, -1): every vma into one gather (tlb_finish_mmu follows).
 * Page tables with no entry are skipped, as zap_pmd_range skips a none pmd
 * (no ptl taken), so a big, mostly empty mapping costs nothing. */
static void exit_zap(struct op_ctx *c)
{
	size_t nv, ne, e = 0;
	uint64_t *vas;
	struct vma *vmas = vmas_and_entries(c->mm, &nv, &vas, &ne);
	for (size_t i = 0; i < nv; i++) {
		while (e < ne && vas[e] < vmas[i].start)
			e++;
		while (e < ne && vas[e] < vmas[i].end) {
			/* the page table (2 MiB of VA) of this entry, within the vma */
			uint64_t table = vas[e] & ~(HUGE_SIZE - 1);
			uint64_t lo = table > vmas[i].start ? table : vmas[i].start;
			uint64_t hi = table + HUGE_SIZE < vmas[i].end ? table + HUGE_SIZE : vmas[i].end;
			c->va = lo;
			c->size = hi - lo;
			zap(c, 1);
			while (e < ne && vas[e] < hi)
				e++;
		}
	}
	free(vas);
	free(vmas);
	c->va = 0;
	c->size = VA_SPACE_END;
	c->cur_va = 0;
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
	case ST_DONE:
		c->stop = 1;
		break;
	case ST_SKIP_UNLESS_MAPPED:
		if (!range_mapped(c->mm, c->va, c->va + c->size))
			*next += st->arg;
		break;
	case ST_SKIP_IF_GROW:
		if (c->grow)
			*next += st->arg;
		break;
	case ST_ADD_VMA:
		mm_add_vma_prot(c->mm, c->va, c->va + c->size, 0, !c->map_ro, c->map_shared);
		break;
	case ST_UNPROTECT_VMA:
		mm_unprotect_vmas(c->mm, c->va, c->va + c->size);
		break;
	case ST_TOUCH_PTES:
		for_each_entry(c, touch_one);
		break;
	case ST_MREMAP_VMA:
		mremap_vma(c);
		break;
	case ST_MOVE_PTES:
		move_ptes(c, st->site);
		break;
	case ST_UNMAP_TAIL:
		if (c->new_size < c->size) {
			run_op(s, c->mm, c->cpu, OP_MUNMAP, c->va + c->new_size, c->size - c->new_size, c->has_window, c->window, 1);
			c->size = c->new_size;
		}
		break;
	case ST_FORK_COPY:
		fork_copy(c, st->site);
		break;
	case ST_CHILD_BORN:
		c->child->unborn = 0;
		waitq_wake_all(&c->child->born);
		break;
	case ST_RELEASE:
		notifier_release(c);
		break;
	case ST_EXIT_ZAP:
		exit_zap(c);
		break;
	case ST_REMOVE_ALL:
		c->mm->n_vmas = 0;
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

static struct op_ctx op_ctx_new(struct sim *s, struct mm *mm, int cpu, enum op_kind kind, uint64_t va, uint64_t arg2,
				 int has_window, double window, int holds_mmap)
{
	struct op_ctx c = {.s = s, .mm = mm, .kind = kind, .pg = &programs[kind], .cpu = cpu, .holds_mmap = holds_mmap,
			   .huge = op_info(kind)->huge, .has_window = has_window, .window = window, .va = va, .cur_va = va};
	c.size = op_info(kind)->args == ARGS_VA_SIZE ? arg2 : page_bytes(&c);
	c.other_va = op_info(kind)->args == ARGS_VA_VA ? arg2 : 0;
	return c;
}

static void run_op_ctx(struct op_ctx *cp);

/* Runs op `kind` to completion and records it. */
static void run_op(struct sim *s, struct mm *mm, int cpu, enum op_kind kind, uint64_t va, uint64_t arg2, int has_window,
		   double window, int holds_mmap)
{
	struct op_ctx c = op_ctx_new(s, mm, cpu, kind, va, arg2, has_window, window, holds_mmap);
	run_op_ctx(&c);
}

/* The same for the ops of trace format 2, whose arguments have other shapes. */
static void run_op_v2(struct sim *s, struct mm *mm, int cpu, const struct trace_event *ev)
{
	struct op_ctx c = op_ctx_new(s, mm, cpu, ev->op, ev->va, ev->arg2, ev->has_window, ev->window, 0);
	switch (op_info(ev->op)->args) {
	case ARGS_BRK: /* the heap's end moves from va to arg2 */
		c.grow = ev->arg2 > ev->va;
		c.va = c.cur_va = c.grow ? ev->va : ev->arg2;
		c.size = c.grow ? ev->arg2 - ev->va : ev->va - ev->arg2;
		break;
	case ARGS_MREMAP:
		c.size = ev->arg2;
		c.new_va = ev->arg3;
		c.new_size = ev->arg4;
		break;
	case ARGS_PROCESS:
		c.child = s->mms[ev->target];
		c.size = VA_SPACE_END;
		break;
	case ARGS_NONE:
		c.va = c.cur_va = 0;
		c.size = VA_SPACE_END;
		break;
	default:
		break;
	}
	c.map_ro = ev->ro;
	c.map_shared = ev->shared;
	run_op_ctx(&c);
}

static void run_op_ctx(struct op_ctx *cp)
{
	struct op_ctx c = *cp;
	struct sim *s = c.s;
	struct mm *mm = c.mm;
	c.rec = (struct op_rec){.id = s->next_op_id++, .kind = c.kind, .cpu = c.cpu, .start = sim_now(s), .va = c.va,
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

/* A first touch of a MAP_SHARED mapping (format 2): a page of its own even
 * for a read (the shared page cache or shmem page), with the mapping's rights. */
static void map_shared_page(struct sim *s, struct mm *mm, uint64_t va, int writable)
{
	uint64_t base = va & ~(PAGE_SIZE - 1);
	struct lock *ptl = mm_ptl(mm, base, 0);
	lock_acquire(ptl);
	struct pte *p = mm_entry(mm, base, 0, 1);
	if (p->state == PTE_NONE) {
		p->pfn = physmem_alloc(s->mem, 0);
		p->state = PTE_PRESENT;
		p->writable = (uint8_t)writable;
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

/* Format-2 traces record each wp_page_reuse in /ops (kind wp_reuse) and
 * count it; format-1 results stay as they always were. */
static void record_reuse(struct sim *s, struct mm *mm, int cpu, uint64_t base, int huge, double t0)
{
	(void)mm;
	if (s->trace->version < 2)
		return;
	s->wp_reuses++;
	struct op_rec rec = {.id = s->next_op_id++, .kind = OP_WP_REUSE, .cpu = cpu, .start = t0, .end = sim_now(s), .va = base,
			     .pages = huge ? HUGE_PAGES : 1};
	rec.latency = rec.end - rec.start;
	results_op(s->results, &rec);
}

static void write_protect_fault(struct sim *s, struct mm *mm, struct pte *p, uint64_t base, int cpu)
{
	const struct frame *f = physmem_frame(s->mem, p->pfn);
	if (f->zero_page) {
		run_op(s, mm, cpu, OP_ZERO_FAULT, base, 0, 0, 0, 1);
	} else if (!f->ksm && f->refs == 1) {
		/* wp_page_reuse: a permission upgrade needs no invalidation */
		double t0 = sim_now(s);
		struct lock *ptl = mm_ptl(mm, base, p->huge);
		lock_acquire(ptl);
		p->writable = 1;
		lock_release(ptl);
		sim_sleep(s, s->p.pte_update_latency);
		record_reuse(s, mm, cpu, base, p->huge, t0);
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
	} else if (!p && vma->shared) {
		map_shared_page(s, mm, va, vma->writable);
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
		s->cpu_faults++;
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
	while (t->mm->unborn) /* a forked child's threads wait for the fork */
		waitq_wait(&t->mm->born);
	if (ev->op == OP_READ || ev->op == OP_WRITE)
		cpu_access(t, ev->va, ev->op == OP_WRITE);
	else if (op_info(ev->op)->version >= 2)
		run_op_v2(t->s, t->mm, t->stream, ev);
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
	int n = 0, pair = 0, gather_free = has_gather_free(pg), released = 0;
	for (const struct step *st = pg->steps; st->kind != ST_END && st->kind != ST_DONE; st++) {
		/* format 2's steps: fork's copy makes one range_end (one COW mapping);
		 * mremap's move one flush; what a move leaves behind is nothing;
		 * exit's release is one call whatever the policy, and none follows */
		int is_flush = st->kind == ST_CLEAR_FLUSH || st->kind == ST_FLUSH || st->kind == ST_GATHER_FINAL || st->kind == ST_MOVE_PTES;
		int may_call = is_flush || st->kind == ST_IR || st->kind == ST_RANGE_END || st->kind == ST_FORK_COPY;
		if (st->kind == ST_RANGE_START)
			pair = 0;
		if (st->kind == ST_SKIP_IF_KSM || st->kind == ST_SKIP_UNLESS_MAPPED || st->kind == ST_SKIP_IF_GROW)
			st += st->arg; /* merging into an existing KSM page; mmap and brk of a new range */
		if (st->kind == ST_RELEASE) {
			n++;
			released = 1;
		}
		if (!may_call || released)
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
		     "ksm_merge into an existing KSM page; thp_migrate_fix=1; mmap and brk of a new range; mremap moving\n"
		     "everything; fork of one copy-on-write mapping; exit of a process with a bound device)\n\n%-14s", "op");
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
