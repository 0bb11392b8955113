/* platform: mnsim's own check of a SimGrid platform file against what the
 * model needs, so that a bad platform is an error that names the file, the
 * element and what was expected, and never a SimGrid abort or crash.
 *
 * platform_read() reads the XML before SimGrid does (xmlscan.h): every
 * bandwidth, latency and speed attribute has a unit and a sane value (a
 * bandwidth in (0, PLATFORM_MAX_BANDWIDTH], a latency in [0,
 * PLATFORM_MAX_LATENCY]), every host's role is cpu, iommu or device, and its
 * other properties are parameters of its role's scope.  After SimGrid has
 * loaded the file, platform_check_loaded() checks what SimGrid built: every
 * host and link (clusters make their own), each device the trace uses (a
 * device host, its IOMMU) and the routes between each device and its IOMMU,
 * both ways; routes are asked of SimGrid in a throw-away child process,
 * because SimGrid crashes on a route it does not have. */
#ifndef MNSIM_PLATFORM_H
#define MNSIM_PLATFORM_H
#include "params.h"
#include "trace.h"
#include <simgrid/forward.h>
#include <stddef.h>

/* 1 TBps: eight times PCIe 6.0 x16; a 1-byte message then still takes a
 * picosecond, well above SimGrid's 1e-13 s precision (run.c). */
#define PLATFORM_MAX_BANDWIDTH 1e12
/* 1 s: PCIe completion time-outs are at most 64 s, link latencies are ns-us. */
#define PLATFORM_MAX_LATENCY 1.0

struct platform;

/* NULL with "FILE:LINE: ..." in err. */
struct platform *platform_read(const char *path, char *err, size_t errlen);
/* The same on a file's text (the fuzzer's entry point). */
struct platform *platform_parse(const char *path, const char *text, size_t len, char *err, size_t errlen);
void platform_free(struct platform *p);

/* A host's role property ("" if none). */
const char *platform_role(sg_host_t h);
/* Checks what SimGrid loaded against p and the trace; 0 or -1 with err. */
int platform_check_loaded(const struct platform *p, const struct trace_header *t, char *err, size_t errlen);
/* A host's parameters of its scope: defaults < its properties < the trace's
 * param lines < --set. */
int platform_host_params(const struct platform *p, sg_host_t h, enum param_scope scope, const struct param_settings *trace,
			 const struct param_settings *sets, struct params *out, char *err, size_t errlen);

#endif
