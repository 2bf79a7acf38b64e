// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's memory cgroup: accounting, and reclaim through the cgroup's own
 * control files.  See memcg.h for the API and Documentation/reclaim.rst
 * for the administrator's view.
 *
 * The cgroup is the cgroup2 directory given with MRM_ATTACH_CGROUP.  The
 * attach hook checks it (a cgroup2 directory, not the root, the memory
 * controller enabled, the VM's process charged to it or below it), keeps
 * a reference to the directory and opens the control files mrm uses with
 * file_open_root(), in the attaching process's context.  mrm then works
 * only through those files, with kernel_read() and kernel_write(), as an
 * administrator would: memory.reclaim (reclaim, i.e. compress with zswap
 * and swap), memory.high (block), memory.low (protection of the VM's
 * target), memory.current, memory.stat and memory.swap.current
 * (accounting).  No cgroup internals are touched.
 *
 * Writing memory.reclaim reclaims synchronously and may take long, so
 * mrm_memcg_reclaim() only records the request; a work item on
 * system_unbound_wq writes it in chunks of MRM_MEMCG_RECLAIM_CHUNK,
 * counting each chunk the kernel reports done, and stops at the first
 * chunk it cannot finish (-EAGAIN: nothing more is reclaimable now) or
 * when the VM is detached.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kvm_host.h>
#include <linux/magic.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <mrm/memcg_stat.h>

#include "ksm.h"
#include "memcg.h"

/* Bytes of one write to memory.reclaim. */
#define MRM_MEMCG_RECLAIM_CHUNK		(8ULL << 20)
/* How long cgroup numbers read from memory.stat are reused. */
#define MRM_MEMCG_STAT_MAX_AGE		(HZ / 4)
/* memory.stat is about 1.5 KiB on 6.12; what does not fit is ignored. */
#define MRM_MEMCG_STAT_BUF		4096
/* Room for the cgroup's path shown in sysfs (longer ones are cut). */
#define MRM_MEMCG_PATH_SIZE		256
/* Room for a decimal u64, or "max", and a newline. */
#define MRM_MEMCG_NUM_SIZE		24

/**
 * struct mrm_vm_memcg - a VM's cgroup and accounting state
 * @dir: the cgroup's directory; @dir.dentry is NULL for a VM attached
 *	without a cgroup.  Constant.
 * @path: the cgroup's path in the attaching process's cgroup namespace,
 *	or "-".  Constant.
 * @reclaim_file: memory.reclaim, open for writing.  Constant.
 * @high_file: memory.high, open for reading and writing.  Constant.
 * @low_file: memory.low, open for reading and writing.  Constant.
 * @current_file: memory.current, open for reading.  Constant.
 * @stat_file: memory.stat, open for reading.  Constant.
 * @swap_file: memory.swap.current, open for reading, or NULL if the
 *	kernel has no swap accounting.  Constant.
 * @lock: protects the fields below it up to @req_lock, and serialises
 *	reads of @stat_file and writes of @high_file
 * @stat_buf: buffer for memory.stat, MRM_MEMCG_STAT_BUF bytes
 * @stat_when: jiffies when @compressed, @swapped and @refaults were read
 * @stat_valid: @compressed, @swapped and @refaults were read once
 * @compressed: memory.stat zswapped, bytes
 * @swapped: memory.swap.current minus @compressed, bytes
 * @refaults: memory.stat workingset_refault_anon, pages
 * @high_saved: @high_orig holds what memory.high was before mrm first
 *	wrote it; mrm writes it back on restore and on detach
 * @high_orig: the saved memory.high, MRM_MEMCG_NO_LIMIT for "max"
 * @high_set: the value mrm wrote last, valid while @high_saved
 * @low_lock: protects the fields below it up to @req_lock, and serialises
 *	writes of @low_file; apart from @lock so that setting memory.low
 *	never waits for a write of memory.high, which reclaims
 * @low_saved: @low_orig holds what memory.low was before mrm first wrote
 *	it; mrm writes it back on restore and on detach
 * @low_orig: the saved memory.low, MRM_MEMCG_NO_LIMIT for "max"
 * @low_set: the value mrm wrote last, valid while @low_saved
 * @req_lock: protects @pending, @inflight and @stopping (taken from the
 *	policy, from sysfs and from @reclaim_work)
 * @pending: bytes asked of memory.reclaim and not yet written
 * @inflight: bytes of the chunk @reclaim_work is writing now, 0 between
 *	chunks; part of the request as much as @pending is
 * @stopping: the VM is being detached: no more requests, the work stops
 * @reclaim_work: writes @pending to memory.reclaim; on system_unbound_wq
 * @reclaimed: bytes memory.reclaim reported done; written by
 *	@reclaim_work only, read locklessly
 * @reclaim_short: chunks memory.reclaim could not complete; as @reclaimed
 */
struct mrm_vm_memcg {
	struct path dir;
	char path[MRM_MEMCG_PATH_SIZE];
	struct file *reclaim_file;
	struct file *high_file;
	struct file *low_file;
	struct file *current_file;
	struct file *stat_file;
	struct file *swap_file;

	struct mutex lock;	/* see @lock above */
	char *stat_buf;
	unsigned long stat_when;
	bool stat_valid;
	u64 compressed;
	u64 swapped;
	u64 refaults;
	bool high_saved;
	u64 high_orig;
	u64 high_set;

	struct mutex low_lock;	/* see @low_lock above */
	bool low_saved;
	u64 low_orig;
	u64 low_set;

	spinlock_t req_lock;	/* see @req_lock above */
	u64 pending;
	u64 inflight;
	bool stopping;

	struct work_struct reclaim_work;
	u64 reclaimed;
	u64 reclaim_short;
};

static bool mrm_memcg_has_cgroup(const struct mrm_vm_memcg *mc)
{
	return mc->dir.dentry;
}

/* Read a small control file from its start; returns bytes or -errno. */
static ssize_t mrm_memcg_read(struct file *file, char *buf, size_t size)
{
	loff_t pos = 0;

	return kernel_read(file, buf, size, &pos);
}

/* Write "<bytes>\n", or "max\n" for MRM_MEMCG_NO_LIMIT. */
static int mrm_memcg_write_u64(struct file *file, u64 bytes)
{
	char buf[MRM_MEMCG_NUM_SIZE];
	loff_t pos = 0;
	ssize_t n;
	int len;

	if (bytes == MRM_MEMCG_NO_LIMIT)
		len = scnprintf(buf, sizeof(buf), "max\n");
	else
		len = scnprintf(buf, sizeof(buf), "%llu\n", bytes);
	n = kernel_write(file, buf, len, &pos);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

static int mrm_memcg_read_u64(struct file *file, u64 *val)
{
	char buf[MRM_MEMCG_NUM_SIZE];
	ssize_t n;

	n = mrm_memcg_read(file, buf, sizeof(buf));
	if (n < 0)
		return n;
	return mrm_memcg_parse_limit(buf, n, val);
}

/* Refresh @compressed and @swapped if they are older than their max age. */
static void mrm_memcg_refresh(struct mrm_vm_memcg *mc)
{
	struct mrm_memcg_stat st;
	u64 swap = 0;
	ssize_t n;

	lockdep_assert_held(&mc->lock);
	if (mc->stat_valid &&
	    time_before(jiffies, mc->stat_when + MRM_MEMCG_STAT_MAX_AGE))
		return;
	n = mrm_memcg_read(mc->stat_file, mc->stat_buf, MRM_MEMCG_STAT_BUF);
	if (n < 0 || mrm_memcg_stat_parse(mc->stat_buf, n, &st))
		return;	/* keep the last numbers; the cgroup may be gone */
	if (mc->swap_file && mrm_memcg_read_u64(mc->swap_file, &swap))
		swap = 0;
	mc->compressed = st.val[MRM_MEMCG_STAT_ZSWAPPED];
	mc->refaults = st.val[MRM_MEMCG_STAT_REFAULT_ANON];
	mc->swapped = mrm_memcg_swapped(swap, mc->compressed);
	mc->stat_when = jiffies;
	mc->stat_valid = true;
}

/**
 * mrm_memcg_usage() - what a VM's memory costs the host now
 * @vm: a VM the caller holds a reference to
 * @usage: filled in, bytes
 *
 * Cheap enough to call once a second per VM: the RSS counters are read
 * locklessly, the cgroup's files at most every MRM_MEMCG_STAT_MAX_AGE,
 * KSM's host-wide numbers at most once a second.  May sleep.
 */
void mrm_memcg_usage(struct mrm_vm *vm, struct mrm_memcg_usage *usage)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	struct mm_struct *mm = vm->kvm->mm;
	u64 saved;

	usage->mapped = ((u64)get_mm_counter(mm, MM_ANONPAGES) +
			 get_mm_counter(mm, MM_SHMEMPAGES)) << PAGE_SHIFT;
	usage->shared = mrm_ksm_merged_bytes(vm);
	saved = mrm_ksm_saved_bytes(usage->shared);
	usage->consumed = usage->mapped > saved ? usage->mapped - saved : 0;
	usage->compressed = 0;
	usage->swapped = 0;
	usage->refaults = 0;
	if (!mrm_memcg_has_cgroup(mc))
		return;
	mutex_lock(&mc->lock);
	mrm_memcg_refresh(mc);
	usage->compressed = mc->compressed;
	usage->swapped = mc->swapped;
	usage->refaults = mc->refaults;
	mutex_unlock(&mc->lock);
}

/**
 * mrm_memcg_can_reclaim() - whether the VM has a usable cgroup
 * @vm: a VM the caller holds a reference to
 *
 * Return: true if it was attached with a cgroup.
 */
bool mrm_memcg_can_reclaim(struct mrm_vm *vm)
{
	return mrm_memcg_has_cgroup(vm->memcg);
}

static void mrm_memcg_reclaim_work(struct work_struct *work)
{
	struct mrm_vm_memcg *mc =
		container_of(work, struct mrm_vm_memcg, reclaim_work);

	for (;;) {
		u64 chunk;
		int err;

		spin_lock(&mc->req_lock);
		if (mc->stopping)
			mc->pending = 0;
		chunk = min(mc->pending, MRM_MEMCG_RECLAIM_CHUNK);
		mc->pending -= chunk;
		mc->inflight = chunk;
		spin_unlock(&mc->req_lock);
		if (!chunk)
			return;

		err = mrm_memcg_write_u64(mc->reclaim_file, chunk);
		spin_lock(&mc->req_lock);
		mc->inflight = 0;
		if (err)
			mc->pending = 0;
		spin_unlock(&mc->req_lock);
		if (err) {
			/* -EAGAIN: nothing more is reclaimable for now. */
			WRITE_ONCE(mc->reclaim_short, mc->reclaim_short + 1);
			if (err != -EAGAIN)
				pr_notice_ratelimited("cgroup %s: memory.reclaim failed: %d\n",
						      mc->path, err);
			return;
		}
		WRITE_ONCE(mc->reclaimed, mc->reclaimed + chunk);
		cond_resched();
	}
}

/**
 * mrm_memcg_reclaim_limit() - shrink what is still to be reclaimed
 * @vm: a VM the caller holds a reference to
 * @bytes: the most that may still be reclaimed (beyond the chunk being
 *	written now); 0 cancels what is pending
 *
 * For a caller that asks again every period with what is still needed:
 * once the VM is no longer above its target (the guest freed memory, the
 * kernel reclaimed it meanwhile), the rest of an older request must not
 * go on taking memory.  Does not sleep.
 */
void mrm_memcg_reclaim_limit(struct mrm_vm *vm, u64 bytes)
{
	struct mrm_vm_memcg *mc = vm->memcg;

	if (!mrm_memcg_has_cgroup(mc))
		return;
	spin_lock(&mc->req_lock);
	mc->pending = min(mc->pending, bytes);
	spin_unlock(&mc->req_lock);
}

/**
 * mrm_memcg_reclaim() - ask the VM's cgroup to reclaim memory
 * @vm: a VM the caller holds a reference to
 * @bytes: how much; more than the cgroup can give is harmless
 *
 * Asynchronous: the request is written to memory.reclaim by a work item,
 * in chunks; mrm_memcg_reclaimed_bytes() counts what was done.  A request
 * made while another is pending is merged into it: the outstanding amount
 * (not yet written, plus the chunk being written now) becomes the larger
 * of the two, so repeating a request, even while one of its chunks is
 * being written, does not add to it.
 * Reclaim takes the cgroup's coldest pages first, whichever process of
 * the cgroup they belong to; with zswap enabled they are compressed
 * before they go to swap.  Does not sleep.
 *
 * Return: 0 if queued or merged, -EOPNOTSUPP without a cgroup, -ESRCH if
 * the VM is being detached.
 */
int mrm_memcg_reclaim(struct mrm_vm *vm, u64 bytes)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	int err = 0;

	if (!mrm_memcg_has_cgroup(mc))
		return -EOPNOTSUPP;
	spin_lock(&mc->req_lock);
	if (mc->stopping) {
		err = -ESRCH;
	} else {
		/* The chunk in flight already counts towards @bytes. */
		if (bytes > mc->inflight)
			mc->pending = max(mc->pending, bytes - mc->inflight);
		queue_work(system_unbound_wq, &mc->reclaim_work);
	}
	spin_unlock(&mc->req_lock);
	return err;
}

