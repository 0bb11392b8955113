/* cli: what the command files share: the exit codes, --version and the
 * parts of every --help, the options of run and compare, and small
 * helpers.  Each command is one file (cmd_NAME.c) with one entry point,
 * dispatched by main.c. */
#ifndef MNSIM_CLI_H
#define MNSIM_CLI_H
#include "run.h"
#include <stdio.h>

/* One exit code per kind of outcome, the same in every command (README). */
#define EXIT_FAILED 1 /* bad input file (file:line), a failed run, an output that cannot be written */
#define EXIT_USAGE 2  /* the command line: unknown command or option, a bad or missing value, an unknown name */
#define EXIT_NO 3     /* the command ran and the answer is no: a litmus verdict differs, a target is not met */
/* 128 + signal (130 SIGINT, 143 SIGTERM): interrupted, nothing half-written left */
#define MAX_POLICIES 16

extern const char *const default_compare_policies;

/* Options shared by run and compare. */
struct common_opts {
	struct run_config cfg;
	const char *policies;
	int seeds;         /* compare --seeds N: seeds 1..N */
	int quiet;         /* -q: no progress */
	int force_progress; /* --progress: progress even when stderr is not a terminal */
	int help, version;
	int jobs;          /* compare -j N: runs at once, 0 if not given */
};

/* getopt_long codes of the long options that have no short form */
enum { OPT_POLICY = 256, OPT_SEED, OPT_SET, OPT_POLICIES, OPT_SEEDS, OPT_PROGRESS, OPT_VERSION };

/* Parses -j N (1 to 1024 parallel runs); returns 0, or an exit code. */
int parse_jobs(const char *cmd, const char *arg, int *jobs);
/* Prints "mnsim CMD: " fmt (with arg) and a pointer to --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, const char *arg);
/* The first lines of every --help: "usage: mnsim CMD ARGS" and the version. */
void print_usage_header(const char *cmd, const char *args);
/* The last lines of every --help: the exit codes. */
void print_exit_codes(void);
/* mnsim --version: mnsim's and its libraries' versions; returns 0. */
int print_version(void);
/* Parses run's or compare's argv into o; returns 0, or an exit code. */
int parse_common(const char *cmd, int argc, char **argv, struct common_opts *o, int allow_policies);
/* Whether progress is shown: on a terminal unless -q, or with --progress. */
int progress_wanted(const struct common_opts *o);
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
/* Checks MNSIM_LOG before any run: 0, or EXIT_USAGE with the reason said. */
int check_log_setting(void);

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
int cmd_import(int argc, char **argv);
int cmd_record(int argc, char **argv);

/* Shared by import and record (cmd_import.c). */
struct import_opts;
struct import_stats;
struct gen_spec;
int import_to_file(const struct import_opts *io, const char *out, struct import_stats **st, const char *cmd);
int import_device_spec(struct gen_spec *g, const char *spec, int argc, char **argv, int *gap_given, int *ats, const char *cmd);
int import_parse_bind(struct import_opts *io, const char *arg, const char *cmd);

#endif
