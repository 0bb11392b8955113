/* kernel_ops: see kernel_ops.h.  Each op is one or more rows of `programs`
 * below: the steps of the kernel function the row names, in order, for the
 * kernel versions that have the row's features (kversion.h; the last row of
 * an op whose features the run's kernel has wins).  The interpreter
 * (run_step) gives each step its meaning and its cost. */
#include "kernel_ops.h"
#include "checker.h"
#include "invariants.h"
#include "kversion.h"
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
	ST_RANGE_START,  /* arg PAIR_IF_POPULATED: only if something is mapped in the range (change_pmd_range) */
	ST_RANGE_END,
	ST_LOCK, ST_UNLOCK,
	ST_REVALIDATE,   /* after taking the ptl (arg: V_*): give up (counted) unless the entry is what the op saw */
	ST_ALLOC,        /* new page (huge for huge ops) */
	ST_COPY,         /* copy the old page's content into the new one (taken when the copy starts) */
	ST_ZERO,         /* zero-fill the new page */
	ST_NEW_CONTENT,  /* the new page has content of its own (uprobes) */
	ST_CLEAR_FLUSH,  /* clear the entry, CPU TLB flush of the step's range, then the site's IR */
	ST_FLUSH,        /* CPU TLB flush of the step's range, then the site's IR (none if nothing changed) */
	ST_FLUSH_IF_PENDING, /* if mm_tlb_flush_pending: flush_tlb_range, then the site's IR */
	ST_IR,           /* an explicit invalidate_range call */
	ST_CHANGE_PTE,   /* set_pte_at_notify: change_pte before the PTE write (driver_change_pte) */
	ST_SET_NEW,      /* entry -> new page (arg: writable) */
	ST_SET_RO,       /* entry -> the same page, read-only */
	ST_PREEMPT,      /* the preemption window (not in a nested sequence) */
	ST_DROP_OLD,     /* drop the old page's reference (free if last) */
	ST_WRPROTECT,    /* change_protection: every entry in the range read-only */
	ST_SHARE_COW,    /* copy_page_range: every entry read-only and shared with a child */
	ST_PROTECT_VMA,  /* the mapping becomes read-only */
	ST_REMOVE_VMA,   /* the mapping goes away */
	ST_SET_SWAP,     /* entry -> swap entry, page in the swap cache */
	ST_FREE_LATER,   /* swap cache page freed reclaim_free_delay later */
	ST_SET_MIGRATION,/* entry -> migration entry (keeps the entry's write permission) */
	ST_INSTALL_COPY, /* remove_migration_ptes / set_pmd_at: entry -> the copy, if the entry is still the op's */
	ST_PROTNONE,     /* entry -> NUMA hinting (not present) */
	ST_MARK_MIGRATING, /* the THP is locked for migration: faults on it wait */
	ST_ISOLATE_THP,  /* numamigrate_isolate_page: a THP another process maps stays; access restored, give up */
	ST_UNMAP_OTHERS, /* try_to_migrate's rmap walk: the page's other mappings get migration entries too */
	ST_ISOLATE_PAGE, /* isolate_lru_page + lock_page: give up (counted) if another migration has the page */
	ST_SET_OTHER_MIGRATION, /* another mapping's entry -> migration entry, its reference dropped */
	ST_PENDING_INC, ST_PENDING_DEC, /* inc_tlb_flush_pending / dec_tlb_flush_pending */
	ST_ZAP,          /* zap_pte_range over the range with the mmu_gather (forced flush when full) */
	ST_ZAP_KEEP,     /* madvise_free_pte_range: pages marked clean and old, the gather range widened */
	ST_GATHER_FINAL, /* tlb_finish_mmu: flush of what was gathered since the last flush, site's IR, free */
	ST_TARGET_OTHER, ST_TARGET_MAIN, /* ksm: which page the next steps work on */
	ST_SKIP_IF_KSM,  /* skip to label arg if the current page is already a KSM page */
	ST_LABEL,
	ST_KSM_MARK,     /* the current page becomes the KSM page */
	ST_KSM_COMPARE,  /* give up unless both pages hold the same content */
	ST_KSM_REPLACE,  /* entry -> the KSM page, read-only */
	ST_SPLIT,        /* PMD -> 512 PTEs to the same page */
	ST_CALL_SPLIT,   /* __split_huge_pmd as its own range_start/end pair (arg 1: nested in another op) */
	ST_TO_4K,        /* the op goes on with the 4 KiB entry at its address (after a split) */
	/* the ops of real programs (trace format 2) */
	ST_DONE,         /* the op is complete (not a give-up) */
	ST_SKIP_UNLESS_MAPPED, /* skip to label arg unless the range meets a mapping */
	ST_SKIP_IF_GROW, /* brk: skip to label arg when the heap grows */
	ST_ADD_VMA,      /* the range becomes a mapping (mmap's rights; brk: anonymous, writable) */
	ST_UNPROTECT_VMA,/* the mapping becomes writable */
	ST_TOUCH_PTES,   /* change_pte_range rewrites every present entry with the new rights */
	ST_MREMAP_VMA,   /* the new range becomes a mapping like the old one; give up if it is still mapped */
	ST_MOVE_PTES,    /* move_ptes: entries move to the new range, per page table, flush if one was present (site) */
	ST_UNMAP_TAIL,   /* mremap to a smaller size: do_munmap of the tail first (a munmap op of its own) */
	ST_FORK_COPY,    /* copy_page_range of every mapping into the child, a range_start/end pair per COW mapping (site) */
	ST_CHILD_BORN,   /* the child's address space exists: its threads may run */
	ST_RELEASE,      /* mmu_notifier_release: the driver's release flushes the PASID; no notifier is left */
	ST_EXIT_ZAP,     /* unmap_vmas over every mapping into one gather */
	ST_REMOVE_ALL,   /* every mapping goes away */
};

/* What a flush or a notifier call covers. */
enum range_kind {
	R_ENTRY,   /* the entry the op works on (a PMD flush has a 2 MiB stride) */
	R_4K,      /* flush_tlb_page: 4 KiB at the address, whatever the entry's size */
	R_OP,      /* the op's whole range */
	R_GATHER,  /* tlb->start..tlb->end, gathered since the last flush */
	R_CHANGED, /* the entries the op changed (no flush if none) */
	R_MM,      /* flush_tlb_mm: the whole address space */
	R_BATCH,   /* a batched (deferred) flush: arch_tlbbatch_add_pending; explicit notifiers name the entry */
	R_TABLE,   /* the stretch of one page table a walk is at (move_ptes) */
};

enum revalidate { V_SAME, V_PAGE, V_HUGE };
#define PAIR_IF_POPULATED 1
enum label { L_MAIN = 1, L_NEW };

struct step { uint8_t kind, site, range, arg; };

enum precondition {
	NEED_NOTHING,
	NEED_PRESENT,   /* the entry maps a page (rmap: reclaim, migrate; uprobes; numa_hint) */
	NEED_HUGE,      /* a present or protnone PMD (thp_split) */
	NEED_WP_FAULT,  /* a write fault on a present read-only page (do_wp_page, do_huge_pmd_wp_page, hugetlb_cow) */
	NEED_ZERO_PAGE, /* a write fault on the zero page */
	NEED_NUMA_FAULT,/* a NUMA hinting fault: the PMD is protnone (do_huge_pmd_numa_page) */
	NEED_KSM_PAIR,  /* two present, different pages */
};

struct program {
	enum op_kind op;
	unsigned needs;       /* kernel features (kversion.h) this sequence needs */
	const char *source;   /* the kernel file and function it follows */
	const char *commit;   /* the commit that made it so (NULL: as in v4.14) */
	enum precondition need;
	struct step steps[36];
};

#define S(k) {ST_##k, SITE_FLUSH_ONLY, R_ENTRY, 0}
#define SITE(k, site) {ST_##k, SITE_##site, R_ENTRY, 0}
#define FL(k, site, range) {ST_##k, SITE_##site, R_##range, 0}
#define ARG(k, a) {ST_##k, SITE_FLUSH_ONLY, R_ENTRY, a}
#define OP_PAIR {ST_RANGE_START, SITE_FLUSH_ONLY, R_OP, 0}

