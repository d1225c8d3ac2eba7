/*
 * merge.c - the shards' SARIF reports as one report and one verdict (see
 * merge.h).  jansson reads and writes every document.
 */
#include "merge.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "output_internal.h"

/* One input, checked. */
struct input {
	const char *path;
	json_t *log;     /* owned */
	json_t *run;     /* borrowed from log */
	json_t *inv;     /* its invocation */
	long k, n;       /* its shard, or 0/0 */
};

static const char *str_at(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* "K/N" with 1 <= K <= N <= 10000. */
static bool parse_shard(const char *s, long *k, long *n)
{
	char *end;
	errno = 0;
	*k = strtol(s, &end, 10);
	if (errno || end == s || *end != '/')
		return false;
	s = end + 1;
	*n = strtol(s, &end, 10);
	return !errno && end != s && !*end && *n >= 1 && *n <= 10000 && *k >= 1 &&
	       *k <= *n;
}

static int not_ours(struct lg_diags *d, const char *path, const char *what)
{
	return lg_diag(d, LG_ERROR, path, 0, 0,
		       "expected a SARIF 2.1.0 report written by leakgate: %s", what);
}

static int read_input(struct input *in, struct lg_diags *d)
{
	json_error_t err;
	in->log = json_load_file(in->path, 0, &err);
	if (!in->log)
		return lg_diag(d, LG_ERROR, in->path, err.line > 0 ? (unsigned)err.line : 0,
			       err.column > 0 ? (unsigned)err.column : 0,
			       "cannot read the report: %s", err.text);
	const char *version = str_at(in->log, "version");
	if (!json_is_object(in->log) || !version || strcmp(version, "2.1.0"))
		return not_ours(d, in->path, "no \"version\": \"2.1.0\"");
	json_t *runs = json_object_get(in->log, "runs");
	if (json_array_size(runs) != 1)
		return not_ours(d, in->path, "\"runs\" is not an array of one run");
	in->run = json_array_get(runs, 0);
	json_t *drv = json_object_get(json_object_get(in->run, "tool"), "driver");
	const char *name = str_at(drv, "name");
	if (!name || strcmp(name, "leakgate"))
		return not_ours(d, in->path, "the tool is not leakgate");
	if (!json_is_array(json_object_get(drv, "rules")) ||
	    !json_is_array(json_object_get(in->run, "results")))
		return not_ours(d, in->path, "no \"rules\" or no \"results\"");
	json_t *invs = json_object_get(in->run, "invocations");
	in->inv = json_array_get(invs, 0);
	if (json_array_size(invs) != 1 ||
	    !json_is_boolean(json_object_get(in->inv, "executionSuccessful")))
		return not_ours(d, in->path, "no invocation saying whether the run succeeded");
	json_t *props = json_object_get(in->inv, "properties");
	const char *shard = str_at(props, "shard");
	if (json_object_get(props, "shard") &&
	    (!shard || !parse_shard(shard, &in->k, &in->n)))
		return not_ours(d, in->path, "its shard is not \"K/N\"");
	return 0;
}

/* Is 1..N each given once, by inputs that all say they are shards of N? */
static bool shards_complete(const struct input *in, size_t n, struct lg_diags *d)
{
	bool any = false, ok = true;
	for (size_t i = 0; i < n; i++)
		any |= in[i].n > 0;
	if (!any)
		return true;
	long total = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in[i].n) {
			lg_diag(d, LG_ERROR, in[i].path, 0, 0,
				"not the report of a shard (no --shard), unlike the others");
			return false;
		}
		if (total && in[i].n != total) {
			lg_diag(d, LG_ERROR, in[i].path, 0, 0,
				"the report of shard %ld/%ld, but %s is a shard of %ld",
				in[i].k, in[i].n, in[0].path, total);
			return false;
		}
		total = in[i].n;
	}
	unsigned char *seen = calloc((size_t)total + 1, 1);
	if (!seen) {
		lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (seen[in[i].k]++) {
			lg_diag(d, LG_ERROR, in[i].path, 0, 0,
				"shard %ld/%ld is given twice", in[i].k, total);
			ok = false;
		}
	for (long k = 1; k <= total; k++)
		if (!seen[k]) {
			lg_diag(d, LG_ERROR, NULL, 0, 0,
				"the report of shard %ld/%ld is missing: the verdict needs "
				"every shard", k, total);
			ok = false;
		}
	free(seen);
	return ok;
}

/* The merged rules: by id, first seen first. */
static long rule_index(json_t *rules, const char *id, json_t *rule)
{
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r) {
		const char *rid = str_at(r, "id");
		if (rid && id && !strcmp(rid, id))
			return (long)i;
	}
	if (!rule)
		rule = json_pack("{s:s}", "id", id ? id : "");
	else
		json_incref(rule);
	if (json_array_append_new(rules, rule) < 0)
		return -1;
	return (long)json_array_size(rules) - 1;
}

