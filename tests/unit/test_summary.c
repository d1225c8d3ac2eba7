/*
 * test_summary.c - function summaries on graphs built by hand.
 *
 * Each test builds the graphs of a few functions (no C is parsed), computes
 * their summaries with lg_summaries_compute, and checks the summary of each
 * as the stable text of lg_summaries_dump; some then check a caller with
 * the summaries in hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis.h"
#include "cfg.h"
#include "rules.h"
#include "summary.h"

static const char rules_yaml[] =
	"version: 1\n"
	"resources:\n"
	"  - id: conn\n"
	"    kind: connection\n"
	"    description: a pooled connection\n"
	"    acquire:\n"
	"      - function: get\n"
	"        returns: handle\n"
	"    release:\n"
	"      - function: put\n"
	"        arg: 0\n"
	"  - id: mutex\n"
	"    kind: lock\n"
	"    description: a mutex\n"
	"    acquire:\n"
	"      - function: lock\n"
	"        arg: 0\n"
	"    release:\n"
	"      - function: unlock\n"
	"        arg: 0\n";

struct fixture {
	struct lg_ruleset rules;
	struct lg_summaries sums;
	struct lg_fn *fns[8];
	size_t n;
	struct lg_diags diags;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	lg_ruleset_init(&f->rules);
	if (lg_ruleset_load_buffer(&f->rules, "test.yml", rules_yaml,
				   sizeof(rules_yaml) - 1, &f->diags) != 0)
		return -1;
	lg_summaries_init(&f->sums, &f->rules);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < f->n; i++)
		lg_fn_free(f->fns[i]);
	lg_summaries_release(&f->sums);
	lg_ruleset_release(&f->rules);
	lg_diags_release(&f->diags);
	free(f);
	return 0;
}

static struct lg_fn *fn(struct fixture *f, const char *name)
{
	struct lg_fn *g = lg_fn_new(name);
	g->id = lg_fn_strdup(g, name);
	lg_fn_file(g, "t.c");
	f->fns[f->n++] = g;
	return g;
}

static struct lg_loc L(uint32_t line)
{
	return (struct lg_loc){ 0, line, 1 };
}

static void call(struct lg_fn *g, uint32_t b, const char *callee, lg_var_id ret,
		 int n, ...)
{
	struct lg_opnd args[4];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		args[i] = va_arg(ap, struct lg_opnd);
	va_end(ap);
	struct lg_event *e = lg_fn_call(g, b, L(1), callee, args, (uint32_t)n, ret, NULL);
	assert_non_null(e);
	e->callee_id = lg_fn_strdup(g, callee);
}

static void ret(struct lg_fn *g, uint32_t b, struct lg_opnd v)
{
	g->blocks[b].ret = v;
	lg_fn_term(g, b, LG_TERM_RETURN, L(9));
}

static void branch(struct lg_fn *g, uint32_t b, lg_var_id v, enum lg_rel rel,
		   int64_t k, uint32_t t, uint32_t e)
{
	struct lg_test test = lg_test_make(v, rel, k);
	lg_fn_edge(g, b, t, test, -1);
	lg_fn_edge(g, b, e, lg_test_negate(test), -1);
	lg_fn_term(g, b, LG_TERM_BRANCH, L(0));
}

static void go(struct lg_fn *g, uint32_t from, uint32_t to)
{
	lg_fn_edge(g, from, to, lg_test_none(), -1);
	lg_fn_term(g, from, LG_TERM_GOTO, L(0));
}

/* A caller that hands `callee` a resource in each argument listed in
 * `args` (of `n`; the others are values the analysis does not follow):
 *   void NAME(void) { struct conn *x = get(); callee(.., x, ..); ... }
 * Parameters are summarised only when some caller can hand them one. */
static void hand_in(struct fixture *f, const char *name, const char *const *callees,
		    const int *n, const int *arg, size_t count)
{
	struct lg_fn *g = fn(f, name);
	lg_var_id x = lg_fn_var(g, "x", LG_VAR_LOCAL);
	uint32_t b = lg_fn_block(g);
	call(g, b, "get", x, 0);
	for (size_t i = 0; i < count; i++) {
		struct lg_opnd args[4];
		for (int k = 0; k < n[i]; k++)
			args[k] = k == arg[i] ? lg_opnd_var(x) : lg_opnd_unknown();
		struct lg_event *e = lg_fn_call(g, b, L(1), callees[i], args,
						(uint32_t)n[i], LG_NOVAR, NULL);
		assert_non_null(e);
		e->callee_id = lg_fn_strdup(g, callees[i]);
	}
	ret(g, b, lg_opnd_unknown());
}

