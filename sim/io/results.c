/* results: see results.h. */
#include "results.h"
#include "h5write.h"
#include "optable.h"
#include "outfile.h"
#include <errno.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const violation_names[V_TYPES] = {"use_after_free", "stale_read", "lost_write", "order_violation"};
const char *const ir_where_names[IR_WHERE_COUNT] = {"under_ptl", "range_end", "gather", "other"};
const char *const qi_type_names[QI_TYPE_COUNT] = {"iotlb_psi", "iotlb_pasid", "devtlb", "wait"};
const char *const event_type_names[EV_TYPES] = {"range_start", "pte_update", "notify", "range_end", "read", "write"};

/* ---- summary ---- */

void summary_set(struct summary *s, const char *name, double value, const char *unit)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0) {
			s->values[i] = value;
			return;
		}
	if (s->n == SUMMARY_MAX)
		abort(); /* the set of summary names is fixed in code */
	snprintf(s->names[s->n], sizeof s->names[0], "%s", name);
	snprintf(s->units[s->n], sizeof s->units[0], "%s", unit);
	s->values[s->n++] = value;
}

int summary_get(const struct summary *s, const char *name, double *value)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0) {
			*value = s->values[i];
			return 1;
		}
	return 0;
}

/* ---- record tables: the field lists are the single description of each
 * dataset's columns ---- */

/* Field types: numbers, a fixed-width UTF-8 string, and the enumerations
 * stored as HDF5 enum types (int32 values with names, so that h5dump, HDFView,
 * h5py and pandas show names). */
enum ftype { F64, I64, I32, U64, U32, STR32, E_OP, E_WHERE, E_SITE, E_VIOLATION, E_QI_TYPE, E_EVENT };
/* unit: written as the dataset's attribute named after the field ("" for
 * counts, ids, addresses and enumerations) */
struct field { const char *name; size_t offset; enum ftype type; const char *unit; };

#define FIELD(S, name, t, unit) {#name, offsetof(struct S, name), t, unit}
static const struct field op_fields[] = {
	FIELD(op_rec, id, I64, ""), FIELD(op_rec, kind, E_OP, ""), FIELD(op_rec, cpu, I32, ""),
	FIELD(op_rec, start, F64, "s"), FIELD(op_rec, end, F64, "s"), FIELD(op_rec, latency, F64, "s"),
	FIELD(op_rec, ptl_hold, F64, "s"), FIELD(op_rec, ptl_wait, F64, "s"), FIELD(op_rec, mmap_wait, F64, "s"),
	FIELD(op_rec, va, U64, ""), FIELD(op_rec, pages, U64, "pages"),
	FIELD(op_rec, notifications, U32, ""), FIELD(op_rec, notifications_under_ptl, U32, ""),
	FIELD(op_rec, descriptors, U32, ""), FIELD(op_rec, skipped, U32, ""), {NULL, 0, F64, NULL}};
static const struct field notif_fields[] = {
	FIELD(notif_rec, id, I64, ""), FIELD(notif_rec, time, F64, "s"), FIELD(notif_rec, duration, F64, "s"),
	FIELD(notif_rec, qi_stall, F64, "s"), FIELD(notif_rec, op_id, I64, ""), FIELD(notif_rec, op_kind, E_OP, ""),
	FIELD(notif_rec, cpu, I32, ""), FIELD(notif_rec, where, E_WHERE, ""), FIELD(notif_rec, site, E_SITE, ""),
	FIELD(notif_rec, pasid, U32, ""), FIELD(notif_rec, descriptors, U32, ""), FIELD(notif_rec, start, U64, ""),
	FIELD(notif_rec, pages, U64, "pages"), {NULL, 0, F64, NULL}};
static const struct field qi_fields[] = {
	FIELD(qi_rec, time, F64, "s"), FIELD(qi_rec, iommu, I32, ""), FIELD(qi_rec, used, U32, "slots"), {NULL, 0, F64, NULL}};
static const struct field violation_fields[] = {
	FIELD(violation_rec, time, F64, "s"), FIELD(violation_rec, type, E_VIOLATION, ""), FIELD(violation_rec, device, I32, ""),
	FIELD(violation_rec, thread, I32, ""), FIELD(violation_rec, pasid, U32, ""), FIELD(violation_rec, va, U64, ""),
	FIELD(violation_rec, pfn_seen, I64, ""), FIELD(violation_rec, pfn_expected, I64, ""),
	FIELD(violation_rec, op_id, I64, ""), {NULL, 0, F64, NULL}};
