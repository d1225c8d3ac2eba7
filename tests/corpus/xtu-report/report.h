/*
 * report.h - the reporting job's helpers (xtu-report): libpq wrappers in
 * pg.c, stdio wrappers and cleanup functions in logfile.c, lock wrappers
 * in stats.c; the callers are in daily.c and weekly.c.
 *
 * What each helper does with its resource is stated here once; the
 * analyzer learns it from the bodies, in the other translation units.
 */
#ifndef XTU_REPORT_H
#define XTU_REPORT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>

/* pg.c: a connection (libpq-connection), or NULL; a failed connection is
 * finished there. */
PGconn *h_pg_connect(const char *conninfo);

/* pg.c: PQexec's result (libpq-result), to be cleared by the caller. */
PGresult *h_pg_run(PGconn *conn, const char *sql);

/* pg.c: clears res on every path. */
void h_pg_clear(PGresult *res);

/* pg.c: 0 with *out a result to clear; -1 with *out NULL. */
int h_pg_query(PGconn *conn, const char *sql, PGresult **out);

/* pg.c: runs and clears its own query; only borrows conn. */
long h_pg_count_users(PGconn *conn);

/* logfile.c: a stream (stdio-file), or NULL. */
FILE *h_log_open(const char *path);

/* logfile.c: closes f on every path. */
void h_log_close(FILE *f);

/* logfile.c: only writes to f. */
int h_log_write(FILE *f, const char *msg);

/* logfile.c: cleanup functions for __attribute__((cleanup)): the first
 * closes *fp, the second only flushes it. */
void h_auto_close(FILE **fp);
void h_auto_flush(FILE **fp);

/* stats.c: the report lock, a static mutex of stats.c. */
void h_report_lock(void);
void h_report_unlock(void);

/* stats.c: read-lock and unlock a cache. */
struct cache {
	pthread_rwlock_t lock;
	int n;
	int keys[64];
};
void h_cache_rdlock(struct cache *c);
void h_cache_unlock(struct cache *c);

#endif
