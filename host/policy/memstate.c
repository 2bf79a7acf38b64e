// SPDX-License-Identifier: GPL-2.0
/*
 * Free-memory states with hysteresis.
 *
 * minfree is a share of host memory (default 6 %, the original paper's
 * high threshold); the soft, hard and low thresholds are percentages of it
 * (default 64, 32 and 16 %, ESX's, i.e. about 3.8, 1.9 and 1 % of host
 * memory, near the paper's 4/2/1 %).  Free memory below a threshold enters
 * that state at once, skipping states on a sudden drop; a state is left
 * upwards only when free memory reaches its threshold plus a margin, so
 * noise around a threshold cannot make the state flap.
 *
 * What each state allows is seed 004's table 3, with ESX's rule that a VM
 * without a balloon is reclaimed by compression and swapping from soft on.
 */
#include "memstate.h"

static const u32 mrm_memstate_table[MRM_MEMSTATE_COUNT] = {
	[MRM_MEMSTATE_HIGH] = MRM_ACT_SHARE,
	[MRM_MEMSTATE_SOFT] = MRM_ACT_SHARE | MRM_ACT_BALLOON,
	[MRM_MEMSTATE_HARD] = MRM_ACT_SHARE | MRM_ACT_BALLOON |
			      MRM_ACT_COMPRESS | MRM_ACT_SWAP,
	[MRM_MEMSTATE_LOW] = MRM_ACT_SHARE | MRM_ACT_BALLOON |
			     MRM_ACT_COMPRESS | MRM_ACT_SWAP | MRM_ACT_BLOCK,
};

static const char *const mrm_memstate_names[MRM_MEMSTATE_COUNT] = {
	[MRM_MEMSTATE_HIGH] = "high",
	[MRM_MEMSTATE_SOFT] = "soft",
	[MRM_MEMSTATE_HARD] = "hard",
	[MRM_MEMSTATE_LOW] = "low",
};

/**
 * mrm_memstate_config_default() - fill @cfg with the defaults
 * @cfg: configuration to fill
 */
void mrm_memstate_config_default(struct mrm_memstate_config *cfg)
{
	cfg->minfree_pm = MRM_MEMSTATE_MINFREE_PM_DEFAULT;
	cfg->soft_pct = MRM_MEMSTATE_SOFT_PCT_DEFAULT;
	cfg->hard_pct = MRM_MEMSTATE_HARD_PCT_DEFAULT;
	cfg->low_pct = MRM_MEMSTATE_LOW_PCT_DEFAULT;
	cfg->margin_pct = MRM_MEMSTATE_MARGIN_PCT_DEFAULT;
}

/**
 * mrm_memstate_config_check() - validate free-memory state knobs
 * @cfg: configuration to check
 *
 * Return: 0 if valid; -EINVAL if @cfg is NULL or the thresholds are not
 * strictly decreasing (soft > hard > low); -ERANGE if a value lies outside
 * its documented range.
 */
int mrm_memstate_config_check(const struct mrm_memstate_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	if (cfg->minfree_pm < MRM_MEMSTATE_MINFREE_PM_MIN ||
	    cfg->minfree_pm > MRM_MEMSTATE_MINFREE_PM_MAX ||
	    cfg->soft_pct > MRM_PERCENT || !cfg->low_pct ||
	    cfg->margin_pct > MRM_MEMSTATE_MARGIN_PCT_MAX)
		return -ERANGE;
	if (cfg->soft_pct <= cfg->hard_pct || cfg->hard_pct <= cfg->low_pct)
		return -EINVAL;
	return 0;
}

/**
 * mrm_memstate_configure() - (re)compute thresholds, keeping the state
 * @ms: state machine
 * @cfg: knobs
 * @host_pages: host memory in pages
 *
 * For a knob change or memory hotplug: the current state is kept and the
 * next mrm_memstate_update() applies the new thresholds.
 *
 * Return: 0 on success; -EINVAL if @ms is NULL, @host_pages is 0, or the
 * host is so small that the low threshold rounds to 0 pages; otherwise the
 * error of mrm_memstate_config_check().  On error @ms is untouched.
 */
