/*
 * cfg.c - building, checking and dumping the graph of cfg.h.
 *
 * Arrays grow by doubling inside the function's arena (the old copy is
 * simply abandoned: the arena frees it with everything else).  The dump is
 * the graph's stable textual form used by the lowering tests and by
 * `leakgate --dump-cfg`.
 */
#include "cfg.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Most blocks have one or two events and edges: arrays start small. */
#define GROW(fn, arr, n, cap)                                                 \
	do {                                                                  \
		if ((n) == (cap)) {                                           \
			uint32_t ncap_ = (cap) ? (cap) * 2 : 2;               \
			void *p_ = lg_arena_grow(&(fn)->arena, (arr), (n),    \
						 ncap_, sizeof(*(arr)));      \
			if (!p_)                                              \
				goto oom;                                     \
			(arr) = p_;                                           \
			(cap) = ncap_;                                        \
		}                                                             \
	} while (0)

struct lg_fn *lg_fn_new(const char *name)
{
	struct lg_fn *fn = calloc(1, sizeof(*fn));

	if (!fn)
		return NULL;
	lg_arena_init(&fn->arena);
	fn->name = lg_arena_strdup(&fn->arena, name ? name : "");
	if (!fn->name) {
		lg_fn_free(fn);
		return NULL;
	}
	return fn;
}

void lg_fn_free(struct lg_fn *fn)
{
	if (!fn)
		return;
	lg_arena_release(&fn->arena);
	free(fn->blocks);
	free(fn);
}

void lg_fn_trim(struct lg_fn *fn)
{
	if (fn->cap_blocks > fn->n_blocks && fn->n_blocks) {
		struct lg_block *v = realloc(fn->blocks, fn->n_blocks * sizeof(*v));
		if (v) {
			fn->blocks = v;
			fn->cap_blocks = fn->n_blocks;
		}
	}
	lg_arena_trim(&fn->arena);
}

const char *lg_fn_strdup(struct lg_fn *fn, const char *s)
{
	return s ? lg_arena_strdup(&fn->arena, s) : NULL;
}

uint32_t lg_fn_file(struct lg_fn *fn, const char *path)
{
	for (uint32_t i = 0; i < fn->n_files; i++)
		if (strcmp(fn->files[i], path) == 0)
			return i;
	GROW(fn, fn->files, fn->n_files, fn->cap_files);
	fn->files[fn->n_files] = lg_fn_strdup(fn, path);
	if (!fn->files[fn->n_files])
		goto oom;
	return fn->n_files++;
oom:
	return 0;
}

lg_var_id lg_fn_var(struct lg_fn *fn, const char *name, enum lg_var_kind kind)
{
	GROW(fn, fn->vars, fn->n_vars, fn->cap_vars);
	if (kind == LG_VAR_TEMP) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%%t%" PRIu32, fn->n_vars);
		fn->vars[fn->n_vars].name = lg_fn_strdup(fn, buf);
	} else {
		fn->vars[fn->n_vars].name = lg_fn_strdup(fn, name ? name : "");
	}
	fn->vars[fn->n_vars].kind = kind;
	fn->vars[fn->n_vars].parent = LG_NOVAR;
	fn->vars[fn->n_vars].path = NULL;
	fn->vars[fn->n_vars].is_pointer = 0;
	return fn->n_vars++;
oom:
	return LG_NOVAR;
}

lg_var_id lg_fn_field(struct lg_fn *fn, lg_var_id parent, const char *path)
{
	if (parent >= fn->n_vars || !path)
		return LG_NOVAR;
	for (uint32_t i = 0; i < fn->n_vars; i++)
		if (fn->vars[i].parent == parent && strcmp(fn->vars[i].path, path) == 0)
			return i;
	char *name = NULL;
	const char *pn = fn->vars[parent].name;
	int r = strcmp(path, "*") == 0 ? asprintf(&name, "*%s", pn)
				       : asprintf(&name, "%s%s", pn, path);
	if (r < 0)
		return LG_NOVAR;
	lg_var_id v = lg_fn_var(fn, name, LG_VAR_FIELD);
	free(name);
	if (v == LG_NOVAR)
		return v;
	fn->vars[v].parent = parent;
	fn->vars[v].path = lg_fn_strdup(fn, path);
	return fn->vars[v].path ? v : LG_NOVAR;
}

