/* mm: see mm.h.  The page table is a radix tree shaped like x86-64's
 * four levels (PGD -> PUD -> PMD table -> PTE table, 512 slots each, 48-bit
 * VA): upper nodes are allocated on first use, so an untouched range costs
 * nothing and a walk over it skips whole absent subtrees.  A PMD table holds
 * its 512 huge (2 MiB) entries inline and points at up to 512 PTE tables of
 * 512 4 KiB entries.  Tables are never freed before the mm, so a struct pte
 * pointer stays valid while an actor sleeps.  The page-table locks live with
 * the table they guard (Linux's split ptlocks), found in O(1). */
#include "mm.h"
#include "optable.h"
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define IDX(va, shift) ((size_t)(((va) >> (shift)) & (SLOTS - 1)))

struct pte_table { struct pte e[SLOTS]; };
struct pmd_table {
	struct pte huge[SLOTS];            /* the 2 MiB entries */
	struct pte_table *pte[SLOTS];
	struct lock *pte_ptl[SLOTS];       /* per PTE table (split ptlocks) */
	struct lock *pmd_ptl;              /* for the huge entries of this 1 GiB */
};
struct pud_table { struct pmd_table *pmd[SLOTS]; };
struct pte_map { struct pud_table *pud[SLOTS]; };

static void *zalloc(size_t n)
{
	void *p = calloc(1, n);
	if (!p)
		abort();
	return p;
}

static void init_entries(struct pte *e, size_t n, int huge)
{
	for (size_t i = 0; i < n; i++) {
		e[i].last_op = -1;
		e[i].huge = (uint8_t)huge;
	}
}

/* The PMD table covering va, created if asked (else NULL when absent). */
static struct pmd_table *pmd_table(struct mm *mm, uint64_t va, int create)
{
	struct pud_table **pud = &mm->ptes->pud[IDX(va, 39)];
	if (!*pud) {
		if (!create)
			return NULL;
		*pud = zalloc(sizeof **pud);
	}
	struct pmd_table **pmd = &(*pud)->pmd[IDX(va, 30)];
	if (!*pmd) {
		if (!create)
			return NULL;
		*pmd = zalloc(sizeof **pmd);
		init_entries((*pmd)->huge, SLOTS, 1);
	}
	return *pmd;
}

static struct lock *new_lock(struct mm *mm)
{
	struct lock *l = zalloc(sizeof *l);
	lock_init(l, mm->engine, "a page-table lock (ptl)");
	return l;
}

struct mm *mm_new(int index, const char *name, unsigned pasid, int split_ptl, struct engine *engine)
{
	struct mm *mm = calloc(1, sizeof *mm);
	if (!mm || !(mm->ptes = calloc(1, sizeof *mm->ptes)))
		abort();
	mm->index = index;
	mm->name = name;
	mm->pasid = pasid;
	mm->split_ptl = split_ptl;
	mm->engine = engine;
	rwlock_init(&mm->mmap_lock, engine, "the mmap_lock for reading", "the mmap_lock for writing");
	waitq_init(&mm->born, engine, "its process to be forked");
	return mm;
}

static void free_lock(struct lock *l)
{
	if (l) {
		lock_destroy(l);
		free(l);
	}
}

void mm_free(struct mm *mm)
{
	if (!mm)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		struct pud_table *pud = mm->ptes->pud[i];
		for (size_t j = 0; pud && j < SLOTS; j++) {
			struct pmd_table *pmd = pud->pmd[j];
			for (size_t k = 0; pmd && k < SLOTS; k++) {
				free(pmd->pte[k]);
				free_lock(pmd->pte_ptl[k]);
			}
			if (pmd)
				free_lock(pmd->pmd_ptl);
			free(pmd);
		}
		free(pud);
	}
	free(mm->ptes);
	free(mm->vmas);
	free(mm->devices);
	free(mm->discarding);
	free_lock(mm->ptl);
	rwlock_destroy(&mm->mmap_lock);
	waitq_destroy(&mm->born);
	free(mm);
}

struct lock *mm_ptl(struct mm *mm, uint64_t va, int huge)
{
	if (!mm->split_ptl)
		return mm->ptl ? mm->ptl : (mm->ptl = new_lock(mm));
	struct pmd_table *t = pmd_table(mm, va, 1);
	struct lock **l = huge ? &t->pmd_ptl : &t->pte_ptl[IDX(va, 21)];
	return *l ? *l : (*l = new_lock(mm));
}

void mm_add_vma_prot(struct mm *mm, uint64_t start, uint64_t end, int huge, int writable, int shared)
{
	if (!(mm->vmas = realloc(mm->vmas, (mm->n_vmas + 1) * sizeof *mm->vmas)))
		abort();
	mm->vmas[mm->n_vmas++] = (struct vma){start, end, (uint8_t)huge, (uint8_t)writable, (uint8_t)shared};
}

