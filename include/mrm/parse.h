/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsers for numbers written to mrm's sysfs files.  Plain C (see
 * plain.h) so the same code is unit-tested in KUnit and in user space.
 */
#ifndef _MRM_PARSE_H
#define _MRM_PARSE_H

#include "plain.h"

int mrm_parse_u64(const char *buf, u64 min, u64 max, u64 *out);
int mrm_parse_bytes(const char *buf, u64 min, u64 max, u64 *out);

#endif /* _MRM_PARSE_H */
