/*
 * cache.c - entries on disk (see cache.h).
 *
 * The serialised graph is the graph's own vocabulary written as JSON arrays
 * (compact, in the graph's order), read back through the builder of cfg.h
 * and checked with lg_fn_check().  Reading is strict: a field of the wrong
 * type or an index out of range discards the whole entry.
 *
 * The directory may lie in the tree being checked, which may be a pull
 * request's: a link committed there must not make leakgate write elsewhere.
 * So it is opened once, component by component with O_NOFOLLOW (each part
 * of a relative path, the parts of an absolute one below the current
 * directory, and always its last part), and every entry is then named
 * relative to that descriptor: read with O_NOFOLLOW and only when it is a
 * regular file, written to a new temporary name (O_CREAT|O_EXCL, random,
 * so unique per process and thread) renamed over the entry, which replaces
 * a link there rather than writing through it.  A directory reached through
 * a link is refused with a warning and the run goes on without a cache.
 * Entries are not fsync'ed: one cut short by a crash does not parse and is
 * ignored like any other bad entry.  Temporary files that killed runs left
 * behind are never read, and are removed once an hour old.
 */
#include "cache.h"
#include "tmpfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "readfile.h"

#define FORMAT "leakgate-cache/2"

struct file_digest {
	char *path;
	char hex[65];
	bool ok;
};


struct lg_cache {
	char *dir;                    /* as given, for messages */
	int dirfd;                    /* the directory, opened without
					 following a link; entries are
					 named relative to it */
	char *rules_digest;
	pthread_mutex_t lock;
	struct file_digest *files;    /* digests of files read in this run */
	size_t n_files, cap_files;
};

/*
 * Opens the directory `name` in `at`, making it when missing.  With
 * `nofollow`, a link there is not followed (ELOOP).  -1 with errno.
 */
static int open_dir_at(int at, const char *name, bool nofollow)
{
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
	int fd = openat(at, name, flags);
	if (fd < 0 && errno == ENOENT) {
		if (mkdirat(at, name, 0777) != 0 && errno != EEXIST)
			return -1;
		fd = openat(at, name, flags);
	}
	if (fd < 0 && nofollow) {
		struct stat st;
		int err = errno;
		if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			err = ELOOP;
		errno = err;
	}
	return fd;
}

/* How many leading components of the absolute `dir` are trusted: those
 * of the current directory when `dir` lies below it, otherwise all but the
 * last. */
static size_t trusted_parts(const char *dir, size_t n_parts)
{
	char *cwd = getcwd(NULL, 0);
	size_t n = cwd ? strlen(cwd) : 0, trusted = n_parts ? n_parts - 1 : 0;
	if (cwd && n > 1 && strncmp(dir, cwd, n) == 0 && dir[n] == '/') {
		trusted = 0;
		for (const char *p = cwd; *p; p++)
			trusted += *p == '/' && p[1] && p[1] != '/';
	} else if (cwd && n == 1) {
		trusted = 0;  /* the current directory is / */
	}
	free(cwd);
	return trusted;
}

/*
 * Opens (making them) the components of `dir`; those past the trusted
 * ones (see the top of this file) without following a link.  The
 * descriptor, or -1 with errno and, for a link, the path up to it in *link.
 */
