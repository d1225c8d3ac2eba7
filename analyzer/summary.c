/*
 * summary.c - function summaries (see summary.h).
 *
 * summarise() reads the outcomes of one function (the fate of each tracked
 * thing at every return) and writes its effects; compute() orders the
 * functions by Tarjan's strongly connected components (iteratively, so a
 * long call chain cannot exhaust the stack) and runs summarise() bottom up,
 * repeating a component until none of its summaries changes.  The oracle
 * answers from the rules first: a function the rules name is what the rules
 * say, even when its body is in the project.
 */
#include "summary.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "demand.h"
#include "hash.h"
#include "parallel.h"

#define MAX_ROUNDS 8

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

void lg_summaries_init(struct lg_summaries *s, const struct lg_ruleset *rules)
{
	memset(s, 0, sizeof(*s));
	s->rules = rules;
}

const struct lg_summary *lg_summaries_find(const struct lg_summaries *s,
					   const char *id)
{
	if (!s->cap || !id)
		return NULL;
	for (size_t i = hash_str(id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->table[i])
			return NULL;
		if (strcmp(s->table[i]->id, id) == 0)
			return s->table[i];
	}
}

static int insert(struct lg_summaries *s, struct lg_summary *sum)
{
	if ((s->used + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct lg_summary **t = calloc(cap, sizeof(*t));
		if (!t)
			return -1;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->table[i])
				continue;
			size_t j = hash_str(s->table[i]->id) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = s->table[i];
		}
		free(s->table);
		s->table = t;
		s->cap = cap;
	}
	size_t i = hash_str(sum->id) & (s->cap - 1);
	while (s->table[i])
		i = (i + 1) & (s->cap - 1);
	s->table[i] = sum;
	s->used++;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct lg_effect *lg_effects_copy(const struct lg_effect *e, size_t n)
{
	struct lg_effect *v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		v[i] = e[i];
		v[i].field = dup_or_null(e[i].field);
		v[i].key = dup_or_null(e[i].key);
		v[i].via = dup_or_null(e[i].via);
	}
	return v;
}

void lg_effects_free(struct lg_effect *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)e[i].field);
		free((char *)e[i].key);
		free((char *)e[i].via);
	}
	free(e);
}

static void free_effects(struct lg_effect *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)e[i].field);
		free((char *)e[i].key);
		free((char *)e[i].via);
	}
	free(e);
}

static void summary_free(struct lg_summary *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->name);
	free_effects(s->effects, s->n_effects);
	free(s);
}

void lg_summaries_release(struct lg_summaries *s)
{
	for (size_t i = 0; i < s->cap; i++)
		summary_free(s->table[i]);
	free(s->table);
	memset(s, 0, sizeof(*s));
}

/* ---- the oracle ------------------------------------------------------------- */

static const struct lg_effect no_effect[1];

static const struct lg_effect *lookup(const void *ctx, const struct lg_event *call,
				      size_t *n, bool *known)
{
	const struct lg_summaries *s = ctx;
	*n = 0;
	*known = false;
	if (call->callee && s->rules) {
		const struct lg_effect *e = lg_ruleset_lookup(s->rules, call->callee, n);
		if (e)
			return e;
	}
	const struct lg_summary *sum = lg_summaries_find(s, call->callee_id);
	if (!sum || !sum->usable)
		return NULL;
	*known = true;
	*n = sum->n_effects;
	return sum->n_effects ? sum->effects : no_effect;
}

struct lg_oracle lg_summaries_oracle(const struct lg_summaries *s)
{
	return (struct lg_oracle){ lookup, s };
}

/* ---- from outcomes to effects ---------------------------------------------- */

struct effects {
	struct lg_effect *v;
	size_t n, cap;
	bool oom;
};

static void add(struct effects *es, struct lg_effect e)
{
	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 4;
		struct lg_effect *v = realloc(es->v, cap * sizeof(*v));
		if (!v) {
			es->oom = true;
			free((char *)e.field);
			free((char *)e.key);
			free((char *)e.via);
			return;
		}
		es->v = v;
		es->cap = cap;
	}
	es->v[es->n++] = e;
}


static char *chain(const struct lg_fn *fn, const struct lg_outcome *o)
{
	char *s = NULL;
	const char *below = o->effect->via;
	int r = below ? asprintf(&s, "%s() -> %s", fn->name, below)
		      : asprintf(&s, "%s() -> %s()", fn->name, o->callee ? o->callee : "?");
	return r < 0 ? NULL : s;
}

static void summarise_acquire(const struct lg_fn *fn, const struct lg_outcome *o,
			      struct effects *es)
{
	const struct lg_effect *ef = o->effect;
	uint8_t held_mask = 0, fail_mask = 0;
	bool returned = false, held = false, failed = false;

	for (uint32_t i = 0; i < o->n_exits; i++) {
		const struct lg_exit *x = &o->exits[i];
		if (x->fate == LG_FATE_RETURNED)
			returned = true;
		if (x->fate == LG_FATE_HELD) {
			held = true;
			held_mask |= x->retmask;
		}
		if (x->failed && x->fate != LG_FATE_HELD) {
			failed = true;
			fail_mask |= x->retmask;
		}
	}

