/*
 * analysis.c - the ESP-style typestate analysis of analysis.h.
 *
 * A worklist of (block, state) pairs.  Transfer is one small function per
 * event kind (call_effects, assign, escape, kill) and one per terminator;
 * edges apply their test to the state and drop it when the test cannot hold.
 * A state that reaches a block where a state with the same key (held objects
 * and the variables referring to them) already waits is joined into it; only
 * a state that grew is visited again, so loops reach a fixpoint: the value
 * classes form a finite lattice and there is at most one object per
 * acquisition site.
 *
 * Value classes: every tracked value is known to lie in a subset of
 * {negative, zero, positive}.  A pointer's NULL is zero.
 *
 * Deliberately left out: aliasing through memory (a handle stored anywhere but
 * a local variable escapes), arithmetic, and more than one live object per
 * acquisition site (when a site runs again while its previous resource is
 * still referred to by another variable, the previous one is no longer
 * tracked; this can miss a leak, never invent one).
 */
#include "analysis.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { C_NEG = 1, C_ZERO = 2, C_POS = 4, C_ALL = 7 };

enum guard {
	G_NONE,          /* acquired whatever the call returned */
	G_HANDLE_NONNULL,/* acquired iff the handle is not NULL */
	G_HANDLE_NONNEG, /* acquired iff the handle is >= 0 (descriptors) */
	G_STATUS_ZERO,   /* acquired iff the call returned 0 */
	G_STATUS_NONNEG, /* acquired iff the call returned >= 0 */
};

enum role { R_HANDLE, R_STATUS };

struct obj {
	uint32_t blk, ev;       /* acquiring event */
	uint32_t resource;
	uint8_t hmask, smask;   /* classes of the handle and of the status */
	uint8_t guard;
	bool is_lock;           /* an ARG-site acquisition: keyed, not bound */
	struct lg_opnd key;     /* is_lock: the lock operand */
	lg_var_id handle;       /* the variable that received it */
	uint32_t path_len;      /* length of the state's path when acquired */
};

struct bind {
	lg_var_id var;
	int32_t obj;            /* index into objs, or -1: only `mask` known */
	uint8_t mask;           /* obj < 0: the variable's value classes */
	uint8_t role;           /* obj >= 0 */
};

struct path {
	const struct path *prev;
	int32_t step;
	uint32_t len;
};

struct state {
	uint32_t n_obj, n_bind;
	struct obj *objs;
	struct bind *binds;     /* sorted by var */
	const struct path *path;
	uint32_t hash;
	bool queued;
	bool acq_failed;        /* a test showed the tracked acquisition failed */
};

struct block_states {
	struct state **v;
	uint32_t n, cap;
};

struct work {
	uint32_t block;
	struct state *s;
};

struct seen_leak {
	uint32_t blk, ev, loss_blk, loss_ev;
};

/* A return reached while a lock is held: judged when the run is over. */
struct lock_exit {
	struct state *s;
	uint32_t blk;
	uint8_t retmask;
};

struct ctx {
	const struct lg_fn *fn;
	const struct lg_oracle *oracle;
	const struct lg_budget *budget;
	struct lg_leaks *out;
	struct lg_diags *d;
	struct lg_arena arena;
	struct block_states *at;   /* per block */
	struct work *queue;
	size_t qhead, qtail, qcap;
	struct seen_leak *seen;
	size_t n_seen, cap_seen;
	uint64_t steps;
	bool oom;
	/* where the current event is, for leak identity */
	uint32_t cur_blk, cur_ev;
	/* the acquisition site this run tracks */
	uint32_t site_blk, site_ev;
	/* every lock operand some acquisition in the function uses */
	const struct lg_opnd **lock_keys;
	size_t n_lock_keys;
	/* returns of this run: with the lock held (deferred), and the value
	 * classes returned on paths where the acquisition failed */
	struct lock_exit *held_exits;
	size_t n_held_exits, cap_held_exits;
	uint8_t fail_retmask;
	bool any_fail_exit;
};

/* ---- small helpers -------------------------------------------------------- */

static uint8_t class_of(int64_t k)
{
	return k < 0 ? C_NEG : k == 0 ? C_ZERO : C_POS;
}

/* The classes in which `x REL k` can hold. */
static uint8_t rel_classes(enum lg_rel rel, int64_t k)
{
	uint8_t m = 0;

	switch (rel) {
	case LG_REL_NONE:
		return C_ALL;
	case LG_REL_EQ:
		return class_of(k);
	case LG_REL_NE:
		return k == 0 ? (C_NEG | C_POS) : C_ALL;
	case LG_REL_LT:
		m = C_NEG | (0 < k ? C_ZERO : 0) | (1 < k ? C_POS : 0);
		if (k <= INT64_MIN + 1)
			m &= (uint8_t)~C_NEG;
		return m;
	case LG_REL_LE:
		return C_NEG | (0 <= k ? C_ZERO : 0) | (1 <= k ? C_POS : 0);
	case LG_REL_GT:
		return (-1 > k ? C_NEG : 0) | (0 > k ? C_ZERO : 0) | C_POS;
	case LG_REL_GE:
		return (-1 >= k ? C_NEG : 0) | (0 >= k ? C_ZERO : 0) |
		       (k <= INT64_MAX - 1 ? C_POS : 0);
	case LG_REL_MASK_ZERO:
		m = C_ZERO;
		if (k >= 0)
			m |= C_NEG;
		if ((k & INT64_MAX) != INT64_MAX)
			m |= C_POS;
		return m;
	case LG_REL_MASK_NONZERO:
		if (k != 0)
			m |= C_NEG;
		if ((k & INT64_MAX) != 0)
			m |= C_POS;
		return m;
	}
	return C_ALL;
}

