/*
 * locks.c - pthread mutex wrappers (xtu-service): a lock reached through
 * a parameter (t->mu) and a static global lock.  Helpers only.
 */
#include "service.h"

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;

void h_lock_table(struct route_table *t)
{
	pthread_mutex_lock(&t->mu);
}

void h_unlock_table(struct route_table *t)
{
	pthread_mutex_unlock(&t->mu);
}

/* 0 locked, EBUSY (or another error) not locked. */
int h_trylock_table(struct route_table *t)
{
	return pthread_mutex_trylock(&t->mu);
}

void h_registry_lock(void)
{
	pthread_mutex_lock(&registry_mu);
}

void h_registry_unlock(void)
{
	pthread_mutex_unlock(&registry_mu);
}
