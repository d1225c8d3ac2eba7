/*
 * arena.c - the bump allocator of arena.h.
 *
 * Chunks of at least 64 KiB; a request larger than a chunk gets a chunk of
 * its own.  Alignment is that of max_align_t.
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

#define CHUNK_MIN ((size_t)64 * 1024)

void lg_arena_init(struct lg_arena *a)
{
	a->head = NULL;
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
	struct lg_arena_chunk *c = a->head;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	if (!c || c->size - c->used < size) {
		size_t csize = size > CHUNK_MIN ? size : CHUNK_MIN;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = csize;
		/* A large private chunk goes behind the current one so the
		 * current one keeps serving small requests. */
		if (a->head && size > CHUNK_MIN) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->total += sizeof(*c) + csize;
	}
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

void lg_arena_reset(struct lg_arena *a)
{
	struct lg_arena_chunk *keep = a->head;
	if (!keep)
		return;
	struct lg_arena_chunk *c = keep->next;
	while (c) {
		struct lg_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	keep->next = NULL;
	keep->used = 0;
	a->total = sizeof(*keep) + keep->size;
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
	char *p = lg_arena_alloc(a, n + 1);
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