	if (o->is_lock) {
		/* a lock wrapper: see judge_lock_exits in analysis.c */
		if (!held)
			return;
		if (failed ? (held_mask & fail_mask) != 0 : o->releases_kind)
			return;
		/* held only when it returns some values (`return trylock(m)`,
		 * or a status the failing paths never give): say which */
		struct lg_effect e = {
			.kind = LG_EFFECT_ACQUIRE, .resource = ef->resource,
			.arg = -1, .mask = held_mask != LG_CLASS_ALL ? held_mask : 0,
		};
		if (o->lock.kind == LG_OPND_LVAL) {
			e.site = LG_SITE_GLOBAL;
			e.key = dup_or_null(o->lock.key);
		} else if (o->lock_arg >= 0) {
			e.site = LG_SITE_ARG;
			e.arg = o->lock_arg;
			e.field = o->lock_path[0] ? strdup(o->lock_path) : NULL;
		} else {
			return;           /* a lock local to the function */
		}
		e.via = chain(fn, o);
		add(es, e);
		return;
	}

	/* one returned resource per kind is enough (recursion would otherwise
	 * add the same acquisition again with a longer chain each round) */
	for (size_t i = 0; i < es->n && returned; i++)
		if (es->v[i].kind == LG_EFFECT_ACQUIRE && es->v[i].site == LG_SITE_RETURN &&
		    es->v[i].resource == ef->resource)
			returned = false;
	if (returned) {
		struct lg_effect e = {
			.kind = LG_EFFECT_ACQUIRE, .resource = ef->resource,
			.site = LG_SITE_RETURN, .arg = -1,
			.fd_like = ef->fd_like ||
				   (ef->site == LG_SITE_RETURN &&
				    ef->success == LG_SUCCESS_NONNEGATIVE),
			.via = chain(fn, o),
		};
		add(es, e);
	}
	/* left in places the caller sees: one effect per place */
	for (uint32_t i = 0; i < o->n_exits; i++) {
		const struct lg_exit *x = &o->exits[i];
		if (x->fate != LG_FATE_OUT || !x->out_path[0])
			continue;
		bool first = true;
		for (uint32_t j = 0; j < i; j++)
			first &= !(o->exits[j].fate == LG_FATE_OUT &&
				   o->exits[j].out_arg == x->out_arg &&
				   strcmp(o->exits[j].out_path, x->out_path) == 0);
		for (size_t j = 0; j < es->n && first; j++)
			first = !(es->v[j].kind == LG_EFFECT_ACQUIRE &&
				  es->v[j].site == LG_SITE_OUT_ARG &&
				  es->v[j].arg == x->out_arg &&
				  es->v[j].resource == ef->resource);
		if (!first)
			continue;
		uint8_t in = 0, other = 0;
		bool if_empty = true;
		for (uint32_t j = 0; j < o->n_exits; j++) {
			const struct lg_exit *y = &o->exits[j];
			if (y->fate == LG_FATE_OUT && y->out_arg == x->out_arg &&
			    strcmp(y->out_path, x->out_path) == 0) {
				in |= y->retmask;
				if_empty &= y->if_empty;
			} else {
				other |= y->retmask;
			}
		}
		struct lg_effect e = {
			.kind = LG_EFFECT_ACQUIRE, .resource = ef->resource,
			.site = LG_SITE_OUT_ARG, .arg = x->out_arg,
			.mask = (in & other) || in == LG_CLASS_ALL ? 0 : in,
			.if_empty = if_empty,
			.field = strcmp(x->out_path, "*") == 0 ? NULL : strdup(x->out_path),
			.via = chain(fn, o),
		};
		add(es, e);
	}
}

/* What the function does to what it was given in a parameter (or in a
 * place a parameter points to), or to a global lock. */
static void summarise_given(const struct lg_outcome *o, struct effects *es)
{
	uint8_t gone_mask = 0, held_mask = 0;
	bool rel = false, held = false, esc = false;

	for (uint32_t i = 0; i < o->n_exits; i++) {
		const struct lg_exit *x = &o->exits[i];
		switch (x->fate) {
		case LG_FATE_RELEASED:
			rel = true;
			gone_mask |= x->retmask;
			break;
		case LG_FATE_OUT:
			/* left in the place it was given in: nothing happened */
			if (x->out_arg == o->param && strcmp(x->out_path, o->path) == 0) {
				held = true;
				held_mask |= x->retmask;
				break;
			}
			esc = true;   /* stored elsewhere */
			gone_mask |= x->retmask;
			break;
		case LG_FATE_ESCAPED:
		case LG_FATE_RETURNED:
			esc = true;
			gone_mask |= x->retmask;
			break;
		default:
			held = true;
			held_mask |= x->retmask;
			break;
		}
	}
	if (o->n_exits == 0 || (!rel && !esc))
		return;   /* only borrowed */
	struct lg_effect e = { .resource = LG_ANY_RESOURCE, .arg = -1 };
	if (!held) {
		e.kind = esc && !rel ? LG_EFFECT_TRANSFER : LG_EFFECT_RELEASE;
	} else if (!(gone_mask & held_mask)) {
		/* the return value tells: gone when it returns one of
		 * `gone_mask`, still held when it returns one of `held_mask` */
		e.kind = LG_EFFECT_RELEASE;
		e.mask = held_mask;
	} else if (esc) {
		/* may have been stored, and the caller cannot tell: assume it
		 * was (no false alarm) */
		e.kind = LG_EFFECT_TRANSFER;
	} else {
		return;   /* released on some paths only: still held on others */
	}
	if (o->track == LG_TRACK_GLOBAL) {
		if (e.kind != LG_EFFECT_RELEASE)
			return;
		e.site = LG_SITE_GLOBAL;
		e.key = dup_or_null(o->key);
	} else {
		e.site = LG_SITE_ARG;
		e.arg = o->param;
		e.field = o->path[0] ? strdup(o->path) : NULL;
	}
	add(es, e);
}

