/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place the mrm release version is written.  Both modules report
 * it through MODULE_VERSION() and their sysfs `version` file.
 */
#ifndef _MRM_VERSION_H
#define _MRM_VERSION_H

#define MRM_VERSION "0.1.0"

#endif /* _MRM_VERSION_H */
