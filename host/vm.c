// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM object: attach, lookups, references and teardown.  The rules
 * (lifetime, references, locking, hooks) are in vm.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/kvm_host.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "endpoint.h"
#include "loop.h"
#include "sample.h"
#include "ksm.h"
#include "memcg.h"
#include "vm.h"
#include "vm_sysfs.h"
#include "vm_watch.h"

/* The range of VM ids; ids are allocated cyclically within it. */
#define MRM_VM_ID_MIN	1
#define MRM_VM_ID_MAX	INT_MAX

/*
 * The subsystems that keep per-VM state, in attach order (see struct
 * mrm_vm_hooks).  ->detach and ->free run in reverse order.
 */
static const struct mrm_vm_hooks *const mrm_vm_hook_table[] = {
	/* All before sysfs: its files show their state. */
	&mrm_vm_endpoint_hooks,
	&mrm_vm_sample_hooks,
	&mrm_vm_memcg_hooks,
	&mrm_vm_ksm_hooks,
	/* After every subsystem it drives: its ->detach runs before theirs. */
	&mrm_vm_policy_hooks,
	&mrm_vm_sysfs_hooks,
};

/*
 * mrm_vms_lock protects mrm_vms (the registry: every VM from the moment its
 * id, CID and name are reserved until they are released, whatever its
 * state), mrm_vm_next_id, and mrm_vm.state of every VM.  Only the
 * xarray's own lock and memory allocation nest inside it: it is never held
 * while calling a hook, waiting for references, or calling into KVM or the
 * mm, so a hook or a reference holder may do lookups.
 */
static DEFINE_MUTEX(mrm_vms_lock);
static DEFINE_XARRAY_ALLOC(mrm_vms);
static u32 mrm_vm_next_id;

static const char *const mrm_vm_detach_reason_names[] = {
	[MRM_VM_DETACH_IOCTL] = "on request",
	[MRM_VM_DETACH_HOLDER_CLOSED] = "its holder closed /dev/mrm",
	[MRM_VM_DETACH_PROCESS_EXIT] = "its process exited",
	[MRM_VM_DETACH_UNLOAD] = "mrm_host is unloading",
};

static const char *const mrm_vm_state_names[] = {
	[MRM_VM_ATTACHING] = "attaching",
	[MRM_VM_ATTACHED] = "attached",
	[MRM_VM_DETACHING] = "detaching",
};

/**
 * mrm_vm_state_name() - the name of a VM state, as sysfs shows it
 * @state: the state
 *
 * Return: a static string.
 */
const char *mrm_vm_state_name(enum mrm_vm_state state)
{
	if (state >= ARRAY_SIZE(mrm_vm_state_names))
		return "unknown";
	return mrm_vm_state_names[state];
}

/* Room for "vm <id> (<name>)" and its NUL. */
#define MRM_VM_WHO_SIZE		(sizeof("vm 2147483647 ()") + MRM_VM_NAME_SIZE)

/* A VM's identity for log lines: "vm 3 (web)", or "vm 4" if unnamed. */
static const char *mrm_vm_who(const struct mrm_vm *vm,
			      char who[MRM_VM_WHO_SIZE])
{
	if (vm->name[0])
		snprintf(who, MRM_VM_WHO_SIZE, "vm %u (%s)", vm->id, vm->name);
	else
		snprintf(who, MRM_VM_WHO_SIZE, "vm %u", vm->id);
	return who;
}

/**
 * mrm_vm_get() - take another reference
 * @vm: a VM the caller holds a reference to
 *
 * Return: @vm.
 */
struct mrm_vm *mrm_vm_get(struct mrm_vm *vm)
{
	kref_get(&vm->users);
	return vm;
}

static void mrm_vm_last_put(struct kref *kref)
{
	struct mrm_vm *vm = container_of(kref, struct mrm_vm, users);

	/* The teardown frees @vm once it sees this; touch nothing after. */
	complete(&vm->unused);
}

/**
 * mrm_vm_put() - drop a reference
 * @vm: the VM; may be NULL
 *
 * Any context.
 */
void mrm_vm_put(struct mrm_vm *vm)
{
	if (vm)
		kref_put(&vm->users, mrm_vm_last_put);
}

