/* Simulation tests: whole runs on small traces, checked against what the
 * parameters imply (exact costs), for determinism, for HDF5 content and for
 * bad input.  Every run happens in a child process, as in mnsim. */
#include "check.h"
#include "params.h"
#include "rng.h"
#include "isolate.h"
#include "sim.h"
#include "simrun.h"
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINK_ONE_WAY (500e-9 + 1e-9) /* tests/data/exact.xml: 16 bytes at 16 GB/s after 500 ns */

static double ir_cost(const struct params *p)
{
	/* intel_invalidate_range for one page on one ATS device: an IOTLB
	 * descriptor and its wait, then a device-TLB descriptor whose wait
	 * completes when the device's answer has crossed the link both ways;
	 * each submission's CPU time besides */
	return p->ir_overhead + 2 * p->qi_submit_overhead + p->qi_iotlb_latency + p->qi_wait_latency +
	       p->qi_devtlb_issue_latency + 2 * LINK_ONE_WAY + p->ats_inv_latency;
}

/* N independent COW faults with one bound ATS device: double makes exactly
 * twice the IRs of only_end, and each op costs exactly one IR more. */
static void test_cow_double_vs_only_end(void)
{
	char text[4096] = "mnsim-trace 1\nprocess p0\nmap p0 0x10000000 32K populate=cow\ndevice dev0 process=p0\ncpu t0 process=p0\n";
	for (int i = 0; i < 8; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "t0 @%dus cow 0x%x\n", 1 + 20 * i, 0x10000000 + i * 4096);
	const char *trace = write_trace(text);
	struct summary dbl, only;
	CHECK(run(trace, DATA "exact.xml", "double", NULL, &dbl, NULL) == 0);
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &only, NULL) == 0);
	struct params p;
	params_defaults(&p);
	CHECK(get(&only, "notifications") == 8);
	CHECK(get(&dbl, "notifications") == 2 * get(&only, "notifications"));
	CHECK(get(&dbl, "notifications_under_ptl") == 8 && get(&dbl, "notifications_range_end") == 8);
	CHECK_EQ_DBL(get(&only, "notify_latency_mean"), ir_cost(&p), 1e-15);
	CHECK_EQ_DBL(get(&dbl, "op_latency_mean") - get(&only, "op_latency_mean"), ir_cost(&p), 1e-15);
	/* wp_page_copy under only_end: alloc, copy, clear the PTE, flush + IR under the ptl, set the PTE */
	double cow = p.page_alloc_latency + p.copy_latency + p.pte_update_latency + p.cpu_tlb_flush_latency + ir_cost(&p) +
		     p.pte_update_latency;
	CHECK_EQ_DBL(get(&only, "op_latency_p99"), cow, 1e-15);
	CHECK_EQ_DBL(get(&only, "ptl_hold_p99"), p.pte_update_latency + p.cpu_tlb_flush_latency + ir_cost(&p) + p.pte_update_latency, 1e-15);
	CHECK(get(&dbl, "descriptors") == 4 * 16); /* 16 IRs x (IOTLB + wait + device-TLB + wait) */
	unlink(trace);
}

/* A device translation costs what the platform says: the link both ways
 * (CM02: latency + size/bandwidth, no TCP factors) plus the IOTLB lookup and
 * the walk on a miss; without ATS the second access hits the IOTLB. */
static void test_translation_cost_matches_platform(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 8K populate=write\n"
					"device dev0 process=p0\ndevice dev1 process=p0\n"
					"devthread d0 device=dev0\ndevthread d1 device=dev1\n"
					"d0 @1us read 0x10000000\nd1 @100us read 0x10001000\nd1 @200us read 0x10001000\n");
	struct summary s;
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &s, NULL) == 0);
	struct params p;
	params_defaults(&p);
	double miss = 2 * LINK_ONE_WAY + p.iotlb_lookup_latency + p.walk_levels * p.walk_latency;
	double hit = 2 * LINK_ONE_WAY + p.iotlb_lookup_latency;
	CHECK_EQ_DBL(get(&s, "device_stall_time"), miss + miss + hit, 1e-15);
	CHECK(get(&s, "iotlb_misses") == 2 && get(&s, "iotlb_hits") == 1);
	CHECK(get(&s, "atc_misses") == 1);
	unlink(trace);
}

