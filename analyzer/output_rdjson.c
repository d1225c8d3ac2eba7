/*
 * output_rdjson.c - findings as reviewdog's Diagnostic Format (see
 * output.h).
 *
 * One DiagnosticResult (reviewdog -f=rdjson), one diagnostic per finding in
 * the order given:
 *
 *   {"source": {"name": "leakgate", "url": ...}, "severity": "ERROR",
 *    "diagnostics": [
 *      {"message": HEADLINE "\n" one "FILE:LINE: STEP" line per step,
 *       "location": {"path": FILE, "range": {"start": {"line", "column"},
 *                                            "end": the same}},
 *       "severity": "ERROR", "code": {"value": RULE},
 *       "related_locations": [{"message": the acquisition's note,
 *                              "location": where it was acquired}],
 *       "suggestions": [{"range": an empty range at column 1 of the fix's
 *                        line, "text": the fix's lines}]}]}
 *
 * "suggestions" is there only when the finding has a fix; reviewdog turns
 * it into a suggested change on the pull request.  rdjson ranges end
 * exclusively, so a range whose end is its start inserts; columns are
 * UTF-8 byte columns, which is what clang gives.  A line or column of 0
 * (unknown) is left out, as the format allows.
 */
#include "output.h"
#include "output_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>


#define jstr lg_output_json_string

#define SOURCE_URL "https://github.com/leakgate/leakgate"

/* {"line": L, "column": C}, leaving out what is 0. */
static json_t *position(unsigned line, unsigned col)
{
	json_t *p = json_object();

	if (p && line &&
	    json_object_set_new(p, "line", json_integer(line)) < 0)
		goto fail;
	if (p && line && col &&
	    json_object_set_new(p, "column", json_integer(col)) < 0)
		goto fail;
	return p;
fail:
	json_decref(p);
	return NULL;
}

/* An empty range at line:col ({start, end} equal). */
static json_t *point(unsigned line, unsigned col)
{
	return json_pack("{s:o, s:o}", "start", position(line, col),
			 "end", position(line, col));
}

/* {"path": FILE, "range": ...}; no range when the line is unknown. */
static json_t *location(const char *file, unsigned line, unsigned col)
{
	if (!line)
		return json_pack("{s:o}", "path", jstr(file));
	return json_pack("{s:o, s:o}", "path", jstr(file),
			 "range", point(line, col));
}

/* The headline, then one "FILE:LINE: STEP" line per step. */
static json_t *diagnostic_message(const struct lg_finding *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	json_t *v = NULL;
	int err;

	if (!mem)
		return NULL;
	fputs(f->message ? f->message : "", mem);
	for (size_t i = 0; i < f->n_steps; i++) {
		const struct lg_step *s = &f->steps[i];

		fprintf(mem, "\n%s", s->file ? s->file : f->file ? f->file : "");
		if (s->line)
			fprintf(mem, ":%u", s->line);
		fprintf(mem, ": %s", s->message ? s->message : "");
	}
	err = ferror(mem);
	if (fclose(mem) == 0 && !err)
		v = jstr(buf);
	free(buf);
	return v;
}

/* The acquisition, with the note the path gives it. */
static json_t *related_locations(const struct lg_finding *f)
{
	const char *file = f->acq_file ? f->acq_file : f->file;
	char *text = NULL;
	json_t *v;

	if (f->n_steps && f->steps[0].kind == LG_STEP_ACQUIRE)
		return json_pack("[{s:o, s:o}]",
				 "message", jstr(f->steps[0].message),
				 "location", location(file, f->acq_line,
						      f->acq_col));
	if (asprintf(&text, "'%s' acquired here by %s()",
		     f->handle ? f->handle : "",
		     f->acquirer ? f->acquirer : "") < 0)
		return NULL;
	v = json_pack("[{s:o, s:o}]", "message", jstr(text),
		      "location", location(file, f->acq_line, f->acq_col));
	free(text);
	return v;
}

static json_t *diagnostic(const struct lg_finding *f)
{
	json_t *diag = json_pack(
		"{s:o, s:o, s:s, s:{s:o}, s:o}",
		"message", diagnostic_message(f),
		"location", location(f->file, f->line, f->col),
		"severity", "ERROR",
		"code", "value", jstr(f->rule_id),
		"related_locations", related_locations(f));

	if (diag && f->fix_text && f->fix_line &&
	    json_object_set_new(diag, "suggestions",
				json_pack("[{s:o, s:o}]",
					  "range", point(f->fix_line, 1),
					  "text", jstr(f->fix_text))) < 0) {
		json_decref(diag);
		return NULL;
	}
	return diag;
}

static json_t *result(const struct lg_findings *fs)
{
	json_t *diags = json_array();

	for (size_t i = 0; diags && i < fs->n; i++) {
		if (json_array_append_new(diags, diagnostic(&fs->v[i])) < 0) {
			json_decref(diags);
			diags = NULL;
		}
	}
	return json_pack("{s:{s:s, s:s}, s:s, s:o}",
			 "source", "name", "leakgate", "url", SOURCE_URL,
			 "severity", "ERROR",
			 "diagnostics", diags);
}

int lg_output_rdjson(FILE *out, const struct lg_findings *fs,
		     const struct lg_output_opts *o, struct lg_diags *d)
{
	(void)o;
	return lg_output_json_write(out, result(fs), "rdjson report", d);
}