static char *dump(struct fixture *f)
{
	for (size_t i = 0; i < f->n; i++)
		assert_int_equal(lg_fn_check(f->fns[i]), 0);
	assert_int_equal(lg_summaries_compute(&f->sums, f->fns, f->n, NULL, NULL), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	lg_summaries_dump(&f->sums, m);
	fclose(m);
	return text;
}

/* struct conn *w(void) { return get(); }
 * struct conn *ww(void) { struct conn *c = w(); return c; } */
static void summary__wrappers_of_wrappers_acquire(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *w = fn(f, "w");
	lg_var_id t = lg_fn_var(w, NULL, LG_VAR_TEMP);
	uint32_t b = lg_fn_block(w);
	call(w, b, "get", t, 0);
	ret(w, b, lg_opnd_var(t));

	struct lg_fn *ww = fn(f, "ww");
	lg_var_id c = lg_fn_var(ww, "c", LG_VAR_LOCAL);
	b = lg_fn_block(ww);
	call(ww, b, "w", c, 0);
	ret(ww, b, lg_opnd_var(c));

	char *text = dump(f);
	assert_string_equal(text,
		"summary w (w)\n"
		"  acquire conn returned via w() -> get()\n"
		"summary ww (ww)\n"
		"  acquire conn returned via ww() -> w() -> get()\n");
	free(text);
}

/* void close_if(struct conn *c) { if (c) put(c); }       releases
 * int finish(struct conn *c) { if (q(c) < 0) return -1; put(c); return 0; }
 * void keep(struct conn *c) { g = c; }                   transfers
 * int ping(struct conn *c) { return q(c); }              borrows */
static void summary__what_helpers_do_to_parameters(void **state)
{
	struct fixture *f = *state;

	struct lg_fn *g = fn(f, "close_if");
	lg_var_id c = lg_fn_var(g, "c", LG_VAR_PARAM);
	g->vars[c].is_pointer = 1;
	uint32_t b0 = lg_fn_block(g), b1 = lg_fn_block(g), b2 = lg_fn_block(g);
	branch(g, b0, c, LG_REL_NE, 0, b1, b2);
	call(g, b1, "put", LG_NOVAR, 1, lg_opnd_var(c));
	go(g, b1, b2);
	ret(g, b2, lg_opnd_unknown());

	g = fn(f, "finish");
	c = lg_fn_var(g, "c", LG_VAR_PARAM);
	lg_var_id t = lg_fn_var(g, NULL, LG_VAR_TEMP);
	b0 = lg_fn_block(g);
	b1 = lg_fn_block(g);
	b2 = lg_fn_block(g);
	call(g, b0, "q", t, 1, lg_opnd_var(c));
	branch(g, b0, t, LG_REL_LT, 0, b1, b2);
	ret(g, b1, lg_opnd_const(-1));
	call(g, b2, "put", LG_NOVAR, 1, lg_opnd_var(c));
	ret(g, b2, lg_opnd_const(0));

	g = fn(f, "keep");
	c = lg_fn_var(g, "c", LG_VAR_PARAM);
	b0 = lg_fn_block(g);
	struct lg_event *e = lg_fn_event(g, b0, LG_EV_ESCAPE, L(2));
	e->src = lg_opnd_var(c);
	ret(g, b0, lg_opnd_unknown());

	g = fn(f, "ping");
	c = lg_fn_var(g, "c", LG_VAR_PARAM);
	t = lg_fn_var(g, NULL, LG_VAR_TEMP);
	b0 = lg_fn_block(g);
	call(g, b0, "q", t, 1, lg_opnd_var(c));
	ret(g, b0, lg_opnd_var(t));

	static const char *const helpers[] = { "close_if", "finish", "keep", "ping" };
	static const int one[] = { 1, 1, 1, 1 }, first[] = { 0, 0, 0, 0 };
	hand_in(f, "user", helpers, one, first, 4);

	char *text = dump(f);
	assert_string_equal(text,
		"summary close_if (close_if)\n"
		"  release arg 0\n"
		"summary finish (finish)\n"
		"  release arg 0 except when it returns negative\n"
		"summary keep (keep)\n"
		"  transfer arg 0\n"
		"summary ping (ping)\n"
		"  borrows its arguments\n"
		"summary user (user)\n"
		"  borrows its arguments\n");
	free(text);
}

/* void lk(struct db *d) { lock(&d->mu); }   acquire-only lock wrapper
 * void ul(struct db *d) { unlock(&d->mu); }
 * then a caller: lk(d); if (x) return; ul(d);  leaks at the early return */
static void summary__lock_wrappers_through_a_field(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "lk");
	lg_var_id d = lg_fn_var(g, "d", LG_VAR_PARAM);
	lg_var_id mu = lg_fn_field(g, d, "->mu");
	uint32_t b = lg_fn_block(g);
	call(g, b, "lock", LG_NOVAR, 1, lg_opnd_addr(mu));
	ret(g, b, lg_opnd_unknown());

	g = fn(f, "ul");
	d = lg_fn_var(g, "d", LG_VAR_PARAM);
	mu = lg_fn_field(g, d, "->mu");
	b = lg_fn_block(g);
	call(g, b, "unlock", LG_NOVAR, 1, lg_opnd_addr(mu));
	ret(g, b, lg_opnd_unknown());

	struct lg_fn *caller = fn(f, "caller");
	d = lg_fn_var(caller, "d", LG_VAR_PARAM);
	lg_var_id x = lg_fn_var(caller, "x", LG_VAR_PARAM);
	uint32_t b0 = lg_fn_block(caller), b1 = lg_fn_block(caller),
		 b2 = lg_fn_block(caller);
	call(caller, b0, "lk", LG_NOVAR, 1, lg_opnd_var(d));
	branch(caller, b0, x, LG_REL_NE, 0, b1, b2);
	ret(caller, b1, lg_opnd_const(-1));
	call(caller, b2, "ul", LG_NOVAR, 1, lg_opnd_var(d));
	ret(caller, b2, lg_opnd_const(0));

	char *text = dump(f);
	assert_non_null(strstr(text,
		"summary lk (lk)\n"
		"  acquire mutex arg 0->mu via lk() -> lock()\n"));
	assert_non_null(strstr(text, "summary ul (ul)\n  release arg 0->mu\n"));
	free(text);

	struct lg_oracle o = lg_summaries_oracle(&f->sums);
	struct lg_leaks leaks = LG_LEAKS_INIT;
	assert_int_equal(lg_analyse(caller, &o, NULL, &leaks, &f->diags), 0);
	assert_int_equal(leaks.n, 1);
	assert_int_equal(leaks.v[0].loss_loc.line, 9);
	assert_string_equal(leaks.v[0].via, "lk() -> lock()");
	assert_string_equal(leaks.v[0].handle, "&d->mu");
	lg_leaks_release(&leaks);
}

