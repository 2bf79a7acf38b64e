// SPDX-License-Identifier: GPL-2.0
/*
 * Share-based allocation with an idle memory tax.
 *
 * Waldspurger's adjusted shares-per-page ratio for a VM with S shares and P
 * pages of which a fraction f is active is
 *
 *	rho = S / (P * (f + k * (1 - f))),	k = 1 / (1 - tau)
 *
 * and memory is reclaimed from the VM with the lowest rho.  Reclaim takes a
 * VM's idle pages and leaves its active ones: with A = f * P active pages
 * fixed, the VM still holding p pages has
 *
 *	rho(p) = S / W(p),	W(p) = A + k * (p - A)	for p > A
 *				W(p) = p		for p <= A
 *
 * so rho rises as idle memory is reclaimed (each idle page weighs k, each
 * active page 1), and only once all idle pages are gone are active pages
 * taken at weight 1.  With tau = 0, k = 1 and rho = S / p: plain
 * proportional share.
 *
 * Targets are what repeatedly reclaiming one page from the lowest-rho VM
 * would leave, starting from every VM at its max and stopping when the
 * targets fit in the memory available, never taking a VM below its min.
 * Instead of reclaiming page by page, the code uses the *level* of a VM,
 * L(p) = W(p) / S (the reciprocal of rho, in Q16.16 taxed pages per
 * share, rounded down): reclaiming the p-th page of a VM "costs" L(p), and
 * page-by-page reclaim takes the R largest costs over all VMs (R = sum of
 * max - available).  A bisection over the level finds the smallest level
 * lambda at which at most R pages cost more than lambda; those pages are
 * taken, and the rest of R comes from pages costing exactly lambda, lowest
 * VM index first.  That is the page-by-page result with ties (equal levels
 * at Q16.16 resolution) broken by VM index, and it is monotone: more
 * shares lower every level of a VM, so it can only keep more pages.
 *
 * Work: at most 64 bisection steps over the VMs, each O(1) per VM with no
 * allocation and no sorting, so O(64 * n).  Bounds that keep every product
 * in 64 bits: pages <= MRM_ALLOC_PAGES_MAX (2^40), k <= 100 in Q16.16
 * (< 2^23), so W(p) in Q16.16 stays below 2^63 + 2^56.
 */
#include "alloc.h"

/* One VM's quantities, derived from struct mrm_alloc_vm for a pass. */
struct mrm_alloc_calc {
	u64 shares;
	u64 tax_factor;	/* k, Q16.16, >= MRM_FRAC_ONE */
	u64 active;	/* A, pages */
	u64 lo;		/* min_pages: never reclaimed below */
	u64 hi;		/* max_pages: where reclaim starts */
};

/**
 * mrm_alloc_config_default() - fill @cfg with the defaults
 * @cfg: configuration to fill
 */
void mrm_alloc_config_default(struct mrm_alloc_config *cfg)
{
	cfg->tax_pct = MRM_ALLOC_TAX_DEFAULT_PCT;
}

/**
 * mrm_alloc_config_check() - validate global allocation knobs
 * @cfg: configuration to check
 *
 * Return: 0 if valid; -EINVAL if @cfg is NULL; -ERANGE if the tax rate is
 * 100 % or more (tau must stay below 1).
 */
int mrm_alloc_config_check(const struct mrm_alloc_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	if (cfg->tax_pct > MRM_ALLOC_TAX_MAX_PCT)
		return -ERANGE;
	return 0;
}

/**
 * mrm_alloc_vm_check() - validate one VM's allocation parameters
 * @vm: VM to check
 *
 * Return: 0 if valid; -EINVAL if @vm is NULL, has zero shares, or has
 * min_pages > max_pages; -ERANGE if its own tax rate is 100 % or more, its
 * active fraction is above 1, or max_pages exceeds MRM_ALLOC_PAGES_MAX.
 */
int mrm_alloc_vm_check(const struct mrm_alloc_vm *vm)
{
	if (!vm || !vm->shares || vm->min_pages > vm->max_pages)
		return -EINVAL;
	if (vm->tax_pct != MRM_ALLOC_TAX_INHERIT &&
	    vm->tax_pct > MRM_ALLOC_TAX_MAX_PCT)
		return -ERANGE;
	if (vm->active_frac > MRM_FRAC_ONE ||
	    vm->max_pages > MRM_ALLOC_PAGES_MAX)
		return -ERANGE;
	return 0;
}

