/*
 * summaries.c - function summaries within one file: a resource acquired,
 * released, stored or only used by a helper whose body leakgate sees.
 *
 * Three kinds of function:
 *   - h_NAME: a helper.  It hands back, releases, stores or borrows what it
 *     is given, and must have no finding of its own;
 *   - leak_NAME: a caller that loses a resource; the finding names the
 *     underlying rule (pool-connection, libpq-result, stdio-file,
 *     pthread-mutex), on the caller's line where the resource is lost;
 *   - ok_NAME: a caller that does not.
 *
 * Covers, one section each: wrappers that acquire (return the handle, or
 * NULL on failure; wrappers of wrappers; a discarded result), out-parameter
 * wrappers (with and without a status that tells success from failure),
 * release helpers (every path, some paths, only when they return 0),
 * storing helpers (a field, a global, a list, a transfer), borrowing
 * helpers, fields of local structs filled and emptied by helpers, lock
 * wrappers (a lock in a parameter, a global lock, a trylock), the cleanup
 * attribute, recursion (self and mutual), and wrappers over libpq and stdio.
 *
 * Helpers that live in another file are in the xtu-* directories.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "pool.h"

#define LOGIN_SQL "UPDATE users SET last_login = now() WHERE name = $1"

/* ---- Wrappers that acquire ---------------------------------------------- */

/* Returns a fresh connection, or NULL when the pool is exhausted: its
 * callers acquire a pool-connection. */
struct conn *h_get_conn(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		log_msg("pool exhausted");
	return c;
}

