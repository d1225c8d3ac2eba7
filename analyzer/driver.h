/*
 * driver.h - runs the pipeline over many translation units.
 *
 * For each compile command: front end (parse, lower) -> analysis -> report,
 * one translation unit per worker thread, each worker with its own
 * lg_frontend.  Results are gathered per translation unit and merged in input
 * order, so the output does not depend on scheduling.  The driver neither
 * prints nor exits: findings and diagnostics come back as values.
 */
#ifndef LEAKGATE_DRIVER_H
#define LEAKGATE_DRIVER_H

#include <stdio.h>

#include "analysis.h"
#include "compdb.h"
#include "diag.h"
#include "finding.h"
#include "rules.h"

struct lg_driver_opts {
	const struct lg_ruleset *rules;
	struct lg_budget budget;
	int jobs;             /* worker threads; < 1 means 1 */
	const char *cwd;      /* for displaying paths */
	FILE *dump_cfg;       /* developer: when set, each lowered function's
				 graph is written here (in input order) */
};

/*
 * Analyses every command of `db`.  Findings go to `out` (unsorted), problems
 * to `d`.  Returns 0 when every file was parsed and fully analysed, -1
 * otherwise (the findings of the files that worked are still in `out`).
 */
int lg_driver_run(const struct lg_driver_opts *o, const struct lg_compdb *db,
		  struct lg_findings *out, struct lg_diags *d);

#endif
