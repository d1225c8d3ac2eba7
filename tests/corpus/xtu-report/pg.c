/*
 * pg.c - libpq wrappers (xtu-report).  Helpers only: none of them may have
 * a finding.
 */
#include <stdlib.h>

#include "pool.h"
#include "report.h"

PGconn *h_pg_connect(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		log_msg("connection failed: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

PGresult *h_pg_run(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		log_msg("query failed: %s", PQerrorMessage(conn));
	return res;
}

void h_pg_clear(PGresult *res)
{
	PQclear(res);
}

int h_pg_query(PGconn *conn, const char *sql, PGresult **out)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		*out = NULL;
		return -1;
	}
	*out = res;
	return 0;
}

long h_pg_count_users(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT count(*) FROM users");
	long n = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		n = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return n;
}
