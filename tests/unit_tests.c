/* Unit tests of the modules that need no simulation: units, params, the
 * trace parser, the TLB, statistics, physical memory, page tables and the
 * policy table. */
#include "check.h"
#include "driver.h"
#include "kernel_ops.h"
#include "kversion.h"
#include "mm.h"
#include "params.h"
#include "physmem.h"
#include "policy.h"
#include "stats.h"
#include "tlb.h"
#include "trace.h"
#include "rangeset.h"
#include "units.h"
#include <stdlib.h>
#include <unistd.h>

static void test_units(void)
{
	double d;
	uint64_t u;
	const char *why;
	CHECK(units_parse_duration("250ns", &d, &why) == 0 && d == 250e-9);
	CHECK(units_parse_duration("1.5us", &d, &why) == 0 && fabs(d - 1.5e-6) < 1e-21);
	CHECK(units_parse_duration("0", &d, &why) == 0 && d == 0);
	CHECK(units_parse_duration("5", &d, &why) != 0);      /* a unit is required */
	CHECK(units_parse_duration("-1us", &d, &why) != 0);
	CHECK(units_parse_duration("1parsec", &d, &why) != 0);
	CHECK(units_parse_duration("1e3ns", &d, &why) == 0 && d == 1e-6); /* an exponent, as people type it */
	CHECK(units_parse_duration("0.3ns", &d, &why) == 0 && d == 0.3e-9);
	CHECK(units_parse_size("2M", &u, &why) == 0 && u == 2097152);
	CHECK(units_parse_size("4096", &u, &why) == 0 && u == 4096);
	CHECK(units_parse_size("1.5K", &u, &why) == 0 && u == 1536);
	CHECK(units_parse_size("0.3K", &u, &why) != 0);       /* not whole bytes */
	CHECK(units_parse_u64("0x10", &u, &why) == 0 && u == 16);
	CHECK(units_parse_u64("99999999999999999999999", &u, &why) != 0);
	CHECK(units_parse_u64("12abc", &u, &why) != 0);
	CHECK(units_parse_duration("1..2ns", &d, &why) != 0);
	CHECK(units_parse_duration(".ns", &d, &why) != 0);
}

/* Durations take a fast path for short decimals: it must give, bit for bit,
 * the double strtod gives for the same value written with an exponent,
 * including for decimals too long for the fast path. */
static void test_duration_parsing_is_exact(void)
{
	static const char *const units[][2] = {{"ps", "e-12"}, {"ns", "e-9"}, {"us", "e-6"}, {"ms", "e-3"}, {"s", "e0"}};
	unsigned seed = 12345;
	int mismatches = 0;
	for (int i = 0; i < 200000; i++) {
		char digits[32], text[48], reference[48];
		int n = 1 + (int)(rand_r(&seed) % 18), point = (int)(rand_r(&seed) % (unsigned)(n + 1));
		int k = 0;
		for (int j = 0; j < n; j++) {
			if (j == point && j > 0)
				digits[k++] = '.';
			digits[k++] = (char)('0' + rand_r(&seed) % 10);
		}
		digits[k] = '\0';
		int unit = (int)(rand_r(&seed) % 5);
		snprintf(text, sizeof text, "%s%s", digits, units[unit][0]);
		snprintf(reference, sizeof reference, "%s%s", digits, units[unit][1]);
		double got, want = strtod(reference, NULL);
		const char *why;
		if (units_parse_duration(text, &got, &why) != 0 || memcmp(&got, &want, sizeof got) != 0) {
			if (mismatches++ < 5)
				fprintf(stderr, "%s: got %.17g, strtod gives %.17g\n", text, got, want);
		}
	}
	CHECK(mismatches == 0);
}

/* Durations as people type them: an exponent, a blank before the unit, µs
 * (micro sign or Greek mu) as well as us; each the double nearest to what
 * was written; what is not a duration is still refused. */