static int summarise(const struct lg_fn *fn, const struct lg_oracle *oracle,
		     const struct lg_budget *budget, const struct lg_wanted *wanted,
		     struct lg_summary *sum)
{
	struct lg_outcomes oc = LG_OUTCOMES_INIT;
	struct lg_diags scratch = LG_DIAGS_INIT;
	struct effects es = { 0 };

	int r = 0;
	if (!lg_returns(fn, oracle)) {
		/* every path ends in exit() or the like: so does every call */
		add(&es, (struct lg_effect){ .kind = LG_EFFECT_STOP, .arg = -1 });
	} else {
		/* the time a file may take bounds each summary too (the
		 * function is reported when its file is checked) */
		static const struct lg_budget dflt = LG_BUDGET_DEFAULT;
		struct lg_budget b = budget ? *budget : dflt;
		if (b.max_seconds > 0)
			b.deadline = lg_now() + b.max_seconds;
		r = lg_analyse_outcomes(fn, oracle, &b, wanted, &oc, &scratch);
		for (size_t i = 0; i < oc.n && r == 0; i++) {
			if (oc.v[i].track == LG_TRACK_ACQUIRE)
				summarise_acquire(fn, &oc.v[i], &es);
			else
				summarise_given(&oc.v[i], &es);
		}
	}
	lg_diags_release(&scratch);
	lg_outcomes_release(&oc);
	if (es.oom) {
		free_effects(es.v, es.n);
		return -1;
	}
	free_effects(sum->effects, sum->n_effects);
	sum->effects = es.v;
	sum->n_effects = es.n;
	sum->usable = r == 0;
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_effects(const struct lg_effect *a, size_t na,
			 const struct lg_effect *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].kind != b[i].kind || a[i].resource != b[i].resource ||
		    a[i].site != b[i].site || a[i].arg != b[i].arg ||
		    a[i].success != b[i].success || a[i].mask != b[i].mask ||
		    a[i].fd_like != b[i].fd_like || a[i].if_empty != b[i].if_empty ||
		    !str_eq(a[i].field, b[i].field) ||
		    !str_eq(a[i].key, b[i].key) || !str_eq(a[i].via, b[i].via))
			return false;
	return true;
}

/* ---- digests ------------------------------------------------------------------ */

static void hash_str_field(struct lg_sha256 *h, const char *str)
{
	if (!str) {
		lg_sha256_update(h, "-", 1);
		return;
	}
	lg_sha256_update(h, "s", 1);
	lg_sha256_update(h, str, strlen(str) + 1);
}

static void hash_effects(struct lg_sha256 *h, const struct lg_effect *e, size_t n)
{
	char num[96];
	for (size_t i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%d %u %d %d %d %u %u %u", (int)e[i].kind,
			 e[i].resource, (int)e[i].site, e[i].arg, (int)e[i].success,
			 e[i].mask, e[i].fd_like, e[i].if_empty);
		hash_str_field(h, num);
		hash_str_field(h, e[i].field);
		hash_str_field(h, e[i].key);
		hash_str_field(h, e[i].via);
	}
}

/* What `fn` (number `i` of the demand `dm`) has its summary and findings
 * depend on: its graph, the rules, the places its callers demand, and the
 * summary of every function it calls (by id, in call order). */
static void input_digest(const struct lg_summaries *s, const struct lg_demand *dm,
			 size_t i, const struct lg_fn *fn, char out[65])
{
	struct lg_sha256 h;
	lg_sha256_init(&h);
	hash_str_field(&h, "leakgate-summary/2");
	lg_demand_hash(dm, i, &h);
	/* without a graph digest (no cache), the id stands for the graph: the
	 * digest then only tells whether the callees' summaries changed */
	hash_str_field(&h, fn->digest ? fn->digest : fn->id);
	hash_str_field(&h, s->rules_digest);
	for (uint32_t b = 0; b < fn->n_blocks; b++)
		for (uint32_t k = 0; k < fn->blocks[b].n_ev; k++) {
			const struct lg_event *e = &fn->blocks[b].ev[k];
			if (e->kind != LG_EV_CALL || !e->callee_id)
				continue;
			const struct lg_summary *c = lg_summaries_find(s, e->callee_id);
			if (!c)
				continue;
			hash_str_field(&h, c->id);
			hash_str_field(&h, c->usable ? "u" : "n");
			hash_effects(&h, c->effects, c->n_effects);
		}
	lg_sha256_hex(&h, out);
}

/* ---- the call graph, bottom up ---------------------------------------------- */

struct graph {
	struct lg_fn *const *fns;
	size_t n;
	size_t **succ;          /* callees that are in `fns` */
	size_t *n_succ;
	size_t *idx;            /* id -> index, open hashing (SIZE_MAX: free) */
	size_t cap;
	bool *oom;              /* per function: finding its callees ran out
				   of memory */
	struct lg_demand *demand;
};

static const char *graph_id(const struct graph *g, size_t i)
{
	return g->fns[i]->id ? g->fns[i]->id : g->fns[i]->name;
}

