// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of the parameters user space gives for a VM attachment: the vsock
 * CID and the optional name.  The name becomes a sysfs directory name and
 * appears in log lines, so it is held to a narrow charset; it starts with a
 * letter so that it can never be mistaken for (or collide with) the
 * directory of an unnamed VM, which is its decimal id.
 */
#include <linux/vm_sockets.h>

#include "vm_params.h"

/**
 * mrm_vm_cid_valid() - whether @cid can be a guest's vsock context id
 * @cid: the CID user space gave
 *
 * CIDs up to VMADDR_CID_HOST are the hypervisor, local loopback and the
 * host itself; VMADDR_CID_ANY is the wildcard.  Neither is a guest.
 *
 * Return: true if @cid is a guest CID.
 */
bool mrm_vm_cid_valid(u32 cid)
{
	return cid > VMADDR_CID_HOST && cid != VMADDR_CID_ANY;
}

static bool mrm_vm_name_char_ok(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	if (first)
		return false;
	return (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/**
 * mrm_vm_name_check() - check a VM name buffer from user space
 * @name: the whole MRM_VM_NAME_SIZE-byte buffer, as copied in
 *
 * Accepts the empty name (no name) and names of 1 to MRM_VM_NAME_SIZE - 1
 * characters: a letter, then letters, digits, '_', '.' or '-'.  The name
 * must be NUL-terminated inside the buffer and every byte after the NUL
 * must be zero, so that the rest of the buffer can be given a meaning
 * later.
 *
 * Return: 0 if the buffer is acceptable, -EINVAL otherwise.
 */
int mrm_vm_name_check(const char name[MRM_VM_NAME_SIZE])
{
	size_t len, i;

	for (len = 0; len < MRM_VM_NAME_SIZE && name[len]; len++) {
		if (!mrm_vm_name_char_ok(name[len], len == 0))
			return -EINVAL;
	}
	if (len == MRM_VM_NAME_SIZE)
		return -EINVAL;
	for (i = len + 1; i < MRM_VM_NAME_SIZE; i++) {
		if (name[i])
			return -EINVAL;
	}
	return 0;
}
