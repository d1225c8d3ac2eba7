/*
 * api.c - the request handlers (xtu-service): callers of the hiredis,
 * sqlite3 and libpq wrappers of redis.c, cache.c, db.c and pg.c, all
 * other translation units.  Named so that it comes before them.
 *
 * h_reply_done is static here and in worker.c, with different bodies:
 * here it frees the reply, in worker.c it only logs it.  The callers below
 * follow this file's h_reply_done.
 */
#include <string.h>

#include "service.h"

#define CACHE_DB "/var/lib/svc/cache.db"

/* Frees r (worker.c's h_reply_done does not). */
static void h_reply_done(redisReply *r)
{
	log_msg("reply type %d", r->type);
	freeReplyObject(r);
}

/* ---- Redis through cache.c and redis.c ---------------------------------------- */

/* Three files: h_cache_lookup (cache.c) -> h_redis_get (redis.c) ->
 * redisCommand.  A miss is NULL; a hit that does not fit leaks. */
int leak_api_cache_too_long(struct svc_ctx *ctx, const char *key, char *buf, size_t n)
{
	redisReply *r = h_cache_lookup(ctx, key);
	if (r == NULL)
		return 0;
	if (r->len >= n)
		return -1;		// expect: leak hiredis-reply
	memcpy(buf, r->str, r->len + 1);
	h_redis_free(r);
	return 1;
}

int ok_api_cache_too_long(struct svc_ctx *ctx, const char *key, char *buf, size_t n)
{
	redisReply *r = h_cache_lookup(ctx, key);
	if (r == NULL)
		return 0;
	int rc = -1;
	if (r->len < n) {
		memcpy(buf, r->str, r->len + 1);
		rc = 1;
	}
	h_redis_free(r);
	return rc;
}

/* redis.c's reply, freed by this file's h_reply_done. */
int ok_api_static_reply_done(redisContext *c, const char *key)
{
	redisReply *r = h_redis_get(c, key);
	if (!r)
		return -1;
	int found = r->type == REDIS_REPLY_STRING;
	h_reply_done(r);
	return found;
}

/* The nil reply returns without being freed. */
int leak_api_redis_get_nil(redisContext *c, const char *key)
{
	redisReply *r = h_redis_get(c, key);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_NIL)
		return 0;		// expect: leak hiredis-reply
	h_reply_done(r);
	return 1;
}

/* Freed by redis.c's cleanup function on every return. */
int ok_api_reply_cleanup(redisContext *c, const char *key)
{
	redisReply *r __attribute__((cleanup(h_auto_reply))) = h_redis_get(c, key);
	if (!r)
		return -1;
	return r->type == REDIS_REPLY_NIL ? 0 : 1;
}

/* redisGetReply through h_redis_next: REDIS_ERR holds nothing, REDIS_OK
 * holds a reply that the error branch forgets. */
int leak_api_redis_next(redisContext *c)
{
	redisReply *r;
	if (h_redis_next(c, &r) != REDIS_OK)
		return -1;
	if (r->type == REDIS_REPLY_ERROR)
		return -1;		// expect: leak hiredis-reply
	h_redis_free(r);
	return 0;
}

/* h_redis_set frees its own reply; the context is not freed when it
 * fails. */
int leak_api_redis_connect(const char *host, int port, const char *key, const char *val)
{
	redisContext *c = h_redis_connect(host, port);
	if (!c)
		return -1;
	if (h_redis_set(c, key, val) < 0)
		return -1;		// expect: leak hiredis-context
	redisFree(c);
	return 0;
}

int ok_api_redis_connect(const char *host, int port, const char *key, const char *val)
{
	redisContext *c = h_redis_connect(host, port);
	if (!c)
		return -1;
	int rc = h_redis_set(c, key, val);
	redisFree(c);
	return rc;
}

/* The self-recursive wrapper; the context is never freed. */
int leak_api_redis_connect_retry(const char *host, int port)
{
	redisContext *c = h_redis_connect_retry(host, port, 3);
	if (!c)
		return -1;
	return h_redis_set(c, "svc:up", "1");	// expect: leak hiredis-context
}

