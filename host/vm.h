/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-VM object of mrm_host: one struct mrm_vm per attached KVM VM, the
 * registry that finds them, their lifetime and their teardown.
 *
 * Lifetime of a VM
 * ----------------
 * mrm_vm_attach() takes a reference on the struct kvm, reserves the VM's
 * id, CID and name, starts watching for the exit of the VM's process, runs
 * the attach hook of every subsystem (see struct mrm_vm_hooks) and then
 * *publishes* the VM: from then on the lookups below find it.  A VM is
 * detached exactly once, by whichever comes first of: MRM_IOC_DETACH, the
 * close of the /dev/mrm file of an MRM_ATTACH_HOLD attachment, the exit of
 * the VM's process (an mmu_notifier on kvm->mm, see vm_watch.c), or the
 * unload of mrm_host.  The teardown undoes the attachment in reverse:
 *
 *   1. unpublish: state MRM_VM_DETACHING; lookups no longer find the VM,
 *      but its id, CID, name and struct kvm stay reserved until step 5;
 *   2. every subsystem's ->detach hook, last attached first: each stops
 *      its activity for the VM and drops the references it holds;
 *   3. drop the attachment's own reference and wait until every other
 *      reference is gone (logging every MRM_VM_TEARDOWN_NAG_SECS seconds);
 *   4. every subsystem's ->free hook, last attached first;
 *   5. stop watching the process, release the id, CID and name;
 *   6. drop the struct kvm reference and free the object.
 *
 * When the last other reference to the struct kvm is gone (QEMU closed its
 * VM file descriptor or exited), step 6 destroys the VM.
 *
 * References
 * ----------
 * A reference (from mrm_vm_get_by_id(), mrm_vm_get_by_cid(),
 * mrm_vm_get_next() or mrm_vm_get()) keeps the object, vm->kvm and every
 * subsystem's state pointer valid; it does not keep the VM attached.  Hold
 * it briefly, or hold it long and drop it from your ->detach hook: step 3
 * waits for it.  mrm_vm_get() and mrm_vm_put() may be called from any
 * context; the lookups sleep.
 *
 * Locking
 * -------
 * mrm_vms_lock (vm.c, a mutex) protects the registry and every VM's
 * @state.  Lookups take it briefly.  No hook is called with it held, and
 * it is never held across a wait for users, so hooks and reference holders
 * may do lookups.  Fields below say what protects them.
 */
#ifndef _MRM_HOST_VM_H
#define _MRM_HOST_VM_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/mmu_notifier.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <uapi/linux/mrm.h>

struct file;
struct kvm;
struct kvm_memory_slot;
struct mrm_vm_endpoint;
struct mrm_vm_policy;
struct mrm_vm_sample;
struct mrm_vm_memcg;
struct mrm_vm_params;
struct mrm_vm_sysfs;

/* Seconds between log lines while a teardown waits for references. */
#define MRM_VM_TEARDOWN_NAG_SECS	10

/**
 * enum mrm_vm_state - where a VM is in its life
 * @MRM_VM_ATTACHING: being set up; not yet found by lookups
 * @MRM_VM_ATTACHED: published; found by lookups
 * @MRM_VM_DETACHING: being torn down; not found by lookups
 */
enum mrm_vm_state {
	MRM_VM_ATTACHING,
	MRM_VM_ATTACHED,
	MRM_VM_DETACHING,
};

/**
 * enum mrm_vm_detach_reason - why a VM is detached (for the log)
 * @MRM_VM_DETACH_IOCTL: MRM_IOC_DETACH
 * @MRM_VM_DETACH_HOLDER_CLOSED: the /dev/mrm file of an MRM_ATTACH_HOLD
 *	attachment was closed
 * @MRM_VM_DETACH_PROCESS_EXIT: the VM's process exited
 * @MRM_VM_DETACH_UNLOAD: mrm_host is being unloaded
 */
enum mrm_vm_detach_reason {
	MRM_VM_DETACH_IOCTL,
	MRM_VM_DETACH_HOLDER_CLOSED,
	MRM_VM_DETACH_PROCESS_EXIT,
	MRM_VM_DETACH_UNLOAD,
};

/**
 * enum mrm_vm_flag_bits - bits of mrm_vm.flags (atomic bitops)
 * @MRM_VM_PROCESS_EXITED: the VM's process exited (release of its mm seen)
 * @MRM_VM_EXIT_WORK_QUEUED: exit_work was queued once; never again
 * @MRM_VM_WATCH_STOPPED: the teardown stopped watching; ignore the release
 *	callback that mmu_notifier_unregister() makes
 */
enum mrm_vm_flag_bits {
	MRM_VM_PROCESS_EXITED,
	MRM_VM_EXIT_WORK_QUEUED,
	MRM_VM_WATCH_STOPPED,
};

