/*
 * output_sarif.c - findings as one SARIF 2.1.0 run (see output.h).
 *
 * The document is built as a jansson tree and dumped once, pretty-printed
 * with two-space indentation in insertion order and a final newline;
 * jansson does every bit of escaping.  The run's tool.driver.rules has one reportingDescriptor per
 * resource of the ruleset (in ruleset order), followed by one for each rule
 * id a finding names that the ruleset lacks (all of them when there is no
 * ruleset), so every result carries a ruleIndex.  Each result has the loss
 * as its location (with the function as a logical location), the
 * acquisition as relatedLocations[0], the path as one codeFlow, the
 * fingerprint under partialFingerprints["leakgate/v1"], and, when the
 * finding has a safe fix, that fix as fixes[0]: an insertion (an empty
 * deletedRegion at column 1 of the line) into the result's own file.  The
 * run's one invocation says whether the run succeeded, with its errors and
 * warnings as notifications (and, with --shard, which shard it was).
 *
 * File names become URIs: a relative name is a relative reference against
 * %SRCROOT%, which originalUriBaseIds maps to the working directory; an
 * absolute one becomes a file:// URI.  Bytes outside RFC 3986's unreserved
 * set (and '/') are percent-encoded.  Columns are clang's byte columns;
 * columnKind says utf16CodeUnits (SARIF's default, and what viewers expect),
 * which is exact for ASCII lines.  Strings that are not valid UTF-8 (a path
 * in Latin-1) have each bad byte replaced by U+FFFD, as JSON must be UTF-8.
 *
 * Every builder below returns a new reference or NULL when memory ran out;
 * json_pack's "o" consumes its argument even when it fails, so a NULL
 * anywhere makes the enclosing value NULL and nothing leaks.
 */
#include "output.h"
#include "output_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SRCROOT "%SRCROOT%"
#define FINGERPRINT_KEY "leakgate/v1"

/* ---- strings and URIs ---- */

#define jstr lg_output_json_string

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '/';
}

/* `prefix` then `path` percent-encoded; NULL when memory runs out. */
static char *uri_encode(const char *prefix, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t np = strlen(prefix), n = strlen(path);
	char *uri = malloc(np + 3 * n + 2), *q;

	if (!uri)
		return NULL;
	memcpy(uri, prefix, np);
	q = uri + np;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (is_unreserved(*p)) {
			*q++ = (char)*p;
		} else {
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 15];
		}
	}
	*q = '\0';
	return uri;
}

/* ---- locations ---- */

static json_t *message(const char *text)
{
	return json_pack("{s:o}", "text", jstr(text));
}

/* {uri, uriBaseId} for a relative name, {uri: file:///...} otherwise. */
static json_t *artifact_location(const char *file)
{
	int absolute = file && file[0] == '/';
	char *uri = uri_encode(absolute ? "file://" : "", file ? file : "");
	json_t *v;

	if (!uri)
		return NULL;
	if (absolute)
		v = json_pack("{s:o}", "uri", jstr(uri));
	else
		v = json_pack("{s:o, s:s}", "uri", jstr(uri),
			      "uriBaseId", SRCROOT);
	free(uri);
	return v;
}

/* Line and column are 1-based; 0 (unknown) leaves the member out. */
static json_t *physical_location(const char *file, unsigned line,
				 unsigned col)
{
	json_t *pl = json_pack("{s:o}", "artifactLocation",
			       artifact_location(file));
	json_t *region;

	if (!pl || !line)
		return pl;
	region = json_pack("{s:I}", "startLine", (json_int_t)line);
	if (region && col &&
	    json_object_set_new(region, "startColumn", json_integer(col)) < 0) {
		json_decref(region);
		region = NULL;
	}
	if (json_object_set_new(pl, "region", region) < 0) {
		json_decref(pl);
		return NULL;
	}
	return pl;
}

/* The loss, where the result is reported, inside its function. */
static json_t *result_location(const struct lg_finding *f)
{
	json_t *loc = json_pack("{s:o}", "physicalLocation",
				physical_location(f->file, f->line, f->col));

	if (!loc || !f->function)
		return loc;
	if (json_object_set_new(loc, "logicalLocations",
				json_pack("[{s:o, s:s}]", "name",
					  jstr(f->function), "kind",
					  "function")) < 0) {
		json_decref(loc);
		return NULL;
	}
	return loc;
}

