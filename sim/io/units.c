/* units: see units.h. */
#include "units.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int units_parse_u64(const char *text, uint64_t *value, const char **why)
{
	if (!text || !*text || *text == '-' || *text == '+') {
		*why = "expected a non-negative integer";
		return -1;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 0);
	if (errno == ERANGE) {
		*why = "integer out of range (at most 2^64-1)";
		return -1;
	}
	if (*end) {
		*why = "expected a non-negative integer (decimal or 0x hex)";
		return -1;
	}
	*value = v;
	return 0;
}

int units_parse_double(const char *text, double *value, const char **why)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (!*text || *end || errno == ERANGE || !isfinite(v)) {
		*why = "expected a finite number";
		return -1;
	}
	*value = v;
	return 0;
}

struct suffix { const char *name; double scale; };

static int parse_scaled(const char *text, const struct suffix *table, double *out)
{
	char *end;
	errno = 0;
	if (!*text || *text == '-' || *text == '+')
		return -1;
	double v = strtod(text, &end);
	if (end == text || errno == ERANGE || !isfinite(v) || v < 0)
		return -1;
	if (!*end) {
		*out = v;
		return 0;
	}
	for (const struct suffix *s = table; s->name; s++) {
		if (strcmp(end, s->name) == 0) {
			*out = v * s->scale;
			return isfinite(*out) ? 0 : -1;
		}
	}
	return -1;
}

/* Durations are scaled by decimal exponent ("250ns" is read as "250e-9"),
 * so that they are the double nearest to what was written.  µs is accepted
 * as MICRO SIGN (U+00B5) and GREEK SMALL LETTER MU (U+03BC) as well as us. */
static const struct { const char *name; int exp10; } duration_units[] = {
	{"ps", -12}, {"ns", -9}, {"us", -6}, {"\xc2\xb5s", -6}, {"\xce\xbcs", -6}, {"ms", -3}, {"s", 0}, {NULL, 0}};

/* Clinger's fast path: a decimal with at most 15 digits is an integer below
 * 2^53, and 10^k for k <= 22 is a double, so one IEEE multiplication or
 * division gives the correctly rounded value, bit for bit what strtod gives,
 * at a fraction of its cost (traces hold millions of durations).  Returns -1
 * when the fast path does not apply. */
static int exact_decimal(const char *digits, size_t len, int exp10, double *out)
{
	static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	uint64_t mantissa = 0;
	int n_digits = 0, seen_point = 0;
	for (size_t i = 0; i < len; i++) {
		if (digits[i] == '.') {
			if (seen_point++)
				return -1;
			continue;
		}
		if (n_digits == 15)
			return -1;
		mantissa = mantissa * 10 + (uint64_t)(digits[i] - '0');
		n_digits++;
		exp10 -= seen_point;
	}
	if (n_digits == 0 || exp10 < -22 || exp10 > 22)
		return -1;
	*out = exp10 < 0 ? (double)mantissa / pow10[-exp10] : (double)mantissa * pow10[exp10];
	return 0;
}

int units_parse_duration(const char *text, double *seconds, const char **why)
{
	static const char *const expected =
		"expected a non-negative duration with a unit (ps, ns, us or µs, ms, s), e.g. 250ns, 250 ns, 2.5e-7s";
	size_t digits = strspn(text, "0123456789.");
	if (strcmp(text, "0") == 0) {
		*seconds = 0;
		return 0;
	}
	/* the fast path: DIGITS UNIT, as traces write them */
	for (int i = 0; digits > 0 && digits <= 64 && duration_units[i].name; i++) {
		if (strcmp(text + digits, duration_units[i].name) != 0)
			continue;
		if (exact_decimal(text, digits, duration_units[i].exp10, seconds) == 0)
			return 0;
		break;
	}
	/* what people type: blanks around, an exponent, a blank before the unit */
	const char *p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t mant = strspn(p, "0123456789.");
	const char *q = p + mant;
	long exp10 = 0;
	if (mant > 0 && mant <= 64 && (*q == 'e' || *q == 'E')) {
		char *end;
		errno = 0;
		exp10 = strtol(q + 1, &end, 10);
		if (end == q + 1 || errno == ERANGE || exp10 < -400 || exp10 > 400) {
			*why = expected;
			return -1;
		}
		q = end;
	}
	while (*q == ' ' || *q == '\t')
		q++;
	size_t ulen = strcspn(q, " \t");
	for (int i = 0; mant > 0 && mant <= 64 && duration_units[i].name; i++) {
		if (strlen(duration_units[i].name) != ulen || strncmp(q, duration_units[i].name, ulen) != 0 || q[ulen + strspn(q + ulen, " \t")])
			continue;
		char buf[96];
		snprintf(buf, sizeof buf, "%.*se%ld", (int)mant, p, exp10 + duration_units[i].exp10);
		char *end;
		errno = 0;
		double v = strtod(buf, &end);
		if (*end || errno == ERANGE || !isfinite(v) || strspn(p, ".") == mant)
			break;
		*seconds = v;
		return 0;
	}
	*why = expected;
	return -1;
}

static const struct suffix size_units[] = {
	{"K", 1024.0}, {"M", 1048576.0}, {"G", 1073741824.0}, {"T", 1099511627776.0}, {NULL, 0}};

int units_parse_size(const char *text, uint64_t *bytes, const char **why)
{
	double v;
	if (parse_scaled(text, size_units, &v) != 0 || v != floor(v) || v >= 1.8e19) {
		*why = "expected a whole size in bytes, optionally with K, M, G or T (e.g. 2M)";
		return -1;
	}
	*bytes = (uint64_t)v;
	return 0;
}

/* seconds in ns, us, ms or s: digits significant digits, sep between the
 * number and the unit, micro the name of us */
static const char *format_duration(double seconds, char *buf, int len, int digits, const char *sep, const char *micro)
{
	double a = fabs(seconds);
	if (a == 0)
		snprintf(buf, len, "0");
	else if (a < 1e-6)
		snprintf(buf, len, "%.*g%sns", digits, seconds * 1e9, sep);
	else if (a < 1e-3)
		snprintf(buf, len, "%.*g%s%s", digits, seconds * 1e6, sep, micro);
	else if (a < 1)
		snprintf(buf, len, "%.*g%sms", digits, seconds * 1e3, sep);
	else
		snprintf(buf, len, "%.*g%ss", digits, seconds, sep);
	return buf;
}

const char *units_format_duration(double seconds, char *buf, int len) { return format_duration(seconds, buf, len, 4, "", "us"); }

const char *units_format_duration_text(double seconds, char *buf, int len)
{
	return format_duration(seconds, buf, len, 3, " ", "\xc2\xb5s");
}