int mrm_memstate_configure(struct mrm_memstate_machine *ms,
			   const struct mrm_memstate_config *cfg,
			   u64 host_pages)
{
	u64 minfree, margin, enter[MRM_MEMSTATE_COUNT];
	int err, s;

	err = mrm_memstate_config_check(cfg);
	if (err)
		return err;
	if (!ms || !host_pages)
		return -EINVAL;
	minfree = mrm_scale(host_pages, cfg->minfree_pm, MRM_PERMILLE);
	margin = mrm_scale(minfree, cfg->margin_pct, MRM_PERCENT);
	enter[MRM_MEMSTATE_HIGH] = 0;
	enter[MRM_MEMSTATE_SOFT] = mrm_scale(minfree, cfg->soft_pct,
					     MRM_PERCENT);
	enter[MRM_MEMSTATE_HARD] = mrm_scale(minfree, cfg->hard_pct,
					     MRM_PERCENT);
	enter[MRM_MEMSTATE_LOW] = mrm_scale(minfree, cfg->low_pct,
					    MRM_PERCENT);
	if (!enter[MRM_MEMSTATE_LOW])
		return -EINVAL;

	ms->minfree_pages = minfree;
	for (s = 0; s < MRM_MEMSTATE_COUNT; s++) {
		ms->enter[s] = enter[s];
		ms->leave[s] = s == MRM_MEMSTATE_HIGH ? 0 : enter[s] + margin;
	}
	return 0;
}

/**
 * mrm_memstate_init() - configure and start in the high state
 * @ms: state machine
 * @cfg: knobs
 * @host_pages: host memory in pages
 *
 * Return: as mrm_memstate_configure().
 */
int mrm_memstate_init(struct mrm_memstate_machine *ms,
		      const struct mrm_memstate_config *cfg, u64 host_pages)
{
	int err = mrm_memstate_configure(ms, cfg, host_pages);

	if (err)
		return err;
	ms->state = MRM_MEMSTATE_HIGH;
	ms->transitions = 0;
	return 0;
}

/* The lowest state s with @free_pages below @thr[s]; high if none. */
static enum mrm_memstate mrm_memstate_below(const u64 *thr, u64 free_pages)
{
	int s;

	for (s = MRM_MEMSTATE_LOW; s > MRM_MEMSTATE_HIGH; s--)
		if (free_pages < thr[s])
			return s;
	return MRM_MEMSTATE_HIGH;
}

/**
 * mrm_memstate_update() - feed one free-memory reading
 * @ms: state machine
 * @free_pages: host free memory now, in pages
 *
 * Moves down to the lowest state whose threshold @free_pages is below (at
 * once, skipping states); moves up only to the lowest state whose
 * threshold plus margin @free_pages is still below.
 *
 * Return: the new state.
 */
enum mrm_memstate mrm_memstate_update(struct mrm_memstate_machine *ms,
				      u64 free_pages)
{
	enum mrm_memstate down = mrm_memstate_below(ms->enter, free_pages);
	enum mrm_memstate up = mrm_memstate_below(ms->leave, free_pages);
	enum mrm_memstate next = ms->state;

	/* leave[s] >= enter[s] for all s, so down <= up. */
	if (next < down)
		next = down;
	else if (next > up)
		next = up;
	if (next != ms->state && ms->transitions < U64_MAX)
		ms->transitions++;
	ms->state = next;
	return next;
}

/**
 * mrm_memstate_actions() - what a state allows for one VM
 * @state: free-memory state
 * @has_balloon: whether the VM's balloon driver is connected
 *
 * Seed 004 table 3: high = share; soft = share + balloon; hard = share +
 * balloon + compress + swap; low = hard + block.  A VM without a balloon
 * gets compress + swap instead of balloon, from soft on.
 *
 * Return: a mask of enum mrm_action bits; 0 for an invalid @state.
 */
u32 mrm_memstate_actions(enum mrm_memstate state, bool has_balloon)
{
	u32 act;

	if ((unsigned int)state >= MRM_MEMSTATE_COUNT)
		return 0;
	act = mrm_memstate_table[state];
	if (!has_balloon && (act & MRM_ACT_BALLOON))
		act = (act & ~MRM_ACT_BALLOON) | MRM_ACT_COMPRESS |
		      MRM_ACT_SWAP;
	return act;
}

/**
 * mrm_memstate_name() - lower-case name of a state, for sysfs and logs
 * @state: free-memory state
 *
 * Return: "high", "soft", "hard" or "low"; "invalid" otherwise.
 */
const char *mrm_memstate_name(enum mrm_memstate state)
{
	if ((unsigned int)state >= MRM_MEMSTATE_COUNT)
		return "invalid";
	return mrm_memstate_names[state];
}
