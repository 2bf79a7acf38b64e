/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MRM_GUEST_SESSION_H
#define _MRM_GUEST_SESSION_H

#include <linux/types.h>

#include <mrm/proto.h>

#include "stats.h"

struct mrm_balloon;
struct mrm_pressure;

/**
 * enum mrm_conn_state - where the guest's connection to the host is
 * @MRM_CONN_DISCONNECTED: no connection; waiting to retry
 * @MRM_CONN_CONNECTING: vsock connect in progress
 * @MRM_CONN_HANDSHAKE: HELLO sent, waiting for WELCOME
 * @MRM_CONN_CONNECTED: session active
 * @MRM_CONN_CLOSING: GOODBYE sent or received
 */
enum mrm_conn_state {
	MRM_CONN_DISCONNECTED,
	MRM_CONN_CONNECTING,
	MRM_CONN_HANDSHAKE,
	MRM_CONN_CONNECTED,
	MRM_CONN_CLOSING,
};

/**
 * struct mrm_session - the guest's side of the protocol: one kernel thread
 *	that connects to the host, keeps the balloon at the host's target and
 *	reports statistics
 * @balloon: the balloon it drives
 * @pressure: pressure hooks (for the inflation hold-off)
 * @port: host vsock port
 * @floor_pages: the balloon never takes MemAvailable below this (4 KiB
 *	pages); written by sysfs, read by the thread (READ_ONCE)
 * @pressure_hold: jiffies without inflation after a pressure deflation
 * @target_pages: the host's target; written by the thread, read by sysfs
 * @state: enum mrm_conn_state; written by the thread, read by sysfs
 * @boot_id: identity of this balloon instance, drawn at load
 * @thread: the session thread
 *
 * The fields below are the thread's own and need no lock.
 * @sock: the connection, or NULL
 * @proto: protocol state of the connection
 * @reader: reassembles received messages
 * @msg: the message being handled or built
 * @tx: the encoded message being sent
 * @frames: frames for a DEFLATE
 * @stats: statistics scratch
 * @max_frames: frames per INFLATE/DEFLATE (from WELCOME)
 * @huge_ok: the host takes 2 MiB frames
 * @stats_period: jiffies between STATS, 0 for none
 * @next_stats: when the next periodic STATS is due
 * @grow_hold_until: no new balloon pages before this (allocation failed,
 *	or the host declined)
 * @backoff_ms: delay before the next connection attempt
 * @next_port: the reserved port the next connection tries first
 */
struct mrm_session {
	struct mrm_balloon *balloon;
	struct mrm_pressure *pressure;
	u32 port;
	u64 floor_pages;
	unsigned long pressure_hold;
	u64 target_pages;
	int state;
	u64 boot_id;
	struct task_struct *thread;

	struct socket *sock;
	struct mrm_proto_sess proto;
	struct mrm_proto_reader reader;
	struct mrm_msg msg;
	u8 tx[MRM_PROTO_MAX_MSG];
	__le64 frames[MRM_PROTO_MAX_FRAMES];
	struct mrm_guest_stats stats;
	unsigned int max_frames;
	bool huge_ok;
	unsigned long stats_period;
	unsigned long next_stats;
	unsigned long grow_hold_until;
	unsigned long backoff_ms;
	u32 next_port;
};

int mrm_session_start(struct mrm_session *s);
void mrm_session_stop(struct mrm_session *s);
const char *mrm_conn_state_name(int state);

#endif /* _MRM_GUEST_SESSION_H */
