/*
 * escapes.c - where a pooled connection can go instead of back to the pool,
 * and the ways its last reference can be lost.
 *
 * Escapes (no finding): returned, stored through a pointer, into a field
 * (through a pointer or of a local struct), into a global, into an array
 * element, handed to the transfer function pool_adopt(), its address given
 * to an unknown function, its address stored in another pointer.
 *
 * Not escapes: passing the handle by value to an unknown function only
 * borrows it.  Losses: an acquiring call whose result is thrown away
 * (reported on that statement), and an assignment over the only reference
 * (reported on the assignment) - except `c = f(c)`, where the call receives
 * the old value and is assumed to take it over.
 */
#include <stddef.h>

#include "pool.h"

static struct conn *cached_conn;

/* ---- Escapes ------------------------------------------------------------- */

struct conn *ok_escape_return(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c && db_query(c, "SET search_path TO app") < 0) {
		pool_release(p, c);
		return NULL;
	}
	return c;
}

int ok_escape_out_param(struct pool *p, struct conn **out)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	*out = c;
	return 0;
}

int ok_escape_field_through_pointer(struct app *app)
{
	struct conn *c = pool_acquire(app->pool);
	if (!c)
		return -1;
	app->conn = c;
	return 0;
}

/* A field of a local struct: the struct carries the handle on. */
int ok_escape_local_struct_field(struct pool *p, const char *user)
{
	struct session s;
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	s.conn = c;
	s.user = user;
	return session_run(&s);
}

int ok_escape_global(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	g_spare_conn = c;
	return 0;
}

int ok_escape_static_global(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	cached_conn = c;
	return 0;
}

int ok_escape_array_element(struct pool *p, struct conn **slots, int n)
{
	int filled = 0;
	for (int i = 0; i < n; i++) {
		struct conn *c = pool_acquire(p);
		if (!c)
			break;
		slots[i] = c;
		filled++;
	}
	return filled;
}

int ok_escape_transfer(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "LISTEN jobs") < 0) {
		pool_release(p, c);
		return -1;
	}
	pool_adopt(c);			/* the worker releases it */
	return 0;
}

int ok_escape_address_to_unknown(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	stash(&c);
	return 0;
}

/* Its address is stored in another pointer; the handle is used and
 * released through the alias. */
int ok_escape_address_alias(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	struct conn **slot = &c;
	if (*slot == NULL)
		return -1;
	db_query(*slot, "SELECT 1");
	pool_release(p, *slot);
	return 0;
}

/* ---- Borrowing is not escaping ------------------------------------------- */

/* log_conn() and db_query() only borrow: still held at the return. */
int leak_borrowed_by_unknown(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	log_conn(c);
	db_query(c, "SELECT 1");
	return 0;			// expect: leak pool-connection
}

/* Stored into a field on one path only. */
int leak_escape_on_one_path(struct app *app, int keep)
{
	struct conn *c = pool_acquire(app->pool);
	if (!c)
		return -1;
	if (keep)
		app->conn = c;
	return 0;			// expect: leak pool-connection
}

/* Transferred on success only; the failure path forgets the release. */
int leak_transfer_on_success_only(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "LISTEN jobs") < 0)
		return -1;		// expect: leak pool-connection
	pool_adopt(c);
	return 0;
}

/* Returned on success only. */
struct conn *leak_return_on_success_only(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (c && db_query(c, "SET search_path TO app") < 0)
		return NULL;		// expect: leak pool-connection
	return c;
}

/* ---- Discarded results ---------------------------------------------------- */

/* The acquiring call as a statement: lost at once. */
void leak_discarded_statement(struct pool *p)
{
	pool_acquire(p);		// expect: leak pool-connection
}

/* Cast to void: still thrown away. */
void leak_discarded_void_cast(struct pool *p)
{
	(void)pool_acquire(p);		// expect: leak pool-connection
}

/* Passed straight to an unknown function: lost at the end of the statement. */
void leak_discarded_into_unknown(struct pool *p)
{
	log_conn(pool_acquire(p));	// expect: leak pool-connection
}

int leak_discarded_into_query(struct pool *p)
{
	return db_query(pool_acquire(p), "SELECT 1");	// expect: leak pool-connection
}

/* Straight into the release or the transfer function, or returned. */
void ok_acquire_into_release(struct pool *p)
{
	pool_release(p, pool_acquire(p));
}

void ok_acquire_into_transfer(struct pool *p)
{
	pool_adopt(pool_acquire(p));
}

struct conn *ok_acquire_returned(struct pool *p)
{
	return pool_acquire(p);
}

/* ---- Overwrites ----------------------------------------------------------- */

/* Another value over the only reference. */
void leak_overwrite_with_other(struct pool *p, struct conn *spare)
{
	struct conn *c = pool_acquire(p);
	c = spare;			// expect: leak pool-connection
	db_query(c, "SELECT 1");
}

/* A second acquisition over the first. */
void leak_overwrite_reacquire(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	db_query(c, "SELECT 1");
	c = pool_acquire(p);		// expect: leak pool-connection
	db_query(c, "SELECT 2");
	pool_release(p, c);
}

/* Overwritten with NULL "to be safe" before the release. */
void leak_overwrite_with_null(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	db_query(c, "SELECT 1");
	c = NULL;			// expect: leak pool-connection
	pool_release(p, c);
}

/* Released, then the variable reused: nothing is overwritten. */
void ok_release_then_reacquire(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	db_query(c, "SELECT 1");
	pool_release(p, c);
	c = pool_acquire(p);
	db_query(c, "SELECT 2");
	pool_release(p, c);
}

/* A copy still refers to it: overwriting the original loses nothing. */
void ok_overwrite_with_copy_kept(struct pool *p, struct conn *spare)
{
	struct conn *c = pool_acquire(p);
	struct conn *keep = c;
	c = spare;
	db_query(c, "SELECT 1");
	pool_release(p, keep);
}

/* c = f(c): the call receives the old value and takes it over. */
int ok_overwrite_by_call_taking_it(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		c = pool_reconnect(p, c);
	int rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

/* A call through a function pointer may free or keep what it is given (a
 * callback): the handle escapes into it. */
int ok_handle_given_to_callback(struct pool *p, void (*done)(struct conn *))
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	done(c);
	return 0;
}

/* A direct call to a function the rules do not name only borrows. */
int leak_handle_given_to_direct_call(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	log_conn(c);
	return 0;			// expect: leak pool-connection
}
