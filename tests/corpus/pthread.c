/*
 * pthread.c - locks: pthread-mutex (pthread_mutex_lock, and
 * pthread_mutex_trylock when it returns 0 -> pthread_mutex_unlock),
 * pthread-rwlock (rdlock, wrlock -> pthread_rwlock_unlock) and
 * pthread-spinlock (pthread_spin_lock -> pthread_spin_unlock).
 *
 * A lock is named by its expression (&stats_lock, &a->mu, mu).  A lock
 * still held is reported where the function returns or, for a void
 * function, at its closing brace - never at a break or continue, since no
 * variable goes out of scope with it.
 */
#include <stdlib.h>

#include "pool.h"

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long login_count;

/* ---- pthread_mutex_lock ---------------------------------------------------- */

int leak_mutex_early_return(long delta)
{
	pthread_mutex_lock(&stats_lock);
	if (delta < 0)
		return -1;		// expect: leak pthread-mutex
	login_count += delta;
	pthread_mutex_unlock(&stats_lock);
	return 0;
}

int ok_mutex_early_return(long delta)
{
	pthread_mutex_lock(&stats_lock);
	if (delta < 0) {
		pthread_mutex_unlock(&stats_lock);
		return -1;
	}
	login_count += delta;
	pthread_mutex_unlock(&stats_lock);
	return 0;
}

/* A void function that unlocks on one branch and falls off its end. */
void leak_mutex_void_falls_off(struct account *a, long amount)
{
	pthread_mutex_lock(&a->mu);
	if (a->balance >= amount) {
		a->balance -= amount;
		pthread_mutex_unlock(&a->mu);
	}
}					// expect: leak pthread-mutex

void ok_mutex_field(struct account *a, long amount)
{
	pthread_mutex_lock(&a->mu);
	if (a->balance >= amount)
		a->balance -= amount;
	pthread_mutex_unlock(&a->mu);
}

/* The lock is a pointer parameter. */
int leak_mutex_pointer_param(pthread_mutex_t *mu, int *counter)
{
	pthread_mutex_lock(mu);
	if (*counter >= 100)
		return -1;		// expect: leak pthread-mutex
	(*counter)++;
	pthread_mutex_unlock(mu);
	return 0;
}

/* The wrong account's mutex is unlocked: `from` stays locked. */
int leak_unlock_wrong_mutex(struct account *from, struct account *to, long amount)
{
	pthread_mutex_lock(&from->mu);
	from->balance -= amount;
	pthread_mutex_unlock(&to->mu);
	return 0;			// expect: leak pthread-mutex
}

/* Two locks, released in reverse order. */
int ok_two_mutexes(struct account *from, struct account *to, long amount)
{
	pthread_mutex_lock(&from->mu);
	pthread_mutex_lock(&to->mu);
	from->balance -= amount;
	to->balance += amount;
	pthread_mutex_unlock(&to->mu);
	pthread_mutex_unlock(&from->mu);
	return 0;
}

/* Two locks; the early return releases only the inner one. */
int leak_two_mutexes_one_released(struct account *from, struct account *to, long amount)
{
	pthread_mutex_lock(&from->mu);
	pthread_mutex_lock(&to->mu);
	if (from->balance < amount) {
		pthread_mutex_unlock(&to->mu);
		return -1;		// expect: leak pthread-mutex
	}
	from->balance -= amount;
	to->balance += amount;
	pthread_mutex_unlock(&to->mu);
	pthread_mutex_unlock(&from->mu);
	return 0;
}

/* break leaves the loop with the lock held: reported at the return. */
int leak_mutex_break_in_loop(struct account *a, const long *amounts, int n)
{
	for (int i = 0; i < n; i++) {
		pthread_mutex_lock(&a->mu);
		if (amounts[i] > a->balance)
			break;
		a->balance -= amounts[i];
		pthread_mutex_unlock(&a->mu);
	}
	return 0;			// expect: leak pthread-mutex
}

int ok_mutex_in_loop(struct account *a, const long *amounts, int n)
{
	for (int i = 0; i < n; i++) {
		pthread_mutex_lock(&a->mu);
		int enough = amounts[i] <= a->balance;
		if (enough)
			a->balance -= amounts[i];
		pthread_mutex_unlock(&a->mu);
		if (!enough)
			break;
	}
	return 0;
}

/* Locked only when asked to, and unlocked under the same flag. */
void ok_mutex_correlated_flag(struct account *a, int shared)
{
	int locked = 0;
	if (shared) {
		pthread_mutex_lock(&a->mu);
		locked = 1;
	}
	a->balance++;
	if (locked)
		pthread_mutex_unlock(&a->mu);
}

/* The invariant check aborts with the lock held: no finding. */
void ok_mutex_abort(struct account *a)
{
	pthread_mutex_lock(&a->mu);
	if (a->balance < 0)
		abort();
	a->balance = 0;
	pthread_mutex_unlock(&a->mu);
}

