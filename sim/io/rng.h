/* rng: a small, explicit, seedable random number generator (splitmix64).
 * Every random draw in a run comes from a struct rng owned by the simulation
 * context, so the same seed gives the same run. */
#ifndef MNSIM_RNG_H
#define MNSIM_RNG_H
#include <math.h>
#include <stdint.h>

struct rng { uint64_t state; };

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() is safe. */
static inline double rng_uniform(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

static inline double rng_exponential(struct rng *r, double mean)
{
	return -mean * log(rng_uniform(r));
}

#endif