static const struct program programs[] = {
	{OP_COW, 0, "mm/memory.c wp_page_copy", NULL, NEED_WP_FAULT,
	 {S(MMAP_READ), S(ALLOC), S(COPY), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_SAME), SITE(CLEAR_FLUSH, PTL_CASE_B),
	  S(CHANGE_PTE), ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	{OP_ZERO_FAULT, 0, "mm/memory.c wp_page_copy (the zero page)", NULL, NEED_ZERO_PAGE,
	 {S(MMAP_READ), S(ALLOC), S(ZERO), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_SAME), SITE(CLEAR_FLUSH, PTL_CASE_B),
	  S(CHANGE_PTE), ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	{OP_THP_COW, 0, "mm/huge_memory.c do_huge_pmd_wp_page (copies the 2 MiB page)", NULL, NEED_WP_FAULT,
	 {S(MMAP_READ), S(ALLOC), S(COPY), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_SAME), SITE(CLEAR_FLUSH, PTL_CASE_B),
	  ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	{OP_THP_COW, KF_THP_COW_SPLIT, "mm/huge_memory.c do_huge_pmd_wp_page -> __split_huge_pmd, then mm/memory.c wp_page_copy",
	 "3917c80280c9", NEED_WP_FAULT,
	 {S(MMAP_READ), ARG(CALL_SPLIT, 1), S(TO_4K), S(ALLOC), S(COPY), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_SAME),
	  SITE(CLEAR_FLUSH, PTL_CASE_B), S(CHANGE_PTE), ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_CONVERTED),
	  S(DROP_OLD)}},
	/* huge_ptep_clear_flush is ptep_clear_flush: flush_tlb_page, 4 KiB */
	{OP_HUGETLB_COW, 0, "mm/hugetlb.c hugetlb_cow (hugetlb_wp)", NULL, NEED_WP_FAULT,
	 {S(MMAP_READ), S(ALLOC), S(COPY), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_SAME), FL(CLEAR_FLUSH, FLUSH_ONLY, 4K),
	  SITE(IR, PTL_CASE_B), ARG(SET_NEW, 1), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT), S(DROP_OLD)}},
	{OP_REPLACE_PAGE, 0, "kernel/events/uprobes.c __replace_page", NULL, NEED_PRESENT,
	 {S(MMAP_WRITE), S(ALLOC), S(NEW_CONTENT), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE),
	  SITE(CLEAR_FLUSH, PTL_CASE_B), S(CHANGE_PTE), ARG(SET_NEW, 0), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT),
	  S(DROP_OLD)}},
	{OP_MUNMAP, 0, "mm/memory.c unmap_vmas, zap_pte_range (mmu_gather: mm/mmu_gather.c)", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), S(REMOVE_VMA), OP_PAIR, SITE(ZAP, GATHER_FREE), S(PREEMPT), SITE(RANGE_END, END_KEPT),
	  FL(GATHER_FINAL, GATHER_FREE, GATHER)}},
	{OP_MADV_FREE, 0, "mm/madvise.c madvise_free_single_vma, madvise_free_pte_range", NULL, NEED_NOTHING,
	 {S(MMAP_READ), OP_PAIR, S(ZAP_KEEP), S(PREEMPT), SITE(RANGE_END, END_KEPT), FL(GATHER_FINAL, GATHER_NOFREE, GATHER)}},
	/* shrink_page_list's TTU_BATCH_FLUSH: the CPU flush is deferred */
	{OP_RECLAIM, 0, "mm/rmap.c try_to_unmap_one (anon swap-out, batched flush)", NULL, NEED_PRESENT,
	 {S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE), FL(CLEAR_FLUSH, PTL_RECLAIM, BATCH), S(SET_SWAP), S(UNLOCK),
	  S(PREEMPT), SITE(RANGE_END, END_KEPT), S(FREE_LATER)}},
	/* batched since v6.4 (7e12beb8ca2a, migrate_pages_batch); the explicit
	 * notifiers of older kernels name the page either way */
	{OP_MIGRATE, 0, "mm/migrate.c try_to_unmap (migration entries) + remove_migration_ptes", NULL, NEED_PRESENT,
	 {S(ISOLATE_PAGE), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE), FL(CLEAR_FLUSH, PTL_V414, BATCH), S(SET_MIGRATION),
	  S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT), S(UNMAP_OTHERS), S(ALLOC), S(COPY), S(LOCK), S(INSTALL_COPY), S(UNLOCK),
	  S(DROP_OLD)}},
	{OP_NUMA_HINT, 0, "mm/mprotect.c change_prot_numa -> change_huge_pmd", NULL, NEED_PRESENT,
	 {S(MMAP_READ), S(PENDING_INC), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE), S(PROTNONE), S(UNLOCK), S(PREEMPT),
	  SITE(RANGE_END, END_KEPT), FL(FLUSH, FLUSH_ONLY, CHANGED), S(PENDING_DEC)}},
	{OP_THP_MIGRATE, 0, "mm/huge_memory.c do_huge_pmd_numa_page -> mm/migrate.c migrate_misplaced_transhuge_page", NULL,
	 NEED_NUMA_FAULT,
	 {S(MMAP_READ), S(LOCK), ARG(REVALIDATE, V_SAME), S(MARK_MIGRATING), SITE(FLUSH_IF_PENDING, PRECOPY_FLUSH), S(UNLOCK),
	  S(ALLOC), S(ISOLATE_THP), S(COPY),
	  S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_SAME), SITE(CLEAR_FLUSH, PTL_PROTNONE), S(INSTALL_COPY), S(UNLOCK),
	  S(PREEMPT), SITE(RANGE_END, END_CONVERTED), S(DROP_OLD)}},
	{OP_THP_MIGRATE, KF_THP_MIGRATE_FIX,
	 "mm/huge_memory.c do_huge_pmd_numa_page (IR if a flush is pending) -> mm/migrate.c migrate_misplaced_transhuge_page "
	 "(set_pmd_at over the protnone PMD)", "7066f0f933a1", NEED_NUMA_FAULT,
	 {S(MMAP_READ), S(LOCK), ARG(REVALIDATE, V_SAME), S(MARK_MIGRATING), SITE(FLUSH_IF_PENDING, PRECOPY), S(UNLOCK),
	  S(ALLOC), S(ISOLATE_THP), S(COPY), S(LOCK), ARG(REVALIDATE, V_SAME), S(INSTALL_COPY), S(UNLOCK), S(DROP_OLD)}},
	{OP_THP_MIGRATE, KF_THP_MIGRATION_ENTRIES,
	 "mm/huge_memory.c do_huge_pmd_numa_page -> migrate_misplaced_page -> mm/rmap.c try_to_migrate_one "
	 "(set_pmd_migration_entry: pmdp_invalidate) + remove_migration_pmd", "c5b5a3dd2c1f", NEED_NUMA_FAULT,
	 {S(MMAP_READ), S(LOCK), ARG(REVALIDATE, V_SAME), S(UNLOCK), S(ISOLATE_THP), S(ALLOC), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE),
	  SITE(CLEAR_FLUSH, FLUSH_ONLY), S(SET_MIGRATION), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT), S(COPY),
	  S(LOCK), S(INSTALL_COPY), S(UNLOCK), S(DROP_OLD)}},
	{OP_MPROTECT, 0, "mm/mprotect.c change_protection (v6.0+: with an mmu_gather)", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), S(PROTECT_VMA), S(PENDING_INC), {ST_RANGE_START, SITE_FLUSH_ONLY, R_OP, PAIR_IF_POPULATED},
	  S(WRPROTECT), S(PREEMPT), SITE(RANGE_END, END_KEPT), FL(FLUSH, FLUSH_ONLY, CHANGED), S(PENDING_DEC)}},
	{OP_FORK_WP, 0, "mm/memory.c copy_page_range; kernel/fork.c dup_mmap flush_tlb_mm", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), OP_PAIR, S(SHARE_COW), S(PREEMPT), SITE(RANGE_END, END_KEPT), FL(FLUSH, FLUSH_ONLY, MM)}},
	{OP_KSM_MERGE, 0, "mm/ksm.c try_to_merge_one_page: write_protect_page + replace_page", NULL, NEED_KSM_PAIR,
	 {S(MMAP_READ),
	  /* try_to_merge_two_pages: write_protect_page on the other page, which becomes the KSM page */
	  S(TARGET_OTHER), ARG(SKIP_IF_KSM, L_MAIN), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE),
	  SITE(CLEAR_FLUSH, PTL_V414), S(CHANGE_PTE), S(SET_RO), S(KSM_MARK), S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT),
	  ARG(LABEL, L_MAIN),
	  /* write_protect_page on this page */
	  S(TARGET_MAIN), S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE), SITE(CLEAR_FLUSH, PTL_V414), S(CHANGE_PTE), S(SET_RO),
	  S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT), S(KSM_COMPARE),
	  /* replace_page: pte_same against the write-protected PTE */
	  S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_SAME), SITE(CLEAR_FLUSH, PTL_V414), S(CHANGE_PTE), S(KSM_REPLACE),
	  S(UNLOCK), S(PREEMPT), SITE(RANGE_END, END_KEPT), S(DROP_OLD)}},
	{OP_THP_SPLIT, 0, "mm/huge_memory.c __split_huge_pmd (anon)", NULL, NEED_HUGE, {S(MMAP_READ), ARG(CALL_SPLIT, 0)}},
	/* ---- trace format 2: what real programs do.  v4.14 and v4.15 follow the
	 * same sequence for each of these; where v6.6 differs it is said. ---- */
	/* mmap_region: "Clear old maps": do_munmap of whatever the new range
	 * covers (unmap_region -> unmap_vmas, as munmap), then the new vma; a
	 * new range has no PTEs, so no notifier call at all.  v6.6:
	 * do_vmi_munmap, the same sequence. */
	{OP_MMAP, 0, "mm/mmap.c mmap_region (do_munmap of what it covers first)", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), ARG(SKIP_UNLESS_MAPPED, L_NEW), S(REMOVE_VMA), OP_PAIR, SITE(ZAP, GATHER_FREE), S(PREEMPT),
	  SITE(RANGE_END, END_KEPT), FL(GATHER_FINAL, GATHER_FREE, GATHER), ARG(LABEL, L_NEW), S(ADD_VMA)}},
	/* SYSCALL brk: a smaller break is do_munmap of [newbrk, oldbrk) (as
	 * munmap); a larger one do_brk (v6.6: do_brk_flags), which extends the
	 * heap vma: no PTE, no notifier call. */
	{OP_BRK, 0, "mm/mmap.c brk (do_munmap to shrink, do_brk to grow)", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), ARG(SKIP_IF_GROW, L_NEW), S(REMOVE_VMA), OP_PAIR, SITE(ZAP, GATHER_FREE), S(PREEMPT),
	  SITE(RANGE_END, END_KEPT), FL(GATHER_FINAL, GATHER_FREE, GATHER), S(DONE), ARG(LABEL, L_NEW), S(ADD_VMA)}},
	/* mremap_to: a smaller new size unmaps the tail first (do_munmap: a
	 * munmap op of its own); move_vma: copy_vma, move_page_tables
	 * (range_start/end over the old range; move_ptes per page table under
	 * the ptl, flush_tlb_range of what it moved if an entry was present),
	 * then do_munmap of the old range: a second pair (unmap_vmas) that finds
	 * nothing left, and tlb_finish_mmu with nothing gathered (no flush).
	 * v6.6: the same, with mmu_notifier_range_init(MMU_NOTIFY_UNMAP). */
	{OP_MREMAP, 0, "mm/mremap.c mremap_to, move_vma -> move_page_tables, then do_munmap", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), S(UNMAP_TAIL), S(MREMAP_VMA), OP_PAIR, FL(MOVE_PTES, FLUSH_ONLY, TABLE), S(PREEMPT),
	  SITE(RANGE_END, END_KEPT), S(REMOVE_VMA), OP_PAIR, SITE(RANGE_END, END_KEPT)}},
	/* madvise_dontneed_single_vma -> zap_page_range (v6.6
	 * zap_page_range_single): range_start, unmap_single_vma (zap_pte_range
	 * with the mmu_gather), range_end, tlb_finish_mmu; the vma stays.
	 * madvise_need_mmap_write(MADV_DONTNEED) is 0: mmap_lock for read. */
	{OP_MADV_DONTNEED, 0, "mm/madvise.c madvise_dontneed_single_vma -> mm/memory.c zap_page_range", NULL, NEED_NOTHING,
	 {S(MMAP_READ), OP_PAIR, SITE(ZAP, GATHER_FREE), S(PREEMPT), SITE(RANGE_END, END_KEPT),
	  FL(GATHER_FINAL, GATHER_FREE, GATHER)}},
	/* mprotect_fixup -> change_protection: change_pte_range rewrites every
	 * present PTE with the vma's new vm_page_prot, which for a private
	 * mapping has no write bit (PAGE_COPY: a later write fault reuses or
	 * copies the page); flush_tlb_range if it rewrote any. */
	{OP_MPROTECT_RW, 0, "mm/mprotect.c change_protection (adding rights)", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), S(UNPROTECT_VMA), S(PENDING_INC), {ST_RANGE_START, SITE_FLUSH_ONLY, R_OP, PAIR_IF_POPULATED},
	  ARG(TOUCH_PTES, 0), S(PREEMPT), SITE(RANGE_END, END_KEPT), FL(FLUSH, FLUSH_ONLY, CHANGED), S(PENDING_DEC)}},
	/* v6.6 change_pte_range: with MM_CP_TRY_CHANGE_WRITABLE an exclusive
	 * anonymous page is made writable at once (can_change_pte_writable),
	 * and tlb_flush_pte_range is called only where pte_needs_flush(oldpte,
	 * ptent): x86 needs none for a permission upgrade. */
	{OP_MPROTECT_RW, KF_SECONDARY_TLBS, "mm/mprotect.c change_protection (adding rights; MM_CP_TRY_CHANGE_WRITABLE)",
	 NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), S(UNPROTECT_VMA), S(PENDING_INC), {ST_RANGE_START, SITE_FLUSH_ONLY, R_OP, PAIR_IF_POPULATED},
	  ARG(TOUCH_PTES, 1), S(PREEMPT), SITE(RANGE_END, END_KEPT), FL(FLUSH, FLUSH_ONLY, CHANGED), S(PENDING_DEC)}},
	/* dup_mmap: the parent's mmap_lock for write; per vma, copy_page_range:
	 * nothing for a mapping without anonymous pages, else, when
	 * is_cow_mapping, range_start, copy_pte_range (parent PTE
	 * write-protected, the child's PTE names the same page: get_page),
	 * range_end; after every vma flush_tlb_mm(oldmm).  v6.6: the same walk;
	 * range_end no longer calls the secondary TLB, the flush_tlb_mm does. */
	{OP_FORK, 0, "kernel/fork.c dup_mmap -> mm/memory.c copy_page_range; flush_tlb_mm", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), SITE(FORK_COPY, END_KEPT), FL(FLUSH, FLUSH_ONLY, MM), S(CHILD_BORN)}},
	/* exit_mmap: mmu_notifier_release first (the Intel SVM driver's release,
	 * intel_mm_release, tears the PASID down: one PASID-wide flush, and no
	 * notifier is left), then unmap_vmas(0, -1) into one mmu_gather and
	 * tlb_finish_mmu: the pages go back (a page the parent still maps has one
	 * reference again).  v6.6: the same order. */
	{OP_EXIT, 0, "mm/mmap.c exit_mmap (mmu_notifier_release, unmap_vmas, tlb_finish_mmu)", NULL, NEED_NOTHING,
	 {S(MMAP_WRITE), S(RELEASE), OP_PAIR, S(EXIT_ZAP), SITE(RANGE_END, END_KEPT), FL(GATHER_FINAL, GATHER_FREE, GATHER),
	  S(REMOVE_ALL)}},
};