static int same_bytes(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	while (same) {
		int ca = fgetc(fa), cb = fgetc(fb);
		same = ca == cb;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void test_deterministic_hdf5(void)
{
	struct summary s1, s2, s3;
	const char *t = LITMUS "02-munmap-gather-reuse.trace";
	CHECK(run(t, DATA "exact.xml", "unsafe_end", "/tmp/mnsim-det-1.h5", &s1, "preempt_dist=exp") == 0);
	sleep(1); /* a stored time would now differ */
	CHECK(run(t, DATA "exact.xml", "unsafe_end", "/tmp/mnsim-det-2.h5", &s2, "preempt_dist=exp") == 0);
	CHECK(same_bytes("/tmp/mnsim-det-1.h5", "/tmp/mnsim-det-2.h5"));
	struct run_config cfg = {.trace_path = t, .platform_path = DATA "exact.xml", .policy = "unsafe_end", .seed = 2};
	char err[256];
	CHECK(param_settings_add(&cfg.sets, "preempt_dist", "exp", err, sizeof err) == 0);
	CHECK(sim_run_isolated(&cfg, &s3, err, sizeof err) == 0);
	CHECK(get(&s3, "sim_time") != get(&s1, "sim_time")); /* the seed matters */
	param_settings_free(&cfg.sets);
	unlink("/tmp/mnsim-det-1.h5");
	unlink("/tmp/mnsim-det-2.h5");
}

static double read_attr(hid_t file, const char *obj, const char *name)
{
	double v = NAN;
	hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
		fprintf(stderr, "cannot read attribute %s/%s\n", obj, name);
	if (a >= 0)
		H5Aclose(a);
	return v;
}

static long rows(hid_t file, const char *dset)
{
	hsize_t n = 0;
	hid_t d = H5Dopen2(file, dset, H5P_DEFAULT), sp = d >= 0 ? H5Dget_space(d) : -1;
	if (sp < 0 || H5Sget_simple_extent_dims(sp, &n, NULL) != 1)
		return -1;
	H5Sclose(sp);
	H5Dclose(d);
	return (long)n;
}

/* The file holds what the run counted: summary attributes, one /ops row per
 * kernel op, one /notifications row per IR, one /violations row each, with
 * the right types. */
static void test_hdf5_content(void)
{
	struct summary s;
	const char *out = "/tmp/mnsim-content.h5";
	CHECK(run(LITMUS "01-seed-cow-order.trace", DATA "exact.xml", "unsafe_end", out, &s, NULL) == 0);
	hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
	CHECK(f >= 0);
	if (f < 0)
		return;
	CHECK(read_attr(f, "summary", "notifications") == get(&s, "notifications"));
	CHECK(read_attr(f, "summary", "violations") == 2);
	CHECK(read_attr(f, "config", "qi_depth") == 256);
	CHECK(rows(f, "ops") == (long)get(&s, "kernel_ops"));
	CHECK(rows(f, "notifications") == (long)get(&s, "notifications"));
	CHECK(rows(f, "violations") == 2);
	CHECK(rows(f, "devices") == 1 && rows(f, "iommus") == 1);
	CHECK(rows(f, "qi_occupancy") > 0);
	/* the violation types, in time order: stale_read (1) then order_violation (3) */
	int32_t types[2] = {-1, -1};
	hid_t d = H5Dopen2(f, "violations", H5P_DEFAULT);
	hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(int32_t));
	H5Tinsert(mt, "type", 0, H5T_NATIVE_INT32);
	CHECK(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, types) >= 0);
	CHECK(types[0] == 1 && types[1] == 3);
	H5Tclose(mt);
	H5Dclose(d);
	H5Fclose(f);
	unlink(out);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void expect_failure(const char *trace, const char *platform, const char *fragment)
{
	struct run_config cfg = {.trace_path = trace, .platform_path = platform, .policy = "double",
				 .out_path = "/tmp/mnsim-bad.h5", .seed = 1};
	struct summary s;
	char err[1024] = "";
	unlink(cfg.out_path);
	fflush(NULL);
	/* the child prints the reason on stderr; capture it */
	FILE *saved = fopen("/tmp/mnsim-bad.err", "w");
	int fd = dup(2);
	dup2(fileno(saved), 2);
	int rc = sim_run_isolated(&cfg, &s, err, sizeof err);
	fflush(NULL);
	dup2(fd, 2);
	close(fd);
	fclose(saved);
	char msg[4096] = "";
	FILE *in = fopen("/tmp/mnsim-bad.err", "r");
	size_t n = fread(msg, 1, sizeof msg - 1, in);
	msg[n] = '\0';
	fclose(in);
	CHECK(rc != 0);
	CHECK_CONTAINS(msg, fragment);
	CHECK(!exists(cfg.out_path));
	char tmp[128];
	snprintf(tmp, sizeof tmp, "ls %s.tmp.* >/dev/null 2>&1", cfg.out_path);
	CHECK(system(tmp) != 0); /* no temporary left either */
}

static void test_bad_inputs_leave_nothing(void)
{
	const char *good = LITMUS "01-seed-cow-order.trace";
	expect_failure(good, DATA "not-xml.xml", "not-xml.xml:1: text outside the root element");
	expect_failure(good, DATA "unknown-prop.xml", "property 'qi_dept' is not a");
	const char *t = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x1000 4K\ndevice dev9 process=p0\ncpu t0 process=p0\n");
	expect_failure(t, DATA "exact.xml", ":4: device 'dev9' is not a host with role=device");
	unlink(t);
	t = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x1000 4K\ncpu t0 process=p0\nt0 @1us rd 0x1000\n");
	expect_failure(t, DATA "exact.xml", ":5: unknown operation 'rd'");
	unlink(t);
}

/* Four CPUs notify at once (pages in different page tables, so different
 * ptls) for a PASID with two ATS devices: with a 4-slot
 * queue only one synchronous submission fits, so submitters stall; with the
 * Linux depth they never do. */
static void test_qi_full_stalls(void)
{
	char text[2048] = "mnsim-trace 1\nprocess p0\nmap p0 0x10000000 8M populate=cow\n"
			  "device dev0 process=p0\ndevice dev2 process=p0\n";
	for (int i = 0; i < 4; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "cpu t%d process=p0\n", i);
	for (int i = 0; i < 4; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "t%d @1us cow 0x%x\n", i, 0x10000000 + i * 0x200000);
	const char *trace = write_trace(text);
	struct summary small, big;
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &small, "qi_depth=4") == 0);
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &big, NULL) == 0);
	CHECK(get(&small, "qi_full_stalls") > 0 && get(&small, "qi_stall_time") > 0);
	CHECK(get(&small, "qi_max_used") <= 4);
	CHECK(get(&big, "qi_full_stalls") == 0 && get(&big, "qi_stall_time") == 0);
	CHECK(get(&small, "op_latency_max") > get(&big, "op_latency_max"));
	unlink(trace);
}


