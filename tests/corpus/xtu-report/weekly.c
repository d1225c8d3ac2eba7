/*
 * weekly.c - the weekly report (xtu-report): callers of pg.c, logfile.c
 * and stats.c.
 *
 * h_done is static here and in daily.c, with different bodies: here it
 * only flushes the stream, in daily.c it closes it.  The callers below
 * follow this file's h_done.
 */
#include "pool.h"
#include "report.h"

#define WEEKLY_LOG "/var/log/report/weekly.log"

/* Only flushes f (daily.c's h_done closes it). */
static void h_done(FILE *f)
{
	fputs("done\n", f);
	fflush(f);
}

/* This file's h_done does not close. */
int leak_weekly_static_done(const char *msg)
{
	FILE *f = h_log_open(WEEKLY_LOG);
	if (!f)
		return -1;
	int rc = h_log_write(f, msg);
	h_done(f);
	return rc;			// expect: leak stdio-file
}

int ok_weekly_static_done_then_close(const char *msg)
{
	FILE *f = h_log_open(WEEKLY_LOG);
	if (!f)
		return -1;
	int rc = h_log_write(f, msg);
	h_done(f);
	h_log_close(f);
	return rc;
}

/* The cleanup function, in logfile.c, only flushes. */
int leak_weekly_cleanup_flush_only(const char *msg)
{
	FILE *f __attribute__((cleanup(h_auto_flush))) = h_log_open(WEEKLY_LOG);
	if (!f)
		return -1;
	return h_log_write(f, msg);	// expect: leak stdio-file
}

/* h_pg_query's result is kept when there are no rows. */
int leak_weekly_query_out_param(PGconn *conn)
{
	PGresult *res;
	if (h_pg_query(conn, "SELECT name FROM users WHERE week = 1", &res) != 0)
		return -1;
	if (PQntuples(res) == 0)
		return 0;		// expect: leak libpq-result
	h_pg_clear(res);
	return 1;
}

/* Executed here, cleared by pg.c's helper. */
int ok_weekly_direct_exec(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT name FROM users WHERE week = 1");
	int n = PQntuples(res);
	h_pg_clear(res);
	return n;
}

void ok_weekly_report_lock(FILE *out)
{
	h_report_lock();
	fputs("weekly\n", out);
	h_report_unlock();
}

/* A reader returns from the middle of the search with the rwlock held. */
int leak_weekly_cache_lock(struct cache *c, int key)
{
	h_cache_rdlock(c);
	for (int i = 0; i < c->n; i++) {
		if (c->keys[i] == key)
			return i;	// expect: leak pthread-rwlock
	}
	h_cache_unlock(c);
	return -1;
}

int ok_weekly_cache_lock(struct cache *c, int key)
{
	int found = -1;
	h_cache_rdlock(c);
	for (int i = 0; i < c->n; i++) {
		if (c->keys[i] == key) {
			found = i;
			break;
		}
	}
	h_cache_unlock(c);
	return found;
}
