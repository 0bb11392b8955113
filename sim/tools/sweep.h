/* sweep: batch parameter sweeps.  A spec names axes (workload, platform,
 * policy, any parameter) with lists or ranges, and a number of seeds; the
 * grid is their product.  Each point runs in its own process and writes its
 * own HDF5 file, named by a hash of its settings, under DIR/points/, so a
 * sweep can be killed and re-run: finished points are skipped, failed ones
 * retried.  The merge gathers every point's summary into DIR/sweep.h5 (and
 * CSV), with a mean and 95% confidence interval over seeds. */
#ifndef MNSIM_SWEEP_H
#define MNSIM_SWEEP_H
#include <stddef.h>

struct sweep_spec;

/* Reads a spec; errors name file:line.  check_files: the workload and
 * platform files must exist (not needed to merge). */
struct sweep_spec *sweep_spec_load(const char *path, int check_files, char *err, size_t errlen);
void sweep_spec_free(struct sweep_spec *s);
size_t sweep_points(const struct sweep_spec *s);

struct sweep_opts {
	int jobs;              /* parallel processes */
	int chunk, chunks;     /* run only points with index % chunks == chunk */
	int progress;          /* print a progress line */
};
/* Runs the points not finished yet; returns the number that failed, or -1. */
int sweep_run(const struct sweep_spec *s, const char *dir, const struct sweep_opts *o, char *err, size_t errlen);
/* Merges DIR (its sweep.spec and points) into DIR/sweep.h5, and CSV files if csv. */
int sweep_merge(const char *dir, int csv, char *err, size_t errlen);
/* Writes DIR/sweep.sbatch (a job array of chunks), and submits it unless dry_run. */
int sweep_slurm(const struct sweep_spec *s, const char *dir, const char *partition, const char *time, int chunks,
		int dry_run, char *err, size_t errlen);

#endif