static int open_cache_dir(const char *dir, char **link)
{
	char *copy = strdup(dir), *save = NULL;
	size_t n_parts = 0, i = 0, trusted = 0;
	int at;

	*link = NULL;
	if (!copy) {
		errno = ENOMEM;
		return -1;
	}
	for (const char *p = dir; *p; p++)
		n_parts += *p != '/' && (p == dir || p[-1] == '/');
	if (dir[0] == '/') {
		trusted = trusted_parts(dir, n_parts);
		at = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		at = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	for (char *part = strtok_r(copy, "/", &save); part && at >= 0;
	     part = strtok_r(NULL, "/", &save), i++) {
		if (!strcmp(part, "."))
			continue;
		int fd = open_dir_at(at, part, i >= trusted);
		int err = errno;
		close(at);
		at = fd;
		if (fd < 0 && err == ELOOP) {
			/* the path up to this part: `part` lies in `copy` */
			size_t len = (size_t)(part - copy) + strlen(part);
			*link = strndup(dir, len);
		}
		errno = err;
	}
	free(copy);
	return at;
}

struct lg_cache *lg_cache_open(const char *dir, const char *rules_digest,
			       struct lg_diags *d)
{
	char *link = NULL;
	int fd = open_cache_dir(dir, &link);
	if (fd < 0) {
		if (link)
			lg_diag(d, LG_WARNING, dir, 0, 0,
				"cannot use the cache directory: '%s' is a symbolic link, "
				"which leakgate does not follow there; running without a cache",
				link);
		else
			lg_diag(d, LG_WARNING, dir, 0, 0,
				"cannot use the cache directory: %s; running without a cache",
				strerror(errno));
		free(link);
		return NULL;
	}
	lg_tmp_clean_stale(fd, NULL);
	struct lg_cache *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->dirfd = fd;
	c->dir = strdup(dir);
	c->rules_digest = strdup(rules_digest ? rules_digest : "");
	pthread_mutex_init(&c->lock, NULL);
	if (!c->dir || !c->rules_digest) {
		lg_cache_close(c);
		return NULL;
	}
	return c;
}

void lg_cache_close(struct lg_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i].path);
	free(c->files);
	free(c->dir);
	free(c->rules_digest);
	close(c->dirfd);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- digests ------------------------------------------------------------------ */

