/*
 * pool.c - the connection pool and the login queries, over libpq.
 *
 * The pool is an array of POOL_SIZE slots under one mutex.  A slot is
 * either free or lent out; pool_acquire() takes a free slot (waiting on a
 * condition variable for a release, up to POOL_WAIT_MS), then connects it
 * outside the lock if it has no healthy connection yet.  Nothing here
 * notices a slot that is never given back: that is what leakgate is for.
 */
#include "pool.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db_conn {
	PGconn *pg;        /* NULL until first used, or after a failed connect */
	int lent;          /* 1 while a caller holds it */
};

struct db_pool {
	pthread_mutex_t mu;       /* guards `lent` and every slot's `lent` */
	pthread_cond_t released;  /* signalled by pool_release */
	size_t lent;
	char *conninfo;
	struct db_conn slots[POOL_SIZE];
};

struct db_pool *pool_create(const char *conninfo)
{
	struct db_pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->conninfo = malloc(strlen(conninfo) + 1);
	if (!p->conninfo) {
		free(p);
		return NULL;
	}
	strcpy(p->conninfo, conninfo);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->released, NULL);
	return p;
}

void pool_destroy(struct db_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < POOL_SIZE; i++)
		if (p->slots[i].pg)
			PQfinish(p->slots[i].pg);
	pthread_cond_destroy(&p->released);
	pthread_mutex_destroy(&p->mu);
	free(p->conninfo);
	free(p);
}

/* The first free slot, marked lent; NULL when all are lent.  Call with
 * p->mu held. */
static struct db_conn *take_free_slot(struct db_pool *p)
{
	for (size_t i = 0; i < POOL_SIZE; i++) {
		if (!p->slots[i].lent) {
			p->slots[i].lent = 1;
			p->lent++;
			return &p->slots[i];
		}
	}
	return NULL;
}

static struct timespec deadline_after_ms(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

struct db_conn *pool_acquire(struct db_pool *p)
{
	struct timespec deadline = deadline_after_ms(POOL_WAIT_MS);
	struct db_conn *c;

	pthread_mutex_lock(&p->mu);
	while ((c = take_free_slot(p)) == NULL) {
		if (pthread_cond_timedwait(&p->released, &p->mu, &deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&p->mu);
	if (!c)
		return NULL;	/* the pool is exhausted */

	if (c->pg && PQstatus(c->pg) != CONNECTION_OK) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	if (!c->pg) {
		c->pg = PQconnectdb(p->conninfo);
		if (PQstatus(c->pg) != CONNECTION_OK) {
			fprintf(stderr, "pool: connect: %s", PQerrorMessage(c->pg));
			PQfinish(c->pg);
			c->pg = NULL;
			pool_release(p, c);
			return NULL;
		}
	}
	return c;
}

void pool_release(struct db_pool *p, struct db_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&p->mu);
	c->lent = 0;
	p->lent--;
	pthread_cond_signal(&p->released);
	pthread_mutex_unlock(&p->mu);
}

size_t pool_in_use(struct db_pool *p)
{
	pthread_mutex_lock(&p->mu);
	size_t n = p->lent;
	pthread_mutex_unlock(&p->mu);
	return n;
}

int db_fetch_password_hash(struct db_conn *c, const char *user,
			   char *hash, size_t size)
{
	const char *params[1] = { user };
	PGresult *res = PQexecParams(c->pg,
				     "SELECT password_hash FROM users WHERE name = $1",
				     1, NULL, params, NULL, NULL, 0);
	int rc;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "login: %s", PQerrorMessage(c->pg));
		rc = -1;
	} else if (PQntuples(res) == 0) {
		rc = 1;
	} else {
		snprintf(hash, size, "%s", PQgetvalue(res, 0, 0));
		rc = 0;
	}
	PQclear(res);
	return rc;
}

int db_record_login(struct db_conn *c, const char *user)
{
	const char *params[1] = { user };
	PGresult *res = PQexecParams(c->pg,
				     "UPDATE users SET last_login = now() WHERE name = $1",
				     1, NULL, params, NULL, NULL, 0);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
	PQclear(res);
	return rc;
}