/* Reads one numeric field of every row of a compound dataset into a new
 * array of doubles; *n gets the row count. */
static double *read_column(hid_t file, const char *dset, const char *field, hid_t type, size_t size, long *n)
{
	*n = rows(file, dset);
	double *out = calloc((size_t)(*n > 0 ? *n : 1), sizeof *out);
	char *raw = calloc((size_t)(*n > 0 ? *n : 1), size);
	hid_t d = H5Dopen2(file, dset, H5P_DEFAULT), mt = H5Tcreate(H5T_COMPOUND, size);
	H5Tinsert(mt, field, 0, type);
	if (*n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
		fprintf(stderr, "cannot read %s.%s\n", dset, field);
	for (long i = 0; i < *n; i++) {
		if (type == H5T_NATIVE_DOUBLE)
			out[i] = ((double *)raw)[i];
		else if (type == H5T_NATIVE_INT32)
			out[i] = ((int32_t *)raw)[i];
		else if (type == H5T_NATIVE_UINT32)
			out[i] = ((uint32_t *)raw)[i];
		else if (type == H5T_NATIVE_INT64)
			out[i] = (double)((int64_t *)raw)[i];
		else
			out[i] = (double)((uint64_t *)raw)[i];
	}
	H5Tclose(mt);
	H5Dclose(d);
	free(raw);
	return out;
}

static double field_u64(const char *path, const char *dset, const char *field, long row)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	long n;
	double *col = read_column(f, dset, field, H5T_NATIVE_UINT64, sizeof(uint64_t), &n);
	double v = row < n ? col[row] : NAN;
	free(col);
	H5Fclose(f);
	return v;
}

/* Poisson arrivals of single-descriptor invalidations (one IOTLB descriptor
 * and its wait; deterministic service S = qi_iotlb_latency + qi_wait_latency)
 * at the queue: the mean wait before service is M/D/1's
 * rho S / (2 (1 - rho)) (Pollaczek-Khinchine), and Little's law holds
 * between the mean number of submissions in the queue, the arrival rate and
 * the mean time in the queue. */
static void md1_at_load(double rho)
{
	struct params p;
	params_defaults(&p);
	const double S = p.qi_iotlb_latency + p.qi_wait_latency, lambda = rho / S;
	const int arrivals = 20000, streams = 64;
	FILE *f = fopen("/tmp/mnsim-md1.trace", "w");
	fprintf(f, "mnsim-trace 1\nprocess p0\nmap p0 0x10000000 %dK populate=write\ndevice dev1 process=p0\n", 4 * arrivals);
	for (int k = 0; k < streams; k++)
		fprintf(f, "cpu t%d process=p0\n", k);
	struct rng r = {12345};
	double t = 1e-6;
	for (int j = 0; j < arrivals; j++) {
		t += rng_exponential(&r, 1 / lambda);
		/* reclaim notifies once (range_end) under unsafe_end, outside any lock */
		fprintf(f, "t%d @%.0fps reclaim 0x%x\n", j % streams, t * 1e12, 0x10000000 + j * 4096);
	}
	fclose(f);
	struct summary s;
	const char *out = "/tmp/mnsim-md1.h5";
	CHECK(run("/tmp/mnsim-md1.trace", DATA "exact.xml", "unsafe_end", out, &s,
		  "cpu_tlb_flush_latency=0,pte_update_latency=0,reclaim_free_delay=0") == 0);
	hid_t h = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
	long n, m;
	double *type = read_column(h, "qi_descriptors", "type", H5T_NATIVE_INT32, 4, &n);
	double *sub = read_column(h, "qi_descriptors", "submitted", H5T_NATIVE_DOUBLE, 8, &n);
	double *start = read_column(h, "qi_descriptors", "started", H5T_NATIVE_DOUBLE, 8, &n);
	double *done = read_column(h, "qi_descriptors", "completed", H5T_NATIVE_DOUBLE, 8, &n);
	double *ot = read_column(h, "qi_occupancy", "time", H5T_NATIVE_DOUBLE, 8, &m);
	double *used = read_column(h, "qi_occupancy", "used", H5T_NATIVE_UINT32, 4, &m);
	double wait = 0, sojourn = 0;
	long count = 0;
	for (long i = 0; i < n; i++) {
		if (type[i] == 0) { /* the IOTLB descriptor: its wait in the queue */
			wait += start[i] - sub[i];
			count++;
		} else if (type[i] == 3) { /* the wait descriptor: the submission's time in the queue */
			sojourn += done[i] - sub[i];
		}
	}
	CHECK(count == arrivals);
	wait /= (double)count;
	sojourn /= (double)count;
	double expected = rho * S / (2 * (1 - rho));
	printf("  rho %.2f: mean wait %.2f ns, M/D/1 %.2f ns (%+.1f%%)\n", rho, wait * 1e9, expected * 1e9,
	       100 * (wait - expected) / expected);
	CHECK_EQ_DBL(wait, expected, 0.05 * expected);
	/* Little: time-average submissions in the queue (2 slots each) = arrival rate x time in queue */
	double area = 0, span = ot[m - 1] - ot[0];
	for (long i = 0; i + 1 < m; i++)
		area += used[i] / 2 * (ot[i + 1] - ot[i]);
	double L = area / span, little = (double)count / span * sojourn;
	CHECK_EQ_DBL(L, little, 1e-6 * little);
	free(type), free(sub), free(start), free(done), free(ot), free(used);
	H5Fclose(h);
	unlink(out);
	unlink("/tmp/mnsim-md1.trace");
}

