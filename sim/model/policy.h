/* policy: the notification policies of DESIGN.md section 3 as one table.
 * Kernel op programs (kernel_ops.c) mark the places where Linux could call
 * invalidate_range (IR) with a site class; a policy is one row saying, for
 * each site class, whether IR is called there, which kernel versions it
 * replays (kversion.h), and, for secondary_tlbs, the architecture's rule
 * that turns a CPU TLB flush into the IR's range.  A new policy is one row. */
#ifndef MNSIM_POLICY_H
#define MNSIM_POLICY_H
#include <stddef.h>

enum ir_site {
	SITE_PTL_CASE_B,     /* (1) under ptl, needed for case B (new page) */
	SITE_PTL_RECLAIM,    /* (1) under ptl in reclaim: case A by the rule, kept conservatively */
	SITE_PTL_V414,       /* (1) that only v4.14 made ("v4.14:" in DESIGN.md 2) */
	SITE_PTL_PROTNONE,   /* (1) over a protnone entry no TLB can hold (thp_migrate's install before the fix) */
	SITE_PRECOPY,        /* explicit IR before the copy in thp_migrate (v4.20 fix) */
	SITE_PRECOPY_FLUSH,  /* the flush before that copy, which no kernel before the fix notified */
	SITE_END_KEPT,       /* (2) range_end that only_end kept */
	SITE_END_CONVERTED,  /* (2) range_end turned into range_only_end */
	SITE_END_UNCHANGED,  /* (2) range_end where no page changed (thp_split) */
	SITE_GATHER_FREE,    /* (3) mmu_gather flush before pages are freed */
	SITE_GATHER_NOFREE,  /* (3) mmu_gather flush that frees nothing (madv_free) */
	SITE_FLUSH_ONLY,     /* a CPU TLB flush with no notifier call before v6.6 */
	SITE_COUNT
};

enum site_rule {
	NEVER,
	ALWAYS,
	IF_NONE_YET,   /* only if this range_start/end pair changed an entry, made no IR, and the op makes no (3) */
};

struct policy {
	const char *name;
	const char *models;
	enum site_rule rule[SITE_COUNT];
	/* Linux >= 6.6 arch_invalidate_secondary_tlbs: IR from every CPU TLB
	 * flush, nowhere else, for the range the flush covers */
	int ir_at_every_cpu_flush;
	/* x86 flush_tlb_mm_range (v6.6): a flush of more strides than this is
	 * a flush of everything, IR(0, -1) (tlb_single_page_flush_ceiling) */
	unsigned flush_ceiling;
	/* the kernels it replays: the default and the range (major*100+minor) */
	const char *kernel_default, *kernel_range;
	int kernel_min, kernel_max;
};

const struct policy *policy_by_name(const char *name);
size_t policy_count(void);
const struct policy *policy_at(size_t i);
const char *site_name(enum ir_site s);
/* Whether IR is called at site s; pair_irs = IRs already made in this
 * range_start/end pair, pair_changed = whether it changed an entry a TLB
 * may hold; op_has_gather_free = the op makes (3) before frees. */
int policy_calls(const struct policy *p, enum ir_site s, int pair_irs, int pair_changed, int op_has_gather_free);
/* Whether s is a range_end site (for the record's 'where'). */
int site_is_range_end(enum ir_site s);
int site_is_gather(enum ir_site s);

#endif