/* The index of the function whose id is `id`, or SIZE_MAX. */
static size_t graph_find(const void *ctx, const char *id)
{
	const struct graph *g = ctx;
	if (!g->idx || !id)
		return SIZE_MAX;
	size_t h = hash_str(id) & (g->cap - 1);
	for (; g->idx[h] != SIZE_MAX; h = (h + 1) & (g->cap - 1))
		if (strcmp(graph_id(g, g->idx[h]), id) == 0)
			return g->idx[h];
	return SIZE_MAX;
}

/* Appends to an array whose room doubles when its length reaches a power
 * of two (no capacity to keep). */
static int push(size_t **v, size_t *n, size_t x)
{
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		size_t *nv = realloc(*v, (*n ? *n * 2 : 1) * sizeof(*nv));
		if (!nv)
			return -1;
		*v = nv;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static void find_callees(void *ctx, size_t i)
{
	struct graph *g = ctx;
	const struct lg_fn *fn = g->fns[i];
	for (uint32_t b = 0; b < fn->n_blocks; b++)
		for (uint32_t k = 0; k < fn->blocks[b].n_ev; k++) {
			const struct lg_event *e = &fn->blocks[b].ev[k];
			if (e->kind != LG_EV_CALL || !e->callee_id)
				continue;
			size_t callee = graph_find(g, e->callee_id);
			if (callee != SIZE_MAX && push(&g->succ[i], &g->n_succ[i], callee) < 0) {
				g->oom[i] = true;
				return;
			}
		}
}

static int build_graph(struct lg_summaries *s, struct graph *g)
{
	g->succ = calloc(g->n ? g->n : 1, sizeof(*g->succ));
	g->n_succ = calloc(g->n ? g->n : 1, sizeof(*g->n_succ));
	if (!g->succ || !g->n_succ)
		return -1;
	/* index functions by id: the summaries table doubles as the index */
	for (size_t i = 0; i < g->n; i++) {
		const struct lg_fn *fn = g->fns[i];
		if (lg_summaries_find(s, fn->id))
			continue;   /* defined twice: the first one speaks */
		struct lg_summary *sum = calloc(1, sizeof(*sum));
		if (!sum)
			return -1;
		sum->id = strdup(fn->id ? fn->id : fn->name);
		sum->name = strdup(fn->name);
		sum->usable = true;
		if (!sum->id || !sum->name || insert(s, sum) < 0) {
			summary_free(sum);
			return -1;
		}
	}
	/* map id -> index with a small open table (the first definition) */
	size_t cap = 64;
	while (cap < g->n * 2 + 2)
		cap *= 2;
	g->idx = malloc(cap * sizeof(*g->idx));
	if (!g->idx)
		return -1;
	g->cap = cap;
	for (size_t i = 0; i < cap; i++)
		g->idx[i] = SIZE_MAX;
	for (size_t i = 0; i < g->n; i++) {
		if (graph_find(g, graph_id(g, i)) != SIZE_MAX)
			continue;
		size_t h = hash_str(graph_id(g, i)) & (cap - 1);
		while (g->idx[h] != SIZE_MAX)
			h = (h + 1) & (cap - 1);
		g->idx[h] = i;
	}
	/* each function's callees, on every thread */
	g->oom = calloc(g->n ? g->n : 1, sizeof(*g->oom));
	if (!g->oom)
		return -1;
	int jobs = s->jobs > 0 ? s->jobs : 1;
	lg_parallel_for(g->n, jobs, find_callees, g);
	for (size_t i = 0; i < g->n; i++)
		if (g->oom[i])
			return -1;
	/* which parameters, and places below them, callers can hand a
	 * resource in */
	g->demand = lg_demand_compute(g->fns, g->n, s->rules, graph_find, g, jobs);
	return g->demand ? 0 : -1;
}

/* Tarjan's algorithm without recursion.  Components come out callees
 * first; `on_scc` gets each one. */
static int tarjan(const struct graph *g,
		  int (*on_scc)(void *ctx, const size_t *members, size_t n),
		  void *ctx)
{
	size_t n = g->n, counter = 0, sp = 0, cs = 0;
	size_t *index = malloc((n + 1) * sizeof(size_t));
	size_t *low = malloc((n + 1) * sizeof(size_t));
	bool *on = calloc(n + 1, sizeof(bool));
	size_t *stack = malloc((n + 1) * sizeof(size_t));
	struct frame { size_t v, next; } *calls = malloc((n + 1) * sizeof(*calls));
	int ret = 0;

	if (!index || !low || !on || !stack || !calls) {
		ret = -1;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		index[i] = SIZE_MAX;
	for (size_t root = 0; root < n && ret == 0; root++) {
		if (index[root] != SIZE_MAX)
			continue;
		calls[cs++] = (struct frame){ root, 0 };
		index[root] = low[root] = counter++;
		stack[sp++] = root;
		on[root] = true;
		while (cs > 0 && ret == 0) {
			struct frame *f = &calls[cs - 1];
			size_t v = f->v;
			if (f->next < g->n_succ[v]) {
				size_t w = g->succ[v][f->next++];
				if (index[w] == SIZE_MAX) {
					index[w] = low[w] = counter++;
					stack[sp++] = w;
					on[w] = true;
					calls[cs++] = (struct frame){ w, 0 };
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			if (low[v] == index[v]) {
				size_t start = sp;
				do {
					start--;
					on[stack[start]] = false;
				} while (stack[start] != v);
				ret = on_scc(ctx, stack + start, sp - start);
				sp = start;
			}
			cs--;
			if (cs > 0) {
				size_t u = calls[cs - 1].v;
				if (low[v] < low[u])
					low[u] = low[v];
			}
		}
	}
done:
	free(index);
	free(low);
	free(on);
	free(stack);
	free(calls);
	return ret;
}

struct scc_ctx {
	struct lg_summaries *s;
	const struct graph *g;
	const struct lg_budget *budget;
	struct lg_oracle oracle;
	const struct lg_summary_memo *const *memos;
	struct lg_summaries *counts;   /* where this worker counts its work */
};

static bool calls_itself(const struct graph *g, size_t v)
{
	for (size_t i = 0; i < g->n_succ[v]; i++)
		if (g->succ[v][i] == v)
			return true;
	return false;
}

static struct lg_summary *summary_of(struct scc_ctx *c, size_t member)
{
	const struct lg_fn *fn = c->g->fns[member];
	return (struct lg_summary *)lg_summaries_find(c->s, fn->id ? fn->id : fn->name);
}

/* A function outside any recursion whose inputs did not change since a
 * memo was made: its summary is the memo's. */
static bool reuse(struct scc_ctx *c, size_t member)
{
	const struct lg_summary_memo *m = c->memos ? c->memos[member] : NULL;
	struct lg_summary *sum = summary_of(c, member);
	if (!sum || !c->s->digests)
		return false;
	input_digest(c->s, c->g->demand, member, c->g->fns[member], sum->digest);
	if (!m || !m->digest || !c->g->fns[member]->digest ||
	    strcmp(m->digest, sum->digest) != 0)
		return false;
	struct lg_effect *e = lg_effects_copy(m->effects, m->n_effects);
	if (!e)
		return false;
	free_effects(sum->effects, sum->n_effects);
	sum->effects = e;
	sum->n_effects = m->n_effects;
	sum->usable = m->usable;
	sum->from_memo = true;
	return true;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * The order a recursive component is summarised in: the post-order of a
 * depth-first walk of its own calls from its root, so that a member comes
 * after the members it calls, except across the calls that close a cycle.
 * A member computed before its callees would see them as "never returns"
 * and be computed again; in SQLite's largest component this order halves
 * the computations of the discovery order Tarjan gives.  `order` gets the
 * `n` members; false when memory runs out (then `order` is `members`).
 */
static bool callees_first(const struct graph *g, const size_t *members, size_t n,
			  size_t *order)
{
	size_t *sorted = malloc(n * sizeof(*sorted));
	bool *done = calloc(n, sizeof(*done));
	struct frame { size_t v, next; } *stack = malloc(n * sizeof(*stack));
	if (!sorted || !done || !stack) {
		free(sorted);
		free(done);
		free(stack);
		memcpy(order, members, n * sizeof(*order));
		return false;
	}
	memcpy(sorted, members, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_size);
	size_t out = 0, sp = 0;
	/* every member is reachable from the root; the loop over roots only
	 * guards against a caller that passes something else */
	for (size_t r = 0; r < n; r++) {
		size_t *at = bsearch(&members[r], sorted, n, sizeof(*sorted), cmp_size);
		if (done[at - sorted])
			continue;
		done[at - sorted] = true;
		stack[sp++] = (struct frame){ members[r], 0 };
		while (sp > 0) {
			struct frame *f = &stack[sp - 1];
			if (f->next < g->n_succ[f->v]) {
				size_t w = g->succ[f->v][f->next++];
				size_t *k = bsearch(&w, sorted, n, sizeof(*sorted), cmp_size);
				if (k && !done[k - sorted]) {
					done[k - sorted] = true;
					stack[sp++] = (struct frame){ w, 0 };
				}
				continue;
			}
			order[out++] = f->v;
			sp--;
		}
	}
	free(sorted);
	free(done);
	free(stack);
	return true;
}

struct want_ctx {
	const struct lg_demand *d;
	size_t i;
};

static bool wants(const void *ctx, int arg, const char *path)
{
	const struct want_ctx *w = ctx;
	return lg_demand_wants(w->d, w->i, arg, path);
}

/* Summarises `member`; *changed when its summary changed.  0, or -1 when
 * memory ran out. */
static int compute_member(struct scc_ctx *c, size_t member, bool *changed)
{
	const struct lg_fn *fn = c->g->fns[member];
	struct lg_summary *sum = summary_of(c, member);
	*changed = false;
	if (!sum)
		return 0;
	struct lg_effect *old = sum->effects;
	size_t n_old = sum->n_effects;
	sum->effects = NULL;
	sum->n_effects = 0;
	struct lg_summary tmp = *sum;
	struct want_ctx wc = { c->g->demand, member };
	struct lg_wanted wanted = { wants, &wc };
	if (summarise(fn, &c->oracle, c->budget, &wanted, &tmp) < 0) {
		sum->effects = old;
		sum->n_effects = n_old;
		return -1;
	}
	*changed = !same_effects(old, n_old, tmp.effects, tmp.n_effects);
	free_effects(old, n_old);
	sum->effects = tmp.effects;
	sum->n_effects = tmp.n_effects;
	sum->usable = tmp.usable;
	return 0;
}

/*
 * A recursive component, its members numbered by their place in `order`
 * (callees first).  A member is computed again in a round only when the
 * summary of one of its callees in the component changed since it was
 * last computed (`dirty`); the component is done when no member is.
 *
 * A round runs on several threads with exactly the result of computing the
 * members one after the other in `order`: of two members where one calls
 * the other, the one earlier in `order` is computed first (a callee
 * earlier in the order is read as computed this round, one later as it was
 * last round, as in the serial round); members with no call between them
 * are computed at once.  Which thread takes which member changes nothing.
 */
struct sched {
	struct scc_ctx *c;
	const size_t *order;
	size_t n;
	size_t **callers;      /* callers[i]: the members that call member i */
	size_t *n_callers;
	size_t **after;        /* after[i]: the members that wait for member i */
	size_t *n_after;
	size_t *n_before;      /* how many members member i waits for */
	bool *dirty;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t *waiting, *ready;
	size_t n_ready, done, computed;
	bool failed;
};

/* Member i's summary changed: its callers must see it (the lock held when
 * threads run). */
static void sched_changed(struct sched *s, size_t i)
{
	for (size_t k = 0; k < s->n_callers[i]; k++)
		s->dirty[s->callers[i][k]] = true;
}

static void *round_worker(void *arg)
{
	struct sched *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->n_ready == 0 && s->done < s->n && !s->failed)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->done == s->n || s->failed)
			break;
		size_t i = s->ready[--s->n_ready];
		bool run = s->dirty[i];
		s->dirty[i] = false;
		pthread_mutex_unlock(&s->lock);
		bool changed = false;
		int r = run ? compute_member(s->c, s->order[i], &changed) : 0;
		pthread_mutex_lock(&s->lock);
		s->failed |= r < 0;
		s->computed += run;
		if (changed)
			sched_changed(s, i);
		s->done++;
		for (size_t k = 0; k < s->n_after[i]; k++)
			if (--s->waiting[s->after[i][k]] == 0)
				s->ready[s->n_ready++] = s->after[i][k];
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct member_pos {
	size_t member, pos;
};

static int cmp_member(const void *a, const void *b)
{
	const struct member_pos *x = a, *y = b;
	return x->member < y->member ? -1 : x->member > y->member;
}


/* Who calls whom inside the component, and who waits for whom: one edge
 * per call between two members, from the earlier in `order` to the later.
 * -1 when memory runs out. */
static int sched_build(struct sched *s)
{
	size_t n = s->n;
	struct member_pos *pos = malloc(n * sizeof(*pos));
	s->callers = calloc(n, sizeof(*s->callers));
	s->n_callers = calloc(n, sizeof(*s->n_callers));
	s->after = calloc(n, sizeof(*s->after));
	s->n_after = calloc(n, sizeof(*s->n_after));
	s->n_before = calloc(n, sizeof(*s->n_before));
	s->dirty = malloc(n * sizeof(*s->dirty));
	s->waiting = malloc(n * sizeof(*s->waiting));
	s->ready = malloc(n * sizeof(*s->ready));
	if (!pos || !s->callers || !s->n_callers || !s->after || !s->n_after ||
	    !s->n_before || !s->dirty || !s->waiting || !s->ready) {
		free(pos);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		pos[i] = (struct member_pos){ s->order[i], i };
		s->dirty[i] = true;
	}
	qsort(pos, n, sizeof(*pos), cmp_member);
	const struct graph *g = s->c->g;
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		size_t u = s->order[i];
		for (size_t e = 0; e < g->n_succ[u] && ret == 0; e++) {
			struct member_pos key = { g->succ[u][e], 0 };
			const struct member_pos *w = bsearch(&key, pos, n, sizeof(*pos), cmp_member);
			if (!w)
				continue;
			ret = push(&s->callers[w->pos], &s->n_callers[w->pos], i);
			if (ret < 0 || w->pos == i)
				continue;
			size_t lo = w->pos < i ? w->pos : i, hi = w->pos < i ? i : w->pos;
			ret = push(&s->after[lo], &s->n_after[lo], hi);
			s->n_before[hi]++;
		}
	}
	free(pos);
	return ret;
}

static void sched_release(struct sched *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->callers)
			free(s->callers[i]);
		if (s->after)
			free(s->after[i]);
	}
	free(s->callers);
	free(s->n_callers);
	free(s->after);
	free(s->n_after);
	free(s->n_before);
	free(s->dirty);
	free(s->waiting);
	free(s->ready);
}

/* One round on `jobs` threads (this one included).  -1 when memory ran
 * out. */
static int sched_round(struct sched *s, int jobs)
{
	s->n_ready = s->done = s->computed = 0;
	s->failed = false;
	for (size_t i = 0; i < s->n; i++) {
		s->waiting[i] = s->n_before[i];
		if (s->waiting[i] == 0)
			s->ready[s->n_ready++] = i;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	pthread_t t[16];
	int started = 0;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, (size_t)64 << 20);
	for (int i = 1; i < jobs && started < 16; i++)
		if (pthread_create(&t[started], &attr, round_worker, s) == 0)
			started++;
	pthread_attr_destroy(&attr);
	round_worker(s);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	s->c->counts->computed += s->computed;
	return s->failed ? -1 : 0;
}

/* The same round on this thread alone. */
static int serial_round(struct sched *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!s->dirty[i])
			continue;
		s->dirty[i] = false;
		bool changed;
		if (compute_member(s->c, s->order[i], &changed) < 0)
			return -1;
		s->c->counts->computed++;
		if (changed)
			sched_changed(s, i);
	}
	return 0;
}

