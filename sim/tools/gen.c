/* gen: see gen.h.
 * Address-space layout of each generated process: process p starts at
 * p x 256 GiB, and each region has 16 GiB of its own (4 KiB pages unless said):
 *   region 1  main  `pages` pages shared copy-on-write (as after a fork):
 *             cow, fork_wp, reclaim, migrate, CPU and device accesses
 *   region 2  zero  one page per zero_fault, mapped to the zero page
 *   region 3  ksm   two zero-filled pages per ksm_merge
 *   region 4  buf   munmap_pages per munmap, each munmap a fresh slice
 *   region 5  jit   16 slices of mprotect_pages, protected in turn
 *   region 6  huge  huge_pages THPs: thp_split, numa_hint + thp_migrate */
#include "gen.h"
#include "textutil.h"
#include "optable.h"
#include "outfile.h"
#include "rng.h"
#include "units.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum gkey_type { GK_INT, GK_REAL, GK_DURATION, GK_CHOICE, GK_STRING };

/* The op mix: weights of the CPU operations, in this order. */
#define MIX(X) X(cow) X(zero_fault) X(munmap) X(mprotect) X(fork_wp) X(ksm_merge) X(migrate) X(reclaim) \
	X(thp_split) X(thp_migrate) X(read) X(write)

struct gen_spec {
	double seed, processes, cpu_threads, devices, device_threads, pages, huge_pages, cpu_ops, device_ops,
		munmap_pages, mprotect_pages, write_ratio, zipf_s, stride, cpu_gap, device_gap, window;
	int pattern, cpu_arrivals, device_arrivals, window_dist;
	char *device_hosts;
#define X(op) double mix_##op;
	MIX(X)
#undef X
};

struct gen_key {
	const char *name;
	enum gkey_type type;
	const char *default_text;
	const char *choices; /* GK_CHOICE: comma-separated */
	double min, max;
	size_t offset;
	const char *help;
};

