/*
 * diag.h - diagnostics as values.
 *
 * Every stage of the pipeline reports problems (a rule file that does not
 * validate, a compile database that cannot be read, a file that does not
 * parse, a budget that was exceeded) by adding an lg_diag to an lg_diags
 * sink.  Nothing below main() prints or exits: main decides where the sink
 * goes and which exit status it implies.  Findings (leaks) are not
 * diagnostics; they live in finding.h.
 *
 * Ownership: an lg_diags owns copies of every string given to it.
 * lg_diags_release() frees them and leaves the sink empty and reusable.
 * lg_diags_move() transfers every entry of src to the end of dst and leaves
 * src empty.  A sink is not thread-safe: each worker has its own and the
 * driver moves them into the main sink in input order.
 */
#ifndef LEAKGATE_DIAG_H
#define LEAKGATE_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum lg_severity {
	LG_NOTE,
	LG_WARNING,
	LG_ERROR,
};

struct lg_diag {
	enum lg_severity sev;
	char *file;      /* NULL when the problem is not about a file */
	unsigned line;   /* 1-based; 0 when unknown */
	unsigned col;    /* 1-based; 0 when unknown */
	char *msg;       /* one line, starts lowercase, no trailing newline */
};

struct lg_diags {
	struct lg_diag *v;
	size_t n, cap;
};

#define LG_DIAGS_INIT { NULL, 0, 0 }

void lg_diags_init(struct lg_diags *d);

/*
 * Adds one diagnostic.  Returns -1 for LG_ERROR and 0 otherwise, so that
 * `return lg_diag(d, LG_ERROR, ...)` reads as "fail with this message".
 */
int lg_diag(struct lg_diags *d, enum lg_severity sev, const char *file,
	    unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int lg_vdiag(struct lg_diags *d, enum lg_severity sev, const char *file,
	     unsigned line, unsigned col, const char *fmt, va_list ap);

size_t lg_diags_count(const struct lg_diags *d, enum lg_severity sev);

/* Prints "file:line:col: error: msg" (parts that are unknown are left out;
 * without a file the prefix is "leakgate"), one line each, in order. */
void lg_diags_print(const struct lg_diags *d, FILE *out, int color);

void lg_diags_move(struct lg_diags *dst, struct lg_diags *src);
void lg_diags_release(struct lg_diags *d);

#endif
