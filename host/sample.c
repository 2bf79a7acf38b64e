// SPDX-License-Identifier: GPL-2.0
/*
 * Working-set sampling, the mechanism (Waldspurger, OSDI 2002, section
 * 5.3; Documentation/sampling.rst).
 *
 * Each attached VM has a delayed work item on mrm_sample_wq that runs
 * once per period.  A run ends the period that is in progress and starts
 * the next one:
 *
 *   end:   for each frame chosen at the start, check that its memslot
 *          still maps it at the same host address, and ask KVM's MMU
 *          notifier whether the guest touched it (->test_young); fold the
 *          count into the VM's estimator (policy/wss.c);
 *   start: copy the VM's RAM memslots, choose n frames uniformly across
 *          them (policy/sample_pick.c), and clear their accessed state in
 *          KVM's secondary MMU (->clear_young), so that the next guest
 *          access to each is seen at the end.
 *
 * KVM's struct mmu_notifier is embedded in struct kvm and its callbacks
 * are reached through kvm->mmu_notifier.ops: no unexported symbol is
 * used.  With accessed bits in the secondary MMU (EPT/NPT, or the shadow
 * MMU's own page tables) ->clear_young clears them; without, KVM drops the
 * mapping and the next access faults it back in: ESX's invalidate and
 * count.  Either way the page's host mapping and contents are untouched.
 *
 * Cost per VM and period: O(n + memslots), independent of the VM's size;
 * the frames live in arrays sized for n.  The work holds no lock across
 * its loops: kvm->srcu is taken to copy the memslots and, at the end of a
 * period, around each batch of MRM_SAMPLE_BATCH frames, and the work
 * reschedules between batches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include <mrm/compat.h>

#include "policy/sample_pick.h"
#include "policy/wss.h"
#include "sample.h"
#include "sample_sysfs.h"
#include "vm.h"

#if !defined(CONFIG_KVM_GENERIC_MMU_NOTIFIER) && !defined(KVM_ARCH_WANT_MMU_NOTIFIER)
#error "sampling needs KVM's MMU notifier (struct kvm.mmu_notifier)"
#endif

/* Frames handled between two reschedule points (and srcu sections). */
#define MRM_SAMPLE_BATCH	64U
/* Attempts at copying the memslots while they keep growing. */
#define MRM_SAMPLE_SLOT_TRIES	4

/**
 * struct mrm_sample_slot - a RAM memslot, copied at the start of a period
 * @base_gfn: its first guest frame
 * @npages: its size in pages
 * @hva: the host virtual address of @base_gfn in the VM's process
 */
struct mrm_sample_slot {
	u64 base_gfn;
	u64 npages;
	unsigned long hva;
};

/**
 * struct mrm_sample_frame - a frame being watched this period
 * @gfn: the guest frame
 * @hva: its host virtual address when it was chosen
 */
struct mrm_sample_frame {
	u64 gfn;
	unsigned long hva;
};

/**
 * struct mrm_sample_clock - the time a piece of work runs
 * @ns: time accumulated, in ns
 * @since: when the current stretch began (ktime_get_ns())
 *
 * The work reschedules between batches; the time it gives away there is
 * left out, so that @ns is its own running time.  Within a batch the
 * work does not sleep and, unless the kernel was booted with
 * preempt=full, is not preempted; interrupts are counted.
 */
struct mrm_sample_clock {
	u64 ns;
	u64 since;
};

static void mrm_sample_clock_start(struct mrm_sample_clock *c)
{
	c->since = ktime_get_ns();
}

static void mrm_sample_clock_stop(struct mrm_sample_clock *c)
{
	c->ns += ktime_get_ns() - c->since;
}

/* A reschedule point whose time is not counted. */
static void mrm_sample_resched(struct mrm_sample_clock *c)
{
	mrm_sample_clock_stop(c);
	cond_resched();
	mrm_sample_clock_start(c);
}

/**
 * struct mrm_vm_sample - a VM's sampling
 * @vm: the VM; valid for as long as this object (freed by ->free)
 * @work: the period's work; queued from attach until ->detach cancels it
 * @slots: memslots copied at the start of the period
 * @slot_pages: their sizes, as mrm_sample_pick() takes them
 * @nr_slots: entries in use in @slots and @slot_pages
 * @slots_cap: entries allocated in @slots and @slot_pages
 * @pos: the positions mrm_sample_pick() chose
 * @frames: the frames being watched
 * @nr_frames: entries in use in @frames (0: no period in progress)
 * @frames_cap: entries allocated in @pos and @frames
 * @start_ns: time the start of the period in progress took
 * @lock: protects @wss and @last; taken briefly, never across a loop
 * @wss: the estimator
 * @last: figures of the last period (@last.estimate is not kept here)
 *
 * Everything from @slots to @start_ns belongs to @work alone: a work item
 * never runs twice at once, and nothing else reads these fields.
 */