/* The digest of a file's content, read at most once per run. */
static bool file_digest(struct lg_cache *c, const char *path, char out[65])
{
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n_files; i++)
		if (strcmp(c->files[i].path, path) == 0) {
			bool ok = c->files[i].ok;
			memcpy(out, c->files[i].hex, 65);
			pthread_mutex_unlock(&c->lock);
			return ok;
		}
	pthread_mutex_unlock(&c->lock);

	struct lg_text t;
	bool ok = lg_text_read(&t, path) == 0;
	if (ok)
		lg_sha256_buf(t.p, t.len, out);
	else
		out[0] = '\0';
	lg_text_release(&t);

	pthread_mutex_lock(&c->lock);
	if (c->n_files == c->cap_files) {
		size_t cap = c->cap_files ? c->cap_files * 2 : 64;
		struct file_digest *v = realloc(c->files, cap * sizeof(*v));
		if (v) {
			c->files = v;
			c->cap_files = cap;
		}
	}
	if (c->n_files < c->cap_files) {
		char *p = strdup(path);
		if (p) {
			c->files[c->n_files].path = p;
			memcpy(c->files[c->n_files].hex, out, 65);
			c->files[c->n_files].ok = ok;
			c->n_files++;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static char *entry_path(const struct lg_cache *c, const struct lg_compile_cmd *cmd)
{
	struct lg_sha256 h;
	char hex[65];
	lg_sha256_init(&h);
	lg_sha256_update(&h, FORMAT, sizeof(FORMAT));
	lg_sha256_update(&h, LEAKGATE_VERSION, sizeof(LEAKGATE_VERSION));
	lg_sha256_update(&h, c->rules_digest, strlen(c->rules_digest) + 1);
	lg_sha256_update(&h, cmd->file, strlen(cmd->file) + 1);
	lg_sha256_update(&h, cmd->directory, strlen(cmd->directory) + 1);
	for (int i = 0; i < cmd->n_args; i++)
		lg_sha256_update(&h, cmd->args[i], strlen(cmd->args[i]) + 1);
	lg_sha256_hex(&h, hex);
	char *p = NULL;
	if (asprintf(&p, "%.40s.json", hex) < 0)
		return NULL;
	return p;
}

/* ---- writing ------------------------------------------------------------------ */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jloc(struct lg_loc l)
{
	return json_pack("[III]", (json_int_t)l.file, (json_int_t)l.line, (json_int_t)l.col);
}

static json_t *jopnd(const struct lg_opnd *o)
{
	return json_pack("[IIIo]", (json_int_t)o->kind, (json_int_t)o->var,
			 (json_int_t)o->k, jstr(o->key));
}

static json_t *fn_to_json(const struct lg_fn *fn)
{
	json_t *j = json_object();
	json_t *files = json_array(), *vars = json_array(), *steps = json_array(),
	       *blocks = json_array();
	json_object_set_new(j, "name", jstr(fn->name));
	json_object_set_new(j, "id", jstr(fn->id));
	json_object_set_new(j, "loc", jloc(fn->loc));
	for (uint32_t i = 0; i < fn->n_files; i++)
		json_array_append_new(files, jstr(fn->files[i]));
	for (uint32_t i = 0; i < fn->n_vars; i++) {
		const struct lg_var *v = &fn->vars[i];
		json_array_append_new(vars, json_pack("[oIIob]", jstr(v->name),
			(json_int_t)v->kind, (json_int_t)v->parent, jstr(v->path),
			v->is_pointer != 0));
	}
	for (uint32_t i = 0; i < fn->n_steps; i++) {
		const struct lg_pstep *s = &fn->steps[i];
		json_array_append_new(steps, json_pack("[Iooob]", (json_int_t)s->kind,
			jloc(s->loc), jstr(s->text), jstr(s->context), s->is_loop != 0));
	}
	for (uint32_t b = 0; b < fn->n_blocks; b++) {
		const struct lg_block *bl = &fn->blocks[b];
		json_t *evs = json_array(), *edges = json_array();
		for (uint32_t i = 0; i < bl->n_ev; i++) {
			const struct lg_event *e = &bl->ev[i];
			json_t *args = json_array();
			for (uint32_t a = 0; a < e->n_args; a++)
				json_array_append_new(args, jopnd(&e->args[a]));
			json_array_append_new(evs, json_pack("[IoIoooooo]", (json_int_t)e->kind,
				jloc(e->loc), (json_int_t)e->dst, jopnd(&e->src),
				jstr(e->callee), jstr(e->callee_id), args, jstr(e->text),
				json_null()));
		}
		for (uint32_t i = 0; i < bl->n_edges; i++) {
			const struct lg_edge *ed = &bl->edges[i];
			json_array_append_new(edges, json_pack("[IIIII]", (json_int_t)ed->to,
				(json_int_t)ed->test.rel, (json_int_t)ed->test.var,
				(json_int_t)ed->test.k, (json_int_t)ed->step));
		}
		json_array_append_new(blocks, json_pack("{s:o,s:o,s:I,s:o,s:o,s:b,s:b}",
			"ev", evs, "edges", edges, "term", (json_int_t)bl->term,
			"ret", jopnd(&bl->ret), "loc", jloc(bl->term_loc),
			"implicit", bl->implicit_return != 0, "fix", bl->fix_safe != 0));
	}
	json_object_set_new(j, "files", files);
	json_object_set_new(j, "vars", vars);
	json_object_set_new(j, "steps", steps);
	json_object_set_new(j, "blocks", blocks);
	return j;
}

int lg_cache_digest_fn(struct lg_fn *fn)
{
	json_t *j = fn_to_json(fn);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return -1;
	char hex[65];
	lg_sha256_buf(text, strlen(text), hex);
	free(text);
	fn->digest = lg_fn_strdup(fn, hex);
	return fn->digest ? 0 : -1;
}

static json_t *effects_to_json(const struct lg_effect *e, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[IIIIIIIoooI]", (json_int_t)e[i].kind,
			(json_int_t)e[i].resource, (json_int_t)e[i].site, (json_int_t)e[i].arg,
			(json_int_t)e[i].success, (json_int_t)e[i].mask,
			(json_int_t)e[i].fd_like, jstr(e[i].field), jstr(e[i].key),
			jstr(e[i].via), (json_int_t)e[i].if_empty));
	return a;
}

static json_t *leaks_to_json(const struct lg_leaks *l)
{
	json_t *a = json_array();
	for (size_t i = 0; l && i < l->n; i++) {
		const struct lg_leak *k = &l->v[i];
		json_t *path = json_array();
		for (uint32_t p = 0; p < k->n_path; p++)
			json_array_append_new(path, json_integer(k->path[p]));
		json_array_append_new(a, json_pack("[IIIoIoooboo]", (json_int_t)k->acq_block,
			(json_int_t)k->acq_event, (json_int_t)k->resource, jstr(k->via),
			(json_int_t)k->loss, jloc(k->loss_loc), jstr(k->handle),
			jstr(k->lost), k->lost_is_temp, path, json_null()));
	}
	return a;
}

