/*
 * arena.c - the bump allocator of arena.h.
 *
 * Chunks kept in a list; `cur` is the one being filled.  The first is 4 KiB
 * and each new one as large as all before it, up to 64 KiB: most functions'
 * graphs fit in a few KiB, and a program keeps thousands of them.
 * A request larger than a chunk gets a chunk of its own.  lg_arena_reset()
 * keeps every chunk and starts filling from the first again, so an analysis
 * that runs many times over one function touches fresh memory only once.
 * Alignment is that of max_align_t.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lg_arena_chunk {
	struct lg_arena_chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

#define CHUNK_FIRST ((size_t)4 * 1024)
#define CHUNK_MIN ((size_t)64 * 1024)

void lg_arena_init(struct lg_arena *a)
{
	a->head = a->cur = NULL;
	a->total = 0;
}

void *lg_arena_alloc(struct lg_arena *a, size_t size)
{
	void *p = lg_arena_alloc_raw(a, size);
	if (p)
		memset(p, 0, size);
	return p;
}

void *lg_arena_alloc_raw(struct lg_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	struct lg_arena_chunk *c = a->cur;
	/* the chunks after the current one are free (after a reset) */
	while (c && c->size - c->used < size && c->next) {
		c = c->next;
		if (c->used == 0 && c->size >= size)
			break;
	}
	if (!c || c->size - c->used < size) {
		size_t grow = a->total < CHUNK_FIRST ? CHUNK_FIRST
			    : a->total < CHUNK_MIN ? a->total : CHUNK_MIN;
		size_t csize = size > grow ? size : grow;
		struct lg_arena_chunk *n = malloc(sizeof(*n) + csize);
		if (!n)
			return NULL;
		n->used = 0;
		n->size = csize;
		/* insert after the current chunk */
		if (a->cur) {
			n->next = a->cur->next;
			a->cur->next = n;
		} else {
			n->next = a->head;
			a->head = n;
		}
		a->total += sizeof(*n) + csize;
		c = n;
	}
	a->cur = c;
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

void lg_arena_reset(struct lg_arena *a)
{
	for (struct lg_arena_chunk *c = a->head; c; c = c->next)
		c->used = 0;
	a->cur = a->head;
}

void *lg_arena_grow(struct lg_arena *a, void *old, size_t old_n, size_t new_n,
		    size_t elem)
{
	if (elem && new_n > SIZE_MAX / elem)
		return NULL;
	void *p = lg_arena_alloc(a, new_n * elem);
	if (p && old && old_n)
		memcpy(p, old, (old_n < new_n ? old_n : new_n) * elem);
	return p;
}

char *lg_arena_strndup(struct lg_arena *a, const char *s, size_t n)
{
	char *p = lg_arena_alloc_raw(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *lg_arena_strdup(struct lg_arena *a, const char *s)
{
	return lg_arena_strndup(a, s, strlen(s));
}

void lg_arena_release(struct lg_arena *a)
{
	struct lg_arena_chunk *c = a->head;
	while (c) {
		struct lg_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	lg_arena_init(a);
}
