/*
 * rules.c - the YAML rule loader and the callee table (see rules.h).
 *
 * A rule file goes through three steps.  parse_tree() turns libyaml's event
 * stream into a small tree of scalars, mappings and sequences with 1-based
 * positions, refusing anchors, aliases and tags (so an alias bomb costs
 * nothing) and a second document.  The check_* functions walk that tree
 * against the schema in README.md and stage the resources and effects they
 * find; the first problem becomes the file's one diagnostic and stops the
 * walk.  commit() then adds what was staged to the ruleset in two phases:
 * everything that can fail (allocation) happens before anything a caller can
 * observe changes, so a file that fails leaves the ruleset as it was.
 *
 * The callee table is a chained hash table keyed by function name; each entry
 * holds every effect of calling that function, in the order the rule files
 * gave them.  Nothing here prints except lg_ruleset_list(), whose job it is,
 * and nothing here is global: lookups only read, so they are thread-safe.
 *
 * Deliberately left out: YAML merge keys, anchors, aliases and tags (rule
 * files have no use for them), and any notion of what an effect means to the
 * analysis; that lives in analysis.c.
 */
#include "rules.h"
#include "readfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* One hash-table entry: every effect of calling `name`. */
struct lg_callee {
	struct lg_callee *next;   /* the next entry in the same bucket */
	uint64_t hash;            /* hash_name(name) */
	char *name;
	struct lg_effect *effects; /* n effects, cap allocated */
	unsigned *ord;            /* parallel to effects: the effect's position
				     within its resource, for lg_ruleset_list */
	size_t n, cap;
	size_t pending;           /* commit(): effects about to be added */
};

#define NONE ((size_t)-1)
#define MAX_ARG 255

/* ---- the tree ---------------------------------------------------------- */

enum node_type {
	NODE_SCALAR,
	NODE_MAP,   /* children alternate key, value */
	NODE_SEQ,
};

struct node {
	enum node_type type;
	unsigned line, col;  /* 1-based start of the node */
	int plain;           /* scalar: plain style (not quoted, not a block) */
	char *value;         /* scalar: NUL-terminated copy of the text */
	size_t len;          /* scalar: length of value (it may hold NULs) */
	size_t first, last;  /* first and last child, NONE when empty */
	size_t next;         /* next sibling, NONE for the last */
	size_t n_kids;
};

/* ---- the loader's state for one file ----------------------------------- */

struct staged_effect {
	struct lg_effect e;       /* e.resource indexes the staged resources */
	unsigned ord;             /* position within its resource */
	const char *function;     /* points into the tree */
	unsigned line, col;       /* of the function's name */
	struct lg_callee *callee; /* commit(): where it goes */
};

struct loader {
	struct lg_ruleset *rs;
	const char *file;          /* name used in diagnostics and resources */
	struct lg_diags *d;
	const char *buf;           /* the text, to place reader errors */
	size_t len;

	struct node *nodes;        /* the tree; nodes[root] is the document */
	size_t n_nodes, cap_nodes;
	size_t root;

	struct lg_resource *res;   /* staged resources, owning their strings */
	size_t n_res, cap_res;
	struct staged_effect *eff; /* staged effects */
	size_t n_eff, cap_eff;
	struct lg_callee **created; /* commit(): new entries, for rolling back */
	size_t n_created;
};