/* Mutual recursion that releases on every path:
 *   a(c, n) { if (n <= 0) { put(c); return; } b(c, n); }
 *   b(c, n) { a(c, n - 1); }
 * Starting from "never returns", the fixpoint finds that both release. */
static void summary__recursion_reaches_a_fixpoint(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *a = fn(f, "a");
	lg_var_id c = lg_fn_var(a, "c", LG_VAR_PARAM);
	lg_var_id n = lg_fn_var(a, "n", LG_VAR_PARAM);
	uint32_t b0 = lg_fn_block(a), b1 = lg_fn_block(a), b2 = lg_fn_block(a);
	branch(a, b0, n, LG_REL_LE, 0, b1, b2);
	call(a, b1, "put", LG_NOVAR, 1, lg_opnd_var(c));
	ret(a, b1, lg_opnd_unknown());
	call(a, b2, "b", LG_NOVAR, 2, lg_opnd_var(c), lg_opnd_var(n));
	ret(a, b2, lg_opnd_unknown());

	struct lg_fn *b = fn(f, "b");
	c = lg_fn_var(b, "c", LG_VAR_PARAM);
	n = lg_fn_var(b, "n", LG_VAR_PARAM);
	b0 = lg_fn_block(b);
	call(b, b0, "a", LG_NOVAR, 2, lg_opnd_var(c), lg_opnd_unknown());
	ret(b, b0, lg_opnd_unknown());

	static const char *const callee[] = { "a" };
	static const int two[] = { 2 }, first[] = { 0 };
	hand_in(f, "user", callee, two, first, 1);

	char *text = dump(f);
	assert_string_equal(text,
		"summary a (a)\n"
		"  release arg 0\n"
		"summary b (b)\n"
		"  release arg 0\n"
		"summary user (user)\n"
		"  borrows its arguments\n");
	free(text);
}

/* A function every path of which ends in a call that does not return. */
static void summary__function_that_never_returns(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "fatal");
	uint32_t b = lg_fn_block(g);
	call(g, b, "abort", LG_NOVAR, 0);
	lg_fn_term(g, b, LG_TERM_STOP, L(2));

	char *text = dump(f);
	assert_string_equal(text, "summary fatal (fatal)\n  never returns\n");
	free(text);
}

/* A memo whose digest matches is taken as the summary; one whose digest
 * differs is not. */
static void summary__memos_are_taken_only_when_the_digest_matches(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "w");
	lg_var_id t = lg_fn_var(g, NULL, LG_VAR_TEMP);
	uint32_t b = lg_fn_block(g);
	call(g, b, "get", t, 0);
	ret(g, b, lg_opnd_var(t));
	g->digest = lg_fn_strdup(g, "graph-digest");

	/* first run: no memo; its digest is what a memo must match */
	f->sums.digests = true;
	char *text = dump(f);
	free(text);
	const struct lg_summary *s = lg_summaries_find(&f->sums, "w");
	assert_non_null(s);
	char digest[65];
	memcpy(digest, s->digest, sizeof(digest));
	assert_int_equal(strlen(digest), 64);
	lg_summaries_release(&f->sums);

	struct lg_effect fake = { .kind = LG_EFFECT_TRANSFER, .arg = 0,
				  .resource = LG_ANY_RESOURCE };
	struct lg_summary_memo stale = { "other-digest", &fake, 1, true };
	const struct lg_summary_memo *memos[1] = { &stale };
	lg_summaries_init(&f->sums, &f->rules);
	f->sums.digests = true;
	assert_int_equal(lg_summaries_compute(&f->sums, f->fns, 1, NULL, memos), 0);
	assert_int_equal(f->sums.reused, 0);
	assert_int_equal(lg_summaries_find(&f->sums, "w")->effects[0].kind,
			 LG_EFFECT_ACQUIRE);
	lg_summaries_release(&f->sums);

	struct lg_summary_memo good = { digest, &fake, 1, true };
	memos[0] = &good;
	lg_summaries_init(&f->sums, &f->rules);
	f->sums.digests = true;
	assert_int_equal(lg_summaries_compute(&f->sums, f->fns, 1, NULL, memos), 0);
	assert_int_equal(f->sums.reused, 1);
	assert_int_equal(lg_summaries_find(&f->sums, "w")->effects[0].kind,
			 LG_EFFECT_TRANSFER);
}

