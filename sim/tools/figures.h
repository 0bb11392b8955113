/* figures: every figure kind as a row of a table: the data it extracts from
 * the results (written as a TSV, the exact input gnuplot reads) and the
 * gnuplot script in analysis/ that draws it.  Data and figure are written
 * under temporary names and renamed, every write checked.  The per-op
 * breakdown the report tabulates is computed here too, once. */
#ifndef MNSIM_FIGURES_H
#define MNSIM_FIGURES_H
#include "optable.h"
#include "resultset.h"
#include <stddef.h>
#include <stdio.h>

/* What a figure is drawn from: a result set, or a sweep's merged file. */
struct fig_input { const struct result_set *rs; const char *sweep_h5; };

struct plot_opts {
	const char *x, *metric; /* sweep: the swept axis across, the summary value drawn */
	const char *policy;     /* timeline: whose run (default: the first with violations) */
};

/* Draws figure `kind` to out (.png or .svg); its data go to data_path.
 * Returns 0, or -1 with the reason. */
int plot_figure(const char *kind, const struct fig_input *in, const struct plot_opts *o, const char *out, const char *data_path,
		char *err, size_t errlen);
void plot_print_kinds(FILE *out);
/* The kinds the report draws for a result set, in order. */
const char *figure_kind_at(size_t i);
/* The kind's one-line description, or NULL if there is no such kind. */
const char *figure_help(const char *kind);

/* Per op kind, over every run of a policy: mean counts per run, and
 * percentiles over all its ops (exact, from /ops). */
struct op_stats {
	double ops, irs, irs_under_ptl, irs_range_end, irs_gather, descriptors; /* per run */
	double ptl_hold_p99, latency_p99, latency_mean;                         /* s */
	int present;
};
int per_op_stats(const struct result_set *rs, const struct policy_group *g, struct op_stats out[OP_COUNT], char *err,
		 size_t errlen);

/* The axes of a sweep's /aggregate (columns before "seeds"), whether each
 * is numeric and how many distinct values it takes (NULL: not wanted);
 * returns the count or -1. */
int sweep_axes(const char *sweep_h5, char names[][48], int *numeric, int *n_values, int max, char *err, size_t errlen);

#endif