/**
 * mrm_memcg_reclaimed_bytes() - what memory.reclaim reported done
 * @vm: a VM the caller holds a reference to
 *
 * Return: total bytes since attach, in whole chunks; 0 without a cgroup.
 */
u64 mrm_memcg_reclaimed_bytes(struct mrm_vm *vm)
{
	return READ_ONCE(vm->memcg->reclaimed);
}

/* Remember memory.high as it was before mrm writes it. */
static int mrm_memcg_save_high(struct mrm_vm_memcg *mc)
{
	int err;

	lockdep_assert_held(&mc->lock);
	if (mc->high_saved)
		return 0;
	err = mrm_memcg_read_u64(mc->high_file, &mc->high_orig);
	if (err)
		return err;
	mc->high_saved = true;
	return 0;
}

/* The VM is being detached: no more requests. */
static bool mrm_memcg_stopping(struct mrm_vm_memcg *mc)
{
	bool stopping;

	spin_lock(&mc->req_lock);
	stopping = mc->stopping;
	spin_unlock(&mc->req_lock);
	return stopping;
}

/**
 * mrm_memcg_set_high() - block the VM's growth: write memory.high
 * @vm: a VM the caller holds a reference to
 * @bytes: the new memory.high, rounded down to whole pages; U64_MAX
 *	restores the value memory.high had before mrm first wrote it
 *
 * The first call remembers memory.high; detaching the VM restores it.  A
 * cgroup above memory.high is throttled and reclaimed on every allocation,
 * and the write itself reclaims down to the new value before it returns
 * (as any write to memory.high does), so this may take a while.
 *
 * Return: 0, -EOPNOTSUPP without a cgroup, -ESRCH while the VM is being
 * detached, or the error of reading or writing memory.high (e.g. -ENODEV
 * if the cgroup was removed).
 */