#define K(name, type, def, choices, lo, hi, help) {#name, GK_##type, def, choices, lo, hi, offsetof(struct gen_spec, name), help}
#define MIXKEY(op) {"mix_" #op, GK_REAL, "0", NULL, 0, 1e9, offsetof(struct gen_spec, mix_##op), "weight of " #op " in the CPU op mix"},
static const struct gen_key keys[] = {
	K(seed, INT, "1", NULL, 0, 1e18, "random seed"),
	K(processes, INT, "1", NULL, 1, 4096, "processes (PASIDs)"),
	K(cpu_threads, INT, "2", NULL, 1, 4096, "CPU threads, spread over the processes"),
	K(devices, INT, "1", NULL, 0, 4096, "devices bound, device i to process i mod processes"),
	K(device_hosts, STRING, "dev0,dev1,dev2,dev3,dev4,dev5,dev6,dev7", NULL, 0, 0, "platform hosts used for the devices, in order; PREFIX* names PREFIX0, PREFIX1, ... (as many as devices)"),
	K(device_threads, INT, "1", NULL, 0, 64, "threads per device"),
	K(pages, INT, "1024", NULL, 16, 4194304, "pages of the main (copy-on-write) mapping per process"),
	K(huge_pages, INT, "4", NULL, 0, 8192, "2 MiB THPs per process"),
	K(cpu_ops, INT, "200", NULL, 0, 1e9, "operations per CPU thread"),
	K(device_ops, INT, "1000", NULL, 0, 1e9, "accesses per device thread"),
	K(munmap_pages, INT, "16", NULL, 1, 65536, "pages per munmap"),
	K(mprotect_pages, INT, "4", NULL, 1, 65536, "pages per mprotect"),
	K(pattern, CHOICE, "uniform", "sequential,uniform,zipf,strided", 0, 0, "device access pattern over the main mapping"),
	K(zipf_s, REAL, "1.0", NULL, 0, 10, "Zipf skew (pattern=zipf)"),
	K(stride, INT, "8", NULL, 1, 1e6, "stride in pages (pattern=strided)"),
	K(write_ratio, REAL, "0.3", NULL, 0, 1, "fraction of device accesses that are writes"),
	K(cpu_arrivals, CHOICE, "exp", "const,exp", 0, 0, "CPU inter-arrival distribution"),
	K(cpu_gap, DURATION, "10us", NULL, 0, 10, "mean gap between a CPU thread's operations"),
	K(device_arrivals, CHOICE, "exp", "const,exp", 0, 0, "device inter-arrival distribution"),
	K(device_gap, DURATION, "1us", NULL, 0, 10, "mean gap between a device thread's accesses"),
	K(window_dist, CHOICE, "exp", "const,exp", 0, 0, "preemption-window distribution (param preempt_dist)"),
	K(window, DURATION, "2us", NULL, 0, 10, "mean preemption window (param preempt_window)"),
	MIX(MIXKEY)
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const mix_defaults[][2] = {{"mix_cow", "4"}, {"mix_write", "4"}, {"mix_read", "2"}, {"mix_munmap", "1"},
	{"mix_mprotect", "1"}, {"mix_reclaim", "1"}, {"mix_migrate", "1"}, {"mix_ksm_merge", "1"}, {"mix_fork_wp", "0.5"},
	{"mix_zero_fault", "1"}, {"mix_thp_split", "0.2"}, {"mix_thp_migrate", "0.2"}};

static const struct gen_key *find_key(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int choice_index(const char *choices, const char *value)
{
	int i = 0;
	for (const char *c = choices; *c; i++) {
		size_t len = strcspn(c, ",");
		if (strlen(value) == len && strncmp(c, value, len) == 0)
			return i;
		c += len + (c[len] == ',');
	}
	return -1;
}

int gen_spec_set(struct gen_spec *g, const char *key, const char *value, char *err, size_t errlen)
{
	const struct gen_key *k = find_key(key);
	if (!k) {
		snprintf(err, errlen, "unknown key '%s' (see 'mnsim gen --help')", key);
		return -1;
	}
	void *slot = (char *)g + k->offset;
	const char *why = NULL;
	double v = 0;
	uint64_t u;
	switch (k->type) {
	case GK_STRING: {
		/* a list of host names: words, none empty or repeated */
		const char *c = value;
		size_t n = 0;
		if (!*value) {
			snprintf(err, errlen, "%s='': expected a list of host names 'dev0,dev1,...'", key);
			return -1;
		}
		for (; *c; n++) {
			size_t len = strcspn(c, ",");
			for (size_t i = 0; i < len; i++)
				if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= '0' && c[i] <= '9') ||
				      strchr("_-.", c[i]) || (c[i] == '*' && i + 1 == len && i > 0 && !strchr(value, ',')))) {
					snprintf(err, errlen, "%s='%s': '%.*s' is not a host name (letters, digits, '_', '-', '.')", key, value,
						 (int)len, c);
					return -1;
				}
			if (len == 0) {
				snprintf(err, errlen, "%s='%s': an empty item in the list", key, value);
				return -1;
			}
			for (const char *o = value; o < c; o += strcspn(o, ",") + 1)
				if (strcspn(o, ",") == len && strncmp(o, c, len) == 0) {
					snprintf(err, errlen, "%s='%s': host '%.*s' given twice", key, value, (int)len, c);
					return -1;
				}
			c += len;
			if (*c == ',' && !*++c) {
				snprintf(err, errlen, "%s='%s': an empty item at the end of the list", key, value);
				return -1;
			}
		}
		free(*(char **)slot);
		*(char **)slot = strdup(value);
		return 0;
	}
	case GK_CHOICE: {
		int i = choice_index(k->choices, value);
		if (i < 0) {
			snprintf(err, errlen, "%s='%s': expected one of %s", key, value, k->choices);
			return -1;
		}
		*(int *)slot = i;
		return 0;
	}
	case GK_INT:
		if (units_parse_u64(value, &u, &why) == 0)
			v = (double)u;
		else
			v = -1;
		break;
	case GK_REAL:
		if (units_parse_double(value, &v, &why) != 0)
			v = -1;
		break;
	case GK_DURATION:
		if (units_parse_duration(value, &v, &why) != 0)
			v = -1;
		break;
	}
	if (v < 0 && why) {
		snprintf(err, errlen, "%s='%s': %s", key, value, why);
		return -1;
	}
	if (v < k->min || v > k->max) {
		snprintf(err, errlen, "%s='%s': out of range [%g, %g]", key, value, k->min, k->max);
		return -1;
	}
	*(double *)slot = v;
	return 0;
}

