/*
 * output.c - choosing a format, writing a report file, and what the
 * formatters share (see output.h).
 *
 * lg_output() dispatches to the one formatter the options name;
 * lg_format_parse() and lg_format_name() map formats to the names the
 * command line uses.  lg_findings_by_relevance() is the order in which the
 * formats meant for reviewers (github, markdown) present findings.
 *
 * lg_output_write_whole() (and lg_output_write_file() for a report, and
 * the baseline and --merge through it) makes writing a named file
 * all-or-nothing: it is rendered into PATH.tmp.XXXXXX (a new name, made
 * with O_EXCL in PATH's own directory, so on its file system), flushed and
 * fsync'ed, then renamed over PATH, and the directory fsync'ed.  Readers of
 * PATH see the old file or the new one, never a part; a run killed at any
 * moment leaves the old one; on any failure the temporary file is removed
 * and PATH is untouched.  Temporary files of PATH older than an hour, left
 * by killed runs, are removed after the rename; younger ones are another
 * run's or harmless, and nothing ever reads them.
 *
 * What PATH is decides how (the tree being checked may be a pull request's,
 * so PATH may be a link planted there):
 *   - a name in /dev or in a /proc/.../fd directory (/dev/null, /dev/stdout,
 *     /dev/fd/3): written where it is, appended to, never created, truncated
 *     or renamed over;
 *   - a character device, a pipe or a socket elsewhere: written where it
 *     is, without following a link;
 *   - a symbolic link elsewhere: replaced by the new file (rename(2) does
 *     not follow it); what it points to is never written;
 *   - a block device: refused; a directory: refused (EISDIR).
 * The temporary file gets the mode PATH had when it was a regular file,
 * otherwise the one open(2) gives 0666 under the umask.
 *
 * Last, two helpers for the JSON formatters (json, gitlab, rdjson): a JSON
 * string that survives bytes that are not UTF-8, and the dump of a finished
 * document.  output.h is the public interface and does not declare them;
 * each of those files declares the two it uses (see "shared with the JSON
 * formatters" below).
 */
#include "output.h"
#include "tmpfile.h"
#include "output_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* ---- writing a file whole ---- */

/* (Temporary files: tmpfile.h.  One left by a killed run is removed the
 * next time its destination is written; younger ones may be another run's
 * and are left alone; none is ever read.) */

/* The directory part of `path` (a new string: "." when there is none) and,
 * in *base, its last name. */
static char *split_path(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/*
 * Is `path` a name in /dev or in a /proc/.../fd directory (its directory's
 * links followed: /dev/fd is /proc/self/fd)?  /dev/null, /dev/stdout,
 * /dev/fd/N and /proc/self/fd/N are written where they are: nothing is ever
 * created in those directories or renamed over their entries.
 */
static bool in_device_dir(const char *path)
{
	const char *base;
	char *dir = split_path(path, &base);
	char *real = dir ? realpath(dir, NULL) : NULL;
	bool in = false;

	if (real) {
		size_t n = strlen(real);
		in = !strcmp(real, "/dev") ||
		     (!strncmp(real, "/proc/", 6) && n >= 9 && !strcmp(real + n - 3, "/fd"));
	}
	free(real);
	free(dir);
	return in;
}

/*
 * Renders into what `path` names as it is: a character device, a pipe, a
 * socket, or a name in /dev (see in_device_dir).  Never creates and never
 * truncates (O_APPEND: /dev/stdout may be the file a shell opened with >>);
 * `flags` adds O_NOFOLLOW outside /dev.
 */
static int write_in_place(const char *path, const char *what, int flags,
			  lg_render_fn render, void *ctx, struct lg_diags *d)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC | flags);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the %s: %s", what,
			       strerror(errno));
	if (fstat(fd, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode))) {
		close(fd);
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the %s: %s", what,
			       S_ISDIR(st.st_mode) ? strerror(EISDIR) :
			       "a block device is never written");
	}
	f = fdopen(fd, "a");
	if (!f) {
		int err = errno;
		close(fd);
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the %s: %s", what,
			       strerror(err));
	}
	/* as in write_replacing: a stream error is told once, with the name */
	struct lg_diags local = LG_DIAGS_INIT;
	errno = 0;
	int r = render(f, ctx, &local), err = errno ? errno : EIO;
	bool io = ferror(f);
	if (fclose(f) != 0 && r == 0) {
		r = -1;
		err = errno;
		io = true;
	}
	if (r < 0 && io)
		lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the %s: %s", what,
			strerror(err));
	else
		lg_diags_move(d, &local);
	lg_diags_release(&local);
	return r;
}

/*
 * Renders into a new temporary file beside `path` and renames it over
 * `path`: readers see the old file or the new one, never a part, and a run
 * killed at any moment leaves the old one.  `old` is what `path` was when it
 * was a regular file (its mode is kept), NULL otherwise.  A link at `path`
 * is replaced by the file, never written through.
 */
static int write_replacing(const char *path, const char *what,
			   const struct stat *old, lg_render_fn render, void *ctx,
			   struct lg_diags *d)
{
	struct lg_diags local = LG_DIAGS_INIT;
	const char *base;
	char *dir = split_path(path, &base), *tmp = NULL;
	int dfd = -1, fd = -1, err = 0;
	FILE *f = NULL;

	if (!dir) {
		err = ENOMEM;
		goto fail;
	}
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		err = EISDIR;
		goto fail;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (fd = lg_tmp_create(dfd, base, &tmp)) < 0) {
		err = errno;
		goto fail;
	}
	if ((old && fchmod(fd, old->st_mode & 07777) < 0) || !(f = fdopen(fd, "w"))) {
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
	if (renameat(dfd, tmp, dfd, base) < 0) {
		err = errno;
		goto fail;
	}
	fsync(dfd); /* the rename itself; the file is whole either way */
	lg_tmp_clean_stale(dfd, base);
	close(dfd);
	free(tmp);
	free(dir);
	lg_diags_release(&local);
	return 0;

fail:
	lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the %s: %s", what, strerror(err));
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	free(tmp);
	free(dir);
	lg_diags_release(&local);
	return -1;
}

int lg_output_write_whole(const char *path, const char *what,
			  lg_render_fn render, void *ctx, struct lg_diags *d)
{
	struct stat st;

	if (in_device_dir(path))
		return write_in_place(path, what, 0, render, ctx, d);
	if (lstat(path, &st) != 0)
		return write_replacing(path, what, NULL, render, ctx, d);
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return write_in_place(path, what, O_NOFOLLOW, render, ctx, d);
	if (S_ISBLK(st.st_mode))
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the %s: %s", what,
			       "a block device is never written");
	return write_replacing(path, what, S_ISREG(st.st_mode) ? &st : NULL, render,
			       ctx, d);
}

int lg_output_write_atomic(const char *path, lg_render_fn render, void *ctx,
			   struct lg_diags *d)
{
	return lg_output_write_whole(path, "report", render, ctx, d);
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
