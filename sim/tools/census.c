/* census: see census.h. */
#include "census.h"
#include "h5read.h"
#include "isolate.h"
#include "kernel_ops.h"
#include "kversion.h"
#include "params.h"
#include "policy.h"
#include "textutil.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How each op is run: its mappings ("P" is its process; "C" a forked child)
 * and its lines ("T" and "U" are two CPU threads of that process); the
 * measured op is the last op of its kind. */
static const struct { enum op_kind op; const char *maps, *lines; } scenarios[] = {
	{OP_COW, "map P 0x10000000 4K populate=cow", "T @10us cow 0x10000000"},
	{OP_ZERO_FAULT, "map P 0x10000000 4K populate=zero", "T @10us zero_fault 0x10000000"},
	{OP_THP_COW, "map P 0x40000000 2M huge populate=cow", "T @10us thp_cow 0x40000000"},
	{OP_HUGETLB_COW, "map P 0x40000000 2M huge populate=cow", "T @10us hugetlb_cow 0x40000000"},
	{OP_REPLACE_PAGE, "map P 0x10000000 4K populate=write", "T @10us replace_page 0x10000000"},
	{OP_MUNMAP, "map P 0x10000000 64K populate=write", "T @10us munmap 0x10000000 64K"},
	{OP_MADV_FREE, "map P 0x10000000 64K populate=write", "T @10us madv_free 0x10000000 64K"},
	{OP_RECLAIM, "map P 0x10000000 4K populate=write", "T @10us reclaim 0x10000000"},
	{OP_MIGRATE, "map P 0x10000000 4K populate=write", "T @10us migrate 0x10000000"},
	{OP_NUMA_HINT, "map P 0x40000000 2M huge populate=write", "T @10us numa_hint 0x40000000"},
	/* the NUMA fault comes while numa_hint's flush is pending */
	{OP_THP_MIGRATE, "map P 0x40000000 2M huge populate=write",
	 "T @10us numa_hint 0x40000000 window=200us\nU @20us thp_migrate 0x40000000"},
	{OP_MPROTECT, "map P 0x10000000 64K populate=write", "T @10us mprotect 0x10000000 64K"},
	{OP_FORK_WP, "map P 0x10000000 64K populate=write", "T @10us fork_wp 0x10000000 64K"},
	/* into an existing KSM page: the first merge makes 0x10001000 one */
	{OP_KSM_MERGE, "map P 0x10000000 12K populate=zeroed",
	 "T @10us ksm_merge 0x10000000 0x10001000\nT @200us ksm_merge 0x10002000 0x10001000"},
	{OP_THP_SPLIT, "map P 0x40000000 2M huge populate=write", "T @10us thp_split 0x40000000"},
	/* trace format 2: the ops of real programs */
	{OP_MMAP, "map P 0x10000000 64K populate=write", "T @10us mmap 0x10000000 64K"}, /* MAP_FIXED over a mapping */
	{OP_BRK, "map P 0x10000000 64K populate=write", "T @10us brk 0x10010000 0x10000000"}, /* shrinks by 16 pages */
	{OP_MREMAP, "map P 0x10000000 64K populate=write", "T @10us mremap 0x10000000 64K 0x20000000 64K"},
	{OP_MADV_DONTNEED, "map P 0x10000000 64K populate=write", "T @10us madv_dontneed 0x10000000 64K"},
	{OP_MPROTECT_RW, "map P 0x10000000 64K populate=write",
	 "T @10us mprotect 0x10000000 64K\nT @20us mprotect_rw 0x10000000 64K"},
	{OP_FORK, "map P 0x10000000 64K populate=write\nprocess C forked", "T @10us fork C"},
	{OP_EXIT, "map P 0x10000000 64K populate=write", "T @10us exit"},
	/* a write fault on an exclusive page mprotect made read-only */
	{OP_WP_REUSE, "map P 0x10000000 4K populate=write",
	 "T @10us mprotect 0x10000000 4K\nT @20us mprotect_rw 0x10000000 4K\nT @30us write 0x10000000"},
};
#define N_SCENARIOS (sizeof scenarios / sizeof scenarios[0])

