/*
 * pool.c - the outage and its relatives: straight-line code and if/else
 * over the application's connection pool (rules/pool.yml).
 *
 * Covers: the outage itself, early returns, nested ifs, every spelling of a
 * NULL test, the out-parameter acquirer pool_get() with its status, paths
 * that end in a noreturn call, correlated conditions on local flags, two
 * acquisitions where one leaks, and two exits leaking one acquisition.
 * Loops live in loops.c, the other statements and operators in
 * constructs.c, escapes and overwrites in escapes.c.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"

#define LOGIN_SQL "UPDATE users SET last_login = now() WHERE name = $1"

/* ---- The outage ------------------------------------------------------- */

/* The deployment that drained the pool: the query failure returns early. */
int leak_outage_login(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (!check_password(user, pw)) {
		pool_release(p, c);
		return 1;
	}
	if (db_query(c, LOGIN_SQL) < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

int ok_outage_login_fixed(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (!check_password(user, pw)) {
		pool_release(p, c);
		return 1;
	}
	if (db_query(c, LOGIN_SQL) < 0) {
		pool_release(p, c);
		return -1;
	}
	pool_release(p, c);
	return 0;
}

/* The password check returns early; the query path is fine. */
int leak_denied_returns_early(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = pool_acquire(p);
	if (c == NULL)
		return -1;
	if (!check_password(user, pw))
		return 1;		// expect: leak pool-connection
	int rc = db_query(c, LOGIN_SQL);
	pool_release(p, c);
	return rc;
}

/* The same acquisition leaks at two different returns: two findings. */
int leak_two_exits(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (!check_password(user, pw))
		return 1;		// expect: leak pool-connection
	if (db_query(c, LOGIN_SQL) < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

/* Never released at all: the only exit is the final return. */
int leak_never_released(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	db_query(c, "SELECT 1");
	return 0;			// expect: leak pool-connection
}

/* A void function that falls off its end: the closing brace is the exit. */
void leak_void_falls_off_end(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c)
		db_query(c, "VACUUM");
}					// expect: leak pool-connection

void ok_void_falls_off_end(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c)
		db_query(c, "VACUUM");
	pool_release(p, c);		/* pool_release accepts NULL */
}

/* ---- if/else and nested ifs ------------------------------------------- */

int leak_else_branch(struct pool *p, int readonly)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (readonly) {
		db_query(c, "SET TRANSACTION READ ONLY");
		pool_release(p, c);
	} else {
		db_query(c, "BEGIN");
	}
	return 0;			// expect: leak pool-connection
}

int ok_if_else_both_release(struct pool *p, int readonly)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (readonly) {
		db_query(c, "SET TRANSACTION READ ONLY");
		pool_release(p, c);
	} else {
		db_query(c, "BEGIN");
		pool_release(p, c);
	}
	return 0;
}

int leak_nested_if(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = pool_acquire(p);
	if (c) {
		if (check_password(user, pw)) {
			if (db_query(c, LOGIN_SQL) < 0)
				return -1;	// expect: leak pool-connection
			pool_release(p, c);
			return 0;
		}
		pool_release(p, c);
	}
	return 1;
}

int ok_nested_if(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = pool_acquire(p);
	if (c) {
		if (check_password(user, pw)) {
			int rc = db_query(c, LOGIN_SQL);
			pool_release(p, c);
			return rc < 0 ? -1 : 0;
		}
		pool_release(p, c);
	}
	return 1;
}

/* Two acquisitions; only `reader` leaks. */
int leak_one_of_two(struct pool *p)
{
	struct conn *reader = pool_acquire(p);
	if (!reader)
		return -1;
	struct conn *writer = pool_acquire(p);
	if (!writer) {
		pool_release(p, reader);
		return -1;
	}
	db_query(writer, "UPDATE stats SET n = n + 1");
	pool_release(p, writer);
	return db_query(reader, "SELECT n FROM stats");	// expect: leak pool-connection
}

int ok_two_acquisitions(struct pool *p)
{
	struct conn *reader = pool_acquire(p);
	if (!reader)
		return -1;
	struct conn *writer = pool_acquire(p);
	if (!writer) {
		pool_release(p, reader);
		return -1;
	}
	db_query(writer, "UPDATE stats SET n = n + 1");
	pool_release(p, writer);
	int n = db_query(reader, "SELECT n FROM stats");
	pool_release(p, reader);
	return n;
}

/* Two acquisitions both held at one return: two findings on one line. */
int leak_both_at_one_return(struct pool *p)
{
	struct conn *a = pool_acquire(p);
	struct conn *b = pool_acquire(p);
	if (a && b)
		return db_query(a, "SELECT 1") + db_query(b, "SELECT 1");	// expect: leak pool-connection, leak pool-connection
	pool_release(p, a);
	pool_release(p, b);
	return -1;
}

