/*
 * frontend.c - parse with libclang, lower each function body to an lg_fn.
 *
 * Two halves.  The first drives libclang: builds the argument list, parses
 * (again, without them, when the driver rejects flags it does not know),
 * turns the compiler's errors into diagnostics, and visits the functions
 * defined in the main file.  The second lowers one function: statements
 * become blocks and edges, expressions stay local and become events in
 * evaluation order.  Above each lowering function is the shape it builds.
 *
 * State of one lowering lives in `struct lower`; libclang cursors never leave
 * this file.  Code written by macros is located at the expansion site.
 * Not lowered on purpose: the inside of sizeof/alignof (not evaluated), asm
 * statements (no effect on resources), and types.
 */
#include "frontend.h"
#include "compdb.h"
#include "flags.h"
#include "readfile.h"

#include <clang-c/Index.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NOBLOCK UINT32_MAX

struct noreturn_slot {
	char *name;               /* NULL: empty */
	bool noreturn;
	char *usr;                /* its id (a name is one function in a
				     translation unit); NULL if none */
};

struct lg_frontend {
	CXIndex index;
	CXTranslationUnit tu;     /* during lg_frontend_run */
	char **dropped;           /* flags the driver rejected, remembered */
	size_t n_dropped, cap_dropped;
	struct noreturn_slot *nr; /* per translation unit: callee -> noreturn */
	size_t nr_cap, nr_used;
	char **fn_names, **fn_usrs; /* per translation unit, built on first
				       need: the functions declared at the top */
	size_t n_fn_names;
	bool fn_names_built;
	char *root;               /* the project root (lg_project_root) */
	struct line_index **lines; /* per translation unit: where the lines
				      of each file positions were asked in
				      start (each allocated alone: lowering
				      keeps pointers to them) */
	size_t n_lines;
};

/* Where each line of a file libclang read starts, to turn a position's
 * offset into its line and column (libclang's own conversion costs most of
 * what finding a position costs).  Lines end as the compiler ends them
 * (lg_line_starts); the column is the byte's offset from its line's start,
 * plus one, as the compiler counts it. */
struct line_index {
	CXFile file;
	size_t *starts;           /* lg_line_starts */
	size_t n;
	size_t last;              /* the line found last: positions come in
				     order, mostly */
};

/* ---- a few libclang conveniences ------------------------------------------ */

struct kids {
	CXCursor v[8];
	CXCursor *p;            /* v, or heap memory when more than 8 */
	unsigned n, cap;
};

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent,
				       CXClientData data)
{
	(void)parent;
	struct kids *k = data;
	if (k->n == k->cap) {
		unsigned cap = k->cap * 2;
		CXCursor *p = malloc(cap * sizeof(*p));
		if (!p)
			return CXChildVisit_Break;
		memcpy(p, k->p, k->n * sizeof(*p));
		if (k->p != k->v)
			free(k->p);
		k->p = p;
		k->cap = cap;
	}
	k->p[k->n++] = c;
	return CXChildVisit_Continue;
}

static void kids_of(CXCursor c, struct kids *k)
{
	k->p = k->v;
	k->n = 0;
	k->cap = 8;
	clang_visitChildren(c, collect, k);
}

static void kids_free(struct kids *k)
{
	if (k->p != k->v)
		free(k->p);
}

static bool is_expr(CXCursor c)
{
	return clang_isExpression(clang_getCursorKind(c));
}

/* libclang shows an implicit conversion as an unexposed expression around
 * its operand, and also va_arg(ap, T), whose value is the next argument,
 * not `ap`.  A conversion spans exactly its operand's text; va_arg spans
 * more.  (The cheap test first: a conversion is located where its operand
 * is.) */
static bool is_conversion(CXCursor c, CXCursor operand)
{
	if (clang_equalLocations(clang_getCursorLocation(c),
				 clang_getCursorLocation(operand)))
		return true;
	return clang_equalRanges(clang_getCursorExtent(c),
				 clang_getCursorExtent(operand));
}

static bool is_wrapper(enum CXCursorKind k)
{
	return k == CXCursor_ParenExpr || k == CXCursor_UnexposedExpr ||
	       k == CXCursor_CStyleCastExpr;
}

static CXCursor strip_uncached(CXCursor c)
{
	for (;;) {
		enum CXCursorKind k = clang_getCursorKind(c);
		if (!is_wrapper(k))
			return c;
		struct kids ks;
		kids_of(c, &ks);
		CXCursor last = clang_getNullCursor();
		unsigned n_expr = 0;
		for (unsigned i = 0; i < ks.n; i++)
			if (is_expr(ks.p[i])) {
				last = ks.p[i];
				n_expr++;
			}
		kids_free(&ks);
		if (n_expr != 1 ||
		    (k == CXCursor_UnexposedExpr && !is_conversion(c, last)))
			return c;
		c = last;
	}
}

static char *cx_string(CXString s)
{
	const char *p = clang_getCString(s);
	char *r = strdup(p ? p : "");
	clang_disposeString(s);
	return r;
}

/* ---- the lowering state -------------------------------------------------- */

struct var_slot {
	CXCursor decl;
	lg_var_id id;
	bool used;
};

struct label {
	char *name;
	uint32_t block;
};

struct target {
	uint32_t brk, cont;         /* NOBLOCK when not applicable */
	uint32_t brk_depth, cont_depth; /* scope depth to unwind to */
	bool is_switch;
};

struct file_slot {
	CXFile file;
	uint32_t idx;
	const char *buf;
	size_t len;
	struct line_index *lines; /* NULL: ask libclang */
};

struct lower {
	struct lg_fn *fn;
	struct lg_frontend *fe;
	CXTranslationUnit tu;
	uint32_t cur;               /* block being filled; NOBLOCK: unreachable */

	struct var_slot *vars;      /* hash of declarations to variables */
	size_t vars_cap, vars_used;

	lg_var_id *scope;           /* variables declared, innermost last */
	uint32_t n_scope, cap_scope;
	char **cleanup;             /* parallel to scope: the function named by
				       __attribute__((cleanup(f))), or NULL */
	uint32_t cap_cleanup;

	struct label *labels;
	uint32_t n_labels, cap_labels;

	struct target *targets;
	uint32_t n_targets, cap_targets;

	lg_var_id *temps;           /* temporaries of the current statement */
	uint32_t n_temps, cap_temps;

	struct file_slot files[8];  /* recently seen files */
	uint32_t n_files;

	/* switch being lowered */
	uint32_t sw_block;
	lg_var_id sw_var;
	const char *sw_text;
	bool sw_default;

	CXCursor body;              /* the function's body */
	struct lg_loc cond_loc;     /* the condition being lowered, for the
				       notes of the whole construct's branch */
	bool direct;                /* the statement being lowered sits
				       directly in a { } block */
	unsigned depth;             /* statements and expressions being
				       lowered, one inside the other */
	bool too_deep;              /* past MAX_DEPTH: the function is not
				       analysed */
	bool oom;
	struct strip_memo {         /* strip()'s recent answers: an operand
				       is looked at by several steps, and each
				       look costs a libclang traversal */
		CXCursor from, to;
	} stripped[64];
	struct extent_memo {        /* extent()'s: a construct's position
				       and its text are asked one after the
				       other */
		CXCursor of;
		CXSourceRange r;
	} extents[16];
};

/* How deep statements and expressions may nest inside each other.  Each
 * level takes a few stack frames here and in libclang; past this the
 * function is reported as not analysed rather than risking the stack.
 * (A left-deep chain `a + b + c + ...`, which macros write, is walked with
 * a loop and does not count.) */
#define MAX_DEPTH 10000

/* Parentheses, implicit conversions and casts do not change which value
 * an expression denotes. */
static CXCursor strip(struct lower *L, CXCursor c)
{
	if (!is_wrapper(clang_getCursorKind(c)))
		return c;
	struct strip_memo *m = &L->stripped[clang_hashCursor(c) % 64];
	if (clang_equalCursors(m->from, c))   /* (a zeroed entry is no cursor) */
		return m->to;
	m->from = c;
	m->to = strip_uncached(c);
	return m->to;
}

/* clang_getCursorExtent, remembered for the last few cursors. */
static CXSourceRange extent(struct lower *L, CXCursor c)
{
	struct extent_memo *m = &L->extents[clang_hashCursor(c) % 16];
	if (!clang_equalCursors(m->of, c)) {   /* (a zeroed entry is no cursor) */
		m->of = c;
		m->r = clang_getCursorExtent(c);
	}
	return m->r;
}

#define PUSH(L, arr, n, cap, val)                                            \
	do {                                                                 \
		if ((n) == (cap)) {                                          \
			uint32_t nc_ = (cap) ? (cap) * 2 : 16;               \
			void *p_ = realloc((arr), nc_ * sizeof(*(arr)));     \
			if (!p_) {                                           \
				(L)->oom = true;                             \
				break;                                       \
			}                                                    \
			(arr) = p_;                                          \
			(cap) = nc_;                                         \
		}                                                            \
		(arr)[(n)++] = (val);                                        \
	} while (0)

static struct line_index *line_index(struct lg_frontend *fe, CXFile f,
				     const char *buf, size_t len);

static struct file_slot *file_slot(struct lower *L, CXFile f)
{
	for (uint32_t i = 0; i < L->n_files; i++)
		if (L->files[i].file == f)
			return &L->files[i];
	struct file_slot s = { .file = f };
	char *name = cx_string(clang_getFileName(f));
	if (!name) {
		L->oom = true;
		name = NULL;
	}
	s.idx = lg_fn_file(L->fn, name ? name : "");
	free(name);
	s.buf = clang_getFileContents(L->tu, f, &s.len);
	s.lines = line_index(L->fe, f, s.buf, s.len);
	uint32_t at = L->n_files < 8 ? L->n_files++ : 7;
	L->files[at] = s;
	return &L->files[at];
}

static struct line_index *line_index(struct lg_frontend *fe, CXFile f,
				     const char *buf, size_t len)
{
	for (size_t i = 0; i < fe->n_lines; i++)
		if (fe->lines[i]->file == f)
			return fe->lines[i]->starts ? fe->lines[i] : NULL;
	if (!buf)
		return NULL;
	struct line_index **v = realloc(fe->lines, (fe->n_lines + 1) * sizeof(*v));
	if (!v)
		return NULL;
	fe->lines = v;
	struct line_index *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	v[fe->n_lines++] = x;
	x->file = f;
	/* NULL when memory ran out, remembered as such: libclang answers */
	x->starts = lg_line_starts(buf, len, &x->n);
	return x->starts ? x : NULL;
}

static void line_index_free(struct lg_frontend *fe)
{
	for (size_t i = 0; i < fe->n_lines; i++) {
		free(fe->lines[i]->starts);
		free(fe->lines[i]);
	}
	free(fe->lines);
	fe->lines = NULL;
	fe->n_lines = 0;
}

static struct lg_loc loc_at(struct lower *L, CXSourceLocation sl)
{
	CXFile f;
	unsigned line, col, off;
	clang_getExpansionLocation(sl, &f, NULL, NULL, &off);
	struct file_slot *fs = f ? file_slot(L, f) : NULL;
	if (fs && fs->lines && off <= fs->len) {
		struct line_index *x = fs->lines;
		size_t k = lg_line_at(x->starts, x->n, off, &x->last);
		return (struct lg_loc){ fs->idx, (uint32_t)k + 1,
					(uint32_t)(off - x->starts[k] + 1) };
	}
	clang_getExpansionLocation(sl, NULL, &line, &col, NULL);
	return (struct lg_loc){ fs ? fs->idx : 0, line, col };
}

static struct lg_loc loc_of(struct lower *L, CXCursor c)
{
	return loc_at(L, clang_getRangeStart(extent(L, c)));
}

/* The position of a compound statement's closing brace. */
static struct lg_loc loc_end(struct lower *L, CXCursor c)
{
	struct lg_loc l = loc_at(L, clang_getRangeEnd(extent(L, c)));
	if (l.col > 1)
		l.col--;
	return l;
}

/* The source text of `c`, whitespace folded, at most 72 characters.  For code
 * written by a macro, the text of the macro's invocation.  The result is
 * copied into the function's arena. */
