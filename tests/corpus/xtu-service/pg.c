/*
 * pg.c - libpq wrappers (xtu-service).  Helpers only.
 */
#include <stdlib.h>

#include "service.h"

PGresult *h_pg_exec(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		log_msg("%s: %s", sql, PQerrorMessage(conn));
	return res;
}

/* The status does not say whether *out holds a result: it does on both
 * (unless PQexec ran out of memory). */
int h_pg_exec_ok(PGconn *conn, const char *sql, PGresult **out)
{
	*out = PQexec(conn, sql);
	if (PQresultStatus(*out) != PGRES_TUPLES_OK)
		return -1;
	return 0;
}

void h_pg_done(PGresult *res)
{
	PQclear(res);
}

long h_pg_first_long(const PGresult *res)
{
	if (PQntuples(res) < 1)
		return -1;
	return atol(PQgetvalue(res, 0, 0));
}
