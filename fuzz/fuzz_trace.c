/* libFuzzer target: the trace parser.  Each input is written to a file (the
 * parser reads files), validated with trace_load(), and, if valid, every
 * stream is read back through a cursor. */
#include "trace.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/mnsim-fuzz-trace-%ld", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct trace_header h;
	char err[512];
	if (trace_load(path, &h, err, sizeof err) == 0) {
		for (size_t s = 0; s < h.n_streams; s++) {
			struct trace_cursor *c = trace_cursor_open(&h, (int)s, err, sizeof err);
			struct trace_event ev;
			while (c && trace_cursor_next(c, &ev, err, sizeof err) == 1)
				;
			trace_cursor_close(c);
		}
		trace_free(&h);
	}
	return 0;
}
