/*
 * test_analysis.c - the typestate analysis on graphs built by hand.
 *
 * No C is parsed here: each test builds the lg_fn that the front end would
 * build for a small function, runs lg_analyse with a ruleset loaded from a
 * string, and checks the leaks (kind, place, path) that come out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis.h"
#include "cfg.h"
#include "rules.h"

static const char rules_yaml[] =
	"version: 1\n"
	"resources:\n"
	"  - id: conn\n"
	"    kind: connection\n"
	"    description: a pooled connection\n"
	"    acquire:\n"
	"      - function: get\n"
	"        returns: handle\n"
	"      - function: get_into\n"
	"        out_arg: 0\n"
	"    release:\n"
	"      - function: put\n"
	"        arg: 0\n"
	"    transfer:\n"
	"      - function: adopt\n"
	"        arg: 0\n"
	"  - id: fd\n"
	"    kind: file\n"
	"    description: a descriptor\n"
	"    acquire:\n"
	"      - function: open\n"
	"        returns: handle\n"
	"        success: nonnegative\n"
	"    release:\n"
	"      - function: close\n"
	"        arg: 0\n"
	"  - id: mutex\n"
	"    kind: lock\n"
	"    description: a mutex\n"
	"    acquire:\n"
	"      - function: lock\n"
	"        arg: 0\n"
	"      - function: trylock\n"
	"        arg: 0\n"
	"        success: zero\n"
	"    release:\n"
	"      - function: unlock\n"
	"        arg: 0\n";

struct fixture {
	struct lg_ruleset rules;
	struct lg_oracle oracle;
	struct lg_fn *fn;
	struct lg_leaks leaks;
	struct lg_diags diags;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	lg_ruleset_init(&f->rules);
	lg_diags_init(&f->diags);
	if (lg_ruleset_load_buffer(&f->rules, "test.yml", rules_yaml,
				   sizeof(rules_yaml) - 1, &f->diags) != 0)
		return -1;
	f->oracle = lg_oracle_rules(&f->rules);
	f->fn = lg_fn_new("f");
	lg_fn_file(f->fn, "f.c");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	lg_leaks_release(&f->leaks);
	lg_diags_release(&f->diags);
	lg_fn_free(f->fn);
	lg_ruleset_release(&f->rules);
	free(f);
	return 0;
}

static struct lg_loc L(uint32_t line)
{
	return (struct lg_loc){ 0, line, 1 };
}

static void call(struct lg_fn *fn, uint32_t b, uint32_t line, const char *callee,
		 lg_var_id ret, int n, ...)
{
	struct lg_opnd args[4];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		args[i] = va_arg(ap, struct lg_opnd);
	va_end(ap);
	assert_non_null(lg_fn_call(fn, b, L(line), callee, args, (uint32_t)n, ret, NULL));
}

static void ret(struct lg_fn *fn, uint32_t b, uint32_t line, struct lg_opnd v)
{
	fn->blocks[b].ret = v;
	lg_fn_term(fn, b, LG_TERM_RETURN, L(line));
}

static void branch(struct lg_fn *fn, uint32_t b, lg_var_id v, enum lg_rel rel,
		   int64_t k, uint32_t t, uint32_t f, int32_t step_t)
{
	struct lg_test test = lg_test_make(v, rel, k);
	lg_fn_edge(fn, b, t, test, step_t);
	lg_fn_edge(fn, b, f, lg_test_negate(test), -1);
	lg_fn_term(fn, b, LG_TERM_BRANCH, L(0));
}

static void go(struct lg_fn *fn, uint32_t from, uint32_t to)
{
	lg_fn_edge(fn, from, to, lg_test_none(), -1);
	lg_fn_term(fn, from, LG_TERM_GOTO, L(0));
}

static int analyse(struct fixture *f)
{
	assert_int_equal(lg_fn_check(f->fn), 0);
	return lg_analyse(f->fn, &f->oracle, NULL, &f->leaks, &f->diags);
}

/* c = get(); return 0;  -> leak at the return */
static void analysis__return_with_handle_held_leaks(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "get", c, 0);
	ret(f->fn, b0, 3, lg_opnd_const(0));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);
	assert_int_equal(f->leaks.v[0].loss, LG_LOSS_RETURN);
	assert_int_equal(f->leaks.v[0].loss_loc.line, 3);
	assert_string_equal(f->leaks.v[0].handle, "c");
	assert_int_equal(f->leaks.v[0].n_path, 0);
}

