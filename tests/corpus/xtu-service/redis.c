/*
 * redis.c - hiredis wrappers (xtu-service): the bottom of the chain
 * api.c -> cache.c -> redis.c -> redisCommand.  Helpers only: none of
 * them may have a finding.
 */
#include "service.h"

redisContext *h_redis_connect(const char *host, int port)
{
	redisContext *c = redisConnect(host, port);
	if (c == NULL)
		return NULL;
	if (c->err) {
		log_msg("redis %s:%d: %s", host, port, c->errstr);
		redisFree(c);
		return NULL;
	}
	return c;
}

/* Self-recursive: a context, or NULL once the tries run out. */
redisContext *h_redis_connect_retry(const char *host, int port, int tries)
{
	redisContext *c = h_redis_connect(host, port);
	if (c || tries <= 1)
		return c;
	return h_redis_connect_retry(host, port, tries - 1);
}

redisReply *h_redis_get(redisContext *c, const char *key)
{
	return redisCommand(c, "GET %s", key);
}

int h_redis_next(redisContext *c, redisReply **out)
{
	return redisGetReply(c, (void **)out);
}

int h_redis_set(redisContext *c, const char *key, const char *val)
{
	redisReply *r = redisCommand(c, "SET %s %s", key, val);
	if (r == NULL)
		return -1;
	int ok = r->type == REDIS_REPLY_STATUS;
	freeReplyObject(r);
	return ok ? 0 : -1;
}

void h_redis_free(redisReply *r)
{
	if (r)
		freeReplyObject(r);
}

void h_auto_reply(redisReply **rp)
{
	if (*rp)
		freeReplyObject(*rp);
}
