/*
 * config.c - .leakgate.yml (see config.h).
 *
 * libyaml's event parser builds nothing: the file is small and flat, so the
 * reader walks the events of one top-level mapping whose values are a
 * scalar or a sequence of scalars, and checks every key and type on the way.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "compdb.h"
#include "gate.h"

#define NAME ".leakgate.yml"

char *lg_config_find(const char *start)
{
	char *dir = lg_path_absolute(start ? start : ".", NULL);
	while (dir) {
		char *p = NULL;
		struct stat st;
		if (asprintf(&p, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, NAME) < 0) {
			free(dir);
			return NULL;
		}
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			free(dir);
			return p;
		}
		free(p);
		if (strcmp(dir, "/") == 0)
			break;
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return NULL;
}

struct reader {
	yaml_parser_t parser;
	const char *file;
	struct lg_diags *d;
	yaml_event_t ev;
	bool have;
};

static int fail_at(struct reader *r, yaml_mark_t m, const char *fmt, const char *arg)
{
	return lg_diag(r->d, LG_ERROR, r->file, (unsigned)m.line + 1,
		       (unsigned)m.column + 1, fmt, arg ? arg : "");
}

/* The next event; -1 with a diagnostic on a syntax error. */
static int next(struct reader *r)
{
	if (r->have)
		yaml_event_delete(&r->ev);
	r->have = false;
	if (!yaml_parser_parse(&r->parser, &r->ev)) {
		yaml_mark_t m = r->parser.problem_mark;
		return lg_diag(r->d, LG_ERROR, r->file, (unsigned)m.line + 1,
			       (unsigned)m.column + 1, "invalid YAML: %s",
			       r->parser.problem ? r->parser.problem : "syntax error");
	}
	r->have = true;
	if (r->ev.type == YAML_ALIAS_EVENT ||
	    (r->ev.type == YAML_SCALAR_EVENT && r->ev.data.scalar.anchor) ||
	    (r->ev.type == YAML_SEQUENCE_START_EVENT && r->ev.data.sequence_start.anchor) ||
	    (r->ev.type == YAML_MAPPING_START_EVENT && r->ev.data.mapping_start.anchor))
		return fail_at(r, r->ev.start_mark,
			       "anchors and aliases are not allowed in %s", NAME);
	return 0;
}

static const char *event_name(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT: return "a scalar";
	case YAML_SEQUENCE_START_EVENT: return "a sequence";
	case YAML_MAPPING_START_EVENT: return "a mapping";
	default: return "nothing";
	}
}

static char *resolve(const char *dir, const char *value)
{
	return lg_path_absolute(value, dir);
}

/* A rules entry: a path that exists relative to the file's directory, or
 * else a pack name as written. */
static char *resolve_rule(const char *dir, const char *value)
{
	struct stat st;
	char *p = resolve(dir, value);
	if (p && stat(p, &st) == 0)
		return p;
	free(p);
	return strdup(value);
}

static int read_string(struct reader *r, const char *key, char **out)
{
	if (next(r) < 0)
		return -1;
	if (r->ev.type != YAML_SCALAR_EVENT)
		return lg_diag(r->d, LG_ERROR, r->file, (unsigned)r->ev.start_mark.line + 1,
			       (unsigned)r->ev.start_mark.column + 1,
			       "expected a string for '%s', got %s", key,
			       event_name(&r->ev));
	*out = strdup((const char *)r->ev.data.scalar.value);
	return *out ? 0 : -1;
}

