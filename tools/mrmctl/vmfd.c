// SPDX-License-Identifier: GPL-2.0
/*
 * mrmctl: find the KVM VM of a running, unmodified QEMU and take a copy of
 * its file descriptor, and read the guest's vsock CID from its command line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mrmctl.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

/* The most VM fds reported by name when a process has several. */
#define MAX_FDS_SHOWN		8
/* The most of a command line read; QEMU's are a few KiB. */
#define CMDLINE_MAX		(1024 * 1024)
/* The most distinct guest-cid values reported. */
#define MAX_CIDS		8

/*
 * Find the one fd of @pid whose link is KVM_VM_FD_LINK.  Returns 0, or
 * MRMCTL_EXIT_NO_VM after saying why.
 */
int mrmctl_find_vm_fd(pid_t pid, int *fd)
{
	int found[MAX_FDS_SHOWN], nfound = 0, i;
	char path[64], link[64];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir) {
		/* ENOENT: no such process. */
		if (errno == ENOENT)
			mrmctl_err("no process %d", (int)pid);
		else
			mrmctl_err("cannot list %s: %s", path, strerror(errno));
		return MRMCTL_EXIT_NO_VM;
	}
	while ((de = readdir(dir))) {
		u32 n;
		ssize_t len;

		if (!mrmctl_parse_u32(de->d_name, 0, INT_MAX, &n))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%u", (int)pid, n);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		if (strcmp(link, KVM_VM_FD_LINK))
			continue;
		if (nfound < MAX_FDS_SHOWN)
			found[nfound] = (int)n;
		nfound++;
	}
	closedir(dir);

	if (nfound == 0) {
		mrmctl_err("process %d has no KVM VM file descriptor (no %s in /proc/%d/fd; is it QEMU running with -accel kvm?)",
			   (int)pid, KVM_VM_FD_LINK, (int)pid);
		return MRMCTL_EXIT_NO_VM;
	}
	if (nfound > 1) {
		mrmctl_err("process %d has %d KVM VM file descriptors; choose one with --fd:",
			   (int)pid, nfound);
		for (i = 0; i < nfound && i < MAX_FDS_SHOWN; i++)
			mrmctl_note("  --fd %d", found[i]);
		return MRMCTL_EXIT_NO_VM;
	}
	*fd = found[0];
	return 0;
}

/*
 * Duplicate fd @fd of process @pid into this process with pidfd_getfd()
 * (needs ptrace access to @pid).  Returns 0, or MRMCTL_EXIT_NO_VM after
 * saying why.
 */
int mrmctl_take_fd(pid_t pid, int fd, int *local_fd)
{
	int pidfd, err;

	pidfd = (int)syscall(__NR_pidfd_open, pid, 0);
	if (pidfd < 0) {
		mrmctl_err("pidfd_open(%d): %s", (int)pid, strerror(errno));
		return MRMCTL_EXIT_NO_VM;
	}
	*local_fd = (int)syscall(__NR_pidfd_getfd, pidfd, fd, 0);
	err = errno;
	close(pidfd);
	if (*local_fd < 0) {
		mrmctl_err("cannot take fd %d of process %d (pidfd_getfd): %s%s",
			   fd, (int)pid, strerror(err),
			   err == EPERM ? " (needs root or ptrace access)" : "");
		return MRMCTL_EXIT_NO_VM;
	}
	return 0;
}

/*
 * The value after "guest-cid=" (QEMU's -device key=value syntax) or
 * "\"guest-cid\":" (its JSON syntax) in @arg; false if neither is there.
 */
static bool cid_in_arg(const char *arg, u32 *cid)
{
	static const char *const keys[] = { "guest-cid=", "\"guest-cid\":" };
	char digits[16];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *p = strstr(arg, keys[i]);

		if (!p)
			continue;
		p += strlen(keys[i]);
		n = strspn(p, "0123456789");
		if (n == 0 || n >= sizeof(digits))
			return false;
		memcpy(digits, p, n);
		digits[n] = '\0';
		return mrmctl_parse_u32(digits, 0, UINT_MAX, cid);
	}
	return false;
}

/*
 * Read the guest's vsock CID from the guest-cid property of its
 * vhost-vsock device on @pid's command line.  Returns 0, or
 * MRMCTL_EXIT_USAGE after saying why (the caller should pass --cid).
 */
int mrmctl_cid_from_cmdline(pid_t pid, u32 *cid)
{
	u32 cids[MAX_CIDS];
	int ncids = 0, fd, i;
	char path[64], *buf;
	size_t len = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		mrmctl_err("cannot read %s: %s", path, strerror(errno));
		return MRMCTL_EXIT_USAGE;
	}
	buf = malloc(CMDLINE_MAX + 1);
	if (!buf) {
		close(fd);
		mrmctl_err("out of memory");
		return MRMCTL_EXIT_USAGE;
	}
	while (len < CMDLINE_MAX &&
	       (n = read(fd, buf + len, CMDLINE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';

	for (size_t off = 0; off < len; off += strlen(buf + off) + 1) {
		u32 c;

		if (!cid_in_arg(buf + off, &c))
			continue;
		for (i = 0; i < ncids && cids[i] != c; i++)
			;
		if (i == ncids && ncids < MAX_CIDS)
			cids[ncids++] = c;
	}
	free(buf);

	if (ncids == 0) {
		mrmctl_err("no --cid given and no guest-cid= on the command line of process %d; pass --cid",
			   (int)pid);
		return MRMCTL_EXIT_USAGE;
	}
	if (ncids > 1) {
		mrmctl_err("process %d has several vsock devices (guest-cid=%u, %u%s); choose with --cid",
			   (int)pid, cids[0], cids[1], ncids > 2 ? ", ..." : "");
		return MRMCTL_EXIT_USAGE;
	}
	*cid = cids[0];
	mrmctl_note("cid %u, from guest-cid=%u on the command line of process %d",
		    *cid, *cid, (int)pid);
	return 0;
}