static void test_qi_md1_and_little(void)
{
	md1_at_load(0.6);
#ifndef MNSIM_SANITIZE
	/* sanitizer builds run actors as threads (slow); they check memory
	 * safety, the plain build checks the statistics at every load */
	md1_at_load(0.3);
	md1_at_load(0.8);
#endif
}

/* intel-svm's page-selective invalidations since the 2021 fix (2d6ffc63f124,
 * psi_align=1): the range rounded out to blocks of 2^ceil(log2(pages))
 * pages, at most two, each with its IOTLB submission (dev1: no ATS): 7 pages
 * at page 1 are one 8-page block (the model before made 1 + 2 + 4), 2 pages
 * at page 3 two 2-page blocks, 600 pages at 6 MiB two 4 MiB blocks (no
 * PASID-wide fallback: iotlb_psi_max_pages is a what-if, off).  The v4.15
 * driver (psi_align=0) sends one block each. */
static void test_psi_and_pasid_wide(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 16M populate=write\n"
					"device dev1 process=p0\ncpu t0 process=p0\n"
					"t0 @1us munmap 0x10001000 28K\nt0 @50us munmap 0x10103000 8K\n"
					"t0 @100us munmap 0x10600000 2400K\n");
	struct summary s;
	const char *out = "/tmp/mnsim-psi.h5";
	CHECK(run(trace, DATA "exact.xml", "unsafe_end", out, &s, NULL) == 0); /* one IR per munmap: range_end */
	CHECK(get(&s, "notifications") == 3);
	CHECK(field_u64(out, "notifications", "descriptors", 0) == 2); /* one block and its wait */
	CHECK(field_u64(out, "notifications", "descriptors", 1) == 4);
	CHECK(field_u64(out, "notifications", "descriptors", 2) == 4);
	CHECK(field_u64(out, "iommus", "desc_iotlb_psi", 0) == 5 && field_u64(out, "iommus", "desc_iotlb_pasid", 0) == 0);
	CHECK(field_u64(out, "iommus", "desc_devtlb", 0) == 0);
	CHECK(run(trace, DATA "exact.xml", "unsafe_end", out, &s, "psi_align=0") == 0);
	CHECK(field_u64(out, "iommus", "desc_iotlb_psi", 0) == 3);
	CHECK(run(trace, DATA "exact.xml", "unsafe_end", out, &s, "iotlb_psi_max_pages=4") == 0);
	CHECK(field_u64(out, "iommus", "desc_iotlb_psi", 0) == 2 && field_u64(out, "iommus", "desc_iotlb_pasid", 0) == 2);
	unlink(out);
	unlink(trace);
}

/* One mapped page, one device thread (d0) that accesses it n times with
 * the given event line. */
