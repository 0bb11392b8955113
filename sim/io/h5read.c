/* h5read: see h5read.h. */
#include "h5read.h"
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct h5in { hid_t file; };

struct h5in *h5in_open(const char *path, char *err, size_t errlen)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (file < 0) {
		snprintf(err, errlen, "%s: not an HDF5 result file (or unreadable)", path);
		return NULL;
	}
	struct h5in *f = malloc(sizeof *f);
	if (!f)
		abort();
	f->file = file;
	return f;
}

void h5in_close(struct h5in *f)
{
	if (!f)
		return;
	H5Fclose(f->file);
	free(f);
}

/* Reads one member of every row with the memory type mtype (size bytes). */
static long read_member(struct h5in *f, const char *dset, const char *field, hid_t mtype, size_t size, void **out)
{
	*out = NULL;
	if (H5Lexists(f->file, dset, H5P_DEFAULT) <= 0)
		return -1;
	hid_t d = H5Dopen2(f->file, dset, H5P_DEFAULT);
	hid_t ft = d >= 0 ? H5Dget_type(d) : -1, sp = d >= 0 ? H5Dget_space(d) : -1;
	long n = -1;
	hsize_t rows = 0;
	if (ft >= 0 && H5Tget_member_index(ft, field) >= 0 && sp >= 0 && H5Sget_simple_extent_dims(sp, &rows, NULL) == 1) {
		hid_t ct = H5Tcreate(H5T_COMPOUND, size);
		*out = calloc(rows ? rows : 1, size);
		if (!*out)
			abort();
		if (ct >= 0 && H5Tinsert(ct, field, 0, mtype) >= 0 && (rows == 0 || H5Dread(d, ct, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) >= 0))
			n = (long)rows;
		if (ct >= 0)
			H5Tclose(ct);
	}
	if (sp >= 0)
		H5Sclose(sp);
	if (ft >= 0)
		H5Tclose(ft);
	if (d >= 0)
		H5Dclose(d);
	if (n < 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

long h5in_column(struct h5in *f, const char *dset, const char *field, double **out)
{
	return read_member(f, dset, field, H5T_NATIVE_DOUBLE, sizeof(double), (void **)out);
}

/* The character set of a string field (HDF5 does not convert between sets). */
static H5T_cset_t field_cset(struct h5in *f, const char *dset, const char *field)
{
	H5T_cset_t cs = H5T_CSET_ASCII;
	if (H5Lexists(f->file, dset, H5P_DEFAULT) <= 0)
		return cs;
	hid_t d = H5Dopen2(f->file, dset, H5P_DEFAULT), ft = d >= 0 ? H5Dget_type(d) : -1;
	int idx = ft >= 0 ? H5Tget_member_index(ft, field) : -1;
	hid_t mt = idx >= 0 ? H5Tget_member_type(ft, (unsigned)idx) : -1;
	if (mt >= 0 && H5Tget_class(mt) == H5T_STRING)
		cs = H5Tget_cset(mt);
	if (mt >= 0)
		H5Tclose(mt);
	if (ft >= 0)
		H5Tclose(ft);
	if (d >= 0)
		H5Dclose(d);
	return cs;
}

long h5in_strings(struct h5in *f, const char *dset, const char *field, size_t width, char **out)
{
	hid_t s = H5Tcopy(H5T_C_S1);
	H5Tset_size(s, width);
	H5Tset_cset(s, field_cset(f, dset, field));
	long n = read_member(f, dset, field, s, width, (void **)out);
	H5Tclose(s);
	for (long i = 0; i < n; i++)
		(*out)[(i + 1) * (long)width - 1] = '\0';
	return n;
}

int h5in_fields(struct h5in *f, const char *dset, void (*fn)(void *ctx, const char *name, int is_string), void *ctx)
{
	if (H5Lexists(f->file, dset, H5P_DEFAULT) <= 0)
		return -1;
	hid_t d = H5Dopen2(f->file, dset, H5P_DEFAULT), t = d >= 0 ? H5Dget_type(d) : -1;
	int n = t >= 0 && H5Tget_class(t) == H5T_COMPOUND ? H5Tget_nmembers(t) : -1;
	for (int i = 0; i < n; i++) {
		char *name = H5Tget_member_name(t, (unsigned)i);
		H5T_class_t c = H5Tget_member_class(t, (unsigned)i);
		if (name)
			fn(ctx, name, c == H5T_STRING);
		H5free_memory(name);
	}
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
	return n;
}

int h5in_attr_double(struct h5in *f, const char *obj, const char *name, double *v)
{
	hid_t a = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
	int ok = a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0;
	if (a >= 0)
		H5Aclose(a);
	return ok ? 0 : -1;
}

int h5in_attr_string(struct h5in *f, const char *obj, const char *name, char *buf, size_t len)
{
	hid_t a = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
	hid_t t = a >= 0 ? H5Aget_type(a) : -1;
	int ok = 0;
	if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
		char *s = NULL;
		hid_t mt = H5Tcopy(t);
		if (H5Aread(a, mt, &s) >= 0 && s) {
			snprintf(buf, len, "%s", s);
			ok = 1;
		}
		H5free_memory(s);
		H5Tclose(mt);
	} else if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tget_size(t) <= len) {
		hid_t mt = H5Tcopy(t);
		ok = H5Aread(a, mt, buf) >= 0;
		H5Tclose(mt);
		buf[len - 1] = '\0';
	}
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
	return ok ? 0 : -1;
}

struct attr_walk { void (*fn)(void *, const char *, double); void *ctx; };

static herr_t visit(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
	(void)info;
	struct attr_walk *w = data;
	hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
	hid_t t = a >= 0 ? H5Aget_type(a) : -1;
	double v;
	if (t >= 0 && H5Tget_class(t) != H5T_STRING && H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0)
		w->fn(w->ctx, name, v);
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
	return 0;
}

void h5in_attrs(struct h5in *f, const char *obj, void (*fn)(void *ctx, const char *name, double v), void *ctx)
{
	struct attr_walk w = {fn, ctx};
	hid_t o = H5Oopen(f->file, obj, H5P_DEFAULT);
	if (o < 0)
		return;
	hsize_t idx = 0;
	H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, &idx, visit, &w);
	H5Oclose(o);
}
