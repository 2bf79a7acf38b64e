// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/mrm ioctl ABI against the real module, run in the L1 host of the
 * e2e harness (scenario 02-attach) as root with debugfs mounted.  Each test
 * creates its own KVM VMs with KVM_CREATE_VM (no vCPU runs), so hostile
 * requests can be made that mrmctl never sends: reserved fields, unknown
 * flags, wrong fds, bad pointers, a caller without CAP_SYS_ADMIN.  Every
 * refused request must leave /sys/kernel/mrm/vms unchanged.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/mrm.h>

#include "kselftest_harness.h"

#define VMS_DIR			"/sys/kernel/mrm/vms"
#define KVM_DEBUGFS_DIR		"/sys/kernel/debug/kvm"
#define MIB			(1024UL * 1024)
/* How long the exit of a VM's process may take to detach it. */
#define EXIT_DETACH_TIMEOUT_MS	5000
#define POLL_STEP_MS		10

static int mrm_attach(int dev, int vm_fd, __u32 cid, const char *name,
		      __u32 flags, __u32 *id)
{
	struct mrm_attach req;

	memset(&req, 0, sizeof(req));
	req.vm_fd = vm_fd;
	req.cid = cid;
	req.flags = flags;
	if (name)
		memcpy(req.name, name, strlen(name));
	if (ioctl(dev, MRM_IOC_ATTACH, &req))
		return -errno;
	if (id)
		*id = req.id;
	return 0;
}

static int mrm_detach(int dev, __u32 id)
{
	struct mrm_detach req;

	memset(&req, 0, sizeof(req));
	req.id = id;
	return ioctl(dev, MRM_IOC_DETACH, &req) ? -errno : 0;
}

static int create_vm(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0)
		return -1;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	close(kvm);
	return vm;
}

/* Entries of /sys/kernel/mrm/vms, or -1. */
static int count_vms(void)
{
	DIR *dir = opendir(VMS_DIR);
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	return n;
}

static bool vm_dir_exists(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", VMS_DIR, dir);
	return stat(path, &st) == 0;
}

static bool id_dir_exists(__u32 id)
{
	char dir[16];

	snprintf(dir, sizeof(dir), "%u", id);
	return vm_dir_exists(dir);
}

/* The first line of /sys/kernel/mrm/vms/<dir>/<attr>, or "" on error. */
static const char *vm_attr(const char *dir, const char *attr)
{
	static char buf[128];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s/%s", VMS_DIR, dir, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static unsigned long long vm_attr_u64(const char *dir, const char *attr)
{
	return strtoull(vm_attr(dir, attr), NULL, 10);
}

/* Whether KVM's debugfs has a directory for a VM created by @pid. */
static int kvm_debugfs_has_pid(pid_t pid)
{
	DIR *dir = opendir(KVM_DEBUGFS_DIR);
	struct dirent *de;
	char prefix[32];
	int found = 0;

	if (!dir)
		return -1;
	snprintf(prefix, sizeof(prefix), "%d-", (int)pid);
	while ((de = readdir(dir)))
		found |= !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(dir);
	return found;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* CIDs per test process; test_cid(0..CIDS_PER_TEST - 1) are its own. */
#define CIDS_PER_TEST		64

/* A CID no other test process uses at the same time. */
static __u32 test_cid(int k)
{
	return 100000 + (__u32)getpid() * CIDS_PER_TEST + (__u32)k;
}

FIXTURE(mrm) {
	int dev;
	int vm;
	__u32 cid;
	int vms_before;
};

FIXTURE_SETUP(mrm)
{
	self->dev = open("/dev/mrm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("open /dev/mrm: %s", strerror(errno));
	self->vm = create_vm();
	ASSERT_LE(0, self->vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));
	self->cid = test_cid(0);
	self->vms_before = count_vms();
	ASSERT_LE(0, self->vms_before);
}

FIXTURE_TEARDOWN(mrm)
{
	close(self->vm);
	close(self->dev);
}

TEST_F(mrm, attach_shows_sysfs_and_detach_removes_it)
{
	char dir[16];
	__u32 id = 0;

	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, NULL, 0, &id));
	ASSERT_LT(0, id);
	snprintf(dir, sizeof(dir), "%u", id);
	ASSERT_TRUE(vm_dir_exists(dir));
	EXPECT_EQ(self->vms_before + 1, count_vms());
	EXPECT_EQ(id, vm_attr_u64(dir, "id"));
	EXPECT_STREQ("", vm_attr(dir, "name"));
	EXPECT_EQ(self->cid, vm_attr_u64(dir, "cid"));
	EXPECT_EQ(getpid(), (pid_t)vm_attr_u64(dir, "pid"));
	EXPECT_STREQ("attached", vm_attr(dir, "state"));
	EXPECT_STREQ("0", vm_attr(dir, "hold"));
	EXPECT_STREQ("0", vm_attr(dir, "memory_bytes"));

	ASSERT_EQ(0, mrm_detach(self->dev, id));
	EXPECT_FALSE(vm_dir_exists(dir));
	EXPECT_EQ(self->vms_before, count_vms());
	EXPECT_EQ(-ENOENT, mrm_detach(self->dev, id));
}