/* Finds the first attached VM with an id >= *@id satisfying @match. */
static struct mrm_vm *mrm_vm_find_get(unsigned long *id,
				      bool (*match)(const struct mrm_vm *vm,
						    u32 key),
				      u32 key)
{
	struct mrm_vm *vm;
	unsigned long index;

	mutex_lock(&mrm_vms_lock);
	xa_for_each_start(&mrm_vms, index, vm, *id) {
		if (vm->state != MRM_VM_ATTACHED || !match(vm, key))
			continue;
		mrm_vm_get(vm);
		*id = index;
		mutex_unlock(&mrm_vms_lock);
		return vm;
	}
	mutex_unlock(&mrm_vms_lock);
	return NULL;
}

static bool mrm_vm_match_any(const struct mrm_vm *vm, u32 key)
{
	return true;
}

static bool mrm_vm_match_cid(const struct mrm_vm *vm, u32 cid)
{
	return vm->cid == cid;
}

/**
 * mrm_vm_get_by_id() - find an attached VM by id
 * @id: the id
 *
 * Return: the VM with a reference, or NULL.
 */
struct mrm_vm *mrm_vm_get_by_id(u32 id)
{
	struct mrm_vm *vm;

	mutex_lock(&mrm_vms_lock);
	vm = xa_load(&mrm_vms, id);
	if (vm && vm->state == MRM_VM_ATTACHED)
		mrm_vm_get(vm);
	else
		vm = NULL;
	mutex_unlock(&mrm_vms_lock);
	return vm;
}

/**
 * mrm_vm_get_by_cid() - find an attached VM by vsock CID
 * @cid: the guest's CID, e.g. of a connection being accepted
 *
 * O(number of VMs).
 *
 * Return: the VM with a reference, or NULL.
 */
struct mrm_vm *mrm_vm_get_by_cid(u32 cid)
{
	unsigned long index = 0;

	return mrm_vm_find_get(&index, mrm_vm_match_cid, cid);
}

/**
 * mrm_vm_get_next() - iterate over the attached VMs in id order
 * @id: in: the smallest id to return; out: the id of the VM returned
 *
 * Safe against attaches and detaches during the walk (a VM attached
 * meanwhile may or may not be seen)::
 *
 *	unsigned long id;
 *	struct mrm_vm *vm;
 *
 *	for (id = 0; (vm = mrm_vm_get_next(&id)); id++) {
 *		...
 *		mrm_vm_put(vm);
 *	}
 *
 * Return: the VM with a reference, or NULL at the end.
 */
struct mrm_vm *mrm_vm_get_next(unsigned long *id)
{
	return mrm_vm_find_get(id, mrm_vm_match_any, 0);
}

/*
 * Reserve @vm's id, and check that its struct kvm, CID and name are not
 * used by another VM in the registry, whatever that one's state.
 */
static int mrm_vm_reserve(struct mrm_vm *vm)
{
	struct mrm_vm *other;
	unsigned long index;
	int err;

	lockdep_assert_held(&mrm_vms_lock);
	xa_for_each(&mrm_vms, index, other) {
		char who[MRM_VM_WHO_SIZE];
		const char *what;

		if (other->kvm == vm->kvm) {
			what = "the VM is already attached as";
			err = -EEXIST;
		} else if (other->cid == vm->cid) {
			what = "the CID is already used by";
			err = -EADDRINUSE;
		} else if (vm->name[0] && !strcmp(other->name, vm->name)) {
			what = "the name is already used by";
			err = -ENOTUNIQ;
		} else {
			continue;
		}
		/* Still in the registry but leaving: try again shortly. */
		if (other->state == MRM_VM_DETACHING)
			err = -EBUSY;
		pr_notice_ratelimited("attach (cid %u, name '%s') refused: %s %s%s\n",
				      vm->cid, vm->name, what,
				      mrm_vm_who(other, who),
				      err == -EBUSY ? ", which is detaching" : "");
		return err;
	}

	err = xa_alloc_cyclic(&mrm_vms, &vm->id, vm,
			      XA_LIMIT(MRM_VM_ID_MIN, MRM_VM_ID_MAX),
			      &mrm_vm_next_id, GFP_KERNEL);
	if (err == -EBUSY)
		return -ENOSPC;
	return err < 0 ? err : 0;
}

static void mrm_vm_unreserve(struct mrm_vm *vm)
{
	mutex_lock(&mrm_vms_lock);
	xa_erase(&mrm_vms, vm->id);
	mutex_unlock(&mrm_vms_lock);
}

