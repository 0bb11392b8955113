/* plot: see plot.h. */
#include "plot.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
	/* gnuplot's warnings (an empty range...) go to a file, shown only if it fails */
	char log[4200];
	snprintf(log, sizeof log, "%s.gnuplot-log", out);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	fflush(NULL);
	int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		unlink(log);
		snprintf(err, errlen, "cannot run gnuplot: %s (install gnuplot-nox)", strerror(rc));
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	if (failed) {
		char line[512] = "", last[512] = "";
		FILE *f = fopen(log, "r");
		while (f && fgets(line, sizeof line, f))
			if (line[0] != '\n')
				snprintf(last, sizeof last, "%.*s", (int)strcspn(line, "\n"), line);
		if (f)
			fclose(f);
		snprintf(err, errlen, "gnuplot failed on %s%s%s", path, last[0] ? ": " : "", last);
	}
	unlink(log);
	return failed ? -1 : 0;
}
