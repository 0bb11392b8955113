/* libFuzzer target: the workload generator's spec parser.  A spec that
 * parses and describes a small trace is also generated (to /dev/null). */
#include "gen.h"
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/mnsim-fuzz-spec-%ld", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct gen_spec *g = gen_spec_new();
	char err[512];
	if (gen_spec_load(g, path, err, sizeof err) == 0 && gen_spec_check(g, err, sizeof err) == 0 &&
	    gen_spec_small(g, 20000)) {
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			gen_write(g, out, err, sizeof err);
			fclose(out);
		}
	}
	gen_spec_free(g);
	return 0;
}
