/*
 * cfg.h - leakgate's own control-flow graph of resource events.
 *
 * The front end (frontend.c) lowers each function body into one lg_fn: basic
 * blocks of events, each block ending in a terminator.  The graph knows
 * nothing of libclang and nothing of the rules: a call is just a callee name
 * and its argument operands; which calls acquire or release is decided later
 * by the analysis through the rules' effect table.  Tests build graphs by
 * hand with the lg_fn_* builder functions below and compare lg_fn_dump().
 *
 * What is in the graph:
 *   - variables: the function's parameters and locals, and temporaries the
 *     front end makes for call results whose value is used (LG_VAR_TEMP);
 *   - events, in evaluation order: CALL, ASSIGN, ESCAPE, KILL;
 *   - terminators: GOTO (one edge), BRANCH (edges guarded by tests on a
 *     variable: the condition that must hold to take that edge), RETURN,
 *     STOP (a call that does not return);
 *   - path steps: an edge may name a step (a branch taken, a case, a goto,
 *     a break or continue) so that findings can spell the path out.
 * What is left out on purpose: arithmetic, memory other than local variables
 * (a store anywhere else is an ESCAPE), and types.
 *
 * Ownership: everything hanging off an lg_fn is allocated from fn->arena and
 * freed by lg_fn_free().  Strings passed to the builder are copied.
 * Invariants: block 0 is the entry; every block has a terminator once the
 * front end is done (lg_fn_check() verifies it); edges only point at blocks
 * of the same function.
 */
#ifndef LEAKGATE_CFG_H
#define LEAKGATE_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"

typedef uint32_t lg_var_id;
#define LG_NOVAR UINT32_MAX

enum lg_var_kind {
	LG_VAR_PARAM,
	LG_VAR_LOCAL,
	LG_VAR_TEMP,   /* a call's result, alive until the end of its statement */
	LG_VAR_FIELD,  /* a place one level below another variable: a field of
			  a local struct (`s.conn`), or what a parameter points
			  to (`p->conn`, `*p`) */
};

struct lg_var {
	const char *name;      /* "conn", "s.conn", "p->conn", "*p";
				  temporaries are named "%tN" */
	enum lg_var_kind kind;
	lg_var_id parent;      /* FIELD: the variable it lies in; else LG_NOVAR */
	const char *path;      /* FIELD: ".conn", "->conn" or "*"; else NULL */
	int is_pointer;        /* its type is a pointer (a NULL test applies) */
};

/* Source positions: `file` indexes lg_fn.files; line and column are 1-based
 * and are those of the expansion site for code written by a macro. */
struct lg_loc {
	uint32_t file, line, col;
};

enum lg_opnd_kind {
	LG_OPND_UNKNOWN, /* a value the analysis does not follow */
	LG_OPND_VAR,     /* the value of variable `var` */
	LG_OPND_ADDR,    /* &var */
	LG_OPND_CONST,   /* integer or null-pointer constant `k` */
	LG_OPND_LVAL,    /* an object outside the locals (&ctx->mu, g_lock, ptr->f)
			    named by the text `key` ("ctx->mu"); used to match
			    a lock with its unlock */
};

struct lg_opnd {
	enum lg_opnd_kind kind;
	lg_var_id var;     /* VAR, ADDR */
	int64_t k;         /* CONST */
	const char *key;   /* LVAL: normalised source text, no spaces */
};

enum lg_ev_kind {
	LG_EV_CALL,    /* ret = callee(args...); ret may be LG_NOVAR */
	LG_EV_ASSIGN,  /* dst = src */
	LG_EV_ESCAPE,  /* src is stored where the analysis does not follow it */
	LG_EV_KILL,    /* the scope of dst ends (its value is gone) */
};

struct lg_event {
	enum lg_ev_kind kind;
	struct lg_loc loc;
	lg_var_id dst;          /* ASSIGN, KILL: the variable; CALL: the result */
	struct lg_opnd src;     /* ASSIGN, ESCAPE */
	const char *callee;     /* CALL: the function's name; NULL when the call
				   goes through a pointer */
	const char *callee_id;  /* CALL: the callee's unique id (libclang USR:
				   static functions include their file); NULL
				   when the call goes through a pointer */
	struct lg_opnd *args;   /* CALL */
	uint32_t n_args;
	const char *text;       /* CALL: the call's source text, shortened */
};

enum lg_rel {
	LG_REL_NONE,  /* no constraint: the edge may always be taken */
	LG_REL_EQ, LG_REL_NE, LG_REL_LT, LG_REL_LE, LG_REL_GT, LG_REL_GE,
	LG_REL_MASK_ZERO,    /* (var & k) == 0 */
	LG_REL_MASK_NONZERO, /* (var & k) != 0 */
};

/* The condition under which an edge is taken: `var REL k`. */
struct lg_test {
	enum lg_rel rel;
	lg_var_id var;
	int64_t k;
};

enum lg_pstep_kind {
	LG_PSTEP_TRUE,      /* condition `text` of construct `context` is true */
	LG_PSTEP_FALSE,
	LG_PSTEP_CASE,      /* `text` is "case 3" or "default" of `context` */
	LG_PSTEP_GOTO,      /* text: the label */
	LG_PSTEP_BREAK,
	LG_PSTEP_CONTINUE,
};

struct lg_pstep {
	enum lg_pstep_kind kind;
	struct lg_loc loc;
	const char *text;       /* the condition's text, the case, the label */
	const char *context;    /* "if (!ok)", "while (n > 0)", "switch (op)";
				   NULL when `text` is the whole condition */
	int is_loop;            /* TRUE/FALSE of a loop condition */
};

