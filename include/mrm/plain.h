/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shim that lets mrm's plain-C files (policy, parsing, protocol) build
 * unchanged in the kernel (modules and KUnit) and in user space (the
 * simulator, the fuzzer and unit programs under tools/).
 *
 * Only fixed-width integer types, bool, errno values, static_assert, the
 * little-endian conversions and a handful of arithmetic helpers are
 * provided.  Anything else a plain-C file needs is a sign that it is
 * reaching for kernel internals and belongs elsewhere.
 */
#ifndef _MRM_PLAIN_H
#define _MRM_PLAIN_H

#ifdef __KERNEL__

#include <asm/byteorder.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>

#else /* !__KERNEL__ */

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#define U16_MAX ((u16)~0U)
#define U32_MAX ((u32)~0U)
#define U64_MAX ((u64)~0ULL)
#define S64_MAX ((s64)(U64_MAX >> 1))

#define min_t(type, a, b) ({ type __a = (a); type __b = (b); __a < __b ? __a : __b; })
#define max_t(type, a, b) ({ type __a = (a); type __b = (b); __a > __b ? __a : __b; })
#define clamp_t(type, v, lo, hi) min_t(type, max_t(type, v, lo), hi)

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

/* a * mul / div with a 128-bit intermediate, as the kernel's helper. */
static inline u64 mul_u64_u64_div_u64(u64 a, u64 mul, u64 div)
{
	return (u64)(((__uint128_t)a * mul) / div);
}

/*
 * As the kernel's static_assert() (the message is optional), for file
 * scope: a false @expr declares an array of negative size.  A program
 * that included <assert.h> first keeps the C library's.
 */
#ifndef static_assert
#define static_assert(expr, ...) \
	extern int mrm_static_assert[(expr) ? 1 : -1]
#endif

/* Little-endian wire fields. */
static inline u16 le16_to_cpu(__le16 v)
{
	return le16toh(v);
}

static inline u32 le32_to_cpu(__le32 v)
{
	return le32toh(v);
}

static inline u64 le64_to_cpu(__le64 v)
{
	return le64toh(v);
}

static inline __le16 cpu_to_le16(u16 v)
{
	return htole16(v);
}

static inline __le32 cpu_to_le32(u32 v)
{
	return htole32(v);
}

static inline __le64 cpu_to_le64(u64 v)
{
	return htole64(v);
}

#endif /* __KERNEL__ */

#endif /* _MRM_PLAIN_H */