/* relatedLocations[0]: where the resource was acquired. */
static json_t *acquisition(const struct lg_finding *f)
{
	const char *file = f->acq_file ? f->acq_file : f->file;
	char *text = NULL;
	json_t *v;

	if (f->n_steps && f->steps[0].kind == LG_STEP_ACQUIRE)
		return json_pack("{s:i, s:o, s:o}", "id", 0, "physicalLocation",
				 physical_location(file, f->acq_line, f->acq_col),
				 "message", message(f->steps[0].message));
	if (asprintf(&text, "'%s' acquired here by %s()",
		     f->handle ? f->handle : "", f->acquirer ? f->acquirer : "") < 0)
		return NULL;
	v = json_pack("{s:i, s:o, s:o}", "id", 0, "physicalLocation",
		      physical_location(file, f->acq_line, f->acq_col),
		      "message", message(text));
	free(text);
	return v;
}

/* codeFlows: one thread flow, one location per step. */
static json_t *code_flows(const struct lg_finding *f)
{
	json_t *locs = json_array();

	for (size_t i = 0; locs && i < f->n_steps; i++) {
		const struct lg_step *s = &f->steps[i];
		json_t *tfl = json_pack(
			"{s:{s:o, s:o}}", "location", "physicalLocation",
			physical_location(s->file ? s->file : f->file, s->line,
					  s->col),
			"message", message(s->message));

		if (json_array_append_new(locs, tfl) < 0) {
			json_decref(locs);
			locs = NULL;
		}
	}
	return json_pack("[{s:[{s:o}]}]", "threadFlows", "locations", locs);
}

/*
 * fixes: one fix, one change to the result's file, one replacement that
 * deletes nothing at the start of fix_line and inserts the fix's lines.
 */
static json_t *fixes(const struct lg_finding *f)
{
	json_int_t line = f->fix_line;

	return json_pack(
		"[{s:o, s:[{s:o, s:[{s:{s:I, s:i, s:I, s:i}, s:o}]}]}]",
		"description", message("insert the release before the exit"),
		"artifactChanges",
		"artifactLocation", artifact_location(f->file),
		"replacements",
		"deletedRegion", "startLine", line, "startColumn", 1,
		"endLine", line, "endColumn", 1,
		"insertedContent", message(f->fix_text));
}

/* ---- rules ---- */

struct rules {
	json_t *array;   /* tool.driver.rules */
	json_t *index;   /* rule id -> its index in array (a JSON integer) */
};

static int add_rule(struct rules *r, const char *id, const char *description,
		    enum lg_kind kind)
{
	json_t *rule = json_pack("{s:o}", "id", jstr(id));

	if (!rule)
		return -1;
	if (description &&
	    json_object_set_new(rule, "shortDescription",
				message(description)) < 0)
		goto fail;
	if (json_object_set_new(rule, "defaultConfiguration",
				json_pack("{s:s}", "level", "warning")) < 0 ||
	    json_object_set_new(rule, "properties",
				json_pack("{s:o}", "kind",
					  jstr(lg_kind_name(kind)))) < 0)
		goto fail;
	/* The index is a lookup table only: its keys need not be UTF-8. */
	if (json_object_set_new_nocheck(r->index, id ? id : "",
					json_integer(json_array_size(r->array))) < 0)
		goto fail;
	return json_array_append_new(r->array, rule);
fail:
	json_decref(rule);
	return -1;
}

/* The ruleset's resources, then rule ids only findings know of. */
static int build_rules(struct rules *r, const struct lg_findings *fs,
		       const struct lg_ruleset *rs)
{
	r->array = json_array();
	r->index = json_object();
	if (!r->array || !r->index)
		return -1;
	for (size_t i = 0; rs && i < rs->n_resources; i++) {
		const struct lg_resource *res = &rs->resources[i];

		if (!json_object_get(r->index, res->id ? res->id : "") &&
		    add_rule(r, res->id, res->description, res->kind) < 0)
			return -1;
	}
	for (size_t i = 0; i < fs->n; i++) {
		const struct lg_finding *f = &fs->v[i];

		if (!json_object_get(r->index, f->rule_id ? f->rule_id : "") &&
		    add_rule(r, f->rule_id, NULL, f->kind) < 0)
			return -1;
	}
	return 0;
}

/* ---- results and the log ---- */

static json_t *result(const struct rules *r, const struct lg_finding *f)
{
	json_t *index = json_object_get(r->index, f->rule_id ? f->rule_id : "");
	json_t *res = json_pack(
		"{s:o, s:I, s:s, s:o, s:[o], s:[o]}",
		"ruleId", jstr(f->rule_id),
		"ruleIndex", index ? json_integer_value(index) : (json_int_t)-1,
		"level", "warning",
		"message", message(f->message),
		"locations", result_location(f),
		"relatedLocations", acquisition(f));

	if (!res)
		return NULL;
	if (f->n_steps &&
	    json_object_set_new(res, "codeFlows", code_flows(f)) < 0)
		goto fail;
	if (f->fingerprint &&
	    json_object_set_new(res, "partialFingerprints",
				json_pack("{s:o}", FINGERPRINT_KEY,
					  jstr(f->fingerprint))) < 0)
		goto fail;
	if (f->fix_text && f->fix_line &&
	    json_object_set_new(res, "fixes", fixes(f)) < 0)
		goto fail;
	return res;
fail:
	json_decref(res);
	return NULL;
}

