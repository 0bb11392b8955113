/* textutil: small text helpers shared by the parsers and commands:
 * writing an error message into the caller's buffer, appending to a
 * buffer, trimming a line, splitting 'key = value'. */
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

#endif
