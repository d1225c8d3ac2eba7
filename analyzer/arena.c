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
 *
 * Arrays grow by doubling (lg_arena_grow): the array left behind goes to a
 * list by size class and the next request of its size takes it, so a graph
 * does not keep every smaller copy of each of its arrays.  A request larger
 * than the next chunk gets a chunk of its own and filling goes on in the
 * current one.  lg_arena_trim() gives a finished graph's unused tail back.
 */
#include "arena.h"

#include <limits.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct region;

struct lg_arena_chunk {
	struct lg_arena_chunk *next;
	struct region *region;       /* where it was carved from; NULL: malloc */
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

/*
 * Chunks come from regions of 8 MiB, mapped at a 2 MiB boundary and marked
 * for transparent huge pages: a program keeps tens of megabytes of graphs,
 * and on a virtual machine a fault per 4 KiB page costs more than building
 * them.  A region is handed out by one thread at a time (its current one)
 * and unmapped when that thread has moved on and every chunk carved from it
 * is freed (`refs` counts both).  A chunk larger than a quarter of a region
 * is malloc'd.
 */
#define REGION_SIZE ((size_t)8 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

struct region {
	atomic_size_t refs;
	size_t used;
	unsigned char *base;
};

static _Thread_local struct region *cur_region;
static pthread_key_t region_key;
static pthread_once_t region_once = PTHREAD_ONCE_INIT;

static void region_put(struct region *r)
{
	if (atomic_fetch_sub(&r->refs, 1) == 1)
		munmap(r->base, REGION_SIZE);
}

static void region_thread_exit(void *r)
{
	if (r)
		region_put(r);
}

static void region_init(void)
{
	pthread_key_create(&region_key, region_thread_exit);
}

static struct region *region_new(void)
{
	size_t len = REGION_SIZE + HUGE_PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	unsigned char *base = (unsigned char *)a;
	if (base > p)
		munmap(p, (size_t)(base - p));
	size_t tail = (size_t)(p + len - (base + REGION_SIZE));
	if (tail)
		munmap(base + REGION_SIZE, tail);
#ifdef MADV_HUGEPAGE
	madvise(base, REGION_SIZE, MADV_HUGEPAGE);
#endif
	/* the header lives in the region's first bytes */
	struct region *r = (struct region *)base;
	atomic_init(&r->refs, 1);   /* the thread handing it out */
	r->base = base;
	r->used = (sizeof(*r) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	return r;
}

/* Under AddressSanitizer every chunk is malloc'd, so that it checks the
 * chunks' bounds and finds an arena never released, and an array left by
 * lg_arena_grow is poisoned until it is handed out again, so that a pointer
 * kept into it is caught. */
#if defined(__SANITIZE_ADDRESS__)
#define LG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LG_ASAN 1
#endif
#endif
#ifdef LG_ASAN
#include <sanitizer/asan_interface.h>
#define USE_REGIONS 0
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define USE_REGIONS 1
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static struct lg_arena_chunk *chunk_new(size_t bytes)
{
	bytes = (bytes + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if (USE_REGIONS && bytes <= REGION_SIZE / 4) {
		pthread_once(&region_once, region_init);
		struct region *r = cur_region;
		if (!r || REGION_SIZE - r->used < bytes) {
			struct region *n = region_new();
			if (n) {
				if (r)
					region_put(r);
				cur_region = r = n;
				pthread_setspecific(region_key, r);
			}
		}
		if (r && REGION_SIZE - r->used >= bytes) {
			struct lg_arena_chunk *c = (struct lg_arena_chunk *)(r->base + r->used);
			r->used += bytes;
			atomic_fetch_add(&r->refs, 1);
			c->region = r;
			return c;
		}
	}
	struct lg_arena_chunk *c = malloc(bytes);
	if (c)
		c->region = NULL;
	return c;
}

static void chunk_free(struct lg_arena_chunk *c)
{
	UNPOISON(c->data, c->size);
	if (c->region)
		region_put(c->region);
	else
		free(c);
}

#define CHUNK_FIRST ((size_t)4 * 1024)
#define CHUNK_MIN ((size_t)64 * 1024)

void lg_arena_init(struct lg_arena *a)
{
	a->head = a->cur = NULL;
	a->total = 0;
	memset(a->spare, 0, sizeof(a->spare));
}

/* ---- arrays left behind ------------------------------------------------------- */

struct spare {
	struct spare *next;
	size_t size;
};

#define SPARE_MIN ((size_t)32)   /* class 0: 32 to 63 bytes */

/* The class of a block of `size` bytes, or -1 when none keeps it. */
static int spare_class(size_t size)
{
	if (size < SPARE_MIN)
		return -1;
	int k = (int)(sizeof(size_t) * CHAR_BIT) - 1 - __builtin_clzl(size) - 5;
	return k < LG_ARENA_SPARE_CLASSES ? k : -1;
}

static void spare_put(struct lg_arena *a, void *p, size_t size)
{
	int k = spare_class(size);
	if (k < 0)
		return;
	struct spare *s = p;
	s->size = size;
	s->next = a->spare[k];
	a->spare[k] = s;
	POISON((unsigned char *)p + sizeof(*s), size - sizeof(*s));
}

/* A kept block of at least `size` bytes: the first few of its class are
 * looked at (a class spans sizes up to twice its smallest). */
static void *spare_take(struct lg_arena *a, size_t size)
{
	int k = spare_class(size);
	if (k < 0)
		return NULL;
	struct spare **pp = (struct spare **)&a->spare[k];
	for (int tries = 0; *pp && tries < 4; tries++, pp = &(*pp)->next) {
		struct spare *s = *pp;
		if (s->size >= size) {
			*pp = s->next;
			UNPOISON(s, s->size);
			return s;
		}
	}
	return NULL;
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
	if (size >= SPARE_MIN) {
		void *p = spare_take(a, size);
		if (p)
			return p;
	}
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
		struct lg_arena_chunk *n = chunk_new(sizeof(*n) + csize);
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
		if (size > grow && a->cur) {
			/* a chunk of its own: filling goes on in the current
			 * one, whose free space would be lost otherwise */
			n->used = size;
			return n->data;
		}
		c = n;
	}
	a->cur = c;
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

void lg_arena_reset(struct lg_arena *a)
{
	for (struct lg_arena_chunk *c = a->head; c; c = c->next) {
		UNPOISON(c->data, c->size);
		c->used = 0;
	}
	a->cur = a->head;
	memset(a->spare, 0, sizeof(a->spare));
}

static size_t aligned(size_t n)
{
	return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

void *lg_arena_grow(struct lg_arena *a, void *old, size_t old_n, size_t new_n,
		    size_t elem)
{
	if (elem && new_n > SIZE_MAX / 2 / elem)
		return NULL;
	size_t old_b = old ? old_n * elem : 0, new_b = new_n * elem;
	if (new_b <= old_b)
		return old;
	/* the last allocation of the current chunk grows where it is */
	struct lg_arena_chunk *c = a->cur;
	if (old && c && (unsigned char *)old + aligned(old_b) == c->data + c->used &&
	    aligned(new_b) - aligned(old_b) <= c->size - c->used) {
		c->used += aligned(new_b) - aligned(old_b);
		memset((unsigned char *)old + old_b, 0, new_b - old_b);
		return old;
	}
	unsigned char *p = lg_arena_alloc_raw(a, new_b);
	if (!p)
		return NULL;
	if (old_b)
		memcpy(p, old, old_b);
	memset(p + old_b, 0, new_b - old_b);
	if (old_b)
		spare_put(a, old, aligned(old_b));
	return p;
}

void lg_arena_trim(struct lg_arena *a)
{
#if USE_REGIONS
	struct lg_arena_chunk *c = a->cur;
	if (!c || !c->region || c->region != cur_region)
		return;
	struct region *r = c->region;
	if (c->data + c->size != r->base + r->used)
		return;   /* something was carved after it */
	size_t give = (c->size - c->used) & ~(alignof(max_align_t) - 1);
	r->used -= give;
	c->size -= give;
	a->total -= give;
#else
	(void)a;
#endif
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
		chunk_free(c);
		c = next;
	}
	lg_arena_init(a);
}