/* ---- SQLite through db.c (and cache.c) ------------------------------------------ */

/* h_db_open closes a failed handle itself: the early return is clean. */
int ok_api_db_open(const char *path)
{
	sqlite3 *db;
	if (h_db_open(path, &db) != SQLITE_OK)
		return -1;
	int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	h_db_close(db);
	return rc;
}

/* h_db_open_raw leaves the failed handle to its caller (sqlite3_open_v2
 * allocates it even when it fails). */
int leak_api_db_open_raw_fails(const char *path)
{
	sqlite3 *db;
	if (h_db_open_raw(path, &db) != SQLITE_OK)
		return -1;		// expect: leak sqlite3-connection
	int rc = sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL);
	h_db_close(db);
	return rc;
}

int ok_api_db_open_raw_fails(const char *path)
{
	sqlite3 *db;
	if (h_db_open_raw(path, &db) != SQLITE_OK) {
		h_db_close(db);
		return -1;
	}
	int rc = sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL);
	h_db_close(db);
	return rc;
}

/* A failed prepare holds nothing; h_db_run finalizes on every path. */
int ok_api_db_prepare_run(sqlite3 *db, int id)
{
	sqlite3_stmt *stmt;
	if (h_db_prepare(db, "DELETE FROM jobs WHERE id = ?", &stmt) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(stmt, 1, id);
	return h_db_run(stmt);
}

/* The bind failure returns with the statement. */
int leak_api_db_prepare_bind_fails(sqlite3 *db, int id)
{
	sqlite3_stmt *stmt;
	if (h_db_prepare(db, "DELETE FROM jobs WHERE id = ?", &stmt) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_int(stmt, 1, id) != SQLITE_OK)
		return -1;		// expect: leak sqlite3-statement
	return h_db_run(stmt);
}

/* Three files: h_cache_open_db (cache.c) -> h_db_open (db.c) ->
 * sqlite3_open_v2.  The PRAGMA failure returns with the database open. */
int leak_api_cache_db_chain(void)
{
	sqlite3 *db;
	if (h_cache_open_db(CACHE_DB, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_exec(db, "PRAGMA synchronous=OFF", NULL, NULL, NULL) != SQLITE_OK)
		return -1;		// expect: leak sqlite3-connection
	h_db_close(db);
	return 0;
}

int ok_api_cache_db_chain(void)
{
	sqlite3 *db;
	if (h_cache_open_db(CACHE_DB, &db) != SQLITE_OK)
		return -1;
	int rc = sqlite3_exec(db, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	h_db_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* ---- PostgreSQL through pg.c ---------------------------------------------------- */

/* A failed command still has a result to clear. */
int leak_api_pg_exec_fails(PGconn *conn)
{
	PGresult *res = h_pg_exec(conn, "DELETE FROM sessions WHERE expired");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return -1;		// expect: leak libpq-result
	h_pg_done(res);
	return 0;
}

/* h_pg_first_long only reads the result. */
long ok_api_pg_exec_cleared(PGconn *conn)
{
	PGresult *res = h_pg_exec(conn, "SELECT count(*) FROM sessions");
	long n = h_pg_first_long(res);
	h_pg_done(res);
	return n;
}

/* h_pg_exec_ok's -1 does not mean "no result": it leaks here. */
long leak_api_pg_status_does_not_tell(PGconn *conn)
{
	PGresult *res;
	if (h_pg_exec_ok(conn, "SELECT count(*) FROM jobs", &res) != 0)
		return -1;		// expect: leak libpq-result
	long n = h_pg_first_long(res);
	h_pg_done(res);
	return n;
}

/* Clears on -1 too (PQclear takes NULL). */
long ok_api_pg_status_does_not_tell(PGconn *conn)
{
	PGresult *res;
	if (h_pg_exec_ok(conn, "SELECT count(*) FROM jobs", &res) != 0) {
		PQclear(res);
		return -1;
	}
	long n = h_pg_first_long(res);
	h_pg_done(res);
	return n;
}