int lg_cache_store(struct lg_cache *c, const struct lg_compile_cmd *cmd,
		   const char *main_file, char *const *includes,
		   size_t n_includes, const struct lg_cache_fn_result *fns,
		   size_t n_fns, struct lg_diags *d)
{
	char hex[65];
	json_t *inputs = json_array(), *jfns = json_array(), *memos = json_array();

	/* the inputs: main file first */
	if (!main_file || !file_digest(c, main_file, hex))
		goto skip;
	json_array_append_new(inputs, json_pack("[ss]", main_file, hex));
	for (size_t i = 0; i < n_includes; i++) {
		if (!file_digest(c, includes[i], hex))
			goto skip;
		json_array_append_new(inputs, json_pack("[ss]", includes[i], hex));
	}
	for (size_t i = 0; i < n_fns; i++) {
		const struct lg_cache_fn_result *r = &fns[i];
		json_array_append_new(jfns, fn_to_json(r->fn));
		if (!r->summary || !r->summary->digest[0] || !r->fn->id)
			continue;
		json_array_append_new(memos, json_pack("{s:s,s:s,s:b,s:o,s:o}",
			"id", r->fn->id, "digest", r->summary->digest,
			"usable", r->summary->usable,
			"effects", effects_to_json(r->summary->effects, r->summary->n_effects),
			"leaks", leaks_to_json(r->leaks)));
	}
	json_t *root = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "format", FORMAT,
				 "version", LEAKGATE_VERSION, "rules", c->rules_digest,
				 "file", main_file, "inputs", inputs, "fns", jfns,
				 "memos", memos);
	inputs = jfns = memos = NULL;
	char *name = entry_path(c, cmd);
	char *tmp = NULL;
	int ret = -1, err = ENOMEM;
	if (root && name) {
		int fd = lg_tmp_create(c->dirfd, name, &tmp);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		err = errno;
		if (!f && fd >= 0)
			close(fd);
		if (f) {
			bool ok = json_dumpf(root, f, JSON_COMPACT) == 0 && fflush(f) == 0;
			err = errno;
			if (fclose(f) != 0 && ok) {
				ok = false;
				err = errno;
			}
			if (ok && renameat(c->dirfd, tmp, c->dirfd, name) == 0)
				ret = 0;
			else if (ok)
				err = errno;
			if (ret != 0)
				unlinkat(c->dirfd, tmp, 0);
		}
	}
	if (ret != 0) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", c->dir, name ? name : "") < 0)
			path = NULL;
		lg_diag(d, LG_WARNING, path ? path : c->dir, 0, 0,
			"cannot write the cache entry: %s", strerror(err ? err : EIO));
		free(path);
	}
	free(tmp);
	free(name);
	json_decref(root);
	return ret;
skip:
	/* an input that cannot be read: nothing trustworthy to write */
	json_decref(inputs);
	json_decref(jfns);
	json_decref(memos);
	return 0;
}

/* ---- reading ------------------------------------------------------------------ */

