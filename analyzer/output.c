/*
 * output.c - choosing a format, writing a report file, and what the
 * formatters share (see output.h).
 *
 * lg_output() dispatches to the one formatter the options name;
 * lg_format_parse() and lg_format_name() map formats to the names the
 * command line uses.  lg_findings_by_relevance() is the order in which the
 * formats meant for reviewers (github, markdown) present findings.
 *
 * lg_output_write_file() makes writing a named report all-or-nothing: the
 * report is rendered into PATH.tmp.XXXXXX (mkstemp, so in PATH's own
 * directory and on its file system), flushed and fsync'ed, then renamed over
 * PATH.  Readers of PATH see the old report or the new one, never a part;
 * on any failure the temporary file is removed and PATH is untouched.
 *
 * The temporary file gets the permissions PATH already had, or, for a new
 * PATH, those open(2) would give under the umask (mkstemp makes it 0600).
 * Reading the umask sets it back at once; the output stage runs after the
 * workers are done, so no other thread is creating files meanwhile.
 *
 * Last, two helpers for the JSON formatters (json, gitlab, rdjson): a JSON
 * string that survives bytes that are not UTF-8, and the dump of a finished
 * document.  output.h is the public interface and does not declare them;
 * each of those files declares the two it uses (see "shared with the JSON
 * formatters" below).
 */
#include "output.h"
#include "output_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- formats ---- */

static const char *const format_names[] = {
	[LG_FORMAT_TEXT] = "text",
	[LG_FORMAT_SARIF] = "sarif",
	[LG_FORMAT_JSON] = "json",
	[LG_FORMAT_GITHUB] = "github",
	[LG_FORMAT_GITLAB] = "gitlab",
	[LG_FORMAT_RDJSON] = "rdjson",
	[LG_FORMAT_MARKDOWN] = "markdown",
};

#define N_FORMATS (sizeof(format_names) / sizeof(format_names[0]))

int lg_format_parse(const char *name, enum lg_format *out)
{
	for (size_t i = 0; name && i < N_FORMATS; i++) {
		if (!strcmp(name, format_names[i])) {
			*out = (enum lg_format)i;
			return 0;
		}
	}
	return -1;
}

/* NULL for a value that is not a format. */
const char *lg_format_name(enum lg_format f)
{
	return (size_t)f < N_FORMATS ? format_names[f] : NULL;
}

/* Text reports only whether the stream failed; the message is made here. */
static int output_text(FILE *out, const struct lg_findings *fs,
		       const struct lg_output_opts *o, struct lg_diags *d)
{
	errno = 0;
	if (lg_output_text(out, fs, o) < 0) {
		int err = errno ? errno : EIO;

		lg_diag(d, LG_ERROR, NULL, 0, 0, "cannot write the report: %s",
			strerror(err));
		errno = err; /* for lg_output_write_file */
		return -1;
	}
	return 0;
}

int lg_output(FILE *out, const struct lg_findings *fs,
	      const struct lg_output_opts *o, struct lg_diags *d)
{
	switch (o->format) {
	case LG_FORMAT_TEXT:
		return output_text(out, fs, o, d);
	case LG_FORMAT_SARIF:
		return lg_output_sarif(out, fs, o, d);
	case LG_FORMAT_JSON:
		return lg_output_json(out, fs, o, d);
	case LG_FORMAT_GITHUB:
		return lg_output_github(out, fs, o, d);
	case LG_FORMAT_GITLAB:
		return lg_output_gitlab(out, fs, o, d);
	case LG_FORMAT_RDJSON:
		return lg_output_rdjson(out, fs, o, d);
	case LG_FORMAT_MARKDOWN:
		return lg_output_markdown(out, fs, o, d);
	}
	return lg_diag(d, LG_ERROR, NULL, 0, 0, "unknown output format %d",
		       (int)o->format);
}

/* ---- relevance ---- */

/*
 * What a leak costs while the process runs: a pooled connection, a result,
 * a statement or a lock drains something shared with other requests (the
 * outage in README.md); a file, memory or another handle costs this process
 * only.  Two tiers, not seven ranks: within a tier, place decides.
 */
static int kind_tier(enum lg_kind k)
{
	switch (k) {
	case LG_KIND_CONNECTION:
	case LG_KIND_RESULT:
	case LG_KIND_STATEMENT:
	case LG_KIND_LOCK:
		return 0;
	case LG_KIND_FILE:
	case LG_KIND_MEMORY:
	case LG_KIND_HANDLE:
		return 1;
	}
	return 2;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_uint(unsigned a, unsigned b)
{
	return (a > b) - (a < b);
}

/*
 * Tier, file, line, column, rule id, then fingerprint; findings equal on
 * all of these keep their order in the array they point into (compared by
 * address), so the order never depends on qsort's whims.
 */
static int cmp_relevance(const void *pa, const void *pb)
{
	const struct lg_finding *a = *(const struct lg_finding *const *)pa;
	const struct lg_finding *b = *(const struct lg_finding *const *)pb;
	int c;

	if ((c = kind_tier(a->kind) - kind_tier(b->kind)) ||
	    (c = cmp_str(a->file, b->file)) ||
	    (c = cmp_uint(a->line, b->line)) ||
	    (c = cmp_uint(a->col, b->col)) ||
	    (c = cmp_str(a->rule_id, b->rule_id)) ||
	    (c = cmp_str(a->fingerprint, b->fingerprint)))
		return c;
	return ((uintptr_t)a > (uintptr_t)b) - ((uintptr_t)a < (uintptr_t)b);
}

void lg_findings_by_relevance(const struct lg_finding **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_relevance);
}

