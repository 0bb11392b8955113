/* stats: see stats.h.  Buckets grow by 1% from 1 ps; bucket 0 holds values
 * below 1 ps (including 0).  Each bucket keeps its own min and max so that a
 * quantile is reported as a value that was actually observed. */
#include "stats.h"
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

double stats_t95(int df) { return df < 1 ? 0 : gsl_cdf_tdist_Pinv(0.975, df); }

struct mean_ci stats_mean_ci(const double *x, int n)
{
	struct mean_ci r = {0, 0, n};
	if (n < 1)
		return r;
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += x[i];
	r.mean = sum / n;
	if (n < 2)
		return r;
	double ss = 0; /* two passes: no cancellation when the spread is small */
	for (int i = 0; i < n; i++)
		ss += (x[i] - r.mean) * (x[i] - r.mean);
	r.ci95 = stats_t95(n - 1) * sqrt(ss / (n - 1)) / sqrt(n);
	return r;
}

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof *h);
	h->min = INFINITY;
	h->max = -INFINITY;
}

static int bucket_of(double v)
{
	if (v < 1e-12)
		return 0;
	int b = 1 + (int)(log(v / 1e-12) / log(1.01));
	return b < STATS_BUCKETS ? b : STATS_BUCKETS - 1;
}

void hist_add(struct hist *h, double v)
{
	int b = bucket_of(v);
	if (h->bucket[b] == 0 || v < h->bucket_min[b])
		h->bucket_min[b] = v;
	if (h->bucket[b] == 0 || v > h->bucket_max[b])
		h->bucket_max[b] = v;
	h->bucket[b]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

double hist_mean(const struct hist *h) { return h->count ? h->sum / (double)h->count : 0.0; }

double hist_quantile(const struct hist *h, double q)
{
	if (!h->count)
		return 0.0;
	/* nearest-rank definition: the smallest value with at least q*n samples at or below it */
	uint64_t rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (int b = 0; b < STATS_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			return h->bucket_max[b];
	}
	return h->max;
}