/* __split_huge_pmd: its own pair; pmdp_invalidate flushes the 2 MiB (v4.15+:
 * range_only_end, the pages did not change) */
static const struct step split_steps[] = {
	S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_HUGE), SITE(CLEAR_FLUSH, FLUSH_ONLY), S(SPLIT), S(UNLOCK), S(PREEMPT),
	SITE(RANGE_END, END_UNCHANGED), S(END)};

static const struct program *program_for(enum op_kind k, unsigned features)
{
	const struct program *pg = NULL;
	for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
		if (programs[i].op == k && (programs[i].needs & ~features) == 0)
			pg = &programs[i];
	return pg;
}

const char *kernel_op_source(enum op_kind k, const struct params *p, const char **commit)
{
	const struct program *pg = program_for(k, kversion_features(p));
	if (commit)
		*commit = pg ? pg->commit : NULL;
	return pg ? pg->source : NULL;
}

static int has_gather_free(const struct program *pg)
{
	for (const struct step *st = pg->steps; st->kind != ST_END; st++)
		if (st->site == SITE_GATHER_FREE)
			return 1;
	return 0;
}

/* ---- the state of one running op ---- */

/* mm/mmu_gather.c: the pages gathered and the range to flush */
struct gather {
	uint64_t start, end;       /* tlb->start..tlb->end since the last flush; end 0: nothing */
	int cleared_ptes;          /* a 4 KiB entry was cleared: the flush's stride is a page */
	uint64_t *pages;
	size_t n, cap;
};

/* A range_start/end pair: open, skipped (nothing mapped), the IRs made in
 * it, whether it changed an entry a TLB may hold, its range. */
struct pair { int open, skipped, irs, changed; uint64_t start, end; };

/* The entry as the op saw it last (orig_pte for pte_same). */
struct seen { uint8_t state, writable; uint64_t pfn; };

struct op_ctx {
	struct sim *s;
	struct mm *mm;
	enum op_kind kind;
	const struct program *pg;
	int cpu, holds_mmap, mmap_mode; /* mmap_mode: 0 none, 1 read, 2 write (taken by this op) */
	int huge, has_window, nested;
	double window, lock_t0;
	struct lock *ptl;               /* the page-table lock held, if locked */
	uint64_t va, other_va, size;    /* size of the op's range in bytes */
	uint64_t cur_va, cur_pfn;       /* the page the steps work on (ksm switches) */
	uint64_t main_pfn, other_pfn, old_pfn, new_pfn, snapshot;
	struct seen orig, main_seen, other_seen;
	int have_new, new_installed, locked, stop, pending_inc, marked_migrating;
	int page_isolated;  /* the op holds old_pfn isolated for migration (ST_ISOLATE_PAGE) */
	uint64_t isolated_gen; /* ... in this allocation of the frame */
	int holds_other; /* a reference on other_pfn (ksm_merge), dropped at the end */
	const struct vma *fork_vma; /* fork: the mapping being copied */
	uint8_t old_writable;           /* the entry's write permission when the op cleared it */
	struct pair pair;               /* the open range_start/end pair */
	/* what the op changed (R_CHANGED) */
	uint64_t chg_start, chg_end;
	int chg_small;
	struct gather tlb;
	struct op_rec rec;
	/* format 2 ops */
	struct mm *child;               /* fork */
	uint64_t new_va, new_size;      /* mremap */
	uint64_t tbl_start, tbl_end;    /* R_TABLE: the stretch move_ptes is at */
	uint8_t map_ro, map_shared;     /* mmap */
	int grow;                       /* brk */
	int touch_writable;             /* mprotect_rw: v6.6 makes exclusive pages writable */
};

static struct pte *cur_entry(struct op_ctx *c) { return mm_entry(c->mm, c->cur_va, c->huge, 0); }
static uint64_t page_bytes(const struct op_ctx *c) { return c->huge ? HUGE_SIZE : PAGE_SIZE; }

static void see(struct seen *s, const struct pte *p) { *s = (struct seen){p->state, p->writable, p->pfn}; }

static int seen_same(const struct seen *s, const struct pte *p)
{
	return p && p->state == s->state && p->pfn == s->pfn && p->writable == s->writable;
}

static int maps_page(const struct pte *p, uint64_t pfn)
{
	return p && (p->state == PTE_PRESENT || p->state == PTE_PROTNONE) && p->pfn == pfn;
}

/* The op stops here (counted, unless in a nested sequence, which the op
 * goes on without). */
static void give_up(struct op_ctx *c)
{
	c->stop = 1;
	if (!c->nested && !c->rec.skipped) {
		c->rec.skipped = 1;
		c->s->ops_skipped++;
	}
}

/* The op changed an entry a TLB may hold: [base, base + size). */
static void note_change(struct op_ctx *c, uint64_t base, uint64_t size)
{
	c->pair.changed = 1;
	if (c->chg_end == 0 || base < c->chg_start)
		c->chg_start = base;
	if (base + size > c->chg_end)
		c->chg_end = base + size;
	c->chg_small |= size == PAGE_SIZE;
}

/* x86 flush_tlb_mm_range (v6.6) under a flush-driven policy: a flush of
 * everything, or of more than flush_ceiling strides, is IR(0, -1). */
static void arch_flush_range(const struct policy *pol, enum range_kind kind, unsigned stride, uint64_t *start,
			     uint64_t *end)
{
	if (kind == R_MM || kind == R_BATCH || ((*end - *start) >> stride) > pol->flush_ceiling) {
		*start = 0;
		*end = UINT64_MAX;
	}
}

