/* census: the invalidate_range calls (IRs) each kernel op makes, measured
 * by running it, for `mnsim policies` and the test that pins the kernel
 * table: one simulation per (policy, kernel version), every op in its own
 * process with its own bound ATS device (so nothing else touches its pages),
 * each op read back from the run's /ops and /notifications.  The table and
 * the model cannot disagree: the table is the model's own output. */
#ifndef MNSIM_CENSUS_H
#define MNSIM_CENSUS_H
#include "optable.h"
#include <stddef.h>
#include <stdio.h>

struct census_cell {
	int measured;        /* the op has a scenario (and ran) */
	unsigned irs, under_ptl, range_end, gather, other;
	unsigned whole;      /* IRs of the whole address space, IR(0, -1) */
	unsigned descriptors;
	unsigned skipped;    /* the op gave up */
};

/* Runs every op once under policy at kernel version (a `kernel` name);
 * params: extra "name=value" settings (NULL-terminated, may be NULL).
 * Returns 0, or -1 with err. */
int census_run(const char *policy, const char *kernel, const char *const *params, struct census_cell cells[OP_COUNT],
	       char *err, size_t errlen);
/* "2=1+1+0": IRs = under the ptl + at range_end + at a gather flush, then
 * "+N" for IRs elsewhere and "*" if one was IR(0, -1); "-" if not measured. */
const char *census_format(const struct census_cell *c, char *buf, size_t len);
/* `mnsim policies`: per policy and version, every op; the kernel code each
 * op follows per version; the versions and the policies.  Returns 0 or -1. */
int census_print(FILE *out, char *err, size_t errlen);

#endif
