/*
 * db.c - the helpers of db.h that touch the pool directly.  Helpers only:
 * none of them may have a finding.
 */
#include <unistd.h>

#include "db.h"

static struct conn *spare_conn;
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;

struct conn *h_db_acquire(struct db *d)
{
	struct conn *c = pool_acquire(d->pool);
	if (!c)
		log_msg("pool exhausted");
	return c;
}

int h_db_open(struct db *d, struct conn **out)
{
	*out = pool_acquire(d->pool);
	return *out ? 0 : -1;
}

void h_db_release(struct db *d, struct conn *c)
{
	if (c)
		pool_release(d->pool, c);
}

int h_db_commit(struct db *d, struct conn *c)
{
	if (db_query(c, "COMMIT") < 0)
		return -1;
	pool_release(d->pool, c);
	return 0;
}

int h_db_ping(struct conn *c)
{
	return db_query(c, "SELECT 1");
}

void h_db_keep_spare(struct conn *c)
{
	spare_conn = c;
}

void h_db_lock(struct db *d)
{
	pthread_mutex_lock(&d->mu);
}

void h_db_unlock(struct db *d)
{
	pthread_mutex_unlock(&d->mu);
}

void h_stats_lock(void)
{
	pthread_mutex_lock(&stats_mu);
}

void h_stats_unlock(void)
{
	pthread_mutex_unlock(&stats_mu);
}

void h_session_open(struct login_session *s)
{
	s->conn = pool_acquire(s->db->pool);
}

void h_session_close(struct login_session *s)
{
	pool_release(s->db->pool, s->conn);
	s->conn = NULL;
}

/* Half of a mutual recursion with h_db_acquire_retry (retry.c). */
struct conn *h_db_backoff(struct db *d, int tries)
{
	sleep(1);
	return h_db_acquire_retry(d, tries - 1);
}