int mrm_memcg_set_high(struct mrm_vm *vm, u64 bytes)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	u64 val;
	int err;

	if (!mrm_memcg_has_cgroup(mc))
		return -EOPNOTSUPP;
	mutex_lock(&mc->lock);
	/* Detach restores memory.high under @lock after setting @stopping. */
	if (mrm_memcg_stopping(mc)) {
		err = -ESRCH;
		goto unlock;
	}
	err = mrm_memcg_save_high(mc);
	if (err)
		goto unlock;
	val = bytes == U64_MAX ? mc->high_orig : round_down(bytes, PAGE_SIZE);
	err = mrm_memcg_write_u64(mc->high_file, val);
	if (err)
		goto unlock;
	if (bytes == U64_MAX)
		mc->high_saved = false;	/* back to the administrator's */
	else
		mc->high_set = val;
unlock:
	mutex_unlock(&mc->lock);
	return err;
}

/**
 * mrm_memcg_high() - the memory.high mrm set for the VM
 * @vm: a VM the caller holds a reference to
 * @bytes: the value mrm wrote, if any
 *
 * Return: true if mrm set memory.high and has not restored it.
 */
bool mrm_memcg_high(struct mrm_vm *vm, u64 *bytes)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	bool set;

	if (!mrm_memcg_has_cgroup(mc))
		return false;
	mutex_lock(&mc->lock);
	set = mc->high_saved;
	*bytes = mc->high_set;
	mutex_unlock(&mc->lock);
	return set;
}