struct gen_spec *gen_spec_new(void)
{
	struct gen_spec *g = calloc(1, sizeof *g);
	char err[256];
	if (!g)
		abort();
	for (size_t i = 0; i < N_KEYS; i++)
		if (gen_spec_set(g, keys[i].name, keys[i].default_text, err, sizeof err) != 0) {
			fprintf(stderr, "gen: bad default: %s\n", err);
			abort(); /* a broken default is a programming error caught by every test */
		}
	for (size_t i = 0; i < sizeof mix_defaults / sizeof mix_defaults[0]; i++)
		if (gen_spec_set(g, mix_defaults[i][0], mix_defaults[i][1], err, sizeof err) != 0)
			abort();
	return g;
}

void gen_spec_free(struct gen_spec *g)
{
	if (g)
		free(g->device_hosts);
	free(g);
}

int gen_spec_load(struct gen_spec *g, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	/* a spec is a few short lines */
	char line[4096 + 1], why[256];
	int lineno = 0, rc = 0, got;
	char *seen[N_KEYS] = {0};
	while (rc == 0 && (got = read_text_line(f, line, 4096)) != 0) {
		lineno++;
		if (got < 0) {
			snprintf(err, errlen, "%s:%d: %s%s%s", path, lineno, text_line_error(got), got == -1 ? " (at most 4096 characters)" : "",
				 got == -3 ? ": " : "");
			if (got == -3)
				snprintf(err + strlen(err), errlen - strlen(err), "%s", strerror(errno));
			rc = -1;
			break;
		}
		char *key, *value;
		int kind = key_value_line(line, &key, &value);
		if (kind == 0)
			continue;
		if (kind < 0) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			rc = -1;
			break;
		}
		const struct gen_key *k = find_key(key);
		if (k && seen[k - keys]) {
			snprintf(err, errlen, "%s:%d: key '%s' set twice", path, lineno, key);
			rc = -1;
		} else if (gen_spec_set(g, key, value, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			rc = -1;
		} else {
			seen[k - keys] = "";
		}
	}
	fclose(f);
	return rc;
}

int gen_spec_check(const struct gen_spec *g, char *err, size_t errlen)
{
	double total = 0;
#define X(op) total += g->mix_##op;
	MIX(X)
#undef X
	if (total <= 0 && g->cpu_ops > 0) {
		snprintf(err, errlen, "the op mix is all zero: set some mix_OP > 0");
		return -1;
	}
	size_t hosts = 1;
	for (const char *c = g->device_hosts; *c; c++)
		hosts += *c == ','; /* gen_spec_set refused empty items */
	if (hosts == 1 && strchr(g->device_hosts, '*')) {
		if (g->device_hosts[strcspn(g->device_hosts, "*") + 1] != '\0') {
			snprintf(err, errlen, "device_hosts=%s: '*' may only end a single PREFIX*", g->device_hosts);
			return -1;
		}
		hosts = SIZE_MAX;
	}
	if (g->devices > (double)hosts) {
		snprintf(err, errlen, "devices=%g but device_hosts names only %zu hosts", g->devices, hosts);
		return -1;
	}
	if ((g->mix_thp_split > 0 || g->mix_thp_migrate > 0) && g->huge_pages == 0 && g->cpu_ops > 0) {
		snprintf(err, errlen, "mix_thp_split/mix_thp_migrate need huge_pages > 0");
		return -1;
	}
	return 0;
}

int gen_spec_small(const struct gen_spec *g, double max_lines)
{
	double lines = g->cpu_threads * g->cpu_ops * 2 + g->devices * g->device_threads * g->device_ops;
	return lines <= max_lines && g->pages <= 65536;
}

