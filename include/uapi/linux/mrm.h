/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/mrm: the ioctl interface of mrm_host.ko.
 *
 * Every argument is a fixed-size struct whose layout is the same for 32-bit
 * and 64-bit callers; its size is part of the ioctl number.  Reserved fields
 * and unknown flag bits must be zero: the kernel rejects anything else with
 * EINVAL, so they can be given a meaning later.  Numbers are never reused.
 *
 * See Documentation/attach.rst for the semantics and the error codes.
 */
#ifndef _UAPI_LINUX_MRM_H
#define _UAPI_LINUX_MRM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The ioctl type byte of /dev/mrm (free in ioctl-number.rst as of 6.12). */
#define MRM_IOC_TYPE		'x'

/*
 * Size of the name buffer, terminating NUL included.  A name is 1 to
 * MRM_VM_NAME_SIZE - 1 characters from [A-Za-z0-9_.-], starts with a
 * letter (so it never looks like a VM id), and every byte after its NUL is
 * zero.  An empty name (first byte NUL) means "no name".
 */
#define MRM_VM_NAME_SIZE	32

/*
 * MRM_ATTACH_HOLD: tie the attachment to the open file description of
 * /dev/mrm it was made on: the VM is detached when that file is closed
 * (its last descriptor, in any process).  Without it the attachment lasts
 * until an explicit detach, the VM's process exits or mrm_host is unloaded.
 */
#define MRM_ATTACH_HOLD		(1U << 0)
/*
 * MRM_ATTACH_CGROUP: @cgroup_fd is a directory of the cgroup2 file system
 * (not the root cgroup) that the VM's process is in, with the memory
 * controller enabled.  mrm reclaims the VM's memory through it
 * (memory.reclaim, memory.high) and reports its compressed and swapped
 * memory.  Without it, cgroup_fd must be 0 and the VM gets no reclaim.
 */
#define MRM_ATTACH_CGROUP	(1U << 1)
#define MRM_ATTACH_FLAGS	(MRM_ATTACH_HOLD | MRM_ATTACH_CGROUP)

/**
 * struct mrm_attach - argument of MRM_IOC_ATTACH
 * @vm_fd: in: a file descriptor of a KVM VM (from KVM_CREATE_VM)
 * @cid: in: the VM's vsock context id; at least 3, not VMADDR_CID_ANY
 * @flags: in: MRM_ATTACH_* bits
 * @id: out: the id the VM was given; must be zero on input
 * @name: in: optional name, see MRM_VM_NAME_SIZE
 * @cgroup_fd: in: with MRM_ATTACH_CGROUP, a file descriptor of the VM's
 *	cgroup2 directory (opened O_RDONLY | O_DIRECTORY); else 0
 * @reserved32: must be zero
 * @reserved: must be zero
 */
struct mrm_attach {
	__s32 vm_fd;
	__u32 cid;
	__u32 flags;
	__u32 id;
	char name[MRM_VM_NAME_SIZE];
	__s32 cgroup_fd;
	__u32 reserved32;
	__u64 reserved[3];
};

/**
 * struct mrm_detach - argument of MRM_IOC_DETACH
 * @id: in: the id MRM_IOC_ATTACH returned
 * @flags: must be zero
 * @reserved: must be zero
 */
struct mrm_detach {
	__u32 id;
	__u32 flags;
	__u64 reserved[3];
};

/* Attach a KVM VM; needs CAP_SYS_ADMIN. */
#define MRM_IOC_ATTACH	_IOWR(MRM_IOC_TYPE, 0x01, struct mrm_attach)
/* Detach a VM by id; needs CAP_SYS_ADMIN. */
#define MRM_IOC_DETACH	_IOW(MRM_IOC_TYPE, 0x02, struct mrm_detach)

#endif /* _UAPI_LINUX_MRM_H */