static int on_scc(void *ctx, const size_t *members, size_t n)
{
	struct scc_ctx *c = ctx;
	bool recursive = n > 1 || calls_itself(c->g, members[0]);
	if (!recursive) {
		if (reuse(c, members[0])) {
			c->counts->reused++;
			return 0;
		}
		bool changed;
		if (compute_member(c, members[0], &changed) < 0)
			return -1;
		c->counts->computed++;
		return 0;
	}
	/* In a recursion, each member starts as "never returns": the first
	 * round sees only the paths that end without recursing, and each round
	 * adds what the previous one learnt (a greatest fixpoint: a recursive
	 * release of a list releases on every path). */
	for (size_t i = 0; i < n; i++) {
		struct lg_summary *sum = summary_of(c, members[i]);
		if (!sum || sum->n_effects)
			continue;
		sum->effects = calloc(1, sizeof(*sum->effects));
		if (!sum->effects)
			return -1;
		sum->effects[0] = (struct lg_effect){ .kind = LG_EFFECT_STOP, .arg = -1 };
		sum->n_effects = 1;
	}
	size_t *order = malloc(n * sizeof(*order));
	struct sched sc = { .c = c, .order = order, .n = n };
	int ret = order ? 0 : -1;
	if (ret == 0) {
		callees_first(c->g, members, n, order);
		ret = sched_build(&sc);
	}
	/* a recursion of several functions is shared among the threads */
	int jobs = c->s->jobs;
	for (int round = 0; round < MAX_ROUNDS && ret == 0; round++) {
		ret = n > 1 && jobs > 1 ? sched_round(&sc, jobs) : serial_round(&sc);
		bool more = false;
		for (size_t i = 0; i < n; i++)
			more |= sc.dirty[i];
		if (!more)
			break;
	}
	sched_release(&sc);
	free(order);
	if (ret < 0)
		return -1;
	/* digests last: in a recursion they depend on each other's result */
	for (size_t i = 0; i < n && c->s->digests; i++) {
		struct lg_summary *sum = summary_of(c, members[i]);
		if (sum)
			input_digest(c->s, c->g->demand, members[i], c->g->fns[members[i]],
				     sum->digest);
	}
	return 0;
}

