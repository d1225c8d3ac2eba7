/*
 * parallel.c - lg_parallel_for (see parallel.h).
 */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define CHUNK 32
#define MAX_THREADS 64
#define STACK ((size_t)64 << 20)   /* as the summaries' threads have:
				      reserved, not committed until used */

struct loop {
	size_t n;
	atomic_size_t next;
	void (*body)(void *ctx, size_t i);
	void *ctx;
};

static void *run(void *arg)
{
	struct loop *l = arg;
	for (;;) {
		size_t from = atomic_fetch_add(&l->next, CHUNK);
		if (from >= l->n)
			break;
		size_t to = from + CHUNK < l->n ? from + CHUNK : l->n;
		for (size_t i = from; i < to; i++)
			l->body(l->ctx, i);
	}
	return NULL;
}

void lg_parallel_for(size_t n, int jobs, void (*body)(void *ctx, size_t i), void *ctx)
{
	struct loop l = { .n = n, .body = body, .ctx = ctx };
	atomic_init(&l.next, 0);
	pthread_t t[MAX_THREADS];
	int started = 0;
	/* a thread for every few chunks at most: starting one costs more
	 * than a small loop */
	size_t useful = n / (4 * CHUNK);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK);
	for (int j = 1; j < jobs && j < MAX_THREADS && (size_t)j <= useful; j++)
		if (pthread_create(&t[started], &attr, run, &l) == 0)
			started++;
	pthread_attr_destroy(&attr);
	run(&l);
	for (int j = 0; j < started; j++)
		pthread_join(t[j], NULL);
}