/* The outage again, with the acquisition one call away. */
int leak_wrapper_early_return(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = h_get_conn(p);
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

int ok_wrapper_released(struct pool *p, const char *user, const char *pw)
{
	struct conn *c = h_get_conn(p);
	if (!c)
		return -1;
	if (!check_password(user, pw)) {
		pool_release(p, c);
		return 1;
	}
	int rc = db_query(c, LOGIN_SQL);
	pool_release(p, c);
	return rc < 0 ? -1 : 0;
}

/* The wrapper's result is thrown away. */
void leak_wrapper_result_discarded(struct pool *p)
{
	h_get_conn(p);			// expect: leak pool-connection
}

/* Returns NULL on every failure; a connection that fails its set-up goes
 * back to the pool first. */
struct conn *h_get_ready_conn(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return NULL;
	if (db_query(c, "SET search_path TO app") < 0) {
		pool_release(p, c);
		return NULL;
	}
	return c;
}

/* NULL from the wrapper holds nothing: the first return is clean. */
int ok_null_wrapper_checked(struct pool *p)
{
	struct conn *c = h_get_ready_conn(p);
	if (c == NULL)
		return -1;
	int rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

int leak_null_wrapper_never_released(struct pool *p)
{
	struct conn *c = h_get_ready_conn(p);
	if (c == NULL)
		return -1;
	return db_query(c, "SELECT 1");	// expect: leak pool-connection
}

/* A wrapper of the two wrappers above: one connection or NULL (the second
 * call overwrites only a NULL). */
struct conn *h_get_any_conn(struct pool *p)
{
	struct conn *c = h_get_ready_conn(p);
	if (!c)
		c = h_get_conn(p);
	return c;
}

/* The verbose branch logs instead of releasing. */
void leak_wrapper_of_wrapper(struct pool *p, int verbose)
{
	struct conn *c = h_get_any_conn(p);
	if (!c)
		return;
	if (verbose)
		log_conn(c);
	else
		pool_release(p, c);
}					// expect: leak pool-connection

void ok_wrapper_of_wrapper(struct pool *p, int verbose)
{
	struct conn *c = h_get_any_conn(p);
	if (!c)
		return;
	if (verbose)
		log_conn(c);
	pool_release(p, c);
}

/* ---- Out-parameter wrappers ---------------------------------------------- */

/* 0 with *out held, -1 with *out NULL: the status tells them apart. */
int h_open_conn(struct pool *p, struct conn **out)
{
	*out = pool_acquire(p);
	return *out ? 0 : -1;
}

/* -1 means nothing was acquired: the early return is clean. */
int ok_out_param_status(struct pool *p)
{
	struct conn *c;
	if (h_open_conn(p, &c) != 0)
		return -1;
	db_query(c, "SELECT 1");
	pool_release(p, c);
	return 0;
}

int leak_out_param_status(struct pool *p)
{
	struct conn *c;
	if (h_open_conn(p, &c) != 0)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

/* A wrapper of the out-parameter wrapper: passes `out` straight on and
 * returns its status. */
int h_open_conn_logged(struct pool *p, struct conn **out)
{
	int rc = h_open_conn(p, out);
	if (rc != 0)
		log_msg("no connection");
	return rc;
}

int ok_out_param_wrapper_of_wrapper(struct pool *p)
{
	struct conn *c = NULL;
	int rc = h_open_conn_logged(p, &c);
	if (rc < 0)
		return rc;
	rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

int leak_out_param_wrapper_of_wrapper(struct pool *p)
{
	struct conn *c = NULL;
	int rc = h_open_conn_logged(p, &c);
	if (rc < 0)
		return rc;
	return db_query(c, "SELECT 1");	// expect: leak pool-connection
}

/* No status at all: the caller tests the handle itself. */
void h_fill_conn(struct pool *p, struct conn **out)
{
	*out = pool_acquire(p);
	if (!*out)
		log_msg("pool exhausted");
}

int ok_out_param_void_tested(struct pool *p)
{
	struct conn *c;
	h_fill_conn(p, &c);
	if (!c)
		return -1;
	db_query(c, "SELECT 1");
	pool_release(p, c);
	return 0;
}

int leak_out_param_void(struct pool *p, const char *sql)
{
	struct conn *c;
	h_fill_conn(p, &c);
	if (!c)
		return -1;
	if (sql == NULL)
		return -2;		// expect: leak pool-connection
	db_query(c, sql);
	pool_release(p, c);
	return 0;
}

/* A status that does not tell: -1 both when nothing was acquired and when
 * the warm-up query failed with *out still held. */
int h_open_warm(struct pool *p, struct conn **out)
{
	*out = pool_acquire(p);
	if (!*out)
		return -1;
	if (db_query(*out, "SELECT 1") < 0)
		return -1;
	return 0;
}

/* Takes -1 to mean "nothing held": the failed warm-up leaks. */
int leak_out_param_status_does_not_tell(struct pool *p)
{
	struct conn *c;
	if (h_open_warm(p, &c) != 0)
		return -1;		// expect: leak pool-connection
	db_query(c, "SELECT 2");
	pool_release(p, c);
	return 0;
}

/* Releases on -1 too: c is NULL or held there, and pool_release takes NULL. */
int ok_out_param_status_does_not_tell(struct pool *p)
{
	struct conn *c;
	if (h_open_warm(p, &c) != 0) {
		pool_release(p, c);
		return -1;
	}
	db_query(c, "SELECT 2");
	pool_release(p, c);
	return 0;
}

/* ---- Release helpers ----------------------------------------------------- */

/* Releases c on every path (a NULL c holds nothing). */
void h_put_conn(struct pool *p, struct conn *c)
{
	if (c)
		pool_release(p, c);
}

int ok_release_helper(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	h_put_conn(p, c);
	return rc;
}

/* The helper is called on the success path only. */
int leak_release_helper_skipped(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "BEGIN") < 0)
		return -1;		// expect: leak pool-connection
	h_put_conn(p, c);
	return 0;
}

/* Wrapper in, helper out: nothing of the pool in sight. */
int ok_wrapper_and_release_helper(struct pool *p)
{
	struct conn *c = h_get_conn(p);
	int rc = c ? db_query(c, "SELECT 1") : -1;
	h_put_conn(p, c);
	return rc;
}

/* Releases only an idle connection; a busy one stays with the caller, who
 * cannot tell which happened. */
void h_put_if_idle(struct pool *p, struct conn *c)
{
	if (db_query(c, "SELECT idle()") == 0)
		pool_release(p, c);
}

/* Relies on h_put_if_idle: still held when the connection was busy. */
int leak_release_helper_some_paths(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	db_query(c, "UPDATE stats SET n = n + 1");
	h_put_if_idle(p, c);
	return 0;			// expect: leak pool-connection
}

/* Releases c only when the COMMIT succeeds and it returns 0; on -1 the
 * caller still holds c. */
int h_finish(struct pool *p, struct conn *c)
{
	if (db_query(c, "COMMIT") < 0)
		return -1;
	pool_release(p, c);
	return 0;
}

int ok_release_on_zero_checked(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	db_query(c, "BEGIN");
	if (h_finish(p, c) < 0) {
		pool_release(p, c);
		return -1;
	}
	return 0;
}

int leak_release_on_zero_unchecked(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	db_query(c, "BEGIN");
	if (h_finish(p, c) < 0)
		return -1;		// expect: leak pool-connection
	return 0;
}

/* The status kept in a variable and tested later. */
int ok_release_on_zero_status_variable(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	db_query(c, "BEGIN");
	int rc = h_finish(p, c);
	if (rc != 0)
		pool_release(p, c);
	return rc;
}

/* The status is ignored: held when the COMMIT failed. */
void leak_release_on_zero_ignored(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return;
	db_query(c, "BEGIN");
	h_finish(p, c);
}					// expect: leak pool-connection

/* ---- Storing helpers ------------------------------------------------------- */

/* Into a field of the caller's struct. */
void h_keep(struct app *a, struct conn *c)
{
	a->conn = c;
}

int ok_store_helper_field(struct app *a)
{
	struct conn *c = pool_acquire(a->pool);
	if (!c)
		return -1;
	h_keep(a, c);
	return 0;
}

/* Into a global (pool.h). */
void h_keep_spare(struct conn *c)
{
	g_spare_conn = c;
}

int ok_store_helper_global(struct pool *p)
{
	struct conn *c = h_get_conn(p);
	if (!c)
		return -1;
	h_keep_spare(c);
	return 0;
}

struct conn_list {
	struct conn *items[16];
	int n;
};

/* Pushes onto the caller's list. */
void h_list_push(struct conn_list *l, struct conn *c)
{
	l->items[l->n++] = c;
}

int ok_store_helper_list_push(struct pool *p, struct conn_list *l)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	h_list_push(l, c);
	return 0;
}

/* Stores only when there is room, and says so: 0 stored, -1 not stored
 * (the caller still holds c). */
int h_list_try_push(struct conn_list *l, struct conn *c)
{
	if (l->n == 16)
		return -1;
	l->items[l->n++] = c;
	return 0;
}

int leak_store_helper_list_full(struct pool *p, struct conn_list *l)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (h_list_try_push(l, c) < 0)
		return -1;		// expect: leak pool-connection
	return 0;
}

