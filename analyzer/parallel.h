/*
 * parallel.h - a loop whose iterations are independent, run on several
 * threads.
 *
 * Owns nothing beyond the call: the threads start and are joined inside
 * lg_parallel_for.  The body must only write what iteration `i` owns; the
 * iterations are handed out in chunks, in order, to whichever thread is
 * free (a few large iterations do not leave the others idle).
 */
#ifndef LEAKGATE_PARALLEL_H
#define LEAKGATE_PARALLEL_H

#include <stddef.h>

/* Calls body(ctx, i) for every i in [0, n) on up to `jobs` threads (this
 * one included).  When no thread can start, all of it runs here. */
void lg_parallel_for(size_t n, int jobs, void (*body)(void *ctx, size_t i), void *ctx);

#endif
