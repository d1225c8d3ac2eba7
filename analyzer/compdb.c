/*
 * compdb.c - compile commands, through libclang (see compdb.h).
 *
 * Each entry's flags go through flags.c's allow-list (which keeps only what
 * shapes parsing) and its file through the project-root check; both are
 * reported here, against the database's name.  Flags that the allow-list
 * keeps but clang's driver does not know are left for the front end, which
 * drops them with a note when the driver rejects them.
 */
#include "compdb.h"
#include "flags.h"

#include <clang-c/CXCompilationDatabase.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *lg_path_absolute(const char *path, const char *dir)
{
	char *joined;
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		joined = strdup(path);
	} else {
		if (!dir || !*dir) {
			if (!getcwd(cwd, sizeof(cwd)))
				return strdup(path);
			dir = cwd;
		}
		if (asprintf(&joined, "%s/%s", dir, path) < 0)
			return NULL;
	}
	if (!joined)
		return NULL;
	/* Normalise in place: drop "." parts, resolve ".." textually. */
	char *out = malloc(strlen(joined) + 2);
	if (!out) {
		free(joined);
		return NULL;
	}
	size_t n = 0;
	for (char *p = joined; *p;) {
		while (*p == '/')
			p++;
		char *e = p;
		while (*e && *e != '/')
			e++;
		size_t len = (size_t)(e - p);
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p = e;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	free(joined);
	return out;
}

static int push_cmd(struct lg_compdb *db, struct lg_compile_cmd c)
{
	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 16;
		struct lg_compile_cmd *v = realloc(db->v, cap * sizeof(*v));
		if (!v)
			return -1;
		db->v = v;
		db->cap = cap;
	}
	db->v[db->n++] = c;
	return 0;
}

static void cmd_release(struct lg_compile_cmd *c)
{
	for (int i = 0; i < c->n_args; i++)
		free(c->args[i]);
	free(c->args);
	free(c->file);
	free(c->directory);
}

int lg_compdb_add(struct lg_compdb *db, const char *file, const char *directory,
		  const char *const *args, int n_args)
{
	struct lg_compile_cmd c = { 0 };
	c.directory = lg_path_absolute(directory ? directory : ".", NULL);
	c.file = c.directory ? lg_path_absolute(file, c.directory) : NULL;
	c.args = calloc((size_t)n_args + 1, sizeof(char *));
	if (!c.file || !c.directory || !c.args)
		goto oom;
	for (int i = 0; i < n_args; i++) {
		c.args[i] = strdup(args[i]);
		if (!c.args[i])
			goto oom;
		c.n_args++;
	}
	if (push_cmd(db, c) == 0)
		return 0;
oom:
	cmd_release(&c);
	return -1;
}

/* ---- the project root and --allow-outside ------------------------------------ */

char *lg_project_root(void)
{
	return lg_project_root_of(".");
}