int ok_store_helper_list_full(struct pool *p, struct conn_list *l)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (h_list_try_push(l, c) < 0) {
		pool_release(p, c);
		return -1;
	}
	return 0;
}

/* Hands c to the transfer function pool_adopt(). */
void h_hand_off(struct conn *c)
{
	log_conn(c);
	pool_adopt(c);
}

int ok_store_helper_transfer(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "LISTEN jobs") < 0) {
		pool_release(p, c);
		return -1;
	}
	h_hand_off(c);
	return 0;
}

/* ---- Borrowing helpers ----------------------------------------------------- */

/* Only uses c. */
int h_ping(struct conn *c)
{
	return db_query(c, "SELECT 1");
}

int leak_borrow_helper(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (h_ping(c) < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

int ok_borrow_helper(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	int rc = h_ping(c);
	pool_release(p, c);
	return rc;
}

/* Only reads through the address it is given: the address does not make
 * the handle escape, since the body shows it is neither kept nor released. */
int h_ping_ref(struct conn *const *cp)
{
	return db_query(*cp, "SELECT 1");
}

int leak_borrow_helper_by_address(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	return h_ping_ref(&c);		// expect: leak pool-connection
}

/* ---- Fields of a local struct ---------------------------------------------- */

/* Acquires into a->conn (NULL when the pool is exhausted). */
void h_app_open(struct app *a)
{
	a->conn = pool_acquire(a->pool);
}

/* Releases a->conn on every path. */
void h_app_close(struct app *a)
{
	pool_release(a->pool, a->conn);
	a->conn = NULL;
}

/* Only reads a->conn. */
int h_app_ping(const struct app *a)
{
	return db_query(a->conn, "SELECT 1");
}

int ok_struct_open_close(struct pool *p)
{
	struct app s = { .pool = p, .conn = NULL };
	h_app_open(&s);
	if (!s.conn)
		return -1;
	int rc = db_query(s.conn, "SELECT 1");
	h_app_close(&s);
	return rc;
}

int leak_struct_open_early_return(struct pool *p)
{
	struct app s = { .pool = p, .conn = NULL };
	h_app_open(&s);
	if (!s.conn)
		return -1;
	if (db_query(s.conn, "SELECT 1") < 0)
		return -1;		// expect: leak pool-connection
	h_app_close(&s);
	return 0;
}

/* Acquired straight into the field, released by the helper. */
int ok_struct_field_acquired_here(struct pool *p)
{
	struct app s;
	s.pool = p;
	s.conn = pool_acquire(p);
	if (!s.conn)
		return -1;
	db_query(s.conn, "SELECT 1");
	h_app_close(&s);
	return 0;
}

/* Acquired straight into the field; nothing releases it. */
int leak_struct_field_acquired_here(struct pool *p)
{
	struct app s;
	s.pool = p;
	s.conn = pool_acquire(p);
	if (!s.conn)
		return -1;
	return db_query(s.conn, "SELECT 1");	// expect: leak pool-connection
}

/* Passing &s to a helper that only reads the field keeps nothing. */
int leak_struct_borrowing_helper(struct pool *p)
{
	struct app s = { .pool = p, .conn = NULL };
	h_app_open(&s);
	if (!s.conn)
		return -1;
	return h_app_ping(&s);		// expect: leak pool-connection
}

/* The struct's scope ends with its field held. */
int leak_struct_scope_end(struct pool *p, int audit)
{
	if (audit) {
		struct app s = { .pool = p, .conn = NULL };
		h_app_open(&s);
		if (s.conn)
			db_query(s.conn, "INSERT INTO audit VALUES (now())");
	}				// expect: leak pool-connection
	return 0;
}

/* Helpers of helpers, each reaching the field through its pointer
 * parameter (a->conn). */
void h_app_setup(struct app *a)
{
	h_app_open(a);
	if (a->conn)
		db_query(a->conn, "SET search_path TO app");
}

void h_app_teardown(struct app *a)
{
	log_msg("closing");
	h_app_close(a);
}

int ok_struct_nested_helpers(struct pool *p)
{
	struct app s = { .pool = p, .conn = NULL };
	h_app_setup(&s);
	if (!s.conn)
		return -1;
	int rc = h_app_ping(&s);
	h_app_teardown(&s);
	return rc;
}

int leak_struct_nested_helpers(struct pool *p)
{
	struct app s = { .pool = p, .conn = NULL };
	h_app_setup(&s);
	if (!s.conn)
		return -1;
	if (h_app_ping(&s) < 0)
		return -1;		// expect: leak pool-connection
	h_app_teardown(&s);
	return 0;
}

/* The caller's own pointer parameter: a->conn belongs to whoever passed
 * `a` (as in escapes.c), so this function is itself a field acquirer. */
int ok_struct_pointer_parameter(struct app *a)
{
	h_app_setup(a);
	if (!a->conn)
		return -1;
	return h_app_ping(a);
}

/* ---- Lock wrappers --------------------------------------------------------- */

struct db {
	pthread_mutex_t mu;
	long rows;
};

/* Locks d->mu on every path: its callers hold the lock. */
void h_db_lock(struct db *d)
{
	pthread_mutex_lock(&d->mu);
}

void h_db_unlock(struct db *d)
{
	pthread_mutex_unlock(&d->mu);
}

int leak_lock_wrapper_early_return(struct db *d, long n)
{
	h_db_lock(d);
	if (n < 0)
		return -1;		// expect: leak pthread-mutex
	d->rows += n;
	h_db_unlock(d);
	return 0;
}

int ok_lock_wrapper(struct db *d, long n)
{
	h_db_lock(d);
	if (n < 0) {
		h_db_unlock(d);
		return -1;
	}
	d->rows += n;
	h_db_unlock(d);
	return 0;
}

/* Locks one db and unlocks the other: `from` stays locked. */
int leak_lock_wrapper_other_db(struct db *from, struct db *to, long n)
{
	h_db_lock(from);
	from->rows -= n;
	to->rows += n;
	h_db_unlock(to);
	return 0;			// expect: leak pthread-mutex
}

/* 0 with the lock held, -1 without it. */
int h_db_trylock(struct db *d)
{
	if (pthread_mutex_trylock(&d->mu) != 0)
		return -1;
	return 0;
}

/* Busy is fine; the check after a successful trylock is not. */
int leak_trylock_wrapper(struct db *d, long n)
{
	if (h_db_trylock(d) != 0)
		return -1;
	if (n > d->rows)
		return -2;		// expect: leak pthread-mutex
	d->rows -= n;
	h_db_unlock(d);
	return 0;
}

int ok_trylock_wrapper(struct db *d)
{
	if (h_db_trylock(d) != 0)
		return -1;
	d->rows++;
	h_db_unlock(d);
	return 0;
}

static pthread_mutex_t g_stats = PTHREAD_MUTEX_INITIALIZER;
static long g_logins;

/* A global lock behind two wrappers without parameters. */
void h_stats_lock(void)
{
	pthread_mutex_lock(&g_stats);
}

void h_stats_unlock(void)
{
	pthread_mutex_unlock(&g_stats);
}

int leak_global_lock_wrapper(long delta)
{
	h_stats_lock();
	if (delta < 0)
		return -1;		// expect: leak pthread-mutex
	g_logins += delta;
	h_stats_unlock();
	return 0;
}

void ok_global_lock_wrapper(void)
{
	h_stats_lock();
	g_logins++;
	h_stats_unlock();
}

/* Locked by the wrapper, unlocked directly: the same lock. */
void ok_global_lock_wrapper_direct_unlock(void)
{
	h_stats_lock();
	g_logins = 0;
	pthread_mutex_unlock(&g_stats);
}

/* ---- __attribute__((cleanup)) ------------------------------------------------ */

static struct pool *g_pool;

/* Runs when the variable goes out of scope; releases it. */
static void h_auto_put(struct conn **cp)
{
	if (*cp)
		pool_release(g_pool, *cp);
}

/* Runs when the variable goes out of scope; only logs it. */
static void h_auto_log(struct conn **cp)
{
	log_conn(*cp);
}

static void h_auto_fclose(FILE **fp)
{
	if (*fp)
		fclose(*fp);
}

/* Every return runs h_auto_put(&c). */
int ok_cleanup_releases(void)
{
	struct conn *c __attribute__((cleanup(h_auto_put))) = pool_acquire(g_pool);
	if (!c)
		return -1;
	if (db_query(c, "BEGIN") < 0)
		return -1;
	return db_query(c, "COMMIT");
}

/* The cleanup runs at the end of each iteration, at break and at continue. */
int ok_cleanup_in_loop(const char **sqls, int n)
{
	for (int i = 0; i < n; i++) {
		struct conn *c __attribute__((cleanup(h_auto_put))) = pool_acquire(g_pool);
		if (!c)
			continue;
		if (db_query(c, sqls[i]) < 0)
			break;
	}
	return 0;
}

/* Ownership taken out of the cleanup variable: `c = NULL` leaves the
 * cleanup nothing to release, and the connection is returned. */
struct conn *ok_cleanup_take_pointer(void)
{
	struct conn *c __attribute__((cleanup(h_auto_put))) = pool_acquire(g_pool);
	if (!c || db_query(c, "SET search_path TO app") < 0)
		return NULL;
	struct conn *ret = c;
	c = NULL;
	return ret;
}

/* A cleanup function that does not release. */
int leak_cleanup_does_not_release(void)
{
	struct conn *c __attribute__((cleanup(h_auto_log))) = pool_acquire(g_pool);
	if (!c)
		return -1;
	return db_query(c, "SELECT 1");	// expect: leak pool-connection
}

/* The same at the end of a loop body's scope. */
int leak_cleanup_does_not_release_scope_end(int n)
{
	for (int i = 0; i < n; i++) {
		struct conn *c __attribute__((cleanup(h_auto_log))) = pool_acquire(g_pool);
		if (c)
			db_query(c, "SELECT 1");
	}				// expect: leak pool-connection
	return 0;
}

int ok_cleanup_fclose(const char *path, char *buf, int n)
{
	FILE *f __attribute__((cleanup(h_auto_fclose))) = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, n, f))
		return -1;
	return 0;
}

