/*
 * daily.c - the daily report (xtu-report): callers of pg.c, logfile.c and
 * stats.c.
 *
 * h_done is static here and in weekly.c, with different bodies: here it
 * closes the stream, in weekly.c it only flushes it.  The callers below
 * follow this file's h_done.
 */
#include <stdlib.h>

#include "pool.h"
#include "report.h"

#define DAILY_LOG "/var/log/report/daily.log"

/* Closes f (weekly.c's h_done does not). */
static void h_done(FILE *f)
{
	fputs("done\n", f);
	fclose(f);
}

/* ---- libpq wrappers -------------------------------------------------------- */

/* The result of h_pg_run is used, never cleared. */
long leak_daily_run_not_cleared(PGconn *conn)
{
	PGresult *res = h_pg_run(conn, "SELECT count(*) FROM logins WHERE day = current_date");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		h_pg_clear(res);
		return -1;
	}
	return atol(PQgetvalue(res, 0, 0));	// expect: leak libpq-result
}

long ok_daily_run_cleared(PGconn *conn)
{
	PGresult *res = h_pg_run(conn, "SELECT count(*) FROM logins WHERE day = current_date");
	long n = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		n = atol(PQgetvalue(res, 0, 0));
	h_pg_clear(res);
	return n;
}

/* h_pg_count_users clears its own result; the connection is not finished. */
long leak_daily_connect_not_finished(const char *conninfo)
{
	PGconn *conn = h_pg_connect(conninfo);
	if (!conn)
		return -1;
	return h_pg_count_users(conn);	// expect: leak libpq-connection
}

long ok_daily_connect_finished(const char *conninfo)
{
	PGconn *conn = h_pg_connect(conninfo);
	if (!conn)
		return -1;
	long n = h_pg_count_users(conn);
	PQfinish(conn);
	return n;
}

/* -1 from h_pg_query means no result. */
int ok_daily_query_out_param(PGconn *conn)
{
	PGresult *res;
	if (h_pg_query(conn, "SELECT name FROM users", &res) != 0)
		return -1;
	int n = PQntuples(res);
	PQclear(res);
	return n;
}

/* ---- stdio wrappers ----------------------------------------------------------- */

/* h_log_write only borrows the stream. */
int leak_daily_log_write_fails(const char *msg)
{
	FILE *f = h_log_open(DAILY_LOG);
	if (!f)
		return -1;
	if (h_log_write(f, msg) < 0)
		return -1;		// expect: leak stdio-file
	h_log_close(f);
	return 0;
}

/* Opened here, closed by logfile.c's helper. */
int ok_daily_direct_fopen(const char *msg)
{
	FILE *f = fopen(DAILY_LOG, "a");
	if (!f)
		return -1;
	int rc = h_log_write(f, msg);
	h_log_close(f);
	return rc;
}

/* This file's h_done closes. */
int ok_daily_static_done(const char *msg)
{
	FILE *f = h_log_open(DAILY_LOG);
	if (!f)
		return -1;
	int rc = h_log_write(f, msg);
	h_done(f);
	return rc;
}

/* The cleanup function, in logfile.c, closes on every return. */
int ok_daily_cleanup_close(const char *msg)
{
	FILE *f __attribute__((cleanup(h_auto_close))) = h_log_open(DAILY_LOG);
	if (!f)
		return -1;
	if (h_log_write(f, msg) < 0)
		return -1;
	return h_log_write(f, "\n");
}

/* ---- Lock wrappers in stats.c -------------------------------------------------- */

int leak_daily_report_lock(PGconn *conn)
{
	h_report_lock();
	long n = h_pg_count_users(conn);
	if (n < 0)
		return -1;		// expect: leak pthread-mutex
	h_report_unlock();
	return 0;
}

int ok_daily_report_lock(PGconn *conn)
{
	h_report_lock();
	long n = h_pg_count_users(conn);
	h_report_unlock();
	return n < 0 ? -1 : 0;
}
