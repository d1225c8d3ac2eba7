/*
 * worker.c - the background worker (xtu-service): callers of the pool,
 * session, lock, descriptor and stream helpers of session.c, locks.c and
 * net.c, and of redis.c.  Named so that it comes after them.
 *
 * h_reply_done is static here and in api.c, with different bodies: here
 * it only logs the reply, in api.c it frees it.  The callers below follow
 * this file's h_reply_done.
 */
#include <fcntl.h>
#include <unistd.h>

#include "service.h"

#define JOB_SQL "UPDATE jobs SET state = 'done' WHERE id = 1"

/* Only logs r (api.c's h_reply_done frees it). */
static void h_reply_done(redisReply *r)
{
	log_msg("reply type %d", r->type);
}

/* ---- This file's static helper --------------------------------------------------- */

/* This file's h_reply_done does not free. */
int leak_worker_static_reply_done(redisContext *c)
{
	redisReply *r = h_redis_get(c, "jobs:next");
	if (!r)
		return -1;
	h_reply_done(r);
	return 0;			// expect: leak hiredis-reply
}

int ok_worker_static_reply_done_then_free(redisContext *c)
{
	redisReply *r = h_redis_get(c, "jobs:next");
	if (!r)
		return -1;
	h_reply_done(r);
	h_redis_free(r);
	return 0;
}

/* ---- The pool through session.c -------------------------------------------------- */

int leak_worker_svc_conn(struct svc *s)
{
	struct conn *c = h_svc_conn(s);
	if (!c)
		return -1;
	if (db_query(c, JOB_SQL) < 0)
		return -1;		// expect: leak pool-connection
	h_svc_put(s, c);
	s->served++;
	return 0;
}

/* pool_get's status through h_svc_get: nonzero holds nothing. */
int ok_worker_svc_get(struct svc *s)
{
	struct conn *c;
	if (h_svc_get(s, &c) != 0)
		return -1;
	int rc = db_query(c, JOB_SQL);
	h_svc_put(s, c);
	return rc;
}

int leak_worker_svc_get(struct svc *s, const char *user)
{
	struct conn *c;
	if (h_svc_get(s, &c) != 0)
		return -1;
	if (validate_user(user) < 0)
		return -1;		// expect: leak pool-connection
	db_query(c, JOB_SQL);
	h_svc_put(s, c);
	return 0;
}

/* Parked in the service's own struct, which belongs to the caller. */
int ok_worker_park_spare(struct svc *s)
{
	struct conn *c = pool_acquire(s->pool);
	if (!c)
		return -1;
	if (db_query(c, "SELECT 1") < 0) {
		h_svc_put(s, c);
		return -1;
	}
	h_svc_park(s, c);
	return 0;
}

/* ---- A session's connection field ------------------------------------------------- */

int ok_worker_session(struct svc *s, const char *user)
{
	struct svc_session ss = { .svc = s, .conn = NULL, .user = user };
	h_session_open(&ss);
	if (!ss.conn)
		return -1;
	int rc = h_session_touch(&ss);
	h_session_close(&ss);
	return rc;
}

/* h_session_touch only borrows the field. */
int leak_worker_session_touch_fails(struct svc *s, const char *user)
{
	struct svc_session ss = { .svc = s, .conn = NULL, .user = user };
	h_session_open(&ss);
	if (!ss.conn)
		return -1;
	if (h_session_touch(&ss) < 0)
		return -1;		// expect: leak pool-connection
	h_session_close(&ss);
	return 0;
}

/* ---- Locks in locks.c ---------------------------------------------------------------- */

int leak_worker_lock_table(struct route_table *t, int port)
{
	h_lock_table(t);
	if (port <= 0)
		return -1;		// expect: leak pthread-mutex
	t->ports[t->n++ % 32] = port;
	h_unlock_table(t);
	return 0;
}

int ok_worker_lock_table(struct route_table *t, int port)
{
	int rc = -1;
	h_lock_table(t);
	if (port > 0 && t->n < 32) {
		t->ports[t->n++] = port;
		rc = 0;
	}
	h_unlock_table(t);
	return rc;
}

/* Busy is fine; a full table returns with the lock held. */
int leak_worker_trylock_table(struct route_table *t, int port)
{
	if (h_trylock_table(t) != 0)
		return -1;
	if (t->n == 32)
		return -2;		// expect: leak pthread-mutex
	t->ports[t->n++] = port;
	h_unlock_table(t);
	return 0;
}

/* The registry lock is a static global of locks.c. */
int leak_worker_registry_lock(struct svc *s, const char *user)
{
	h_registry_lock();
	if (validate_user(user) < 0)
		return -1;		// expect: leak pthread-mutex
	s->served++;
	h_registry_unlock();
	return 0;
}

void ok_worker_registry_lock(struct svc *s)
{
	h_registry_lock();
	s->served = 0;
	h_registry_unlock();
}

/* ---- Streams kept in the daemon's context (session.c) ---------------------------------- */

/* ctx belongs to this function's caller, and its owner closes ctx->log. */
int ok_worker_attach_log(struct svc_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	h_ctx_attach_log(ctx, f);
	return 0;
}

/* Not stored when the context already has a log: f is still held. */
int leak_worker_attach_log_once(struct svc_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	if (h_ctx_attach_log_once(ctx, f) < 0)
		return -1;		// expect: leak stdio-file
	return 0;
}

int ok_worker_attach_log_once(struct svc_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	if (h_ctx_attach_log_once(ctx, f) < 0) {
		fclose(f);
		return -1;
	}
	return 0;
}

/* Opened straight into the caller's context: this function is itself a
 * field acquirer for its caller. */
int ok_worker_ctx_open_log(struct svc_ctx *ctx, const char *path)
{
	if (h_ctx_open_log(ctx, path) != 0)
		return -1;
	fputs("worker started\n", ctx->log);
	return 0;
}

/* The same into a local context: nobody closes it. */
int leak_worker_local_ctx_log(const char *path)
{
	struct svc_ctx ctx = { .log = NULL, .redis = NULL };
	if (h_ctx_open_log(&ctx, path) != 0)
		return -1;
	fputs("one-off job\n", ctx.log);
	return 0;			// expect: leak stdio-file
}

/* ---- Descriptors through net.c ----------------------------------------------------------- */

int leak_worker_listen(int port)
{
	int fd = h_listen(port);
	if (fd < 0)
		return -1;
	if (serve_client(fd) < 0)
		return -1;		// expect: leak posix-fd
	h_close_fd(fd);
	return 0;
}

int ok_worker_listen(int port)
{
	int fd = h_listen(port);
	if (fd < 0)
		return -1;
	int rc = serve_client(fd);
	h_close_fd(fd);
	return rc;
}

/* -1 from h_open_ro means nothing was opened. */
long ok_worker_open_ro(const char *path, char *buf, size_t n)
{
	int fd;
	if (h_open_ro(path, &fd) != 0)
		return -1;
	ssize_t got = read(fd, buf, n);
	h_close_fd(fd);
	return got;
}

int leak_worker_open_ro(const char *path, char *buf, size_t n)
{
	int fd;
	if (h_open_ro(path, &fd) != 0)
		return -1;
	if (read(fd, buf, n) <= 0)
		return -1;		// expect: leak posix-fd
	h_close_fd(fd);
	return 0;
}

/* net.c's cleanup function closes the descriptor on every return. */
int ok_worker_fd_cleanup(const char *path, char *buf, size_t n)
{
	int fd __attribute__((cleanup(h_auto_close_fd))) = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, n) < 0)
		return -1;
	return 0;
}
