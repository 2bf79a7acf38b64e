/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where mrm adapts to kernel API differences between the
 * kernels it targets: Debian's 6.12 (first) and 6.1.  Each section names
 * the kernel change it papers over.  The MRM_HAVE_* switches come from the
 * feature probes in Kbuild.compat, which look at the headers being built
 * against rather than at version numbers.
 */
#ifndef _MRM_COMPAT_H
#define _MRM_COMPAT_H

#include <linux/ksm.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

/*
 * Shrinkers.  Linux 6.7 ("mm: shrinker: add infrastructure for dynamically
 * allocating shrinker") replaced register_shrinker() on a caller-embedded
 * struct with shrinker_alloc() + shrinker_register() + shrinker_free() and
 * a private_data pointer.  mrm_shrinker_create() returns a registered
 * shrinker or NULL; mrm_shrinker_private() gives back @priv in the
 * callbacks.
 */
typedef unsigned long (*mrm_shrink_fn)(struct shrinker *s,
				       struct shrink_control *sc);

#ifdef MRM_HAVE_SHRINKER_ALLOC

static inline struct shrinker *mrm_shrinker_create(const char *name,
						   mrm_shrink_fn count,
						   mrm_shrink_fn scan,
						   void *priv)
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->private_data = priv;
	shrinker_register(s);
	return s;
}

static inline void *mrm_shrinker_private(struct shrinker *s)
{
	return s->private_data;
}

static inline void mrm_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}

#else /* !MRM_HAVE_SHRINKER_ALLOC: Linux < 6.7 */

struct mrm_shrinker_compat {
	struct shrinker shrinker;
	void *priv;
};

static inline struct shrinker *mrm_shrinker_create(const char *name,
						   mrm_shrink_fn count,
						   mrm_shrink_fn scan,
						   void *priv)
{
	struct mrm_shrinker_compat *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->shrinker.count_objects = count;
	c->shrinker.scan_objects = scan;
	c->shrinker.seeks = DEFAULT_SEEKS;
	c->priv = priv;
	if (register_shrinker(&c->shrinker, "%s", name)) {
		kfree(c);
		return NULL;
	}
	return &c->shrinker;
}

static inline void *mrm_shrinker_private(struct shrinker *s)
{
	return container_of(s, struct mrm_shrinker_compat, shrinker)->priv;
}

static inline void mrm_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(container_of(s, struct mrm_shrinker_compat, shrinker));
}

#endif /* MRM_HAVE_SHRINKER_ALLOC */

/*
 * Dropping the pages behind a range of one VMA.  Linux 6.3 ("mm: remove
 * zap_page_range and create zap_vma_pages") removed the exported
 * zap_page_range(); zap_page_range_single() is exported since.
 */
static inline void mrm_zap_vma_range(struct vm_area_struct *vma,
				     unsigned long addr, unsigned long size)
{
#ifdef MRM_HAVE_ZAP_PAGE_RANGE_SINGLE
	zap_page_range_single(vma, addr, size, NULL);
#else
	zap_page_range(vma, addr, size);
#endif
}

/*
 * Ageing one page through a secondary MMU's own notifier (KVM's, reached
 * as &kvm->mmu_notifier; __mmu_notifier_clear_young() and friends are not
 * exported).  ->clear_young() clears the accessed state of the secondary
 * mappings of [start, end); ->test_young() says whether the page at an
 * address was accessed since.  Debian's 6.1 and 6.12 pass the same
 * arguments (test_young() takes one address in both); upstream has
 * reshaped these callbacks before, so every call goes through these two
 * helpers and a change of signature is fixed here alone.  Both return
 * whether the page was young (the notifier's answer, 0 or 1), or
 * -EOPNOTSUPP if the notifier does not age pages.
 */
static inline int mrm_mn_clear_young(struct mmu_notifier *mn,
				     unsigned long hva)
{
	if (!mn->ops || !mn->ops->clear_young)
		return -EOPNOTSUPP;
	return mn->ops->clear_young(mn, mn->mm, hva, hva + PAGE_SIZE) ? 1 : 0;
}

static inline int mrm_mn_test_young(struct mmu_notifier *mn,
				    unsigned long hva)
{
	if (!mn->ops || !mn->ops->test_young)
		return -EOPNOTSUPP;
	return mn->ops->test_young(mn, mn->mm, hva) ? 1 : 0;
}

/*
 * Marking a whole VMA mergeable for KSM, as madvise(MADV_MERGEABLE) does
 * (without splitting it).  ksm_madvise() only computes the new flags (and
 * registers the mm with KSM); the caller applies them.  Linux 6.3 ("mm:
 * introduce vma->vm_flags wrapper functions") made vma->vm_flags
 * read-only: vm_flags_set() writes it and takes the VMA's write lock.
 * Called with mmap_write_lock() held.
 *
 * Return: 0 and *@mergeable says whether the VMA is now mergeable (KSM
 * refuses some, e.g. shared or special mappings, without an error), or
 * the negative errno of ksm_madvise().
 */
static inline int mrm_vma_make_mergeable(struct vm_area_struct *vma,
					 bool *mergeable)
{
	unsigned long flags = vma->vm_flags;
	int err;

	err = ksm_madvise(vma, vma->vm_start, vma->vm_end, MADV_MERGEABLE,
			  &flags);
	if (err)
		return err;
	if (flags & ~vma->vm_flags) {
#ifdef MRM_HAVE_VM_FLAGS_SET
		vm_flags_set(vma, flags & ~vma->vm_flags);
#else
		vma->vm_flags |= flags & ~vma->vm_flags;
#endif
	}
	*mergeable = vma->vm_flags & VM_MERGEABLE;
	return 0;
}

#endif /* _MRM_COMPAT_H */
