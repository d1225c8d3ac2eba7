/*
 * output_markdown.c - findings as a Markdown summary (see output.h).
 *
 * For $GITHUB_STEP_SUMMARY and the body of a review: a heading with the
 * count, then one section per finding, the most relevant first
 * (lg_findings_by_relevance):
 *
 *   ## leakgate: 1 leak
 *
 *   ### `examples/login.c:42` pool-connection — login
 *
 *   connection 'conn' acquired by pool\_acquire() at line 30 is ...
 *
 *   1. `examples/login.c:30` 'conn' acquired here by pool\_acquire()
 *   2. `examples/login.c:42` returning with 'conn' still held
 *
 *   Fix: insert before line 42:
 *
 *   ```c
 *           pool_release(pool, conn);
 *   ```
 *
 * or "## leakgate: no leaks" alone.  Everything that comes from the
 * analysed code or the rules is escaped for CommonMark (and GitHub's
 * flavour of it): in running text, control characters become spaces and
 * the characters that could start emphasis, a link, HTML, an entity, a
 * strikethrough or a table cell are backslash-escaped; a code span, where
 * backslashes do not escape, is fenced with more backticks than the longest
 * run of backticks inside it (and padded with a space when its content
 * starts or ends with a backtick or a space); the fix's code block is
 * fenced likewise.
 *
 * lg_output_markdown_path() (the numbered path alone) is also the body of
 * each GitLab Code Quality issue (output_gitlab.c).
 */
#include "output.h"
#include "output_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Declared again in output_gitlab.c, its other user. */

/* Punctuation that is active in CommonMark or GFM inline text. */
#define MD_ACTIVE "\\`*_[]<>&#|~"

/*
 * Running text on one line.  At the start of a line, where `-`, `+`, `=`
 * or `1.` would make a list item, a rule or a heading underline, leading
 * blanks are dropped and such a start is escaped too.
 */
static void put_md_text(FILE *out, const char *s, int line_start)
{
	if (!s)
		return;
	if (line_start) {
		size_t digits;

		s += strspn(s, " \t");
		digits = strspn(s, "0123456789");
		if (digits && (s[digits] == '.' || s[digits] == ')')) {
			fwrite(s, 1, digits, out);
			s += digits;
			fputc('\\', out);
		} else if (*s == '-' || *s == '+' || *s == '=') {
			fputc('\\', out);
		}
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (strchr(MD_ACTIVE, c))
			fputc('\\', out);
		fputc(c, out);
	}
}

/* The longest run of backticks in s. */
static size_t longest_backticks(const char *s)
{
	size_t best = 0;

	while (s && *s) {
		size_t n = strspn(s, "`");

		if (n > best)
			best = n;
		s += n;
		s += strcspn(s, "`");
	}
	return best;
}

static void put_fence(FILE *out, size_t n)
{
	while (n--)
		fputc('`', out);
}

/*
 * Whether a code span's content starting or ending with c needs padding: a
 * backtick would join the fence, and a space (which is what control
 * characters become) at both ends would be stripped.
 */
static int edge_char(char c)
{
	return c == '`' || c == ' ' || (unsigned char)c < 0x20 || c == 0x7f;
}

/*
 * A code span showing s and then `suffix` (which has no backtick and does
 * not end in a blank, e.g. ":42").  Control characters become spaces, as a
 * code span would make of a newline, so that it stays on its line.
 */
static void put_md_code(FILE *out, const char *s, const char *suffix)
{
	size_t fence = longest_backticks(s) + 1, n = s ? strlen(s) : 0;
	int pad;

	if (!s)
		s = "";
	if (!n && !*suffix) {
		fputs("` `", out); /* a span cannot be empty */
		return;
	}
	pad = (n && edge_char(s[0])) || (!*suffix && n && edge_char(s[n - 1]));
	put_fence(out, fence);
	if (pad)
		fputc(' ', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
	}
	fputs(suffix, out);
	if (pad)
		fputc(' ', out);
	put_fence(out, fence);
}

