/* libFuzzer target: parameter settings (--set, trace 'param' lines and
 * platform host properties all go through params_set) and the unit parsers.
 * The input is lines of key=value. */
#include "params.h"
#include "units.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct param_settings s = {0};
	struct params p;
	char err[256], buf[64];
	params_defaults(&p);
	for (char *save, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double d;
		uint64_t u;
		const char *why;
		units_parse_duration(line, &d, &why);
		units_parse_size(line, &u, &why);
		units_parse_u64(line, &u, &why);
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (param_settings_add(&s, line, eq + 1, err, sizeof err) == 0 && params_find(line))
			params_format(&p, params_find(line), buf, sizeof buf);
	}
	param_settings_apply(&s, &p, err, sizeof err);
	param_settings_free(&s);
	free(text);
	return 0;
}