TEST_F(mrm, named_vm_has_named_dir)
{
	__u32 id = 0;

	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, "abi-test.1",
				0, &id));
	ASSERT_TRUE(vm_dir_exists("abi-test.1"));
	EXPECT_EQ(id, vm_attr_u64("abi-test.1", "id"));
	EXPECT_STREQ("abi-test.1", vm_attr("abi-test.1", "name"));
	EXPECT_FALSE(id_dir_exists(id));
	ASSERT_EQ(0, mrm_detach(self->dev, id));
	EXPECT_FALSE(vm_dir_exists("abi-test.1"));
}

/* Writable user memslots of address space 0 count; read-only ones do not. */
TEST_F(mrm, memory_bytes_sums_writable_memslots)
{
	struct kvm_userspace_memory_region region;
	void *ram, *rom, *more;
	char dir[16];
	__u32 id = 0;

	ram = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rom = mmap(NULL, 64 * 1024, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	more = mmap(NULL, 1 * MIB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ram);
	ASSERT_NE(MAP_FAILED, rom);
	ASSERT_NE(MAP_FAILED, more);
	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, NULL, 0, &id));
	snprintf(dir, sizeof(dir), "%u", id);

	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = 2 * MIB;
	region.userspace_addr = (unsigned long)ram;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));
	EXPECT_EQ(2 * MIB, vm_attr_u64(dir, "memory_bytes"));

	region.slot = 1;
	region.flags = KVM_MEM_READONLY;
	region.guest_phys_addr = 0xfff00000;
	region.memory_size = 64 * 1024;
	region.userspace_addr = (unsigned long)rom;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));
	EXPECT_EQ(2 * MIB, vm_attr_u64(dir, "memory_bytes"));

	region.slot = 2;
	region.flags = 0;
	region.guest_phys_addr = 4 * MIB;
	region.memory_size = 1 * MIB;
	region.userspace_addr = (unsigned long)more;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));
	EXPECT_EQ(3 * MIB, vm_attr_u64(dir, "memory_bytes"));

	/* Deleting a slot (size 0) takes it out of the sum. */
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = 0;
	region.userspace_addr = (unsigned long)ram;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));
	EXPECT_EQ(1 * MIB, vm_attr_u64(dir, "memory_bytes"));

	ASSERT_EQ(0, mrm_detach(self->dev, id));
}