/**
 * mrm_memcg_path() - the VM's cgroup, for sysfs
 * @vm: a VM the caller holds a reference to
 *
 * Return: its path as the attaching process saw it, or "-" without one.
 */
const char *mrm_memcg_path(struct mrm_vm *vm)
{
	return vm->memcg->path;
}

/**
 * mrm_memcg_set_low() - protect the VM's memory: write memory.low
 * @vm: a VM the caller holds a reference to
 * @bytes: the new memory.low, rounded down to whole pages (the VM's
 *	target); U64_MAX restores the value memory.low had before mrm
 *	first wrote it
 *
 * The kernel's own reclaim (kswapd, direct reclaim) takes memory from
 * cgroups above their memory.low first, and from a cgroup below it only
 * when nothing else is left; mrm's own reclaim of the VM (memory.reclaim,
 * memory.high) ignores the VM's protection.  The protection is effective
 * only as far as every ancestor's allows (Documentation/reclaim.rst).
 *
 * The first call remembers memory.low; detaching the VM restores it.  A
 * call with the value mrm wrote last, or U64_MAX when mrm has nothing to
 * restore, writes nothing, so the policy may call this every period.
 * Writing memory.low does not reclaim; this never waits for a write of
 * memory.high or for reclaim.  May sleep, briefly.
 *
 * Return: 0, -EOPNOTSUPP without a cgroup, -ESRCH if the VM is being
 * detached, or the error of reading or writing memory.low (e.g. -ENODEV
 * if the cgroup was removed).
 */
