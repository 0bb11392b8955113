/* h5read: reading result files back (for plots, reports and merges):
 * whole columns of the record tables, and attributes.  The layout is the one
 * results.c writes and results/README.md documents. */
#ifndef MNSIM_H5READ_H
#define MNSIM_H5READ_H
#include <stddef.h>

struct h5in;

struct h5in *h5in_open(const char *path, char *err, size_t errlen);
void h5in_close(struct h5in *f);
/* One numeric field of every row of a dataset, converted to double, in a new
 * array (*out, to free).  Returns the row count, or -1 if there is no such
 * dataset or field. */
long h5in_column(struct h5in *f, const char *dset, const char *field, double **out);
/* One fixed-width string field of every row (*out: n x width chars, to free). */
long h5in_strings(struct h5in *f, const char *dset, const char *field, size_t width, char **out);
/* Calls fn with each field of a compound dataset, in order (is_string: a
 * string field); returns the number of fields, or -1. */
int h5in_fields(struct h5in *f, const char *dset, void (*fn)(void *ctx, const char *name, int is_string), void *ctx);
int h5in_attr_double(struct h5in *f, const char *obj, const char *name, double *v);
int h5in_attr_string(struct h5in *f, const char *obj, const char *name, char *buf, size_t len);
/* Calls fn for every attribute of obj (numeric ones as doubles). */
void h5in_attrs(struct h5in *f, const char *obj, void (*fn)(void *ctx, const char *name, double v), void *ctx);

#endif