/* c = get(); if (!c) return -1; put(c); return 0;  -> nothing */
static void analysis__null_test_and_release_is_clean(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn), b1 = lg_fn_block(f->fn),
		 b2 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "get", c, 0);
	branch(f->fn, b0, c, LG_REL_EQ, 0, b1, b2, -1);
	ret(f->fn, b1, 3, lg_opnd_const(-1));
	call(f->fn, b2, 4, "put", LG_NOVAR, 1, lg_opnd_var(c));
	ret(f->fn, b2, 5, lg_opnd_const(0));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 0);
}

/* c = get(); if (!c) return; if (q(c) < 0) return -1 [leak, path]; put(c) */
static void analysis__borrowing_call_then_early_return_leaks_with_path(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	lg_var_id t = lg_fn_var(f->fn, NULL, LG_VAR_TEMP);
	uint32_t b0 = lg_fn_block(f->fn), b1 = lg_fn_block(f->fn),
		 b2 = lg_fn_block(f->fn), b3 = lg_fn_block(f->fn),
		 b4 = lg_fn_block(f->fn);
	int32_t s_nonnull = lg_fn_step(f->fn, LG_PSTEP_FALSE, L(3), NULL, "if (!c)", 0);
	int32_t s_fail = lg_fn_step(f->fn, LG_PSTEP_TRUE, L(4), NULL, "if (q(c) < 0)", 0);
	call(f->fn, b0, 2, "get", c, 0);
	lg_fn_edge(f->fn, b0, b1, lg_test_make(c, LG_REL_EQ, 0), -1);
	lg_fn_edge(f->fn, b0, b2, lg_test_make(c, LG_REL_NE, 0), s_nonnull);
	lg_fn_term(f->fn, b0, LG_TERM_BRANCH, L(3));
	ret(f->fn, b1, 3, lg_opnd_const(-1));
	call(f->fn, b2, 4, "q", t, 1, lg_opnd_var(c));
	branch(f->fn, b2, t, LG_REL_LT, 0, b3, b4, s_fail);
	ret(f->fn, b3, 5, lg_opnd_const(-1));
	call(f->fn, b4, 6, "put", LG_NOVAR, 1, lg_opnd_var(c));
	ret(f->fn, b4, 7, lg_opnd_const(0));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);
	assert_int_equal(f->leaks.v[0].loss_loc.line, 5);
	assert_int_equal(f->leaks.v[0].n_path, 2);
	assert_int_equal(f->leaks.v[0].path[0], s_nonnull);
	assert_int_equal(f->leaks.v[0].path[1], s_fail);
}

/* if (use) c = get(); ... if (use) put(c);  -> nothing (correlated) */
static void analysis__correlated_flag_is_clean(void **state)
{
	struct fixture *f = *state;
	lg_var_id use = lg_fn_var(f->fn, "use", LG_VAR_PARAM);
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn), b1 = lg_fn_block(f->fn),
		 b2 = lg_fn_block(f->fn), b3 = lg_fn_block(f->fn),
		 b4 = lg_fn_block(f->fn);
	struct lg_event *e = lg_fn_event(f->fn, b0, LG_EV_ASSIGN, L(2));
	e->dst = c;
	e->src = lg_opnd_const(0);
	branch(f->fn, b0, use, LG_REL_NE, 0, b1, b2, -1);
	call(f->fn, b1, 3, "get", c, 0);
	go(f->fn, b1, b2);
	branch(f->fn, b2, use, LG_REL_NE, 0, b3, b4, -1);
	call(f->fn, b3, 5, "put", LG_NOVAR, 1, lg_opnd_var(c));
	go(f->fn, b3, b4);
	ret(f->fn, b4, 6, lg_opnd_const(0));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 0);
}

/* loop: c = get(); (no release) -> overwrite leak on the next iteration */
static void analysis__overwrite_in_loop_leaks_once(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	lg_var_id n = lg_fn_var(f->fn, "n", LG_VAR_PARAM);
	uint32_t b0 = lg_fn_block(f->fn), h = lg_fn_block(f->fn),
		 body = lg_fn_block(f->fn), x = lg_fn_block(f->fn);
	go(f->fn, b0, h);
	branch(f->fn, h, n, LG_REL_GT, 0, body, x, -1);
	call(f->fn, body, 3, "get", c, 0);
	struct lg_event *e = lg_fn_event(f->fn, body, LG_EV_ASSIGN, L(4));
	e->dst = n;
	go(f->fn, body, h);
	/* c is escaped at the end so that only the overwrite is reported */
	ret(f->fn, x, 6, lg_opnd_var(c));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);
	assert_int_equal(f->leaks.v[0].loss, LG_LOSS_OVERWRITE);
	assert_int_equal(f->leaks.v[0].loss_loc.line, 3);
}

