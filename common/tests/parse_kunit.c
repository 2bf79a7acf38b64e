// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_parse: the strict number parsers behind every sysfs knob.
 */
#include <kunit/test.h>

#include <mrm/parse.h>

#define SENTINEL 0x5a5a5a5a5a5a5a5aULL

struct parse_case {
	const char *in;
	u64 min, max;
	int err;
	u64 val;
};

static const struct parse_case u64_cases[] = {
	{ "0", 0, U64_MAX, 0, 0 },
	{ "42", 0, U64_MAX, 0, 42 },
	{ "42\n", 0, U64_MAX, 0, 42 },
	{ "007", 0, U64_MAX, 0, 7 },
	{ "18446744073709551615", 0, U64_MAX, 0, U64_MAX },
	{ "18446744073709551616", 0, U64_MAX, -ERANGE, 0 },
	{ "99999999999999999999999", 0, U64_MAX, -ERANGE, 0 },
	{ "", 0, U64_MAX, -EINVAL, 0 },
	{ "\n", 0, U64_MAX, -EINVAL, 0 },
	{ "42\n\n", 0, U64_MAX, -EINVAL, 0 },
	{ " 42", 0, U64_MAX, -EINVAL, 0 },
	{ "42 ", 0, U64_MAX, -EINVAL, 0 },
	{ "-1", 0, U64_MAX, -EINVAL, 0 },
	{ "+1", 0, U64_MAX, -EINVAL, 0 },
	{ "0x10", 0, U64_MAX, -EINVAL, 0 },
	{ "4k", 0, U64_MAX, -EINVAL, 0 },
	{ "1.5", 0, U64_MAX, -EINVAL, 0 },
	{ "9", 10, 20, -ERANGE, 0 },
	{ "10", 10, 20, 0, 10 },
	{ "20", 10, 20, 0, 20 },
	{ "21", 10, 20, -ERANGE, 0 },
};

static const struct parse_case bytes_cases[] = {
	{ "4096", 0, U64_MAX, 0, 4096 },
	{ "4096\n", 0, U64_MAX, 0, 4096 },
	{ "4k", 0, U64_MAX, 0, 4096 },
	{ "4K\n", 0, U64_MAX, 0, 4096 },
	{ "128M", 0, U64_MAX, 0, 128ULL << 20 },
	{ "3G", 0, U64_MAX, 0, 3ULL << 30 },
	{ "2T", 0, U64_MAX, 0, 2ULL << 40 },
	{ "16777215T", 0, U64_MAX, 0, 16777215ULL << 40 },
	{ "16777216T", 0, U64_MAX, -ERANGE, 0 },
	{ "17179869184G", 0, U64_MAX, -ERANGE, 0 },
	{ "M", 0, U64_MAX, -EINVAL, 0 },
	{ "128MB", 0, U64_MAX, -EINVAL, 0 },
	{ "128P", 0, U64_MAX, -EINVAL, 0 },
	{ "128 M", 0, U64_MAX, -EINVAL, 0 },
	{ "128M\n\n", 0, U64_MAX, -EINVAL, 0 },
	{ "1G", 0, (1ULL << 30) - 1, -ERANGE, 0 },
	{ "1023", 1024, U64_MAX, -ERANGE, 0 },
};

static void check_cases(struct kunit *test, const struct parse_case *cases,
			size_t n, int (*parse)(const char *, u64, u64, u64 *))
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct parse_case *c = &cases[i];
		u64 out = SENTINEL;
		int err = parse(c->in, c->min, c->max, &out);

		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "input \"%s\"", c->in);
		if (c->err)
			KUNIT_EXPECT_EQ_MSG(test, out, SENTINEL,
					    "input \"%s\" changed *out on error",
					    c->in);
		else
			KUNIT_EXPECT_EQ_MSG(test, out, c->val, "input \"%s\"",
					    c->in);
	}
}

static void mrm_parse_u64_test(struct kunit *test)
{
	check_cases(test, u64_cases, ARRAY_SIZE(u64_cases), mrm_parse_u64);
}

static void mrm_parse_bytes_test(struct kunit *test)
{
	check_cases(test, bytes_cases, ARRAY_SIZE(bytes_cases),
		    mrm_parse_bytes);
}

/* Every plain decimal accepted by mrm_parse_u64 means the same in bytes. */
static void mrm_parse_bytes_agrees_with_u64_test(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(u64_cases); i++) {
		const struct parse_case *c = &u64_cases[i];
		u64 a = SENTINEL, b = SENTINEL;
		int ea = mrm_parse_u64(c->in, c->min, c->max, &a);
		int eb = mrm_parse_bytes(c->in, c->min, c->max, &b);

		if (ea)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, eb, 0, "input \"%s\"", c->in);
		KUNIT_EXPECT_EQ_MSG(test, a, b, "input \"%s\"", c->in);
	}
}

static struct kunit_case mrm_parse_cases[] = {
	KUNIT_CASE(mrm_parse_u64_test),
	KUNIT_CASE(mrm_parse_bytes_test),
	KUNIT_CASE(mrm_parse_bytes_agrees_with_u64_test),
	{}
};

static struct kunit_suite mrm_parse_suite = {
	.name = "mrm_parse",
	.test_cases = mrm_parse_cases,
};

kunit_test_suite(mrm_parse_suite);

MODULE_DESCRIPTION("KUnit tests for mrm's sysfs number parsers");
MODULE_LICENSE("GPL");
