/*
 * output_gitlab.c - findings as a GitLab Code Quality report (see
 * output.h).
 *
 * The report is a JSON array of Code Climate issues, one per finding in the
 * order given:
 *
 *   {"type": "issue", "check_name": RULE, "description": HEADLINE,
 *    "content": {"body": the path as a numbered Markdown list},
 *    "categories": ["Bug Risk"], "severity": "major",
 *    "fingerprint": F, "location": {"path": FILE,
 *                                   "lines": {"begin": LINE, "end": LINE}}}
 *
 * GitLab matches issues across pipelines by fingerprint and shows only one
 * issue per fingerprint, so F must be unique in the report yet stable when
 * lines move.  The finding's own fingerprint is neither: it leaves out the
 * file (the same helper misused in two files gives two equal fingerprints)
 * and two leaks of one kind in one function can share it.  F is therefore
 * the SHA-256 of the finding's fingerprint, its file and its occurrence
 * index among the findings before it with the same file and fingerprint
 * (each followed by a NUL, the index in decimal): unique, and still free of
 * line numbers.
 */
#include "output.h"
#include "output_internal.h"
#include "hash.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>


#define jstr lg_output_json_string

/*
 * The issue's fingerprint; `seen` counts the findings so far per (file,
 * fingerprint).  0, or -1 when memory ran out.
 */
static int issue_fingerprint(json_t *seen, const struct lg_finding *f,
			     char hex[65])
{
	const char *fp = f->fingerprint ? f->fingerprint : "";
	const char *file = f->file ? f->file : "";
	struct lg_sha256 h;
	json_int_t index;
	char *key, num[32];
	int ret;

	/* The length prefix keeps ("a:b", "c") and ("a", "b:c") apart. */
	if (asprintf(&key, "%zu:%s%s", strlen(fp), fp, file) < 0)
		return -1;
	index = json_integer_value(json_object_get(seen, key));
	ret = json_object_set_new_nocheck(seen, key, json_integer(index + 1));
	free(key);
	if (ret < 0)
		return -1;

	snprintf(num, sizeof(num), "%lld", (long long)index);
	lg_sha256_init(&h);
	lg_sha256_update(&h, fp, strlen(fp) + 1);
	lg_sha256_update(&h, file, strlen(file) + 1);
	lg_sha256_update(&h, num, strlen(num));
	lg_sha256_hex(&h, hex);
	return 0;
}

/* The path as Markdown, in a new JSON string. */
static json_t *body(const struct lg_finding *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	json_t *v = NULL;

	if (!mem)
		return NULL;
	if (lg_output_markdown_path(mem, f) == 0 && fclose(mem) == 0)
		v = jstr(buf);
	else
		fclose(mem);
	free(buf);
	return v;
}

static json_t *issue(json_t *seen, const struct lg_finding *f)
{
	json_int_t line = f->line;
	char hex[65];

	if (issue_fingerprint(seen, f, hex) < 0)
		return NULL;
	return json_pack(
		"{s:s, s:o, s:o, s:{s:o}, s:[s], s:s, s:s,"
		" s:{s:o, s:{s:I, s:I}}}",
		"type", "issue",
		"check_name", jstr(f->rule_id),
		"description", jstr(f->message),
		"content", "body", body(f),
		"categories", "Bug Risk",
		"severity", "major",
		"fingerprint", hex,
		"location", "path", jstr(f->file),
		"lines", "begin", line, "end", line);
}

static json_t *report(const struct lg_findings *fs)
{
	json_t *issues = json_array(), *seen = json_object();

	if (!seen) {
		json_decref(issues);
		return NULL;
	}
	for (size_t i = 0; issues && i < fs->n; i++) {
		if (json_array_append_new(issues, issue(seen, &fs->v[i])) < 0) {
			json_decref(issues);
			issues = NULL;
		}
	}
	json_decref(seen);
	return issues;
}

int lg_output_gitlab(FILE *out, const struct lg_findings *fs,
		     const struct lg_output_opts *o, struct lg_diags *d)
{
	(void)o;
	return lg_output_json_write(out, report(fs), "GitLab Code Quality "
				    "report", d);
}