void mm_add_vma(struct mm *mm, uint64_t start, uint64_t end, int huge) { mm_add_vma_prot(mm, start, end, huge, 1, 0); }

const struct vma *mm_find_vma(const struct mm *mm, uint64_t va)
{
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (va >= mm->vmas[i].start && va < mm->vmas[i].end)
			return &mm->vmas[i];
	return NULL;
}

/* Splits VMAs at start and end so that [start, end) is made of whole VMAs. */
static void split_at(struct mm *mm, uint64_t addr)
{
	for (size_t i = 0; i < mm->n_vmas; i++) {
		struct vma v = mm->vmas[i];
		if (addr > v.start && addr < v.end) {
			mm->vmas[i].end = addr;
			mm_add_vma_prot(mm, addr, v.end, v.huge, v.writable, v.shared);
			return;
		}
	}
}

void mm_remove_vmas(struct mm *mm, uint64_t start, uint64_t end)
{
	split_at(mm, start);
	split_at(mm, end);
	size_t k = 0;
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (!(mm->vmas[i].start >= start && mm->vmas[i].end <= end))
			mm->vmas[k++] = mm->vmas[i];
	mm->n_vmas = k;
}

static void set_writable(struct mm *mm, uint64_t start, uint64_t end, int writable)
{
	split_at(mm, start);
	split_at(mm, end);
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (mm->vmas[i].start >= start && mm->vmas[i].end <= end)
			mm->vmas[i].writable = (uint8_t)writable;
}

void mm_protect_vmas(struct mm *mm, uint64_t start, uint64_t end) { set_writable(mm, start, end, 0); }
void mm_unprotect_vmas(struct mm *mm, uint64_t start, uint64_t end) { set_writable(mm, start, end, 1); }

static void push_va(uint64_t **vas, size_t *n, size_t *cap, uint64_t va)
{
	if (*n == *cap && !(*vas = realloc(*vas, (*cap = *cap ? 2 * *cap : 256) * sizeof **vas)))
		abort();
	(*vas)[(*n)++] = va;
}

/* In VA order: a huge entry's VA before the 4 KiB entries of its 2 MiB. */
uint64_t *mm_collect_entries(struct mm *mm, uint64_t start, uint64_t end, size_t *n)
{
	uint64_t *vas = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < SLOTS; i++) {
		const struct pud_table *pud = mm->ptes->pud[i];
		for (size_t j = 0; pud && j < SLOTS; j++) {
			const struct pmd_table *t = pud->pmd[j];
			for (size_t k = 0; t && k < SLOTS; k++) {
				uint64_t hva = ((uint64_t)i << 39) | ((uint64_t)j << 30) | ((uint64_t)k << 21);
				if (hva >= end || hva + HUGE_SIZE <= start)
					continue;
				if (t->huge[k].state != PTE_NONE && hva >= start)
					push_va(&vas, n, &cap, hva);
				for (size_t e = 0; t->pte[k] && e < SLOTS; e++) {
					uint64_t va = hva + e * PAGE_SIZE;
					if (t->pte[k]->e[e].state != PTE_NONE && va >= start && va < end)
						push_va(&vas, n, &cap, va);
				}
			}
		}
	}
	return vas;
}

struct pte *mm_entry(struct mm *mm, uint64_t va, int huge, int create)
{
	struct pmd_table *t = pmd_table(mm, va, create);
	if (!t)
		return NULL;
	if (huge)
		return &t->huge[IDX(va, 21)];
	struct pte_table **pt = &t->pte[IDX(va, 21)];
	if (!*pt) {
		if (!create)
			return NULL;
		*pt = zalloc(sizeof **pt);
		init_entries((*pt)->e, SLOTS, 0);
	}
	return &(*pt)->e[IDX(va, 12)];
}

/* The PMD table covering va, moving va past absent upper tables; NULL once
 * va reaches end (or the top of the address space). */
static struct pmd_table *next_pmd_table(struct mm *mm, uint64_t *va, uint64_t end)
{
	while (*va < end && *va < (1ULL << 48)) {
		struct pud_table *pud = mm->ptes->pud[IDX(*va, 39)];
		if (!pud) {
			*va = (*va | ((1ULL << 39) - 1)) + 1;
			continue;
		}
		struct pmd_table *t = pud->pmd[IDX(*va, 30)];
		if (t)
			return t;
		*va = (*va | ((1ULL << 30) - 1)) + 1;
	}
	return NULL;
}