void gen_print_keys(FILE *out)
{
	struct gen_spec *g = gen_spec_new();
	fprintf(out, "%-18s %-10s %-40s %s\n", "key", "type", "default", "meaning");
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct gen_key *k = &keys[i];
		static const char *const tn[] = {"integer", "real", "duration", "choice", "list"};
		char def[64];
		const void *slot = (const char *)g + k->offset;
		if (k->type == GK_STRING || k->type == GK_CHOICE || k->type == GK_DURATION)
			snprintf(def, sizeof def, "%s", k->type == GK_STRING ? *(char *const *)slot : k->default_text);
		else
			snprintf(def, sizeof def, "%g", *(const double *)slot);
		fprintf(out, "%-18s %-10s %-40s %s%s%s\n", k->name, tn[k->type], def, k->help, k->choices ? ": " : "",
			k->choices ? k->choices : "");
	}
	gen_spec_free(g);
}

/* ---- writing ---- */

#define REGION_SPAN (16ULL << 30)
#define MAIN_BASE (1 * REGION_SPAN)
#define ZERO_BASE (2 * REGION_SPAN)
#define KSM_BASE (3 * REGION_SPAN)
#define BUF_BASE (4 * REGION_SPAN)
#define JIT_BASE (5 * REGION_SPAN)
#define HUGE_BASE (6 * REGION_SPAN)
#define JIT_SLICES 16
/* each process's regions start at its own 256 GiB; the 48-bit address space holds 1024
 * such slots, so processes past 1024 reuse them (their address spaces are
 * separate anyway) */
#define PROC_STRIDE (256ULL << 30)
#define PROC_OFFSET(p) (((p) % 1024) * PROC_STRIDE)

enum mix_op {
#define X(op) M_##op,
	MIX(X)
#undef X
	M_COUNT
};

/* The platform host of device d: the d-th name of device_hosts, or PREFIXd
 * for device_hosts = PREFIX*. */
static void device_host(const struct gen_spec *g, uint64_t d, char *out, size_t len)
{
	const char *h = g->device_hosts;
	size_t star = strcspn(h, "*");
	if (h[star] == '*' && !strchr(h, ',')) {
		snprintf(out, len, "%.*s%llu", (int)star, h, (unsigned long long)d);
		return;
	}
	for (uint64_t i = 0; i < d; i++)
		h += strcspn(h, ",") + 1;
	snprintf(out, len, "%.*s", (int)strcspn(h, ","), h);
}

struct proc_counts { uint64_t zero, ksm, munmap; }; /* ops per process that consume their own region */

static double gap(struct rng *r, int dist, double mean) { return dist == 1 ? rng_exponential(r, mean) : mean; }

static double mix_weight(const struct gen_spec *g, int m)
{
	const double w[M_COUNT] = {
#define X(op) g->mix_##op,
		MIX(X)
#undef X
	};
	return w[m];
}

static int pick_op(const struct gen_spec *g, struct rng *r)
{
	double total = 0;
	for (int m = 0; m < M_COUNT; m++)
		total += mix_weight(g, m);
	double x = rng_uniform(r) * total;
	for (int m = 0; m < M_COUNT; m++) {
		x -= mix_weight(g, m);
		if (x <= 0 && mix_weight(g, m) > 0)
			return m;
	}
	return M_write;
}

/* Counts, per process, the ops that use a region of their own, by running
 * each CPU thread's op choices once (same RNG streams as the writer). */
static void count_region_ops(const struct gen_spec *g, struct proc_counts *pc)
{
	for (uint64_t t = 0; t < (uint64_t)g->cpu_threads; t++) {
		struct rng r = {(uint64_t)g->seed * 1000003 + t};
		uint64_t p = t % (uint64_t)g->processes;
		for (uint64_t i = 0; i < (uint64_t)g->cpu_ops; i++) {
			gap(&r, g->cpu_arrivals, g->cpu_gap);
			int m = pick_op(g, &r);
			pc[p].zero += m == M_zero_fault;
			pc[p].ksm += m == M_ksm_merge;
			pc[p].munmap += m == M_munmap;
			rng_next(&r); /* the page choice */
		}
	}
}

