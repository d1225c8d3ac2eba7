/*
 * db.c - sqlite3 wrappers (xtu-service): the bottom of the chain
 * api.c -> cache.c -> db.c -> sqlite3_open_v2.  Helpers only.
 */
#include "service.h"

/* sqlite3_open_v2 allocates the handle even when it fails: the failed
 * handle is closed here, and the caller is told so by the status. */
int h_db_open(const char *path, sqlite3 **out)
{
	sqlite3 *db;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		*out = NULL;
		return rc;
	}
	*out = db;
	return SQLITE_OK;
}

/* Writes the handle straight into the caller's pointer: held whatever the
 * status (the caller must close a failed open too). */
int h_db_open_raw(const char *path, sqlite3 **out)
{
	return sqlite3_open_v2(path, out, SQLITE_OPEN_READONLY, NULL);
}

int h_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	return sqlite3_prepare_v2(db, sql, -1, out, NULL);
}

int h_db_run(sqlite3_stmt *stmt)
{
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		;
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

void h_db_close(sqlite3 *db)
{
	sqlite3_close(db);
}
