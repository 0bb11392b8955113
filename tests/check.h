/* check: the smallest test harness that reports like the rest of CI: each
 * TEST is a function; CHECK records a failure with file:line and goes on;
 * main() runs the tests named on the command line (or all) and ends with
 * "N passed, N failed". */
#ifndef MNSIM_TEST_CHECK_H
#define MNSIM_TEST_CHECK_H
#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond) do { if (!(cond)) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ_DBL(a, b, tol) do { double a_ = (a), b_ = (b); if (!(fabs(a_ - b_) <= (tol))) { check_failures++; \
	fprintf(stderr, "%s:%d: %s = %.15g, expected %s = %.15g (tolerance %g)\n", __FILE__, __LINE__, #a, a_, #b, b_, (double)(tol)); } } while (0)
#define CHECK_CONTAINS(hay, needle) do { if (!strstr((hay), (needle))) { check_failures++; \
	fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__, __LINE__, (hay), (needle)); } } while (0)

struct test_case { const char *name; void (*fn)(void); };

static int run_tests(const struct test_case *tests, int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (const struct test_case *t = tests; t->name; t++) {
		int wanted = argc < 2;
		for (int i = 1; i < argc; i++)
			wanted |= strcmp(argv[i], t->name) == 0;
		if (!wanted)
			continue;
		int before = check_failures;
		t->fn();
		int ok = check_failures == before;
		printf("%s %s\n", ok ? "ok  " : "FAIL", t->name);
		ok ? passed++ : failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed || passed == 0;
}

#endif
