/*
 * diag.c - the diagnostics sink (see diag.h).
 *
 * A growable array of owned diagnostics and a clang-shaped printer.  It is
 * the only place that knows how a diagnostic looks on a terminal.
 */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void lg_diags_init(struct lg_diags *d)
{
	d->v = NULL;
	d->n = d->cap = 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int lg_vdiag(struct lg_diags *d, enum lg_severity sev, const char *file,
	     unsigned line, unsigned col, const char *fmt, va_list ap)
{
	int ret = sev == LG_ERROR ? -1 : 0;
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		return ret;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct lg_diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			free(msg);
			return ret;
		}
		d->v = v;
		d->cap = cap;
	}
	/* A diagnostic is one line: fold any newline a message carries. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	d->v[d->n++] = (struct lg_diag){ sev, dup_or_null(file), line, col, msg };
	return ret;
}

int lg_diag(struct lg_diags *d, enum lg_severity sev, const char *file,
	    unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = lg_vdiag(d, sev, file, line, col, fmt, ap);
	va_end(ap);
	return ret;
}

size_t lg_diags_count(const struct lg_diags *d, enum lg_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].sev == sev;
	return n;
}

static const char *sev_name(enum lg_severity s)
{
	switch (s) {
	case LG_NOTE: return "note";
	case LG_WARNING: return "warning";
	case LG_ERROR: return "error";
	}
	return "error";
}

static const char *sev_color(enum lg_severity s)
{
	switch (s) {
	case LG_NOTE: return "\033[1;30m";
	case LG_WARNING: return "\033[1;35m";
	case LG_ERROR: return "\033[1;31m";
	}
	return "";
}

void lg_diags_print(const struct lg_diags *d, FILE *out, int color)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct lg_diag *g = &d->v[i];

		if (color)
			fputs("\033[1m", out);
		if (g->file) {
			fputs(g->file, out);
			if (g->line)
				fprintf(out, ":%u", g->line);
			if (g->line && g->col)
				fprintf(out, ":%u", g->col);
		} else {
			fputs("leakgate", out);
		}
		fputs(": ", out);
		if (color)
			fprintf(out, "%s%s:\033[0m\033[1m %s\033[0m\n",
				sev_color(g->sev), sev_name(g->sev), g->msg);
		else
			fprintf(out, "%s: %s\n", sev_name(g->sev), g->msg);
	}
}

void lg_diags_move(struct lg_diags *dst, struct lg_diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (dst->n == dst->cap) {
			size_t cap = dst->cap ? dst->cap * 2 : 8;
			struct lg_diag *v = realloc(dst->v, cap * sizeof(*v));
			if (!v)
				break;
			dst->v = v;
			dst->cap = cap;
		}
		dst->v[dst->n++] = src->v[i];
		src->v[i].file = src->v[i].msg = NULL;
	}
	lg_diags_release(src);
}

void lg_diags_release(struct lg_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	lg_diags_init(d);
}
