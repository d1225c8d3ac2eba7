/*
 * test_rules.c - unit tests of the rule loader (analyzer/rules.c).
 *
 * Usage: test_rules [RULES_DIR [RULES_BAD_DIR]].  RULES_DIR holds the
 * built-in packs (default: LEAKGATE_SOURCE_RULES_DIR), RULES_BAD_DIR the
 * invalid rule files of tests/rules-bad (default: RULES_DIR/../tests/rules-bad).
 *
 * Three groups: every built-in pack loads, alone and together, and its
 * lookups give the effects the pack means; lg_ruleset_list and lg_kind_name
 * print what they should; and every kind of invalid input gives exactly one
 * error, whose text, file, line and column are compared exactly, and leaves
 * the ruleset as it was.  The invalid inputs are files under rules-bad (one
 * per case) or, for the smaller variations, buffers in this file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules.h"

struct paths {
	const char *rules;  /* the built-in packs */
	const char *bad;    /* tests/rules-bad */
};

struct fixture {
	const struct paths *paths;
	struct lg_ruleset rs;
	struct lg_diags d;
	char path[4096];    /* scratch for paths built by a test */
	char tmp[64];       /* a temporary directory holding locked.yml,
			       when a test made one */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->paths = *state;
	lg_ruleset_init(&f->rs);
	lg_diags_init(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	lg_ruleset_release(&f->rs);
	lg_diags_release(&f->d);
	if (f->tmp[0]) {
		snprintf(f->path, sizeof(f->path), "%s/locked.yml", f->tmp);
		unlink(f->path);
		rmdir(f->tmp);
	}
	free(f);
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static const char *bad(struct fixture *f, const char *name)
{
	snprintf(f->path, sizeof(f->path), "%s/%s", f->paths->bad, name);
	return f->path;
}

static int load(struct fixture *f, const char *text)
{
	return lg_ruleset_load_buffer(&f->rs, "t.yml", text, strlen(text),
				      &f->d);
}

/* Asserts that the sink holds exactly one diagnostic, this error. */
static void assert_one_error(struct fixture *f, const char *file,
			     unsigned line, unsigned col, const char *msg)
{
	if (f->d.n != 1)
		lg_diags_print(&f->d, stderr, 0);
	assert_int_equal(f->d.n, 1);
	assert_int_equal(f->d.v[0].sev, LG_ERROR);
	if (file) {
		assert_non_null(f->d.v[0].file);
		assert_string_equal(f->d.v[0].file, file);
	} else {
		assert_null(f->d.v[0].file);
	}
	assert_string_equal(f->d.v[0].msg, msg);
	assert_int_equal(f->d.v[0].line, line);
	assert_int_equal(f->d.v[0].col, col);
}

/* Loads the bad file `name` and asserts its one error. */
static void assert_bad_file(struct fixture *f, const char *name,
			    unsigned line, unsigned col, const char *msg)
{
	char file[4096];

	snprintf(file, sizeof(file), "%s/%s", f->paths->bad, name);
	assert_int_equal(lg_ruleset_load_file(&f->rs, file, &f->d), -1);
	assert_one_error(f, file, line, col, msg);
	assert_int_equal(f->rs.n_resources, 0);
	assert_int_equal(f->rs.table_used, 0);
}

/* Loads the buffer and asserts its one error, in "t.yml". */
static void assert_bad_text(struct fixture *f, const char *text,
			    unsigned line, unsigned col, const char *msg)
{
	assert_int_equal(load(f, text), -1);
	assert_one_error(f, "t.yml", line, col, msg);
	assert_int_equal(f->rs.n_resources, 0);
}

static void assert_no_diags(struct fixture *f)
{
	if (f->d.n)
		lg_diags_print(&f->d, stderr, 0);
	assert_int_equal(f->d.n, 0);
}

/* The only effect of `callee`. */
static const struct lg_effect *only_effect(struct fixture *f,
					   const char *callee)
{
	size_t n;
	const struct lg_effect *e = lg_ruleset_lookup(&f->rs, callee, &n);

	assert_non_null(e);
	assert_int_equal(n, 1);
	return e;
}

static void assert_effect(const struct lg_effect *e, struct fixture *f,
			  enum lg_effect_kind kind, const char *resource,
			  enum lg_site site, int arg, enum lg_success success)
{
	int r = lg_ruleset_find(&f->rs, resource);

	assert_true(r >= 0);
	assert_int_equal(e->kind, kind);
	assert_int_equal(e->resource, r);
	assert_int_equal(e->site, site);
	assert_int_equal(e->arg, arg);
	if (kind == LG_EFFECT_ACQUIRE)
		assert_int_equal(e->success, success);
}

static void load_builtin(struct fixture *f)
{
	assert_int_equal(lg_ruleset_load_builtin(&f->rs, f->paths->rules,
						 &f->d), 0);
	assert_no_diags(f);
}

/* A resource with every kind of effect; the text of the schema's example. */
static const char pool_yml[] =
	"version: 1\n"
	"resources:\n"
	"  - id: pool-connection\n"
	"    kind: connection\n"
	"    description: Connection taken from the application's pool\n"
	"    acquire:\n"
	"      - function: pool_acquire\n"
	"        returns: handle\n"
	"    release:\n"
	"      - function: pool_release\n"
	"        arg: 1\n"
	"    transfer:\n"
	"      - function: pool_adopt\n"
	"        arg: 0\n";

/* The first five lines of a resource; acquire: follows on line 6. */
#define HEAD \
	"version: 1\n" \
	"resources:\n" \
	"  - id: x\n" \
	"    kind: connection\n" \
	"    description: X\n"
#define RELEASE \
	"    release:\n" \
	"      - function: x_close\n" \
	"        arg: 0\n"
/* HEAD, an acquire entry whose second key (line 8) is `site`, RELEASE. */
#define WITH_ACQUIRE(site) \
	HEAD \
	"    acquire:\n" \
	"      - function: x_open\n" \
	"        " site "\n" \
	RELEASE
/* HEAD, a valid acquire, and a release entry whose arg (line 11) is `arg`. */
#define WITH_RELEASE_ARG(arg) \
	HEAD \
	"    acquire:\n" \
	"      - function: x_open\n" \
	"        returns: handle\n" \
	"    release:\n" \
	"      - function: x_close\n" \
	"        arg: " arg "\n"

/* ---- the built-in packs ------------------------------------------------- */

static const char *const packs[] = {
	"hiredis", "libpq", "mysql", "odbc", "posix", "pthread", "sqlite3",
	"stdio",
};

static const char *const pack_ids[] = {
	"hiredis-context", "hiredis-reply",
	"libpq-connection", "libpq-result", "libpq-cancel", "libpq-memory",
	"mysql-connection", "mysql-result", "mysql-statement",
	"odbc-handle",
	"posix-fd",
	"pthread-mutex", "pthread-rwlock", "pthread-spinlock",
	"sqlite3-connection", "sqlite3-statement",
	"stdio-file", "stdio-pipe",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void rules__every_pack_loads_by_name(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < N_OF(packs); i++) {
		struct lg_ruleset rs;

		lg_ruleset_init(&rs);
		assert_int_equal(lg_ruleset_load_spec(&rs, packs[i],
						      f->paths->rules, &f->d),
				 0);
		assert_no_diags(f);
		assert_true(rs.n_resources >= 1);
		for (size_t r = 0; r < rs.n_resources; r++)
			assert_int_equal(strncmp(rs.resources[r].id, packs[i],
						 strlen(packs[i])), 0);
		lg_ruleset_release(&rs);
	}
}

static void rules__every_pack_loads_by_path(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < N_OF(packs); i++) {
		struct lg_ruleset rs;

		snprintf(f->path, sizeof(f->path), "%s/%s.yml",
			 f->paths->rules, packs[i]);
		lg_ruleset_init(&rs);
		assert_int_equal(lg_ruleset_load_spec(&rs, f->path, NULL,
						      &f->d), 0);
		assert_no_diags(f);
		assert_string_equal(rs.resources[0].file, f->path);
		lg_ruleset_release(&rs);
	}
}

static void rules__union_has_no_duplicate_ids(void **state)
{
	struct fixture *f = *state;

	load_builtin(f);
	assert_int_equal(f->rs.n_resources, N_OF(pack_ids));
	for (size_t i = 0; i < N_OF(pack_ids); i++)
		assert_true(lg_ruleset_find(&f->rs, pack_ids[i]) >= 0);
	/* The rules directory as a spec is the same union. */
	lg_ruleset_release(&f->rs);
	assert_int_equal(lg_ruleset_load_spec(&f->rs, f->paths->rules, NULL,
					      &f->d), 0);
	assert_no_diags(f);
	assert_int_equal(f->rs.n_resources, N_OF(pack_ids));
}

/* The same file named twice (a pack given with -r and again by a directory,
 * or by the project configuration) is loaded once, without complaint. */
static void rules__loading_the_packs_twice_loads_them_once(void **state)
{
	struct fixture *f = *state;
	size_t used;

	load_builtin(f);
	used = f->rs.table_used;
	assert_int_equal(lg_ruleset_load_builtin(&f->rs, f->paths->rules,
						 &f->d), 0);
	assert_no_diags(f);
	assert_int_equal(f->rs.n_resources, N_OF(pack_ids));
	assert_int_equal(f->rs.table_used, used);
	assert_int_equal(only_effect(f, "PQexec")->kind, LG_EFFECT_ACQUIRE);
}

static void rules__lookup_pqexec_acquires_a_result(void **state)
{
	struct fixture *f = *state;

	load_builtin(f);
	assert_effect(only_effect(f, "PQexec"), f, LG_EFFECT_ACQUIRE,
		      "libpq-result", LG_SITE_RETURN, -1, LG_SUCCESS_ALWAYS);
	assert_effect(only_effect(f, "PQclear"), f, LG_EFFECT_RELEASE,
		      "libpq-result", LG_SITE_ARG, 0, 0);
	assert_effect(only_effect(f, "PQconnectdb"), f, LG_EFFECT_ACQUIRE,
		      "libpq-connection", LG_SITE_RETURN, -1,
		      LG_SUCCESS_ALWAYS);
	assert_effect(only_effect(f, "PQfinish"), f, LG_EFFECT_RELEASE,
		      "libpq-connection", LG_SITE_ARG, 0, 0);
}

static void rules__lookup_sqlite3_open_v2_writes_arg_1(void **state)
{
	struct fixture *f = *state;

	load_builtin(f);
	assert_effect(only_effect(f, "sqlite3_open_v2"), f, LG_EFFECT_ACQUIRE,
		      "sqlite3-connection", LG_SITE_OUT_ARG, 1,
		      LG_SUCCESS_ALWAYS);
	/* a statement exists only when prepare returns SQLITE_OK */
	assert_effect(only_effect(f, "sqlite3_prepare_v2"), f,
		      LG_EFFECT_ACQUIRE, "sqlite3-statement", LG_SITE_OUT_ARG,
		      3, LG_SUCCESS_ZERO);
	assert_effect(only_effect(f, "sqlite3_prepare_v3"), f,
		      LG_EFFECT_ACQUIRE, "sqlite3-statement", LG_SITE_OUT_ARG,
		      4, LG_SUCCESS_ZERO);
	assert_effect(only_effect(f, "sqlite3_close_v2"), f, LG_EFFECT_RELEASE,
		      "sqlite3-connection", LG_SITE_ARG, 0, 0);
}

static void rules__lookup_trylock_succeeds_on_zero(void **state)
{
	struct fixture *f = *state;

	load_builtin(f);
	assert_effect(only_effect(f, "pthread_mutex_trylock"), f,
		      LG_EFFECT_ACQUIRE, "pthread-mutex", LG_SITE_ARG, 0,
		      LG_SUCCESS_ZERO);
	/* the blocking lock fails on misuse (EDEADLK) and returns nonzero */
	assert_effect(only_effect(f, "pthread_mutex_lock"), f,
		      LG_EFFECT_ACQUIRE, "pthread-mutex", LG_SITE_ARG, 0,
		      LG_SUCCESS_ZERO);
	assert_effect(only_effect(f, "pthread_rwlock_tryrdlock"), f,
		      LG_EFFECT_ACQUIRE, "pthread-rwlock", LG_SITE_ARG, 0,
		      LG_SUCCESS_ZERO);
	assert_effect(only_effect(f, "pthread_spin_unlock"), f,
		      LG_EFFECT_RELEASE, "pthread-spinlock", LG_SITE_ARG, 0, 0);
}

static void rules__lookup_open_succeeds_when_nonnegative(void **state)
{
	struct fixture *f = *state;

	load_builtin(f);
	assert_effect(only_effect(f, "open"), f, LG_EFFECT_ACQUIRE, "posix-fd",
		      LG_SITE_RETURN, -1, LG_SUCCESS_NONNEGATIVE);
	assert_effect(only_effect(f, "close"), f, LG_EFFECT_RELEASE,
		      "posix-fd", LG_SITE_ARG, 0, 0);
}

static void rules__lookup_odbc_alloc_handle(void **state)
{
	struct fixture *f = *state;

	load_builtin(f);
	assert_effect(only_effect(f, "SQLAllocHandle"), f, LG_EFFECT_ACQUIRE,
		      "odbc-handle", LG_SITE_OUT_ARG, 2, LG_SUCCESS_ZERO);
	assert_effect(only_effect(f, "SQLFreeHandle"), f, LG_EFFECT_RELEASE,
		      "odbc-handle", LG_SITE_ARG, 1, 0);
	assert_null(lg_ruleset_lookup(&f->rs, "SQLFreeStmt", &(size_t){ 1 }));
}

/* A name with effects from two packs keeps them in load order. */
static void rules__lookup_returns_every_effect_of_a_name(void **state)
{
	struct fixture *f = *state;
	const struct lg_effect *e;
	size_t n;

	load_builtin(f);
	e = lg_ruleset_lookup(&f->rs, "fdopen", &n);
	assert_int_equal(n, 2);
	assert_effect(&e[0], f, LG_EFFECT_TRANSFER, "posix-fd", LG_SITE_ARG,
		      0, 0);
	assert_effect(&e[1], f, LG_EFFECT_ACQUIRE, "stdio-file",
		      LG_SITE_RETURN, -1, LG_SUCCESS_ALWAYS);
	e = lg_ruleset_lookup(&f->rs, "freopen", &n);
	assert_int_equal(n, 2);
	assert_effect(&e[0], f, LG_EFFECT_ACQUIRE, "stdio-file",
		      LG_SITE_RETURN, -1, LG_SUCCESS_ALWAYS);
	assert_effect(&e[1], f, LG_EFFECT_RELEASE, "stdio-file", LG_SITE_ARG,
		      2, 0);
}

static void rules__lookup_of_an_unknown_name_is_null(void **state)
{
	struct fixture *f = *state;
	size_t n = 7;

	assert_null(lg_ruleset_lookup(&f->rs, "PQexec", &n));
	assert_int_equal(n, 0);
	load_builtin(f);
	n = 7;
	assert_null(lg_ruleset_lookup(&f->rs, "strlen", &n));
	assert_int_equal(n, 0);
	assert_int_equal(lg_ruleset_find(&f->rs, "no-such-id"), -1);
}

static void rules__schema_example_maps_to_effects(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, pool_yml), 0);
	assert_no_diags(f);
	assert_int_equal(f->rs.n_resources, 1);
	assert_string_equal(f->rs.resources[0].id, "pool-connection");
	assert_int_equal(f->rs.resources[0].kind, LG_KIND_CONNECTION);
	assert_string_equal(f->rs.resources[0].description,
			    "Connection taken from the application's pool");
	assert_string_equal(f->rs.resources[0].file, "t.yml");
	assert_int_equal(f->rs.resources[0].line, 3);
	assert_int_equal(f->rs.resources[0].col, 9);
	assert_effect(only_effect(f, "pool_acquire"), f, LG_EFFECT_ACQUIRE,
		      "pool-connection", LG_SITE_RETURN, -1,
		      LG_SUCCESS_ALWAYS);
	assert_effect(only_effect(f, "pool_release"), f, LG_EFFECT_RELEASE,
		      "pool-connection", LG_SITE_ARG, 1, 0);
	assert_effect(only_effect(f, "pool_adopt"), f, LG_EFFECT_TRANSFER,
		      "pool-connection", LG_SITE_ARG, 0, 0);
}

