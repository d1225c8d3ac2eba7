/*
 * demand.c - which places below parameters callers can hand a resource in
 * (see demand.h).
 *
 * Two fixpoints over all graphs, both plain passes until nothing changes
 * (every set only grows):
 *   1. what each function may acquire, and where: a returned resource,
 *      a place below a parameter (`*out`, `d->mu`), the parameter itself
 *      (a lock given by pointer);
 *   2. what may hold a resource in each function (acquisitions as in 1.,
 *      the places its callers demand, copies), and from that, the places
 *      it demands of its callees.
 * A "place below variable v" is named as the analysis names it: "->conn"
 * and "*" below a pointer parameter, ".conn" below a local reached by its
 * address (analysis.c's place_of()); it is what a callee's summary effect
 * with a field lands on.
 */
#include "demand.h"
#include "parallel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pset {
	bool all;            /* every place below */
	char **v;            /* paths, owned */
	size_t n, cap;
};

/* A call of the graph, looked up once. */
struct dcall {
	const struct lg_event *e;
	const struct lg_effect *rules;  /* the rules' effects, when they
					   name the callee */
	size_t n_rules;
	size_t callee;                  /* index in the project, or SIZE_MAX */
};

struct dfn {
	const struct lg_fn *fn;
	uint32_t n_params;
	struct dcall *calls;
	size_t n_calls;
	size_t *callers;        /* functions that call this one */
	size_t n_callers, cap_callers;
	bool queued;
	bool oom;               /* setting it up ran out of memory */
	lg_var_id **kids;       /* per variable: its FIELD variables */
	uint32_t *n_kids;
	bool *held;             /* per variable: may hold a resource, or be
				   the operand a lock is known by */
	struct pset *below;     /* per variable: places below it that may */
	bool lock_top;          /* may hold a lock known by a top-level
				   variable, which an unlock through any
				   place may name (analysis.c's
				   released_obj) */
	bool lock_reach;        /* it, or a callee, takes a lock given as
				   an argument: may return holding one */
	bool may_lock;          /* its acquisitions' runs may follow a lock
				   (it, or a callee, takes one) */
	bool lock_ctx;          /* may be called with a lock held (a caller
				   may_lock, or is itself lock_ctx) */
	bool global_keys;       /* may release a lock named by an lvalue
				   outside its locals: its summary has a
				   run for that lock, entered holding it */
	/* what callers see of it */
	bool acq_ret;
	bool *acq_self;         /* per parameter */
	struct pset *acq;       /* per parameter */
	struct pset *want;      /* per parameter: demanded by callers */
	bool *want_top;         /* per parameter: the parameter itself */
};

struct lg_demand {
	struct dfn *f;
	size_t n;
	bool oom;
	size_t *queue;          /* functions to process again, a ring */
	size_t qhead, qlen;
};

static bool pset_has(const struct pset *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i], path) == 0)
			return true;
	return false;
}

/* true when it grew */
static bool pset_add(struct lg_demand *d, struct pset *p, const char *path)
{
	if (p->all || pset_has(p, path))
		return false;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		char **v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			d->oom = true;
			return false;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n] = strdup(path);
	if (!p->v[p->n]) {
		d->oom = true;
		return false;
	}
	p->n++;
	return true;
}

static bool pset_all(struct pset *p)
{
	if (p->all)
		return false;
	p->all = true;
	return true;
}

