/* ops_count: counts the rows of a result file's /ops table by kind, for
 * ops whose address lies in [LO, HI): "KIND COUNT" lines, every kind.  The
 * record test compares them with what tests/record/known.c did.  A last
 * line "unraced_skips N" counts the ops anywhere that were given up without
 * having lost a race: no op of another stream on the same page, not given
 * up, overlapped it in time (a CPU fault the synthetic device's page request
 * fixed first is given up as the kernel's pte_same check gives it up). */
#include "h5read.h"
#include "optable.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ops_count RESULT.h5 LO HI\n");
		return 2;
	}
	char err[512];
	struct h5in *f = h5in_open(argv[1], err, sizeof err);
	if (!f) {
		fprintf(stderr, "ops_count: %s\n", err);
		return 1;
	}
	unsigned long long lo = strtoull(argv[2], NULL, 0), hi = strtoull(argv[3], NULL, 0);
	double *kind = NULL, *va = NULL, *skipped = NULL, *cpu = NULL, *start = NULL, *end = NULL;
	long n = h5in_column(f, "ops", "kind", &kind);
	if (n < 0 || h5in_column(f, "ops", "va", &va) != n || h5in_column(f, "ops", "skipped", &skipped) != n ||
	    h5in_column(f, "ops", "cpu", &cpu) != n || h5in_column(f, "ops", "start", &start) != n ||
	    h5in_column(f, "ops", "end", &end) != n) {
		fprintf(stderr, "ops_count: %s has no /ops table\n", argv[1]);
		return 1;
	}
	long count[OP_COUNT] = {0};
	for (long i = 0; i < n; i++)
		if (va[i] >= (double)lo && va[i] < (double)hi && kind[i] >= 0 && kind[i] < OP_COUNT && !skipped[i])
			count[(int)kind[i]]++;
	for (int k = 0; k < OP_COUNT; k++)
		printf("%s %ld\n", op_info(k)->name, count[k]);
	long unraced = 0;
	for (long i = 0; i < n; i++) {
		if (!skipped[i])
			continue;
		unsigned long long page = (unsigned long long)va[i] >> 12;
		int raced = 0;
		for (long j = 0; j < n && !raced; j++)
			raced = !skipped[j] && cpu[j] != cpu[i] && (unsigned long long)va[j] >> 12 == page && start[j] <= end[i] &&
				end[j] >= start[i];
		unraced += !raced;
	}
	printf("unraced_skips %ld\n", unraced);
	free(cpu);
	free(start);
	free(end);
	free(kind);
	free(va);
	free(skipped);
	h5in_close(f);
	return 0;
}