static void rules__many_callees_grow_the_table(void **state)
{
	struct fixture *f = *state;
	size_t cap = 1 << 16, len = 0;
	char *text = malloc(cap);

	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, HEAD "    acquire:\n");
	for (int i = 0; i < 500; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"      - function: open_%d\n"
					"        returns: handle\n", i);
	len += (size_t)snprintf(text + len, cap - len, RELEASE);
	assert_true(len < cap);
	assert_int_equal(load(f, text), 0);
	free(text);
	assert_no_diags(f);
	assert_int_equal(f->rs.table_used, 501);
	assert_true(f->rs.table_size >= 501);
	for (int i = 0; i < 500; i++) {
		char name[32];

		snprintf(name, sizeof(name), "open_%d", i);
		assert_int_equal(only_effect(f, name)->kind,
				 LG_EFFECT_ACQUIRE);
	}
}

/* ---- lg_ruleset_list and lg_kind_name ----------------------------------- */

static void rules__list_prints_one_block_per_resource(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	assert_int_equal(load(f, pool_yml), 0);
	assert_int_equal(load(f,
		"version: 1\n"
		"resources:\n"
		"  - id: fd\n"
		"    kind: file\n"
		"    description: File descriptor\n"
		"    acquire:\n"
		"      - function: open\n"
		"        returns: handle\n"
		"        success: nonnegative\n"
		"      - function: open_into\n"
		"        out_arg: 2\n"
		"        success: zero\n"
		"      - function: lock_fd\n"
		"        arg: 0\n"
		"    release:\n"
		"      - function: close\n"
		"        arg: 0\n"), 0);
	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	lg_ruleset_list(&f->rs, fp);
	fclose(fp);
	assert_string_equal(out,
		"pool-connection (connection): Connection taken from the application's pool\n"
		"  acquire:  pool_acquire() -> returns handle\n"
		"  release:  pool_release(arg 1)\n"
		"  transfer: pool_adopt(arg 0)\n"
		"  defined in t.yml:3\n"
		"\n"
		"fd (file): File descriptor\n"
		"  acquire:  open() -> returns handle, acquired when it is >= 0\n"
		"            open_into() -> handle written through arg 2, acquired when the call returns 0\n"
		"            lock_fd(arg 0)\n"
		"  release:  close(arg 0)\n"
		"  defined in t.yml:3\n");
	free(out);
}

