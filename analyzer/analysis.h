/*
 * analysis.h - path-sensitive typestate analysis over one function's graph.
 *
 * In the style of ESP's property simulation (Das, Lerner, Seigle, PLDI 2002).
 * An abstract state holds:
 *   - the resources currently held (objects): which acquisition made each,
 *     and, while it is not yet known whether the acquisition succeeded, the
 *     value classes of its handle and of the call's status;
 *   - which variables refer to which object (as its handle or its status);
 *   - for other variables, the classes {negative, zero, positive} their value
 *     may be in, which lets correlated branches (`if (use_db)` twice) and
 *     null tests prune infeasible paths.
 * States reaching the same block are merged when they agree on the held
 * objects and the variables referring to them (their value classes are
 * joined), and kept apart otherwise.  Released, escaped and never-acquired
 * resources are dropped from the state at once, so the number of states
 * stays small on real code.  Each state carries one witness path (the steps
 * taken since the function's entry), shared between states as a persistent
 * list.
 *
 * The analysis knows nothing of libclang and nothing of YAML: it asks an
 * lg_oracle what a call does.  It reports leaks as lg_leak values in terms
 * of the graph; report.c turns them into findings.
 *
 * Ownership: lg_leaks owns its array and each leak's path; free with
 * lg_leaks_release().  lg_analyse() uses a private arena and frees it.
 * Thread safety: lg_analyse keeps no global state; run it on as many
 * functions at once as you like, with a read-only oracle.
 */
#ifndef LEAKGATE_ANALYSIS_H
#define LEAKGATE_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "diag.h"
#include "finding.h"
#include "rules.h"

/* What a call does to resources: the rules' table, and later summaries. */
struct lg_oracle {
	const struct lg_effect *(*lookup)(const void *ctx, const char *callee,
					  size_t *n);
	const void *ctx;
};

/* The oracle answering from a ruleset. */
struct lg_oracle lg_oracle_rules(const struct lg_ruleset *rs);

/* Limits per function.  Exceeding one is an error (the function was not
 * fully analysed), never a silent pass. */
struct lg_budget {
	uint32_t max_states_per_block; /* distinct states kept at one block */
	uint64_t max_steps;            /* block visits in total */
};

#define LG_BUDGET_DEFAULT { 512, 2000000 }

struct lg_leak {
	uint32_t acq_block, acq_event;  /* the acquiring CALL event */
	uint32_t resource;              /* index into the ruleset */
	enum lg_loss loss;
	struct lg_loc loss_loc;         /* the return, the kill, the overwrite */
	lg_var_id handle;               /* the variable that received it, or
					   LG_NOVAR (a temporary, a lock) */
	const char *lock_key;           /* arg-site acquisitions: "&m" (points
					   into the graph's arena) */
	lg_var_id lost_var;             /* SCOPE, OVERWRITE: the variable */
	int32_t *path;                  /* step indices after the acquisition,
					   in order (malloc'd) */
	uint32_t n_path;
};

struct lg_leaks {
	struct lg_leak *v;
	size_t n, cap;
};

#define LG_LEAKS_INIT { NULL, 0, 0 }

/*
 * Analyses `fn`, appending its leaks to `out` (one per acquisition per
 * place where it is lost, with the first witness path found).  Returns 0;
 * -1 with an error in `d` when the budget is exceeded (the leaks found so
 * far are kept) or memory runs out.
 */
int lg_analyse(const struct lg_fn *fn, const struct lg_oracle *oracle,
	       const struct lg_budget *budget, struct lg_leaks *out,
	       struct lg_diags *d);

void lg_leaks_release(struct lg_leaks *l);

#endif
