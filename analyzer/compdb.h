/*
 * compdb.h - the first stage: which files to parse, with which flags.
 *
 * Reads compile_commands.json through libclang's own CompilationDatabase API
 * (no JSON parsing of our own; jansson is only asked, after libclang refused
 * a file, where its syntax error is, so the message can name line and
 * column).  Each entry becomes an lg_compile_cmd: the source file as an
 * absolute path, the entry's directory, and the flags that shape parsing.
 *
 * A compile database is untrusted input (a pull request writes it), so:
 *   - the compiler's name (argv[0]) is read and thrown away, never run;
 *   - the flags pass flags.h's allow-list, and an entry that lost a flag
 *     that loads code, writes an unusual file or is unknown gets one note,
 *     "DB: note: dropped flags that do not shape parsing from the entry for
 *     FILE: ..." (an entry that dropped the same such flags as one noted
 *     before is only counted, in one last note);
 *   - an entry whose file (resolved against its directory, symbolic links
 *     followed) lies outside the project is refused with an error naming
 *     the database, the file and --allow-outside, and the database fails
 *     to load;
 *   - so is an entry naming a response file (@FILE, which libclang reads to
 *     its end while loading) that exists but is not a regular file, is
 *     outside the project, is larger than 1 MiB or is nested more than 8
 *     deep: checked here before libclang opens the database.  The project is the top of the git work tree holding the
 *     current directory (the nearest directory upwards with a .git), else
 *     the current directory.
 * lg_compdb_add() takes flags as they are: the front end filters every
 * command again before libclang sees it (see frontend.h), so the flags from
 * the command line pass the same allow-list.
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

/* Loads DIR/compile_commands.json.  Entries for files under the project
 * root or under one of the `n_allow` directories `allow_outside` are
 * accepted; any other makes the load fail.  0, or -1 with an error naming
 * the file (and line:column of a JSON syntax error, or the entry refused). */
int lg_compdb_load(struct lg_compdb *db, const char *dir,
		   const char *const *allow_outside, int n_allow,
		   struct lg_diags *d);

/* The project root: the top of the git work tree holding the current
 * directory, else the current directory; real (no symbolic links), malloc'd. */
char *lg_project_root(void);
/* The same from the directory `start` instead of the current one. */
char *lg_project_root_of(const char *start);

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
