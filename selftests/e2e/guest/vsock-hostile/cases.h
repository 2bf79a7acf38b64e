/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsock-hostile: the cases, in the order "all" runs them (the probe
 * first).
 */
#ifndef VSOCK_HOSTILE_CASES_H
#define VSOCK_HOSTILE_CASES_H

#include "wire.h"

/*
 * Connections someone else on this guest (mrm_balloon before it was
 * unloaded) may have made in the host's window: the default --budget
 * leaves them room.
 */
#define HS_OTHERS		2

/**
 * struct hs_case - one case of the command line
 * @name: its name
 * @run: runs its steps, counting them in the run's state
 */
struct hs_case {
	const char *name;
	void (*run)(struct hs_ctx *x);
};

/* Every case, the probe first; hs_nr_cases of them. */
extern const struct hs_case hs_cases[];
extern const unsigned int hs_nr_cases;

#endif /* VSOCK_HOSTILE_CASES_H */
