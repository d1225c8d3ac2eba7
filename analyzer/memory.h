/*
 * memory.h - the process's allocator, between phases.
 *
 * Owns one decision: when memory freed by one phase goes back to the system
 * so that the next phase, on other threads, does not raise the peak on top
 * of it.  The leakgate executable links jemalloc (CMake option
 * LEAKGATE_JEMALLOC) and sets its options in main.c; libraries and tests
 * that link the core without it get glibc's malloc, and this module works
 * with either: it asks jemalloc when jemalloc is there.
 */
#ifndef LEAKGATE_MEMORY_H
#define LEAKGATE_MEMORY_H

/* At the start of main(): glibc's malloc (when it is the allocator) keeps
 * freed memory rather than handing it back and faulting it in again. */
void lg_memory_setup(void);

/* The memory every thread has freed goes back to the system (jemalloc:
 * every arena's free pages are purged; glibc: malloc_trim). */
void lg_memory_give_back(void);

#endif
