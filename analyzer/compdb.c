/*
 * compdb.c - compile commands, through libclang (see compdb.h).
 *
 * The filter here removes what makes a compiler write or link; it keeps
 * every flag that can change how the file parses (-I, -D, -U, -std, -include,
 * --target, -f..., -W..., -m...).  Flags that clang's driver does not know
 * are left for the front end, which drops them with a note when the driver
 * rejects them.
 */
#include "compdb.h"

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

/* Flags that only make the compiler produce something; with the number of
 * arguments they consume after themselves. */
static int drop_flag(const char *a)
{
	static const char *const with_arg[] = {
		"-o", "-MF", "-MT", "-MQ", "-MJ", "--serialize-diagnostics",
		"-dependency-file", "-Xlinker", "-main-file-name",
	};
	static const char *const alone[] = {
		"-c", "-S", "-E", "-M", "-MM", "-MD", "-MMD", "-MP", "-MG", "-MV",
		"-save-temps", "-fsyntax-only", "-pipe", "-v", "-###",
		"-Werror", "-pedantic-errors",
	};
	static const char *const prefixes[] = {
		"-o", "-MF", "-MT", "-MQ", "-MJ", "-Wl,", "-save-temps=",
		"-ftime-trace", "-fplugin=", "-fpass-plugin=", "-l", "-L",
		"-Werror=", "-fdump-", "-fprofile-", "-fcoverage",
	};
	for (size_t i = 0; i < sizeof(with_arg) / sizeof(*with_arg); i++)
		if (strcmp(a, with_arg[i]) == 0)
			return 2;
	for (size_t i = 0; i < sizeof(alone) / sizeof(*alone); i++)
		if (strcmp(a, alone[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (strncmp(a, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

static bool is_source(const char *a)
{
	const char *dot = strrchr(a, '.');
	return a[0] != '-' && dot && (strcmp(dot, ".c") == 0 || strcmp(dot, ".h") == 0 ||
				      strcmp(dot, ".i") == 0);
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

int lg_compdb_load(struct lg_compdb *db, const char *dir, struct lg_diags *d)
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
	json_decref(j);

	CXCompilationDatabase_Error err;
	CXCompilationDatabase cdb = clang_CompilationDatabase_fromDirectory(dir, &err);
	if (err != CXCompilationDatabase_NoError || !cdb) {
		int r = explain(path, d);
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
		free(path);
		return r;
	}
	int ret = 0;
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
			/* Skip the compiler (argument 0). */
			for (unsigned a = 1; a < na; a++) {
				const char *s = clang_getCString(strs[a]);
				if (!s)
					continue;
				if (strcmp(s, "--") == 0)
					break;
				int drop = drop_flag(s);
				if (drop) {
					a += (unsigned)drop - 1;
					continue;
				}
				if (is_source(s)) {
					char *abs = lg_path_absolute(s, cdir);
					bool same = abs && strcmp(abs, abs_file) == 0;
					free(abs);
					if (same)
						continue;
				}
				args[m++] = s;
			}
			if (lg_compdb_add(db, abs_file, cdir, args, m) < 0)
				ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
			for (unsigned a = 0; a < na; a++)
				clang_disposeString(strs[a]);
		}
		free(args);
		free(strs);
		free(abs_file);
		clang_disposeString(sdir);
		clang_disposeString(sfile);
	}
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