/* ---- Recursion ------------------------------------------------------------- */

/* Self-recursive wrapper: tries again until the pool gives a connection
 * or the tries run out; a connection or NULL, like pool_acquire. */
struct conn *h_get_conn_tries(struct pool *p, int tries)
{
	struct conn *c = pool_acquire(p);
	if (c || tries <= 1)
		return c;
	log_msg("pool busy, %d tries left", tries - 1);
	return h_get_conn_tries(p, tries - 1);
}

int leak_recursive_wrapper(struct pool *p)
{
	struct conn *c = h_get_conn_tries(p, 3);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0)
		return -1;		// expect: leak pool-connection
	pool_release(p, c);
	return 0;
}

int ok_recursive_wrapper(struct pool *p)
{
	struct conn *c = h_get_conn_tries(p, 3);
	if (!c)
		return -1;
	int rc = db_query(c, "SELECT 1");
	pool_release(p, c);
	return rc;
}

/* Mutually recursive wrappers: h_retry_get acquires, h_retry_wait waits
 * and calls it again. */
struct conn *h_retry_wait(struct pool *p, int tries);

struct conn *h_retry_get(struct pool *p, int tries)
{
	struct conn *c = pool_acquire(p);
	if (c || tries <= 1)
		return c;
	return h_retry_wait(p, tries - 1);
}