struct mrm_vm_sample {
	struct mrm_vm *vm;
	struct delayed_work work;

	struct mrm_sample_slot *slots;
	u64 *slot_pages;
	u32 nr_slots;
	u32 slots_cap;
	struct mrm_sample_pos *pos;
	struct mrm_sample_frame *frames;
	u32 nr_frames;
	u32 frames_cap;
	u64 start_ns;

	spinlock_t lock;	/* protects @wss and @last */
	struct mrm_wss wss;
	struct mrm_sample_stats last;
};

/*
 * The knobs every VM's next period uses.  mrm_sample_cfg_lock protects
 * mrm_sample_cfg; a store checks a whole new configuration and then
 * replaces the old one, so a period never sees half an update.
 */
static DEFINE_MUTEX(mrm_sample_cfg_lock);
static struct mrm_wss_config mrm_sample_cfg;

/* Runs every VM's period work; created at load, destroyed at unload. */
static struct workqueue_struct *mrm_sample_wq;

/**
 * mrm_sample_config_get() - the knobs the next periods use
 * @cfg: where they are copied
 */
void mrm_sample_config_get(struct mrm_wss_config *cfg)
{
	mutex_lock(&mrm_sample_cfg_lock);
	*cfg = mrm_sample_cfg;
	mutex_unlock(&mrm_sample_cfg_lock);
}

/**
 * mrm_sample_config_set() - replace the knobs, from each VM's next period
 * @cfg: the new configuration
 *
 * Return: 0, or the error of mrm_wss_config_check() with nothing changed.
 */
int mrm_sample_config_set(const struct mrm_wss_config *cfg)
{
	int err = mrm_wss_config_check(cfg);

	if (err)
		return err;
	mutex_lock(&mrm_sample_cfg_lock);
	mrm_sample_cfg = *cfg;
	mutex_unlock(&mrm_sample_cfg_lock);
	return 0;
}

static u64 mrm_sample_rand(void *ctx)
{
	return get_random_u64();
}

/* Copy the VM's RAM memslots into s->slots, growing it if needed. */
static int mrm_sample_copy_slots(struct mrm_vm_sample *s)
{
	struct kvm *kvm = s->vm->kvm;
	struct kvm_memory_slot *slot;
	int tries, idx, bkt;
	u32 nr;

	for (tries = 0; tries < MRM_SAMPLE_SLOT_TRIES; tries++) {
		nr = 0;
		idx = srcu_read_lock(&kvm->srcu);
		kvm_for_each_memslot(slot, bkt, kvm_memslots(kvm)) {
			if (!mrm_vm_slot_is_ram(slot))
				continue;
			if (nr < s->slots_cap) {
				s->slots[nr].base_gfn = slot->base_gfn;
				s->slots[nr].npages = slot->npages;
				s->slots[nr].hva = slot->userspace_addr;
				s->slot_pages[nr] = slot->npages;
			}
			nr++;
		}
		srcu_read_unlock(&kvm->srcu, idx);
		if (nr <= s->slots_cap) {
			s->nr_slots = nr;
			return 0;
		}

		/* Grown (or first use): allocate outside the srcu section. */
		kvfree(s->slots);
		kvfree(s->slot_pages);
		s->slots_cap = 0;
		s->slots = kvmalloc_array(nr, sizeof(*s->slots), GFP_KERNEL);
		s->slot_pages = kvmalloc_array(nr, sizeof(*s->slot_pages),
					       GFP_KERNEL);
		if (!s->slots || !s->slot_pages)
			return -ENOMEM;
		s->slots_cap = nr;
	}
	return -EAGAIN;
}

/* Room for @n frames and positions. */
static int mrm_sample_reserve(struct mrm_vm_sample *s, u32 n)
{
	if (n <= s->frames_cap)
		return 0;
	kvfree(s->pos);
	kvfree(s->frames);
	s->frames_cap = 0;
	s->pos = kvmalloc_array(n, sizeof(*s->pos), GFP_KERNEL);
	s->frames = kvmalloc_array(n, sizeof(*s->frames), GFP_KERNEL);
	if (!s->pos || !s->frames)
		return -ENOMEM;
	s->frames_cap = n;
	return 0;
}

/* Start a period of @n samples: choose the frames and clear their age. */
static int mrm_sample_start(struct mrm_vm_sample *s, u32 n,
			    struct mrm_sample_clock *clock)
{
	struct mmu_notifier *mn = &s->vm->kvm->mmu_notifier;
	u32 i, nr;
	int err;