/* Copies text with P, T, U, C replaced by p<i>, t<i>, u<i>, c<i> (only where
 * a name stands: at the start of a line or after a space). */
static void expand(FILE *f, const char *text, size_t i)
{
	for (const char *c = text; *c; c++) {
		int at_word = c == text || c[-1] == '\n' || c[-1] == ' ';
		if (at_word && strchr("PTUC", *c) && (c[1] == ' ' || c[1] == '\0' || c[1] == '\n'))
			fprintf(f, "%c%zu", *c - 'A' + 'a', i);
		else
			fputc(*c, f);
	}
	fputc('\n', f);
}

static int write_files(const char *trace, const char *platform)
{
	FILE *f = fopen(platform, "w");
	if (!f)
		return -1;
	fprintf(f, "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
		   "<platform version=\"4.1\">\n  <zone id=\"census\" routing=\"Full\">\n"
		   "    <host id=\"iommu0\" speed=\"1Gf\"><prop id=\"role\" value=\"iommu\"/></host>\n");
	for (int k = 0; k < 4; k++)
		fprintf(f, "    <host id=\"cpu%d\" speed=\"1Gf\"><prop id=\"role\" value=\"cpu\"/></host>\n", k);
	/* SimGrid wants the hosts, then the links, then the routes */
	for (size_t i = 0; i < N_SCENARIOS; i++)
		fprintf(f, "    <host id=\"dev%zu\" speed=\"1Gf\"><prop id=\"role\" value=\"device\"/><prop id=\"iommu\" "
			   "value=\"iommu0\"/></host>\n", i);
	for (size_t i = 0; i < N_SCENARIOS; i++)
		fprintf(f, "    <link id=\"l%zu\" bandwidth=\"16GBps\" latency=\"500ns\"/>\n", i);
	for (size_t i = 0; i < N_SCENARIOS; i++)
		fprintf(f, "    <route src=\"dev%zu\" dst=\"iommu0\"><link_ctn id=\"l%zu\"/></route>\n", i, i);
	fprintf(f, "  </zone>\n</platform>\n");
	int rc = fclose(f);
	if (rc != 0 || !(f = fopen(trace, "w")))
		return -1;
	fprintf(f, "mnsim-trace 2\n"); /* format 2: the ops of real programs too */
	for (size_t i = 0; i < N_SCENARIOS; i++) {
		fprintf(f, "process p%zu\n", i);
		expand(f, scenarios[i].maps, i);
		fprintf(f, "device dev%zu process=p%zu\ncpu t%zu process=p%zu\ncpu u%zu process=p%zu\n", i, i, i, i, i, i);
	}
	for (size_t i = 0; i < N_SCENARIOS; i++)
		expand(f, scenarios[i].lines, i);
	return fclose(f) == 0 ? 0 : -1;
}

static int temp_path(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "/tmp/mnsim-census-%s-XXXXXX", what);
	int fd = mkstemp(buf);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Reads the run back: per scenario, the last op of its kind on its threads. */