static int read_list(struct reader *r, const char *key, char ***out, size_t *n)
{
	if (next(r) < 0)
		return -1;
	if (r->ev.type == YAML_SCALAR_EVENT) {
		/* one string stands for a list of one */
		*out = calloc(1, sizeof(char *));
		if (!*out)
			return -1;
		(*out)[0] = strdup((const char *)r->ev.data.scalar.value);
		*n = (*out)[0] ? 1 : 0;
		return 0;
	}
	if (r->ev.type != YAML_SEQUENCE_START_EVENT)
		return lg_diag(r->d, LG_ERROR, r->file, (unsigned)r->ev.start_mark.line + 1,
			       (unsigned)r->ev.start_mark.column + 1,
			       "expected a list of strings for '%s', got %s", key,
			       event_name(&r->ev));
	for (;;) {
		if (next(r) < 0)
			return -1;
		if (r->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (r->ev.type != YAML_SCALAR_EVENT)
			return lg_diag(r->d, LG_ERROR, r->file,
				       (unsigned)r->ev.start_mark.line + 1,
				       (unsigned)r->ev.start_mark.column + 1,
				       "expected a string in '%s', got %s", key,
				       event_name(&r->ev));
		char **v = realloc(*out, (*n + 1) * sizeof(*v));
		if (!v)
			return -1;
		*out = v;
		v[*n] = strdup((const char *)r->ev.data.scalar.value);
		if (!v[*n])
			return -1;
		(*n)++;
	}
}

/* Whether `path`, an existing file the configuration in `dir` names under
 * `key`, lies outside that configuration's project (the git work tree
 * holding it, else its directory); then said, as an error. */
static bool outside_project(struct reader *r, const char *dir, const char *key,
			    const char *path)
{
	char *real = realpath(path, NULL);
	if (!real)
		return false;   /* a pack's name, or a file yet to be written */
	char *root = lg_project_root_of(dir);
	size_t n = root ? strlen(root) : 0;
	bool inside = root && strncmp(real, root, n) == 0 &&
		      (real[n] == '/' || real[n] == '\0' || n == 1);
	if (!inside)
		lg_diag(r->d, LG_ERROR, r->file, 0, 0,
			"'%s' names %s, which is outside the project %s; a project's "
			"configuration names only the project's files (give it on the "
			"command line instead)", key, real, root ? root : "?");
	free(real);
	free(root);
	return !inside;
}

static int parse(struct reader *r, struct lg_config *c)
{
	static const char *const keys[] = { "rules", "compile_database", "baseline",
					    "exclude" };
	bool seen[4] = { false };
	char **raw_rules = NULL;
	size_t n_raw = 0;
	int ret = -1;

	/* stream start, document start (or an empty file) */
	if (next(r) < 0 || next(r) < 0)
		goto out;
	if (r->ev.type == YAML_STREAM_END_EVENT) {
		ret = 0;   /* an empty file: no settings */
		goto out;
	}
	if (next(r) < 0)
		goto out;
	if (r->ev.type == YAML_SCALAR_EVENT && r->ev.data.scalar.length == 0) {
		ret = 0;
		goto out;
	}
	if (r->ev.type != YAML_MAPPING_START_EVENT) {
		fail_at(r, r->ev.start_mark, "expected a mapping of settings (rules, "
			"compile_database, baseline, exclude) at the top of %s", NAME);
		goto out;
	}
	for (;;) {
		if (next(r) < 0)
			goto out;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (r->ev.type != YAML_SCALAR_EVENT) {
			fail_at(r, r->ev.start_mark, "expected a setting name%s", NULL);
			goto out;
		}
		const char *key = (const char *)r->ev.data.scalar.value;
		yaml_mark_t at = r->ev.start_mark;
		int k = -1;
		for (int i = 0; i < 4; i++)
			if (strcmp(key, keys[i]) == 0)
				k = i;
		if (k < 0) {
			fail_at(r, at, "unknown setting '%s' (expected one of: rules, "
				"compile_database, baseline, exclude)", key);
			goto out;
		}
		if (seen[k]) {
			fail_at(r, at, "setting '%s' given twice", key);
			goto out;
		}
		seen[k] = true;
		char *name = strdup(key);
		if (!name)
			goto out;
		int rr;
		switch (k) {
		case 0: rr = read_list(r, name, &raw_rules, &n_raw); break;
		case 1: rr = read_string(r, name, &c->compile_database); break;
		case 2: rr = read_string(r, name, &c->baseline); break;
		default: rr = read_list(r, name, &c->exclude, &c->n_exclude); break;
		}
		free(name);
		if (rr < 0)
			goto out;
	}
	c->rules = calloc(n_raw + 1, sizeof(char *));
	if (!c->rules)
		goto out;
	for (size_t i = 0; i < n_raw; i++) {
		c->rules[i] = resolve_rule(c->dir, raw_rules[i]);
		if (!c->rules[i])
			goto out;
		c->n_rules++;
	}
	if (c->compile_database) {
		char *p = resolve(c->dir, c->compile_database);
		free(c->compile_database);
		c->compile_database = p;
	}
	if (c->baseline) {
		char *p = resolve(c->dir, c->baseline);
		free(c->baseline);
		c->baseline = p;
	}
	/* A pull request writes this file: the files it names leakgate reads
	 * and may quote in an error, so they must be the project's own. */
	for (size_t i = 0; i < c->n_rules; i++)
		if (outside_project(r, c->dir, "rules", c->rules[i]))
			goto out;
	if (c->baseline && outside_project(r, c->dir, "baseline", c->baseline))
		goto out;
	ret = 0;
out:
	for (size_t i = 0; i < n_raw; i++)
		free(raw_rules[i]);
	free(raw_rules);
	return ret;
}

int lg_config_load(struct lg_config *c, const char *path, struct lg_diags *d)
{
	memset(c, 0, sizeof(*c));
	FILE *f = fopen(path, "rb");
	if (!f)
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot read the configuration: %s",
			       strerror(errno));
	c->path = lg_path_absolute(path, NULL);
	c->dir = c->path ? strdup(c->path) : NULL;
	if (c->dir)
		*strrchr(c->dir, '/') = '\0';
	if (c->dir && !*c->dir) {
		free(c->dir);
		c->dir = strdup("/");
	}
	struct reader r = { .file = path, .d = d };
	int ret = -1;
	if (c->path && c->dir && yaml_parser_initialize(&r.parser)) {
		yaml_parser_set_input_file(&r.parser, f);
		ret = parse(&r, c);
		if (r.have)
			yaml_event_delete(&r.ev);
		yaml_parser_delete(&r.parser);
	}
	fclose(f);
	if (ret < 0) {
		if (!lg_diags_count(d, LG_ERROR))
			lg_diag(d, LG_ERROR, path, 0, 0, "cannot read the configuration");
		lg_config_release(c);
	}
	return ret;
}

