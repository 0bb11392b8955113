/* rangeset: a set of disjoint, sorted address ranges [start, end), merged
 * as they are added.  The v2 trace checker keeps one per process (every range
 * a mapping has covered so far) and the importer one per address space (its
 * mappings).  Memory grows with the number of separate ranges, never with
 * the number of additions. */
#ifndef MNSIM_RANGESET_H
#define MNSIM_RANGESET_H
#include <stddef.h>
#include <stdint.h>

struct range { uint64_t start, end; };
struct rangeset { struct range *r; size_t n, cap; };

void rangeset_add(struct rangeset *s, uint64_t start, uint64_t end);
void rangeset_remove(struct rangeset *s, uint64_t start, uint64_t end);
/* Whether [start, end) lies wholly inside the set. */
int rangeset_covers(const struct rangeset *s, uint64_t start, uint64_t end);
/* Whether [start, end) meets the set at all. */
int rangeset_overlaps(const struct rangeset *s, uint64_t start, uint64_t end);
/* The index of the range holding addr, or -1. */
long rangeset_find(const struct rangeset *s, uint64_t addr);
void rangeset_copy(struct rangeset *dst, const struct rangeset *src);
void rangeset_clear(struct rangeset *s);
uint64_t rangeset_bytes(const struct rangeset *s);

#endif