TEST_F(mrm, reserved_fields_and_unknown_flags_are_refused)
{
	static const __u32 bad_flags[] = { 1U << 2, 1U << 7, 1U << 31 };
	struct mrm_attach req;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(req.reserved); i++) {
		memset(&req, 0, sizeof(req));
		req.vm_fd = self->vm;
		req.cid = self->cid;
		req.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_ATTACH, &req));
		EXPECT_EQ(EINVAL, errno) TH_LOG("reserved[%zu]", i);
	}
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		EXPECT_EQ(-EINVAL, mrm_attach(self->dev, self->vm, self->cid,
					      NULL, bad_flags[i], NULL))
			TH_LOG("flags 0x%x", bad_flags[i]);
	}
	memset(&req, 0, sizeof(req));
	req.vm_fd = self->vm;
	req.cid = self->cid;
	req.reserved32 = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_ATTACH, &req));
	EXPECT_EQ(EINVAL, errno);
	/* id is output only. */
	memset(&req, 0, sizeof(req));
	req.vm_fd = self->vm;
	req.cid = self->cid;
	req.id = 7;
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_ATTACH, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(self->vms_before, count_vms());
}

TEST_F(mrm, detach_refuses_reserved_and_unknown_ids)
{
	struct mrm_detach req;
	__u32 id = 0;

	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, NULL, 0, &id));
	memset(&req, 0, sizeof(req));
	req.id = id;
	req.flags = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_DETACH, &req));
	EXPECT_EQ(EINVAL, errno);
	req.flags = 0;
	req.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_DETACH, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(id_dir_exists(id));
	EXPECT_EQ(-ENOENT, mrm_detach(self->dev, 0));
	EXPECT_EQ(-ENOENT, mrm_detach(self->dev, INT_MAX));
	EXPECT_EQ(-ENOENT, mrm_detach(self->dev, UINT_MAX));
	EXPECT_EQ(0, mrm_detach(self->dev, id));
}

TEST_F(mrm, non_guest_cids_are_refused)
{
	static const __u32 cids[] = { 0, 1, 2, UINT_MAX };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cids); i++)
		EXPECT_EQ(-EINVAL, mrm_attach(self->dev, self->vm, cids[i],
					      NULL, 0, NULL))
			TH_LOG("cid %u", cids[i]);
	EXPECT_EQ(self->vms_before, count_vms());
}

TEST_F(mrm, bad_names_are_refused)
{
	static const char *const names[] = {
		"1abc", "-x", ".", "..", "a/b", "a b", "a\n", "a:b", "_a",
		"\xc3\xa9t\xc3\xa9",
	};
	struct mrm_attach req;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		EXPECT_EQ(-EINVAL, mrm_attach(self->dev, self->vm, self->cid,
					      names[i], 0, NULL))
			TH_LOG("name #%zu", i);

	/* No NUL in the buffer. */
	memset(&req, 0, sizeof(req));
	req.vm_fd = self->vm;
	req.cid = self->cid;
	memset(req.name, 'a', sizeof(req.name));
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_ATTACH, &req));
	EXPECT_EQ(EINVAL, errno);
	/* Junk after the NUL. */
	memset(req.name, 0, sizeof(req.name));
	memcpy(req.name, "ok", 2);
	req.name[sizeof(req.name) - 1] = 'x';
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_ATTACH, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(self->vms_before, count_vms());
}

TEST_F(mrm, fds_that_are_not_kvm_vms_are_refused)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);

	ASSERT_LE(0, null);
	ASSERT_LE(0, kvm);
	ASSERT_LE(0, vcpu) TH_LOG("KVM_CREATE_VCPU: %s", strerror(errno));
	EXPECT_EQ(-EBADF, mrm_attach(self->dev, -1, self->cid, NULL, 0, NULL));
	EXPECT_EQ(-EBADF, mrm_attach(self->dev, INT_MAX, self->cid, NULL, 0,
				     NULL));
	EXPECT_EQ(-EBADF, mrm_attach(self->dev, null, self->cid, NULL, 0,
				     NULL));
	EXPECT_EQ(-EBADF, mrm_attach(self->dev, kvm, self->cid, NULL, 0,
				     NULL));
	EXPECT_EQ(-EBADF, mrm_attach(self->dev, vcpu, self->cid, NULL, 0,
				     NULL));
	EXPECT_EQ(-EBADF, mrm_attach(self->dev, self->dev, self->cid, NULL, 0,
				     NULL));
	EXPECT_EQ(self->vms_before, count_vms());
	close(vcpu);
	close(kvm);
	close(null);
}

