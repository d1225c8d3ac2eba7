/*
 * config.h - the project configuration file, .leakgate.yml.
 *
 * Found by walking up from the current directory (as clang-tidy finds
 * .clang-tidy), read with libyaml and validated as strictly as rule files:
 * unknown keys, wrong types and duplicate keys are errors naming
 * file:line:column.  The binary, the CI wrapper and the hooks all read it,
 * so one set of settings applies everywhere; command-line options override
 * it.
 *
 *   rules: [rules/pool.yml, libpq]   # files, directories or pack names
 *   compile_database: build          # the directory of compile_commands.json
 *   baseline: .leakgate-baseline     # the baseline file
 *   exclude: ["third_party/..."]     # globs of paths never reported
 *
 * Paths are resolved relative to the directory of the file; a rules entry
 * that names no existing file or directory there stays a pack name.
 *
 * Ownership: an lg_config owns every string in it; lg_config_release().
 */
#ifndef LEAKGATE_CONFIG_H
#define LEAKGATE_CONFIG_H

#include <stddef.h>

#include "diag.h"

struct lg_config {
	char *path;              /* the file read, or NULL when there is none */
	char *dir;               /* its directory (absolute) */
	char **rules;            /* resolved */
	size_t n_rules;
	char *compile_database;  /* resolved, or NULL */
	char *baseline;          /* resolved, or NULL */
	char **exclude;          /* globs, relative to `dir` */
	size_t n_exclude;
};

/* The nearest .leakgate.yml from `start` upwards, or NULL (malloc'd). */
char *lg_config_find(const char *start);

/* Reads `path` into `c` (zeroed first).  0, or -1 with an error in `d`. */
int lg_config_load(struct lg_config *c, const char *path, struct lg_diags *d);

/* Does `file` (absolute, or relative to the current directory `cwd`)
 * match one of the exclude globs?  Globs are matched against the path
 * relative to the configuration's directory; `*` and `**` both cross `/`,
 * and a glob without `/` also matches the file's name alone. */
int lg_config_excluded(const char *const *globs, size_t n, const char *base_dir,
		       const char *file, const char *cwd);

void lg_config_release(struct lg_config *c);

#endif