int mrm_memcg_set_low(struct mrm_vm *vm, u64 bytes)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	u64 val;
	int err = 0;

	if (!mrm_memcg_has_cgroup(mc))
		return -EOPNOTSUPP;
	mutex_lock(&mc->low_lock);
	if (mrm_memcg_stopping(mc)) {
		err = -ESRCH;
		goto unlock;
	}
	if (bytes == U64_MAX) {
		if (!mc->low_saved)
			goto unlock;
		err = mrm_memcg_write_u64(mc->low_file, mc->low_orig);
		if (!err)
			mc->low_saved = false;	/* back to the administrator's */
		goto unlock;
	}
	val = round_down(bytes, PAGE_SIZE);
	if (mc->low_saved && val == mc->low_set)
		goto unlock;
	if (!mc->low_saved) {
		err = mrm_memcg_read_u64(mc->low_file, &mc->low_orig);
		if (err)
			goto unlock;
	}
	err = mrm_memcg_write_u64(mc->low_file, val);
	if (err)
		goto unlock;
	mc->low_saved = true;
	mc->low_set = val;
unlock:
	mutex_unlock(&mc->low_lock);
	return err;
}

/**
 * mrm_memcg_low() - the memory.low mrm set for the VM
 * @vm: a VM the caller holds a reference to
 * @bytes: the value mrm wrote, if any
 *
 * Return: true if mrm set memory.low and has not restored it.
 */
