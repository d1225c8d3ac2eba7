/*
 * loops.c - while, do-while and for over the pool.
 *
 * Covers: a return in the middle of a loop, break and continue leaving the
 * block that declares the handle (reported at the break/continue), falling
 * off the end of a loop body (reported at the body's closing brace), an
 * acquisition overwritten on the next iteration (reported at the
 * assignment), a handle declared in the for-init, and retry loops.
 */
#include <stddef.h>

#include "pool.h"

/* ---- for ----------------------------------------------------------------- */

/* A query failure in the middle of the loop returns with the connection. */
int leak_return_in_loop(struct pool *p, const char **sqls, int n)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	for (int i = 0; i < n; i++) {
		if (db_query(c, sqls[i]) < 0)
			return -1;	// expect: leak pool-connection
	}
	pool_release(p, c);
	return 0;
}

int ok_return_in_loop(struct pool *p, const char **sqls, int n)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	for (int i = 0; i < n; i++) {
		if (db_query(c, sqls[i]) < 0) {
			pool_release(p, c);
			return -1;
		}
	}
	pool_release(p, c);
	return 0;
}

/* The handle declared in the loop body is lost at the body's closing brace. */
int leak_loop_body_falls_off(struct pool *p, const char **sqls, int n)
{
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		db_query(c, sqls[i]);
	}				// expect: leak pool-connection
	return 0;
}

int ok_loop_body_releases(struct pool *p, const char **sqls, int n)
{
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (c == NULL)
			continue;
		db_query(c, sqls[i]);
		pool_release(p, c);
	}
	return 0;
}

/* `continue` leaves the body that declares the handle. */
int leak_loop_continue(struct pool *p, const char **sqls, int n)
{
	int failures = 0;
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		if (db_query(c, sqls[i]) < 0) {
			failures++;
			continue;	// expect: leak pool-connection
		}
		pool_release(p, c);
	}
	return failures;
}

int ok_loop_continue(struct pool *p, const char **sqls, int n)
{
	int failures = 0;
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		if (db_query(c, sqls[i]) < 0) {
			failures++;
			pool_release(p, c);
			continue;
		}
		pool_release(p, c);
	}
	return failures;
}

/* Acquired on every iteration into a variable declared outside the loop:
 * the second iteration overwrites the first connection. */
void leak_overwrite_in_loop(struct pool *p, int n)
{
	struct conn *c = NULL;
	for (int i = 0; i < n; i++) {
		c = pool_acquire(p);	// expect: leak pool-connection
		db_query(c, "SELECT 1");
	}
	pool_release(p, c);
}

void ok_reacquire_in_loop(struct pool *p, int n)
{
	struct conn *c = NULL;
	for (int i = 0; i < n; i++) {
		c = pool_acquire(p);
		db_query(c, "SELECT 1");
		pool_release(p, c);
	}
}

/* A handle declared in the for-init, released by the increment: the
 * scoped-use idiom (see also WITH_CONN in ok_for_scoped_macro). */
int ok_for_init_declaration(struct pool *p)
{
	int rc = -1;
	for (struct conn *c = pool_acquire(p); c != NULL; pool_release(p, c), c = NULL)
		rc = db_query(c, "SELECT 1");
	return rc;
}

#define WITH_CONN(c, p) \
	for (struct conn *c = pool_acquire(p); c != NULL; pool_release(p, c), c = NULL)

int ok_for_scoped_macro(struct pool *p)
{
	int rc = -1;
	WITH_CONN(c, p) {
		rc = db_query(c, "SELECT 1");
	}
	return rc;
}

/* The increment forgets the release: `c = NULL` overwrites the only
 * reference, on the for line. */
int leak_for_init_declaration(struct pool *p)
{
	int rc = -1;
	for (struct conn *c = pool_acquire(p); c != NULL; c = NULL)	// expect: leak pool-connection
		rc = db_query(c, "SELECT 1");
	return rc;
}

/* ---- while --------------------------------------------------------------- */

