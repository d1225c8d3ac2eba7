/*
 * pool.h - the declarations every corpus fixture may lean on.
 *
 * The corpus (the .c files in tests/corpus) is leakgate's ground truth: each fixture
 * pairs functions that leak (named leak_*, with `// expect: leak RULE`
 * comments on the lines where a finding must be reported) with functions
 * that do not (ok_*).  Nothing here is ever defined: to the analyzer every
 * function below is either a rule function (pool_acquire, pool_get,
 * pool_release, pool_adopt: see rules/pool.yml) or an unknown function,
 * which only borrows the handles it is given by value.
 *
 * The pool is the one from the outage: a fixed set of connections; a
 * connection taken with pool_acquire() or pool_get() must go back with
 * pool_release() or be handed over with pool_adopt().
 */
#ifndef CORPUS_POOL_H
#define CORPUS_POOL_H

#include <pthread.h>
#include <stdio.h>

struct pool;
struct conn;

/* --- Rule functions (rules/pool.yml, resource pool-connection) --------- */

/* Takes a connection from the pool; NULL when the pool is exhausted. */
struct conn *pool_acquire(struct pool *p);

/* Out-parameter form: 0 and *out set on success, non-zero (and nothing
 * acquired) when the pool is exhausted. */
int pool_get(struct pool *p, struct conn **out);

/* Hands `c` back to the pool.  `c` may be NULL. */
void pool_release(struct pool *p, struct conn *c);

/* Takes ownership of `c` (a background worker will release it). */
void pool_adopt(struct conn *c);

/* --- Unknown functions: they borrow what they are given ---------------- */

int db_query(struct conn *c, const char *sql);
int check_password(const char *user, const char *pw);
int validate_user(const char *user);	/* the user's id, or < 0 */
void log_msg(const char *fmt, ...);
void log_conn(struct conn *c);
void log_file(FILE *f);
int serve_client(int fd);
int parse_line(const char *line);

/* Stores the handle `*out` refers to somewhere the caller cannot see. */
void stash(struct conn **out);

/* Reconnects: takes the old connection over and returns a fresh one
 * (the `c = f(c)` form: the call receives the old value). */
struct conn *pool_reconnect(struct pool *p, struct conn *c);

/* --- Functions that never return ------------------------------------- */

_Noreturn void die(const char *fmt, ...);
void fatal(const char *msg) __attribute__((noreturn));

/* --- Places a handle can escape into ---------------------------------- */

struct session {
	struct conn *conn;
	const char *user;
};

int session_run(struct session *s);

struct app {
	struct pool *pool;
	struct conn *conn;
};

extern struct conn *g_spare_conn;

/* A listening socket (posix.c). */
struct listener {
	int fd;
	int port;
};

/* --- Shared data guarded by locks (pthread.c) -------------------------- */

struct account {
	pthread_mutex_t mu;
	long balance;
};

struct table {
	pthread_rwlock_t lock;
	pthread_spinlock_t spin;
	int n;
	int keys[64];
	long hits;
};

#endif