#define CGROUP_ROOT		"/sys/fs/cgroup"
#define TEST_CGROUP		CGROUP_ROOT "/mrm-dev-test"

static int mrm_attach_cgroup(int dev, int vm_fd, __u32 cid, __u32 flags,
			     int cgroup_fd, __u32 *id)
{
	struct mrm_attach req;

	memset(&req, 0, sizeof(req));
	req.vm_fd = vm_fd;
	req.cid = cid;
	req.flags = flags;
	req.cgroup_fd = cgroup_fd;
	if (ioctl(dev, MRM_IOC_ATTACH, &req))
		return -errno;
	if (id)
		*id = req.id;
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int move_self(const char *cgroup)
{
	char path[256], pid[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

TEST_F(mrm, cgroup_fds_are_checked)
{
	const __u32 cg = MRM_ATTACH_CGROUP;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int slash = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int root = open(CGROUP_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int test_cg;
	char dir[16];
	__u32 id = 0;

	ASSERT_LE(0, null);
	ASSERT_LE(0, slash);
	ASSERT_LE(0, root) TH_LOG("open %s: %s", CGROUP_ROOT, strerror(errno));
	ASSERT_EQ(0, write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory"));
	rmdir(TEST_CGROUP);
	ASSERT_EQ(0, mkdir(TEST_CGROUP, 0755));
	test_cg = open(TEST_CGROUP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, test_cg);

	/* cgroup_fd without the flag, or a negative one with it. */
	EXPECT_EQ(-EINVAL, mrm_attach_cgroup(self->dev, self->vm, self->cid,
					     0, test_cg, NULL));
	EXPECT_EQ(-EINVAL, mrm_attach_cgroup(self->dev, self->vm, self->cid,
					     cg, -1, NULL));
	EXPECT_EQ(-EBADF, mrm_attach_cgroup(self->dev, self->vm, self->cid,
					    cg, INT_MAX, NULL));
	EXPECT_EQ(-ENOTDIR, mrm_attach_cgroup(self->dev, self->vm, self->cid,
					      cg, null, NULL));
	EXPECT_EQ(-ENOTDIR, mrm_attach_cgroup(self->dev, self->vm, self->cid,
					      cg, slash, NULL));
	EXPECT_EQ(-EINVAL, mrm_attach_cgroup(self->dev, self->vm, self->cid,
					     cg, root, NULL));
	/* This process (the VM's) is not in the test cgroup. */
	EXPECT_EQ(-EXDEV, mrm_attach_cgroup(self->dev, self->vm, self->cid,
					    cg, test_cg, NULL));
	EXPECT_EQ(self->vms_before, count_vms());

	/* Once it is, the attach succeeds and sysfs names the cgroup. */
	ASSERT_EQ(0, move_self(TEST_CGROUP));
	EXPECT_EQ(0, mrm_attach_cgroup(self->dev, self->vm, self->cid, cg,
				       test_cg, &id));
	if (id) {
		snprintf(dir, sizeof(dir), "%u", id);
		EXPECT_STREQ("/mrm-dev-test", vm_attr(dir, "cgroup"));
		EXPECT_STREQ("-", vm_attr(dir, "memory_high"));
		EXPECT_STREQ("0", vm_attr(dir, "reclaimed_bytes"));
		EXPECT_EQ(0, mrm_detach(self->dev, id));
	}
	/* Without a cgroup, reclaim is refused and sysfs says so. */
	id = 0;
	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, NULL, 0, &id));
	snprintf(dir, sizeof(dir), "%u", id);
	EXPECT_STREQ("-", vm_attr(dir, "cgroup"));
	EXPECT_STREQ("0", vm_attr(dir, "compressed_bytes"));
	EXPECT_EQ(0, mrm_detach(self->dev, id));

	EXPECT_EQ(0, move_self(CGROUP_ROOT));
	close(test_cg);
	EXPECT_EQ(0, rmdir(TEST_CGROUP));
	close(root);
	close(slash);
	close(null);
}

TEST_F(mrm, duplicates_are_refused)
{
	int other = create_vm(), again;
	__u32 id = 0, id2 = 0;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, "dup-a", 0,
				&id));
	/* The same VM under another CID and name. */
	EXPECT_EQ(-EEXIST, mrm_attach(self->dev, self->vm, test_cid(1),
				      "dup-b", 0, NULL));
	/* A second fd of the same VM is the same VM. */
	again = dup(self->vm);
	EXPECT_EQ(-EEXIST, mrm_attach(self->dev, again, test_cid(1), NULL, 0,
				      NULL));
	close(again);
	EXPECT_EQ(-EADDRINUSE, mrm_attach(self->dev, other, self->cid, NULL, 0,
					  NULL));
	EXPECT_EQ(-ENOTUNIQ, mrm_attach(self->dev, other, test_cid(1), "dup-a",
					0, NULL));
	EXPECT_EQ(self->vms_before + 1, count_vms());
	EXPECT_EQ(self->cid, vm_attr_u64("dup-a", "cid"));

	/* Free again after a detach; ids are not reused right away. */
	ASSERT_EQ(0, mrm_detach(self->dev, id));
	ASSERT_EQ(0, mrm_attach(self->dev, other, self->cid, "dup-a", 0, &id2));
	EXPECT_NE(id, id2);
	EXPECT_EQ(0, mrm_detach(self->dev, id2));
	close(other);
}

TEST_F(mrm, unknown_ioctls_are_refused)
{
	struct { char bytes[72]; } short_arg;

	memset(&short_arg, 0, sizeof(short_arg));
	EXPECT_EQ(-1, ioctl(self->dev, _IO(MRM_IOC_TYPE, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* The size is part of the number. */
	EXPECT_EQ(-1, ioctl(self->dev, _IOWR(MRM_IOC_TYPE, 0x01,
					     typeof(short_arg)), &short_arg));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_NE(1, MRM_IOC_ATTACH);
	EXPECT_NE(2, MRM_IOC_DETACH);
}

TEST_F(mrm, bad_pointers_fault_and_change_nothing)
{
	struct mrm_attach *req;
	__u32 id = 0;

	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_ATTACH, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_DETACH, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	/* Readable but not writable: the id cannot be returned. */
	req = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, req);
	req->vm_fd = self->vm;
	req->cid = self->cid;
	ASSERT_EQ(0, mprotect(req, 4096, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->dev, MRM_IOC_ATTACH, req));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(self->vms_before, count_vms());
	/* Undone: the same VM and CID attach again. */
	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, NULL, 0, &id));
	EXPECT_EQ(0, mrm_detach(self->dev, id));
	munmap(req, 4096);
}

TEST_F(mrm, callers_without_cap_sys_admin_are_refused)
{
	__u32 id = 0;
	pid_t child;
	int status;

	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, NULL, 0, &id));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* Leaving uid 0 drops every capability. */
		if (setresuid(65534, 65534, 65534))
			_exit(10);
		if (mrm_attach(self->dev, self->vm, test_cid(1), NULL, 0,
			       NULL) != -EPERM)
			_exit(11);
		if (mrm_detach(self->dev, id) != -EPERM)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_TRUE(id_dir_exists(id));
	EXPECT_EQ(0, mrm_detach(self->dev, id));
}

