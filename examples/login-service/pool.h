/*
 * pool.h - a fixed-size pool of PostgreSQL connections, and the queries the
 * login path runs over a pooled connection.
 *
 * Ownership: pool_acquire() lends the caller one connection; the caller
 * must hand it back with pool_release() on every path, error paths
 * included.  A connection that is never released is lost to the pool for
 * good: once all POOL_SIZE connections are lost, every pool_acquire() waits
 * POOL_WAIT_MS and returns NULL.  (leakgate.yml tells leakgate exactly
 * this: pool_acquire acquires, pool_release releases.)
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef LOGIN_SERVICE_POOL_H
#define LOGIN_SERVICE_POOL_H

#include <stddef.h>

#define POOL_SIZE 100      /* connections per pool */
#define POOL_WAIT_MS 2000  /* how long pool_acquire waits for a free one */

struct db_pool;
struct db_conn;

/* A pool of POOL_SIZE connections to `conninfo` (a libpq connection
 * string), opened lazily.  NULL when out of memory.  Free with
 * pool_destroy() once every connection is back. */
struct db_pool *pool_create(const char *conninfo);
void pool_destroy(struct db_pool *p);

/* Lends a connection, waiting up to POOL_WAIT_MS for one to come back.
 * NULL when none did, or when (re)connecting failed. */
struct db_conn *pool_acquire(struct db_pool *p);

/* Takes back a connection from pool_acquire().  `c` may be NULL. */
void pool_release(struct db_pool *p, struct db_conn *c);

/* How many connections are lent out right now (for the /health page). */
size_t pool_in_use(struct db_pool *p);

/* Copies the stored password hash of `user` into `hash`: 0; 1 when there
 * is no such user; -1 when the query failed.  Borrows `c`. */
int db_fetch_password_hash(struct db_conn *c, const char *user,
			   char *hash, size_t size);

/* Stamps the user's last_login: 0, or -1 when the update failed.
 * Borrows `c`. */
int db_record_login(struct db_conn *c, const char *user);

#endif
