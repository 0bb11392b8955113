/* resultset: the runs a figure or a report is made from: one result file,
 * or a `mnsim compare` directory (POLICY.h5, or POLICY.seedN.h5 with
 * --seeds), grouped by policy in the policy table's order, seeds ascending,
 * each with its /summary.  A compare directory's manifest (compare.manifest,
 * written as the runs finish) says what was asked for, so that an
 * interrupted or failed compare is reported as incomplete, with what is
 * missing, and files of an earlier compare are not mixed in. */
#ifndef MNSIM_RESULTSET_H
#define MNSIM_RESULTSET_H
#include "results.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct run_info {
	char *path;
	char policy[64];
	uint64_t seed;
	struct summary sum; /* /summary, with /summary_units */
};

/* runs[first .. first+n) are the seeds of one policy */
struct policy_group { char name[64]; size_t first, n; };

struct result_set {
	struct run_info *runs;
	size_t n;
	struct policy_group *groups;
	size_t n_groups;
	char trace[1024], platform[1024];
	char dir[4096];     /* the directory given, or "" for one file */
	int has_manifest;   /* read from DIR/compare.manifest */
	int complete;       /* every policy and seed asked for is there */
	int seeds_asked;
	char status[512];   /* the manifest's status: complete, interrupted, failed: ... */
	char *missing;      /* "only_end (seeds 2, 3), minimal", or NULL */
	char *ignored;      /* .h5 files in DIR that are not part of this compare, or NULL */
};

/* What a path holds. */
enum result_kind { RK_RESULTS, RK_SWEEP };
/* RK_SWEEP if arg is a sweep directory (sweep.spec) or a sweep.h5; then
 * sweep_h5 is its merged file. */
enum result_kind result_kind_of(const char *arg, char *sweep_h5, size_t len);
/* Loads a result file or a compare directory; anything that is not an
 * mnsim result is an error naming the file. */
int result_set_load(const char *arg, struct result_set *rs, char *err, size_t errlen);
void result_set_free(struct result_set *rs);
/* The summary value name of every run of group g, into x (n values). */
int result_set_values(const struct result_set *rs, const struct policy_group *g, const char *name, double *x);

/* The manifest `mnsim compare` writes: begun before the first run, a line
 * per finished run, a status line at the end (a compare killed before it
 * leaves none: report then says "interrupted"). */
FILE *manifest_begin(const char *dir, const char *trace, const char *platform, const char *const *policies, int n,
		     int seeds, char *err, size_t errlen);
void manifest_done(FILE *m, const char *policy, uint64_t seed, const char *file);
void manifest_end(FILE *m, const char *status);
/* The file name of (policy, seed) in a compare of `seeds` seeds. */
void compare_file_name(const char *policy, uint64_t seed, int seeds, char *buf, size_t len);

#endif
