/*
 * diff.c - which lines a change adds or modifies (gate.h, pass 4).
 *
 * Read from a unified diff: for each `+++ b/FILE`, every hunk
 * `@@ -a,b +c,d @@` marks new lines c .. c+d-1; a hunk that only deletes
 * (d = 0) marks the lines on both sides of the gap (c and c+1), since code
 * around a removed release is what the change affects.  With git, the diff
 * is `git diff -U0` of the working tree against the merge base of REF and
 * HEAD, run without a shell.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compdb.h"
#include "gate.h"
#include "readfile.h"

struct range {
	unsigned first, last;
};

struct changed_file {
	char *path;             /* absolute */
	struct range *r;
	size_t n, cap;
};

struct lg_changes {
	struct changed_file *f;
	size_t n, cap;
	const char **names;     /* lg_changes_files() */
};

void lg_changes_free(struct lg_changes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->f[i].path);
		free(c->f[i].r);
	}
	free(c->f);
	free(c->names);
	free(c);
}

const char **lg_changes_files(const struct lg_changes *c)
{
	struct lg_changes *m = (struct lg_changes *)c;
	free(m->names);
	m->names = calloc(c->n + 1, sizeof(*m->names));
	for (size_t i = 0; m->names && i < c->n; i++)
		m->names[i] = c->f[i].path;
	return m->names;
}

static struct changed_file *file_for(struct lg_changes *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->f[i].path, path) == 0)
			return &c->f[i];
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct changed_file *v = realloc(c->f, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->f = v;
		c->cap = cap;
	}
	struct changed_file *f = &c->f[c->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	c->n++;
	return f;
}

static int add_range(struct changed_file *f, unsigned first, unsigned last)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct range *v = realloc(f->r, cap * sizeof(*v));
		if (!v)
			return -1;
		f->r = v;
		f->cap = cap;
	}
	f->r[f->n++] = (struct range){ first, last };
	return 0;
}

/* Parses `text` (a unified diff) into a new lg_changes. */
static struct lg_changes *parse_diff(const char *text, const char *name,
				     const char *root, struct lg_diags *d)
{
	struct lg_changes *c = calloc(1, sizeof(*c));
	struct changed_file *cur = NULL;
	unsigned lineno = 0;
	const char *p = text;

	if (!c)
		return NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len >= 4 && strncmp(p, "+++ ", 4) == 0) {
			const char *q = p + 4;
			size_t ql = len - 4;
			while (ql && (q[ql - 1] == '\r' || q[ql - 1] == '\t' || q[ql - 1] == ' '))
				ql--;
			cur = NULL;
			if (!(ql == 9 && strncmp(q, "/dev/null", 9) == 0)) {
				if (ql > 2 && (strncmp(q, "b/", 2) == 0))
					q += 2, ql -= 2;
				char *rel = strndup(q, ql);
				char *abs = rel ? lg_path_absolute(rel, root) : NULL;
				cur = abs ? file_for(c, abs) : NULL;
				free(rel);
				free(abs);
				if (!cur)
					goto oom;
			}
		} else if (len >= 2 && strncmp(p, "@@", 2) == 0) {
			const char *plus = memchr(p, '+', len);
			char *end;
			if (!plus) {
				lg_diag(d, LG_ERROR, name, lineno, 1,
					"invalid hunk header: expected '@@ -a,b +c,d @@'");
				lg_changes_free(c);
				return NULL;
			}
			unsigned long start = strtoul(plus + 1, &end, 10);
			unsigned long count = 1;
			if (*end == ',')
				count = strtoul(end + 1, &end, 10);
			if (end == plus + 1) {
				lg_diag(d, LG_ERROR, name, lineno, (unsigned)(plus - p) + 1,
					"invalid hunk header: expected a line number after '+'");
				lg_changes_free(c);
				return NULL;
			}
			if (cur) {
				int r = count > 0
					? add_range(cur, (unsigned)start, (unsigned)(start + count - 1))
					: add_range(cur, (unsigned)start, (unsigned)start + 1);
				if (r < 0)
					goto oom;
			}
		}
		p = nl ? nl + 1 : p + len;
	}
	return c;
oom:
	lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	lg_changes_free(c);
	return NULL;
}

