/*
 * output_internal.h - what the formatters of output.h share, and only they.
 *
 * JSON strings and documents (jansson) are made one way for every JSON
 * format; the Markdown rendering of a path serves the Markdown summary and
 * GitLab's issue bodies.
 */
#ifndef LEAKGATE_OUTPUT_INTERNAL_H
#define LEAKGATE_OUTPUT_INTERNAL_H

#include <jansson.h>
#include <stdio.h>

#include "diag.h"
#include "finding.h"

/* A new JSON string for `s`: "" for NULL; bytes that are not UTF-8 become
 * U+FFFD.  NULL only when memory ran out. */
json_t *lg_output_json_string(const char *s);

/* Writes `doc` (two-space indent, a final newline) and releases it; a NULL
 * `doc` means building it ran out of memory.  0, or -1 with a diagnostic. */
int lg_output_json_write(FILE *out, json_t *doc, const char *what,
			 struct lg_diags *d);

/* The path of `f` as a Markdown numbered list.  0, or -1 on a write error. */
int lg_output_markdown_path(FILE *out, const struct lg_finding *f);

#endif
