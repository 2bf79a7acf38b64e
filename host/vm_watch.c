// SPDX-License-Identifier: GPL-2.0
/*
 * Detect the exit of an attached VM's process, promptly and without
 * polling.
 *
 * A struct mmu_notifier with only a ->release callback is registered on
 * kvm->mm.  The kernel calls ->release from exit_mmap(), when the last user
 * of the mm is gone: the QEMU process has exited (or exec'd) and, with
 * vhost, its vhost devices have been closed.  ->release runs in the exiting
 * task under the mmu_notifier SRCU read lock, so it only queues exit_work;
 * the work detaches the VM, which drops mrm's struct kvm reference so that
 * KVM can destroy the VM.
 *
 * The notifier cannot outlive the module: every attachment that started
 * watching stops before it is freed (mrm_vm_watch_stop(), whose
 * mmu_notifier_unregister() waits for running callbacks), every VM is
 * detached at unload, and the workqueue is destroyed (drained) after that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/kvm_host.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "vm.h"
#include "vm_watch.h"

/* Runs exit_work.  Created at module load, destroyed (drained) at unload. */
static struct workqueue_struct *mrm_vm_watch_wq;

static void mrm_vm_watch_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct mrm_vm *vm = container_of(mn, struct mrm_vm, exit_notifier);

	if (test_bit(MRM_VM_WATCH_STOPPED, &vm->flags))
		return;
	set_bit(MRM_VM_PROCESS_EXITED, &vm->flags);
	if (!test_and_set_bit(MRM_VM_EXIT_WORK_QUEUED, &vm->flags))
		queue_work(mrm_vm_watch_wq, &vm->exit_work);
}

static const struct mmu_notifier_ops mrm_vm_watch_ops = {
	.release = mrm_vm_watch_release,
};

static void mrm_vm_watch_work(struct work_struct *work)
{
	mrm_vm_detach_exited(container_of(work, struct mrm_vm, exit_work));
}

/**
 * mrm_vm_watch_start() - start watching for the exit of a VM's process
 * @vm: a VM being attached; vm->kvm is set
 *
 * Once this returns 0, MRM_VM_PROCESS_EXITED is set and exit_work queued
 * when the process exits, which may already have happened by the time it
 * returns.
 *
 * Return: 0, -ESRCH if the process is already exiting, or another negative
 * errno from mmu_notifier_register().
 */
int mrm_vm_watch_start(struct mrm_vm *vm)
{
	struct mm_struct *mm = vm->kvm->mm;
	int err;

	INIT_WORK(&vm->exit_work, mrm_vm_watch_work);
	vm->exit_notifier.ops = &mrm_vm_watch_ops;
	/* mmu_notifier_register() requires a live mm (mm_users > 0). */
	if (!mmget_not_zero(mm))
		return -ESRCH;
	err = mmu_notifier_register(&vm->exit_notifier, mm);
	/* If this is the last user, exit_mmap() calls our ->release now. */
	mmput(mm);
	return err;
}

/**
 * mrm_vm_watch_stop() - stop watching; undoes mrm_vm_watch_start()
 * @vm: the VM
 * @from_exit_work: the caller is @vm's exit_work itself
 *
 * When this returns, the release callback is not running and will not run
 * for @vm, and exit_work is neither queued nor running (unless the caller
 * is exit_work).
 */
void mrm_vm_watch_stop(struct mrm_vm *vm, bool from_exit_work)
{
	/* mmu_notifier_unregister() calls ->release if it has not run yet. */
	set_bit(MRM_VM_WATCH_STOPPED, &vm->flags);
	mmu_notifier_unregister(&vm->exit_notifier, vm->kvm->mm);
	if (!from_exit_work)
		cancel_work_sync(&vm->exit_work);
}

/**
 * mrm_vm_watch_init() - create the workqueue that runs exit_work
 *
 * Return: 0 or -ENOMEM.
 */
int mrm_vm_watch_init(void)
{
	mrm_vm_watch_wq = alloc_workqueue("mrm_vm_exit", WQ_UNBOUND, 0);
	return mrm_vm_watch_wq ? 0 : -ENOMEM;
}

/**
 * mrm_vm_watch_exit() - wait for every queued exit_work, destroy the queue
 *
 * Called after every VM that is not already being detached by its
 * exit_work has been detached.
 */
void mrm_vm_watch_exit(void)
{
	destroy_workqueue(mrm_vm_watch_wq);
	mrm_vm_watch_wq = NULL;
}
