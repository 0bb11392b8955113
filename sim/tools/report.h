/* report: figures and the design-review report from result files.  Each
 * figure kind is a row of a table: the data it extracts from the HDF5
 * results (written as a TSV, the exact input gnuplot reads) and the gnuplot
 * script in analysis/ that draws it. */
#ifndef MNSIM_REPORT_H
#define MNSIM_REPORT_H
#include <stddef.h>
#include <stdio.h>

/* The result files named by arg: one .h5 file, or every .h5 in a directory
 * (sorted by name), each with its policy. */
struct inputs { size_t n; char **paths; char **policies; };
int report_inputs(const char *arg, struct inputs *in, char *err, size_t errlen);
void report_inputs_free(struct inputs *in);

/* What the sweep figure plots: a swept parameter and a summary value. */
struct plot_opts { const char *x, *metric; };
/* Draws figure `kind` to out (.png or .svg); the data go to data_path.
 * Returns 0, or -1 with the reason. */
int plot_figure(const char *kind, const struct inputs *in, const struct plot_opts *o, const char *out, const char *data_path,
		char *err, size_t errlen);
void plot_print_kinds(FILE *out);
/* Writes REPORT_DIR/index.html with every figure that has data. */
int report_write(const struct inputs *in, const char *dir, char *err, size_t errlen);

#endif
