/*
 * readfile.h - reading a whole file into memory.
 *
 * Every stage that reads a file whole (rule files, the sources a finding
 * quotes, the digests of the cache, suppressions, diffs) reads it here, so
 * that the loop, its errors and the terminating NUL are written once.  The
 * files leakgate writes are tmpfile.h's business.
 *
 * Ownership: the buffer lg_read_* returns is malloc'd and the caller frees
 * it.  It holds `*len` bytes followed by a NUL (the content may hold NULs
 * too).  An lg_text is released with lg_text_release.
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

/*
 * A source file's text, read-only, for the stages that only look at it (the
 * lines a finding quotes, suppressions, digests).  A large file is mapped
 * from the page cache instead of copied: reading the 9.5 MB SQLite
 * amalgamation into fresh memory cost 40 ms of page faults, mapping it
 * about 1 ms.  (A file changed while mapped reads as changed, as it does for
 * the compiler, which maps its sources too.)
 */
struct lg_text {
	const char *p;       /* `len` bytes followed by a NUL */
	size_t len;
	size_t mapped;       /* > 0: `p` is a mapping of this many bytes */
	size_t *lines;       /* where each line starts (lg_line_starts),
				built by the first lg_text_line unless
				given; malloc'd, owned */
	size_t n_lines;
};

/* Reads `path` into `t` (zeroed on failure); 0, or -1 with errno (EISDIR
 * for a directory). */
int lg_text_read(struct lg_text *t, const char *path);

/* A copy of `len` bytes of `buf` (content given in memory); 0, or -1 when
 * memory runs out. */
int lg_text_copy(struct lg_text *t, const char *buf, size_t len);

/* Line `line` (1-based) without its line end, *len set; NULL past the end
 * or when memory runs out.  Lines end as lg_line_starts says.  The first
 * call indexes the lines, so a file's findings cost one pass over it, not
 * one each. */
const char *lg_text_line(struct lg_text *t, unsigned line, size_t *len);

/* The start of the line holding byte `off`, and its number in *line; NULL
 * past the end or when memory runs out. */
const char *lg_text_line_at(struct lg_text *t, size_t off, unsigned *line);

/* Where each line of `buf` starts, lines ending where the compiler ends
 * them (at "\n", "\r\n" or a lone "\r"), so that line numbers agree with
 * its positions: a malloc'd array of *n offsets, the first 0; NULL when
 * memory runs out. */
size_t *lg_line_starts(const char *buf, size_t len, size_t *n);

/* The 0-based line, of the `n` that `starts` lists, holding byte `off`.
 * `hint` (may be NULL) keeps the last answer: looking up positions in
 * order, most answers are found there. */
size_t lg_line_at(const size_t *starts, size_t n, size_t off, size_t *hint);

void lg_text_release(struct lg_text *t);

#endif
