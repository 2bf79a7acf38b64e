/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-point and unit conventions of the policy core.
 *
 * The policy files build into mrm_host.ko, into KUnit and into the
 * user-space simulator, so they use no floating point.  A fraction in
 * [0, 1] (an active fraction, an EWMA gain, a tax factor's fractional
 * part) is a u32 in Q16.16: MRM_FRAC_ONE means 1.  Knobs cross the sysfs
 * boundary as integer percent or per-mille and are converted here, once.
 *
 * Every product that could exceed 64 bits goes through mrm_scale(), which
 * only multiplies by a ratio num/den with num <= den: the 128-bit
 * intermediate of mul_u64_u64_div_u64() then always yields a quotient that
 * fits (on x86-64 the kernel's version raises #DE on overflow).
 */
#ifndef _MRM_POLICY_FIXED_H
#define _MRM_POLICY_FIXED_H

#include <mrm/plain.h>

/* 1.0 in Q16.16 (2^16). */
#define MRM_FRAC_ONE 65536U

/* Denominators of the integer knobs. */
#define MRM_PERCENT 100U
#define MRM_PERMILLE 1000U

/**
 * mrm_scale() - @x * @num / @den, rounded down, for @num <= @den
 * @x: value to scale
 * @num: numerator of the ratio; values above @den are treated as @den
 * @den: denominator of the ratio; 0 yields 0
 *
 * Return: @x scaled by min(@num, @den) / @den; never more than @x.
 */
static inline u64 mrm_scale(u64 x, u64 num, u64 den)
{
	if (!den)
		return 0;
	if (num >= den)
		return x;
	return mul_u64_u64_div_u64(x, num, den);
}

/**
 * mrm_frac() - @part / @whole as a Q16.16 fraction, rounded down
 * @part: numerator; values above @whole are treated as @whole
 * @whole: denominator; 0 yields 0
 *
 * Return: a fraction in [0, MRM_FRAC_ONE].
 */
static inline u32 mrm_frac(u64 part, u64 whole)
{
	return (u32)mrm_scale(MRM_FRAC_ONE, part, whole);
}

/**
 * mrm_frac_of() - @x * @frac for a Q16.16 fraction, rounded down
 * @x: value to scale
 * @frac: fraction; values above MRM_FRAC_ONE are treated as 1
 *
 * Return: at most @x.
 */
static inline u64 mrm_frac_of(u64 x, u32 frac)
{
	return mrm_scale(x, frac, MRM_FRAC_ONE);
}

#endif /* _MRM_POLICY_FIXED_H */