/* { c = get(); } kill c -> scope leak; with escape first -> nothing */
static void analysis__scope_end_leaks_unless_escaped(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	lg_var_id d = lg_fn_var(f->fn, "d", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "get", c, 0);
	struct lg_event *k = lg_fn_event(f->fn, b0, LG_EV_KILL, L(3));
	k->dst = c;
	call(f->fn, b0, 4, "get", d, 0);
	struct lg_event *esc = lg_fn_event(f->fn, b0, LG_EV_ESCAPE, L(5));
	esc->src = lg_opnd_var(d);
	k = lg_fn_event(f->fn, b0, LG_EV_KILL, L(6));
	k->dst = d;
	ret(f->fn, b0, 7, lg_opnd_unknown());
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);
	assert_int_equal(f->leaks.v[0].loss, LG_LOSS_SCOPE);
	assert_int_equal(f->leaks.v[0].loss_loc.line, 3);
	assert_string_equal(f->leaks.v[0].lost, "c");
}

/* Copies keep the resource alive; the last copy's kill loses it. */
static void analysis__copy_keeps_resource_until_last_reference(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	lg_var_id d = lg_fn_var(f->fn, "d", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "get", c, 0);
	struct lg_event *e = lg_fn_event(f->fn, b0, LG_EV_ASSIGN, L(3));
	e->dst = d;
	e->src = lg_opnd_var(c);
	e = lg_fn_event(f->fn, b0, LG_EV_KILL, L(4));
	e->dst = c;
	call(f->fn, b0, 5, "put", LG_NOVAR, 1, lg_opnd_var(d));
	ret(f->fn, b0, 6, lg_opnd_unknown());
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 0);
}

/* Address passed to an unknown function, transfer, out-param. */
static void analysis__address_taken_and_transfer_escape(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	lg_var_id d = lg_fn_var(f->fn, "d", LG_VAR_LOCAL);
	lg_var_id o = lg_fn_var(f->fn, "o", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "get", c, 0);
	call(f->fn, b0, 3, "stash", LG_NOVAR, 1, lg_opnd_addr(c));
	call(f->fn, b0, 4, "get", d, 0);
	call(f->fn, b0, 5, "adopt", LG_NOVAR, 1, lg_opnd_var(d));
	call(f->fn, b0, 6, "get_into", LG_NOVAR, 1, lg_opnd_addr(o));
	ret(f->fn, b0, 7, lg_opnd_unknown());
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);     /* only o, from the out-param */
	assert_string_equal(f->leaks.v[0].handle, "o");
}

/* A call through a pointer (no callee) may keep or free its argument. */
static void analysis__indirect_call_takes_the_handle(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	lg_var_id d = lg_fn_var(f->fn, "d", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "get", c, 0);
	call(f->fn, b0, 3, NULL, LG_NOVAR, 1, lg_opnd_var(c));
	call(f->fn, b0, 4, "get", d, 0);
	call(f->fn, b0, 5, "log", LG_NOVAR, 1, lg_opnd_var(d));
	ret(f->fn, b0, 6, lg_opnd_unknown());
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);     /* d: a direct call only borrows */
	assert_string_equal(f->leaks.v[0].handle, "d");
}

/* fd = open(); if (fd < 0) return -1; return 0 [leak] */
static void analysis__descriptor_negative_is_not_acquired(void **state)
{
	struct fixture *f = *state;
	lg_var_id fd = lg_fn_var(f->fn, "fd", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn), b1 = lg_fn_block(f->fn),
		 b2 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "open", fd, 0);
	branch(f->fn, b0, fd, LG_REL_LT, 0, b1, b2, -1);
	ret(f->fn, b1, 3, lg_opnd_const(-1));
	ret(f->fn, b2, 4, lg_opnd_const(0));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);
	assert_int_equal(f->leaks.v[0].loss_loc.line, 4);
}