/* ---- components in parallel -------------------------------------------------- */

/*
 * Tarjan gives the components callees first.  Each component waits for the
 * components it calls; once they are done it can be summarised on any
 * worker, so independent parts of the call graph are summarised at once.
 * A component only writes its own members' summaries and only reads its
 * callees', which are finished before it starts: the table itself does not
 * change while the workers run.
 */
struct comp {
	size_t *members;
	size_t n;
	size_t waiting;        /* callee components not yet done */
	size_t *dependents;    /* components that call this one */
	size_t n_dependents;
};

struct collect {
	struct comp *v;
	size_t n, cap;
	size_t *comp_of;       /* function -> component */
};

static int collect_scc(void *ctx, const size_t *members, size_t n)
{
	struct collect *c = ctx;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct comp *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	struct comp *k = &c->v[c->n];
	memset(k, 0, sizeof(*k));
	k->members = malloc(n * sizeof(size_t));
	if (!k->members)
		return -1;
	memcpy(k->members, members, n * sizeof(size_t));
	k->n = n;
	for (size_t i = 0; i < n; i++)
		c->comp_of[members[i]] = c->n;
	c->n++;
	return 0;
}

struct pool {
	struct scc_ctx *c;
	struct collect *comps;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t *ready;         /* components ready to run */
	size_t n_ready;
	size_t done;
	int failed;
};

