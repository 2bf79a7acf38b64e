/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output lines of the guest test programs (memtouch, vsock-hostile): each
 * line is formatted into one buffer and written with one write(), so that
 * the lines of several processes on one stdout never mix.
 */
#ifndef SELFTESTS_E2E_GUEST_SAY_H
#define SELFTESTS_E2E_GUEST_SAY_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

/* Write all of @buf to @fd, retrying after EINTR; give up on an error. */
static inline void say_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

/*
 * Finish the line of @size bytes at @line whose first @n bytes (a prefix)
 * are written already: @fmt with @ap, cut short to fit, and a newline; then
 * write it to stdout.  Nothing is written if @fmt cannot be formatted.
 */
static inline void say_vline(char *line, size_t size, size_t n,
			     const char *fmt, va_list ap)
{
	int m;

	m = vsnprintf(line + n, size - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += (size_t)m < size - n - 1 ? (size_t)m : size - n - 2;
	line[n++] = '\n';
	say_write_all(STDOUT_FILENO, line, n);
}

#endif /* SELFTESTS_E2E_GUEST_SAY_H */