static void write_header(const struct gen_spec *g, const struct proc_counts *pc, FILE *out)
{
	fprintf(out, "mnsim-trace 1\n# generated by mnsim gen; the spec:\n");
	for (size_t i = 0; i < N_KEYS; i++) {
		const void *slot = (const char *)g + keys[i].offset;
		if (keys[i].type == GK_STRING)
			fprintf(out, "#   %s = %s\n", keys[i].name, *(char *const *)slot);
		else if (keys[i].type == GK_CHOICE) {
			int idx = *(const int *)slot;
			const char *c = keys[i].choices;
			for (int k = 0; k < idx; k++)
				c += strcspn(c, ",") + 1;
			fprintf(out, "#   %s = %.*s\n", keys[i].name, (int)strcspn(c, ","), c);
		} else
			fprintf(out, "#   %s = %.12g\n", keys[i].name, *(const double *)slot);
	}
	fprintf(out, "param preempt_window %.0fps\nparam preempt_dist %s\n", g->window * 1e12, g->window_dist ? "exp" : "const");
	for (uint64_t p = 0; p < (uint64_t)g->processes; p++) {
		uint64_t o = PROC_OFFSET(p);
		fprintf(out, "process p%llu\n", (unsigned long long)p);
		fprintf(out, "map p%llu %#llx %lluK populate=cow\n", (unsigned long long)p, (unsigned long long)(MAIN_BASE + o),
			(unsigned long long)g->pages * 4);
		if (pc[p].zero)
			fprintf(out, "map p%llu %#llx %lluK populate=zero\n", (unsigned long long)p,
				(unsigned long long)(ZERO_BASE + o), (unsigned long long)pc[p].zero * 4);
		if (pc[p].ksm)
			fprintf(out, "map p%llu %#llx %lluK populate=zeroed\n", (unsigned long long)p,
				(unsigned long long)(KSM_BASE + o), (unsigned long long)pc[p].ksm * 8);
		if (pc[p].munmap)
			fprintf(out, "map p%llu %#llx %lluK populate=write\n", (unsigned long long)p,
				(unsigned long long)(BUF_BASE + o), (unsigned long long)(pc[p].munmap * g->munmap_pages * 4));
		fprintf(out, "map p%llu %#llx %lluK populate=write\n", (unsigned long long)p, (unsigned long long)(JIT_BASE + o),
			(unsigned long long)(JIT_SLICES * g->mprotect_pages * 4));
		if (g->huge_pages > 0)
			fprintf(out, "map p%llu %#llx %lluM huge populate=write\n", (unsigned long long)p,
				(unsigned long long)(HUGE_BASE + o), (unsigned long long)g->huge_pages * 2);
	}
	gen_device_decls(g, NULL, out);
	for (uint64_t t = 0; t < (uint64_t)g->cpu_threads; t++)
		fprintf(out, "cpu t%llu process=p%llu\n", (unsigned long long)t, (unsigned long long)(t % (uint64_t)g->processes));
	gen_devthread_decls(g, out);
}

void gen_device_decls(const struct gen_spec *g, const char *process, FILE *out)
{
	for (uint64_t d = 0; d < (uint64_t)g->devices; d++) {
		char h[80];
		device_host(g, d, h, sizeof h);
		if (process)
			fprintf(out, "device %s process=%s\n", h, process);
		else
			fprintf(out, "device %s process=p%llu\n", h, (unsigned long long)(d % (uint64_t)g->processes));
	}
}

void gen_devthread_decls(const struct gen_spec *g, FILE *out)
{
	for (uint64_t d = 0; d < (uint64_t)g->devices; d++) {
		char h[80];
		device_host(g, d, h, sizeof h);
		for (uint64_t k = 0; k < (uint64_t)g->device_threads; k++)
			fprintf(out, "devthread d%llu_%llu device=%s\n", (unsigned long long)d, (unsigned long long)k, h);
	}
}