struct lg_changes *lg_changes_from_diff(const char *path, const char *root,
					struct lg_diags *d)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		lg_diag(d, LG_ERROR, path, 0, 0, "cannot read the diff: %s", strerror(errno));
		return NULL;
	}
	char *text = lg_read_stream(f, NULL);
	int err = errno;
	if (f != stdin)
		fclose(f);
	if (!text) {
		lg_diag(d, LG_ERROR, path, 0, 0, "cannot read the diff: %s", strerror(err));
		return NULL;
	}
	struct lg_changes *c = parse_diff(text, path, root, d);
	free(text);
	return c;
}

int lg_run_capture(const char *const *argv, const char *dir, char **out,
		   size_t *len)
{
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (dir && chdir(dir) != 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "rb");
	char *text = f ? lg_read_stream(f, len) : NULL;
	if (f)
		fclose(f);
	else
		close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!text)
		return -1;
	*out = text;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs git and returns its output with trailing newlines removed. */
static char *git(const char *dir, const char *const *argv, struct lg_diags *d)
{
	char *out = NULL;
	int st = lg_run_capture(argv, dir, &out, NULL);
	if (st != 0) {
		free(out);
		lg_diag(d, LG_ERROR, NULL, 0, 0, "'%s %s%s%s' failed (%s)", argv[0], argv[1],
			argv[2] ? " " : "", argv[2] ? argv[2] : "",
			st < 0 ? "cannot run git" : "exit status not 0");
		return NULL;
	}
	size_t n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return out;
}

struct lg_changes *lg_changes_from_git(const char *ref, const char *dir,
				       struct lg_diags *d)
{
	const char *top_argv[] = { "git", "rev-parse", "--show-toplevel", NULL };
	char *top = git(dir, top_argv, d);
	if (!top)
		return NULL;
	const char *mb_argv[] = { "git", "merge-base", ref, "HEAD", NULL };
	char *mb = git(top, mb_argv, d);
	struct lg_changes *c = NULL;
	if (mb) {
		const char *diff_argv[] = { "git", "diff", "-U0", "--no-color", "--no-ext-diff",
					    "--no-renames", mb, "--", NULL };
		char *text = NULL;
		int st = lg_run_capture(diff_argv, top, &text, NULL);
		if (st == 0)
			c = parse_diff(text, "git diff", top, d);
		else
			lg_diag(d, LG_ERROR, NULL, 0, 0, "'git diff %s' failed", mb);
		free(text);
	} else {
		lg_diag(d, LG_ERROR, NULL, 0, 0,
			"cannot find the merge base of '%s' and HEAD (is '%s' fetched?)", ref, ref);
	}
	free(mb);
	free(top);
	return c;
}

bool lg_changes_touch(const struct lg_changes *c, const char *file,
		      unsigned line, const char *cwd)
{
	char *abs = lg_path_absolute(file, cwd);
	bool hit = false;
	for (size_t i = 0; abs && i < c->n && !hit; i++) {
		if (strcmp(c->f[i].path, abs) != 0)
			continue;
		for (size_t k = 0; k < c->f[i].n && !hit; k++)
			hit = line >= c->f[i].r[k].first && line <= c->f[i].r[k].last;
	}
	free(abs);
	return hit;
}

void lg_gate_diff_filter(struct lg_findings *fs, const struct lg_changes *c,
			 const char *cwd)
{
	size_t w = 0;
	for (size_t i = 0; i < fs->n; i++) {
		struct lg_finding *f = &fs->v[i];
		/* the exit first, then the path backwards, the acquisition last:
		 * the first place the change touches is where a reviewer is
		 * pointed */
		const char *af = NULL;
		unsigned al = 0;
		if (lg_changes_touch(c, f->file, f->line, cwd)) {
			af = f->file;
			al = f->line;
		}
		for (size_t k = f->n_steps; k-- > 0 && !af;)
			if (lg_changes_touch(c, f->steps[k].file, f->steps[k].line, cwd)) {
				af = f->steps[k].file;
				al = f->steps[k].line;
			}
		if (!af && lg_changes_touch(c, f->acq_file, f->acq_line, cwd)) {
			af = f->acq_file;
			al = f->acq_line;
		}
		if (!af) {
			lg_finding_release(f);
			continue;
		}
		free(f->anchor_file);
		f->anchor_file = strdup(af);
		f->anchor_line = al;
		fs->v[w++] = *f;
	}
	fs->n = w;
}
