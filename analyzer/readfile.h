/*
 * readfile.h - reading a whole file into memory.
 *
 * Every stage that reads a file whole (rule files, the sources a finding
 * quotes, the digests of the cache, suppressions, diffs) reads it here, so
 * that the loop, its errors and the terminating NUL are written once.  The
 * files leakgate writes are tmpfile.h's business.
 *
 * Ownership: the buffer returned is malloc'd and the caller frees it.  It
 * holds `*len` bytes followed by a NUL (the content may hold NULs too).
 */
#ifndef LEAKGATE_READFILE_H
#define LEAKGATE_READFILE_H

#include <stddef.h>
#include <stdio.h>

/* All that remains to read from `f` (which stays open); NULL with errno
 * on a read error or when memory runs out.  `len` may be NULL. */
char *lg_read_stream(FILE *f, size_t *len);

/* All of `path`; NULL with errno when it cannot be opened or read (EISDIR
 * for a directory).  `len` may be NULL. */
char *lg_read_file(const char *path, size_t *len);

#endif
