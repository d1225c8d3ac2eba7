/*
 * output.h - the output formats: the last stage of the pipeline.
 *
 * Each format turns the final, sorted list of findings into bytes on a
 * stream.  Formatters never decide anything (no filtering, no exit status);
 * they only render.  Text imitates clang's diagnostics; SARIF 2.1.0 is built
 * with jansson, which does the escaping.
 *
 * Writing to a named file goes through lg_output_write_file(), which writes a
 * temporary file next to the destination and renames it into place, so an
 * interrupted run never leaves a half-written report.
 */
#ifndef LEAKGATE_OUTPUT_H
#define LEAKGATE_OUTPUT_H

#include <stdio.h>

#include "diag.h"
#include "finding.h"
#include "rules.h"

enum lg_format {
	LG_FORMAT_TEXT,
	LG_FORMAT_SARIF,
};

struct lg_output_opts {
	enum lg_format format;
	int color;                   /* text: ANSI colours (terminals only) */
	const char *version;         /* tool version, e.g. "0.1.0" */
	const struct lg_ruleset *rules; /* SARIF: one rule entry per resource */
};

/*
 * Text: for each finding
 *   file:line:col: warning: MESSAGE [rule-id]
 *     LINE | source line
 *          |     ^
 *   file:line:col: note: STEP MESSAGE        (one per step)
 * then, when there are findings, a closing line "N leak(s) found.".
 * Returns 0, or -1 when the stream reports a write error.
 */
int lg_output_text(FILE *out, const struct lg_findings *fs,
		   const struct lg_output_opts *o);

/* SARIF 2.1.0, one run, one result per finding.  0 or -1 (with `d`). */
int lg_output_sarif(FILE *out, const struct lg_findings *fs,
		    const struct lg_output_opts *o, struct lg_diags *d);

/* Renders in o->format to `out`. */
int lg_output(FILE *out, const struct lg_findings *fs,
	      const struct lg_output_opts *o, struct lg_diags *d);

/* Renders to `path` through a temporary file and rename(2). */
int lg_output_write_file(const char *path, const struct lg_findings *fs,
			 const struct lg_output_opts *o, struct lg_diags *d);

#endif
