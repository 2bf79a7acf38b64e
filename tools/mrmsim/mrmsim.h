/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mrmsim: runs mrm's policy core (the .c files of host/policy, unchanged) in user
 * space against modelled VMs and checks the results against expectations
 * written in the scenario files.
 *
 * Numbers that are not integers are carried as fixed-point "micro" units
 * (value * 10^6) in an s64; nothing here uses floating point.
 */
#ifndef _MRMSIM_H
#define _MRMSIM_H

#include <stdio.h>

#include <mrm/plain.h>

/* 1.0 in micro units. */
#define SIM_MICRO 1000000LL
#define SIM_MAX_ENTRIES 128
#define SIM_MAX_TEXT 64

/**
 * struct scn_entry - one "key = value" line of a scenario file
 * @key: the key
 * @value: the value, as written
 * @line: line number, for messages
 * @used: the scenario read it (unused keys are reported as typos)
 */
struct scn_entry {
	char key[SIM_MAX_TEXT];
	char value[SIM_MAX_TEXT];
	int line;
	bool used;
};

/**
 * struct scn_expect - one "expect KEY OP VALUE [TOLERANCE]" line
 * @key: result key the expectation is about
 * @op: "<", "<=", ">", ">=", "==" or "~" (within @tol of @value)
 * @value: bound, micro units
 * @tol: tolerance for "~", micro units
 * @line: line number, for messages
 */
struct scn_expect {
	char key[SIM_MAX_TEXT];
	char op[4];
	s64 value;
	s64 tol;
	int line;
};

/**
 * struct scn - a parsed scenario file
 * @path: file it came from
 * @name: base name without directory and ".scn"
 * @entries: configuration lines
 * @n_entries: number of @entries
 * @expects: expectations
 * @n_expects: number of @expects
 * @errors: configuration errors found while the scenario read its keys
 */
struct scn {
	const char *path;
	char name[SIM_MAX_TEXT];
	struct scn_entry entries[SIM_MAX_ENTRIES];
	int n_entries;
	struct scn_expect expects[SIM_MAX_ENTRIES];
	int n_expects;
	int errors;
};

/**
 * struct sim_result - one printed result
 * @key: result key
 * @value: value, micro units
 * @is_int: print as an integer
 */
struct sim_result {
	char key[SIM_MAX_TEXT];
	s64 value;
	bool is_int;
};

/**
 * struct sim_out - what a scenario produces
 * @results: key=value results, in print order
 * @n_results: number of @results
 * @csv: CSV file for the plot, or NULL when not asked for
 */
struct sim_out {
	struct sim_result results[SIM_MAX_ENTRIES];
	int n_results;
	FILE *csv;
};

int scn_load(struct scn *scn, const char *path);
const char *scn_str(struct scn *scn, const char *key, const char *def);
u64 scn_u64(struct scn *scn, const char *key, u64 def, u64 min, u64 max);
int scn_check_unused(const struct scn *scn);
int scn_check_expects(const struct scn *scn, const struct sim_out *out);
int sim_parse_micro(const char *text, s64 *out);

void sim_result_int(struct sim_out *out, const char *key, s64 value);
void sim_result_micro(struct sim_out *out, const char *key, s64 value);
void sim_result_ratio(struct sim_out *out, const char *key, s64 num,
		      s64 den);
const struct sim_result *sim_result_find(const struct sim_out *out,
					 const char *key);
void sim_print_micro(FILE *f, s64 value);
void sim_print_results(const struct sim_out *out);
void sim_csv_header(struct sim_out *out, const char *const *names, int n);
void sim_csv_row(struct sim_out *out, const s64 *micro, int n);

int sc_idle_tax(struct scn *scn, struct sim_out *out);
int sc_estimator(struct scn *scn, struct sim_out *out);
int sc_states(struct scn *scn, struct sim_out *out);
int sc_overcommit(struct scn *scn, struct sim_out *out);

#endif /* _MRMSIM_H */