/* The blocks array is the one that grows large (thousands of blocks in one
 * function): it is malloc'd, so that growing it leaves no copies behind. */
uint32_t lg_fn_block(struct lg_fn *fn)
{
	if (fn->n_blocks == fn->cap_blocks) {
		uint32_t cap = fn->cap_blocks ? fn->cap_blocks * 2 : 8;
		struct lg_block *v = realloc(fn->blocks, cap * sizeof(*v));
		if (!v)
			return UINT32_MAX;
		fn->blocks = v;
		fn->cap_blocks = cap;
	}
	memset(&fn->blocks[fn->n_blocks], 0, sizeof(fn->blocks[0]));
	return fn->n_blocks++;
}

struct lg_event *lg_fn_event(struct lg_fn *fn, uint32_t block,
			     enum lg_ev_kind kind, struct lg_loc loc)
{
	if (block >= fn->n_blocks)
		return NULL;
	struct lg_block *b = &fn->blocks[block];
	GROW(fn, b->ev, b->n_ev, b->cap_ev);
	struct lg_event *e = &b->ev[b->n_ev++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->loc = loc;
	e->dst = LG_NOVAR;
	e->src = lg_opnd_unknown();
	return e;
oom:
	return NULL;
}

struct lg_event *lg_fn_call(struct lg_fn *fn, uint32_t block,
			    struct lg_loc loc, const char *callee,
			    const struct lg_opnd *args, uint32_t n_args,
			    lg_var_id ret, const char *text)
{
	struct lg_opnd *copy = NULL;

	if (n_args) {
		copy = lg_arena_alloc(&fn->arena, n_args * sizeof(*copy));
		if (!copy)
			return NULL;
		memcpy(copy, args, n_args * sizeof(*copy));
	}
	struct lg_event *e = lg_fn_event(fn, block, LG_EV_CALL, loc);
	if (!e)
		return NULL;
	e->callee = callee ? lg_fn_strdup(fn, callee) : NULL;
	e->args = copy;
	e->n_args = n_args;
	e->dst = ret;
	e->text = text ? lg_fn_strdup(fn, text) : NULL;
	return e;
}

int lg_fn_edge(struct lg_fn *fn, uint32_t from, uint32_t to,
	       struct lg_test test, int32_t step)
{
	if (from >= fn->n_blocks)
		return -1;
	struct lg_block *b = &fn->blocks[from];
	GROW(fn, b->edges, b->n_edges, b->cap_edges);
	b->edges[b->n_edges++] = (struct lg_edge){ to, test, step };
	return 0;
oom:
	return -1;
}

void lg_fn_term(struct lg_fn *fn, uint32_t block, enum lg_term_kind term,
		struct lg_loc loc)
{
	if (block >= fn->n_blocks)
		return;
	fn->blocks[block].term = term;
	fn->blocks[block].term_loc = loc;
}

int32_t lg_fn_step(struct lg_fn *fn, enum lg_pstep_kind kind,
		   struct lg_loc loc, const char *text, const char *context,
		   int is_loop)
{
	GROW(fn, fn->steps, fn->n_steps, fn->cap_steps);
	fn->steps[fn->n_steps] = (struct lg_pstep){
		kind, loc, lg_fn_strdup(fn, text), lg_fn_strdup(fn, context),
		is_loop
	};
	return (int32_t)fn->n_steps++;
oom:
	return -1;
}

struct lg_test lg_test_negate(struct lg_test t)
{
	static const enum lg_rel neg[] = {
		[LG_REL_NONE] = LG_REL_NONE,
		[LG_REL_EQ] = LG_REL_NE,
		[LG_REL_NE] = LG_REL_EQ,
		[LG_REL_LT] = LG_REL_GE,
		[LG_REL_LE] = LG_REL_GT,
		[LG_REL_GT] = LG_REL_LE,
		[LG_REL_GE] = LG_REL_LT,
		[LG_REL_MASK_ZERO] = LG_REL_MASK_NONZERO,
		[LG_REL_MASK_NONZERO] = LG_REL_MASK_ZERO,
	};
	t.rel = neg[t.rel];
	return t;
}

int lg_fn_check(const struct lg_fn *fn)
{
	if (!fn->name || fn->n_blocks == 0)
		return -1;
	for (uint32_t i = 0; i < fn->n_blocks; i++) {
		const struct lg_block *b = &fn->blocks[i];
		if (b->term == LG_TERM_NONE)
			return -1;
		if (b->term == LG_TERM_GOTO && b->n_edges != 1)
			return -1;
		for (uint32_t j = 0; j < b->n_edges; j++)
			if (b->edges[j].to >= fn->n_blocks)
				return -1;
		for (uint32_t j = 0; j < b->n_ev; j++) {
			const struct lg_event *e = &b->ev[j];
			if (e->kind != LG_EV_CALL && e->kind != LG_EV_ESCAPE &&
			    e->dst >= fn->n_vars)
				return -1;
		}
	}
	return 0;
}

/* ---- dump ---------------------------------------------------------------- */

static const char *var_name(const struct lg_fn *fn, lg_var_id v)
{
	return v < fn->n_vars ? fn->vars[v].name : "?";
}

static void dump_opnd(const struct lg_fn *fn, const struct lg_opnd *o, FILE *out)
{
	switch (o->kind) {
	case LG_OPND_UNKNOWN: fputs("?", out); break;
	case LG_OPND_VAR: fputs(var_name(fn, o->var), out); break;
	case LG_OPND_ADDR: fprintf(out, "&%s", var_name(fn, o->var)); break;
	case LG_OPND_CONST: fprintf(out, "%" PRId64, o->k); break;
	case LG_OPND_LVAL: fprintf(out, "[%s]", o->key ? o->key : ""); break;
	}
}

static const char *rel_name(enum lg_rel r)
{
	switch (r) {
	case LG_REL_NONE: return "";
	case LG_REL_EQ: return "==";
	case LG_REL_NE: return "!=";
	case LG_REL_LT: return "<";
	case LG_REL_LE: return "<=";
	case LG_REL_GT: return ">";
	case LG_REL_GE: return ">=";
	case LG_REL_MASK_ZERO: return "&==0";
	case LG_REL_MASK_NONZERO: return "&!=0";
	}
	return "?";
}

static const char *step_name(enum lg_pstep_kind k)
{
	switch (k) {
	case LG_PSTEP_TRUE: return "true";
	case LG_PSTEP_FALSE: return "false";
	case LG_PSTEP_CASE: return "case";
	case LG_PSTEP_GOTO: return "goto";
	case LG_PSTEP_BREAK: return "break";
	case LG_PSTEP_CONTINUE: return "continue";
	}
	return "?";
}

void lg_fn_dump(const struct lg_fn *fn, FILE *out)
{
	uint32_t *order = calloc(fn->n_blocks ? fn->n_blocks : 1, sizeof(*order));
	uint32_t *num = malloc((fn->n_blocks ? fn->n_blocks : 1) * sizeof(*num));
	uint32_t n = 0;

	if (!order || !num) {
		free(order);
		free(num);
		return;
	}
	for (uint32_t i = 0; i < fn->n_blocks; i++)
		num[i] = UINT32_MAX;
	/* Breadth-first from the entry, edges in order: a stable numbering. */
	if (fn->n_blocks) {
		order[n++] = 0;
		num[0] = 0;
	}
	for (uint32_t q = 0; q < n; q++) {
		const struct lg_block *b = &fn->blocks[order[q]];
		for (uint32_t j = 0; j < b->n_edges; j++) {
			uint32_t t = b->edges[j].to;
			if (t < fn->n_blocks && num[t] == UINT32_MAX) {
				num[t] = n;
				order[n++] = t;
			}
		}
	}

	fprintf(out, "function %s\n", fn->name);
	for (uint32_t v = 0; v < fn->n_vars; v++) {
		static const char *const kinds[] = { "param", "local", "temp", "field" };
		fprintf(out, "  var %s %s\n", kinds[fn->vars[v].kind],
			fn->vars[v].name);
	}
	for (uint32_t q = 0; q < n; q++) {
		const struct lg_block *b = &fn->blocks[order[q]];
		fprintf(out, "  B%" PRIu32 ":\n", q);
		for (uint32_t j = 0; j < b->n_ev; j++) {
			const struct lg_event *e = &b->ev[j];
			fprintf(out, "    %" PRIu32 ": ", e->loc.line);
			switch (e->kind) {
			case LG_EV_CALL:
				if (e->dst != LG_NOVAR)
					fprintf(out, "%s = ", var_name(fn, e->dst));
				fprintf(out, "call %s(", e->callee ? e->callee : "*");
				for (uint32_t a = 0; a < e->n_args; a++) {
					if (a)
						fputs(", ", out);
					dump_opnd(fn, &e->args[a], out);
				}
				fputs(")\n", out);
				break;
			case LG_EV_ASSIGN:
				fprintf(out, "%s = ", var_name(fn, e->dst));
				dump_opnd(fn, &e->src, out);
				fputc('\n', out);
				break;
			case LG_EV_ESCAPE:
				fputs("escape ", out);
				dump_opnd(fn, &e->src, out);
				fputc('\n', out);
				break;
			case LG_EV_KILL:
				fprintf(out, "kill %s\n", var_name(fn, e->dst));
				break;
			}
		}
		switch (b->term) {
		case LG_TERM_NONE:
			fputs("    (unterminated)\n", out);
			break;
		case LG_TERM_RETURN:
			fprintf(out, "    %" PRIu32 ": return ", b->term_loc.line);
			dump_opnd(fn, &b->ret, out);
			fputs(b->implicit_return ? " (end of function)\n" : "\n", out);
			break;
		case LG_TERM_STOP:
			fprintf(out, "    %" PRIu32 ": stop\n", b->term_loc.line);
			break;
		case LG_TERM_GOTO:
		case LG_TERM_BRANCH:
			for (uint32_t j = 0; j < b->n_edges; j++) {
				const struct lg_edge *ed = &b->edges[j];
				fprintf(out, "    -> B%" PRIu32, num[ed->to]);
				if (ed->test.rel != LG_REL_NONE)
					fprintf(out, " if %s %s %" PRId64,
						var_name(fn, ed->test.var),
						rel_name(ed->test.rel), ed->test.k);
				if (ed->step >= 0 && (uint32_t)ed->step < fn->n_steps) {
					const struct lg_pstep *s = &fn->steps[ed->step];
					fprintf(out, " [%s%s", s->is_loop ? "loop " : "",
						step_name(s->kind));
					if (s->text)
						fprintf(out, " %s", s->text);
					if (s->context)
						fprintf(out, " in %s", s->context);
					fputc(']', out);
				}
				fputc('\n', out);
			}
			break;
		}
	}
	free(order);
	free(num);
}

bool lg_fn_key_is_local(const struct lg_fn *fn, const char *key)
{
	if (!key)
		return false;
	while (*key == '&' || *key == '*' || *key == '(')
		key++;
	size_t len = 0;
	while ((key[len] >= 'a' && key[len] <= 'z') || (key[len] >= 'A' && key[len] <= 'Z') ||
	       (key[len] >= '0' && key[len] <= '9') || key[len] == '_')
		len++;
	if (len == 0)
		return false;
	for (lg_var_id v = 0; v < fn->n_vars; v++) {
		const struct lg_var *x = &fn->vars[v];
		if ((x->kind == LG_VAR_LOCAL || x->kind == LG_VAR_TEMP) && x->name &&
		    strncmp(x->name, key, len) == 0 && x->name[len] == '\0')
			return true;
	}
	return false;
}
