/*
 * output_json.c - findings in leakgate's own JSON format (see output.h).
 *
 * For programs that read leakgate's results and want all of a finding, in
 * leakgate's own words, without SARIF's indirections.  The document is
 * built as a jansson tree and dumped once (jansson does every bit of
 * escaping); findings keep the order they are given in.  What this file
 * leaves out: deciding anything (no filtering, no exit status), and reading
 * the format back.
 *
 * JSON output
 * -----------
 * `-f json` writes one JSON document: UTF-8, indented by two spaces, keys in
 * the order shown, a final newline.  For the leak of "What it reports":
 *
 *   {
 *     "tool": "leakgate",
 *     "version": "0.1.0",
 *     "findings": [
 *       {
 *         "rule_id": "pool-connection",
 *         "kind": "connection",
 *         "function": "login",
 *         "handle": "conn",
 *         "acquirer": "pool_acquire",
 *         "loss": "return",
 *         "file": "examples/login-service/login.c",
 *         "line": 48,
 *         "column": 3,
 *         "message": "connection 'conn' acquired by pool_acquire() at line 38 is still held when the function returns here",
 *         "fingerprint": "0c7d…(64 hex digits)",
 *         "acquisition": {
 *           "file": "examples/login-service/login.c",
 *           "line": 38,
 *           "column": 25
 *         },
 *         "steps": [
 *           {
 *             "kind": "acquire",
 *             "file": "examples/login-service/login.c",
 *             "line": 38,
 *             "column": 25,
 *             "message": "'conn' acquired here by pool_acquire()"
 *           },
 *           {
 *             "kind": "branch",
 *             "file": "examples/login-service/login.c",
 *             "line": 39,
 *             "column": 6,
 *             "message": "taking the false branch of 'if (conn == NULL)'"
 *           },
 *           ...
 *           {
 *             "kind": "loss",
 *             "file": "examples/login-service/login.c",
 *             "line": 48,
 *             "column": 3,
 *             "message": "returning with 'conn' still held"
 *           }
 *         ],
 *         "fix": {
 *           "file": "examples/login-service/login.c",
 *           "line": 48,
 *           "insert": "\t\tpool_release(pool, conn);\n"
 *         }
 *       }
 *     ],
 *     "summary": {
 *       "findings": 1,
 *       "by_rule": {
 *         "pool-connection": 1
 *       }
 *     }
 *   }
 *
 * tool         always "leakgate"
 * version      leakgate's version; null when the caller named none
 * findings     one object per finding, in the report's order (by file, line,
 *              column and rule id)
 *   rule_id    the resource's id in the rule file
 *   kind       connection | result | statement | file | lock | memory |
 *              handle
 *   function   the function that leaks
 *   handle     the handle's name ("conn", "&ctx->mu"), or the acquiring
 *              call's text when no variable names it
 *   acquirer   the acquiring function ("pool_acquire")
 *   loss       return: the function returns or ends with it held;
 *              scope: the last variable holding it goes out of scope;
 *              overwrite: its only reference is overwritten
 *   file, line, column
 *              where it is lost; lines and columns start at 1, columns
 *              count bytes, 0 means unknown (everywhere in the document)
 *   message    the headline, as the text output prints it
 *   fingerprint
 *              64 lowercase hex digits (SHA-256) of the rule, function,
 *              handle, acquirer, loss and path, but of no line or column:
 *              it stays the same when unrelated lines move
 *   acquisition
 *              where the resource was acquired: file, line, column
 *   steps      the path, in order: the acquisition first ("acquire"), then
 *              each "branch" (if, ?:, &&, ||, loop condition), "case" and
 *              "jump" (goto, break, continue) taken, the loss last ("loss");
 *              each with file, line, column and the note's message
 *   fix        null, or a safe fix: insert the text `insert` (whole lines,
 *              each ending in "\n", indented like the exit) before line
 *              `line` of `file`
 * summary
 *   findings   the number of findings
 *   by_rule    the number of findings per rule id, ids in byte order
 *
 * Strings are never null (an unknown one is ""); bytes that are not valid
 * UTF-8 (a path in Latin-1) each become U+FFFD.
 */
#include "output.h"
#include "output_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>


#define jstr lg_output_json_string

static const char *const loss_names[] = {
	[LG_LOSS_RETURN] = "return",
	[LG_LOSS_SCOPE] = "scope",
	[LG_LOSS_OVERWRITE] = "overwrite",
};

static const char *const step_names[] = {
	[LG_STEP_ACQUIRE] = "acquire",
	[LG_STEP_BRANCH] = "branch",
	[LG_STEP_CASE] = "case",
	[LG_STEP_JUMP] = "jump",
	[LG_STEP_LOSS] = "loss",
};

