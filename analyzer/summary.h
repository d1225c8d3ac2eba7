/*
 * summary.h - what each function does to resources, for its callers.
 *
 * A summary is a list of effects in the rules' own vocabulary (rules.h's
 * lg_effect), so that a caller uses it exactly as it uses a rule:
 *   - acquire, returned:      `struct conn *get_conn(void)` (a wrapper)
 *   - acquire, out-parameter: `int open_conn(struct conn **out)`, possibly
 *                             only when it returns certain values (mask)
 *   - acquire, a lock:        `void db_lock(struct db *d)` (d->mu), or a
 *                             global lock (`&g_lock`)
 *   - release:                of a parameter, or of a place it points to
 *                             (`session_close(&s)` releases s.conn), on
 *                             every path or only when it returns certain
 *                             values (mask)
 *   - transfer:               the parameter is stored or handed on
 * A parameter the summary does not name is only borrowed.
 *
 * Summaries are computed by the same analysis (lg_analyse_outcomes), bottom
 * up over the call graph: strongly connected components in reverse
 * topological order, each iterated until its summaries stop changing, so
 * recursion terminates.  Functions are identified by their id (libclang's
 * USR), so two static functions of the same name in two files never mix.
 *
 * Ownership: an lg_summaries owns every summary and every string in it; the
 * oracle and the effects it hands out stay valid until
 * lg_summaries_release().  After lg_summaries_compute() the table is
 * read-only and may be used from several threads.
 */
#ifndef LEAKGATE_SUMMARY_H
#define LEAKGATE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis.h"
#include "cfg.h"
#include "diag.h"
#include "rules.h"

struct lg_summary {
	char *id;                   /* the function's id (USR) */
	char *name;                 /* its name */
	struct lg_effect *effects;  /* field, key and via strings owned */
	size_t n_effects;
	bool usable;                /* computed in full (not over a budget) */
	char digest[65];            /* of everything the function's summary and
				       findings depend on: its graph, the
				       rules, the places its callers demand,
				       its callees' summaries ("" unless
				       lg_summaries.digests) */
	bool from_memo;             /* taken from a previous run */
};

/* A previous run's summary of a function, offered for reuse: taken when
 * its digest is the digest computed now. */
struct lg_summary_memo {
	const char *digest;
	const struct lg_effect *effects;
	size_t n_effects;
	bool usable;
};

struct lg_summaries {
	const struct lg_ruleset *rules;
	const char *rules_digest;   /* goes into every digest; may be NULL */
	struct lg_summary **table;  /* open hashing by id */
	size_t cap, used;
	size_t computed, reused;    /* how many summaries were computed, taken
				       from memos (figures for --stats) */
	int jobs;                   /* threads for lg_summaries_compute: the
				       call graph's independent components are
				       summarised in parallel (< 1: one) */
	bool digests;               /* compute each summary's digest (for a
				       cache, and to take memos) */
};

void lg_summaries_init(struct lg_summaries *s, const struct lg_ruleset *rules);

/* Computes the summaries of the `n` functions (from any number of
 * translation units).  0, or -1 when memory runs out.  A function whose
 * body is over budget gets no usable summary (its callers then treat it as
 * unknown); the budget error itself is reported when the function is
 * checked. */
int lg_summaries_compute(struct lg_summaries *s, struct lg_fn *const *fns,
			 size_t n, const struct lg_budget *budget,
			 const struct lg_summary_memo *const *memos);

/* `memos` may be NULL; else memos[i] (or NULL) is offered for fns[i], whose
 * graph digest is fns[i]->digest. */

/* Copies `n` effects, strings included (malloc'd; free with
 * lg_effects_free). */
struct lg_effect *lg_effects_copy(const struct lg_effect *e, size_t n);
void lg_effects_free(struct lg_effect *e, size_t n);

/* Rules first (by callee name), then summaries (by callee id). */
struct lg_oracle lg_summaries_oracle(const struct lg_summaries *s);

const struct lg_summary *lg_summaries_find(const struct lg_summaries *s,
					   const char *id);

/* One block per function, sorted by name then id; stable text. */
void lg_summaries_dump(const struct lg_summaries *s, FILE *out);

void lg_summaries_release(struct lg_summaries *s);

#endif
