// SPDX-License-Identifier: GPL-2.0
/*
 * mrmctl: attach running KVM VMs to mrm_host.ko, detach them, list them.
 * See usage() and Documentation/attach.rst.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mrm.h>

#include "../../host/vm_params.h"
#include "mrmctl.h"

static_assert(sizeof(struct mrm_attach) == 80, "struct mrm_attach ABI");
static_assert(sizeof(struct mrm_detach) == 32, "struct mrm_detach ABI");

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: mrmctl attach --pid <pid> [--cid <cid>] [--name <name>] [--fd <fd>] [--hold]\n"
		"                     [--cgroup [<path>]]\n"
		"       mrmctl detach <name|id>\n"
		"       mrmctl list\n"
		"\n"
		"attach  attach the KVM VM of a running QEMU process to mrm_host.\n"
		"        --pid   the QEMU process; its KVM VM file descriptor is found in\n"
		"                /proc/<pid>/fd and copied with pidfd_getfd()\n"
		"        --cid   the guest's vsock CID (at least 3); default: the guest-cid=\n"
		"                of the vhost-vsock device on QEMU's command line\n"
		"        --name  1 to %d characters [A-Za-z0-9_.-], starting with a letter;\n"
		"                names /sys/kernel/mrm/vms/<name> (default: the id)\n"
		"        --fd    use this fd of the process as the VM fd, unchecked\n"
		"                (when it has several); the kernel checks it\n"
		"        --hold  stay running; the VM is detached when mrmctl exits\n"
		"                (SIGINT, SIGTERM or SIGHUP end it with status 0)\n"
		"        --cgroup [<path>]\n"
		"                reclaim the VM's memory through its memory cgroup:\n"
		"                <path>, a cgroup2 directory QEMU already runs in; or,\n"
		"                alone, a new /sys/fs/cgroup/mrm/<name or pid> that\n"
		"                QEMU is moved into (memory it already has stays\n"
		"                charged to its old cgroup: prefer starting QEMU in\n"
		"                the cgroup).  Without --cgroup mrm cannot compress,\n"
		"                swap or block the VM.\n"
		"        Prints \"attached: id=<id> ...\" on success.\n"
		"detach  detach a VM by name or id; the VM keeps running\n"
		"list    a table of the attached VMs\n"
		"\n"
		"exit status: 0 success; 1 the kernel refused the request (the message\n"
		"names the errno); 2 usage error; 3 mrm_host is not loaded; 4 no usable\n"
		"KVM VM in that process (no such process, no KVM VM fd or several, or\n"
		"its fd cannot be taken)\n",
		MRM_VM_NAME_SIZE - 1);
}

/* Open /dev/mrm; returns the fd, or -exit code after saying why. */
static int open_dev(void)
{
	int fd = open(MRM_DEV_PATH, O_RDWR | O_CLOEXEC);
	int err;

	if (fd >= 0)
		return fd;
	err = errno;
	if (err == ENOENT) {
		mrmctl_err("cannot open %s: %s (is mrm_host loaded?)",
			   MRM_DEV_PATH, strerror(err));
		return -MRMCTL_EXIT_NO_MODULE;
	}
	mrmctl_err("cannot open %s: %s%s", MRM_DEV_PATH, strerror(err),
		   err == EACCES ? " (run as root)" : "");
	return -MRMCTL_EXIT_REFUSED;
}