static bool get_int(json_t *a, size_t i, json_int_t *out)
{
	json_t *v = json_array_get(a, i);
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

/* A string or null at index i; false when it is neither. */
static bool get_str(json_t *a, size_t i, const char **out)
{
	json_t *v = json_array_get(a, i);
	if (json_is_null(v)) {
		*out = NULL;
		return true;
	}
	if (!json_is_string(v))
		return false;
	*out = json_string_value(v);
	return true;
}

static bool read_loc(json_t *a, struct lg_loc *l, uint32_t n_files)
{
	json_int_t f, line, col;
	if (!json_is_array(a) || !get_int(a, 0, &f) || !get_int(a, 1, &line) ||
	    !get_int(a, 2, &col) || f < 0 || line < 0 || col < 0 ||
	    line > UINT32_MAX || col > UINT32_MAX)
		return false;
	if (n_files && (json_int_t)n_files <= f)
		return false;
	*l = (struct lg_loc){ (uint32_t)f, (uint32_t)line, (uint32_t)col };
	return true;
}

static bool read_var(json_int_t v, uint32_t n_vars, lg_var_id *out)
{
	if (v == (json_int_t)LG_NOVAR) {
		*out = LG_NOVAR;
		return true;
	}
	if (v < 0 || v >= (json_int_t)n_vars)
		return false;
	*out = (lg_var_id)v;
	return true;
}

static bool read_opnd(struct lg_fn *fn, json_t *a, struct lg_opnd *o)
{
	json_int_t kind, var, k;
	const char *key;
	if (!json_is_array(a) || !get_int(a, 0, &kind) || !get_int(a, 1, &var) ||
	    !get_int(a, 2, &k) || !get_str(a, 3, &key) ||
	    kind < LG_OPND_UNKNOWN || kind > LG_OPND_LVAL)
		return false;
	*o = (struct lg_opnd){ .kind = (enum lg_opnd_kind)kind, .k = k };
	if (!read_var(var, fn->n_vars, &o->var))
		return false;
	if ((o->kind == LG_OPND_VAR || o->kind == LG_OPND_ADDR) && o->var == LG_NOVAR)
		return false;
	o->key = key ? lg_fn_strdup(fn, key) : NULL;
	return !key || o->key;
}

static struct lg_fn *fn_from_json(json_t *j)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	if (!name)
		return NULL;
	struct lg_fn *fn = lg_fn_new(name);
	if (!fn)
		return NULL;
	json_t *files = json_object_get(j, "files"), *vars = json_object_get(j, "vars"),
	       *steps = json_object_get(j, "steps"), *blocks = json_object_get(j, "blocks");
	const char *id = json_string_value(json_object_get(j, "id"));
	size_t i;
	json_t *x;
	if (!json_is_array(files) || !json_is_array(vars) || !json_is_array(steps) ||
	    !json_is_array(blocks) || json_array_size(blocks) == 0)
		goto bad;
	fn->id = id ? lg_fn_strdup(fn, id) : NULL;
	json_array_foreach(files, i, x) {
		if (!json_is_string(x) || lg_fn_file(fn, json_string_value(x)) != i)
			goto bad;
	}
	if (!read_loc(json_object_get(j, "loc"), &fn->loc, fn->n_files))
		goto bad;
	json_array_foreach(vars, i, x) {
		const char *vn, *path;
		json_int_t kind, parent;
		if (!json_is_array(x) || !get_str(x, 0, &vn) || !get_int(x, 1, &kind) ||
		    !get_int(x, 2, &parent) || !get_str(x, 3, &path) ||
		    kind < LG_VAR_PARAM || kind > LG_VAR_FIELD)
			goto bad;
		lg_var_id v = lg_fn_var(fn, vn, (enum lg_var_kind)kind);
		if (v != i)
			goto bad;
		lg_var_id p;
		if (!read_var(parent, (uint32_t)i, &p))
			goto bad;
		fn->vars[v].parent = p;
		fn->vars[v].path = path ? lg_fn_strdup(fn, path) : NULL;
		fn->vars[v].is_pointer = json_is_true(json_array_get(x, 4));
		if (kind == LG_VAR_FIELD && (p == LG_NOVAR || !fn->vars[v].path))
			goto bad;
	}
	json_array_foreach(steps, i, x) {
		json_int_t kind;
		const char *text, *ctx;
		struct lg_loc loc;
		if (!json_is_array(x) || !get_int(x, 0, &kind) ||
		    !read_loc(json_array_get(x, 1), &loc, fn->n_files) ||
		    !get_str(x, 2, &text) || !get_str(x, 3, &ctx) ||
		    kind < LG_PSTEP_TRUE || kind > LG_PSTEP_CONTINUE)
			goto bad;
		if (lg_fn_step(fn, (enum lg_pstep_kind)kind, loc, text, ctx,
			       json_is_true(json_array_get(x, 4))) != (int32_t)i)
			goto bad;
	}
	json_array_foreach(blocks, i, x) {
		if (lg_fn_block(fn) != i)
			goto bad;
	}
	json_array_foreach(blocks, i, x) {
		json_t *evs = json_object_get(x, "ev"), *edges = json_object_get(x, "edges");
		json_int_t term;
		struct lg_loc tloc;
		struct lg_opnd ret;
		size_t k;
		json_t *y;
		if (!json_is_array(evs) || !json_is_array(edges) ||
		    !json_is_integer(json_object_get(x, "term")) ||
		    !read_loc(json_object_get(x, "loc"), &tloc, 0) ||
		    !read_opnd(fn, json_object_get(x, "ret"), &ret))
			goto bad;
		term = json_integer_value(json_object_get(x, "term"));
		if (term < LG_TERM_NONE || term > LG_TERM_STOP)
			goto bad;
		json_array_foreach(evs, k, y) {
			json_int_t kind, dst;
			struct lg_loc loc;
			struct lg_opnd src;
			const char *callee, *callee_id, *text;
			json_t *args = json_array_get(y, 6);
			if (!json_is_array(y) || !get_int(y, 0, &kind) ||
			    !read_loc(json_array_get(y, 1), &loc, fn->n_files) ||
			    !get_int(y, 2, &dst) || !read_opnd(fn, json_array_get(y, 3), &src) ||
			    !get_str(y, 4, &callee) || !get_str(y, 5, &callee_id) ||
			    !json_is_array(args) || !get_str(y, 7, &text) ||
			    kind < LG_EV_CALL || kind > LG_EV_KILL)
				goto bad;
			lg_var_id d;
			if (!read_var(dst, fn->n_vars, &d))
				goto bad;
			struct lg_event *e;
			if (kind == LG_EV_CALL) {
				size_t na = json_array_size(args);
				struct lg_opnd *av = calloc(na ? na : 1, sizeof(*av));
				bool ok = av != NULL;
				for (size_t a = 0; a < na && ok; a++)
					ok = read_opnd(fn, json_array_get(args, a), &av[a]);
				e = ok ? lg_fn_call(fn, (uint32_t)i, loc, callee, av,
						    (uint32_t)na, d, text) : NULL;
				free(av);
				if (e && callee_id)
					e->callee_id = lg_fn_strdup(fn, callee_id);
			} else {
				e = lg_fn_event(fn, (uint32_t)i, (enum lg_ev_kind)kind, loc);
				if (e) {
					e->dst = d;
					e->src = src;
				}
			}
			if (!e)
				goto bad;
		}
		json_array_foreach(edges, k, y) {
			json_int_t to, rel, var, kk, step;
			if (!json_is_array(y) || !get_int(y, 0, &to) || !get_int(y, 1, &rel) ||
			    !get_int(y, 2, &var) || !get_int(y, 3, &kk) || !get_int(y, 4, &step) ||
			    to < 0 || to >= (json_int_t)fn->n_blocks ||
			    rel < LG_REL_NONE || rel > LG_REL_MASK_NONZERO ||
			    step < -1 || step >= (json_int_t)fn->n_steps)
				goto bad;
			lg_var_id tv;
			if (!read_var(var, fn->n_vars, &tv) ||
			    (rel != LG_REL_NONE && tv == LG_NOVAR))
				goto bad;
			if (lg_fn_edge(fn, (uint32_t)i, (uint32_t)to,
				       lg_test_make(tv, (enum lg_rel)rel, kk), (int32_t)step) < 0)
				goto bad;
		}
		lg_fn_term(fn, (uint32_t)i, (enum lg_term_kind)term, tloc);
		fn->blocks[i].ret = ret;
		fn->blocks[i].implicit_return = json_is_true(json_object_get(x, "implicit"));
		fn->blocks[i].fix_safe = json_is_true(json_object_get(x, "fix"));
	}
	if (lg_fn_check(fn) == 0)
		return fn;
bad:
	lg_fn_free(fn);
	return NULL;
}