static const char *text_in(struct lower *L, CXSourceRange r)
{
	CXFile f1, f2;
	unsigned o1, o2;
	clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, &o1);
	clang_getExpansionLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &o2);
	if (!f1)
		return "";
	struct file_slot *fs = file_slot(L, f1);
	if (!fs->buf || o1 >= fs->len)
		return "";
	size_t end;
	if (f2 == f1 && o2 > o1 && o2 <= fs->len) {
		end = o2;
	} else {
		/* A macro invocation: its name and balanced parentheses. */
		size_t i = o1;
		int depth = 0;
		while (i < fs->len && (isalnum((unsigned char)fs->buf[i]) ||
				       fs->buf[i] == '_'))
			i++;
		while (i < fs->len && fs->buf[i] == ' ')
			i++;
		if (i < fs->len && fs->buf[i] == '(') {
			for (; i < fs->len && fs->buf[i] != '\n'; i++) {
				if (fs->buf[i] == '(')
					depth++;
				else if (fs->buf[i] == ')' && --depth == 0) {
					i++;
					break;
				}
			}
		}
		end = i;
	}
	char buf[80];
	size_t n = 0;
	bool space = false;
	for (size_t i = o1; i < end && n < 72; i++) {
		char ch = fs->buf[i];
		if (ch == '\\' && i + 1 < end && fs->buf[i + 1] == '\n')
			continue;
		if (isspace((unsigned char)ch)) {
			space = n > 0;
			continue;
		}
		if (space)
			buf[n++] = ' ';
		space = false;
		if (n < 72)
			buf[n++] = ch;
	}
	if (n >= 72 && end - o1 > 72) {
		n = 69;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	const char *s = lg_fn_strdup(L->fn, buf);
	return s ? s : "";
}

static const char *text_of(struct lower *L, CXCursor c)
{
	return text_in(L, extent(L, c));
}

/* The text of `c` without any spaces: the key that matches a lock with its
 * unlock when the lock lives outside the function's variables. */
static const char *key_of(struct lower *L, CXCursor c)
{
	const char *t = text_of(L, c);
	char buf[80];
	size_t n = 0;
	for (; *t && n < sizeof(buf) - 1; t++)
		if (!isspace((unsigned char)*t))
			buf[n++] = *t;
	buf[n] = '\0';
	const char *s = lg_fn_strdup(L->fn, buf);
	return s ? s : "";
}

/* ---- variables, scopes, blocks -------------------------------------------- */

static lg_var_id var_find(struct lower *L, CXCursor decl)
{
	if (!L->vars_cap)
		return LG_NOVAR;
	size_t mask = L->vars_cap - 1;
	for (size_t i = clang_hashCursor(decl) & mask;; i = (i + 1) & mask) {
		if (!L->vars[i].used)
			return LG_NOVAR;
		if (clang_equalCursors(L->vars[i].decl, decl))
			return L->vars[i].id;
	}
}

static void var_insert(struct lower *L, CXCursor decl, lg_var_id id)
{
	if ((L->vars_used + 1) * 2 > L->vars_cap) {
		size_t cap = L->vars_cap ? L->vars_cap * 2 : 32;
		struct var_slot *nv = calloc(cap, sizeof(*nv));
		if (!nv) {
			L->oom = true;
			return;
		}
		for (size_t i = 0; i < L->vars_cap; i++) {
			if (!L->vars[i].used)
				continue;
			size_t j = clang_hashCursor(L->vars[i].decl) & (cap - 1);
			while (nv[j].used)
				j = (j + 1) & (cap - 1);
			nv[j] = L->vars[i];
		}
		free(L->vars);
		L->vars = nv;
		L->vars_cap = cap;
	}
	size_t mask = L->vars_cap - 1;
	size_t i = clang_hashCursor(decl) & mask;
	while (L->vars[i].used)
		i = (i + 1) & mask;
	L->vars[i] = (struct var_slot){ decl, id, true };
	L->vars_used++;
}

static lg_var_id declare(struct lower *L, CXCursor decl, enum lg_var_kind kind)
{
	char *name = cx_string(clang_getCursorSpelling(decl));
	lg_var_id v = lg_fn_var(L->fn, name, kind);
	free(name);
	if (v == LG_NOVAR) {
		L->oom = true;
		return v;
	}
	var_insert(L, decl, v);
	L->fn->vars[v].is_pointer = clang_getCursorType(decl).kind == CXType_Pointer;
	if (kind != LG_VAR_PARAM)
		PUSH(L, L->scope, L->n_scope, L->cap_scope, v);
	return v;
}

/* The variable a reference names, when it is one of the function's own
 * (parameters and non-static locals). */
static lg_var_id plain_local(struct lower *L, CXCursor ref)
{
	ref = strip(L, ref);
	if (clang_getCursorKind(ref) != CXCursor_DeclRefExpr)
		return LG_NOVAR;
	return var_find(L, clang_getCursorReferenced(ref));
}

/*
 * The variable an lvalue names: one of the function's own (parameters and
 * non-static locals), or one level below one of them:
 *   s.f  (s a local or parameter struct)  -> field ".f" of s
 *   p->f (p a parameter pointer)          -> field "->f" of p
 *   *p   (p a parameter pointer)          -> field "*" of p
 * What a local pointer points to may be shared with anything: not followed.
 */
static lg_var_id local_of(struct lower *L, CXCursor ref)
{
	ref = strip(L, ref);
	enum CXCursorKind k = clang_getCursorKind(ref);
	if (k == CXCursor_DeclRefExpr)
		return plain_local(L, ref);
	if (k != CXCursor_MemberRefExpr &&
	    !(k == CXCursor_UnaryOperator &&
	      clang_getCursorUnaryOperatorKind(ref) == CXUnaryOperator_Deref))
		return LG_NOVAR;
	struct kids ks;
	kids_of(ref, &ks);
	CXCursor base = ks.n >= 1 ? strip(L, ks.p[0]) : clang_getNullCursor();
	kids_free(&ks);
	if (clang_Cursor_isNull(base))
		return LG_NOVAR;
	lg_var_id b = plain_local(L, base);
	if (b == LG_NOVAR)
		return LG_NOVAR;
	bool is_pointer = clang_getCursorType(base).kind == CXType_Pointer;
	bool is_param = L->fn->vars[b].kind == LG_VAR_PARAM;
	char path[160];
	if (k == CXCursor_UnaryOperator) {
		if (!is_param)
			return LG_NOVAR;
		snprintf(path, sizeof(path), "*");
	} else {
		char *field = cx_string(clang_getCursorSpelling(ref));
		if (!field)
			return LG_NOVAR;
		if (is_pointer && !is_param) {
			free(field);
			return LG_NOVAR;
		}
		snprintf(path, sizeof(path), "%s%s", is_pointer ? "->" : ".", field);
		free(field);
	}
	lg_var_id v = lg_fn_field(L->fn, b, path);
	if (v == LG_NOVAR)
		L->oom = true;
	else
		L->fn->vars[v].is_pointer = clang_getCursorType(ref).kind == CXType_Pointer;
	return v;
}

static uint32_t new_block(struct lower *L)
{
	uint32_t b = lg_fn_block(L->fn);
	if (b == UINT32_MAX) {
		L->oom = true;
		return 0;
	}
	return b;
}

/* The block to append to; code after a return or goto gets a fresh block
 * that nothing reaches (labels may still jump into what follows). */
static uint32_t here(struct lower *L)
{
	if (L->cur == NOBLOCK)
		L->cur = new_block(L);
	return L->cur;
}

static void jump(struct lower *L, uint32_t to, int32_t step)
{
	if (L->cur == NOBLOCK)
		return;
	lg_fn_edge(L->fn, L->cur, to, lg_test_none(), step);
	lg_fn_term(L->fn, L->cur, LG_TERM_GOTO, (struct lg_loc){ 0, 0, 0 });
	L->cur = NOBLOCK;
}

/* Continues in `b`, falling into it from the current block. */
static void enter(struct lower *L, uint32_t b)
{
	jump(L, b, -1);
	L->cur = b;
}

static const char *usr_of_function(struct lower *L, const char *name);

/* The call __attribute__((cleanup(f))) makes when `v` goes out of scope:
 *   call f(&v) */
static void emit_cleanup(struct lower *L, uint32_t i, struct lg_loc loc)
{
	if (i >= L->cap_cleanup || !L->cleanup[i] || L->cur == NOBLOCK)
		return;
	struct lg_opnd arg = lg_opnd_addr(L->scope[i]);
	char text[160];
	snprintf(text, sizeof(text), "%s(&%s)", L->cleanup[i],
		 L->fn->vars[L->scope[i]].name);
	struct lg_event *e = lg_fn_call(L->fn, L->cur, loc, L->cleanup[i], &arg, 1,
					LG_NOVAR, text);
	if (!e) {
		L->oom = true;
		return;
	}
	const char *usr = usr_of_function(L, L->cleanup[i]);
	if (usr)
		e->callee_id = lg_fn_strdup(L->fn, usr);
}

/* Leaving the scopes deeper than `depth`: each variable's cleanup, then
 * its end, innermost first. */
static void kill_to_depth(struct lower *L, uint32_t depth, struct lg_loc loc)
{
	if (L->cur == NOBLOCK)
		return;
	for (uint32_t i = L->n_scope; i-- > depth;) {
		emit_cleanup(L, i, loc);
		struct lg_event *e = lg_fn_event(L->fn, L->cur, LG_EV_KILL, loc);
		if (!e) {
			L->oom = true;
			return;
		}
		e->dst = L->scope[i];
	}
}

/* Closes the scopes deeper than `depth` (after their kills). */
static void pop_scope(struct lower *L, uint32_t depth)
{
	for (uint32_t i = depth; i < L->n_scope && i < L->cap_cleanup; i++) {
		free(L->cleanup[i]);
		L->cleanup[i] = NULL;
	}
	L->n_scope = depth;
}

/* A return runs the cleanups of every enclosing scope. */
static void cleanups_to_depth(struct lower *L, uint32_t depth, struct lg_loc loc)
{
	for (uint32_t i = L->n_scope; i-- > depth;)
		emit_cleanup(L, i, loc);
}

static void kill_temps(struct lower *L, struct lg_loc loc)
{
	if (L->cur != NOBLOCK) {
		for (uint32_t i = 0; i < L->n_temps; i++) {
			struct lg_event *e = lg_fn_event(L->fn, L->cur, LG_EV_KILL, loc);
			if (e)
				e->dst = L->temps[i];
		}
	}
	L->n_temps = 0;
}

/* The same at the start of `c`, whose position is looked up only when
 * there is a temporary to end (a libclang extent is not cheap). */
static void kill_temps_at(struct lower *L, CXCursor c)
{
	if (L->cur != NOBLOCK && L->n_temps)
		kill_temps(L, loc_of(L, c));
	L->n_temps = 0;
}

static uint32_t label_block(struct lower *L, CXCursor label_or_ref)
{
	char *name = cx_string(clang_getCursorSpelling(label_or_ref));
	for (uint32_t i = 0; i < L->n_labels; i++)
		if (strcmp(L->labels[i].name, name) == 0) {
			free(name);
			return L->labels[i].block;
		}
	struct label lb = { name, new_block(L) };
	PUSH(L, L->labels, L->n_labels, L->cap_labels, lb);
	return lb.block;
}

struct fn_names_ctx {
	struct lg_frontend *fe;
};

static enum CXChildVisitResult collect_fn_name(CXCursor c, CXCursor parent,
					       CXClientData data)
{
	(void)parent;
	struct lg_frontend *fe = data;
	if (clang_getCursorKind(c) != CXCursor_FunctionDecl)
		return CXChildVisit_Continue;
	char **n = realloc(fe->fn_names, (fe->n_fn_names + 1) * sizeof(*n));
	if (!n)
		return CXChildVisit_Break;
	fe->fn_names = n;
	char **u = realloc(fe->fn_usrs, (fe->n_fn_names + 1) * sizeof(*u));
	if (!u)
		return CXChildVisit_Break;
	fe->fn_usrs = u;
	fe->fn_names[fe->n_fn_names] = cx_string(clang_getCursorSpelling(c));
	fe->fn_usrs[fe->n_fn_names] = cx_string(clang_getCursorUSR(c));
	fe->n_fn_names++;
	return CXChildVisit_Continue;
}

