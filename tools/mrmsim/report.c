// SPDX-License-Identifier: GPL-2.0
/*
 * Results (key=value lines) and the CSV a scenario writes for its plot.
 * Non-integers are micro units, printed as decimals without floating
 * point.
 */
#include <stdlib.h>

#include "mrmsim.h"

#define SIM_DECIMALS_SHOWN 4
#define SIM_DECIMAL_STEP 100	/* 10^(6 - SIM_DECIMALS_SHOWN) */

/**
 * sim_print_micro() - print micro units as a decimal with 4 places
 * @f: stream
 * @value: micro units; rounded to the nearest 0.0001
 */
void sim_print_micro(FILE *f, s64 value)
{
	u64 mag = value < 0 ? -(u64)value : (u64)value;

	mag = (mag + SIM_DECIMAL_STEP / 2) / SIM_DECIMAL_STEP;
	fprintf(f, "%s%llu.%0*llu", value < 0 && mag ? "-" : "",
		(unsigned long long)(mag / (SIM_MICRO / SIM_DECIMAL_STEP)),
		SIM_DECIMALS_SHOWN,
		(unsigned long long)(mag % (SIM_MICRO / SIM_DECIMAL_STEP)));
}

static void sim_result_add(struct sim_out *out, const char *key, s64 value,
			   bool is_int)
{
	struct sim_result *r;

	if (out->n_results >= SIM_MAX_ENTRIES) {
		fprintf(stderr, "mrmsim: too many results\n");
		exit(2);
	}
	r = &out->results[out->n_results++];
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->value = value;
	r->is_int = is_int;
}

/**
 * sim_result_int() - record an integer result
 * @out: results
 * @key: key
 * @value: value
 */
void sim_result_int(struct sim_out *out, const char *key, s64 value)
{
	sim_result_add(out, key, value * SIM_MICRO, true);
}

/**
 * sim_result_micro() - record a result given in micro units
 * @out: results
 * @key: key
 * @value: value, micro units
 */
void sim_result_micro(struct sim_out *out, const char *key, s64 value)
{
	sim_result_add(out, key, value, false);
}

/**
 * sim_result_ratio() - record @num / @den as a decimal result
 * @out: results
 * @key: key
 * @num: numerator
 * @den: denominator; 0 records 0
 */
void sim_result_ratio(struct sim_out *out, const char *key, s64 num,
		      s64 den)
{
	sim_result_add(out, key, den ? num * SIM_MICRO / den : 0, false);
}

/**
 * sim_result_find() - look a result up by key
 * @out: results
 * @key: key
 *
 * Return: the result, or NULL.
 */
const struct sim_result *sim_result_find(const struct sim_out *out,
					 const char *key)
{
	int i;

	for (i = 0; i < out->n_results; i++)
		if (!strcmp(out->results[i].key, key))
			return &out->results[i];
	return NULL;
}

/**
 * sim_print_results() - print every result as key=value on stdout
 * @out: results
 */
void sim_print_results(const struct sim_out *out)
{
	const struct sim_result *r;
	int i;

	for (i = 0; i < out->n_results; i++) {
		r = &out->results[i];
		printf("%s=", r->key);
		if (r->is_int)
			printf("%lld", (long long)(r->value / SIM_MICRO));
		else
			sim_print_micro(stdout, r->value);
		printf("\n");
	}
}

/**
 * sim_csv_header() - write the CSV's header line, if a CSV is wanted
 * @out: output
 * @names: column names
 * @n: number of columns
 */
void sim_csv_header(struct sim_out *out, const char *const *names, int n)
{
	int i;

	if (!out->csv)
		return;
	for (i = 0; i < n; i++)
		fprintf(out->csv, "%s%s", i ? "," : "", names[i]);
	fputc('\n', out->csv);
}

/**
 * sim_csv_row() - write one CSV row of decimals, if a CSV is wanted
 * @out: output
 * @micro: values, micro units
 * @n: number of values
 */
void sim_csv_row(struct sim_out *out, const s64 *micro, int n)
{
	int i;

	if (!out->csv)
		return;
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', out->csv);
		sim_print_micro(out->csv, micro[i]);
	}
	fputc('\n', out->csv);
}
