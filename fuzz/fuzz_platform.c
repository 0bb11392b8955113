/* libFuzzer target: mnsim's own reading of a platform file (run/platform.c
 * and its XML reader, io/xmlscan.c): the part that runs before SimGrid sees
 * the file, so that SimGrid never sees one mnsim could not check.  Each
 * input is a whole file's text; the checks after SimGrid's loading need
 * SimGrid and are not fuzzed here. */
#include "platform.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct platform *p = platform_parse("fuzz.xml", (const char *)data, size, err, sizeof err);
	platform_free(p);
	return 0;
}