static int read_back(const char *path, struct census_cell cells[OP_COUNT], char *err, size_t errlen)
{
	struct h5in *f = h5in_open(path, err, errlen);
	if (!f)
		return -1;
	double *id = NULL, *kind = NULL, *cpu = NULL, *skipped = NULL, *desc = NULL, *nop = NULL, *where = NULL, *pages = NULL;
	char *names = NULL;
	long n = h5in_column(f, "ops", "id", &id), n2 = h5in_column(f, "notifications", "op_id", &nop);
	long streams = h5in_strings(f, "streams", "name", 32, &names);
	int rc = -1;
	if (n < 0 || n2 < 0 || streams < 0 || h5in_column(f, "ops", "kind", &kind) != n || h5in_column(f, "ops", "cpu", &cpu) != n ||
	    h5in_column(f, "ops", "skipped", &skipped) != n || h5in_column(f, "notifications", "where", &where) != n2 ||
	    h5in_column(f, "notifications", "descriptors", &desc) != n2 || h5in_column(f, "notifications", "pages", &pages) != n2) {
		failf(err, errlen, "%s: not the /ops and /notifications the census expects", path);
		goto out;
	}
	for (size_t i = 0; i < N_SCENARIOS; i++) {
		long row = -1;
		for (long r = 0; r < n; r++) {
			long st = (long)cpu[r];
			if ((int)kind[r] != (int)scenarios[i].op || st < 0 || st >= streams)
				continue;
			const char *name = names + 32 * st;
			if ((name[0] == 't' || name[0] == 'u') && strtoul(name + 1, NULL, 10) == i)
				row = r;
		}
		struct census_cell *c = &cells[scenarios[i].op];
		memset(c, 0, sizeof *c);
		if (row < 0)
			continue;
		c->measured = 1;
		c->skipped = (unsigned)skipped[row];
		for (long k = 0; k < n2; k++) {
			if (nop[k] != id[row])
				continue;
			c->irs++;
			c->descriptors += (unsigned)desc[k];
			c->whole += pages[k] >= (double)(UINT64_MAX / 4096);
			unsigned *w[] = {&c->under_ptl, &c->range_end, &c->gather, &c->other};
			(*w[(int)where[k] >= 0 && (int)where[k] <= 3 ? (int)where[k] : 3])++;
		}
	}
	rc = 0;
out:
	free(id), free(kind), free(cpu), free(skipped), free(desc), free(nop), free(where), free(pages), free(names);
	h5in_close(f);
	return rc;
}

int census_run(const char *policy, const char *kernel, const char *const *params, struct census_cell cells[OP_COUNT],
	       char *err, size_t errlen)
{
	char trace[64], platform[64], out[64];
	memset(cells, 0, OP_COUNT * sizeof *cells);
	if (temp_path(trace, sizeof trace, "trace") || temp_path(platform, sizeof platform, "platform") ||
	    temp_path(out, sizeof out, "run"))
		return failf(err, errlen, "cannot create temporary files in /tmp");
	int rc = -1;
	if (write_files(trace, platform) != 0) {
		failf(err, errlen, "cannot write %s or %s", trace, platform);
		goto out;
	}
	struct run_config cfg = {.trace_path = trace, .platform_path = platform, .policy = policy, .out_path = out, .seed = 1};
	if (param_settings_add(&cfg.sets, "kernel", kernel, err, errlen) != 0)
		goto out_sets;
	for (size_t i = 0; params && params[i]; i++) {
		char name[64];
		const char *eq = strchr(params[i], '=');
		if (!eq || (size_t)(eq - params[i]) >= sizeof name) {
			failf(err, errlen, "'%s': expected NAME=VALUE", params[i]);
			goto out_sets;
		}
		snprintf(name, sizeof name, "%.*s", (int)(eq - params[i]), params[i]);
		if (param_settings_add(&cfg.sets, name, eq + 1, err, errlen) != 0)
			goto out_sets;
	}
	struct summary sum;
	if (sim_run_isolated(&cfg, &sum, err, errlen) != 0) {
		if (!err[0])
			failf(err, errlen, "the census run of %s at kernel %s failed (see above)", policy, kernel);
		goto out_sets;
	}
	rc = read_back(out, cells, err, errlen);
out_sets:
	param_settings_free(&cfg.sets);
out:
	remove(trace);
	remove(platform);
	remove(out);
	return rc;
}

const char *census_format(const struct census_cell *c, char *buf, size_t len)
{
	if (!c->measured) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf, len, "%u=%u+%u+%u", c->irs, c->under_ptl, c->range_end, c->gather);
	if (c->other)
		snprintf(buf + strlen(buf), len - strlen(buf), "+%u", c->other);
	if (c->whole)
		snprintf(buf + strlen(buf), len - strlen(buf), "*");
	if (c->skipped)
		snprintf(buf + strlen(buf), len - strlen(buf), "!");
	return buf;
}

static int in_range(const struct policy *pol, const struct kversion *v)
{
	return v->code >= pol->kernel_min && v->code <= pol->kernel_max;
}

