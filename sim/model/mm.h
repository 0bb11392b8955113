/* mm: one simulated process address space: its PASID, its mappings (VMAs),
 * its page table (VA page -> PTE, 4 KiB entries and 2 MiB PMD entries), its
 * page-table lock and its mmap_lock.  Only state and lookups live here; the
 * kernel operations that change it are in kernel_ops.c. */
#ifndef MNSIM_MM_H
#define MNSIM_MM_H
#include "rwlock.h"
#include "waitq.h"
#include <stddef.h>
#include <stdint.h>

enum pte_state { PTE_NONE, PTE_PRESENT, PTE_MIGRATION, PTE_SWAP, PTE_PROTNONE };

/* 24 bytes: a page table holds one per mapped page. */
struct pte {
	union {
		uint64_t pfn;        /* the frame (a swap entry's while swapcache) */
		uint64_t swap_token; /* PTE_SWAP without swapcache: the content in swap */
	};
	int64_t last_op;   /* id of the op that last changed this entry, -1 none */
	uint8_t state, writable, huge;
	uint8_t migrating; /* a thp_migrate is copying this PMD: faults wait */
	uint8_t swapcache; /* swap entry whose frame is still in the swap cache */
};

struct vma { uint64_t start, end; uint8_t huge, writable, shared; };

struct pte_map;

struct mm {
	int index;
	const char *name;
	unsigned pasid;
	struct vma *vmas;
	size_t n_vmas;
	struct pte_map *ptes;
	int split_ptl;
	struct lock *ptl;      /* the one ptl when locks are not split */
	struct rwlock mmap_lock;
	int tlb_flush_pending; /* inc_tlb_flush_pending: a change_protection has not flushed yet */
	int *devices; /* indices of the devices bound to this PASID */
	size_t n_devices;
	struct engine *engine; /* its locks block through it */
	/* a forked process (trace format 2): no address space until its
	 * parent's fork op makes one; its threads wait on `born` until then */
	int unborn;
	struct waitq born;
	/* exit_mmap ran (trace format 2 `exit`): its threads are gone, and the
	 * driver's release tore its PASID down, so nothing translates any more */
	int exited;
	/* the ranges ops that discard content (optable.h `discards`) are
	 * working on, until each returns */
	struct mm_range { uint64_t start, end; int64_t op; } *discarding;
	size_t n_discarding, cap_discarding;
};

struct mm *mm_new(int index, const char *name, unsigned pasid, int split_ptl, struct engine *engine);
/* The page-table lock that guards the entry for va: with split locks, one
 * per PTE table (2 MiB of VA) for 4 KiB entries and one per PMD table (1 GiB)
 * for huge entries, as Linux's pte_lockptr/pmd_lockptr; else one per mm. */
struct lock *mm_ptl(struct mm *mm, uint64_t va, int huge);
void mm_free(struct mm *mm);
/* A thread of the process (CPU or device) waits until its fork has made it. */
void mm_wait_born(struct mm *mm);
void mm_add_vma(struct mm *mm, uint64_t start, uint64_t end, int huge);
/* The same with its rights: writable or read-only, private or MAP_SHARED. */
void mm_add_vma_prot(struct mm *mm, uint64_t start, uint64_t end, int huge, int writable, int shared);
const struct vma *mm_find_vma(const struct mm *mm, uint64_t va);
/* Removes [start, end) from the mappings (munmap), splitting as needed. */
void mm_remove_vmas(struct mm *mm, uint64_t start, uint64_t end);
/* Makes [start, end) read-only (mprotect PROT_READ), splitting as needed. */
void mm_protect_vmas(struct mm *mm, uint64_t start, uint64_t end);
/* Makes [start, end) writable again (mprotect adding PROT_WRITE). */
void mm_unprotect_vmas(struct mm *mm, uint64_t start, uint64_t end);
/* The VAs of every entry in [start, end) that is not PTE_NONE, in address
 * order (a PMD entry once, at its base); *n gets their number.  The caller
 * frees the array.  (fork and exit walk whole address spaces with it.) */
uint64_t *mm_collect_entries(struct mm *mm, uint64_t start, uint64_t end, size_t *n);

/* The entry that maps va: the PMD entry if a huge one covers it, else the
 * 4 KiB entry; NULL if none.  *base gets the VA the entry starts at. */
struct pte *mm_lookup(struct mm *mm, uint64_t va, uint64_t *base);
/* The entry at exactly va of the given size, created (PTE_NONE) if asked. */
struct pte *mm_entry(struct mm *mm, uint64_t va, int huge, int create);
/* The first entry that maps something (not PTE_NONE) at or after va's page
 * and before end, in VA order: a PMD entry if one covers the 2 MiB, else a
 * 4 KiB entry; NULL if none.  *base gets the VA the entry starts at (a PMD
 * entry's base may lie below va).  Absent tables cost nothing. */
struct pte *mm_next_entry(struct mm *mm, uint64_t va, uint64_t end, uint64_t *base);
/* Op `op` starts / ends discarding [start, end); whether one is discarding va. */
void mm_discard_begin(struct mm *mm, uint64_t start, uint64_t end, int64_t op);
void mm_discard_end(struct mm *mm, int64_t op);
int mm_discarding(const struct mm *mm, uint64_t va);
/* Whether a 4 KiB entry of the 2 MiB at base2m maps something (the PMD
 * points to a page table in use: a THP was split there). */
int mm_ptes_mapped(struct mm *mm, uint64_t base2m);
/* The entry of kind `kind` that names frame pfn, wherever it is (an mremap
 * may have moved it since the op saw it: the kernel finds it by the page's
 * rmap), or NULL; *base gets its VA. */
enum mm_find { FIND_MIGRATION, FIND_SWAPCACHE, FIND_MIGRATING };
struct pte *mm_find_pfn(struct mm *mm, enum mm_find kind, uint64_t pfn, uint64_t *base);
/* The first 4 KiB entry at or after va that maps pfn (present or protnone),
 * or NULL; *base gets its VA.  For a migration's rmap walk. */
struct pte *mm_next_mapping(struct mm *mm, uint64_t pfn, uint64_t va, uint64_t *base);
/* The first 2 MiB region at or after va's and before end whose PMD is not
 * none (a huge entry, or a page table, even with every entry none): 1 with
 * *region its base, 0 if none.  A range walk takes the ptl of each such table
 * before it reads an entry, as zap_pte_range and change_pte_range do. */
int mm_next_table(struct mm *mm, uint64_t va, uint64_t end, uint64_t *region);
/* Makes the entry PTE_NONE, keeping who changed it last. */
void mm_clear_entry(struct pte *p);

#endif