static void rules__kind_names_are_the_schema_names(void **state)
{
	(void)state;
	assert_string_equal(lg_kind_name(LG_KIND_CONNECTION), "connection");
	assert_string_equal(lg_kind_name(LG_KIND_RESULT), "result");
	assert_string_equal(lg_kind_name(LG_KIND_STATEMENT), "statement");
	assert_string_equal(lg_kind_name(LG_KIND_FILE), "file");
	assert_string_equal(lg_kind_name(LG_KIND_LOCK), "lock");
	assert_string_equal(lg_kind_name(LG_KIND_MEMORY), "memory");
	assert_string_equal(lg_kind_name(LG_KIND_HANDLE), "handle");
}

/* ---- invalid input: files under rules-bad ------------------------------- */

static void rules__empty_file(void **state)
{
	assert_bad_file(*state, "empty.yml", 1, 1,
			"empty rule file (expected 'version: 1' and 'resources:')");
}

static void rules__yaml_syntax_error(void **state)
{
	assert_bad_file(*state, "syntax-error.yml", 9, 1,
			"yaml syntax error: found unexpected end of stream (while scanning a quoted scalar at 5:18)");
}

static void rules__wrong_type(void **state)
{
	assert_bad_file(*state, "wrong-type.yml", 11, 14,
			"expected a non-negative integer for 'arg', got 'x'");
}

