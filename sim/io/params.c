/* params: see params.h. */
#include "params.h"
#include "units.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct param_def table[] = {
#define X(name, type, def, unit, lo, hi, scope, help, prov) \
	{#name, PT_##type, def, unit, lo, hi, PS_##scope, offsetof(struct params, name), help, prov},
#include "params.def"
#undef X
};

size_t params_count(void) { return sizeof table / sizeof table[0]; }
const struct param_def *params_def(size_t i) { return i < params_count() ? &table[i] : NULL; }

const struct param_def *params_find(const char *name)
{
	for (size_t i = 0; i < params_count(); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const char *params_scope_name(enum param_scope s)
{
	static const char *const names[] = {"kernel", "iommu", "device"};
	return names[s];
}

/* The names of each CHOICE parameter, '|'-separated, in the order of their
 * values.  The version and driver names are the rows of the model's tables
 * (kversion.c, driver.c; a unit test checks that they agree). */
static const struct { const char *param, *names; } choices[] = {
	{"kernel", "auto|4.14|4.15|4.20|5.1|5.8|5.13|6.6|6.12"},
	{"preempt_dist", "const|exp"},
	{"thp_migrate_fix", "0|1|auto"},
	{"driver", "intel-svm|amd-iommuv2|arm-smmu-v3"},
	{"qi_batch", "0|1|auto"},
	{"pcie_model", "serial|fluid"},
};

const char *params_choices(const struct param_def *d)
{
	for (size_t i = 0; d->type == PT_CHOICE && i < sizeof choices / sizeof choices[0]; i++)
		if (strcmp(choices[i].param, d->name) == 0)
			return choices[i].names;
	return "";
}

int params_choice_count(const struct param_def *d)
{
	const char *names = params_choices(d);
	int n = *names != '\0';
	for (const char *c = names; *c; c++)
		n += *c == '|';
	return n;
}

const char *params_choice_name(const struct param_def *d, int i, char *buf, size_t len)
{
	const char *c = params_choices(d);
	for (int k = 0; k < i && c; k++)
		if ((c = strchr(c, '|')))
			c++;
	if (i < 0 || !c || !*c || len == 0)
		return NULL;
	size_t n = strcspn(c, "|");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), c);
	return buf;
}

int params_choice_index(const struct param_def *d, const char *name)
{
	char buf[64];
	for (int i = 0; i < params_choice_count(d); i++)
		if (strcmp(params_choice_name(d, i, buf, sizeof buf), name) == 0)
			return i;
	return -1;
}

static double *slot(struct params *p, const struct param_def *d)
{
	return (double *)((char *)p + d->offset);
}

double params_get(const struct params *p, const struct param_def *d)
{
	return *(const double *)((const char *)p + d->offset);
}

static int parse_value(const struct param_def *d, const char *text, double *out, const char **why)
{
	uint64_t u;
	switch (d->type) {
	case PT_DURATION:
		return units_parse_duration(text, out, why);
	case PT_INT:
		if (units_parse_u64(text, &u, why) != 0)
			return -1;
		*out = (double)u;
		return 0;
	case PT_BOOL:
		if (strcmp(text, "0") == 0 || strcmp(text, "1") == 0) {
			*out = text[0] - '0';
			return 0;
		}
		*why = "expected 0 or 1";
		return -1;
	case PT_CHOICE: {
		int i = params_choice_index(d, text);
		if (i >= 0) {
			*out = i;
			return 0;
		}
		*why = params_choices(d); /* "expected one of" is added by params_set */
		return -2;
	}
	}
	*why = "unknown parameter type";
	return -1;
}

int params_set(struct params *p, const char *name, const char *value, char *err, size_t errlen)
{
	const struct param_def *d = params_find(name);
	if (!d) {
		snprintf(err, errlen, "unknown parameter '%s' (see 'mnsim params')", name);
		return -1;
	}
	double v;
	const char *why;
	int rc = parse_value(d, value, &v, &why);
	if (rc != 0) {
		snprintf(err, errlen, "parameter %s='%s': %s%s", name, value, rc == -2 ? "expected one of " : "", why);
		return -1;
	}
	if (d->type != PT_CHOICE && (v < d->min || v > d->max)) {
		snprintf(err, errlen, "parameter %s='%s': out of range [%g, %g] %s", name, value, d->min, d->max, d->unit);
		return -1;
	}
	*slot(p, d) = v;
	return 0;
}

void params_defaults(struct params *p)
{
	char err[256];
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < params_count(); i++)
		if (params_set(p, table[i].name, table[i].default_text, err, sizeof err) != 0)
			abort(); /* a broken default is a programming error caught by every test */
}

const char *params_format(const struct params *p, const struct param_def *d, char *buf, size_t len)
{
	return params_format_value(d, params_get(p, d), buf, len);
}

const char *params_format_value(const struct param_def *d, double v, char *buf, size_t len)
{
	switch (d->type) {
	case PT_DURATION:
		return units_format_duration(v, buf, (int)len);
	case PT_CHOICE:
		if (!params_choice_name(d, (int)v, buf, len))
			snprintf(buf, len, "%.0f", v);
		return buf;
	default:
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
}

void params_print_table(FILE *out)
{
	struct params p;
	char val[64];
	params_defaults(&p);
	fprintf(out, "%-24s %-7s %-9s %-6s %-22s %s\n", "parameter", "scope", "default", "unit", "range", "meaning [provenance]");
	for (size_t i = 0; i < params_count(); i++) {
		const struct param_def *d = &table[i];
		char range[64];
		if (d->type == PT_CHOICE)
			snprintf(range, sizeof range, "%s", params_choices(d));
		else if (d->type == PT_DURATION)
			snprintf(range, sizeof range, "[0, %gs]", d->max);
		else
			snprintf(range, sizeof range, "[%g, %g]", d->min, d->max);
		fprintf(out, "%-24s %-7s %-9s %-6s %-22s %s [%s]\n", d->name, params_scope_name(d->scope),
			params_format(&p, d, val, sizeof val), d->unit, range, d->help, d->provenance);
	}
}

int param_settings_add(struct param_settings *s, const char *name, const char *value, char *err, size_t errlen)
{
	struct params scratch;
	params_defaults(&scratch);
	if (params_set(&scratch, name, value, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0) {
			snprintf(err, errlen, "parameter '%s' set twice (%s, then %s)", name, s->values[i], value);
			return -1;
		}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->names = realloc(s->names, s->cap * sizeof *s->names);
		s->values = realloc(s->values, s->cap * sizeof *s->values);
		if (!s->names || !s->values)
			abort();
	}
	s->names[s->n] = strdup(name);
	s->values[s->n] = strdup(value);
	s->n++;
	return 0;
}

int param_settings_apply(const struct param_settings *s, struct params *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n; i++)
		if (params_set(p, s->names[i], s->values[i], err, errlen) != 0)
			return -1;
	return 0;
}

void param_settings_free(struct param_settings *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->names[i]);
		free(s->values[i]);
	}
	free(s->names);
	free(s->values);
	memset(s, 0, sizeof *s);
}