TEST_F(mrm, hold_ends_with_the_last_close_of_its_file)
{
	int holder = open("/dev/mrm", O_RDWR | O_CLOEXEC), copy;
	char dir[16];
	__u32 id = 0;

	ASSERT_LE(0, holder);
	ASSERT_EQ(0, mrm_attach(holder, self->vm, self->cid, NULL,
				MRM_ATTACH_HOLD, &id));
	snprintf(dir, sizeof(dir), "%u", id);
	EXPECT_STREQ("1", vm_attr(dir, "hold"));
	copy = dup(holder);
	ASSERT_LE(0, copy);
	close(holder);
	/* Another descriptor of the same file keeps it open. */
	EXPECT_TRUE(id_dir_exists(id));
	/* Closing another /dev/mrm file does not matter. */
	close(open("/dev/mrm", O_RDWR | O_CLOEXEC));
	EXPECT_TRUE(id_dir_exists(id));
	close(copy);
	EXPECT_FALSE(id_dir_exists(id));
	EXPECT_EQ(self->vms_before, count_vms());
}

/* mrm's reference keeps a VM alive after its fd is closed; detach ends it. */
TEST_F(mrm, detach_drops_the_last_vm_reference)
{
	__u32 id = 0;

	ASSERT_EQ(1, kvm_debugfs_has_pid(getpid()))
		TH_LOG("no %s/%d-* (is debugfs mounted?)", KVM_DEBUGFS_DIR,
		       getpid());
	ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, NULL, 0, &id));
	close(self->vm);
	self->vm = -1;
	EXPECT_EQ(1, kvm_debugfs_has_pid(getpid()));
	ASSERT_EQ(0, mrm_detach(self->dev, id));
	EXPECT_EQ(0, kvm_debugfs_has_pid(getpid()));
}