static void rules__unknown_key(void **state)
{
	assert_bad_file(*state, "unknown-key.yml", 10, 9,
			"unknown key 'funtcion' in release entry (expected one of: function, arg)");
}

static void rules__missing_field(void **state)
{
	assert_bad_file(*state, "missing-field.yml", 3, 5,
			"missing required key 'acquire' in resource 'pool-connection'");
}

static void rules__duplicate_id_in_one_file(void **state)
{
	struct fixture *f = *state;
	char msg[4200];

	snprintf(msg, sizeof(msg),
		 "duplicate resource id 'pool-connection' (first defined at %s/duplicate-id.yml:3:9)",
		 f->paths->bad);
	assert_bad_file(f, "duplicate-id.yml", 12, 9, msg);
}

static void rules__duplicate_id_across_files(void **state)
{
	struct fixture *f = *state;
	char msg[4200], file[4200];

	snprintf(msg, sizeof(msg),
		 "duplicate resource id 'shared-conn' (first defined at %s/dup-across/a.yml:3:9)",
		 f->paths->bad);
	snprintf(file, sizeof(file), "%s/dup-across/b.yml", f->paths->bad);
	assert_int_equal(lg_ruleset_load_spec(&f->rs, bad(f, "dup-across"),
					      NULL, &f->d), -1);
	assert_one_error(f, file, 12, 9, msg);
	/* a.yml stays loaded; nothing of b.yml does. */
	assert_int_equal(f->rs.n_resources, 1);
	assert_int_equal(lg_ruleset_find(&f->rs, "other-conn"), -1);
	assert_null(lg_ruleset_lookup(&f->rs, "other_open", &(size_t){ 0 }));
	assert_null(lg_ruleset_lookup(&f->rs, "shared_open2", &(size_t){ 0 }));
	assert_int_equal(f->rs.table_used, 2);
}

