// SPDX-License-Identifier: GPL-2.0
/*
 * Strict number parsing for sysfs stores and other text input.
 *
 * sysfs hands a store() the bytes user space wrote, usually ending in the
 * newline that `echo` adds.  The rules here are deliberately narrower than
 * kstrtou64(): decimal digits only (no sign, no 0x, no leading or embedded
 * white space), at most one trailing newline, nothing else.  A value that
 * does not fit in 64 bits, or falls outside [min, max], is -ERANGE; any
 * other malformed input is -EINVAL.  On error *out is left untouched, so a
 * caller that stores straight into its state changes nothing.
 */
#include <mrm/parse.h>

/* Length of @buf without one trailing newline; 0 if nothing else is left. */
static size_t mrm_parse_body_len(const char *buf)
{
	size_t len = strlen(buf);

	if (len && buf[len - 1] == '\n')
		len--;
	return len;
}

/*
 * Parse the leading decimal digits of buf[0..len): returns how many digits
 * were consumed (0 if none), or -ERANGE on overflow.
 */
static int mrm_parse_digits(const char *buf, size_t len, u64 *val)
{
	u64 acc = 0;
	size_t i;

	for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		if (check_mul_overflow(acc, (u64)10, &acc) ||
		    check_add_overflow(acc, (u64)(buf[i] - '0'), &acc))
			return -ERANGE;
	}
	if (i > INT_MAX)
		return -EINVAL;
	*val = acc;
	return (int)i;
}

/**
 * mrm_parse_u64() - parse a decimal unsigned integer within a range
 * @buf: NUL-terminated input, optionally ending in one newline
 * @min: smallest accepted value
 * @max: largest accepted value
 * @out: where the value is stored on success
 *
 * Return: 0 on success; -EINVAL if @buf is not a plain decimal number;
 * -ERANGE if it overflows 64 bits or lies outside [@min, @max].
 */
int mrm_parse_u64(const char *buf, u64 min, u64 max, u64 *out)
{
	size_t len = mrm_parse_body_len(buf);
	u64 val;
	int used;

	used = mrm_parse_digits(buf, len, &val);
	if (used < 0)
		return used;
	if (used == 0 || (size_t)used != len)
		return -EINVAL;
	if (val < min || val > max)
		return -ERANGE;
	*out = val;
	return 0;
}

/* Binary multiplier for a size suffix, or 0 if @c is not one. */
static u64 mrm_parse_suffix_mult(char c)
{
	switch (c) {
	case 'k': case 'K':
		return 1ULL << 10;
	case 'm': case 'M':
		return 1ULL << 20;
	case 'g': case 'G':
		return 1ULL << 30;
	case 't': case 'T':
		return 1ULL << 40;
	default:
		return 0;
	}
}

/**
 * mrm_parse_bytes() - parse a byte count with an optional binary suffix
 * @buf: NUL-terminated input, optionally ending in one newline
 * @min: smallest accepted value, in bytes
 * @max: largest accepted value, in bytes
 * @out: where the value (in bytes) is stored on success
 *
 * Accepts a decimal number optionally followed by one of K, M, G or T
 * (either case), meaning 2^10, 2^20, 2^30 and 2^40.  The value shown back in
 * sysfs is always plain bytes.
 *
 * Return: 0 on success; -EINVAL if @buf is malformed; -ERANGE if the value
 * overflows 64 bits or lies outside [@min, @max].
 */
int mrm_parse_bytes(const char *buf, u64 min, u64 max, u64 *out)
{
	size_t len = mrm_parse_body_len(buf);
	u64 val, mult = 1;
	int used;

	used = mrm_parse_digits(buf, len, &val);
	if (used < 0)
		return used;
	if (used == 0)
		return -EINVAL;
	if ((size_t)used + 1 == len) {
		mult = mrm_parse_suffix_mult(buf[used]);
		if (!mult)
			return -EINVAL;
	} else if ((size_t)used != len) {
		return -EINVAL;
	}
	if (check_mul_overflow(val, mult, &val))
		return -ERANGE;
	if (val < min || val > max)
		return -ERANGE;
	*out = val;
	return 0;
}
