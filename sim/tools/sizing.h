/* sizing: `mnsim size-queue`: the smallest invalidation-queue depth
 * (qi_depth) that meets a latency or stall target, found by bisection over
 * powers of two (or exact depths), running as few simulations as the search
 * needs, for one policy or for each. */
#ifndef MNSIM_SIZING_H
#define MNSIM_SIZING_H
#include "run.h"

struct sizing_target { char metric[48]; int at_most; double value; };

/* Parses 'p99_notify_latency<=2us' and the like; 0, or -1 with the reason. */
int sizing_parse_target(const char *text, struct sizing_target *t, char *err, size_t errlen);
/* Runs the search for each policy (NULL-terminated list), the policies'
 * searches jobs at a time in child processes (the answers do not depend on
 * jobs), prints the tables and answers, writes DIR/size-queue.tsv and
 * DIR/size-queue.png.  Returns 0, 1 if a target cannot be met, -1 on error. */
int sizing_run(const struct run_config *base, const char *const *policies, const struct sizing_target *t, int exact,
	       int jobs, const char *dir, char *err, size_t errlen);

#endif