static void write_cpu_stream(const struct gen_spec *g, uint64_t t, struct proc_counts *used, FILE *out)
{
	struct rng r = {(uint64_t)g->seed * 1000003 + t};
	uint64_t p = t % (uint64_t)g->processes, o = PROC_OFFSET(p);
	double now = 0;
	for (uint64_t i = 0; i < (uint64_t)g->cpu_ops; i++) {
		now += gap(&r, g->cpu_arrivals, g->cpu_gap);
		int m = pick_op(g, &r);
		uint64_t x = rng_next(&r);
		uint64_t page = MAIN_BASE + o + (x % (uint64_t)g->pages) * PAGE_SIZE;
		uint64_t huge = HUGE_BASE + o + (g->huge_pages > 0 ? x % (uint64_t)g->huge_pages : 0) * HUGE_SIZE;
		fprintf(out, "t%llu @%.0fps ", (unsigned long long)t, now * 1e12);
		switch (m) {
		case M_zero_fault:
			fprintf(out, "zero_fault %#llx\n", (unsigned long long)(ZERO_BASE + o + used[p].zero++ * PAGE_SIZE));
			break;
		case M_ksm_merge: {
			uint64_t a = KSM_BASE + o + used[p].ksm++ * 2 * PAGE_SIZE;
			fprintf(out, "ksm_merge %#llx %#llx\n", (unsigned long long)(a + PAGE_SIZE), (unsigned long long)a);
			break;
		}
		case M_munmap:
			fprintf(out, "munmap %#llx %lluK\n", (unsigned long long)(BUF_BASE + o + used[p].munmap++ * (uint64_t)g->munmap_pages * PAGE_SIZE),
				(unsigned long long)g->munmap_pages * 4);
			break;
		case M_mprotect:
			fprintf(out, "mprotect %#llx %lluK\n",
				(unsigned long long)(JIT_BASE + o + (x % JIT_SLICES) * (uint64_t)g->mprotect_pages * PAGE_SIZE),
				(unsigned long long)g->mprotect_pages * 4);
			break;
		case M_fork_wp: {
			/* a fork write-protects a 64-page slice (or the whole mapping if smaller) */
			uint64_t slice = g->pages >= 64 ? 64 : (uint64_t)g->pages;
			uint64_t start = MAIN_BASE + o + (x % ((uint64_t)g->pages / slice)) * slice * PAGE_SIZE;
			fprintf(out, "fork_wp %#llx %lluK\n", (unsigned long long)start, (unsigned long long)slice * 4);
			break;
		}
		case M_thp_split:
			fprintf(out, "thp_split %#llx\n", (unsigned long long)huge);
			break;
		case M_thp_migrate:
			/* NUMA balancing: the hint first, the migrating fault after it */
			fprintf(out, "numa_hint %#llx\nt%llu +0 thp_migrate %#llx\n", (unsigned long long)huge, (unsigned long long)t,
				(unsigned long long)huge);
			break;
		default: {
			static const char *const names[M_COUNT] = {
#define X(op) #op,
				MIX(X)
#undef X
			};
			fprintf(out, "%s %#llx\n", names[m], (unsigned long long)page);
		}
		}
	}
}

/* Zipf(s) over n pages: a cumulative table, sampled by bisection. */
static double *zipf_table(uint64_t n, double s)
{
	double *cdf = malloc(n * sizeof *cdf), sum = 0;
	if (!cdf)
		abort();
	for (uint64_t i = 0; i < n; i++)
		cdf[i] = (sum += 1.0 / pow((double)(i + 1), s));
	for (uint64_t i = 0; i < n; i++)
		cdf[i] /= sum;
	return cdf;
}

