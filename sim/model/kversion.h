/* kversion: the kernel versions whose code mnsim replays (the `kernel`
 * parameter), one row per version with what changed in it, and the set-up
 * that turns `kernel=auto`, `thp_migrate_fix=auto` and `qi_batch=auto` into
 * the values of the policy's kernel (each policy has a default version and a
 * range it refuses to leave; policy.h).  The op programs (kernel_ops.c) are
 * chosen by these features, never by comparing version numbers. */
#ifndef MNSIM_KVERSION_H
#define MNSIM_KVERSION_H
#include "params.h"
#include <stddef.h>

struct policy;

/* What a version's code does differently (a bit set). */
enum kfeature {
	KF_THP_MIGRATE_FIX = 1 << 0,       /* v4.20 7066f0f933a1: thp_migrate IR before the copy, no pair */
	KF_THP_COW_SPLIT = 1 << 1,         /* v5.8 3917c80280c9: a THP write fault splits, then a 4 KiB COW */
	KF_THP_MIGRATION_ENTRIES = 1 << 2, /* v5.13: migrate_misplaced_transhuge_page gone, PMD migration entries */
	KF_SECONDARY_TLBS = 1 << 3,        /* v6.6: IR from the arch TLB flush (arch_invalidate_secondary_tlbs) */
	KF_QI_BATCH = 1 << 4,              /* v6.12 705c1cdf1e73: VT-d batched cache invalidation */
};

struct kversion {
	const char *name; /* as the `kernel` parameter names it */
	int code;         /* major * 100 + minor, for the policies' ranges */
	unsigned features;
	const char *changes; /* what this version changed, with the commits */
};

/* The rows, in the order of the `kernel` parameter's names after "auto". */
size_t kversion_count(void);
const struct kversion *kversion_at(size_t i);
const struct kversion *kversion_by_name(const char *name);
/* The version a configured run replays (params->kernel resolved). */
const struct kversion *kversion_of(const struct params *p);
/* Its features, with thp_migrate_fix applied (a what-if may turn the v4.20
 * fix on or off on its own). */
unsigned kversion_features(const struct params *p);
/* Resolves kernel, thp_migrate_fix (kernel scope) for policy pol; refuses a
 * version outside the policy's range and a switch its kernel cannot have.
 * Returns 0, or -1 with err. */
int kversion_configure(struct params *p, const struct policy *pol, char *err, size_t errlen);
/* Resolves an IOMMU's qi_batch=auto from the run's (resolved) kernel. */
void kversion_configure_iommu(struct params *iommu, const struct params *kernel);

#endif