bool mrm_memcg_low(struct mrm_vm *vm, u64 *bytes)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	bool set;

	if (!mrm_memcg_has_cgroup(mc))
		return false;
	mutex_lock(&mc->low_lock);
	set = mc->low_saved;
	*bytes = mc->low_set;
	mutex_unlock(&mc->low_lock);
	return set;
}

/**
 * mrm_memcg_current() - the memory charged to the VM's cgroup now
 * @vm: a VM the caller holds a reference to
 * @bytes: memory.current: all the memory charged to the cgroup and the
 *	cgroups below it (anonymous memory, page cache, kernel memory),
 *	not counting swap
 *
 * Read afresh on each call (not cached).  May sleep, briefly.
 *
 * Return: 0, -EOPNOTSUPP without a cgroup, or the error of reading
 * memory.current.
 */
int mrm_memcg_current(struct mrm_vm *vm, u64 *bytes)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	u64 val;
	int err;

	if (!mrm_memcg_has_cgroup(mc))
		return -EOPNOTSUPP;
	err = mrm_memcg_read_u64(mc->current_file, &val);
	if (err)
		return err;
	if (val == MRM_MEMCG_NO_LIMIT)
		return -EINVAL;	/* "max": not a usage */
	*bytes = val;
	return 0;
}

/* Open a control file of the cgroup; -EOPNOTSUPP if it is not there. */
static int mrm_memcg_open(struct mrm_vm_memcg *mc, const char *name,
			  int flags, struct file **file)
{
	struct file *f = file_open_root(&mc->dir, name, flags, 0);

	if (IS_ERR(f)) {
		*file = NULL;
		return PTR_ERR(f) == -ENOENT ? -EOPNOTSUPP : PTR_ERR(f);
	}
	*file = f;
	return 0;
}

static void mrm_memcg_close(struct mrm_vm_memcg *mc)
{
	struct file **files[] = {
		&mc->reclaim_file, &mc->high_file, &mc->low_file,
		&mc->current_file, &mc->stat_file, &mc->swap_file,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		if (*files[i])
			fput(*files[i]);
		*files[i] = NULL;
	}
}

/*
 * Check that the VM's process is charged to @cgrp or below it.  Pages
 * charged before the process moved stay with their old cgroup: only
 * where new ones go can be checked.
 */
static int mrm_memcg_check_charged(struct mrm_vm *vm, struct cgroup *cgrp)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(vm->kvm->mm);
	int err = 0;

	if (!memcg)
		return -EOPNOTSUPP;	/* memory controller disabled */
	if (!cgroup_is_descendant(memcg->css.cgroup, cgrp))
		err = -EXDEV;
	mem_cgroup_put(memcg);
	return err;
}

