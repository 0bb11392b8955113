/* plot: see plot.h. */
#include "plot.h"
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static int safe_for_gnuplot(const char *s) { return !strchr(s, '\'') && !strchr(s, '\n'); }

int plot_render(const char *script, const char *data, const char *out, const char *extra, char *err, size_t errlen)
{
	char path[4096], vars[16384];
	snprintf(path, sizeof path, "%s/analysis/%s", MNSIM_SOURCE_DIR, script);
	if (!safe_for_gnuplot(data) || !safe_for_gnuplot(out)) {
		snprintf(err, errlen, "file names with quotes or newlines cannot be passed to gnuplot");
		return -1;
	}
	snprintf(vars, sizeof vars, "datafile='%s'; outfile='%s'; %s", data, out, extra);
	char *argv[] = {"gnuplot", "-e", vars, path, NULL};
	pid_t pid;
	fflush(NULL);
	int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc != 0) {
		snprintf(err, errlen, "cannot run gnuplot: %s (install gnuplot-nox)", strerror(rc));
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "gnuplot failed on %s", path);
		return -1;
	}
	return 0;
}
