/* Simulation tests: whole runs on small traces, checked against what the
 * parameters imply (exact costs), for determinism, for HDF5 content and for
 * bad input.  Every run happens in a child process, as in mnsim. */
#include "check.h"
#include "params.h"
#include "sim.h"
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA MNSIM_SOURCE_DIR "/tests/data/"
#define LITMUS MNSIM_SOURCE_DIR "/workloads/litmus/"
#define LINK_ONE_WAY (500e-9 + 1e-9) /* tests/data/exact.xml: 16 bytes at 16 GB/s after 500 ns */

static char trace_path[64];

static const char *write_trace(const char *text)
{
	snprintf(trace_path, sizeof trace_path, "/tmp/mnsim-sim-XXXXXX");
	int fd = mkstemp(trace_path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return trace_path;
}

static double get(const struct summary *s, const char *name)
{
	double v = NAN;
	if (!summary_get(s, name, &v))
		fprintf(stderr, "summary has no '%s'\n", name);
	return v;
}

static int run(const char *trace, const char *platform, const char *policy, const char *out, struct summary *sum,
	       const char *set)
{
	struct run_config cfg = {.trace_path = trace, .platform_path = platform, .policy = policy, .out_path = out, .seed = 1};
	char err[1024];
	if (set) {
		char key[64];
		const char *eq = strchr(set, '=');
		snprintf(key, sizeof key, "%.*s", (int)(eq - set), set);
		if (param_settings_add(&cfg.sets, key, eq + 1, err, sizeof err) != 0)
			abort();
	}
	int rc = sim_run_isolated(&cfg, sum, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "run of %s under %s failed%s%s\n", trace, policy, err[0] ? ": " : "", err);
	param_settings_free(&cfg.sets);
	return rc;
}

static double ir_cost(const struct params *p)
{
	/* intel_invalidate_range for one page on one ATS device: an IOTLB
	 * descriptor and its wait, then a device-TLB descriptor whose wait
	 * completes when the device's answer has crossed the link both ways */
	return p->ir_overhead + p->qi_iotlb_latency + p->qi_wait_latency + p->qi_devtlb_issue_latency + 2 * LINK_ONE_WAY +
	       p->ats_inv_latency;
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
	expect_failure(good, DATA "not-xml.xml", "Parse error");
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

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"cow_double_vs_only_end", test_cow_double_vs_only_end},
		{"translation_cost_matches_platform", test_translation_cost_matches_platform},
		{"deterministic_hdf5", test_deterministic_hdf5},
		{"hdf5_content", test_hdf5_content},
		{"bad_inputs_leave_nothing", test_bad_inputs_leave_nothing},
		{"qi_full_stalls", test_qi_full_stalls},
		{NULL, NULL},
	};
	return run_tests(tests, argc, argv);
}