/* Validate the directory of @fd and take a reference to it into @mc. */
static int mrm_memcg_take_dir(struct mrm_vm *vm, struct mrm_vm_memcg *mc,
			      int fd)
{
	struct file *file, *again;
	struct cgroup *cgrp;
	struct inode *inode;
	int err;

	file = fget(fd);
	if (!file) {
		pr_notice_ratelimited("attach refused: cgroup fd %d is not open\n",
				      fd);
		return -EBADF;
	}
	inode = file_inode(file);
	if (!S_ISDIR(inode->i_mode) ||
	    inode->i_sb->s_magic != CGROUP2_SUPER_MAGIC) {
		pr_notice_ratelimited("attach refused: cgroup fd %d is not a cgroup2 directory\n",
				      fd);
		err = -ENOTDIR;
		goto put_file;
	}
	cgrp = cgroup_get_from_fd(fd);
	if (IS_ERR(cgrp)) {
		err = PTR_ERR(cgrp);
		pr_notice_ratelimited("attach refused: cgroup fd %d: no cgroup: %d\n",
				      fd, err);
		goto put_file;
	}
	/* The fd still names the file checked above (the caller's table). */
	again = fget(fd);
	if (again)
		fput(again);
	if (again != file) {
		err = -EBADF;
		goto put_cgroup;
	}
	cgroup_path_ns(cgrp, mc->path, sizeof(mc->path),
		       current->nsproxy->cgroup_ns);
	if (!cgroup_parent(cgrp)) {
		pr_notice_ratelimited("attach refused: cgroup %s is the root cgroup\n",
				      mc->path);
		err = -EINVAL;
		goto put_cgroup;
	}
	err = mrm_memcg_check_charged(vm, cgrp);
	if (err == -EOPNOTSUPP) {
		pr_notice_ratelimited("attach refused: the memory controller is disabled\n");
		goto put_cgroup;
	}
	if (err) {
		pr_notice_ratelimited("attach refused: the VM's process (pid %d) is not in cgroup %s or below it\n",
				      vm->pid, mc->path);
		goto put_cgroup;
	}
	mc->dir = file->f_path;
	path_get(&mc->dir);
put_cgroup:
	cgroup_put(cgrp);
put_file:
	fput(file);
	return err;
}

static int mrm_memcg_open_files(struct mrm_vm_memcg *mc)
{
	int err;

	err = mrm_memcg_open(mc, "memory.stat", O_RDONLY, &mc->stat_file);
	if (!err)
		err = mrm_memcg_open(mc, "memory.reclaim", O_WRONLY,
				     &mc->reclaim_file);
	if (!err)
		err = mrm_memcg_open(mc, "memory.high", O_RDWR, &mc->high_file);
	if (!err)
		err = mrm_memcg_open(mc, "memory.low", O_RDWR, &mc->low_file);
	if (!err)
		err = mrm_memcg_open(mc, "memory.current", O_RDONLY,
				     &mc->current_file);
	if (err == -EOPNOTSUPP) {
		pr_notice_ratelimited("attach refused: cgroup %s has no memory controller (enable it in its parent's cgroup.subtree_control)\n",
				      mc->path);
		return err;
	}
	if (err) {
		pr_notice_ratelimited("attach refused: cgroup %s: cannot open its memory files: %d\n",
				      mc->path, err);
		return err;
	}
	/* Without swap accounting (swapaccount=0) there is none. */
	if (mrm_memcg_open(mc, "memory.swap.current", O_RDONLY, &mc->swap_file))
		mc->swap_file = NULL;
	return 0;
}

/*
 * memory.low protects a cgroup only as far as every ancestor's effective
 * protection allows: below an ancestor whose memory.low is 0 the VM's
 * memory.low does nothing.  Say so, once, at attach: the fix is the
 * administrator's (echo max > <ancestor>/memory.low, or MemoryLow= on a
 * systemd slice).  Walks up to the root of the cgroup2 mount; the root
 * cgroup has no memory.low and does not limit its children's protection.
 */
static void mrm_memcg_check_ancestors(struct mrm_vm *vm,
				      struct mrm_vm_memcg *mc)
{
	struct path p = mc->dir;
	char *buf, *name;

	path_get(&p);
	while (p.dentry != p.mnt->mnt_root && !IS_ROOT(p.dentry)) {
		struct dentry *parent = dget_parent(p.dentry);
		struct file *f;
		u64 low;
		int err;

		dput(p.dentry);
		p.dentry = parent;
		f = file_open_root(&p, "memory.low", O_RDONLY, 0);
		if (IS_ERR(f))
			continue;	/* the root cgroup */
		err = mrm_memcg_read_u64(f, &low);
		fput(f);
		if (err || low)
			continue;
		buf = kmalloc(MRM_MEMCG_PATH_SIZE, GFP_KERNEL);
		name = buf ? d_path(&p, buf, MRM_MEMCG_PATH_SIZE) : NULL;
		if (IS_ERR_OR_NULL(name))
			name = "of an ancestor";
		pr_info_ratelimited("vm %u: cgroup %s: memory.low is 0 in %s, so the protection of this VM (its target as memory.low) will be ineffective; set it to max there (echo max > memory.low; systemd: MemoryLow= on the slice)\n",
				    vm->id, mc->path, name);
		kfree(buf);
		break;
	}
	path_put(&p);
}