static bool effects_from_json(json_t *a, struct lg_effect **out, size_t *n)
{
	size_t i;
	json_t *x;
	if (!json_is_array(a))
		return false;
	*n = json_array_size(a);
	*out = calloc(*n ? *n : 1, sizeof(**out));
	if (!*out)
		return false;
	json_array_foreach(a, i, x) {
		json_int_t kind, res, site, arg, succ, mask, fd, empty;
		const char *field, *key, *via;
		struct lg_effect *e = &(*out)[i];
		if (!json_is_array(x) || !get_int(x, 0, &kind) || !get_int(x, 1, &res) ||
		    !get_int(x, 2, &site) || !get_int(x, 3, &arg) || !get_int(x, 4, &succ) ||
		    !get_int(x, 5, &mask) || !get_int(x, 6, &fd) || !get_str(x, 7, &field) ||
		    !get_str(x, 8, &key) || !get_str(x, 9, &via) || !get_int(x, 10, &empty) ||
		    kind < LG_EFFECT_ACQUIRE || kind > LG_EFFECT_STOP || res < 0 ||
		    res > UINT32_MAX || site < LG_SITE_RETURN || site > LG_SITE_GLOBAL ||
		    arg < -1 || arg > 255 || succ < 0 || succ > LG_SUCCESS_NONNEGATIVE ||
		    mask < 0 || mask > LG_CLASS_ALL)
			return false;
		*e = (struct lg_effect){
			.kind = (enum lg_effect_kind)kind, .resource = (uint32_t)res,
			.site = (enum lg_site)site, .arg = (int)arg,
			.success = (enum lg_success)succ, .mask = (uint8_t)mask,
			.fd_like = fd != 0,
			.if_empty = empty != 0,
			.field = field ? strdup(field) : NULL,
			.key = key ? strdup(key) : NULL,
			.via = via ? strdup(via) : NULL,
		};
	}
	return true;
}

