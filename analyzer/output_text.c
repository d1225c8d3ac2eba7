/*
 * output_text.c - findings as clang-style diagnostics (see output.h).
 *
 * One warning per finding, in the order given: the location and headline
 * with the rule id in brackets, the source line with a caret under the
 * column, then one note per step of the path, and a closing count.  The
 * snippet is laid out as clang lays it out: a gutter of at least four digits
 * for the line number, tabs expanded to 8-column stops, and the caret placed
 * by display column, so it sits under the right character when the line is
 * indented with tabs.  Colours, when asked for, are clang's: bold locations,
 * bold magenta "warning:", bold dark "note:", bold green caret.
 *
 * A finding with a safe fix ends with one more note, in the manner of
 * clang's fix-it hints: "FILE:LINE:1: note: insert before this line to
 * release it:", then each line of the fix in the snippet's margin (the
 * line-number column left blank), laid out as source lines are.
 *
 * What this file leaves out: deciding anything.  It does not sort, filter or
 * count towards an exit status; it renders what it is given and reports
 * only whether the stream accepted it.
 */
#include "output.h"

#include <stdio.h>
#include <string.h>

#define TAB_STOP 8

#define C_RESET "\033[0m"
#define C_LOC "\033[1m"
#define C_WARNING "\033[0;1;35m"
#define C_NOTE "\033[0;1;30m"
#define C_MESSAGE "\033[1m"
#define C_CARET "\033[0;1;32m"

/*
 * Writes `s` on one line: a message may carry source text (a multi-line
 * call standing for the handle), whose newlines and other control
 * characters would break the layout, so each becomes a space.
 */
static void put_oneline(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
	}
}

/* "file:line:col: ", leaving out what is unknown (0), as diag.c does. */
static void put_location(FILE *out, int color, const char *file,
			 unsigned line, unsigned col)
{
	if (color)
		fputs(C_LOC, out);
	put_oneline(out, file ? file : "<unknown>");
	if (line)
		fprintf(out, ":%u", line);
	if (line && col)
		fprintf(out, ":%u", col);
	fputs(": ", out);
	if (color)
		fputs(C_RESET, out);
}

/*
 * Writes one source line as clang displays it and returns the display
 * column (0-based) of byte column `col` (1-based) for the caret.  Tabs
 * expand to the next multiple of TAB_STOP; other control characters show
 * as <U+XXXX> (so that no escape sequence from a source file reaches the
 * terminal); UTF-8 continuation bytes take no column.  A trailing CR (a
 * CRLF file) is not shown.  A column past the end puts the caret just
 * after the last character.  `len` bytes of `src` are shown.
 */
static unsigned put_source(FILE *out, const char *src, size_t len,
			   unsigned col)
{
	size_t want = col ? col - 1 : 0;
	unsigned d = 0, caret = 0;
	int found = 0;

	if (len && src[len - 1] == '\r')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (i == want) {
			caret = d;
			found = 1;
		}
		if (c == '\t') {
			unsigned n = TAB_STOP - d % TAB_STOP;

			fprintf(out, "%*s", (int)n, "");
			d += n;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "<U+%04X>", c);
			d += 8;
		} else {
			fputc(c, out);
			d += (c & 0xc0) != 0x80;
		}
	}
	fputc('\n', out);
	return found ? caret : d;
}

static int num_width(unsigned n)
{
	int w = 1;

	while (n >= 10) {
		n /= 10;
		w++;
	}
	return w;
}

/* The gutter is at least four digits wide and grows with the line number. */
static int gutter_width(const struct lg_finding *f)
{
	return num_width(f->line) > 4 ? num_width(f->line) : 4;
}

/*
 *    42 |         return -1;
 *       |         ^
 */
static void put_snippet(FILE *out, int color, const struct lg_finding *f)
{
	int w = gutter_width(f);
	unsigned caret;

	fprintf(out, " %*u | ", w, f->line);
	caret = put_source(out, f->source_line, strlen(f->source_line), f->col);
	fprintf(out, " %*s | %*s", w, "", (int)caret, "");
	fputs(color ? C_CARET "^" C_RESET "\n" : "^\n", out);
}

/*
 *   file:48:1: note: insert before this line to release it:
 *         |                 pool_release(pool, conn);
 * One margin line per line of the fix, with the snippet's gutter.
 */
static void put_fix(FILE *out, int color, const struct lg_finding *f)
{
	int w = gutter_width(f);
	const char *p = f->fix_text;

	put_location(out, color, f->file, f->fix_line, 1);
	fputs(color ? C_NOTE "note: " C_RESET : "note: ", out);
	fputs("insert before this line to release it:\n", out);
	while (*p) {
		size_t n = strcspn(p, "\n");

		fprintf(out, " %*s | ", w, "");
		put_source(out, p, n, 0);
		p += n + (p[n] == '\n');
	}
}

static void put_finding(FILE *out, int color, const struct lg_finding *f)
{
	put_location(out, color, f->file, f->line, f->col);
	fputs(color ? C_WARNING "warning: " C_RESET C_MESSAGE : "warning: ", out);
	put_oneline(out, f->message);
	fputs(" [", out);
	put_oneline(out, f->rule_id);
	fputs(color ? "]" C_RESET "\n" : "]\n", out);
	if (f->source_line)
		put_snippet(out, color, f);
	for (size_t i = 0; i < f->n_steps; i++) {
		const struct lg_step *s = &f->steps[i];

		put_location(out, color, s->file ? s->file : f->file,
			     s->line, s->col);
		fputs(color ? C_NOTE "note: " C_RESET : "note: ", out);
		put_oneline(out, s->message);
		fputc('\n', out);
	}
	if (f->fix_text && f->fix_line)
		put_fix(out, color, f);
}

int lg_output_text(FILE *out, const struct lg_findings *fs,
		   const struct lg_output_opts *o)
{
	int color = o && o->color;

	for (size_t i = 0; i < fs->n; i++)
		put_finding(out, color, &fs->v[i]);
	if (fs->n)
		fprintf(out, "%zu leak%s found.\n", fs->n, fs->n == 1 ? "" : "s");
	return ferror(out) ? -1 : 0;
}