/* PATH's mode if it exists, otherwise 0666 less the umask. */
static mode_t report_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (!stat(path, &st) && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	mask = umask(022);
	umask(mask);
	return 0666 & ~mask;
}

/* A destination that is not a regular file (/dev/null, /dev/stdout, a
 * pipe) is written as it is: renaming over it would replace the device. */
static int write_special(const char *path, lg_render_fn render, void *ctx,
			 struct lg_diags *d)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the report: %s",
			       strerror(errno));
	int r = render(f, ctx, d);
	if (fclose(f) != 0 && r == 0)
		r = lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the report: %s",
			    strerror(errno));
	return r;
}

int lg_output_write_atomic(const char *path, lg_render_fn render, void *ctx,
			   struct lg_diags *d)
{
	struct lg_diags local = LG_DIAGS_INIT;
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, err = 0;
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return write_special(path, render, ctx, d);

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		err = ENOMEM;
		goto fail;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		free(tmp);
		tmp = NULL; /* nothing was created */
		goto fail;
	}
	if (fchmod(fd, report_mode(path)) < 0 || !(f = fdopen(fd, "w"))) {
		err = errno;
		goto fail;
	}
	fd = -1; /* f owns it now */

	/*
	 * When the stream failed, the renderer's own diagnostic ("cannot
	 * write the SARIF report: ...") would only repeat ours without the
	 * file name, so it is kept aside and dropped.
	 */
	errno = 0;
	if (render(f, ctx, &local) < 0) {
		err = errno ? errno : EIO;
		if (!ferror(f))
			lg_diags_move(d, &local); /* not I/O: it explains */
		goto fail;
	}
	if (fflush(f) == EOF || fsync(fileno(f)) < 0) {
		err = errno;
		goto fail;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		err = errno;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) < 0) {
		err = errno;
		goto fail;
	}
	free(tmp);
	lg_diags_release(&local);
	return 0;

fail:
	lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the report: %s",
		strerror(err));
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	lg_diags_release(&local);
	return -1;
}

struct findings_report {
	const struct lg_findings *fs;
	const struct lg_output_opts *o;
};

static int render_findings(FILE *out, void *ctx, struct lg_diags *d)
{
	const struct findings_report *r = ctx;
	return lg_output(out, r->fs, r->o, d);
}

int lg_output_write_file(const char *path, const struct lg_findings *fs,
			 const struct lg_output_opts *o, struct lg_diags *d)
{
	struct findings_report r = { fs, o };
	return lg_output_write_atomic(path, render_findings, &r, d);
}

/* ---- shared with the JSON formatters ---- */

/* Length of the valid UTF-8 sequence at p (up to its NUL), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A new JSON string for `s`: "" for NULL; each byte that is not part of
 * valid UTF-8 (a Latin-1 path) becomes U+FFFD, since JSON text is UTF-8.
 * NULL only when memory ran out.
 */
json_t *lg_output_json_string(const char *s)
{
	const unsigned char *p;
	char *clean, *q;
	json_t *v;

	if (!s)
		return json_string("");
	v = json_string(s);
	if (v)
		return v;
	/* Either memory ran out or s is not UTF-8: repair and retry. */
	clean = malloc(strlen(s) * 3 + 1);
	if (!clean)
		return NULL;
	for (p = (const unsigned char *)s, q = clean; *p;) {
		size_t n = utf8_len(p);

		if (n) {
			memcpy(q, p, n);
			q += n;
			p += n;
		} else {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			p++;
		}
	}
	*q = '\0';
	v = json_string(clean);
	free(clean);
	return v;
}

/*
 * Writes `doc` pretty-printed (two spaces, insertion order) with a final
 * newline, and releases it.  A NULL `doc` means building it ran out of
 * memory.  The text is made in memory first, so that running out of memory
 * and failing to write are told apart; `what` names the report in the
 * diagnostic ("JSON report").  0, or -1 with a diagnostic (and errno set
 * for lg_output_write_file when the stream failed).
 */
int lg_output_json_write(FILE *out, json_t *doc, const char *what,
			 struct lg_diags *d)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	int ret = 0;

	json_decref(doc);
	if (!text)
		return lg_diag(d, LG_ERROR, NULL, 0, 0,
			       "cannot build the %s: out of memory", what);
	errno = 0;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF || ferror(out)) {
		int err = errno ? errno : EIO;

		ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "cannot write the %s: %s",
			      what, strerror(err));
		errno = err;
	}
	free(text);
	return ret;
}