struct pte *mm_next_entry(struct mm *mm, uint64_t va, uint64_t end, uint64_t *base)
{
	va &= ~(PAGE_SIZE - 1);
	for (struct pmd_table *t; (t = next_pmd_table(mm, &va, end)) != NULL;) {
		uint64_t hva = va & ~(HUGE_SIZE - 1);
		struct pte *h = &t->huge[IDX(va, 21)];
		if (h->state != PTE_NONE) {
			*base = hva;
			return h;
		}
		struct pte_table *pt = t->pte[IDX(va, 21)];
		for (size_t i = IDX(va, 12); pt && i < SLOTS && hva + i * PAGE_SIZE < end; i++)
			if (pt->e[i].state != PTE_NONE) {
				*base = hva + i * PAGE_SIZE;
				return &pt->e[i];
			}
		va = hva + HUGE_SIZE;
	}
	return NULL;
}

struct pte *mm_lookup(struct mm *mm, uint64_t va, uint64_t *base)
{
	uint64_t hva = va & ~(HUGE_SIZE - 1), pva = va & ~(PAGE_SIZE - 1);
	struct pte *p = mm_entry(mm, hva, 1, 0);
	if (p && p->state != PTE_NONE) {
		*base = hva;
		return p;
	}
	p = mm_entry(mm, pva, 0, 0);
	*base = pva;
	return p && p->state != PTE_NONE ? p : NULL;
}

void mm_clear_entry(struct pte *p)
{
	int64_t last_op = p->last_op;
	uint8_t huge = p->huge;
	memset(p, 0, sizeof *p);
	p->huge = huge;
	p->last_op = last_op;
}


void mm_discard_begin(struct mm *mm, uint64_t start, uint64_t end, int64_t op)
{
	if (mm->n_discarding == mm->cap_discarding) {
		mm->cap_discarding = mm->cap_discarding ? 2 * mm->cap_discarding : 4;
		if (!(mm->discarding = realloc(mm->discarding, mm->cap_discarding * sizeof *mm->discarding)))
			abort();
	}
	mm->discarding[mm->n_discarding++] = (struct mm_range){start, end, op};
}

void mm_discard_end(struct mm *mm, int64_t op)
{
	for (size_t i = 0; i < mm->n_discarding; i++)
		if (mm->discarding[i].op == op) {
			mm->discarding[i] = mm->discarding[--mm->n_discarding];
			return;
		}
}

int mm_discarding(const struct mm *mm, uint64_t va)
{
	for (size_t i = 0; i < mm->n_discarding; i++)
		if (mm->discarding[i].start <= va && va < mm->discarding[i].end)
			return 1;
	return 0;
}

int mm_ptes_mapped(struct mm *mm, uint64_t base2m)
{
	for (uint64_t va = base2m; va < base2m + HUGE_SIZE; va += PAGE_SIZE) {
		const struct pte *p = mm_entry(mm, va, 0, 0);
		if (!p)
			return 0; /* no page table */
		if (p->state != PTE_NONE)
			return 1;
	}
	return 0;
}

struct pte *mm_find_pfn(struct mm *mm, enum mm_find kind, uint64_t pfn, uint64_t *base)
{
	for (struct pte *p = mm_next_entry(mm, 0, UINT64_MAX, base); p;
	     p = mm_next_entry(mm, *base + (p->huge ? HUGE_SIZE : PAGE_SIZE), UINT64_MAX, base)) {
		int is = kind == FIND_MIGRATION ? p->state == PTE_MIGRATION
			 : kind == FIND_SWAPCACHE ? p->state == PTE_SWAP && p->swapcache
						  : p->migrating;
		if (is && p->pfn == pfn)
			return p;
	}
	return NULL;
}

void mm_wait_born(struct mm *mm)
{
	while (mm->unborn)
		waitq_wait(&mm->born);
}

struct pte *mm_next_mapping(struct mm *mm, uint64_t pfn, uint64_t va, uint64_t *base)
{
	for (struct pte *p = mm_next_entry(mm, va, UINT64_MAX, base); p;
	     p = mm_next_entry(mm, *base + (p->huge ? HUGE_SIZE : PAGE_SIZE), UINT64_MAX, base))
		if (!p->huge && (p->state == PTE_PRESENT || p->state == PTE_PROTNONE) && p->pfn == pfn)
			return p;
	return NULL;
}

int mm_next_table(struct mm *mm, uint64_t va, uint64_t end, uint64_t *region)
{
	va &= ~(PAGE_SIZE - 1);
	for (struct pmd_table *t; (t = next_pmd_table(mm, &va, end)) != NULL;) {
		uint64_t hva = va & ~(HUGE_SIZE - 1);
		if (t->huge[IDX(va, 21)].state != PTE_NONE || t->pte[IDX(va, 21)]) {
			*region = hva;
			return 1;
		}
		va = hva + HUGE_SIZE;
	}
	return 0;
}
