/* checker: the ordering invariants of DESIGN.md section 5.  It sees every
 * device access at the instant it is performed, with the translation the
 * device used and the page-table state at that instant, and records
 * use_after_free, stale_read, lost_write and order_violation.  It also owns
 * the content tokens written by CPUs and devices. */
#ifndef MNSIM_CHECKER_H
#define MNSIM_CHECKER_H
#include "mm.h"
#include "physmem.h"
#include "results.h"
#include "tlb.h"

struct checker;

struct checker *checker_new(struct physmem *mem, struct results *res, size_t n_devices);
void checker_free(struct checker *c);

/* A CPU store to pfn at now: a new token. */
void checker_cpu_write(struct checker *c, uint64_t pfn, double now);

struct device_access {
	int device, thread;
	struct mm *mm;
	uint64_t va;
	const struct translation *tr;
	int write;
	double now;
};
/* Performs the access (reads or writes the token) and checks it. */
void checker_device_access(struct checker *c, const struct device_access *a);

/* A page copy (migration) took old_pfn's content at token snapshot; now the
 * VA maps the copy.  A device write to the old page since is lost. */
void checker_copy_installed(struct checker *c, struct mm *mm, uint64_t va, uint64_t old_pfn, uint64_t new_pfn,
			    uint64_t snapshot, int64_t op_id, double now);

uint64_t checker_count(const struct checker *c, enum violation_type t);
uint64_t checker_total(const struct checker *c);
/* Device accesses that saw the old page of a range being discarded while it
 * was already mapped again (an application's own race: not a violation). */
uint64_t checker_discard_races(const struct checker *c);

#endif