/* A directory loads *.yaml too, in name order: a.yaml before b.yml. */
static void rules__directory_loads_yaml_files_in_name_order(void **state)
{
	struct fixture *f = *state;
	char msg[4200], file[4200];

	snprintf(msg, sizeof(msg),
		 "duplicate resource id 'ext-conn' (first defined at %s/yaml-ext/a.yaml:4:9)",
		 f->paths->bad);
	snprintf(file, sizeof(file), "%s/yaml-ext/b.yml", f->paths->bad);
	assert_int_equal(lg_ruleset_load_spec(&f->rs, bad(f, "yaml-ext"), NULL,
					      &f->d), -1);
	assert_one_error(f, file, 3, 9, msg);
	assert_int_equal(f->rs.n_resources, 1);
	assert_non_null(lg_ruleset_lookup(&f->rs, "ext_open", &(size_t){ 0 }));
}

static void rules__duplicate_id_across_buffers(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(lg_ruleset_load_buffer(&f->rs, "a.yml", pool_yml,
						strlen(pool_yml), &f->d), 0);
	assert_int_equal(load(f, pool_yml), -1);
	assert_one_error(f, "t.yml", 3, 9,
			 "duplicate resource id 'pool-connection' (first defined at a.yml:3:9)");
	assert_int_equal(f->rs.n_resources, 1);
}

static void rules__bad_kind(void **state)
{
	assert_bad_file(*state, "bad-kind.yml", 4, 11,
			"unknown kind 'conection' (expected one of: connection, result, statement, file, lock, memory, handle)");
}

static void rules__version_2(void **state)
{
	assert_bad_file(*state, "version-2.yml", 1, 10,
			"unsupported rule file version 2 (expected 1)");
}

static void rules__two_sites_in_one_acquire(void **state)
{
	assert_bad_file(*state, "two-sites.yml", 9, 9,
			"conflicting keys 'returns' and 'out_arg' in acquire entry (expected exactly one of: returns, out_arg, arg)");
}

static void rules__alias_bomb_is_refused(void **state)
{
	assert_bad_file(*state, "alias-bomb.yml", 2, 4,
			"anchors and aliases are not supported in rule files (found anchor '&a')");
}

static void rules__top_level_not_a_mapping(void **state)
{
	assert_bad_file(*state, "not-a-mapping.yml", 1, 1,
			"expected a mapping at the top level");
}

static void rules__duplicate_key(void **state)
{
	assert_bad_file(*state, "duplicate-key.yml", 12, 9,
			"duplicate key 'arg' in release entry (first given at 11:9)");
}

static void rules__directory_without_rule_files(void **state)
{
	struct fixture *f = *state;
	const char *dir = bad(f, "no-rules");

	assert_int_equal(lg_ruleset_load_spec(&f->rs, dir, NULL, &f->d), -1);
	assert_one_error(f, dir, 0, 0,
			 "no rule files (*.yml or *.yaml) in this directory");
}

static void rules__unknown_pack_name(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(lg_ruleset_load_spec(&f->rs, "libpg", f->paths->rules,
					      &f->d), -1);
	assert_one_error(f, NULL, 0, 0,
			 "unknown rule pack or file 'libpg' (built-in packs: hiredis, libpq, mysql, odbc, posix, pthread, sqlite3, stdio)");
}

static void rules__unknown_path(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(lg_ruleset_load_spec(&f->rs, "no/such/rules.yml",
					      f->paths->rules, &f->d), -1);
	assert_one_error(f, NULL, 0, 0,
			 "unknown rule pack or file 'no/such/rules.yml' (built-in packs: hiredis, libpq, mysql, odbc, posix, pthread, sqlite3, stdio)");
}