static void *ctx_alloc(struct ctx *c, size_t n)
{
	void *p = lg_arena_alloc(&c->arena, n);
	if (!p)
		c->oom = true;
	return p;
}

static struct state *state_clone(struct ctx *c, const struct state *s,
				 uint32_t extra_obj, uint32_t extra_bind)
{
	struct state *t = ctx_alloc(c, sizeof(*t));
	if (!t)
		return NULL;
	*t = *s;
	t->queued = false;
	t->objs = ctx_alloc(c, (s->n_obj + extra_obj + 1) * sizeof(struct obj));
	t->binds = ctx_alloc(c, (s->n_bind + extra_bind + 1) * sizeof(struct bind));
	if (!t->objs || !t->binds)
		return NULL;
	if (s->n_obj)
		memcpy(t->objs, s->objs, s->n_obj * sizeof(struct obj));
	if (s->n_bind)
		memcpy(t->binds, s->binds, s->n_bind * sizeof(struct bind));
	return t;
}

static struct bind *find_bind(const struct state *s, lg_var_id v)
{
	uint32_t lo = 0, hi = s->n_bind;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (s->binds[mid].var < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n_bind && s->binds[lo].var == v ? &s->binds[lo] : NULL;
}

static void remove_bind(struct state *s, lg_var_id v)
{
	struct bind *b = find_bind(s, v);
	if (!b)
		return;
	size_t i = (size_t)(b - s->binds);
	memmove(&s->binds[i], &s->binds[i + 1],
		(s->n_bind - i - 1) * sizeof(*b));
	s->n_bind--;
}

/* Sets v's entry (the state was cloned with room for one more bind). */
static void set_bind(struct state *s, struct bind nb)
{
	struct bind *b = find_bind(s, nb.var);
	if (nb.obj < 0 && nb.mask == C_ALL) {
		remove_bind(s, nb.var);
		return;
	}
	if (b) {
		*b = nb;
		return;
	}
	uint32_t i = 0;
	while (i < s->n_bind && s->binds[i].var < nb.var)
		i++;
	memmove(&s->binds[i + 1], &s->binds[i],
		(s->n_bind - i) * sizeof(struct bind));
	s->binds[i] = nb;
	s->n_bind++;
}

/* Drops object `o` from the state: variables that referred to it keep
 * what is known of their value. */
static void drop_obj(struct state *s, int32_t o)
{
	const struct obj *ob = &s->objs[o];

	for (uint32_t i = 0; i < s->n_bind; ) {
		struct bind *b = &s->binds[i];
		if (b->obj == o) {
			b->mask = b->role == R_HANDLE ? ob->hmask : ob->smask;
			b->obj = -1;
			if (b->mask == C_ALL) {
				remove_bind(s, b->var);
				continue;
			}
		} else if (b->obj > o) {
			b->obj--;
		}
		i++;
	}
	memmove(&s->objs[o], &s->objs[o + 1],
		(s->n_obj - (uint32_t)o - 1) * sizeof(struct obj));
	s->n_obj--;
}

/* Classes of the guarded value for which the acquisition succeeded. */
static bool obj_absent(const struct obj *o)
{
	switch ((enum guard)o->guard) {
	case G_NONE:
		break;
	case G_HANDLE_NONNULL:
		if (!(o->hmask & (C_NEG | C_POS)))
			return true;
		break;
	case G_HANDLE_NONNEG:
		return !(o->hmask & (C_ZERO | C_POS));
	case G_STATUS_ZERO:
		if (!(o->smask & C_ZERO))
			return true;
		break;
	case G_STATUS_NONNEG:
		if (!(o->smask & (C_ZERO | C_POS)))
			return true;
		break;
	}
	/* A handle proven NULL holds nothing, whatever the guard. */
	return !o->is_lock && o->guard != G_HANDLE_NONNEG && o->hmask == C_ZERO;
}

static int32_t obj_of_var(const struct state *s, lg_var_id v, uint8_t role)
{
	const struct bind *b = find_bind(s, v);
	return b && b->obj >= 0 && b->role == role ? b->obj : -1;
}

static uint32_t handle_refs(const struct state *s, int32_t o, lg_var_id except)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->n_bind; i++)
		n += s->binds[i].obj == o && s->binds[i].role == R_HANDLE &&
		     s->binds[i].var != except;
	return n;
}

static bool opnd_eq(const struct lg_opnd *a, const struct lg_opnd *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case LG_OPND_VAR:
	case LG_OPND_ADDR:
		return a->var == b->var;
	case LG_OPND_LVAL:
		return a->key && b->key && strcmp(a->key, b->key) == 0;
	case LG_OPND_CONST:
		return a->k == b->k;
	case LG_OPND_UNKNOWN:
		return false;
	}
	return false;
}