char *lg_project_root_of(const char *start)
{
	char *cwd = realpath(start, NULL);
	if (!cwd)
		return NULL;
	char *dir = strdup(cwd);
	struct stat st;
	while (dir) {
		char *git = NULL;
		if (asprintf(&git, "%s/.git", strcmp(dir, "/") == 0 ? "" : dir) < 0) {
			free(dir);
			dir = NULL;
			break;
		}
		bool found = stat(git, &st) == 0;
		free(git);
		if (found)
			break;
		char *slash = strrchr(dir, '/');
		if (!slash || strcmp(dir, "/") == 0) {
			free(dir);
			dir = NULL;     /* no work tree: the current directory */
			break;
		}
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (dir) {
		free(cwd);
		return dir;
	}
	return cwd;
}

/* `path` with symbolic links resolved: realpath when it exists, else its
 * directory's realpath and its name, else the textual absolute path. */
static char *real_or_absolute(const char *path)
{
	char *real = realpath(path, NULL);
	if (real)
		return real;
	char *abs = lg_path_absolute(path, NULL);
	char *slash = abs ? strrchr(abs, '/') : NULL;
	if (!slash || slash == abs)
		return abs;
	*slash = '\0';
	char *dir = realpath(abs, NULL);
	*slash = '/';
	if (!dir)
		return abs;
	char *joined = NULL;
	if (asprintf(&joined, "%s%s", strcmp(dir, "/") == 0 ? "" : dir, slash) < 0)
		joined = NULL;
	free(dir);
	free(abs);
	return joined;
}

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Where entries may point: the root and the directories allowed. */
struct scope {
	char *root;
	char **allow;
	int n_allow;
};

static int scope_init(struct scope *sc, const char *const *allow, int n)
{
	memset(sc, 0, sizeof(*sc));
	sc->root = lg_project_root();
	sc->allow = calloc((size_t)n + 1, sizeof(*sc->allow));
	if (!sc->root || !sc->allow)
		return -1;
	for (int i = 0; i < n; i++) {
		sc->allow[i] = real_or_absolute(allow[i]);
		if (!sc->allow[i])
			return -1;
		sc->n_allow++;
	}
	return 0;
}

static void scope_release(struct scope *sc)
{
	for (int i = 0; i < sc->n_allow; i++)
		free(sc->allow[i]);
	free(sc->allow);
	free(sc->root);
}

/* The entry's file as notes name it: relative to the current directory
 * when under it. */
static char *shown_name(const char *file)
{
	char cwd[PATH_MAX];
	size_t n = getcwd(cwd, sizeof(cwd)) ? strlen(cwd) : 0;
	if (n > 1 && strncmp(file, cwd, n) == 0 && file[n] == '/')
		file += n + 1;
	return lg_flags_printable(file);
}

/* 1 when the entry for `file` may be analysed; 0 when it was refused (an
 * error in `d`); -1 when out of memory. */
static int admit(const struct scope *sc, const char *db_path, const char *file,
		 struct lg_diags *d)
{
	char *real = real_or_absolute(file);
	if (!real)
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	bool ok = is_under(real, sc->root);
	for (int i = 0; i < sc->n_allow && !ok; i++)
		ok = is_under(real, sc->allow[i]);
	if (!ok) {
		char *shown = shown_name(file);
		char *target = lg_flags_printable(real);
		char *dir = target ? strdup(target) : NULL;
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
		char *root = lg_flags_printable(sc->root);
		bool link = shown && target && strcmp(file, real) != 0;
		lg_diag(d, LG_ERROR, db_path, 0, 0,
			"the entry for %s%s%s%s is outside the project %s and is not analysed; "
			"--allow-outside %s accepts it",
			shown ? shown : "?", link ? " (" : "", link ? target : "", link ? ")" : "",
			root ? root : "?", dir ? dir : "DIR");
		free(shown);
		free(target);
		free(dir);
		free(root);
	}
	free(real);
	return ok;
}

/* ---- response files, before libclang reads them ------------------------------- */

#define RSP_DEPTH_MAX 8
#define RSP_BYTES_MAX (1 << 20)

static int check_rsp(const struct scope *sc, const char *db, const char *file,
		     const char *name, const char *dir, const char *parent, int depth,
		     struct lg_diags *d);

/* The response files named in `args` (@NAME), each checked. */
static int check_rsp_args(const struct scope *sc, const char *db, const char *file,
			  char **args, int n, const char *dir, const char *parent,
			  int depth, struct lg_diags *d)
{
	for (int i = 0; i < n; i++)
		if (args[i][0] == '@' && args[i][1] &&
		    check_rsp(sc, db, file, args[i] + 1, dir, parent, depth, d))
			return 1;
	return 0;
}

/*
 * libclang expands @NAME (relative to the entry's directory, or to the
 * response file naming it) while it loads the database, and reads what it
 * names to the end: a FIFO or /dev/zero would never end, and a file
 * outside the project would put its content into the flags (and, through
 * the note, into a CI log).  So a response file that exists must be a
 * regular file under the project (or --allow-outside), of at most 1 MiB,
 * nested at most RSP_DEPTH_MAX deep.  1 (an error in `d`) when it is not.
 */
static int check_rsp(const struct scope *sc, const char *db, const char *file,
		     const char *name, const char *dir, const char *parent, int depth,
		     struct lg_diags *d)
{
	const char *bases[2] = { dir, parent };
	for (int b = 0; b < 2; b++) {
		if (name[0] == '/' ? b > 0 : !bases[b])
			continue;
		char *p = name[0] == '/' ? strdup(name) : lg_path_absolute(name, bases[b]);
		struct stat st;
		if (!p || stat(p, &st) != 0) {
			free(p);
			continue;   /* absent: left as "@NAME", dropped with a note */
		}
		char *real = real_or_absolute(p);
		char *shown_file = shown_name(file);
		char *shown_p = lg_flags_printable(p);
		const char *why = NULL;
		char *text = NULL;
		bool inside = real && is_under(real, sc->root);
		for (int i = 0; i < sc->n_allow && !inside; i++)
			inside = is_under(real, sc->allow[i]);
		if (!S_ISREG(st.st_mode)) {
			why = "which is not a regular file";
			inside = true;   /* the one message that matters */
		} else if (!inside) {
			char *root = lg_flags_printable(sc->root);
			char *where = real ? lg_flags_printable(real) : NULL;
			char *slash = where ? strrchr(where, '/') : NULL;
			if (slash)
				slash[slash == where ? 1 : 0] = '\0';
			lg_diag(d, LG_ERROR, db, 0, 0,
				"the entry for %s names the response file %s, which is outside the "
				"project %s; --allow-outside %s accepts it",
				shown_file ? shown_file : "?", shown_p ? shown_p : "?",
				root ? root : "?", where ? where : "DIR");
			free(root);
			free(where);
		} else if (st.st_size > RSP_BYTES_MAX) {
			why = "which is larger than 1 MiB";
		} else if (depth >= RSP_DEPTH_MAX) {
			why = "nested more than 8 response files deep";
		} else {
			FILE *fp = fopen(p, "rb");
			text = fp ? calloc(1, (size_t)st.st_size + 1) : NULL;
			if (text && fread(text, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
				text[0] = '\0';
			if (fp)
				fclose(fp);
		}
		if (why)
			lg_diag(d, LG_ERROR, db, 0, 0, "the entry for %s names the response file %s, %s",
				shown_file ? shown_file : "?", shown_p ? shown_p : "?", why);
		int bad = !inside || why;
		if (!bad && text) {
			char **args = NULL;
			int n = 0;
			char *slash = strrchr(p, '/');
			if (slash)
				*slash = '\0';
			if (lg_flags_split(text, &args, &n) == 0) {
				bad = check_rsp_args(sc, db, file, args, n, dir, p, depth + 1, d);
				for (int i = 0; i < n; i++)
					free(args[i]);
				free(args);
			}
		}
		free(text);
		free(shown_p);
		free(shown_file);
		free(real);
		free(p);
		if (bad)
			return 1;
	}
	return 0;
}

/* Every entry's response files, checked before libclang reads them: the
 * number of entries refused. */
static int check_response_files(json_t *j, const struct scope *sc, const char *db,
				struct lg_diags *d)
{
	size_t i;
	json_t *e;
	int bad = 0;
	json_array_foreach(j, i, e) {
		const char *dir = json_string_value(json_object_get(e, "directory"));
		const char *file = json_string_value(json_object_get(e, "file"));
		if (!dir || !file)
			continue;   /* libclang's validation says what is wrong */
		char *abs_file = lg_path_absolute(file, dir);
		char **args = NULL;
		int n = 0;
		json_t *a = json_object_get(e, "arguments");
		const char *cmd = json_string_value(json_object_get(e, "command"));
		if (json_is_array(a)) {
			args = calloc(json_array_size(a) + 1, sizeof(*args));
			size_t k;
			json_t *s;
			json_array_foreach(a, k, s)
				if (args && json_is_string(s))
					args[n++] = strdup(json_string_value(s));
		} else if (cmd && lg_flags_split(cmd, &args, &n) < 0) {
			args = NULL;
			n = 0;
		}
		bool oom = !abs_file || (json_is_array(a) && !args);
		for (int k = 0; k < n; k++)
			oom |= !args[k];
		if (oom) {
			lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
			bad++;
		} else if (args && check_rsp_args(sc, db, abs_file, args, n, dir, NULL, 0, d)) {
			bad++;
		}
		for (int k = 0; k < n; k++)
			free(args[k]);
		free(args);
		free(abs_file);
	}
	return bad;
}

/* The notes written for one database: the notable flags of each, so that
 * a build whose every entry carries the same plugin (or the same gcc-only
 * flag) gets one note and a count, not one note per file. */
struct notes {
	char **seen;
	size_t n, cap;
	size_t repeated;   /* entries whose note was already written */
};

/* true when an entry that dropped `key` was noted already; else remembers it. */
static bool noted_before(struct notes *nt, const char *key)
{
	for (size_t i = 0; i < nt->n; i++)
		if (strcmp(nt->seen[i], key) == 0)
			return true;
	if (nt->n == nt->cap) {
		size_t cap = nt->cap ? nt->cap * 2 : 8;
		char **v = realloc(nt->seen, cap * sizeof(*v));
		if (!v)
			return false;
		nt->seen = v;
		nt->cap = cap;
	}
	char *k = strdup(key);
	if (k)
		nt->seen[nt->n++] = k;
	return false;
}

static void notes_release(struct notes *nt)
{
	for (size_t i = 0; i < nt->n; i++)
		free(nt->seen[i]);
	free(nt->seen);
}

/* Adds the entry with the flags the allow-list keeps, and the note when it
 * dropped something worth one that no earlier entry's note named. */
static int add_filtered(struct lg_compdb *db, const char *db_path,
			const char *file, const char *dir, const char *const *args,
			int n, struct notes *nt, struct lg_diags *d)
{
	struct lg_flags fl;
	if (lg_flags_filter(&fl, args, n, dir) < 0)
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	int ret = 0;
	if (lg_compdb_add(db, file, dir, (const char *const *)fl.argv, fl.argc) < 0)
		ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	if (ret == 0 && fl.notable && noted_before(nt, fl.notables)) {
		nt->repeated++;
	} else if (ret == 0 && fl.notable) {
		char *shown = shown_name(file);
		lg_diag(d, LG_NOTE, db_path, 0, 0,
			"dropped flags that do not shape parsing from the entry for %s: %s",
			shown ? shown : "?", fl.dropped);
		free(shown);
	}
	lg_flags_release(&fl);
	return ret;
}

/* Where a file that libclang would not load breaks as JSON. */
static int explain(const char *path, struct lg_diags *d)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	if (!j) {
		if (err.line > 0)
			return lg_diag(d, LG_ERROR, path, (unsigned)err.line,
				       (unsigned)(err.column > 0 ? err.column : 1),
				       "invalid compile database: %s (expected a JSON array of "
				       "{\"directory\", \"file\", \"command\" or \"arguments\"})",
				       err.text);
		return lg_diag(d, LG_ERROR, path, 0, 0, "cannot read compile database: %s",
			       err.text);
	}
	const char *what = json_is_array(j) ? "an entry lacks \"directory\", \"file\", or "
					      "\"command\"/\"arguments\""
					    : "the top level is not an array";
	json_decref(j);
	return lg_diag(d, LG_ERROR, path, 1, 1, "invalid compile database: %s", what);
}

int lg_compdb_load(struct lg_compdb *db, const char *dir,
		   const char *const *allow_outside, int n_allow,
		   struct lg_diags *d)
{
	char *path = NULL;
	if (asprintf(&path, "%s/compile_commands.json", dir) < 0)
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	struct stat st;
	if (stat(path, &st) != 0) {
		int e = errno;
		lg_diag(d, LG_ERROR, path, 0, 0, "cannot read compile database: %s; "
			"make one with 'cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON' or 'bear -- make'",
			strerror(e));
		free(path);
		return -1;
	}
	const char *shown = strncmp(path, "./", 2) == 0 ? path + 2 : path;
	if (!S_ISREG(st.st_mode)) {
		/* a FIFO or /dev/zero would never end */
		lg_diag(d, LG_ERROR, shown, 0, 0, "cannot read compile database: not a regular file");
		free(path);
		return -1;
	}
	/* libclang accepts an empty or malformed file silently in some
	 * versions: check that it is JSON first, so the error can say where. */
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	if (!j || !json_is_array(j)) {
		json_decref(j);
		int r = explain(path, d);
		free(path);
		return r;
	}
	size_t entries = json_array_size(j);
	/* libclang reads the response files the entries name as it loads
	 * them: look at them first. */
	struct scope sc;
	if (scope_init(&sc, allow_outside, n_allow) < 0) {
		json_decref(j);
		scope_release(&sc);
		free(path);
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	}
	int bad = check_response_files(j, &sc, shown, d);
	json_decref(j);
	if (bad) {
		scope_release(&sc);
		free(path);
		return -1;
	}

	CXCompilationDatabase_Error err;
	CXCompilationDatabase cdb = clang_CompilationDatabase_fromDirectory(dir, &err);
	if (err != CXCompilationDatabase_NoError || !cdb) {
		int r = explain(path, d);
		scope_release(&sc);
		free(path);
		if (cdb)
			clang_CompilationDatabase_dispose(cdb);
		return r;
	}
	CXCompileCommands cmds = clang_CompilationDatabase_getAllCompileCommands(cdb);
	unsigned n = cmds ? clang_CompileCommands_getSize(cmds) : 0;
	if (n == 0 && entries > 0) {
		if (cmds)
			clang_CompileCommands_dispose(cmds);
		clang_CompilationDatabase_dispose(cdb);
		int r = explain(path, d);
		scope_release(&sc);
		free(path);
		return r;
	}
	int ret = 0;
	int refused = 0;
	struct notes nt = { 0 };
	for (unsigned i = 0; i < n && ret == 0; i++) {
		CXCompileCommand cc = clang_CompileCommands_getCommand(cmds, i);
		CXString sdir = clang_CompileCommand_getDirectory(cc);
		CXString sfile = clang_CompileCommand_getFilename(cc);
		const char *cdir = clang_getCString(sdir);
		const char *cfile = clang_getCString(sfile);
		unsigned na = clang_CompileCommand_getNumArgs(cc);
		char *abs_file = lg_path_absolute(cfile ? cfile : "", cdir);
		const char **args = calloc(na + 1, sizeof(*args));
		CXString *strs = calloc(na + 1, sizeof(*strs));
		int m = 0;
		if (!args || !strs || !abs_file) {
			ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
		} else {
			for (unsigned a = 0; a < na; a++)
				strs[a] = clang_CompileCommand_getArg(cc, a);
			/* The compiler (argument 0) is skipped, never run;
			 * after "--" come only input files. */
			for (unsigned a = 1; a < na; a++) {
				const char *s = clang_getCString(strs[a]);
				if (!s)
					continue;
				if (strcmp(s, "--") == 0)
					break;
				args[m++] = s;
			}
			int r = admit(&sc, shown, abs_file, d);
			if (r < 0)
				ret = r;
			else if (r == 0)
				refused++;
			else
				ret = add_filtered(db, shown, abs_file, cdir, args, m, &nt, d);
			for (unsigned a = 0; a < na; a++)
				clang_disposeString(strs[a]);
		}
		free(args);
		free(strs);
		free(abs_file);
		clang_disposeString(sdir);
		clang_disposeString(sfile);
	}
	scope_release(&sc);
	if (nt.repeated)
		lg_diag(d, LG_NOTE, shown, 0, 0,
			"%zu more entr%s dropped the same flags as an entry named above",
			nt.repeated, nt.repeated == 1 ? "y" : "ies");
	notes_release(&nt);
	if (ret == 0 && refused)
		ret = -1;
	clang_CompileCommands_dispose(cmds);
	clang_CompilationDatabase_dispose(cdb);
	free(path);
	return ret;
}

const struct lg_compile_cmd *lg_compdb_find(const struct lg_compdb *db,
					    const char *file)
{
	char *abs = lg_path_absolute(file, NULL);
	const struct lg_compile_cmd *found = NULL;
	if (!abs)
		return NULL;
	for (size_t i = 0; i < db->n && !found; i++)
		if (strcmp(db->v[i].file, abs) == 0)
			found = &db->v[i];
	free(abs);
	return found;
}

void lg_compdb_release(struct lg_compdb *db)
{
	for (size_t i = 0; i < db->n; i++)
		cmd_release(&db->v[i]);
	free(db->v);
	db->v = NULL;
	db->n = db->cap = 0;
}
