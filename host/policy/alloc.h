/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Share-based allocation with an idle memory tax (Waldspurger, OSDI 2002,
 * section 5.2): per-VM memory targets for a given amount of memory.
 *
 * Plain C (see mrm/plain.h): built into mrm_host.ko, KUnit and mrmsim.
 * Units: memory in pages, shares as plain integers, the tax rate in percent
 * at the API (ESX's Mem.IdleTax), fractions in Q16.16 (see fixed.h).
 */
#ifndef _MRM_POLICY_ALLOC_H
#define _MRM_POLICY_ALLOC_H

#include "fixed.h"

/* Idle memory tax rate, percent: default (as ESX) and the largest valid. */
#define MRM_ALLOC_TAX_DEFAULT_PCT 75U
#define MRM_ALLOC_TAX_MAX_PCT 99U
/* mrm_alloc_vm.tax_pct value meaning "use the global rate". */
#define MRM_ALLOC_TAX_INHERIT U32_MAX

/* Largest page count accepted anywhere: 2^40 pages (4 PiB of 4 KiB pages). */
#define MRM_ALLOC_PAGES_MAX (1024ULL * 1024 * 1024 * 1024)
/* Most VMs one call handles; keeps every sum far from overflow. */
#define MRM_ALLOC_VMS_MAX 65536U

/**
 * struct mrm_alloc_config - global allocation knobs
 * @tax_pct: idle memory tax rate tau in percent, 0..MRM_ALLOC_TAX_MAX_PCT;
 *	0 is plain proportional share, 75 (default) lets 3/4 of a VM's idle
 *	memory be reclaimed before its active memory is touched.
 */
struct mrm_alloc_config {
	u32 tax_pct;
};

/**
 * struct mrm_alloc_vm - one VM as the allocator sees it
 * @shares: S, the VM's relative right to memory; must be non-zero
 * @tax_pct: per-VM tax rate in percent, or MRM_ALLOC_TAX_INHERIT for
 *	mrm_alloc_config.tax_pct
 * @active_frac: f, the active fraction of @alloc_pages, Q16.16 in
 *	[0, MRM_FRAC_ONE] (a working-set estimate; see wss.h)
 * @min_pages: guaranteed memory: no target is ever below it
 * @max_pages: configured size: no target is ever above it
 * @alloc_pages: P, pages the VM holds now; values above @max_pages are
 *	treated as @max_pages (host-side overhead is not the allocator's)
 */
struct mrm_alloc_vm {
	u32 shares;
	u32 tax_pct;
	u32 active_frac;
	u64 min_pages;
	u64 max_pages;
	u64 alloc_pages;
};

void mrm_alloc_config_default(struct mrm_alloc_config *cfg);
int mrm_alloc_config_check(const struct mrm_alloc_config *cfg);
int mrm_alloc_vm_check(const struct mrm_alloc_vm *vm);
u32 mrm_alloc_tax_factor(u32 tax_pct);
u64 mrm_alloc_level(const struct mrm_alloc_config *cfg,
		    const struct mrm_alloc_vm *vm, u64 pages);
int mrm_alloc_admit(const struct mrm_alloc_vm *vms, size_t n,
		    const struct mrm_alloc_vm *cand, u64 avail_pages);
int mrm_alloc_targets(const struct mrm_alloc_config *cfg,
		      const struct mrm_alloc_vm *vms, size_t n,
		      u64 avail_pages, u64 *targets);

#endif /* _MRM_POLICY_ALLOC_H */
