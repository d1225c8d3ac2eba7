/*
 * session.c - pool wrappers, a session's connection field, and helpers
 * that store a stream in the daemon's context (xtu-service).  Helpers
 * only.
 */
#include "service.h"

struct conn *h_svc_conn(struct svc *s)
{
	struct conn *c = pool_acquire(s->pool);
	if (!c)
		log_msg("pool exhausted");
	return c;
}

/* pool_get's own status, passed straight on. */
int h_svc_get(struct svc *s, struct conn **out)
{
	return pool_get(s->pool, out);
}

void h_svc_put(struct svc *s, struct conn *c)
{
	if (c)
		pool_release(s->pool, c);
}

void h_svc_park(struct svc *s, struct conn *c)
{
	s->spare = c;
}

void h_session_open(struct svc_session *ss)
{
	ss->conn = pool_acquire(ss->svc->pool);
}

void h_session_close(struct svc_session *ss)
{
	pool_release(ss->svc->pool, ss->conn);
	ss->conn = NULL;
}

int h_session_touch(const struct svc_session *ss)
{
	if (validate_user(ss->user) < 0)
		return -1;
	return db_query(ss->conn, "UPDATE sessions SET seen = now()");
}

void h_ctx_attach_log(struct svc_ctx *ctx, FILE *f)
{
	ctx->log = f;
}

int h_ctx_attach_log_once(struct svc_ctx *ctx, FILE *f)
{
	if (ctx->log != NULL)
		return -1;
	ctx->log = f;
	return 0;
}

int h_ctx_open_log(struct svc_ctx *ctx, const char *path)
{
	ctx->log = fopen(path, "a");
	return ctx->log ? 0 : -1;
}