/* Drop the attachment's reference and wait for every other one. */
static void mrm_vm_wait_unused(struct mrm_vm *vm)
{
	char who[MRM_VM_WHO_SIZE];
	unsigned int waited = 0;

	mrm_vm_put(vm);
	while (!wait_for_completion_timeout(&vm->unused,
					    MRM_VM_TEARDOWN_NAG_SECS * HZ)) {
		waited += MRM_VM_TEARDOWN_NAG_SECS;
		pr_warn("%s: detach still waiting for %u reference(s) after %u s\n",
			mrm_vm_who(vm, who), kref_read(&vm->users), waited);
	}
}

/*
 * Undo the first @nr_hooks attach hooks: ->detach of each, last first, the
 * wait for references, then ->free of each, last first.
 */
static void mrm_vm_release_hooks(struct mrm_vm *vm, size_t nr_hooks)
{
	size_t i;

	for (i = nr_hooks; i-- > 0;) {
		if (mrm_vm_hook_table[i]->detach)
			mrm_vm_hook_table[i]->detach(vm);
	}
	mrm_vm_wait_unused(vm);
	for (i = nr_hooks; i-- > 0;) {
		if (mrm_vm_hook_table[i]->free)
			mrm_vm_hook_table[i]->free(vm);
	}
}

/* Steps 2 to 6 of the teardown (vm.h); the VM is MRM_VM_DETACHING. */
static void mrm_vm_teardown(struct mrm_vm *vm, enum mrm_vm_detach_reason why)
{
	char who[MRM_VM_WHO_SIZE];

	mrm_vm_release_hooks(vm, ARRAY_SIZE(mrm_vm_hook_table));
	mrm_vm_watch_stop(vm, why == MRM_VM_DETACH_PROCESS_EXIT);
	mrm_vm_unreserve(vm);
	pr_info("%s: detached: %s\n", mrm_vm_who(vm, who),
		mrm_vm_detach_reason_names[why]);
	kvm_put_kvm(vm->kvm);
	kfree(vm);
}

/* Step 1 of the teardown; true if the caller now owns the teardown. */
static bool mrm_vm_unpublish(struct mrm_vm *vm)
{
	bool claimed;

	mutex_lock(&mrm_vms_lock);
	claimed = vm->state == MRM_VM_ATTACHED;
	if (claimed)
		WRITE_ONCE(vm->state, MRM_VM_DETACHING);
	mutex_unlock(&mrm_vms_lock);
	return claimed;
}

/**
 * mrm_vm_detach() - detach a VM and wait until mrm no longer uses it
 * @vm: the VM; the caller's reference is consumed
 * @why: for the log
 *
 * Runs the whole teardown (vm.h) in the caller's context.  Must not be
 * called from a hook, or while holding a reference other than the one
 * passed in (the teardown would wait for it forever).
 *
 * Return: 0, or -ENOENT if @vm is not attached (never published, or
 * already being detached by someone else).
 */
int mrm_vm_detach(struct mrm_vm *vm, enum mrm_vm_detach_reason why)
{
	bool claimed = mrm_vm_unpublish(vm);

	/* Not the last one: the attachment still holds its reference. */
	mrm_vm_put(vm);
	if (!claimed)
		return -ENOENT;
	mrm_vm_teardown(vm, why);
	return 0;
}

/**
 * mrm_vm_detach_exited() - detach a VM whose process exited
 * @vm: the VM
 *
 * Called by @vm's exit_work only, which needs no reference: every path
 * that frees @vm stops the work first.
 */
void mrm_vm_detach_exited(struct mrm_vm *vm)
{
	/* An attach still in progress fails by itself when it sees the flag. */
	if (mrm_vm_unpublish(vm))
		mrm_vm_teardown(vm, MRM_VM_DETACH_PROCESS_EXIT);
}

/**
 * mrm_vm_detach_held_by() - detach every VM tied to a /dev/mrm file
 * @holder: the file being released
 */
void mrm_vm_detach_held_by(const struct file *holder)
{
	struct mrm_vm *vm;
	unsigned long id;

	for (id = 0; (vm = mrm_vm_get_next(&id)); id++) {
		if (vm->holder == holder)
			mrm_vm_detach(vm, MRM_VM_DETACH_HOLDER_CLOSED);
		else
			mrm_vm_put(vm);
	}
}