static void *summary_worker(void *arg)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->n_ready == 0 && p->done < p->comps->n && !p->failed)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->done == p->comps->n || p->failed)
			break;
		size_t k = p->ready[--p->n_ready];
		pthread_mutex_unlock(&p->lock);

		struct comp *cm = &p->comps->v[k];
		size_t computed = 0, reused = 0;
		struct scc_ctx local = *p->c;
		struct lg_summaries counts = *p->c->s;   /* counters only */
		counts.computed = counts.reused = 0;
		local.counts = &counts;
		int r = on_scc(&local, cm->members, cm->n);
		computed = counts.computed;
		reused = counts.reused;

		pthread_mutex_lock(&p->lock);
		p->c->s->computed += computed;
		p->c->s->reused += reused;
		if (r < 0)
			p->failed = 1;
		p->done++;
		for (size_t i = 0; i < cm->n_dependents; i++) {
			struct comp *d = &p->comps->v[cm->dependents[i]];
			if (--d->waiting == 0)
				p->ready[p->n_ready++] = cm->dependents[i];
		}
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int lg_summaries_compute(struct lg_summaries *s, struct lg_fn *const *fns,
			 size_t n, const struct lg_budget *budget,
			 const struct lg_summary_memo *const *memos)
{
	struct graph g = { .fns = fns, .n = n };
	struct collect comps = { 0 };
	int ret = build_graph(s, &g);
	struct scc_ctx c = { s, &g, budget, lg_summaries_oracle(s), memos, NULL };

	if (ret == 0) {
		comps.comp_of = malloc((n ? n : 1) * sizeof(size_t));
		ret = comps.comp_of ? tarjan(&g, collect_scc, &comps) : -1;
	}
	/* who waits for whom: one edge per (caller component, callee one) */
	for (size_t k = 0; ret == 0 && k < comps.n; k++) {
		struct comp *cm = &comps.v[k];
		for (size_t i = 0; i < cm->n && ret == 0; i++) {
			size_t f = cm->members[i];
			for (size_t e = 0; e < g.n_succ[f] && ret == 0; e++) {
				size_t callee = comps.comp_of[g.succ[f][e]];
				if (callee == k)
					continue;
				struct comp *d = &comps.v[callee];
				if (d->n_dependents && d->dependents[d->n_dependents - 1] == k)
					continue;   /* edges of one component come together */
				bool seen = false;
				for (size_t j = 0; j < d->n_dependents && !seen; j++)
					seen = d->dependents[j] == k;
				if (seen)
					continue;
				if (push(&d->dependents, &d->n_dependents, k) < 0) {
					ret = -1;
					break;
				}
				cm->waiting++;
			}
		}
	}
	int jobs = s->jobs > 0 ? s->jobs : 1;
	if (ret == 0 && comps.n) {
		struct pool p = { .c = &c, .comps = &comps };
		p.ready = malloc(comps.n * sizeof(size_t));
		if (!p.ready) {
			ret = -1;
		} else {
			for (size_t k = 0; k < comps.n; k++)
				if (comps.v[k].waiting == 0)
					p.ready[p.n_ready++] = k;
			pthread_mutex_init(&p.lock, NULL);
			pthread_cond_init(&p.cond, NULL);
			pthread_t *t = calloc((size_t)jobs, sizeof(*t));
			int started = 0;
			pthread_attr_t attr;
			pthread_attr_init(&attr);
			pthread_attr_setstacksize(&attr, (size_t)64 << 20);
			for (int i = 0; t && i < jobs; i++)
				if (pthread_create(&t[started], &attr, summary_worker, &p) == 0)
					started++;
			pthread_attr_destroy(&attr);
			if (started == 0)
				summary_worker(&p);
			for (int i = 0; i < started; i++)
				pthread_join(t[i], NULL);
			free(t);
			pthread_cond_destroy(&p.cond);
			pthread_mutex_destroy(&p.lock);
			if (p.failed)
				ret = -1;
			free(p.ready);
		}
	}
	for (size_t k = 0; k < comps.n; k++) {
		free(comps.v[k].members);
		free(comps.v[k].dependents);
	}
	free(comps.v);
	free(comps.comp_of);
	for (size_t i = 0; i < n && g.succ; i++)
		free(g.succ[i]);
	free(g.succ);
	free(g.n_succ);
	free(g.idx);
	free(g.oom);
	lg_demand_free(g.demand);
	return ret;
}

