/*
 * odbc.c - ODBC through unixODBC: odbc-handle (SQLAllocHandle writes the
 * handle through argument 2, acquired only when it returns SQL_SUCCESS
 * -> SQLFreeHandle, handle in argument 1).
 *
 * A status for which !SQL_SUCCEEDED(rc) holds means nothing was
 * allocated.  Environment, connection and statement handles are all the
 * same resource; the handle passed to SQLAllocHandle as the parent
 * (argument 1) is only borrowed.
 */
#include <sql.h>
#include <sqlext.h>
#include <stdio.h>

/* ---- Environment handles ----------------------------------------------- */

/* The version attribute fails and the environment is not freed.  (`rc` is
 * reused: its second value says nothing about the allocation.) */
int leak_env_attr_fails(void)
{
	SQLHENV env;
	SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
	if (!SQL_SUCCEEDED(rc))
		return -1;
	rc = SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	if (!SQL_SUCCEEDED(rc))
		return -1;		// expect: leak odbc-handle
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	return 0;
}

/* The environment goes to the caller; freed when it cannot be set up. */
int ok_env_setup(SQLHENV *out)
{
	SQLHENV env;
	SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
	if (!SQL_SUCCEEDED(rc))
		return -1;
	rc = SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	if (!SQL_SUCCEEDED(rc)) {
		SQLFreeHandle(SQL_HANDLE_ENV, env);
		return -1;
	}
	*out = env;
	return 0;
}

/* ---- Connection handles ------------------------------------------------- */

/* SQLDriverConnect fails: the connection handle is not freed. */
int leak_driver_connect_fails(SQLHENV env, const char *dsn, SQLHDBC *out)
{
	SQLHDBC dbc;
	if (SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc) != SQL_SUCCESS)
		return -1;
	SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)dsn, SQL_NTS,
					NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc))
		return -1;		// expect: leak odbc-handle
	*out = dbc;
	return 0;
}

int ok_driver_connect_fails(SQLHENV env, const char *dsn, SQLHDBC *out)
{
	SQLHDBC dbc;
	if (SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc) != SQL_SUCCESS)
		return -1;
	SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)dsn, SQL_NTS,
					NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc)) {
		SQLFreeHandle(SQL_HANDLE_DBC, dbc);
		return -1;
	}
	*out = dbc;
	return 0;
}

/* ---- Statement handles -------------------------------------------------- */

/* SQLExecDirect fails and the statement is not freed. */
int leak_exec_direct_fails(SQLHDBC dbc, const char *sql)
{
	SQLHSTMT stmt;
	SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt);
	if (!SQL_SUCCEEDED(rc))
		return -1;
	rc = SQLExecDirect(stmt, (SQLCHAR *)sql, SQL_NTS);
	if (!SQL_SUCCEEDED(rc))
		return -1;		// expect: leak odbc-handle
	SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	return 0;
}

int ok_exec_direct_fails(SQLHDBC dbc, const char *sql)
{
	SQLHSTMT stmt;
	SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt);
	if (!SQL_SUCCEEDED(rc))
		return -1;
	rc = SQLExecDirect(stmt, (SQLCHAR *)sql, SQL_NTS);
	SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	return SQL_SUCCEEDED(rc) ? 0 : -1;
}

/* A fetch loop that returns from the middle. */
int leak_fetch_loop_returns(SQLHDBC dbc, long *first)
{
	SQLHSTMT stmt;
	if (SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt) != SQL_SUCCESS)
		return -1;
	if (!SQL_SUCCEEDED(SQLExecDirect(stmt, (SQLCHAR *)"SELECT id FROM users", SQL_NTS))) {
		SQLFreeHandle(SQL_HANDLE_STMT, stmt);
		return -1;
	}
	while (SQL_SUCCEEDED(SQLFetch(stmt))) {
		SQLINTEGER id;
		SQLLEN ind;
		SQLGetData(stmt, 1, SQL_C_SLONG, &id, sizeof id, &ind);
		if (ind != SQL_NULL_DATA) {
			*first = id;
			return 0;	// expect: leak odbc-handle
		}
	}
	SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	return -1;
}

int ok_fetch_loop_breaks(SQLHDBC dbc, long *first)
{
	int rc = -1;
	SQLHSTMT stmt;
	if (SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt) != SQL_SUCCESS)
		return -1;
	if (SQL_SUCCEEDED(SQLExecDirect(stmt, (SQLCHAR *)"SELECT id FROM users", SQL_NTS))) {
		while (SQL_SUCCEEDED(SQLFetch(stmt))) {
			SQLINTEGER id;
			SQLLEN ind;
			SQLGetData(stmt, 1, SQL_C_SLONG, &id, sizeof id, &ind);
			if (ind != SQL_NULL_DATA) {
				*first = id;
				rc = 0;
				break;
			}
		}
	}
	SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	return rc;
}

/* ---- The whole chain ------------------------------------------------------ */

/* The connection handle cannot be allocated: the environment is left. */
int leak_env_when_dbc_fails(const char *dsn)
{
	SQLHENV env;
	SQLHDBC dbc;
	if (SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env) != SQL_SUCCESS)
		return -1;
	SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	if (SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc) != SQL_SUCCESS)
		return -1;		// expect: leak odbc-handle
	SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)dsn, SQL_NTS,
					NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (SQL_SUCCEEDED(rc))
		SQLDisconnect(dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	return SQL_SUCCEEDED(rc) ? 0 : -1;
}

/* The connect failure leaves both the environment and the connection. */
int leak_env_and_dbc(const char *dsn)
{
	SQLHENV env;
	SQLHDBC dbc;
	if (SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env) != SQL_SUCCESS)
		return -1;
	SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	if (SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc) != SQL_SUCCESS) {
		SQLFreeHandle(SQL_HANDLE_ENV, env);
		return -1;
	}
	SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)dsn, SQL_NTS,
					NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc))
		return -1;		// expect: leak odbc-handle, leak odbc-handle
	SQLDisconnect(dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	return 0;
}

/* The goto-cleanup version of the whole chain. */
int ok_env_dbc_stmt_cleanup(const char *dsn, const char *sql)
{
	int result = -1;
	SQLHENV env = SQL_NULL_HENV;
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLHSTMT stmt = SQL_NULL_HSTMT;
	SQLRETURN rc;

	rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
	if (!SQL_SUCCEEDED(rc))
		return -1;
	SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	rc = SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	if (!SQL_SUCCEEDED(rc))
		goto free_env;
	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)dsn, SQL_NTS,
			      NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc))
		goto free_dbc;
	rc = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt);
	if (!SQL_SUCCEEDED(rc))
		goto disconnect;
	rc = SQLExecDirect(stmt, (SQLCHAR *)sql, SQL_NTS);
	if (SQL_SUCCEEDED(rc))
		result = 0;
	SQLFreeHandle(SQL_HANDLE_STMT, stmt);
disconnect:
	SQLDisconnect(dbc);
free_dbc:
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
free_env:
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	return result;
}