/* ---- pthread_mutex_trylock ------------------------------------------------ */

/* A busy mutex returns early; the status is kept in a variable. */
int ok_trylock_status_variable(struct account *a)
{
	int rc = pthread_mutex_trylock(&a->mu);
	if (rc != 0)
		return -1;
	a->balance++;
	pthread_mutex_unlock(&a->mu);
	return 0;
}

int ok_trylock_direct(void)
{
	if (pthread_mutex_trylock(&stats_lock) != 0)
		return -1;
	login_count++;
	pthread_mutex_unlock(&stats_lock);
	return 0;
}

/* Taken on success, never given back. */
int leak_trylock_success_not_unlocked(void)
{
	if (pthread_mutex_trylock(&stats_lock) == 0)
		login_count++;
	return 0;			// expect: leak pthread-mutex
}

/* Busy is fine; the balance check after a successful trylock is not. */
int leak_trylock_then_early_return(struct account *a, long amount)
{
	int rc = pthread_mutex_trylock(&a->mu);
	if (rc != 0)
		return rc;
	if (a->balance < amount)
		return -1;		// expect: leak pthread-mutex
	a->balance -= amount;
	pthread_mutex_unlock(&a->mu);
	return 0;
}

/* ---- rwlock ---------------------------------------------------------------- */

/* A reader returns from the middle of the search. */
int leak_rwlock_read_return_in_loop(struct table *t, int key)
{
	pthread_rwlock_rdlock(&t->lock);
	for (int i = 0; i < t->n; i++) {
		if (t->keys[i] == key)
			return i;	// expect: leak pthread-rwlock
	}
	pthread_rwlock_unlock(&t->lock);
	return -1;
}

int ok_rwlock_read(struct table *t, int key)
{
	int found = -1;
	pthread_rwlock_rdlock(&t->lock);
	for (int i = 0; i < t->n; i++) {
		if (t->keys[i] == key) {
			found = i;
			break;
		}
	}
	pthread_rwlock_unlock(&t->lock);
	return found;
}

/* A writer refuses a full table without unlocking. */
int leak_rwlock_write_full(struct table *t, int key)
{
	pthread_rwlock_wrlock(&t->lock);
	if (t->n == 64)
		return -1;		// expect: leak pthread-rwlock
	t->keys[t->n++] = key;
	pthread_rwlock_unlock(&t->lock);
	return 0;
}

int ok_rwlock_write(struct table *t, int key)
{
	int rc = -1;
	pthread_rwlock_wrlock(&t->lock);
	if (t->n < 64) {
		t->keys[t->n++] = key;
		rc = 0;
	}
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

/* ---- spinlock --------------------------------------------------------------- */

void leak_spinlock_switch(struct table *t, int op)
{
	pthread_spin_lock(&t->spin);
	switch (op) {
	case 0:
		t->hits = 0;
		break;
	case 1:
		t->hits++;
		break;
	default:
		return;			// expect: leak pthread-spinlock
	}
	pthread_spin_unlock(&t->spin);
}

void ok_spinlock(struct table *t)
{
	pthread_spin_lock(&t->spin);
	t->hits++;
	pthread_spin_unlock(&t->spin);
}

/* ---- lock wrappers and checked lock calls ------------------------------------ */

/* An acquire-only wrapper: it holds the lock on every path and unlocks
 * nothing; its callers own the lock. */
void ok_lock_wrapper(struct account *a)
{
	pthread_mutex_lock(&a->mu);
}

/* A trylock wrapper: the lock is held exactly when it returns 0, and the
 * failing path returns something else, so the caller can tell. */
int ok_trylock_wrapper(struct account *a)
{
	int rc;
	if (pthread_mutex_trylock(&a->mu) == 0)
		rc = 0;
	else
		rc = -1;
	return rc;
}

/* The trylock wrapper that cannot be used: both paths return 0. */
int leak_trylock_wrapper_same_result(struct account *a)
{
	int rc = 0;
	if (pthread_mutex_trylock(&a->mu) == 0)
		a->balance++;
	return rc;			// expect: leak pthread-mutex
}

/* A careful caller checks the blocking lock; on failure it holds nothing. */
int ok_checked_lock_fails(struct account *a)
{
	if (pthread_mutex_lock(&a->mu) != 0)
		return -1;
	a->balance++;
	pthread_mutex_unlock(&a->mu);
	return 0;
}

/* Checked, then an early return with the lock held. */
int leak_checked_lock_early_return(struct account *a, long amount)
{
	if (pthread_mutex_lock(&a->mu) != 0)
		return -1;
	if (a->balance < amount)
		return -2;		// expect: leak pthread-mutex
	a->balance -= amount;
	pthread_mutex_unlock(&a->mu);
	return 0;
}