static const char *one_page_device_trace(int n, const char *access)
{
	char text[2048] = "mnsim-trace 1\nprocess p0\nmap p0 0x10000000 4K populate=write\ndevice dev0 process=p0\n"
			  "devthread d0 device=dev0\n";
	for (int i = 0; i < n; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s\n", access);
	return write_trace(text);
}

/* An ATC hit sends nothing over the link: ten reads of one page make one
 * translation request and cost one miss. */
static void test_atc_hit_sends_no_message(void)
{
	const char *trace = one_page_device_trace(10, "d0 +1us read 0x10000000");
	struct summary s;
	const char *out = "/tmp/mnsim-atc.h5";
	CHECK(run(trace, DATA "exact.xml", "only_end", out, &s, NULL) == 0);
	struct params p;
	params_defaults(&p);
	CHECK(field_u64(out, "devices", "translation_requests", 0) == 1);
	CHECK(get(&s, "atc_hits") == 9 && get(&s, "atc_misses") == 1);
	CHECK_EQ_DBL(get(&s, "device_stall_time"), 2 * LINK_ONE_WAY + p.iotlb_lookup_latency + p.walk_levels * p.walk_latency, 1e-15);
	unlink(out);
	unlink(trace);
}

/* Accesses stamped with a time already past (the thread is behind) each
 * still pay the ATC lookup, from when they start; and the run's engine
 * events count only sleeps and messages that SimGrid really made.  With
 * coalescing, the lone device thread's hits are run without waking SimGrid,
 * at the same simulated times.  Under both PCIe models: the serial one
 * sends no SimGrid message (each receiver sleeps until the arrival
 * instead), at the same simulated times as the fluid one's messages. */
static void test_late_accesses_pay_the_atc_lookup(void)
{
	const char *trace = one_page_device_trace(10, "d0 @1us read 0x10000000");
	struct params p;
	params_defaults(&p);
	double miss = 2 * LINK_ONE_WAY + p.iotlb_lookup_latency + p.walk_levels * p.walk_latency;
	static const char *const sets[2][2] = {{"pcie_model=serial,coalesce_sleeps=0", "pcie_model=serial"},
					       {"pcie_model=fluid,coalesce_sleeps=0", "pcie_model=fluid"}};
	double sim_time[2];
	for (int fluid = 0; fluid < 2; fluid++) {
		struct summary s[2];
		for (int coalescing = 0; coalescing < 2; coalescing++) {
			CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &s[coalescing], sets[fluid][coalescing]) == 0);
			CHECK(get(&s[coalescing], "atc_hits") == 9 && get(&s[coalescing], "atc_misses") == 1);
			CHECK_EQ_DBL(get(&s[coalescing], "sim_time"), 1e-6 + 10 * (p.atc_hit_latency + p.device_access_latency) + miss, 1e-15);
			CHECK(get(&s[coalescing], "engine_messages") == (fluid ? 2 : 0));
		}
		CHECK(get(&s[1], "sim_time") == get(&s[0], "sim_time"));
		sim_time[fluid] = get(&s[0], "sim_time");
		/* per access: the lookup and the access; the miss adds 2 messages
		 * (serial: the receivers' 2 sleeps until they arrive) and the
		 * IOMMU's IOTLB lookup and walk (the upper levels in one sleep,
		 * the leaf it reads in another) */
		CHECK(get(&s[0], "engine_events") == 10 * 2 + 2 + 1 + 2 && get(&s[0], "engine_coalesced") == 0);
		/* coalesced: at least the lookups and accesses of the 9 hits, which
		 * nothing else can see, for a few catch-ups (before the translation
		 * request and answer are sent, and when the stream ends) */
		CHECK(get(&s[1], "engine_coalesced") >= 9 * 2);
		CHECK(get(&s[1], "engine_events") <= get(&s[0], "engine_events") - 9 * 2 + 3);
	}
	CHECK(sim_time[0] == sim_time[1]);
	unlink(trace);
}

/* Two devices behind one link, each missing its ATC at the same instant
 * (tests/data/shared-link.xml: a message transmits for TX = 1 us and arrives
 * LAT = 500 ns after it began; the link is SHARED, so both directions use
 * the one transmitter; here LAT + W < TX, W the IOTLB lookup and walk).
 * Serial: the link sends one message at a time.  The second request waits
 * TX for the first; the first completion waits for the second request to be
 * sent (it is ready at LAT + TX + W < 2 TX), and the second completion for
 * the first: stalls 3 TX + LAT and 4 TX + LAT.  Fluid (CM02): both requests
 * share the bandwidth and end together, 2 TX after they began, and so do
 * the two completions: 2 LAT + 4 TX + W each. */
static void test_pcie_link_contention(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 8K populate=write\n"
					"device dev0 process=p0\ndevice dev1 process=p0\n"
					"devthread d0 device=dev0\ndevthread d1 device=dev1\n"
					"d0 @1us read 0x10000000\nd1 @1us read 0x10001000\n");
	struct params p;
	params_defaults(&p);
	const double TX = 1e-6, LAT = 500e-9, W = p.iotlb_lookup_latency + p.walk_levels * p.walk_latency;
	struct summary serial, fluid;
	CHECK(run(trace, DATA "shared-link.xml", "only_end", NULL, &serial, "pcie_model=serial") == 0);
	CHECK(run(trace, DATA "shared-link.xml", "only_end", NULL, &fluid, "pcie_model=fluid") == 0);
	CHECK(LAT + W < TX);
	CHECK_EQ_DBL(get(&serial, "device_stall_time"), (3 * TX + LAT) + (4 * TX + LAT), 1e-15);
	CHECK_EQ_DBL(get(&fluid, "device_stall_time"), 2 * (2 * LAT + 4 * TX + W), 1e-15);
	CHECK(get(&serial, "engine_messages") == 0 && get(&fluid, "engine_messages") == 4);
	unlink(trace);
}