struct conn *h_retry_wait(struct pool *p, int tries)
{
	log_msg("waiting for the pool");
	return h_retry_get(p, tries);
}

void leak_mutually_recursive_wrapper(struct pool *p)
{
	struct conn *c = h_retry_wait(p, 5);
	if (c)
		db_query(c, "SELECT 1");
}					// expect: leak pool-connection

void ok_mutually_recursive_wrapper(struct pool *p)
{
	struct conn *c = h_retry_get(p, 5);
	if (c) {
		db_query(c, "SELECT 1");
		pool_release(p, c);
	}
}

/* A chain of connections; h_release_chain releases n->conn on every path,
 * then recurses on the rest of the chain. */
struct conn_node {
	struct conn *conn;
	struct conn_node *next;
};

void h_release_chain(struct pool *p, struct conn_node *n)
{
	pool_release(p, n->conn);
	if (n->next)
		h_release_chain(p, n->next);
}

int ok_recursive_release(struct pool *p)
{
	struct conn_node head;
	head.next = NULL;
	head.conn = pool_acquire(p);
	if (!head.conn)
		return -1;
	int rc = db_query(head.conn, "SELECT 1");
	h_release_chain(p, &head);
	return rc;
}

int leak_recursive_release_skipped(struct pool *p)
{
	struct conn_node head;
	head.next = NULL;
	head.conn = pool_acquire(p);
	if (!head.conn)
		return -1;
	if (db_query(head.conn, "SELECT 1") < 0)
		return -1;		// expect: leak pool-connection
	h_release_chain(p, &head);
	return 0;
}

