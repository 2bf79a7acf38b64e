// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing a memory cgroup's control files, and the accounting arithmetic
 * of a VM's memory (see include/mrm/memcg_stat.h).
 *
 * The text comes from the kernel (cgroup2's memory.stat is "<key>
 * <decimal>\n" lines), but mrm reads it into a fixed buffer that may cut
 * the last line short, so every line is checked: an unterminated last line
 * is ignored, a known key with a value that is not a plain decimal number
 * is an error, unknown keys are skipped.
 */
#include <mrm/memcg_stat.h>

static const char *const mrm_memcg_stat_keys[MRM_MEMCG_STAT_NR] = {
	[MRM_MEMCG_STAT_ANON] = "anon",
	[MRM_MEMCG_STAT_SHMEM] = "shmem",
	[MRM_MEMCG_STAT_ZSWAP] = "zswap",
	[MRM_MEMCG_STAT_ZSWAPPED] = "zswapped",
	[MRM_MEMCG_STAT_REFAULT_ANON] = "workingset_refault_anon",
};

/* Parse the decimal number buf[0..len), all of it; -EINVAL or -ERANGE. */
static int mrm_memcg_parse_dec(const char *buf, size_t len, u64 *val)
{
	u64 acc = 0;
	size_t i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		if (check_mul_overflow(acc, (u64)10, &acc) ||
		    check_add_overflow(acc, (u64)(buf[i] - '0'), &acc))
			return -ERANGE;
	}
	*val = acc;
	return 0;
}

/* The item named by buf[0..len), or MRM_MEMCG_STAT_NR. */
static unsigned int mrm_memcg_stat_key(const char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < MRM_MEMCG_STAT_NR; i++) {
		if (strlen(mrm_memcg_stat_keys[i]) == len &&
		    !memcmp(mrm_memcg_stat_keys[i], buf, len))
			return i;
	}
	return MRM_MEMCG_STAT_NR;
}

/**
 * mrm_memcg_stat_parse() - pick mrm's items out of memory.stat
 * @buf: the text read; need not be NUL-terminated
 * @len: bytes in @buf
 * @st: the result; cleared first
 *
 * Return: 0 (items not in @buf are 0 and their @st->found bit is clear),
 * or -EINVAL if a line of a known key is malformed, or -ERANGE if its value
 * does not fit in 64 bits.
 */
int mrm_memcg_stat_parse(const char *buf, size_t len,
			 struct mrm_memcg_stat *st)
{
	size_t pos = 0;

	memset(st, 0, sizeof(*st));
	while (pos < len) {
		const char *line = buf + pos, *nl, *sp;
		size_t line_len;
		unsigned int item;
		int err;

		nl = memchr(line, '\n', len - pos);
		if (!nl)
			break;	/* cut short by the reader's buffer */
		line_len = nl - line;
		pos += line_len + 1;
		sp = memchr(line, ' ', line_len);
		if (!sp)
			continue;
		item = mrm_memcg_stat_key(line, sp - line);
		if (item == MRM_MEMCG_STAT_NR)
			continue;
		err = mrm_memcg_parse_dec(sp + 1, nl - sp - 1, &st->val[item]);
		if (err)
			return err;
		st->found |= 1U << item;
	}
	return 0;
}

/**
 * mrm_memcg_parse_limit() - parse memory.high (or memory.max)
 * @buf: the text read: "max" or a decimal byte count, then a newline
 * @len: bytes in @buf
 * @bytes: the limit; MRM_MEMCG_NO_LIMIT for "max"
 *
 * Return: 0, -EINVAL if malformed, -ERANGE if the number overflows.
 */
int mrm_memcg_parse_limit(const char *buf, size_t len, u64 *bytes)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len == 3 && !memcmp(buf, "max", 3)) {
		*bytes = MRM_MEMCG_NO_LIMIT;
		return 0;
	}
	return mrm_memcg_parse_dec(buf, len, bytes);
}

/**
 * mrm_memcg_swapped() - memory of a cgroup on the swap device proper
 * @swap_current: memory.swap.current, which counts the swap slots of
 *	pages that zswap holds as well
 * @zswapped: memory.stat's zswapped
 *
 * The two files are read one after the other while reclaim runs, so
 * @zswapped may exceed @swap_current for a moment: never negative.
 *
 * Return: @swap_current - @zswapped, or 0.
 */
u64 mrm_memcg_swapped(u64 swap_current, u64 zswapped)
{
	return swap_current > zswapped ? swap_current - zswapped : 0;
}

/**
 * mrm_ksm_saved() - host memory that KSM saves a VM
 * @merged: bytes of the VM's pages that map a KSM page
 * @ksm_pages_shared: KSM's pages_shared (KSM pages in use), host-wide
 * @ksm_pages_sharing: KSM's pages_sharing (the other mappings of them)
 *
 * A KSM page mapped n times costs each mapping 1/n page, so a merged page
 * saves (n - 1)/n.  KSM only counts host-wide: the average n of all KSM
 * pages stands in for the VM's own.  With no host-wide numbers (both 0),
 * n = 2, the least a merged page is shared: a lower bound of the saving.
 *
 * Return: saved bytes, at most @merged.
 */
u64 mrm_ksm_saved(u64 merged, u64 ksm_pages_shared, u64 ksm_pages_sharing)
{
	u64 total;

	if (!ksm_pages_shared && !ksm_pages_sharing)
		return merged / 2;
	if (check_add_overflow(ksm_pages_shared, ksm_pages_sharing, &total))
		return merged / 2;
	return mul_u64_u64_div_u64(merged, ksm_pages_sharing, total);
}
