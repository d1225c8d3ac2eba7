/*
 * output_github.c - findings as GitHub Actions workflow commands (see
 * output.h).
 *
 * Printed by a step of a workflow, each `::error` line becomes an
 * annotation on the pull request's diff.  GitHub shows at most ten error
 * annotations per step, so the findings that matter most come first
 * (lg_findings_by_relevance) and only o->max_annotations of them (0: 10)
 * are annotated; a closing `::notice` says how many more there are and
 * points to the job summary (the markdown format), which lists them all:
 *
 *   ::error file=F,line=L,endLine=L,col=C,title=leakgate RULE::HEADLINE%0A
 *   F:L: STEP%0A...%0Afix: insert before line N: RELEASE-CALL
 *   ::notice title=leakgate::3 more findings are not annotated here; see
 *   the job summary for the full list
 *
 * (each command on one line).  The message is the headline, then one line
 * per step of the path, then the fix, its lines trimmed.  Values are
 * escaped exactly as GitHub's toolkit (@actions/core, command.ts) escapes
 * them: in the message `%`, CR and LF become %25, %0D and %0A; in a
 * property, `:` and `,` also become %3A and %2C.  A line or column of 0
 * (unknown) leaves its properties out.  No findings, no output.
 */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ANNOTATIONS 10

/* escapeData: the message after `::`. */
static void put_data(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; s && i < n && s[i]; i++) {
		switch (s[i]) {
		case '%':
			fputs("%25", out);
			break;
		case '\r':
			fputs("%0D", out);
			break;
		case '\n':
			fputs("%0A", out);
			break;
		default:
			fputc(s[i], out);
		}
	}
}

/* escapeProperty: a value in `key=value,...`. */
static void put_property(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case ':':
			fputs("%3A", out);
			break;
		case ',':
			fputs("%2C", out);
			break;
		default:
			put_data(out, s, 1);
		}
	}
}

#define put_text(out, s) put_data(out, s, (size_t)-1)

/*
 * "fix: insert before line N: " and the fix's lines, each without its
 * indentation and trailing blanks, joined by (escaped) newlines.
 */
static void put_fix(FILE *out, const struct lg_finding *f)
{
	const char *p = f->fix_text;
	int first = 1;

	fprintf(out, "%%0Afix: insert before line %u: ", f->fix_line);
	while (*p) {
		size_t n = strcspn(p, "\n"), b = strspn(p, " \t"), e = n;

		while (e > b && strchr(" \t\r\f\v", p[e - 1]))
			e--;
		if (e > b) {
			if (!first)
				fputs("%0A", out);
			put_data(out, p + b, e - b);
			first = 0;
		}
		p += n + (p[n] == '\n');
	}
}

static void put_error(FILE *out, const struct lg_finding *f)
{
	fputs("::error file=", out);
	put_property(out, f->file);
	if (f->line)
		fprintf(out, ",line=%u,endLine=%u", f->line, f->line);
	if (f->line && f->col)
		fprintf(out, ",col=%u", f->col);
	fputs(",title=", out);
	put_property(out, "leakgate ");
	put_property(out, f->rule_id);
	fputs("::", out);
	put_text(out, f->message);
	for (size_t i = 0; i < f->n_steps; i++) {
		const struct lg_step *s = &f->steps[i];

		fputs("%0A", out);
		put_text(out, s->file ? s->file : f->file);
		if (s->line)
			fprintf(out, ":%u", s->line);
		fputs(": ", out);
		put_text(out, s->message);
	}
	if (f->fix_text && f->fix_line)
		put_fix(out, f);
	fputc('\n', out);
}

int lg_output_github(FILE *out, const struct lg_findings *fs,
		     const struct lg_output_opts *o, struct lg_diags *d)
{
	size_t max = o && o->max_annotations ? o->max_annotations
					     : DEFAULT_ANNOTATIONS;
	const struct lg_finding **v;
	size_t n = fs->n < max ? fs->n : max;

	if (!fs->n)
		return 0;
	v = malloc(fs->n * sizeof(*v));
	if (!v)
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "cannot build the GitHub "
			       "annotations: out of memory");
	for (size_t i = 0; i < fs->n; i++)
		v[i] = &fs->v[i];
	lg_findings_by_relevance(v, fs->n);

	errno = 0;
	for (size_t i = 0; i < n; i++)
		put_error(out, v[i]);
	if (fs->n > n)
		fprintf(out, "::notice title=leakgate::%zu more finding%s not "
			"annotated here; see the job summary for the full "
			"list\n", fs->n - n, fs->n - n == 1 ? " is" : "s are");
	free(v);
	if (fflush(out) == EOF || ferror(out)) {
		int err = errno ? errno : EIO;

		lg_diag(d, LG_ERROR, NULL, 0, 0, "cannot write the GitHub "
			"annotations: %s", strerror(err));
		errno = err; /* for lg_output_write_file */
		return -1;
	}
	return 0;
}
