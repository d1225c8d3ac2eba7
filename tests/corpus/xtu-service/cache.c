/*
 * cache.c - the read-through cache (xtu-service): wrappers of redis.c's
 * and db.c's wrappers, the middle link of two three-file chains.  Helpers
 * only.
 */
#include "service.h"

/* A nil or error reply is freed here; only a string reply goes back. */
redisReply *h_cache_lookup(struct svc_ctx *ctx, const char *key)
{
	redisReply *r = h_redis_get(ctx->redis, key);
	if (r == NULL)
		return NULL;
	if (r->type != REDIS_REPLY_STRING) {
		h_redis_free(r);
		return NULL;
	}
	return r;
}

/* Passes `out` and the status of h_db_open straight on. */
int h_cache_open_db(const char *path, sqlite3 **out)
{
	int rc = h_db_open(path, out);
	if (rc != SQLITE_OK)
		log_msg("cache database %s: error %d", path, rc);
	return rc;
}