/* A route of two links (tests/data/two-hops.xml): a serial message keeps
 * each link busy for its size / that link's bandwidth, and arrives LAT plus
 * size / the smallest bandwidth (TX) after it began.  Two threads of one
 * device miss at once: the second request waits for the fast own link only
 * (ONE = 1 ns), not for the slow FATPIPE root, and so does its completion. */
static void test_pcie_two_hops(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 8K populate=write\n"
					"device dev0 process=p0\ndevthread d0 device=dev0\ndevthread d1 device=dev0\n"
					"d0 @1us read 0x10000000\nd1 @1us read 0x10001000\n");
	struct params p;
	params_defaults(&p);
	const double TX = 1e-6, LAT = 500e-9, ONE = 1e-9, W = p.iotlb_lookup_latency + p.walk_levels * p.walk_latency;
	struct summary s;
	CHECK(run(trace, DATA "two-hops.xml", "only_end", NULL, &s, "pcie_model=serial") == 0);
	CHECK_EQ_DBL(get(&s, "device_stall_time"), 2 * (2 * (LAT + TX) + W) + ONE, 1e-15);
	unlink(trace);
}

/* A PASID with a device behind each of two IOMMUs: every IR reaches both
 * queues; each IOMMU keeps its own parameters. */
static void test_two_iommus(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 4K populate=cow\n"
					"device devA process=p0\ndevice devB process=p0\ncpu t0 process=p0\n"
					"t0 @1us cow 0x10000000\n");
	struct summary s;
	const char *out = "/tmp/mnsim-two.h5";
	CHECK(run(trace, DATA "two-iommus.xml", "only_end", out, &s, NULL) == 0);
	CHECK(get(&s, "notifications") == 1 && get(&s, "descriptors") == 8);
	CHECK(field_u64(out, "iommus", "desc_devtlb", 0) == 1 && field_u64(out, "iommus", "desc_devtlb", 1) == 1);
	CHECK(field_u64(out, "iommus", "submissions", 0) == 2 && field_u64(out, "iommus", "submissions", 1) == 2);
	hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
	CHECK(read_attr(f, "config_iommuB", "qi_depth") == 64 && read_attr(f, "config_iommuA", "qi_depth") == 256);
	H5Fclose(f);
	unlink(out);
	unlink(trace);
}

/* With a slow walk, a COW happens after the walk read the PTE and before the
 * completion reaches the device; the device has received the invalidation
 * first, so it must not cache (or use) that completion.  Caching it anyway
 * (the ablation) leaves a stale ATC entry the checker catches. */
static void test_raced_translation_not_cached(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 4K populate=cow\n"
					"device dev0 process=p0\ncpu t0 process=p0\ncpu t1 process=p0\ndevthread d0 device=dev0\n"
					"d0 @0 read 0x10000000\nt0 @16us cow 0x10000000\nt1 @30us write 0x10000000\n"
					"d0 @60us read 0x10000000\n");
	struct summary s;
	const char *out = "/tmp/mnsim-race.h5";
	CHECK(run(trace, DATA "exact.xml", "only_end", out, &s, "walk_latency=5us") == 0);
	CHECK(get(&s, "violations") == 0);
	CHECK(field_u64(out, "devices", "raced_translations", 0) == 1);
	CHECK(run(trace, DATA "exact.xml", "only_end", out, &s, "walk_latency=5us,atc_discard_raced=0") == 0);
	CHECK(get(&s, "stale_read") >= 1);
	unlink(out);
	unlink(trace);
}

/* With a paging-structure cache, a second walk in the same 2 MiB region reads
 * only the leaf level. */
static void test_paging_structure_cache(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 8K populate=write\n"
					"device dev1 process=p0\ndevthread d1 device=dev1\n"
					"d1 @1us read 0x10000000\nd1 @10us read 0x10001000\n");
	struct summary s;
	struct params p;
	params_defaults(&p);
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &s, "psc_entries=16") == 0);
	double base = 2 * LINK_ONE_WAY + p.iotlb_lookup_latency;
	CHECK_EQ_DBL(get(&s, "device_stall_time"), (base + p.walk_levels * p.walk_latency) + (base + p.walk_latency), 1e-15);
	unlink(trace);
}

/* A device that never completes an ATS invalidation: each invalidate_range
 * gets an invalidation time-out error after ats_inv_timeout, is resubmitted
 * ite_retries times, then given up; the run ends.  A completion slower than
 * a minute but inside the time-out is waited for. */
static void test_stuck_device_times_out(void)
{
	const char *trace = write_trace("mnsim-trace 1\nprocess p0\nmap p0 0x10000000 8K populate=cow\n"
					"device dev0 process=p0\ncpu t0 process=p0\n"
					"t0 @10us cow 0x10000000\nt0 @20us cow 0x10001000\n");
	struct summary s;
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &s, "ats_inv_responds=0") == 0);
	CHECK(get(&s, "ite") == 4 && get(&s, "ite_giveups") == 2);
	CHECK(get(&s, "kernel_ops") == 2);
	CHECK_EQ_DBL(get(&s, "notify_latency_mean"), 2 * 90.0, 1e-3); /* two time-outs per call */
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &s, "ats_inv_responds=0,ite_retries=0,ats_inv_timeout=1ms") == 0);
	CHECK(get(&s, "ite") == 2 && get(&s, "ite_giveups") == 2);
	CHECK(run(trace, DATA "exact.xml", "only_end", NULL, &s, "ats_inv_latency=70s") == 0);
	CHECK(get(&s, "ite") == 0);
	CHECK(get(&s, "op_latency_mean") > 70.0);
	unlink(trace);
}

