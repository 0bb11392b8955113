/* xmlscan: a small, strict reader of the XML that SimGrid platform files
 * are written in, so that mnsim can check a platform before SimGrid reads it
 * (SimGrid aborts or crashes on much of what it does not expect).  It knows
 * elements, attributes (the five named entities and character references
 * decoded), comments, processing instructions, CDATA and a DOCTYPE line; it
 * checks that tags nest and that no attribute is given twice, and reports
 * "LINE: what was expected".  Text between elements is skipped. */
#ifndef MNSIM_XMLSCAN_H
#define MNSIM_XMLSCAN_H
#include <stddef.h>

#define XML_MAX_ATTRS 64
#define XML_MAX_DEPTH 64

struct xml_attr { const char *name, *value; };
struct xml_element {
	const char *name;
	int line, depth; /* depth 0: the root element */
	size_t n_attrs;
	struct xml_attr attrs[XML_MAX_ATTRS];
};

struct xml_handler {
	/* at each start tag, and at each end tag (an empty element <x/> gets
	 * both); a callback that returns non-zero stops the scan, with its
	 * message in err */
	int (*start)(void *ctx, const struct xml_element *e, char *err, size_t errlen);
	int (*end)(void *ctx, const char *name, int line, char *err, size_t errlen);
	void *ctx;
};

/* Scans text[0, len) (which need not end with a NUL); 0, or -1 with err
 * ("LINE: why" for a syntax error, else the callback's message). */
int xml_scan(const char *text, size_t len, const struct xml_handler *h, char *err, size_t errlen);
/* The value of attribute name, or NULL. */
const char *xml_attr(const struct xml_element *e, const char *name);

#endif