/* Why MRM_IOC_ATTACH failed with @err, in an administrator's words. */
static const char *attach_error_hint(int err, const struct mrm_attach *req,
				     pid_t pid, const char *cgroup)
{
	static char hint[PATH_MAX + 160];

	switch (err) {
	case EPERM:
		return "attaching needs CAP_SYS_ADMIN";
	case EBADF:
		return "the file descriptor is not a KVM VM";
	case EINVAL:
		if (mrm_vm_name_check(req->name))
			return "invalid name: 1 to 31 characters [A-Za-z0-9_.-], first a letter";
		if (!mrm_vm_cid_valid(req->cid))
			return "invalid CID: guest CIDs are 3 to 4294967294";
		if (req->flags & MRM_ATTACH_CGROUP)
			return "invalid request (the root cgroup cannot be a VM's cgroup)";
		return "invalid request";
	case ENOTDIR:
		return "the cgroup is not a directory of the cgroup2 file system";
	case EXDEV:
		snprintf(hint, sizeof(hint),
			 "process %d is in cgroup %s, not in %s or below it (start QEMU in that cgroup, or use --cgroup alone to move it)",
			 (int)pid, mrmctl_cgroup_of(pid), cgroup);
		return hint;
	case EOPNOTSUPP:
		return "no memory controller in the cgroup (see parent's cgroup.subtree_control)";
	case EEXIST:
		return "this VM is already attached (see mrmctl list)";
	case EADDRINUSE:
		snprintf(hint, sizeof(hint), "CID %u is already used by an attached VM",
			 req->cid);
		return hint;
	case ENOTUNIQ:
		snprintf(hint, sizeof(hint), "the name '%s' is already used by an attached VM",
			 req->name);
		return hint;
	case EBUSY:
		return "a VM with this VM, CID or name is still being detached; try again";
	case ESRCH:
		return "the VM's process is exiting";
	case ENOSPC:
		return "no VM id left";
	default:
		return "attach failed";
	}
}

/* Wait for SIGINT, SIGTERM or SIGHUP (blocked by the caller). */
static void hold_until_signalled(const sigset_t *set)
{
	int sig;

	while (sigwait(set, &sig))
		;
	mrmctl_note("%s: releasing the VM", strsignal(sig));
}

static int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "cid", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "fd", required_argument, NULL, 'f' },
		{ "hold", no_argument, NULL, 'H' },
		{ "cgroup", optional_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	u32 pid = 0, remote_fd = 0;
	bool have_cid = false, have_fd = false, want_cgroup = false;
	const char *cgroup_path = NULL;
	char cgroup_dir[PATH_MAX] = "", leaf[MRM_VM_NAME_SIZE];
	struct mrm_attach req;
	int opt, dev, vm_fd, err, cgroup_fd = -1;
	sigset_t hold_signals;

	memset(&req, 0, sizeof(req));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (!mrmctl_parse_u32(optarg, 1, INT_MAX, &pid)) {
				mrmctl_err("--pid: '%s' is not a process id", optarg);
				return MRMCTL_EXIT_USAGE;
			}
			break;
		case 'c':
			/* Any u32: the kernel decides what a guest CID is. */
			if (!mrmctl_parse_u32(optarg, 0, UINT_MAX, &req.cid)) {
				mrmctl_err("--cid: '%s' is not a 32-bit number", optarg);
				return MRMCTL_EXIT_USAGE;
			}
			have_cid = true;
			break;
		case 'n':
			if (strlen(optarg) >= sizeof(req.name)) {
				mrmctl_err("--name: longer than %zu characters",
					   sizeof(req.name) - 1);
				return MRMCTL_EXIT_USAGE;
			}
			memcpy(req.name, optarg, strlen(optarg));
			break;
		case 'f':
			if (!mrmctl_parse_u32(optarg, 0, INT_MAX, &remote_fd)) {
				mrmctl_err("--fd: '%s' is not a file descriptor", optarg);
				return MRMCTL_EXIT_USAGE;
			}
			have_fd = true;
			break;
		case 'H':
			req.flags |= MRM_ATTACH_HOLD;
			break;
		case 'g':
			want_cgroup = true;
			/* "--cgroup PATH" as well as "--cgroup=PATH". */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			cgroup_path = optarg;
			if (cgroup_path && !*cgroup_path) {
				mrmctl_err("--cgroup: empty path");
				return MRMCTL_EXIT_USAGE;
			}
			break;
		case 'h':
			print_usage(stdout);
			return MRMCTL_EXIT_OK;
		default:
			print_usage(stderr);
			return MRMCTL_EXIT_USAGE;
		}
	}
	if (!pid) {
		mrmctl_err("--pid is required");
		return MRMCTL_EXIT_USAGE;
	}
	if (optind != argc) {
		mrmctl_err("unexpected argument '%s'", argv[optind]);
		return MRMCTL_EXIT_USAGE;
	}

	if (!have_fd) {
		int fd;

		err = mrmctl_find_vm_fd((pid_t)pid, &fd);
		if (err)
			return err;
		remote_fd = (u32)fd;
	}
	if (!have_cid) {
		err = mrmctl_cid_from_cmdline((pid_t)pid, &req.cid);
		if (err)
			return err;
	}
	dev = open_dev();
	if (dev < 0)
		return -dev;
	if (want_cgroup) {
		if (req.name[0])
			snprintf(leaf, sizeof(leaf), "%s", req.name);
		else
			snprintf(leaf, sizeof(leaf), "%u", pid);
		err = mrmctl_cgroup_open((pid_t)pid, cgroup_path, leaf,
					 &cgroup_fd, cgroup_dir,
					 sizeof(cgroup_dir));
		if (err) {
			close(dev);
			return err;
		}
		req.flags |= MRM_ATTACH_CGROUP;
		req.cgroup_fd = cgroup_fd;
	}
	err = mrmctl_take_fd((pid_t)pid, (int)remote_fd, &vm_fd);
	if (err) {
		if (cgroup_fd >= 0)
			close(cgroup_fd);
		close(dev);
		return err;
	}

	/* Block them now so that a signal right after attaching is held. */
	sigemptyset(&hold_signals);
	sigaddset(&hold_signals, SIGINT);
	sigaddset(&hold_signals, SIGTERM);
	sigaddset(&hold_signals, SIGHUP);
	if (req.flags & MRM_ATTACH_HOLD)
		sigprocmask(SIG_BLOCK, &hold_signals, NULL);

	req.vm_fd = vm_fd;
	if (ioctl(dev, MRM_IOC_ATTACH, &req)) {
		err = errno;
		mrmctl_err("cannot attach fd %u of process %u: %s (%s): %s",
			   remote_fd, pid, strerror(err), strerrorname_np(err),
			   attach_error_hint(err, &req, (pid_t)pid, cgroup_dir));
		close(vm_fd);
		if (cgroup_fd >= 0)
			close(cgroup_fd);
		close(dev);
		return MRMCTL_EXIT_REFUSED;
	}
	/* mrm holds its own reference on the VM (and the cgroup) now. */
	close(vm_fd);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	printf("attached: id=%u name=%s cid=%u pid=%u cgroup=%s dir=%s/",
	       req.id, req.name[0] ? req.name : "-", req.cid, pid,
	       cgroup_dir[0] ? cgroup_dir : "-", MRM_SYSFS_VMS);
	if (req.name[0])
		printf("%s\n", req.name);
	else
		printf("%u\n", req.id);
	fflush(stdout);

	if (req.flags & MRM_ATTACH_HOLD) {
		mrmctl_note("holding vm %u; it is detached when mrmctl exits", req.id);
		hold_until_signalled(&hold_signals);
	}
	close(dev);
	return MRMCTL_EXIT_OK;
}