/* ---- paths and leaks -------------------------------------------------------- */

static const struct path *path_push(struct ctx *c, const struct path *p,
				    int32_t step)
{
	struct path *n = ctx_alloc(c, sizeof(*n));
	if (!n)
		return p;
	n->prev = p;
	n->step = step;
	n->len = p ? p->len + 1 : 1;
	return n;
}

static void report(struct ctx *c, const struct state *s, int32_t o,
		   enum lg_loss loss, struct lg_loc loc, lg_var_id lost_var,
		   uint32_t loss_blk, uint32_t loss_ev)
{
	const struct obj *ob = &s->objs[o];

	for (size_t i = 0; i < c->n_seen; i++) {
		const struct seen_leak *k = &c->seen[i];
		if (k->blk == ob->blk && k->ev == ob->ev &&
		    k->loss_blk == loss_blk && k->loss_ev == loss_ev)
			return;
	}
	if (c->n_seen == c->cap_seen) {
		size_t cap = c->cap_seen ? c->cap_seen * 2 : 16;
		struct seen_leak *v = realloc(c->seen, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			return;
		}
		c->seen = v;
		c->cap_seen = cap;
	}
	c->seen[c->n_seen++] = (struct seen_leak){ ob->blk, ob->ev, loss_blk, loss_ev };

	struct lg_leaks *out = c->out;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		struct lg_leak *v = realloc(out->v, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			return;
		}
		out->v = v;
		out->cap = cap;
	}
	struct lg_leak *l = &out->v[out->n];
	memset(l, 0, sizeof(*l));
	l->acq_block = ob->blk;
	l->acq_event = ob->ev;
	l->resource = ob->resource;
	l->loss = loss;
	l->loss_loc = loc;
	l->handle = ob->handle;
	l->lost_var = lost_var;
	if (ob->is_lock)
		l->lock_key = ob->key.key;

	uint32_t total = s->path ? s->path->len : 0;
	uint32_t n = total > ob->path_len ? total - ob->path_len : 0;
	if (n) {
		l->path = malloc(n * sizeof(int32_t));
		if (!l->path) {
			c->oom = true;
			return;
		}
		const struct path *p = s->path;
		for (uint32_t i = n; i-- > 0; p = p->prev)
			l->path[i] = p->step;
		l->n_path = n;
	}
	out->n++;
}

/* An object that nothing refers to any more, and that may be held, leaks. */
static void lose_if_unreferenced(struct ctx *c, struct state *s, int32_t o,
				 lg_var_id v, enum lg_loss loss,
				 struct lg_loc loc)
{
	if (o < 0 || s->objs[o].is_lock || handle_refs(s, o, v) > 0)
		return;
	report(c, s, o, loss, loc, v, c->cur_blk, c->cur_ev);
	drop_obj(s, o);
}

/* ---- transfer: events ----------------------------------------------------- */

static void escape_opnd(struct state *s, const struct lg_opnd *op)
{
	if (op->kind != LG_OPND_VAR && op->kind != LG_OPND_ADDR)
		return;
	const struct bind *b = find_bind(s, op->var);
	if (b && b->obj >= 0)
		drop_obj(s, b->obj);
}

/* `v` is about to receive a new value: the old one may be the last
 * reference to a held resource. */
static void overwrite(struct ctx *c, struct state *s, lg_var_id v,
		      struct lg_loc loc, bool taken_over)
{
	const struct bind *b = find_bind(s, v);
	if (!b)
		return;
	int32_t o = b->obj;
	if (o >= 0 && b->role == R_HANDLE) {
		if (taken_over && handle_refs(s, o, v) == 0)
			drop_obj(s, o);
		else
			lose_if_unreferenced(c, s, o, v, LG_LOSS_OVERWRITE, loc);
	}
	remove_bind(s, v);
}

static void ev_assign(struct ctx *c, struct state *s, const struct lg_event *e)
{
	struct bind nb = { .var = e->dst, .obj = -1, .mask = C_ALL };

	switch (e->src.kind) {
	case LG_OPND_VAR: {
		if (e->src.var == e->dst)
			return;
		const struct bind *src = find_bind(s, e->src.var);
		if (src)
			nb = (struct bind){ e->dst, src->obj, src->mask, src->role };
		break;
	}
	case LG_OPND_CONST:
		nb.mask = class_of(e->src.k);
		break;
	case LG_OPND_ADDR:
		escape_opnd(s, &e->src);
		nb.mask = C_NEG | C_POS;
		break;
	case LG_OPND_UNKNOWN:
	case LG_OPND_LVAL:
		break;
	}
	/* Keep the source's object alive across the overwrite check. */
	int32_t keep = nb.obj;
	const struct bind *old = find_bind(s, e->dst);
	if (old && old->obj >= 0 && old->obj == keep) {
		remove_bind(s, e->dst);
	} else {
		overwrite(c, s, e->dst, e->loc, false);
		if (keep >= 0) {
			/* drop_obj may have renumbered objects */
			const struct bind *src = find_bind(s, e->src.var);
			nb.obj = src ? src->obj : -1;
			if (src)
				nb.mask = src->mask;
		}
	}
	set_bind(s, nb);
}