/**
 * mrm_alloc_tax_factor() - k = 1 / (1 - tau) for a tax rate in percent
 * @tax_pct: tau in percent; values above MRM_ALLOC_TAX_MAX_PCT are treated
 *	as MRM_ALLOC_TAX_MAX_PCT
 *
 * Return: k in Q16.16, rounded down: MRM_FRAC_ONE for 0 %, 4 * MRM_FRAC_ONE
 * for 75 %, 100 * MRM_FRAC_ONE for 99 %.
 */
u32 mrm_alloc_tax_factor(u32 tax_pct)
{
	if (tax_pct > MRM_ALLOC_TAX_MAX_PCT)
		tax_pct = MRM_ALLOC_TAX_MAX_PCT;
	return MRM_FRAC_ONE * MRM_PERCENT / (MRM_PERCENT - tax_pct);
}

static void mrm_alloc_calc_init(struct mrm_alloc_calc *c,
				const struct mrm_alloc_config *cfg,
				const struct mrm_alloc_vm *vm)
{
	u32 tax = vm->tax_pct == MRM_ALLOC_TAX_INHERIT ? cfg->tax_pct :
							  vm->tax_pct;
	u64 held = min_t(u64, vm->alloc_pages, vm->max_pages);

	c->shares = vm->shares;
	c->tax_factor = mrm_alloc_tax_factor(tax);
	c->active = mrm_frac_of(held, vm->active_frac);
	c->lo = vm->min_pages;
	c->hi = vm->max_pages;
}

/* W(pages) in Q16.16 taxed pages; saturates at U64_MAX. */
static u64 mrm_alloc_weight(const struct mrm_alloc_calc *c, u64 pages)
{
	u64 active = min_t(u64, pages, c->active);
	u64 w, idle;

	if (check_mul_overflow(active, (u64)MRM_FRAC_ONE, &w) ||
	    check_mul_overflow(pages - active, c->tax_factor, &idle) ||
	    check_add_overflow(w, idle, &w))
		return U64_MAX;
	return w;
}

/* Smallest page count p with W(p) >= @weight. */
static u64 mrm_alloc_pages_for_weight(const struct mrm_alloc_calc *c,
				      u64 weight)
{
	u64 base = c->active * MRM_FRAC_ONE;
	u64 over, q;

	if (weight <= base) {
		q = div64_u64(weight, MRM_FRAC_ONE);
		return q + (q * MRM_FRAC_ONE != weight);
	}
	over = weight - base;
	q = div64_u64(over, c->tax_factor);
	return c->active + q + (q * c->tax_factor != over);
}

/*
 * How many of the VM's reclaimable pages (those numbered lo + 1 .. hi)
 * have a level above @level, i.e. W(p) >= (@level + 1) * S.
 */
static u64 mrm_alloc_count_above(const struct mrm_alloc_calc *c, u64 level)
{
	u64 weight, first;

	if (check_add_overflow(level, (u64)1, &weight) ||
	    check_mul_overflow(weight, c->shares, &weight))
		return 0;
	first = max_t(u64, mrm_alloc_pages_for_weight(c, weight), c->lo + 1);
	return first > c->hi ? 0 : c->hi - first + 1;
}

/* As mrm_alloc_count_above(), for level >= @level. */
static u64 mrm_alloc_count_from(const struct mrm_alloc_calc *c, u64 level)
{
	return level ? mrm_alloc_count_above(c, level - 1) : c->hi - c->lo;
}

static u64 mrm_alloc_total_above(const struct mrm_alloc_config *cfg,
				 const struct mrm_alloc_vm *vms, size_t n,
				 u64 level)
{
	struct mrm_alloc_calc c;
	u64 total = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		mrm_alloc_calc_init(&c, cfg, &vms[i]);
		total += mrm_alloc_count_above(&c, level);
	}
	return total;
}

/*
 * Smallest level at which at most @excess pages have a higher level.  No
 * level reaches U64_MAX - 1 (see the bounds above), so the search space is
 * [0, U64_MAX - 1] and at most 64 steps.
 */