static void rules__unreadable_file(void **state)
{
	struct fixture *f = *state;
	const char *missing = bad(f, "no-such-file.yml");

	assert_int_equal(lg_ruleset_load_file(&f->rs, missing, &f->d), -1);
	assert_one_error(f, missing, 0, 0,
			 "cannot read rule file: No such file or directory");
	lg_diags_release(&f->d);

	/* A directory given where a file is expected. */
	assert_int_equal(lg_ruleset_load_file(&f->rs, f->paths->bad, &f->d),
			 -1);
	assert_one_error(f, f->paths->bad, 0, 0,
			 "cannot read rule file: Is a directory");
}

static void rules__file_without_read_permission(void **state)
{
	struct fixture *f = *state;
	FILE *fp;

	if (geteuid() == 0)
		skip(); /* root reads it anyway */
	strcpy(f->tmp, "/tmp/test_rules.XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	snprintf(f->path, sizeof(f->path), "%s/locked.yml", f->tmp);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs(pool_yml, fp);
	fclose(fp);
	assert_int_equal(chmod(f->path, 0), 0);
	assert_int_equal(lg_ruleset_load_spec(&f->rs, f->path, NULL, &f->d),
			 -1);
	assert_one_error(f, f->path, 0, 0,
			 "cannot read rule file: Permission denied");
}

static void rules__failed_file_leaves_ruleset_unchanged(void **state)
{
	struct fixture *f = *state;
	char file[4200];
	size_t used, n;

	assert_int_equal(load(f, pool_yml), 0);
	used = f->rs.table_used;
	/* Its first resource is valid and shares pool_release; its second
	 * is not. */
	snprintf(file, sizeof(file), "%s/partly-valid.yml", f->paths->bad);
	assert_int_equal(lg_ruleset_load_file(&f->rs, file, &f->d), -1);
	assert_one_error(f, file, 19, 9,
			 "missing required key 'arg' in release entry");
	assert_int_equal(f->rs.n_resources, 1);
	assert_int_equal(f->rs.table_used, used);
	assert_int_equal(lg_ruleset_find(&f->rs, "cache-handle"), -1);
	assert_null(lg_ruleset_lookup(&f->rs, "cache_open", &n));
	assert_null(lg_ruleset_lookup(&f->rs, "broken_open", &n));
	assert_effect(only_effect(f, "pool_release"), f, LG_EFFECT_RELEASE,
		      "pool-connection", LG_SITE_ARG, 1, 0);
	/* and it still takes a good file afterwards. */
	lg_diags_release(&f->d);
	load_builtin(f);
	assert_int_equal(f->rs.n_resources, 1 + N_OF(pack_ids));
}

/* ---- invalid input: buffers --------------------------------------------- */

static void rules__empty_buffer(void **state)
{
	assert_bad_text(*state, "", 1, 1,
			"empty rule file (expected 'version: 1' and 'resources:')");
}

static void rules__document_of_nothing_but_null(void **state)
{
	assert_bad_text(*state, "---\n~\n", 2, 1,
			"empty rule file (expected 'version: 1' and 'resources:')");
}

static void rules__second_document(void **state)
{
	assert_bad_text(*state, "version: 1\n---\nversion: 1\n", 2, 1,
			"unexpected second document (a rule file holds one document)");
}

static void rules__unclosed_flow_sequence(void **state)
{
	assert_bad_text(*state, "version: 1\nresources: [\n", 3, 1,
			"yaml syntax error: did not find expected node content (while parsing a flow node at 3:1)");
}

static void rules__invalid_utf8(void **state)
{
	assert_bad_text(*state, "version: 1\nresources: \xff\n", 2, 12,
			"yaml syntax error: invalid leading UTF-8 octet");
}

static void rules__tag_is_refused(void **state)
{
	assert_bad_text(*state, "version: !!int 1\n", 1, 10,
			"tags are not supported in rule files (found tag 'tag:yaml.org,2002:int')");
}

static void rules__alias_is_refused(void **state)
{
	assert_bad_text(*state, "version: *v\n", 1, 10,
			"anchors and aliases are not supported in rule files (found alias '*v')");
}

static void rules__version_missing(void **state)
{
	assert_bad_text(*state, "resources: []\n", 1, 1,
			"missing required key 'version' at the top level");
}

static void rules__version_not_an_integer(void **state)
{
	assert_bad_text(*state, "version: one\nresources: []\n", 1, 10,
			"expected 1 for 'version', got 'one'");
}

static void rules__version_quoted(void **state)
{
	assert_bad_text(*state, "version: \"1\"\nresources: []\n", 1, 10,
			"expected 1 for 'version', got the string '1'");
}

static void rules__unknown_top_level_key(void **state)
{
	assert_bad_text(*state, "version: 1\nresource: []\n", 2, 1,
			"unknown key 'resource' at the top level (expected one of: version, resources)");
}

static void rules__resources_empty(void **state)
{
	assert_bad_text(*state, "version: 1\nresources: []\n", 2, 12,
			"expected a non-empty sequence for 'resources', got an empty sequence");
}

static void rules__resource_not_a_mapping(void **state)
{
	assert_bad_text(*state, "version: 1\nresources:\n  - pool\n", 3, 5,
			"expected a mapping for each entry of 'resources', got 'pool'");
}

static void rules__missing_id(void **state)
{
	assert_bad_text(*state,
			"version: 1\nresources:\n  - kind: file\n", 3, 5,
			"missing required key 'id' in resource entry");
}

static void rules__invalid_id(void **state)
{
	assert_bad_text(*state,
			"version: 1\n"
			"resources:\n"
			"  - id: -pool\n"
			"    kind: file\n"
			"    description: X\n"
			"    acquire: []\n"
			"    release: []\n", 3, 9,
			"invalid resource id '-pool' (expected letters, digits, '.', '_' and '-', starting with a letter or digit)");
}

static void rules__kind_not_a_scalar(void **state)
{
	assert_bad_text(*state,
			"version: 1\n"
			"resources:\n"
			"  - id: x\n"
			"    kind: [file]\n"
			"    description: X\n"
			"    acquire: []\n"
			"    release: []\n", 4, 11,
			"expected a string for 'kind', got a sequence");
}

static void rules__description_missing(void **state)
{
	assert_bad_text(*state,
			"version: 1\n"
			"resources:\n"
			"  - id: x\n"
			"    kind: file\n"
			"    acquire: []\n"
			"    release: []\n", 3, 5,
			"missing required key 'description' in resource 'x'");
}

static void rules__description_of_two_lines(void **state)
{
	assert_bad_text(*state,
			"version: 1\n"
			"resources:\n"
			"  - id: x\n"
			"    kind: file\n"
			"    description: |\n"
			"      two\n"
			"      lines\n"
			"    acquire: []\n"
			"    release: []\n", 5, 18,
			"expected one line of text for 'description'");
}

static void rules__acquire_empty(void **state)
{
	assert_bad_text(*state, HEAD "    acquire: []\n" RELEASE, 6, 14,
			"expected a non-empty sequence for 'acquire', got an empty sequence");
}

static void rules__acquire_null(void **state)
{
	assert_bad_text(*state, HEAD "    acquire:\n" RELEASE, 6, 13,
			"expected a non-empty sequence for 'acquire', got an empty value");
}

static void rules__entry_not_a_mapping(void **state)
{
	assert_bad_text(*state, HEAD "    acquire:\n      - x_open\n" RELEASE,
			7, 9,
			"expected a mapping for each entry of 'acquire', got 'x_open'");
}

static void rules__no_site_in_acquire(void **state)
{
	assert_bad_text(*state, WITH_ACQUIRE("success: zero"), 7, 9,
			"missing 'returns', 'out_arg' or 'arg' in acquire entry for 'x_open' (expected exactly one)");
}

static void rules__three_sites_in_acquire(void **state)
{
	assert_bad_text(*state,
			WITH_ACQUIRE("arg: 0\n        out_arg: 1\n        returns: handle"),
			9, 9,
			"conflicting keys 'arg' and 'out_arg' in acquire entry (expected exactly one of: returns, out_arg, arg)");
}

static void rules__returns_other_than_handle(void **state)
{
	assert_bad_text(*state, WITH_ACQUIRE("returns: pointer"), 8, 18,
			"expected 'handle' for 'returns', got 'pointer'");
}

static void rules__unknown_success(void **state)
{
	assert_bad_text(*state,
			WITH_ACQUIRE("returns: handle\n        success: positive"),
			9, 18,
			"expected 'zero' or 'nonnegative' for 'success', got 'positive'");
}

static void rules__unknown_key_in_acquire(void **state)
{
	assert_bad_text(*state, WITH_ACQUIRE("return: handle"), 8, 9,
			"unknown key 'return' in acquire entry (expected one of: function, returns, out_arg, arg, success)");
}

static void rules__invalid_function_name(void **state)
{
	assert_bad_text(*state,
			HEAD "    acquire:\n"
			"      - function: x open\n"
			"        returns: handle\n" RELEASE, 7, 19,
			"invalid function name 'x open' (expected a C identifier)");
}

static void rules__function_listed_twice(void **state)
{
	assert_bad_text(*state,
			HEAD "    acquire:\n"
			"      - function: x_open\n"
			"        returns: handle\n"
			"      - function: x_open\n"
			"        out_arg: 0\n" RELEASE, 9, 19,
			"function 'x_open' is listed twice in 'acquire' of resource 'x' (first at 7:19)");
}

static void rules__arg_negative(void **state)
{
	assert_bad_text(*state, WITH_RELEASE_ARG("-1"), 11, 14,
			"expected a non-negative integer for 'arg', got '-1'");
}

static void rules__arg_fraction(void **state)
{
	assert_bad_text(*state, WITH_RELEASE_ARG("1.5"), 11, 14,
			"expected a non-negative integer for 'arg', got '1.5'");
}

static void rules__arg_quoted(void **state)
{
	assert_bad_text(*state, WITH_RELEASE_ARG("\"x\""), 11, 14,
			"expected a non-negative integer for 'arg', got the string 'x'");
}

static void rules__arg_too_large(void **state)
{
	assert_bad_text(*state, WITH_RELEASE_ARG("256"), 11, 14,
			"argument index 256 for 'arg' is out of range (expected 0 to 255)");
}

static void rules__arg_255_is_accepted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, WITH_RELEASE_ARG("255")), 0);
	assert_no_diags(f);
	assert_int_equal(only_effect(f, "x_close")->arg, 255);
}