static int fail_at(struct loader *ld, unsigned line, unsigned col,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct loader *ld, size_t node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct loader *ld, unsigned line, unsigned col,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lg_vdiag(ld->d, LG_ERROR, ld->file, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail(struct loader *ld, size_t node, const char *fmt, ...)
{
	const struct node *n = &ld->nodes[node];
	va_list ap;

	va_start(ap, fmt);
	lg_vdiag(ld->d, LG_ERROR, ld->file, n->line, n->col, fmt, ap);
	va_end(ap);
	return -1;
}

static int out_of_memory(struct loader *ld)
{
	return lg_diag(ld->d, LG_ERROR, ld->file, 0, 0,
		       "out of memory while loading rules");
}

/* Grows *v (of elements of `size` bytes) to hold at least `need`. */
static int reserve(void **v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	p = realloc(*v, c * size);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

static void loader_release(struct loader *ld)
{
	for (size_t i = 0; i < ld->n_nodes; i++)
		free(ld->nodes[i].value);
	free(ld->nodes);
	for (size_t i = 0; i < ld->n_res; i++) {
		free(ld->res[i].id);
		free(ld->res[i].description);
		free(ld->res[i].file);
	}
	free(ld->res);
	free(ld->eff);
	free(ld->created);
}

/* ---- parsing: libyaml events to a tree --------------------------------- */

/* Line and column of byte `off` of the text (reader errors carry no mark). */
static void place_offset(const struct loader *ld, size_t off, unsigned *line,
			 unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < ld->len; i++) {
		if (ld->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int syntax_error(struct loader *ld, const yaml_parser_t *p)
{
	unsigned line = (unsigned)p->problem_mark.line + 1;
	unsigned col = (unsigned)p->problem_mark.column + 1;
	const char *problem = p->problem ? p->problem : "unknown error";

	if (p->error == YAML_MEMORY_ERROR)
		return out_of_memory(ld);
	if (p->error == YAML_READER_ERROR) {
		place_offset(ld, p->problem_offset, &line, &col);
		return fail_at(ld, line, col, "yaml syntax error: %s", problem);
	}
	if (p->context)
		return fail_at(ld, line, col,
			       "yaml syntax error: %s (%s at %u:%u)", problem,
			       p->context, (unsigned)p->context_mark.line + 1,
			       (unsigned)p->context_mark.column + 1);
	return fail_at(ld, line, col, "yaml syntax error: %s", problem);
}

/* Refuses anchors and tags: rule files have no use for them, and without
 * aliases a document's size is bounded by its text. */
static int check_decorations(struct loader *ld, const yaml_event_t *ev,
			     const yaml_char_t *anchor, const yaml_char_t *tag)
{
	unsigned line = (unsigned)ev->start_mark.line + 1;
	unsigned col = (unsigned)ev->start_mark.column + 1;

	if (anchor)
		return fail_at(ld, line, col,
			       "anchors and aliases are not supported in rule files (found anchor '&%s')",
			       (const char *)anchor);
	if (tag)
		return fail_at(ld, line, col,
			       "tags are not supported in rule files (found tag '%s')",
			       (const char *)tag);
	return 0;
}

/* Adds a node as the last child of `parent` (NONE: it is the root). */
static int add_node(struct loader *ld, const yaml_event_t *ev,
		    enum node_type type, size_t parent, size_t *out)
{
	struct node *n;

	if (reserve((void **)&ld->nodes, &ld->cap_nodes, ld->n_nodes + 1,
		    sizeof(*ld->nodes)))
		return out_of_memory(ld);
	*out = ld->n_nodes;
	n = &ld->nodes[ld->n_nodes++];
	*n = (struct node){
		.type = type,
		.line = (unsigned)ev->start_mark.line + 1,
		.col = (unsigned)ev->start_mark.column + 1,
		.first = NONE, .last = NONE, .next = NONE,
	};
	if (type == NODE_SCALAR) {
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->value = malloc(n->len + 1);
		if (!n->value)
			return out_of_memory(ld);
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
	}
	if (parent == NONE) {
		ld->root = *out;
		return 0;
	}
	if (ld->nodes[parent].last == NONE)
		ld->nodes[parent].first = *out;
	else
		ld->nodes[ld->nodes[parent].last].next = *out;
	ld->nodes[parent].last = *out;
	ld->nodes[parent].n_kids++;
	return 0;
}

/* One event: grows the tree; `stack` holds the open containers. */
static int take_event(struct loader *ld, const yaml_event_t *ev,
		      size_t **stack, size_t *depth, size_t *cap, int *docs)
{
	size_t parent = *depth ? (*stack)[*depth - 1] : NONE;
	size_t node;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return fail_at(ld, (unsigned)ev->start_mark.line + 1,
				       (unsigned)ev->start_mark.column + 1,
				       "unexpected second document (a rule file holds one document)");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail_at(ld, (unsigned)ev->start_mark.line + 1,
			       (unsigned)ev->start_mark.column + 1,
			       "anchors and aliases are not supported in rule files (found alias '*%s')",
			       (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		if (check_decorations(ld, ev, ev->data.scalar.anchor,
				      ev->data.scalar.tag))
			return -1;
		return add_node(ld, ev, NODE_SCALAR, parent, &node);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_SEQUENCE_START_EVENT
		    ? check_decorations(ld, ev, ev->data.sequence_start.anchor,
					ev->data.sequence_start.tag)
		    : check_decorations(ld, ev, ev->data.mapping_start.anchor,
					ev->data.mapping_start.tag))
			return -1;
		if (add_node(ld, ev, ev->type == YAML_SEQUENCE_START_EVENT
			     ? NODE_SEQ : NODE_MAP, parent, &node))
			return -1;
		if (reserve((void **)stack, cap, *depth + 1, sizeof(**stack)))
			return out_of_memory(ld);
		(*stack)[(*depth)++] = node;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (*depth)
			(*depth)--;
		return 0;
	default:
		return 0;
	}
}

/* Builds the tree of ld->buf; ld->root stays NONE for an empty stream. */
static int parse_tree(struct loader *ld)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t *stack = NULL, depth = 0, cap = 0;
	int docs = 0, ret = 0, done = 0;

	ld->root = NONE;
	if (!yaml_parser_initialize(&parser))
		return out_of_memory(ld);
	yaml_parser_set_input_string(&parser, (const unsigned char *)ld->buf,
				     ld->len);
	while (!done && ret == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = syntax_error(ld, &parser);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ret = take_event(ld, &ev, &stack, &depth, &cap, &docs);
		yaml_event_delete(&ev);
	}
	free(stack);
	yaml_parser_delete(&parser);
	return ret;
}

/* ---- checking: the tree against the schema ----------------------------- */

/* What a node is, for "got ..." in messages; `buf` holds the result. */
static const char *describe(const struct node *n, char *buf, size_t size)
{
	const char *what = n->plain ? "" : "the string ";

	switch (n->type) {
	case NODE_MAP:
		return n->n_kids ? "a mapping" : "an empty mapping";
	case NODE_SEQ:
		return n->n_kids ? "a sequence" : "an empty sequence";
	case NODE_SCALAR:
		break;
	}
	if (n->plain && n->len == 0)
		return "an empty value";
	if (n->len > 60)
		snprintf(buf, size, "%s'%.57s...'", what, n->value);
	else
		snprintf(buf, size, "%s'%s'", what, n->value);
	return buf;
}

static int is_scalar(const struct loader *ld, size_t n, const char *text)
{
	const struct node *x = &ld->nodes[n];

	return x->type == NODE_SCALAR && x->len == strlen(text)
	       && memcmp(x->value, text, x->len) == 0;
}

/* One key a mapping may have, and where it was found (NONE: absent). */
struct field {
	const char *name;
	int required;
	size_t key, val;
};

/*
 * Matches the keys of mapping `map` against `f`.  `where` completes the
 * messages ("at the top level", "in release entry").  Fails on a key that is
 * not a scalar, an unknown key, a repeated key and a missing required key.
 */
static int read_fields(struct loader *ld, size_t map, const char *where,
		       struct field *f, size_t nf)
{
	char expected[256] = "", got[96];
	size_t key, val, i;

	for (i = 0; i < nf; i++) {
		f[i].key = f[i].val = NONE;
		snprintf(expected + strlen(expected),
			 sizeof(expected) - strlen(expected), "%s%s",
			 i ? ", " : "", f[i].name);
	}
	for (key = ld->nodes[map].first; key != NONE; key = ld->nodes[val].next) {
		val = ld->nodes[key].next;
		if (ld->nodes[key].type != NODE_SCALAR)
			return fail(ld, key, "expected a key %s, got %s", where,
				    describe(&ld->nodes[key], got, sizeof(got)));
		for (i = 0; i < nf && !is_scalar(ld, key, f[i].name); i++)
			;
		if (i == nf)
			return fail(ld, key,
				    "unknown key '%s' %s (expected one of: %s)",
				    ld->nodes[key].value, where, expected);
		if (f[i].key != NONE)
			return fail(ld, key,
				    "duplicate key '%s' %s (first given at %u:%u)",
				    f[i].name, where, ld->nodes[f[i].key].line,
				    ld->nodes[f[i].key].col);
		f[i].key = key;
		f[i].val = val;
	}
	for (i = 0; i < nf; i++)
		if (f[i].required && f[i].key == NONE)
			return fail(ld, map, "missing required key '%s' %s",
				    f[i].name, where);
	return 0;
}

/* A scalar that is not empty, for the value of `key`. */
static int need_scalar(struct loader *ld, size_t n, const char *key)
{
	char got[96];

	if (ld->nodes[n].type == NODE_SCALAR && ld->nodes[n].len)
		return 0;
	return fail(ld, n, "expected a string for '%s', got %s", key,
		    describe(&ld->nodes[n], got, sizeof(got)));
}

/* Reads a plain decimal integer without leading zeros: 0 when it is one
 * no larger than MAX_ARG, 1 when it is not an integer, 2 when too large. */
static int parse_small(const struct node *x, int *out)
{
	size_t i;
	long v = 0;

	if (x->type != NODE_SCALAR || !x->plain || x->len == 0
	    || (x->len > 1 && x->value[0] == '0'))
		return 1;
	for (i = 0; i < x->len; i++) {
		if (x->value[i] < '0' || x->value[i] > '9')
			return 1;
		if (v <= MAX_ARG)
			v = v * 10 + (x->value[i] - '0');
	}
	if (v > MAX_ARG)
		return 2;
	*out = (int)v;
	return 0;
}

/* An argument index from 0 to MAX_ARG, for the value of `key`. */
static int get_index(struct loader *ld, size_t n, const char *key, int *out)
{
	const struct node *x = &ld->nodes[n];
	char got[96];

	switch (parse_small(x, out)) {
	case 0:
		return 0;
	case 2:
		return fail(ld, n,
			    "argument index %s for '%s' is out of range (expected 0 to %d)",
			    x->value, key, MAX_ARG);
	default:
		return fail(ld, n,
			    "expected a non-negative integer for '%s', got %s",
			    key, describe(x, got, sizeof(got)));
	}
}

static int is_id_char(char c, int first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
	    || (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '.' || c == '_' || c == '-');
}

static int is_ident_char(char c, int first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
		return 1;
	return !first && c >= '0' && c <= '9';
}

/* The function name of an entry: a C identifier. */
static int check_function(struct loader *ld, size_t n)
{
	const struct node *x = &ld->nodes[n];

	if (need_scalar(ld, n, "function"))
		return -1;
	for (size_t i = 0; i < x->len; i++)
		if (!is_ident_char(x->value[i], i == 0))
			return fail(ld, n,
				    "invalid function name '%s' (expected a C identifier)",
				    x->value);
	return 0;
}

static const char *const kind_names[] = {
	[LG_KIND_CONNECTION] = "connection",
	[LG_KIND_RESULT] = "result",
	[LG_KIND_STATEMENT] = "statement",
	[LG_KIND_FILE] = "file",
	[LG_KIND_LOCK] = "lock",
	[LG_KIND_MEMORY] = "memory",
	[LG_KIND_HANDLE] = "handle",
};
#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

static const char *section_name(enum lg_effect_kind k)
{
	switch (k) {
	case LG_EFFECT_ACQUIRE: return "acquire";
	case LG_EFFECT_RELEASE: return "release";
	case LG_EFFECT_TRANSFER: return "transfer";
	case LG_EFFECT_STOP: break;   /* summaries only */
	}
	return "acquire";
}

/* Stages one effect of the resource being checked (the last staged one);
 * `fn` is the node of the function's name. */
static int stage_effect(struct loader *ld, size_t fn, struct lg_effect e)
{
	const char *function = ld->nodes[fn].value;
	uint32_t r = (uint32_t)(ld->n_res - 1);
	unsigned ord = 0;

	for (size_t i = 0; i < ld->n_eff; i++) {
		const struct staged_effect *s = &ld->eff[i];

		if (s->e.resource != r)
			continue;
		ord++;
		if (s->e.kind == e.kind && strcmp(s->function, function) == 0)
			return fail(ld, fn,
				    "function '%s' is listed twice in '%s' of resource '%s' (first at %u:%u)",
				    function, section_name(e.kind),
				    ld->res[r].id, s->line, s->col);
	}
	if (reserve((void **)&ld->eff, &ld->cap_eff, ld->n_eff + 1,
		    sizeof(*ld->eff)))
		return out_of_memory(ld);
	e.resource = r;
	ld->eff[ld->n_eff++] = (struct staged_effect){
		.e = e, .ord = ord, .function = function,
		.line = ld->nodes[fn].line, .col = ld->nodes[fn].col,
	};
	return 0;
}

/*
 * acquire entry:
 *   function: NAME
 *   returns: handle | out_arg: N | arg: N     (exactly one)
 *   success: zero | nonnegative               (optional)
 */
static int check_acquire(struct loader *ld, size_t map)
{
	struct field f[] = {
		{ "function", 1, 0, 0 }, { "returns", 0, 0, 0 },
		{ "out_arg", 0, 0, 0 }, { "arg", 0, 0, 0 },
		{ "success", 0, 0, 0 },
	};
	struct lg_effect e = { .kind = LG_EFFECT_ACQUIRE, .arg = -1 };
	size_t site = NONE, other = NONE;
	char got[96];

	if (read_fields(ld, map, "in acquire entry", f, 5)
	    || check_function(ld, f[0].val))
		return -1;
	/* The site that comes first in the text, and the one after it. */
	for (size_t i = 1; i <= 3; i++)
		if (f[i].key != NONE && (site == NONE || f[i].key < f[site].key))
			site = i;
	for (size_t i = 1; i <= 3; i++)
		if (f[i].key != NONE && i != site
		    && (other == NONE || f[i].key < f[other].key))
			other = i;
	if (other != NONE)
		return fail(ld, f[other].key,
			    "conflicting keys '%s' and '%s' in acquire entry (expected exactly one of: returns, out_arg, arg)",
			    f[site].name, f[other].name);
	if (site == NONE)
		return fail(ld, map,
			    "missing 'returns', 'out_arg' or 'arg' in acquire entry for '%s' (expected exactly one)",
			    ld->nodes[f[0].val].value);
	if (site == 1) {
		if (!is_scalar(ld, f[1].val, "handle"))
			return fail(ld, f[1].val,
				    "expected 'handle' for 'returns', got %s",
				    describe(&ld->nodes[f[1].val], got,
					     sizeof(got)));
		e.site = LG_SITE_RETURN;
	} else {
		e.site = site == 2 ? LG_SITE_OUT_ARG : LG_SITE_ARG;
		if (get_index(ld, f[site].val, f[site].name, &e.arg))
			return -1;
	}
	e.success = LG_SUCCESS_ALWAYS;
	if (f[4].key != NONE) {
		if (is_scalar(ld, f[4].val, "zero"))
			e.success = LG_SUCCESS_ZERO;
		else if (is_scalar(ld, f[4].val, "nonnegative"))
			e.success = LG_SUCCESS_NONNEGATIVE;
		else
			return fail(ld, f[4].val,
				    "expected 'zero' or 'nonnegative' for 'success', got %s",
				    describe(&ld->nodes[f[4].val], got,
					     sizeof(got)));
	}
	return stage_effect(ld, f[0].val, e);
}

/*
 * release or transfer entry:
 *   function: NAME
 *   arg: N
 */
static int check_arg_entry(struct loader *ld, size_t map,
			   enum lg_effect_kind kind)
{
	struct field f[] = { { "function", 1, 0, 0 }, { "arg", 1, 0, 0 } };
	struct lg_effect e = { .kind = kind, .site = LG_SITE_ARG };
	char where[32];

	snprintf(where, sizeof(where), "in %s entry", section_name(kind));
	if (read_fields(ld, map, where, f, 2)
	    || check_function(ld, f[0].val)
	    || get_index(ld, f[1].val, "arg", &e.arg))
		return -1;
	return stage_effect(ld, f[0].val, e);
}

/* acquire:, release: or transfer: - a non-empty sequence of entries. */
static int check_section(struct loader *ld, size_t seq,
			 enum lg_effect_kind kind)
{
	const char *name = section_name(kind);
	char got[96];

	if (ld->nodes[seq].type != NODE_SEQ || ld->nodes[seq].n_kids == 0)
		return fail(ld, seq, "expected a non-empty sequence for '%s', got %s",
			    name, describe(&ld->nodes[seq], got, sizeof(got)));
	for (size_t e = ld->nodes[seq].first; e != NONE; e = ld->nodes[e].next) {
		if (ld->nodes[e].type != NODE_MAP)
			return fail(ld, e,
				    "expected a mapping for each entry of '%s', got %s",
				    name, describe(&ld->nodes[e], got, sizeof(got)));
		if (kind == LG_EFFECT_ACQUIRE ? check_acquire(ld, e)
		    : check_arg_entry(ld, e, kind))
			return -1;
	}
	return 0;
}

/* The id of a resource: well-formed, and new to the ruleset and the file. */
static int check_id(struct loader *ld, size_t n)
{
	const struct node *x = &ld->nodes[n];
	int i;

	if (need_scalar(ld, n, "id"))
		return -1;
	for (size_t c = 0; c < x->len; c++)
		if (!is_id_char(x->value[c], c == 0))
			return fail(ld, n,
				    "invalid resource id '%s' (expected letters, digits, '.', '_' and '-', starting with a letter or digit)",
				    x->value);
	i = lg_ruleset_find(ld->rs, x->value);
	if (i >= 0) {
		const struct lg_resource *r = &ld->rs->resources[i];

		return fail(ld, n,
			    "duplicate resource id '%s' (first defined at %s:%u:%u)",
			    x->value, r->file, r->line, r->col);
	}
	for (size_t k = 0; k < ld->n_res; k++)
		if (strcmp(ld->res[k].id, x->value) == 0)
			return fail(ld, n,
				    "duplicate resource id '%s' (first defined at %s:%u:%u)",
				    x->value, ld->file, ld->res[k].line,
				    ld->res[k].col);
	return 0;
}

/* A description is one line of text (trailing newlines of a block scalar
 * are dropped). */
static int get_description(struct loader *ld, size_t n, char **out)
{
	struct node *x = &ld->nodes[n];
	size_t len = x->len;

	if (need_scalar(ld, n, "description"))
		return -1;
	while (len && (x->value[len - 1] == '\n' || x->value[len - 1] == ' '))
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)x->value[i] < 0x20 && x->value[i] != '\t')
			return fail(ld, n,
				    "expected one line of text for 'description'");
	if (len == 0)
		return fail(ld, n,
			    "expected a string for 'description', got a blank one");
	*out = strndup(x->value, len);
	return *out ? 0 : out_of_memory(ld);
}

static int get_kind(struct loader *ld, size_t n, enum lg_kind *out)
{
	char got[96];

	if (need_scalar(ld, n, "kind"))
		return -1;
	for (size_t k = 0; k < N_KINDS; k++) {
		if (is_scalar(ld, n, kind_names[k])) {
			*out = (enum lg_kind)k;
			return 0;
		}
	}
	return fail(ld, n,
		    "unknown kind %s (expected one of: connection, result, statement, file, lock, memory, handle)",
		    describe(&ld->nodes[n], got, sizeof(got)));
}

/*
 * resource:
 *   id, kind, description, acquire, release (required), transfer (optional)
 */
static int check_resource(struct loader *ld, size_t map)
{
	struct field f[] = {
		{ "id", 1, 0, 0 }, { "kind", 1, 0, 0 },
		{ "description", 1, 0, 0 }, { "acquire", 1, 0, 0 },
		{ "release", 1, 0, 0 }, { "transfer", 0, 0, 0 },
	};
	char where[128] = "in resource entry";
	struct lg_resource *r;

	/* Name the resource in messages as soon as it has a usable id. */
	for (size_t k = ld->nodes[map].first; k != NONE;
	     k = ld->nodes[ld->nodes[k].next].next) {
		size_t v = ld->nodes[k].next;

		if (is_scalar(ld, k, "id") && ld->nodes[v].type == NODE_SCALAR
		    && ld->nodes[v].len) {
			snprintf(where, sizeof(where), "in resource '%.80s'",
				 ld->nodes[v].value);
			break;
		}
	}
	if (read_fields(ld, map, where, f, 6) || check_id(ld, f[0].val))
		return -1;
	if (reserve((void **)&ld->res, &ld->cap_res, ld->n_res + 1,
		    sizeof(*ld->res)))
		return out_of_memory(ld);
	r = &ld->res[ld->n_res++];
	*r = (struct lg_resource){
		.id = strdup(ld->nodes[f[0].val].value),
		.file = strdup(ld->file),
		.line = ld->nodes[f[0].val].line,
		.col = ld->nodes[f[0].val].col,
	};
	if (!r->id || !r->file)
		return out_of_memory(ld);
	if (get_kind(ld, f[1].val, &r->kind)
	    || get_description(ld, f[2].val, &r->description)
	    || check_section(ld, f[3].val, LG_EFFECT_ACQUIRE)
	    || check_section(ld, f[4].val, LG_EFFECT_RELEASE))
		return -1;
	if (f[5].key != NONE && check_section(ld, f[5].val, LG_EFFECT_TRANSFER))
		return -1;
	return 0;
}

static int is_null(const struct node *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->type != NODE_SCALAR || !n->plain)
		return 0;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(n->value, nulls[i]) == 0)
			return 1;
	return 0;
}

