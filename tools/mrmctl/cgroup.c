// SPDX-License-Identifier: GPL-2.0
/*
 * mrmctl: the cgroup of a VM for `attach --cgroup` (Documentation/attach.rst,
 * Documentation/reclaim.rst).
 *
 * With a path, the directory is only opened: the kernel checks that it is
 * a cgroup2 directory holding the VM's process.  Without one, mrmctl
 * makes /sys/fs/cgroup/mrm/<name or pid>, enabling the memory controller
 * on the way down and letting /sys/fs/cgroup/mrm pass memory.low
 * protection on to its VMs, and moves the QEMU process (all its threads)
 * and its child processes into it.  Memory charged before the move stays charged
 * to the old cgroup (cgroup2 never moves charges): the way to have all of
 * a VM's memory in its cgroup is to start QEMU inside it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mrmctl.h"

#define CGROUP2_MOUNT		"/sys/fs/cgroup"
#define MRM_CGROUP_PARENT	CGROUP2_MOUNT "/mrm"
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* Is "memory" a word of the first line of @path? */
static bool has_memory(const char *path)
{
	char buf[512], *word, *save = NULL;

	if (mrmctl_read_line(path, buf, sizeof(buf)))
		return false;
	for (word = strtok_r(buf, " ", &save); word;
	     word = strtok_r(NULL, " ", &save))
		if (!strcmp(word, "memory"))
			return true;
	return false;
}

/* Let the children of cgroup directory @dir use the memory controller. */
static int enable_memory(const char *dir)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (has_memory(path))
		return 0;
	err = write_text(path, "+memory");
	if (err) {
		mrmctl_err("cannot enable the memory controller in %s: %s%s",
			   path, strerror(-err),
			   err == -ENOENT ? " (is cgroup2 mounted on " CGROUP2_MOUNT "?)" :
			   err == -EBUSY ? " (the cgroup has processes of its own)" : "");
		return MRMCTL_EXIT_REFUSED;
	}
	return 0;
}

static int make_dir(const char *path)
{
	if (!mkdir(path, 0755) || errno == EEXIST)
		return 0;
	mrmctl_err("cannot create cgroup %s: %s", path, strerror(errno));
	return MRMCTL_EXIT_REFUSED;
}

/* Move process @pid (all its threads) into the cgroup @dir. */
static int move_process(const char *dir, pid_t pid)
{
	char path[PATH_MAX], text[16];
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(text, sizeof(text), "%d", (int)pid);
	err = write_text(path, text);
	if (err) {
		mrmctl_err("cannot move process %d into %s: %s", (int)pid, dir,
			   strerror(-err));
		return MRMCTL_EXIT_REFUSED;
	}
	return 0;
}

/* Move the child processes of every thread of @pid; 0 or an exit code. */
static int move_children(const char *dir, pid_t pid, int *moved)
{
	char path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *tasks;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return 0;
	while (!err && (de = readdir(tasks))) {
		char *word, *save = NULL;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children",
			 (int)pid, de->d_name);
		if (mrmctl_read_line(path, buf, sizeof(buf)))
			continue;
		for (word = strtok_r(buf, " ", &save); word && !err;
		     word = strtok_r(NULL, " ", &save)) {
			u32 child;

			if (!mrmctl_parse_u32(word, 1, INT_MAX, &child))
				continue;
			err = move_process(dir, (pid_t)child);
			if (!err)
				(*moved)++;
		}
	}
	closedir(tasks);
	return err;
}

/* The resident memory of @pid in MiB, or -1. */
static long rss_mib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

/*
 * A cgroup's memory.low protects it only as far as its parent's allows,
 * and mrm sets each VM's memory.low to its target: let the parent @dir
 * pass on all the protection its children have ("max") if its memory.low
 * is 0, as a new cgroup's is.  A value the administrator set is left, and
 * memory.min is not touched.  Failing is not fatal: the kernel says at
 * attach that the VM's protection is ineffective.
 */
static void protect_children(const char *dir)
{
	char path[PATH_MAX], buf[64];
	int err;

	snprintf(path, sizeof(path), "%s/memory.low", dir);
	err = mrmctl_read_line(path, buf, sizeof(buf));
	if (!err && strcmp(buf, "0"))
		return;
	if (!err)
		err = write_text(path, "max");
	if (err)
		mrmctl_note("cannot set %s to max: %s (VMs below it are not protected)",
			    path, strerror(-err));
}

/* Create /sys/fs/cgroup/mrm/<leaf> and move @pid there. */
static int make_vm_cgroup(pid_t pid, const char *leaf, char *dir, size_t size)
{
	int moved = 0, err;
	long rss;

	err = enable_memory(CGROUP2_MOUNT);
	if (!err)
		err = make_dir(MRM_CGROUP_PARENT);
	if (!err)
		err = enable_memory(MRM_CGROUP_PARENT);
	if (err)
		return err;
	protect_children(MRM_CGROUP_PARENT);
	snprintf(dir, size, "%s/%s", MRM_CGROUP_PARENT, leaf);
	err = make_dir(dir);
	if (!err)
		err = move_process(dir, pid);
	if (!err)
		err = move_children(dir, pid, &moved);
	if (err)
		return err;
	rss = rss_mib(pid);
	mrmctl_note("moved process %d%s into %s", (int)pid,
		    moved ? " and its children" : "", dir);
	if (rss > 0)
		mrmctl_note("%ld MiB it had already stay charged to its old cgroup%s",
			    rss, "; start QEMU inside the cgroup to avoid this");
	return 0;
}

/*
 * Open the cgroup directory of VM process @pid for MRM_ATTACH_CGROUP:
 * @path if given, else a new /sys/fs/cgroup/mrm/<@leaf>.  Returns 0 with
 * *@fd and the directory in @dir, or an exit code after saying why.
 */
int mrmctl_cgroup_open(pid_t pid, const char *path, const char *leaf,
		       int *fd, char *dir, size_t size)
{
	struct statfs sfs;
	int err;

	if (path) {
		snprintf(dir, size, "%s", path);
	} else {
		err = make_vm_cgroup(pid, leaf, dir, size);
		if (err)
			return err;
	}
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		mrmctl_err("cannot open cgroup %s: %s", dir, strerror(errno));
		return MRMCTL_EXIT_USAGE;
	}
	if (fstatfs(*fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		mrmctl_err("%s is not a cgroup2 directory", dir);
		close(*fd);
		return MRMCTL_EXIT_USAGE;
	}
	return 0;
}

/* The cgroup @pid is in, from /proc/<pid>/cgroup ("0::<path>"), or "?". */
const char *mrmctl_cgroup_of(pid_t pid)
{
	static char buf[PATH_MAX];
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (mrmctl_read_line(path, buf, sizeof(buf)) ||
	    strncmp(buf, "0::", 3))
		return "?";
	return buf + 3;
}