static int mrm_vm_memcg_attach(struct mrm_vm *vm)
{
	const struct mrm_vm_params *params = vm->params;
	struct mrm_vm_memcg *mc;
	int err;

	mc = kzalloc(sizeof(*mc), GFP_KERNEL);
	if (!mc)
		return -ENOMEM;
	mutex_init(&mc->lock);
	mutex_init(&mc->low_lock);
	spin_lock_init(&mc->req_lock);
	INIT_WORK(&mc->reclaim_work, mrm_memcg_reclaim_work);
	strscpy(mc->path, "-", sizeof(mc->path));
	if (params->cgroup_fd < 0)
		goto done;

	mc->stat_buf = kmalloc(MRM_MEMCG_STAT_BUF, GFP_KERNEL);
	if (!mc->stat_buf) {
		err = -ENOMEM;
		goto free_mc;
	}
	err = mrm_memcg_take_dir(vm, mc, params->cgroup_fd);
	if (err)
		goto free_buf;
	err = mrm_memcg_open_files(mc);
	if (err)
		goto put_dir;
	mrm_memcg_check_ancestors(vm, mc);
done:
	vm->memcg = mc;
	return 0;

put_dir:
	mrm_memcg_close(mc);
	path_put(&mc->dir);
free_buf:
	kfree(mc->stat_buf);
free_mc:
	kfree(mc);
	return err;
}

static void mrm_vm_memcg_detach(struct mrm_vm *vm)
{
	struct mrm_vm_memcg *mc = vm->memcg;
	int err;

	if (!mrm_memcg_has_cgroup(mc))
		return;
	spin_lock(&mc->req_lock);
	mc->stopping = true;
	spin_unlock(&mc->req_lock);
	/* Waits for the chunk being written; the work then stops. */
	cancel_work_sync(&mc->reclaim_work);

	mutex_lock(&mc->lock);
	if (mc->high_saved) {
		err = mrm_memcg_write_u64(mc->high_file, mc->high_orig);
		if (err)
			pr_notice_ratelimited("vm %u: cannot restore memory.high of cgroup %s: %d\n",
					      vm->id, mc->path, err);
		mc->high_saved = false;
	}
	mutex_unlock(&mc->lock);

	/* mrm_memcg_set_low() sees @stopping: nothing is written after this. */
	mutex_lock(&mc->low_lock);
	if (mc->low_saved) {
		err = mrm_memcg_write_u64(mc->low_file, mc->low_orig);
		if (err)
			pr_notice_ratelimited("vm %u: cannot restore memory.low of cgroup %s: %d\n",
					      vm->id, mc->path, err);
		mc->low_saved = false;
	}
	mutex_unlock(&mc->low_lock);
}

static void mrm_vm_memcg_free(struct mrm_vm *vm)
{
	struct mrm_vm_memcg *mc = vm->memcg;

	if (mrm_memcg_has_cgroup(mc)) {
		mrm_memcg_close(mc);
		path_put(&mc->dir);
	}
	mutex_destroy(&mc->low_lock);
	mutex_destroy(&mc->lock);
	kfree(mc->stat_buf);
	kfree(mc);
	vm->memcg = NULL;
}

const struct mrm_vm_hooks mrm_vm_memcg_hooks = {
	.name = "memcg",
	.attach = mrm_vm_memcg_attach,
	.detach = mrm_vm_memcg_detach,
	.free = mrm_vm_memcg_free,
};