/* `break` leaves the body that declares the handle. */
int leak_while_break(struct pool *p, int n)
{
	while (n-- > 0) {
		struct conn *c = pool_acquire(p);
		if (!c)
			break;
		if (db_query(c, "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs LIMIT 100)") <= 0)
			break;		// expect: leak pool-connection
		pool_release(p, c);
	}
	return 0;
}

int ok_while_break(struct pool *p, int n)
{
	while (n-- > 0) {
		struct conn *c = pool_acquire(p);
		if (!c)
			break;
		int deleted = db_query(c, "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs LIMIT 100)");
		pool_release(p, c);
		if (deleted <= 0)
			break;
	}
	return 0;
}

/* Retry until the pool gives a connection: nothing is overwritten, since
 * the loop only runs while c is NULL. */
int ok_while_retry(struct pool *p, int retries)
{
	struct conn *c = NULL;
	while (c == NULL && retries-- > 0)
		c = pool_acquire(p);
	if (c == NULL)
		return -1;
	int rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

/* The loop condition itself acquires; the body returns early. */
int leak_while_condition_acquires(struct pool *p)
{
	struct conn *c;
	while ((c = pool_acquire(p)) != NULL) {
		if (db_query(c, "SELECT job()") == 0)
			return 0;	// expect: leak pool-connection
		pool_release(p, c);
	}
	return -1;
}

int ok_while_condition_acquires(struct pool *p)
{
	struct conn *c;
	while ((c = pool_acquire(p)) != NULL) {
		int rc = db_query(c, "SELECT job()");
		pool_release(p, c);
		if (rc == 0)
			return 0;
	}
	return -1;
}

/* ---- do-while ------------------------------------------------------------ */

int leak_do_while(struct pool *p, int n)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	do {
		if (db_query(c, "SELECT pg_sleep(0.1)") < 0)
			return -1;	// expect: leak pool-connection
	} while (--n > 0);
	pool_release(p, c);
	return 0;
}

int ok_do_while(struct pool *p, int n)
{
	do {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		db_query(c, "SELECT pg_sleep(0.1)");
		pool_release(p, c);
	} while (--n > 0);
	return 0;
}

/* The do body declares the handle and falls off its end. */
int leak_do_while_body_end(struct pool *p, int n)
{
	do {
		struct conn *c = pool_acquire(p);
		if (c)
			db_query(c, "SELECT 1");
	} while (--n > 0);		// expect: leak pool-connection
	return 0;
}

/* ---- Nested loops -------------------------------------------------------- */

/* `break` out of the inner loop stays inside the outer body: the
 * connection is released after it. */
int ok_nested_loop_break(struct pool *p, const char **sqls, int n, int m)
{
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		for (int j = 0; j < m; j++) {
			if (db_query(c, sqls[j]) < 0)
				break;
		}
		pool_release(p, c);
	}
	return 0;
}

/* A `return` inside the inner loop leaves both loops with the connection. */
int leak_nested_loop_return(struct pool *p, const char **sqls, int n, int m)
{
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		for (int j = 0; j < m; j++) {
			if (db_query(c, sqls[j]) < 0)
				return -1;	// expect: leak pool-connection
		}
		pool_release(p, c);
	}
	return 0;
}

/* ---- what an earlier round leaves behind --------------------------------- */

/* The second round sees the flag the first one set, and returns with the
 * connection: the leak needs the state that comes back round the loop
 * after a release, not only the one that first reaches the acquisition
 * (with a pair before the loop, so that the function has two sites). */
int leak_flag_from_previous_round(struct pool *p, int n)
{
	struct conn *first = pool_acquire(p);
	if (!first)
		return -1;
	pool_release(p, first);
	int seen = 0;
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		if (seen)
			return 1;	// expect: leak pool-connection
		seen = 1;
		pool_release(p, c);
	}
	return 0;
}

int ok_flag_from_previous_round(struct pool *p, int n)
{
	struct conn *first = pool_acquire(p);
	if (!first)
		return -1;
	pool_release(p, first);
	int seen = 0;
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;
		if (seen) {
			pool_release(p, c);
			return 1;
		}
		seen = 1;
		pool_release(p, c);
	}
	return 0;
}
