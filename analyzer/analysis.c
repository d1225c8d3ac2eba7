/*
 * analysis.c - the ESP-style typestate analysis of analysis.h.
 *
 * A worklist of (block, state) pairs, run once per tracked thing (an
 * acquisition site; for summaries also a parameter or a global lock).
 * Transfer is one small function per event kind (ev_call, ev_assign,
 * escape, ev_kill) and one per terminator; edges apply their test to the
 * state and drop it when the test cannot hold.  A state that reaches a block
 * where a state with the same key (the object, the variables referring to
 * it) already waits is joined into it; only a state that grew is visited
 * again, so loops reach a fixpoint: value classes form a finite lattice and
 * there is at most one object per run.
 *
 * Places one level below a variable (`s.conn`, `p->conn`, `*p`) are
 * variables too (FIELD variables of the graph); applying a summary can name a
 * place the function itself never wrote, so the analysis keeps its own table
 * of extra places beyond the graph's variables.
 *
 * Value classes: every tracked value is known to lie in a subset of
 * {negative, zero, positive}.  A pointer's NULL is zero.
 *
 * Deliberately left out: aliasing through memory other than those places (a
 * handle stored anywhere else escapes), arithmetic, and more than one live
 * object per run (when a site runs again while its previous resource is
 * still referred to by another variable, the previous one is no longer
 * tracked; this can miss a leak, never invent one).
 */
#include "analysis.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { C_NEG = LG_CLASS_NEG, C_ZERO = LG_CLASS_ZERO, C_POS = LG_CLASS_POS,
       C_ALL = LG_CLASS_ALL };

enum role { R_HANDLE, R_STATUS };

enum mode { M_LEAKS, M_OUTCOMES };