/* Reads a figure's TSV: the numeric rows of each block (NaN placeholders and
 * comments skipped); returns the number of rows, values in x[] and y[]. */
static long read_tsv(const char *path, int block, double *x, double *y, long max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int b = 0, blanks = 0;
	long n = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (line[0] == '\n') {
			if (++blanks == 2)
				b++, blanks = 0;
			continue;
		}
		blanks = 0;
		double a, c;
		if (b == block && line[0] != '#' && strncmp(line, "nan", 3) != 0 && sscanf(line, "%lf %lf", &a, &c) == 2 && n < max) {
			x[n] = a;
			y[n++] = c;
		}
	}
	if (f)
		fclose(f);
	return n;
}

/* The data mnsim plot gives gnuplot are the HDF5 content: the queue's
 * time-weighted occupancy distribution as the step function implies it, and the op-latency CDF's last point is
 * the largest latency with fraction 1. */
static void test_plot_data_is_hdf5_content(void)
{
	const char *out = "/tmp/mnsim-plotdata.h5";
	struct summary s;
	CHECK(run(LITMUS "02-munmap-gather-reuse.trace", DATA "exact.xml", "double", out, &s, NULL) == 0);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s/mnsim plot %s --kind qi-occupancy -o /tmp/mnsim-plotdata.png >/dev/null", MNSIM_BINARY_DIR, out);
	CHECK(system(cmd) == 0);
	static double x[100000], y[100000];
	/* block 0: the share of the run's time with at least x slots in use,
	 * computed here from the step function of /qi_occupancy (one IOMMU) */
	long n = read_tsv("/tmp/mnsim-plotdata.tsv", 0, x, y, 100000);
	hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
	long m;
	double *t = read_column(f, "qi_occupancy", "time", H5T_NATIVE_DOUBLE, 8, &m);
	double *used = read_column(f, "qi_occupancy", "used", H5T_NATIVE_UINT32, 4, &m);
	double end = get(&s, "sim_time"), at_least[64] = {0};
	long max_used = 0;
	for (long i = 0; i < m; i++) {
		double t0 = i ? t[i - 1] : 0, u = i ? used[i - 1] : 0;
		for (long k = 0; k <= (long)u && k < 64; k++)
			at_least[k] += t[i] - t0;
		max_used = (long)used[i] > max_used ? (long)used[i] : max_used;
	}
	for (long k = 0; m > 0 && k <= (long)used[m - 1] && k < 64; k++)
		at_least[k] += end - t[m - 1];
	CHECK(m > 0 && max_used > 0 && n == max_used + 2);
	for (long k = 0; k < n && k <= max_used; k++) {
		CHECK(x[k] == k);
		CHECK_EQ_DBL(y[k], at_least[k] / end, 1e-9);
	}
	CHECK(n > 0 && y[n - 1] == 0);
	free(t), free(used);
	snprintf(cmd, sizeof cmd, "%s/mnsim plot %s --kind latency-cdf -o /tmp/mnsim-plotdata.png >/dev/null", MNSIM_BINARY_DIR, out);
	CHECK(system(cmd) == 0);
	n = read_tsv("/tmp/mnsim-plotdata.tsv", 0, x, y, 100000);
	CHECK(n == (long)get(&s, "kernel_ops"));
	CHECK_EQ_DBL(x[n - 1], get(&s, "op_latency_max") * 1e6, 1e-6);
	CHECK(y[n - 1] == 1.0);
	H5Fclose(f);
	unlink(out);
	unlink("/tmp/mnsim-plotdata.tsv");
	unlink("/tmp/mnsim-plotdata.png");
}

static int attr_string(hid_t obj, const char *name, char *buf, size_t len)
{
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
	char *s = NULL;
	int ok = t >= 0 && H5Tis_variable_str(t) > 0 && H5Aread(a, t, &s) >= 0 && s;
	if (ok)
		snprintf(buf, len, "%s", s);
	H5free_memory(s);
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
	return ok;
}

/* What a user needs to analyse a file without mnsim: enumerations as HDF5
 * enum types with names, each field's unit as an attribute, compressed
 * tables, descriptors joined to the invalidate_range call they serve, and
 * the SHA-256 of the inputs. */