	s->nr_frames = 0;
	err = mrm_sample_reserve(s, n);
	if (err)
		return err;
	err = mrm_sample_copy_slots(s);
	if (err)
		return err;
	err = mrm_sample_pick(s->slot_pages, s->nr_slots, n, mrm_sample_rand,
			      NULL, s->pos);
	if (err < 0)
		return err;
	nr = err;

	for (i = 0; i < nr; i++) {
		const struct mrm_sample_slot *slot = &s->slots[s->pos[i].slot];

		s->frames[i].gfn = slot->base_gfn + s->pos[i].page;
		s->frames[i].hva = slot->hva + (s->pos[i].page << PAGE_SHIFT);
	}
	for (i = 0; i < nr; i++) {
		err = mrm_mn_clear_young(mn, s->frames[i].hva);
		if (err < 0)
			return err;
		if (i % MRM_SAMPLE_BATCH == MRM_SAMPLE_BATCH - 1)
			mrm_sample_resched(clock);
	}
	s->nr_frames = nr;
	return 0;
}

/*
 * Does @f's frame still belong to a RAM memslot that maps it at the same
 * host address?  If not (the slot was deleted, moved or replaced during
 * the period), the answer of ->test_young would not be about the page
 * that was chosen.  kvm->srcu held.
 */
static bool mrm_sample_frame_valid(struct kvm *kvm,
				   const struct mrm_sample_frame *f)
{
	struct kvm_memory_slot *slot = gfn_to_memslot(kvm, f->gfn);

	return slot && mrm_vm_slot_is_ram(slot) &&
	       gfn_to_hva_memslot(slot, f->gfn) == f->hva;
}

/* End the period: count the chosen frames touched since its start. */
static void mrm_sample_end(struct mrm_vm_sample *s, u32 *touched,
			   u32 *checked, struct mrm_sample_clock *clock)
{
	struct kvm *kvm = s->vm->kvm;
	u32 i, batch_end;
	int idx, young;

	*touched = 0;
	*checked = 0;
	for (i = 0; i < s->nr_frames; i = batch_end) {
		batch_end = min(i + MRM_SAMPLE_BATCH, s->nr_frames);
		/* KVM nests its own srcu read section inside this one. */
		idx = srcu_read_lock(&kvm->srcu);
		for (; i < batch_end; i++) {
			if (!mrm_sample_frame_valid(kvm, &s->frames[i]))
				continue;
			young = mrm_mn_test_young(&kvm->mmu_notifier,
						  s->frames[i].hva);
			if (young < 0)
				continue;
			(*checked)++;
			*touched += young;
		}
		srcu_read_unlock(&kvm->srcu, idx);
		mrm_sample_resched(clock);
	}
	s->nr_frames = 0;
}

/*
 * A new n for the estimator, between two periods: its averages and
 * period count carry over (they are fractions, whatever n was).
 */
static void mrm_sample_wss_reconfigure(struct mrm_wss *wss,
				       const struct mrm_wss_config *cfg)
{
	struct mrm_wss old = *wss;

	if (mrm_wss_init(wss, cfg))
		return;
	wss->slow = old.slow;
	wss->fast = old.fast;
	wss->periods = old.periods;
}

/* One run: end the period in progress, if any, and start the next. */
static void mrm_sample_work(struct work_struct *work)
{
	struct mrm_vm_sample *s = container_of(to_delayed_work(work),
					       struct mrm_vm_sample, work);
	struct mrm_sample_clock end = {}, start = {};
	bool ended = s->nr_frames > 0;
	u32 touched = 0, checked = 0;
	struct mrm_wss_config cfg;
	int err;

	mrm_sample_config_get(&cfg);

	mrm_sample_clock_start(&end);
	if (ended)
		mrm_sample_end(s, &touched, &checked, &end);
	mrm_sample_clock_stop(&end);

	spin_lock(&s->lock);
	if (ended) {
		/* touched <= checked <= frames <= n: neither call can fail. */
		WARN_ON_ONCE(mrm_wss_touched(&s->wss, touched));
		mrm_wss_period_end(&s->wss, checked);
		s->last.periods = s->wss.periods;
		s->last.touched = touched;
		s->last.checked = checked;
		s->last.cpu_ns = s->start_ns + end.ns;
	}
	if (cfg.samples != s->wss.samples)
		mrm_sample_wss_reconfigure(&s->wss, &cfg);
	spin_unlock(&s->lock);

	mrm_sample_clock_start(&start);
	err = mrm_sample_start(s, cfg.samples, &start);
	mrm_sample_clock_stop(&start);
	s->start_ns = start.ns;
	if (err) {
		s->nr_frames = 0;
		pr_notice_ratelimited("vm %u: sampling period skipped: %d\n",
				      s->vm->id, err);
	}

	queue_delayed_work(mrm_sample_wq, &s->work,
			   msecs_to_jiffies(cfg.period_ms));
}