/* The exit of the VM's process detaches it and the VM is destroyed. */
TEST_F(mrm, process_exit_detaches)
{
	int pipefd[2], status;
	long long start, waited;
	char dir[16];
	pid_t child;
	__u32 id = 0;

	ASSERT_EQ(0, pipe(pipefd));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		int vm = create_vm();

		if (vm < 0 || mrm_attach(self->dev, vm, test_cid(1), NULL, 0,
					 &id))
			_exit(1);
		if (write(pipefd[1], &id, sizeof(id)) != sizeof(id))
			_exit(2);
		pause();
		_exit(3);
	}
	close(pipefd[1]);
	ASSERT_EQ(sizeof(id), read(pipefd[0], &id, sizeof(id)));
	close(pipefd[0]);
	snprintf(dir, sizeof(dir), "%u", id);
	ASSERT_TRUE(vm_dir_exists(dir));
	EXPECT_EQ(child, (pid_t)vm_attr_u64(dir, "pid"));
	EXPECT_EQ(1, kvm_debugfs_has_pid(child));

	start = now_ms();
	kill(child, SIGKILL);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	while (vm_dir_exists(dir) &&
	       now_ms() - start < EXIT_DETACH_TIMEOUT_MS)
		poll(NULL, 0, POLL_STEP_MS);
	waited = now_ms() - start;
	EXPECT_FALSE(vm_dir_exists(dir));
	/*
	 * The directory goes first (a detach hook); the teardown drops mrm's
	 * VM reference, the last one, a little later.
	 */
	while (kvm_debugfs_has_pid(child) &&
	       now_ms() - start < EXIT_DETACH_TIMEOUT_MS)
		poll(NULL, 0, POLL_STEP_MS);
	EXPECT_EQ(0, kvm_debugfs_has_pid(child));
	TH_LOG("detached %lld ms after SIGKILL, VM destroyed after %lld ms",
	       waited, now_ms() - start);
	/* A detached VM cannot be detached again. */
	EXPECT_EQ(-ENOENT, mrm_detach(self->dev, id));
}

/*
 * Reads of a VM's sysfs files racing with its detach: every read either
 * succeeds or finds the file gone, and the kernel stays quiet (the harness
 * checks L1's log).
 */
#define RACE_CYCLES		200
#define RACE_READ_US		500

