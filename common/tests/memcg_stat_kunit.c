// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_memcg_stat: reading memory.stat, memory.high and the
 * accounting arithmetic of a VM's memory.
 */
#include <kunit/test.h>

#include <mrm/memcg_stat.h>

/* The start of a 6.12 memory.stat, trimmed; zswap lines included. */
static const char stat_612[] =
	"anon 104857600\n"
	"file 4096\n"
	"kernel 1048576\n"
	"kernel_stack 16384\n"
	"shmem 8192\n"
	"zswap 2097152\n"
	"zswapped 8388608\n"
	"file_mapped 0\n"
	"workingset_refault_anon 77\n"
	"workingset_refault_file 5\n"
	"pgscan 1234\n";

static void mrm_memcg_stat_parse_test(struct kunit *test)
{
	struct mrm_memcg_stat st;

	KUNIT_ASSERT_EQ(test, 0, mrm_memcg_stat_parse(stat_612, strlen(stat_612), &st));
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_ANON], 104857600ULL);
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_SHMEM], 8192ULL);
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_ZSWAP], 2097152ULL);
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_ZSWAPPED], 8388608ULL);
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_REFAULT_ANON], 77ULL);
	KUNIT_EXPECT_EQ(test, st.found, (1U << MRM_MEMCG_STAT_NR) - 1);
}

/* A kernel without zswap: the items are 0 and not found. */
static void mrm_memcg_stat_missing_test(struct kunit *test)
{
	static const char buf[] = "anon 4096\nfile 0\n";
	struct mrm_memcg_stat st;

	KUNIT_ASSERT_EQ(test, 0, mrm_memcg_stat_parse(buf, strlen(buf), &st));
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_ANON], 4096ULL);
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_ZSWAPPED], 0ULL);
	KUNIT_EXPECT_EQ(test, st.found, 1U << MRM_MEMCG_STAT_ANON);
	KUNIT_ASSERT_EQ(test, 0, mrm_memcg_stat_parse(buf, 0, &st));
	KUNIT_EXPECT_EQ(test, st.found, 0U);
}

/* The reader's buffer cut the text: the partial last line is ignored. */
static void mrm_memcg_stat_truncated_test(struct kunit *test)
{
	struct mrm_memcg_stat st;
	size_t cut = strstr(stat_612, "zswapped") - stat_612 + 12;

	KUNIT_ASSERT_EQ(test, 0, mrm_memcg_stat_parse(stat_612, cut, &st));
	KUNIT_EXPECT_TRUE(test, st.found & (1U << MRM_MEMCG_STAT_ZSWAP));
	KUNIT_EXPECT_FALSE(test, st.found & (1U << MRM_MEMCG_STAT_ZSWAPPED));
	KUNIT_EXPECT_EQ(test, st.val[MRM_MEMCG_STAT_ZSWAPPED], 0ULL);
}

static void mrm_memcg_stat_malformed_test(struct kunit *test)
{
	static const char *const bad[] = {
		"anon -1\n", "anon 12a\n", "anon\x20\n", "anon  5\n",
		"zswapped 0x10\n", "anon 18446744073709551616\n",
	};
	static const char *const skipped[] = {
		"anonymous 12a\n", "noseparator\n", "\n", "zswap_x y\n",
	};
	struct mrm_memcg_stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_NE_MSG(test, 0,
				    mrm_memcg_stat_parse(bad[i], strlen(bad[i]), &st),
				    "input \"%s\"", bad[i]);
	for (i = 0; i < ARRAY_SIZE(skipped); i++) {
		KUNIT_EXPECT_EQ_MSG(test, 0,
				    mrm_memcg_stat_parse(skipped[i], strlen(skipped[i]), &st),
				    "input \"%s\"", skipped[i]);
		KUNIT_EXPECT_EQ(test, st.found, 0U);
	}
}

static void mrm_memcg_parse_limit_test(struct kunit *test)
{
	static const char *const bad[] = {
		"", "\n", "Max\n", "max max\n", "-1\n", "1\x20\n", "1\n\n",
		"18446744073709551616\n",
	};
	u64 v = 0;
	size_t i;

	KUNIT_EXPECT_EQ(test, 0, mrm_memcg_parse_limit("max\n", 4, &v));
	KUNIT_EXPECT_EQ(test, v, MRM_MEMCG_NO_LIMIT);
	KUNIT_EXPECT_EQ(test, 0, mrm_memcg_parse_limit("268435456\n", 10, &v));
	KUNIT_EXPECT_EQ(test, v, 268435456ULL);
	KUNIT_EXPECT_EQ(test, 0, mrm_memcg_parse_limit("0", 1, &v));
	KUNIT_EXPECT_EQ(test, v, 0ULL);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_NE_MSG(test, 0,
				    mrm_memcg_parse_limit(bad[i], strlen(bad[i]), &v),
				    "input \"%s\"", bad[i]);
}

static void mrm_memcg_swapped_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mrm_memcg_swapped(10 << 20, 4 << 20), 6ULL << 20);
	KUNIT_EXPECT_EQ(test, mrm_memcg_swapped(4 << 20, 4 << 20), 0ULL);
	/* Read while reclaim moved pages: never negative. */
	KUNIT_EXPECT_EQ(test, mrm_memcg_swapped(4 << 20, 5 << 20), 0ULL);
	KUNIT_EXPECT_EQ(test, mrm_memcg_swapped(0, 0), 0ULL);
}

static void mrm_ksm_saved_test(struct kunit *test)
{
	/* Pairs: half of every merged page is saved. */
	KUNIT_EXPECT_EQ(test, mrm_ksm_saved(1000, 100, 100), 500ULL);
	/* One KSM page mapped 100 times: 99 of 100 saved. */
	KUNIT_EXPECT_EQ(test, mrm_ksm_saved(100, 1, 99), 99ULL);
	/* No host-wide numbers: the lower bound. */
	KUNIT_EXPECT_EQ(test, mrm_ksm_saved(1000, 0, 0), 500ULL);
	KUNIT_EXPECT_EQ(test, mrm_ksm_saved(0, 5, 5), 0ULL);
	/* Never more than merged, no overflow. */
	KUNIT_EXPECT_EQ(test, mrm_ksm_saved(U64_MAX, 0, U64_MAX), U64_MAX);
	KUNIT_EXPECT_EQ(test, mrm_ksm_saved(U64_MAX, U64_MAX, 1), U64_MAX / 2);
}

static struct kunit_case mrm_memcg_stat_cases[] = {
	KUNIT_CASE(mrm_memcg_stat_parse_test),
	KUNIT_CASE(mrm_memcg_stat_missing_test),
	KUNIT_CASE(mrm_memcg_stat_truncated_test),
	KUNIT_CASE(mrm_memcg_stat_malformed_test),
	KUNIT_CASE(mrm_memcg_parse_limit_test),
	KUNIT_CASE(mrm_memcg_swapped_test),
	KUNIT_CASE(mrm_ksm_saved_test),
	{}
};

static struct kunit_suite mrm_memcg_stat_suite = {
	.name = "mrm_memcg_stat",
	.test_cases = mrm_memcg_stat_cases,
};

kunit_test_suite(mrm_memcg_stat_suite);

MODULE_DESCRIPTION("KUnit tests for mrm's memory cgroup parsing");
MODULE_LICENSE("GPL");
