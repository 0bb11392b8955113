/* rangeset: see rangeset.h.  A sorted array; additions and removals move
 * the ranges after the point of change (the sets are small). */
#include "rangeset.h"
#include <stdlib.h>
#include <string.h>

/* The first range whose end is beyond addr. */
static size_t first_after(const struct rangeset *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void reserve(struct rangeset *s, size_t n)
{
	if (n <= s->cap)
		return;
	s->cap = s->cap ? 2 * s->cap : 16;
	if (s->cap < n)
		s->cap = n;
	if (!(s->r = realloc(s->r, s->cap * sizeof *s->r)))
		abort();
}

void rangeset_add(struct rangeset *s, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	/* ranges that touch or overlap [start, end) merge into it */
	size_t i = start ? first_after(s, start - 1) : 0, j = i;
	while (j < s->n && s->r[j].start <= end) {
		if (s->r[j].start < start)
			start = s->r[j].start;
		if (s->r[j].end > end)
			end = s->r[j].end;
		j++;
	}
	if (j == i) {
		reserve(s, s->n + 1);
		memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof *s->r);
		s->n++;
	} else if (j > i + 1) {
		memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof *s->r);
		s->n -= j - i - 1;
	}
	s->r[i] = (struct range){start, end};
}

void rangeset_remove(struct rangeset *s, uint64_t start, uint64_t end)
{
	if (start >= end || s->n == 0)
		return;
	size_t i = first_after(s, start);
	if (i < s->n && s->r[i].start < start && s->r[i].end > end) {
		/* a hole in the middle of one range: it splits */
		reserve(s, s->n + 1);
		memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof *s->r);
		s->n++;
		s->r[i].end = start;
		s->r[i + 1].start = end;
		return;
	}
	if (i < s->n && s->r[i].start < start) {
		s->r[i].end = start;
		i++;
	}
	size_t j = i;
	while (j < s->n && s->r[j].end <= end)
		j++;
	if (j < s->n && s->r[j].start < end)
		s->r[j].start = end;
	memmove(&s->r[i], &s->r[j], (s->n - j) * sizeof *s->r);
	s->n -= j - i;
}

int rangeset_covers(const struct rangeset *s, uint64_t start, uint64_t end)
{
	size_t i = first_after(s, start);
	return i < s->n && s->r[i].start <= start && s->r[i].end >= end;
}

int rangeset_overlaps(const struct rangeset *s, uint64_t start, uint64_t end)
{
	size_t i = first_after(s, start);
	return start < end && i < s->n && s->r[i].start < end;
}

long rangeset_find(const struct rangeset *s, uint64_t addr)
{
	size_t i = first_after(s, addr);
	return i < s->n && s->r[i].start <= addr ? (long)i : -1;
}

void rangeset_copy(struct rangeset *dst, const struct rangeset *src)
{
	reserve(dst, src->n);
	if (src->n)
		memcpy(dst->r, src->r, src->n * sizeof *src->r);
	dst->n = src->n;
}

void rangeset_clear(struct rangeset *s)
{
	free(s->r);
	memset(s, 0, sizeof *s);
}

uint64_t rangeset_bytes(const struct rangeset *s)
{
	uint64_t b = 0;
	for (size_t i = 0; i < s->n; i++)
		b += s->r[i].end - s->r[i].start;
	return b;
}
