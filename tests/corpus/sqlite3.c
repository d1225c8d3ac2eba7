/*
 * sqlite3.c - SQLite: sqlite3-connection (sqlite3_open, _open16, _open_v2
 * write the handle through argument 1 -> sqlite3_close, sqlite3_close_v2)
 * and sqlite3-statement (sqlite3_prepare, _v2 through argument 3, _v3
 * through argument 4 -> sqlite3_finalize).
 *
 * sqlite3_open() allocates the handle even when it fails: that handle
 * still needs sqlite3_close().  A failed prepare leaves *ppStmt NULL:
 * nothing to finalize.  Functions that take a sqlite3 * parameter only
 * borrow it.
 */
#include <sqlite3.h>
#include <stdio.h>

/* ---- Connections --------------------------------------------------------- */

/* The failed open is not closed. */
int leak_open_fails(const char *path)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "open %s: %s\n", path, sqlite3_errmsg(db));
		return -1;		// expect: leak sqlite3-connection
	}
	int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

int ok_open_fails(const char *path)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "open %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* Opened read-only and handed to the caller; closed with _v2 on failure. */
int ok_open_v2_out(const char *path, sqlite3 **out)
{
	sqlite3 *db;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close_v2(db);
		return rc;
	}
	*out = db;
	return SQLITE_OK;
}

/* The busy-timeout failure returns with the handle open. */
int leak_open_v2_setup_fails(const char *path, sqlite3 **out)
{
	sqlite3 *db;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return rc;
	}
	rc = sqlite3_busy_timeout(db, 5000);
	if (rc != SQLITE_OK)
		return rc;		// expect: leak sqlite3-connection
	*out = db;
	return SQLITE_OK;
}

/* The UTF-16 open is never closed on success. */
int leak_open16_never_closed(const void *path16)
{
	sqlite3 *db;
	int rc = sqlite3_open16(path16, &db);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return rc;
	}
	return sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL);	// expect: leak sqlite3-connection
}

/* ---- Statements ---------------------------------------------------------- */

/* Finalized on one branch only. */
int leak_finalize_on_one_branch(sqlite3 *db)
{
	sqlite3_stmt *stmt;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	int n = -1;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		n = sqlite3_column_int(stmt, 0);
		sqlite3_finalize(stmt);
	}
	return n;			// expect: leak sqlite3-statement
}

