/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing what a memory cgroup's control files say (memory.stat,
 * memory.high, memory.swap.current) and the accounting arithmetic built on
 * it.  Plain C (see plain.h): mrm_host uses it, KUnit suite mrm_memcg_stat
 * tests it.
 */
#ifndef _MRM_MEMCG_STAT_H
#define _MRM_MEMCG_STAT_H

#include "plain.h"

/**
 * enum mrm_memcg_stat_item - the memory.stat keys mrm reads
 * @MRM_MEMCG_STAT_ANON: "anon", anonymous memory, bytes
 * @MRM_MEMCG_STAT_SHMEM: "shmem", shared memory, bytes
 * @MRM_MEMCG_STAT_ZSWAP: "zswap", compressed size of zswap's pages, bytes
 * @MRM_MEMCG_STAT_ZSWAPPED: "zswapped", original size of zswap's pages
 * @MRM_MEMCG_STAT_REFAULT_ANON: "workingset_refault_anon", anonymous pages
 *	read back from swap or zswap, a count of pages (since 5.9)
 * @MRM_MEMCG_STAT_NR: number of items
 */
enum mrm_memcg_stat_item {
	MRM_MEMCG_STAT_ANON,
	MRM_MEMCG_STAT_SHMEM,
	MRM_MEMCG_STAT_ZSWAP,
	MRM_MEMCG_STAT_ZSWAPPED,
	MRM_MEMCG_STAT_REFAULT_ANON,
	MRM_MEMCG_STAT_NR,
};

/**
 * struct mrm_memcg_stat - the values of one read of memory.stat
 * @val: value per enum mrm_memcg_stat_item (0 if not found)
 * @found: bit (1 << item) for each item found
 */
struct mrm_memcg_stat {
	u64 val[MRM_MEMCG_STAT_NR];
	u32 found;
};

/* memory.high and memory.max read "max" when there is no limit. */
#define MRM_MEMCG_NO_LIMIT	U64_MAX

int mrm_memcg_stat_parse(const char *buf, size_t len,
			 struct mrm_memcg_stat *st);
int mrm_memcg_parse_limit(const char *buf, size_t len, u64 *bytes);
u64 mrm_memcg_swapped(u64 swap_current, u64 zswapped);
u64 mrm_ksm_saved(u64 merged, u64 ksm_pages_shared, u64 ksm_pages_sharing);

#endif /* _MRM_MEMCG_STAT_H */
