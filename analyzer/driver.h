/*
 * driver.h - runs the pipeline over many translation units.
 *
 * Three phases:
 *   1. front end, in parallel: each translation unit is parsed and its
 *      functions lowered into graphs (one lg_frontend per worker thread);
 *   2. summaries, over every function of every unit at once, bottom up over
 *      the call graph, so that a wrapper in db.c serves a caller in login.c;
 *   3. checking, in parallel: each function is analysed with every summary
 *      in hand and its leaks become findings.
 * With a cache (cache.h), a unit none of whose files changed is not parsed,
 * and a function none of whose inputs changed is neither summarised nor
 * checked again.
 * Results are gathered per translation unit and merged in input order, so
 * the output does not depend on scheduling.  The driver neither prints nor
 * exits: findings and diagnostics come back as values.
 */
#ifndef LEAKGATE_DRIVER_H
#define LEAKGATE_DRIVER_H

#include <stdio.h>

#include "analysis.h"
#include "compdb.h"
#include "diag.h"
#include "finding.h"
#include "frontend.h"
#include "rules.h"

struct lg_driver_opts {
	const struct lg_ruleset *rules;
	struct lg_budget budget;
	int jobs;             /* worker threads; < 1 means 1 */
	const char *cwd;      /* for displaying paths */
	FILE *dump_cfg;       /* developer: each lowered function's graph */
	FILE *dump_summaries; /* every function's summary */
	const char *cache_dir;    /* NULL: no cache (cache.h) */
	const struct lg_unsaved *unsaved; /* contents to parse in place of the
					     disk's (see frontend.h) */
	size_t n_unsaved;
	const char *const *changed;   /* NULL, or the files a change touches
					 (absolute, NULL-terminated): only the
					 units that read one of them are
					 checked (all are still summarised) */
	const char *rules_digest; /* what the cache keys on for the rules */
	/* --shard K/N (1 <= K <= N; N == 0: no sharding): every unit is still
	 * parsed (or read from the cache) and summarised, so that summaries
	 * cross shards, but only the units of shard K are checked.  The units
	 * are dealt out by cost (the size of the main file), largest first,
	 * each to the shard with the least so far: the same split on every
	 * machine that has the same checkout. */
	unsigned shard_k, shard_n;
	/* Told after each unit of each phase ("parsing", "checking"), from a
	 * worker thread but never from two at once; NULL: nothing told. */
	void (*progress)(void *ctx, const char *phase, size_t done, size_t total,
			 const char *file);
	void *progress_ctx;
};

/* What a run did, for --stats and the tests of the cache. */
struct lg_driver_stats {
	size_t units, units_parsed, units_cached;
	size_t functions, summaries_computed, summaries_reused;
	size_t functions_checked, functions_reused;
	size_t units_skipped;      /* not affected by the change: not checked */
	size_t units_other_shards; /* in another shard: not checked */
	double parse_s, summarise_s, check_s;  /* wall time of each phase */
};

/*
 * Analyses every command of `db`.  Findings go to `out` (unsorted), problems
 * to `d`.  Returns 0 when every file was parsed and fully analysed, -1
 * otherwise (the findings of the files that worked are still in `out`).
 */
int lg_driver_run(const struct lg_driver_opts *o, const struct lg_compdb *db,
		  struct lg_findings *out, struct lg_diags *d,
		  struct lg_driver_stats *stats);

#endif
