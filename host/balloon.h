/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's side of one VM's balloon: the record of which guest frames
 * are ballooned, and dropping the host memory behind them.
 */
#ifndef _MRM_HOST_BALLOON_H
#define _MRM_HOST_BALLOON_H

#include <linux/types.h>
#include <linux/xarray.h>

#include <mrm/proto.h>

struct kvm;

/**
 * struct mrm_vm_balloon - one VM's balloon as the host sees it
 * @frames: ballooned frames of the guest's current balloon (@boot_id):
 *	index = guest frame number (4 KiB units), entry = xa_mk_value(order)
 * @boot_id: the guest balloon instance @frames belongs to (0: none yet)
 * @pages: 4 KiB pages in @frames
 * @target_pages: what the host wants the balloon to be, 4 KiB pages
 * @inflated_pages: 4 KiB pages accepted by INFLATEs, cumulative
 * @released_pages: 4 KiB pages whose host memory was dropped, cumulative
 * @deflated_pages: 4 KiB pages taken back by DEFLATEs, cumulative
 * @rejected_frames: frames refused (outside RAM, overlapping, unreleasable)
 * @unknown_frames: DEFLATEd frames that were not in the record
 *
 * @frames, @boot_id and the counters are written only by the VM's session
 * thread (one at a time: a new session starts after the old one is torn
 * down) and by teardown; the counters, @pages and @target_pages are read
 * locklessly by sysfs and the policy (READ_ONCE/WRITE_ONCE).
 * @target_pages is written by sysfs or the policy and read by the session.
 */
struct mrm_vm_balloon {
	struct xarray frames;
	u64 boot_id;
	u64 pages;
	u64 target_pages;
	u64 inflated_pages;
	u64 released_pages;
	u64 deflated_pages;
	u64 rejected_frames;
	u64 unknown_frames;
};

void mrm_vm_balloon_init(struct mrm_vm_balloon *vb);
void mrm_vm_balloon_destroy(struct mrm_vm_balloon *vb);
void mrm_vm_balloon_begin(struct mrm_vm_balloon *vb, u64 boot_id);
void mrm_vm_balloon_inflate(struct mrm_vm_balloon *vb, struct kvm *kvm,
			    const struct mrm_frames *frames,
			    struct mrm_ack *ack);
u64 mrm_vm_balloon_deflate(struct mrm_vm_balloon *vb,
			   const struct mrm_frames *frames);

#endif /* _MRM_HOST_BALLOON_H */
