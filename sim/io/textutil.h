/* textutil: small text helpers shared by the parsers and commands:
 * writing an error message into the caller's buffer, appending to a
 * buffer, trimming a line, splitting 'key = value', and reading a line of
 * bounded length. */
#ifndef MNSIM_TEXTUTIL_H
#define MNSIM_TEXTUTIL_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Formats into err and returns -1, so that `return failf(...)` reports. */
static inline int failf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int failf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Appends to the NUL-terminated string in buf (len bytes), cutting what
 * does not fit. */
static inline void appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* Strips blanks and line endings at both ends, in place. */
static inline char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

/* Splits a 'key = value' line in place ('#' starts a comment): 1 with *key
 * and *value trimmed, 0 for a blank or comment line, -1 if there is no '='. */
static inline int key_value_line(char *line, char **key, char **value)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *t = trim(line);
	if (!*t)
		return 0;
	char *eq = strchr(t, '=');
	if (!eq)
		return -1;
	*eq = '\0';
	*key = trim(t);
	*value = trim(eq + 1);
	return 1;
}

/* Reads one line of at most max bytes (newline kept) into buf (max + 1
 * bytes), stopping at the bound: a file without newlines (/dev/zero) costs no
 * memory.  1 with the line, 0 at the end, -1 for a line too long, -2 for a
 * NUL byte, -3 for a read error (errno). */
static inline int read_text_line(FILE *f, char *buf, size_t max)
{
	size_t n = 0;
	int c;
	while ((c = getc(f)) != EOF) {
		if (c == '\0')
			return -2;
		if (n == max)
			return -1;
		buf[n++] = (char)c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	if (c == EOF && ferror(f))
		return -3;
	return n > 0;
}

/* What read_text_line's error means, for "FILE:LINE: ...". */
static inline const char *text_line_error(int rc)
{
	return rc == -1 ? "a line too long" : rc == -2 ? "a NUL byte: expected text" : "cannot read";
}

#endif