/* The id of the function named `name` in this translation unit (for a
 * call the source only names, as a cleanup attribute does). */
static const char *usr_of_function(struct lower *L, const char *name)
{
	struct lg_frontend *fe = L->fe;
	if (!fe->fn_names_built) {
		fe->fn_names_built = true;
		clang_visitChildren(clang_getTranslationUnitCursor(L->tu),
				    collect_fn_name, fe);
	}
	for (size_t i = 0; i < fe->n_fn_names; i++)
		if (fe->fn_names[i] && strcmp(fe->fn_names[i], name) == 0)
			return fe->fn_usrs[i];
	return NULL;
}

/* `__attribute__((cleanup(f)))` (or __cleanup__) on a declaration: f. */
static char *cleanup_of(struct lower *L, CXCursor decl)
{
	struct kids k;
	char *found = NULL;
	kids_of(decl, &k);
	for (unsigned i = 0; i < k.n && !found; i++) {
		if (!clang_isAttribute(clang_getCursorKind(k.p[i])))
			continue;
		CXSourceLocation at = clang_getRangeStart(clang_getCursorExtent(k.p[i]));
		for (int pass = 0; pass < 2 && !found; pass++) {
			CXFile f;
			unsigned off;
			if (pass == 0)
				clang_getSpellingLocation(at, &f, NULL, NULL, &off);
			else
				clang_getExpansionLocation(at, &f, NULL, NULL, &off);
			size_t len = 0;
			const char *buf = f ? clang_getFileContents(L->tu, f, &len) : NULL;
			if (!buf || off >= len)
				continue;
			const char *p = buf + off, *end = buf + len;
			if ((size_t)(end - p) > 160)
				end = p + 160;
			if (end - p > 11 && strncmp(p, "__cleanup__", 11) == 0)
				p += 11;
			else if (end - p > 7 && strncmp(p, "cleanup", 7) == 0)
				p += 7;
			else
				continue;
			while (p < end && isspace((unsigned char)*p))
				p++;
			if (p >= end || *p != '(')
				continue;
			p++;
			while (p < end && isspace((unsigned char)*p))
				p++;
			const char *q = p;
			while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
				q++;
			if (q > p)
				found = strndup(p, (size_t)(q - p));
		}
	}
	kids_free(&k);
	return found;
}

/* ---- constants ------------------------------------------------------------ */

/* Constants deeper than this are not folded: real constant expressions
 * are shallow, and a bound keeps a 65,536-term sum written by a macro from
 * being walked again at each of its levels (quadratic). */
#define CONST_DEPTH 32

static bool const_value_at(struct lower *L, CXCursor c, int64_t *out, int depth);

static bool const_value(struct lower *L, CXCursor c, int64_t *out)
{
	return const_value_at(L, c, out, 0);
}

static bool const_value_at(struct lower *L, CXCursor c, int64_t *out, int depth)
{
	if (depth > CONST_DEPTH)
		return false;
	c = strip(L, c);
	switch (clang_getCursorKind(c)) {
	case CXCursor_IntegerLiteral:
	case CXCursor_CharacterLiteral: {
		CXEvalResult r = clang_Cursor_Evaluate(c);
		if (!r)
			return false;
		bool ok = clang_EvalResult_getKind(r) == CXEval_Int;
		if (ok)
			*out = clang_EvalResult_isUnsignedInt(r)
				       ? (int64_t)clang_EvalResult_getAsUnsigned(r)
				       : clang_EvalResult_getAsLongLong(r);
		clang_EvalResult_dispose(r);
		return ok;
	}
	case CXCursor_DeclRefExpr: {
		CXCursor d = clang_getCursorReferenced(c);
		if (clang_getCursorKind(d) != CXCursor_EnumConstantDecl)
			return false;
		*out = clang_getEnumConstantDeclValue(d);
		return true;
	}
	case CXCursor_UnaryOperator: {
		struct kids k;
		kids_of(c, &k);
		int64_t v;
		bool ok = k.n == 1 && const_value_at(L, k.p[0], &v, depth + 1);
		kids_free(&k);
		if (!ok)
			return false;
		switch (clang_getCursorUnaryOperatorKind(c)) {
		case CXUnaryOperator_Minus: *out = (int64_t)(0 - (uint64_t)v); return true;
		case CXUnaryOperator_Plus: *out = v; return true;
		case CXUnaryOperator_Not: *out = ~v; return true;
		case CXUnaryOperator_LNot: *out = !v; return true;
		default: return false;
		}
	}
	case CXCursor_BinaryOperator: {
		struct kids k;
		kids_of(c, &k);
		int64_t a, b;
		bool ok = k.n == 2 && const_value_at(L, k.p[0], &a, depth + 1) &&
			  const_value_at(L, k.p[1], &b, depth + 1);
		kids_free(&k);
		if (!ok)
			return false;
		uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
		switch (clang_getCursorBinaryOperatorKind(c)) {
		case CXBinaryOperator_Add: *out = (int64_t)(ua + ub); return true;
		case CXBinaryOperator_Sub: *out = (int64_t)(ua - ub); return true;
		case CXBinaryOperator_Mul: *out = (int64_t)(ua * ub); return true;
		case CXBinaryOperator_And: *out = a & b; return true;
		case CXBinaryOperator_Or: *out = a | b; return true;
		case CXBinaryOperator_Xor: *out = a ^ b; return true;
		case CXBinaryOperator_Shl:
			if (b < 0 || b > 62)
				return false;
			*out = (int64_t)(ua << b);
			return true;
		case CXBinaryOperator_Shr:
			if (b < 0 || b > 63)
				return false;
			*out = a >> b;
			return true;
		default:
			return false;
		}
	}
	default:
		return false;
	}
}

/* ---- expressions ------------------------------------------------------------ */

static struct lg_opnd lower_expr(struct lower *L, CXCursor e);
static struct lg_opnd lower_call(struct lower *L, CXCursor call, lg_var_id ret);
static void lower_cond(struct lower *L, CXCursor e, uint32_t t, uint32_t f,
		       uint32_t T, uint32_t F, const char *ctx, int is_loop);
static void lower_stmt(struct lower *L, CXCursor s);
static struct lg_opnd lower_compound(struct lower *L, CXCursor s, bool value);

static lg_var_id new_temp(struct lower *L)
{
	lg_var_id t = lg_fn_var(L->fn, NULL, LG_VAR_TEMP);
	if (t == LG_NOVAR)
		L->oom = true;
	else
		PUSH(L, L->temps, L->n_temps, L->cap_temps, t);
	return t;
}

static void emit_assign(struct lower *L, lg_var_id dst, struct lg_opnd src,
			struct lg_loc loc)
{
	struct lg_event *e = lg_fn_event(L->fn, here(L), LG_EV_ASSIGN, loc);
	if (!e) {
		L->oom = true;
		return;
	}
	e->dst = dst;
	e->src = src;
}

static void emit_escape(struct lower *L, struct lg_opnd op, struct lg_loc loc)
{
	if (op.kind != LG_OPND_VAR && op.kind != LG_OPND_ADDR)
		return;
	struct lg_event *e = lg_fn_event(L->fn, here(L), LG_EV_ESCAPE, loc);
	if (!e) {
		L->oom = true;
		return;
	}
	e->src = op;
}

/* Every child expression, for its side effects; the value is unknown. */
static struct lg_opnd lower_children(struct lower *L, CXCursor e)
{
	struct kids k;
	kids_of(e, &k);
	for (unsigned i = 0; i < k.n; i++)
		if (is_expr(k.p[i]) ||
		    clang_getCursorKind(k.p[i]) == CXCursor_CompoundStmt)
			lower_expr(L, k.p[i]);
	kids_free(&k);
	return lg_opnd_unknown();
}

/* An lvalue that is not one of the function's variables: its parts are
 * evaluated, and it is named by its text. */
static struct lg_opnd lower_lval(struct lower *L, CXCursor e, CXCursor whole)
{
	if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
		lower_children(L, e);
	struct lg_opnd op = { .kind = LG_OPND_LVAL, .var = LG_NOVAR };
	op.key = key_of(L, whole);
	return op;
}

static bool is_lvalue_kind(enum CXCursorKind k)
{
	return k == CXCursor_DeclRefExpr || k == CXCursor_MemberRefExpr ||
	       k == CXCursor_ArraySubscriptExpr;
}

/* Does the function declared by `decl` never return?  By its type
 * (__attribute__((noreturn)) is part of it), by a _Noreturn or [[noreturn]]
 * attribute of the declaration, or by name for the C library's.  Cached per
 * translation unit by name. */
static bool decl_noreturn(struct lower *L, CXCursor decl, const char *name)
{
	static const char *const known[] = {
		"exit", "_exit", "_Exit", "abort", "quick_exit", "longjmp",
		"siglongjmp", "_longjmp", "pthread_exit", "__assert_fail",
		"__assert_perror_fail", "err", "errx", "verr", "verrx",
		"__builtin_unreachable", "__builtin_trap",
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i]) == 0)
			return true;
	CXString ts = clang_getTypeSpelling(clang_getCursorType(decl));
	bool nr = strstr(clang_getCString(ts), "noreturn") != NULL;
	clang_disposeString(ts);
	if (nr)
		return true;
	struct kids k;
	kids_of(decl, &k);
	for (unsigned i = 0; i < k.n && !nr; i++) {
		if (!clang_isAttribute(clang_getCursorKind(k.p[i])))
			continue;
		/* Read the few bytes where the attribute is written, at its
		 * expansion and at its spelling (a macro such as NORETURN). */
		CXSourceLocation at = clang_getRangeStart(clang_getCursorExtent(k.p[i]));
		for (int pass = 0; pass < 2 && !nr; pass++) {
			CXFile f;
			unsigned off;
			if (pass == 0)
				clang_getExpansionLocation(at, &f, NULL, NULL, &off);
			else
				clang_getSpellingLocation(at, &f, NULL, NULL, &off);
			size_t len = 0;
			const char *buf = f ? clang_getFileContents(L->tu, f, &len) : NULL;
			if (!buf || off >= len)
				continue;
			size_t n = len - off < 24 ? len - off : 24;
			nr = memmem(buf + off, n, "noreturn", 8) != NULL ||
			     memmem(buf + off, n, "Noreturn", 8) != NULL;
		}
	}
	kids_free(&k);
	return nr;
}

