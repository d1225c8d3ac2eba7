/*
 * login_fixed.c - the login handler with the fix: the wrong-password path
 * gives the connection back to the pool like every other path.  The only
 * difference from login.c is the pool_release() before `return
 * LOGIN_DENIED`; `leakgate -r leakgate.yml login_fixed.c` finds nothing.
 */
#include "login.h"

#include <crypt.h>
#include <string.h>

#include "pool.h"

/* Hashes `password` with the stored hash's own salt and compares the two
 * without an early exit.  1 when they match. */
static int check_password(const char *password, const char *stored_hash)
{
	struct crypt_data data;
	memset(&data, 0, sizeof data);
	const char *hash = crypt_r(password, stored_hash, &data);
	if (hash == NULL || strlen(hash) != strlen(stored_hash))
		return 0;
	unsigned char diff = 0;
	for (size_t i = 0; stored_hash[i] != '\0'; i++)
		diff |= (unsigned char)(hash[i] ^ stored_hash[i]);
	return diff == 0;
}

enum login_result handle_login(struct db_pool *pool, const char *user,
			       const char *password)
{
	char stored_hash[128];

	struct db_conn *conn = pool_acquire(pool);
	if (conn == NULL)
		return LOGIN_UNAVAILABLE;

	int found = db_fetch_password_hash(conn, user, stored_hash, sizeof stored_hash);
	if (found != 0) {
		pool_release(pool, conn);
		return found < 0 ? LOGIN_UNAVAILABLE : LOGIN_DENIED;
	}
	if (!check_password(password, stored_hash)) {
		pool_release(pool, conn);
		return LOGIN_DENIED;
	}

	db_record_login(conn, user);
	pool_release(pool, conn);
	return LOGIN_OK;
}