/* {"%SRCROOT%": {"uri": "file:///cwd/"}}; an empty object without a cwd. */
static json_t *uri_base_ids(void)
{
	char *cwd = getcwd(NULL, 0), *uri;
	size_t n;
	json_t *v;

	if (!cwd)
		return json_object();
	uri = uri_encode("file://", cwd);
	free(cwd);
	if (!uri)
		return NULL;
	n = strlen(uri);
	if (uri[n - 1] != '/') {
		/* uri_encode left room for one more byte. */
		uri[n] = '/';
		uri[n + 1] = '\0';
	}
	v = json_pack("{s:{s:o}}", SRCROOT, "uri", jstr(uri));
	free(uri);
	return v;
}

static json_t *driver(const struct lg_output_opts *o, json_t *rules)
{
	json_t *drv = json_pack("{s:s}", "name", "leakgate");

	if (!drv)
		goto fail;
	if (o && o->version &&
	    json_object_set_new(drv, "version", jstr(o->version)) < 0)
		goto fail;
	if (json_object_set_new(drv, "rules", rules) < 0) {
		rules = NULL;
		goto fail;
	}
	return drv;
fail:
	json_decref(rules);
	json_decref(drv);
	return NULL;
}

/* What happened to the run: executionSuccessful is false when the run had
 * an error (a file that did not parse, a budget exceeded), so that a
 * report is never taken for a clean verdict it could not give. */
static json_t *invocation(const struct lg_output_opts *o)
{
	const struct lg_diags *d = o ? o->problems : NULL;
	json_t *notes = json_array();
	int ok = 1;

	for (size_t i = 0; notes && d && i < d->n; i++) {
		const struct lg_diag *g = &d->v[i];
		if (g->sev == LG_NOTE)
			continue;
		if (g->sev == LG_ERROR)
			ok = 0;
		json_t *n = json_pack("{s:s, s:o}", "level",
				      g->sev == LG_ERROR ? "error" : "warning",
				      "message", message(g->msg));
		if (n && g->file &&
		    json_object_set_new(n, "locations",
					json_pack("[{s:o}]", "physicalLocation",
						  physical_location(g->file, g->line,
								    g->col))) < 0) {
			json_decref(n);
			n = NULL;
		}
		if (json_array_append_new(notes, n) < 0) {
			json_decref(notes);
			notes = NULL;
		}
	}
	json_t *inv = json_pack("{s:b, s:o}", "executionSuccessful", ok,
				"toolExecutionNotifications", notes);
	if (inv && o && o->shard &&
	    json_object_set_new(inv, "properties",
				json_pack("{s:o}", "shard", jstr(o->shard))) < 0) {
		json_decref(inv);
		inv = NULL;
	}
	return inv;
}

static json_t *sarif_log(const struct lg_findings *fs,
			 const struct lg_output_opts *o)
{
	struct rules r = { NULL, NULL };
	json_t *results = json_array(), *log = NULL;

	if (!results || build_rules(&r, fs, o ? o->rules : NULL) < 0)
		goto out;
	for (size_t i = 0; i < fs->n; i++)
		if (json_array_append_new(results, result(&r, &fs->v[i])) < 0)
			goto out;
	log = json_pack("{s:s, s:s, s:[{s:{s:o}, s:[o], s:o, s:s, s:O}]}",
			"$schema", SARIF_SCHEMA,
			"version", "2.1.0",
			"runs",
			"tool", "driver", driver(o, json_incref(r.array)),
			"invocations", invocation(o),
			"originalUriBaseIds", uri_base_ids(),
			"columnKind", "utf16CodeUnits",
			"results", results);
out:
	json_decref(results);
	json_decref(r.array);
	json_decref(r.index);
	return log;
}

/*
 * The document is serialized to memory first, so that running out of memory
 * (building or dumping) and failing to write are told apart.
 */
int lg_output_sarif(FILE *out, const struct lg_findings *fs,
		    const struct lg_output_opts *o, struct lg_diags *d)
{
	json_t *log = sarif_log(fs, o);
	char *text = log ? json_dumps(log, JSON_INDENT(2)) : NULL;
	int ret = 0;

	json_decref(log);
	if (!text)
		return lg_diag(d, LG_ERROR, NULL, 0, 0,
			       "cannot build the SARIF report: out of memory");
	errno = 0;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF || ferror(out)) {
		int err = errno ? errno : EIO;

		ret = lg_diag(d, LG_ERROR, NULL, 0, 0,
			      "cannot write the SARIF report: %s", strerror(err));
		errno = err; /* for lg_output_write_file */
	}
	free(text);
	return ret;
}