/* The kernel code of op k at version v ("" if none). */
static const char *source_at(enum op_kind k, const struct kversion *v, const char **commit)
{
	struct params p;
	char err[256];
	params_defaults(&p); /* thp_migrate_fix=auto: the version's */
	if (params_set(&p, "kernel", v->name, err, sizeof err) != 0)
		return "";
	const char *s = kernel_op_source(k, &p, commit);
	return s ? s : "";
}

int census_print(FILE *out, char *err, size_t errlen)
{
	fprintf(out, "invalidate_range (IR) calls per kernel op, measured by running every op once per policy and kernel\n"
		     "version (one process and one bound ATS device per op, intel-svm driver).  A cell is\n"
		     "  IRs = under the ptl + at range_end + at an mmu_gather flush [+ elsewhere]\n"
		     "with * if one of them is IR(0, -1), the whole address space, and ! if the op gave up.\n"
		     "Each op works on one page (2 MiB for thp_*, hugetlb_cow and numa_hint), 16 present pages for\n"
		     "munmap, madv_free, mprotect and fork_wp; thp_migrate runs in a numa_hint's preemption window\n"
		     "(a TLB flush pending); ksm_merge merges into an existing KSM page.  Format 2's ops: mmap over a\n"
		     "16-page mapping, brk shrinking it by 16 pages, mremap moving 16 pages, madv_dontneed of 16, mprotect_rw\n"
		     "after an mprotect of 16, fork and exit of a process with 16 pages, and wp_reuse: a write to an\n"
		     "exclusive page after mprotect and mprotect_rw (none at 6.6, which makes it writable at once).\n");
	for (size_t i = 0; i < policy_count(); i++) {
		const struct policy *pol = policy_at(i);
		const struct kversion *vs[16];
		size_t nv = 0;
		for (size_t k = 0; k < kversion_count() && nv < 16; k++)
			if (in_range(pol, kversion_at(k)))
				vs[nv++] = kversion_at(k);
		static struct census_cell cells[16][OP_COUNT];
		for (size_t k = 0; k < nv; k++)
			if (census_run(pol->name, vs[k]->name, NULL, cells[k], err, errlen) != 0)
				return -1;
		fprintf(out, "\n%s (%s; kernel %s, default %s)\n  %-14s", pol->name, pol->models, pol->kernel_range,
			pol->kernel_default, "op");
		for (size_t k = 0; k < nv; k++)
			fprintf(out, " %-10s", vs[k]->name);
		fprintf(out, "\n");
		for (int op = 0; op < OP_COUNT; op++) {
			if (!op_info(op)->kernel)
				continue;
			fprintf(out, "  %-14s", op_info(op)->name);
			for (size_t k = 0; k < nv; k++) {
				char cell[32];
				fprintf(out, " %-10s", census_format(&cells[k][op], cell, sizeof cell));
			}
			fprintf(out, "\n");
		}
	}
	fprintf(out, "\nkernel code each op follows, from the version named on:\n");
	for (int op = 0; op < OP_COUNT; op++) {
		if (!op_info(op)->kernel)
			continue;
		const char *last = NULL;
		for (size_t k = 0; k < kversion_count(); k++) {
			const char *commit, *src = source_at(op, kversion_at(k), &commit);
			if (last && strcmp(last, src) == 0)
				continue;
			fprintf(out, "  %-14s %-5s %s%s%s%s\n", last ? "" : op_info(op)->name, kversion_at(k)->name, src,
				commit ? " [" : "", commit ? commit : "", commit ? "]" : "");
			last = src;
		}
	}
	fprintf(out, "\nkernel versions (--set kernel=VERSION; auto: the policy's default):\n");
	for (size_t k = 0; k < kversion_count(); k++)
		fprintf(out, "  %-5s %s\n", kversion_at(k)->name, kversion_at(k)->changes);
	fprintf(out, "\nnote: madv_free needs its IR in the kernel for dirty-bit tracking; the model has no dirty\n"
		     "bits, so the checker cannot tell whether that IR was needed.\n");
	return 0;
}
