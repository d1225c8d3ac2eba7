/*
 * analysis.h - path-sensitive typestate analysis over one function's graph.
 *
 * In the style of ESP's property simulation (Das, Lerner, Seigle, PLDI 2002).
 * Each acquisition site is tracked in a run of its own.  An abstract state
 * holds:
 *   - the resource of that site while it may be held (an object): which
 *     call made it, and, while it is not known whether the acquisition
 *     succeeded, the value classes of its handle and of the call's status;
 *   - which variables refer to it (as its handle or as its status);
 *   - for other variables, the classes {negative, zero, positive} their value
 *     may be in, which lets correlated branches (`if (use_db)` twice) and
 *     null tests prune infeasible paths.
 * States reaching the same block are merged when they agree on the object
 * and the variables referring to it (value classes are joined), and kept
 * apart otherwise.  Each state carries one witness path, shared between
 * states as a persistent list.
 *
 * Two uses of the same machinery:
 *   - lg_analyse() reports leaks: where a resource is lost while held;
 *   - lg_analyse_outcomes() tracks, besides the acquisition sites, what the
 *     function does to each parameter (and to what a parameter points to,
 *     one level deep) and to each global lock it touches, and records the
 *     fate of each at every return.  summary.c turns those outcomes into the
 *     function's summary.
 *
 * The analysis knows nothing of libclang and nothing of YAML: it asks an
 * lg_oracle what a call does (rules, then summaries).
 *
 * Ownership: lg_leaks and lg_outcomes own their arrays and strings; free with
 * their _release functions.  Nothing global: run it on as many functions at
 * once as you like, with a read-only oracle.
 */
#ifndef LEAKGATE_ANALYSIS_H
#define LEAKGATE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "diag.h"
#include "finding.h"
#include "rules.h"

/* What a call does to resources: the rules' table, then summaries.
 * lookup() returns the call's effects (*n of them) and sets *known when the
 * callee's body was analysed (a summary): then an argument the effects do
 * not name is only borrowed, even by address. */
struct lg_oracle {
	const struct lg_effect *(*lookup)(const void *ctx,
					  const struct lg_event *call, size_t *n,
					  bool *known);
	const void *ctx;
};

/* The oracle answering from a ruleset only (by callee name). */
struct lg_oracle lg_oracle_rules(const struct lg_ruleset *rs);

/* Limits per function, and the time a file may take.  Exceeding one is an
 * error (the function was not fully analysed), never a silent pass; with
 * `warn` (the user's --allow-over-budget) it is a warning instead, and the
 * function's result is marked incomplete. */
struct lg_budget {
	uint32_t max_states_per_block; /* distinct states kept at one block */
	uint64_t max_steps;            /* block visits in total */
	double max_seconds;            /* per file: parsing and analysing it;
					  0: no limit.  The driver turns it
					  into `deadline`. */
	double deadline;               /* lg_now() after which the analysis
					  of this function stops; 0: none */
	bool warn;                     /* over budget: warn, do not fail */
};

#define LG_BUDGET_DEFAULT { 512, 2000000, 120.0, 0.0, false }

/* Seconds on the monotonic clock (the unit of lg_budget.deadline). */
double lg_now(void);

struct lg_leak {
	uint32_t acq_block, acq_event;  /* the acquiring CALL event */
	uint32_t resource;              /* index into the ruleset */
	char *via;                      /* the wrapper chain, or NULL */
	enum lg_loss loss;
	struct lg_loc loss_loc;         /* the return, the kill, the overwrite */
	char *handle;                   /* what held it when acquired: "conn",
					   "s.conn", "&m"; NULL for a call's
					   unnamed result */
	char *lost;                     /* SCOPE, OVERWRITE: the variable */
	bool lost_is_temp;              /* ... which is a call's result */
	int32_t *path;                  /* step indices after the acquisition,
					   in order */
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
 * far are kept) or memory runs out; LG_OVER_BUDGET with a warning in `d`
 * when the budget is exceeded and `budget->warn` is set.
 */
#define LG_OVER_BUDGET 1

int lg_analyse(const struct lg_fn *fn, const struct lg_oracle *oracle,
	       const struct lg_budget *budget, struct lg_leaks *out,
	       struct lg_diags *d);

