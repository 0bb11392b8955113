/* params: every model parameter in one table (params.def): name, type,
 * default, unit, range and meaning.  Parsing of --set, `mnsim params`,
 * validation, platform host properties and the HDF5 attributes are all
 * generated from it.  Values are layered: default < platform host property
 * < trace "param" line < --set. */
#ifndef MNSIM_PARAMS_H
#define MNSIM_PARAMS_H
#include <stddef.h>
#include <stdio.h>

enum param_type { PT_DURATION, PT_INT, PT_BOOL, PT_CHOICE };
enum param_scope { PS_GLOBAL, PS_IOMMU, PS_DEVICE };

struct params {
#define X(name, type, def, unit, lo, hi, scope, help, prov) double name;
#include "params.def"
#undef X
};

struct param_def {
	const char *name;
	enum param_type type;
	const char *default_text;
	const char *unit;
	double min, max;
	enum param_scope scope;
	size_t offset;
	const char *help;
	const char *provenance; /* "cited: ...", "approx.: ...", "assumption", ... (params.def) */
};

size_t params_count(void);
const struct param_def *params_def(size_t i);
const struct param_def *params_find(const char *name);
void params_defaults(struct params *p);
/* Sets one value; on error writes "key: why" into err and returns -1. */
int params_set(struct params *p, const char *name, const char *value, char *err, size_t errlen);
double params_get(const struct params *p, const struct param_def *d);
/* The value as a person would write it ("250ns", "512", "exp"). */
const char *params_format(const struct params *p, const struct param_def *d, char *buf, size_t len);
const char *params_format_value(const struct param_def *d, double v, char *buf, size_t len);
void params_print_table(FILE *out);
/* A CHOICE's names: all ('|'-separated, "" if d is no CHOICE), how many,
 * the i-th (into buf; NULL if none), and the index of a name (-1). */
const char *params_choices(const struct param_def *d);
int params_choice_count(const struct param_def *d);
const char *params_choice_name(const struct param_def *d, int i, char *buf, size_t len);
int params_choice_index(const struct param_def *d, const char *name);
const char *params_scope_name(enum param_scope s);

/* An ordered list of name=value settings (from a trace or --set). */
struct param_settings {
	size_t n, cap;
	char **names, **values;
};
/* Adds a setting; a parameter set twice is an error, as a bad value is. */
int param_settings_add(struct param_settings *s, const char *name, const char *value, char *err, size_t errlen);
int param_settings_apply(const struct param_settings *s, struct params *p, char *err, size_t errlen);
void param_settings_free(struct param_settings *s);

#endif
