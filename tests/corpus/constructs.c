/*
 * constructs.c - statements and operators other than loops, over the pool.
 *
 * Covers: switch (fallthrough, default, a case that returns), goto and
 * labels (the cleanup idiom done right, a goto to the wrong label, a goto
 * out of a block), &&, ||, ?:, the comma operator, GNU statement
 * expressions, nested blocks with shadowing, and macros that return (the
 * finding is on the line where the macro is used).
 */
#include <stddef.h>

#include "pool.h"

/* Returns from the enclosing function when `x` is negative. */
#define CHECK(x)                    \
	do {                        \
		if ((x) < 0)        \
			return -1;  \
	} while (0)

/* Jumps to `label` when `x` is negative. */
#define CHECK_GOTO(x, label)        \
	do {                        \
		if ((x) < 0)        \
			goto label; \
	} while (0)

/* A GNU statement expression: the value of `x`, or return it if negative. */
#define TRY(x)                      \
	({                          \
		int try_rc_ = (x);  \
		if (try_rc_ < 0)    \
			return try_rc_; \
		try_rc_;            \
	})

/* ---- switch ------------------------------------------------------------ */

/* case 0 falls through into case 1; case 2 returns with the connection. */
int leak_switch_case_returns(struct pool *p, int op)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	switch (op) {
	case 0:
		db_query(c, "BEGIN");
		/* fallthrough */
	case 1:
		db_query(c, "SELECT 1");
		break;
	case 2:
		return -2;		// expect: leak pool-connection
	default:
		break;
	}
	pool_release(p, c);
	return 0;
}

int ok_switch_every_case_releases(struct pool *p, int op)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	switch (op) {
	case 0:
		db_query(c, "BEGIN");
		/* fallthrough */
	case 1:
		db_query(c, "SELECT 1");
		break;
	case 2:
		pool_release(p, c);
		return -2;
	default:
		break;
	}
	pool_release(p, c);
	return 0;
}

/* The default case forgets the release. */
int leak_switch_default(struct pool *p, int op)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	switch (op) {
	case 0:
		db_query(c, "SELECT 0");
		pool_release(p, c);
		break;
	case 1:
		db_query(c, "SELECT 1");
		pool_release(p, c);
		break;
	default:
		log_msg("unknown op %d", op);
		break;
	}
	return 0;			// expect: leak pool-connection
}

/* The release sits in the last case; every other case falls into it. */
int ok_switch_fallthrough_to_release(struct pool *p, int op)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	switch (op) {
	case 0:
		db_query(c, "SELECT 0");
		/* fallthrough */
	case 1:
		db_query(c, "SELECT 1");
		/* fallthrough */
	default:
		pool_release(p, c);
		break;
	}
	return 0;
}

/* ---- goto and labels --------------------------------------------------- */

/* The cleanup idiom done right: one exit that releases. */
int ok_goto_cleanup(struct pool *p, const char *user, const char *pw)
{
	int rc = -1;
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (!check_password(user, pw)) {
		rc = 1;
		goto out;
	}
	if (db_query(c, "UPDATE users SET last_login = now()") < 0)
		goto out;
	rc = 0;
out:
	pool_release(p, c);
	return rc;
}

/* Two resources, labels in reverse order of acquisition. */
int ok_goto_cleanup_two_labels(struct pool *p)
{
	int rc = -1;
	struct conn *a, *b;

	a = pool_acquire(p);
	if (!a)
		goto out;
	b = pool_acquire(p);
	if (!b)
		goto release_a;
	if (db_query(a, "SELECT 1") < 0)
		goto release_b;
	rc = db_query(b, "SELECT 2");
release_b:
	pool_release(p, b);
release_a:
	pool_release(p, a);
out:
	return rc;
}

/* A goto to the wrong label skips the release of `a`. */
int leak_goto_wrong_label(struct pool *p)
{
	int rc = -1;
	struct conn *a, *b;

	a = pool_acquire(p);
	if (!a)
		return -1;
	if (db_query(a, "SELECT 1") < 0)
		goto out;		/* should be release_a */
	b = pool_acquire(p);
	if (!b)
		goto release_a;
	rc = db_query(b, "SELECT 2");
	pool_release(p, b);
release_a:
	pool_release(p, a);
out:
	return rc;			// expect: leak pool-connection
}

/* The handle is declared in an inner block; the goto leaves that block, but
 * the finding is where the function returns, not at the goto. */
int leak_goto_out_of_block(struct pool *p, int n)
{
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			continue;
		if (db_query(c, "SELECT 1") < 0) {
			rc = -1;
			goto out;
		}
		pool_release(p, c);
	}
out:
	return rc;			// expect: leak pool-connection
}

/* Macro that jumps to the cleanup label: fine. */
int ok_check_goto_macro(struct pool *p)
{
	int rc = -1;
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	CHECK_GOTO(db_query(c, "BEGIN"), out);
	CHECK_GOTO(db_query(c, "COMMIT"), out);
	rc = 0;
out:
	pool_release(p, c);
	return rc;
}