struct obj {
	uint32_t blk, ev;       /* acquiring event; UINT32_MAX: from the entry */
	uint32_t resource;      /* or LG_ANY_RESOURCE */
	const char *via;        /* the wrapper chain of its acquisition */
	uint8_t hmask, smask;   /* value classes of the handle, of the status */
	uint8_t hcond, scond;   /* classes in which it is held */
	bool null_is_nothing;   /* a handle proven zero (NULL) holds nothing */
	bool is_lock;           /* an ARG-site resource: keyed, not bound */
	struct lg_opnd key;     /* is_lock: the lock operand */
	lg_var_id handle;       /* the variable that received it */
	uint32_t path_len;      /* length of the state's path when acquired */
	bool filled_empty;      /* put in a place only because it was empty
				   (lg_effect.if_empty) */
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
	uint32_t cap_obj, cap_bind; /* room in objs and binds */
	struct obj *objs;
	struct bind *binds;     /* sorted by var */
	const struct path *path;
	uint32_t hash;
	bool queued;
	bool acq_failed;        /* a test showed the tracked acquisition failed */
	uint8_t fate;           /* outcomes: what became of the tracked object */
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

/* A place the graph does not have: a FIELD the analysis made. */
struct xvar {
	lg_var_id parent;
	char *path;
	char *name;
};

struct ctx {
	const struct lg_fn *fn;
	const struct lg_oracle *oracle;
	const struct lg_budget *budget;
	enum mode mode;
	struct lg_leaks *out;
	struct lg_diags *d;
	struct lg_arena arena;
	struct block_states *at;   /* per block; allocated once per function */
	uint32_t *touched_blocks;  /* blocks whose `at` this run used */
	uint32_t n_touched_blocks;
	struct work *queue;
	size_t qhead, qtail, qcap;
	struct seen_leak *seen;
	size_t n_seen, cap_seen;
	uint64_t steps;
	bool over;             /* a budget was exceeded */
	bool oom;
	uint32_t cur_blk, cur_ev;  /* the event being applied */
	/* what this run tracks */
	enum lg_track track;
	uint32_t site_blk, site_ev;
	/* every lock operand some acquisition in the function uses */
	const struct lg_opnd **lock_keys;
	size_t n_lock_keys;
	/* variables whose value classes can decide a branch (tested, or
	 * copied into one that is): only theirs are worth keeping */
	bool *tested;
	/* extra places, ids from fn->n_vars on */
	struct xvar *xv;
	uint32_t n_xv, cap_xv;
	/* every place (the graph's FIELD variables and ours) by (parent,
	 * path), built on first need: open hashing of variable ids */
	lg_var_id *places;
	size_t places_cap, places_used;
	/* leaks: returns with the lock held, judged at the end of the run */
	struct lock_exit *held_exits;
	size_t n_held_exits, cap_held_exits;
	uint8_t fail_retmask;
	bool any_fail_exit;
	/* outcomes: the exits of the current run */
	struct lg_outcome *outcome;
	/* leaks: the states that reach each acquisition site's block with no
	 * resource held (from a run that acquires nothing), and whether the
	 * current run drops states that hold nothing (see lg_analyse) */
	bool *is_site_blk;
	struct block_states *seeds;
	bool keep_seeds;           /* this run fills `seeds` */
	bool prune_free;
	bool site_is_lock;         /* the site locks something given to it */
	/* what the oracle says of each call, asked once per function: by
	 * block (ev_base) and event */
	uint32_t *ev_base;
	struct asked *asked;
};

struct asked {
	const struct lg_effect *eff;
	uint32_t n;
	bool known, done;
};

/* ---- small helpers -------------------------------------------------------- */

static uint8_t class_of(int64_t k)
{
	return k < 0 ? C_NEG : k == 0 ? C_ZERO : C_POS;
}

uint8_t lg_rel_classes(enum lg_rel rel, int64_t k)
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

/* ---- variables and places ------------------------------------------------- */

static lg_var_id var_parent(const struct ctx *c, lg_var_id v)
{
	if (v < c->fn->n_vars)
		return c->fn->vars[v].parent;
	v -= c->fn->n_vars;
	return v < c->n_xv ? c->xv[v].parent : LG_NOVAR;
}

static const char *var_path(const struct ctx *c, lg_var_id v)
{
	if (v < c->fn->n_vars)
		return c->fn->vars[v].path;
	v -= c->fn->n_vars;
	return v < c->n_xv ? c->xv[v].path : NULL;
}

static const char *var_name(const struct ctx *c, lg_var_id v)
{
	if (v < c->fn->n_vars)
		return c->fn->vars[v].name;
	v -= c->fn->n_vars;
	return v < c->n_xv ? c->xv[v].name : "?";
}

static bool is_param(const struct ctx *c, lg_var_id v)
{
	return v < c->fn->n_vars && c->fn->vars[v].kind == LG_VAR_PARAM;
}

static bool is_temp(const struct ctx *c, lg_var_id v)
{
	return v < c->fn->n_vars && c->fn->vars[v].kind == LG_VAR_TEMP;
}

/* A place the caller can see: what a parameter points to. */
static bool caller_visible(const struct ctx *c, lg_var_id v)
{
	lg_var_id p = var_parent(c, v);
	const char *path = var_path(c, v);
	return p != LG_NOVAR && is_param(c, p) && path &&
	       (path[0] == '*' || (path[0] == '-' && path[1] == '>'));
}

/* `v` in the caller's terms: parameter `*arg`, and the place below it
 * (`path`: "" for the parameter itself, "*", "->conn"). */
static bool param_place(const struct ctx *c, lg_var_id v, int *arg,
			char path[LG_PATH_MAX])
{
	if (is_param(c, v)) {
		*arg = (int)v;   /* parameters are the first variables, in order */
		path[0] = '\0';
		return true;
	}
	if (!caller_visible(c, v))
		return false;
	const char *p = var_path(c, v);
	if (strlen(p) >= LG_PATH_MAX)
		return false;
	*arg = (int)var_parent(c, v);
	strcpy(path, p);
	return true;
}

static size_t place_hash(lg_var_id parent, const char *path)
{
	size_t h = 1469598103934665603u ^ parent;
	while (*path)
		h = (h ^ (unsigned char)*path++) * 1099511628211u;
	return h;
}

static bool place_insert(struct ctx *c, lg_var_id v)
{
	if ((c->places_used + 1) * 2 > c->places_cap) {
		size_t cap = c->places_cap ? c->places_cap * 2 : 64;
		lg_var_id *t = malloc(cap * sizeof(*t));
		if (!t)
			return false;
		for (size_t i = 0; i < cap; i++)
			t[i] = LG_NOVAR;
		for (size_t i = 0; i < c->places_cap; i++) {
			lg_var_id w = c->places[i];
			if (w == LG_NOVAR)
				continue;
			size_t j = place_hash(var_parent(c, w), var_path(c, w)) & (cap - 1);
			while (t[j] != LG_NOVAR)
				j = (j + 1) & (cap - 1);
			t[j] = w;
		}
		free(c->places);
		c->places = t;
		c->places_cap = cap;
	}
	size_t j = place_hash(var_parent(c, v), var_path(c, v)) & (c->places_cap - 1);
	while (c->places[j] != LG_NOVAR)
		j = (j + 1) & (c->places_cap - 1);
	c->places[j] = v;
	c->places_used++;
	return true;
}

/* The place `path` below `parent`: the graph's, or one of our own. */
static lg_var_id place_var(struct ctx *c, lg_var_id parent, const char *path)
{
	const struct lg_fn *fn = c->fn;
	if (!c->places) {
		c->places = malloc(64 * sizeof(*c->places));
		if (!c->places) {
			c->oom = true;
			return LG_NOVAR;
		}
		c->places_cap = 64;
		for (size_t i = 0; i < 64; i++)
			c->places[i] = LG_NOVAR;
		for (uint32_t i = 0; i < fn->n_vars; i++)
			if (fn->vars[i].kind == LG_VAR_FIELD && !place_insert(c, i)) {
				c->oom = true;
				return LG_NOVAR;
			}
	}
	if (c->places_cap) {
		size_t mask = c->places_cap - 1;
		for (size_t j = place_hash(parent, path) & mask; c->places[j] != LG_NOVAR;
		     j = (j + 1) & mask) {
			lg_var_id w = c->places[j];
			if (var_parent(c, w) == parent && strcmp(var_path(c, w), path) == 0)
				return w;
		}
	}
	if (c->n_xv == c->cap_xv) {
		uint32_t cap = c->cap_xv ? c->cap_xv * 2 : 8;
		struct xvar *v = realloc(c->xv, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			return LG_NOVAR;
		}
		c->xv = v;
		c->cap_xv = cap;
	}
	struct xvar *x = &c->xv[c->n_xv];
	x->parent = parent;
	x->path = strdup(path);
	x->name = NULL;
	const char *pn = var_name(c, parent);
	if (!x->path || (strcmp(path, "*") == 0 ? asprintf(&x->name, "*%s", pn)
					       : asprintf(&x->name, "%s%s", pn, path)) < 0) {
		free(x->path);
		c->oom = true;
		return LG_NOVAR;
	}
	lg_var_id id = fn->n_vars + c->n_xv++;
	if (!place_insert(c, id))
		c->oom = true;
	return id;
}

/*
 * The place an effect names below argument operand `a`:
 *   path "*":    what `a` points to   (&v -> v;  p -> *p)
 *   path "->f":  the field f of *a    (&s -> s.f; p -> p->f)
 * Only places the analysis follows: a parameter's, or a local's by address.
 */
static lg_var_id place_of(struct ctx *c, const struct lg_opnd *a, const char *path)
{
	if (a->kind == LG_OPND_ADDR) {
		if (strcmp(path, "*") == 0)
			return a->var;
		if (strncmp(path, "->", 2) == 0) {
			char dot[128];
			snprintf(dot, sizeof(dot), ".%s", path + 2);
			return place_var(c, a->var, dot);
		}
		return LG_NOVAR;
	}
	if (a->kind == LG_OPND_VAR && is_param(c, a->var))
		return place_var(c, a->var, path);
	return LG_NOVAR;
}

/* ---- states ------------------------------------------------------------------ */

static void *ctx_alloc_raw(struct ctx *c, size_t n)
{
	void *p = lg_arena_alloc_raw(&c->arena, n);
	if (!p)
		c->oom = true;
	return p;
}

static struct state *state_clone(struct ctx *c, const struct state *s,
				 uint32_t extra_obj, uint32_t extra_bind)
{
	struct state *t = ctx_alloc_raw(c, sizeof(*t));
	if (!t)
		return NULL;
	*t = *s;
	t->queued = false;
	t->cap_obj = s->n_obj + extra_obj + 1;
	t->cap_bind = s->n_bind + extra_bind + 1;
	t->objs = ctx_alloc_raw(c, t->cap_obj * sizeof(struct obj));
	t->binds = ctx_alloc_raw(c, t->cap_bind * sizeof(struct bind));
	if (!t->objs || !t->binds)
		return NULL;
	if (s->n_obj)
		memcpy(t->objs, s->objs, s->n_obj * sizeof(struct obj));
	if (s->n_bind)
		memcpy(t->binds, s->binds, s->n_bind * sizeof(struct bind));
	return t;
}

/* Room for `objs` more objects and `binds` more bindings, in place (the
 * state being transformed is always private to the visit). */
static bool reserve(struct ctx *c, struct state *s, uint32_t objs, uint32_t binds)
{
	if (s->n_obj + objs > s->cap_obj) {
		uint32_t cap = (s->n_obj + objs) * 2;
		struct obj *v = ctx_alloc_raw(c, cap * sizeof(*v));
		if (!v)
			return false;
		memcpy(v, s->objs, s->n_obj * sizeof(*v));
		s->objs = v;
		s->cap_obj = cap;
	}
	if (s->n_bind + binds > s->cap_bind) {
		uint32_t cap = (s->n_bind + binds) * 2;
		struct bind *v = ctx_alloc_raw(c, cap * sizeof(*v));
		if (!v)
			return false;
		memcpy(v, s->binds, s->n_bind * sizeof(*v));
		s->binds = v;
		s->cap_bind = cap;
	}
	return true;
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

/* Sets v's entry. */
static void set_bind(struct ctx *c, struct state *s, struct bind nb)
{
	struct bind *b = find_bind(s, nb.var);
	if (nb.obj < 0 && nb.mask == C_ALL) {
		remove_bind(s, nb.var);
		return;
	}
	if (nb.obj < 0 && (nb.var >= c->fn->n_vars || (c->tested && !c->tested[nb.var]))) {
		/* nothing will ever ask what this variable holds */
		if (b)
			remove_bind(s, nb.var);
		return;
	}
	if (b) {
		*b = nb;
		return;
	}
	if (!reserve(c, s, 0, 1))
		return;
	uint32_t i = 0;
	while (i < s->n_bind && s->binds[i].var < nb.var)
		i++;
	memmove(&s->binds[i + 1], &s->binds[i],
		(s->n_bind - i) * sizeof(struct bind));
	s->binds[i] = nb;
	s->n_bind++;
}

/* Drops object `o` from the state, recording what became of it: variables
 * that referred to it keep what is known of their value. */
static void drop_obj(struct state *s, int32_t o, enum lg_fate fate)
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
	s->fate = (uint8_t)fate;
}

static bool obj_absent(const struct obj *o)
{
	if (!(o->hmask & o->hcond) || !(o->smask & o->scond))
		return true;
	return o->null_is_nothing && o->hmask == C_ZERO;
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

/* Locks are matched by what names them; a variable and its address name
 * the same lock (`pthread_mutex_lock(m)` with m a pointer, `&m` a mutex). */
static bool opnd_eq(const struct lg_opnd *a, const struct lg_opnd *b)
{
	bool av = a->kind == LG_OPND_VAR || a->kind == LG_OPND_ADDR;
	bool bv = b->kind == LG_OPND_VAR || b->kind == LG_OPND_ADDR;
	if (av || bv)
		return av && bv && a->var == b->var;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case LG_OPND_LVAL:
		return a->key && b->key && strcmp(a->key, b->key) == 0;
	case LG_OPND_CONST:
		return a->k == b->k;
	default:
		return false;
	}
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

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void report(struct ctx *c, const struct state *s, int32_t o,
		   enum lg_loss loss, struct lg_loc loc, lg_var_id lost_var,
		   uint32_t loss_blk, uint32_t loss_ev)
{
	const struct obj *ob = &s->objs[o];

	if (c->mode != M_LEAKS || ob->blk == UINT32_MAX)
		return;
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

	struct lg_leak *l = lg_leaks_push(c->out);
	if (!l) {
		c->oom = true;
		return;
	}
	l->acq_block = ob->blk;
	l->acq_event = ob->ev;
	l->resource = ob->resource;
	l->via = dup_or_null(ob->via);
	l->loss = loss;
	l->loss_loc = loc;
	if (ob->is_lock)
		l->handle = dup_or_null(ob->key.kind == LG_OPND_LVAL ? ob->key.key
					: var_name(c, ob->key.var));
	else if (ob->handle != LG_NOVAR && !is_temp(c, ob->handle))
		l->handle = strdup(var_name(c, ob->handle));
	if (lost_var != LG_NOVAR) {
		l->lost = strdup(var_name(c, lost_var));
		l->lost_is_temp = is_temp(c, lost_var);
	}
	if (ob->is_lock && ob->key.kind == LG_OPND_ADDR && l->handle) {
		char *amp = NULL;
		if (asprintf(&amp, "&%s", l->handle) >= 0) {
			free(l->handle);
			l->handle = amp;
		}
	}

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
}

/* An object that nothing refers to any more, and that may be held, leaks. */
static void lose_if_unreferenced(struct ctx *c, struct state *s, int32_t o,
				 lg_var_id v, enum lg_loss loss,
				 struct lg_loc loc)
{
	if (o < 0 || s->objs[o].is_lock || handle_refs(s, o, v) > 0)
		return;
	report(c, s, o, loss, loc, v, c->cur_blk, c->cur_ev);
	drop_obj(s, o, LG_FATE_HELD);
}

/* ---- transfer: events ----------------------------------------------------- */

/* Calls `f` for each variable bound in the state that lies below `v`. */
static void escape_children(struct ctx *c, struct state *s, lg_var_id v)
{
	for (uint32_t i = 0; i < s->n_bind; ) {
		struct bind *b = &s->binds[i];
		if (var_parent(c, b->var) == v) {
			lg_var_id child = b->var;
			if (b->obj >= 0)
				drop_obj(s, b->obj, LG_FATE_ESCAPED);
			remove_bind(s, child);
			i = 0;
			continue;
		}
		i++;
	}
}

static void escape_opnd(struct ctx *c, struct state *s, const struct lg_opnd *op)
{
	if (op->kind != LG_OPND_VAR && op->kind != LG_OPND_ADDR)
		return;
	const struct bind *b = find_bind(s, op->var);
	if (b && b->obj >= 0)
		drop_obj(s, b->obj, LG_FATE_ESCAPED);
	if (op->kind == LG_OPND_ADDR)
		escape_children(c, s, op->var);
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
			drop_obj(s, o, LG_FATE_ESCAPED);
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
		escape_opnd(c, s, &e->src);
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
	set_bind(c, s, nb);
}

static void kill_var(struct ctx *c, struct state *s, lg_var_id v,
		     struct lg_loc loc)
{
	/* What lies in it dies with it (`s.conn` with `s`). */
	for (uint32_t i = 0; i < s->n_bind; i++)
		if (var_parent(c, s->binds[i].var) == v) {
			kill_var(c, s, s->binds[i].var, loc);
			i = (uint32_t)-1;
		}
	const struct bind *b = find_bind(s, v);
	if (!b)
		return;
	if (b->obj >= 0 && b->role == R_HANDLE)
		lose_if_unreferenced(c, s, b->obj, v, LG_LOSS_SCOPE, loc);
	remove_bind(s, v);
}

static int32_t find_lock(const struct state *s, const struct lg_opnd *key,
			 uint32_t resource, bool any_key)
{
	for (uint32_t i = 0; i < s->n_obj; i++) {
		const struct obj *o = &s->objs[i];
		if (!o->is_lock)
			continue;
		if (any_key ? (o->resource == resource || resource == LG_ANY_RESOURCE)
			    : opnd_eq(&o->key, key))
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

/* The object the operand of a release names, or -1. */
static int32_t released_obj(const struct ctx *c, const struct state *s,
			    const struct lg_opnd *op, uint32_t resource)
{
	if (op->kind == LG_OPND_VAR || op->kind == LG_OPND_ADDR) {
		int32_t o = obj_of_var(s, op->var, R_HANDLE);
		if (o >= 0)
			return o;
	}
	int32_t o = find_lock(s, op, resource, false);
	if (o < 0 && !known_lock_key(c, op)) {
		/* An unlock through a pointer variable may name the lock taken
		 * through another spelling: when exactly one lock of this
		 * resource is held, and no acquisition in the function names
		 * this operand, it is that one.  Two different lvalues
		 * (`&from->mu`, `&to->mu`) are two different locks. */
		int32_t first = find_lock(s, op, resource, true);
		bool pointer_var = op->kind == LG_OPND_VAR &&
				   var_parent(c, op->var) == LG_NOVAR;
		bool held_by_pointer = first >= 0 &&
				       s->objs[first].key.kind == LG_OPND_VAR &&
				       var_parent(c, s->objs[first].key.var) == LG_NOVAR;
		if (first >= 0 && !pointer_var && !held_by_pointer)
			first = -1;
		if (first >= 0) {
			uint32_t n = 0;
			for (uint32_t i = 0; i < s->n_obj; i++)
				n += s->objs[i].is_lock &&
				     (s->objs[i].resource == resource ||
				      resource == LG_ANY_RESOURCE);
			if (n == 1)
				o = first;
		}
	}
	return o;
}

static void forget_site(struct state *s, uint32_t blk, uint32_t ev,
			const struct lg_opnd *key)
{
	for (uint32_t i = 0; i < s->n_obj; i++) {
		const struct obj *o = &s->objs[i];
		if (o->blk == blk && o->ev == ev &&
		    (!key || opnd_eq(&o->key, key))) {
			drop_obj(s, (int32_t)i, LG_FATE_ESCAPED);
			return;
		}
	}
}

/* The operand an effect acts on: the argument, or a place below it. */
static struct lg_opnd effect_opnd(struct ctx *c, const struct lg_event *e,
				  const struct lg_effect *ef, bool *ok)
{
	*ok = false;
	if (ef->site == LG_SITE_GLOBAL) {
		*ok = ef->key != NULL;
		return (struct lg_opnd){ .kind = LG_OPND_LVAL, .var = LG_NOVAR,
					 .key = ef->key };
	}
	if (ef->arg < 0 || (uint32_t)ef->arg >= e->n_args)
		return lg_opnd_unknown();
	const struct lg_opnd *a = &e->args[ef->arg];
	if (!ef->field) {
		*ok = true;
		return *a;
	}
	lg_var_id v = place_of(c, a, ef->field);
	if (v == LG_NOVAR)
		return lg_opnd_unknown();
	*ok = true;
	/* a lock is the place itself; a handle is the value in it */
	return ef->kind == LG_EFFECT_ACQUIRE ? lg_opnd_addr(v) : lg_opnd_var(v);
}

/* A variable this path found empty (zero, NULL) and holding nothing. */
static bool known_empty(const struct bind *b)
{
	return b && b->obj < 0 && b->mask == C_ZERO;
}

/* `dst_empty`: the call's result goes to a variable this path found empty
 * before the call. */
static void acquire(struct ctx *c, struct state *s, const struct lg_event *e,
		    const struct lg_effect *ef, bool dst_empty)
{
	struct obj ob = {
		.blk = c->cur_blk, .ev = c->cur_ev, .resource = ef->resource,
		.via = ef->via, .hmask = C_ALL, .smask = C_ALL,
		.hcond = C_ALL, .scond = C_ALL, .null_is_nothing = true,
		.key = lg_opnd_unknown(), .handle = LG_NOVAR,
		.path_len = s->path ? s->path->len : 0,
	};
	lg_var_id holder = LG_NOVAR;
	uint8_t succ = ef->mask ? ef->mask
		     : ef->success == LG_SUCCESS_ZERO ? C_ZERO
		     : ef->success == LG_SUCCESS_NONNEGATIVE ? (C_ZERO | C_POS) : 0;

	if (ef->site == LG_SITE_RETURN) {
		if (e->dst == LG_NOVAR)
			return;
		holder = e->dst;
		/* `if (!p->c) p->c = get();`: a cache filled on first use */
		ob.filled_empty = dst_empty && caller_visible(c, holder);
		if (ef->fd_like || ef->success == LG_SUCCESS_NONNEGATIVE) {
			ob.hcond = C_ZERO | C_POS;
			ob.null_is_nothing = false;
		} else {
			ob.hcond = C_NEG | C_POS;
		}
		succ = 0;
	} else if (ef->site == LG_SITE_OUT_ARG) {
		if (ef->arg < 0 || (uint32_t)ef->arg >= e->n_args)
			return;
		const struct lg_opnd *a = &e->args[ef->arg];
		holder = place_of(c, a, ef->field ? ef->field : "*");
		if (holder == LG_NOVAR)
			return; /* written somewhere we do not follow */
		const struct bind *old = find_bind(s, holder);
		if (ef->if_empty && old && (old->obj >= 0 || !(old->mask & C_ZERO)))
			return; /* not empty: the callee leaves it as it is */
		/* a place of the caller's that this path found empty, or
		 * that the callee fills only when empty: a cache filled on
		 * first use */
		ob.filled_empty = caller_visible(c, holder) &&
				  (ef->if_empty || known_empty(old));
		overwrite(c, s, holder, e->loc, false);
	} else {
		bool ok;
		struct lg_opnd key = effect_opnd(c, e, ef, &ok);
		if (!ok || key.kind == LG_OPND_UNKNOWN || key.kind == LG_OPND_CONST)
			return;
		if (find_lock(s, &key, ef->resource, false) >= 0)
			return; /* already held */
		ob.is_lock = true;
		ob.null_is_nothing = false;
		ob.key = key;
	}
	if (succ)
		ob.scond = succ;
	forget_site(s, ob.blk, ob.ev, ob.is_lock ? &ob.key : NULL);
	ob.handle = holder;
	s->objs[s->n_obj] = ob;
	int32_t o = (int32_t)s->n_obj++;
	if (holder != LG_NOVAR)
		set_bind(c, s, (struct bind){ holder, o, C_ALL, R_HANDLE });
	if (ef->site != LG_SITE_RETURN && e->dst != LG_NOVAR && succ)
		set_bind(c, s, (struct bind){ e->dst, o, C_ALL, R_STATUS });
}

/* A release after which the argument is still held when the call returns
 * a value in `held`: the object stays, held exactly then. */
static void release_if(struct ctx *c, struct state *s, int32_t o, lg_var_id result,
		       uint8_t held)
{
	if (result == LG_NOVAR)
		return; /* the caller cannot tell: still held */
	/* The previous status binding (if any) no longer decides. */
	for (uint32_t i = 0; i < s->n_bind; i++)
		if (s->binds[i].obj == o && s->binds[i].role == R_STATUS) {
			s->binds[i].obj = -1;
			s->binds[i].mask = C_ALL;
		}
	s->objs[o].smask = C_ALL;
	s->objs[o].scond = held;
	set_bind(c, s, (struct bind){ result, o, C_ALL, R_STATUS });
}

/* C library calls that take their first argument over: realloc() moves
 * the memory to its result, whatever the rules say of what lies in it. */
static bool moves_its_argument(const char *callee)
{
	return strcmp(callee, "realloc") == 0 || strcmp(callee, "reallocarray") == 0;
}

/* The oracle's answer for call `e`, event `i` of block `b`: asked once per
 * function (the summaries it reads do not change while it is analysed). */
static const struct lg_effect *ask(const struct ctx *c, uint32_t b, uint32_t i,
				   const struct lg_event *e, size_t *n, bool *known)
{
	struct asked *a = c->asked && b < c->fn->n_blocks ? &c->asked[c->ev_base[b] + i] : NULL;
	if (a && a->done) {
		*n = a->n;
		*known = a->known;
		return a->eff;
	}
	const struct lg_effect *eff = c->oracle->lookup(c->oracle->ctx, e, n, known);
	if (a)
		*a = (struct asked){ eff, (uint32_t)*n, *known, true };
	return eff;
}

static struct state *ev_call(struct ctx *c, struct state *s,
			     const struct lg_event *e)
{
	size_t n_eff = 0;
	bool known = false;
	const struct lg_effect *eff = NULL;
	bool handled_arg[64] = { false };

	if (c->oracle && c->oracle->lookup)
		eff = ask(c, c->cur_blk, c->cur_ev, e, &n_eff, &known);

	/* Room for the new objects and bindings this call may add. */
	if (!reserve(c, s, (uint32_t)n_eff + 1, 0))
		return NULL;

	for (size_t i = 0; i < n_eff; i++) {
		if (eff[i].kind == LG_EFFECT_STOP)
			return NULL;   /* the path ends in this call */
		if (eff[i].arg >= 0 && eff[i].arg < 64 && !eff[i].field)
			handled_arg[eff[i].arg] = true;
	}

	/* Releases and transfers first: `f = freopen(p, m, f)` releases its
	 * argument before the result is assigned. */
	bool reopens_external = false;
	const struct lg_effect *pending = NULL;
	for (size_t i = 0; i < n_eff; i++) {
		const struct lg_effect *ef = &eff[i];
		if (ef->kind == LG_EFFECT_ACQUIRE)
			continue;
		bool ok;
		struct lg_opnd op = effect_opnd(c, e, ef, &ok);
		if (!ok)
			continue;
		if (ef->kind == LG_EFFECT_RELEASE && !ef->field &&
		    ((op.kind != LG_OPND_VAR && op.kind != LG_OPND_ADDR) ||
		     is_param(c, op.var)))
			reopens_external = true;
		int32_t o = released_obj(c, s, &op, ef->resource);
		if (o < 0)
			continue;
		if (ef->kind == LG_EFFECT_RELEASE && ef->mask)
			pending = ef;   /* decided by the result: after it is set */
		else
			drop_obj(s, o, ef->kind == LG_EFFECT_RELEASE ? LG_FATE_RELEASED
								    : LG_FATE_ESCAPED);
	}

	/* Arguments the effects say nothing about: a value is borrowed; an
	 * address given to a function whose body is unknown lets it keep or
	 * change what it points to; a call through a function pointer may be
	 * anything (a callback that frees, a hook that keeps). */
	bool receives_old = false;
	for (uint32_t a = 0; a < e->n_args; a++) {
		const struct lg_opnd *op = &e->args[a];
		if (a < 64 && handled_arg[a])
			continue;
		if ((!e->callee || (a == 0 && moves_its_argument(e->callee))) &&
		    op->kind == LG_OPND_VAR) {
			escape_opnd(c, s, op);
			escape_children(c, s, op->var);
		} else if (op->kind == LG_OPND_ADDR && !known) {
			escape_opnd(c, s, op);
			remove_bind(s, op->var);
		} else if (op->kind == LG_OPND_VAR && !known && is_param(c, op->var)) {
			/* what a parameter points to may be changed there */
			escape_children(c, s, op->var);
		}
		if (op->kind == LG_OPND_VAR && op->var == e->dst)
			receives_old = true;
	}

	bool dst_empty = e->dst != LG_NOVAR && known_empty(find_bind(s, e->dst));
	/* The result overwrites the variable that receives it.  A call that
	 * is given the old value is assumed to take it over. */
	if (e->dst != LG_NOVAR)
		overwrite(c, s, e->dst, e->loc, receives_old && n_eff == 0);
	if (pending) {
		bool ok;
		struct lg_opnd op = effect_opnd(c, e, pending, &ok);
		int32_t o = ok ? released_obj(c, s, &op, pending->resource) : -1;
		if (o >= 0)
			release_if(c, s, o, e->dst, pending->mask);
	}

	if (c->track == LG_TRACK_ACQUIRE && c->cur_blk == c->site_blk &&
	    c->cur_ev == c->site_ev)
		for (size_t i = 0; i < n_eff; i++)
			if (eff[i].kind == LG_EFFECT_ACQUIRE &&
			    !(reopens_external && eff[i].site == LG_SITE_RETURN))
				acquire(c, s, e, &eff[i], dst_empty);
	return s;
}

/* ---- transfer: edges and terminators -------------------------------------- */

/* Applies `t` to the state in place; false when the edge cannot be taken. */
static bool apply_test(struct ctx *c, struct state *s, const struct lg_test *t)
{
	if (t->rel == LG_REL_NONE || t->var == LG_NOVAR)
		return true;
	uint8_t allowed = lg_rel_classes(t->rel, t->k);
	struct bind *b = find_bind(s, t->var);

	if (b && b->obj >= 0) {
		int32_t o = b->obj;
		struct obj *ob = &s->objs[o];
		uint8_t *m = b->role == R_HANDLE ? &ob->hmask : &ob->smask;
		*m &= allowed;
		if (!*m)
			return false;
		if (obj_absent(ob)) {
			drop_obj(s, o, LG_FATE_RELEASED);
			s->acq_failed = true;
		}
		return true;
	}
	uint8_t m = (b ? b->mask : C_ALL) & allowed;
	if (!m)
		return false;
	set_bind(c, s, (struct bind){ t->var, -1, m, 0 });
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
	return b->role == R_HANDLE ? o->hmask : (uint8_t)(o->smask & o->scond);
}

static void record_exit(struct ctx *c, struct lg_exit x)
{
	struct lg_outcome *oc = c->outcome;
	struct lg_exit *v = realloc(oc->exits, (oc->n_exits + 1) * sizeof(*v));
	if (!v) {
		c->oom = true;
		return;
	}
	oc->exits = v;
	oc->exits[oc->n_exits++] = x;
}

/*
 * A return: what it returns, and what is left where the caller can see it
 * (`*out`, `p->conn`), escape to the caller; anything else still held leaks
 * here.  A held lock is judged at the end of the run (judge_lock_exits).
 */
static void term_return(struct ctx *c, struct state *s, uint32_t blk)
{
	const struct lg_block *b = &c->fn->blocks[blk];
	uint8_t retmask = returned_classes(s, &b->ret);

	c->cur_blk = blk;
	c->cur_ev = UINT32_MAX;
	if (c->mode == M_OUTCOMES) {
		struct lg_exit x = { .fate = s->fate, .retmask = retmask,
				     .failed = s->acq_failed, .out_arg = -1 };
		if (s->n_obj > 0) {
			x.fate = LG_FATE_HELD;
			const struct lg_opnd *r = &b->ret;
			const struct bind *rb = r->kind == LG_OPND_VAR ? find_bind(s, r->var) : NULL;
			bool out = false;
			for (uint32_t i = 0; i < s->n_bind && !out; i++)
				if (s->binds[i].obj == 0 && s->binds[i].role == R_HANDLE &&
				    caller_visible(c, s->binds[i].var) &&
				    param_place(c, s->binds[i].var, &x.out_arg, x.out_path))
					out = true;
			/* A cache filled on first use and returned (`if
			 * (!p->stmt) prepare(&p->stmt); return p->stmt;`):
			 * the place keeps it, what is returned is borrowed. */
			bool cache = out && s->objs[0].filled_empty;
			if (rb && rb->obj == 0 && rb->role == R_HANDLE && !cache) {
				x.fate = LG_FATE_RETURNED;
			} else if (out) {
				x.fate = LG_FATE_OUT;
				x.if_empty = s->objs[0].filled_empty;
			} else if (rb && rb->obj == 0 && rb->role == R_STATUS) {
				/* returns its own status: held when that says so */
				x.retmask = (uint8_t)(s->objs[0].smask & s->objs[0].scond);
			}
		}
		record_exit(c, x);
		return;
	}

	escape_opnd(c, s, &b->ret);
	for (uint32_t i = 0; i < s->n_bind; i++)
		if (s->binds[i].obj >= 0 && s->binds[i].role == R_HANDLE &&
		    caller_visible(c, s->binds[i].var)) {
			drop_obj(s, s->binds[i].obj, LG_FATE_OUT);
			i = (uint32_t)-1;
		}
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
		drop_obj(s, 0, LG_FATE_HELD);
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
			if (e->kind != LG_EV_CALL)
				continue;
			bool known;
			const struct lg_effect *eff =
				ask(c, b, i, e, &n, &known);
			for (size_t k = 0; k < n; k++)
				if (eff[k].kind == LG_EFFECT_RELEASE &&
				    (eff[k].resource == r || eff[k].resource == LG_ANY_RESOURCE))
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
			drop_obj(x->s, 0, LG_FATE_HELD);
		}
	}
	c->n_held_exits = 0;
	c->any_fail_exit = false;
	c->fail_retmask = 0;
}

/* ---- the worklist ------------------------------------------------------------ */

static uint32_t state_hash(const struct ctx *c, const struct state *s)
{
	uint32_t h = 2166136261u;
#define MIX(x) (h = (h ^ (uint32_t)(x)) * 16777619u)
	for (uint32_t i = 0; i < s->n_obj; i++) {
		MIX(s->objs[i].blk);
		MIX(s->objs[i].ev);
		MIX(s->objs[i].key.var);
	}
	for (uint32_t i = 0; i < s->n_bind; i++)
		if (s->binds[i].obj >= 0) {
			MIX(s->binds[i].var);
			MIX(s->binds[i].obj);
			MIX(s->binds[i].role);
		}
	MIX(s->acq_failed);
	if (c->mode == M_OUTCOMES)
		MIX(s->fate);
#undef MIX
	return h;
}

static bool same_key(const struct ctx *c, const struct state *a,
		     const struct state *b)
{
	if (a->hash != b->hash || a->n_obj != b->n_obj ||
	    a->acq_failed != b->acq_failed ||
	    (c->mode == M_OUTCOMES && a->fate != b->fate))
		return false;
	for (uint32_t i = 0; i < a->n_obj; i++) {
		const struct obj *x = &a->objs[i], *y = &b->objs[i];
		if (x->blk != y->blk || x->ev != y->ev || x->scond != y->scond ||
		    x->is_lock != y->is_lock || x->filled_empty != y->filled_empty ||
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
static bool join(struct state *into, const struct state *s)
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
	 * side may be anything.  The result only drops or widens entries, so
	 * it is written over the old list (`into` owns its arrays). */
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
		into->binds[n++] = b;
	}
	into->n_bind = n;
	return grew;
}

static void enqueue(struct ctx *c, uint32_t block, struct state *s)
{
	if (s->queued)
		return;
	if (c->qtail == c->qcap) {
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

	/* Holds nothing (and, for a lock, did not see its acquisition fail,
	 * which a lock wrapper's verdict needs): whatever it reaches, the
	 * seeds reach too (lg_analyse). */
	if (c->prune_free && s->n_obj == 0 && (!s->acq_failed || !c->site_is_lock))
		return 0;
	if (bs->cap == 0 && bs->n == 0)
		c->touched_blocks[c->n_touched_blocks++] = block;
	s->hash = state_hash(c, s);
	for (uint32_t i = 0; i < bs->n; i++) {
		if (same_key(c, bs->v[i], s)) {
			if (join(bs->v[i], s))
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

static int over_budget(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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
			ev_assign(c, s, e);
			break;
		case LG_EV_ESCAPE:
			escape_opnd(c, s, &e->src);
			break;
		case LG_EV_KILL:
			kill_var(c, s, e->dst, e->loc);
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
		/* the last edge takes the visit's own copy */
		struct state *t = j + 1 == b->n_edges ? s : state_clone(c, s, 0, 1);
		if (!t)
			return 0;
		if (!apply_test(c, t, &ed->test))
			continue;
		if (ed->step >= 0)
			t->path = path_push(c, t->path, ed->step);
		if (propagate(c, ed->to, t) < 0)
			return over_budget(c, "more than %" PRIu32 " distinct resource "
					   "states meet at one point; raise --max-states",
					   c->budget->max_states_per_block);
	}
	return 0;
}

double lg_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The function went over its budget: says so (an error, or a warning when
 * the user allowed it) once, and returns -1 to stop the run. */
static int over_budget(struct ctx *c, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!c->over)
		lg_diag(c->d, c->budget->warn ? LG_WARNING : LG_ERROR,
			c->fn->n_files ? c->fn->files[0] : NULL,
			c->fn->loc.line, c->fn->loc.col,
			"function '%s' was not fully analysed: %s%s", c->fn->name, why,
			c->budget->warn ? " (allowed by --allow-over-budget: leaks on "
			"the paths not followed are not reported)" : "");
	c->over = true;
	return -1;
}

/* One run of the worklist from `entry` at block 0, or, with seeds, from
 * the `n_seeds` states `seeds` at block `seed_blk` (copied). */
static int run_from(struct ctx *c, struct state *entry, uint32_t seed_blk,
		    struct state *const *seeds, uint32_t n_seeds)
{
	int ret = 0;

	c->qhead = c->qtail = 0;
	if (!c->at) {
		c->at = calloc(c->fn->n_blocks, sizeof(*c->at));
		c->touched_blocks = malloc(c->fn->n_blocks * sizeof(*c->touched_blocks));
	}
	if (!c->at || !c->touched_blocks || (!entry && !seeds)) {
		c->oom = true;
		goto done;
	}
	if (entry)
		propagate(c, 0, entry);
	for (uint32_t i = 0; i < n_seeds && !c->oom; i++) {
		struct state *t = state_clone(c, seeds[i], 0, 1);
		if (!t) {
			c->oom = true;
			break;
		}
		t->queued = false;
		if (propagate(c, seed_blk, t) < 0)
			break;
	}
	c->prune_free = seeds != NULL;
	while (c->qhead < c->qtail && !c->oom) {
		struct work w = c->queue[c->qhead++];
		w.s->queued = false;
		if (++c->steps > c->budget->max_steps) {
			ret = over_budget(c, "it needs more than %" PRIu64 " analysis "
					  "steps; raise --max-steps", c->budget->max_steps);
			goto done;
		}
		if ((c->steps & 1023) == 0 && c->budget->deadline > 0 &&
		    lg_now() > c->budget->deadline) {
			ret = over_budget(c, "its file took more than %g s; raise "
					  "--max-seconds", c->budget->max_seconds);
			goto done;
		}
		if (visit(c, w.block, w.s) < 0) {
			ret = -1;
			goto done;
		}
	}
	if (!c->oom && c->mode == M_LEAKS)
		judge_lock_exits(c);
done:
	c->prune_free = false;
	/* The run that acquires nothing keeps what reaches each site. */
	if (c->keep_seeds && !c->oom)
		for (uint32_t i = 0; i < c->n_touched_blocks; i++) {
			uint32_t b = c->touched_blocks[i];
			if (c->is_site_blk[b])
				c->seeds[b] = c->at[b];
		}
	c->n_held_exits = 0;
	c->any_fail_exit = false;
	c->fail_retmask = 0;
	if (c->at)
		for (uint32_t i = 0; i < c->n_touched_blocks; i++)
			c->at[c->touched_blocks[i]] = (struct block_states){ NULL, 0, 0 };
	c->n_touched_blocks = 0;
	return ret;
}

static int run(struct ctx *c, struct state *entry)
{
	return run_from(c, entry, 0, NULL, 0);
}

static struct state *empty_state(struct ctx *c)
{
	struct state *s = ctx_alloc(c, sizeof(*s));
	if (!s)
		return NULL;
	s->objs = ctx_alloc(c, 2 * sizeof(struct obj));
	s->binds = ctx_alloc(c, 2 * sizeof(struct bind));
	s->cap_obj = s->cap_bind = 2;
	return s->objs && s->binds ? s : NULL;
}

/* ---- what a function tracks ---------------------------------------------- */

struct site {
	uint32_t blk, ev;
	const struct lg_effect *effect;   /* the first acquiring effect */
	const char *callee;
};

struct plan {
	struct site *sites;
	size_t n_sites;
};

static int plan_sites(struct ctx *c, struct plan *p)
{
	const struct lg_fn *fn = c->fn;
	for (uint32_t b = 0; b < fn->n_blocks; b++) {
		const struct lg_block *bl = &fn->blocks[b];
		for (uint32_t i = 0; i < bl->n_ev; i++) {
			const struct lg_event *e = &bl->ev[i];
			size_t n = 0;
			if (e->kind != LG_EV_CALL)
				continue;
			bool known;
			const struct lg_effect *eff = ask(c, b, i, e, &n, &known);
			const struct lg_effect *first = NULL;
			for (size_t k = 0; k < n; k++) {
				if (eff[k].kind == LG_EFFECT_ACQUIRE && !first)
					first = &eff[k];
				if ((eff[k].site == LG_SITE_ARG && eff[k].kind != LG_EFFECT_TRANSFER &&
				     eff[k].arg >= 0 && (uint32_t)eff[k].arg < e->n_args &&
				     !eff[k].field) &&
				    (eff[k].kind == LG_EFFECT_ACQUIRE || e->args[eff[k].arg].kind == LG_OPND_LVAL)) {
					const struct lg_opnd **v = realloc(c->lock_keys,
						(c->n_lock_keys + 1) * sizeof(*v));
					if (!v)
						return -1;
					c->lock_keys = v;
					c->lock_keys[c->n_lock_keys++] = &e->args[eff[k].arg];
				}
			}
			if (!first)
				continue;
			struct site *v = realloc(p->sites, (p->n_sites + 1) * sizeof(*v));
			if (!v)
				return -1;
			p->sites = v;
			p->sites[p->n_sites++] = (struct site){ b, i, first, e->callee };
		}
	}
	return 0;
}

/* Which variables' value classes can matter: those some edge tests or some
 * return returns, and, backwards through copies, those copied into them. */
static void find_tested(struct ctx *c)
{
	const struct lg_fn *fn = c->fn;
	c->tested = calloc(fn->n_vars + 1, sizeof(*c->tested));
	if (!c->tested)
		return;   /* then every variable is kept: slower, still right */
	for (uint32_t b = 0; b < fn->n_blocks; b++) {
		const struct lg_block *bl = &fn->blocks[b];
		for (uint32_t i = 0; i < bl->n_edges; i++) {
			lg_var_id v = bl->edges[i].test.var;
			if (v < fn->n_vars && bl->edges[i].test.rel != LG_REL_NONE)
				c->tested[v] = true;
		}
		/* what is returned tells callers apart (summaries, lock wrappers) */
		if (bl->term == LG_TERM_RETURN && bl->ret.kind == LG_OPND_VAR &&
		    bl->ret.var < fn->n_vars)
			c->tested[bl->ret.var] = true;
	}
	for (bool grew = true; grew;) {
		grew = false;
		for (uint32_t b = 0; b < fn->n_blocks; b++)
			for (uint32_t i = 0; i < fn->blocks[b].n_ev; i++) {
				const struct lg_event *e = &fn->blocks[b].ev[i];
				if (e->kind == LG_EV_ASSIGN && e->dst < fn->n_vars &&
				    c->tested[e->dst] && e->src.kind == LG_OPND_VAR &&
				    e->src.var < fn->n_vars && !c->tested[e->src.var]) {
					c->tested[e->src.var] = true;
					grew = true;
				}
			}
	}
}

static void ctx_release(struct ctx *c)
{
	free(c->tested);
	free(c->ev_base);
	free(c->asked);
	for (uint32_t i = 0; i < c->n_xv; i++) {
		free(c->xv[i].path);
		free(c->xv[i].name);
	}
	free(c->xv);
	free(c->places);
	free(c->at);
	free(c->touched_blocks);
	free(c->lock_keys);
	free(c->held_exits);
	free(c->queue);
	free(c->seen);
	lg_arena_release(&c->arena);
}

/* What both analyses start with: the arena, the tested variables, the
 * acquisition sites. */
static void prepare(struct ctx *c, struct plan *p)
{
	lg_arena_init(&c->arena);
	const struct lg_fn *fn = c->fn;
	c->ev_base = malloc((fn->n_blocks + 1) * sizeof(*c->ev_base));
	if (c->ev_base) {
		uint32_t total = 0;
		for (uint32_t b = 0; b < fn->n_blocks; b++) {
			c->ev_base[b] = total;
			total += fn->blocks[b].n_ev;
		}
		c->asked = calloc(total ? total : 1, sizeof(*c->asked));
	}
	find_tested(c);
	if (plan_sites(c, p) < 0)
		c->oom = true;
}

/*
 * The run that acquires nothing (see lg_analyse): with two sites or more,
 * it fills c->seeds with the states reaching each site's block, and
 * *seeded says whether they can be used.  Those states live on in `keep`
 * (the run's arena) until unseed().  Returns the run's result: -1 when it
 * went over budget.
 */
static int seed_sites(struct ctx *c, const struct plan *p, struct lg_arena *keep,
		      bool *seeded)
{
	const struct lg_fn *fn = c->fn;
	struct lg_outcome none = { 0 };
	int ret = 0;

	lg_arena_init(keep);
	*seeded = false;
	if (p->n_sites < 2 || c->oom)
		return 0;
	c->is_site_blk = calloc(fn->n_blocks, sizeof(*c->is_site_blk));
	c->seeds = calloc(fn->n_blocks, sizeof(*c->seeds));
	if (!c->is_site_blk || !c->seeds)
		return 0;     /* then every site runs from the entry */
	for (size_t i = 0; i < p->n_sites; i++)
		c->is_site_blk[p->sites[i].blk] = true;
	c->track = LG_TRACK_ACQUIRE;
	c->site_blk = c->site_ev = UINT32_MAX;
	c->outcome = &none;   /* outcomes: its exits are nobody's */
	struct state *s0 = empty_state(c);
	if (s0)
		s0->fate = LG_FATE_NONE;
	c->keep_seeds = true;
	ret = run(c, s0);
	c->keep_seeds = false;
	c->outcome = NULL;
	free(none.exits);
	*seeded = ret == 0 && !c->oom;
	*keep = c->arena;
	lg_arena_init(&c->arena);
	return ret;
}

/* The end of lg_analyse() and lg_analyse_outcomes(): running out of memory
 * is an error; a budget exceeded with the user's leave is LG_OVER_BUDGET;
 * the plan and the context are released. */
static int finish(struct ctx *c, struct plan *p, int ret)
{
	if (c->oom && ret == 0)
		ret = lg_diag(c->d, LG_ERROR, NULL, 0, 0, "out of memory analysing '%s'",
			      c->fn->name);
	else if (c->over && c->budget->warn && !c->oom)
		ret = LG_OVER_BUDGET;
	free(p->sites);
	ctx_release(c);
	return ret;
}

/* The run of the site c->site_blk/site_ev from the states kept for its
 * block (none: the site is never reached). */
static int run_seeded(struct ctx *c)
{
	const struct block_states *sd = &c->seeds[c->site_blk];
	return sd->n ? run_from(c, NULL, c->site_blk, sd->v, sd->n) : 0;
}

static void unseed(struct ctx *c, struct lg_arena *keep)
{
	lg_arena_release(keep);
	free(c->is_site_blk);
	free(c->seeds);
	c->is_site_blk = NULL;
	c->seeds = NULL;
}

int lg_analyse(const struct lg_fn *fn, const struct lg_oracle *oracle,
	       const struct lg_budget *budget, struct lg_leaks *out,
	       struct lg_diags *d)
{
	static const struct lg_budget dflt = LG_BUDGET_DEFAULT;
	struct ctx c = {
		.fn = fn, .oracle = oracle, .budget = budget ? budget : &dflt,
		.mode = M_LEAKS, .out = out, .d = d, .track = LG_TRACK_ACQUIRE,
	};
	struct plan p = { NULL, 0 };
	int ret = 0;

	if (fn->n_blocks == 0 || !oracle || !oracle->lookup)
		return 0;
	prepare(&c, &p);
	/* As in ESP, each acquisition site is tracked in a run of its own:
	 * states then differ only in the fate of that site's resource, so a
	 * chain of independent acquisitions costs one linear run each
	 * instead of 2^n states.
	 *
	 * A run that acquires nothing goes first and keeps the states that
	 * reach each site's block.  Until a run reaches its site, its states
	 * are exactly those (nothing is held yet), so each site's run starts
	 * there instead of at the entry; and a state that holds nothing again
	 * (released, handed over) is dropped, since all it can still do is
	 * reach a site, where the kept states already are.  Each site then
	 * costs the code between its acquisition and its release, not the
	 * whole function: a function with n acquire/release pairs in a row
	 * costs O(n), not O(n^2). */
	struct lg_arena seed_arena;
	bool seeded = false;
	ret = seed_sites(&c, &p, &seed_arena, &seeded);
	for (size_t i = 0; i < p.n_sites && ret == 0 && !c.oom; i++) {
		c.site_blk = p.sites[i].blk;
		c.site_ev = p.sites[i].ev;
		c.site_is_lock = p.sites[i].effect->site == LG_SITE_ARG ||
				 p.sites[i].effect->site == LG_SITE_GLOBAL;
		if (seeded) {
			ret = run_seeded(&c);
		} else {
			ret = run(&c, empty_state(&c));
		}
		lg_arena_reset(&c.arena);
	}
	unseed(&c, &seed_arena);
	return finish(&c, &p, ret);
}

bool lg_returns(const struct lg_fn *fn, const struct lg_oracle *oracle)
{
	bool *seen = calloc(fn->n_blocks ? fn->n_blocks : 1, sizeof(*seen));
	uint32_t *stack = malloc((fn->n_blocks ? fn->n_blocks : 1) * sizeof(*stack));
	uint32_t sp = 0;
	bool returns = fn->n_blocks == 0;

	if (!seen || !stack) {
		free(seen);
		free(stack);
		return true;
	}
	if (fn->n_blocks) {
		stack[sp++] = 0;
		seen[0] = true;
	}
	while (sp > 0 && !returns) {
		const struct lg_block *b = &fn->blocks[stack[--sp]];
		bool stops = false;
		for (uint32_t i = 0; i < b->n_ev && !stops; i++) {
			size_t n = 0;
			bool known;
			if (b->ev[i].kind != LG_EV_CALL)
				continue;
			const struct lg_effect *eff = oracle->lookup(oracle->ctx, &b->ev[i], &n, &known);
			for (size_t k = 0; k < n; k++)
				stops |= eff[k].kind == LG_EFFECT_STOP;
		}
		if (stops)
			continue;
		if (b->term == LG_TERM_RETURN)
			returns = true;
		for (uint32_t j = 0; j < b->n_edges; j++)
			if (!seen[b->edges[j].to]) {
				seen[b->edges[j].to] = true;
				stack[sp++] = b->edges[j].to;
			}
	}
	free(seen);
	free(stack);
	return returns;
}

static struct lg_outcome *new_outcome(struct ctx *c, struct lg_outcomes *out)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		struct lg_outcome *v = realloc(out->v, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			return NULL;
		}
		out->v = v;
		out->cap = cap;
	}
	struct lg_outcome *o = &out->v[out->n++];
	memset(o, 0, sizeof(*o));
	o->var = LG_NOVAR;
	return o;
}

/* The entry state of a run that tracks what `v` holds when the function is
 * called, or the global lock `key`. */
static struct state *entry_with(struct ctx *c, lg_var_id v, const struct lg_opnd *key)
{
	struct state *s = empty_state(c);
	if (!s)
		return NULL;
	bool ptr = v != LG_NOVAR &&
		   (v >= c->fn->n_vars || c->fn->vars[v].is_pointer);
	struct obj ob = {
		.blk = UINT32_MAX, .ev = UINT32_MAX, .resource = LG_ANY_RESOURCE,
		.hmask = C_ALL, .smask = C_ALL,
		.hcond = key ? C_ALL : ptr ? (C_NEG | C_POS) : (C_ZERO | C_POS),
		.scond = C_ALL, .null_is_nothing = ptr,
		.key = key ? *key : lg_opnd_unknown(), .handle = v,
		.is_lock = key != NULL,
	};
	s->objs[0] = ob;
	s->n_obj = 1;
	if (!key) {
		s->binds[0] = (struct bind){ v, 0, C_ALL, R_HANDLE };
		s->n_bind = 1;
	}
	s->fate = LG_FATE_HELD;
	return s;
}

/*
 * The parameters (and places below them) whose fate can be anything but
 * "borrowed": those some event could release, store or hand on.  A place
 * only read, or only passed by value to calls that merely borrow it, needs
 * no run of its own: its summary is "borrowed" by construction.
 */
static void mark(struct ctx *c, bool *touched, size_t size, const struct lg_opnd *op)
{
	if (op->kind != LG_OPND_VAR && op->kind != LG_OPND_ADDR)
		return;
	lg_var_id v = op->var;
	if (v < size)
		touched[v] = true;
	/* what lies below a variable goes with it */
	for (lg_var_id w = 0; w < size; w++)
		if (var_parent(c, w) == v)
			touched[w] = true;
}

static void mark_touched(struct ctx *c, bool *touched, size_t size)
{
	const struct lg_fn *fn = c->fn;
	/* parameters passed to bodies we do not know */
	bool *given = calloc(size + 1, sizeof(*given));
	for (uint32_t b = 0; b < fn->n_blocks; b++) {
		const struct lg_block *bl = &fn->blocks[b];
		if (bl->term == LG_TERM_RETURN)
			mark(c, touched, size, &bl->ret);
		for (uint32_t i = 0; i < bl->n_ev; i++) {
			const struct lg_event *e = &bl->ev[i];
			if (e->kind == LG_EV_ESCAPE ||
			    (e->kind == LG_EV_ASSIGN && caller_visible(c, e->dst))) {
				mark(c, touched, size, &e->src);   /* stored */
				continue;
			}
			if (e->kind != LG_EV_CALL)
				continue;
			size_t n = 0;
			bool known;
			const struct lg_effect *eff =
				ask(c, b, i, e, &n, &known);
			for (uint32_t a = 0; a < e->n_args; a++) {
				const struct lg_opnd *op = &e->args[a];
				/* by address to an unknown body, or to a callback:
				 * may be kept or changed */
				if ((op->kind == LG_OPND_ADDR && !known) || !e->callee ||
				    (a == 0 && moves_its_argument(e->callee)))
					mark(c, touched, size, op);
				/* what a pointer parameter points to may be changed
				 * by a body we do not know (marked below, once) */
				if (op->kind == LG_OPND_VAR && !known && is_param(c, op->var) &&
				    op->var < size && given)
					given[op->var] = true;
			}
			for (size_t k = 0; k < n; k++) {
				if (eff[k].kind == LG_EFFECT_ACQUIRE || eff[k].arg < 0 ||
				    (uint32_t)eff[k].arg >= e->n_args)
					continue;
				const struct lg_opnd *a = &e->args[eff[k].arg];
				if (!eff[k].field) {
					mark(c, touched, size, a);
				} else {
					lg_var_id p = place_of(c, a, eff[k].field);
					if (p < size)
						touched[p] = true;
				}
			}
		}
	}
	if (given) {
		for (lg_var_id w = 0; w < size; w++) {
			lg_var_id parent = var_parent(c, w);
			if (parent < size && given[parent])
				touched[w] = true;
		}
		free(given);
	} else {
		c->oom = true;
	}
	/* a copy of a parameter that reaches one of those reaches it too:
	 * walk the copies backwards until nothing changes */
	/* (last event first: a chain of copies written in order is walked in
	 * one pass) */
	for (bool grew = true; grew;) {
		grew = false;
		for (uint32_t b = fn->n_blocks; b-- > 0;) {
			const struct lg_block *bl = &fn->blocks[b];
			for (uint32_t i = bl->n_ev; i-- > 0;) {
				const struct lg_event *e = &bl->ev[i];
				if (e->kind != LG_EV_ASSIGN || e->dst >= size || !touched[e->dst] ||
				    (e->src.kind != LG_OPND_VAR && e->src.kind != LG_OPND_ADDR) ||
				    e->src.var >= size || touched[e->src.var])
					continue;
				touched[e->src.var] = true;
				grew = true;
			}
		}
	}
}

/*
 * Which places some event, test or return names, itself or through a place
 * below it.  A place below a parameter that none of them names is only
 * reached by what happens to the parameter as a whole (handed to a body
 * whose code is unknown, its address taken), and every such place of that
 * parameter (of the same pointer-ness, which sets what a null test means)
 * fares exactly alike: one run speaks for all of them.  In SQLite this
 * takes the 34 runs of sqlite3VdbeExec's `p->...` places down to a handful.
 */
static void name_up(const struct ctx *c, bool *named, size_t size, lg_var_id v)
{
	while (v != LG_NOVAR && v < size && !named[v]) {
		named[v] = true;
		v = var_parent(c, v);
	}
}

static void name_opnd(const struct ctx *c, bool *named, size_t size,
		      const struct lg_opnd *op)
{
	if (op->kind == LG_OPND_VAR || op->kind == LG_OPND_ADDR)
		name_up(c, named, size, op->var);
}

static void mark_named(struct ctx *c, bool *named, size_t size)
{
	const struct lg_fn *fn = c->fn;
	for (uint32_t b = 0; b < fn->n_blocks; b++) {
		const struct lg_block *bl = &fn->blocks[b];
		if (bl->term == LG_TERM_RETURN)
			name_opnd(c, named, size, &bl->ret);
		for (uint32_t i = 0; i < bl->n_edges; i++)
			if (bl->edges[i].test.rel != LG_REL_NONE)
				name_up(c, named, size, bl->edges[i].test.var);
		for (uint32_t i = 0; i < bl->n_ev; i++) {
			const struct lg_event *e = &bl->ev[i];
			name_up(c, named, size, e->dst);
			name_opnd(c, named, size, &e->src);
			if (e->kind != LG_EV_CALL)
				continue;
			for (uint32_t a = 0; a < e->n_args; a++)
				name_opnd(c, named, size, &e->args[a]);
			/* a place a callee's summary names (`h_close(a)`
			 * releasing a->conn) */
			size_t n = 0;
			bool known;
			const struct lg_effect *eff =
				ask(c, b, i, e, &n, &known);
			for (size_t k = 0; k < n; k++) {
				if (!eff[k].field || eff[k].arg < 0 ||
				    (uint32_t)eff[k].arg >= e->n_args)
					continue;
				lg_var_id p = place_of(c, &e->args[eff[k].arg], eff[k].field);
				name_up(c, named, size, p);
			}
		}
	}
}

struct group {
	int param;          /* the parameter the places lie below */
	bool ptr;           /* their pointer-ness */
	size_t outcome;     /* index of the run that speaks for them */
	bool copyable;      /* that run's exits name no other place */
};

/* The run's exits name no place but the tracked one: they read the same
 * for any place of its group. */
static bool exits_stay_put(const struct lg_outcome *o)
{
	for (uint32_t i = 0; i < o->n_exits; i++)
		if (o->exits[i].fate == LG_FATE_OUT &&
		    (o->exits[i].out_arg != o->param ||
		     strcmp(o->exits[i].out_path, o->path) != 0))
			return false;
	return true;
}

/* The outcome of run `from`, for place `v` (`path`) of the same group. */
static int copy_outcome(struct ctx *c, struct lg_outcomes *out, size_t from,
			lg_var_id v, const char *path)
{
	struct lg_outcome *o = new_outcome(c, out);
	if (!o)
		return -1;
	const struct lg_outcome *src = &out->v[from];
	*o = *src;
	o->exits = malloc((src->n_exits ? src->n_exits : 1) * sizeof(*o->exits));
	if (!o->exits) {
		o->n_exits = 0;
		c->oom = true;
		return -1;
	}
	memcpy(o->exits, src->exits, src->n_exits * sizeof(*o->exits));
	o->var = v;
	snprintf(o->path, sizeof(o->path), "%s", path);
	for (uint32_t i = 0; i < o->n_exits; i++)
		if (o->exits[i].fate == LG_FATE_OUT)
			snprintf(o->exits[i].out_path, sizeof(o->exits[i].out_path),
				 "%s", path);
	return 0;
}

int lg_analyse_outcomes(const struct lg_fn *fn, const struct lg_oracle *oracle,
			const struct lg_budget *budget, const struct lg_wanted *wanted,
			struct lg_outcomes *out, struct lg_diags *d)
{
	static const struct lg_budget dflt = LG_BUDGET_DEFAULT;
	struct ctx c = {
		.fn = fn, .oracle = oracle, .budget = budget ? budget : &dflt,
		.mode = M_OUTCOMES, .d = d,
	};
	struct plan p = { NULL, 0 };
	int ret = 0;

	if (fn->n_blocks == 0 || !oracle || !oracle->lookup)
		return 0;
	prepare(&c, &p);

	/* A run that acquires nothing first, as in lg_analyse. */
	struct lg_arena seed_arena;
	bool seeded = false;
	ret = seed_sites(&c, &p, &seed_arena, &seeded);

	/* acquisition sites */
	for (size_t i = 0; i < p.n_sites && ret == 0 && !c.oom; i++) {
		struct lg_outcome *o = new_outcome(&c, out);
		if (!o)
			break;
		const struct site *st = &p.sites[i];
		o->track = LG_TRACK_ACQUIRE;
		o->blk = st->blk;
		o->ev = st->ev;
		o->effect = st->effect;
		o->callee = st->callee;
		const struct lg_event *e = &fn->blocks[st->blk].ev[st->ev];
		o->lock_arg = -1;
		if (st->effect->site == LG_SITE_ARG || st->effect->site == LG_SITE_GLOBAL) {
			bool ok;
			o->is_lock = true;
			o->lock = effect_opnd(&c, e, st->effect, &ok);
			o->releases_kind = releases_resource(&c, st->effect->resource);
			if ((o->lock.kind == LG_OPND_VAR || o->lock.kind == LG_OPND_ADDR) &&
			    param_place(&c, o->lock.var, &o->lock_arg, o->lock_path) &&
			    o->lock.kind == LG_OPND_ADDR && !o->lock_path[0])
				o->lock_arg = -1;   /* the address of a parameter copy */
		}
		c.track = LG_TRACK_ACQUIRE;
		c.site_blk = st->blk;
		c.site_ev = st->ev;
		c.outcome = o;
		/*
		 * What a caller learns from a resource the function does not
		 * lock: that it is returned, or left in a place the caller
		 * sees (OUT), both only from exits where it is still held.
		 * So, as in lg_analyse, the run starts from the kept states at
		 * the site and drops states that hold nothing.  An OUT effect's
		 * mask is then the return values of the exits that leave the
		 * resource there: a caller that sees another value was given
		 * nothing on any path, which is what the mask says.
		 */
		c.site_is_lock = o->is_lock;
		if (seeded && !o->is_lock) {
			ret = run_seeded(&c);
			lg_arena_reset(&c.arena);
			continue;
		}
		struct state *s0 = empty_state(&c);
		if (s0)
			s0->fate = LG_FATE_NONE;
		ret = run(&c, s0);
		lg_arena_reset(&c.arena);
	}
	unseed(&c, &seed_arena);

	/* parameters and the places they point to, including places that only
	 * a callee's summary names (`h_close(a)` releasing a->conn) */
	for (uint32_t b = 0; b < fn->n_blocks && !c.oom; b++)
		for (uint32_t i = 0; i < fn->blocks[b].n_ev; i++) {
			const struct lg_event *e = &fn->blocks[b].ev[i];
			size_t n = 0;
			bool known;
			if (e->kind != LG_EV_CALL)
				continue;
			const struct lg_effect *eff = ask(&c, b, i, e, &n, &known);
			for (size_t k = 0; k < n; k++) {
				const char *path = eff[k].field ? eff[k].field
						 : eff[k].site == LG_SITE_OUT_ARG ? "*" : NULL;
				if (!path || eff[k].arg < 0 || (uint32_t)eff[k].arg >= e->n_args)
					continue;
				const struct lg_opnd *a = &e->args[eff[k].arg];
				if (a->kind == LG_OPND_VAR && is_param(&c, a->var))
					place_var(&c, a->var, path);
			}
		}
	size_t n_touched = fn->n_vars + c.n_xv;
	bool *touched = calloc(n_touched + 1, sizeof(*touched));
	if (!touched)
		c.oom = true;
	else
		mark_touched(&c, touched, n_touched);
	bool *named = touched ? calloc(n_touched + 1, sizeof(*named)) : NULL;
	if (named)
		mark_named(&c, named, n_touched);
	struct group *groups = NULL;
	size_t n_groups = 0;
	for (lg_var_id v = 0; v < fn->n_vars + c.n_xv && ret == 0 && !c.oom; v++) {
		int arg;
		char path[LG_PATH_MAX];
		if (v >= n_touched || !touched[v] || !param_place(&c, v, &arg, path))
			continue;
		/* a parameter, or a place below one, that no caller can hand
		 * anything in */
		if (wanted && wanted->wants && !wanted->wants(wanted->ctx, arg, path))
			continue;
		/* a place no event names: one run speaks for its group */
		struct group *g = NULL;
		bool anon = named && !named[v] && !is_param(&c, v);
		bool ptr = v >= fn->n_vars || fn->vars[v].is_pointer;
		for (size_t i = 0; anon && i < n_groups && !g; i++)
			if (groups[i].param == arg && groups[i].ptr == ptr)
				g = &groups[i];
		if (g && g->copyable) {
			copy_outcome(&c, out, g->outcome, v, path);
			continue;
		}
		struct lg_outcome *o = new_outcome(&c, out);
		if (!o)
			break;
		o->track = LG_TRACK_PARAM;
		o->var = v;
		o->param = arg;
		memcpy(o->path, path, sizeof(path));
		c.track = LG_TRACK_PARAM;
		c.site_blk = c.site_ev = UINT32_MAX;
		c.outcome = o;
		ret = run(&c, entry_with(&c, v, NULL));
		lg_arena_reset(&c.arena);
		if (anon && !g && ret == 0 && !c.oom) {
			struct group *gv = realloc(groups, (n_groups + 1) * sizeof(*gv));
			if (!gv) {
				c.oom = true;
				break;
			}
			groups = gv;
			groups[n_groups++] = (struct group){
				arg, ptr, out->n - 1, exits_stay_put(&out->v[out->n - 1]),
			};
		}
	}
	free(groups);
	free(named);
	free(touched);

	/* global locks the function takes or gives back */
	for (size_t i = 0; i < c.n_lock_keys && ret == 0 && !c.oom; i++) {
		const struct lg_opnd *k = c.lock_keys[i];
		if (k->kind != LG_OPND_LVAL || lg_fn_key_is_local(fn, k->key))
			continue;
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= opnd_eq(c.lock_keys[j], k);
		if (dup)
			continue;
		struct lg_outcome *o = new_outcome(&c, out);
		if (!o)
			break;
		o->track = LG_TRACK_GLOBAL;
		o->key = k->key;
		c.track = LG_TRACK_GLOBAL;
		c.site_blk = c.site_ev = UINT32_MAX;
		c.outcome = o;
		ret = run(&c, entry_with(&c, LG_NOVAR, k));
		lg_arena_reset(&c.arena);
	}

	return finish(&c, &p, ret);
}

void lg_outcomes_release(struct lg_outcomes *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].exits);
	free(o->v);
	o->v = NULL;
	o->n = o->cap = 0;
}

struct lg_leak *lg_leaks_push(struct lg_leaks *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct lg_leak *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	struct lg_leak *k = &l->v[l->n++];
	memset(k, 0, sizeof(*k));
	return k;
}

int lg_leaks_push_copy(struct lg_leaks *l, const struct lg_leak *src)
{
	struct lg_leak *c = lg_leaks_push(l);
	if (!c)
		return -1;
	*c = *src;
	c->via = dup_or_null(src->via);
	c->handle = dup_or_null(src->handle);
	c->lost = dup_or_null(src->lost);
	c->path = src->n_path ? malloc(src->n_path * sizeof(int32_t)) : NULL;
	if (c->path)
		memcpy(c->path, src->path, src->n_path * sizeof(int32_t));
	else
		c->n_path = 0;
	return 0;
}

void lg_leaks_release(struct lg_leaks *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].via);
		free(l->v[i].handle);
		free(l->v[i].lost);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static const struct lg_effect *rules_lookup(const void *ctx,
					    const struct lg_event *call, size_t *n,
					    bool *known)
{
	*n = 0;
	*known = false;
	return call->callee ? lg_ruleset_lookup(ctx, call->callee, n) : NULL;
}

struct lg_oracle lg_oracle_rules(const struct lg_ruleset *rs)
{
	return (struct lg_oracle){ rules_lookup, rs };
}
