/* cli: what the command files share: the exit code for usage errors, the
 * options of run and compare, and small helpers.  Each command is one file
 * (cmd_NAME.c) with one entry point, dispatched by main.c. */
#ifndef MNSIM_CLI_H
#define MNSIM_CLI_H
#include "run.h"
#include <stdio.h>

#define EXIT_USAGE 2
#define MAX_POLICIES 16

extern const char *const default_compare_policies;

/* Options shared by run and compare. */
struct common_opts { struct run_config cfg; const char *policies; int help; };

/* getopt_long codes of the long options that have no short form */
enum { OPT_POLICY = 256, OPT_SEED, OPT_SET, OPT_POLICIES };

/* Prints "mnsim CMD: " fmt (with arg) and a pointer to --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, const char *arg);
/* Parses run's or compare's argv into o; returns 0, or an exit code. */
int parse_common(const char *cmd, int argc, char **argv, struct common_opts *o, int allow_policies);
/* Whether path can be opened; says why not on stderr. */
int file_readable(const char *what, const char *path);
/* Sets *slot to an option's value, once: a second -o (or any option that
 * takes one value) is a usage error, not a silent override.  0 or 2. */
int set_once(const char *cmd, const char *opt, const char **slot, const char *value);
/* A whole decimal integer in [min, max]; 0, or -1. */
int parse_count(const char *text, long min, long max, int *out);
/* Checks an output path before work starts (outfile.h): 0, or the exit
 * code after saying why (2 for an empty path, 1 otherwise). */
int check_output(const char *cmd, const char *path, int binary);
/* mkdir -p; returns 0 or -1 (errno set). */
int make_dir(const char *dir);

/* The commands: argv[0] is the command's name. */
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_size_queue(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_policies(int argc, char **argv);
int cmd_params(int argc, char **argv);

#endif