static void test_results_are_self_describing(void)
{
	const char *out = "/tmp/mnsim-selfdesc.h5", *trace = MNSIM_SOURCE_DIR "/workloads/demo-mixed.trace";
	struct summary s;
	CHECK(run(trace, DATA "exact.xml", "double", out, &s, NULL) == 0);
	hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
	CHECK(f >= 0);
	if (f < 0)
		return;
	/* every descriptor names its call, and each call has as many descriptors as it counted */
	long nn, nd;
	double *id = read_column(f, "notifications", "id", H5T_NATIVE_INT64, 8, &nn);
	double *count = read_column(f, "notifications", "descriptors", H5T_NATIVE_UINT32, 4, &nn);
	double *of = read_column(f, "qi_descriptors", "notification", H5T_NATIVE_INT64, 8, &nd);
	CHECK(nn == (long)get(&s, "notifications") && nn > 100 && nd == (long)get(&s, "descriptors"));
	double *seen = calloc((size_t)nn + 1, sizeof *seen);
	int bad_ids = 0;
	for (long i = 0; i < nd; i++) {
		if (of[i] < 0 || of[i] >= nn)
			bad_ids++;
		else
			seen[(long)of[i]]++;
	}
	CHECK(bad_ids == 0);
	int mismatched = 0;
	for (long i = 0; i < nn; i++)
		mismatched += id[i] < 0 || id[i] >= nn || seen[(long)id[i]] != count[i];
	CHECK(mismatched == 0);
	free(id), free(count), free(of), free(seen);
	/* names of enumerations */
	static const struct { const char *dset, *field; int value; const char *name; } enums[] = {
		{"violations", "type", 1, "stale_read"}, {"ops", "kind", 8, "munmap"}, {"notifications", "where", 1, "range_end"},
		{"notifications", "site", -1, "change_pte"}, {"qi_descriptors", "type", 3, "wait"}, {"notifications", "op_kind", 3, "cow"}};
	for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
		hid_t d = H5Dopen2(f, enums[i].dset, H5P_DEFAULT), t = H5Dget_type(d);
		hid_t m = H5Tget_member_type(t, (unsigned)H5Tget_member_index(t, enums[i].field));
		char name[64] = "";
		int32_t v = enums[i].value;
		CHECK(H5Tget_class(m) == H5T_ENUM && H5Tenum_nameof(m, &v, name, sizeof name) >= 0);
		CHECK(strcmp(name, enums[i].name) == 0);
		H5Tclose(m), H5Tclose(t), H5Dclose(d);
	}
	/* units, compression */
	hid_t d = H5Dopen2(f, "ops", H5P_DEFAULT);
	char unit[16] = "";
	CHECK(attr_string(d, "latency", unit, sizeof unit) && strcmp(unit, "s") == 0);
	CHECK(attr_string(d, "pages", unit, sizeof unit) && strcmp(unit, "pages") == 0);
	hid_t dcpl = H5Dget_create_plist(d);
	int deflate = 0, shuffle = 0;
	for (int i = 0; i < H5Pget_nfilters(dcpl); i++) {
		unsigned flags, cd[4];
		size_t ncd = 4;
		H5Z_filter_t fl = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
		deflate |= fl == H5Z_FILTER_DEFLATE, shuffle |= fl == H5Z_FILTER_SHUFFLE;
	}
	CHECK(deflate && shuffle);
	H5Pclose(dcpl), H5Dclose(d);
	/* the inputs' SHA-256, as sha256sum computes it */
	char want[80] = "", got[80] = "", cmd[600];
	snprintf(cmd, sizeof cmd, "sha256sum %s", trace);
	FILE *p = popen(cmd, "r");
	CHECK(p && fscanf(p, "%64s", want) == 1);
	if (p)
		pclose(p);
	hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
	CHECK(attr_string(root, "trace_sha256", got, sizeof got) && strlen(got) == 64 && strcmp(got, want) == 0);
	CHECK(attr_string(root, "policy", got, sizeof got) && strcmp(got, "double") == 0);
	H5Gclose(root);
	H5Fclose(f);
	unlink(out);
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"cow_double_vs_only_end", test_cow_double_vs_only_end},
		{"translation_cost_matches_platform", test_translation_cost_matches_platform},
		{"deterministic_hdf5", test_deterministic_hdf5},
		{"hdf5_content", test_hdf5_content},
		{"bad_inputs_leave_nothing", test_bad_inputs_leave_nothing},
		{"qi_full_stalls", test_qi_full_stalls},
		{"qi_md1_and_little", test_qi_md1_and_little},
		{"psi_and_pasid_wide", test_psi_and_pasid_wide},
		{"atc_hit_sends_no_message", test_atc_hit_sends_no_message},
		{"late_accesses_pay_the_atc_lookup", test_late_accesses_pay_the_atc_lookup},
		{"pcie_link_contention", test_pcie_link_contention},
		{"pcie_two_hops", test_pcie_two_hops},
		{"two_iommus", test_two_iommus},
		{"raced_translation_not_cached", test_raced_translation_not_cached},
		{"paging_structure_cache", test_paging_structure_cache},
		{"stuck_device_times_out", test_stuck_device_times_out},
		{"plot_data_is_hdf5_content", test_plot_data_is_hdf5_content},
		{"results_are_self_describing", test_results_are_self_describing},
		{NULL, NULL},
	};
	return run_tests(tests, argc, argv);
}