/*
 * file:
 *   version: 1
 *   resources: [resource, ...]
 */
static int check_file(struct loader *ld)
{
	struct field f[] = { { "version", 1, 0, 0 }, { "resources", 1, 0, 0 } };
	char got[96];
	size_t seq;
	int version;

	if (ld->root == NONE || is_null(&ld->nodes[ld->root]))
		return fail_at(ld, ld->root == NONE ? 1 : ld->nodes[ld->root].line,
			       ld->root == NONE ? 1 : ld->nodes[ld->root].col,
			       "empty rule file (expected 'version: 1' and 'resources:')");
	if (ld->nodes[ld->root].type != NODE_MAP)
		return fail(ld, ld->root, "expected a mapping at the top level");
	if (read_fields(ld, ld->root, "at the top level", f, 2))
		return -1;
	switch (parse_small(&ld->nodes[f[0].val], &version)) {
	case 0:
		if (version == 1)
			break;
		/* fall through */
	case 2:
		return fail(ld, f[0].val,
			    "unsupported rule file version %s (expected 1)",
			    ld->nodes[f[0].val].value);
	default:
		return fail(ld, f[0].val, "expected 1 for 'version', got %s",
			    describe(&ld->nodes[f[0].val], got, sizeof(got)));
	}
	seq = f[1].val;
	if (ld->nodes[seq].type != NODE_SEQ || ld->nodes[seq].n_kids == 0)
		return fail(ld, seq,
			    "expected a non-empty sequence for 'resources', got %s",
			    describe(&ld->nodes[seq], got, sizeof(got)));
	for (size_t r = ld->nodes[seq].first; r != NONE; r = ld->nodes[r].next) {
		if (ld->nodes[r].type != NODE_MAP)
			return fail(ld, r,
				    "expected a mapping for each entry of 'resources', got %s",
				    describe(&ld->nodes[r], got, sizeof(got)));
		if (check_resource(ld, r))
			return -1;
	}
	return 0;
}

