/*
 * rules.h - what counts as acquiring, releasing and handing on a resource.
 *
 * Rule files are YAML (schema in README.md, "Rule files"), read with libyaml
 * and validated strictly: unknown keys, wrong types, missing fields and
 * duplicate resource ids are errors naming file:line:column.  A ruleset is
 * the union of every file loaded into it; the analysis sees it only as a
 * table from a callee's name to the effects of calling it (lg_ruleset_lookup).
 *
 * Call order: lg_ruleset_init, any number of lg_ruleset_load_*, then lookups
 * (read-only, safe from several threads at once), then lg_ruleset_release.
 *
 * Ownership: the ruleset owns every string and array it hands out; pointers
 * returned by lookups stay valid until lg_ruleset_release.
 */
#ifndef LEAKGATE_RULES_H
#define LEAKGATE_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

enum lg_kind {
	LG_KIND_CONNECTION,
	LG_KIND_RESULT,
	LG_KIND_STATEMENT,
	LG_KIND_FILE,
	LG_KIND_LOCK,
	LG_KIND_MEMORY,
	LG_KIND_HANDLE,
};

/* Where the resource is, relative to the call that has the effect. */
enum lg_site {
	LG_SITE_RETURN,  /* the return value is the handle (acquire only) */
	LG_SITE_OUT_ARG, /* the handle is written through pointer argument `arg` */
	LG_SITE_ARG,     /* the resource is the object passed as argument `arg` */
	LG_SITE_GLOBAL,  /* summaries only: a lock named by `key` ("&g_lock") */
};

/* Classes of values, as the analysis follows them. */
#define LG_CLASS_NEG  1
#define LG_CLASS_ZERO 2
#define LG_CLASS_POS  4
#define LG_CLASS_ALL  7

/* When an acquiring call actually acquired something. */
enum lg_success {
	LG_SUCCESS_ALWAYS,      /* key absent: RETURN acquires unless NULL;
				   OUT_ARG and ARG always acquire */
	LG_SUCCESS_ZERO,        /* only when the call returns 0 */
	LG_SUCCESS_NONNEGATIVE, /* only when the call returns >= 0; with
				   RETURN: the handle itself is >= 0 (a file
				   descriptor) and negative means nothing */
};

enum lg_effect_kind {
	LG_EFFECT_ACQUIRE,
	LG_EFFECT_RELEASE,
	LG_EFFECT_TRANSFER,
	LG_EFFECT_STOP,      /* summaries only: the call never returns */
};

struct lg_effect {
	enum lg_effect_kind kind;
	uint32_t resource;       /* index into lg_ruleset.resources; for a
				    summary's RELEASE/TRANSFER of a parameter:
				    LG_ANY_RESOURCE */
	enum lg_site site;       /* RELEASE and TRANSFER: LG_SITE_ARG (or
				    LG_SITE_GLOBAL in summaries) */
	int arg;                 /* 0-based argument index; -1 with RETURN */
	enum lg_success success; /* ACQUIRE only */
	/* Rules leave the rest zero; function summaries (summary.h) set it. */
	uint8_t mask;            /* ACQUIRE: return-value classes on which it
				    acquired (0: as `success` says); RELEASE:
				    classes on which the argument is still held
				    afterwards (0: released on every path) */
	uint8_t fd_like;         /* ACQUIRE RETURN: a negative handle holds
				    nothing (as with `success: nonnegative`) */
	uint8_t if_empty;        /* ACQUIRE OUT_ARG: only into a place that is
				    empty (a cache filled on first use,
				    `if (!p->stmt) prepare(&p->stmt)`): a
				    place that holds one keeps it */
	const char *field;       /* the place below the argument the effect is
				    on: "*" (what it points to), "->conn" (a
				    field); NULL: the argument itself */
	const char *key;         /* LG_SITE_GLOBAL: the lock's text */
	const char *via;         /* ACQUIRE through wrappers: the chain,
				    "get_conn() -> pool_acquire()" */
};

#define LG_ANY_RESOURCE UINT32_MAX

struct lg_resource {
	char *id;          /* the finding's rule id, e.g. "pool-connection" */
	enum lg_kind kind;
	char *description;
	char *file;        /* the rule file that defined it */
	unsigned line;     /* where its id is given (the `- id:` line) */
	unsigned col;      /* and the column of the id's value, 1-based */
};

struct lg_callee;  /* private: one hash-table entry */

struct lg_ruleset {
	struct lg_resource *resources;
	size_t n_resources, cap_resources;
	struct lg_callee **table; /* open hashing by callee name */
	size_t table_size, table_used;
	char **loaded;            /* real paths of the files loaded: loading
				     one again is a no-op */
	size_t n_loaded;
};

void lg_ruleset_init(struct lg_ruleset *rs);

/* Loads one YAML rule file.  0 on success; -1 with an error in `d`.  A file
 * already loaded into this ruleset (by its real path) is not loaded again. */
int lg_ruleset_load_file(struct lg_ruleset *rs, const char *path,
			 struct lg_diags *d);

/* Loads the YAML text `buf` as if it were the file `name` (tests, fuzzing). */
int lg_ruleset_load_buffer(struct lg_ruleset *rs, const char *name,
			   const char *buf, size_t len, struct lg_diags *d);

/*
 * Loads `spec`: a rule file, a directory (every *.yml and *.yaml in it, in
 * name order), or the name of a built-in pack (`builtin_dir`/NAME.yml).
 * An unknown pack name is an error that lists the packs there are.
 */
int lg_ruleset_load_spec(struct lg_ruleset *rs, const char *spec,
			 const char *builtin_dir, struct lg_diags *d);

/* Loads every pack of `builtin_dir`. */
int lg_ruleset_load_builtin(struct lg_ruleset *rs, const char *builtin_dir,
			    struct lg_diags *d);

/* The effects of calling `callee`; NULL (and *n = 0) when it has none. */
const struct lg_effect *lg_ruleset_lookup(const struct lg_ruleset *rs,
					  const char *callee, size_t *n);

/* Index of the resource with this id, or -1. */
int lg_ruleset_find(const struct lg_ruleset *rs, const char *id);

/* Prints one block per resource: id, kind, description, and its acquire,
 * release and transfer functions (the --list-rules output). */
void lg_ruleset_list(const struct lg_ruleset *rs, FILE *out);

void lg_ruleset_release(struct lg_ruleset *rs);

const char *lg_kind_name(enum lg_kind k);

#endif