/* rc = trylock(&m) [status]; if (rc != 0) return; unlock(&m) */
static void analysis__trylock_status_decides(void **state)
{
	struct fixture *f = *state;
	lg_var_id m = lg_fn_var(f->fn, "m", LG_VAR_LOCAL);
	lg_var_id rc = lg_fn_var(f->fn, "rc", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn), b1 = lg_fn_block(f->fn),
		 b2 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "trylock", rc, 1, lg_opnd_addr(m));
	branch(f->fn, b0, rc, LG_REL_NE, 0, b1, b2, -1);
	ret(f->fn, b1, 3, lg_opnd_const(-1));
	call(f->fn, b2, 4, "unlock", LG_NOVAR, 1, lg_opnd_addr(m));
	ret(f->fn, b2, 5, lg_opnd_const(0));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 0);
}

/* lock(&m) with an lvalue key; unlock through the same key; a second lock
 * that is never unlocked leaks at the return. */
static void analysis__locks_match_by_key(void **state)
{
	struct fixture *f = *state;
	uint32_t b0 = lg_fn_block(f->fn);
	struct lg_opnd a = { .kind = LG_OPND_LVAL, .var = LG_NOVAR, .key = "&ctx->a" };
	struct lg_opnd b = { .kind = LG_OPND_LVAL, .var = LG_NOVAR, .key = "&ctx->b" };
	call(f->fn, b0, 2, "lock", LG_NOVAR, 1, a);
	call(f->fn, b0, 3, "lock", LG_NOVAR, 1, b);
	call(f->fn, b0, 4, "unlock", LG_NOVAR, 1, a);
	ret(f->fn, b0, 5, lg_opnd_unknown());
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 1);
	assert_string_equal(f->leaks.v[0].handle, "&ctx->b");
}

/* A noreturn path (STOP) reports nothing. */
static void analysis__stop_ends_path_silently(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn);
	call(f->fn, b0, 2, "get", c, 0);
	call(f->fn, b0, 3, "abort", LG_NOVAR, 0);
	lg_fn_term(f->fn, b0, LG_TERM_STOP, L(3));
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 0);
}

/* A chain of `if (x_i) c_i = get();` with nothing released: each site is
 * tracked on its own, so this costs n linear runs, not 2^n states. */
static void analysis__if_chain_of_acquisitions_stays_linear(void **state)
{
	struct fixture *f = *state;
	enum { N = 40 };
	uint32_t prev = lg_fn_block(f->fn);
	for (int i = 0; i < N; i++) {
		lg_var_id x = lg_fn_var(f->fn, "x", LG_VAR_PARAM);
		lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
		uint32_t then = lg_fn_block(f->fn), join = lg_fn_block(f->fn);
		branch(f->fn, prev, x, LG_REL_NE, 0, then, join, -1);
		call(f->fn, then, (uint32_t)(10 + i), "get", c, 0);
		go(f->fn, then, join);
		prev = join;
	}
	ret(f->fn, prev, 100, lg_opnd_unknown());
	struct lg_budget b = { 4, 100000, 0, 0, false };
	assert_int_equal(lg_fn_check(f->fn), 0);
	assert_int_equal(lg_analyse(f->fn, &f->oracle, &b, &f->leaks, &f->diags), 0);
	assert_int_equal(f->leaks.n, N);

	/* The same graph with too few steps allowed is an error. */
	lg_leaks_release(&f->leaks);
	b.max_steps = 10;
	assert_int_equal(lg_analyse(f->fn, &f->oracle, &b, &f->leaks, &f->diags), -1);
	assert_int_equal(lg_diags_count(&f->diags, LG_ERROR), 1);
	assert_non_null(strstr(f->diags.v[0].msg, "was not fully analysed"));
	assert_non_null(strstr(f->diags.v[0].msg, "--max-steps"));

	/* Allowed by the user: a warning naming the function, and the result
	 * says it is incomplete. */
	lg_leaks_release(&f->leaks);
	b.warn = true;
	assert_int_equal(lg_analyse(f->fn, &f->oracle, &b, &f->leaks, &f->diags),
			 LG_OVER_BUDGET);
	assert_int_equal(lg_diags_count(&f->diags, LG_ERROR), 1);
	assert_int_equal(lg_diags_count(&f->diags, LG_WARNING), 1);
	assert_non_null(strstr(f->diags.v[1].msg, "function 'f' was not fully analysed"));
	assert_non_null(strstr(f->diags.v[1].msg, "--allow-over-budget"));

	/* A deadline already passed stops the run too (checked every 1024
	 * steps: the graph is made long enough to reach the check). */
	lg_leaks_release(&f->leaks);
	b = (struct lg_budget){ 4, 100000, 1, lg_now() - 1, false };
	assert_int_equal(lg_analyse(f->fn, &f->oracle, &b, &f->leaks, &f->diags), -1);
	assert_int_equal(lg_diags_count(&f->diags, LG_ERROR), 2);
	assert_non_null(strstr(f->diags.v[2].msg, "--max-seconds"));
}

