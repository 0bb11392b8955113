/* gen: the synthetic workload generator behind `mnsim gen`.  A small spec
 * (key = value lines and/or key=value arguments; keys in gen_print_keys)
 * says how many processes, threads and devices, the op mix, the device
 * access pattern and the timing; the generator writes a trace in the format
 * of workloads/README.md, one stream after the other, so memory does not
 * grow with the trace.  The same spec and seed give the same file. */
#ifndef MNSIM_GEN_H
#define MNSIM_GEN_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gen_spec;

struct gen_spec *gen_spec_new(void);
void gen_spec_free(struct gen_spec *g);
/* Reads a spec file; errors name file:line.  Returns 0 or -1. */
int gen_spec_load(struct gen_spec *g, const char *path, char *err, size_t errlen);
/* Sets one key; returns 0 or -1 with the reason. */
int gen_spec_set(struct gen_spec *g, const char *key, const char *value, char *err, size_t errlen);
/* Checks the spec as a whole (e.g. the op mix is not all zero). */
int gen_spec_check(const struct gen_spec *g, char *err, size_t errlen);
/* Writes the trace to out; returns 0, -1 with the reason, or -2 if a write
 * failed (err says why, e.g. the disk is full). */
int gen_write(const struct gen_spec *g, FILE *out, char *err, size_t errlen);
void gen_print_keys(FILE *out);
/* Whether the spec describes at most max_lines events over a small space. */
int gen_spec_small(const struct gen_spec *g, double max_lines);

/* The device side alone, for traces whose CPU side comes from elsewhere
 * (mnsim import): the `device` lines (every device bound to `process`; NULL:
 * device d to process p(d mod processes), as gen does), the `devthread`
 * lines, and the streams: device_ops accesses per device thread over the n
 * pages of `pages`, in the spec's pattern, write ratio and timing, from time
 * `start` (seconds). */
void gen_device_decls(const struct gen_spec *g, const char *process, FILE *out);
void gen_devthread_decls(const struct gen_spec *g, FILE *out);
void gen_device_streams(const struct gen_spec *g, const uint64_t *pages, uint64_t n, double start, FILE *out);
/* The device keys as "key=value ..." (for the trace header). */
void gen_device_summary(const struct gen_spec *g, char *buf, size_t len);
double gen_device_gap(const struct gen_spec *g);
double gen_device_ops(const struct gen_spec *g);
double gen_devices(const struct gen_spec *g);

#endif
