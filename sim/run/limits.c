/* limits: see limits.h. */
#include "limits.h"
#include "textutil.h"
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#define GIB (1024.0 * 1024 * 1024)

long limits_read_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	for (int c; f && (c = getc(f)) != EOF;)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

int limits_check(const struct trace_header *t, long actors, long stack_kib, char *err, size_t errlen)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	double memory = pages > 0 && page > 0 ? (double)pages * (double)page : 1e300, populated = 0;
	const char *which = "this machine's memory";
	struct rlimit r;
	if (getrlimit(RLIMIT_DATA, &r) == 0 && r.rlim_cur != RLIM_INFINITY && (double)r.rlim_cur < memory)
		memory = (double)r.rlim_cur, which = "the data-size limit (ulimit -d)";
	for (size_t i = 0; i < t->n_maps; i++) {
		const struct trace_map *m = &t->maps[i];
		if (m->populate == POP_NONE)
			continue;
		populated += (double)m->size / (m->huge ? HUGE_SIZE : PAGE_SIZE) * LIMITS_PAGE_BYTES;
		if (populated > memory)
			return failf(err, errlen, "%s:%d: the mappings populated up to this one hold %.0f pages, which take about %.1f GiB "
						  "of model memory (%d bytes a page): more than %s (%.1f GiB)",
				     t->path, m->line, populated / LIMITS_PAGE_BYTES, populated / GIB, LIMITS_PAGE_BYTES, which, memory / GIB);
	}
	/* SimGrid gives each actor a stack and a guard page: two maps; the
	 * libraries, malloc and HDF5 take a few hundred more */
	long max_maps = limits_read_number("/proc/sys/vm/max_map_count");
	long maps = count_lines("/proc/self/maps") + 2 * actors + 512;
	if (max_maps > 0 && maps > max_maps)
		return failf(err, errlen, "the trace needs %ld SimGrid actors (one per stream, two per device, a few per IOMMU), "
					  "which take about %ld memory maps: more than vm.max_map_count=%ld allows; raise it "
					  "(sysctl -w vm.max_map_count=%ld) or use fewer streams",
			     actors, maps, max_maps, maps + maps / 4);
	/* under ulimit -v, what is mapped counts, used or not: the libraries,
	 * the stacks, and the pages, twice (the page table's arrays double as
	 * they grow), and the result buffers and HDF5's caches */
	if (getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY) {
		long vm_pages = limits_read_number("/proc/self/statm");
		double mapped = vm_pages > 0 ? (double)vm_pages * (double)page : 0;
		double stacks = (double)actors * ((double)stack_kib * 1024 + (double)page);
		double need = mapped + stacks + 2 * populated + 64 * 1024.0 * 1024;
		if (need > (double)r.rlim_cur)
			return failf(err, errlen, "the run needs about %.2f GiB of address space (%.2f GiB mapped already, %.2f GiB for the "
						  "stacks of %ld SimGrid actors, %.2f GiB for the populated pages as they are built, "
						  "0.06 GiB for results): more than the address-space limit (ulimit -v, %.2f GiB) allows",
				     need / GIB, mapped / GIB, stacks / GIB, actors, 2 * populated / GIB, (double)r.rlim_cur / GIB);
	}
	return 0;
}