static size_t hash_name(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* Whether the function `decl` named `name` never returns, and its id in
 * *usr (owned by the cache; NULL when there is none): asked once per
 * callee and translation unit, not at each call. */
static bool callee_info(struct lower *L, CXCursor decl, const char *name,
			const char **usr)
{
	struct lg_frontend *fe = L->fe;
	*usr = NULL;
	if ((fe->nr_used + 1) * 2 > fe->nr_cap) {
		size_t cap = fe->nr_cap ? fe->nr_cap * 2 : 256;
		struct noreturn_slot *nv = calloc(cap, sizeof(*nv));
		if (!nv) {
			L->oom = true;
			return false;
		}
		for (size_t i = 0; i < fe->nr_cap; i++) {
			if (!fe->nr[i].name)
				continue;
			size_t j = hash_name(fe->nr[i].name) & (cap - 1);
			while (nv[j].name)
				j = (j + 1) & (cap - 1);
			nv[j] = fe->nr[i];
		}
		free(fe->nr);
		fe->nr = nv;
		fe->nr_cap = cap;
	}
	size_t mask = fe->nr_cap - 1, i = hash_name(name) & mask;
	for (; fe->nr[i].name; i = (i + 1) & mask)
		if (strcmp(fe->nr[i].name, name) == 0) {
			*usr = fe->nr[i].usr;
			return fe->nr[i].noreturn;
		}
	struct noreturn_slot slot = { strdup(name), decl_noreturn(L, decl, name),
				      cx_string(clang_getCursorUSR(decl)) };
	if (!slot.name) {
		free(slot.usr);
		L->oom = true;
		return slot.noreturn;
	}
	fe->nr[i] = slot;
	fe->nr_used++;
	*usr = slot.usr;
	return slot.noreturn;
}

/*
 * A call:   [args in order] ; ret = call callee(args) ; [stop]
 * Arguments that are a variable, its address, or another object's lvalue are
 * kept as such so that rules can act on them.
 */
static struct lg_opnd lower_call(struct lower *L, CXCursor call, lg_var_id ret)
{
	CXCursor callee = clang_getCursorReferenced(call);
	char *name = NULL;
	bool noreturn = false;

	const char *callee_id = NULL;
	if (clang_getCursorKind(callee) == CXCursor_FunctionDecl) {
		name = cx_string(clang_getCursorSpelling(callee));
		if (name)
			noreturn = callee_info(L, callee, name, &callee_id);
	}

	/* __builtin_expect(x, v) is x (likely()/unlikely()). */
	int n = clang_Cursor_getNumArguments(call);
	if (name && n >= 1 && (strcmp(name, "__builtin_expect") == 0 ||
			       strcmp(name, "__builtin_expect_with_probability") == 0)) {
		free(name);
		struct lg_opnd v = lower_expr(L, clang_Cursor_getArgument(call, 0));
		for (int i = 1; i < n; i++)
			lower_expr(L, clang_Cursor_getArgument(call, (unsigned)i));
		if (ret != LG_NOVAR) {
			emit_assign(L, ret, v, loc_of(L, call));
			return lg_opnd_var(ret);
		}
		return v;
	}

	/* Calls through a pointer evaluate the callee expression too. */
	if (!name) {
		struct kids k;
		kids_of(call, &k);
		if (k.n > 0)
			lower_expr(L, k.p[0]);
		kids_free(&k);
	}

	struct lg_opnd stack_args[8];
	struct lg_opnd *args = stack_args;
	if (n > 8) {
		args = malloc((size_t)n * sizeof(*args));
		if (!args) {
			L->oom = true;
			free(name);
			return lg_opnd_unknown();
		}
	}
	for (int i = 0; i < n; i++) {
		CXCursor a = clang_Cursor_getArgument(call, (unsigned)i);
		CXCursor s = strip(L, a);
		enum CXCursorKind k = clang_getCursorKind(s);
		if (k == CXCursor_UnaryOperator &&
		    clang_getCursorUnaryOperatorKind(s) == CXUnaryOperator_AddrOf) {
			struct kids ks;
			kids_of(s, &ks);
			CXCursor inner = ks.n == 1 ? strip(L, ks.p[0]) : s;
			kids_free(&ks);
			lg_var_id v = local_of(L, inner);
			if (v != LG_NOVAR)
				args[i] = lg_opnd_addr(v);
			else if (is_lvalue_kind(clang_getCursorKind(inner)))
				args[i] = lower_lval(L, inner, a);
			else
				args[i] = lower_expr(L, a);
		} else if (k == CXCursor_DeclRefExpr && local_of(L, s) == LG_NOVAR &&
			   clang_getCursorKind(clang_getCursorReferenced(s)) == CXCursor_VarDecl) {
			args[i] = lower_lval(L, s, a);
		} else if (k == CXCursor_MemberRefExpr || k == CXCursor_ArraySubscriptExpr ||
			   (k == CXCursor_UnaryOperator &&
			    clang_getCursorUnaryOperatorKind(s) == CXUnaryOperator_Deref)) {
			lg_var_id v = local_of(L, s);
			args[i] = v != LG_NOVAR ? lg_opnd_var(v) : lower_lval(L, s, a);
		} else {
			args[i] = lower_expr(L, a);
		}
	}

	CXType rt = clang_getCursorType(call);
	if (ret == LG_NOVAR && rt.kind != CXType_Void)
		ret = new_temp(L);
	CXSourceRange range = extent(L, call);
	struct lg_loc loc = loc_at(L, clang_getRangeStart(range));
	struct lg_event *ev = lg_fn_call(L->fn, here(L), loc, name,
					 args, (uint32_t)(n > 0 ? n : 0), ret,
					 text_in(L, range));
	if (!ev)
		L->oom = true;
	else if (callee_id && *callee_id)
		ev->callee_id = lg_fn_strdup(L->fn, callee_id);
	if (args != stack_args)
		free(args);
	free(name);
	if (noreturn) {
		lg_fn_term(L->fn, here(L), LG_TERM_STOP, loc);
		L->cur = NOBLOCK;
	}
	return ret == LG_NOVAR ? lg_opnd_unknown() : lg_opnd_var(ret);
}

/*
 * lhs = rhs, where lhs is one of the function's variables v:
 *     [rhs] ; v = value(rhs)       or, for a call:  v = call f(...)
 * lhs anywhere else:
 *     [lhs parts] ; [rhs] ; escape value(rhs)
 */
static struct lg_opnd lower_assign(struct lower *L, CXCursor e, CXCursor lhs,
				   CXCursor rhs)
{
	lg_var_id v = local_of(L, lhs);
	struct lg_loc loc = loc_of(L, e);

	if (v != LG_NOVAR) {
		CXCursor r = strip(L, rhs);
		if (clang_getCursorKind(r) == CXCursor_CallExpr)
			return lower_call(L, r, v);
		struct lg_opnd op = lower_expr(L, rhs);
		emit_assign(L, v, op, loc);
		return lg_opnd_var(v);
	}
	CXCursor l = strip(L, lhs);
	if (clang_getCursorKind(l) != CXCursor_DeclRefExpr)
		lower_children(L, l);
	struct lg_opnd op = lower_expr(L, rhs);
	emit_escape(L, op, loc);
	return op;
}

/* A value that is stored into an aggregate escapes. */
static struct lg_opnd lower_init_list(struct lower *L, CXCursor e)
{
	struct kids k;
	kids_of(e, &k);
	for (unsigned i = 0; i < k.n; i++) {
		if (!is_expr(k.p[i]))
			continue;
		struct lg_opnd op = lower_expr(L, k.p[i]);
		emit_escape(L, op, loc_of(L, k.p[i]));
	}
	kids_free(&k);
	return lg_opnd_unknown();
}

/*
 * a ? b : c in a value context:
 *     [a] -> T: t = value(b) -> J
 *         -> F: t = value(c) -> J
 */
static struct lg_opnd lower_ternary(struct lower *L, CXCursor e)
{
	struct kids k;
	kids_of(e, &k);
	if (k.n != 3) {
		kids_free(&k);
		return lower_children(L, e);
	}
	lg_var_id t = new_temp(L);
	uint32_t T = new_block(L), F = new_block(L), J = new_block(L);
	const char *ctx = text_of(L, e);
	struct lg_loc saved = L->cond_loc;
	L->cond_loc = loc_of(L, k.p[0]);
	lower_cond(L, k.p[0], T, F, T, F, ctx, 0);
	L->cond_loc = saved;
	struct lg_loc loc = loc_of(L, e);
	L->cur = T;
	CXCursor b = strip(L, k.p[1]);
	if (clang_getCursorKind(b) == CXCursor_CallExpr)
		lower_call(L, b, t);
	else
		emit_assign(L, t, lower_expr(L, k.p[1]), loc);
	jump(L, J, -1);
	L->cur = F;
	CXCursor c = strip(L, k.p[2]);
	if (clang_getCursorKind(c) == CXCursor_CallExpr)
		lower_call(L, c, t);
	else
		emit_assign(L, t, lower_expr(L, k.p[2]), loc);
	jump(L, J, -1);
	L->cur = J;
	kids_free(&k);
	return lg_opnd_var(t);
}

/* a && b, a || b in a value context: t = 1 on one side, 0 on the other. */
static struct lg_opnd lower_logical_value(struct lower *L, CXCursor e)
{
	lg_var_id t = new_temp(L);
	uint32_t T = new_block(L), F = new_block(L), J = new_block(L);
	struct lg_loc loc = loc_of(L, e);
	struct lg_loc saved = L->cond_loc;
	L->cond_loc = loc;
	lower_cond(L, e, T, F, T, F, text_of(L, e), 0);
	L->cond_loc = saved;
	L->cur = T;
	emit_assign(L, t, lg_opnd_const(1), loc);
	jump(L, J, -1);
	L->cur = F;
	emit_assign(L, t, lg_opnd_const(0), loc);
	jump(L, J, -1);
	L->cur = J;
	return lg_opnd_var(t);
}

/* Operators whose operands are both evaluated and whose value leakgate
 * does not follow. */
static bool arithmetic(enum CXBinaryOperatorKind op)
{
	switch (op) {
	case CXBinaryOperator_Assign:
	case CXBinaryOperator_LAnd:
	case CXBinaryOperator_LOr:
	case CXBinaryOperator_Comma:
		return false;
	default:
		return op >= CXBinaryOperator_PtrMemD && op <= CXBinaryOperator_Or;
	}
}

static struct lg_opnd lower_binary(struct lower *L, CXCursor e)
{
	struct kids k;
	kids_of(e, &k);
	if (k.n != 2) {
		kids_free(&k);
		return lower_children(L, e);
	}
	CXCursor lhs = k.p[0], rhs = k.p[1];
	kids_free(&k);
	enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(e);
	switch (op) {
	case CXBinaryOperator_Assign:
		return lower_assign(L, e, lhs, rhs);
	case CXBinaryOperator_LAnd:
	case CXBinaryOperator_LOr:
		return lower_logical_value(L, e);
	case CXBinaryOperator_Comma:
		lower_expr(L, lhs);
		return lower_expr(L, rhs);
	default:
		break;
	}
	int64_t kv;
	if (const_value(L, e, &kv))
		return lg_opnd_const(kv);
	/* Down the left spine with a loop: the right operands, innermost
	 * last, then the leftmost operand, then the right ones in the order
	 * they are evaluated. */
	CXCursor *right = NULL;
	size_t n = 0, cap = 0;
	right = malloc(8 * sizeof(*right));
	cap = 8;
	if (!right) {
		L->oom = true;
		return lg_opnd_unknown();
	}
	right[n++] = rhs;
	for (lhs = strip(L, lhs);
	     clang_getCursorKind(lhs) == CXCursor_BinaryOperator &&
	     arithmetic(clang_getCursorBinaryOperatorKind(lhs));) {
		kids_of(lhs, &k);
		if (k.n != 2) {
			kids_free(&k);
			break;
		}
		if (n == cap) {
			CXCursor *v = realloc(right, cap * 2 * sizeof(*v));
			if (!v) {
				kids_free(&k);
				L->oom = true;
				break;
			}
			right = v;
			cap *= 2;
		}
		right[n++] = k.p[1];
		lhs = strip(L, k.p[0]);
		kids_free(&k);
	}
	lower_expr(L, lhs);
	while (n > 0 && !L->oom)
		lower_expr(L, right[--n]);
	free(right);
	return lg_opnd_unknown();
}

/* x += ..., x++: x's value is no longer known. */
static struct lg_opnd lower_update(struct lower *L, CXCursor e, CXCursor target)
{
	lower_children(L, e);
	lg_var_id v = local_of(L, target);
	if (v != LG_NOVAR)
		emit_assign(L, v, lg_opnd_unknown(), loc_of(L, e));
	return lg_opnd_unknown();
}

static struct lg_opnd lower_unary(struct lower *L, CXCursor e)
{
	struct kids k;
	kids_of(e, &k);
	CXCursor sub = k.n == 1 ? k.p[0] : clang_getNullCursor();
	kids_free(&k);
	if (clang_Cursor_isNull(sub))
		return lower_children(L, e);
	int64_t kv;
	switch (clang_getCursorUnaryOperatorKind(e)) {
	case CXUnaryOperator_AddrOf: {
		lg_var_id v = local_of(L, sub);
		if (v != LG_NOVAR)
			return lg_opnd_addr(v);
		lower_children(L, e);
		return lg_opnd_unknown();
	}
	case CXUnaryOperator_PostInc:
	case CXUnaryOperator_PostDec:
	case CXUnaryOperator_PreInc:
	case CXUnaryOperator_PreDec:
		return lower_update(L, e, sub);
	case CXUnaryOperator_Extension:
		return lower_expr(L, sub);
	case CXUnaryOperator_Deref: {
		lg_var_id v = local_of(L, e);
		if (v != LG_NOVAR)
			return lg_opnd_var(v);
		lower_expr(L, sub);
		return lg_opnd_unknown();
	}
	default:
		if (const_value(L, e, &kv))
			return lg_opnd_const(kv);
		lower_expr(L, sub);
		return lg_opnd_unknown();
	}
}

static struct lg_opnd lower_expr_here(struct lower *L, CXCursor e);

static struct lg_opnd lower_expr(struct lower *L, CXCursor e)
{
	if (L->depth >= MAX_DEPTH) {
		L->too_deep = true;
		return lg_opnd_unknown();
	}
	L->depth++;
	struct lg_opnd v = lower_expr_here(L, e);
	L->depth--;
	return v;
}

static struct lg_opnd lower_expr_here(struct lower *L, CXCursor e)
{
	int64_t kv;

	if (L->oom || L->too_deep)
		return lg_opnd_unknown();
	e = strip(L, e);
	switch (clang_getCursorKind(e)) {
	case CXCursor_IntegerLiteral:
	case CXCursor_CharacterLiteral:
		return const_value(L, e, &kv) ? lg_opnd_const(kv) : lg_opnd_unknown();
	case CXCursor_DeclRefExpr: {
		lg_var_id v = local_of(L, e);
		if (v != LG_NOVAR)
			return lg_opnd_var(v);
		return const_value(L, e, &kv) ? lg_opnd_const(kv) : lg_opnd_unknown();
	}
	case CXCursor_MemberRefExpr: {
		lg_var_id v = local_of(L, e);
		if (v != LG_NOVAR)
			return lg_opnd_var(v);
		return lower_children(L, e);
	}
	case CXCursor_CallExpr:
		return lower_call(L, e, LG_NOVAR);
	case CXCursor_BinaryOperator:
		return lower_binary(L, e);
	case CXCursor_CompoundAssignOperator: {
		struct kids k;
		kids_of(e, &k);
		CXCursor target = k.n ? k.p[0] : e;
		kids_free(&k);
		return lower_update(L, e, target);
	}
	case CXCursor_UnaryOperator:
		return lower_unary(L, e);
	case CXCursor_ConditionalOperator:
		return lower_ternary(L, e);
	case CXCursor_InitListExpr:
		return lower_init_list(L, e);
	case CXCursor_StmtExpr: {
		struct kids k;
		kids_of(e, &k);
		struct lg_opnd v = lg_opnd_unknown();
		if (k.n == 1 && clang_getCursorKind(k.p[0]) == CXCursor_CompoundStmt)
			v = lower_compound(L, k.p[0], true);
		kids_free(&k);
		return v;
	}
	case CXCursor_UnaryExpr:      /* sizeof, alignof: not evaluated */
	case CXCursor_StringLiteral:
	case CXCursor_FloatingLiteral:
		return lg_opnd_unknown();
	case CXCursor_CompoundStmt:
		lower_compound(L, e, false);
		return lg_opnd_unknown();
	default:
		return lower_children(L, e);
	}
}

/* ---- conditions ----------------------------------------------------------- */

static enum lg_rel rel_of(enum CXBinaryOperatorKind op, bool mirrored)
{
	switch (op) {
	case CXBinaryOperator_EQ: return LG_REL_EQ;
	case CXBinaryOperator_NE: return LG_REL_NE;
	case CXBinaryOperator_LT: return mirrored ? LG_REL_GT : LG_REL_LT;
	case CXBinaryOperator_GT: return mirrored ? LG_REL_LT : LG_REL_GT;
	case CXBinaryOperator_LE: return mirrored ? LG_REL_GE : LG_REL_LE;
	case CXBinaryOperator_GE: return mirrored ? LG_REL_LE : LG_REL_GE;
	default: return LG_REL_NONE;
	}
}

/* (x & k) compared with 0. */
static bool mask_test(struct lower *L, CXCursor side, struct lg_test *t)
{
	side = strip(L, side);
	if (clang_getCursorKind(side) != CXCursor_BinaryOperator ||
	    clang_getCursorBinaryOperatorKind(side) != CXBinaryOperator_And)
		return false;
	struct kids k;
	kids_of(side, &k);
	bool ok = false;
	if (k.n == 2) {
		int64_t m;
		for (int i = 0; i < 2 && !ok; i++) {
			if (!const_value(L, k.p[1 - i], &m))
				continue;
			struct lg_opnd v = lower_expr(L, k.p[i]);
			if (v.kind == LG_OPND_VAR) {
				*t = lg_test_make(v.var, LG_REL_MASK_NONZERO, m);
				ok = true;
			}
			break;
		}
		if (!ok) {
			kids_free(&k);
			lower_expr(L, side);
			return false;
		}
	}
	kids_free(&k);
	return ok;
}

/* Lowers an atomic condition's value and returns the test for "true". */
static struct lg_test atom_test(struct lower *L, CXCursor e, int *constant)
{
	*constant = -1;
	if (clang_getCursorKind(e) == CXCursor_BinaryOperator) {
		enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(e);
		if (rel_of(op, false) != LG_REL_NONE) {
			struct kids k;
			kids_of(e, &k);
			if (k.n == 2) {
				CXCursor a = k.p[0], b = k.p[1];
				kids_free(&k);
				int64_t ka, kb;
				bool ca = const_value(L, a, &ka), cb = const_value(L, b, &kb);
				struct lg_test t;
				/* (x & m) == 0, (x & m) != 0 */
				if (cb && kb == 0 &&
				    (op == CXBinaryOperator_EQ || op == CXBinaryOperator_NE) &&
				    mask_test(L, a, &t))
					return op == CXBinaryOperator_NE ? t : lg_test_negate(t);
				struct lg_opnd va = ca ? lg_opnd_const(ka) : lower_expr(L, a);
				struct lg_opnd vb = cb ? lg_opnd_const(kb) : lower_expr(L, b);
				if (va.kind == LG_OPND_VAR && vb.kind == LG_OPND_CONST)
					return lg_test_make(va.var, rel_of(op, false), vb.k);
				if (vb.kind == LG_OPND_VAR && va.kind == LG_OPND_CONST)
					return lg_test_make(vb.var, rel_of(op, true), va.k);
				return lg_test_none();
			}
			kids_free(&k);
		}
	}
	struct lg_opnd v = lower_expr(L, e);
	if (v.kind == LG_OPND_CONST) {
		*constant = v.k != 0;
		return lg_test_none();
	}
	if (v.kind == LG_OPND_VAR)
		return lg_test_make(v.var, LG_REL_NE, 0);
	if (v.kind == LG_OPND_ADDR) {
		*constant = 1;
		return lg_test_none();
	}
	return lg_test_none();
}

/* The step that taking an edge from an atomic condition to `to` records:
 * the construct's own branch when `to` is where the whole condition leads,
 * otherwise the atomic condition's value. */
static int32_t cond_step(struct lower *L, CXCursor atom, bool value,
			 uint32_t to, uint32_t T, uint32_t F, const char *ctx,
			 int is_loop)
{
	if (to == T || to == F)
		return lg_fn_step(L->fn, to == T ? LG_PSTEP_TRUE : LG_PSTEP_FALSE,
				  L->cond_loc, NULL, ctx, is_loop);
	CXSourceRange r = extent(L, atom);
	struct lg_loc loc = loc_at(L, clang_getRangeStart(r));
	return lg_fn_step(L->fn, value ? LG_PSTEP_TRUE : LG_PSTEP_FALSE, loc,
			  text_in(L, r), ctx, 0);
}

/*
 * cond(e, t, f): evaluates e and goes to t when it is true, f when false.
 *   !a      -> cond(a, f, t)
 *   a && b  -> cond(a, B, f)  B: cond(b, t, f)
 *   a || b  -> cond(a, t, B)  B: cond(b, t, f)
 *   a ? b : c -> cond(a, B, C)  B: cond(b, t, f)  C: cond(c, t, f)
 *   a, b    -> [a] cond(b, t, f)
 *   atom    -> [atom] branch: test -> t, negated test -> f
 * T and F are the whole construct's targets (for the path's wording).
 */
static void lower_cond_here(struct lower *L, CXCursor e, uint32_t t, uint32_t f,
			    uint32_t T, uint32_t F, const char *ctx, int is_loop);

static void lower_cond(struct lower *L, CXCursor e, uint32_t t, uint32_t f,
		       uint32_t T, uint32_t F, const char *ctx, int is_loop)
{
	if (L->depth >= MAX_DEPTH) {
		L->too_deep = true;
		return;
	}
	L->depth++;
	lower_cond_here(L, e, t, f, T, F, ctx, is_loop);
	L->depth--;
}

static void lower_cond_here(struct lower *L, CXCursor e, uint32_t t, uint32_t f,
			    uint32_t T, uint32_t F, const char *ctx, int is_loop)
{
	if (L->too_deep)
		return;
	e = strip(L, e);
	enum CXCursorKind kind = clang_getCursorKind(e);

	if (kind == CXCursor_UnaryOperator &&
	    clang_getCursorUnaryOperatorKind(e) == CXUnaryOperator_LNot) {
		struct kids k;
		kids_of(e, &k);
		if (k.n == 1) {
			CXCursor sub = k.p[0];
			kids_free(&k);
			lower_cond(L, sub, f, t, T, F, ctx, is_loop);
			return;
		}
		kids_free(&k);
	}
	if (kind == CXCursor_BinaryOperator) {
		enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(e);
		if (op == CXBinaryOperator_LAnd || op == CXBinaryOperator_LOr ||
		    op == CXBinaryOperator_Comma) {
			struct kids k;
			kids_of(e, &k);
			if (k.n == 2) {
				CXCursor a = k.p[0], b = k.p[1];
				kids_free(&k);
				if (op == CXBinaryOperator_Comma) {
					lower_expr(L, a);
					lower_cond(L, b, t, f, T, F, ctx, is_loop);
					return;
				}
				uint32_t B = new_block(L);
				if (op == CXBinaryOperator_LAnd)
					lower_cond(L, a, B, f, T, F, ctx, is_loop);
				else
					lower_cond(L, a, t, B, T, F, ctx, is_loop);
				L->cur = B;
				lower_cond(L, b, t, f, T, F, ctx, is_loop);
				return;
			}
			kids_free(&k);
		}
	}
	if (kind == CXCursor_ConditionalOperator) {
		struct kids k;
		kids_of(e, &k);
		if (k.n == 3) {
			CXCursor a = k.p[0], b = k.p[1], c = k.p[2];
			kids_free(&k);
			uint32_t B = new_block(L), C = new_block(L);
			struct lg_loc saved = L->cond_loc;
			L->cond_loc = loc_of(L, a);
			lower_cond(L, a, B, C, B, C, text_of(L, e), 0);
			L->cond_loc = saved;
			L->cur = B;
			lower_cond(L, b, t, f, T, F, ctx, is_loop);
			L->cur = C;
			lower_cond(L, c, t, f, T, F, ctx, is_loop);
			return;
		}
		kids_free(&k);
	}

	int constant;
	here(L);
	struct lg_test test = atom_test(L, e, &constant);
	if (L->cur == NOBLOCK)  /* the condition called a noreturn function */
		return;
	uint32_t from = L->cur;
	if (constant >= 0) {
		jump(L, constant ? t : f, -1);
		return;
	}
	lg_fn_edge(L->fn, from, t, test,
		   cond_step(L, e, true, t, T, F, ctx, is_loop));
	lg_fn_edge(L->fn, from, f, lg_test_negate(test),
		   cond_step(L, e, false, f, T, F, ctx, is_loop));
	lg_fn_term(L->fn, from, LG_TERM_BRANCH, loc_of(L, e));
	L->cur = NOBLOCK;
}

/* ---- statements ----------------------------------------------------------- */

/*
 * A statement's condition:  cond(c, T', F')  T': kill temps -> T  F': kill
 * temps -> F.  What a call in the condition returned is gone once the
 * branch is taken (`if (status(PQexec(...)))` loses the result there).
 */
static void lower_stmt_cond(struct lower *L, CXCursor cond, uint32_t T,
			    uint32_t F, const char *ctx, int is_loop)
{
	uint32_t start = here(L);
	uint32_t t = new_block(L), f = new_block(L);
	struct lg_loc loc = loc_of(L, cond);
	L->n_temps = 0;
	L->cond_loc = loc;
	lower_cond(L, cond, t, f, t, f, ctx, is_loop);
	if (L->n_temps == 0) {
		/* Nothing to kill: the edges go straight to T and F, and t and
		 * f stay unreachable. */
		for (uint32_t b = t - 1; b < L->fn->n_blocks; b++) {
			/* the start block, then every block the condition made */
			struct lg_block *bl = &L->fn->blocks[b == t - 1 ? start : b];
			for (uint32_t i = 0; i < bl->n_edges; i++) {
				if (bl->edges[i].to == t)
					bl->edges[i].to = T;
				else if (bl->edges[i].to == f)
					bl->edges[i].to = F;
			}
		}
		L->cur = NOBLOCK;
		return;
	}
	uint32_t n = L->n_temps;
	L->cur = t;
	kill_temps(L, loc);
	L->n_temps = n;
	jump(L, T, -1);
	L->cur = f;
	kill_temps(L, loc);
	jump(L, F, -1);
	L->cur = NOBLOCK;
}

/* The construct's text for path notes: "if (!ok)", "while (n > 0)". */
static bool range_from_macro(CXSourceRange r)
{
	unsigned o1, o2;
	CXFile f1, f2;
	clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, &o1);
	clang_getSpellingLocation(clang_getRangeStart(r), &f2, NULL, NULL, &o2);
	return f1 != f2 || o1 != o2;
}

