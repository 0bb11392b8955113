/* logspec: see logspec.h. */
#include "logspec.h"
#include "textutil.h"
#include <stdio.h>
#include <string.h>

/* Every XBT_LOG_NEW_DEFAULT_CATEGORY of sim/ (the layout test checks the list). */
const char *const logspec_categories[] = {"sim", "kernel", "iommu", "device", "checker", NULL};
static const char *const levels[] = {"trace", "debug", "verbose", "info", "warning", "error", "critical", NULL};

static int known(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int bad(char *err, size_t errlen, const char *text, const char *what)
{
	char cats[256] = "", lv[256] = "";
	for (int i = 0; logspec_categories[i]; i++)
		snprintf(cats + strlen(cats), sizeof cats - strlen(cats), "%s%s", i ? ", " : "", logspec_categories[i]);
	for (int i = 0; levels[i]; i++)
		snprintf(lv + strlen(lv), sizeof lv - strlen(lv), "%s%s", i ? ", " : "", levels[i]);
	return failf(err, errlen, "MNSIM_LOG='%s': %s; expected LEVEL or CATEGORY:LEVEL[,CATEGORY:LEVEL...] with a category "
				  "among all, %s and a level among %s (e.g. MNSIM_LOG=iommu:debug,kernel:info)",
		     text, what, cats, lv);
}

int logspec_parse(const char *text, struct logspec *out, char *err, size_t errlen)
{
	out->n = 0;
	snprintf(out->settings[out->n++], sizeof out->settings[0], "root.thres:warning");
	if (!text || !*text)
		return 0;
	char buf[512], why[160];
	if (strlen(text) >= sizeof buf)
		return bad(err, errlen, text, "too long");
	snprintf(buf, sizeof buf, "%s", text);
	for (char *save, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		item = trim(item);
		char *colon = strchr(item, ':');
		const char *cat = "all", *level = item;
		if (colon) {
			*colon = '\0';
			cat = trim(item);
			level = trim(colon + 1);
		}
		if (strcmp(cat, "all") != 0 && !known(logspec_categories, cat)) {
			snprintf(why, sizeof why, "unknown category '%s'", cat);
			return bad(err, errlen, text, why);
		}
		if (!known(levels, level)) {
			snprintf(why, sizeof why, "unknown level '%s'", level);
			return bad(err, errlen, text, why);
		}
		if (out->n == LOGSPEC_MAX)
			return bad(err, errlen, text, "too many settings");
		snprintf(out->settings[out->n++], sizeof out->settings[0], "%s.thres:%s", strcmp(cat, "all") == 0 ? "root" : cat, level);
	}
	return 0;
}