/* A cycle of six functions, each releasing on its own path or handing on:
 *   rK(c, n) { if (n <= 0) { put(c); return; } r(K+1 mod 6)(c, n); }
 * Given callers first (the order of discovery), each round would see the
 * next function as "never returns" and all six would be computed again;
 * callees first, one round plus the one member whose callee closes the
 * cycle: 7 computations, not 12. */
static void summary__recursion_is_computed_callees_first(void **state)
{
	struct fixture *f = *state;
	static const char *const names[6] = { "r0", "r1", "r2", "r3", "r4", "r5" };
	for (int k = 0; k < 6; k++) {
		struct lg_fn *g = fn(f, names[k]);
		lg_var_id c = lg_fn_var(g, "c", LG_VAR_PARAM);
		lg_var_id n = lg_fn_var(g, "n", LG_VAR_PARAM);
		uint32_t b0 = lg_fn_block(g), b1 = lg_fn_block(g), b2 = lg_fn_block(g);
		branch(g, b0, n, LG_REL_LE, 0, b1, b2);
		call(g, b1, "put", LG_NOVAR, 1, lg_opnd_var(c));
		ret(g, b1, lg_opnd_unknown());
		call(g, b2, names[(k + 1) % 6], LG_NOVAR, 2, lg_opnd_var(c), lg_opnd_var(n));
		ret(g, b2, lg_opnd_unknown());
	}
	static const char *const callee[] = { "r0" };
	static const int two[] = { 2 }, first[] = { 0 };
	hand_in(f, "user", callee, two, first, 1);
	char *text = dump(f);
	for (int k = 0; k < 6; k++) {
		char want[64];
		snprintf(want, sizeof(want), "summary %s (%s)\n  release arg 0\n",
			 names[k], names[k]);
		assert_non_null(strstr(text, want));
	}
	free(text);
	assert_int_equal(f->sums.computed, 7 + 1);   /* and the caller's */

	/* on four threads: the same summaries from the same computations (a
	 * round that computed every member at once from the last round's
	 * summaries would take 12) */
	lg_summaries_release(&f->sums);
	lg_summaries_init(&f->sums, &f->rules);
	f->sums.jobs = 4;
	char *again = dump(f);
	assert_int_equal(f->sums.computed, 7 + 1);   /* and the caller's */
	lg_summaries_release(&f->sums);
	lg_summaries_init(&f->sums, &f->rules);
	char *serial = dump(f);
	assert_string_equal(again, serial);
	free(again);
	free(serial);
}

static struct lg_opnd lval(struct lg_fn *g, const char *key)
{
	struct lg_opnd op = { .kind = LG_OPND_LVAL, .var = LG_NOVAR };
	op.key = lg_fn_strdup(g, key);
	return op;
}

/* What a function does to a lock named by its text is part of its summary
 * when a caller could name the same lock (a global, or a place reached
 * from a parameter), and not when the text starts at one of its own
 * locals: `cur->locks[i]` in a caller is the caller's `cur`.
 *   void g_off(void) { unlock(&g_mu[0]); }
 *   void p_off(struct s *p) { unlock(&p->mus[1]); }
 *   void l_off(void) { struct s *cur = ...; unlock(&cur->mus[1]); } */
static void summary__locks_named_from_a_local_are_not_summarised(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "g_off");
	uint32_t b = lg_fn_block(g);
	call(g, b, "unlock", LG_NOVAR, 1, lval(g, "&g_mu[0]"));
	ret(g, b, lg_opnd_unknown());

	g = fn(f, "p_off");
	lg_fn_var(g, "p", LG_VAR_PARAM);
	b = lg_fn_block(g);
	call(g, b, "unlock", LG_NOVAR, 1, lval(g, "&p->mus[1]"));
	ret(g, b, lg_opnd_unknown());

	g = fn(f, "l_off");
	lg_var_id cur = lg_fn_var(g, "cur", LG_VAR_LOCAL);
	b = lg_fn_block(g);
	call(g, b, "next", cur, 0);
	call(g, b, "unlock", LG_NOVAR, 1, lval(g, "&cur->mus[1]"));
	ret(g, b, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text, "summary g_off (g_off)\n  release &g_mu[0]\n"));
	assert_non_null(strstr(text, "summary p_off (p_off)\n  release &p->mus[1]\n"));
	assert_non_null(strstr(text, "summary l_off (l_off)\n  borrows its arguments\n"));
	free(text);
}