static void ev_kill(struct ctx *c, struct state *s, const struct lg_event *e)
{
	const struct bind *b = find_bind(s, e->dst);
	if (!b)
		return;
	if (b->obj >= 0 && b->role == R_HANDLE)
		lose_if_unreferenced(c, s, b->obj, e->dst, LG_LOSS_SCOPE, e->loc);
	remove_bind(s, e->dst);
}

static int32_t find_lock(const struct state *s, const struct lg_opnd *key,
			 uint32_t resource, bool any_key)
{
	for (uint32_t i = 0; i < s->n_obj; i++) {
		const struct obj *o = &s->objs[i];
		if (!o->is_lock)
			continue;
		if (any_key ? o->resource == resource : opnd_eq(&o->key, key))
			return (int32_t)i;
	}
	return -1;
}

static bool known_lock_key(const struct ctx *c, const struct lg_opnd *op)
{
	for (size_t i = 0; i < c->n_lock_keys; i++)
		if (opnd_eq(c->lock_keys[i], op))
			return true;
	return false;
}

/* Release or transfer: the object passed as `op` is no longer ours. */
static void let_go(const struct ctx *c, struct state *s, const struct lg_opnd *op,
		   uint32_t resource)
{
	if (op->kind == LG_OPND_VAR || op->kind == LG_OPND_ADDR) {
		int32_t o = obj_of_var(s, op->var, R_HANDLE);
		if (o >= 0) {
			drop_obj(s, o);
			return;
		}
	}
	int32_t o = find_lock(s, op, resource, false);
	if (o < 0 && !known_lock_key(c, op)) {
		/* An unlock through a pointer variable may name the lock taken
		 * through another spelling: when exactly one lock of this
		 * resource is held, and no acquisition in the function names
		 * this operand, it is that one.  Two different lvalues
		 * (`&from->mu`, `&to->mu`) are two different locks. */
		int32_t first = find_lock(s, op, resource, true);
		if (first >= 0 && op->kind != LG_OPND_VAR &&
		    s->objs[first].key.kind != LG_OPND_VAR)
			first = -1;
		if (first >= 0) {
			uint32_t n = 0;
			for (uint32_t i = 0; i < s->n_obj; i++)
				n += s->objs[i].is_lock && s->objs[i].resource == resource;
			if (n == 1)
				o = first;
		}
	}
	if (o >= 0)
		drop_obj(s, o);
}

static void forget_site(struct state *s, uint32_t blk, uint32_t ev,
			const struct lg_opnd *key)
{
	for (uint32_t i = 0; i < s->n_obj; i++) {
		const struct obj *o = &s->objs[i];
		if (o->blk == blk && o->ev == ev &&
		    (!key || opnd_eq(&o->key, key))) {
			drop_obj(s, (int32_t)i);
			return;
		}
	}
}

static uint8_t guard_of(const struct lg_effect *ef)
{
	if (ef->site == LG_SITE_RETURN)
		return ef->success == LG_SUCCESS_NONNEGATIVE ? G_HANDLE_NONNEG
							     : G_HANDLE_NONNULL;
	switch (ef->success) {
	case LG_SUCCESS_ZERO: return G_STATUS_ZERO;
	case LG_SUCCESS_NONNEGATIVE: return G_STATUS_NONNEG;
	case LG_SUCCESS_ALWAYS: break;
	}
	return G_NONE;
}

static void acquire(struct ctx *c, struct state *s, const struct lg_event *e,
		    const struct lg_effect *ef)
{
	struct obj ob = {
		.blk = c->cur_blk, .ev = c->cur_ev, .resource = ef->resource,
		.hmask = C_ALL, .smask = C_ALL, .guard = guard_of(ef),
		.key = lg_opnd_unknown(), .handle = LG_NOVAR,
		.path_len = s->path ? s->path->len : 0,
	};
	lg_var_id holder = LG_NOVAR;

	if (ef->site == LG_SITE_RETURN) {
		if (e->dst == LG_NOVAR)
			return;
		holder = e->dst;
	} else {
		if (ef->arg < 0 || (uint32_t)ef->arg >= e->n_args)
			return;
		const struct lg_opnd *a = &e->args[ef->arg];
		if (ef->site == LG_SITE_OUT_ARG) {
			if (a->kind != LG_OPND_ADDR)
				return; /* written somewhere we do not follow */
			holder = a->var;
			overwrite(c, s, holder, e->loc, false);
		} else {
			if (a->kind == LG_OPND_UNKNOWN || a->kind == LG_OPND_CONST)
				return;
			if (find_lock(s, a, ef->resource, false) >= 0)
				return; /* already held */
			ob.is_lock = true;
			ob.key = *a;
		}
	}
	forget_site(s, ob.blk, ob.ev, ob.is_lock ? &ob.key : NULL);
	ob.handle = holder;
	s->objs[s->n_obj] = ob;
	int32_t o = (int32_t)s->n_obj++;
	if (holder != LG_NOVAR)
		set_bind(s, (struct bind){ holder, o, C_ALL, R_HANDLE });
	if (ef->site != LG_SITE_RETURN && e->dst != LG_NOVAR &&
	    (ob.guard == G_STATUS_ZERO || ob.guard == G_STATUS_NONNEG))
		set_bind(s, (struct bind){ e->dst, o, C_ALL, R_STATUS });
}

