/*
 * retry.c - wrappers built on db.c's wrappers, in another translation
 * unit: a wrapper of a wrapper, and the other half of a mutual recursion.
 * Helpers only.
 */
#include <stddef.h>

#include "db.h"

struct conn *h_db_acquire_ready(struct db *d)
{
	struct conn *c = h_db_acquire(d);
	if (!c)
		return NULL;
	if (h_db_ping(c) < 0) {
		h_db_release(d, c);
		return NULL;
	}
	return c;
}

struct conn *h_db_acquire_retry(struct db *d, int tries)
{
	struct conn *c = h_db_acquire(d);
	if (c || tries <= 1)
		return c;
	return h_db_backoff(d, tries);
}
