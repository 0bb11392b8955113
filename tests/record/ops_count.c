/* ops_count: counts the rows of a result file's /ops table by kind, for
 * ops whose address lies in [LO, HI): "KIND COUNT" lines, every kind.  The
 * record test compares them with what tests/record/known.c did. */
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
	double *kind = NULL, *va = NULL, *skipped = NULL;
	long n = h5in_column(f, "ops", "kind", &kind);
	if (n < 0 || h5in_column(f, "ops", "va", &va) != n || h5in_column(f, "ops", "skipped", &skipped) != n) {
		fprintf(stderr, "ops_count: %s has no /ops table\n", argv[1]);
		return 1;
	}
	long count[OP_COUNT] = {0};
	for (long i = 0; i < n; i++)
		if (va[i] >= (double)lo && va[i] < (double)hi && kind[i] >= 0 && kind[i] < OP_COUNT && !skipped[i])
			count[(int)kind[i]]++;
	for (int k = 0; k < OP_COUNT; k++)
		printf("%s %ld\n", op_info(k)->name, count[k]);
	free(kind);
	free(va);
	free(skipped);
	h5in_close(f);
	return 0;
}
