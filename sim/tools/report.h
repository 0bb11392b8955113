/* report: the design-review report, a self-contained HTML page (figures
 * inlined as SVG) a reader can put on a slide: for a result set (one file or
 * a `mnsim compare` directory) headline sentences with the numbers first,
 * the comparison with ratios and confidence intervals, the per-op
 * breakdown, the figures, the violations with a timeline of the first few,
 * and the configuration in units with each value's provenance; for a
 * sweep, every review metric against each swept axis with one panel per
 * other axis, and the merged table.  index.html is written under a
 * temporary name and renamed, every write checked. */
#ifndef MNSIM_REPORT_H
#define MNSIM_REPORT_H
#include <stddef.h>

struct report_opts {
	const char *size_queue; /* a `mnsim size-queue` directory (its answers), or NULL */
};

/* Writes REPORT_DIR/index.html from arg (RESULT.h5, a compare DIR or a
 * sweep DIR); 0, or -1 with the reason. */
int report_write(const char *arg, const char *dir, const struct report_opts *o, char *err, size_t errlen);

#endif
