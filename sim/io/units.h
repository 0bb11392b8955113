/* units: parsing and printing of the numbers people write in traces, platforms
 * and --set options: durations ("250ns", "1.5us", "2ms", "0"), sizes ("4K",
 * "2M", "4096") and integers ("0x7f000000", "512").  Every parser returns 0 on
 * success and -1 with a short "expected ..." text in *why on failure, so that
 * callers can prefix file:line. */
#ifndef MNSIM_UNITS_H
#define MNSIM_UNITS_H
#include <stdint.h>

int units_parse_duration(const char *text, double *seconds, const char **why);
int units_parse_size(const char *text, uint64_t *bytes, const char **why);
int units_parse_u64(const char *text, uint64_t *value, const char **why);
int units_parse_double(const char *text, double *value, const char **why);
/* Formats seconds with an engineering unit ("1.25us") into buf. */
const char *units_format_duration(double seconds, char *buf, int len);
/* The same for a reader, 3 significant digits: "1.25 µs", "500 ns". */
const char *units_format_duration_text(double seconds, char *buf, int len);

#endif
