/*
 * report.h - from the analysis' leaks to findings.
 *
 * The analysis speaks in blocks, events and step numbers; a finding speaks
 * in file names, lines, the handle's name and sentences.  This module does
 * that translation and nothing else: it words the headline and one note per
 * step, fills in the source line of the exit, and computes the fingerprint.
 * It sits between analysis.h and finding.h in the pipeline.
 */
#ifndef LEAKGATE_REPORT_H
#define LEAKGATE_REPORT_H

#include "analysis.h"
#include "cfg.h"
#include "finding.h"
#include "rules.h"

/* Returns line `line` of `file` (no newline, *len set) or NULL. */
typedef const char *(*lg_line_fn)(void *ctx, const char *file, unsigned line,
				  size_t *len);

struct lg_report_ctx {
	const struct lg_ruleset *rules;
	const struct lg_oracle *oracle; /* to find the release call a fix can
					   copy; may be NULL: no fixes */
	lg_line_fn line;      /* may be NULL: findings then have no source line */
	void *line_ctx;
	const char *cwd;      /* paths under it are shown relative to it; may be
				 NULL */
};

/* Appends one finding per leak to `out`.  0, or -1 when memory runs out. */
int lg_report(const struct lg_report_ctx *rc, const struct lg_fn *fn,
	      const struct lg_leaks *leaks, struct lg_findings *out);

/* `path` as shown to the user: relative to `cwd` when under it.  The result
 * is malloc'd. */
char *lg_display_path(const char *path, const char *cwd);

#endif
