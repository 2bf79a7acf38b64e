// SPDX-License-Identifier: GPL-2.0
/*
 * mrmctl: number parsing and small file reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrmctl.h"

/* Plain decimal only (no sign, no space, no 0x), within [min, max]. */
bool mrmctl_parse_u32(const char *s, u32 min, u32 max, u32 *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (u32)v;
	return true;
}

/*
 * Read the first line of a small file (a sysfs attribute) without its
 * newline.  Returns 0 or a negative errno.
 */
int mrmctl_read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}
