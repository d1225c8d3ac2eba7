/*
 * arena.h - bump allocation for everything that lives as long as one
 * function's graph or one analysis run.
 *
 * Policy: the front end allocates a function's graph (blocks, events, edges,
 * strings) from one arena; the analysis allocates its states and paths from
 * another; each is freed in one call when the function is done.  Nothing
 * allocated from an arena is freed one by one.  Allocation failure is
 * reported by returning NULL; callers turn that into an error value.
 *
 * An arena is not thread-safe: each worker owns its arenas.
 */
#ifndef LEAKGATE_ARENA_H
#define LEAKGATE_ARENA_H

#include <stddef.h>

struct lg_arena_chunk;

/* Size classes of the arrays lg_arena_grow() leaves behind, kept for the
 * next array that needs as much (class k: 2^(k+5) to 2^(k+6)-1 bytes). */
#define LG_ARENA_SPARE_CLASSES 12

struct lg_arena {
	struct lg_arena_chunk *head; /* every chunk */
	struct lg_arena_chunk *cur;  /* the chunk being filled */
	size_t total;                /* bytes of its chunks, for budgets */
	void *spare[LG_ARENA_SPARE_CLASSES]; /* arrays left by lg_arena_grow */
};

#define LG_ARENA_INIT { NULL, NULL, 0, { NULL } }

void lg_arena_init(struct lg_arena *a);
/* Zeroed, aligned for any type; NULL when memory runs out. */
void *lg_arena_alloc(struct lg_arena *a, size_t size);
/* The same, not zeroed: for memory the caller fills at once. */
void *lg_arena_alloc_raw(struct lg_arena *a, size_t size);
/* Forgets every allocation but keeps the chunks for reuse. */
void lg_arena_reset(struct lg_arena *a);
/* Grows an array allocated from this arena: copies the old n elements and
 * zeroes the rest.  The old array's memory is reused by later arrays, so
 * nothing may keep a pointer into it: only the returned one is valid. */
void *lg_arena_grow(struct lg_arena *a, void *old, size_t old_n, size_t new_n,
		    size_t elem);
/* Gives the unused end of the chunk being filled back, when nothing was
 * carved after it: for an arena that is complete (a function's graph) and
 * is kept, so that its last chunk's free space is not kept with it.  Later
 * allocations still work; they get a new chunk. */
void lg_arena_trim(struct lg_arena *a);
char *lg_arena_strdup(struct lg_arena *a, const char *s);
char *lg_arena_strndup(struct lg_arena *a, const char *s, size_t n);
/* Frees every chunk; the arena is empty and reusable afterwards. */
void lg_arena_release(struct lg_arena *a);

#endif
