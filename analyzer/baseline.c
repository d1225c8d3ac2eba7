/*
 * baseline.c - findings accepted as they are (gate.h, pass 3).
 *
 * The file is text, one finding a line, sorted, so that it reads and diffs
 * well in review:
 *
 *   # leakgate baseline: ...
 *   src/login.c<TAB>handle_login<TAB>pool-connection<TAB>3fa2...e1<TAB>connection 'conn' ... returns here
 *
 * Fields: the file (relative to the baseline's directory), the function,
 * the rule, the fingerprint (which holds no line number: lines may move),
 * and the headline for the reader (ignored when matching).  A finding is
 * dropped when an entry has its file and fingerprint; each entry drops one
 * finding.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compdb.h"
#include "gate.h"
#include "output.h"

struct entry {
	char *file;        /* absolute */
	char *function, *rule, *fingerprint;
	unsigned line;     /* in the baseline file */
	bool used;
};

static char *dir_of(const char *path)
{
	char *abs = lg_path_absolute(path, NULL);
	if (!abs)
		return NULL;
	char *slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return abs;
}

/* `abs` relative to `dir` when below it. */
static const char *below(const char *abs, const char *dir)
{
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return abs + 1;
	return strncmp(abs, dir, n) == 0 && abs[n] == '/' ? abs + n + 1 : abs;
}

struct line_out {
	char *text;
	const char *file, *function, *rule;
};

static int by_fields(const void *a, const void *b)
{
	const struct line_out *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	if (!c)
		c = strcmp(x->function, y->function);
	if (!c)
		c = strcmp(x->rule, y->rule);
	if (!c)
		c = strcmp(x->text, y->text);
	return c;
}

/* Tabs and newlines would break the line format: fold them. */
static void fold(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

struct baseline_text {
	const struct line_out *lines;
	size_t n;
};

/* The file's text; 0, or -1 with errno when the stream failed. */
static int render_baseline(FILE *out, void *ctx, struct lg_diags *d)
{
	const struct baseline_text *b = ctx;

	(void)d; /* lg_output_write_whole names the file and the error */
	fputs("# leakgate baseline: leaks accepted as they are; `leakgate --baseline FILE`\n"
	      "# drops the findings recorded here.  One a line, tab-separated: file,\n"
	      "# function, rule, fingerprint, message.  Made by `leakgate --write-baseline`.\n",
	      out);
	for (size_t i = 0; i < b->n; i++)
		fputs(b->lines[i].text, out);
	if (ferror(out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* Written whole (a temporary file renamed over `path`; a device in place)
 * by lg_output_write_whole(), like the reports. */
int lg_baseline_write(const char *path, const struct lg_findings *fs,
		      const char *cwd, struct lg_diags *d)
{
	char *dir = dir_of(path);
	struct line_out *lines = calloc(fs->n + 1, sizeof(*lines));
	int ret = -1;

	if (!dir || !lines) {
		lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < fs->n; i++) {
		const struct lg_finding *f = &fs->v[i];
		char *abs = lg_path_absolute(f->file, cwd);
		if (!abs)
			goto out;
		const char *rel = below(abs, dir);
		if (asprintf(&lines[i].text, "%s\t%s\t%s\t%s\t%s\n", rel, f->function,
			     f->rule_id, f->fingerprint, f->message) < 0) {
			free(abs);
			goto out;
		}
		free(abs);
		/* fold the free-text field only (the last one: the message's
		 * own bytes before the newline, tabs in it included) */
		size_t len = strlen(lines[i].text);
		char *msg = lines[i].text + len - 1 - strlen(f->message);
		lines[i].text[len - 1] = '\0';
		fold(msg);
		lines[i].text[len - 1] = '\n';
		lines[i].file = lines[i].text;
		lines[i].function = f->function;
		lines[i].rule = f->rule_id;
	}
	qsort(lines, fs->n, sizeof(*lines), by_fields);

	struct baseline_text text = { lines, fs->n };
	ret = lg_output_write_whole(path, "baseline", render_baseline, &text, d);
out:
	for (size_t i = 0; lines && i < fs->n; i++)
		free(lines[i].text);
	free(lines);
	free(dir);
	return ret;
}

static void entries_free(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].file);
		free(e[i].function);
		free(e[i].rule);
		free(e[i].fingerprint);
	}
	free(e);
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return n > 0;
}

int lg_baseline_apply(const char *path, struct lg_findings *fs,
		      const char *cwd, struct lg_diags *d)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot read the baseline: %s",
			       strerror(errno));
	char *dir = dir_of(path);
	struct entry *e = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int ret = 0;

	while ((len = getline(&line, &lcap, in)) >= 0 && ret == 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		char *f[5] = { 0 };
		char *p = line;
		int k = 0;
		for (; k < 5 && p; k++) {
			f[k] = p;
			p = k < 4 ? strchr(p, '\t') : NULL;
			if (p)
				*p++ = '\0';
		}
		unsigned col = 1;
		const char *want = NULL;
		if (k < 4 || !f[3])
			want = "4 or 5 tab-separated fields (file, function, rule, fingerprint, message)";
		else if (!*f[0])
			want = "a file name in the first field";
		else if (!is_hex(f[3], strlen(f[3]))) {
			want = "a hexadecimal fingerprint in the fourth field";
			col = (unsigned)(f[3] - line) + 1;
		}
		if (want) {
			ret = lg_diag(d, LG_ERROR, path, lineno, col, "invalid baseline entry: expected %s",
				      want);
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct entry *v = realloc(e, cap * sizeof(*v));
			if (!v) {
				ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
				break;
			}
			e = v;
		}
		e[n] = (struct entry){ lg_path_absolute(f[0], dir), strdup(f[1]), strdup(f[2]),
				       strdup(f[3]), lineno, false };
		n++;
	}
	free(line);
	fclose(in);
	if (ret < 0) {
		entries_free(e, n);
		free(dir);
		return ret;
	}

	size_t w = 0;
	for (size_t i = 0; i < fs->n; i++) {
		struct lg_finding *f = &fs->v[i];
		char *abs = lg_path_absolute(f->file, cwd);
		bool drop = false;
		for (size_t k = 0; abs && k < n && !drop; k++)
			if (!e[k].used && strcmp(e[k].fingerprint, f->fingerprint) == 0 &&
			    strcmp(e[k].file, abs) == 0)
				drop = e[k].used = true;
		free(abs);
		if (drop) {
			lg_finding_release(f);
			continue;
		}
		fs->v[w++] = *f;
	}
	fs->n = w;
	for (size_t k = 0; k < n; k++)
		if (!e[k].used)
			lg_diag(d, LG_NOTE, path, e[k].line, 1,
				"baseline entry matches no finding any more (%s in %s()): "
				"the leak is gone or its path changed; the entry can be removed",
				e[k].rule, e[k].function);
	entries_free(e, n);
	free(dir);
	return 0;
}
