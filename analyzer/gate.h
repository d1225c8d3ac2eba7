/*
 * gate.h - the post-processing chain between the findings and the output.
 *
 * In this order, each pass its own function and its own option:
 *   1. exclude:      findings in files matching .leakgate.yml's globs go
 *   2. suppressions: `// leakgate-ignore(rule-id): reason` on the finding's
 *                    line or the line above drops it; a suppression without
 *                    a reason suppresses nothing and is itself reported;
 *                    unused ones are reported on request
 *   3. baseline:     findings recorded in the baseline file go (matched by
 *                    file and fingerprint, so lines may move); entries that
 *                    match nothing are reported as notices, never failures
 *   4. diff filter:  only findings whose path (acquisition, branches, exit)
 *                    touches a line the change adds or modifies stay
 *   5. de-duplication and a stable sort
 * The chain never prints: what it has to say goes to the diagnostics sink.
 */
#ifndef LEAKGATE_GATE_H
#define LEAKGATE_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "finding.h"
#include "frontend.h"

/* ---- suppressions -------------------------------------------------------- */

/* Drops the findings a suppression comment covers.  `sources` are the
 * files analysed (absolute): with `report_unused`, every suppression in
 * them that covered nothing is reported as a warning.  Paths of findings
 * are relative to `cwd`.  A file among `unsaved` (the staged content of a
 * commit) is read from there, not from the disk.  0, or -1 when memory
 * runs out. */
int lg_gate_suppress(struct lg_findings *fs, const char *const *sources,
		     size_t n_sources, const struct lg_unsaved *unsaved,
		     size_t n_unsaved, const char *cwd, bool report_unused,
		     struct lg_diags *d);

/* ---- baseline ------------------------------------------------------------ */

/* Writes the findings as a baseline to `path` (temporary file + rename).
 * Files are recorded relative to the baseline's directory. */
int lg_baseline_write(const char *path, const struct lg_findings *fs,
		      const char *cwd, struct lg_diags *d);

/* Drops the findings the baseline at `path` records; reports the entries
 * that matched nothing as notes.  0, or -1 with an error naming
 * file:line:column when the file cannot be read or does not parse. */
int lg_baseline_apply(const char *path, struct lg_findings *fs,
		      const char *cwd, struct lg_diags *d);

/* ---- diff filter ----------------------------------------------------------- */

struct lg_changes;   /* lines a change adds or modifies, per file */

/* From a unified diff (the text of `path`, "-" for standard input), whose
 * file names are relative to `root`.  NULL with an error in `d`. */
struct lg_changes *lg_changes_from_diff(const char *path, const char *root,
					struct lg_diags *d);

/* From git: what the working tree changes against the merge base of `ref`
 * and HEAD, in the repository containing `dir`.  NULL with an error. */
struct lg_changes *lg_changes_from_git(const char *ref, const char *dir,
				       struct lg_diags *d);

/* Is line `line` of `file` (absolute, or relative to `cwd`) changed? */
bool lg_changes_touch(const struct lg_changes *c, const char *file,
		      unsigned line, const char *cwd);

/* Keeps only the findings whose path touches a changed line. */
void lg_gate_diff_filter(struct lg_findings *fs, const struct lg_changes *c,
			 const char *cwd);

/* The files the change touches (absolute), in a NULL-terminated array
 * that points into `c`. */
const char **lg_changes_files(const struct lg_changes *c);

void lg_changes_free(struct lg_changes *c);

/* ---- exclude --------------------------------------------------------------- */

void lg_gate_exclude(struct lg_findings *fs, const char *const *globs, size_t n,
		     const char *base_dir, const char *cwd);

/* ---- running git ------------------------------------------------------------ */

/* Runs `argv` (no shell) in `dir`, capturing standard output (malloc'd,
 * NUL-terminated).  Returns the exit status, or -1 when it cannot run. */
int lg_run_capture(const char *const *argv, const char *dir, char **out,
		   size_t *len);

#endif