int lg_config_excluded(const char *const *globs, size_t n, const char *base_dir,
		       const char *file, const char *cwd)
{
	if (n == 0)
		return 0;
	char *abs = lg_path_absolute(file, cwd);
	if (!abs)
		return 0;
	const char *rel = abs;
	size_t bl = base_dir ? strlen(base_dir) : 0;
	if (bl && strncmp(abs, base_dir, bl) == 0 && abs[bl] == '/')
		rel = abs + bl + 1;
	const char *base = strrchr(abs, '/');
	base = base ? base + 1 : abs;
	int hit = 0;
	for (size_t i = 0; i < n && !hit; i++) {
		hit = fnmatch(globs[i], rel, 0) == 0 ||
		      (!strchr(globs[i], '/') && fnmatch(globs[i], base, 0) == 0);
	}
	free(abs);
	return hit;
}

void lg_config_release(struct lg_config *c)
{
	free(c->path);
	free(c->dir);
	for (size_t i = 0; i < c->n_rules; i++)
		free(c->rules[i]);
	free(c->rules);
	free(c->compile_database);
	free(c->baseline);
	for (size_t i = 0; i < c->n_exclude; i++)
		free(c->exclude[i]);
	free(c->exclude);
	memset(c, 0, sizeof(*c));
}

void lg_gate_exclude(struct lg_findings *fs, const char *const *globs, size_t n,
		     const char *base_dir, const char *cwd)
{
	size_t w = 0;
	for (size_t i = 0; i < fs->n; i++) {
		struct lg_finding *f = &fs->v[i];
		if (lg_config_excluded(globs, n, base_dir, f->file, cwd)) {
			lg_finding_release(f);
			continue;
		}
		fs->v[w++] = *f;
	}
	fs->n = w;
}