static const struct field device_fields[] = {
	FIELD(device_rec, name, STR32, ""), FIELD(device_rec, accesses, U64, ""), FIELD(device_rec, reads, U64, ""),
	FIELD(device_rec, writes, U64, ""), FIELD(device_rec, atc_hits, U64, ""), FIELD(device_rec, atc_misses, U64, ""),
	FIELD(device_rec, translation_requests, U64, ""), FIELD(device_rec, raced_translations, U64, ""),
	FIELD(device_rec, page_requests, U64, ""), FIELD(device_rec, fault_errors, U64, ""), FIELD(device_rec, dropped, U64, ""),
	FIELD(device_rec, invalidations_received, U64, ""), FIELD(device_rec, stall_time, F64, "s"), {NULL, 0, F64, NULL}};
static const struct field iommu_fields[] = {
	FIELD(iommu_rec, name, STR32, ""), FIELD(iommu_rec, iotlb_hits, U64, ""), FIELD(iommu_rec, iotlb_misses, U64, ""),
	FIELD(iommu_rec, iotlb_evictions, U64, ""), FIELD(iommu_rec, iotlb_invalidated, U64, ""), FIELD(iommu_rec, walks, U64, ""),
	FIELD(iommu_rec, desc_iotlb_psi, U64, ""), FIELD(iommu_rec, desc_iotlb_pasid, U64, ""), FIELD(iommu_rec, desc_devtlb, U64, ""),
	FIELD(iommu_rec, desc_wait, U64, ""), FIELD(iommu_rec, submissions, U64, ""), FIELD(iommu_rec, qi_full_stalls, U64, ""),
	FIELD(iommu_rec, ite, U64, ""), FIELD(iommu_rec, ite_giveups, U64, ""),
	FIELD(iommu_rec, qi_stall_time, F64, "s"), FIELD(iommu_rec, desc_queue_time, F64, "s"),
	FIELD(iommu_rec, desc_service_time, F64, "s"), FIELD(iommu_rec, qi_depth, U32, "slots"),
	FIELD(iommu_rec, qi_max_used, U32, "slots"), {NULL, 0, F64, NULL}};

static const struct field qi_desc_fields[] = {
	FIELD(qi_desc_rec, submitted, F64, "s"), FIELD(qi_desc_rec, started, F64, "s"), FIELD(qi_desc_rec, completed, F64, "s"),
	FIELD(qi_desc_rec, iommu, I32, ""), FIELD(qi_desc_rec, type, E_QI_TYPE, ""), FIELD(qi_desc_rec, submission, U64, ""),
	FIELD(qi_desc_rec, notification, I64, ""), {NULL, 0, F64, NULL}};
static const struct field pasid_fields[] = {
	FIELD(pasid_rec, iommu, STR32, ""), FIELD(pasid_rec, pasid, U32, ""), FIELD(pasid_rec, hits, U64, ""),
	FIELD(pasid_rec, misses, U64, ""), FIELD(pasid_rec, fills, U64, ""), FIELD(pasid_rec, evictions, U64, ""),
	FIELD(pasid_rec, invalidated, U64, ""), {NULL, 0, F64, NULL}};

static const struct field event_fields[] = {
	FIELD(event_rec, time, F64, "s"), FIELD(event_rec, stream, I32, ""), FIELD(event_rec, type, E_EVENT, ""),
	FIELD(event_rec, va, U64, ""), FIELD(event_rec, op_id, I64, ""), {NULL, 0, F64, NULL}};
static const struct field stream_fields[] = {FIELD(stream_rec, name, STR32, ""), FIELD(stream_rec, is_device, I32, ""),
					     {NULL, 0, F64, NULL}};

/* Rows are buffered and written BUFFER_ROWS at a time.  HDF5 stores a table
 * in chunks of CHUNK_ROWS rows, and stores the last, partial chunk whole:
 * small chunks keep a short run's file small (a one-event run wrote 2.6 MB
 * with 4096-row chunks). */
#define BUFFER_ROWS 4096
#define CHUNK_ROWS 512

struct table {
	const char *name;
	const struct field *fields;
	size_t row_size;
	hid_t dset, mtype;
	char *buf;
	size_t nbuf;
	hsize_t written;
};

struct results {
	char *tmp_path;
	hid_t file;
	int failed;
	char why[256];
	const struct results_labels *labels;
	struct table ops, notifications, qi, violations, devices, iommus, qi_descs, pasids, events, streams;
};