static bool from_macro(struct lower *L, CXCursor c)
{
	return range_from_macro(extent(L, c));
}

static const char *construct_text(struct lower *L, const char *kw, CXCursor cond)
{
	char buf[96];
	CXSourceRange r = extent(L, cond);
	if (range_from_macro(r))
		return text_in(L, r);   /* the macro's invocation */
	snprintf(buf, sizeof(buf), "%s (%s)", kw, text_in(L, r));
	const char *s = lg_fn_strdup(L->fn, buf);
	return s ? s : kw;
}

static void push_target(struct lower *L, uint32_t brk, uint32_t cont,
			bool is_switch)
{
	struct target t = { brk, cont, L->n_scope, L->n_scope, is_switch };
	if (cont == NOBLOCK && L->n_targets > 0) {
		t.cont = L->targets[L->n_targets - 1].cont;
		t.cont_depth = L->targets[L->n_targets - 1].cont_depth;
	}
	PUSH(L, L->targets, L->n_targets, L->cap_targets, t);
}

/* A local variable's declaration:  v = value(init)  or  v = call f(...) */
static void lower_var_decl(struct lower *L, CXCursor d)
{
	struct kids k;
	kids_of(d, &k);
	CXCursor init = clang_getNullCursor();
	for (unsigned i = 0; i < k.n; i++)
		if (is_expr(k.p[i]))
			init = k.p[i];
	kids_free(&k);

	enum CX_StorageClass sc = clang_Cursor_getStorageClass(d);
	if (sc == CX_SC_Static || sc == CX_SC_Extern) {
		/* Lives beyond the call: what it is given escapes. */
		if (!clang_Cursor_isNull(init))
			emit_escape(L, lower_expr(L, init), loc_of(L, d));
		return;
	}
	lg_var_id v = declare(L, d, LG_VAR_LOCAL);
	if (v != LG_NOVAR) {
		char *cl = cleanup_of(L, d);
		if (cl) {
			uint32_t at = L->n_scope - 1;
			if (at >= L->cap_cleanup) {
				uint32_t cap = L->cap_scope > at + 1 ? L->cap_scope : at + 16;
				char **v2 = realloc(L->cleanup, cap * sizeof(*v2));
				if (!v2) {
					free(cl);
					L->oom = true;
					return;
				}
				memset(v2 + L->cap_cleanup, 0, (cap - L->cap_cleanup) * sizeof(*v2));
				L->cleanup = v2;
				L->cap_cleanup = cap;
			}
			free(L->cleanup[at]);
			L->cleanup[at] = cl;
		}
	}
	if (clang_Cursor_isNull(init) || v == LG_NOVAR)
		return;
	CXCursor s = strip(L, init);
	if (clang_getCursorKind(s) == CXCursor_CallExpr) {
		lower_call(L, s, v);
		return;
	}
	struct lg_opnd op = lower_expr(L, init);
	emit_assign(L, v, op, loc_of(L, d));
}

