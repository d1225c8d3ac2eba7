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
 * interrupted run never leaves a half-written report; every file leakgate
 * writes by name (reports, the baseline, --merge) goes through
 * lg_output_write_whole().  Devices and pipes are written in place; a
 * symbolic link at the destination is replaced, never written through
 * (output.c says exactly when).
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
	LG_FORMAT_JSON,      /* leakgate's own (README, "JSON output") */
	LG_FORMAT_GITHUB,    /* GitHub Actions workflow commands */
	LG_FORMAT_GITLAB,    /* GitLab Code Quality report */
	LG_FORMAT_RDJSON,    /* reviewdog's diagnostic format */
	LG_FORMAT_MARKDOWN,  /* a summary for a job page or a review body */
};

struct lg_output_opts {
	enum lg_format format;
	int color;                   /* text: ANSI colours (terminals only) */
	const char *version;         /* tool version, e.g. "0.1.0" */
	const struct lg_ruleset *rules; /* SARIF: one rule entry per resource */
	unsigned max_annotations;    /* github: error annotations written
					(GitHub shows 10 per step); 0: 10 */
	/* SARIF: the run's invocation.  `problems` are the run's diagnostics
	 * (its errors and warnings become toolExecutionNotifications, and an
	 * error makes executionSuccessful false); `shard`, "K/N" with
	 * --shard, goes in the invocation's properties for --merge.  NULL:
	 * none. */
	const struct lg_diags *problems;
	const char *shard;
};

/* The format named `name` ("text", "sarif", ...); -1 when unknown. */
int lg_format_parse(const char *name, enum lg_format *out);
const char *lg_format_name(enum lg_format f);

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

/* leakgate's own JSON: see README.md, "JSON output".  0 or -1. */
int lg_output_json(FILE *out, const struct lg_findings *fs,
		   const struct lg_output_opts *o, struct lg_diags *d);

/* GitHub workflow commands: the most relevant findings first, at most
 * o->max_annotations of them as `::error file=...,line=...,endLine=...,
 * title=...::message` (escaped as GitHub requires), then a `::notice::`
 * line saying how many more there are and where the full list is. */
int lg_output_github(FILE *out, const struct lg_findings *fs,
		     const struct lg_output_opts *o, struct lg_diags *d);

/* GitLab Code Quality: a JSON array, one issue per finding, each with a
 * fingerprint unique in the report. */
int lg_output_gitlab(FILE *out, const struct lg_findings *fs,
		     const struct lg_output_opts *o, struct lg_diags *d);

/* reviewdog's rdjson (DiagnosticResult), the fix as a suggestion. */
int lg_output_rdjson(FILE *out, const struct lg_findings *fs,
		     const struct lg_output_opts *o, struct lg_diags *d);

/* Markdown: a heading with the count, then one section per finding with
 * its location, message, path and fix. */
int lg_output_markdown(FILE *out, const struct lg_findings *fs,
		       const struct lg_output_opts *o, struct lg_diags *d);

/* The order in which findings matter most to a reviewer (github puts only
 * the first few in annotations): connections, results, statements and
 * locks before files, memory and handles; then by file and line.  Sorts
 * the array of pointers `v`. */
void lg_findings_by_relevance(const struct lg_finding **v, size_t n);

/* Renders in o->format to `out`. */
int lg_output(FILE *out, const struct lg_findings *fs,
	      const struct lg_output_opts *o, struct lg_diags *d);

/* Renders to `path` through a temporary file and rename(2). */
int lg_output_write_file(const char *path, const struct lg_findings *fs,
			 const struct lg_output_opts *o, struct lg_diags *d);

/* The same for any report: `render` writes it to the stream (0, or -1 with
 * a diagnostic).  A path that is a device or a pipe is written in place. */
typedef int (*lg_render_fn)(FILE *out, void *ctx, struct lg_diags *d);
int lg_output_write_atomic(const char *path, lg_render_fn render, void *ctx,
			   struct lg_diags *d);

/* The same for any file; `what` names it in diagnostics ("cannot write
 * the WHAT: ...", e.g. "baseline").  0, or -1 with the error in `d`. */
int lg_output_write_whole(const char *path, const char *what,
			  lg_render_fn render, void *ctx, struct lg_diags *d);

#endif
