/*
 * mysql.c - the MySQL/MariaDB C API: mysql-connection (mysql_init ->
 * mysql_close), mysql-result (mysql_store_result, mysql_use_result ->
 * mysql_free_result) and mysql-statement (mysql_stmt_init ->
 * mysql_stmt_close).
 *
 * mysql_real_connect() failing does not free the handle mysql_init()
 * returned: it still needs mysql_close().  Functions that take a MYSQL *
 * parameter only borrow it.
 */
#include <mysql.h>
#include <stdio.h>
#include <string.h>

/* ---- Connections --------------------------------------------------------- */

/* The outage's cousin: a failed mysql_real_connect leaves the handle open. */
MYSQL *leak_real_connect_fails(const char *host, const char *user, const char *pw)
{
	MYSQL *conn = mysql_init(NULL);
	if (conn == NULL)
		return NULL;
	if (!mysql_real_connect(conn, host, user, pw, "app", 0, NULL, 0)) {
		fprintf(stderr, "connect: %s\n", mysql_error(conn));
		return NULL;		// expect: leak mysql-connection
	}
	return conn;
}

MYSQL *ok_real_connect_fails(const char *host, const char *user, const char *pw)
{
	MYSQL *conn = mysql_init(NULL);
	if (conn == NULL)
		return NULL;
	if (!mysql_real_connect(conn, host, user, pw, "app", 0, NULL, 0)) {
		fprintf(stderr, "connect: %s\n", mysql_error(conn));
		mysql_close(conn);
		return NULL;
	}
	return conn;
}

/* mysql_options fails before the connect: the handle is still open. */
int leak_options_fail(const char *host)
{
	MYSQL *conn = mysql_init(NULL);
	if (!conn)
		return -1;
	unsigned int timeout = 5;
	if (mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) != 0)
		return -1;		// expect: leak mysql-connection
	if (!mysql_real_connect(conn, host, "app", NULL, "app", 0, NULL, 0)) {
		mysql_close(conn);
		return -1;
	}
	int rc = mysql_query(conn, "DO 1");
	mysql_close(conn);
	return rc;
}

int ok_connect_query_close(const char *host)
{
	int rc = -1;
	MYSQL *conn = mysql_init(NULL);
	if (!conn)
		return -1;
	if (mysql_real_connect(conn, host, "app", NULL, "app", 0, NULL, 0))
		rc = mysql_query(conn, "DO 1");
	mysql_close(conn);
	return rc;
}

/* ---- Results ------------------------------------------------------------- */

/* The column-count check returns without freeing the result. */
int leak_store_result_error_path(MYSQL *conn)
{
	if (mysql_query(conn, "SELECT id, name FROM users"))
		return -1;
	MYSQL_RES *res = mysql_store_result(conn);
	if (res == NULL)
		return -1;
	if (mysql_num_fields(res) != 2)
		return -1;		// expect: leak mysql-result
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL)
		printf("%s %s\n", row[0], row[1]);
	mysql_free_result(res);
	return 0;
}

int ok_store_result(MYSQL *conn)
{
	if (mysql_query(conn, "SELECT id, name FROM users"))
		return -1;
	MYSQL_RES *res = mysql_store_result(conn);
	if (res == NULL)
		return -1;
	if (mysql_num_fields(res) != 2) {
		mysql_free_result(res);
		return -1;
	}
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL)
		printf("%s %s\n", row[0], row[1]);
	mysql_free_result(res);
	return 0;
}

/* A row-by-row result: the loop returns on the first NULL column. */
int leak_use_result_return_in_loop(MYSQL *conn)
{
	if (mysql_query(conn, "SELECT name FROM users"))
		return -1;
	MYSQL_RES *res = mysql_use_result(conn);
	if (!res)
		return -1;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL)
			return -1;	// expect: leak mysql-result
		puts(row[0]);
	}
	mysql_free_result(res);
	return 0;
}

/* Handed to the caller. */
MYSQL_RES *ok_use_result_returned(MYSQL *conn, const char *sql)
{
	if (mysql_real_query(conn, sql, strlen(sql)) != 0)
		return NULL;
	return mysql_use_result(conn);
}

/* The result of a query nobody reads: thrown away at once. */
int leak_store_result_discarded(MYSQL *conn)
{
	if (mysql_query(conn, "SELECT 1"))
		return -1;
	mysql_store_result(conn);	// expect: leak mysql-result
	return 0;
}

/* ---- Prepared statements ------------------------------------------------- */

int leak_stmt_prepare_fails(MYSQL *conn, const char *sql)
{
	MYSQL_STMT *stmt = mysql_stmt_init(conn);
	if (!stmt)
		return -1;
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0)
		return -1;		// expect: leak mysql-statement
	int rc = mysql_stmt_execute(stmt);
	mysql_stmt_close(stmt);
	return rc;
}

int ok_stmt_prepare_fails(MYSQL *conn, const char *sql)
{
	MYSQL_STMT *stmt = mysql_stmt_init(conn);
	if (!stmt)
		return -1;
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0) {
		fprintf(stderr, "prepare: %s\n", mysql_stmt_error(stmt));
		mysql_stmt_close(stmt);
		return -1;
	}
	int rc = mysql_stmt_execute(stmt);
	mysql_stmt_close(stmt);
	return rc;
}

/* The statement handle is parked in the caller's array. */
int ok_stmt_cached(MYSQL *conn, MYSQL_STMT **cache, int slot, const char *sql)
{
	MYSQL_STMT *stmt = mysql_stmt_init(conn);
	if (!stmt)
		return -1;
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0) {
		mysql_stmt_close(stmt);
		return -1;
	}
	cache[slot] = stmt;
	return 0;
}

/* ---- Everything at once ---------------------------------------------------- */

/* After a good connect, a failed query returns with the connection open. */
int leak_connection_after_query_fails(const char *host)
{
	MYSQL *conn = mysql_init(NULL);
	if (!conn)
		return -1;
	if (!mysql_real_connect(conn, host, "app", NULL, "app", 0, NULL, 0)) {
		mysql_close(conn);
		return -1;
	}
	if (mysql_query(conn, "SELECT 1"))
		return -1;		// expect: leak mysql-connection
	MYSQL_RES *res = mysql_store_result(conn);
	mysql_free_result(res);
	mysql_close(conn);
	return 0;
}

/* Both the connection and the result are held at the early return. */
int leak_connection_and_result(const char *host)
{
	MYSQL *conn = mysql_init(NULL);
	if (!conn)
		return -1;
	if (!mysql_real_connect(conn, host, "app", NULL, "app", 0, NULL, 0)) {
		mysql_close(conn);
		return -1;
	}
	if (mysql_query(conn, "SELECT 1")) {
		mysql_close(conn);
		return -1;
	}
	MYSQL_RES *res = mysql_store_result(conn);
	if (res != NULL && mysql_num_rows(res) == 0)
		return 0;		// expect: leak mysql-connection, leak mysql-result
	mysql_free_result(res);
	mysql_close(conn);
	return 1;
}

int ok_connection_result_goto_cleanup(const char *host)
{
	int rc = -1;
	MYSQL_RES *res = NULL;
	MYSQL *conn = mysql_init(NULL);
	if (!conn)
		return -1;
	if (!mysql_real_connect(conn, host, "app", NULL, "app", 0, NULL, 0))
		goto out;
	if (mysql_query(conn, "SELECT 1"))
		goto out;
	res = mysql_store_result(conn);
	if (res)
		rc = (int)mysql_num_rows(res);
out:
	if (res)
		mysql_free_result(res);
	mysql_close(conn);
	return rc;
}