static void lower_decl_stmt(struct lower *L, CXCursor s)
{
	struct kids k;
	kids_of(s, &k);
	for (unsigned i = 0; i < k.n; i++)
		if (clang_getCursorKind(k.p[i]) == CXCursor_VarDecl)
			lower_var_decl(L, k.p[i]);
	kids_free(&k);
}

/*
 * { s1; s2; ... }   each in turn, then  kill (variables declared here)
 * A GNU statement expression's value is that of its last statement.
 */
static struct lg_opnd lower_compound(struct lower *L, CXCursor s, bool value)
{
	struct kids k;
	uint32_t depth = L->n_scope;
	struct lg_opnd v = lg_opnd_unknown();

	kids_of(s, &k);
	for (unsigned i = 0; i < k.n && !L->oom; i++) {
		if (value && i + 1 == k.n && is_expr(k.p[i])) {
			CXCursor e = strip(L, k.p[i]);
			if (clang_getCursorKind(e) == CXCursor_CallExpr) {
				lg_var_id t = new_temp(L);
				v = lower_call(L, e, t);
			} else {
				v = lower_expr(L, k.p[i]);
			}
			continue;
		}
		L->direct = true;
		lower_stmt(L, k.p[i]);
	}
	kids_free(&k);
	/* A statement expression's value outlives its block: do not kill the
	 * variable it names; its scope ends with the enclosing statement. */
	if (v.kind == LG_OPND_VAR && v.var < L->fn->n_vars &&
	    L->fn->vars[v.var].kind != LG_VAR_TEMP) {
		lg_var_id t = new_temp(L);
		emit_assign(L, t, v, loc_of(L, s));
		v = lg_opnd_var(t);
	}
	/* At the function's closing brace the return reports what is held;
	 * cleanups still run there. */
	if (!clang_equalCursors(s, L->body))
		kill_to_depth(L, depth, loc_end(L, s));
	else if (L->cur != NOBLOCK)
		cleanups_to_depth(L, depth, loc_end(L, s));
	pop_scope(L, depth);
	return v;
}

/*
 * if (c) A else B:   cond(c, TA, TB)  TA: A -> J   TB: B -> J   J:
 */
static void lower_if(struct lower *L, CXCursor s)
{
	struct kids k;
	kids_of(s, &k);
	if (k.n < 2) {
		kids_free(&k);
		return;
	}
	CXCursor cond = k.p[0], then = k.p[1];
	bool has_else = k.n >= 3;
	CXCursor els = has_else ? k.p[2] : clang_getNullCursor();
	kids_free(&k);

	uint32_t TA = new_block(L), J = new_block(L);
	uint32_t TB = has_else ? new_block(L) : J;
	const char *ctx = construct_text(L, "if", cond);
	here(L);
	lower_stmt_cond(L, cond, TA, TB, ctx, 0);
	L->cur = TA;
	lower_stmt(L, then);
	jump(L, J, -1);
	if (has_else) {
		L->cur = TB;
		lower_stmt(L, els);
		jump(L, J, -1);
	}
	L->cur = J;
}

/* while (c) S:   -> H   H: cond(c, B, X)   B: S -> H   X: */
static void lower_while(struct lower *L, CXCursor s)
{
	struct kids k;
	kids_of(s, &k);
	if (k.n < 2) {
		kids_free(&k);
		return;
	}
	CXCursor cond = k.p[0], body = k.p[1];
	kids_free(&k);
	uint32_t H = new_block(L), B = new_block(L), X = new_block(L);
	enter(L, H);
	lower_stmt_cond(L, cond, B, X, construct_text(L, "while", cond), 1);
	L->cur = B;
	push_target(L, X, H, false);
	lower_stmt(L, body);
	L->n_targets--;
	jump(L, H, -1);
	L->cur = X;
}

/* do S while (c):   -> B   B: S -> C   C: cond(c, B, X)   X: */
static void lower_do(struct lower *L, CXCursor s)
{
	struct kids k;
	kids_of(s, &k);
	if (k.n < 2) {
		kids_free(&k);
		return;
	}
	CXCursor body = k.p[0], cond = k.p[1];
	kids_free(&k);
	uint32_t B = new_block(L), C = new_block(L), X = new_block(L);
	enter(L, B);
	push_target(L, X, C, false);
	lower_stmt(L, body);
	L->n_targets--;
	enter(L, C);
	lower_stmt_cond(L, cond, B, X, construct_text(L, "do-while", cond), 1);
	L->cur = X;
}

/*
 * for (I; c; N) S:   [I] -> H   H: cond(c, B, X)   B: S -> C   C: [N] -> H
 *                    X: kill (variables declared in I)
 * Absent parts are found from the positions of the header's semicolons.
 */
static void lower_for(struct lower *L, CXCursor s)
{
	struct kids k;
	kids_of(s, &k);
	CXCursor part[4];   /* init, cond, inc, body */
	for (int i = 0; i < 4; i++)
		part[i] = clang_getNullCursor();
	if (k.n == 0) {
		kids_free(&k);
		return;
	}
	part[3] = k.p[k.n - 1];
	if (k.n == 4) {
		part[0] = k.p[0];
		part[1] = k.p[1];
		part[2] = k.p[2];
	} else if (k.n > 1) {
		/* Where are the two semicolons of the header? */
		CXToken *toks;
		unsigned nt, semi[2] = { 0, 0 }, ns = 0, depth = 0;
		/* only the header: from `for` to the start of the body */
		CXSourceRange hdr = clang_getRange(
			clang_getRangeStart(clang_getCursorExtent(s)),
			clang_getRangeStart(clang_getCursorExtent(part[3])));
		clang_tokenize(L->tu, hdr, &toks, &nt);
		for (unsigned i = 0; i < nt && ns < 2; i++) {
			CXString sp = clang_getTokenSpelling(L->tu, toks[i]);
			const char *t = clang_getCString(sp);
			if (strcmp(t, "(") == 0)
				depth++;
			else if (strcmp(t, ")") == 0)
				depth--;
			else if (strcmp(t, ";") == 0 && depth == 1) {
				unsigned off;
				clang_getExpansionLocation(clang_getTokenLocation(L->tu, toks[i]),
							   NULL, NULL, NULL, &off);
				semi[ns++] = off;
			}
			clang_disposeString(sp);
		}
		clang_disposeTokens(L->tu, toks, nt);
		for (unsigned i = 0; i + 1 < k.n; i++) {
			unsigned off;
			clang_getExpansionLocation(
				clang_getRangeStart(clang_getCursorExtent(k.p[i])),
				NULL, NULL, NULL, &off);
			int slot = ns < 2 ? (int)i : off < semi[0] ? 0 : off < semi[1] ? 1 : 2;
			if (slot > 2)
				slot = 2;
			part[slot] = k.p[i];
		}
	}
	kids_free(&k);

	uint32_t depth = L->n_scope;
	if (!clang_Cursor_isNull(part[0])) {
		if (clang_getCursorKind(part[0]) == CXCursor_DeclStmt)
			lower_decl_stmt(L, part[0]);
		else
			lower_expr(L, part[0]);
		kill_temps_at(L, part[0]);
	}
	uint32_t H = new_block(L), B = new_block(L), C = new_block(L), X = new_block(L);
	enter(L, H);
	if (!clang_Cursor_isNull(part[1])) {
		lower_stmt_cond(L, part[1], B, X,
				construct_text(L, "for", part[1]), 1);
	} else {
		jump(L, B, -1);
	}
	L->cur = B;
	push_target(L, X, C, false);
	lower_stmt(L, part[3]);
	L->n_targets--;
	enter(L, C);
	if (!clang_Cursor_isNull(part[2])) {
		lower_expr(L, part[2]);
		kill_temps_at(L, part[2]);
	}
	jump(L, H, -1);
	L->cur = X;
	kill_to_depth(L, depth, loc_end(L, s));
	pop_scope(L, depth);
}

/*
 * switch (v) S:   [v] S0: -> case blocks (test v == k), -> default or X
 *                 S with break -> X;  falling through between cases
 */
