/* Unit tests of the modules that need no simulation: units, params, the
 * trace parser, the TLB, statistics, physical memory, page tables and the
 * policy table. */
#include "check.h"
#include "kernel_ops.h"
#include "mm.h"
#include "params.h"
#include "physmem.h"
#include "policy.h"
#include "stats.h"
#include "tlb.h"
#include "trace.h"
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
	CHECK(units_parse_duration("1e3ns", &d, &why) != 0); /* plain decimals only */
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

static void test_params(void)
{
	struct params p;
	char err[256];
	params_defaults(&p);
	CHECK(p.qi_depth == 256);
	CHECK(p.gather_batch == 512);
	CHECK(p.psi_align == 1 && p.thp_migrate_fix == 1);
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

static void test_trace_errors(void)
{
	char err[512];
	static const struct { const char *text, *message; } bad[] = {
		{"", ": empty trace"},
		{"mnsim-trace 2\n", "version '2' is not supported"},
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

/* The invalidate_range counts of DESIGN.md section 3 and issue 5. */
static void test_policy_table(void)
{
	static const struct { enum op_kind op; int dbl, only_end, secondary, minimal, unsafe; } expected[] = {
		{OP_COW, 2, 1, 1, 1, 1},         {OP_ZERO_FAULT, 2, 1, 1, 1, 1}, {OP_THP_COW, 2, 1, 1, 1, 1},
		{OP_HUGETLB_COW, 2, 2, 1, 1, 1}, {OP_REPLACE_PAGE, 2, 2, 1, 1, 1}, {OP_MUNMAP, 2, 2, 1, 1, 1},
		{OP_RECLAIM, 2, 2, 1, 1, 1},     {OP_MIGRATE, 2, 1, 1, 1, 1},    {OP_THP_MIGRATE, 3, 2, 2, 2, 1},
		{OP_MPROTECT, 1, 1, 1, 1, 1},    {OP_KSM_MERGE, 4, 2, 2, 2, 2},  {OP_THP_SPLIT, 1, 0, 1, 0, 1},
	};
	const char *names[] = {"double", "only_end", "secondary_tlbs", "minimal", "unsafe_end"};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		int want[] = {expected[i].dbl, expected[i].only_end, expected[i].secondary, expected[i].minimal, expected[i].unsafe};
		for (int k = 0; k < 5; k++) {
			int got = kernel_op_ir_count(expected[i].op, policy_by_name(names[k]));
			if (got != want[k])
				fprintf(stderr, "%s under %s: %d IRs, expected %d\n", op_info(expected[i].op)->name, names[k], got, want[k]);
			CHECK(got == want[k]);
		}
	}
	CHECK(policy_by_name("nonsense") == NULL);
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"units", test_units},
		{"duration_parsing_is_exact", test_duration_parsing_is_exact},
		{"params", test_params},
		{"trace_errors", test_trace_errors},
		{"trace_cursor_streams", test_trace_cursor_streams},
		{"tlb_lru", test_tlb_lru},
		{"stats", test_stats},
		{"physmem_lifo_generations", test_physmem_lifo_generations},
		{"page_table_and_vmas", test_page_table_and_vmas},
		{"policy_table", test_policy_table},
		{NULL, NULL},
	};
	return run_tests(tests, argc, argv);
}