static struct state *ev_call(struct ctx *c, struct state *s,
			     const struct lg_event *e)
{
	size_t n_eff = 0;
	const struct lg_effect *eff = NULL;
	bool handled_arg[64] = { false };

	if (e->callee && c->oracle && c->oracle->lookup)
		eff = c->oracle->lookup(c->oracle->ctx, e->callee, &n_eff);

	/* Room for the new objects and bindings this call may add. */
	s = state_clone(c, s, (uint32_t)n_eff, (uint32_t)(2 * n_eff + 1));
	if (!s)
		return NULL;

	for (size_t i = 0; i < n_eff; i++)
		if (eff[i].arg >= 0 && eff[i].arg < 64)
			handled_arg[eff[i].arg] = true;

	/* Releases and transfers first: `c = reopen(c)`-like rules would
	 * otherwise see their own argument overwritten. */
	for (size_t i = 0; i < n_eff; i++) {
		if (eff[i].kind == LG_EFFECT_ACQUIRE)
			continue;
		if (eff[i].arg < 0 || (uint32_t)eff[i].arg >= e->n_args)
			continue;
		let_go(c, s, &e->args[eff[i].arg], eff[i].resource);
	}

	/* Arguments the rules say nothing about: a value is borrowed, an
	 * address lets the callee keep or change what it points to.  A call
	 * through a function pointer may be anything (a callback that frees,
	 * a hook that keeps): what it is given escapes. */
	bool receives_old = false;
	for (uint32_t a = 0; a < e->n_args; a++) {
		const struct lg_opnd *op = &e->args[a];
		if (a < 64 && handled_arg[a])
			continue;
		if (!e->callee && op->kind == LG_OPND_VAR) {
			escape_opnd(s, op);
		} else if (op->kind == LG_OPND_ADDR) {
			escape_opnd(s, op);
			remove_bind(s, op->var);
		} else if (op->kind == LG_OPND_VAR && op->var == e->dst) {
			receives_old = true;
		}
	}

	/* The result overwrites the variable that receives it.  A call that
	 * is given the old value is assumed to take it over. */
	if (e->dst != LG_NOVAR)
		overwrite(c, s, e->dst, e->loc, receives_old && n_eff == 0);

	/* A call that releases an argument and returns a handle reopens it
	 * (freopen): when what it was given is not one of the function's own
	 * variables, what it returns is that same caller-owned object. */
	bool reopens_external = false;
	for (size_t i = 0; i < n_eff; i++) {
		if (eff[i].kind != LG_EFFECT_RELEASE || eff[i].arg < 0 ||
		    (uint32_t)eff[i].arg >= e->n_args)
			continue;
		const struct lg_opnd *a = &e->args[eff[i].arg];
		if ((a->kind != LG_OPND_VAR && a->kind != LG_OPND_ADDR) ||
		    a->var >= c->fn->n_vars || c->fn->vars[a->var].kind == LG_VAR_PARAM)
			reopens_external = true;
	}
	if (c->cur_blk == c->site_blk && c->cur_ev == c->site_ev)
		for (size_t i = 0; i < n_eff; i++)
			if (eff[i].kind == LG_EFFECT_ACQUIRE &&
			    !(reopens_external && eff[i].site == LG_SITE_RETURN))
				acquire(c, s, e, &eff[i]);
	return s;
}

/* ---- transfer: edges and terminators -------------------------------------- */

/* Applies `t` to the state in place; false when the edge cannot be taken. */
static bool apply_test(struct state *s, const struct lg_test *t)
{
	if (t->rel == LG_REL_NONE || t->var == LG_NOVAR)
		return true;
	uint8_t allowed = rel_classes(t->rel, t->k);
	struct bind *b = find_bind(s, t->var);

	if (b && b->obj >= 0) {
		int32_t o = b->obj;
		struct obj *ob = &s->objs[o];
		uint8_t *m = b->role == R_HANDLE ? &ob->hmask : &ob->smask;
		*m &= allowed;
		if (!*m)
			return false;
		if (obj_absent(ob)) {
			drop_obj(s, o);
			s->acq_failed = true;
		}
		return true;
	}
	uint8_t m = (b ? b->mask : C_ALL) & allowed;
	if (!m)
		return false;
	set_bind(s, (struct bind){ t->var, -1, m, 0 });
	return true;
}

/* The value classes of what a return statement returns. */
static uint8_t returned_classes(const struct state *s, const struct lg_opnd *r)
{
	if (r->kind == LG_OPND_CONST)
		return class_of(r->k);
	if (r->kind == LG_OPND_ADDR)
		return C_NEG | C_POS;
	if (r->kind != LG_OPND_VAR)
		return C_ALL;
	const struct bind *b = find_bind(s, r->var);
	if (!b)
		return C_ALL;
	if (b->obj < 0)
		return b->mask;
	const struct obj *o = &s->objs[b->obj];
	return b->role == R_HANDLE ? o->hmask : o->smask;
}

