/*
 * suppress.c - inline suppressions (gate.h, pass 2).
 *
 *   // leakgate-ignore(pool-connection): the pool is torn down right after
 *   // leakgate-ignore(pool-connection, libpq-result): several rules at once
 *
 * (in a line or a block comment) on the line of a finding or on the line above it.  The reason (text after
 * the colon) is required: a suppression without one suppresses nothing and
 * is reported, so a reviewer always sees why a leak was let through.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compdb.h"
#include "gate.h"
#include "readfile.h"

#define MARK "leakgate-ignore("

struct sup {
	char *file;        /* absolute */
	unsigned line;
	unsigned col;
	char **rules;
	size_t n_rules;
	bool has_reason;
	bool used;
};

struct sups {
	struct sup *v;
	size_t n, cap;
	char **scanned;    /* files already read */
	size_t n_scanned;
	const struct lg_unsaved *unsaved;   /* contents that are not the disk's */
	size_t n_unsaved;
};

/* Parses the suppressions of one line into `s`. */
static int scan_line(struct sups *s, const char *file, unsigned line,
		     const char *p, const char *end)
{
	const char *at = p;
	while ((at = memmem(at, (size_t)(end - at), MARK, strlen(MARK))) != NULL) {
		/* only inside a comment: a // or a slash-star before it */
		const char *c = at;
		bool in_comment = false;
		while (c > p) {
			c--;
			if ((c[0] == '/' && (c[1] == '/' || c[1] == '*'))) {
				in_comment = true;
				break;
			}
		}
		const char *q = at + strlen(MARK);
		at = q;
		if (!in_comment)
			continue;
		const char *close = memchr(q, ')', (size_t)(end - q));
		if (!close)
			continue;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct sup *v = realloc(s->v, cap * sizeof(*v));
			if (!v)
				return -1;
			s->v = v;
			s->cap = cap;
		}
		struct sup *x = &s->v[s->n];
		memset(x, 0, sizeof(*x));
		x->file = strdup(file);
		x->line = line;
		x->col = (unsigned)(q - strlen(MARK) - p) + 1;
		if (!x->file)
			return -1;
		s->n++;
		/* the rule ids, comma separated */
		const char *r = q;
		while (r < close) {
			while (r < close && (isspace((unsigned char)*r) || *r == ','))
				r++;
			const char *e = r;
			while (e < close && *e != ',' && !isspace((unsigned char)*e))
				e++;
			if (e > r) {
				char **v = realloc(x->rules, (x->n_rules + 1) * sizeof(*v));
				if (!v)
					return -1;
				x->rules = v;
				v[x->n_rules] = strndup(r, (size_t)(e - r));
				if (!v[x->n_rules])
					return -1;
				x->n_rules++;
			}
			r = e;
		}
		/* ": reason" */
		const char *k = close + 1;
		while (k < end && isspace((unsigned char)*k))
			k++;
		if (k < end && *k == ':') {
			k++;
			while (k < end && (isspace((unsigned char)*k) || *k == '*' || *k == '/'))
				k++;
			x->has_reason = k < end;
		}
	}
	return 0;
}

static int scan_file(struct sups *s, const char *file)
{
	for (size_t i = 0; i < s->n_scanned; i++)
		if (strcmp(s->scanned[i], file) == 0)
			return 0;
	char **v = realloc(s->scanned, (s->n_scanned + 1) * sizeof(*v));
	if (!v)
		return -1;
	s->scanned = v;
	v[s->n_scanned] = strdup(file);
	if (!v[s->n_scanned])
		return -1;
	s->n_scanned++;

	struct lg_text t = { 0 };
	bool got = false;
	for (size_t i = 0; i < s->n_unsaved && !got; i++)
		if (strcmp(s->unsaved[i].path, file) == 0) {
			const char *c = s->unsaved[i].content;
			if (lg_text_copy(&t, c, strnlen(c, s->unsaved[i].len)) < 0)
				return -1;
			got = true;
		}
	if (!got && lg_text_read(&t, file) < 0)
		return 0;   /* unreadable: nothing suppressed there */
	/* One search over the whole text: most files have no mark.  Lines
	 * are numbered as the compiler numbers them (lg_line_starts). */
	const char *end = t.p + t.len, *at = t.p;
	int ret = 0;
	while (ret == 0 &&
	       (at = memmem(at, (size_t)(end - at), MARK, strlen(MARK))) != NULL) {
		unsigned line;
		const char *start = lg_text_line_at(&t, (size_t)(at - t.p), &line);
		if (!start) {
			ret = -1;
			break;
		}
		size_t len = 0;
		const char *text = lg_text_line(&t, line, &len);
		const char *e = text ? text + len : end;
		ret = scan_line(s, file, line, start, e);
		at = e;
	}
	lg_text_release(&t);
	return ret;
}

static bool covers(const struct sup *x, const char *rule)
{
	for (size_t i = 0; i < x->n_rules; i++)
		if (strcmp(x->rules[i], rule) == 0)
			return true;
	return false;
}

int lg_gate_suppress(struct lg_findings *fs, const char *const *sources,
		     size_t n_sources, const struct lg_unsaved *unsaved,
		     size_t n_unsaved, const char *cwd, bool report_unused,
		     struct lg_diags *d)
{
	struct sups s = { .unsaved = unsaved, .n_unsaved = n_unsaved };
	int ret = 0;

	/* the files with findings are read below; the others only matter
	 * for their unused suppressions */
	for (size_t i = 0; i < n_sources && ret == 0 && report_unused; i++)
		ret = scan_file(&s, sources[i]);
	size_t w = 0;
	for (size_t i = 0; i < fs->n && ret == 0; i++) {
		struct lg_finding *f = &fs->v[i];
		char *abs = lg_path_absolute(f->file, cwd);
		if (!abs || scan_file(&s, abs) < 0) {
			free(abs);
			ret = -1;
			break;
		}
		bool suppressed = false;
		for (size_t k = 0; k < s.n; k++) {
			struct sup *x = &s.v[k];
			if ((x->line != f->line && x->line + 1 != f->line) ||
			    strcmp(x->file, abs) != 0 || !covers(x, f->rule_id))
				continue;
			x->used = true;
			if (x->has_reason)
				suppressed = true;
		}
		free(abs);
		if (suppressed) {
			lg_finding_release(f);
			continue;
		}
		fs->v[w++] = *f;
	}
	if (ret == 0)
		fs->n = w;

	for (size_t k = 0; k < s.n; k++) {
		struct sup *x = &s.v[k];
		char *shown = NULL;
		if (cwd) {
			size_t n = strlen(cwd);
			if (strncmp(x->file, cwd, n) == 0 && x->file[n] == '/')
				shown = x->file + n + 1;
		}
		if (!x->has_reason && x->used)
			lg_diag(d, LG_WARNING, shown ? shown : x->file, x->line, x->col,
				"suppression without a reason suppresses nothing (expected "
				"'// leakgate-ignore(rule-id): why this leak is acceptable')");
		else if (!x->used && report_unused)
			lg_diag(d, LG_WARNING, shown ? shown : x->file, x->line, x->col,
				"unused suppression: no finding of %s%s on this line or the next",
				x->n_rules ? x->rules[0] : "(no rule named)",
				x->n_rules > 1 ? " or the other rules named" : "");
		for (size_t r = 0; r < x->n_rules; r++)
			free(x->rules[r]);
		free(x->rules);
		free(x->file);
	}
	free(s.v);
	for (size_t i = 0; i < s.n_scanned; i++)
		free(s.scanned[i]);
	free(s.scanned);
	return ret;
}
