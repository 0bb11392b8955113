/* outfile: the one way mnsim writes an output file (result files, traces,
 * tables, merged sweeps, job scripts), so that no target is ever replaced by
 * accident and no half file is ever left.
 *
 * - A regular file, or a path that does not exist yet, is written to a
 *   temporary file in its directory and put in place by outfile_commit().
 *   A stream's temporary is unnamed (O_TMPFILE), so that even SIGKILL leaves
 *   nothing; HDF5 opens its file by name, so a binary output's temporary is
 *   PATH.tmp.HOST.PID, removed on failure, on SIGINT/SIGTERM (handlers call
 *   outfile_unlink_temps()), by the parent of a killed child, and, if both
 *   were killed, by the next command that writes the same target
 *   (outfile_remove_stale).  A symbolic link is
 *   followed: its target is replaced, not the link.
 * - A target that exists and is not a regular file (/dev/null, /dev/full, a
 *   FIFO, a terminal) is written into directly and never renamed over; binary
 *   output is built in $TMPDIR and copied into it at the end (and refused on
 *   a terminal).  A block device is refused.
 * - "-" is standard output, written the same way.
 * Errors name the path the user gave and the reason (ENOENT, ENOTDIR, EISDIR,
 * ENOSPC...), never a temporary name. */
#ifndef MNSIM_OUTFILE_H
#define MNSIM_OUTFILE_H
#include <stddef.h>
#include <stdio.h>

enum outfile_kind { OUTFILE_TEXT, OUTFILE_BINARY };

struct outfile;

/* Whether path can be written, before any work: 0, 1 for a usage error (an
 * empty path) or -1 (a missing or non-directory parent, a directory, binary
 * output to a terminal), with the reason in err. */
int outfile_check(const char *path, enum outfile_kind kind, char *err, size_t errlen);
struct outfile *outfile_open(const char *path, enum outfile_kind kind, char *err, size_t errlen);
/* A text target and its stream (what most writers want): NULL with err. */
struct outfile *outfile_open_text(const char *path, FILE **stream, char *err, size_t errlen);
/* write() of all n bytes, through EINTR and short writes; 0 or -1 with errno. */
int outfile_write_all(int fd, const void *buf, size_t n);
/* The temporary file's name, for a library that opens it itself (HDF5). */
const char *outfile_path(const struct outfile *o);
/* The stream to print to (text writers). */
FILE *outfile_stream(struct outfile *o);
/* Finishes the file: checks every write, then renames or copies it into
 * place.  Frees o; returns 0 or -1 with why in err (and nothing left). */
int outfile_commit(struct outfile *o, char *err, size_t errlen);
/* Puts a file another program wrote (gnuplot's figure, at `written`) at
 * path as outfile_commit would (never renamed over a non-regular target),
 * and removes `written`; 0 or -1 with why in err. */
int outfile_install(const char *written, const char *path, char *err, size_t errlen);
/* Drops the file: nothing is left (a direct target keeps what was written). */
void outfile_abort(struct outfile *o);
/* The named temporary file process pid writes for path ("PATH.tmp.HOST.PID"),
 * so that a parent can remove what a killed child left. */
void outfile_temp_name(const char *path, long pid, char *buf, size_t len);
/* Removes the named temporary files that processes of this host that are
 * gone left for path (a run SIGKILLed with its parent leaves one); a scan
 * of path's directory, so called once per command, not once per file. */
void outfile_remove_stale(const char *path);
/* The same for every target in directory dir (one scan, for a command that
 * writes many files there). */
void outfile_remove_stale_in(const char *dir);
/* Whether name is such a temporary of this host whose process is gone. */
int outfile_is_stale_temp(const char *name);
/* Removes this process's named temporary files; async-signal-safe, for
 * signal handlers (unnamed ones need no removing). */
void outfile_unlink_temps(void);
/* Installs SIGINT/SIGTERM handlers that remove this process's temporary
 * files and then die of the signal (for commands without handlers of their own). */
void outfile_clean_on_signals(void);
/* An unnamed scratch file in $TMPDIR, read and written by descriptor: the
 * descriptor, or -1 with errno. */
int outfile_scratch(void);
/* Whether two paths name the same existing file (an output that would
 * replace an input). */
int outfile_same_file(const char *a, const char *b);
/* "disk full" and the like for errno values that mean no room is left. */
const char *outfile_no_space(int err);

#endif