/*
 * A return: what it returns escapes; anything still held leaks here.  A
 * held lock is judged at the end of the run (judge_lock_exits): a function
 * that returns with the lock held on every path, or only on paths that
 * return something the others never do (`return 0` locked, `return
 * SQLITE_BUSY` not), is a lock wrapper, not a leak.
 */
static void term_return(struct ctx *c, struct state *s, uint32_t blk)
{
	const struct lg_block *b = &c->fn->blocks[blk];
	uint8_t retmask = returned_classes(s, &b->ret);

	escape_opnd(s, &b->ret);
	c->cur_blk = blk;
	c->cur_ev = UINT32_MAX;
	bool held_lock = false;
	for (uint32_t i = 0; i < s->n_obj; i++)
		held_lock |= s->objs[i].is_lock;
	if (held_lock) {
		if (c->n_held_exits == c->cap_held_exits) {
			size_t cap = c->cap_held_exits ? c->cap_held_exits * 2 : 8;
			struct lock_exit *v = realloc(c->held_exits, cap * sizeof(*v));
			if (!v) {
				c->oom = true;
				return;
			}
			c->held_exits = v;
			c->cap_held_exits = cap;
		}
		c->held_exits[c->n_held_exits++] = (struct lock_exit){ s, blk, retmask };
		return;
	}
	if (s->acq_failed) {
		c->any_fail_exit = true;
		c->fail_retmask |= retmask;
	}
	while (s->n_obj > 0) {
		report(c, s, 0, LG_LOSS_RETURN, b->term_loc, LG_NOVAR, blk,
		       UINT32_MAX);
		drop_obj(s, 0);
	}
}

/* Does any call in the function release resource `r`? */
static bool releases_resource(const struct ctx *c, uint32_t r)
{
	for (uint32_t b = 0; b < c->fn->n_blocks; b++) {
		const struct lg_block *bl = &c->fn->blocks[b];
		for (uint32_t i = 0; i < bl->n_ev; i++) {
			const struct lg_event *e = &bl->ev[i];
			size_t n = 0;
			if (e->kind != LG_EV_CALL || !e->callee)
				continue;
			const struct lg_effect *eff =
				c->oracle->lookup(c->oracle->ctx, e->callee, &n);
			for (size_t k = 0; k < n; k++)
				if (eff[k].kind == LG_EFFECT_RELEASE && eff[k].resource == r)
					return true;
		}
	}
	return false;
}

/*
 * A return with the lock held is not a leak when the function is a lock
 * wrapper:
 *   - trylock-like: some paths saw the acquisition fail, and this return
 *     gives a value those paths never give (`return 0` locked, `return
 *     SQLITE_BUSY` not), so the caller can tell;
 *   - acquire-only: no path saw it fail and the function releases no lock
 *     of this resource anywhere (`void db_lock(void)`).
 * Everything else held at a return leaks there.
 */
static void judge_lock_exits(struct ctx *c)
{
	int acquire_only = -1;   /* computed on first need */

	for (size_t i = 0; i < c->n_held_exits; i++) {
		struct lock_exit *x = &c->held_exits[i];
		if (c->any_fail_exit) {
			if (!(x->retmask & c->fail_retmask))
				continue;
		} else {
			if (acquire_only < 0)
				acquire_only = x->s->n_obj == 0 ||
					       !releases_resource(c, x->s->objs[0].resource);
			if (acquire_only)
				continue;
		}
		const struct lg_block *b = &c->fn->blocks[x->blk];
		c->cur_blk = x->blk;
		c->cur_ev = UINT32_MAX;
		while (x->s->n_obj > 0) {
			report(c, x->s, 0, LG_LOSS_RETURN, b->term_loc, LG_NOVAR,
			       x->blk, UINT32_MAX);
			drop_obj(x->s, 0);
		}
	}
	c->n_held_exits = 0;
	c->any_fail_exit = false;
	c->fail_retmask = 0;
}

/* ---- the worklist ------------------------------------------------------------ */

static uint32_t state_hash(const struct state *s)
{
	uint32_t h = 2166136261u;
#define MIX(x) (h = (h ^ (uint32_t)(x)) * 16777619u)
	for (uint32_t i = 0; i < s->n_obj; i++) {
		MIX(s->objs[i].blk);
		MIX(s->objs[i].ev);
		MIX(s->objs[i].guard);
		MIX(s->objs[i].key.kind);
		MIX(s->objs[i].key.var);
	}
	for (uint32_t i = 0; i < s->n_bind; i++)
		if (s->binds[i].obj >= 0) {
			MIX(s->binds[i].var);
			MIX(s->binds[i].obj);
			MIX(s->binds[i].role);
		}
#undef MIX
	return h;
}

