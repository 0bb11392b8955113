/* policy: see policy.h.  Column order of each rule row follows enum ir_site:
 * PTL_CASE_B PTL_RECLAIM PTL_V414 PTL_PROTNONE PRECOPY PRECOPY_FLUSH END_KEPT
 * END_CONVERTED END_UNCHANGED GATHER_FREE GATHER_NOFREE FLUSH_ONLY. */
#include "policy.h"
#include <string.h>

#define ANY_KERNEL 0, 9999

static const struct policy policies[] = {
	{"double", "Linux <= 4.14: every notify site and every range_end",
	 {ALWAYS, ALWAYS, ALWAYS, ALWAYS, ALWAYS, NEVER, ALWAYS, ALWAYS, ALWAYS, ALWAYS, ALWAYS, NEVER}, 0, 0, "4.14", "4.14", 414, 414},
	{"only_end", "Linux 4.15 - 6.5 (0f10851ea475, 4645b9fe84bf): range_only_end at converted sites",
	 {ALWAYS, ALWAYS, NEVER, ALWAYS, ALWAYS, NEVER, ALWAYS, NEVER, NEVER, ALWAYS, ALWAYS, NEVER}, 0, 0, "5.1", "4.15 - 6.5", 415, 605},
	/* x86 arch/x86/mm/tlb.c flush_tlb_mm_range: tlb_single_page_flush_ceiling = 33 */
	{"secondary_tlbs", "Linux >= 6.6 (1af5a8109904): IR from every CPU TLB flush and nowhere else",
	 {NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER}, 1, 33, "6.6", ">= 6.6", 606, 9999},
	{"minimal", "the seed's rule everywhere, nothing twice",
	 {ALWAYS, NEVER, NEVER, NEVER, ALWAYS, ALWAYS, IF_NONE_YET, IF_NONE_YET, NEVER, ALWAYS, NEVER, NEVER}, 0, 0, "5.1", "any", ANY_KERNEL},
	{"unsafe_end", "ablation: everything deferred to range_end (must show violations)",
	 {NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, ALWAYS, ALWAYS, ALWAYS, NEVER, NEVER, NEVER}, 0, 0, "5.1", "any", ANY_KERNEL},
};

static const char *const site_names[SITE_COUNT] = {
	"ptl_case_b", "ptl_reclaim", "ptl_v4.14", "ptl_protnone", "precopy", "precopy_flush", "end_kept", "end_converted",
	"end_unchanged", "gather_free", "gather_nofree", "flush_only"};

size_t policy_count(void) { return sizeof policies / sizeof policies[0]; }
const struct policy *policy_at(size_t i) { return i < policy_count() ? &policies[i] : NULL; }
const char *site_name(enum ir_site s) { return site_names[s]; }

const struct policy *policy_by_name(const char *name)
{
	for (size_t i = 0; i < policy_count(); i++)
		if (strcmp(policies[i].name, name) == 0)
			return &policies[i];
	return NULL;
}

int policy_calls(const struct policy *p, enum ir_site s, int pair_irs, int pair_changed, int op_has_gather_free)
{
	switch (p->rule[s]) {
	case NEVER: return 0;
	case ALWAYS: return 1;
	case IF_NONE_YET: return pair_irs == 0 && pair_changed && !op_has_gather_free;
	}
	return 0;
}

int site_is_range_end(enum ir_site s) { return s == SITE_END_KEPT || s == SITE_END_CONVERTED || s == SITE_END_UNCHANGED; }
int site_is_gather(enum ir_site s) { return s == SITE_GATHER_FREE || s == SITE_GATHER_NOFREE; }