static void pset_free(struct pset *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

static bool is_param(const struct dfn *f, lg_var_id v)
{
	return v < f->n_params;
}

static void set_held(struct dfn *f, lg_var_id v)
{
	if (v < f->fn->n_vars)
		f->held[v] = true;
}

/* Place `path` below `v` may hold a resource: recorded by name, and the
 * FIELD variable of that name, when the graph has one, is held. */
static void set_below(struct lg_demand *d, struct dfn *f, lg_var_id v, const char *path)
{
	if (v >= f->fn->n_vars)
		return;
	pset_add(d, &f->below[v], path);
	for (uint32_t k = 0; k < f->n_kids[v]; k++) {
		lg_var_id u = f->kids[v][k];
		if (strcmp(f->fn->vars[u].path, path) == 0)
			set_held(f, u);
	}
}

static void set_below_all(struct dfn *f, lg_var_id v)
{
	if (v >= f->fn->n_vars)
		return;
	pset_all(&f->below[v]);
	for (uint32_t k = 0; k < f->n_kids[v]; k++)
		set_held(f, f->kids[v][k]);
}

/* What an effect on operand `a` with field `path` ("" for the operand
 * itself) lands on, as analysis.c's effect_opnd()/place_of() find it. */
static void mark_place(struct lg_demand *d, struct dfn *f, const struct lg_opnd *a,
		       const char *path)
{
	if (a->kind != LG_OPND_VAR && a->kind != LG_OPND_ADDR)
		return;
	lg_var_id v = a->var;
	if (!path[0]) {
		set_held(f, v);
		return;
	}
	if (a->kind == LG_OPND_ADDR) {
		if (strcmp(path, "*") == 0) {
			set_held(f, v);
		} else if (strncmp(path, "->", 2) == 0) {
			char dot[256];
			snprintf(dot, sizeof(dot), ".%s", path + 2);
			set_below(d, f, v, dot);
		}
		return;
	}
	if (is_param(f, v))
		set_below(d, f, v, path);
}

static bool top_level(const struct dfn *f, const struct lg_opnd *a)
{
	return a->kind == LG_OPND_VAR && a->var < f->fn->n_vars &&
	       f->fn->vars[a->var].parent == LG_NOVAR;
}

/* Seeds from one call: what it acquires, by the rules or by a callee of
 * the project that may. */
static void seed_call(struct lg_demand *d, struct dfn *f, const struct dcall *k)
{
	const struct lg_event *e = k->e;
	if (k->rules) {
		/* the rules speak for it, even when its body is here */
		for (size_t i = 0; i < k->n_rules; i++) {
			const struct lg_effect *x = &k->rules[i];
			if (x->kind != LG_EFFECT_ACQUIRE)
				continue;
			if (x->site == LG_SITE_RETURN) {
				set_held(f, e->dst);
				continue;
			}
			if (x->arg < 0 || (uint32_t)x->arg >= e->n_args)
				continue;
			const struct lg_opnd *a = &e->args[x->arg];
			if (x->site == LG_SITE_OUT_ARG) {
				mark_place(d, f, a, x->field ? x->field : "*");
			} else if (x->site == LG_SITE_ARG) {
				mark_place(d, f, a, x->field ? x->field : "");
				f->lock_top |= !x->field && top_level(f, a);
			}
			/* a status the call returns is bound to it as well */
			set_held(f, e->dst);
		}
		return;
	}
	if (k->callee >= d->n)
		return;
	const struct dfn *g = &d->f[k->callee];
	if (g->acq_ret)
		set_held(f, e->dst);
	for (uint32_t j = 0; j < g->n_params && j < e->n_args; j++) {
		const struct lg_opnd *a = &e->args[j];
		if (g->acq_self[j]) {
			mark_place(d, f, a, "");
			f->lock_top |= top_level(f, a);
		}
		if (g->acq[j].all) {
			if (a->kind == LG_OPND_ADDR || (a->kind == LG_OPND_VAR && is_param(f, a->var))) {
				set_held(f, a->var);
				set_below_all(f, a->var);
			}
		}
		for (size_t i = 0; i < g->acq[j].n; i++)
			mark_place(d, f, a, g->acq[j].v[i]);
		if (g->acq_self[j] || g->acq[j].all || g->acq[j].n)
			set_held(f, e->dst);
	}
}

/* Seeds and copies, until nothing changes in `f`. */
static void close_fn(struct lg_demand *d, struct dfn *f, bool with_demand)
{
	const struct lg_fn *fn = f->fn;
	if (with_demand)
		for (uint32_t i = 0; i < f->n_params; i++) {
			if (f->want_top[i])
				set_held(f, i);
			if (f->want[i].all)
				set_below_all(f, i);
			for (size_t k = 0; k < f->want[i].n; k++)
				set_below(d, f, i, f->want[i].v[k]);
		}
	for (size_t k = 0; k < f->n_calls; k++)
		seed_call(d, f, &f->calls[k]);
	for (bool grew = true; grew;) {
		grew = false;
		for (uint32_t b = 0; b < fn->n_blocks; b++)
			for (uint32_t i = 0; i < fn->blocks[b].n_ev; i++) {
				const struct lg_event *e = &fn->blocks[b].ev[i];
				if (e->kind == LG_EV_ASSIGN && e->src.kind == LG_OPND_VAR &&
				    e->src.var < fn->n_vars && e->dst < fn->n_vars &&
				    f->held[e->src.var] && !f->held[e->dst]) {
					set_held(f, e->dst);
					grew = true;
				}
			}
	}
}

/* What `f`'s callers see of its acquisitions, from what may hold one;
 * true when that changed. */
static bool publish_acq(struct lg_demand *d, struct dfn *f)
{
	const struct lg_fn *fn = f->fn;
	bool grew = false;
	for (uint32_t b = 0; b < fn->n_blocks && !f->acq_ret; b++) {
		const struct lg_block *bl = &fn->blocks[b];
		if (bl->term == LG_TERM_RETURN && bl->ret.kind == LG_OPND_VAR &&
		    bl->ret.var < fn->n_vars && f->held[bl->ret.var])
			grew = f->acq_ret = true;
	}
	for (uint32_t i = 0; i < f->n_params; i++) {
		if (f->held[i] && !f->acq_self[i])
			grew = f->acq_self[i] = true;
		if (f->below[i].all)
			grew |= pset_all(&f->acq[i]);
		for (size_t k = 0; k < f->below[i].n; k++)
			grew |= pset_add(d, &f->acq[i], f->below[i].v[k]);
		for (uint32_t k = 0; k < f->n_kids[i]; k++) {
			lg_var_id u = f->kids[i][k];
			if (f->held[u])
				grew |= pset_add(d, &f->acq[i], fn->vars[u].path);
		}
	}
	return grew;
}

/* The places of a callee's parameter that handing it `a` demands. */
static bool demand_arg(struct lg_demand *d, const struct dfn *f,
		       const struct lg_opnd *a, struct dfn *g, uint32_t j)
{
	struct pset *w = &g->want[j];
	bool grew = false;
	if (a->kind == LG_OPND_VAR && is_param(f, a->var)) {
		lg_var_id v = a->var;
		if (f->below[v].all || f->lock_top) {
			grew |= pset_all(w);
		} else {
			for (size_t k = 0; k < f->below[v].n; k++)
				grew |= pset_add(d, w, f->below[v].v[k]);
			for (uint32_t k = 0; k < f->n_kids[v]; k++) {
				lg_var_id u = f->kids[v][k];
				if (f->held[u])
					grew |= pset_add(d, w, f->fn->vars[u].path);
			}
		}
	} else if (a->kind == LG_OPND_ADDR && a->var < f->fn->n_vars) {
		lg_var_id v = a->var;
		if (f->held[v])
			grew |= pset_add(d, w, "*");
		if (f->below[v].all || f->lock_top) {
			grew |= pset_all(w);
		} else {
			char arrow[256];
			for (size_t k = 0; k < f->below[v].n; k++)
				if (f->below[v].v[k][0] == '.') {
					snprintf(arrow, sizeof(arrow), "->%s", f->below[v].v[k] + 1);
					grew |= pset_add(d, w, arrow);
				}
			for (uint32_t k = 0; k < f->n_kids[v]; k++) {
				lg_var_id u = f->kids[v][k];
				const char *p = f->fn->vars[u].path;
				if (f->held[u] && p[0] == '.') {
					snprintf(arrow, sizeof(arrow), "->%s", p + 1);
					grew |= pset_add(d, w, arrow);
				}
			}
		}
	}
	return grew;
}

static void enqueue(struct lg_demand *d, size_t i)
{
	if (d->f[i].queued)
		return;
	d->f[i].queued = true;
	d->queue[(d->qhead + d->qlen++) % d->n] = i;
}

static size_t dequeue(struct lg_demand *d)
{
	size_t i = d->queue[d->qhead];
	d->qhead = (d->qhead + 1) % d->n;
	d->qlen--;
	d->f[i].queued = false;
	return i;
}

/* Does handing `a` to a callee demand the callee's parameter itself?
 * When `a` may hold a resource, or be the operand a lock is known by. */
static bool demands_top(const struct dfn *f, const struct lg_opnd *a)
{
	return (a->kind == LG_OPND_VAR || a->kind == LG_OPND_ADDR) &&
	       a->var < f->fn->n_vars && f->held[a->var];
}

/*
 * Whether a call needs every effect of its callee's summary on its
 * arguments, whatever they hold, because the analysis of the caller reads
 * more than the effect on an argument it follows:
 *   - a run that follows a lock: an unlock of any pointer may be its
 *     unlock (released_obj); runs for an lvalue's lock matter only when
 *     a caller may hold it;
 *   - `x = g(x)`: whether g has any effect at all decides whether it is
 *     taken to take over the old value (ev_call);
 *   - a callee that returns a resource: a release of a parameter or an
 *     lvalue makes the call a reopen of the caller's resource (freopen);
 *   - realloc, which moves its argument.
 */
static bool needs_all(const struct dfn *f, const struct dcall *c, const struct dfn *g)
{
	if (f->may_lock || (f->lock_ctx && f->global_keys) || g->acq_ret)
		return true;
	const struct lg_event *e = c->e;
	if (e->callee && (strcmp(e->callee, "realloc") == 0 ||
			  strcmp(e->callee, "reallocarray") == 0))
		return true;
	for (uint32_t j = 0; j < e->n_args && e->dst != LG_NOVAR; j++)
		if (e->args[j].kind == LG_OPND_VAR && e->args[j].var == e->dst)
			return true;
	return false;
}

/* What `f` demands of its callees; those whose demand grew are queued. */
static void demand_fn(struct lg_demand *d, struct dfn *f)
{
	for (size_t k = 0; k < f->n_calls; k++) {
		const struct dcall *c = &f->calls[k];
		if (c->rules || c->callee >= d->n)
			continue;   /* the rules speak for it, or no body here */
		struct dfn *g = &d->f[c->callee];
		bool grew = false, all = needs_all(f, c, g);
		for (uint32_t j = 0; j < g->n_params && j < c->e->n_args; j++) {
			if (!g->want_top[j] && (all || demands_top(f, &c->e->args[j])))
				grew = g->want_top[j] = true;
			grew |= demand_arg(d, f, &c->e->args[j], g, j);
		}
		if (grew)
			enqueue(d, c->callee);
	}
}

/*
 * What one call says of the locks `f`'s runs may follow.  A lock is taken
 * through an argument (rules with `arg:` on acquire): the function, and
 * its callers, which it may return to holding it, may follow one.  A call
 * that may release an lvalue outside the locals (`&g_mu`, `db->p->mu`), by
 * the rules or by a callee's summary, gives the function a run entered
 * holding that lock; that run matters when a caller may hold it.
 */
static void seed_locks(struct dfn *f, const struct dcall *k)
{
	const struct lg_event *e = k->e;
	for (size_t i = 0; i < k->n_rules; i++) {
		const struct lg_effect *x = &k->rules[i];
		if (x->site != LG_SITE_ARG)
			continue;
		if (x->kind == LG_EFFECT_ACQUIRE) {
			f->lock_reach = f->may_lock = true;
		} else if (x->arg >= 0 && (uint32_t)x->arg < e->n_args &&
			   e->args[x->arg].kind == LG_OPND_LVAL &&
			   !lg_fn_key_is_local(f->fn, e->args[x->arg].key)) {
			f->global_keys = true;
		}
	}
	if (k->rules || k->callee == SIZE_MAX || f->global_keys)
		return;
	for (uint32_t j = 0; j < e->n_args && !f->global_keys; j++)
		if (e->args[j].kind == LG_OPND_LVAL &&
		    !lg_fn_key_is_local(f->fn, e->args[j].key))
			f->global_keys = true;   /* the callee may release it */
}

static bool is_kid(const struct lg_fn *fn, lg_var_id u)
{
	return fn->vars[u].kind == LG_VAR_FIELD && fn->vars[u].parent < fn->n_vars &&
	       fn->vars[u].path;
}

static int setup(struct lg_demand *d, struct dfn *f, const struct lg_fn *fn,
		 const struct lg_ruleset *rules, lg_fn_resolver resolve,
		 const void *rctx)
{
	f->fn = fn;
	size_t n_calls = 0;
	for (uint32_t b = 0; b < fn->n_blocks; b++)
		for (uint32_t i = 0; i < fn->blocks[b].n_ev; i++)
			n_calls += fn->blocks[b].ev[i].kind == LG_EV_CALL;
	f->calls = malloc((n_calls ? n_calls : 1) * sizeof(*f->calls));
	if (!f->calls)
		return -1;
	for (uint32_t b = 0; b < fn->n_blocks; b++)
		for (uint32_t i = 0; i < fn->blocks[b].n_ev; i++) {
			const struct lg_event *e = &fn->blocks[b].ev[i];
			if (e->kind != LG_EV_CALL)
				continue;
			struct dcall *c = &f->calls[f->n_calls++];
			*c = (struct dcall){ e, NULL, 0, SIZE_MAX };
			if (e->callee && rules)
				c->rules = lg_ruleset_lookup(rules, e->callee, &c->n_rules);
			if (!c->rules && e->callee_id)
				c->callee = resolve(rctx, e->callee_id);
			if (c->callee >= d->n)
				c->callee = SIZE_MAX;
		}
	uint32_t nv = fn->n_vars;
	while (f->n_params < nv && fn->vars[f->n_params].kind == LG_VAR_PARAM)
		f->n_params++;
	size_t m = nv ? nv : 1, p = f->n_params ? f->n_params : 1;
	f->kids = calloc(m, sizeof(*f->kids));
	f->n_kids = calloc(m, sizeof(*f->n_kids));
	f->held = calloc(m, sizeof(*f->held));
	f->below = calloc(m, sizeof(*f->below));
	f->acq_self = calloc(p, sizeof(*f->acq_self));
	f->acq = calloc(p, sizeof(*f->acq));
	f->want = calloc(p, sizeof(*f->want));
	f->want_top = calloc(p, sizeof(*f->want_top));
	if (!f->kids || !f->n_kids || !f->held || !f->below || !f->acq_self ||
	    !f->acq || !f->want || !f->want_top)
		return -1;
	for (size_t k = 0; k < f->n_calls; k++)
		seed_locks(f, &f->calls[k]);
	/* each variable's FIELD variables: counted, then filled */
	for (uint32_t u = 0; u < nv; u++)
		if (is_kid(fn, u))
			f->n_kids[fn->vars[u].parent]++;
	for (uint32_t v = 0; v < nv; v++) {
		if (f->n_kids[v] && !(f->kids[v] = malloc(f->n_kids[v] * sizeof(lg_var_id))))
			return -1;
		f->n_kids[v] = 0;
	}
	for (uint32_t u = 0; u < nv; u++)
		if (is_kid(fn, u)) {
			lg_var_id v = fn->vars[u].parent;
			f->kids[v][f->n_kids[v]++] = u;
		}
	return 0;
}

struct setup_ctx {
	struct lg_demand *d;
	struct lg_fn *const *fns;
	const struct lg_ruleset *rules;
	lg_fn_resolver resolve;
	const void *resolve_ctx;
};

static void setup_one(void *ctx, size_t i)
{
	struct setup_ctx *c = ctx;
	if (setup(c->d, &c->d->f[i], c->fns[i], c->rules, c->resolve, c->resolve_ctx) < 0)
		c->d->f[i].oom = true;
}

/* `callee` is called by `caller` (once in the list). */
static int add_caller(struct dfn *callee, size_t caller)
{
	if (callee->n_callers && callee->callers[callee->n_callers - 1] == caller)
		return 0;
	if (callee->n_callers == callee->cap_callers) {
		size_t cap = callee->cap_callers ? callee->cap_callers * 2 : 4;
		size_t *v = realloc(callee->callers, cap * sizeof(*v));
		if (!v)
			return -1;
		callee->callers = v;
		callee->cap_callers = cap;
	}
	callee->callers[callee->n_callers++] = caller;
	return 0;
}

struct lg_demand *lg_demand_compute(struct lg_fn *const *fns, size_t n,
				    const struct lg_ruleset *rules,
				    lg_fn_resolver resolve, const void *resolve_ctx,
				    int jobs)
{
	struct lg_demand *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->f = calloc(n ? n : 1, sizeof(*d->f));
	d->queue = malloc((n ? n : 1) * sizeof(*d->queue));
	d->n = n;
	if (!d->f || !d->queue) {
		free(d->f);
		free(d->queue);
		free(d);
		return NULL;
	}
	/* each function's own part, on every thread */
	struct setup_ctx sc = { d, fns, rules, resolve, resolve_ctx };
	lg_parallel_for(n, jobs, setup_one, &sc);
	for (size_t i = 0; i < n; i++)
		d->oom |= d->f[i].oom;
	for (size_t i = 0; i < n && !d->oom; i++)
		for (size_t k = 0; k < d->f[i].n_calls; k++) {
			size_t c = d->f[i].calls[k].callee;
			if (c < n && add_caller(&d->f[c], i) < 0)
				d->oom = true;
		}
	/* a callee that may return holding a lock: so may its callers */
	for (size_t i = 0; i < n && !d->oom; i++)
		if (d->f[i].lock_reach)
			enqueue(d, i);
	while (d->qlen && !d->oom) {
		struct dfn *g = &d->f[dequeue(d)];
		for (size_t k = 0; k < g->n_callers; k++) {
			struct dfn *f = &d->f[g->callers[k]];
			f->may_lock = true;
			if (!f->lock_reach) {
				f->lock_reach = true;
				enqueue(d, g->callers[k]);
			}
		}
	}
	/* and what a function that may hold a lock calls may be called
	 * with it held, down the calls */
	for (size_t i = 0; i < n && !d->oom; i++)
		if (d->f[i].may_lock)
			enqueue(d, i);
	while (d->qlen && !d->oom) {
		struct dfn *f = &d->f[dequeue(d)];
		for (size_t k = 0; k < f->n_calls; k++) {
			size_t c = f->calls[k].callee;
			if (c < n && !d->f[c].lock_ctx) {
				d->f[c].lock_ctx = true;
				enqueue(d, c);
			}
		}
	}
	/* 1. acquisitions: a function whose acquisitions grew has its
	 * callers processed again */
	for (size_t i = 0; i < n; i++)
		enqueue(d, i);
	while (d->qlen && !d->oom) {
		struct dfn *f = &d->f[dequeue(d)];
		close_fn(d, f, false);
		if (publish_acq(d, f))
			for (size_t k = 0; k < f->n_callers; k++)
				enqueue(d, f->callers[k]);
	}
	/* 2. demand: a function whose demand grew is processed again, and
	 * passes it on to its callees */
	for (size_t i = n; i-- > 0;)
		enqueue(d, i);
	while (d->qlen && !d->oom) {
		struct dfn *f = &d->f[dequeue(d)];
		close_fn(d, f, true);
		demand_fn(d, f);
	}
	if (d->oom) {
		lg_demand_free(d);
		return NULL;
	}
	return d;
}

bool lg_demand_wants(const struct lg_demand *d, size_t i, int arg, const char *path)
{
	if (!d || i >= d->n || arg < 0 || (uint32_t)arg >= d->f[i].n_params)
		return true;
	if (!path[0])
		return d->f[i].want_top[arg];
	const struct pset *w = &d->f[i].want[arg];
	return w->all || pset_has(w, path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void lg_demand_hash(const struct lg_demand *d, size_t i, struct lg_sha256 *h)
{
	if (!d || i >= d->n)
		return;
	const struct dfn *f = &d->f[i];
	for (uint32_t a = 0; a < f->n_params; a++) {
		const struct pset *w = &f->want[a];
		char head[64];
		snprintf(head, sizeof(head), "want %u %d %d %zu", a, (int)f->want_top[a],
			 (int)w->all, w->n);
		lg_sha256_update(h, head, strlen(head) + 1);
		if (!w->n)
			continue;
		char **v = malloc(w->n * sizeof(*v));
		if (!v) {
			/* cannot sort: the unsorted order is still this run's */
			for (size_t k = 0; k < w->n; k++)
				lg_sha256_update(h, w->v[k], strlen(w->v[k]) + 1);
			continue;
		}
		memcpy(v, w->v, w->n * sizeof(*v));
		qsort(v, w->n, sizeof(*v), cmp_str);
		for (size_t k = 0; k < w->n; k++)
			lg_sha256_update(h, v[k], strlen(v[k]) + 1);
		free(v);
	}
}

void lg_demand_counts(const struct lg_demand *d, size_t *wanted, size_t *places)
{
	*wanted = *places = 0;
	for (size_t i = 0; d && i < d->n; i++) {
		const struct dfn *f = &d->f[i];
		for (uint32_t a = 0; a < f->n_params; a++)
			for (uint32_t k = 0; k < f->n_kids[a]; k++) {
				(*places)++;
				if (lg_demand_wants(d, i, (int)a, f->fn->vars[f->kids[a][k]].path))
					(*wanted)++;
			}
	}
}

void lg_demand_free(struct lg_demand *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct dfn *f = &d->f[i];
		uint32_t nv = f->fn ? f->fn->n_vars : 0;
		for (uint32_t v = 0; v < nv && f->kids; v++)
			free(f->kids[v]);
		for (uint32_t v = 0; v < nv && f->below; v++)
			pset_free(&f->below[v]);
		for (uint32_t a = 0; a < f->n_params; a++) {
			if (f->acq)
				pset_free(&f->acq[a]);
			if (f->want)
				pset_free(&f->want[a]);
		}
		free(f->calls);
		free(f->callers);
		free(f->kids);
		free(f->n_kids);
		free(f->held);
		free(f->below);
		free(f->acq_self);
		free(f->acq);
		free(f->want);
		free(f->want_top);
	}
	free(d->f);
	free(d->queue);
	free(d);
}