static bool same_key(const struct state *a, const struct state *b)
{
	if (a->hash != b->hash || a->n_obj != b->n_obj ||
	    a->acq_failed != b->acq_failed)
		return false;
	for (uint32_t i = 0; i < a->n_obj; i++) {
		const struct obj *x = &a->objs[i], *y = &b->objs[i];
		if (x->blk != y->blk || x->ev != y->ev || x->guard != y->guard ||
		    x->is_lock != y->is_lock ||
		    (x->is_lock && !opnd_eq(&x->key, &y->key)))
			return false;
	}
	uint32_t i = 0, j = 0;
	for (;;) {
		while (i < a->n_bind && a->binds[i].obj < 0)
			i++;
		while (j < b->n_bind && b->binds[j].obj < 0)
			j++;
		if (i == a->n_bind || j == b->n_bind)
			return i == a->n_bind && j == b->n_bind;
		if (a->binds[i].var != b->binds[j].var ||
		    a->binds[i].obj != b->binds[j].obj ||
		    a->binds[i].role != b->binds[j].role)
			return false;
		i++;
		j++;
	}
}

/* Joins `s` into `into` (same key); true when `into` grew. */
static bool join(struct ctx *c, struct state *into, const struct state *s)
{
	bool grew = false;

	for (uint32_t i = 0; i < into->n_obj; i++) {
		uint8_t h = into->objs[i].hmask | s->objs[i].hmask;
		uint8_t m = into->objs[i].smask | s->objs[i].smask;
		grew |= h != into->objs[i].hmask || m != into->objs[i].smask;
		into->objs[i].hmask = h;
		into->objs[i].smask = m;
	}
	/* Value classes of unbound variables: a variable missing on either
	 * side may be anything. */
	struct bind *nb = ctx_alloc(c, (into->n_bind + 1) * sizeof(*nb));
	if (!nb)
		return false;
	uint32_t n = 0;
	for (uint32_t i = 0; i < into->n_bind; i++) {
		struct bind b = into->binds[i];
		if (b.obj < 0) {
			const struct bind *o = find_bind(s, b.var);
			uint8_t m = o && o->obj < 0 ? (uint8_t)(b.mask | o->mask) : C_ALL;
			if (m != b.mask)
				grew = true;
			if (m == C_ALL)
				continue;
			b.mask = m;
		}
		nb[n++] = b;
	}
	into->binds = nb;
	into->n_bind = n;
	return grew;
}

static void enqueue(struct ctx *c, uint32_t block, struct state *s)
{
	if (s->queued)
		return;
	if (c->qtail == c->qcap) {
		/* compact, then grow */
		if (c->qhead > 0) {
			memmove(c->queue, c->queue + c->qhead,
				(c->qtail - c->qhead) * sizeof(*c->queue));
			c->qtail -= c->qhead;
			c->qhead = 0;
		}
		if (c->qtail == c->qcap) {
			size_t cap = c->qcap ? c->qcap * 2 : 64;
			struct work *q = realloc(c->queue, cap * sizeof(*q));
			if (!q) {
				c->oom = true;
				return;
			}
			c->queue = q;
			c->qcap = cap;
		}
	}
	s->queued = true;
	c->queue[c->qtail++] = (struct work){ block, s };
}

/* Returns -1 when the block already holds as many states as allowed. */
static int propagate(struct ctx *c, uint32_t block, struct state *s)
{
	struct block_states *bs = &c->at[block];

	s->hash = state_hash(s);
	for (uint32_t i = 0; i < bs->n; i++) {
		if (same_key(bs->v[i], s)) {
			if (join(c, bs->v[i], s))
				enqueue(c, block, bs->v[i]);
			return 0;
		}
	}
	if (bs->n >= c->budget->max_states_per_block)
		return -1;
	if (bs->n == bs->cap) {
		uint32_t cap = bs->cap ? bs->cap * 2 : 4;
		struct state **v = lg_arena_grow(&c->arena, bs->v, bs->n, cap,
						 sizeof(*v));
		if (!v) {
			c->oom = true;
			return 0;
		}
		bs->v = v;
		bs->cap = cap;
	}
	bs->v[bs->n++] = s;
	enqueue(c, block, s);
	return 0;
}

static int visit(struct ctx *c, uint32_t blk, const struct state *in)
{
	const struct lg_block *b = &c->fn->blocks[blk];
	struct state *s = state_clone(c, in, 0, 1);

	if (!s)
		return 0;
	for (uint32_t i = 0; i < b->n_ev && s; i++) {
		const struct lg_event *e = &b->ev[i];
		c->cur_blk = blk;
		c->cur_ev = i;
		switch (e->kind) {
		case LG_EV_CALL:
			s = ev_call(c, s, e);
			break;
		case LG_EV_ASSIGN:
			s = state_clone(c, s, 0, 1);
			if (s)
				ev_assign(c, s, e);
			break;
		case LG_EV_ESCAPE:
			escape_opnd(s, &e->src);
			break;
		case LG_EV_KILL:
			ev_kill(c, s, e);
			break;
		}
	}
	if (!s)
		return 0;

	switch (b->term) {
	case LG_TERM_RETURN:
		term_return(c, s, blk);
		return 0;
	case LG_TERM_STOP:
	case LG_TERM_NONE:
		return 0;
	case LG_TERM_GOTO:
	case LG_TERM_BRANCH:
		break;
	}
	for (uint32_t j = 0; j < b->n_edges; j++) {
		const struct lg_edge *ed = &b->edges[j];
		struct state *t = state_clone(c, s, 0, 1);
		if (!t)
			return 0;
		if (!apply_test(t, &ed->test))
			continue;
		if (ed->step >= 0)
			t->path = path_push(c, t->path, ed->step);
		if (propagate(c, ed->to, t) < 0) {
			const struct lg_loc *l = &b->term_loc;
			lg_diag(c->d, LG_ERROR, c->fn->n_files ? c->fn->files[0] : NULL,
				c->fn->loc.line, c->fn->loc.col,
				"function '%s' was not fully analysed: more than %" PRIu32
				" distinct resource states meet at one point (line %" PRIu32
				"); raise --max-states or simplify the function",
				c->fn->name, c->budget->max_states_per_block, l->line);
			return -1;
		}
	}
	return 0;
}