/* Places below a parameter that no event names share one run; each still
 * gets its own effect, in its own words, and a named place keeps its own:
 *   int f(struct s *p, int x) {      (p->a, p->b: named by no event)
 *       put(p->c);
 *       if (x) { unknown(p); return 0; }
 *       return 1;                     (p->a, p->b left where they were)
 *   } */
static void summary__places_named_by_no_event_share_a_run(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "f");
	lg_var_id p = lg_fn_var(g, "p", LG_VAR_PARAM);
	lg_var_id x = lg_fn_var(g, "x", LG_VAR_PARAM);
	g->vars[p].is_pointer = 1;
	lg_var_id a = lg_fn_field(g, p, "->a");
	lg_var_id bb = lg_fn_field(g, p, "->b");
	lg_var_id c = lg_fn_field(g, p, "->c");
	g->vars[a].is_pointer = g->vars[bb].is_pointer = g->vars[c].is_pointer = 1;
	uint32_t b0 = lg_fn_block(g), b1 = lg_fn_block(g), b2 = lg_fn_block(g);
	call(g, b0, "put", LG_NOVAR, 1, lg_opnd_var(c));
	branch(g, b0, x, LG_REL_NE, 0, b1, b2);
	call(g, b1, "unknown", LG_NOVAR, 1, lg_opnd_var(p));
	ret(g, b1, lg_opnd_const(0));
	ret(g, b2, lg_opnd_const(1));

	/* a caller that keeps connections in all three, so that they are
	 * summarised (see summary__only_places_callers_use_are_summarised) */
	g = fn(f, "use");
	lg_var_id q = lg_fn_var(g, "q", LG_VAR_PARAM);
	x = lg_fn_var(g, "x", LG_VAR_PARAM);
	g->vars[q].is_pointer = 1;
	b0 = lg_fn_block(g);
	call(g, b0, "get", lg_fn_field(g, q, "->a"), 0);
	call(g, b0, "get", lg_fn_field(g, q, "->b"), 0);
	call(g, b0, "get", lg_fn_field(g, q, "->c"), 0);
	call(g, b0, "f", LG_NOVAR, 2, lg_opnd_var(q), lg_opnd_var(x));
	ret(g, b0, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text,
		"summary f (f)\n"
		"  release arg 0->a except when it returns positive\n"
		"  release arg 0->b except when it returns positive\n"
		"  release arg 0->c\n"
		"summary use (use)\n"));
	free(text);
}

/* A place below a parameter is summarised when some caller can hand a
 * resource in it, directly or through callers of callers:
 *   void leaf(struct s *p) { unknown(p); }      p->a, p->b, p->c named
 *   void mid(struct s *p) { leaf(p); }
 *   void top(struct s *q) { q->b = get(); mid(q); }
 *   void loc(void) { struct s l; l.c = get(); leaf(&l); }
 * Only leaf's p->b and p->c (and mid's p->b) can hold anything. */
static void summary__only_places_callers_use_are_summarised(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "leaf");
	lg_var_id p = lg_fn_var(g, "p", LG_VAR_PARAM);
	g->vars[p].is_pointer = 1;
	lg_var_id a = lg_fn_field(g, p, "->a");
	lg_var_id bb = lg_fn_field(g, p, "->b");
	lg_var_id c = lg_fn_field(g, p, "->c");
	uint32_t b0 = lg_fn_block(g);
	struct lg_event *e = lg_fn_event(g, b0, LG_EV_ESCAPE, L(2));
	e->src = lg_opnd_var(a);
	e = lg_fn_event(g, b0, LG_EV_ESCAPE, L(2));
	e->src = lg_opnd_var(bb);
	e = lg_fn_event(g, b0, LG_EV_ESCAPE, L(2));
	e->src = lg_opnd_var(c);
	ret(g, b0, lg_opnd_unknown());

	g = fn(f, "mid");
	p = lg_fn_var(g, "p", LG_VAR_PARAM);
	g->vars[p].is_pointer = 1;
	lg_fn_field(g, p, "->a");
	b0 = lg_fn_block(g);
	call(g, b0, "leaf", LG_NOVAR, 1, lg_opnd_var(p));
	ret(g, b0, lg_opnd_unknown());

	g = fn(f, "top");
	lg_var_id q = lg_fn_var(g, "q", LG_VAR_PARAM);
	g->vars[q].is_pointer = 1;
	b0 = lg_fn_block(g);
	call(g, b0, "get", lg_fn_field(g, q, "->b"), 0);
	call(g, b0, "mid", LG_NOVAR, 1, lg_opnd_var(q));
	ret(g, b0, lg_opnd_unknown());

	g = fn(f, "loc");
	lg_var_id l = lg_fn_var(g, "l", LG_VAR_LOCAL);
	b0 = lg_fn_block(g);
	call(g, b0, "get", lg_fn_field(g, l, ".c"), 0);
	call(g, b0, "leaf", LG_NOVAR, 1, lg_opnd_addr(l));
	ret(g, b0, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text,
		"summary leaf (leaf)\n"
		"  transfer arg 0->b\n"
		"  transfer arg 0->c\n"
		"summary loc (loc)\n"));
	assert_non_null(strstr(text, "summary mid (mid)\n  transfer arg 0->b\n"));
	free(text);
}