static void test_durations_as_typed(void)
{
	static const struct { const char *text; const char *same_as; } ok[] = {
		{"1e-6s", "1e-6"},     {"500 ns", "500e-9"}, {"0.5\xc2\xb5s", "0.5e-6"}, {"0.5\xce\xbcs", "0.5e-6"},
		{"2.5e3ns", "2.5e-6"}, {" 30us ", "30e-6"},  {"1E-3 s", "1e-3"},        {"7 ms", "7e-3"},
		{"1.5 \xc2\xb5s", "1.5e-6"}, {"250ns", "250e-9"}, {"0", "0"},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double got = -1, want = strtod(ok[i].same_as, NULL);
		const char *why;
		CHECK(units_parse_duration(ok[i].text, &got, &why) == 0 && memcmp(&got, &want, sizeof got) == 0);
		if (got != want)
			fprintf(stderr, "'%s' gave %.17g, expected %.17g\n", ok[i].text, got, want);
	}
	static const char *const bad[] = {"1e-6", "500", "ns", "-1us", "1us s", "1 u s", "e-6s", "1e-6 ", "1.2.3us", "1e400s", "."};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double v;
		const char *why = NULL;
		int rc = units_parse_duration(bad[i], &v, &why);
		CHECK(rc != 0 && why && strstr(why, "with a unit"));
		if (rc == 0)
			fprintf(stderr, "'%s' was accepted as %g\n", bad[i], v);
	}
}

static void test_params(void)
{
	struct params p;
	char err[256];
	params_defaults(&p);
	CHECK(p.qi_depth == 256);
	CHECK(p.gather_batch == 9698); /* 8 + 19 x 510 */
	CHECK(p.psi_align == 1 && p.thp_migrate_fix == 2 /* auto */ && p.kernel == 0 /* auto */);
	CHECK(params_set(&p, "thp_migrate_fix", "0", err, sizeof err) == 0 && p.thp_migrate_fix == 0);
	CHECK(params_set(&p, "driver", "arm-smmu-v3", err, sizeof err) == 0 && p.driver == 2);
	char name[32];
	CHECK(strcmp(params_format(&p, params_find("driver"), name, sizeof name), "arm-smmu-v3") == 0);
	CHECK(params_set(&p, "qi_depth", "8", err, sizeof err) == 0 && p.qi_depth == 8);
	CHECK(params_set(&p, "walk_latency", "2us", err, sizeof err) == 0 && p.walk_latency == 2e-6);
	CHECK(params_set(&p, "no_such_key", "1", err, sizeof err) != 0);
	CHECK_CONTAINS(err, "no_such_key");
	CHECK(params_set(&p, "qi_depth", "2", err, sizeof err) != 0); /* below the range */
	CHECK_CONTAINS(err, "out of range");
	CHECK(params_set(&p, "psi_align", "yes", err, sizeof err) != 0);
	CHECK(params_set(&p, "preempt_dist", "exp", err, sizeof err) == 0 && p.preempt_dist == 1);
	for (size_t i = 0; i < params_count(); i++) {
		const struct param_def *d = params_def(i);
		CHECK(d->help && *d->help);
		CHECK((d->type == PT_CHOICE) == (params_choice_count(d) > 0)); /* every choice has its names */
		CHECK(params_find(d->name) == d);
	}
}

static char *write_temp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/mnsim-unit-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

/* Loads text as a trace; returns 0 or -1 with the message in err. */
static int load_text(const char *text, char *err, size_t errlen)
{
	struct trace_header h;
	char *path = write_temp(text);
	int rc = trace_load(path, &h, err, errlen);
	if (rc == 0)
		trace_free(&h);
	unlink(path);
	return rc;
}

#define HEADER "mnsim-trace 1\nprocess p0\nmap p0 0x1000 16K populate=write\ncpu t0 process=p0\n"
#define V2 "mnsim-trace 2\nprocess p0\nmap p0 0x1000 16K populate=write\ncpu t0 process=p0\n"