/* One run of the worklist, tracking the acquisitions of one site. */
static int run_site(struct ctx *c)
{
	int ret = 0;

	lg_arena_init(&c->arena);
	c->qhead = c->qtail = 0;
	c->at = calloc(c->fn->n_blocks, sizeof(*c->at));
	struct state *entry = ctx_alloc(c, sizeof(*entry));
	if (!c->at || !entry) {
		c->oom = true;
		goto done;
	}
	propagate(c, 0, entry);
	while (c->qhead < c->qtail && !c->oom) {
		struct work w = c->queue[c->qhead++];
		w.s->queued = false;
		if (++c->steps > c->budget->max_steps) {
			ret = lg_diag(c->d, LG_ERROR,
				      c->fn->n_files ? c->fn->files[0] : NULL,
				      c->fn->loc.line, c->fn->loc.col,
				      "function '%s' was not fully analysed: it needs more than %"
				      PRIu64 " analysis steps; raise --max-steps or simplify the function",
				      c->fn->name, c->budget->max_steps);
			goto done;
		}
		if (visit(c, w.block, w.s) < 0) {
			ret = -1;
			goto done;
		}
	}
	if (!c->oom)
		judge_lock_exits(c);
done:
	c->n_held_exits = 0;
	c->any_fail_exit = false;
	c->fail_retmask = 0;
	free(c->at);
	c->at = NULL;
	lg_arena_release(&c->arena);
	return ret;
}

/*
 * As in ESP, each acquisition site is tracked in a run of its own: states
 * then differ only in the fate of that site's resource, so a chain of
 * independent acquisitions costs one linear run each instead of 2^n states.
 */
int lg_analyse(const struct lg_fn *fn, const struct lg_oracle *oracle,
	       const struct lg_budget *budget, struct lg_leaks *out,
	       struct lg_diags *d)
{
	static const struct lg_budget dflt = LG_BUDGET_DEFAULT;
	struct ctx c = {
		.fn = fn, .oracle = oracle, .budget = budget ? budget : &dflt,
		.out = out, .d = d,
	};
	struct site { uint32_t blk, ev; } *sites = NULL;
	size_t n_sites = 0;
	int ret = 0;

	if (fn->n_blocks == 0 || !oracle || !oracle->lookup)
		return 0;
	for (uint32_t b = 0; b < fn->n_blocks; b++) {
		const struct lg_block *bl = &fn->blocks[b];
		for (uint32_t i = 0; i < bl->n_ev; i++) {
			const struct lg_event *e = &bl->ev[i];
			size_t n = 0;
			if (e->kind != LG_EV_CALL || !e->callee)
				continue;
			const struct lg_effect *eff = oracle->lookup(oracle->ctx, e->callee, &n);
			bool acquires = false;
			for (size_t k = 0; k < n; k++) {
				if (eff[k].kind != LG_EFFECT_ACQUIRE)
					continue;
				acquires = true;
				if (eff[k].site == LG_SITE_ARG && eff[k].arg >= 0 &&
				    (uint32_t)eff[k].arg < e->n_args) {
					const struct lg_opnd **v = realloc(c.lock_keys,
						(c.n_lock_keys + 1) * sizeof(*v));
					if (!v) {
						c.oom = true;
						break;
					}
					c.lock_keys = v;
					c.lock_keys[c.n_lock_keys++] = &e->args[eff[k].arg];
				}
			}
			if (!acquires)
				continue;
			struct site *v = realloc(sites, (n_sites + 1) * sizeof(*v));
			if (!v) {
				c.oom = true;
				break;
			}
			sites = v;
			sites[n_sites++] = (struct site){ b, i };
		}
	}
	for (size_t i = 0; i < n_sites && ret == 0 && !c.oom; i++) {
		c.site_blk = sites[i].blk;
		c.site_ev = sites[i].ev;
		ret = run_site(&c);
	}
	if (c.oom && ret == 0)
		ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory analysing '%s'",
			      fn->name);
	free(sites);
	free(c.lock_keys);
	free(c.held_exits);
	free(c.queue);
	free(c.seen);
	return ret;
}

void lg_leaks_release(struct lg_leaks *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static const struct lg_effect *rules_lookup(const void *ctx, const char *callee,
					    size_t *n)
{
	return lg_ruleset_lookup(ctx, callee, n);
}

struct lg_oracle lg_oracle_rules(const struct lg_ruleset *rs)
{
	return (struct lg_oracle){ rules_lookup, rs };
}
