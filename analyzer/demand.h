/*
 * demand.h - which parameters of a function, and places below them, its
 * callers can hand it a resource in.
 *
 * A summary says what a function does to each parameter and to the places
 * below it (`p->conn`, `*out`).  Each of those places costs a path-sensitive
 * run, and in real code most of them never hold anything: SQLite passes
 * `Vdbe *p` down dozens of calls, and no caller ever keeps a statement or a
 * lock in `p->pc`.  The demand is computed before the summaries, from the
 * graphs alone, top down from what can hold a resource:
 *   - what an acquiring call returns or writes (rules, or a function whose
 *     body, or a callee's, acquires), and the lock it takes;
 *   - the places of a function's own parameters that its callers demand;
 *   - copies of those;
 * a call that hands one of them to a function of the project demands the
 * corresponding parameter, or place of that parameter.  Anything the
 * analysis could bind is over-approximated: a parameter or place left out
 * is one no caller can hold a resource in, so its effect could not matter
 * to any of them.  Where a caller's analysis reads more of a summary than
 * the effects on what it follows, the call demands every parameter (a run
 * that follows a lock, which an unlock through any pointer may release;
 * `x = g(x)`; a callee that returns a resource; realloc).
 *
 * Ownership: an lg_demand owns its sets; the graphs must outlive it.
 */
#ifndef LEAKGATE_DEMAND_H
#define LEAKGATE_DEMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "hash.h"
#include "rules.h"

struct lg_demand;

/* Finds a function of the project by id: its index in `fns`, or SIZE_MAX. */
typedef size_t (*lg_fn_resolver)(const void *ctx, const char *id);

/* The demand on each of `fns`; NULL when memory runs out.  Each
 * function's own part is read on up to `jobs` threads (`resolve` is called
 * from all of them). */
struct lg_demand *lg_demand_compute(struct lg_fn *const *fns, size_t n,
				    const struct lg_ruleset *rules,
				    lg_fn_resolver resolve, const void *resolve_ctx,
				    int jobs);

/* Does some caller demand place `path` ("->conn", "*") below parameter
 * `arg` of function `i`, or ("") the parameter itself? */
bool lg_demand_wants(const struct lg_demand *d, size_t i, int arg, const char *path);

/* Feeds the demand on function `i` to a digest (it changes its summary). */
void lg_demand_hash(const struct lg_demand *d, size_t i, struct lg_sha256 *h);

/* How many places below parameters are demanded, of how many that exist
 * as variables in the graphs (figures for --stats). */
void lg_demand_counts(const struct lg_demand *d, size_t *wanted, size_t *places);

void lg_demand_free(struct lg_demand *d);

#endif
