/*
 * db.h - the login service's database layer (xtu-login): helpers defined
 * in db.c and retry.c, called from login.c and admin.c.
 *
 * What each helper does with a pool-connection is stated here once; the
 * analyzer learns it from the bodies, in the other translation units.
 */
#ifndef XTU_LOGIN_DB_H
#define XTU_LOGIN_DB_H

#include "pool.h"

struct db {
	struct pool *pool;
	pthread_mutex_t mu;
	long logins;
};

/* A connection's session: the connection lives in a field. */
struct login_session {
	struct db *db;
	struct conn *conn;
	const char *user;
};

/* db.c: a fresh connection, or NULL when the pool is exhausted. */
struct conn *h_db_acquire(struct db *d);

/* db.c: 0 with *out held, -1 with *out NULL. */
int h_db_open(struct db *d, struct conn **out);

/* db.c: releases c on every path (NULL holds nothing). */
void h_db_release(struct db *d, struct conn *c);

/* db.c: commits and releases c when it returns 0; on -1 the caller still
 * holds c. */
int h_db_commit(struct db *d, struct conn *c);

/* db.c: only uses c. */
int h_db_ping(struct conn *c);

/* db.c: keeps c as the spare connection (a global of db.c). */
void h_db_keep_spare(struct conn *c);

/* db.c: lock and unlock d->mu. */
void h_db_lock(struct db *d);
void h_db_unlock(struct db *d);

/* db.c: lock and unlock the statistics lock, a static global of db.c. */
void h_stats_lock(void);
void h_stats_unlock(void);

/* db.c: fill and empty s->conn. */
void h_session_open(struct login_session *s);
void h_session_close(struct login_session *s);

/* retry.c: a wrapper of h_db_acquire that checks the connection; NULL on
 * every failure. */
struct conn *h_db_acquire_ready(struct db *d);

/* retry.c and db.c, mutually recursive: a connection or NULL after up to
 * `tries` attempts. */
struct conn *h_db_acquire_retry(struct db *d, int tries);
struct conn *h_db_backoff(struct db *d, int tries);

#endif