TEST_F(mrm, sysfs_reads_race_with_detach)
{
	static const char *const attrs[] = {
		"memory_bytes", "state", "pid", "cid", "name",
	};
	int pipefd[2], status, i;
	long reads = 0;
	pid_t reader;
	__u32 id;

	ASSERT_EQ(0, pipe(pipefd));
	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		long done = 0;

		close(pipefd[0]);
		for (i = 0; ; i++) {
			char path[PATH_MAX], buf[64];
			int fd;

			snprintf(path, sizeof(path), "%s/race/%s", VMS_DIR,
				 attrs[i % ARRAY_SIZE(attrs)]);
			fd = open(path, O_RDONLY);
			if (fd >= 0) {
				done += read(fd, buf, sizeof(buf)) > 0;
				close(fd);
			}
			if (i % 64 == 0 && write(pipefd[1], &done, sizeof(done)) < 0)
				_exit(1);
		}
	}
	close(pipefd[1]);
	for (i = 0; i < RACE_CYCLES; i++) {
		ASSERT_EQ(0, mrm_attach(self->dev, self->vm, self->cid, "race",
					0, &id));
		/* Let the reader in (L1 has one CPU). */
		usleep(RACE_READ_US);
		ASSERT_EQ(0, mrm_detach(self->dev, id));
	}
	kill(reader, SIGKILL);
	while (read(pipefd[0], &reads, sizeof(reads)) == sizeof(reads))
		;
	close(pipefd[0]);
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	TH_LOG("%d attach/detach cycles, %ld successful reads meanwhile",
	       RACE_CYCLES, reads);
	EXPECT_LT(0, reads);
	EXPECT_FALSE(vm_dir_exists("race"));
}

/*
 * MRM_IOC_DETACH racing with the exit of the VM's process: exactly one of
 * them detaches, the other finds nothing to do, and the VM is destroyed.
 */
#define EXIT_RACE_ROUNDS	30
#define EXIT_RACE_DELAYS	6
#define EXIT_RACE_DELAY_STEP_US	2000

TEST_F(mrm, detach_races_with_process_exit)
{
	int round, by_ioctl = 0;

	for (round = 0; round < EXIT_RACE_ROUNDS; round++) {
		int pipefd[2], status, err;
		long long start;
		char dir[16];
		pid_t child;
		__u32 id = 0;

		ASSERT_EQ(0, pipe(pipefd));
		child = fork();
		ASSERT_LE(0, child);
		if (child == 0) {
			int vm = create_vm();

			if (vm < 0 || mrm_attach(self->dev, vm,
						 test_cid(1 + round), NULL, 0,
						 &id))
				_exit(1);
			if (write(pipefd[1], &id, sizeof(id)) != sizeof(id))
				_exit(2);
			pause();
			_exit(3);
		}
		close(pipefd[1]);
		ASSERT_EQ(sizeof(id), read(pipefd[0], &id, sizeof(id)));
		close(pipefd[0]);

		kill(child, SIGKILL);
		/* From no delay to enough for the exit to win. */
		usleep((round % EXIT_RACE_DELAYS) * EXIT_RACE_DELAY_STEP_US);
		err = mrm_detach(self->dev, id);
		EXPECT_TRUE(err == 0 || err == -ENOENT) TH_LOG("detach: %d", err);
		by_ioctl += err == 0;
		ASSERT_EQ(child, waitpid(child, &status, 0));
		snprintf(dir, sizeof(dir), "%u", id);
		start = now_ms();
		while ((vm_dir_exists(dir) || kvm_debugfs_has_pid(child)) &&
		       now_ms() - start < EXIT_DETACH_TIMEOUT_MS)
			poll(NULL, 0, POLL_STEP_MS);
		EXPECT_FALSE(vm_dir_exists(dir));
		EXPECT_EQ(0, kvm_debugfs_has_pid(child));
	}
	TH_LOG("%d rounds: the ioctl detached %d times, the exit %d times",
	       EXIT_RACE_ROUNDS, by_ioctl, EXIT_RACE_ROUNDS - by_ioctl);
	EXPECT_EQ(self->vms_before, count_vms());
}

TEST_HARNESS_MAIN
