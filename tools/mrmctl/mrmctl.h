/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mrmctl: attach KVM VMs to mrm_host and detach them.  Shared declarations
 * of its source files.
 */
#ifndef _MRMCTL_H
#define _MRMCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <mrm/plain.h>

/* Exit codes; the usage text lists them too. */
enum mrmctl_exit {
	MRMCTL_EXIT_OK = 0,
	MRMCTL_EXIT_REFUSED = 1,	/* the kernel refused the request */
	MRMCTL_EXIT_USAGE = 2,		/* bad command line */
	MRMCTL_EXIT_NO_MODULE = 3,	/* mrm_host is not loaded */
	MRMCTL_EXIT_NO_VM = 4,		/* no usable KVM VM in that process */
};

#define MRM_DEV_PATH		"/dev/mrm"
#define MRM_SYSFS_VMS		"/sys/kernel/mrm/vms"

/* The link target of a KVM VM file descriptor in /proc/<pid>/fd/. */
#define KVM_VM_FD_LINK		"anon_inode:kvm-vm"

/* Messages on stderr: "mrmctl: error: ..." and "mrmctl: ...". */
#define mrmctl_err(fmt, ...) \
	fprintf(stderr, "mrmctl: error: " fmt "\n", ##__VA_ARGS__)
#define mrmctl_note(fmt, ...) \
	fprintf(stderr, "mrmctl: " fmt "\n", ##__VA_ARGS__)

bool mrmctl_parse_u32(const char *s, u32 min, u32 max, u32 *out);
int mrmctl_read_line(const char *path, char *buf, size_t size);

/* vmfd.c */
int mrmctl_find_vm_fd(pid_t pid, int *fd);
int mrmctl_take_fd(pid_t pid, int fd, int *local_fd);
int mrmctl_cid_from_cmdline(pid_t pid, u32 *cid);

/* cgroup.c */
int mrmctl_cgroup_open(pid_t pid, const char *path, const char *leaf,
		       int *fd, char *dir, size_t size);
const char *mrmctl_cgroup_of(pid_t pid);

/* list.c */
int mrmctl_list(void);
int mrmctl_lookup_id(const char *name, u32 *id);

#endif /* _MRMCTL_H */
