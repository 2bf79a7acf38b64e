/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of mrm_host's policy loop (events/mrm/ in tracefs):
 *
 *   mrm_state    the free-memory state changed
 *   mrm_target   a VM's target changed
 *   mrm_reclaim  an action on a VM: balloon target set, cgroup reclaim
 *                asked, VM blocked, VM released (action 0)
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mrm

#if !defined(_MRM_HOST_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MRM_HOST_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(mrm_state,
	    TP_PROTO(unsigned int old, unsigned int now, u64 free_pages),
	    TP_ARGS(old, now, free_pages),
	    TP_STRUCT__entry(__field(unsigned int, old)
			     __field(unsigned int, now)
			     __field(u64, free_pages)),
	    TP_fast_assign(__entry->old = old;
			   __entry->now = now;
			   __entry->free_pages = free_pages;),
	    TP_printk("state %u -> %u free_pages=%llu (0 high, 1 soft, 2 hard, 3 low)",
		      __entry->old, __entry->now, __entry->free_pages));

TRACE_EVENT(mrm_target,
	    TP_PROTO(u32 vm, u64 target_pages, u64 consumed_pages,
		     u32 active_frac),
	    TP_ARGS(vm, target_pages, consumed_pages, active_frac),
	    TP_STRUCT__entry(__field(u32, vm)
			     __field(u64, target_pages)
			     __field(u64, consumed_pages)
			     __field(u32, active_frac)),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->target_pages = target_pages;
			   __entry->consumed_pages = consumed_pages;
			   __entry->active_frac = active_frac;),
	    TP_printk("vm=%u target_pages=%llu consumed_pages=%llu active_frac=%u/65536",
		      __entry->vm, __entry->target_pages,
		      __entry->consumed_pages, __entry->active_frac));

TRACE_EVENT(mrm_reclaim,
	    TP_PROTO(u32 vm, u32 action, u64 pages),
	    TP_ARGS(vm, action, pages),
	    TP_STRUCT__entry(__field(u32, vm)
			     __field(u32, action)
			     __field(u64, pages)),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->action = action;
			   __entry->pages = pages;),
	    TP_printk("vm=%u action=%s pages=%llu", __entry->vm,
		      __print_symbolic(__entry->action, { 0, "release" },
				       { 2, "balloon" }, { 8, "reclaim" },
				       { 16, "block" }),
		      __entry->pages));

#endif /* _MRM_HOST_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
