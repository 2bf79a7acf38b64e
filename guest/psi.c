// SPDX-License-Identifier: GPL-2.0
/*
 * Parse memory pressure (PSI) text.  psi_system is not exported to
 * modules, so the guest reads the text the kernel prints in
 * /proc/pressure/memory and the cgroup memory.pressure files:
 *
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *
 * Plain C, tested in KUnit.  Strict: anything else is -EINVAL, and *psi
 * is left untouched.
 */
#include "psi.h"

/* Consume @word at *@p; false if it is not there. */
static bool mrm_psi_word(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

/* Decimal digits at *@p into *@val; false if none or on overflow. */
static bool mrm_psi_u64(const char **p, u64 *val)
{
	const char *s = *p;
	u64 v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (check_mul_overflow(v, (u64)10, &v) ||
		    check_add_overflow(v, (u64)(*s - '0'), &v))
			return false;
	}
	*val = v;
	*p = s;
	return true;
}

/* "<int>.<2 digits>" in hundredths, at most 100.00. */
static bool mrm_psi_pct(const char **p, u64 *hundredths)
{
	const char *s = *p;
	u64 whole;

	if (!mrm_psi_u64(&s, &whole) || *s++ != '.' ||
	    s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	if (whole > 100)
		return false;
	*hundredths = whole * 100 + (s[0] - '0') * 10 + (s[1] - '0');
	if (*hundredths > 10000)
		return false;
	*p = s + 2;
	return true;
}

/* One line: "<kind> avg10=X avg60=X avg300=X total=N\n". */
static bool mrm_psi_line(const char **p, const char *kind, u64 *avg10,
			 u64 *total)
{
	u64 ignored;

	return mrm_psi_word(p, kind) &&
	       mrm_psi_word(p, " avg10=") && mrm_psi_pct(p, avg10) &&
	       mrm_psi_word(p, " avg60=") && mrm_psi_pct(p, &ignored) &&
	       mrm_psi_word(p, " avg300=") && mrm_psi_pct(p, &ignored) &&
	       mrm_psi_word(p, " total=") && mrm_psi_u64(p, total) &&
	       mrm_psi_word(p, "\n");
}

/**
 * mrm_psi_parse() - parse the text of /proc/pressure/memory
 * @text: NUL-terminated contents
 * @psi: where the figures go on success
 *
 * Return: 0, or -EINVAL if @text is not in the expected format.
 */
int mrm_psi_parse(const char *text, struct mrm_psi *psi)
{
	struct mrm_psi out;
	const char *p = text;

	if (!mrm_psi_line(&p, "some", &out.some_avg10, &out.some_total_us) ||
	    !mrm_psi_line(&p, "full", &out.full_avg10, &out.full_total_us) ||
	    *p)
		return -EINVAL;
	*psi = out;
	return 0;
}
