/*
 * stats.c - lock wrappers (xtu-report): a static global mutex and a
 * rwlock reached through a parameter.  Helpers only.
 */
#include "report.h"

static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;

void h_report_lock(void)
{
	pthread_mutex_lock(&report_mu);
}

void h_report_unlock(void)
{
	pthread_mutex_unlock(&report_mu);
}

void h_cache_rdlock(struct cache *c)
{
	pthread_rwlock_rdlock(&c->lock);
}

void h_cache_unlock(struct cache *c)
{
	pthread_rwlock_unlock(&c->lock);
}