static u64 mrm_alloc_threshold(const struct mrm_alloc_config *cfg,
			       const struct mrm_alloc_vm *vms, size_t n,
			       u64 excess)
{
	u64 lo = 0, hi = U64_MAX - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (mrm_alloc_total_above(cfg, vms, n, mid) <= excess)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/**
 * mrm_alloc_level() - a VM's level if it held @pages pages
 * @cfg: global knobs (for the tax rate of a VM that inherits it)
 * @vm: the VM
 * @pages: hypothetical allocation
 *
 * The level is W(@pages) / S in Q16.16 taxed pages per share, rounded
 * down: the reciprocal of Waldspurger's adjusted shares-per-page ratio rho.
 * Reclaim takes from the highest level first.  For tracing and tests.
 *
 * Return: the level; U64_MAX if @cfg or @vm is invalid.
 */
u64 mrm_alloc_level(const struct mrm_alloc_config *cfg,
		    const struct mrm_alloc_vm *vm, u64 pages)
{
	struct mrm_alloc_calc c;

	if (mrm_alloc_config_check(cfg) || mrm_alloc_vm_check(vm))
		return U64_MAX;
	mrm_alloc_calc_init(&c, cfg, vm);
	return div64_u64(mrm_alloc_weight(&c, pages), c.shares);
}

/**
 * mrm_alloc_admit() - admission check for a new VM
 * @vms: VMs already admitted (may be NULL if @n is 0)
 * @n: number of entries in @vms
 * @cand: the VM asking to be admitted
 * @avail_pages: memory available to VMs, in pages
 *
 * A VM is admitted only if every min, its own included, can be guaranteed
 * at once: sum of min_pages <= @avail_pages.
 *
 * Return: 0 if @cand may start; -ENOSPC if its min cannot be guaranteed;
 * -E2BIG if admitting it would exceed MRM_ALLOC_VMS_MAX VMs; otherwise the
 * error of mrm_alloc_vm_check() on @cand or on an entry of @vms.
 */
int mrm_alloc_admit(const struct mrm_alloc_vm *vms, size_t n,
		    const struct mrm_alloc_vm *cand, u64 avail_pages)
{
	u64 sum;
	size_t i;
	int err;

	err = mrm_alloc_vm_check(cand);
	if (err)
		return err;
	if (n >= MRM_ALLOC_VMS_MAX)
		return -E2BIG;
	if (n && !vms)
		return -EINVAL;
	sum = cand->min_pages;
	for (i = 0; i < n; i++) {
		err = mrm_alloc_vm_check(&vms[i]);
		if (err)
			return err;
		sum += vms[i].min_pages;
	}
	return sum <= avail_pages ? 0 : -ENOSPC;
}

/**
 * mrm_alloc_targets() - per-VM memory targets for the memory available
 * @cfg: global knobs
 * @vms: the VMs, in a stable order: the index breaks ties
 * @n: number of VMs, 0..MRM_ALLOC_VMS_MAX
 * @avail_pages: memory available to VMs (host memory less host overhead
 *	and minfree), in pages
 * @targets: output, @n entries, in pages
 *
 * Each target lies in [min_pages, max_pages] and the targets sum to at
 * most @avail_pages: every VM gets its max if all maxes fit; otherwise the
 * difference is reclaimed from the lowest-rho VM first (see the top of
 * this file).  Deterministic, O(64 * @n), no allocation.
 *
 * Return: 0 on success; -ENOSPC if the mins alone exceed @avail_pages, in
 * which case every target is set to its min all the same; -EINVAL if a
 * pointer is NULL; -E2BIG if @n > MRM_ALLOC_VMS_MAX; otherwise the error of
 * mrm_alloc_config_check() or mrm_alloc_vm_check().  On these last errors
 * @targets is not written.
 */
int mrm_alloc_targets(const struct mrm_alloc_config *cfg,
		      const struct mrm_alloc_vm *vms, size_t n,
		      u64 avail_pages, u64 *targets)
{
	struct mrm_alloc_calc c;
	u64 sum_lo = 0, sum_hi = 0, excess, level, take;
	size_t i;
	int err;

	err = mrm_alloc_config_check(cfg);
	if (err)
		return err;
	if (n > MRM_ALLOC_VMS_MAX)
		return -E2BIG;
	if (n && (!vms || !targets))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		err = mrm_alloc_vm_check(&vms[i]);
		if (err)
			return err;
		sum_lo += vms[i].min_pages;
		sum_hi += vms[i].max_pages;
	}

	if (sum_lo > avail_pages) {
		for (i = 0; i < n; i++)
			targets[i] = vms[i].min_pages;
		return -ENOSPC;
	}
	for (i = 0; i < n; i++)
		targets[i] = vms[i].max_pages;
	if (sum_hi <= avail_pages)
		return 0;

	excess = sum_hi - avail_pages;
	level = mrm_alloc_threshold(cfg, vms, n, excess);
	for (i = 0; i < n; i++) {
		mrm_alloc_calc_init(&c, cfg, &vms[i]);
		take = mrm_alloc_count_above(&c, level);
		targets[i] -= take;
		excess -= take;
	}
	/* Pages exactly at the level: lowest index gives first. */
	for (i = 0; i < n && excess; i++) {
		mrm_alloc_calc_init(&c, cfg, &vms[i]);
		take = mrm_alloc_count_from(&c, level) -
		       mrm_alloc_count_above(&c, level);
		take = min_t(u64, take, excess);
		targets[i] -= take;
		excess -= take;
	}
	return 0;
}