static bool leaks_from_json(json_t *a, struct lg_leaks *out)
{
	size_t i;
	json_t *x;
	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, x) {
		json_int_t blk, ev, res, loss;
		const char *via, *handle, *lost;
		struct lg_loc loc;
		json_t *path = json_array_get(x, 9);
		if (!json_is_array(x) || !get_int(x, 0, &blk) || !get_int(x, 1, &ev) ||
		    !get_int(x, 2, &res) || !get_str(x, 3, &via) || !get_int(x, 4, &loss) ||
		    !read_loc(json_array_get(x, 5), &loc, 0) || !get_str(x, 6, &handle) ||
		    !get_str(x, 7, &lost) || !json_is_array(path) || blk < 0 || ev < 0 ||
		    res < 0 || loss < LG_LOSS_RETURN || loss > LG_LOSS_OVERWRITE)
			return false;
		struct lg_leak *l = lg_leaks_push(out);
		if (!l)
			return false;
		l->acq_block = (uint32_t)blk;
		l->acq_event = (uint32_t)ev;
		l->resource = (uint32_t)res;
		l->via = via ? strdup(via) : NULL;
		l->loss = (enum lg_loss)loss;
		l->loss_loc = loc;
		l->handle = handle ? strdup(handle) : NULL;
		l->lost = lost ? strdup(lost) : NULL;
		l->lost_is_temp = json_is_true(json_array_get(x, 8));
		size_t np = json_array_size(path);
		l->path = np ? malloc(np * sizeof(int32_t)) : NULL;
		for (size_t p = 0; p < np && l->path; p++) {
			json_int_t s;
			if (!get_int(path, p, &s) || s < -1 || s > INT32_MAX)
				return false;
			l->path[p] = (int32_t)s;
		}
		l->n_path = (uint32_t)np;
		if (np && !l->path)
			return false;
	}
	return true;
}

void lg_cache_entry_free(struct lg_cache_entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_fns; i++)
		lg_fn_free(e->fns[i]);
	free(e->fns);
	free(e->main_file);
	for (size_t i = 0; i < e->n_includes; i++)
		free(e->includes[i]);
	free(e->includes);
	for (size_t i = 0; i < e->n_memos; i++) {
		struct lg_cache_memo *m = &e->memos[i];
		free(m->id);
		free(m->digest);
		lg_effects_free(m->effects, m->summary.n_effects);
		lg_leaks_release(&m->leaks);
	}
	free(e->memos);
	free(e);
}

const struct lg_cache_memo *lg_cache_memo(const struct lg_cache_entry *e,
					  const char *id)
{
	for (size_t i = 0; e && id && i < e->n_memos; i++)
		if (strcmp(e->memos[i].id, id) == 0)
			return &e->memos[i];
	return NULL;
}

