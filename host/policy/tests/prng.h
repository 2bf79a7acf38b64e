/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small deterministic PRNG (splitmix64) for the policy's property tests
 * and for mrmsim: same seed, same sequence, in the kernel and in user
 * space.  Not for anything that needs unpredictability.
 */
#ifndef _MRM_POLICY_TESTS_PRNG_H
#define _MRM_POLICY_TESTS_PRNG_H

#include <mrm/plain.h>

/* splitmix64's increment (2^64 / golden ratio) and output multipliers. */
#define MRM_PRNG_GAMMA 0x9e3779b97f4a7c15ULL
#define MRM_PRNG_MUL1 0xbf58476d1ce4e5b9ULL
#define MRM_PRNG_MUL2 0x94d049bb133111ebULL

/**
 * struct mrm_prng - generator state
 * @state: advances by MRM_PRNG_GAMMA per draw
 */
struct mrm_prng {
	u64 state;
};

static inline void mrm_prng_seed(struct mrm_prng *rng, u64 seed)
{
	rng->state = seed;
}

static inline u64 mrm_prng_next(struct mrm_prng *rng)
{
	u64 z = (rng->state += MRM_PRNG_GAMMA);

	z = (z ^ (z >> 30)) * MRM_PRNG_MUL1;
	z = (z ^ (z >> 27)) * MRM_PRNG_MUL2;
	return z ^ (z >> 31);
}

/* Uniform in [0, @bound) for @bound > 0 (modulo bias < bound / 2^64). */
static inline u64 mrm_prng_below(struct mrm_prng *rng, u64 bound)
{
	return bound ? mrm_prng_next(rng) % bound : 0;
}

/* Uniform in [@lo, @hi] for @lo <= @hi < U64_MAX. */
static inline u64 mrm_prng_range(struct mrm_prng *rng, u64 lo, u64 hi)
{
	return lo + mrm_prng_below(rng, hi - lo + 1);
}

#endif /* _MRM_POLICY_TESTS_PRNG_H */