/* The errno of the system call under HDF5's last error: its file drivers
 * record it in the error stack's text ("errno = 28"). */
static herr_t find_errno(unsigned n, const H5E_error2_t *e, void *ctx)
{
	(void)n;
	const char *at = e->desc ? strstr(e->desc, "errno = ") : NULL;
	if (at && *(int *)ctx == 0)
		*(int *)ctx = atoi(at + 8);
	return 0;
}

static void set_failed(struct results *r, const char *fmt, ...)
{
	int e = errno, h5 = 0;
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_errno, &h5);
	if (r->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	/* say that the disk is full rather than which object could not be written */
	const char *full = outfile_no_space(h5 ? h5 : e);
	if (full)
		snprintf(r->why + strlen(r->why), sizeof r->why - strlen(r->why), ": %s", full);
	r->failed = 1;
}

/* An HDF5 enum on int32 with the names[i] for value first + i. */
static hid_t enum_type(const char *const *names, int n, int first)
{
	hid_t t = H5Tenum_create(H5T_NATIVE_INT32);
	for (int i = 0; t >= 0 && i < n; i++) {
		int32_t v = first + i;
		if (H5Tenum_insert(t, names[i], &v) < 0) {
			H5Tclose(t);
			return -1;
		}
	}
	return t;
}

/* The model's notification sites: labelled by the caller (the io layer does
 * not know them). */
static hid_t site_type(const struct results_labels *l)
{
	hid_t t = H5Tenum_create(H5T_NATIVE_INT32);
	for (size_t i = 0; t >= 0 && l && i < l->n_sites; i++) {
		int32_t v = l->sites[i].value;
		if (H5Tenum_insert(t, l->sites[i].name, &v) < 0) {
			H5Tclose(t);
			return -1;
		}
	}
	return t;
}

static const char *op_name(int k) { return op_info((enum op_kind)k)->name; }

/* The file type of one field; *owned: the caller closes it. */
static hid_t h5_type(const struct results *r, enum ftype t, int *owned)
{
	*owned = 0;
	switch (t) {
	case F64: return H5T_NATIVE_DOUBLE;
	case I64: return H5T_NATIVE_INT64;
	case I32: return H5T_NATIVE_INT32;
	case U64: return H5T_NATIVE_UINT64;
	case U32: return H5T_NATIVE_UINT32;
	default: break;
	}
	*owned = 1;
	const char *ops[OP_COUNT];
	switch (t) {
	case E_OP:
		for (int k = 0; k < OP_COUNT; k++)
			ops[k] = op_name(k);
		return enum_type(ops, OP_COUNT, 0);
	case E_WHERE: return enum_type(ir_where_names, IR_WHERE_COUNT, 0);
	case E_SITE: return site_type(r->labels);
	case E_VIOLATION: return enum_type(violation_names, V_TYPES, 0);
	case E_QI_TYPE: return enum_type(qi_type_names, QI_TYPE_COUNT, 0);
	case E_EVENT: return enum_type(event_type_names, EV_TYPES, 0);
	default: break;
	}
	hid_t s = H5Tcopy(H5T_C_S1);
	if (s >= 0 && (H5Tset_size(s, 32) < 0 || H5Tset_strpad(s, H5T_STR_NULLTERM) < 0 || H5Tset_cset(s, H5T_CSET_UTF8) < 0)) {
		H5Tclose(s);
		return -1;
	}
	return s;
}

static hid_t compound_type(const struct results *r, const struct field *f, size_t row_size)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, row_size);
	if (t < 0)
		return -1;
	for (; f->name; f++) {
		int owned;
		hid_t ft = h5_type(r, f->type, &owned);
		herr_t rc = ft < 0 ? -1 : H5Tinsert(t, f->name, f->offset, ft);
		if (owned && ft >= 0)
			H5Tclose(ft);
		if (rc < 0) {
			H5Tclose(t);
			return -1;
		}
	}
	return t;
}

/* Record tables are chunked and compressed (shuffle + deflate: a file a
 * third of the size); no object times, so files are bit-identical. */
#define DEFLATE_LEVEL 1

static hid_t no_times_dcpl(int chunked)
{
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hsize_t chunk = CHUNK_ROWS;
	if (dcpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0 ||
	    (chunked && (H5Pset_chunk(dcpl, 1, &chunk) < 0 || H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0))) {
		if (dcpl >= 0)
			H5Pclose(dcpl);
		return -1;
	}
	return dcpl;
}