static void rules__out_arg_not_an_integer(void **state)
{
	assert_bad_text(*state, WITH_ACQUIRE("out_arg: [1]"), 8, 18,
			"expected a non-negative integer for 'out_arg', got a sequence");
}

static void rules__release_arg_missing(void **state)
{
	assert_bad_text(*state,
			HEAD "    acquire:\n"
			"      - function: x_open\n"
			"        returns: handle\n"
			"    release:\n"
			"      - function: x_close\n", 10, 9,
			"missing required key 'arg' in release entry");
}

static void rules__unknown_key_in_transfer(void **state)
{
	assert_bad_text(*state,
			HEAD "    acquire:\n"
			"      - function: x_open\n"
			"        returns: handle\n" RELEASE
			"    transfer:\n"
			"      - function: x_adopt\n"
			"        argument: 0\n", 14, 9,
			"unknown key 'argument' in transfer entry (expected one of: function, arg)");
}

static void rules__unknown_key_in_resource(void **state)
{
	assert_bad_text(*state, HEAD "    owner: me\n", 6, 5,
			"unknown key 'owner' in resource 'x' (expected one of: id, kind, description, acquire, release, transfer)");
}

int main(int argc, char **argv)
{
	char bad_dir[4096];
	struct paths paths;

#ifdef LEAKGATE_SOURCE_RULES_DIR
	paths.rules = argc > 1 ? argv[1] : LEAKGATE_SOURCE_RULES_DIR;
#else
	if (argc < 2) {
		fprintf(stderr, "usage: %s RULES_DIR [RULES_BAD_DIR]\n", argv[0]);
		return 2;
	}
	paths.rules = argv[1];
#endif
	snprintf(bad_dir, sizeof(bad_dir), "%s/../tests/rules-bad",
		 paths.rules);
	paths.bad = argc > 2 ? argv[2] : bad_dir;

#define T(name) cmocka_unit_test_prestate_setup_teardown(name, setup, \
							  teardown, &paths)
	const struct CMUnitTest tests[] = {
		T(rules__every_pack_loads_by_name),
		T(rules__every_pack_loads_by_path),
		T(rules__union_has_no_duplicate_ids),
		T(rules__loading_the_packs_twice_loads_them_once),
		T(rules__lookup_pqexec_acquires_a_result),
		T(rules__lookup_sqlite3_open_v2_writes_arg_1),
		T(rules__lookup_trylock_succeeds_on_zero),
		T(rules__lookup_open_succeeds_when_nonnegative),
		T(rules__lookup_odbc_alloc_handle),
		T(rules__lookup_returns_every_effect_of_a_name),
		T(rules__lookup_of_an_unknown_name_is_null),
		T(rules__schema_example_maps_to_effects),
		T(rules__many_callees_grow_the_table),
		T(rules__list_prints_one_block_per_resource),
		T(rules__kind_names_are_the_schema_names),
		T(rules__empty_file),
		T(rules__yaml_syntax_error),
		T(rules__wrong_type),
		T(rules__unknown_key),
		T(rules__missing_field),
		T(rules__duplicate_id_in_one_file),
		T(rules__duplicate_id_across_files),
		T(rules__directory_loads_yaml_files_in_name_order),
		T(rules__duplicate_id_across_buffers),
		T(rules__bad_kind),
		T(rules__version_2),
		T(rules__two_sites_in_one_acquire),
		T(rules__alias_bomb_is_refused),
		T(rules__top_level_not_a_mapping),
		T(rules__duplicate_key),
		T(rules__directory_without_rule_files),
		T(rules__unknown_pack_name),
		T(rules__unknown_path),
		T(rules__unreadable_file),
		T(rules__file_without_read_permission),
		T(rules__failed_file_leaves_ruleset_unchanged),
		T(rules__empty_buffer),
		T(rules__document_of_nothing_but_null),
		T(rules__second_document),
		T(rules__unclosed_flow_sequence),
		T(rules__invalid_utf8),
		T(rules__tag_is_refused),
		T(rules__alias_is_refused),
		T(rules__version_missing),
		T(rules__version_not_an_integer),
		T(rules__version_quoted),
		T(rules__unknown_top_level_key),
		T(rules__resources_empty),
		T(rules__resource_not_a_mapping),
		T(rules__missing_id),
		T(rules__invalid_id),
		T(rules__kind_not_a_scalar),
		T(rules__description_missing),
		T(rules__description_of_two_lines),
		T(rules__acquire_empty),
		T(rules__acquire_null),
		T(rules__entry_not_a_mapping),
		T(rules__no_site_in_acquire),
		T(rules__three_sites_in_acquire),
		T(rules__returns_other_than_handle),
		T(rules__unknown_success),
		T(rules__unknown_key_in_acquire),
		T(rules__invalid_function_name),
		T(rules__function_listed_twice),
		T(rules__arg_negative),
		T(rules__arg_fraction),
		T(rules__arg_quoted),
		T(rules__arg_too_large),
		T(rules__arg_255_is_accepted),
		T(rules__out_arg_not_an_integer),
		T(rules__release_arg_missing),
		T(rules__unknown_key_in_transfer),
		T(rules__unknown_key_in_resource),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
