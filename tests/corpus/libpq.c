/*
 * libpq.c - PostgreSQL's client library: libpq-connection (PQconnectdb and
 * friends -> PQfinish) and libpq-result (PQexec and friends -> PQclear).
 *
 * A PGconn whose PQstatus() is not CONNECTION_OK still needs PQfinish().
 * A PGresult whose PQresultStatus() is an error still needs PQclear().
 * Functions that take a PGconn parameter only borrow it, so their only
 * resource is the result.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- Connections --------------------------------------------------------- */

/* The failed connection is not finished. */
int leak_connect_status_not_ok(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "connection failed: %s", PQerrorMessage(conn));
		return -1;		// expect: leak libpq-connection
	}
	PQfinish(conn);
	return 0;
}

int ok_connect_status_not_ok(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "connection failed: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return -1;
	}
	PQfinish(conn);
	return 0;
}

/* Returned to the caller on success, finished on failure. */
PGconn *ok_connect_params_returned(const char *host, const char *dbname)
{
	const char *const keywords[] = { "host", "dbname", NULL };
	const char *const values[] = { host, dbname, NULL };
	PGconn *conn = PQconnectdbParams(keywords, values, 0);
	if (conn == NULL)
		return NULL;
	if (PQstatus(conn) == CONNECTION_BAD) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* The failure path finishes it; the search_path failure does not. */
PGconn *leak_setdb_login_setup_fails(const char *host, const char *user, const char *pw)
{
	PGconn *conn = PQsetdbLogin(host, "5432", NULL, NULL, "app", user, pw);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return NULL;
	}
	if (PQsetClientEncoding(conn, "UTF8") != 0)
		return NULL;		// expect: leak libpq-connection
	return conn;
}

/* The non-blocking connect: polling gives up without PQfinish. */
int leak_connect_start_poll_fails(const char *conninfo)
{
	PGconn *conn = PQconnectStart(conninfo);
	if (conn == NULL)
		return -1;
	PostgresPollingStatusType st;
	do {
		st = PQconnectPoll(conn);
	} while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED);
	if (st == PGRES_POLLING_FAILED)
		return -1;		// expect: leak libpq-connection
	PQfinish(conn);
	return 0;
}

int ok_connect_start_params(const char *const *keywords, const char *const *values)
{
	PGconn *conn = PQconnectStartParams(keywords, values, 0);
	if (!conn)
		return -1;
	int ok = PQstatus(conn) != CONNECTION_BAD;
	PQfinish(conn);
	return ok ? 0 : -1;
}

/* ---- Results ------------------------------------------------------------- */

/* The error path forgets PQclear. */
int leak_result_error_path(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT id, name FROM users");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "SELECT failed: %s", PQerrorMessage(conn));
		return -1;		// expect: leak libpq-result
	}
	for (int i = 0; i < PQntuples(res); i++)
		printf("%s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

int ok_result_error_path(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT id, name FROM users");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "SELECT failed: %s", PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++)
		printf("%s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

/* PQexec's result is never looked at: lost at the end of the statement. */
int leak_exec_result_discarded(PGconn *conn)
{
	PQexec(conn, "BEGIN");		// expect: leak libpq-result
	PGresult *res = PQexec(conn, "COMMIT");
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

/* PQprepare's result goes straight into PQresultStatus (which only reads it). */
int leak_prepare_result_into_status(PGconn *conn)
{
	if (PQresultStatus(PQprepare(conn, "get_user", "SELECT * FROM users WHERE id = $1", 1, NULL)) != PGRES_COMMAND_OK)	// expect: leak libpq-result
		return -1;
	return 0;
}

/* PQprepare's result kept and cleared; PQexecPrepared's result handed back. */
PGresult *ok_prepare_then_exec(PGconn *conn, const char *id)
{
	PGresult *prep = PQprepare(conn, "get_user", "SELECT * FROM users WHERE id = $1", 1, NULL);
	int ok = PQresultStatus(prep) == PGRES_COMMAND_OK;
	PQclear(prep);
	if (!ok)
		return NULL;
	const char *params[1] = { id };
	return PQexecPrepared(conn, "get_user", 1, params, NULL, NULL, 0);
}

/* A result stored through the out parameter belongs to the caller. */
int ok_exec_params_out(PGconn *conn, const char *name, PGresult **out)
{
	const char *params[1] = { name };
	PGresult *res = PQexecParams(conn, "SELECT id FROM users WHERE name = $1", 1,
				     NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return -1;
	}
	*out = res;
	return 0;
}

/* The describe result is cleared only when it has fields. */
int leak_describe_prepared(PGconn *conn)
{
	PGresult *res = PQdescribePrepared(conn, "get_user");
	int n = PQnfields(res);
	if (n > 0)
		PQclear(res);
	return n;			// expect: leak libpq-result
}

int ok_describe_portal(PGconn *conn)
{
	PGresult *res = PQdescribePortal(conn, "cur");
	int n = PQnfields(res);
	PQclear(res);
	return n;
}

/* ---- PQgetResult loops ----------------------------------------------------- */

int ok_get_result_loop(PGconn *conn, const char *sql)
{
	if (!PQsendQuery(conn, sql))
		return -1;
	int failed = 0;
	PGresult *res;
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			failed = 1;
		PQclear(res);
	}
	return failed ? -1 : 0;
}

/* The loop returns on the first error without clearing that result. */
int leak_get_result_loop_return(PGconn *conn, const char *sql)
{
	if (!PQsendQuery(conn, sql))
		return -1;
	PGresult *res;
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_FATAL_ERROR)
			return -1;	// expect: leak libpq-result
		PQclear(res);
	}
	return 0;
}

/* Draining without PQclear: each result is overwritten by the next one
 * in the loop condition. */
int leak_get_result_drain_overwrite(PGconn *conn)
{
	int n = 0;
	PGresult *res;
	while ((res = PQgetResult(conn)) != NULL)	// expect: leak libpq-result
		n++;
	return n;
}

/* ---- Both resources --------------------------------------------------------- */

/* Neither the connection nor the result is released on the query error. */
int leak_connection_and_result(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return -1;
	}
	PGresult *res = PQexec(conn, "SELECT 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return -1;		// expect: leak libpq-connection, leak libpq-result
	PQclear(res);
	PQfinish(conn);
	return 0;
}

int ok_connection_and_result(const char *conninfo)
{
	int rc = -1;
	PGresult *res;
	PGconn *conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		goto finish;
	res = PQexec(conn, "SELECT 1");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
finish:
	PQfinish(conn);
	return rc;
}