/**
 * struct mrm_vm - one attached KVM VM
 * @id: the VM's id (1..INT_MAX), its key in the registry.  Constant.
 * @cid: the guest's vsock context id.  Constant.
 * @pid: the process that created the VM (kvm->userspace_pid: the thread
 *	that issued KVM_CREATE_VM, in the initial PID namespace).  Constant.
 * @name: NUL-terminated name, empty if none.  Constant.
 * @kvm: the VM; referenced (kvm_get_kvm()) from attach to the end of the
 *	teardown, so valid for every reference holder.  Constant.
 * @holder: the /dev/mrm file an MRM_ATTACH_HOLD attachment is tied to, or
 *	NULL.  Compared, never dereferenced.  Constant.
 * @params: what user space asked for; set only while the attach hooks
 *	run (they may read it), NULL otherwise.
 * @state: see enum mrm_vm_state.  Written under mrm_vms_lock; read under it
 *	or with READ_ONCE() where a stale value is harmless (sysfs).
 * @users: references; the attachment holds one from creation until step
 *	3 of the teardown.  Reaching zero completes @unused.
 * @unused: completed when @users reaches zero; the teardown waits for it.
 * @flags: MRM_VM_* bits of enum mrm_vm_flag_bits; atomic bitops.
 * @exit_notifier: registered on kvm->mm from attach until step 5 of the
 *	teardown; only its release callback is used (vm_watch.c).
 * @exit_work: detaches the VM after its process exited; runs on the
 *	module's workqueue.
 * @sysfs: state of the per-VM sysfs directory (vm_sysfs.c).  Owned by
 *	its hooks, like every extension pointer below.
 * @ep: the balloon protocol endpoint's state (endpoint.c).
 * @policy: the policy loop's knobs and results for the VM (loop.c).
 * @sample: the working-set sampling's state (sample.c): the period work
 *	and the estimator; read it through mrm_sample_active_frac().
 * @memcg: the VM's cgroup and accounting (memcg.c).
 *
 * Extension points: a subsystem that keeps per-VM state adds a pointer
 * here (e.g. ``struct mrm_balloon_vm *balloon``), sets it in its ->attach
 * hook and frees it in its ->free hook.  Between the two it is constant,
 * so every reference holder may follow it; what the pointee needs for
 * locking is the subsystem's business.
 */
struct mrm_vm {
	u32 id;
	u32 cid;
	pid_t pid;
	char name[MRM_VM_NAME_SIZE];
	struct kvm *kvm;
	const struct file *holder;
	const struct mrm_vm_params *params;

	enum mrm_vm_state state;

	struct kref users;
	struct completion unused;

	unsigned long flags;
	struct mmu_notifier exit_notifier;
	struct work_struct exit_work;

	struct mrm_vm_sysfs *sysfs;
	struct mrm_vm_endpoint *ep;
	struct mrm_vm_policy *policy;
	struct mrm_vm_sample *sample;
	struct mrm_vm_memcg *memcg;
};

/**
 * struct mrm_vm_hooks - what a subsystem does when VMs come and go
 * @name: the subsystem, for log lines
 * @attach: set up per-VM state before the VM is published.  Called in
 *	process context without locks; may sleep.  An error fails the
 *	attachment (the hooks already run are undone with ->detach and
 *	->free) and is returned to user space.  Optional.
 * @detach: the VM is no longer published: stop everything done for it
 *	and drop every reference the subsystem holds.  May sleep; must not
 *	call mrm_vm_detach() or wait for another VM's teardown.  Optional.
 * @free: no references are left: free per-VM state.  vm->kvm is still
 *	valid.  Optional.
 *
 * The hooks are listed in mrm_vm_hook_table[] in vm.c; attach hooks run
 * in table order, ->detach and ->free in reverse.  Every hook that was
 * attached gets ->detach and ->free exactly once.
 */
struct mrm_vm_hooks {
	const char *name;
	int (*attach)(struct mrm_vm *vm);
	void (*detach)(struct mrm_vm *vm);
	void (*free)(struct mrm_vm *vm);
};

/**
 * struct mrm_vm_params - what user space asked for, already validated
 * @kvm: the VM; the caller holds a reference through its file
 * @cid: see struct mrm_attach
 * @name: see struct mrm_attach (may be empty)
 * @holder: the /dev/mrm file for MRM_ATTACH_HOLD, else NULL
 * @cgroup_fd: with MRM_ATTACH_CGROUP, the caller's file descriptor of the
 *	VM's cgroup2 directory (not yet checked: memcg.c does), else -1
 */
struct mrm_vm_params {
	struct kvm *kvm;
	u32 cid;
	const char *name;
	const struct file *holder;
	int cgroup_fd;
};

int mrm_vm_attach(const struct mrm_vm_params *params, u32 *id);
int mrm_vm_detach(struct mrm_vm *vm, enum mrm_vm_detach_reason why);
void mrm_vm_detach_held_by(const struct file *holder);

struct mrm_vm *mrm_vm_get_by_id(u32 id);
struct mrm_vm *mrm_vm_get_by_cid(u32 cid);
struct mrm_vm *mrm_vm_get_next(unsigned long *id);
struct mrm_vm *mrm_vm_get(struct mrm_vm *vm);
void mrm_vm_put(struct mrm_vm *vm);

const char *mrm_vm_state_name(enum mrm_vm_state state);
u64 mrm_vm_memory_bytes(struct mrm_vm *vm);
bool mrm_vm_slot_is_ram(const struct kvm_memory_slot *slot);

int mrm_vm_init(void);
void mrm_vm_exit(void);

void mrm_vm_detach_exited(struct mrm_vm *vm);

#endif /* _MRM_HOST_VM_H */