/* Mutually recursive release: between them, h_drain_rows and
 * h_drain_next release c on every path. */
void h_drain_rows(struct pool *p, struct conn *c, int n);

void h_drain_next(struct pool *p, struct conn *c, int n)
{
	db_query(c, "FETCH NEXT");
	h_drain_rows(p, c, n - 1);
}

void h_drain_rows(struct pool *p, struct conn *c, int n)
{
	if (n <= 0) {
		pool_release(p, c);
		return;
	}
	h_drain_next(p, c, n);
}

int ok_mutually_recursive_release(struct pool *p, int rows)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	db_query(c, "DECLARE cur CURSOR FOR SELECT * FROM users");
	h_drain_rows(p, c, rows);
	return 0;
}

int leak_mutually_recursive_release_skipped(struct pool *p, int rows)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (rows < 0)
		return -1;		// expect: leak pool-connection
	h_drain_rows(p, c, rows);
	return 0;
}

/* ---- Wrappers over libpq and stdio ---------------------------------------- */

/* PQexec's result is handed back: the caller must PQclear it. */
PGresult *h_run(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		log_msg("query failed: %s", PQerrorMessage(conn));
	return res;
}

int leak_libpq_run_not_cleared(PGconn *conn)
{
	PGresult *res = h_run(conn, "SELECT count(*) FROM users");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return -1;
	}
	return atoi(PQgetvalue(res, 0, 0));	// expect: leak libpq-result
}