/* An unlock through any place may name a lock held through a pointer
 * variable (there is one lock held, and nothing else names it), so a
 * caller holding one demands every place of what it passes:
 *   void f(struct s *p) { unlock(&p->mu); }
 *   void caller(pthread_mutex_t *m, struct s *p) { lock(m); f(p); }
 * f's `release arg 0->mu` is summarised, and the caller leaks nothing. */
static void summary__a_lock_held_by_pointer_demands_every_place(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "f");
	lg_var_id p = lg_fn_var(g, "p", LG_VAR_PARAM);
	g->vars[p].is_pointer = 1;
	lg_var_id mu = lg_fn_field(g, p, "->mu");
	uint32_t b0 = lg_fn_block(g);
	call(g, b0, "unlock", LG_NOVAR, 1, lg_opnd_addr(mu));
	ret(g, b0, lg_opnd_unknown());

	struct lg_fn *caller = fn(f, "caller");
	lg_var_id m = lg_fn_var(caller, "m", LG_VAR_PARAM);
	p = lg_fn_var(caller, "p", LG_VAR_PARAM);
	caller->vars[m].is_pointer = caller->vars[p].is_pointer = 1;
	b0 = lg_fn_block(caller);
	call(caller, b0, "lock", LG_NOVAR, 1, lg_opnd_var(m));
	call(caller, b0, "f", LG_NOVAR, 1, lg_opnd_var(p));
	ret(caller, b0, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text, "summary f (f)\n  release arg 0->mu\n"));
	free(text);
	struct lg_oracle o = lg_summaries_oracle(&f->sums);
	struct lg_leaks leaks = LG_LEAKS_INIT;
	assert_int_equal(lg_analyse(caller, &o, NULL, &leaks, &f->diags), 0);
	assert_int_equal(leaks.n, 0);
	lg_leaks_release(&leaks);
}

/* A parameter no caller can hand a resource in needs no run:
 *   void close_it(struct conn *c) { put(c); }
 *   void idle(void) { close_it(make_name()); }      nothing to hand over
 * close_it borrows, as far as this program goes; once a caller hands it a
 * connection, it releases. */
static void summary__parameters_no_caller_can_use_are_not_summarised(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "close_it");
	lg_var_id c = lg_fn_var(g, "c", LG_VAR_PARAM);
	uint32_t b = lg_fn_block(g);
	call(g, b, "put", LG_NOVAR, 1, lg_opnd_var(c));
	ret(g, b, lg_opnd_unknown());

	g = fn(f, "idle");
	lg_var_id t = lg_fn_var(g, NULL, LG_VAR_TEMP);
	b = lg_fn_block(g);
	call(g, b, "make_name", t, 0);
	call(g, b, "close_it", LG_NOVAR, 1, lg_opnd_var(t));
	ret(g, b, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text, "summary close_it (close_it)\n  borrows its arguments\n"));
	free(text);

	static const char *const callee[] = { "close_it" };
	static const int one[] = { 1 }, first[] = { 0 };
	hand_in(f, "user", callee, one, first, 1);
	lg_summaries_release(&f->sums);
	lg_summaries_init(&f->sums, &f->rules);
	text = dump(f);
	assert_non_null(strstr(text, "summary close_it (close_it)\n  release arg 0\n"));
	free(text);
}

/* `x = g(x, y)`: whether g has any effect at all decides whether it takes
 * the old x over, so the call demands every parameter of g, even the y
 * the caller holds nothing in:
 *   struct conn *g(struct conn *x, struct conn *y) { put(y); return other(); }
 *   void caller(void) { struct conn *x = get(); x = g(x, name()); }
 * g releases its y, so it is not a function that takes x over: x's
 * connection is lost when x is overwritten. */
static void summary__x_is_g_of_x_demands_every_parameter(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "g");
	lg_fn_var(g, "x", LG_VAR_PARAM);
	lg_var_id y = lg_fn_var(g, "y", LG_VAR_PARAM);
	lg_var_id t = lg_fn_var(g, NULL, LG_VAR_TEMP);
	uint32_t b = lg_fn_block(g);
	call(g, b, "put", LG_NOVAR, 1, lg_opnd_var(y));
	call(g, b, "other", t, 0);
	ret(g, b, lg_opnd_var(t));

	struct lg_fn *caller = fn(f, "caller");
	lg_var_id x = lg_fn_var(caller, "x", LG_VAR_LOCAL);
	b = lg_fn_block(caller);
	call(caller, b, "get", x, 0);
	call(caller, b, "g", x, 2, lg_opnd_var(x), lg_opnd_unknown());
	ret(caller, b, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text, "summary g (g)\n  release arg 1\n"));
	free(text);
	struct lg_oracle o = lg_summaries_oracle(&f->sums);
	struct lg_leaks leaks = LG_LEAKS_INIT;
	assert_int_equal(lg_analyse(caller, &o, NULL, &leaks, &f->diags), 0);
	assert_int_equal(leaks.n, 1);
	lg_leaks_release(&leaks);
}

