/* physmem: see physmem.h. */
#include "physmem.h"
#include <stdlib.h>
#include <string.h>

struct free_stack { uint64_t *pfns; size_t n, cap; };

struct physmem {
	struct frame *frames;
	size_t n, cap;
	struct free_stack free_small, free_huge;
	uint64_t next_generation, next_token, in_use;
	uint64_t zero_pfn;
	uint64_t bad_puts, first_bad_pfn; /* puts of a free frame */
	uint32_t *external; /* per frame, made at the first external reference */
	size_t n_external;
};

static void push(struct free_stack *s, uint64_t pfn)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		if (!(s->pfns = realloc(s->pfns, s->cap * sizeof *s->pfns)))
			abort();
	}
	s->pfns[s->n++] = pfn;
}

static uint64_t new_frame(struct physmem *pm)
{
	if (pm->n == pm->cap) {
		pm->cap = pm->cap ? 2 * pm->cap : 1024;
		if (!(pm->frames = realloc(pm->frames, pm->cap * sizeof *pm->frames)))
			abort();
	}
	memset(&pm->frames[pm->n], 0, sizeof pm->frames[0]);
	return pm->n++;
}

struct physmem *physmem_new(void)
{
	struct physmem *pm = calloc(1, sizeof *pm);
	if (!pm)
		abort();
	pm->next_generation = 1;
	pm->next_token = 1;
	pm->zero_pfn = physmem_alloc(pm, 0);
	pm->frames[pm->zero_pfn].zero_page = 1;
	pm->frames[pm->zero_pfn].refs = 1u << 30; /* never freed */
	return pm;
}

void physmem_free_all(struct physmem *pm)
{
	if (!pm)
		return;
	free(pm->frames);
	free(pm->free_small.pfns);
	free(pm->free_huge.pfns);
	free(pm->external);
	free(pm);
}

uint64_t physmem_alloc(struct physmem *pm, int huge)
{
	struct free_stack *s = huge ? &pm->free_huge : &pm->free_small;
	uint64_t pfn = s->n ? s->pfns[--s->n] : new_frame(pm);
	struct frame *f = &pm->frames[pfn];
	memset(f, 0, sizeof *f);
	f->huge = (uint8_t)huge;
	f->refs = 1;
	f->generation = pm->next_generation++;
	f->last_writer = -1;
	pm->in_use++;
	return pfn;
}

void physmem_get(struct physmem *pm, uint64_t pfn) { pm->frames[pfn].refs++; }

void physmem_get_external(struct physmem *pm, uint64_t pfn)
{
	if (pfn >= pm->n_external) {
		size_t n = pm->cap > pfn ? pm->cap : pfn + 1;
		if (!(pm->external = realloc(pm->external, n * sizeof *pm->external)))
			abort();
		memset(pm->external + pm->n_external, 0, (n - pm->n_external) * sizeof *pm->external);
		pm->n_external = n;
	}
	pm->external[pfn]++;
	physmem_get(pm, pfn);
}

uint32_t physmem_external(const struct physmem *pm, uint64_t pfn) { return pfn < pm->n_external ? pm->external[pfn] : 0; }

void physmem_move_external(struct physmem *pm, uint64_t from, uint64_t to)
{
	uint32_t n = physmem_external(pm, from);
	if (n == 0)
		return;
	/* the migration holds `from` too, so this never frees it; a count that
	 * says otherwise is a model bug, counted as a bad put */
	if (pm->frames[from].refs <= n) {
		if (!pm->bad_puts++)
			pm->first_bad_pfn = from;
		return;
	}
	pm->external[from] = 0;
	pm->frames[from].refs -= n;
	while (n--)
		physmem_get_external(pm, to);
}

int physmem_put(struct physmem *pm, uint64_t pfn)
{
	struct frame *f = &pm->frames[pfn];
	if (f->free || f->refs == 0) {
		if (!pm->bad_puts++)
			pm->first_bad_pfn = pfn;
		return 0;
	}
	if (--f->refs)
		return 0;
	f->free = 1;
	f->ksm = 0;
	pm->in_use--;
	push(f->huge ? &pm->free_huge : &pm->free_small, pfn);
	return 1;
}

struct frame *physmem_frame(struct physmem *pm, uint64_t pfn) { return &pm->frames[pfn]; }
uint64_t physmem_zero_pfn(const struct physmem *pm) { return pm->zero_pfn; }
uint64_t physmem_new_token(struct physmem *pm) { return pm->next_token++; }
uint64_t physmem_frames_in_use(const struct physmem *pm) { return pm->in_use; }

uint64_t physmem_bad_puts(const struct physmem *pm, uint64_t *first_pfn)
{
	*first_pfn = pm->first_bad_pfn;
	return pm->bad_puts;
}
uint64_t physmem_n_frames(const struct physmem *pm) { return pm->n; }
