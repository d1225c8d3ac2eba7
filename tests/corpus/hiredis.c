/*
 * hiredis.c - the Redis client: redis-context (redisConnect and its
 * variants -> redisFree) and redis-reply (redisCommand, redisCommandArgv
 * -> freeReplyObject).
 *
 * redisConnect() returns NULL only when it cannot allocate; a context whose
 * err is set (connection refused, ...) still needs redisFree().  Functions
 * that take a redisContext * parameter only borrow it.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

/* ---- Contexts ------------------------------------------------------------- */

/* The classic check frees nothing when c->err is set. */
int leak_connect_err_not_freed(const char *host, int port)
{
	redisContext *c = redisConnect(host, port);
	if (c == NULL || c->err) {
		fprintf(stderr, "redis: %s\n", c ? c->errstr : "out of memory");
		return -1;		// expect: leak hiredis-context
	}
	redisFree(c);
	return 0;
}

int ok_connect_err_freed(const char *host, int port)
{
	redisContext *c = redisConnect(host, port);
	if (c == NULL || c->err) {
		fprintf(stderr, "redis: %s\n", c ? c->errstr : "out of memory");
		if (c)
			redisFree(c);
		return -1;
	}
	redisFree(c);
	return 0;
}

/* Connected with a timeout and handed to the caller. */
redisContext *ok_connect_timeout_returned(const char *host, int port)
{
	struct timeval tv = { 1, 500000 };
	redisContext *c = redisConnectWithTimeout(host, port, tv);
	if (!c)
		return NULL;
	if (c->err) {
		redisFree(c);
		return NULL;
	}
	return c;
}

/* The unix-socket context: the PING failure returns without redisFree. */
int leak_connect_unix_ping_fails(const char *path)
{
	redisContext *c = redisConnectUnix(path);
	if (!c)
		return -1;
	if (c->err) {
		redisFree(c);
		return -1;
	}
	redisReply *r = redisCommand(c, "PING");
	if (r == NULL)
		return -1;		// expect: leak hiredis-context
	freeReplyObject(r);
	redisFree(c);
	return 0;
}

/* ---- Replies -------------------------------------------------------------- */

/* The reply is freed only on success. */
int leak_reply_freed_on_success_only(redisContext *c, const char *key, char *buf, size_t n)
{
	redisReply *r = redisCommand(c, "GET %s", key);
	if (r == NULL)
		return -1;
	if (r->type != REDIS_REPLY_STRING)
		return -1;		// expect: leak hiredis-reply
	snprintf(buf, n, "%s", r->str);
	freeReplyObject(r);
	return 0;
}

int ok_reply_freed_on_every_path(redisContext *c, const char *key, char *buf, size_t n)
{
	redisReply *r = redisCommand(c, "GET %s", key);
	if (r == NULL)
		return -1;
	int rc = -1;
	if (r->type == REDIS_REPLY_STRING) {
		snprintf(buf, n, "%s", r->str);
		rc = 0;
	}
	freeReplyObject(r);
	return rc;
}

/* A fire-and-forget command: its reply is thrown away at once. */
void leak_reply_discarded(redisContext *c, const char *key)
{
	redisCommand(c, "INCR %s", key);	// expect: leak hiredis-reply
}

/* The idiom that frees the reply it does not want. */
void ok_reply_freed_immediately(redisContext *c, const char *key)
{
	freeReplyObject(redisCommand(c, "INCR %s", key));
}

/* redisCommandArgv: the error reply returns early. */
long long leak_argv_error_reply(redisContext *c, int argc, const char **argv)
{
	redisReply *r = redisCommandArgv(c, argc, argv, NULL);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "redis: %s\n", r->str);
		return -1;		// expect: leak hiredis-reply
	}
	long long v = r->integer;
	freeReplyObject(r);
	return v;
}

/* The reply belongs to the caller. */
redisReply *ok_argv_reply_returned(redisContext *c, int argc, const char **argv)
{
	return redisCommandArgv(c, argc, argv, NULL);
}

/* Each reply in the loop is freed before the next command. */
int ok_reply_loop(redisContext *c, const char **keys, int n)
{
	int found = 0;
	for (int i = 0; i < n; i++) {
		redisReply *r = redisCommand(c, "EXISTS %s", keys[i]);
		if (r == NULL)
			return -1;
		if (r->type == REDIS_REPLY_INTEGER && r->integer == 1)
			found++;
		freeReplyObject(r);
	}
	return found;
}

/* The loop body declares the reply and leaves it behind with continue. */
int leak_reply_loop_continue(redisContext *c, const char **keys, int n)
{
	int found = 0;
	for (int i = 0; i < n; i++) {
		redisReply *r = redisCommand(c, "EXISTS %s", keys[i]);
		if (r == NULL)
			return -1;
		if (r->type != REDIS_REPLY_INTEGER)
			continue;	// expect: leak hiredis-reply
		found += (int)r->integer;
		freeReplyObject(r);
	}
	return found;
}

/* ---- Both ---------------------------------------------------------------- */

/* The error reply returns with both the reply and the context. */
int leak_context_and_reply(const char *host, const char *key)
{
	redisContext *c = redisConnect(host, 6379);
	if (c == NULL || c->err) {
		if (c)
			redisFree(c);
		return -1;
	}
	redisReply *r = redisCommand(c, "DEL %s", key);
	if (r != NULL && r->type == REDIS_REPLY_ERROR)
		return -1;		// expect: leak hiredis-context, leak hiredis-reply
	if (r)
		freeReplyObject(r);
	redisFree(c);
	return 0;
}

int ok_context_and_reply(const char *host, const char *key)
{
	redisContext *c = redisConnect(host, 6379);
	if (c == NULL || c->err) {
		if (c)
			redisFree(c);
		return -1;
	}
	redisReply *r = redisCommand(c, "DEL %s", key);
	int rc = (r != NULL && r->type != REDIS_REPLY_ERROR) ? 0 : -1;
	if (r)
		freeReplyObject(r);
	redisFree(c);
	return rc;
}
