/*
 * frontend.h - C source to leakgate graphs, through libclang.
 *
 * The only module that includes clang-c.  It parses one translation unit
 * with the arguments it is given, reports the compiler's own errors, and
 * lowers the body of every function defined in the main file into an lg_fn
 * (cfg.h), handing each to a callback.  Functions of headers (system or not)
 * are never lowered.  Nothing of libclang escapes: callers see file names,
 * lines and graphs.
 *
 * Every job's flags pass flags.h's allow-list before libclang sees them
 * (the compile database's were filtered already; the flags given after --
 * are filtered here, with a note on the job's file when something worth
 * one was dropped).  Kept flags that clang's driver does not know are
 * dropped with a note and the file is parsed again without them; the
 * frontend remembers them for the next files it parses.
 *
 * One lg_frontend per worker thread (it owns a CXIndex); lg_frontend_run is
 * not re-entrant on the same lg_frontend, and two frontends share nothing.
 */
#ifndef LEAKGATE_FRONTEND_H
#define LEAKGATE_FRONTEND_H

#include <stddef.h>

#include "cfg.h"
#include "diag.h"
#include "readfile.h"

struct lg_frontend;

/* A file's content given in memory: parsed in place of the disk's, at the
 * file's own path, so includes resolve as they do in the tree. */
struct lg_unsaved {
	const char *path;         /* absolute */
	const char *content;
	size_t len;
};

struct lg_tu_job {
	const char *file;         /* the source file (absolute, or relative to
				     the process's directory) */
	const char *directory;    /* the compile command's directory; NULL for
				     the current one */
	const char *const *args;  /* compiler flags, without the compiler and
				     without the source file */
	int n_args;
	const struct lg_unsaved *unsaved;  /* files to read from memory in
					      place of the disk (the staged
					      content of a commit) */
	size_t n_unsaved;
};

/* Receives each lowered function and owns it from then on.  A non-zero
 * return stops the traversal and is returned by lg_frontend_run. */
typedef int (*lg_fn_cb)(void *ctx, struct lg_fn *fn);

/* What a parse leaves besides the graphs (all malloc'd). */
struct lg_tu_info {
	char *file;           /* the main file's name, as the graphs name it */
	struct lg_text source; /* its text as parsed, when the job gave it in
				  memory; else empty (the caller reads the
				  file when it needs to) */
	char **includes;      /* every other file the translation unit read */
	size_t n_includes;
	size_t *line_starts;  /* where the main file's lines start in the text
				 parsed (lg_line_starts), kept from lowering
				 for quoting; NULL when not known */
	size_t n_line_starts;
	size_t parsed_len;    /* the length of that text */
};

void lg_tu_info_release(struct lg_tu_info *info);

/* Once per process, before any thread uses libclang.  libclang parses on a
 * thread of its own with an 8 MB stack unless told otherwise (the
 * LIBCLANG_NOTHREADS variable), and deep code -- a macro that expands to a
 * 65,536-term sum -- overflows it and kills the process; on the caller's
 * thread the parse has the worker's 256 MB stack. */
void lg_frontend_init_process(void);


struct lg_frontend *lg_frontend_new(void);
void lg_frontend_free(struct lg_frontend *fe);

/*
 * Parses the job's file and lowers its functions.  Returns 0 when the file
 * parsed; -1 when it could not be parsed (a missing file or header, a syntax
 * error: the compiler's errors are in `d`, and no function is lowered).
 * When `info` is not NULL it receives the main file's text and the list of
 * files included.
 */
int lg_frontend_run(struct lg_frontend *fe, const struct lg_tu_job *job,
		    lg_fn_cb cb, void *ctx, struct lg_tu_info *info,
		    struct lg_diags *d);

#endif
