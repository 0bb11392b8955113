/* xmlscan: see xmlscan.h. */
#include "xmlscan.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 255

struct scan {
	const char *p, *end;
	int line;
	char *err;
	size_t errlen;
	char *arena; /* decoded names and values of the current tag */
	size_t used, cap;
	struct { const char *name; size_t len; } stack[XML_MAX_DEPTH];
	int depth;
};

static int bad(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct scan *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(s->err, s->errlen, "%d: %s", s->line, msg);
	return -1;
}

static int at(const struct scan *s, const char *lit) { return (size_t)(s->end - s->p) >= strlen(lit) && memcmp(s->p, lit, strlen(lit)) == 0; }

static void advance(struct scan *s, size_t n)
{
	for (size_t i = 0; i < n && s->p < s->end; i++)
		s->line += *s->p++ == '\n';
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static void skip_space(struct scan *s)
{
	while (s->p < s->end && is_space(*s->p))
		advance(s, 1);
}

static int name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
static int name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

/* Skips to just after the literal `close`; what says what is unclosed. */
static int skip_past(struct scan *s, const char *close, const char *what)
{
	int start = s->line;
	while (s->p < s->end && !at(s, close))
		advance(s, 1);
	if (s->p >= s->end) {
		s->line = start;
		return bad(s, "%s is not closed: expected '%s'", what, close);
	}
	advance(s, strlen(close));
	return 0;
}

/* <!DOCTYPE ...>, with an internal subset in [...] if any. */
static int skip_doctype(struct scan *s)
{
	int start = s->line, brackets = 0;
	for (; s->p < s->end; advance(s, 1)) {
		if (*s->p == '[')
			brackets++;
		else if (*s->p == ']' && brackets > 0)
			brackets--;
		else if (*s->p == '>' && brackets == 0) {
			advance(s, 1);
			return 0;
		}
	}
	s->line = start;
	return bad(s, "the DOCTYPE is not closed: expected '>'");
}

/* A name into the arena; NULL with err if none. */
static const char *read_name(struct scan *s, const char *what)
{
	const char *b = s->p;
	if (s->p >= s->end || !name_start(*s->p)) {
		bad(s, "expected %s", what);
		return NULL;
	}
	while (s->p < s->end && name_char(*s->p))
		s->p++;
	size_t n = (size_t)(s->p - b);
	if (n > MAX_NAME) {
		bad(s, "a name longer than %d characters", MAX_NAME);
		return NULL;
	}
	char *out = s->arena + s->used;
	memcpy(out, b, n);
	out[n] = '\0';
	s->used += n + 1;
	return out;
}

/* "&amp;" and the like, at s->p (after '&'); appends the character to out. */
static int read_entity(struct scan *s, char *out, size_t *n)
{
	static const struct { const char *name; char c; } named[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (at(s, named[i].name)) {
			out[(*n)++] = named[i].c;
			advance(s, strlen(named[i].name));
			return 0;
		}
	if (at(s, "#")) {
		advance(s, 1);
		int hex = at(s, "x");
		if (hex)
			advance(s, 1);
		unsigned long v = 0;
		int digits = 0;
		while (s->p < s->end && digits < 8) {
			char c = *s->p;
			int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d < 0)
				break;
			v = v * (hex ? 16 : 10) + (unsigned long)d;
			digits++;
			advance(s, 1);
		}
		if (!digits || !at(s, ";"))
			return bad(s, "malformed character reference: expected &#N; or &#xN;");
		advance(s, 1);
		if (v == 0 || v > 0x7f)
			return bad(s, "character reference &#%lu; is not printable ASCII", v);
		out[(*n)++] = (char)v;
		return 0;
	}
	return bad(s, "unknown entity: expected &lt; &gt; &amp; &quot; &apos; or &#N;");
}

static int read_value(struct scan *s, const char **value)
{
	if (s->p >= s->end || (*s->p != '"' && *s->p != '\''))
		return bad(s, "expected a quoted attribute value");
	char q = *s->p;
	advance(s, 1);
	char *out = s->arena + s->used;
	size_t n = 0;
	while (s->p < s->end && *s->p != q) {
		if (*s->p == '<')
			return bad(s, "'<' in an attribute value: expected &lt;");
		if (*s->p == '&') {
			advance(s, 1);
			if (read_entity(s, out, &n) != 0)
				return -1;
			continue;
		}
		out[n++] = *s->p;
		advance(s, 1);
	}
	if (s->p >= s->end)
		return bad(s, "attribute value is not closed: expected %c", q);
	advance(s, 1);
	out[n] = '\0';
	s->used += n + 1;
	*value = out;
	return 0;
}

static int start_tag(struct scan *s, const struct xml_handler *h)
{
	struct xml_element e = {.line = s->line, .depth = s->depth};
	s->used = 0;
	const char *name_at = s->p;
	if (!(e.name = read_name(s, "an element name after '<'")))
		return -1;
	size_t name_len = (size_t)(s->p - name_at);
	for (;;) {
		int spaced = s->p < s->end && is_space(*s->p);
		skip_space(s);
		if (at(s, "/>") || at(s, ">"))
			break;
		if (s->p >= s->end)
			return bad(s, "the file ends inside <%s>: expected '>'", e.name);
		if (!spaced)
			return bad(s, "expected a space, '>' or '/>' in <%s>", e.name);
		struct xml_attr a;
		if (!(a.name = read_name(s, "an attribute name")))
			return -1;
		skip_space(s);
		if (s->p >= s->end)
			return bad(s, "the file ends inside <%s>: expected '=\"VALUE\"' and '>'", e.name);
		if (!at(s, "="))
			return bad(s, "attribute %s of <%s>: expected '='", a.name, e.name);
		advance(s, 1);
		skip_space(s);
		if (read_value(s, &a.value) != 0)
			return -1;
		if (xml_attr(&e, a.name))
			return bad(s, "attribute %s given twice in <%s>", a.name, e.name);
		if (e.n_attrs == XML_MAX_ATTRS)
			return bad(s, "more than %d attributes in <%s>", XML_MAX_ATTRS, e.name);
		e.attrs[e.n_attrs++] = a;
	}
	int empty = at(s, "/>");
	if (s->depth == XML_MAX_DEPTH)
		return bad(s, "elements nested more than %d deep", XML_MAX_DEPTH);
	if (h->start && h->start(h->ctx, &e, s->err, s->errlen) != 0)
		return -1;
	advance(s, empty ? 2 : 1);
	if (empty)
		return h->end && h->end(h->ctx, e.name, e.line, s->err, s->errlen) != 0 ? -1 : 0;
	s->stack[s->depth].name = name_at;
	s->stack[s->depth].len = name_len;
	s->depth++;
	return 0;
}

static int end_tag(struct scan *s, const struct xml_handler *h)
{
	s->used = 0;
	const char *name_at = s->p;
	const char *name = read_name(s, "an element name after '</'");
	if (!name)
		return -1;
	size_t len = (size_t)(s->p - name_at);
	skip_space(s);
	if (!at(s, ">"))
		return bad(s, "end tag </%s> is not closed: expected '>'", name);
	if (s->depth == 0)
		return bad(s, "end tag </%s> without a start tag", name);
	if (s->stack[s->depth - 1].len != len || memcmp(s->stack[s->depth - 1].name, name_at, len) != 0)
		return bad(s, "end tag </%s>: expected </%.*s>", name, (int)s->stack[s->depth - 1].len, s->stack[s->depth - 1].name);
	s->depth--;
	advance(s, 1);
	return h->end && h->end(h->ctx, name, s->line, s->err, s->errlen) != 0 ? -1 : 0;
}

int xml_scan(const char *text, size_t len, const struct xml_handler *h, char *err, size_t errlen)
{
	struct scan s = {.p = text, .end = text + len, .line = 1, .err = err, .errlen = errlen};
	if (memchr(text, '\0', len))
		return bad(&s, "a NUL byte: expected XML text");
	/* a tag's decoded names and values never outgrow the tag */
	s.cap = len + 1;
	if (!(s.arena = malloc(s.cap)))
		abort();
	int rc = 0, roots = 0;
	if (at(&s, "\xef\xbb\xbf"))
		s.p += 3;
	while (rc == 0 && s.p < s.end) {
		if (*s.p != '<') {
			if (s.depth == 0 && !is_space(*s.p))
				rc = bad(&s, "text outside the root element: expected '<'");
			advance(&s, 1);
		} else if (at(&s, "<!--")) {
			rc = skip_past(&s, "-->", "a comment");
		} else if (at(&s, "<?")) {
			rc = skip_past(&s, "?>", "a processing instruction");
		} else if (at(&s, "<![CDATA[")) {
			rc = s.depth ? skip_past(&s, "]]>", "a CDATA section") : bad(&s, "CDATA outside the root element");
		} else if (at(&s, "<!DOCTYPE")) {
			rc = roots ? bad(&s, "a DOCTYPE after the root element") : skip_doctype(&s);
		} else if (at(&s, "</")) {
			advance(&s, 2);
			rc = end_tag(&s, h);
		} else {
			advance(&s, 1);
			if (s.depth == 0 && roots++)
				rc = bad(&s, "a second root element: expected one");
			else
				rc = start_tag(&s, h);
		}
	}
	if (rc == 0 && s.depth > 0)
		rc = bad(&s, "element <%.*s> is not closed at the end of the file", (int)s.stack[s.depth - 1].len, s.stack[s.depth - 1].name);
	if (rc == 0 && !roots)
		rc = bad(&s, "no element: expected <platform>");
	free(s.arena);
	return rc;
}

const char *xml_attr(const struct xml_element *e, const char *name)
{
	for (size_t i = 0; i < e->n_attrs; i++)
		if (strcmp(e->attrs[i].name, name) == 0)
			return e->attrs[i].value;
	return NULL;
}