static void table_open(struct results *r, struct table *t, const char *name, const struct field *fields, size_t row_size)
{
	t->name = name;
	t->fields = fields;
	t->row_size = row_size;
	t->dset = t->mtype = -1;
	if (!(t->buf = malloc(BUFFER_ROWS * row_size))) /* only rows appended are written */
		abort();
	if (r->file < 0 || r->failed)
		return;
	hsize_t zero = 0, unlimited = H5S_UNLIMITED;
	hid_t space = H5Screate_simple(1, &zero, &unlimited);
	hid_t dcpl = no_times_dcpl(1);
	t->mtype = compound_type(r, fields, row_size);
	if (space >= 0 && dcpl >= 0 && t->mtype >= 0)
		t->dset = H5Dcreate2(r->file, name, t->mtype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	if (space >= 0)
		H5Sclose(space);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (t->dset < 0) {
		set_failed(r, "cannot create dataset %s", name);
		return;
	}
	for (const struct field *f = fields; f->name; f++)
		if (h5write_string_attr(t->dset, f->name, f->unit) != 0)
			set_failed(r, "cannot write the unit of %s/%s", name, f->name);
}

static void table_flush(struct results *r, struct table *t)
{
	if (t->nbuf == 0)
		return;
	if (t->dset >= 0 && !r->failed) {
		hsize_t start = t->written, count = t->nbuf, newsize = t->written + t->nbuf;
		hid_t fspace = -1, mspace = -1;
		herr_t rc = H5Dset_extent(t->dset, &newsize);
		if (rc >= 0 && (fspace = H5Dget_space(t->dset)) >= 0 && (mspace = H5Screate_simple(1, &count, NULL)) >= 0)
			rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL);
		else
			rc = -1;
		if (rc >= 0)
			rc = H5Dwrite(t->dset, t->mtype, mspace, fspace, H5P_DEFAULT, t->buf);
		if (fspace >= 0)
			H5Sclose(fspace);
		if (mspace >= 0)
			H5Sclose(mspace);
		if (rc < 0)
			set_failed(r, "cannot write dataset %s", t->name);
	}
	t->written += t->nbuf;
	t->nbuf = 0;
}

static void table_append(struct results *r, struct table *t, const void *row)
{
	memcpy(t->buf + t->nbuf * t->row_size, row, t->row_size);
	if (++t->nbuf == BUFFER_ROWS)
		table_flush(r, t);
}

static void table_close(struct results *r, struct table *t)
{
	table_flush(r, t);
	if (t->dset >= 0 && H5Dclose(t->dset) < 0)
		set_failed(r, "cannot close dataset %s", t->name);
	if (t->mtype >= 0)
		H5Tclose(t->mtype);
	free(t->buf);
	t->buf = NULL;
	t->dset = t->mtype = -1;
}

#define TABLES(r) {&(r)->ops, &(r)->notifications, &(r)->qi, &(r)->violations, &(r)->devices, &(r)->iommus, \
		   &(r)->qi_descs, &(r)->pasids, &(r)->events, &(r)->streams}

