// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario files: "key = value" lines configure a scenario, "expect" lines
 * state what its results must satisfy; '#' starts a comment.
 *
 *	expect KEY OP VALUE		OP is <, <=, >, >= or ==
 *	expect KEY ~ VALUE TOLERANCE	|result - VALUE| <= TOLERANCE
 *
 * Values are decimals with up to six fractional digits.
 */
#include <ctype.h>
#include <stdlib.h>

#include "mrmsim.h"

#define SIM_LINE_MAX 256
#define SIM_MICRO_DIGITS 6

/**
 * sim_parse_micro() - parse a decimal ("-12", "0.75") into micro units
 * @text: the number
 * @out: result
 *
 * Return: 0, or -EINVAL if @text is not such a number or is too large.
 */
int sim_parse_micro(const char *text, s64 *out)
{
	s64 whole = 0, frac = 0, scale = SIM_MICRO;
	bool neg = false, digits = false;
	const char *p = text;

	if (*p == '-') {
		neg = true;
		p++;
	}
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > S64_MAX / SIM_MICRO / 10)
			return -EINVAL;
		whole = whole * 10 + (*p - '0');
		digits = true;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (scale == 1)
				return -EINVAL;
			scale /= 10;
			frac += (*p - '0') * scale;
			digits = true;
		}
	}
	if (*p || !digits)
		return -EINVAL;
	*out = (whole * SIM_MICRO + frac) * (neg ? -1 : 1);
	return 0;
}

static char *sim_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int scn_parse_expect(struct scn *scn, char *rest, int line)
{
	struct scn_expect *e = &scn->expects[scn->n_expects];
	char value[SIM_MAX_TEXT], tol[SIM_MAX_TEXT] = "";
	int fields;

	if (scn->n_expects >= SIM_MAX_ENTRIES)
		return -E2BIG;
	fields = sscanf(rest, "%63s %3s %63s %63s", e->key, e->op, value,
			tol);
	if (fields < 3)
		return -EINVAL;
	if (sim_parse_micro(value, &e->value))
		return -EINVAL;
	e->tol = 0;
	if (!strcmp(e->op, "~")) {
		if (fields != 4 || sim_parse_micro(tol, &e->tol) || e->tol < 0)
			return -EINVAL;
	} else if (fields != 3 || (strcmp(e->op, "<") && strcmp(e->op, "<=") &&
				   strcmp(e->op, ">") && strcmp(e->op, ">=") &&
				   strcmp(e->op, "=="))) {
		return -EINVAL;
	}
	e->line = line;
	scn->n_expects++;
	return 0;
}

static int scn_parse_line(struct scn *scn, char *text, int line)
{
	struct scn_entry *e;
	char *eq, *key, *value;

	if (!strncmp(text, "expect", 6) && isspace((unsigned char)text[6]))
		return scn_parse_expect(scn, text + 6, line);
	eq = strchr(text, '=');
	if (!eq)
		return -EINVAL;
	*eq = '\0';
	key = sim_trim(text);
	value = sim_trim(eq + 1);
	if (!*key || !*value || strlen(key) >= SIM_MAX_TEXT ||
	    strlen(value) >= SIM_MAX_TEXT)
		return -EINVAL;
	if (scn->n_entries >= SIM_MAX_ENTRIES)
		return -E2BIG;
	e = &scn->entries[scn->n_entries++];
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->value, sizeof(e->value), "%s", value);
	e->line = line;
	e->used = false;
	return 0;
}

/**
 * scn_load() - read and parse a scenario file
 * @scn: where to put it
 * @path: file to read
 *
 * Return: 0, or a negative errno after printing what is wrong.
 */
int scn_load(struct scn *scn, const char *path)
{
	char buf[SIM_LINE_MAX], *text, *hash;
	const char *base = strrchr(path, '/');
	int line = 0, err = 0;
	size_t len;
	FILE *f;

	memset(scn, 0, sizeof(*scn));
	scn->path = path;
	base = base ? base + 1 : path;
	len = strcspn(base, ".");
	if (!len || len >= SIM_MAX_TEXT)
		len = SIM_MAX_TEXT - 1;
	memcpy(scn->name, base, len);

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mrmsim: cannot open %s\n", path);
		return -ENOENT;
	}
	while (fgets(buf, sizeof(buf), f)) {
		line++;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		text = sim_trim(buf);
		if (!*text)
			continue;
		err = scn_parse_line(scn, text, line);
		if (err) {
			fprintf(stderr, "mrmsim: %s:%d: cannot parse this line\n",
				path, line);
			break;
		}
	}
	fclose(f);
	return err;
}