/* ---- Every spelling of a NULL test ------------------------------------ */

int ok_null_test_not(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	db_query(c, "SELECT 1");
	pool_release(p, c);
	return 0;
}

int ok_null_test_eq_null(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c == NULL)
		return -1;
	db_query(c, "SELECT 1");
	pool_release(p, c);
	return 0;
}

int ok_null_test_null_eq(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (NULL == c)
		return -1;
	db_query(c, "SELECT 1");
	pool_release(p, c);
	return 0;
}

int ok_null_test_if_else(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c)
		db_query(c, "SELECT 1");
	else
		return -1;
	pool_release(p, c);
	return 0;
}

int ok_null_test_ne_null_and(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c != NULL && db_query(c, "SELECT 1") >= 0) {
		pool_release(p, c);
		return 0;
	}
	if (c != NULL)
		pool_release(p, c);
	return -1;
}

int ok_null_test_assign_in_condition(struct pool *p)
{
	struct conn *c;
	if ((c = pool_acquire(p)) == NULL)
		return -1;
	db_query(c, "SELECT 1");
	pool_release(p, c);
	return 0;
}

/* The NULL test is there, but the non-NULL branch is the one that returns. */
int leak_null_test_inverted(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c != NULL)
		return db_query(c, "SELECT 1");	// expect: leak pool-connection
	return -1;
}

/* ---- The out-parameter acquirer pool_get() (success: zero) ------------ */

int ok_pool_get_status(struct pool *p)
{
	struct conn *c;
	if (pool_get(p, &c) != 0)
		return -1;		/* nothing acquired */
	db_query(c, "SELECT 1");
	pool_release(p, c);
	return 0;
}

int ok_pool_get_status_variable(struct pool *p)
{
	struct conn *c;
	int rc = pool_get(p, &c);
	if (rc)
		return rc;		/* nothing acquired */
	rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

int leak_pool_get_query_fails(struct pool *p)
{
	struct conn *c;
	if (pool_get(p, &c) != 0)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

/* ---- Paths that end in a noreturn call -------------------------------- */

int ok_noreturn_exit(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0) {
		log_msg("database is gone");
		exit(1);
	}
	pool_release(p, c);
	return 0;
}

int ok_noreturn_abort(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		abort();
	if (db_query(c, "SELECT 1") < 0)
		abort();
	pool_release(p, c);
	return 0;
}

int ok_noreturn_underscore_exit(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		_exit(2);
	pool_release(p, c);
	return 0;
}

/* die() is declared _Noreturn in pool.h. */
int ok_noreturn_custom(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		die("query failed");
	pool_release(p, c);
	return 0;
}

/* fatal() is declared __attribute__((noreturn)) in pool.h. */
int ok_noreturn_attribute(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		fatal("query failed");
	pool_release(p, c);
	return 0;
}

int ok_noreturn_longjmp(struct pool *p, jmp_buf on_error)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		longjmp(on_error, 1);
	if (db_query(c, "SELECT 1") < 0)
		longjmp(on_error, 2);
	pool_release(p, c);
	return 0;
}

/* log_msg() returns: the error path is not saved by it. */
int leak_logging_is_not_noreturn(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0) {
		log_msg("query failed");
		return -1;		// expect: leak pool-connection
	}
	pool_release(p, c);
	return 0;
}

/* Only one of the two error paths dies. */
int leak_noreturn_on_one_path(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	if (rc == -2)
		die("schema mismatch");
	if (rc < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

/* ---- Correlated conditions on local variables ------------------------- */

int ok_correlated_parameter(struct pool *p, int use_db)
{
	struct conn *c = NULL;
	if (use_db)
		c = pool_acquire(p);
	log_msg("handling request");
	if (use_db)
		pool_release(p, c);
	return 0;
}

int ok_correlated_flag(struct pool *p, const char *user)
{
	struct conn *c = NULL;
	int held = 0;
	if (user != NULL) {
		c = pool_acquire(p);
		held = 1;
	}
	log_msg("handling request");
	if (held)
		pool_release(p, c);
	return 0;
}

/* The flag that should say "held" is never set. */
int leak_correlated_flag_never_set(struct pool *p, const char *user)
{
	struct conn *c = NULL;
	int held = 0;
	if (user != NULL)
		c = pool_acquire(p);
	log_msg("handling request");
	if (held)
		pool_release(p, c);
	return 0;			// expect: leak pool-connection
}

/* Released under a different condition than it was acquired under. */
int leak_correlated_wrong_condition(struct pool *p, int use_db, int verbose)
{
	struct conn *c = NULL;
	if (use_db)
		c = pool_acquire(p);
	if (verbose)
		log_msg("handling request");
	if (verbose)
		pool_release(p, c);
	return 0;			// expect: leak pool-connection
}