static int cmd_detach(int argc, char **argv)
{
	struct mrm_detach req;
	int dev, err;

	if (argc != 2) {
		mrmctl_err("detach takes one VM name or id");
		return MRMCTL_EXIT_USAGE;
	}
	memset(&req, 0, sizeof(req));
	if (argv[1][0] >= '0' && argv[1][0] <= '9') {
		if (!mrmctl_parse_u32(argv[1], 1, INT_MAX, &req.id)) {
			mrmctl_err("'%s' is not a VM id", argv[1]);
			return MRMCTL_EXIT_USAGE;
		}
	} else {
		err = mrmctl_lookup_id(argv[1], &req.id);
		if (err)
			return err;
	}
	dev = open_dev();
	if (dev < 0)
		return -dev;
	if (ioctl(dev, MRM_IOC_DETACH, &req)) {
		err = errno;
		mrmctl_err("cannot detach vm %u: %s (%s)%s", req.id, strerror(err),
			   strerrorname_np(err),
			   err == ENOENT ? ": no attached VM has this id (see mrmctl list)" :
			   err == EPERM ? ": detaching needs CAP_SYS_ADMIN" : "");
		close(dev);
		return MRMCTL_EXIT_REFUSED;
	}
	close(dev);
	printf("detached: id=%u\n", req.id);
	return MRMCTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return MRMCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "attach"))
		return cmd_attach(argc - 1, argv + 1);
	if (!strcmp(argv[1], "detach"))
		return cmd_detach(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list")) {
		if (argc != 2) {
			mrmctl_err("list takes no arguments");
			return MRMCTL_EXIT_USAGE;
		}
		return mrmctl_list();
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return MRMCTL_EXIT_OK;
	}
	mrmctl_err("unknown command '%s'", argv[1]);
	print_usage(stderr);
	return MRMCTL_EXIT_USAGE;
}