/* A new, zeroed leak at the end of `l`, or NULL when memory runs out. */
struct lg_leak *lg_leaks_push(struct lg_leaks *l);

/* Appends a deep copy of `src` to `l`.  0, or -1 when memory runs out. */
int lg_leaks_push_copy(struct lg_leaks *l, const struct lg_leak *src);

void lg_leaks_release(struct lg_leaks *l);

/* ---- outcomes, for summaries ------------------------------------------- */

enum lg_fate {
	LG_FATE_NONE,      /* this path never acquired it */
	LG_FATE_HELD,      /* still held, and the function keeps no way to it */
	LG_FATE_RELEASED,  /* released (or proven NULL: nothing to release) */
	LG_FATE_ESCAPED,   /* stored, handed on, given to a callback */
	LG_FATE_RETURNED,  /* the return value */
	LG_FATE_OUT,       /* left in a place a parameter points to */
};

#define LG_PATH_MAX 64

struct lg_exit {
	uint8_t fate;
	uint8_t retmask;   /* the classes of the value returned on this path */
	bool failed;       /* a test on this path showed the acquisition failed */
	bool if_empty;     /* OUT: put there only because the place was empty */
	int out_arg;       /* OUT: the parameter whose place holds it ... */
	char out_path[LG_PATH_MAX]; /* ... and the place: "*", "->conn" */
};

enum lg_track {
	LG_TRACK_ACQUIRE,  /* an acquiring call of the function */
	LG_TRACK_PARAM,    /* what the caller passed in a parameter (or left in
			      the place a parameter points to) */
	LG_TRACK_GLOBAL,   /* a lock outside the function, named by its text */
};

struct lg_outcome {
	enum lg_track track;
	uint32_t blk, ev;               /* ACQUIRE: the call */
	const struct lg_effect *effect; /* ACQUIRE: its effect */
	const char *callee;             /* ACQUIRE: the called function */
	bool is_lock;                   /* ACQUIRE: of an ARG-site resource */
	struct lg_opnd lock;            /* ACQUIRE lock: the operand locked */
	bool releases_kind;             /* the function releases a resource of
					   this kind somewhere */
	int lock_arg;                   /* ACQUIRE lock: the parameter it is
					   reached from (-1: none) ... */
	char lock_path[LG_PATH_MAX];    /* ... and the place ("" : the
					   parameter itself) */
	lg_var_id var;                  /* PARAM: the parameter or its place */
	int param;                      /* PARAM: which parameter ... */
	char path[LG_PATH_MAX];         /* ... and the place below it ("": the
					   parameter itself) */
	const char *key;                /* GLOBAL: the lock's text */
	struct lg_exit *exits;          /* one per (return, state) reached */
	uint32_t n_exits;
};

struct lg_outcomes {
	struct lg_outcome *v;
	size_t n, cap;
};

#define LG_OUTCOMES_INIT { NULL, 0, 0 }

/* Which parameters (path "") and places below them (`p->conn`, `*out`)
 * are worth a run: those some caller can hand a resource in (demand.h).
 * NULL, or a NULL `wants`: every one. */
struct lg_wanted {
	bool (*wants)(const void *ctx, int arg, const char *path);
	const void *ctx;
};

/* Tracks every acquisition site, wanted parameter and place below one,
 * and global lock of `fn` and records their fates at each return.  0, or
 * -1 with an error in `d`; LG_OVER_BUDGET (and a warning) as lg_analyse(). */
int lg_analyse_outcomes(const struct lg_fn *fn, const struct lg_oracle *oracle,
			const struct lg_budget *budget, const struct lg_wanted *wanted,
			struct lg_outcomes *out, struct lg_diags *d);

void lg_outcomes_release(struct lg_outcomes *o);

/* Can `fn` return at all?  False when every path ends in a call that does
 * not (exit(), or a summary's STOP). */
bool lg_returns(const struct lg_fn *fn, const struct lg_oracle *oracle);

/* The class bits (LG_CLASS_*) in which `x REL k` can hold. */
uint8_t lg_rel_classes(enum lg_rel rel, int64_t k);

#endif
