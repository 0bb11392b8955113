/* mm: see mm.h.  The page table is an open-addressing hash map keyed by the
 * VA page number (bit 63 set for PMD entries).  Entries are allocated one by
 * one and never removed (a cleared entry is PTE_NONE), so a struct pte
 * pointer stays valid while an actor sleeps. */
#include "mm.h"
#include "optable.h"
#include <stdlib.h>
#include <string.h>

struct slot { uint64_t key; struct pte *pte; };
struct pte_map { struct slot *slots; size_t cap, n; };

#define HUGE_KEY (1ULL << 63)

static uint64_t key_of(uint64_t va, int huge) { return (va >> 12) | (huge ? HUGE_KEY : 0); }

static size_t hash(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static struct slot *map_find(struct pte_map *m, uint64_t key)
{
	for (size_t i = hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].pte)
			return NULL;
		if (m->slots[i].key == key)
			return &m->slots[i];
	}
}

static void map_put(struct pte_map *m, uint64_t key, struct pte *pte)
{
	size_t i = hash(key, m->cap);
	while (m->slots[i].pte)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = (struct slot){key, pte};
	m->n++;
}

static void map_grow(struct pte_map *m)
{
	struct slot *old = m->slots;
	size_t old_cap = m->cap;
	m->cap = old_cap ? 2 * old_cap : 256;
	if (!(m->slots = calloc(m->cap, sizeof *m->slots)))
		abort();
	m->n = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].pte)
			map_put(m, old[i].key, old[i].pte);
	free(old);
}

static struct pte *map_insert(struct pte_map *m, uint64_t key)
{
	if (2 * (m->n + 1) > m->cap)
		map_grow(m);
	struct pte *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	p->last_op = -1;
	map_put(m, key, p);
	return p;
}

struct mm *mm_new(int index, const char *name, unsigned pasid, int split_ptl, struct engine *engine)
{
	struct mm *mm = calloc(1, sizeof *mm);
	if (!mm || !(mm->ptes = calloc(1, sizeof *mm->ptes)))
		abort();
	mm->index = index;
	mm->name = name;
	mm->pasid = pasid;
	map_grow(mm->ptes);
	mm->split_ptl = split_ptl;
	mm->engine = engine;
	rwlock_init(&mm->mmap_lock, engine);
	waitq_init(&mm->born, engine);
	return mm;
}

void mm_free(struct mm *mm)
{
	if (!mm)
		return;
	for (size_t i = 0; i < mm->ptes->cap; i++)
		free(mm->ptes->slots[i].pte);
	free(mm->ptes->slots);
	free(mm->ptes);
	free(mm->vmas);
	free(mm->devices);
	for (size_t i = 0; i < mm->n_ptls; i++) {
		lock_destroy(mm->ptls[i].lock);
		free(mm->ptls[i].lock);
	}
	free(mm->ptls);
	rwlock_destroy(&mm->mmap_lock);
	waitq_destroy(&mm->born);
	free(mm);
}

struct lock *mm_ptl(struct mm *mm, uint64_t va, int huge)
{
	uint64_t key = !mm->split_ptl ? 0 : huge ? (va >> 30) | HUGE_KEY : (va >> 21) + 1;
	for (size_t i = 0; i < mm->n_ptls; i++)
		if (mm->ptls[i].key == key)
			return mm->ptls[i].lock;
	struct lock *l = malloc(sizeof *l);
	if (!l || !(mm->ptls = realloc(mm->ptls, (mm->n_ptls + 1) * sizeof *mm->ptls)))
		abort();
	lock_init(l, mm->engine);
	mm->ptls[mm->n_ptls++] = (struct ptl_lock){key, l};
	return l;
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint64_t *mm_collect_entries(struct mm *mm, uint64_t start, uint64_t end, size_t *n)
{
	uint64_t *vas = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < mm->ptes->cap; i++) {
		const struct slot *sl = &mm->ptes->slots[i];
		uint64_t va = (sl->key & ~HUGE_KEY) << 12;
		if (!sl->pte || sl->pte->state == PTE_NONE || va < start || va >= end)
			continue;
		if (*n == cap && !(vas = realloc(vas, (cap = cap ? 2 * cap : 256) * sizeof *vas)))
			abort();
		vas[(*n)++] = va;
	}
	qsort(vas, *n, sizeof *vas, cmp_u64);
	return vas;
}

struct pte *mm_entry(struct mm *mm, uint64_t va, int huge, int create)
{
	uint64_t key = key_of(va, huge);
	struct slot *s = map_find(mm->ptes, key);
	struct pte *p = s ? s->pte : NULL;
	if (!p && create)
		p = map_insert(mm->ptes, key);
	if (p && create)
		p->huge = (uint8_t)huge;
	return p;
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

