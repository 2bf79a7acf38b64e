// SPDX-License-Identifier: GPL-2.0
/*
 * mrmsim [-o DIR] SCENARIO.scn
 *
 * Runs one scenario, prints its results as key=value lines, writes
 * DIR/<name>.csv for the plot when -o is given, and checks the scenario's
 * expectations.  Exit status: 0 all expectations hold, 1 one failed,
 * 2 the scenario itself is broken (bad file, unknown setting).
 */
#include <stdlib.h>
#include <unistd.h>

#include "mrmsim.h"

#define SIM_PATH_MAX 512

struct sim_model {
	const char *name;
	int (*run)(struct scn *scn, struct sim_out *out);
};

static const struct sim_model sim_models[] = {
	{ "idle-tax", sc_idle_tax },
	{ "estimator", sc_estimator },
	{ "states", sc_states },
	{ "overcommit", sc_overcommit },
};

static int print_usage(void)
{
	fprintf(stderr, "usage: mrmsim [-o DIR] SCENARIO.scn\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct sim_out out;
	static struct scn scn;
	char csv_path[SIM_PATH_MAX];
	const char *dir = NULL, *model;
	int opt, err, failed;
	size_t i;

	while ((opt = getopt(argc, argv, "o:")) != -1) {
		if (opt != 'o')
			return print_usage();
		dir = optarg;
	}
	if (optind != argc - 1)
		return print_usage();
	if (scn_load(&scn, argv[optind]))
		return 2;

	if (dir) {
		snprintf(csv_path, sizeof(csv_path), "%s/%s.csv", dir,
			 scn.name);
		out.csv = fopen(csv_path, "w");
		if (!out.csv) {
			fprintf(stderr, "mrmsim: cannot write %s\n", csv_path);
			return 2;
		}
	}

	model = scn_str(&scn, "scenario", "");
	err = -ENOENT;
	for (i = 0; i < ARRAY_SIZE(sim_models); i++)
		if (!strcmp(model, sim_models[i].name))
			err = sim_models[i].run(&scn, &out);
	if (out.csv)
		fclose(out.csv);
	if (err == -ENOENT)
		fprintf(stderr, "mrmsim: %s: unknown scenario '%s'\n",
			scn.path, model);
	else if (err)
		fprintf(stderr, "mrmsim: %s: scenario did not run: %s\n",
			scn.path, strerror(-err));
	if (err || scn.errors || scn_check_unused(&scn))
		return 2;

	sim_print_results(&out);
	failed = scn_check_expects(&scn, &out);
	return failed ? 1 : 0;
}
