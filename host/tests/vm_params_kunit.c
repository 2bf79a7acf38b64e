// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mrm_vm: the checks of the parameters of a VM attachment
 * (host/vm_params.c), which stand between user space and the registry.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/vm_sockets.h>

#include "../vm_params.h"

static void mrm_vm_cid_valid_test(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, mrm_vm_cid_valid(VMADDR_CID_HYPERVISOR));
	KUNIT_EXPECT_FALSE(test, mrm_vm_cid_valid(VMADDR_CID_LOCAL));
	KUNIT_EXPECT_FALSE(test, mrm_vm_cid_valid(VMADDR_CID_HOST));
	KUNIT_EXPECT_FALSE(test, mrm_vm_cid_valid(VMADDR_CID_ANY));
	KUNIT_EXPECT_TRUE(test, mrm_vm_cid_valid(3));
	KUNIT_EXPECT_TRUE(test, mrm_vm_cid_valid(4));
	KUNIT_EXPECT_TRUE(test, mrm_vm_cid_valid(VMADDR_CID_ANY - 1));
}

struct name_case {
	const char *name;
	int err;
};

static const struct name_case name_cases[] = {
	{ "", 0 },
	{ "a", 0 },
	{ "web", 0 },
	{ "Web-01.prod_b", 0 },
	{ "z0123456789012345678901234567890", 0 },	/* 31 characters */
	{ "0", -EINVAL },				/* looks like an id */
	{ "1web", -EINVAL },
	{ "-web", -EINVAL },
	{ ".", -EINVAL },
	{ "..", -EINVAL },
	{ "_x", -EINVAL },
	{ "a/b", -EINVAL },
	{ "a b", -EINVAL },
	{ "a\n", -EINVAL },
	{ "caf\xc3\xa9", -EINVAL },			/* not ASCII */
	{ "a:b", -EINVAL },
};

static void mrm_vm_name_check_cases_test(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(name_cases); i++) {
		char buf[MRM_VM_NAME_SIZE] = {};

		strscpy(buf, name_cases[i].name, sizeof(buf));
		KUNIT_EXPECT_EQ_MSG(test, mrm_vm_name_check(buf),
				    name_cases[i].err, "name \"%s\"",
				    name_cases[i].name);
	}
}

/* 32 letters fill the buffer: no room for the NUL. */
static void mrm_vm_name_check_unterminated_test(struct kunit *test)
{
	char buf[MRM_VM_NAME_SIZE];

	memset(buf, 'a', sizeof(buf));
	KUNIT_EXPECT_EQ(test, mrm_vm_name_check(buf), -EINVAL);
	buf[MRM_VM_NAME_SIZE - 1] = '\0';
	KUNIT_EXPECT_EQ(test, mrm_vm_name_check(buf), 0);
}

/* Every byte after the NUL must be zero, wherever the NUL is. */
static void mrm_vm_name_check_tail_test(struct kunit *test)
{
	size_t nul, junk;

	for (nul = 0; nul < MRM_VM_NAME_SIZE; nul++) {
		for (junk = nul + 1; junk < MRM_VM_NAME_SIZE; junk++) {
			char buf[MRM_VM_NAME_SIZE] = {};

			memset(buf, 'a', nul);
			buf[junk] = 'x';
			KUNIT_EXPECT_EQ_MSG(test, mrm_vm_name_check(buf),
					    -EINVAL, "NUL at %zu, junk at %zu",
					    nul, junk);
		}
	}
}

static struct kunit_case mrm_vm_cases[] = {
	KUNIT_CASE(mrm_vm_cid_valid_test),
	KUNIT_CASE(mrm_vm_name_check_cases_test),
	KUNIT_CASE(mrm_vm_name_check_unterminated_test),
	KUNIT_CASE(mrm_vm_name_check_tail_test),
	{}
};

static struct kunit_suite mrm_vm_suite = {
	.name = "mrm_vm",
	.test_cases = mrm_vm_cases,
};

kunit_test_suite(mrm_vm_suite);
