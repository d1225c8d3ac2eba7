/*
 * pool.h - the connection pool the CLI transcripts analyse
 * (rules/pool.yml defines its resource, pool-connection).
 */
#ifndef CLI_POOL_H
#define CLI_POOL_H

struct pool;
struct conn;

struct conn *pool_acquire(struct pool *p);
void pool_release(struct pool *p, struct conn *c);
int db_query(struct conn *c, const char *sql);

#endif