static uint64_t zipf_pick(const double *cdf, uint64_t n, struct rng *r)
{
	double u = rng_uniform(r);
	uint64_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint64_t mid = (lo + hi) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Device thread k of device d: device_ops accesses over n pages, the
 * page of index i at va(ctx, d, i). */
static void write_device_stream(const struct gen_spec *g, uint64_t d, uint64_t k, uint64_t n, const double *cdf,
				uint64_t (*va)(const void *ctx, uint64_t d, uint64_t i), const void *ctx, double start, FILE *out)
{
	struct rng r = {(uint64_t)g->seed * 7919 + d * 131 + k + 0x5eed};
	double now = start;
	for (uint64_t i = 0; i < (uint64_t)g->device_ops; i++) {
		now += gap(&r, g->device_arrivals, g->device_gap);
		uint64_t idx;
		switch (g->pattern) {
		case 0: idx = (i + k * n / ((uint64_t)g->device_threads + 1)) % n; break;
		case 2: idx = zipf_pick(cdf, n, &r); break;
		case 3: idx = (i * (uint64_t)g->stride + k) % n; break;
		default: idx = rng_next(&r) % n; break;
		}
		int write = rng_uniform(&r) <= g->write_ratio;
		fprintf(out, "d%llu_%llu @%.0fps %s %#llx\n", (unsigned long long)d, (unsigned long long)k, now * 1e12,
			write ? "write" : "read", (unsigned long long)va(ctx, d, idx));
	}
}

static uint64_t main_page(const void *ctx, uint64_t d, uint64_t i)
{
	const struct gen_spec *g = ctx;
	return MAIN_BASE + PROC_OFFSET(d % (uint64_t)g->processes) + i * PAGE_SIZE;
}

static uint64_t listed_page(const void *ctx, uint64_t d, uint64_t i)
{
	(void)d;
	return ((const uint64_t *)ctx)[i];
}

/* Every device thread's stream, one after the other. */
static void write_device_streams(const struct gen_spec *g, uint64_t n, uint64_t (*va)(const void *, uint64_t, uint64_t),
				 const void *ctx, double start, FILE *out)
{
	double *cdf = g->pattern == 2 ? zipf_table(n, g->zipf_s) : NULL;
	for (uint64_t d = 0; d < (uint64_t)g->devices && !ferror(out); d++)
		for (uint64_t k = 0; k < (uint64_t)g->device_threads && !ferror(out); k++)
			write_device_stream(g, d, k, n, cdf, va, ctx, start, out);
	free(cdf);
}

void gen_device_streams(const struct gen_spec *g, const uint64_t *pages, uint64_t n, double start, FILE *out)
{
	if (n)
		write_device_streams(g, n, listed_page, pages, start, out);
}

void gen_device_summary(const struct gen_spec *g, char *buf, size_t len)
{
	static const char *const patterns[] = {"sequential", "uniform", "zipf", "strided"};
	snprintf(buf, len, "devices=%g device_hosts=%s device_threads=%g device_ops=%g device_gap=%.0fps device_arrivals=%s "
		 "pattern=%s zipf_s=%g stride=%g write_ratio=%g seed=%g", g->devices, g->device_hosts, g->device_threads, g->device_ops,
		 g->device_gap * 1e12, g->device_arrivals ? "exp" : "const", patterns[g->pattern], g->zipf_s, g->stride, g->write_ratio, g->seed);
}

double gen_device_gap(const struct gen_spec *g) { return g->device_gap; }
double gen_device_ops(const struct gen_spec *g) { return g->device_ops; }
double gen_devices(const struct gen_spec *g) { return g->devices; }

int gen_write(const struct gen_spec *g, FILE *out, char *err, size_t errlen)
{
	struct proc_counts *pc = calloc((size_t)g->processes, sizeof *pc), *used = calloc((size_t)g->processes, sizeof *used);
	if (!pc || !used)
		abort();
	count_region_ops(g, pc);
	for (uint64_t p = 0; p < (uint64_t)g->processes; p++) {
		if (pc[p].munmap * (uint64_t)g->munmap_pages * PAGE_SIZE > REGION_SPAN ||
		    pc[p].ksm * 2 * PAGE_SIZE > REGION_SPAN || pc[p].zero * PAGE_SIZE > REGION_SPAN) {
			snprintf(err, errlen, "process p%llu needs more than 16 GiB for its munmap, ksm or zero_fault pages: "
					      "lower cpu_ops or munmap_pages", (unsigned long long)p);
			free(pc);
			free(used);
			return -1;
		}
	}
	/* a write that failed (a full disk) stops the writing at the next stream */
	write_header(g, pc, out);
	for (uint64_t t = 0; t < (uint64_t)g->cpu_threads && !ferror(out); t++)
		write_cpu_stream(g, t, used, out);
	write_device_streams(g, (uint64_t)g->pages, main_page, g, 0, out);
	int e = errno;
	free(pc);
	free(used);
	if (ferror(out)) {
		snprintf(err, errlen, "%s", outfile_no_space(e) ? outfile_no_space(e) : strerror(e));
		return -2;
	}
	return 0;
}