struct results *results_open(const char *tmp_path, const struct results_labels *labels, char *err, size_t errlen)
{
	struct results *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->file = -1;
	r->labels = labels;
	if (tmp_path) {
		H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
		r->tmp_path = strdup(tmp_path);
		hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
		if (fcpl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0)
			r->file = H5Fcreate(tmp_path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
		if (fcpl >= 0)
			H5Pclose(fcpl);
		if (r->file < 0) {
			snprintf(err, errlen, "HDF5 cannot create the file");
			free(r->tmp_path);
			free(r);
			return NULL;
		}
	}
	table_open(r, &r->ops, "ops", op_fields, sizeof(struct op_rec));
	table_open(r, &r->notifications, "notifications", notif_fields, sizeof(struct notif_rec));
	table_open(r, &r->qi, "qi_occupancy", qi_fields, sizeof(struct qi_rec));
	table_open(r, &r->violations, "violations", violation_fields, sizeof(struct violation_rec));
	table_open(r, &r->devices, "devices", device_fields, sizeof(struct device_rec));
	table_open(r, &r->iommus, "iommus", iommu_fields, sizeof(struct iommu_rec));
	table_open(r, &r->qi_descs, "qi_descriptors", qi_desc_fields, sizeof(struct qi_desc_rec));
	table_open(r, &r->pasids, "iotlb_pasid", pasid_fields, sizeof(struct pasid_rec));
	table_open(r, &r->events, "events", event_fields, sizeof(struct event_rec));
	table_open(r, &r->streams, "streams", stream_fields, sizeof(struct stream_rec));
	return r;
}

int results_failed(const struct results *r) { return r->failed; }

void results_op(struct results *r, const struct op_rec *rec) { table_append(r, &r->ops, rec); }
void results_notification(struct results *r, const struct notif_rec *rec) { table_append(r, &r->notifications, rec); }
void results_qi(struct results *r, const struct qi_rec *rec) { table_append(r, &r->qi, rec); }
void results_violation(struct results *r, const struct violation_rec *rec) { table_append(r, &r->violations, rec); }
void results_device(struct results *r, const struct device_rec *rec) { table_append(r, &r->devices, rec); }
void results_iommu(struct results *r, const struct iommu_rec *rec) { table_append(r, &r->iommus, rec); }
void results_qi_desc(struct results *r, const struct qi_desc_rec *rec) { table_append(r, &r->qi_descs, rec); }
void results_pasid(struct results *r, const struct pasid_rec *rec) { table_append(r, &r->pasids, rec); }
void results_event(struct results *r, const struct event_rec *rec) { table_append(r, &r->events, rec); }
void results_stream(struct results *r, const struct stream_rec *rec) { table_append(r, &r->streams, rec); }

/* Opens group (created on first use, without times) or the root for NULL. */
static hid_t open_group(struct results *r, const char *group)
{
	if (!group)
		return H5Gopen2(r->file, "/", H5P_DEFAULT);
	htri_t exists = H5Lexists(r->file, group, H5P_DEFAULT);
	if (exists > 0)
		return H5Gopen2(r->file, group, H5P_DEFAULT);
	if (exists < 0)
		return -1;
	hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
	hid_t g = -1;
	if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0)
		g = H5Gcreate2(r->file, group, H5P_DEFAULT, gcpl, H5P_DEFAULT);
	if (gcpl >= 0)
		H5Pclose(gcpl);
	return g;
}

static void write_attr(struct results *r, const char *group, const char *name, hid_t type, const void *value)
{
	if (r->file < 0 || r->failed)
		return;
	hid_t g = open_group(r, group);
	hid_t space = H5Screate(H5S_SCALAR);
	hid_t a = -1;
	herr_t rc = -1;
	if (g >= 0 && space >= 0 && (a = H5Acreate2(g, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
		rc = H5Awrite(a, type, value);
	if (a >= 0)
		H5Aclose(a);
	if (space >= 0)
		H5Sclose(space);
	if (g >= 0)
		H5Gclose(g);
	if (rc < 0)
		set_failed(r, "cannot write attribute %s/%s", group ? group : "", name);
}

void results_attr_double(struct results *r, const char *group, const char *name, double value)
{
	write_attr(r, group, name, H5T_NATIVE_DOUBLE, &value);
}

void results_attr_string(struct results *r, const char *group, const char *name, const char *value)
{
	hid_t t = h5write_string_type();
	if (t < 0) {
		set_failed(r, "cannot make a string type");
		return;
	}
	write_attr(r, group, name, t, &value);
	H5Tclose(t);
}

static void close_all(struct results *r)
{
	struct table *ts[] = TABLES(r);
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
		table_close(r, ts[i]);
	if (r->file >= 0 && H5Fclose(r->file) < 0)
		set_failed(r, "cannot close the result file");
	r->file = -1;
}

int results_close(struct results *r, const struct summary *s, const char *final_path, char *err, size_t errlen)
{
	for (size_t i = 0; s && i < s->n; i++) {
		results_attr_double(r, "summary", s->names[i], s->values[i]);
		char unit_name[64];
		if (s->units[i][0]) {
			snprintf(unit_name, sizeof unit_name, "%s", s->names[i]);
			results_attr_string(r, "summary_units", unit_name, s->units[i]);
		}
	}
	close_all(r);
	int rc = 0;
	if (r->failed) {
		snprintf(err, errlen, "%s", r->why);
		rc = -1;
	} else if (r->tmp_path && final_path && rename(r->tmp_path, final_path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %m", r->tmp_path, final_path);
		rc = -1;
	}
	if (rc != 0 && r->tmp_path)
		unlink(r->tmp_path);
	free(r->tmp_path);
	free(r);
	return rc;
}

void results_abort(struct results *r)
{
	if (!r)
		return;
	close_all(r);
	if (r->tmp_path)
		unlink(r->tmp_path);
	free(r->tmp_path);
	free(r);
}