int ok_libpq_run_cleared(PGconn *conn)
{
	PGresult *res = h_run(conn, "SELECT count(*) FROM users");
	int n = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return n;
}

/* A connection, or NULL: a failed connection is finished here. */
PGconn *h_pg_connect(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* The result is cleared, the connection is not. */
int leak_libpq_connect_wrapper(const char *conninfo)
{
	PGconn *conn = h_pg_connect(conninfo);
	if (!conn)
		return -1;
	PGresult *res = h_run(conn, "VACUUM");
	PQclear(res);
	return 0;			// expect: leak libpq-connection
}

int ok_libpq_connect_wrapper(const char *conninfo)
{
	PGconn *conn = h_pg_connect(conninfo);
	if (!conn)
		return -1;
	PGresult *res = h_run(conn, "VACUUM");
	PQclear(res);
	PQfinish(conn);
	return 0;
}

/* A stream, or NULL. */
FILE *h_open_log(void)
{
	FILE *f = fopen("/var/log/app.log", "a");
	if (!f)
		log_msg("cannot open the log");
	return f;
}

/* Closes f on every path. */
void h_close_log(FILE *f)
{
	fflush(f);
	fclose(f);
}

int leak_stdio_open_wrapper(const char *msg)
{
	FILE *f = h_open_log();
	if (!f)
		return -1;
	if (fputs(msg, f) < 0)
		return -1;		// expect: leak stdio-file
	h_close_log(f);
	return 0;
}

int ok_stdio_open_wrapper(const char *msg)
{
	FILE *f = h_open_log();
	if (!f)
		return -1;
	int rc = fputs(msg, f) < 0 ? -1 : 0;
	h_close_log(f);
	return rc;
}
