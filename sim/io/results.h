/* results: one HDF5 file per run (layout documented in results/README.md).
 * Record tables (/ops, /notifications, /qi_occupancy, /violations, ...) are
 * appended in chunks while the run goes, so memory does not grow with the
 * run; the summary, per-device and per-IOMMU tables are written at the end.
 * The files describe themselves: enumerations are HDF5 enum types, each
 * field's unit is an attribute of its dataset, strings are UTF-8, tables are
 * compressed (shuffle + deflate).
 * The file is written under a temporary name (outfile.h) that is put in
 * place only when results_close() succeeds, so a failed run never leaves a
 * half file; a write that fails on a full disk says so.  Object times are not tracked, so
 * the same run gives a bit-identical file. */
#ifndef MNSIM_RESULTS_H
#define MNSIM_RESULTS_H
#include <stddef.h>
#include <stdint.h>

struct op_rec {
	int64_t id;
	int32_t kind, cpu;
	double start, end, latency, ptl_hold, ptl_wait, mmap_wait;
	uint64_t va, pages;
	uint32_t notifications, notifications_under_ptl, descriptors, skipped;
};

enum ir_where { IR_UNDER_PTL, IR_RANGE_END, IR_GATHER, IR_OTHER, IR_WHERE_COUNT };

/* id: numbers the calls from 0 in the order they start (rows are written
 * when they end); /qi_descriptors rows carry it */
struct notif_rec {
	int64_t id;
	double time, duration, qi_stall;
	int64_t op_id;
	int32_t op_kind, cpu, where, site;
	uint32_t pasid, descriptors;
	uint64_t start, pages;
};

struct qi_rec { double time; int32_t iommu; uint32_t used; };

enum event_type { EV_RANGE_START, EV_PTE_UPDATE, EV_NOTIFY, EV_RANGE_END, EV_READ, EV_WRITE, EV_TYPES };

/* /events (only with record_events=1): what the timeline figure draws */
struct event_rec { double time; int32_t stream, type; uint64_t va; int64_t op_id; };

/* /streams: the trace's threads, the rows of the timeline */
struct stream_rec { char name[32]; int32_t is_device; };

/* type: enum qi_type of iommu.h, named by qi_type_names */
#define QI_TYPE_COUNT 4
struct qi_desc_rec {
	double submitted, started, completed;
	int32_t iommu, type;
	uint64_t submission;
	int64_t notification; /* the /notifications id it serves, -1 none */
};

struct pasid_rec {
	char iommu[32];
	uint32_t pasid;
	uint64_t hits, misses, fills, evictions, invalidated;
};

enum violation_type { V_USE_AFTER_FREE, V_STALE_READ, V_LOST_WRITE, V_ORDER_VIOLATION, V_TYPES };

struct violation_rec {
	double time;
	int32_t type, device, thread; /* thread: the device thread's stream (row of /streams), -1 none */
	uint32_t pasid;
	uint64_t va;
	int64_t pfn_seen, pfn_expected;
	int64_t op_id; /* the op that last changed (mm, va)'s entry: a row id of /ops, -1 none */
};

struct device_rec {
	char name[32];
	uint64_t accesses, reads, writes, atc_hits, atc_misses, translation_requests,
		 raced_translations, page_requests, fault_errors, dropped, invalidations_received;
	double stall_time;
};

struct iommu_rec {
	char name[32];
	uint64_t iotlb_hits, iotlb_misses, iotlb_evictions, iotlb_invalidated, walks,
		 desc_iotlb_psi, desc_iotlb_pasid, desc_devtlb, desc_wait, submissions, qi_full_stalls,
		 ite, ite_giveups;
	double qi_stall_time, desc_queue_time, desc_service_time;
	uint32_t qi_depth, qi_max_used;
};

/* Named numbers of a run: /summary attributes, and what `compare` and
 * `check` read back. */
#define SUMMARY_MAX 64
struct summary {
	size_t n;
	char names[SUMMARY_MAX][40];
	char units[SUMMARY_MAX][8];
	double values[SUMMARY_MAX];
};
void summary_set(struct summary *s, const char *name, double value, const char *unit);
/* 1 and *value if present. */
int summary_get(const struct summary *s, const char *name, double *value);

/* The names of the enumerations, as stored in the HDF5 enum types. */
extern const char *const violation_names[V_TYPES];
extern const char *const ir_where_names[IR_WHERE_COUNT];
extern const char *const qi_type_names[QI_TYPE_COUNT];
extern const char *const event_type_names[EV_TYPES];

/* Names the io layer cannot know: the model's notification sites (value,
 * name), for the enum type of /notifications' site. */
struct results_label { int value; const char *name; };
struct results_labels { const struct results_label *sites; size_t n_sites; };

struct results;

/* path NULL: records are only counted, no file is written.  labels must
 * outlive the results. */
struct results *results_open(const char *tmp_path, const struct results_labels *labels, char *err, size_t errlen);
void results_op(struct results *r, const struct op_rec *rec);
void results_notification(struct results *r, const struct notif_rec *rec);
void results_qi(struct results *r, const struct qi_rec *rec);
void results_violation(struct results *r, const struct violation_rec *rec);
void results_device(struct results *r, const struct device_rec *rec);
void results_iommu(struct results *r, const struct iommu_rec *rec);
void results_qi_desc(struct results *r, const struct qi_desc_rec *rec);
void results_event(struct results *r, const struct event_rec *rec);
void results_stream(struct results *r, const struct stream_rec *rec);
void results_pasid(struct results *r, const struct pasid_rec *rec);
void results_attr_string(struct results *r, const char *group, const char *name, const char *value);
void results_attr_double(struct results *r, const char *group, const char *name, double value);
/* Whether a write has failed (disk full, ...): the run can stop early. */
int results_failed(const struct results *r);
/* Writes the summary, closes, and renames tmp_path to final_path unless
 * final_path is NULL (the caller puts the file in place). */
int results_close(struct results *r, const struct summary *s, const char *final_path, char *err, size_t errlen);
/* Closes and removes the temporary file. */
void results_abort(struct results *r);

#endif
