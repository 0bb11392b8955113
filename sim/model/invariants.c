/* invariants: see invariants.h. */
#include "invariants.h"
#include "mm.h"
#include "physmem.h"
#include "sim.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Whether entry p holds a reference on the frame it names (the zero page
 * is never counted). */
static int holds_frame(const struct sim *s, const struct pte *p)
{
	return (p->state == PTE_PRESENT || p->state == PTE_PROTNONE) && p->pfn != physmem_zero_pfn(s->mem);
}

/* Fails the run: the rule broken (a printf format and its values), where. */
static void broken(struct sim *s, const char *what, const struct mm *mm, uint64_t va, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void broken(struct sim *s, const char *what, const struct mm *mm, uint64_t va, const char *fmt, ...)
{
	char rule[256], why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rule, sizeof rule, fmt, ap);
	va_end(ap);
	snprintf(why, sizeof why, "model invariant broken at simulated time %.9f s, %s, page %#llx of process %s: %s", sim_now(s),
		 what, (unsigned long long)va, mm->name, rule);
	sim_fail(s, why);
}

/* A page freed twice (or a reference dropped below zero) is always a failed
 * run, check_invariants or not: the first one found, named by where. */
static void check_puts(struct sim *s, const char *where)
{
	uint64_t pfn, n = physmem_bad_puts(s->mem, &pfn);
	if (!n || s->failed)
		return;
	char why[512];
	snprintf(why, sizeof why,
		 "model invariant broken at simulated time %.9f s, %s: frame %llu was freed twice (a reference dropped "
		 "below zero; %llu such puts)",
		 sim_now(s), where, (unsigned long long)pfn, (unsigned long long)n);
	sim_fail(s, why);
}

void invariants_after_op(struct sim *s, struct mm *mm, int64_t op_id, const char *op, uint64_t start, uint64_t end)
{
	char what[96];
	snprintf(what, sizeof what, "after op %lld (%s)", (long long)op_id, op);
	check_puts(s, what);
	if (!s->p.check_invariants || s->failed)
		return;
	uint64_t base;
	for (struct pte *p = mm_next_entry(mm, start, end, &base); p;
	     p = mm_next_entry(mm, base + (p->huge ? HUGE_SIZE : PAGE_SIZE), end, &base)) {
		int named = holds_frame(s, p) || (p->state == PTE_SWAP && p->swapcache);
		if (!named)
			continue;
		const struct frame *f = physmem_frame(s->mem, p->pfn);
		if (f->free || f->refs == 0) {
			broken(s, what, mm, base, "%s frame %llu, which is free (entry last changed by op %lld)",
			       p->state == PTE_SWAP ? "its swap-cache entry names" : "its entry names", (unsigned long long)p->pfn,
			       (long long)p->last_op);
			return;
		}
	}
}

/* One entry that names a frame, to say where it is. */
struct namer { const struct mm *mm; uint64_t va; int64_t last_op; };

void invariants_at_end(struct sim *s)
{
	check_puts(s, "at the end of the run (a fault or deferred work freed it)");
	if (!s->p.check_invariants || s->failed)
		return;
	if (s->ops_started != s->kernel_ops) {
		char why[256];
		snprintf(why, sizeof why, "model invariant broken at the end of the run: %llu kernel ops started, %llu ended",
			 (unsigned long long)s->ops_started, (unsigned long long)s->kernel_ops);
		sim_fail(s, why);
		return;
	}
	uint64_t n = physmem_n_frames(s->mem);
	uint32_t *count = calloc(n ? n : 1, sizeof *count);
	struct namer *who = calloc(n ? n : 1, sizeof *who);
	if (!count || !who)
		abort();
	const char *what = "at the end of the run";
	for (size_t i = 0; i < s->n_mms && !s->failed; i++) {
		struct mm *mm = s->mms[i];
		if (mm->tlb_flush_pending != 0) {
			char why[256];
			snprintf(why, sizeof why, "model invariant broken at the end of the run: process %s has tlb_flush_pending %d, "
				 "not 0 (a change_protection never flushed)", mm->name, mm->tlb_flush_pending);
			sim_fail(s, why);
		}
		uint64_t base;
		for (struct pte *p = mm_next_entry(mm, 0, UINT64_MAX, &base); p && !s->failed;
		     p = mm_next_entry(mm, base + (p->huge ? HUGE_SIZE : PAGE_SIZE), UINT64_MAX, &base)) {
			if (p->state == PTE_MIGRATION)
				broken(s, what, mm, base, "a migration entry (frame %llu) with no migration in flight (last changed by op %lld)",
				       (unsigned long long)p->pfn, (long long)p->last_op);
			else if (p->migrating)
				broken(s, what, mm, base, "still marked as being migrated (frame %llu, last changed by op %lld)",
				       (unsigned long long)p->pfn, (long long)p->last_op);
			else if (p->state == PTE_SWAP && p->swapcache)
				broken(s, what, mm, base,
				       "a swap entry still in the swap cache (frame %llu, last changed by op %lld) after the swap cache let go",
				       (unsigned long long)p->pfn, (long long)p->last_op);
			else if (holds_frame(s, p)) {
				if (p->pfn >= n)
					broken(s, what, mm, base, "its entry names frame %llu, which was never allocated (%llu frames)",
					       (unsigned long long)p->pfn, (unsigned long long)n);
				else if (!count[p->pfn]++)
					who[p->pfn] = (struct namer){mm, base, p->last_op};
			}
		}
	}
	for (uint64_t pfn = 0; pfn < n && !s->failed; pfn++) {
		const struct frame *f = physmem_frame(s->mem, pfn);
		if (pfn == physmem_zero_pfn(s->mem) || (f->free && !count[pfn]))
			continue;
		if (f->free) {
			broken(s, what, who[pfn].mm, who[pfn].va, "its entry names frame %llu, which is free (entry last changed by op %lld)",
			       (unsigned long long)pfn, (long long)who[pfn].last_op);
		} else if (f->refs != count[pfn] + physmem_external(s->mem, pfn)) {
			char why[512];
			if (count[pfn])
				snprintf(why, sizeof why,
					 "model invariant broken at the end of the run: frame %llu has %u references but %u entries name "
					 "it and %u holders outside the trace (one is page %#llx of process %s, last changed by op %lld)",
					 (unsigned long long)pfn, (unsigned)f->refs, (unsigned)count[pfn],
					 (unsigned)physmem_external(s->mem, pfn), (unsigned long long)who[pfn].va,
					 who[pfn].mm->name, (long long)who[pfn].last_op);
			else
				snprintf(why, sizeof why,
					 "model invariant broken at the end of the run: frame %llu has %u references and no entry names it "
					 "and %u holders outside the trace hold it (a leaked page)",
					 (unsigned long long)pfn, (unsigned)f->refs, (unsigned)physmem_external(s->mem, pfn));
			sim_fail(s, why);
		}
	}
	free(count);
	free(who);
}
