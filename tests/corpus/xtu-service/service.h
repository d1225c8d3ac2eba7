/*
 * service.h - a small request-serving daemon (xtu-service): wrappers over
 * real client libraries and over the pool, each in its own translation
 * unit, called from api.c and worker.c.
 *
 *   cache.c    a read-through cache: wrappers of redis.c's and db.c's
 *              wrappers (the middle of two three-file chains)
 *   db.c       sqlite3 wrappers
 *   locks.c    pthread mutex wrappers (a parameter's lock, a static global)
 *   net.c      posix descriptor wrappers
 *   pg.c       libpq wrappers
 *   redis.c    hiredis wrappers
 *   session.c  pool wrappers, session fields, helpers that store a stream
 *
 * What each helper does with its resource is stated here once; the
 * analyzer learns it from the bodies, in the other translation units.
 * api.c and worker.c each have a static h_reply_done, with different
 * bodies: it is not declared here.
 */
#ifndef XTU_SERVICE_H
#define XTU_SERVICE_H

#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

#include "pool.h"

/* The service: its pool, a spare connection it owns, a request counter. */
struct svc {
	struct pool *pool;
	struct conn *spare;
	long served;
};

/* A request's session: the pooled connection lives in a field. */
struct svc_session {
	struct svc *svc;
	struct conn *conn;
	const char *user;
};

/* The routing table, guarded by its own mutex. */
struct route_table {
	pthread_mutex_t mu;
	int n;
	int ports[32];
};

/* The daemon's context, owned by main(), which closes what it holds when
 * the daemon stops: whatever is stored in it has left the function. */
struct svc_ctx {
	FILE *log;
	redisContext *redis;
};

/* ---- redis.c (hiredis) ---------------------------------------------------- */

/* A connected context (hiredis-context), or NULL: a context with err set
 * is freed there. */
redisContext *h_redis_connect(const char *host, int port);

/* The same, trying again (self-recursive) up to `tries` times. */
redisContext *h_redis_connect_retry(const char *host, int port, int tries);

/* GET key: redisCommand's reply (hiredis-reply), or NULL; the caller
 * frees it. */
redisReply *h_redis_get(redisContext *c, const char *key);

/* redisGetReply's status: REDIS_OK (0) with *out a reply to free,
 * REDIS_ERR with nothing. */
int h_redis_next(redisContext *c, redisReply **out);

/* SET key value; frees its own reply: only borrows c. */
int h_redis_set(redisContext *c, const char *key, const char *val);

/* Frees r on every path (NULL holds nothing). */
void h_redis_free(redisReply *r);

/* A cleanup function: frees *rp. */
void h_auto_reply(redisReply **rp);

/* ---- db.c (sqlite3) -------------------------------------------------------- */

/* SQLITE_OK with *out open; otherwise the failed handle is closed there
 * and *out is NULL. */
int h_db_open(const char *path, sqlite3 **out);

/* sqlite3_open_v2 passed straight through: *out holds a handle that needs
 * closing whatever the status. */
int h_db_open_raw(const char *path, sqlite3 **out);

/* sqlite3_prepare_v2's status: SQLITE_OK with *out a statement to
 * finalize, anything else with nothing. */
int h_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out);

/* Steps stmt to the end and finalizes it on every path. */
int h_db_run(sqlite3_stmt *stmt);

/* Closes db on every path. */
void h_db_close(sqlite3 *db);

/* ---- cache.c (wrappers of redis.c and db.c) -------------------------------- */

/* A string reply for key (free it), or NULL: a nil or error reply is
 * freed there.  cache.c -> redis.c -> redisCommand. */
redisReply *h_cache_lookup(struct svc_ctx *ctx, const char *key);

/* h_db_open's contract, with logging: cache.c -> db.c -> sqlite3_open_v2. */
int h_cache_open_db(const char *path, sqlite3 **out);

/* ---- pg.c (libpq) ------------------------------------------------------------ */

/* PQexec's result (libpq-result), to be cleared by the caller. */
PGresult *h_pg_exec(PGconn *conn, const char *sql);

/* *out is PQexec's result whatever the status: 0 when the query returned
 * rows, -1 otherwise, with *out still to be cleared. */
int h_pg_exec_ok(PGconn *conn, const char *sql, PGresult **out);

/* Clears res on every path. */
void h_pg_done(PGresult *res);

/* Only reads res. */
long h_pg_first_long(const PGresult *res);

/* ---- locks.c (pthread) ------------------------------------------------------- */

/* Lock and unlock t->mu. */
void h_lock_table(struct route_table *t);
void h_unlock_table(struct route_table *t);

/* pthread_mutex_trylock's status: 0 with t->mu held, nonzero without. */
int h_trylock_table(struct route_table *t);

/* Lock and unlock the registry lock, a static mutex of locks.c. */
void h_registry_lock(void);
void h_registry_unlock(void);

/* ---- net.c (posix descriptors) ------------------------------------------------- */

/* A listening socket (posix-fd), or -1: closed there when bind or listen
 * fails. */
int h_listen(int port);

/* 0 with *out an open descriptor; -1 with *out -1. */
int h_open_ro(const char *path, int *out);

/* Closes fd on every path (a negative fd holds nothing). */
void h_close_fd(int fd);

/* A cleanup function: closes *fdp when it is open. */
void h_auto_close_fd(int *fdp);

/* ---- session.c (the pool, fields, stored streams) ------------------------------ */

/* A connection (pool-connection), or NULL. */
struct conn *h_svc_conn(struct svc *s);

/* pool_get's status: 0 with *out held, nonzero with nothing. */
int h_svc_get(struct svc *s, struct conn **out);

/* Releases c on every path (NULL holds nothing). */
void h_svc_put(struct svc *s, struct conn *c);

/* Keeps c as s->spare: the service owns it from then on. */
void h_svc_park(struct svc *s, struct conn *c);

/* Fill and empty ss->conn. */
void h_session_open(struct svc_session *ss);
void h_session_close(struct svc_session *ss);

/* Only uses ss->conn. */
int h_session_touch(const struct svc_session *ss);

/* Stores f in ctx->log: the context's owner closes it. */
void h_ctx_attach_log(struct svc_ctx *ctx, FILE *f);

/* Stores f only when ctx has no log yet, and says so: 0 stored, -1 not
 * stored (the caller still holds f). */
int h_ctx_attach_log_once(struct svc_ctx *ctx, FILE *f);

/* Opens path into ctx->log: 0 with the stream there, -1 with NULL. */
int h_ctx_open_log(struct svc_ctx *ctx, const char *path);

#endif