static void ir(struct op_ctx *c, enum ir_site site, int is_flush, enum range_kind kind, uint64_t start, uint64_t end,
	       unsigned stride)
{
	struct sim *s = c->s;
	const struct policy *pol = s->policy;
	int call = pol->ir_at_every_cpu_flush ? is_flush
					       : policy_calls(pol, site, c->pair.irs, c->pair.changed, has_gather_free(c->pg));
	if (!call)
		return;
	if (pol->ir_at_every_cpu_flush)
		arch_flush_range(pol, kind, stride, &start, &end);
	c->pair.irs++;
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

/* The range a flush step covers; 0 if there is nothing to flush. */
static int flush_range(struct op_ctx *c, enum range_kind kind, uint64_t *start, uint64_t *end, unsigned *stride)
{
	*stride = c->huge ? 21 : 12;
	*start = c->cur_va & ~(page_bytes(c) - 1);
	*end = *start + page_bytes(c);
	switch (kind) {
	case R_ENTRY:
	case R_BATCH:
		break;
	case R_4K:
		*start = c->cur_va & ~(PAGE_SIZE - 1);
		*end = *start + PAGE_SIZE;
		*stride = 12;
		break;
	case R_OP:
		*start = c->va;
		*end = c->va + c->size;
		break;
	case R_GATHER:
		if (c->tlb.end == 0)
			return 0;
		*start = c->tlb.start;
		*end = c->tlb.end;
		*stride = c->tlb.cleared_ptes ? 12 : 21;
		break;
	case R_CHANGED:
		if (c->chg_end == 0)
			return 0;
		*start = c->chg_start;
		*end = c->chg_end;
		*stride = c->chg_small ? 12 : 21;
		break;
	case R_MM:
		*start = 0;
		*end = UINT64_MAX;
		break;
	case R_TABLE:
		*start = c->tbl_start;
		*end = c->tbl_end;
		*stride = 12;
		break;
	}
	return 1;
}

/* A CPU TLB flush, then the site's IR. */
static void cpu_flush(struct op_ctx *c, enum ir_site site, enum range_kind kind)
{
	uint64_t start, end;
	unsigned stride;
	if (!flush_range(c, kind, &start, &end, &stride))
		return;
	sim_sleep(c->s, c->s->p.cpu_tlb_flush_latency);
	ir(c, site, 1, kind, start, end, stride);
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

/* Whether a TLB may hold a translation for entry p: it is present, or it is
 * protnone (which no CPU and no IOMMU walk caches) while the flush of the
 * change that made it so is still pending (mm_tlb_flush_pending) and this
 * op has not invalidated it itself. */
static int may_be_cached(const struct op_ctx *c, const struct pte *p)
{
	return p->state == PTE_PRESENT ||
	       (p->state == PTE_PROTNONE && c->mm->tlb_flush_pending > 0 && c->rec.notifications == 0);
}

/* Writes entry p at base; an entry a TLB may hold counts as a change. */
static void write_entry(struct op_ctx *c, struct pte *p, uint64_t base, enum pte_state state, uint64_t pfn, int writable)
{
	if (may_be_cached(c, p))
		note_change(c, base, p->huge ? HUGE_SIZE : PAGE_SIZE);
	p->state = (uint8_t)state;
	p->pfn = pfn;
	p->writable = (uint8_t)writable;
	p->migrating = 0;
	p->swapcache = 0;
	p->last_op = c->rec.id;
	sim_event(c->s, c->cpu, EV_PTE_UPDATE, base, c->rec.id);
	sim_sleep(c->s, c->s->p.pte_update_latency);
}

/* The current entry: written, and remembered as what the op saw. */
static void set_entry(struct op_ctx *c, struct pte *p, enum pte_state state, uint64_t pfn, int writable)
{
	write_entry(c, p, c->cur_va, state, pfn, writable);
	see(&c->orig, p);
}

/* ---- range walks (mmu_gather, change_protection, copy_page_range) ---- */

static void split_pmd(struct op_ctx *c, uint64_t base, int nested);

static void gather_widen(struct op_ctx *c, uint64_t base, uint64_t size)
{
	if (c->tlb.end == 0 || base < c->tlb.start)
		c->tlb.start = base;
	if (base + size > c->tlb.end)
		c->tlb.end = base + size;
	c->tlb.cleared_ptes |= size == PAGE_SIZE;
}

/* __tlb_remove_page: returns 1 when the gather is full (tlb_next_batch
 * cannot add a batch page: a forced flush). */
static int gather_page(struct op_ctx *c, uint64_t pfn)
{
	struct gather *g = &c->tlb;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		if (!(g->pages = realloc(g->pages, g->cap * sizeof *g->pages)))
			abort();
	}
	g->pages[g->n++] = pfn;
	return g->n >= (size_t)c->s->p.gather_batch;
}

/* tlb_flush_mmu_tlbonly: the CPU flush and IR(tlb->start, tlb->end) */
static void gather_flush(struct op_ctx *c, enum ir_site site)
{
	cpu_flush(c, site, R_GATHER);
	c->tlb.end = 0;
	c->tlb.cleared_ptes = 0;
}

/* tlb_flush_mmu_free: the gathered pages go back to the allocator */
static void gather_free(struct op_ctx *c)
{
	for (size_t i = 0; i < c->tlb.n; i++)
		free_page(c, c->tlb.pages[i]);
	c->tlb.n = 0;
}

/* zap_pte_range / zap_huge_pmd on one entry; returns 1 if the gather is full. */
static int zap_visit(struct op_ctx *c, struct pte *p, uint64_t base)
{
	uint64_t size = p->huge ? HUGE_SIZE : PAGE_SIZE, pfn = p->pfn;
	int present = p->state == PTE_PRESENT || p->state == PTE_PROTNONE;
	if (p->state == PTE_NONE)
		return 0;
	if (may_be_cached(c, p))
		note_change(c, base, size);
	/* a migration or swap entry is dropped without touching any page
	 * reference: the migration, or the swap cache, holds its own */
	mm_clear_entry(p);
	p->last_op = c->rec.id;
	sim_event(c->s, c->cpu, EV_PTE_UPDATE, base, c->rec.id);
	sim_sleep(c->s, c->s->p.pte_update_latency);
	if (!present)
		return 0;
	gather_widen(c, base, size); /* tlb_remove_tlb_entry */
	return pfn != physmem_zero_pfn(c->s->mem) && gather_page(c, pfn);
}

/* madvise_free_pte_range / madvise_free_huge_pmd: an exclusive page is marked
 * clean and old (same page, still mapped): only the flush range grows; a
 * swap entry's content is dropped. */
static int keep_visit(struct op_ctx *c, struct pte *p, uint64_t base)
{
	if (p->state == PTE_SWAP && !p->swapcache) {
		mm_clear_entry(p);
		p->last_op = c->rec.id;
		return 0;
	}
	if (p->state != PTE_PRESENT || p->pfn == physmem_zero_pfn(c->s->mem) || physmem_frame(c->s->mem, p->pfn)->refs != 1)
		return 0;
	write_entry(c, p, base, PTE_PRESENT, p->pfn, p->writable);
	gather_widen(c, base, p->huge ? HUGE_SIZE : PAGE_SIZE);
	return 0;
}

/* change_pte_range / change_huge_pmd: read-only; a writable migration entry
 * becomes a read migration entry (make_migration_entry_read). */
static int wrprotect_visit(struct op_ctx *c, struct pte *p, uint64_t base)
{
	if (!p->writable)
		return 0;
	if (p->state == PTE_PRESENT || p->state == PTE_PROTNONE)
		write_entry(c, p, base, p->state, p->pfn, 0);
	else if (p->state == PTE_MIGRATION)
		p->writable = 0;
	return 0;
}

/* copy_present_pte: read-only in the parent, the child takes a reference. */
static int share_visit(struct op_ctx *c, struct pte *p, uint64_t base)
{
	if (p->state == PTE_MIGRATION)
		p->writable = 0;
	if (p->state != PTE_PRESENT || p->pfn == physmem_zero_pfn(c->s->mem))
		return 0;
	physmem_get_external(c->s->mem, p->pfn); /* the child's reference (a child the trace does not simulate) */
	write_entry(c, p, base, PTE_PRESENT, p->pfn, 0);
	return 0;
}

/* A forced gather flush: under the ptl if held (zap_pte_range), then the
 * ptl is dropped while the batch is freed, and taken again. */
static void forced_flush(struct op_ctx *c)
{
	int relock = c->locked;
	gather_flush(c, SITE_GATHER_FREE);
	if (relock)
		unlock_ptl(c);
	gather_free(c);
	if (relock)
		lock_ptl(c);
}

/* Visits every entry of [va, va + size) in VA order: absent page tables are
 * skipped (pmd_none: no ptl taken), one ptl hold per 4 KiB page table, a
 * huge entry under its PMD lock; one the range covers only in part is split
 * first when split_partial (__split_huge_pmd). */
static void walk_range(struct op_ctx *c, int (*visit)(struct op_ctx *, struct pte *, uint64_t), int split_partial)
{
	uint64_t end = c->va + c->size, a = c->va, base, region;
	struct pte *p;
	while (a < end && mm_next_table(c->mm, a, end, &region)) {
		p = mm_entry(c->mm, region, 1, 0);
		base = region;
		if (p->state != PTE_NONE) {
			if (split_partial && (base < c->va || base + HUGE_SIZE > end)) {
				split_pmd(c, base, 1);
				if (mm_entry(c->mm, base, 1, 0)->state == PTE_NONE)
					continue; /* split: walk its PTEs */
			}
			c->cur_va = base;
			c->huge = 1;
			lock_ptl(c);
			int full = visit(c, p, base);
			unlock_ptl(c);
			if (full)
				forced_flush(c);
			a = base + HUGE_SIZE;
			continue;
		}
		/* the PMD points to a page table: its entries are read under its ptl
		 * (one another op may hold while an entry is cleared for a moment) */
		uint64_t lo = a > region ? a : region, hi = region + HUGE_SIZE;
		if (hi > end)
			hi = end;
		c->cur_va = lo;
		c->huge = 0;
		lock_ptl(c);
		for (uint64_t x = lo; x < hi && (p = mm_next_entry(c->mm, x, hi, &base)) != NULL && !p->huge;
		     x = base + PAGE_SIZE)
			if (visit(c, p, base))
				forced_flush(c);
		unlock_ptl(c);
		a = hi;
	}
	c->cur_va = c->va;
	c->huge = op_info(c->kind)->huge;
}

/* ---- reclaim's swap cache ---- */

struct free_later { struct sim *s; struct mm *mm; uint64_t va, pfn; int huge; };

/* The swap cache lets go of a reclaimed page: its content is written to
 * swap if the entry still names it, and the page is freed. */
static void swap_out_done(struct sim *s, struct mm *mm, uint64_t va, int huge, uint64_t pfn)
{
	struct pte *p = mm_entry(mm, va, huge, 0);
	uint64_t at;
	if (!(p && p->state == PTE_SWAP && p->swapcache && p->pfn == pfn))
		p = mm_find_pfn(mm, FIND_SWAPCACHE, pfn, &at); /* an mremap moved it: the swap cache finds it by rmap */
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

static void change_pte(struct op_ctx *c)
{
	struct sim *s = c->s;
	if (!s->p.driver_change_pte)
		return;
	struct ir_ctx ctx = {c->rec.id, c->kind, c->cpu, c->locked ? IR_UNDER_PTL : IR_OTHER, -1};
	unsigned desc;
	sim_event(s, c->cpu, EV_NOTIFY, c->cur_va, c->rec.id);
	if (notifier_invalidate_range(s, c->mm, c->cur_va, c->cur_va + PAGE_SIZE, &ctx, &desc)) {
		c->rec.notifications++;
		c->rec.notifications_under_ptl += ctx.where == IR_UNDER_PTL;
		c->rec.descriptors += desc;
	}
}

static int revalidate(struct op_ctx *c, enum revalidate how)
{
	struct pte *p = cur_entry(c);
	switch (how) {
	case V_SAME:
		return seen_same(&c->orig, p);
	case V_PAGE:
		return maps_page(p, c->cur_pfn);
	case V_HUGE:
		if (!p || (p->state != PTE_PRESENT && p->state != PTE_PROTNONE))
			return 0;
		c->cur_pfn = c->old_pfn = p->pfn;
		see(&c->orig, p);
		return 1;
	}
	return 0;
}

/* ---- the steps of format 2's ops ---- */

static void run_op(struct sim *s, struct mm *mm, int cpu, enum op_kind kind, uint64_t va, uint64_t arg2, int has_window,
		   double window, int holds_mmap);

/* The whole address space, for the walks and notifications that cover it. */
#define VA_SPACE_END (1ULL << 47)

static int range_mapped(const struct mm *mm, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (mm->vmas[i].start < end && start < mm->vmas[i].end)
			return 1;
	return 0;
}

/* change_pte_range with the vma's new rights (mprotect adding them): every
 * present entry is rewritten; in a private mapping it stays read-only
 * (PAGE_COPY) before v6.6, a TLB change that needs a flush.  v6.6 makes an
 * exclusive anonymous page writable at once (an upgrade: pte_needs_flush is
 * false) and leaves the others as they were (no flush either). */
static int touch_visit(struct op_ctx *c, struct pte *p, uint64_t base)
{
	if (p->state != PTE_PRESENT)
		return 0;
	if (!c->touch_writable) {
		write_entry(c, p, base, PTE_PRESENT, p->pfn, p->writable);
		return 0;
	}
	const struct frame *f = physmem_frame(c->s->mem, p->pfn);
	const struct vma *v = mm_find_vma(c->mm, base);
	if (!p->writable && v && v->writable && !v->shared && !f->zero_page && !f->ksm && f->refs == 1) {
		p->writable = 1;
		p->last_op = c->rec.id;
		sim_event(c->s, c->cpu, EV_PTE_UPDATE, base, c->rec.id);
		sim_sleep(c->s, c->s->p.pte_update_latency);
	}
	return 0;
}

/* mremap: the new vma, with the rights of the one at the old address. */
static void mremap_vma(struct op_ctx *c)
{
	const struct vma *old = mm_find_vma(c->mm, c->va);
	if (!old || range_mapped(c->mm, c->new_va, c->new_va + c->new_size)) {
		give_up(c); /* nothing to move, or the new range still mapped (the munmap comes first) */
		return;
	}
	mm_add_vma_prot(c->mm, c->new_va, c->new_va + c->new_size, old->huge, old->writable, old->shared);
}

/* One entry moves from `from` to the same offset of the new range: the page
 * and its references stay. */
static void move_entry(struct op_ctx *c, struct pte *from, uint64_t va, uint64_t to, int huge)
{
	struct pte *np = mm_entry(c->mm, to, huge, 1);
	if (may_be_cached(c, from))
		note_change(c, va, huge ? HUGE_SIZE : PAGE_SIZE);
	*np = *from;
	np->last_op = c->rec.id;
	mm_clear_entry(from);
	from->last_op = c->rec.id;
	sim_event(c->s, c->cpu, EV_PTE_UPDATE, va, c->rec.id);
	sim_sleep(c->s, c->s->p.pte_update_latency);
}

/* move_page_tables -> move_ptes: per page table of the old range that exists,
 * under its ptl, every entry moves to the same offset of the new range; a
 * flush of that table's stretch if an entry was present (force_flush).  A
 * PMD entry moves whole when the new address is 2 MiB aligned
 * (move_huge_pmd); else the op gives up (not modelled). */
static void move_ptes(struct op_ctx *c, enum ir_site site, enum range_kind kind)
{
	uint64_t end = c->va + c->size, a = c->va, base, table; /* the tail beyond a smaller new size is gone already */
	struct pte *p;
	/* every table whose PMD is not none, read under its ptl (mm_next_table) */
	while (!c->stop && a < end && mm_next_table(c->mm, a, end, &table)) {
		uint64_t lo = table > c->va ? table : c->va, hi = table + HUGE_SIZE < end ? table + HUGE_SIZE : end;
		c->cur_va = lo;
		lock_ptl(c);
		int present = 0;
		struct pte *pmd = mm_entry(c->mm, table, 1, 0);
		if (pmd && pmd->state != PTE_NONE) {
			uint64_t to = c->new_va + (table - c->va);
			if (table < c->va || table + HUGE_SIZE > end || to % HUGE_SIZE) {
				give_up(c);
				break;
			}
			present = pmd->state == PTE_PRESENT;
			move_entry(c, pmd, table, to, 1);
		}
		for (uint64_t x = lo; x < hi && (p = mm_next_entry(c->mm, x, hi, &base)) != NULL && !p->huge; x = base + PAGE_SIZE) {
			present |= p->state == PTE_PRESENT;
			move_entry(c, p, base, c->new_va + (base - c->va), 0);
		}
		if (present) {
			c->tbl_start = lo;
			c->tbl_end = hi;
			cpu_flush(c, site, kind);
		}
		unlock_ptl(c);
		a = hi;
	}
	c->cur_va = c->va;
}

/* copy_one_pte for one entry of the parent: the child's entry names the
 * same page (one more reference); a private writable mapping's entry is
 * write-protected on both sides.  copy_nonpresent_pte (v6.6 mm/memory.c;
 * copy_huge_pmd for a PMD one): a swap entry names the same content; a
 * migration entry is copied, made a read one in both in a copy-on-write
 * mapping, and takes no page reference (the migration holds the page;
 * remove_migration_ptes gives the copy the new page: install_elsewhere). */
static void fork_one(struct op_ctx *c, const struct vma *v, struct pte *p, uint64_t va)
{
	struct pte *cp = mm_entry(c->child, va, p->huge, 1);
	uint64_t zero = physmem_zero_pfn(c->s->mem);
	int cow = v->writable && !v->shared;
	cp->state = PTE_PRESENT;
	cp->pfn = p->pfn;
	cp->last_op = c->rec.id;
	if (p->state == PTE_SWAP) {
		/* swap_duplicate: the child's entry names the same swapped content */
		cp->state = PTE_SWAP;
		cp->swap_token = p->swapcache ? physmem_frame(c->s->mem, p->pfn)->token : p->swap_token;
		return;
	}
	if (p->state == PTE_MIGRATION) {
		if (cow)
			p->writable = 0; /* make_readable_migration_entry */
		cp->state = PTE_MIGRATION;
		cp->writable = p->writable;
		c->s->other_migration_entries++;
	} else {
		if (p->pfn != zero)
			physmem_get(c->s->mem, p->pfn);
		if (cow && p->writable) {
			c->cur_va = va;
			set_entry(c, p, p->state, p->pfn, 0); /* ptep_set_wrprotect */
		}
		cp->writable = (uint8_t)(cow ? 0 : p->writable);
	}
	sim_sleep(c->s, c->s->p.pte_update_latency); /* the child's set_pte_at */
}

static int vma_cmp(const void *a, const void *b)
{
	const struct vma *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* A copy of the mm's vmas in address order (*nv of them); the caller frees it. */
static struct vma *sorted_vmas(const struct mm *mm, size_t *nv)
{
	*nv = mm->n_vmas;
	struct vma *vmas = malloc((*nv + 1) * sizeof *vmas);
	if (!vmas)
		abort();
	if (*nv)
		memcpy(vmas, mm->vmas, *nv * sizeof *vmas);
	qsort(vmas, *nv, sizeof *vmas, vma_cmp);
	return vmas;
}

static int fork_visit(struct op_ctx *c, struct pte *p, uint64_t base)
{
	fork_one(c, c->fork_vma, p, base);
	return 0;
}

/* dup_mmap: every vma is copied into the child; copy_page_range copies the
 * entries of each one that has pages, and makes a range_start/end pair
 * (IR site `site`) around it when the mapping is copy-on-write.  Entries in
 * no vma (there are none, but a trace could leave some) are not copied. */
static void fork_copy(struct op_ctx *c, enum ir_site site)
{
	size_t nv, ne, e = 0;
	struct vma *vmas = sorted_vmas(c->mm, &nv);
	uint64_t *vas = mm_collect_entries(c->mm, 0, VA_SPACE_END, &ne);
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
			c->pair = (struct pair){.open = 1, .start = v->start, .end = v->end};
			sim_event(c->s, c->cpu, EV_RANGE_START, v->start, c->rec.id);
		}
		/* copy_pmd_range / copy_pte_range: each table's entries read under
		 * its ptl (a huge one under the PMD lock), one hold per table */
		c->fork_vma = v;
		walk_range(c, fork_visit, 0);
		if (cow) {
			sim_sleep(c->s, sim_preempt_window(c->s, c->has_window, c->window));
			sim_event(c->s, c->cpu, EV_RANGE_END, v->start, c->rec.id);
			ir(c, site, 0, R_OP, v->start, v->end, 12);
			c->pair.open = 0;
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
	c->mm->exited = 1;
	if (c->mm->n_devices == 0)
		return;
	struct ir_ctx ctx = {c->rec.id, c->kind, c->cpu, IR_OTHER, -1};
	unsigned desc;
	sim_event(c->s, c->cpu, EV_NOTIFY, 0, c->rec.id);
	if (notifier_invalidate_range(c->s, c->mm, 0, UINT64_MAX, &ctx, &desc)) {
		c->rec.notifications++;
		c->rec.descriptors += desc;
	}
	c->mm->n_devices = 0;
}

/* unmap_vmas(0, -1): every vma into the one gather (tlb_finish_mmu follows);
 * page tables that do not exist are skipped, as zap_pmd_range skips a none
 * pmd. */
static void exit_zap(struct op_ctx *c)
{
	size_t nv;
	struct vma *vmas = sorted_vmas(c->mm, &nv);
	for (size_t i = 0; i < nv; i++) {
		c->va = vmas[i].start;
		c->size = vmas[i].end - vmas[i].start;
		walk_range(c, zap_visit, 1);
	}
	free(vmas);
	c->va = 0;
	c->size = VA_SPACE_END;
	c->cur_va = 0;
}

/* remove_migration_ptes walks the old page's rmap, so the copies a fork made
 * of the migration entry (fork_visit) get the new page too, each taking a
 * reference, whether or not the op's own entry was still there.  So do the
 * mappings in processes the trace does not simulate (the other side of a
 * populate=cow page or of a format-1 fork_wp: physmem's external
 * references): try_to_migrate gave them migration entries as well
 * (mm/rmap.c try_to_migrate_one, v4.14 try_to_unmap_one with
 * TTU_MIGRATION), so the old page is freed with the op's last reference, as
 * DESIGN.md's migrate says.  Their own notifications reach no device (no
 * device is bound to a process outside the trace) and their time is not
 * modelled.  The model writes them at the instant of the op's own install. */
static void install_elsewhere(struct op_ctx *c)
{
	struct sim *s = c->s;
	physmem_move_external(s->mem, c->old_pfn, c->new_pfn);
	for (size_t i = 0; i < s->n_mms && s->other_migration_entries > 0; i++) {
		struct mm *m = s->mms[i];
		uint64_t va;
		struct pte *q;
		while (s->other_migration_entries > 0 &&
		       (q = mm_find_pfn(m, FIND_MIGRATION, c->old_pfn, &va)) != NULL) {
			q->state = PTE_PRESENT;
			q->pfn = c->new_pfn;
			q->last_op = c->rec.id;
			physmem_get(s->mem, c->new_pfn);
			s->other_migration_entries--;
			sim_event(s, c->cpu, EV_PTE_UPDATE, va, c->rec.id);
			checker_copy_installed(s->checker, m, va, c->old_pfn, c->new_pfn, c->snapshot, c->rec.id, sim_now(s));
		}
	}
}

static const struct step *find_label(const struct step *st, int label)
{
	while (st->kind != ST_END && !(st->kind == ST_LABEL && st->arg == label))
		st++;
	return st;
}

static void run_steps(struct op_ctx *c, const struct step *st);

/* The migration lets go of the page it isolated (unlock_page,
 * putback_lru_page), unless the frame was freed and made again since: the
 * model holds no reference for the isolation. */
static void putback_page(struct op_ctx *c)
{
	if (!c->page_isolated)
		return;
	struct frame *f = physmem_frame(c->s->mem, c->old_pfn);
	if (!f->free && f->generation == c->isolated_gen)
		f->migrating = 0;
	c->page_isolated = 0;
}

/* A nested sequence of steps on the entry at va (the caller has set what
 * else differs: the mm, the page size, the page), with a pair of its own. */
static void run_nested(struct op_ctx *c, uint64_t va, int nested, const struct step *steps)
{
	c->cur_va = va;
	c->nested = nested;
	c->stop = 0;
	c->pair.open = 0;
	run_steps(c, steps);
}

/* After a nested sequence on another entry: the op's own entry, as the op
 * saw it, its pair, and whether it is nested itself. */
static void resume_own_entry(struct op_ctx *c, const struct op_ctx *saved)
{
	c->cur_va = saved->cur_va;
	c->cur_pfn = saved->cur_pfn;
	c->orig = saved->orig;
	c->nested = saved->nested;
	c->pair = saved->pair;
}

/* try_to_migrate walks the page's rmap: every other 4 KiB mapping of it, in
 * another simulated process (a fork's parent or child) or at another address
 * of this one (a KSM page), gets a migration entry too, each in a
 * range_start/end pair of its own process (mm/rmap.c try_to_migrate_one,
 * v4.14 try_to_unmap_one with TTU_MIGRATION: notifier, PTL,
 * ptep_clear_flush, the entry, page_remove_rmap + put_page), so that
 * process's devices are invalidated as the op's are.  The op's own mapping
 * comes first, then the others in the order their processes were made, with
 * no preemption window.  remove_migration_ptes gives them the copy
 * (install_elsewhere).  The mappings of processes the trace does not
 * simulate have no devices: install_elsewhere moves their references. */
static const struct step unmap_other_steps[] = {
	S(RANGE_START), S(LOCK), ARG(REVALIDATE, V_PAGE), FL(CLEAR_FLUSH, PTL_V414, BATCH), S(SET_OTHER_MIGRATION), S(UNLOCK),
	SITE(RANGE_END, END_KEPT), S(END)};

static void unmap_others(struct op_ctx *c)
{
	struct sim *s = c->s;
	const struct frame *f = physmem_frame(s->mem, c->old_pfn);
	/* the op's own reference and the external ones: nothing else maps it */
	if (f->zero_page || f->refs <= 1 + physmem_external(s->mem, c->old_pfn))
		return;
	struct op_ctx saved = *c;
	for (size_t i = 0; i < s->n_mms; i++) {
		struct mm *m = s->mms[i];
		uint64_t at;
		for (uint64_t va = 0; mm_next_mapping(m, saved.old_pfn, va, &at) != NULL; va = at + PAGE_SIZE) {
			if (m == saved.mm && at == saved.cur_va)
				continue;
			c->mm = m;
			c->cur_pfn = saved.old_pfn;
			run_nested(c, at, 1, unmap_other_steps);
		}
	}
	/* the rest of the op is on its own mapping again */
	resume_own_entry(c, &saved);
	c->mm = saved.mm;
	c->old_writable = saved.old_writable;
	c->stop = saved.stop;
	c->chg_start = saved.chg_start;
	c->chg_end = saved.chg_end;
	c->chg_small = saved.chg_small;
}

/* numamigrate_isolate_page does not migrate a THP that another process maps
 * too.  v4.14 to v5.12 (mm/migrate.c, migrate_misplaced_transhuge_page skips
 * migrate_pages' count check): page_count != 3 (the mapping, the caller's
 * pin, the isolation); v5.13 on (c5b5a3dd2c1f's series): total_mapcount > 1.
 * In the model every reference of a THP is a mapping (no GUP pins), so both
 * are refs != 1: a fork's child or the other side of a populate=cow page,
 * simulated or not.  The fault then restores the PMD's access as it was
 * (v4.14 out_fail, v5.13 out_map: pmd_modify + set_pmd_at under the PMD
 * lock if pmd_same), with no flush and no notifier, and the op gives up
 * (counted): nothing is copied. */
static void keep_thp(struct op_ctx *c)
{
	lock_ptl(c);
	struct pte *p = cur_entry(c);
	if (seen_same(&c->orig, p) && p->state == PTE_PROTNONE)
		p->state = PTE_PRESENT;
	unlock_ptl(c);
	give_up(c);
}

static void run_step(struct op_ctx *c, const struct step *st, const struct step **next)
{
	struct sim *s = c->s;
	struct pte *p;
	switch ((enum step_kind)st->kind) {
	case ST_END:
	case ST_LABEL:
		break;
	case ST_MMAP_READ:
	case ST_MMAP_WRITE:
		if (!c->holds_mmap && !c->mmap_mode) {
			double t = sim_now(c->s);
			if (st->kind == ST_MMAP_WRITE)
				rwlock_write_lock(&c->mm->mmap_lock);
			else
				rwlock_read_lock(&c->mm->mmap_lock);
			c->mmap_mode = st->kind == ST_MMAP_WRITE ? 2 : 1;
			c->rec.mmap_wait += sim_now(c->s) - t;
		}
		break;
	case ST_RANGE_START: {
		uint64_t base;
		c->pair.open = 1;
		c->pair.irs = c->pair.changed = 0;
		c->pair.start = st->range == R_OP ? c->va : c->cur_va & ~(page_bytes(c) - 1);
		c->pair.end = st->range == R_OP ? c->va + c->size : c->pair.start + page_bytes(c);
		c->pair.skipped = st->arg == PAIR_IF_POPULATED && !mm_next_entry(c->mm, c->pair.start, c->pair.end, &base);
		if (!c->pair.skipped)
			sim_event(s, c->cpu, EV_RANGE_START, c->cur_va, c->rec.id);
		break;
	}
	case ST_RANGE_END:
		c->pair.open = 0;
		if (c->pair.skipped)
			break;
		sim_event(s, c->cpu, EV_RANGE_END, c->cur_va, c->rec.id);
		ir(c, st->site, 0, R_OP, c->pair.start, c->pair.end, 12);
		break;
	case ST_LOCK:
		lock_ptl(c);
		break;
	case ST_UNLOCK:
		unlock_ptl(c);
		break;
	case ST_REVALIDATE:
		if (!revalidate(c, st->arg))
			give_up(c);
		break;
	case ST_ALLOC:
		c->new_pfn = physmem_alloc(s->mem, c->huge);
		c->have_new = 1;
		sim_sleep(s, s->p.page_alloc_latency);
		break;
	case ST_COPY: {
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
		c->old_writable = p->writable;
		set_entry(c, p, PTE_NONE, p->pfn, 0);
		cpu_flush(c, st->site, st->range);
		break;
	case ST_FLUSH:
		cpu_flush(c, st->site, st->range);
		break;
	case ST_FLUSH_IF_PENDING:
		if (c->mm->tlb_flush_pending > 0)
			cpu_flush(c, st->site, st->range);
		break;
	case ST_IR: {
		uint64_t start, end;
		unsigned stride;
		flush_range(c, st->range, &start, &end, &stride);
		ir(c, st->site, 0, st->range, start, end, stride);
		break;
	}
	case ST_CHANGE_PTE:
		change_pte(c);
		break;
	case ST_SET_NEW:
		set_entry(c, cur_entry(c), PTE_PRESENT, c->new_pfn, st->arg);
		c->new_installed = 1;
		break;
	case ST_SET_RO:
		set_entry(c, cur_entry(c), PTE_PRESENT, c->cur_pfn, 0);
		break;
	case ST_PREEMPT:
		if (!c->nested)
			sim_sleep(s, sim_preempt_window(s, c->has_window, c->window));
		break;
	case ST_DROP_OLD:
		putback_page(c);
		free_page(c, c->old_pfn);
		break;
	case ST_WRPROTECT:
		walk_range(c, wrprotect_visit, 1);
		break;
	case ST_SHARE_COW:
		walk_range(c, share_visit, 0);
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
		set_entry(c, cur_entry(c), PTE_MIGRATION, c->old_pfn, c->old_writable);
		break;
	case ST_SET_OTHER_MIGRATION:
		/* under that mapping's ptl, before its range_end can let anything
		 * else run: counted here, so that an munmap, exit or mremap of it
		 * meanwhile finds an entry the walk already accounted for */
		set_entry(c, cur_entry(c), PTE_MIGRATION, c->old_pfn, c->old_writable);
		physmem_put(s->mem, c->old_pfn); /* the mapping's; the op holds the page */
		s->other_migration_entries++;
		break;
	case ST_ISOLATE_PAGE: {
		/* the first migration of a page isolates it from the LRU and locks
		 * it (v4.14 mm/migrate.c: isolate_lru_page fails on an isolated
		 * page, trylock_page in unmap_and_move on a locked one); another
		 * migration of it, through another mapping or process, fails */
		struct frame *f = physmem_frame(s->mem, c->old_pfn);
		if (f->migrating) {
			give_up(c);
			break;
		}
		f->migrating = 1;
		c->page_isolated = 1;
		c->isolated_gen = f->generation;
		break;
	}
	case ST_INSTALL_COPY:
		/* remove_migration_pte replaces a migration entry for the old page
		 * (mprotect or fork may have made it a read one), or finds nothing
		 * (a munmap dropped it): then the new page is freed.  It finds the
		 * entry by the page's rmap, wherever an mremap moved it meanwhile. */
		/* the copy is the page now: migrate_page_move_mapping gives it
		 * page->mapping, and with it KSM's mark (v4.14 mm/migrate.c;
		 * ksm_migrate_page moves the stable node) */
		physmem_frame(s->mem, c->new_pfn)->ksm = physmem_frame(s->mem, c->old_pfn)->ksm;
		p = cur_entry(c);
		if (!(p->state == PTE_MIGRATION && p->pfn == c->old_pfn) && c->orig.state == PTE_MIGRATION) {
			uint64_t moved;
			struct pte *q = mm_find_pfn(c->mm, FIND_MIGRATION, c->old_pfn, &moved);
			if (q) {
				c->cur_va = moved;
				p = q;
			}
		}
		if (p->state == PTE_MIGRATION ? p->pfn != c->old_pfn : !seen_same(&c->orig, p)) {
			give_up(c);
			c->stop = 0;
			install_elsewhere(c);
			break;
		}
		set_entry(c, p, PTE_PRESENT, c->new_pfn, p->state == PTE_MIGRATION ? p->writable : c->main_seen.writable);
		c->old_writable = c->orig.writable;
		p->migrating = 0;
		c->marked_migrating = 0;
		c->new_installed = 1;
		checker_copy_installed(s->checker, c->mm, c->cur_va, c->old_pfn, c->new_pfn, c->snapshot, c->rec.id,
				       sim_now(s));
		install_elsewhere(c);
		break;
	case ST_PROTNONE:
		p = cur_entry(c);
		set_entry(c, p, PTE_PROTNONE, c->old_pfn, p->writable);
		break;
	case ST_MARK_MIGRATING:
		cur_entry(c)->migrating = 1;
		c->marked_migrating = 1;
		break;
	case ST_UNMAP_OTHERS:
		unmap_others(c);
		break;
	case ST_ISOLATE_THP:
		if (physmem_frame(s->mem, c->old_pfn)->refs != 1)
			keep_thp(c);
		break;
	case ST_PENDING_INC:
		c->mm->tlb_flush_pending++;
		c->pending_inc = 1;
		break;
	case ST_PENDING_DEC:
		c->mm->tlb_flush_pending--;
		c->pending_inc = 0;
		break;
	case ST_ZAP:
		walk_range(c, zap_visit, 1);
		break;
	case ST_ZAP_KEEP:
		walk_range(c, keep_visit, 1);
		break;
	case ST_GATHER_FINAL:
		gather_flush(c, st->site);
		gather_free(c);
		break;
	case ST_TARGET_OTHER:
		c->cur_va = c->other_va;
		c->cur_pfn = c->other_pfn;
		c->orig = c->other_seen;
		break;
	case ST_TARGET_MAIN:
		c->cur_va = c->va;
		c->cur_pfn = c->main_pfn;
		c->orig = c->main_seen;
		break;
	case ST_SKIP_IF_KSM:
		if (physmem_frame(s->mem, c->cur_pfn)->ksm)
			*next = find_label(st, st->arg);
		break;
	case ST_KSM_MARK:
		physmem_frame(s->mem, c->cur_pfn)->ksm = 1;
		break;
	case ST_KSM_COMPARE:
		if (physmem_frame(s->mem, c->main_pfn)->token != physmem_frame(s->mem, c->other_pfn)->token)
			give_up(c);
		break;
	case ST_KSM_REPLACE:
		physmem_get(s->mem, c->other_pfn);
		set_entry(c, cur_entry(c), PTE_PRESENT, c->other_pfn, 0);
		break;
	case ST_SPLIT:
		split(c);
		break;
	case ST_CALL_SPLIT:
		split_pmd(c, c->cur_va & ~(HUGE_SIZE - 1), st->arg);
		break;
	case ST_TO_4K:
		c->huge = 0;
		c->cur_va = c->va & ~(PAGE_SIZE - 1);
		p = cur_entry(c);
		if (!p || p->state != PTE_PRESENT) {
			give_up(c);
			break;
		}
		c->cur_pfn = c->old_pfn = c->main_pfn = p->pfn;
		see(&c->orig, p);
		break;
	case ST_DONE:
		c->stop = 1;
		break;
	case ST_SKIP_UNLESS_MAPPED:
		if (!range_mapped(c->mm, c->va, c->va + c->size))
			*next = find_label(st, st->arg);
		break;
	case ST_SKIP_IF_GROW:
		if (c->grow)
			*next = find_label(st, st->arg);
		break;
	case ST_ADD_VMA:
		mm_add_vma_prot(c->mm, c->va, c->va + c->size, 0, !c->map_ro, c->map_shared);
		break;
	case ST_UNPROTECT_VMA:
		mm_unprotect_vmas(c->mm, c->va, c->va + c->size);
		break;
	case ST_TOUCH_PTES:
		c->touch_writable = st->arg;
		walk_range(c, touch_visit, 1);
		break;
	case ST_MREMAP_VMA:
		mremap_vma(c);
		break;
	case ST_MOVE_PTES:
		move_ptes(c, st->site, st->range);
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

/* Runs steps until the end or a give-up; a give-up inside a range_start/end
 * pair still ends the pair, as the kernel's error paths do. */
static void run_steps(struct op_ctx *c, const struct step *st)
{
	while (!c->stop && st->kind != ST_END) {
		const struct step *cur = st++;
		run_step(c, cur, &st);
	}
	if (!c->stop)
		return;
	if (c->locked)
		unlock_ptl(c);
	if (c->pair.open) {
		while (st->kind != ST_END && st->kind != ST_RANGE_END)
			st++;
		if (st->kind == ST_RANGE_END)
			run_step(c, st, &st);
	}
}

/* __split_huge_pmd of the PMD at base as a sequence of its own (nested: in
 * another op, whose preemption window it does not take and whose pair it
 * leaves as it was). */
static void split_pmd(struct op_ctx *c, uint64_t base, int nested)
{
	struct op_ctx saved = *c;
	c->huge = 1;
	run_nested(c, base, nested, split_steps);
	resume_own_entry(c, &saved);
	c->huge = saved.huge;
	c->old_pfn = saved.old_pfn;
	if (nested)
		c->stop = saved.stop; /* the op goes on without the split */
}

/* ---- preconditions: whether the kernel would run the op at all ---- */

/* wp_page_reuse: a permission upgrade needs no invalidation.  Format-2
 * traces record each one in /ops (kind wp_reuse) and count it; format-1
 * results stay as they always were. */
static void reuse_page(struct sim *s, struct mm *mm, struct pte *p, uint64_t base, int cpu)
{
	double t0 = sim_now(s);
	struct seen was;
	see(&was, p);
	int huge = p->huge;
	struct lock *ptl = mm_ptl(mm, base, huge);
	lock_acquire(ptl);
	/* do_wp_page decided under the ptl; here the decision came first, so
	 * it is checked again (pte_same, and the page still has one user) */
	uint64_t now_base;
	struct pte *q = mm_lookup(mm, base, &now_base);
	int same = q == p && now_base == base && seen_same(&was, q) && physmem_frame(s->mem, q->pfn)->refs == 1 &&
		   !physmem_frame(s->mem, q->pfn)->ksm;
	if (same)
		p->writable = 1;
	lock_release(ptl);
	if (!same)
		return; /* the access faults again and finds what changed */
	sim_sleep(s, s->p.pte_update_latency);
	if (s->trace->version < 2)
		return;
	s->wp_reuses++;
	struct op_rec rec = {.id = s->next_op_id++, .kind = OP_WP_REUSE, .cpu = cpu, .start = t0, .end = sim_now(s), .va = base,
			     .pages = huge ? HUGE_PAGES : 1};
	rec.latency = rec.end - rec.start;
	results_op(s->results, &rec);
}

/* A fault waits while the entry is a migration entry or a THP under
 * migration (migration_entry_wait, pmd_migration_entry_wait).  An entry that
 * stays one for a simulated second is a model error: the run fails. */
#define MIGRATION_WAIT_MAX 1.0

static int migrating(const struct pte *p)
{
	return p && (p->state == PTE_MIGRATION || (p->state == PTE_PROTNONE && p->migrating));
}

static int wait_migration(struct sim *s, struct pte *p, uint64_t va)
{
	double t0 = sim_now(s);
	while (migrating(p)) {
		if (sim_now(s) - t0 > MIGRATION_WAIT_MAX) {
			char why[160];
			snprintf(why, sizeof why, "model error: the entry of %#llx is still under migration at %.9f s, %g s after a fault began to wait for it",
				 (unsigned long long)va, sim_now(s), MIGRATION_WAIT_MAX);
			sim_fail(s, why);
			return -1;
		}
		sim_sleep(s, s->p.fault_latency);
	}
	return 0;
}

static struct pte *wait_for_migration(struct op_ctx *c, uint64_t va, int huge)
{
	struct pte *p = mm_entry(c->mm, va, huge, 0);
	return wait_migration(c->s, p, va) == 0 ? p : NULL;
}

static int precondition_holds(struct op_ctx *c)
{
	struct sim *s = c->s;
	enum precondition need = c->pg->need;
	if (need == NEED_NOTHING)
		return 1;
	struct pte *p = mm_entry(c->mm, c->va, c->huge, 0);
	const struct vma *vma = mm_find_vma(c->mm, c->va);
	switch (need) {
	case NEED_NOTHING:
		return 1;
	case NEED_PRESENT:
	case NEED_KSM_PAIR:
		if (!p || p->state != PTE_PRESENT)
			return 0;
		break;
	case NEED_HUGE:
		if (!p || (p->state != PTE_PRESENT && p->state != PTE_PROTNONE))
			return 0;
		break;
	case NEED_WP_FAULT:
	case NEED_ZERO_PAGE: {
		p = wait_for_migration(c, c->va, c->huge);
		/* no write fault on a present writable page (a plain write), on
		 * anything not present, or in a read-only mapping (SIGSEGV) */
		if (!p || p->state != PTE_PRESENT || p->writable || !vma || !vma->writable)
			return 0;
		const struct frame *f = physmem_frame(s->mem, p->pfn);
		if (need == NEED_ZERO_PAGE && !f->zero_page)
			return 0;
		if (need == NEED_WP_FAULT && !f->ksm && !f->zero_page && f->refs == 1) {
			reuse_page(s, c->mm, p, c->va, c->cpu);
			return 0;
		}
		break;
	}
	case NEED_NUMA_FAULT:
		p = wait_for_migration(c, c->va, c->huge);
		if (!p || p->state != PTE_PROTNONE)
			return 0; /* the NUMA fault path is entered only on a protnone PMD */
		break;
	}
	see(&c->orig, p);
	c->main_seen = c->orig;
	c->main_pfn = c->cur_pfn = c->old_pfn = p->pfn;
	if (need == NEED_KSM_PAIR) {
		struct pte *o = mm_entry(c->mm, c->other_va, 0, 0);
		if (!o || o->state != PTE_PRESENT || o->pfn == p->pfn)
			return 0;
		c->other_pfn = o->pfn;
		/* KSM holds its page (get_page of the stable tree's kpage) until
		 * replace_page is done: a zap of the other mapping meanwhile only
		 * drops that mapping's reference */
		physmem_get(c->s->mem, c->other_pfn);
		c->holds_other = 1;
		see(&c->other_seen, o);
	}
	return 1;
}

static struct op_ctx op_ctx_new(struct sim *s, struct mm *mm, int cpu, enum op_kind kind, uint64_t va, uint64_t arg2,
				 int has_window, double window, int holds_mmap)
{
	struct op_ctx c = {.s = s, .mm = mm, .kind = kind, .pg = program_for(kind, kversion_features(&s->p)), .cpu = cpu,
			   .holds_mmap = holds_mmap, .huge = op_info(kind)->huge, .has_window = has_window, .window = window,
			   .va = va, .cur_va = va};
	c.size = op_info(kind)->args == ARGS_VA_SIZE ? arg2 : page_bytes(&c);
	c.other_va = op_info(kind)->args == ARGS_VA_VA ? arg2 : 0;
	return c;
}

/* Runs the op set up in c to completion and records it. */
static void run_op_ctx(struct op_ctx *cp)
{
	struct op_ctx c = *cp;
	struct sim *s = c.s;
	struct mm *mm = c.mm;
	uint64_t va = c.va;
	c.rec = (struct op_rec){.id = s->next_op_id++, .kind = c.kind, .cpu = c.cpu, .start = sim_now(s), .va = c.va,
				.pages = c.size / PAGE_SIZE};
	s->ops_started++;
	int discards = op_info(c.kind)->discards;
	if (discards) /* the application has asked for the range's content to go */
		mm_discard_begin(mm, c.va, c.va + c.size, c.rec.id);
	const struct step *st = c.pg->steps;
	/* the mmap_lock step (always first when present) comes before the precondition */
	if (st->kind == ST_MMAP_READ || st->kind == ST_MMAP_WRITE)
		run_step(&c, st++, &st);
	/* after exit_mmap the process's threads are gone: a later op of one of
	 * them is a trace that no program makes, and is given up */
	if (!mm->exited && precondition_holds(&c))
		run_steps(&c, st);
	else
		give_up(&c);
	if (c.locked)
		unlock_ptl(&c);
	if (c.marked_migrating) {
		uint64_t at;
		struct pte *p = mm_entry(mm, va, c.huge, 0);
		if (!p || !p->migrating)
			p = mm_find_pfn(mm, FIND_MIGRATING, c.old_pfn, &at); /* moved by an mremap */
		if (p)
			p->migrating = 0;
	}
	if (c.pending_inc)
		mm->tlb_flush_pending--;
	putback_page(&c);
	if (c.have_new && !c.new_installed)
		physmem_put(s->mem, c.new_pfn);
	if (c.holds_other)
		physmem_put(s->mem, c.other_pfn); /* put_page(kpage) */
	if (c.child && c.child->unborn) {
		/* a fork given up (its process had exited: in the simulated
		 * timing the exit came first) makes no process: the child's
		 * threads find it gone, as after an exit, instead of waiting */
		c.child->unborn = 0;
		c.child->exited = 1;
		waitq_wake_all(&c.child->born);
	}
	if (c.mmap_mode == 2)
		rwlock_write_unlock(&mm->mmap_lock);
	else if (c.mmap_mode == 1)
		rwlock_read_unlock(&mm->mmap_lock);
	free(c.tlb.pages);
	if (discards)
		mm_discard_end(mm, c.rec.id);
	c.rec.end = sim_now(s);
	c.rec.latency = c.rec.end - c.rec.start;
	if (!c.rec.skipped)
		hist_add(&s->op_latency, c.rec.latency);
	s->kernel_ops++;
	results_op(s->results, &c.rec);
	invariants_after_op(s, mm, c.rec.id, op_info(c.kind)->name, va, va + c.size);
	if (c.other_va)
		invariants_after_op(s, mm, c.rec.id, op_info(c.kind)->name, c.other_va, c.other_va + PAGE_SIZE);
}

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

/* ---- handle_mm_fault ---- */

/* Whether the entry at p (base, of its size) may be filled: it is none under
 * the ptl, and neither a huge entry over it nor 4 KiB entries under it took
 * its place meanwhile (a split: the PMD points to a page table now; a THP
 * fault: the PMD maps a page), as do_anonymous_page / do_huge_pmd_anonymous_page
 * find pmd_none / pte_none false and return to retry. */
static int still_none(struct mm *mm, const struct pte *p, uint64_t base, int huge)
{
	if (p->state != PTE_NONE)
		return 0;
	if (huge)
		return !mm_ptes_mapped(mm, base);
	const struct pte *pmd = mm_entry(mm, base & ~(HUGE_SIZE - 1), 1, 0);
	return !pmd || pmd->state == PTE_NONE;
}

static void map_new_page(struct sim *s, struct mm *mm, uint64_t va, int huge, int write)
{
	/* a huge mapping split earlier faults in 4 KiB pages (handle_pte_fault) */
	if (huge && mm_ptes_mapped(mm, va & ~(HUGE_SIZE - 1)))
		huge = 0;
	uint64_t base = huge ? va & ~(HUGE_SIZE - 1) : va & ~(PAGE_SIZE - 1);
	struct lock *ptl = mm_ptl(mm, base, huge);
	lock_acquire(ptl);
	struct pte *p = mm_entry(mm, base, huge, 1);
	if (still_none(mm, p, base, huge)) {
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
	if (still_none(mm, p, base, 0)) {
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
			/* do_swap_page: writable only if the swap cache and this
			 * mapping are the page's only users (reuse_swap_page) */
			physmem_get(s->mem, p->pfn);
			const struct frame *f = physmem_frame(s->mem, p->pfn);
			writable = writable && f->refs == 2 && !f->ksm;
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

/* do_wp_page at va (a huge entry at base: do_huge_pmd_wp_page) */
static void write_protect_fault(struct sim *s, struct mm *mm, struct pte *p, uint64_t va, uint64_t base, int cpu)
{
	const struct frame *f = physmem_frame(s->mem, p->pfn);
	if (f->zero_page)
		run_op(s, mm, cpu, OP_ZERO_FAULT, base, 0, 0, 0, 1);
	else if (!f->ksm && f->refs == 1)
		reuse_page(s, mm, p, base, cpu);
	else
		run_op(s, mm, cpu, p->huge ? OP_THP_COW : OP_COW, va & ~(PAGE_SIZE - 1), 0, 0, 0, 1);
}

enum fault_result kernel_handle_fault(struct sim *s, struct mm *mm, uint64_t va, int write, int cpu)
{
	rwlock_read_lock(&mm->mmap_lock);
	sim_sleep(s, s->p.fault_latency);
	enum fault_result result = FAULT_RETRY;
	const struct vma *vma = mm->exited ? NULL : mm_find_vma(mm, va);
	uint64_t base;
	struct pte *p = vma ? mm_lookup(mm, va, &base) : NULL;
	/* migration_entry_wait: sleep until the page has moved */
	if (wait_migration(s, p, va) != 0 || !vma || (write && !vma->writable)) {
		result = FAULT_SEGV;
	} else if (!p && vma->shared) {
		map_shared_page(s, mm, va, vma->writable);
	} else if (!p) {
		map_new_page(s, mm, va, vma->huge, write);
	} else if (p->state == PTE_PRESENT) {
		if (write && !p->writable)
			write_protect_fault(s, mm, p, va, base, cpu);
	} else if (p->state == PTE_SWAP) {
		swap_in(s, mm, p, base, vma->writable);
	} else if (p->state == PTE_PROTNONE && !p->migrating) {
		/* NUMA hinting fault, page left where it is: restore access */
		struct lock *ptl = mm_ptl(mm, base, p->huge);
		lock_acquire(ptl);
		if (p->state == PTE_PROTNONE)
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
	mm_wait_born(t->mm); /* a forked child's threads wait for the fork */
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