/* ---- the callee table --------------------------------------------------- */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct lg_callee *find_callee(const struct lg_ruleset *rs,
				     const char *name, uint64_t h)
{
	struct lg_callee *c;

	if (!rs->table_size)
		return NULL;
	for (c = rs->table[h & (rs->table_size - 1)]; c; c = c->next)
		if (c->hash == h && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Makes room for `more` entries at a load factor of at most one. */
static int grow_table(struct lg_ruleset *rs, size_t more)
{
	size_t size = rs->table_size ? rs->table_size : 64;
	struct lg_callee **t;

	while (size < rs->table_used + more)
		size *= 2;
	if (size == rs->table_size)
		return 0;
	t = calloc(size, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < rs->table_size; i++) {
		struct lg_callee *c = rs->table[i], *next;

		for (; c; c = next) {
			next = c->next;
			c->next = t[c->hash & (size - 1)];
			t[c->hash & (size - 1)] = c;
		}
	}
	free(rs->table);
	rs->table = t;
	rs->table_size = size;
	return 0;
}

static void free_callee(struct lg_callee *c)
{
	free(c->name);
	free(c->effects);
	free(c->ord);
	free(c);
}

/* Phase one of commit(): finds or creates (empty, so invisible to lookups)
 * the entry of every staged effect and reserves room in it. */
static int prepare_callees(struct loader *ld)
{
	struct lg_ruleset *rs = ld->rs;

	if (grow_table(rs, ld->n_eff))
		return -1;
	ld->created = calloc(ld->n_eff ? ld->n_eff : 1, sizeof(*ld->created));
	if (!ld->created)
		return -1;
	for (size_t i = 0; i < ld->n_eff; i++) {
		struct staged_effect *s = &ld->eff[i];
		uint64_t h = hash_name(s->function);
		struct lg_callee *c = find_callee(rs, s->function, h);

		if (!c) {
			c = calloc(1, sizeof(*c));
			if (!c || !(c->name = strdup(s->function))) {
				free(c);
				return -1;
			}
			c->hash = h;
			c->next = rs->table[h & (rs->table_size - 1)];
			rs->table[h & (rs->table_size - 1)] = c;
			rs->table_used++;
			ld->created[ld->n_created++] = c;
		}
		c->pending++;
		s->callee = c;
	}
	for (size_t i = 0; i < ld->n_eff; i++) {
		struct lg_callee *c = ld->eff[i].callee;
		size_t ecap = c->cap, ocap = c->cap;

		if (!c->pending)
			continue;
		if (reserve((void **)&c->effects, &ecap, c->n + c->pending,
			    sizeof(*c->effects))
		    || reserve((void **)&c->ord, &ocap, c->n + c->pending,
			       sizeof(*c->ord)))
			return -1;
		c->cap = ecap < ocap ? ecap : ocap;
		c->pending = 0;
	}
	return 0;
}

/* Undoes prepare_callees(): unlinks the entries it created. */
static void rollback_callees(struct loader *ld)
{
	struct lg_ruleset *rs = ld->rs;

	for (size_t i = 0; i < ld->n_eff; i++)
		if (ld->eff[i].callee)
			ld->eff[i].callee->pending = 0;
	for (size_t i = 0; i < ld->n_created; i++) {
		struct lg_callee *c = ld->created[i], **p;

		p = &rs->table[c->hash & (rs->table_size - 1)];
		while (*p != c)
			p = &(*p)->next;
		*p = c->next;
		rs->table_used--;
		free_callee(c);
	}
	ld->n_created = 0;
}

/* Adds the staged resources and effects to the ruleset, all or nothing. */
static int commit(struct loader *ld)
{
	struct lg_ruleset *rs = ld->rs;
	uint32_t base = (uint32_t)rs->n_resources;

	if (reserve((void **)&rs->resources, &rs->cap_resources,
		    rs->n_resources + ld->n_res, sizeof(*rs->resources))
	    || prepare_callees(ld)) {
		rollback_callees(ld);
		return out_of_memory(ld);
	}
	/* Nothing below can fail. */
	for (size_t i = 0; i < ld->n_res; i++)
		rs->resources[rs->n_resources++] = ld->res[i];
	ld->n_res = 0;
	for (size_t i = 0; i < ld->n_eff; i++) {
		struct staged_effect *s = &ld->eff[i];
		struct lg_callee *c = s->callee;

		c->effects[c->n] = s->e;
		c->effects[c->n].resource = base + s->e.resource;
		c->ord[c->n++] = s->ord;
	}
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

void lg_ruleset_init(struct lg_ruleset *rs)
{
	*rs = (struct lg_ruleset){ 0 };
}

int lg_ruleset_load_buffer(struct lg_ruleset *rs, const char *name,
			   const char *buf, size_t len, struct lg_diags *d)
{
	struct loader ld = {
		.rs = rs, .file = name, .d = d, .buf = buf, .len = len,
		.root = NONE,
	};
	int ret;

	ret = parse_tree(&ld);
	if (ret == 0)
		ret = check_file(&ld);
	if (ret == 0)
		ret = commit(&ld);
	loader_release(&ld);
	return ret;
}

int lg_ruleset_load_file(struct lg_ruleset *rs, const char *path,
			 struct lg_diags *d)
{
	char *buf;
	size_t len;
	int ret;

	char *real = realpath(path, NULL);
	for (size_t i = 0; real && i < rs->n_loaded; i++)
		if (strcmp(rs->loaded[i], real) == 0) {
			free(real);
			return 0;
		}
	if (!(buf = lg_read_file(path, &len))) {
		free(real);
		return lg_diag(d, LG_ERROR, path, 0, 0,
			       "cannot read rule file: %s", strerror(errno));
	}
	ret = lg_ruleset_load_buffer(rs, path, buf, len, d);
	free(buf);
	if (ret == 0 && real) {
		char **v = realloc(rs->loaded, (rs->n_loaded + 1) * sizeof(*v));
		if (v) {
			rs->loaded = v;
			rs->loaded[rs->n_loaded++] = real;
			real = NULL;
		}
	}
	free(real);
	return ret;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p = NULL;

	if (asprintf(&p, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
		     name) < 0)
		return NULL;
	return p;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The names of the regular files in `dir` that end in .yml (and .yaml when
 * `yaml_too`), sorted bytewise; hidden files are skipped.  -1 with errno
 * set when the directory cannot be read.
 */
static int list_rule_files(const char *dir, int yaml_too, char ***out,
			   size_t *n)
{
	size_t cap = 0;
	char **names = NULL;
	struct dirent *e;
	DIR *dp;
	int err = 0;

	*n = 0;
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((e = readdir(dp))) {
		struct stat st;
		char *path;
		int ok;

		if (e->d_name[0] == '.' || !(has_suffix(e->d_name, ".yml")
		    || (yaml_too && has_suffix(e->d_name, ".yaml"))))
			continue;
		path = join_path(dir, e->d_name);
		if (!path) {
			err = ENOMEM;
			break;
		}
		ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!ok)
			continue;
		if (reserve((void **)&names, &cap, *n + 1, sizeof(*names))
		    || !(names[*n] = strdup(e->d_name))) {
			err = ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(dp);
	if (err) {
		free_names(names, *n);
		*n = 0;
		errno = err;
		return -1;
	}
	if (*n)
		qsort(names, *n, sizeof(*names), compare_names);
	*out = names;
	return 0;
}

/* Loads every rule file of `dir`; a file that fails does not stop the
 * others.  `none` is the message when there is no file to load. */
static int load_dir(struct lg_ruleset *rs, const char *dir, int yaml_too,
		    const char *none, struct lg_diags *d)
{
	char **names = NULL;
	size_t n;
	int ret = 0;

	if (list_rule_files(dir, yaml_too, &names, &n))
		return lg_diag(d, LG_ERROR, dir, 0, 0,
			       "cannot read rule directory: %s", strerror(errno));
	if (n == 0) {
		free(names);
		return lg_diag(d, LG_ERROR, dir, 0, 0, "%s", none);
	}
	for (size_t i = 0; i < n; i++) {
		char *path = join_path(dir, names[i]);

		if (!path) {
			ret = lg_diag(d, LG_ERROR, dir, 0, 0,
				      "out of memory while loading rules");
			break;
		}
		if (lg_ruleset_load_file(rs, path, d))
			ret = -1;
		free(path);
	}
	free_names(names, n);
	return ret;
}

int lg_ruleset_load_builtin(struct lg_ruleset *rs, const char *builtin_dir,
			    struct lg_diags *d)
{
	return load_dir(rs, builtin_dir, 0,
			"no built-in rule packs (*.yml) in this directory", d);
}

/* "unknown rule pack or file", naming the packs of builtin_dir. */
static int unknown_spec(const char *spec, const char *builtin_dir,
			struct lg_diags *d)
{
	char **names = NULL, *list = NULL;
	size_t n = 0, len = 0;
	int ret;

	if (!builtin_dir || list_rule_files(builtin_dir, 0, &names, &n))
		n = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	list = malloc(len + 1);
	if (list) {
		char *p = list;

		for (size_t i = 0; i < n; i++) {
			size_t k = strlen(names[i]) - strlen(".yml");

			if (i) {
				memcpy(p, ", ", 2);
				p += 2;
			}
			memcpy(p, names[i], k);
			p += k;
		}
		*p = '\0';
	}
	if (n && list)
		ret = lg_diag(d, LG_ERROR, NULL, 0, 0,
			      "unknown rule pack or file '%s' (built-in packs: %s)",
			      spec, list);
	else
		ret = lg_diag(d, LG_ERROR, NULL, 0, 0,
			      "unknown rule pack or file '%s' (no built-in packs found)",
			      spec);
	free(list);
	free_names(names, n);
	return ret;
}

int lg_ruleset_load_spec(struct lg_ruleset *rs, const char *spec,
			 const char *builtin_dir, struct lg_diags *d)
{
	struct stat st;
	char *pack = NULL;
	int ret;

	if (stat(spec, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return load_dir(rs, spec, 1,
					"no rule files (*.yml or *.yaml) in this directory",
					d);
		return lg_ruleset_load_file(rs, spec, d);
	}
	if (!strchr(spec, '/') && builtin_dir && *spec) {
		if (asprintf(&pack, "%s%s%s.yml", builtin_dir,
			     has_suffix(builtin_dir, "/") ? "" : "/", spec) < 0)
			return lg_diag(d, LG_ERROR, NULL, 0, 0,
				       "out of memory while loading rules");
		if (stat(pack, &st) == 0 && S_ISREG(st.st_mode)) {
			ret = lg_ruleset_load_file(rs, pack, d);
			free(pack);
			return ret;
		}
		free(pack);
	}
	return unknown_spec(spec, builtin_dir, d);
}

/* ---- queries ------------------------------------------------------------ */

const struct lg_effect *lg_ruleset_lookup(const struct lg_ruleset *rs,
					  const char *callee, size_t *n)
{
	const struct lg_callee *c = find_callee(rs, callee, hash_name(callee));

	*n = c ? c->n : 0;
	return *n ? c->effects : NULL;
}

int lg_ruleset_find(const struct lg_ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->n_resources; i++)
		if (strcmp(rs->resources[i].id, id) == 0)
			return (int)i;
	return -1;
}

const char *lg_kind_name(enum lg_kind k)
{
	if ((size_t)k < N_KINDS)
		return kind_names[k];
	return "unknown";
}

/* One effect with its callee's name, for lg_ruleset_list. */
struct listed {
	const char *name;
	const struct lg_effect *e;
	unsigned ord;
};

static int compare_listed(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	if (x->e->resource != y->e->resource)
		return x->e->resource < y->e->resource ? -1 : 1;
	if (x->e->kind != y->e->kind)
		return x->e->kind < y->e->kind ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static void print_effect(FILE *out, const struct listed *l)
{
	const struct lg_effect *e = l->e;

	switch (e->site) {
	case LG_SITE_RETURN:
		fprintf(out, "%s() -> returns handle", l->name);
		break;
	case LG_SITE_OUT_ARG:
		fprintf(out, "%s() -> handle written through arg %d", l->name,
			e->arg);
		break;
	case LG_SITE_ARG:
		fprintf(out, "%s(arg %d)", l->name, e->arg);
		break;
	case LG_SITE_GLOBAL:   /* summaries only; rules never have it */
		fprintf(out, "%s(%s)", l->name, e->key ? e->key : "?");
		break;
	}
	if (e->kind == LG_EFFECT_ACQUIRE && e->success == LG_SUCCESS_ZERO)
		fputs(", acquired when the call returns 0", out);
	else if (e->kind == LG_EFFECT_ACQUIRE
		 && e->success == LG_SUCCESS_NONNEGATIVE)
		fputs(e->site == LG_SITE_RETURN
		      ? ", acquired when it is >= 0"
		      : ", acquired when the call returns >= 0", out);
	fputc('\n', out);
}

void lg_ruleset_list(const struct lg_ruleset *rs, FILE *out)
{
	static const char *const labels[] = {
		[LG_EFFECT_ACQUIRE] = "  acquire:  ",
		[LG_EFFECT_RELEASE] = "  release:  ",
		[LG_EFFECT_TRANSFER] = "  transfer: ",
	};
	struct listed *all;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < rs->table_size; i++)
		for (const struct lg_callee *c = rs->table[i]; c; c = c->next)
			n += c->n;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return;
	for (size_t i = 0; i < rs->table_size; i++)
		for (const struct lg_callee *c = rs->table[i]; c; c = c->next)
			for (size_t j = 0; j < c->n; j++)
				all[k++] = (struct listed){ c->name,
							    &c->effects[j],
							    c->ord[j] };
	qsort(all, n, sizeof(*all), compare_listed);
	k = 0;
	for (size_t r = 0; r < rs->n_resources; r++) {
		const struct lg_resource *res = &rs->resources[r];
		int last = -1;

		if (r)
			fputc('\n', out);
		fprintf(out, "%s (%s): %s\n", res->id, lg_kind_name(res->kind),
			res->description);
		for (; k < n && all[k].e->resource == r; k++) {
			fputs((int)all[k].e->kind == last ? "            "
			      : labels[all[k].e->kind], out);
			last = (int)all[k].e->kind;
			print_effect(out, &all[k]);
		}
		fprintf(out, "  defined in %s:%u\n", res->file, res->line);
	}
	free(all);
}

void lg_ruleset_release(struct lg_ruleset *rs)
{
	for (size_t i = 0; i < rs->n_resources; i++) {
		free(rs->resources[i].id);
		free(rs->resources[i].description);
		free(rs->resources[i].file);
	}
	free(rs->resources);
	for (size_t i = 0; i < rs->table_size; i++) {
		struct lg_callee *c = rs->table[i], *next;

		for (; c; c = next) {
			next = c->next;
			free_callee(c);
		}
	}
	free(rs->table);
	for (size_t i = 0; i < rs->n_loaded; i++)
		free(rs->loaded[i]);
	free(rs->loaded);
	lg_ruleset_init(rs);
}
