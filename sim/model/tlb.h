/* tlb: a set-associative, LRU translation cache tagged by (PASID, VA page),
 * holding 4 KiB and 2 MiB entries.  Used for the IOMMU's IOTLB and for each
 * device's ATC.  Each entry remembers the allocation generation of the page
 * it translates to, which is how the checker sees a use-after-free. */
#ifndef MNSIM_TLB_H
#define MNSIM_TLB_H
#include <stddef.h>
#include <stdint.h>

struct translation {
	uint64_t vbase;      /* VA the translated page starts at */
	uint64_t pfn, generation;
	uint8_t writable, huge;
};

struct tlb_stats { uint64_t hits, misses, fills, evictions, invalidated; };

struct tlb;

struct tlb *tlb_new(size_t sets, size_t ways);
void tlb_free(struct tlb *t);
/* 1 and *out on a hit (LRU updated), 0 on a miss. */
int tlb_lookup(struct tlb *t, unsigned pasid, uint64_t va, struct translation *out);
void tlb_insert(struct tlb *t, unsigned pasid, const struct translation *tr);
/* Drops every entry of pasid overlapping [start, end); returns how many. */
size_t tlb_invalidate_range(struct tlb *t, unsigned pasid, uint64_t start, uint64_t end);
size_t tlb_invalidate_pasid(struct tlb *t, unsigned pasid);
const struct tlb_stats *tlb_stats(const struct tlb *t);
/* Per-PASID statistics: the i-th PASID seen (in order of first use); 0 past the end. */
int tlb_pasid_stats(const struct tlb *t, size_t i, unsigned *pasid, struct tlb_stats *out);

#endif