/* ---- dump ------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	const struct lg_summary *x = *(struct lg_summary *const *)a;
	const struct lg_summary *y = *(struct lg_summary *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->id, y->id);
}

static void dump_mask(uint8_t m, FILE *out)
{
	static const char *const names[] = { "negative", "zero", "positive" };
	const char *sep = "";
	for (int i = 0; i < 3; i++)
		if (m & (1 << i)) {
			fprintf(out, "%s%s", sep, names[i]);
			sep = "|";
		}
}

static void dump_place(const struct lg_effect *e, FILE *out)
{
	if (e->site == LG_SITE_GLOBAL) {
		fprintf(out, "%s", e->key ? e->key : "?");
		return;
	}
	if (e->site == LG_SITE_OUT_ARG && !e->field)
		fprintf(out, "*arg %d", e->arg);
	else
		fprintf(out, "arg %d", e->arg);
	if (e->field)
		fprintf(out, "%s", e->field);
}

void lg_summaries_dump(const struct lg_summaries *s, FILE *out)
{
	struct lg_summary **v = malloc((s->used ? s->used : 1) * sizeof(*v));
	size_t n = 0;
	if (!v)
		return;
	for (size_t i = 0; i < s->cap; i++)
		if (s->table[i])
			v[n++] = s->table[i];
	qsort(v, n, sizeof(*v), by_name);
	for (size_t i = 0; i < n; i++) {
		const struct lg_summary *sum = v[i];
		fprintf(out, "summary %s (%s)\n", sum->name, sum->id);
		if (!sum->usable)
			fputs("  unknown: over the analysis budget\n", out);
		else if (!sum->n_effects)
			fputs("  borrows its arguments\n", out);
		for (size_t k = 0; k < sum->n_effects; k++) {
			const struct lg_effect *e = &sum->effects[k];
			const char *res = e->resource == LG_ANY_RESOURCE ? NULL
				: s->rules && e->resource < s->rules->n_resources
				? s->rules->resources[e->resource].id : "?";
			switch (e->kind) {
			case LG_EFFECT_ACQUIRE:
				fprintf(out, "  acquire %s ", res ? res : "?");
				if (e->site == LG_SITE_RETURN)
					fputs("returned", out);
				else
					dump_place(e, out);
				if (e->if_empty)
					fputs(" when it is empty", out);
				break;
			case LG_EFFECT_RELEASE:
				fputs("  release ", out);
				dump_place(e, out);
				break;
			case LG_EFFECT_TRANSFER:
				fputs("  transfer ", out);
				dump_place(e, out);
				break;
			case LG_EFFECT_STOP:
				fputs("  never returns", out);
				break;
			}
			if (e->mask) {
				fputs(e->kind == LG_EFFECT_RELEASE ? " except when it returns "
								   : " when it returns ", out);
				dump_mask(e->mask, out);
			}
			if (e->via)
				fprintf(out, " via %s", e->via);
			fputc('\n', out);
		}
	}
	free(v);
}
