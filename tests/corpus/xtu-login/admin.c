/*
 * admin.c - the admin handlers (xtu-login).  Named so that it comes before
 * db.c: the callers are read before the helpers they call.
 *
 * h_put and h_get are static here and in login.c, with different bodies:
 * here h_put only logs and h_get hands out the shared admin connection
 * (nothing acquired); login.c's h_put releases and its h_get acquires.
 * The callers below follow this file's helpers.
 */
#include "db.h"

/* The shared admin connection, set up at start-up and never released. */
static struct conn *admin_conn;

/* Only logs c (login.c's h_put releases). */
static void h_put(struct db *d, struct conn *c)
{
	(void)d;
	log_conn(c);
}

/* Borrowed, not acquired (login.c's h_get acquires). */
static struct conn *h_get(struct db *d)
{
	(void)d;
	return admin_conn;
}

/* This file's h_put does not release. */
int leak_admin_static_put(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	db_query(c, "DELETE FROM sessions WHERE expired");
	h_put(d, c);
	return 0;			// expect: leak pool-connection
}

/* This file's h_get acquires nothing: nothing to release. */
int ok_admin_static_get(struct db *d)
{
	struct conn *c = h_get(d);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT count(*) FROM users");
	h_put(d, c);
	return rc;
}

int ok_admin_release(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	db_query(c, "DELETE FROM sessions WHERE expired");
	h_db_release(d, c);
	return 0;
}

/* h_db_ping only borrows. */
int leak_admin_borrow(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return -1;
	if (h_db_ping(c) < 0)
		return -1;		// expect: leak pool-connection
	h_db_release(d, c);
	return 0;
}

/* The result of retry.c's wrapper is thrown away. */
void leak_admin_discard(struct db *d)
{
	h_db_acquire_ready(d);		// expect: leak pool-connection
}

/* Acquired here and kept by db.c's helper. */
int ok_admin_keep_spare(struct db *d)
{
	struct conn *c = pool_acquire(d->pool);
	if (!c)
		return -1;
	h_db_keep_spare(c);
	return 0;
}

/* Acquired here; db.c's h_db_commit releases it only when it returns 0. */
int leak_admin_commit_direct(struct db *d)
{
	struct conn *c = pool_acquire(d->pool);
	if (!c)
		return -1;
	if (h_db_commit(d, c) != 0)
		return -1;		// expect: leak pool-connection
	return 0;
}

int ok_admin_commit_status_variable(struct db *d)
{
	struct conn *c;
	if (h_db_open(d, &c) != 0)
		return -1;
	db_query(c, "DELETE FROM sessions WHERE expired");
	int rc = h_db_commit(d, c);
	if (rc != 0)
		h_db_release(d, c);
	return rc;
}

int ok_admin_lock(struct db *d)
{
	h_db_lock(d);
	d->logins = 0;
	h_db_unlock(d);
	return 0;
}

/* The session's struct goes out of scope with its connection. */
int leak_admin_session_scope_end(struct db *d, int audit)
{
	if (audit) {
		struct login_session s = { .db = d, .conn = NULL, .user = "admin" };
		h_session_open(&s);
		if (s.conn)
			db_query(s.conn, "INSERT INTO audit VALUES (now())");
	}				// expect: leak pool-connection
	return 0;
}
