/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host end of the mrm protocol: the vsock listener (endpoint.c) and
 * one session per connected guest (session.c).
 */
#ifndef _MRM_HOST_ENDPOINT_H
#define _MRM_HOST_ENDPOINT_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <mrm/proto.h>

#include "balloon.h"

struct attribute_group;
struct mrm_host_session;
struct mrm_vm;
struct socket;

/**
 * enum mrm_ep_state - a VM's balloon connection, as sysfs shows it
 * @MRM_EP_DISCONNECTED: no guest connected
 * @MRM_EP_HANDSHAKE: connected, HELLO/WELCOME not done
 * @MRM_EP_CONNECTED: session active
 * @MRM_EP_CLOSING: GOODBYE sent or received
 */
enum mrm_ep_state {
	MRM_EP_DISCONNECTED,
	MRM_EP_HANDSHAKE,
	MRM_EP_CONNECTED,
	MRM_EP_CLOSING,
};

/**
 * struct mrm_guest_report - the guest's latest STATS, clamped
 * @lock: protects the fields below (taken by the session and sysfs)
 * @present: bit (1 << tag) for each statistic reported
 * @val: value per MRM_STAT_* tag
 * @when: jiffies of the report (0: none yet)
 */
struct mrm_guest_report {
	spinlock_t lock;	/* see @lock above */
	u64 present;
	u64 val[MRM_STAT_NR];
	unsigned long when;
};

/**
 * struct mrm_vm_endpoint - protocol state of one attached VM
 * @lock: protects @session, @closed, @connect_times and @connect_next
 * @session: the current (or last) session, or NULL
 * @closed: the VM is being detached: no new session starts
 * @connect_times: jiffies of the last MRM_PROTO_MAX_CONNECTS_PER_MIN
 *	connections accepted, a ring (slots not used yet: long ago)
 * @connect_next: the ring's oldest slot, overwritten by the next one
 * @state: enum mrm_ep_state; written by the session thread, read by sysfs
 * @ram_pages: guest RAM from the last HELLO (4 KiB pages), for clamping
 * @sessions: sessions welcomed, cumulative (read by sysfs)
 * @pressure_pages: 4 KiB pages the guest took back because of its own
 *	memory pressure (DEFLATE reason pressure or OOM), cumulative
 * @pressure_at: jiffies of the last such DEFLATE (0: never); the policy
 *	backs off a guest under pressure
 *
 * @state, @ram_pages, @sessions, @pressure_pages and @pressure_at are
 * written by the session thread and read locklessly (READ_ONCE).
 * @balloon: the host's record of the VM's balloon
 * @report: the guest's statistics
 */
struct mrm_vm_endpoint {
	struct mutex lock;	/* see @lock above */
	struct mrm_host_session *session;
	bool closed;
	unsigned long connect_times[MRM_PROTO_MAX_CONNECTS_PER_MIN];
	unsigned int connect_next;
	int state;
	u64 ram_pages;
	u64 sessions;
	u64 pressure_pages;
	unsigned long pressure_at;
	struct mrm_vm_balloon balloon;
	struct mrm_guest_report report;
};

int mrm_endpoint_start(u32 port);
void mrm_endpoint_stop(void);

/* Per-VM state: struct mrm_vm.ep, set up and torn down by these hooks. */
extern const struct mrm_vm_hooks mrm_vm_endpoint_hooks;

void mrm_vm_endpoint_set_target(struct mrm_vm_endpoint *ep, u64 pages);
const char *mrm_ep_state_name(int state);

/* endpoint_sysfs.c: files in the VM's sysfs directory. */
extern const struct attribute_group mrm_vm_balloon_group;
extern const struct attribute_group mrm_vm_guest_group;

/* session.c */
struct mrm_host_session *mrm_host_session_create(struct mrm_vm *vm,
						 struct socket *sock);
void mrm_host_session_run(struct mrm_host_session *s);
void mrm_host_session_destroy(struct mrm_host_session *s, bool goodbye);

#endif /* _MRM_HOST_ENDPOINT_H */