static void lower_switch(struct lower *L, CXCursor s)
{
	struct kids k;
	kids_of(s, &k);
	if (k.n < 2) {
		kids_free(&k);
		return;
	}
	CXCursor cond = k.p[0], body = k.p[k.n - 1];
	kids_free(&k);

	struct lg_opnd v = lower_expr(L, cond);
	L->n_temps = 0;
	uint32_t S = here(L), X = new_block(L);
	lg_fn_term(L->fn, S, LG_TERM_BRANCH, loc_of(L, s));
	L->cur = NOBLOCK;

	uint32_t saved_block = L->sw_block;
	lg_var_id saved_var = L->sw_var;
	const char *saved_text = L->sw_text;
	bool saved_default = L->sw_default;
	L->sw_block = S;
	L->sw_var = v.kind == LG_OPND_VAR ? v.var : LG_NOVAR;
	L->sw_text = construct_text(L, "switch", cond);
	L->sw_default = false;

	push_target(L, X, NOBLOCK, true);
	lower_stmt(L, body);
	L->n_targets--;
	jump(L, X, -1);
	if (!L->sw_default)
		lg_fn_edge(L->fn, S, X, lg_test_none(),
			   lg_fn_step(L->fn, LG_PSTEP_CASE, loc_of(L, s), NULL,
				      L->sw_text, 0));
	L->sw_block = saved_block;
	L->sw_var = saved_var;
	L->sw_text = saved_text;
	L->sw_default = saved_default;
	L->cur = X;
}

static void lower_case(struct lower *L, CXCursor s, bool is_default)
{
	struct kids k;
	kids_of(s, &k);
	if (k.n == 0) {
		kids_free(&k);
		return;
	}
	CXCursor sub = k.p[k.n - 1];
	uint32_t C = new_block(L);
	enter(L, C);   /* fallthrough from the previous case */
	if (L->sw_block != NOBLOCK) {
		struct lg_test t = lg_test_none();
		char label[96];
		int64_t kv;
		if (is_default) {
			snprintf(label, sizeof(label), "default");
			L->sw_default = true;
		} else {
			snprintf(label, sizeof(label), "case %s", text_of(L, k.p[0]));
			/* case a ... b (GNU ranges) get no test */
			if (k.n == 2 && L->sw_var != LG_NOVAR && const_value(L, k.p[0], &kv))
				t = lg_test_make(L->sw_var, LG_REL_EQ, kv);
		}
		lg_fn_edge(L->fn, L->sw_block, C, t,
			   lg_fn_step(L->fn, LG_PSTEP_CASE, loc_of(L, s), label,
				      L->sw_text, 0));
	}
	kids_free(&k);
	lower_stmt(L, sub);
}

static void lower_break_continue(struct lower *L, CXCursor s, bool is_break)
{
	struct lg_loc loc = loc_of(L, s);
	for (uint32_t i = L->n_targets; i-- > 0;) {
		const struct target *t = &L->targets[i];
		uint32_t to = is_break ? t->brk : t->cont;
		if (to == NOBLOCK)
			continue;
		here(L);
		kill_to_depth(L, is_break ? t->brk_depth : t->cont_depth, loc);
		jump(L, to, lg_fn_step(L->fn, is_break ? LG_PSTEP_BREAK : LG_PSTEP_CONTINUE,
				       loc, NULL, t->is_switch && is_break ? "switch" : "loop", 0));
		return;
	}
	L->cur = NOBLOCK;
}

static bool from_macro(struct lower *L, CXCursor c);

static void lower_return(struct lower *L, CXCursor s, bool fix_safe)
{
	struct kids k;
	kids_of(s, &k);
	struct lg_opnd v = lg_opnd_unknown();
	for (unsigned i = 0; i < k.n; i++)
		if (is_expr(k.p[i])) {
			/* a fix inserted before `return f(conn);` would release
			 * what the return still uses: only a constant or a
			 * variable's value leaves it safe */
			enum CXCursorKind ek = clang_getCursorKind(strip(L, k.p[i]));
			if (ek != CXCursor_IntegerLiteral && ek != CXCursor_DeclRefExpr &&
			    ek != CXCursor_CharacterLiteral)
				fix_safe = false;
			v = lower_expr(L, k.p[i]);
		}
	kids_free(&k);
	if (L->cur == NOBLOCK && v.kind == LG_OPND_UNKNOWN && k.n > 0)
		return; /* the value called a noreturn function */
	here(L);
	cleanups_to_depth(L, 0, loc_of(L, s));
	if (L->cur == NOBLOCK)
		return; /* a cleanup that does not return */
	uint32_t b = L->cur;
	L->fn->blocks[b].ret = v;
	L->fn->blocks[b].fix_safe = fix_safe;
	lg_fn_term(L->fn, b, LG_TERM_RETURN, loc_of(L, s));
	L->cur = NOBLOCK;
	L->n_temps = 0;
}

static void lower_stmt_here(struct lower *L, CXCursor s);

static void lower_stmt(struct lower *L, CXCursor s)
{
	if (L->depth >= MAX_DEPTH) {
		L->too_deep = true;
		return;
	}
	L->depth++;
	lower_stmt_here(L, s);
	L->depth--;
}

static void lower_stmt_here(struct lower *L, CXCursor s)
{
	bool direct = L->direct;
	L->direct = false;
	if (L->oom)
		return;
	enum CXCursorKind kind = clang_getCursorKind(s);
	struct kids k;

	L->n_temps = 0;
	switch (kind) {
	case CXCursor_CompoundStmt:
		lower_compound(L, s, false);
		break;
	case CXCursor_DeclStmt:
		lower_decl_stmt(L, s);
		kill_temps_at(L, s);
		break;
	case CXCursor_IfStmt:
		lower_if(L, s);
		break;
	case CXCursor_WhileStmt:
		lower_while(L, s);
		break;
	case CXCursor_DoStmt:
		lower_do(L, s);
		break;
	case CXCursor_ForStmt:
		lower_for(L, s);
		break;
	case CXCursor_SwitchStmt:
		lower_switch(L, s);
		break;
	case CXCursor_CaseStmt:
		lower_case(L, s, false);
		break;
	case CXCursor_DefaultStmt:
		lower_case(L, s, true);
		break;
	case CXCursor_BreakStmt:
		lower_break_continue(L, s, true);
		break;
	case CXCursor_ContinueStmt:
		lower_break_continue(L, s, false);
		break;
	case CXCursor_ReturnStmt:
		lower_return(L, s, direct && !from_macro(L, s));
		break;
	case CXCursor_LabelStmt: {
		uint32_t b = label_block(L, s);
		enter(L, b);
		kids_of(s, &k);
		if (k.n > 0)
			lower_stmt(L, k.p[k.n - 1]);
		kids_free(&k);
		break;
	}
	case CXCursor_GotoStmt: {
		kids_of(s, &k);
		if (k.n > 0) {
			uint32_t b = label_block(L, k.p[0]);
			char *name = cx_string(clang_getCursorSpelling(k.p[0]));
			here(L);
			jump(L, b, lg_fn_step(L->fn, LG_PSTEP_GOTO, loc_of(L, s),
					      name, NULL, 0));
			free(name);
		}
		kids_free(&k);
		L->cur = NOBLOCK;
		break;
	}
	case CXCursor_IndirectGotoStmt: {
		/* goto *p: any label whose address was taken. */
		lower_children(L, s);
		uint32_t from = here(L);
		for (uint32_t i = 0; i < L->n_labels; i++)
			lg_fn_edge(L->fn, from, L->labels[i].block, lg_test_none(), -1);
		lg_fn_term(L->fn, from, L->n_labels ? LG_TERM_BRANCH : LG_TERM_STOP,
			   loc_of(L, s));
		L->cur = NOBLOCK;
		break;
	}
	case CXCursor_NullStmt:
	case CXCursor_GCCAsmStmt:
	case CXCursor_MSAsmStmt:
		break;
	default:
		if (is_expr(s)) {
			lower_expr(L, s);
			kill_temps_at(L, s);
		} else {
			lower_children(L, s);
		}
		break;
	}
}

/*
 * A function:  params; body; return (end of function) at the closing brace.
 */
static struct lg_fn *lower_function(struct lg_frontend *fe, CXCursor fnc,
				    struct lg_diags *d)
{
	char *name = cx_string(clang_getCursorSpelling(fnc));
	struct lower L = { .fe = fe, .tu = fe->tu, .cur = NOBLOCK,
			   .sw_block = NOBLOCK, .sw_var = LG_NOVAR };
	struct kids k;

	L.fn = lg_fn_new(name);
	free(name);
	if (!L.fn) {
		lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
		return NULL;
	}
	L.fn->loc = loc_at(&L, clang_getCursorLocation(fnc));
	char *usr = cx_string(clang_getCursorUSR(fnc));
	L.fn->id = lg_fn_strdup(L.fn, usr && *usr ? usr : L.fn->name);
	free(usr);
	L.cur = new_block(&L);

	CXCursor body = clang_getNullCursor();
	kids_of(fnc, &k);
	for (unsigned i = 0; i < k.n; i++) {
		enum CXCursorKind kk = clang_getCursorKind(k.p[i]);
		if (kk == CXCursor_ParmDecl)
			declare(&L, k.p[i], LG_VAR_PARAM);
		else if (kk == CXCursor_CompoundStmt)
			body = k.p[i];
	}
	kids_free(&k);

	if (!clang_Cursor_isNull(body)) {
		L.body = body;
		lower_compound(&L, body, false);
		if (L.cur != NOBLOCK) {
			uint32_t b = L.cur;
			L.fn->blocks[b].ret = lg_opnd_unknown();
			L.fn->blocks[b].implicit_return = 1;
			lg_fn_term(L.fn, b, LG_TERM_RETURN, loc_end(&L, body));
		}
	}
	/* Labels that nothing jumped to, blocks left open by dead code. */
	for (uint32_t i = 0; i < L.fn->n_blocks; i++)
		if (L.fn->blocks[i].term == LG_TERM_NONE)
			lg_fn_term(L.fn, i, LG_TERM_STOP, (struct lg_loc){ 0, 0, 0 });

	for (uint32_t i = 0; i < L.n_labels; i++)
		free(L.labels[i].name);
	free(L.labels);
	free(L.vars);
	for (uint32_t i = 0; i < L.cap_cleanup; i++)
		free(L.cleanup[i]);
	free(L.cleanup);
	free(L.scope);
	free(L.targets);
	free(L.temps);
	if (L.oom || lg_fn_check(L.fn) < 0) {
		lg_diag(d, LG_ERROR, L.fn->n_files ? L.fn->files[0] : NULL,
			L.fn->loc.line, L.fn->loc.col,
			"out of memory lowering function '%s'", L.fn->name);
		lg_fn_free(L.fn);
		return NULL;
	}
	if (L.too_deep) {
		lg_diag(d, LG_ERROR, L.fn->n_files ? L.fn->files[0] : NULL,
			L.fn->loc.line, L.fn->loc.col,
			"function '%s' was not analysed: its statements and "
			"expressions nest more than %d deep", L.fn->name, MAX_DEPTH);
		lg_fn_free(L.fn);
		return NULL;
	}
	return L.fn;
}

/* ---- driving libclang ----------------------------------------------------- */

