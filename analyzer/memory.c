/*
 * memory.c - see memory.h.
 *
 * jemalloc is found at run time through a weak reference to its mallctl():
 * the same object serves the executable, which links jemalloc, and the test
 * programs, which do not.
 */
#include "memory.h"

#include <stddef.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* jemalloc's control interface; NULL when jemalloc is not linked */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp,
		   size_t newlen) __attribute__((weak));

/* MALLCTL_ARENAS_ALL of jemalloc.h: "every arena" in a mallctl name */
#define ARENAS_ALL "4096"

void lg_memory_setup(void)
{
	if (mallctl)
		return;
#ifdef __GLIBC__
	/* The analysis allocates and frees arenas function after function:
	 * keep freed memory instead of handing it back to the kernel and
	 * faulting it in again. */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
#endif
}

void lg_memory_give_back(void)
{
	if (mallctl) {
		mallctl("arena." ARENAS_ALL ".purge", NULL, NULL, NULL, 0);
		return;
	}
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
