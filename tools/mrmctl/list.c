// SPDX-License-Identifier: GPL-2.0
/*
 * mrmctl: the attached VMs, as /sys/kernel/mrm/vms/ shows them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/mrm.h>

#include "../../host/vm_params.h"
#include "mrmctl.h"

/* Room for any one value of a per-VM sysfs file. */
#define VALUE_SIZE	64

struct vm_row {
	u32 id;
	char name[MRM_VM_NAME_SIZE];
	char cid[VALUE_SIZE];
	char pid[VALUE_SIZE];
	char memory[VALUE_SIZE];
	char state[VALUE_SIZE];
	char hold[VALUE_SIZE];
};

static int read_attr(const char *dir, const char *attr, char *buf,
		     size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", MRM_SYSFS_VMS, dir, attr);
	return mrmctl_read_line(path, buf, size);
}

/* Fill @row from directory @dir; false if the VM went away meanwhile. */
static bool read_row(const char *dir, struct vm_row *row)
{
	char id[VALUE_SIZE], bytes[VALUE_SIZE];
	unsigned long long b;
	char *end;

	if (read_attr(dir, "id", id, sizeof(id)) ||
	    !mrmctl_parse_u32(id, 1, UINT_MAX, &row->id) ||
	    read_attr(dir, "name", row->name, sizeof(row->name)) ||
	    read_attr(dir, "cid", row->cid, sizeof(row->cid)) ||
	    read_attr(dir, "pid", row->pid, sizeof(row->pid)) ||
	    read_attr(dir, "memory_bytes", bytes, sizeof(bytes)) ||
	    read_attr(dir, "state", row->state, sizeof(row->state)) ||
	    read_attr(dir, "hold", row->hold, sizeof(row->hold)))
		return false;
	if (!row->name[0])
		snprintf(row->name, sizeof(row->name), "-");
	/* In MiB, with one decimal. */
	errno = 0;
	b = strtoull(bytes, &end, 10);
	if (errno || *end || end == bytes)
		snprintf(row->memory, sizeof(row->memory), "?");
	else
		snprintf(row->memory, sizeof(row->memory), "%.1fM",
			 (double)b / (1 << 20));
	return true;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct vm_row *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* `mrmctl list`: a table of the attached VMs, by id. */
int mrmctl_list(void)
{
	struct vm_row *rows = NULL, *grown;
	size_t nrows = 0, i;
	struct dirent *de;
	DIR *dir;

	dir = opendir(MRM_SYSFS_VMS);
	if (!dir) {
		int err = errno;

		mrmctl_err("cannot list %s: %s%s", MRM_SYSFS_VMS, strerror(err),
			   err == ENOENT ? " (is mrm_host loaded?)" : "");
		return err == ENOENT ? MRMCTL_EXIT_NO_MODULE : MRMCTL_EXIT_REFUSED;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		grown = realloc(rows, (nrows + 1) * sizeof(*rows));
		if (!grown) {
			mrmctl_err("out of memory");
			break;
		}
		rows = grown;
		if (read_row(de->d_name, &rows[nrows]))
			nrows++;
	}
	closedir(dir);
	qsort(rows, nrows, sizeof(*rows), cmp_rows);

	printf("%-6s %-31s %-10s %-8s %-10s %-10s %s\n",
	       "ID", "NAME", "CID", "PID", "MEMORY", "STATE", "HOLD");
	for (i = 0; i < nrows; i++)
		printf("%-6u %-31s %-10s %-8s %-10s %-10s %s\n", rows[i].id,
		       rows[i].name, rows[i].cid, rows[i].pid, rows[i].memory,
		       rows[i].state, rows[i].hold);
	free(rows);
	return MRMCTL_EXIT_OK;
}

/*
 * The id of the VM named @name.  Returns 0, or an exit code after saying
 * why.
 */
int mrmctl_lookup_id(const char *name, u32 *id)
{
	char buf[MRM_VM_NAME_SIZE], value[VALUE_SIZE];
	int err;

	/* Also keeps "..", "/" and the like out of the path below. */
	if (strlen(name) >= sizeof(buf)) {
		mrmctl_err("'%s' is not a VM name or id", name);
		return MRMCTL_EXIT_USAGE;
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, strlen(name));
	if (!name[0] || mrm_vm_name_check(buf)) {
		mrmctl_err("'%s' is not a VM name or id", name);
		return MRMCTL_EXIT_USAGE;
	}
	err = read_attr(name, "id", value, sizeof(value));
	if (err == -ENOENT) {
		if (access(MRM_SYSFS_VMS, F_OK)) {
			mrmctl_err("%s is missing: is mrm_host loaded?", MRM_SYSFS_VMS);
			return MRMCTL_EXIT_NO_MODULE;
		}
		mrmctl_err("no attached VM is named '%s' (see mrmctl list)", name);
		return MRMCTL_EXIT_REFUSED;
	}
	if (err || !mrmctl_parse_u32(value, 1, UINT_MAX, id)) {
		mrmctl_err("cannot read the id of VM '%s': %s", name,
			   strerror(err ? -err : EINVAL));
		return MRMCTL_EXIT_REFUSED;
	}
	return 0;
}