static int mrm_vm_sample_attach(struct mrm_vm *vm)
{
	struct mrm_wss_config cfg;
	struct mrm_vm_sample *s;
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->vm = vm;
	spin_lock_init(&s->lock);
	mrm_sample_config_get(&cfg);
	err = mrm_wss_init(&s->wss, &cfg);
	if (err)
		goto free;
	INIT_DELAYED_WORK(&s->work, mrm_sample_work);
	vm->sample = s;
	/* The first period starts now. */
	queue_delayed_work(mrm_sample_wq, &s->work, 0);
	return 0;

free:
	kfree(s);
	return err;
}

static void mrm_vm_sample_detach(struct mrm_vm *vm)
{
	/* Waits for a running period; a self-requeue is cancelled too. */
	cancel_delayed_work_sync(&vm->sample->work);
}

static void mrm_vm_sample_free(struct mrm_vm *vm)
{
	struct mrm_vm_sample *s = vm->sample;

	kvfree(s->frames);
	kvfree(s->pos);
	kvfree(s->slot_pages);
	kvfree(s->slots);
	kfree(s);
	vm->sample = NULL;
}

const struct mrm_vm_hooks mrm_vm_sample_hooks = {
	.name = "sampling",
	.attach = mrm_vm_sample_attach,
	.detach = mrm_vm_sample_detach,
	.free = mrm_vm_sample_free,
};

/**
 * mrm_sample_stats() - a VM's sampling figures
 * @vm: a VM the caller holds a reference to
 * @st: where they are stored
 */
void mrm_sample_stats(struct mrm_vm *vm, struct mrm_sample_stats *st)
{
	struct mrm_vm_sample *s = vm->sample;

	spin_lock(&s->lock);
	*st = s->last;
	st->estimate = mrm_wss_estimate(&s->wss);
	spin_unlock(&s->lock);
}

/**
 * mrm_sample_active_frac() - a VM's estimated active fraction
 * @vm: a VM the caller holds a reference to
 *
 * The estimator's answer (policy/wss.c): the largest of its slow and fast
 * averages of the sampled periods.  Process context; takes a spinlock
 * briefly.
 *
 * Return: a Q16.16 fraction; MRM_FRAC_ONE until the VM's first sampling
 * period has ended.
 */
u32 mrm_sample_active_frac(struct mrm_vm *vm)
{
	struct mrm_vm_sample *s = vm->sample;
	u32 frac;

	spin_lock(&s->lock);
	frac = mrm_wss_estimate(&s->wss);
	spin_unlock(&s->lock);
	return frac;
}

/**
 * mrm_sample_active_bytes() - a VM's estimated working set in bytes
 * @vm: a VM the caller holds a reference to
 *
 * mrm_sample_active_frac() of mrm_vm_memory_bytes(); walks the memslots
 * under kvm->srcu.
 *
 * Return: bytes, at most mrm_vm_memory_bytes(@vm).
 */
u64 mrm_sample_active_bytes(struct mrm_vm *vm)
{
	return mrm_frac_of(mrm_vm_memory_bytes(vm),
			   mrm_sample_active_frac(vm));
}

/**
 * mrm_sample_init() - default knobs, the workqueue, /sys/kernel/mrm/sampling
 *
 * Called after mrm_sysfs_init() and before any VM can be attached.
 *
 * Return: 0 or a negative errno.
 */
int mrm_sample_init(void)
{
	int err;

	mrm_wss_config_default(&mrm_sample_cfg);
	mrm_sample_wq = alloc_workqueue("mrm_sample", WQ_UNBOUND, 0);
	if (!mrm_sample_wq)
		return -ENOMEM;
	err = mrm_sample_sysfs_init();
	if (err)
		goto destroy_wq;
	return 0;

destroy_wq:
	destroy_workqueue(mrm_sample_wq);
	mrm_sample_wq = NULL;
	return err;
}

/**
 * mrm_sample_exit() - undo mrm_sample_init()
 *
 * Called after every VM is detached: each ->detach cancelled its work.
 */
void mrm_sample_exit(void)
{
	mrm_sample_sysfs_exit();
	destroy_workqueue(mrm_sample_wq);
	mrm_sample_wq = NULL;
}
