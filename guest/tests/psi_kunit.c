// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_guest_psi: parsing /proc/pressure/memory.
 */
#include <kunit/test.h>

#include "../psi.h"

static const char mrm_psi_busy[] =
	"some avg10=12.34 avg60=1.00 avg300=0.05 total=123456789\n"
	"full avg10=100.00 avg60=0.00 avg300=0.00 total=42\n";
static const char mrm_psi_idle[] =
	"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

static void mrm_psi_parses_kernel_format(struct kunit *test)
{
	struct mrm_psi psi;

	KUNIT_ASSERT_EQ(test, mrm_psi_parse(mrm_psi_busy, &psi), 0);
	KUNIT_EXPECT_EQ(test, psi.some_avg10, 1234);
	KUNIT_EXPECT_EQ(test, psi.full_avg10, 10000);
	KUNIT_EXPECT_EQ(test, psi.some_total_us, 123456789);
	KUNIT_EXPECT_EQ(test, psi.full_total_us, 42);

	KUNIT_ASSERT_EQ(test, mrm_psi_parse(mrm_psi_idle, &psi), 0);
	KUNIT_EXPECT_EQ(test, psi.some_avg10, 0);
	KUNIT_EXPECT_EQ(test, psi.full_total_us, 0);
}

static void mrm_psi_rejects_garbage(struct kunit *test)
{
	static const char * const bad[] = {
		"",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.0 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=101.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\nextra",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
	};
	struct mrm_psi psi = { .some_avg10 = 7 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, mrm_psi_parse(bad[i], &psi), -EINVAL,
				    "case %zu", i);
		KUNIT_EXPECT_EQ(test, psi.some_avg10, 7);
	}
}

static struct kunit_case mrm_psi_cases[] = {
	KUNIT_CASE(mrm_psi_parses_kernel_format),
	KUNIT_CASE(mrm_psi_rejects_garbage),
	{}
};

static struct kunit_suite mrm_psi_suite = {
	.name = "mrm_guest_psi",
	.test_cases = mrm_psi_cases,
};

kunit_test_suite(mrm_psi_suite);

MODULE_DESCRIPTION("KUnit tests for mrm_balloon's PSI parser");
MODULE_LICENSE("GPL");
