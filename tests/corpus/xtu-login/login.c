/*
 * login.c - the login handlers (xtu-login): callers of the helpers of
 * db.c and retry.c, which are other translation units.
 *
 * h_put and h_get are static here and in admin.c, with different bodies:
 * here h_put releases and h_get acquires; admin.c's h_put only logs and
 * its h_get hands out a shared connection.  The callers below follow this
 * file's helpers.
 */
#include "db.h"

#define LOGIN_SQL "UPDATE users SET last_login = now() WHERE name = $1"

/* Releases c (admin.c's h_put does not). */
static void h_put(struct db *d, struct conn *c)
{
	pool_release(d->pool, c);
}

/* A fresh connection (admin.c's h_get acquires nothing). */
static struct conn *h_get(struct db *d)
{
	return pool_acquire(d->pool);
}

/* ---- Wrappers in db.c and retry.c ----------------------------------------- */

/* The outage, with the acquisition and the release in db.c. */
int leak_login_wrapper_early_return(struct db *d, const char *user, const char *pw)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	if (!check_password(user, pw)) {
		h_db_release(d, c);
		return 1;
	}
	if (db_query(c, LOGIN_SQL) < 0)
		return -1;		// expect: leak pool-connection
	h_db_release(d, c);
	return 0;
}

int ok_login_wrapper(struct db *d, const char *user, const char *pw)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	if (!check_password(user, pw)) {
		h_db_release(d, c);
		return 1;
	}
	int rc = db_query(c, LOGIN_SQL);
	h_db_release(d, c);
	return rc < 0 ? -1 : 0;
}

/* retry.c's wrapper of db.c's wrapper. */
int leak_login_wrapper_of_wrapper(struct db *d)
{
	struct conn *c = h_db_acquire_ready(d);
	if (!c)
		return -1;
	d->logins++;
	return 0;			// expect: leak pool-connection
}

/* h_db_acquire_retry (retry.c) and h_db_backoff (db.c) recurse into each
 * other. */
int leak_login_mutual_recursion(struct db *d)
{
	struct conn *c = h_db_acquire_retry(d, 3);
	if (c)
		db_query(c, LOGIN_SQL);
	return 0;			// expect: leak pool-connection
}

int ok_login_mutual_recursion(struct db *d)
{
	struct conn *c = h_db_acquire_retry(d, 3);
	if (!c)
		return -1;
	int rc = db_query(c, LOGIN_SQL);
	h_db_release(d, c);
	return rc;
}

/* ---- Out-parameter, commit, borrow, store ---------------------------------- */

/* -1 from h_db_open means nothing was acquired. */
int ok_login_out_param(struct db *d)
{
	struct conn *c;
	if (h_db_open(d, &c) != 0)
		return -1;
	int rc = h_db_ping(c);
	h_db_release(d, c);
	return rc;
}

int leak_login_out_param(struct db *d)
{
	struct conn *c;
	if (h_db_open(d, &c) != 0)
		return -1;
	if (h_db_ping(c) < 0)
		return -1;		// expect: leak pool-connection
	h_db_release(d, c);
	return 0;
}

/* h_db_commit releases only when it returns 0. */
int ok_login_commit_checked(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	db_query(c, LOGIN_SQL);
	if (h_db_commit(d, c) < 0) {
		h_db_release(d, c);
		return -1;
	}
	return 0;
}

int leak_login_commit_unchecked(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	db_query(c, LOGIN_SQL);
	if (h_db_commit(d, c) < 0)
		return -1;		// expect: leak pool-connection
	return 0;
}

/* Acquired here, released by db.c's helper. */
int ok_login_direct_acquire(struct db *d)
{
	struct conn *c = pool_acquire(d->pool);
	if (!c)
		return -1;
	int rc = h_db_ping(c);
	h_db_release(d, c);
	return rc;
}

int ok_login_keep_spare(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	h_db_keep_spare(c);
	return 0;
}

/* ---- This file's static helpers ----------------------------------------------- */

/* This file's h_put releases. */
int ok_login_static_put(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	int rc = db_query(c, LOGIN_SQL);
	h_put(d, c);
	return rc;
}

/* This file's h_get acquires. */
int leak_login_static_get(struct db *d)
{
	struct conn *c = h_get(d);
	if (!c)
		return -1;
	return db_query(c, LOGIN_SQL);	// expect: leak pool-connection
}

int ok_login_static_get_put(struct db *d)
{
	struct conn *c = h_get(d);
	if (!c)
		return -1;
	int rc = db_query(c, LOGIN_SQL);
	h_put(d, c);
	return rc;
}

/* ---- Locks in db.c ------------------------------------------------------------- */

int leak_login_lock(struct db *d, const char *user)
{
	h_db_lock(d);
	if (validate_user(user) < 0)
		return -1;		// expect: leak pthread-mutex
	d->logins++;
	h_db_unlock(d);
	return 0;
}

/* The statistics lock is a static global of db.c. */
int leak_login_stats_lock(struct db *d, const char *user)
{
	h_stats_lock();
	if (user == NULL)
		return -1;		// expect: leak pthread-mutex
	d->logins++;
	h_stats_unlock();
	return 0;
}

void ok_login_stats_lock(struct db *d)
{
	h_stats_lock();
	d->logins++;
	h_stats_unlock();
}

/* ---- A session's connection field ----------------------------------------------- */

int ok_login_session(struct db *d, const char *user)
{
	struct login_session s = { .db = d, .conn = NULL, .user = user };
	h_session_open(&s);
	if (!s.conn)
		return -1;
	int rc = db_query(s.conn, LOGIN_SQL);
	h_session_close(&s);
	return rc;
}

int leak_login_session(struct db *d, const char *user, const char *pw)
{
	struct login_session s = { .db = d, .conn = NULL, .user = user };
	h_session_open(&s);
	if (!s.conn)
		return -1;
	if (!check_password(user, pw))
		return 1;		// expect: leak pool-connection
	int rc = db_query(s.conn, LOGIN_SQL);
	h_session_close(&s);
	return rc;
}