/* `if (x_i) a_i = c;` copies the handle into a different subset of
 * variables on each path: states that cannot be merged.  Past the budget
 * this is an error, never a silent pass. */
static void analysis__state_budget_exceeded_is_an_error(void **state)
{
	struct fixture *f = *state;
	enum { N = 10 };
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	uint32_t prev = lg_fn_block(f->fn);
	call(f->fn, prev, 1, "get", c, 0);
	for (int i = 0; i < N; i++) {
		lg_var_id x = lg_fn_var(f->fn, "x", LG_VAR_PARAM);
		lg_var_id a = lg_fn_var(f->fn, "a", LG_VAR_LOCAL);
		uint32_t then = lg_fn_block(f->fn), join = lg_fn_block(f->fn);
		branch(f->fn, prev, x, LG_REL_NE, 0, then, join, -1);
		struct lg_event *e = lg_fn_event(f->fn, then, LG_EV_ASSIGN, L(10));
		e->dst = a;
		e->src = lg_opnd_var(c);
		go(f->fn, then, join);
		prev = join;
	}
	call(f->fn, prev, 99, "put", LG_NOVAR, 1, lg_opnd_var(c));
	ret(f->fn, prev, 100, lg_opnd_unknown());
	struct lg_budget b = { 64, 1000000, 0, 0, false };
	assert_int_equal(lg_fn_check(f->fn), 0);
	assert_int_equal(lg_analyse(f->fn, &f->oracle, &b, &f->leaks, &f->diags), -1);
	assert_int_equal(lg_diags_count(&f->diags, LG_ERROR), 1);
	assert_non_null(strstr(f->diags.v[0].msg, "--max-states"));
}

/* A loop that acquires and releases reaches a fixpoint. */
static void analysis__loop_fixpoint_terminates(void **state)
{
	struct fixture *f = *state;
	lg_var_id c = lg_fn_var(f->fn, "c", LG_VAR_LOCAL);
	lg_var_id i = lg_fn_var(f->fn, "i", LG_VAR_LOCAL);
	uint32_t b0 = lg_fn_block(f->fn), h = lg_fn_block(f->fn),
		 body = lg_fn_block(f->fn), x = lg_fn_block(f->fn);
	struct lg_event *e = lg_fn_event(f->fn, b0, LG_EV_ASSIGN, L(1));
	e->dst = i;
	e->src = lg_opnd_const(0);
	go(f->fn, b0, h);
	branch(f->fn, h, i, LG_REL_LT, 10, body, x, -1);
	call(f->fn, body, 3, "get", c, 0);
	call(f->fn, body, 4, "put", LG_NOVAR, 1, lg_opnd_var(c));
	e = lg_fn_event(f->fn, body, LG_EV_ASSIGN, L(5));
	e->dst = i;
	go(f->fn, body, h);
	ret(f->fn, x, 6, lg_opnd_unknown());
	assert_int_equal(analyse(f), 0);
	assert_int_equal(f->leaks.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(analysis__return_with_handle_held_leaks),
		T(analysis__null_test_and_release_is_clean),
		T(analysis__borrowing_call_then_early_return_leaks_with_path),
		T(analysis__correlated_flag_is_clean),
		T(analysis__overwrite_in_loop_leaks_once),
		T(analysis__scope_end_leaks_unless_escaped),
		T(analysis__copy_keeps_resource_until_last_reference),
		T(analysis__address_taken_and_transfer_escape),
		T(analysis__indirect_call_takes_the_handle),
		T(analysis__descriptor_negative_is_not_acquired),
		T(analysis__trylock_status_decides),
		T(analysis__locks_match_by_key),
		T(analysis__stop_ends_path_silently),
		T(analysis__if_chain_of_acquisitions_stays_linear),
		T(analysis__state_budget_exceeded_is_an_error),
		T(analysis__loop_fixpoint_terminates),
#undef T
	};
	return cmocka_run_group_tests_name("analysis", tests, NULL, NULL);
}
