/* tlb: see tlb.h. */
#include "tlb.h"
#include "optable.h"
#include <stdlib.h>

struct entry { struct translation tr; unsigned pasid; uint64_t last_use; uint8_t valid; };

struct pasid_stats { unsigned pasid; struct tlb_stats st; };

struct tlb {
	size_t sets, ways;
	struct entry *e;
	uint64_t clock;
	struct tlb_stats st;
	struct pasid_stats *per_pasid;
	size_t n_pasids;
	/* an open-addressing index of per_pasid by PASID (index + 1; 0: empty),
	 * of n_slots a power of two over twice n_pasids: hosts bind thousands */
	size_t *slot, n_slots;
};

static size_t *slot_of(const struct tlb *t, unsigned pasid)
{
	size_t i = (pasid * 2654435761u) & (t->n_slots - 1);
	while (t->slot[i] && t->per_pasid[t->slot[i] - 1].pasid != pasid)
		i = (i + 1) & (t->n_slots - 1);
	return &t->slot[i];
}

static void index_grow(struct tlb *t)
{
	size_t n = t->n_slots ? 2 * t->n_slots : 16;
	free(t->slot);
	if (!(t->slot = calloc(n, sizeof *t->slot)))
		abort();
	t->n_slots = n;
	for (size_t k = 0; k < t->n_pasids; k++)
		*slot_of(t, t->per_pasid[k].pasid) = k + 1;
}

/* The statistics of pasid, kept in order of first use. */
static struct tlb_stats *pasid_st(struct tlb *t, unsigned pasid)
{
	size_t k = *slot_of(t, pasid);
	if (k)
		return &t->per_pasid[k - 1].st;
	if (!(t->per_pasid = realloc(t->per_pasid, (t->n_pasids + 1) * sizeof *t->per_pasid)))
		abort();
	t->per_pasid[t->n_pasids] = (struct pasid_stats){.pasid = pasid};
	t->n_pasids++;
	if (2 * t->n_pasids > t->n_slots)
		index_grow(t);
	else
		*slot_of(t, pasid) = t->n_pasids;
	return &t->per_pasid[t->n_pasids - 1].st;
}

struct tlb *tlb_new(size_t sets, size_t ways)
{
	struct tlb *t = calloc(1, sizeof *t);
	if (!t || !(t->e = calloc(sets * ways, sizeof *t->e)))
		abort();
	t->sets = sets;
	t->ways = ways;
	index_grow(t);
	return t;
}

void tlb_free(struct tlb *t)
{
	if (t) {
		free(t->e);
		free(t->per_pasid);
		free(t->slot);
	}
	free(t);
}

static struct entry *set_of(struct tlb *t, unsigned pasid, uint64_t vbase, int huge)
{
	uint64_t page = huge ? vbase / HUGE_SIZE : vbase / PAGE_SIZE;
	return &t->e[((page ^ pasid) % t->sets) * t->ways];
}

static struct entry *find(struct tlb *t, unsigned pasid, uint64_t vbase, int huge)
{
	struct entry *s = set_of(t, pasid, vbase, huge);
	for (size_t w = 0; w < t->ways; w++)
		if (s[w].valid && s[w].pasid == pasid && s[w].tr.huge == huge && s[w].tr.vbase == vbase)
			return &s[w];
	return NULL;
}

int tlb_lookup(struct tlb *t, unsigned pasid, uint64_t va, struct translation *out)
{
	struct entry *e = find(t, pasid, va & ~(HUGE_SIZE - 1), 1);
	if (!e)
		e = find(t, pasid, va & ~(PAGE_SIZE - 1), 0);
	if (!e) {
		t->st.misses++;
		pasid_st(t, pasid)->misses++;
		return 0;
	}
	e->last_use = ++t->clock;
	*out = e->tr;
	t->st.hits++;
	pasid_st(t, pasid)->hits++;
	return 1;
}

void tlb_insert(struct tlb *t, unsigned pasid, const struct translation *tr)
{
	struct entry *e = find(t, pasid, tr->vbase, tr->huge);
	if (!e) {
		struct entry *s = set_of(t, pasid, tr->vbase, tr->huge);
		e = &s[0];
		for (size_t w = 0; w < t->ways && e->valid; w++)
			if (!s[w].valid || s[w].last_use < e->last_use)
				e = &s[w];
		if (e->valid) {
			t->st.evictions++;
			pasid_st(t, e->pasid)->evictions++;
		}
	}
	e->valid = 1;
	e->pasid = pasid;
	e->tr = *tr;
	e->last_use = ++t->clock;
	t->st.fills++;
	pasid_st(t, pasid)->fills++;
}

size_t tlb_invalidate_range(struct tlb *t, unsigned pasid, uint64_t start, uint64_t end)
{
	size_t n = 0;
	for (size_t i = 0; i < t->sets * t->ways; i++) {
		struct entry *e = &t->e[i];
		uint64_t size = e->tr.huge ? HUGE_SIZE : PAGE_SIZE;
		if (e->valid && e->pasid == pasid && e->tr.vbase < end && start < e->tr.vbase + size) {
			e->valid = 0;
			n++;
		}
	}
	t->st.invalidated += n;
	if (n)
		pasid_st(t, pasid)->invalidated += n;
	return n;
}

size_t tlb_invalidate_pasid(struct tlb *t, unsigned pasid)
{
	return tlb_invalidate_range(t, pasid, 0, UINT64_MAX);
}

const struct tlb_stats *tlb_stats(const struct tlb *t) { return &t->st; }

int tlb_pasid_stats(const struct tlb *t, size_t i, unsigned *pasid, struct tlb_stats *out)
{
	if (i >= t->n_pasids)
		return 0;
	*pasid = t->per_pasid[i].pasid;
	*out = t->per_pasid[i].st;
	return 1;
}
