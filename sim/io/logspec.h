/* logspec: MNSIM_LOG, the log levels a user asks for: one level for every
 * category ("info") or per category ("iommu:debug,kernel:info", "all" for
 * every category), checked against mnsim's log categories and SimGrid's
 * level names, and turned into SimGrid --log settings. */
#ifndef MNSIM_LOGSPEC_H
#define MNSIM_LOGSPEC_H
#include <stddef.h>

#define LOGSPEC_MAX 16
struct logspec { int n; char settings[LOGSPEC_MAX][64]; /* "iommu.thres:debug" */ };

/* NULL or "" gives the default (warnings only).  0, or -1 with a message
 * that names the bad part and what is expected. */
int logspec_parse(const char *text, struct logspec *out, char *err, size_t errlen);
/* mnsim's log categories, NULL-terminated. */
extern const char *const logspec_categories[];

#endif