struct lg_cache_entry *lg_cache_load(struct lg_cache *c,
				     const struct lg_compile_cmd *cmd)
{
	char *name = entry_path(c, cmd);
	json_error_t err;
	json_t *root = NULL;
	/* only a regular file: a link is not followed, a pipe not waited on */
	int fd = name ? openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			       O_CLOEXEC) : -1;
	struct stat st;
	FILE *f = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
		  ? fdopen(fd, "r") : NULL;
	if (f) {
		root = json_loadf(f, 0, &err);  /* buffered, unlike json_loadfd */
		fclose(f);
	} else if (fd >= 0) {
		close(fd);
	}
	free(name);
	if (!root)
		return NULL;
	struct lg_cache_entry *e = calloc(1, sizeof(*e));
	const char *format = json_string_value(json_object_get(root, "format"));
	const char *version = json_string_value(json_object_get(root, "version"));
	const char *rules = json_string_value(json_object_get(root, "rules"));
	const char *file = json_string_value(json_object_get(root, "file"));
	json_t *inputs = json_object_get(root, "inputs"), *fns = json_object_get(root, "fns"),
	       *memos = json_object_get(root, "memos");
	if (!e || !format || strcmp(format, FORMAT) != 0 || !version ||
	    strcmp(version, LEAKGATE_VERSION) != 0 || !rules || !file ||
	    !json_is_array(inputs) || !json_is_array(fns) || !json_is_array(memos) ||
	    json_array_size(inputs) == 0)
		goto bad;
	e->main_file = strdup(file);

	/* memos are worth reading even when the graphs are stale (their
	 * digests say whether they still apply); but only for these rules */
	if (strcmp(rules, c->rules_digest) == 0) {
		size_t i;
		json_t *x;
		e->memos = calloc(json_array_size(memos) + 1, sizeof(*e->memos));
		if (!e->memos)
			goto bad;
		json_array_foreach(memos, i, x) {
			struct lg_cache_memo *m = &e->memos[e->n_memos];
			const char *id = json_string_value(json_object_get(x, "id"));
			const char *dg = json_string_value(json_object_get(x, "digest"));
			if (!id || !dg)
				goto bad;
			m->id = strdup(id);
			m->digest = strdup(dg);
			e->n_memos++;
			if (!m->id || !m->digest ||
			    !effects_from_json(json_object_get(x, "effects"), &m->effects,
					       &m->summary.n_effects) ||
			    !leaks_from_json(json_object_get(x, "leaks"), &m->leaks))
				goto bad;
			m->summary.digest = m->digest;
			m->summary.effects = m->effects;
			m->summary.usable = json_is_true(json_object_get(x, "usable"));
		}
	}

	/* fresh when every input still has the digest recorded */
	bool fresh = true;
	size_t i;
	json_t *x;
	e->includes = calloc(json_array_size(inputs), sizeof(char *));
	if (!e->includes)
		goto bad;
	json_array_foreach(inputs, i, x) {
		const char *p = json_string_value(json_array_get(x, 0));
		const char *h = json_string_value(json_array_get(x, 1));
		char now[65];
		if (!p || !h)
			goto bad;
		if (fresh && (!file_digest(c, p, now) || strcmp(now, h) != 0))
			fresh = false;
		if (i > 0) {
			e->includes[e->n_includes] = strdup(p);
			if (!e->includes[e->n_includes])
				goto bad;
			e->n_includes++;
		}
	}
	if (fresh) {
		e->fns = calloc(json_array_size(fns) + 1, sizeof(*e->fns));
		if (!e->fns)
			goto bad;
		json_array_foreach(fns, i, x) {
			struct lg_fn *fn = fn_from_json(x);
			if (!fn) {
				fresh = false;
				break;
			}
			e->fns[e->n_fns++] = fn;
		}
		if (!fresh) {
			for (size_t k = 0; k < e->n_fns; k++)
				lg_fn_free(e->fns[k]);
			e->n_fns = 0;
		}
	}
	e->fresh = fresh;
	json_decref(root);
	return e;
bad:
	json_decref(root);
	lg_cache_entry_free(e);
	return NULL;
}