static void test_trace_errors(void)
{
	char err[512];
	static const struct { const char *text, *message; } bad[] = {
		{"", ": empty trace"},
		{"mnsim-trace 3\n", "version '3' is not supported"},
		{HEADER "t0 @1us frobnicate 0x1000\n", ":5: unknown operation 'frobnicate'"},
		{HEADER "t0 1us read 0x1000\n", ":5: time '1us'"},
		{HEADER "t0 @2us read 0x1000\nt0 @1us read 0x1000\n", ":6: time '@1us' goes backwards"},
		{HEADER "t0 @1us read 0x1001\n", ":5: address '0x1001' is not 4 KiB page-aligned"},
		{HEADER "t0 @1us read 0x900000\n", ":5: address 0x900000 is outside every mapping"},
		{HEADER "t0 @1us munmap 0x1000 1M\n", ":5: range 0x1000+1M is not inside one declared mapping"},
		{HEADER "t0 @1us cow 0x1000 colour=red\n", ":5: unexpected 'colour=red'"},
		{HEADER "t0 @1us read 0x1000 window=1us\n", "this operation takes no options"},
		{HEADER "param qi_depth 3\n", ":5: parameter qi_depth='3': out of range"},
		{HEADER "param not_a_param 3\n", "unknown parameter 'not_a_param'"},
		{HEADER "t0 @1us read 0x1000\nprocess p1\n", ":6: declaration 'process' after the first event"},
		{"mnsim-trace 1\nprocess p0\nprocess p0\n", ":3: process 'p0' declared twice"},
		{"mnsim-trace 1\nprocess p0\ndevice dev0 process=p9\n", ":3: unknown process 'p9'"},
		{"mnsim-trace 1\nprocess p0\nmap p0 0x1000 4K\nmap p0 0x1000 8K\n", ":4: mapping overlaps the one declared at line 3"},
		{"mnsim-trace 1\nprocess p0\nmap p0 0x1000 4K huge\n", ":3: address '0x1000' is not 2 MiB-aligned"},
		{"mnsim-trace 1\nprocess p0\n", "no cpu or devthread stream declared"},
		{"mnsim-trace 1\nprocess p0\ncpu t0 process=p0 color=blue\n", ":3: unknown or repeated key 'color=blue'"},
		{"mnsim-trace 1\nprocess p0\ncpu t0 core=cpu1 core=cpu2 process=p0\n", ":3: unknown or repeated key 'core=cpu2'"}, /* found by fuzz_trace */
		{"mnsim-trace 1\nprocess p0\nexpect double violations\n", ":3: 'violations': expected KEY=N"},
		{"mnsim-trace 1\nbogus\n", ":2: unknown keyword or stream 'bogus'"},
		{"mnsim-trace 1\nprocess p\xff\n", ":2: non-ASCII or control byte 0xff"},
		{HEADER "t0 @1us read 0x1000 \x01\n", ":5: non-ASCII or control byte 0x01"},
		{HEADER "t0 @99999999999999999999999999s read 0x1000\n", ":5: time"},
		{HEADER "t0 @1us think\n", ":5: operation 'think' expects 1 argument"},
		/* format 2 */
		{HEADER "t0 @1us mmap 0x100000 4K\n", ":5: unknown operation 'mmap' (see workloads/README.md): it needs 'mnsim-trace 2'"},
		{"mnsim-trace 1\nprocess p0 forked\n", ":2: unknown or repeated key 'forked': expected pasid=N once"},
		{"mnsim-trace 1\nprocess p0\nmap p0 0x1000 4K ro\n", ":3: unknown map option 'ro'"},
		{V2 "t0 @1us read 0x900000\n", ":5: address 0x900000 is outside every mapping of process 'p0' (declared, or made by an earlier"},
		{V2 "t0 @1us read 0x900000\nt0 @2us mmap 0x900000 4K\n", ":5: address 0x900000 is outside every mapping"},
		{V2 "t0 @1us mmap 0x900000 4K\nt0 @2us munmap 0x900000 8K\n", ":6: range 0x900000+0x2000 is outside every mapping"},
		{V2 "t0 @1us brk 0x900000 0x800000\n", ":5: heap range 0x800000..0x900000 is outside every mapping"},
		{V2 "t0 @1us mremap 0x1000 8K 0x2000 8K\n", ":5: mremap: the new range overlaps the old one"},
		{V2 "t0 @1us mmap 0x900000 4K colour\n", ":5: unexpected 'colour': expected ro, shared or window=DURATION"},
		{V2 "t0 @1us fork p0\n", ":5: fork p0: expected another process declared 'forked'"},
		{V2 "t0 @1us exit\nprocess p1 forked\n", ":6: declaration 'process' after the first event"},
		{"mnsim-trace 2\nprocess p0\nprocess c forked\nmap c 0x1000 4K\n", ":4: process 'c' is forked: its mappings are its parent's"},
		{"mnsim-trace 2\nprocess p0\nprocess c forked\ncpu t0 process=c\nt0 @1us exit\n", "process 'c' is declared forked but no fork op makes it"},
		{"mnsim-trace 2\nprocess p0\nprocess c forked\nmap p0 0x1000 8K\ncpu t0 process=p0\ncpu t1 process=c\n"
		 "t1 @1us read 0x1000\nt0 @2us fork c\n", ":7: address 0x1000 is outside every mapping of process 'c'"},
		{"mnsim-trace 2\nprocess p0\nprocess c forked\nmap p0 0x1000 8K\ncpu t0 process=p0\n"
		 "t0 @1us fork c\nt0 @2us fork c\n", ":7: process 'c' is forked a second time"},
		{"mnsim-trace 2\nprocess p0\nmap p0 0x1000 16K\npresent p0 0x2000 8K write\npresent p0 0x1000 4K zero\n",
		 ":5: range starts before the end of the one declared at line 4"},
		{"mnsim-trace 2\nprocess p0\nmap p0 0x1000 16K populate=write\npresent p0 0x2000 8K write\n",
		 ":4: range 0x2000+8K is not inside one declared 4 KiB mapping without populate="},
		{"mnsim-trace 2\nprocess p0\nmap p0 0x1000 16K\npresent p0 0x2000 8K dirty\n", ":4: page state 'dirty'"},
		{"mnsim-trace 2\ncapture Kernel 6.1\n", ":2: capture key 'Kernel'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		int rc = load_text(bad[i].text, err, sizeof err);
		CHECK(rc != 0);
		CHECK_CONTAINS(err, bad[i].message);
		CHECK_CONTAINS(err, "/tmp/mnsim-unit-"); /* the message names the file */
	}
	/* CRLF line endings and comments are accepted */
	CHECK(load_text("mnsim-trace 1\r\n# c\r\nprocess p0 # x\r\nmap p0 0x1000 4K\r\ncpu t0 process=p0\r\nt0 +1us read 0x1000\r\n", err, sizeof err) == 0);
	/* format 2: addresses an earlier mmap, brk, mremap or the parent's mappings cover */
	CHECK(load_text("mnsim-trace 2\nprocess p0\nprocess c forked\nmap p0 0x1000 8K ro file\ncpu t0 process=p0\ncpu t1 process=c\n"
			"capture command a b  c\npresent p0 0x1000 4K cow\n"
			"t0 @1us mmap 0x900000 8K shared\nt0 @2us write 0x901000\nt0 @3us brk 0x100000 0x104000\nt0 @4us read 0x103000\n"
			"t0 @5us mremap 0x900000 8K 0xa00000 16K\nt0 @6us write 0xa03000\nt0 @7us fork c\nt1 @8us write 0x103000\n"
			"t1 @9us madv_dontneed 0xa00000 16K\nt1 @9us mprotect_rw 0x1000 8K\nt1 @10us exit\n",
			err, sizeof err) == 0);
}

static int next_event_line(struct trace_cursor *c)
{
	char err[256];
	struct trace_event ev;
	return trace_cursor_next(c, &ev, err, sizeof err) == 1 ? ev.line : 0;
}

static void test_trace_cursor_streams(void)
{
	char err[256];
	char *path = write_temp(HEADER "cpu t1 process=p0\ncpu t2 process=p0\nt0 @1us read 0x1000\nt1 @2us write 0x2000\n"
				       "# a comment\nt0 +3us cow 0x3000 window=5us\n");
	struct trace_header h;
	CHECK(trace_load(path, &h, err, sizeof err) == 0);
	CHECK(h.n_events == 3 && h.n_streams == 3);
	struct trace_cursor *c = trace_cursor_open(&h, 0, err, sizeof err);
	struct trace_event ev;
	CHECK(trace_cursor_next(c, &ev, err, sizeof err) == 1 && ev.op == OP_READ && ev.absolute && ev.time == 1e-6 && ev.line == 7);
	CHECK(trace_cursor_next(c, &ev, err, sizeof err) == 1 && ev.op == OP_COW && !ev.absolute && ev.has_window && ev.window == 5e-6 &&
	      ev.line == 10);
	CHECK(trace_cursor_next(c, &ev, err, sizeof err) == 0);
	trace_cursor_close(c);
	/* a cursor reads only the stretch of the file that holds its stream's events */
	CHECK(h.streams[1].events_to - h.streams[1].events_from == (long)strlen("t1 @2us write 0x2000\n"));
	c = trace_cursor_open(&h, 1, err, sizeof err);
	CHECK(next_event_line(c) == 8 && next_event_line(c) == 0);
	trace_cursor_close(c);
	c = trace_cursor_open(&h, 2, err, sizeof err); /* no events */
	CHECK(c && next_event_line(c) == 0);
	trace_cursor_close(c);
	trace_free(&h);
	unlink(path);
}

/* Per-PASID statistics with thousands of PASIDs (a host binding one per
 * container): each PASID's counts are its own, listed in order of first use. */
static void test_tlb_many_pasids(void)
{
	enum { N = 5000 };
	struct tlb *t = tlb_new(64, 8);
	struct translation tr = {.vbase = 0x1000, .pfn = 1};
	/* PASIDs in a scrambled order, 0 and the largest 32-bit value among them */
	for (unsigned i = 0; i < N; i++) {
		unsigned pasid = i == 0 ? 0 : i == 1 ? 0xffffffffu : (i * 7919u) % 1048576u + 1;
		tlb_insert(t, pasid, &tr);
		for (unsigned k = 0; k < i % 3; k++)
			tlb_lookup(t, pasid, 0x1000, &tr);
		tlb_lookup(t, pasid, 0x5000, &tr); /* a miss */
	}
	unsigned pasid;
	struct tlb_stats st;
	size_t n = 0;
	for (; tlb_pasid_stats(t, n, &pasid, &st); n++) {
		unsigned want = n == 0 ? 0 : n == 1 ? 0xffffffffu : ((unsigned)n * 7919u) % 1048576u + 1;
		CHECK(pasid == want);
		CHECK(st.fills == 1 && st.misses == 1 && st.hits == n % 3);
	}
	CHECK(n == N);
	tlb_free(t);
}

static void test_tlb_lru(void)
{
	struct tlb *t = tlb_new(1, 2);
	struct translation tr = {.vbase = 0x1000, .pfn = 1}, out;
	tlb_insert(t, 1, &tr);
	tr = (struct translation){.vbase = 0x2000, .pfn = 2};
	tlb_insert(t, 1, &tr);
	CHECK(tlb_lookup(t, 1, 0x1234, &out) && out.pfn == 1); /* 0x1000 is now most recent */
	tr = (struct translation){.vbase = 0x3000, .pfn = 3};
	tlb_insert(t, 1, &tr); /* evicts 0x2000, the least recently used */
	CHECK(!tlb_lookup(t, 1, 0x2000, &out));
	CHECK(tlb_lookup(t, 1, 0x1000, &out));
	CHECK(!tlb_lookup(t, 2, 0x1000, &out)); /* another PASID */
	CHECK(tlb_stats(t)->evictions == 1);
	CHECK(tlb_invalidate_range(t, 1, 0x3000, 0x4000) == 1);
	CHECK(!tlb_lookup(t, 1, 0x3000, &out));
	tr = (struct translation){.vbase = 0x200000, .pfn = 9, .huge = 1};
	tlb_insert(t, 1, &tr);
	CHECK(tlb_lookup(t, 1, 0x3ff000, &out) && out.pfn == 9 && out.huge);
	CHECK(tlb_invalidate_pasid(t, 1) == 2);
	tlb_free(t);
}

static void test_stats(void)
{
	struct hist h;
	hist_init(&h);
	for (int i = 0; i < 100; i++)
		hist_add(&h, 1.304e-6);
	CHECK(hist_quantile(&h, 0.99) == 1.304e-6); /* equal samples: exact */
	CHECK_EQ_DBL(hist_mean(&h), 1.304e-6, 1e-18);
	hist_init(&h);
	for (int i = 1; i <= 1000; i++)
		hist_add(&h, i * 1e-9);
	CHECK_EQ_DBL(hist_quantile(&h, 0.5), 500e-9, 500e-9 * 0.01);
	CHECK_EQ_DBL(hist_quantile(&h, 0.99), 990e-9, 990e-9 * 0.01);
	CHECK(hist_quantile(&h, 1.0) == h.max);
}

/* 95 % confidence intervals use the exact Student t quantile at every sample
 * size (a truncated table gave 1.960 past 30 degrees of freedom). */
static void test_confidence_intervals(void)
{
	CHECK_EQ_DBL(stats_t95(1), 12.706204736174698, 1e-12);
	CHECK_EQ_DBL(stats_t95(4), 2.7764451051977934, 1e-12);
	CHECK_EQ_DBL(stats_t95(40), 2.0210753903062737, 1e-12);
	CHECK_EQ_DBL(stats_t95(1000), 1.9623390808264078, 1e-12);
	double x[5] = {1, 2, 3, 4, 5};
	struct mean_ci m = stats_mean_ci(x, 5);
	CHECK(m.n == 5 && m.mean == 3);
	CHECK_EQ_DBL(m.ci95, 2.7764451051977934 * sqrt(2.5) / sqrt(5), 1e-12);
	CHECK(stats_mean_ci(x, 1).ci95 == 0 && stats_mean_ci(x, 1).mean == 1);
	/* no cancellation: a tiny spread around a large mean */
	double y[3] = {1e8 + 0.25, 1e8, 1e8 - 0.25};
	CHECK_EQ_DBL(stats_mean_ci(y, 3).ci95, 4.3026527297494619 * 0.25 / sqrt(3), 1e-12);
}

static void test_physmem_lifo_generations(void)
{
	struct physmem *pm = physmem_new();
	uint64_t a = physmem_alloc(pm, 0), b = physmem_alloc(pm, 0);
	uint64_t gen_b = physmem_frame(pm, b)->generation;
	CHECK(physmem_put(pm, a) == 1);
	CHECK(physmem_put(pm, b) == 1);
	uint64_t c = physmem_alloc(pm, 0);
	CHECK(c == b); /* the most recently freed page comes back first */
	CHECK(physmem_frame(pm, c)->generation > gen_b);
	physmem_get(pm, c);
	CHECK(physmem_put(pm, c) == 0 && !physmem_frame(pm, c)->free);
	CHECK(physmem_new_token(pm) < physmem_new_token(pm));
	/* a page freed twice changes nothing and is counted, never an abort */
	uint64_t first = 0, in_use = physmem_frames_in_use(pm);
	CHECK(physmem_bad_puts(pm, &first) == 0);
	CHECK(physmem_put(pm, a) == 0 && physmem_put(pm, a) == 0);
	CHECK(physmem_bad_puts(pm, &first) == 2 && first == a && physmem_frames_in_use(pm) == in_use);
	physmem_free_all(pm);
}

static void test_page_table_and_vmas(void)
{
	struct engine eng;
	engine_init(&eng, 0);
	struct mm *mm = mm_new(0, "p", 1, 1, &eng);
	mm_add_vma(mm, 0x100000, 0x900000, 0);
	for (uint64_t va = 0x100000; va < 0x900000; va += PAGE_SIZE) {
		struct pte *p = mm_entry(mm, va, 0, 1);
		p->state = PTE_PRESENT;
		p->pfn = va >> 12;
	}
	uint64_t base;
	struct pte *p = mm_lookup(mm, 0x123456, &base);
	CHECK(p && p->pfn == 0x123 && base == 0x123000);
	struct pte *huge = mm_entry(mm, 0x200000, 1, 1);
	huge->state = PTE_PRESENT;
	huge->pfn = 77;
	CHECK(mm_lookup(mm, 0x2ff000, &base)->pfn == 77 && base == 0x200000); /* the PMD wins */
	mm_clear_entry(huge);
	CHECK(mm_lookup(mm, 0x2ff000, &base)->pfn == 0x2ff);
	mm_remove_vmas(mm, 0x400000, 0x500000);
	CHECK(mm_find_vma(mm, 0x3ff000) && !mm_find_vma(mm, 0x400000) && mm_find_vma(mm, 0x500000));
	mm_protect_vmas(mm, 0x600000, 0x601000);
	CHECK(!mm_find_vma(mm, 0x600000)->writable && mm_find_vma(mm, 0x601000)->writable);
	mm_free(mm);
	engine_destroy(&eng);
}

/* Address range sets: merging, splitting, covering (format 2's address rule). */
static void test_rangeset(void)
{
	struct rangeset s = {0};
	rangeset_remove(&s, 0x1000, 0x2000); /* nothing to remove from an empty set (UBSan caught a memmove of NULL) */
	CHECK(!rangeset_covers(&s, 0x1000, 0x2000) && !rangeset_overlaps(&s, 0, ~0ULL) && rangeset_find(&s, 0x1000) < 0);
	rangeset_add(&s, 0x3000, 0x5000);
	rangeset_add(&s, 0x1000, 0x2000);
	rangeset_add(&s, 0x2000, 0x3000); /* touches both: one range */
	CHECK(s.n == 1 && s.r[0].start == 0x1000 && s.r[0].end == 0x5000 && rangeset_covers(&s, 0x1000, 0x5000));
	rangeset_add(&s, 0x9000, 0xa000);
	CHECK(s.n == 2 && !rangeset_covers(&s, 0x4000, 0x9000) && rangeset_overlaps(&s, 0x5000, 0x9001));
	CHECK(!rangeset_overlaps(&s, 0x5000, 0x9000) && rangeset_find(&s, 0x9fff) == 1 && rangeset_find(&s, 0x5000) < 0);
	rangeset_remove(&s, 0x2000, 0x3000); /* a hole in the middle splits */
	CHECK(s.n == 3 && s.r[0].end == 0x2000 && s.r[1].start == 0x3000 && rangeset_bytes(&s) == 0x4000);
	rangeset_remove(&s, 0x1800, 0x9800); /* ends of two ranges, one whole in between */
	CHECK(s.n == 2 && s.r[0].start == 0x1000 && s.r[0].end == 0x1800 && s.r[1].start == 0x9800 && s.r[1].end == 0xa000);
	struct rangeset c = {0};
	rangeset_copy(&c, &s);
	CHECK(c.n == 2 && c.r[1].end == 0xa000);
	rangeset_add(&c, 0, ~0ULL);
	CHECK(c.n == 1 && rangeset_covers(&c, 0, ~0ULL));
	rangeset_clear(&c);
	rangeset_clear(&s);
	CHECK(s.n == 0 && !s.r);
}

/* The kernel-version, policy and driver tables agree with the parameters
 * that name their rows, and the set-up refuses what a kernel cannot be. */
static void test_kernel_tables(void)
{
	char name[64], err[512];
	const struct param_def *kd = params_find("kernel"), *dd = params_find("driver");
	CHECK(params_choice_count(kd) == (int)kversion_count() + 1);
	CHECK(strcmp(params_choice_name(kd, 0, name, sizeof name), "auto") == 0);
	for (size_t i = 0; i < kversion_count(); i++)
		CHECK(strcmp(params_choice_name(kd, (int)i + 1, name, sizeof name), kversion_at(i)->name) == 0);
	CHECK(params_choice_count(dd) == (int)driver_count());
	for (size_t i = 0; i < driver_count(); i++)
		CHECK(strcmp(params_choice_name(dd, (int)i, name, sizeof name), driver_at(i)->name) == 0);
	for (size_t i = 0; i < policy_count(); i++) {
		const struct policy *pol = policy_at(i);
		const struct kversion *v = kversion_by_name(pol->kernel_default);
		CHECK(v && v->code >= pol->kernel_min && v->code <= pol->kernel_max);
		/* every kernel op has a program at every version the policy replays */
		for (size_t k = 0; k < kversion_count(); k++) {
			struct params p;
			params_defaults(&p);
			CHECK(params_set(&p, "kernel", kversion_at(k)->name, err, sizeof err) == 0);
			int ok = kversion_configure(&p, pol, err, sizeof err) == 0;
			CHECK(ok == (kversion_at(k)->code >= pol->kernel_min && kversion_at(k)->code <= pol->kernel_max));
			/* (wp_reuse is recorded in /ops but no trace names it: no program) */
			for (int op = 0; ok && op < OP_COUNT; op++)
				CHECK(!op_info(op)->kernel || !(op_info(op)->cpu || op_info(op)->device) ||
				      kernel_op_source(op, &p, NULL) != NULL);
		}
	}
	struct params p;
	params_defaults(&p);
	CHECK(kversion_configure(&p, policy_by_name("double"), err, sizeof err) == 0);
	CHECK(strcmp(kversion_of(&p)->name, "4.14") == 0 && p.thp_migrate_fix == 0); /* 4.14 had the bug */
	params_defaults(&p);
	CHECK(kversion_configure(&p, policy_by_name("only_end"), err, sizeof err) == 0);
	CHECK(strcmp(kversion_of(&p)->name, "5.1") == 0 && p.thp_migrate_fix == 1);
	params_defaults(&p);
	CHECK(params_set(&p, "kernel", "6.6", err, sizeof err) == 0);
	CHECK(kversion_configure(&p, policy_by_name("only_end"), err, sizeof err) != 0);
	CHECK_CONTAINS(err, "only_end replays Linux 4.15 - 6.5");
	params_defaults(&p);
	CHECK(params_set(&p, "kernel", "4.15", err, sizeof err) == 0);
	CHECK(kversion_configure(&p, policy_by_name("double"), err, sizeof err) != 0);
	params_defaults(&p);
	CHECK(params_set(&p, "kernel", "5.13", err, sizeof err) == 0 && params_set(&p, "thp_migrate_fix", "0", err, sizeof err) == 0);
	CHECK(kversion_configure(&p, policy_by_name("minimal"), err, sizeof err) != 0);
	CHECK_CONTAINS(err, "before 5.13");
	params_defaults(&p);
	CHECK(params_set(&p, "kernel", "6.12", err, sizeof err) == 0 && kversion_configure(&p, policy_by_name("secondary_tlbs"), err, sizeof err) == 0);
	struct params io;
	params_defaults(&io);
	kversion_configure_iommu(&io, &p);
	CHECK(io.qi_batch == 1);
	CHECK(params_set(&p, "kernel", "4.99", err, sizeof err) != 0);
	CHECK_CONTAINS(err, "auto|4.14");
	CHECK(policy_by_name("nonsense") == NULL);
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"units", test_units},
		{"duration_parsing_is_exact", test_duration_parsing_is_exact},
		{"durations_as_typed", test_durations_as_typed},
		{"params", test_params},
		{"trace_errors", test_trace_errors},
		{"trace_cursor_streams", test_trace_cursor_streams},
		{"tlb_lru", test_tlb_lru},
		{"tlb_many_pasids", test_tlb_many_pasids},
		{"stats", test_stats},
		{"confidence_intervals", test_confidence_intervals},
		{"physmem_lifo_generations", test_physmem_lifo_generations},
		{"page_table_and_vmas", test_page_table_and_vmas},
		{"kernel_tables", test_kernel_tables},
		{"rangeset", test_rangeset},
		{NULL, NULL},
	};
	return run_tests(tests, argc, argv);
}