static struct scn_entry *scn_find(struct scn *scn, const char *key)
{
	int i;

	for (i = 0; i < scn->n_entries; i++) {
		if (!strcmp(scn->entries[i].key, key)) {
			scn->entries[i].used = true;
			return &scn->entries[i];
		}
	}
	return NULL;
}

/**
 * scn_str() - a string setting
 * @scn: scenario
 * @key: setting
 * @def: value when absent
 *
 * Return: the value.
 */
const char *scn_str(struct scn *scn, const char *key, const char *def)
{
	struct scn_entry *e = scn_find(scn, key);

	return e ? e->value : def;
}

/**
 * scn_u64() - an integer setting, range-checked
 * @scn: scenario
 * @key: setting
 * @def: value when absent
 * @min: smallest valid value
 * @max: largest valid value
 *
 * An invalid value is reported and counted in @scn->errors; @def is
 * returned so the caller can carry on and report every bad line at once.
 *
 * Return: the value.
 */
u64 scn_u64(struct scn *scn, const char *key, u64 def, u64 min, u64 max)
{
	struct scn_entry *e = scn_find(scn, key);
	unsigned long long v;
	char *end;

	if (!e)
		return def;
	errno = 0;
	v = strtoull(e->value, &end, 10);
	if (errno || *end || !isdigit((unsigned char)e->value[0]) || v < min ||
	    v > max) {
		fprintf(stderr, "mrmsim: %s:%d: %s must be an integer in [%llu, %llu]\n",
			scn->path, e->line, key, (unsigned long long)min,
			(unsigned long long)max);
		scn->errors++;
		return def;
	}
	return v;
}

/**
 * scn_check_unused() - report settings no scenario code read
 * @scn: scenario
 *
 * Return: the number of unused settings (each one printed).
 */
int scn_check_unused(const struct scn *scn)
{
	int i, bad = 0;

	for (i = 0; i < scn->n_entries; i++) {
		if (scn->entries[i].used)
			continue;
		fprintf(stderr, "mrmsim: %s:%d: unknown setting %s\n",
			scn->path, scn->entries[i].line, scn->entries[i].key);
		bad++;
	}
	return bad;
}

static bool scn_expect_holds(const struct scn_expect *e, s64 v)
{
	if (!strcmp(e->op, "<"))
		return v < e->value;
	if (!strcmp(e->op, "<="))
		return v <= e->value;
	if (!strcmp(e->op, ">"))
		return v > e->value;
	if (!strcmp(e->op, ">="))
		return v >= e->value;
	if (!strcmp(e->op, "=="))
		return v == e->value;
	return v >= e->value - e->tol && v <= e->value + e->tol;
}

/**
 * scn_check_expects() - evaluate every expectation against the results
 * @scn: scenario with its expectations
 * @out: results
 *
 * Each failure prints the key, its value and the bound.
 *
 * Return: the number of failed expectations (a missing key fails).
 */
int scn_check_expects(const struct scn *scn, const struct sim_out *out)
{
	const struct sim_result *r;
	const struct scn_expect *e;
	int i, failed = 0;

	for (i = 0; i < scn->n_expects; i++) {
		e = &scn->expects[i];
		r = sim_result_find(out, e->key);
		if (r && scn_expect_holds(e, r->value))
			continue;
		failed++;
		printf("FAIL %s:%d: %s = ", scn->path, e->line, e->key);
		if (r)
			sim_print_micro(stdout, r->value);
		else
			printf("(missing)");
		printf(", expected %s ", e->op);
		sim_print_micro(stdout, e->value);
		if (!strcmp(e->op, "~")) {
			printf(" +- ");
			sim_print_micro(stdout, e->tol);
		}
		printf("\n");
	}
	return failed;
}