/* Make @vm visible to lookups, unless its process exited meanwhile. */
static int mrm_vm_publish(struct mrm_vm *vm)
{
	int err = 0;

	mutex_lock(&mrm_vms_lock);
	/*
	 * An exit_work that ran before this saw MRM_VM_ATTACHING and did
	 * nothing; one that runs after sees MRM_VM_ATTACHED and detaches.
	 */
	if (test_bit(MRM_VM_PROCESS_EXITED, &vm->flags))
		err = -ESRCH;
	else
		WRITE_ONCE(vm->state, MRM_VM_ATTACHED);
	mutex_unlock(&mrm_vms_lock);
	return err;
}

/**
 * mrm_vm_attach() - attach a KVM VM
 * @params: validated parameters (see struct mrm_vm_params)
 * @id: where the new VM's id is stored on success
 *
 * Takes its own reference on params->kvm.  On failure nothing is left
 * behind.
 *
 * Return: 0; -EEXIST if the VM is attached already, -EADDRINUSE if its CID
 * or -ENOTUNIQ if its name is used by another VM, -EBUSY if that VM is
 * being detached, -ESRCH if the VM's process is exiting, -ENOSPC if no id
 * is left, -ENOMEM, or the error of a subsystem's attach hook.
 */
int mrm_vm_attach(const struct mrm_vm_params *params, u32 *id)
{
	char who[MRM_VM_WHO_SIZE];
	struct mrm_vm *vm;
	size_t nr_hooks;
	int err;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	vm->cid = params->cid;
	vm->pid = params->kvm->userspace_pid;
	strscpy(vm->name, params->name, sizeof(vm->name));
	vm->holder = params->holder;
	vm->state = MRM_VM_ATTACHING;
	kref_init(&vm->users);
	init_completion(&vm->unused);
	kvm_get_kvm(params->kvm);
	vm->kvm = params->kvm;

	mutex_lock(&mrm_vms_lock);
	err = mrm_vm_reserve(vm);
	mutex_unlock(&mrm_vms_lock);
	if (err)
		goto put_kvm;

	err = mrm_vm_watch_start(vm);
	if (err)
		goto unreserve;

	vm->params = params;
	for (nr_hooks = 0; nr_hooks < ARRAY_SIZE(mrm_vm_hook_table); nr_hooks++) {
		const struct mrm_vm_hooks *hooks = mrm_vm_hook_table[nr_hooks];

		if (!hooks->attach)
			continue;
		err = hooks->attach(vm);
		if (err) {
			pr_notice_ratelimited("%s: attach failed in %s: %d\n",
					      mrm_vm_who(vm, who), hooks->name,
					      err);
			vm->params = NULL;
			goto release_hooks;
		}
	}
	vm->params = NULL;

	err = mrm_vm_publish(vm);
	if (err)
		goto release_hooks;

	pr_info("%s: attached (cid %u, pid %d%s)\n", mrm_vm_who(vm, who),
		vm->cid, vm->pid, vm->holder ? ", held" : "");
	*id = vm->id;
	return 0;

release_hooks:
	mrm_vm_release_hooks(vm, nr_hooks);
	mrm_vm_watch_stop(vm, false);
unreserve:
	mrm_vm_unreserve(vm);
put_kvm:
	kvm_put_kvm(vm->kvm);
	kfree(vm);
	return err;
}

/**
 * mrm_vm_init() - set up the registry's workqueue and sysfs directory
 *
 * Return: 0 or a negative errno.
 */
int mrm_vm_init(void)
{
	int err;

	err = mrm_vm_watch_init();
	if (err)
		return err;
	err = mrm_vm_sysfs_init();
	if (err)
		goto exit_watch;
	return 0;

exit_watch:
	mrm_vm_watch_exit();
	return err;
}

/**
 * mrm_vm_exit() - detach every VM; undo mrm_vm_init()
 *
 * Called at module unload, when /dev/mrm is gone and no file of it is
 * open, so no attach can run.
 */
void mrm_vm_exit(void)
{
	struct mrm_vm *vm;
	unsigned long id;

	for (id = 0; (vm = mrm_vm_get_next(&id)); id++)
		mrm_vm_detach(vm, MRM_VM_DETACH_UNLOAD);
	/* Waits for the teardowns that exit_work started. */
	mrm_vm_watch_exit();
	WARN_ON(!xa_empty(&mrm_vms));
	mrm_vm_sysfs_exit();
}