struct lg_edge {
	uint32_t to;            /* block index */
	struct lg_test test;
	int32_t step;           /* index into lg_fn.steps, or -1 */
};

enum lg_term_kind {
	LG_TERM_NONE,    /* still being built */
	LG_TERM_GOTO,    /* edges[0] */
	LG_TERM_BRANCH,  /* every edge whose test holds may be taken */
	LG_TERM_RETURN,  /* the function returns `ret` */
	LG_TERM_STOP,    /* a call that never returns */
};

struct lg_block {
	struct lg_event *ev;
	uint32_t n_ev, cap_ev;
	struct lg_edge *edges;
	uint32_t n_edges, cap_edges;
	enum lg_term_kind term;
	struct lg_opnd ret;     /* RETURN: the returned value */
	struct lg_loc term_loc; /* RETURN: the return statement (or the
				   closing brace); STOP: the call */
	int implicit_return;    /* RETURN reached by falling off the end */
	int fix_safe;           /* RETURN: a line inserted before the return
				   statement runs right before it (it sits in
				   a block, not as an if's lone body, and no
				   macro wrote it) */
};

struct lg_fn {
	struct lg_arena arena;
	const char *name;
	const char *id;           /* unique id (USR), as callee_id names it */
	const char *digest;       /* SHA-256 of the graph's serialised form, set
				     by the cache; NULL when not computed */
	struct lg_loc loc;        /* the function's name in its definition */
	const char **files;       /* file names used by lg_loc.file */
	uint32_t n_files, cap_files;
	struct lg_var *vars;
	uint32_t n_vars, cap_vars;
	struct lg_block *blocks;
	uint32_t n_blocks, cap_blocks;
	struct lg_pstep *steps;
	uint32_t n_steps, cap_steps;
};

/* Building.  Every function returns a negative value (or LG_NOVAR, or NULL)
 * only when memory runs out; callers check once, at the end, lg_fn_check. */
struct lg_fn *lg_fn_new(const char *name);
void lg_fn_free(struct lg_fn *fn);
/* The graph is complete: the memory kept for growing it goes back (the
 * graph can still be changed afterwards, at the cost of new memory). */
void lg_fn_trim(struct lg_fn *fn);
uint32_t lg_fn_file(struct lg_fn *fn, const char *path);
lg_var_id lg_fn_var(struct lg_fn *fn, const char *name, enum lg_var_kind kind);
/* The FIELD variable `path` below `parent`, made on first use. */
lg_var_id lg_fn_field(struct lg_fn *fn, lg_var_id parent, const char *path);
uint32_t lg_fn_block(struct lg_fn *fn);
struct lg_event *lg_fn_event(struct lg_fn *fn, uint32_t block,
			     enum lg_ev_kind kind, struct lg_loc loc);
struct lg_event *lg_fn_call(struct lg_fn *fn, uint32_t block,
			    struct lg_loc loc, const char *callee,
			    const struct lg_opnd *args, uint32_t n_args,
			    lg_var_id ret, const char *text);
int lg_fn_edge(struct lg_fn *fn, uint32_t from, uint32_t to,
	       struct lg_test test, int32_t step);
/* Sets the terminator; GOTO and BRANCH edges are added with lg_fn_edge. */
void lg_fn_term(struct lg_fn *fn, uint32_t block, enum lg_term_kind term,
		struct lg_loc loc);
int32_t lg_fn_step(struct lg_fn *fn, enum lg_pstep_kind kind,
		   struct lg_loc loc, const char *text, const char *context,
		   int is_loop);
const char *lg_fn_strdup(struct lg_fn *fn, const char *s);

static inline struct lg_opnd lg_opnd_var(lg_var_id v)
{
	return (struct lg_opnd){ .kind = LG_OPND_VAR, .var = v };
}
static inline struct lg_opnd lg_opnd_addr(lg_var_id v)
{
	return (struct lg_opnd){ .kind = LG_OPND_ADDR, .var = v };
}
static inline struct lg_opnd lg_opnd_const(int64_t k)
{
	return (struct lg_opnd){ .kind = LG_OPND_CONST, .var = LG_NOVAR, .k = k };
}
static inline struct lg_opnd lg_opnd_unknown(void)
{
	return (struct lg_opnd){ .kind = LG_OPND_UNKNOWN, .var = LG_NOVAR };
}
static inline struct lg_test lg_test_none(void)
{
	return (struct lg_test){ .rel = LG_REL_NONE, .var = LG_NOVAR };
}
static inline struct lg_test lg_test_make(lg_var_id v, enum lg_rel rel, int64_t k)
{
	return (struct lg_test){ .rel = rel, .var = v, .k = k };
}

/* Is the lvalue named `key` (`pOp->p4.z`, `&cur->locks[i]`, an LVAL
 * operand's text) reached from one of the function's own local variables?
 * What becomes of it means nothing to a caller, which cannot name it: a
 * caller's place of the same text is the caller's own variable.  (A local
 * that shadows a global of the same name in one block hides the global's
 * key too.) */
bool lg_fn_key_is_local(const struct lg_fn *fn, const char *key);

/* The test that holds exactly when `t` does not (for REL_NONE: NONE). */
struct lg_test lg_test_negate(struct lg_test t);

/* 0 when every block is terminated and every edge is in range; -1 otherwise
 * (an out-of-memory during building shows up here too). */
int lg_fn_check(const struct lg_fn *fn);

/* Stable text: one line per variable, block, event and edge.  Block numbers
 * are renumbered in order of first reach from the entry, and unreachable
 * blocks are left out, so the dump does not depend on how the front end
 * happened to allocate blocks. */
void lg_fn_dump(const struct lg_fn *fn, FILE *out);

#endif
