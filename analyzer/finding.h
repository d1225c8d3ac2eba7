/*
 * finding.h - a leak, as data.
 *
 * The analysis reports leaks in terms of its own graph (analysis.h); the
 * driver turns each into an lg_finding, with file names, the function's name,
 * the handle's name, the source line of the exit and the path spelled out as
 * steps.  Findings then go through the post-processing chain (sorting and
 * de-duplication here; later passes in the gate) and to exactly one output
 * format (output.h).  Nothing in this module prints.
 *
 * Ownership: an lg_findings owns every finding and every string in it.
 * lg_findings_push() takes ownership of the finding it is given (all its
 * strings must be heap-allocated); lg_findings_release() frees everything.
 */
#ifndef LEAKGATE_FINDING_H
#define LEAKGATE_FINDING_H

#include <stddef.h>

#include "rules.h"

/* How the resource was lost. */
enum lg_loss {
	LG_LOSS_RETURN,    /* the function returns (or ends) with it held */
	LG_LOSS_SCOPE,     /* the last variable holding it goes out of scope */
	LG_LOSS_OVERWRITE, /* the only reference to it is overwritten */
};

enum lg_step_kind {
	LG_STEP_ACQUIRE,   /* the acquisition (always the first step) */
	LG_STEP_BRANCH,    /* a branch taken: if, ?:, &&, ||, loop condition */
	LG_STEP_CASE,      /* a switch case or default taken */
	LG_STEP_JUMP,      /* goto, break, continue */
	LG_STEP_LOSS,      /* where the resource is lost (always the last) */
};

struct lg_step {
	enum lg_step_kind kind;
	char *file;
	unsigned line, col;
	char *message;     /* e.g. "taking the true branch of 'if (!ok)'" */
};

struct lg_finding {
	char *rule_id;        /* the resource's id */
	enum lg_kind kind;
	char *function;       /* the function that leaks */
	char *handle;         /* the handle's name: "conn", "&ctx->mu", or the
				 acquiring call's text when nothing names it */
	char *acquirer;       /* the acquiring function's name, "pool_acquire" */
	enum lg_loss loss;

	char *file;           /* where the resource is lost */
	unsigned line, col;
	char *source_line;    /* that line of source, without newline; may be
				 NULL when it could not be read */

	char *acq_file;       /* where it was acquired */
	unsigned acq_line, acq_col;

	char *message;        /* the headline, e.g. "connection 'conn' acquired
				 by pool_acquire() at line 12 is still held
				 when the function returns here" */
	struct lg_step *steps; /* acquisition, branches, loss: in path order */
	size_t n_steps;

	char *fix_text;       /* a safe fix, or NULL: this text (one or more
				 whole lines, each ending in "\n", indented
				 like the exit) inserted before line fix_line
				 of `file`; e.g. the release call before the
				 leaking return */
	unsigned fix_line;

	char *anchor_file;    /* set by the diff filter: the place on the path
				 that the change touches (the exit when it
				 does), where a review comment can go; NULL
				 without a diff filter */
	unsigned anchor_line;

	char *fingerprint;    /* hex digest of rule, function, handle, acquirer,
				 loss kind and the step messages: it does not
				 change when unrelated lines move */
};

struct lg_findings {
	struct lg_finding *v;
	size_t n, cap;
};

#define LG_FINDINGS_INIT { NULL, 0, 0 }

void lg_findings_init(struct lg_findings *fs);

/* Moves *f into fs (a shallow copy) and leaves *f zeroed.  0, or -1 when
 * out of memory, in which case *f has been released: either way the caller
 * no longer owns it. */
int lg_findings_push(struct lg_findings *fs, struct lg_finding *f);

/* Appends every finding of src to dst and leaves src empty.  If dst cannot
 * grow, nothing moves and src keeps its findings (src->n != 0). */
void lg_findings_move(struct lg_findings *dst, struct lg_findings *src);

/* Sorts, stably, by file, line, column, rule id, acquisition file, line and
 * column, then fingerprint; then drops every finding equal to the one before
 * it on all of these but the fingerprint, so the first (smallest
 * fingerprint) is kept: one report per leak and place. */
void lg_findings_sort_unique(struct lg_findings *fs);

/* Computes f->fingerprint (64 hex digits of SHA-256) from rule id,
 * function, handle, acquirer, loss kind and each step's kind and message:
 * no file, line or column, nor the headline.  0, or -1 when out of memory. */
int lg_finding_fingerprint(struct lg_finding *f);

void lg_finding_release(struct lg_finding *f);
void lg_findings_release(struct lg_findings *fs);

#endif