/* `FILE:LINE`, or `FILE` when the line is unknown. */
static void put_md_location(FILE *out, const char *file, unsigned line)
{
	char suffix[16] = "";

	if (line)
		snprintf(suffix, sizeof(suffix), ":%u", line);
	put_md_code(out, file, suffix);
}

/*
 * 1. `file:30` 'conn' acquired here by pool\_acquire()
 * 2. `file:42` returning with 'conn' still held
 */
int lg_output_markdown_path(FILE *out, const struct lg_finding *f)
{
	for (size_t i = 0; i < f->n_steps; i++) {
		const struct lg_step *s = &f->steps[i];

		fprintf(out, "%zu. ", i + 1);
		put_md_location(out, s->file ? s->file : f->file, s->line);
		fputc(' ', out);
		put_md_text(out, s->message, 0);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* ```c ... ``` with a fence no line of the fix can close. */
static void put_md_fix(FILE *out, const struct lg_finding *f)
{
	size_t fence = longest_backticks(f->fix_text) + 1;
	size_t n = strlen(f->fix_text);

	fprintf(out, "\nFix: insert before line %u:\n\n", f->fix_line);
	put_fence(out, fence < 3 ? 3 : fence);
	fputs("c\n", out);
	fputs(f->fix_text, out);
	if (n && f->fix_text[n - 1] != '\n')
		fputc('\n', out);
	put_fence(out, fence < 3 ? 3 : fence);
	fputc('\n', out);
}

static void put_md_finding(FILE *out, const struct lg_finding *f)
{
	fputs("\n### ", out);
	put_md_location(out, f->file, f->line);
	fputc(' ', out);
	put_md_text(out, f->rule_id, 0);
	if (f->function && *f->function) {
		fputs(" \xe2\x80\x94 ", out); /* U+2014 EM DASH */
		put_md_text(out, f->function, 0);
	}
	fputs("\n\n", out);
	put_md_text(out, f->message, 1);
	fputc('\n', out);
	if (f->n_steps) {
		fputc('\n', out);
		lg_output_markdown_path(out, f);
	}
	if (f->fix_text && f->fix_line)
		put_md_fix(out, f);
}

/*
 * ### Not covered
 *
 * - `a.c:2` function 'f' was not fully analysed: ...
 *
 * The run's errors and warnings: what the findings above do not cover.
 */
static void put_md_problems(FILE *out, const struct lg_diags *d)
{
	bool head = false;

	for (size_t i = 0; d && i < d->n; i++) {
		const struct lg_diag *g = &d->v[i];
		if (g->sev == LG_NOTE)
			continue;
		if (!head)
			fputs("\n### Not covered\n\n", out);
		head = true;
		fputs(g->sev == LG_ERROR ? "- error: " : "- warning: ", out);
		if (g->file) {
			put_md_location(out, g->file, g->line);
			fputc(' ', out);
		}
		put_md_text(out, g->msg ? g->msg : "", 0);
		fputc('\n', out);
	}
}

int lg_output_markdown(FILE *out, const struct lg_findings *fs,
		       const struct lg_output_opts *o, struct lg_diags *d)
{
	const struct lg_finding **v = NULL;

	if (fs->n && !(v = malloc(fs->n * sizeof(*v))))
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "cannot build the "
			       "Markdown summary: out of memory");
	for (size_t i = 0; i < fs->n; i++)
		v[i] = &fs->v[i];
	lg_findings_by_relevance(v, fs->n);

	errno = 0;
	if (fs->n)
		fprintf(out, "## leakgate: %zu leak%s\n", fs->n,
			fs->n == 1 ? "" : "s");
	else
		fputs("## leakgate: no leaks\n", out);
	for (size_t i = 0; i < fs->n; i++)
		put_md_finding(out, v[i]);
	free(v);
	put_md_problems(out, o ? o->problems : NULL);
	if (fflush(out) == EOF || ferror(out)) {
		int err = errno ? errno : EIO;

		lg_diag(d, LG_ERROR, NULL, 0, 0, "cannot write the Markdown "
			"summary: %s", strerror(err));
		errno = err; /* for lg_output_write_file */
		return -1;
	}
	return 0;
}
