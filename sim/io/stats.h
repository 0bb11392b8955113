/* stats: means with 95 % confidence intervals over seeds, and a
 * log-bucketed histogram of non-negative values (latencies) with
 * exact count, sum, min and max.  Percentiles are exact when all samples in
 * the percentile's bucket are equal (as with deterministic latencies) and
 * within 1% otherwise; memory does not grow with the number of samples. */
#ifndef MNSIM_STATS_H
#define MNSIM_STATS_H
#include <stdint.h>

#define STATS_BUCKETS 2400

struct hist {
	uint64_t count;
	double sum, min, max;
	uint32_t bucket[STATS_BUCKETS];
	double bucket_min[STATS_BUCKETS], bucket_max[STATS_BUCKETS];
};

/* The mean of n samples and the half-width of its 95 % confidence interval
 * (Student t with n-1 degrees of freedom, from GSL); ci95 is 0 for n < 2. */
struct mean_ci { double mean, ci95; int n; };
struct mean_ci stats_mean_ci(const double *x, int n);
/* The two-sided 95 % Student t quantile for df degrees of freedom. */
double stats_t95(int df);

void hist_init(struct hist *h);
void hist_add(struct hist *h, double v);
double hist_mean(const struct hist *h);
/* q in [0, 1]; 0 for an empty histogram. */
double hist_quantile(const struct hist *h, double q);

#endif