/* A function that holds a lock reads every release of a pointer its
 * callees make: an unlock through any pointer may be its unlock (one lock
 * held, nothing else naming it).  So its calls demand every parameter:
 *   void h(pthread_mutex_t *p) { unlock(p); }
 *   void caller(pthread_mutex_t *m, pthread_mutex_t *p) { lock(m); h(p); }
 * h's release is summarised though the caller holds nothing in p, and the
 * caller leaks nothing. */
static void summary__a_function_holding_a_lock_demands_every_parameter(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "h");
	lg_var_id p = lg_fn_var(g, "p", LG_VAR_PARAM);
	g->vars[p].is_pointer = 1;
	uint32_t b = lg_fn_block(g);
	call(g, b, "unlock", LG_NOVAR, 1, lg_opnd_var(p));
	ret(g, b, lg_opnd_unknown());

	struct lg_fn *caller = fn(f, "caller");
	lg_var_id m = lg_fn_var(caller, "m", LG_VAR_PARAM);
	p = lg_fn_var(caller, "p", LG_VAR_PARAM);
	caller->vars[m].is_pointer = caller->vars[p].is_pointer = 1;
	b = lg_fn_block(caller);
	call(caller, b, "lock", LG_NOVAR, 1, lg_opnd_var(m));
	call(caller, b, "h", LG_NOVAR, 1, lg_opnd_var(p));
	ret(caller, b, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text, "summary h (h)\n  release arg 0\n"));
	free(text);
	struct lg_oracle o = lg_summaries_oracle(&f->sums);
	struct lg_leaks leaks = LG_LEAKS_INIT;
	assert_int_equal(lg_analyse(caller, &o, NULL, &leaks, &f->diags), 0);
	assert_int_equal(leaks.n, 0);
	lg_leaks_release(&leaks);
}

/* A callee that releases what it is given and returns a new resource is a
 * reopen (freopen): given the caller's own parameter, the result is the
 * caller's resource still, not a new one to release.  That reading needs
 * the release, so the call demands every parameter:
 *   struct conn *reopen(struct conn *c) { put(c); return get(); }
 *   void caller(struct conn *c) { struct conn *d = reopen(c); use(d); } */
static void summary__a_callee_that_returns_a_resource_is_summarised_whole(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "reopen");
	lg_var_id c = lg_fn_var(g, "c", LG_VAR_PARAM);
	lg_var_id t = lg_fn_var(g, NULL, LG_VAR_TEMP);
	uint32_t b = lg_fn_block(g);
	call(g, b, "put", LG_NOVAR, 1, lg_opnd_var(c));
	call(g, b, "get", t, 0);
	ret(g, b, lg_opnd_var(t));

	struct lg_fn *caller = fn(f, "caller");
	c = lg_fn_var(caller, "c", LG_VAR_PARAM);
	lg_var_id d = lg_fn_var(caller, "d", LG_VAR_LOCAL);
	b = lg_fn_block(caller);
	call(caller, b, "reopen", d, 1, lg_opnd_var(c));
	call(caller, b, "use", LG_NOVAR, 1, lg_opnd_var(d));
	ret(caller, b, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text, "summary reopen (reopen)\n"));
	assert_non_null(strstr(text, "  release arg 0\n"));
	free(text);
	struct lg_oracle o = lg_summaries_oracle(&f->sums);
	struct lg_leaks leaks = LG_LEAKS_INIT;
	assert_int_equal(lg_analyse(caller, &o, NULL, &leaks, &f->diags), 0);
	assert_int_equal(leaks.n, 0);
	lg_leaks_release(&leaks);
}

/* A function called with a lock held, whose summary has a run for a lock
 * it names by an lvalue (entered holding it), reads every release of a
 * pointer too:
 *   void h(pthread_mutex_t *p) { unlock(p); }
 *   void g(int x) { pthread_mutex_t *q = pick(); if (x) unlock(&g_mu); else h(q); }
 *   void caller(int x) { lock(&g_mu); g(x); }
 * On either path g gives g_mu back (h's unlock of the only lock held), so
 * the caller leaks nothing. */