/* A failed prepare leaves stmt NULL: returning without finalize is fine. */
int ok_prepare_fails_step_loop(sqlite3 *db, int min_age)
{
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v2(db, "SELECT name FROM users WHERE age >= ?", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int(stmt, 1, min_age);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		puts((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The step loop ends in an error and returns without finalize. */
int leak_step_error_returns(sqlite3 *db, int min_age)
{
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v2(db, "SELECT name FROM users WHERE age >= ?", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int(stmt, 1, min_age);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		puts((const char *)sqlite3_column_text(stmt, 0));
	if (rc != SQLITE_DONE)
		return rc;		// expect: leak sqlite3-statement
	sqlite3_finalize(stmt);
	return SQLITE_OK;
}

/* The NULL test on the statement itself. */
int ok_prepare_null_test(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	sqlite3_prepare_v2(db, "DELETE FROM sessions WHERE expires < strftime('%s')", -1, &stmt, NULL);
	if (stmt == NULL)
		return -1;
	int rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The legacy sqlite3_prepare: the bind failure returns with the statement. */
int leak_legacy_prepare_bind_fails(sqlite3 *db, const char *name)
{
	sqlite3_stmt *stmt;
	if (sqlite3_prepare(db, "INSERT INTO users(name) VALUES (?)", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT) != SQLITE_OK)
		return -1;		// expect: leak sqlite3-statement
	int rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* sqlite3_prepare_v3 writes the statement through argument 4: kept by
 * the caller. */
int ok_prepare_v3_cached(sqlite3 *db, sqlite3_stmt **cache)
{
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v3(db, "SELECT value FROM kv WHERE key = ?", -1,
				    SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	*cache = stmt;
	return SQLITE_OK;
}

/* sqlite3_prepare_v3, finalized on every path. */
int ok_prepare_v3_finalized(sqlite3 *db, const char *key)
{
	sqlite3_stmt *stmt;
	if (sqlite3_prepare_v3(db, "DELETE FROM kv WHERE key = ?", -1, 0, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(stmt);
		return -1;
	}
	int rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- Both ---------------------------------------------------------------- */

/* The step failure leaves both the statement and the connection behind. */
int leak_connection_and_statement(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "CREATE TABLE IF NOT EXISTS t(x)", -1, &stmt, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return -1;		// expect: leak sqlite3-connection, leak sqlite3-statement
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return 0;
}

int ok_connection_and_statement(const char *path)
{
	int rc = -1;
	sqlite3 *db;
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto close;
	if (sqlite3_prepare_v2(db, "CREATE TABLE IF NOT EXISTS t(x)", -1, &stmt, NULL) != SQLITE_OK)
		goto close;
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(stmt);
close:
	sqlite3_close(db);
	return rc;
}

/* ---- Statements prepared once and kept ----------------------------------- */

/* A cache of statements, each prepared on first use and finalized when the
 * cache is closed: its getters hand out borrowed statements. */
struct stmt_cache {
	sqlite3 *db;
	sqlite3_stmt *find;
	sqlite3_stmt *touch;
};

static sqlite3_stmt *h_cached_find(struct stmt_cache *c)
{
	if (c->find == NULL)
		sqlite3_prepare_v2(c->db, "SELECT v FROM t WHERE k = ?", -1, &c->find, NULL);
	return c->find;
}

static void h_prepare_touch(struct stmt_cache *c)
{
	if (!c->touch)
		sqlite3_prepare_v2(c->db, "UPDATE t SET n = n + 1 WHERE k = ?", -1,
				   &c->touch, NULL);
}

void h_stmt_cache_close(struct stmt_cache *c)
{
	sqlite3_finalize(c->find);
	sqlite3_finalize(c->touch);
	c->find = c->touch = NULL;
}

/* The statement belongs to the cache: returning early leaks nothing. */
int ok_lookup_through_cache(struct stmt_cache *c, int key)
{
	sqlite3_stmt *s = h_cached_find(c);
	if (s == NULL)
		return -1;
	if (sqlite3_bind_int(s, 1, key) != SQLITE_OK)
		return -1;
	int found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

/* Filling the cache a second time keeps the first statement. */
int ok_touch_twice(struct stmt_cache *c, int key)
{
	h_prepare_touch(c);
	h_prepare_touch(c);
	if (!c->touch)
		return -1;
	sqlite3_bind_int(c->touch, 1, key);
	sqlite3_step(c->touch);
	return sqlite3_reset(c->touch);
}

/* Each pass fills the cache only the first time. */
void ok_touch_in_a_loop(struct stmt_cache *c, const int *keys, int n)
{
	for (int i = 0; i < n; i++) {
		h_prepare_touch(c);
		sqlite3_bind_int(c->touch, 1, keys[i]);
		sqlite3_step(c->touch);
		sqlite3_reset(c->touch);
	}
}

/* The same with a cache on the stack, closed at the end. */
int ok_touch_twice_on_the_stack(sqlite3 *db)
{
	struct stmt_cache c = { db, NULL, NULL };
	h_prepare_touch(&c);
	h_prepare_touch(&c);
	int rc = sqlite3_step(c.touch);
	h_stmt_cache_close(&c);
	return rc;
}

/* A cache on the stack is this function's to close. */
int leak_cache_on_the_stack(sqlite3 *db)
{
	struct stmt_cache c = { db, NULL, NULL };
	int found = sqlite3_step(h_cached_find(&c)) == SQLITE_ROW;
	return found;			// expect: leak sqlite3-statement
}

/* A getter that prepares a statement of its own hands it over: the caller
 * finalizes it. */
static sqlite3_stmt *h_fresh_find(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	sqlite3_prepare_v2(db, "SELECT v FROM t WHERE k = ?", -1, &s, NULL);
	return s;
}

int leak_fresh_statement(sqlite3 *db, int key)
{
	sqlite3_stmt *s = h_fresh_find(db);
	if (s == NULL)
		return -1;
	if (sqlite3_bind_int(s, 1, key) != SQLITE_OK)
		return -1;		// expect: leak sqlite3-statement
	int found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}