static bool has_equal(json_t *array, json_t *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(array, i, e)
		if (json_equal(e, v))
			return true;
	return false;
}

/* The merged log, or NULL when memory ran out. */
static json_t *merge(struct input *in, size_t n, bool ok, size_t *results)
{
	json_t *rules = json_array(), *res = json_array(), *notes = json_array();
	json_t *log = NULL;
	if (!rules || !res || !notes)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *drv = json_object_get(json_object_get(in[i].run, "tool"), "driver");
		size_t j;
		json_t *r;
		json_array_foreach(json_object_get(drv, "rules"), j, r)
			if (rule_index(rules, str_at(r, "id"), r) < 0)
				goto out;
		json_array_foreach(json_object_get(in[i].run, "results"), j, r) {
			json_t *copy = json_deep_copy(r);
			long idx = copy ? rule_index(rules, str_at(r, "ruleId"), NULL) : -1;
			if (idx < 0 || json_object_set_new(copy, "ruleIndex", json_integer(idx)) < 0 ||
			    json_array_append_new(res, copy) < 0)
				goto out;
		}
		/* Every shard parses every file, so a file that does not parse
		 * is told by each: once is enough. */
		json_array_foreach(json_object_get(in[i].inv, "toolExecutionNotifications"), j, r)
			if (!has_equal(notes, r) && json_array_append(notes, r) < 0)
				goto out;
	}
	json_t *drv0 = json_object_get(json_object_get(in[0].run, "tool"), "driver");
	json_t *drv = json_pack("{s:s, s:O}", "name", "leakgate", "rules", rules);
	if (drv && str_at(drv0, "version") &&
	    json_object_set_new(drv, "version", json_string(str_at(drv0, "version"))) < 0) {
		json_decref(drv);
		drv = NULL;
	}
	json_t *base = json_object_get(in[0].run, "originalUriBaseIds");
	const char *schema = str_at(in[0].log, "$schema");
	log = json_pack("{s:s, s:s, s:[{s:{s:o}, s:[{s:b, s:O, s:{s:I}}], s:o, s:s, s:O}]}",
			"$schema", schema ? schema : "https://json.schemastore.org/sarif-2.1.0.json",
			"version", "2.1.0",
			"runs",
			"tool", "driver", drv,
			"invocations", "executionSuccessful", ok,
			"toolExecutionNotifications", notes,
			"properties", "shards", (json_int_t)n,
			"originalUriBaseIds", base ? json_incref(base) : json_object(),
			"columnKind", "utf16CodeUnits",
			"results", res);
	*results = json_array_size(res);
out:
	json_decref(rules);
	json_decref(res);
	json_decref(notes);
	return log;
}

struct rendered {
	json_t *log;
};

static int render(FILE *out, void *ctx, struct lg_diags *d)
{
	struct rendered *r = ctx;
	return lg_output_json_write(out, json_incref(r->log), "SARIF report", d);
}

int lg_merge_sarif(const char *out, const char *const *inputs, size_t n,
		   struct lg_merge_result *res, struct lg_diags *d)
{
	struct input *in = calloc(n ? n : 1, sizeof(*in));
	int ret = 0;
	*res = (struct lg_merge_result){ .shards = n };
	if (!in)
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		in[i].path = inputs[i];
		if (read_input(&in[i], d) < 0)
			ret = -1;
	}
	if (ret == 0 && n == 0)
		ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "--merge needs the reports to merge");
	if (ret == 0) {
		bool ok = shards_complete(in, n, d);
		for (size_t i = 0; i < n; i++) {
			const char *v = str_at(json_object_get(json_object_get(in[i].run,
						"tool"), "driver"), "version");
			const char *v0 = str_at(json_object_get(json_object_get(in[0].run,
						"tool"), "driver"), "version");
			if ((v || v0) && (!v || !v0 || strcmp(v, v0))) {
				lg_diag(d, LG_ERROR, in[i].path, 0, 0,
					"written by leakgate %s, but %s by leakgate %s",
					v ? v : "(unknown)", in[0].path, v0 ? v0 : "(unknown)");
				ok = false;
			}
			if (!json_is_true(json_object_get(in[i].inv, "executionSuccessful"))) {
				lg_diag(d, LG_ERROR, in[i].path, 0, 0,
					"that run did not succeed (its errors are in the "
					"merged report's notifications)");
				ok = false;
			}
		}
		struct rendered r = { merge(in, n, ok, &res->results) };
		if (!r.log)
			ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
		else if (!strcmp(out, "-")) {
			ret = render(stdout, &r, d);
			if (ret == 0 && fflush(stdout) != 0)
				ret = lg_diag(d, LG_ERROR, NULL, 0, 0,
					      "cannot write the report: %s", strerror(errno));
		}
		else
			ret = lg_output_write_atomic(out, render, &r, d);
		json_decref(r.log);
		res->failed = !ok;
	}
	for (size_t i = 0; i < n; i++)
		json_decref(in[i].log);
	free(in);
	return ret;
}