static void summary__a_lock_run_called_with_a_lock_held_demands_every_parameter(void **state)
{
	struct fixture *f = *state;
	struct lg_fn *g = fn(f, "h");
	lg_var_id p = lg_fn_var(g, "p", LG_VAR_PARAM);
	g->vars[p].is_pointer = 1;
	uint32_t b = lg_fn_block(g);
	call(g, b, "unlock", LG_NOVAR, 1, lg_opnd_var(p));
	ret(g, b, lg_opnd_unknown());

	g = fn(f, "g");
	lg_var_id x = lg_fn_var(g, "x", LG_VAR_PARAM);
	lg_var_id q = lg_fn_var(g, "q", LG_VAR_LOCAL);
	g->vars[q].is_pointer = 1;
	uint32_t b0 = lg_fn_block(g), b1 = lg_fn_block(g), b2 = lg_fn_block(g);
	call(g, b0, "pick", q, 0);
	branch(g, b0, x, LG_REL_NE, 0, b1, b2);
	call(g, b1, "unlock", LG_NOVAR, 1, lval(g, "&g_mu"));
	ret(g, b1, lg_opnd_unknown());
	call(g, b2, "h", LG_NOVAR, 1, lg_opnd_var(q));
	ret(g, b2, lg_opnd_unknown());

	struct lg_fn *caller = fn(f, "caller");
	x = lg_fn_var(caller, "x", LG_VAR_PARAM);
	b = lg_fn_block(caller);
	call(caller, b, "lock", LG_NOVAR, 1, lval(caller, "&g_mu"));
	call(caller, b, "g", LG_NOVAR, 1, lg_opnd_var(x));
	ret(caller, b, lg_opnd_unknown());

	char *text = dump(f);
	assert_non_null(strstr(text, "summary h (h)\n  release arg 0\n"));
	free(text);
	struct lg_oracle o = lg_summaries_oracle(&f->sums);
	struct lg_leaks leaks = LG_LEAKS_INIT;
	assert_int_equal(lg_analyse(caller, &o, NULL, &leaks, &f->diags), 0);
	assert_int_equal(leaks.n, 0);
	lg_leaks_release(&leaks);
}

/* A cache filled on first use hands out a borrowed resource; a function
 * that fills the place every time hands its resource over:
 *   struct conn *cached(struct s *p) { if (p->c == 0) p->c = get(); return p->c; }
 *   struct conn *fresh(struct s *p) { p->c = get(); return p->c; }
 *   void fill(struct s *p) { if (p->c == 0) p->c = get(); }
 *   void twice(struct s *p) { fill(p); fill(p); }
 * cached and fill acquire into the place only when it is empty, and so do
 * their callers (twice); fresh's resource is returned. */
static void summary__a_cache_filled_on_first_use_is_borrowed(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "cached", "fresh", "fill" };
	for (int k = 0; k < 3; k++) {
		struct lg_fn *g = fn(f, names[k]);
		lg_var_id p = lg_fn_var(g, "p", LG_VAR_PARAM);
		g->vars[p].is_pointer = 1;
		lg_var_id pc = lg_fn_field(g, p, "->c");
		uint32_t b0 = lg_fn_block(g), b1 = lg_fn_block(g), b2 = lg_fn_block(g);
		if (k == 1)
			go(g, b0, b1);
		else
			branch(g, b0, pc, LG_REL_EQ, 0, b1, b2);
		call(g, b1, "get", pc, 0);
		go(g, b1, b2);
		ret(g, b2, k == 2 ? lg_opnd_unknown() : lg_opnd_var(pc));
	}
	struct lg_fn *g = fn(f, "twice");
	lg_var_id p = lg_fn_var(g, "p", LG_VAR_PARAM);
	g->vars[p].is_pointer = 1;
	lg_fn_field(g, p, "->c");
	uint32_t b0 = lg_fn_block(g);
	call(g, b0, "fill", LG_NOVAR, 1, lg_opnd_var(p));
	call(g, b0, "fill", LG_NOVAR, 1, lg_opnd_var(p));
	ret(g, b0, lg_opnd_unknown());
	hand_in(f, "user", (const char *const[]){ "fill" }, (const int[]){ 1 },
		(const int[]){ 0 }, 1);

	char *text = dump(f);
	assert_non_null(strstr(text,
		"summary cached (cached)\n"
		"  acquire conn arg 0->c when it is empty via cached() -> get()\n"));
	assert_non_null(strstr(text,
		"summary fill (fill)\n"
		"  acquire conn arg 0->c when it is empty via fill() -> get()\n"));
	assert_non_null(strstr(text,
		"summary fresh (fresh)\n"
		"  acquire conn returned via fresh() -> get()\n"));
	assert_non_null(strstr(text,
		"summary twice (twice)\n"
		"  acquire conn arg 0->c when it is empty via twice() -> fill() -> get()\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(summary__wrappers_of_wrappers_acquire),
		T(summary__what_helpers_do_to_parameters),
		T(summary__lock_wrappers_through_a_field),
		T(summary__recursion_reaches_a_fixpoint),
		T(summary__function_that_never_returns),
		T(summary__memos_are_taken_only_when_the_digest_matches),
		T(summary__recursion_is_computed_callees_first),
		T(summary__locks_named_from_a_local_are_not_summarised),
		T(summary__places_named_by_no_event_share_a_run),
		T(summary__only_places_callers_use_are_summarised),
		T(summary__a_lock_held_by_pointer_demands_every_place),
		T(summary__parameters_no_caller_can_use_are_not_summarised),
		T(summary__x_is_g_of_x_demands_every_parameter),
		T(summary__a_function_holding_a_lock_demands_every_parameter),
		T(summary__a_callee_that_returns_a_resource_is_summarised_whole),
		T(summary__a_lock_run_called_with_a_lock_held_demands_every_parameter),
		T(summary__a_cache_filled_on_first_use_is_borrowed),
#undef T
	};
	return cmocka_run_group_tests_name("summary", tests, NULL, NULL);
}