/* ---- Macros that return ---------------------------------------------- */

/* Each use of CHECK is its own return: two findings, on the use lines. */
int leak_check_macro(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	CHECK(db_query(c, "BEGIN"));	// expect: leak pool-connection
	CHECK(db_query(c, "COMMIT"));	// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

/* CHECK used only before the acquisition. */
int ok_check_macro_before_acquire(struct pool *p, const char *user)
{
	CHECK(validate_user(user));
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

/* ---- && and || --------------------------------------------------------- */

/* c != NULL && query fails: returns with the connection held. */
int leak_and_condition(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c != NULL && db_query(c, "SELECT 1") < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

int ok_and_condition(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c != NULL && db_query(c, "SELECT 1") < 0) {
		pool_release(p, c);
		return -1;
	}
	pool_release(p, c);
	return 0;
}

/* The NULL test and the query failure share one return. */
int leak_or_condition(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c == NULL || db_query(c, "SELECT 1") < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

int ok_or_condition(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c == NULL)
		return -1;
	if (db_query(c, "BEGIN") < 0 || db_query(c, "COMMIT") < 0) {
		pool_release(p, c);
		return -1;
	}
	pool_release(p, c);
	return 0;
}

/* ---- ?: ------------------------------------------------------------------ */

/* Only one arm of the conditional releases. */
int leak_conditional_one_arm(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	rc < 0 ? log_msg("query failed") : pool_release(p, c);
	return rc;			// expect: leak pool-connection
}

/* Either arm hands the connection on. */
int ok_conditional_both_arms(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	rc < 0 ? pool_release(p, c) : pool_adopt(c);
	return rc;
}

/* Two acquiring calls, one per arm; whichever ran is released. */
int ok_conditional_two_acquirers(struct pool *primary, struct pool *replica, int ro)
{
	struct conn *c = ro ? pool_acquire(replica) : pool_acquire(primary);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	pool_release(ro ? replica : primary, c);
	return rc;
}

/* ---- The comma operator -------------------------------------------------- */

/* `return log, -1;` still returns with the connection held. */
int leak_comma_in_return(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		return log_msg("query failed"), -1;	// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

/* The acquisition and its NULL test joined by a comma. */
int ok_comma_acquire_and_test(struct pool *p)
{
	struct conn *c;
	if (c = pool_acquire(p), c == NULL)
		return -1;
	int rc = db_query(c, "SELECT 1");
	return pool_release(p, c), rc;
}

/* ---- GNU statement expressions ------------------------------------------ */

/* TRY returns from inside ({ ... }): the finding is on the line using it. */
int leak_stmt_expr_try(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int n = TRY(db_query(c, "SELECT count(*) FROM users"));	// expect: leak pool-connection
	pool_release(p, c);
	return n;
}

int ok_stmt_expr_try_before_acquire(struct pool *p, const char *user)
{
	int uid = TRY(validate_user(user));
	if (uid == 0)
		return 1;
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

/* The acquiring call is the value of the statement expression. */
int ok_stmt_expr_value(struct pool *p)
{
	struct conn *c = ({
		log_msg("acquiring");
		pool_acquire(p);
	});
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

/* The release inside the statement expression is on one branch only. */
int leak_stmt_expr_partial_release(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = ({
		int r = db_query(c, "SELECT 1");
		if (r >= 0)
			pool_release(p, c);
		r;
	});
	return rc;			// expect: leak pool-connection
}

/* ---- Nested blocks and shadowing ----------------------------------------- */

/* The inner `c` shadows the outer one: the release in the block is the
 * inner one's, and the outer connection is held at both returns. */
int leak_shadowed_release(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	{
		struct conn *c = pool_acquire(p);
		if (!c)
			return -1;	// expect: leak pool-connection
		db_query(c, "SELECT 1");
		pool_release(p, c);
	}
	return db_query(c, "SELECT 2");	// expect: leak pool-connection
}

int ok_shadowed_both_released(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	{
		struct conn *c = pool_acquire(p);
		if (c) {
			db_query(c, "SELECT 1");
			pool_release(p, c);
		}
	}
	int rc = db_query(c, "SELECT 2");
	pool_release(p, c);
	return rc;
}

/* Falling off the end of the block that declares the handle. */
int leak_nested_block_end(struct pool *p, int audit)
{
	if (audit) {
		struct conn *c = pool_acquire(p);
		if (c)
			db_query(c, "INSERT INTO audit VALUES (now())");
	}				// expect: leak pool-connection
	return 0;
}

int ok_nested_block_end(struct pool *p, int audit)
{
	if (audit) {
		struct conn *c = pool_acquire(p);
		if (c) {
			db_query(c, "INSERT INTO audit VALUES (now())");
			pool_release(p, c);
		}
	}
	return 0;
}