#define NAME(table, i) \
	((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : "unknown")

/*
 * Every builder returns a new reference, or NULL when memory ran out;
 * json_pack's "o" consumes its argument even when it fails, so a NULL
 * anywhere makes the enclosing value NULL and nothing leaks.
 */

/* {"file", "line", "column"} */
static json_t *position(const char *file, unsigned line, unsigned col)
{
	return json_pack("{s:o, s:I, s:I}", "file", jstr(file),
			 "line", (json_int_t)line, "column", (json_int_t)col);
}

static json_t *steps(const struct lg_finding *f)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < f->n_steps; i++) {
		const struct lg_step *s = &f->steps[i];
		json_t *step = json_pack(
			"{s:s, s:o, s:I, s:I, s:o}",
			"kind", NAME(step_names, s->kind),
			"file", jstr(s->file ? s->file : f->file),
			"line", (json_int_t)s->line,
			"column", (json_int_t)s->col,
			"message", jstr(s->message));

		if (json_array_append_new(a, step) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *fix(const struct lg_finding *f)
{
	if (!f->fix_text || !f->fix_line)
		return json_null();
	return json_pack("{s:o, s:I, s:o}", "file", jstr(f->file),
			 "line", (json_int_t)f->fix_line,
			 "insert", jstr(f->fix_text));
}

/* Where the change touches the path (set by the diff filter), or null. */
static json_t *anchor(const struct lg_finding *f)
{
	if (!f->anchor_file || !f->anchor_line)
		return json_null();
	return json_pack("{s:o, s:I}", "file", jstr(f->anchor_file),
			 "line", (json_int_t)f->anchor_line);
}

static json_t *finding(const struct lg_finding *f)
{
	return json_pack(
		"{s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:I, s:I, s:o, s:o,"
		" s:o, s:o, s:o, s:o}",
		"rule_id", jstr(f->rule_id),
		"kind", lg_kind_name(f->kind),
		"function", jstr(f->function),
		"handle", jstr(f->handle),
		"acquirer", jstr(f->acquirer),
		"loss", NAME(loss_names, f->loss),
		"file", jstr(f->file),
		"line", (json_int_t)f->line,
		"column", (json_int_t)f->col,
		"message", jstr(f->message),
		"fingerprint", jstr(f->fingerprint),
		"acquisition", position(f->acq_file ? f->acq_file : f->file,
					f->acq_line, f->acq_col),
		"steps", steps(f),
		"fix", fix(f),
		"anchor", anchor(f));
}

static int cmp_rule(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return strcmp(x ? x : "", y ? y : "");
}

/* {"pool-connection": 1, ...}: ids in byte order. */
static json_t *by_rule(const struct lg_findings *fs)
{
	const char **ids = fs->n ? malloc(fs->n * sizeof(*ids)) : NULL;
	json_t *o = json_object();

	if (!o || (fs->n && !ids))
		goto fail;
	for (size_t i = 0; i < fs->n; i++)
		ids[i] = fs->v[i].rule_id;
	if (fs->n)
		qsort(ids, fs->n, sizeof(*ids), cmp_rule);
	for (size_t i = 0, j; i < fs->n; i = j) {
		json_t *key;
		int ret;

		for (j = i + 1; j < fs->n && !cmp_rule(&ids[i], &ids[j]); j++)
			;
		/* The key as JSON wants it: repaired UTF-8, like values. */
		key = jstr(ids[i]);
		ret = key ? json_object_set_new(o, json_string_value(key),
						json_integer((json_int_t)(j - i)))
			  : -1;
		json_decref(key);
		if (ret < 0)
			goto fail;
	}
	free(ids);
	return o;
fail:
	free(ids);
	json_decref(o);
	return NULL;
}

/* The run's errors and warnings (a file that did not parse, a function not
 * fully analysed), in the order they were found: a reader of the findings
 * learns what they do not cover. */
static json_t *problems(const struct lg_diags *d)
{
	json_t *a = json_array();

	for (size_t i = 0; a && d && i < d->n; i++) {
		const struct lg_diag *g = &d->v[i];
		if (g->sev == LG_NOTE)
			continue;
		json_t *p = json_pack("{s:s, s:o, s:I, s:I, s:o}",
				      "severity", g->sev == LG_ERROR ? "error" : "warning",
				      "file", jstr(g->file ? g->file : ""),
				      "line", (json_int_t)g->line,
				      "column", (json_int_t)g->col,
				      "message", jstr(g->msg ? g->msg : ""));
		if (json_array_append_new(a, p) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *document(const struct lg_findings *fs,
			const struct lg_output_opts *o)
{
	json_t *findings = json_array();

	for (size_t i = 0; findings && i < fs->n; i++) {
		if (json_array_append_new(findings, finding(&fs->v[i])) < 0) {
			json_decref(findings);
			findings = NULL;
		}
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:{s:I, s:o}}",
			 "tool", "leakgate",
			 "version", o && o->version ? jstr(o->version)
						    : json_null(),
			 "findings", findings,
			 "problems", problems(o ? o->problems : NULL),
			 "summary", "findings", (json_int_t)fs->n,
			 "by_rule", by_rule(fs));
}

int lg_output_json(FILE *out, const struct lg_findings *fs,
		   const struct lg_output_opts *o, struct lg_diags *d)
{
	return lg_output_json_write(out, document(fs, o), "JSON report", d);
}
