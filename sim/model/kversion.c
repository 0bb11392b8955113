/* kversion: see kversion.h. */
#include "kversion.h"
#include "policy.h"
#include <stdio.h>
#include <string.h>

#define FIX KF_THP_MIGRATE_FIX
#define SPLIT KF_THP_COW_SPLIT
#define ENTRIES KF_THP_MIGRATION_ENTRIES

static const struct kversion versions[] = {
	{"4.14", 414, 0, "double's kernel: every *_clear_flush_notify and every range_end calls IR"},
	{"4.15", 415, 0,
	 "0f10851ea475, 4645b9fe84bf: range_only_end at the sites that already call IR under the ptl; "
	 "no IR under the ptl where a migration entry or the same content makes it useless"},
	{"4.20", 420, FIX, "7066f0f933a1: thp_migrate calls IR before the copy if a flush is pending, and has no range_start/end pair"},
	{"5.1", 501, FIX, "the seed's mmu_notifier.h branch (shared/seeds/mmu_notifier_h_history.txt): the sequences of 4.20"},
	{"5.8", 508, FIX | SPLIT, "3917c80280c9 'thp: change CoW semantics for anon-THP': a THP write fault splits the PMD, then a 4 KiB wp_page_copy"},
	{"5.13", 513, FIX | SPLIT | ENTRIES,
	 "c5b5a3dd2c1f 'mm: thp: refactor NUMA fault handling': migrate_misplaced_transhuge_page removed, THP NUMA "
	 "migration through PMD migration entries (set_pmd_migration_entry)"},
	{"6.6", 606, FIX | SPLIT | ENTRIES | KF_SECONDARY_TLBS,
	 "1af5a8109904, ec8832d007cb (Popple's series): IR (arch_invalidate_secondary_tlbs) only from the CPU TLB "
	 "flush, for x86 flush_tlb_mm_range's ranges"},
	{"6.12", 612, FIX | SPLIT | ENTRIES | KF_SECONDARY_TLBS | KF_QI_BATCH,
	 "705c1cdf1e73 'iommu/vt-d: Introduce batched cache invalidation': one VT-d submission per IR and device"},
};

size_t kversion_count(void) { return sizeof versions / sizeof versions[0]; }
const struct kversion *kversion_at(size_t i) { return i < kversion_count() ? &versions[i] : NULL; }

const struct kversion *kversion_by_name(const char *name)
{
	for (size_t i = 0; i < kversion_count(); i++)
		if (strcmp(versions[i].name, name) == 0)
			return &versions[i];
	return NULL;
}

/* The `kernel` parameter's value is the index of its name: 0 is "auto". */
const struct kversion *kversion_of(const struct params *p)
{
	size_t i = (size_t)p->kernel;
	return i >= 1 && i <= kversion_count() ? &versions[i - 1] : NULL;
}

/* thp_migrate_fix and qi_batch: names "0", "1", "auto" */
#define AUTO 2

unsigned kversion_features(const struct params *p)
{
	const struct kversion *v = kversion_of(p);
	unsigned f = v ? v->features : 0;
	if (p->thp_migrate_fix == 0)
		f &= ~(unsigned)FIX;
	else if (p->thp_migrate_fix == 1)
		f |= FIX;
	return f;
}

int kversion_configure(struct params *p, const struct policy *pol, char *err, size_t errlen)
{
	if (p->kernel == 0) {
		const struct kversion *d = kversion_by_name(pol->kernel_default);
		p->kernel = (double)(d - versions) + 1;
	}
	const struct kversion *v = kversion_of(p);
	if (v->code < pol->kernel_min || v->code > pol->kernel_max) {
		char list[128] = "";
		for (size_t i = 0; i < kversion_count(); i++)
			if (versions[i].code >= pol->kernel_min && versions[i].code <= pol->kernel_max)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "", versions[i].name);
		snprintf(err, errlen, "policy %s replays Linux %s; kernel=%s is outside it (choose one of: %s; or kernel=auto)",
			 pol->name, pol->kernel_range, v->name, list);
		return -1;
	}
	if (p->thp_migrate_fix == AUTO) {
		p->thp_migrate_fix = (v->features & FIX) != 0;
	} else if (p->thp_migrate_fix == 0 && (v->features & ENTRIES)) {
		snprintf(err, errlen, "thp_migrate_fix=0 needs a kernel before 5.13: kernel %s has no migrate_misplaced_transhuge_page, "
			 "the function the fix changed", v->name);
		return -1;
	}
	kversion_configure_iommu(p, p); /* the IOMMU-scope defaults the run records in /config */
	return 0;
}

void kversion_configure_iommu(struct params *iommu, const struct params *kernel)
{
	iommu->kernel = kernel->kernel;
	iommu->thp_migrate_fix = kernel->thp_migrate_fix;
	if (iommu->qi_batch == AUTO)
		iommu->qi_batch = (kversion_features(kernel) & KF_QI_BATCH) != 0;
}
