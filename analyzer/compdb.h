/*
 * compdb.h - the first stage: which files to parse, with which flags.
 *
 * Reads compile_commands.json through libclang's own CompilationDatabase API
 * (no JSON parsing of our own; jansson is only asked, after libclang refused
 * a file, where its syntax error is, so the message can name line and
 * column).  Each entry becomes an lg_compile_cmd: the source file as an
 * absolute path, the entry's directory, and the flags that shape parsing.
 * The compiler's name, the source file, and flags that only make the
 * compiler write files (-c, -o, -MD, -MF, ...) are removed here, so that
 * parsing never writes anything.
 *
 * Ownership: an lg_compdb owns every command and string in it;
 * lg_compdb_release() frees them.
 */
#ifndef LEAKGATE_COMPDB_H
#define LEAKGATE_COMPDB_H

#include <stddef.h>

#include "diag.h"

struct lg_compile_cmd {
	char *file;       /* absolute, normalised */
	char *directory;  /* absolute */
	char **args;      /* flags for parsing, without compiler and file */
	int n_args;
};

struct lg_compdb {
	struct lg_compile_cmd *v;
	size_t n, cap;
};

#define LG_COMPDB_INIT { NULL, 0, 0 }

/* Loads DIR/compile_commands.json.  0, or -1 with an error naming the file
 * (and line:column of a JSON syntax error). */
int lg_compdb_load(struct lg_compdb *db, const char *dir, struct lg_diags *d);

/* Adds a command for `file` with the given flags (from the command line). */
int lg_compdb_add(struct lg_compdb *db, const char *file, const char *directory,
		  const char *const *args, int n_args);

/* The entry for `file` (compared as absolute paths), or NULL. */
const struct lg_compile_cmd *lg_compdb_find(const struct lg_compdb *db,
					    const char *file);

/* `path` made absolute against `dir` (or the current directory) and with
 * "." and ".." parts removed; malloc'd. */
char *lg_path_absolute(const char *path, const char *dir);

void lg_compdb_release(struct lg_compdb *db);

#endif