struct visit_ctx {
	struct lg_frontend *fe;
	lg_fn_cb cb;
	void *cb_ctx;
	struct lg_diags *d;
	int ret;
	bool failed;     /* a function could not be lowered */
};

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent,
					 CXClientData data)
{
	(void)parent;
	struct visit_ctx *v = data;
	enum CXCursorKind k = clang_getCursorKind(c);

	if (k == CXCursor_LinkageSpec)
		return CXChildVisit_Recurse;
	if (k != CXCursor_FunctionDecl || !clang_isCursorDefinition(c))
		return CXChildVisit_Continue;
	if (!clang_Location_isFromMainFile(clang_getCursorLocation(c)))
		return CXChildVisit_Continue;
	struct lg_fn *fn = lower_function(v->fe, c, v->d);
	if (!fn) {
		v->failed = true;   /* said why; the other functions go on */
		return CXChildVisit_Continue;
	}
	lg_fn_trim(fn);
	int r = v->cb(v->cb_ctx, fn);
	if (r) {
		v->ret = r;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Continue;
}

void lg_frontend_init_process(void)
{
	setenv("LIBCLANG_NOTHREADS", "1", 1);
}

struct lg_frontend *lg_frontend_new(void)
{
	struct lg_frontend *fe = calloc(1, sizeof(*fe));
	if (!fe)
		return NULL;
	fe->index = clang_createIndex(0, 0);
	if (!fe->index) {
		free(fe);
		return NULL;
	}
	fe->root = lg_project_root();
	return fe;
}

static void noreturn_clear(struct lg_frontend *fe)
{
	for (size_t i = 0; i < fe->n_fn_names; i++) {
		free(fe->fn_names[i]);
		free(fe->fn_usrs[i]);
	}
	free(fe->fn_names);
	free(fe->fn_usrs);
	fe->fn_names = fe->fn_usrs = NULL;
	fe->n_fn_names = 0;
	fe->fn_names_built = false;
	for (size_t i = 0; i < fe->nr_cap; i++) {
		free(fe->nr[i].name);
		free(fe->nr[i].usr);
	}
	free(fe->nr);
	fe->nr = NULL;
	fe->nr_cap = fe->nr_used = 0;
}

void lg_frontend_free(struct lg_frontend *fe)
{
	if (!fe)
		return;
	noreturn_clear(fe);
	line_index_free(fe);
	for (size_t i = 0; i < fe->n_dropped; i++)
		free(fe->dropped[i]);
	free(fe->dropped);
	clang_disposeIndex(fe->index);
	free(fe->root);
	free(fe);
}

static bool is_dropped(const struct lg_frontend *fe, const char *arg)
{
	for (size_t i = 0; i < fe->n_dropped; i++)
		if (strcmp(fe->dropped[i], arg) == 0)
			return true;
	return false;
}

/* "unknown argument: '-fx'" or "unknown argument '-fx'; did you mean ..."
 * from the driver: the flag, or NULL. */
static char *unknown_flag(const char *msg)
{
	const char *p = strstr(msg, "unknown argument");
	if (!p)
		return NULL;
	p = strchr(p, '\'');
	if (!p)
		return NULL;
	const char *q = strchr(p + 1, '\'');
	if (!q)
		return NULL;
	return strndup(p + 1, (size_t)(q - p - 1));
}

/* Whether the compiler's words about a place in `file` may be shown.  A
 * pull request can #include any file the CI user can read (a credentials
 * file), and the compiler's errors quote its words: the text of errors in
 * files outside the project is not shown, except in the main file (which
 * the user chose) and in system headers (which are public). */
static bool may_quote(const struct lg_frontend *fe, CXSourceLocation loc,
		      const char *file)
{
	if (!file || !fe->root || clang_Location_isInSystemHeader(loc) ||
	    clang_Location_isFromMainFile(loc))
		return true;
	char *real = realpath(file, NULL);
	size_t n = strlen(fe->root);
	bool inside = real && strncmp(real, fe->root, n) == 0 &&
		      (real[n] == '/' || real[n] == '\0' || n == 1);
	free(real);
	return inside;
}

static void report_diag(const struct lg_frontend *fe, CXDiagnostic dg,
			struct lg_diags *d, enum lg_severity sev)
{
	CXFile f;
	unsigned line, col;
	CXSourceLocation loc = clang_getDiagnosticLocation(dg);
	clang_getExpansionLocation(loc, &f, &line, &col, NULL);
	char *file = f ? cx_string(clang_getFileName(f)) : NULL;
	if (!may_quote(fe, loc, file)) {
		lg_diag(d, sev, file, line, col, "the compiler found an error in this "
			"file, which is outside the project; its words are not shown");
		free(file);
		return;
	}
	char *msg = cx_string(clang_getDiagnosticSpelling(dg));
	lg_diag(d, sev, file, f ? line : 0, f ? col : 0, "%s", msg ? msg : "");
	free(msg);
	free(file);
}

static CXTranslationUnit parse(struct lg_frontend *fe, const struct lg_tu_job *job,
			       const char **argv, int argc, enum CXErrorCode *ec)
{
	CXTranslationUnit tu = NULL;
	struct CXUnsavedFile *uf = NULL;
	if (job->n_unsaved) {
		uf = calloc(job->n_unsaved, sizeof(*uf));
		if (!uf) {
			*ec = CXError_Failure;
			return NULL;
		}
		for (size_t i = 0; i < job->n_unsaved; i++)
			uf[i] = (struct CXUnsavedFile){ job->unsaved[i].path,
							job->unsaved[i].content,
							(unsigned long)job->unsaved[i].len };
	}
	unsigned opts = CXTranslationUnit_KeepGoing |
			CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles;
	*ec = clang_parseTranslationUnit2(fe->index, job->file, argv, argc, uf,
					  (unsigned)job->n_unsaved, opts, &tu);
	free(uf);
	return tu;
}

struct incl_ctx {
	struct lg_tu_info *info;
	CXFile main;
	bool oom;
};

static void on_inclusion(CXFile f, CXSourceLocation *stack, unsigned depth,
			 CXClientData data)
{
	(void)stack;
	struct incl_ctx *c = data;
	if (depth == 0 || c->oom)
		return;   /* the main file itself */
	char **v = realloc(c->info->includes, (c->info->n_includes + 1) * sizeof(*v));
	if (!v) {
		c->oom = true;
		return;
	}
	c->info->includes = v;
	v[c->info->n_includes] = cx_string(clang_getFileName(f));
	if (v[c->info->n_includes])
		c->info->n_includes++;
}

static void fill_info(CXTranslationUnit tu, const char *file,
		      struct lg_tu_info *info)
{
	CXFile f = clang_getFile(tu, file);
	if (f)
		info->file = cx_string(clang_getFileName(f));
	struct incl_ctx ic = { info, f, false };
	clang_getInclusions(tu, on_inclusion, &ic);
}

/* The main file's line starts, found while lowering, go to `info`: the
 * findings' quotes need them, and finding them again costs a pass over the
 * file and fresh memory. */
static void keep_main_lines(struct lg_frontend *fe, CXTranslationUnit tu,
			    const char *file, struct lg_tu_info *info)
{
	CXFile f = clang_getFile(tu, file);
	for (size_t i = 0; f && i < fe->n_lines; i++) {
		struct line_index *x = fe->lines[i];
		if (x->file != f || !x->starts)
			continue;
		size_t len = 0;
		clang_getFileContents(tu, f, &len);
		info->line_starts = x->starts;
		info->n_line_starts = x->n;
		info->parsed_len = len;
		x->starts = NULL;
		return;
	}
}

/* The main file's text, for quoting lines, when the job gave it in memory.
 * A file on disk is read by the caller when a finding quotes it, once
 * libclang's tree is gone (a copy taken while it lived would add the file's
 * size to the peak). */
static void fill_source(const struct lg_tu_job *job, struct lg_tu_info *info)
{
	if (!info->file)
		return;
	for (size_t i = 0; i < job->n_unsaved; i++) {
		const char *p = job->unsaved[i].path;
		if (strcmp(p, info->file) == 0 || strcmp(p, job->file) == 0) {
			lg_text_copy(&info->source, job->unsaved[i].content,
				     job->unsaved[i].len);
			return;
		}
	}
}

void lg_tu_info_release(struct lg_tu_info *info)
{
	free(info->file);
	free(info->line_starts);
	lg_text_release(&info->source);
	for (size_t i = 0; i < info->n_includes; i++)
		free(info->includes[i]);
	free(info->includes);
	memset(info, 0, sizeof(*info));
}

int lg_frontend_run(struct lg_frontend *fe, const struct lg_tu_job *job,
		    lg_fn_cb cb, void *ctx, struct lg_tu_info *info,
		    struct lg_diags *d)
{
	int n = 0, ret = 0;
	/* Every command passes the allow-list here, whatever its origin (a
	 * compile database's entries were filtered, and noted, as they were
	 * read; this is what filters the flags given after --). */
	struct lg_flags fl;
	if (lg_flags_filter(&fl, job->args, job->n_args, job->directory) < 0)
		return lg_diag(d, LG_ERROR, job->file, 0, 0, "out of memory");
	if (fl.notable)
		lg_diag(d, LG_NOTE, job->file, 0, 0,
			"dropped flags that do not shape parsing: %s", fl.dropped);
	const char **argv = calloc((size_t)fl.argc + 8, sizeof(*argv));
	if (!argv) {
		lg_flags_release(&fl);
		return lg_diag(d, LG_ERROR, job->file, 0, 0, "out of memory");
	}
	if (job->directory) {
		argv[n++] = "-working-directory";
		argv[n++] = job->directory;
	}
	argv[n++] = "-Wno-unknown-warning-option";
	argv[n++] = "-Wno-ignored-optimization-argument";
	argv[n++] = "-ferror-limit=20";
	/* no warnings: nothing reads them, and a -Werror in the build's
	 * flags must not stop the analysis */
	argv[n++] = "-w";
	/* gcc has no limit on nested brackets; clang stops at 256.  Deeper
	 * than this, the file does not parse (an error, not a crash). */
	argv[n++] = "-fbracket-depth=4096";
	for (int i = 0; i < fl.argc; i++)
		if (!is_dropped(fe, fl.argv[i]))
			argv[n++] = fl.argv[i];

	enum CXErrorCode ec;
	CXTranslationUnit tu = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		tu = parse(fe, job, argv, n, &ec);
		if (!tu)
			break;
		/* Flags the driver rejects are dropped, with a note, and the
		 * file is parsed again without them. */
		bool again = false;
		unsigned nd = clang_getNumDiagnostics(tu);
		for (unsigned i = 0; i < nd; i++) {
			CXDiagnostic dg = clang_getDiagnostic(tu, i);
			CXFile f;
			clang_getExpansionLocation(clang_getDiagnosticLocation(dg), &f, NULL, NULL, NULL);
			char *msg = f ? NULL : cx_string(clang_getDiagnosticSpelling(dg));
			char *flag = msg ? unknown_flag(msg) : NULL;
			if (flag) {
				int w = 0;
				for (int j = 0; j < n; j++)
					if (strcmp(argv[j], flag) != 0)
						argv[w++] = argv[j];
				if (w != n) {
					again = true;
					n = w;
				}
				lg_diag(d, LG_NOTE, job->file, 0, 0,
					"dropped compiler flag '%s', which clang does not know",
					flag);
				if (fe->n_dropped == fe->cap_dropped) {
					size_t cap = fe->cap_dropped ? fe->cap_dropped * 2 : 8;
					char **v = realloc(fe->dropped, cap * sizeof(*v));
					if (v) {
						fe->dropped = v;
						fe->cap_dropped = cap;
					}
				}
				if (fe->n_dropped < fe->cap_dropped)
					fe->dropped[fe->n_dropped++] = flag;
				else
					free(flag);
			}
			free(msg);
			clang_disposeDiagnostic(dg);
		}
		if (!again)
			break;
		clang_disposeTranslationUnit(tu);
		tu = NULL;
	}
	free(argv);
	lg_flags_release(&fl);
	if (!tu) {
		return lg_diag(d, LG_ERROR, job->file, 0, 0,
			       "cannot parse this file (libclang error %d)%s", (int)ec,
			       ec == CXError_ASTReadError ? "" : "; is it readable?");
	}

	/* The compiler's own errors: the file does not parse. */
	unsigned nd = clang_getNumDiagnostics(tu);
	unsigned errors = 0;
	for (unsigned i = 0; i < nd; i++) {
		CXDiagnostic dg = clang_getDiagnostic(tu, i);
		enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(dg);
		if (sev >= CXDiagnostic_Error) {
			report_diag(fe, dg, d, LG_ERROR);
			errors++;
		}
		clang_disposeDiagnostic(dg);
	}
	if (errors) {
		lg_diag(d, LG_ERROR, job->file, 0, 0,
			"file does not parse (%u compiler error%s); it was not analysed",
			errors, errors == 1 ? "" : "s");
		clang_disposeTranslationUnit(tu);
		return -1;
	}

	if (info)
		fill_info(tu, job->file, info);
	fe->tu = tu;
	struct visit_ctx v = { fe, cb, ctx, d, 0, false };
	clang_visitChildren(clang_getTranslationUnitCursor(tu), visit_top, &v);
	ret = v.ret ? v.ret : v.failed ? -1 : 0;
	if (info)
		keep_main_lines(fe, tu, job->file, info);
	fe->tu = NULL;
	noreturn_clear(fe);
	line_index_free(fe);
	clang_disposeTranslationUnit(tu);
	if (info)
		fill_source(job, info);
	return ret;
}
