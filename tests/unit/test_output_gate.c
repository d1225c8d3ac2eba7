/*
 * test_output_gate.c - unit tests for the formats a CI gate reads: the fix
 * in text and SARIF, leakgate's own JSON, GitHub workflow commands, GitLab
 * Code Quality, reviewdog's rdjson and Markdown (output_*.c), the relevance
 * order, and format names (output.c).
 *
 * Findings are built by hand, as the driver would build them.  JSON,
 * GitHub and Markdown output is compared byte for byte.  SARIF, GitLab and
 * rdjson output is written to a file and validated with python3-jsonschema
 * against the schemas in the directory given as argv[1] (without it those
 * checks are skipped): sarif-schema-2.1.0.json,
 * gitlab-codeclimate-issue.schema.json (each issue of the array) and
 * reviewdog-rdf/DiagnosticResult.json.  The validator resolves a relative
 * "$ref" against the schema file's own URI, so a schema split across files
 * validates as a whole; and it is itself checked: broken documents must
 * fail it.
 *
 * Each test gets a fresh temporary directory (setup/teardown) for the files
 * it writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "finding.h"
#include "output.h"
#include "rules.h"

#define PYTHON "/usr/bin/python3"

#define SARIF_SCHEMA "sarif-schema-2.1.0.json"
#define GITLAB_SCHEMA "gitlab-codeclimate-issue.schema.json"
#define RDJSON_SCHEMA "reviewdog-rdf/DiagnosticResult.json"

extern char **environ;

/* What main() hands every test, and what setup adds to it. */
struct config {
	const char *schemas;  /* directory of the schemas (argv[1]) or NULL */
};

struct fixture {
	const struct config *cfg;
	char dir[64];         /* this test's temporary directory */
};

/* ---- fixture ---- */

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->cfg = *state;
	strcpy(fx->dir, "/tmp/test_output_gate.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* Removes the test directory (and whatever a test left in it). */
static void remove_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	if (!dp)
		return;
	while ((e = readdir(dp))) {
		char *p;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			remove_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(dp);
	rmdir(dir);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	remove_tree(fx->dir);
	free(fx);
	return 0;
}

/* ---- building findings ---- */

static char *xstrdup(const char *s)
{
	char *p = s ? strdup(s) : NULL;

	if (s)
		assert_non_null(p);
	return p;
}

static char *path_in(const struct fixture *fx, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", fx->dir, name) > 0);
	return p;
}

static void set_step(struct lg_step *s, enum lg_step_kind kind,
		     const char *file, unsigned line, unsigned col,
		     const char *message)
{
	s->kind = kind;
	s->file = xstrdup(file);
	s->line = line;
	s->col = col;
	s->message = xstrdup(message);
}

/*
 * The outage of README.md, with its fix:
 *   examples/login.c:48:3, 'conn' acquired at 38:25 by pool_acquire(), a
 *   true branch at 47:6, lost by returning; the fix inserts
 *   "\t\tpool_release(pool, conn);\n" before line 48.
 */
static struct lg_finding login_finding(void)
{
	struct lg_finding f = { 0 };

	f.rule_id = xstrdup("pool-connection");
	f.kind = LG_KIND_CONNECTION;
	f.function = xstrdup("login");
	f.handle = xstrdup("conn");
	f.acquirer = xstrdup("pool_acquire");
	f.loss = LG_LOSS_RETURN;
	f.file = xstrdup("examples/login.c");
	f.line = 48;
	f.col = 3;
	f.source_line = xstrdup("\t\treturn LOGIN_DENIED;");
	f.acq_file = xstrdup("examples/login.c");
	f.acq_line = 38;
	f.acq_col = 25;
	f.message = xstrdup("connection 'conn' acquired by pool_acquire() at "
			    "line 38 is still held when the function returns "
			    "here");
	f.n_steps = 3;
	f.steps = calloc(3, sizeof(*f.steps));
	assert_non_null(f.steps);
	set_step(&f.steps[0], LG_STEP_ACQUIRE, "examples/login.c", 38, 25,
		 "'conn' acquired here by pool_acquire()");
	set_step(&f.steps[1], LG_STEP_BRANCH, "examples/login.c", 47, 6,
		 "taking the true branch of "
		 "'if (!check_password(password, stored_hash))'");
	set_step(&f.steps[2], LG_STEP_LOSS, "examples/login.c", 48, 3,
		 "returning with 'conn' still held");
	f.fix_text = xstrdup("\t\tpool_release(pool, conn);\n");
	f.fix_line = 48;
	assert_int_equal(lg_finding_fingerprint(&f), 0);
	return f;
}

/* A two-step leak of a FILE * in `file` at line:col, without a fix. */
static struct lg_finding file_finding(const char *file, unsigned line,
				      unsigned col, unsigned acq_line)
{
	struct lg_finding f = { 0 };
	char msg[160];

	snprintf(msg, sizeof(msg), "file 'fp' opened by fopen() at line %u "
		 "is still open when the function returns here", acq_line);
	f.rule_id = xstrdup("stdio-file");
	f.kind = LG_KIND_FILE;
	f.function = xstrdup("load");
	f.handle = xstrdup("fp");
	f.acquirer = xstrdup("fopen");
	f.loss = LG_LOSS_RETURN;
	f.file = xstrdup(file);
	f.line = line;
	f.col = col;
	f.acq_file = xstrdup(file);
	f.acq_line = acq_line;
	f.acq_col = 7;
	f.message = xstrdup(msg);
	f.n_steps = 2;
	f.steps = calloc(2, sizeof(*f.steps));
	assert_non_null(f.steps);
	set_step(&f.steps[0], LG_STEP_ACQUIRE, file, acq_line, 7,
		 "'fp' acquired here by fopen()");
	set_step(&f.steps[1], LG_STEP_LOSS, file, line, col,
		 "returning with 'fp' still open");
	assert_int_equal(lg_finding_fingerprint(&f), 0);
	return f;
}

static void push(struct lg_findings *fs, struct lg_finding f)
{
	assert_int_equal(lg_findings_push(fs, &f), 0);
	assert_null(f.rule_id); /* ownership moved */
}

/* login.c's leak and a file leak in a.c, in the report's order. */
static void two_findings(struct lg_findings *fs)
{
	push(fs, login_finding());
	push(fs, file_finding("a.c", 20, 3, 12));
	lg_findings_sort_unique(fs);
	assert_string_equal(fs->v[0].file, "a.c");
}

/* Renders `fs` with lg_output() into a string the caller frees. */
static char *render(const struct lg_findings *fs,
		    const struct lg_output_opts *o)
{
	struct lg_diags d = LG_DIAGS_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(lg_output(out, fs, o, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(fclose(out), 0);
	lg_diags_release(&d);
	return buf;
}

static char *render_as(const struct lg_findings *fs, enum lg_format format)
{
	struct lg_output_opts o = { .format = format, .version = "0.1.0" };

	return render(fs, &o);
}

/* Writes `fs` in `format` to `path` (through lg_output_write_file). */
static void write_report(const char *path, const struct lg_findings *fs,
			 enum lg_format format)
{
	struct lg_output_opts o = { .format = format, .version = "0.1.0" };
	struct lg_diags d = LG_DIAGS_INIT;

	assert_int_equal(lg_output_write_file(path, fs, &o, &d), 0);
	assert_int_equal(d.n, 0);
	lg_diags_release(&d);
}

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (!j)
		fail_msg("%s:%d: %s", path, err.line, err.text);
	return j;
}

static json_t *parse_json(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	if (!j)
		fail_msg("%d: %s", err.line, err.text);
	return j;
}

/* The value at `path` in a tiny path language ("a.b.0.c"), or NULL. */
static json_t *at(json_t *root, const char *path)
{
	json_t *v = root;
	char key[64];

	while (*path && v) {
		size_t n = strcspn(path, ".");

		assert_true(n < sizeof(key));
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_is_array(v))
			v = json_array_get(v, strtoul(key, NULL, 10));
		else
			v = json_object_get(v, key);
		path += n + (path[n] == '.');
	}
	return v;
}

static void check_str(json_t *root, const char *path, const char *want)
{
	json_t *v = at(root, path);

	if (!json_is_string(v))
		fail_msg("%s: not a string", path);
	assert_string_equal(json_string_value(v), want);
}

static void check_int(json_t *root, const char *path, json_int_t want)
{
	json_t *v = at(root, path);

	if (!json_is_integer(v))
		fail_msg("%s: not an integer", path);
	assert_int_equal(json_integer_value(v), want);
}

/* ---- schema validation ---- */

/*
 * argv: SCHEMA INSTANCE MODE.  MODE "items": INSTANCE must be an array and
 * each element is validated; "whole": the document is.  Refs are resolved
 * against the schema file's URI, so "Diagnostic.json#/..." would be read
 * from the schema's directory; a schema with its own id (SARIF's) is also
 * known under that id, so that its "#/definitions/..." refs, which resolve
 * against the id, are found without the network.  Exit status 0: valid.
 */
static const char VALIDATE_PY[] =
	"import json, pathlib, sys\n"
	"import jsonschema\n"
	"schema_path = pathlib.Path(sys.argv[1]).resolve()\n"
	"schema = json.loads(schema_path.read_text())\n"
	"cls = jsonschema.validators.validator_for(schema)\n"
	"cls.check_schema(schema)\n"
	"resolver = jsonschema.RefResolver(base_uri=schema_path.as_uri(),\n"
	"                                  referrer=schema)\n"
	"if cls.ID_OF(schema):\n"
	"    resolver.store[cls.ID_OF(schema)] = schema\n"
	"validator = cls(schema, resolver=resolver)\n"
	"doc = json.loads(pathlib.Path(sys.argv[2]).read_text())\n"
	"if sys.argv[3] == 'items':\n"
	"    if not isinstance(doc, list):\n"
	"        sys.exit('not an array')\n"
	"    items = doc\n"
	"else:\n"
	"    items = [doc]\n"
	"bad = 0\n"
	"for i, item in enumerate(items):\n"
	"    for e in validator.iter_errors(item):\n"
	"        bad += 1\n"
	"        print('%d: %s: %s' % (i, '/'.join(map(str, e.absolute_path)),\n"
	"                              e.message))\n"
	"sys.exit(1 if bad else 0)\n";

/* Runs VALIDATE_PY; its exit status (0: valid). */
static int validate(const char *schema, const char *instance, int items,
		    int quiet)
{
	char *argv[] = { PYTHON, "-c", (char *)VALIDATE_PY, (char *)schema,
			 (char *)instance, items ? "items" : "whole", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	assert_int_equal(posix_spawn(&pid, PYTHON, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* SCHEMAS/name, or skip the test when there are no schemas. */
static char *schema_or_skip(const struct fixture *fx, const char *name)
{
	char *p;

	if (!fx->cfg->schemas || access(PYTHON, X_OK) < 0)
		skip();
	assert_true(asprintf(&p, "%s/%s", fx->cfg->schemas, name) > 0);
	if (access(p, R_OK) < 0)
		fail_msg("%s: %s", p, strerror(errno));
	return p;
}

/* Dumps `doc` (consumed) to `path` and validates it, quietly. */
static int validate_doc(const char *schema, const char *path, json_t *doc,
			int items)
{
	assert_int_equal(json_dump_file(doc, path, JSON_INDENT(2)), 0);
	json_decref(doc);
	return validate(schema, path, items, 1);
}

static void write_string(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

/* ---- format names and dispatch ---- */

static void output__format_names_round_trip(void **state)
{
	static const char *const names[] = {
		"text", "sarif", "json", "github", "gitlab", "rdjson",
		"markdown",
	};
	enum lg_format f = LG_FORMAT_TEXT;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(lg_format_parse(names[i], &f), 0);
		assert_string_equal(lg_format_name(f), names[i]);
	}
	assert_int_equal(lg_format_parse("JSON", &f), -1);
	assert_int_equal(lg_format_parse("", &f), -1);
	assert_int_equal(lg_format_parse("sarif2", &f), -1);
	assert_int_equal(lg_format_parse(NULL, &f), -1);
	assert_int_equal(f, LG_FORMAT_MARKDOWN); /* untouched on failure */
	assert_null(lg_format_name((enum lg_format)42));
	assert_null(lg_format_name((enum lg_format)-1));
}

/* lg_output() renders each format as the format's own function does. */
static void output__dispatch_reaches_every_format(void **state)
{
	int (*const direct[])(FILE *, const struct lg_findings *,
			      const struct lg_output_opts *,
			      struct lg_diags *) = {
		[LG_FORMAT_SARIF] = lg_output_sarif,
		[LG_FORMAT_JSON] = lg_output_json,
		[LG_FORMAT_GITHUB] = lg_output_github,
		[LG_FORMAT_GITLAB] = lg_output_gitlab,
		[LG_FORMAT_RDJSON] = lg_output_rdjson,
		[LG_FORMAT_MARKDOWN] = lg_output_markdown,
	};
	struct lg_findings fs = LG_FINDINGS_INIT;

	(void)state;
	two_findings(&fs);
	for (int i = LG_FORMAT_SARIF; i <= LG_FORMAT_MARKDOWN; i++) {
		struct lg_output_opts o = { .format = (enum lg_format)i,
					    .version = "0.1.0" };
		struct lg_diags d = LG_DIAGS_INIT;
		char *via = render(&fs, &o), *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		assert_non_null(out);
		assert_int_equal(direct[i](out, &fs, &o, &d), 0);
		fclose(out);
		assert_true(len > 0);
		assert_string_equal(via, buf);
		free(via);
		free(buf);
		lg_diags_release(&d);
	}
	lg_findings_release(&fs);
}

static void output__new_formats_report_write_errors(void **state)
{
	static const struct {
		enum lg_format format;
		const char *what;
	} cases[] = {
		{ LG_FORMAT_JSON, "cannot write the JSON report" },
		{ LG_FORMAT_GITHUB, "cannot write the GitHub annotations" },
		{ LG_FORMAT_GITLAB, "cannot write the GitLab Code Quality report" },
		{ LG_FORMAT_RDJSON, "cannot write the rdjson report" },
		{ LG_FORMAT_MARKDOWN, "cannot write the Markdown summary" },
	};
	struct lg_findings fs = LG_FINDINGS_INIT;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	if (!full)
		skip();
	setvbuf(full, NULL, _IONBF, 0);
	two_findings(&fs);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lg_output_opts o = { .format = cases[i].format };
		struct lg_diags d = LG_DIAGS_INIT;
		char *want;

		clearerr(full);
		assert_int_equal(lg_output(full, &fs, &o, &d), -1);
		assert_int_equal(d.n, 1);
		assert_int_equal(d.v[0].sev, LG_ERROR);
		assert_true(asprintf(&want, "%s: %s", cases[i].what,
				     strerror(ENOSPC)) > 0);
		assert_string_equal(d.v[0].msg, want);
		free(want);
		lg_diags_release(&d);
	}
	fclose(full);
	lg_findings_release(&fs);
}

/* ---- relevance ---- */

static void output__relevance_puts_shared_resources_first(void **state)
{
	static const enum lg_kind kinds[] = {
		LG_KIND_HANDLE, LG_KIND_MEMORY, LG_KIND_FILE, LG_KIND_LOCK,
		LG_KIND_STATEMENT, LG_KIND_RESULT, LG_KIND_CONNECTION,
	};
	struct lg_findings fs = LG_FINDINGS_INIT;
	const struct lg_finding *v[9];

	(void)state;
	/* One finding per kind, each in a file named after its position:
	 * the later the kind above, the earlier its file. */
	for (size_t i = 0; i < 7; i++) {
		char file[16];
		struct lg_finding f;

		snprintf(file, sizeof(file), "%zu.c", 6 - i);
		f = file_finding(file, 10, 1, 1);
		f.kind = kinds[i];
		push(&fs, f);
	}
	/* Ties on the tier: file, then line, column, rule. */
	push(&fs, file_finding("0.c", 9, 5, 1));       /* a file: tier 1 */
	{
		struct lg_finding f = file_finding("0.c", 10, 1, 1);

		f.kind = LG_KIND_LOCK;
		free(f.rule_id);
		f.rule_id = xstrdup("a-lock");
		push(&fs, f);
	}
	for (size_t i = 0; i < fs.n; i++)
		v[i] = &fs.v[i];
	lg_findings_by_relevance(v, fs.n);

	/* Connection, result, statement, lock (tier 0) by place: */
	assert_true(v[0] == &fs.v[8]);   /* 0.c:10:1 a-lock */
	assert_true(v[1] == &fs.v[6]);   /* 0.c:10:1 stdio-file, connection */
	assert_true(v[2] == &fs.v[5]);   /* 1.c result */
	assert_true(v[3] == &fs.v[4]);   /* 2.c statement */
	assert_true(v[4] == &fs.v[3]);   /* 3.c lock */
	/* then file, memory, handle (tier 1) by place. */
	assert_true(v[5] == &fs.v[7]);   /* 0.c:9 file */
	assert_true(v[6] == &fs.v[2]);   /* 4.c file */
	assert_true(v[7] == &fs.v[1]);   /* 5.c memory */
	assert_true(v[8] == &fs.v[0]);   /* 6.c handle */
	lg_findings_release(&fs);
}

/* ---- text: the fix ---- */

static void output__text_shows_the_fix_like_a_fixit(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;

	(void)state;
	push(&fs, login_finding());
	text = render_as(&fs, LG_FORMAT_TEXT);
	assert_string_equal(text,
		"examples/login.c:48:3: warning: connection 'conn' acquired by "
		"pool_acquire() at line 38 is still held when the function "
		"returns here [pool-connection]\n"
		"   48 |                 return LOGIN_DENIED;\n"
		"      |                 ^\n"
		"examples/login.c:38:25: note: 'conn' acquired here by "
		"pool_acquire()\n"
		"examples/login.c:47:6: note: taking the true branch of "
		"'if (!check_password(password, stored_hash))'\n"
		"examples/login.c:48:3: note: returning with 'conn' still held\n"
		"examples/login.c:48:1: note: insert before this line to "
		"release it:\n"
		"      |                 pool_release(pool, conn);\n"
		"1 leak found.\n");
	free(text);
	lg_findings_release(&fs);
}

static void output__text_fix_of_several_lines_in_a_wide_gutter(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("big.c", 123456, 3, 123400);
	char *text;

	(void)state;
	f.source_line = xstrdup("  return;");
	f.fix_text = xstrdup("  fclose(fp);\n\tlog(\"\033[2J\");\n");
	f.fix_line = 123456;
	push(&fs, f);
	text = render_as(&fs, LG_FORMAT_TEXT);
	assert_non_null(strstr(text,
		"big.c:123456:3: note: returning with 'fp' still open\n"
		"big.c:123456:1: note: insert before this line to release it:\n"
		"        |   fclose(fp);\n"
		"        |         log(\"<U+001B>[2J\");\n"
		"1 leak found.\n"));
	free(text);
	lg_findings_release(&fs);
}

static void output__text_fix_in_color(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_TEXT, .color = 1 };
	char *text;

	(void)state;
	push(&fs, login_finding());
	text = render(&fs, &o);
	assert_non_null(strstr(text,
		"returning with 'conn' still held\n"
		"\033[1mexamples/login.c:48:1: \033[0m\033[0;1;30mnote: \033[0m"
		"insert before this line to release it:\n"
		"      |                 pool_release(pool, conn);\n"
		"1 leak found.\n"));
	free(text);
	lg_findings_release(&fs);
}

/* ---- SARIF: the fix ---- */

static void output__sarif_fix_validates_and_inserts(void **state)
{
	struct fixture *fx = *state;
	char *schema = schema_or_skip(fx, SARIF_SCHEMA);
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *path = path_in(fx, "fix.sarif"), *bad = path_in(fx, "bad.sarif");
	json_t *doc, *res, *fix;

	two_findings(&fs);
	write_report(path, &fs, LG_FORMAT_SARIF);
	assert_int_equal(validate(schema, path, 0, 0), 0);

	doc = load_json(path);
	/* The file leak has no fix, the login leak has one. */
	assert_null(at(doc, "runs.0.results.0.fixes"));
	res = at(doc, "runs.0.results.1");
	assert_int_equal(json_array_size(json_object_get(res, "fixes")), 1);
	check_str(res, "fixes.0.description.text",
		  "insert the release before the exit");
	check_str(res, "fixes.0.artifactChanges.0.artifactLocation.uri",
		  "examples/login.c");
	check_str(res, "fixes.0.artifactChanges.0.artifactLocation.uriBaseId",
		  "%SRCROOT%");
	fix = at(res, "fixes.0.artifactChanges.0.replacements.0");
	check_int(fix, "deletedRegion.startLine", 48);
	check_int(fix, "deletedRegion.startColumn", 1);
	check_int(fix, "deletedRegion.endLine", 48);
	check_int(fix, "deletedRegion.endColumn", 1);
	check_str(fix, "insertedContent.text", "\t\tpool_release(pool, conn);\n");

	/* The schema does check the fix: a replacement needs its region. */
	json_object_del(fix, "deletedRegion");
	assert_int_not_equal(validate_doc(schema, bad, doc, 0), 0);

	free(schema);
	free(path);
	free(bad);
	lg_findings_release(&fs);
}

/* ---- JSON ---- */

static const char LOGIN_JSON[] =
	"{\n"
	"  \"tool\": \"leakgate\",\n"
	"  \"version\": \"0.1.0\",\n"
	"  \"findings\": [\n"
	"    {\n"
	"      \"rule_id\": \"pool-connection\",\n"
	"      \"kind\": \"connection\",\n"
	"      \"function\": \"login\",\n"
	"      \"handle\": \"conn\",\n"
	"      \"acquirer\": \"pool_acquire\",\n"
	"      \"loss\": \"return\",\n"
	"      \"file\": \"examples/login.c\",\n"
	"      \"line\": 48,\n"
	"      \"column\": 3,\n"
	"      \"message\": \"connection 'conn' acquired by pool_acquire() at "
	"line 38 is still held when the function returns here\",\n"
	"      \"fingerprint\": \"%s\",\n"
	"      \"acquisition\": {\n"
	"        \"file\": \"examples/login.c\",\n"
	"        \"line\": 38,\n"
	"        \"column\": 25\n"
	"      },\n"
	"      \"steps\": [\n"
	"        {\n"
	"          \"kind\": \"acquire\",\n"
	"          \"file\": \"examples/login.c\",\n"
	"          \"line\": 38,\n"
	"          \"column\": 25,\n"
	"          \"message\": \"'conn' acquired here by pool_acquire()\"\n"
	"        },\n"
	"        {\n"
	"          \"kind\": \"branch\",\n"
	"          \"file\": \"examples/login.c\",\n"
	"          \"line\": 47,\n"
	"          \"column\": 6,\n"
	"          \"message\": \"taking the true branch of "
	"'if (!check_password(password, stored_hash))'\"\n"
	"        },\n"
	"        {\n"
	"          \"kind\": \"loss\",\n"
	"          \"file\": \"examples/login.c\",\n"
	"          \"line\": 48,\n"
	"          \"column\": 3,\n"
	"          \"message\": \"returning with 'conn' still held\"\n"
	"        }\n"
	"      ],\n"
	"      \"fix\": {\n"
	"        \"file\": \"examples/login.c\",\n"
	"        \"line\": 48,\n"
	"        \"insert\": \"\\t\\tpool_release(pool, conn);\\n\"\n"
	"      },\n"
	"      \"anchor\": null\n"
	"    }\n"
	"  ],\n"
	"  \"problems\": [],\n"
	"  \"summary\": {\n"
	"    \"findings\": 1,\n"
	"    \"by_rule\": {\n"
	"      \"pool-connection\": 1\n"
	"    }\n"
	"  }\n"
	"}\n";

static void output__json_is_exact(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text, *want;

	(void)state;
	push(&fs, login_finding());
	text = render_as(&fs, LG_FORMAT_JSON);
	assert_true(asprintf(&want, LOGIN_JSON, fs.v[0].fingerprint) > 0);
	assert_string_equal(text, want);
	free(want);
	free(text);
	lg_findings_release(&fs);
}

static void output__json_of_nothing(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_JSON };
	char *text;

	(void)state;
	text = render(&fs, &o); /* no version given: null */
	assert_string_equal(text,
		"{\n"
		"  \"tool\": \"leakgate\",\n"
		"  \"version\": null,\n"
		"  \"findings\": [],\n"
		"  \"problems\": [],\n"
		"  \"summary\": {\n"
		"    \"findings\": 0,\n"
		"    \"by_rule\": {}\n"
		"  }\n"
		"}\n");
	free(text);
}

/* The run's errors and warnings go in "problems" (notes do not): a reader
 * of the findings learns which functions they do not cover. */
static void output__json_lists_the_runs_problems(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_diags d = LG_DIAGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_JSON, .problems = &d };
	char *text;

	(void)state;
	lg_diag(&d, LG_NOTE, "a.c", 0, 0, "dropped flags");
	lg_diag(&d, LG_WARNING, "a.c", 2, 5, "function 'f' was not fully analysed: x");
	lg_diag(&d, LG_ERROR, NULL, 0, 0, "out of memory");
	text = render(&fs, &o);
	assert_string_equal(text,
		"{\n"
		"  \"tool\": \"leakgate\",\n"
		"  \"version\": null,\n"
		"  \"findings\": [],\n"
		"  \"problems\": [\n"
		"    {\n"
		"      \"severity\": \"warning\",\n"
		"      \"file\": \"a.c\",\n"
		"      \"line\": 2,\n"
		"      \"column\": 5,\n"
		"      \"message\": \"function 'f' was not fully analysed: x\"\n"
		"    },\n"
		"    {\n"
		"      \"severity\": \"error\",\n"
		"      \"file\": \"\",\n"
		"      \"line\": 0,\n"
		"      \"column\": 0,\n"
		"      \"message\": \"out of memory\"\n"
		"    }\n"
		"  ],\n"
		"  \"summary\": {\n"
		"    \"findings\": 0,\n"
		"    \"by_rule\": {}\n"
		"  }\n"
		"}\n");
	free(text);
	lg_diags_release(&d);
}

static void output__json_summary_and_unfixed_findings(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("b.c", 4, 2, 1);
	char *text;
	json_t *doc;

	(void)state;
	f.loss = LG_LOSS_OVERWRITE;
	free(f.function);
	f.function = NULL;                 /* unknown: "" */
	push(&fs, f);
	f = file_finding("c.c", 4, 2, 1);
	f.loss = LG_LOSS_SCOPE;
	f.steps[1].kind = LG_STEP_JUMP;
	free(f.steps[1].file);
	f.steps[1].file = NULL;            /* the finding's file */
	free(f.handle);
	f.handle = xstrdup("caf\xe9");     /* Latin-1: repaired */
	push(&fs, f);
	push(&fs, login_finding());
	lg_findings_sort_unique(&fs);
	text = render_as(&fs, LG_FORMAT_JSON);
	doc = parse_json(text);

	check_int(doc, "summary.findings", 3);
	/* by_rule in byte order, whatever the findings' order. */
	assert_non_null(strstr(text,
		"    \"by_rule\": {\n"
		"      \"pool-connection\": 1,\n"
		"      \"stdio-file\": 2\n"
		"    }\n"));
	check_str(doc, "findings.0.file", "b.c");
	check_str(doc, "findings.0.kind", "file");
	check_str(doc, "findings.0.loss", "overwrite");
	check_str(doc, "findings.0.function", "");
	assert_true(json_is_null(at(doc, "findings.0.fix")));
	check_str(doc, "findings.1.loss", "scope");
	check_str(doc, "findings.1.handle", "caf\xef\xbf\xbd");
	check_str(doc, "findings.1.steps.1.kind", "jump");
	check_str(doc, "findings.1.steps.1.file", "c.c");
	check_str(doc, "findings.2.fix.insert", "\t\tpool_release(pool, conn);\n");
	json_decref(doc);
	free(text);
	lg_findings_release(&fs);
}

/*
 * Fault injection: jansson's allocator hooks take no context, so the
 * countdown to the failing allocation has to be a file-scope variable (this
 * test's only one; it is reset before the hooks are removed).
 */
static long jansson_allocs_left = -1;

static void *failing_malloc(size_t n)
{
	if (jansson_allocs_left == 0)
		return NULL;
	if (jansson_allocs_left > 0)
		jansson_allocs_left--;
	return malloc(n);
}

static void output__json_formats_survive_out_of_memory(void **state)
{
	static const struct {
		enum lg_format format;
		const char *msg;
	} cases[] = {
		{ LG_FORMAT_JSON, "cannot build the JSON report: out of memory" },
		{ LG_FORMAT_GITLAB, "cannot build the GitLab Code Quality "
				    "report: out of memory" },
		{ LG_FORMAT_RDJSON, "cannot build the rdjson report: out of "
				    "memory" },
	};
	struct lg_findings fs = LG_FINDINGS_INIT;

	(void)state;
	two_findings(&fs);
	push(&fs, file_finding("a.c", 20, 3, 12)); /* a gitlab repeat */
	json_set_alloc_funcs(failing_malloc, free);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct lg_output_opts o = { .format = cases[c].format,
					    .version = "1" };
		int failures = 0, successes = 0;

		/* Fail the 1st, 2nd, ... allocation until one run needs no
		 * more. */
		for (long k = 0; !successes && k < 100000; k++) {
			struct lg_diags d = LG_DIAGS_INIT;
			char *buf = NULL;
			size_t len = 0;
			FILE *out = open_memstream(&buf, &len);
			int ret;

			assert_non_null(out);
			jansson_allocs_left = k;
			ret = lg_output(out, &fs, &o, &d);
			jansson_allocs_left = -1;
			fclose(out);
			if (ret < 0) {
				failures++;
				assert_int_equal(d.n, 1);
				assert_string_equal(d.v[0].msg, cases[c].msg);
				assert_int_equal(len, 0);
			} else {
				successes++;
				assert_int_equal(d.n, 0);
				assert_true(len > 0 && buf[len - 1] == '\n');
			}
			free(buf);
			lg_diags_release(&d);
		}
		assert_int_equal(successes, 1);
		assert_true(failures > 50);
	}
	json_set_alloc_funcs(malloc, free);
	lg_findings_release(&fs);
}

/* ---- GitHub ---- */

static void output__github_is_exact(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;

	(void)state;
	two_findings(&fs);
	text = render_as(&fs, LG_FORMAT_GITHUB);
	/* The connection first, though a.c sorts before examples/. */
	assert_string_equal(text,
		"::error file=examples/login.c,line=48,endLine=48,col=3,"
		"title=leakgate pool-connection::connection 'conn' acquired by "
		"pool_acquire() at line 38 is still held when the function "
		"returns here"
		"%0Aexamples/login.c:38: 'conn' acquired here by pool_acquire()"
		"%0Aexamples/login.c:47: taking the true branch of "
		"'if (!check_password(password, stored_hash))'"
		"%0Aexamples/login.c:48: returning with 'conn' still held"
		"%0Afix: insert before line 48: pool_release(pool, conn);\n"
		"::error file=a.c,line=20,endLine=20,col=3,"
		"title=leakgate stdio-file::file 'fp' opened by fopen() at line "
		"12 is still open when the function returns here"
		"%0Aa.c:12: 'fp' acquired here by fopen()"
		"%0Aa.c:20: returning with 'fp' still open\n");
	free(text);
	lg_findings_release(&fs);
}

static void output__github_escapes_like_the_toolkit(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("dir,x/100%:a.c", 5, 0, 2);
	char *text;

	(void)state;
	free(f.rule_id);
	f.rule_id = xstrdup("odd:rule,1");
	free(f.message);
	f.message = xstrdup("50% of 'a, b: c'\r\nsecond line");
	free(f.steps[1].message);
	f.steps[1].message = xstrdup("::stop-commands::x");
	f.n_steps = 2;
	f.fix_text = xstrdup("  fclose(fp); \t\n\n\t\tlog(\"100%\");\r\n");
	f.fix_line = 5;
	push(&fs, f);
	text = render_as(&fs, LG_FORMAT_GITHUB);
	/* Properties: % CR LF : , escaped; data: % CR LF only.  An unknown
	 * column (0) leaves col out.  The fix's lines are trimmed. */
	assert_string_equal(text,
		"::error file=dir%2Cx/100%25%3Aa.c,line=5,endLine=5,"
		"title=leakgate odd%3Arule%2C1::50%25 of 'a, b: c'%0D%0Asecond line"
		"%0Adir,x/100%25:a.c:2: 'fp' acquired here by fopen()"
		"%0Adir,x/100%25:a.c:5: ::stop-commands::x"
		"%0Afix: insert before line 5: fclose(fp);%0Alog(\"100%25\");\n");
	free(text);
	lg_findings_release(&fs);
}

/* n findings of kind file, in files 00.c, 01.c, ... */
static void many_findings(struct lg_findings *fs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char file[32];

		snprintf(file, sizeof(file), "%02zu.c", i);
		push(fs, file_finding(file, 3, 1, 1));
	}
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		n += !strncmp(p, prefix, len);
		assert_non_null(strchr(p, '\n'));
	}
	return n;
}

static void output__github_annotates_at_most_max(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_GITHUB };
	const char *last;
	char *text;

	(void)state;
	many_findings(&fs, 12);
	/* 0 means GitHub's ten. */
	text = render(&fs, &o);
	assert_int_equal(count_lines(text, "::error "), 10);
	assert_int_equal(count_lines(text, "::"), 11);
	last = strstr(text, "::notice");
	assert_non_null(last);
	assert_string_equal(last,
		"::notice title=leakgate::2 more findings are not annotated "
		"here; see the job summary for the full list\n");
	/* The first ten by relevance: 00.c to 09.c. */
	assert_non_null(strstr(text, "::error file=09.c,"));
	assert_null(strstr(text, "::error file=10.c,"));
	free(text);

	o.max_annotations = 11;
	text = render(&fs, &o);
	assert_int_equal(count_lines(text, "::error "), 11);
	assert_non_null(strstr(text,
		"\n::notice title=leakgate::1 more finding is not annotated "
		"here; see the job summary for the full list\n"));
	free(text);

	o.max_annotations = 12;
	text = render(&fs, &o);
	assert_int_equal(count_lines(text, "::error "), 12);
	assert_null(strstr(text, "::notice"));
	free(text);
	lg_findings_release(&fs);
}

static void output__github_of_nothing_is_empty(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;

	(void)state;
	text = render_as(&fs, LG_FORMAT_GITHUB);
	assert_string_equal(text, "");
	free(text);
}

/* ---- Markdown ---- */

static void output__markdown_is_exact(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;

	(void)state;
	two_findings(&fs);
	text = render_as(&fs, LG_FORMAT_MARKDOWN);
	assert_string_equal(text,
		"## leakgate: 2 leaks\n"
		"\n"
		"### `examples/login.c:48` pool-connection \xe2\x80\x94 login\n"
		"\n"
		"connection 'conn' acquired by pool\\_acquire() at line 38 is "
		"still held when the function returns here\n"
		"\n"
		"1. `examples/login.c:38` 'conn' acquired here by "
		"pool\\_acquire()\n"
		"2. `examples/login.c:47` taking the true branch of "
		"'if (!check\\_password(password, stored\\_hash))'\n"
		"3. `examples/login.c:48` returning with 'conn' still held\n"
		"\n"
		"Fix: insert before line 48:\n"
		"\n"
		"```c\n"
		"\t\tpool_release(pool, conn);\n"
		"```\n"
		"\n"
		"### `a.c:20` stdio-file \xe2\x80\x94 load\n"
		"\n"
		"file 'fp' opened by fopen() at line 12 is still open when the "
		"function returns here\n"
		"\n"
		"1. `a.c:12` 'fp' acquired here by fopen()\n"
		"2. `a.c:20` returning with 'fp' still open\n");
	free(text);
	lg_findings_release(&fs);
}

static void output__markdown_of_one_and_of_nothing(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;

	(void)state;
	text = render_as(&fs, LG_FORMAT_MARKDOWN);
	assert_string_equal(text, "## leakgate: no leaks\n");
	free(text);
	push(&fs, file_finding("a.c", 20, 3, 12));
	text = render_as(&fs, LG_FORMAT_MARKDOWN);
	assert_true(!strncmp(text, "## leakgate: 1 leak\n\n### `a.c:20` ",
			     strlen("## leakgate: 1 leak\n\n### `a.c:20` ")));
	free(text);
	lg_findings_release(&fs);
}

/* The job summary says what it does not cover: the run's errors and
 * warnings under "Not covered" (notes are left out). */
static void output__markdown_names_what_is_not_covered(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_diags d = LG_DIAGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_MARKDOWN, .problems = &d };
	char *text;

	(void)state;
	lg_diag(&d, LG_NOTE, "a.c", 0, 0, "dropped flags");
	lg_diag(&d, LG_WARNING, "a.c", 2, 5, "function 'f_1' was not fully analysed");
	lg_diag(&d, LG_ERROR, "b.c", 0, 0, "file does not parse");
	text = render(&fs, &o);
	assert_string_equal(text,
		"## leakgate: no leaks\n"
		"\n### Not covered\n\n"
		"- warning: `a.c:2` function 'f\\_1' was not fully analysed\n"
		"- error: `b.c` file does not parse\n");
	free(text);
	lg_diags_release(&d);
}

static void output__markdown_escapes_what_the_code_says(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("we`ird``.c", 7, 1, 2);
	char *text;

	(void)state;
	free(f.function);
	f.function = xstrdup("*get_<b>*");
	free(f.message);
	f.message = xstrdup("1. handle 'a[i]' & <x> | ~y~ # `z`\nnext");
	free(f.steps[0].file);
	f.steps[0].file = xstrdup("`start.c");
	free(f.steps[0].message);
	f.steps[0].message = xstrdup("'*p' acquired here by [link](x)");
	f.fix_text = xstrdup("fclose(fp); /* ``` */\n");
	f.fix_line = 7;
	push(&fs, f);
	text = render_as(&fs, LG_FORMAT_MARKDOWN);
	assert_string_equal(text,
		"## leakgate: 1 leak\n"
		"\n"
		/* A fence longer than the longest run inside. */
		"### ```we`ird``.c:7``` stdio-file \xe2\x80\x94 "
		"\\*get\\_\\<b\\>\\*\n"
		"\n"
		/* "1." would start a list; the newline would end the line. */
		"1\\. handle 'a\\[i\\]' \\& \\<x\\> \\| \\~y\\~ \\# \\`z\\` next\n"
		"\n"
		/* A span starting with a backtick is padded. */
		"1. `` `start.c:2 `` '\\*p' acquired here by \\[link\\](x)\n"
		"2. ```we`ird``.c:7``` returning with 'fp' still open\n"
		"\n"
		"Fix: insert before line 7:\n"
		"\n"
		"````c\n"
		"fclose(fp); /* ``` */\n"
		"````\n");
	free(text);
	lg_findings_release(&fs);
}

/* ---- GitLab ---- */

static void output__gitlab_validates_against_the_schema(void **state)
{
	struct fixture *fx = *state;
	char *schema = schema_or_skip(fx, GITLAB_SCHEMA);
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *path = path_in(fx, "gl.json"), *empty = path_in(fx, "none.json");
	char *text;

	write_report(empty, &fs, LG_FORMAT_GITLAB);
	text = render_as(&fs, LG_FORMAT_GITLAB);
	assert_string_equal(text, "[]\n");
	free(text);
	assert_int_equal(validate(schema, empty, 1, 0), 0);

	two_findings(&fs);
	push(&fs, file_finding("\xe9t\xe9.c", 1, 1, 1)); /* Latin-1 */
	write_report(path, &fs, LG_FORMAT_GITLAB);
	assert_int_equal(validate(schema, path, 1, 0), 0);
	free(schema);
	free(path);
	free(empty);
	lg_findings_release(&fs);
}

static void output__gitlab_schema_check_rejects_broken_issues(void **state)
{
	struct fixture *fx = *state;
	char *schema = schema_or_skip(fx, GITLAB_SCHEMA);
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *good = path_in(fx, "good.json"), *bad = path_in(fx, "bad.json");
	json_t *doc;

	two_findings(&fs);
	write_report(good, &fs, LG_FORMAT_GITLAB);
	assert_int_equal(validate(schema, good, 1, 1), 0);

	/* The second issue loses its fingerprint. */
	doc = load_json(good);
	json_object_del(json_array_get(doc, 1), "fingerprint");
	assert_int_not_equal(validate_doc(schema, bad, doc, 1), 0);

	/* A line that is not an integer. */
	doc = load_json(good);
	json_object_set_new(at(doc, "0.location.lines"), "begin",
			    json_string("20"));
	assert_int_not_equal(validate_doc(schema, bad, doc, 1), 0);

	/* An object where the report is an array. */
	doc = load_json(good);
	assert_int_not_equal(validate_doc(schema, bad,
					  json_pack("{s:o}", "issues", doc), 1),
			     0);

	free(schema);
	free(good);
	free(bad);
	lg_findings_release(&fs);
}

static void output__gitlab_issue_structure(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;
	json_t *doc, *issue;

	(void)state;
	two_findings(&fs);
	text = render_as(&fs, LG_FORMAT_GITLAB);
	assert_true(!strncmp(text, "[\n  {\n    \"type\": \"issue\",\n",
			     strlen("[\n  {\n    \"type\": \"issue\",\n")));
	doc = parse_json(text);
	assert_int_equal(json_array_size(doc), 2);
	issue = json_array_get(doc, 1);
	check_str(issue, "type", "issue");
	check_str(issue, "check_name", "pool-connection");
	check_str(issue, "description", fs.v[1].message);
	check_str(issue, "content.body",
		  "1. `examples/login.c:38` 'conn' acquired here by "
		  "pool\\_acquire()\n"
		  "2. `examples/login.c:47` taking the true branch of "
		  "'if (!check\\_password(password, stored\\_hash))'\n"
		  "3. `examples/login.c:48` returning with 'conn' still held\n");
	assert_int_equal(json_array_size(json_object_get(issue, "categories")), 1);
	check_str(issue, "categories.0", "Bug Risk");
	check_str(issue, "severity", "major");
	check_str(issue, "location.path", "examples/login.c");
	check_int(issue, "location.lines.begin", 48);
	check_int(issue, "location.lines.end", 48);
	assert_int_equal(strlen(json_string_value(at(issue, "fingerprint"))), 64);
	json_decref(doc);
	free(text);
	lg_findings_release(&fs);
}

/* The fingerprints of a GitLab report, in order, as one string. */
static char *gitlab_fingerprints(const struct lg_findings *fs)
{
	char *text = render_as(fs, LG_FORMAT_GITLAB), *buf = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&buf, &len);
	json_t *doc = parse_json(text), *issue;

	assert_non_null(out);
	json_array_foreach(doc, i, issue)
		fprintf(out, "%s\n", json_string_value(at(issue, "fingerprint")));
	fclose(out);
	json_decref(doc);
	free(text);
	return buf;
}

static void output__gitlab_fingerprints_are_unique_and_stable(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT, moved = LG_FINDINGS_INIT;
	char *fps, *again;
	struct lg_finding f;

	(void)state;
	/* The same leak in two files (equal finding fingerprints), and
	 * twice in one of them. */
	push(&fs, file_finding("a.c", 10, 3, 2));
	push(&fs, file_finding("b.c", 10, 3, 2));
	push(&fs, file_finding("b.c", 30, 3, 2));
	assert_string_equal(fs.v[0].fingerprint, fs.v[1].fingerprint);
	assert_string_equal(fs.v[1].fingerprint, fs.v[2].fingerprint);
	fps = gitlab_fingerprints(&fs);
	assert_int_equal(strlen(fps), 3 * 65);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = i + 1; j < 3; j++)
			assert_memory_not_equal(fps + 65 * i, fps + 65 * j, 64);

	/* Unrelated lines move: the same fingerprints. */
	for (size_t i = 0; i < 3; i++) {
		f = file_finding(fs.v[i].file, fs.v[i].line + 7, 3, 9);
		push(&moved, f);
	}
	again = gitlab_fingerprints(&moved);
	assert_string_equal(fps, again);

	free(fps);
	free(again);
	lg_findings_release(&fs);
	lg_findings_release(&moved);
}

/* ---- rdjson ---- */

static void output__rdjson_validates_against_the_schema(void **state)
{
	struct fixture *fx = *state;
	char *schema = schema_or_skip(fx, RDJSON_SCHEMA);
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *path = path_in(fx, "rd.json"), *empty = path_in(fx, "none.json");

	write_report(empty, &fs, LG_FORMAT_RDJSON);
	assert_int_equal(validate(schema, empty, 0, 0), 0);
	two_findings(&fs);
	write_report(path, &fs, LG_FORMAT_RDJSON);
	assert_int_equal(validate(schema, path, 0, 0), 0);
	free(schema);
	free(path);
	free(empty);
	lg_findings_release(&fs);
}

static void output__rdjson_schema_check_rejects_broken_documents(void **state)
{
	struct fixture *fx = *state;
	char *schema = schema_or_skip(fx, RDJSON_SCHEMA);
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *good = path_in(fx, "good.json"), *bad = path_in(fx, "bad.json");
	json_t *doc;

	two_findings(&fs);
	write_report(good, &fs, LG_FORMAT_RDJSON);

	/* A severity reviewdog does not have, deep in a diagnostic. */
	doc = load_json(good);
	json_object_set_new(at(doc, "diagnostics.1"), "severity",
			    json_string("FATAL"));
	assert_int_not_equal(validate_doc(schema, bad, doc, 0), 0);

	/* A line that is a string, in a suggestion's range: the refs down
	 * to Position are followed. */
	doc = load_json(good);
	json_object_set_new(at(doc, "diagnostics.1.suggestions.0.range.start"),
			    "line", json_string("48"));
	assert_int_not_equal(validate_doc(schema, bad, doc, 0), 0);

	/* diagnostics that are not an array. */
	doc = load_json(good);
	json_object_set_new(doc, "diagnostics", json_object());
	assert_int_not_equal(validate_doc(schema, bad, doc, 0), 0);

	free(schema);
	free(good);
	free(bad);
	lg_findings_release(&fs);
}

/*
 * The rdjson schemas refer to each other only within a file today; should
 * they be split with relative refs, the validator must still follow them
 * rather than pass everything.
 */
static void output__schema_check_follows_relative_refs(void **state)
{
	struct fixture *fx = *state;
	char *schema = schema_or_skip(fx, RDJSON_SCHEMA);
	char *outer = path_in(fx, "outer.json"), *inner = path_in(fx, "inner.json");
	char *doc = path_in(fx, "doc.json");

	write_string(inner, "{\"definitions\": {\"P\": {\"type\": \"object\","
		     " \"properties\": {\"line\": {\"type\": \"integer\"}}}}}");
	write_string(outer, "{\"$schema\": \"http://json-schema.org/draft-04/"
		     "schema#\", \"properties\": {\"start\": {\"$ref\": "
		     "\"inner.json#/definitions/P\"}}}");
	write_string(doc, "{\"start\": {\"line\": 3}}");
	assert_int_equal(validate(outer, doc, 0, 0), 0);
	write_string(doc, "{\"start\": {\"line\": \"3\"}}");
	assert_int_not_equal(validate(outer, doc, 0, 1), 0);
	free(schema);
	free(outer);
	free(inner);
	free(doc);
}

static void output__rdjson_diagnostic_structure(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;
	json_t *doc, *dg;

	(void)state;
	two_findings(&fs);
	text = render_as(&fs, LG_FORMAT_RDJSON);
	doc = parse_json(text);
	check_str(doc, "source.name", "leakgate");
	check_str(doc, "source.url", "https://github.com/leakgate/leakgate");
	check_str(doc, "severity", "ERROR");
	assert_int_equal(json_array_size(json_object_get(doc, "diagnostics")), 2);

	dg = at(doc, "diagnostics.1");
	check_str(dg, "message",
		  "connection 'conn' acquired by pool_acquire() at line 38 is "
		  "still held when the function returns here\n"
		  "examples/login.c:38: 'conn' acquired here by pool_acquire()\n"
		  "examples/login.c:47: taking the true branch of "
		  "'if (!check_password(password, stored_hash))'\n"
		  "examples/login.c:48: returning with 'conn' still held");
	check_str(dg, "location.path", "examples/login.c");
	check_int(dg, "location.range.start.line", 48);
	check_int(dg, "location.range.start.column", 3);
	check_int(dg, "location.range.end.line", 48);
	check_int(dg, "location.range.end.column", 3);
	check_str(dg, "severity", "ERROR");
	check_str(dg, "code.value", "pool-connection");
	assert_int_equal(json_array_size(json_object_get(dg,
							 "related_locations")), 1);
	check_str(dg, "related_locations.0.message",
		  "'conn' acquired here by pool_acquire()");
	check_str(dg, "related_locations.0.location.path", "examples/login.c");
	check_int(dg, "related_locations.0.location.range.start.line", 38);
	check_int(dg, "related_locations.0.location.range.start.column", 25);
	/* The fix: an empty range at the start of line 48. */
	assert_int_equal(json_array_size(json_object_get(dg, "suggestions")), 1);
	check_int(dg, "suggestions.0.range.start.line", 48);
	check_int(dg, "suggestions.0.range.start.column", 1);
	check_int(dg, "suggestions.0.range.end.line", 48);
	check_int(dg, "suggestions.0.range.end.column", 1);
	check_str(dg, "suggestions.0.text", "\t\tpool_release(pool, conn);\n");

	/* No fix, no suggestions. */
	assert_null(at(doc, "diagnostics.0.suggestions"));
	check_str(doc, "diagnostics.0.code.value", "stdio-file");
	json_decref(doc);
	free(text);
	lg_findings_release(&fs);
}

int main(int argc, char **argv)
{
	struct config cfg = { argc > 1 ? argv[1] : NULL };
#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &cfg)
	const struct CMUnitTest tests[] = {
		T(output__format_names_round_trip),
		T(output__dispatch_reaches_every_format),
		T(output__new_formats_report_write_errors),
		T(output__relevance_puts_shared_resources_first),
		T(output__text_shows_the_fix_like_a_fixit),
		T(output__text_fix_of_several_lines_in_a_wide_gutter),
		T(output__text_fix_in_color),
		T(output__sarif_fix_validates_and_inserts),
		T(output__json_is_exact),
		T(output__json_of_nothing),
		T(output__json_lists_the_runs_problems),
		T(output__json_summary_and_unfixed_findings),
		T(output__json_formats_survive_out_of_memory),
		T(output__github_is_exact),
		T(output__github_escapes_like_the_toolkit),
		T(output__github_annotates_at_most_max),
		T(output__github_of_nothing_is_empty),
		T(output__markdown_is_exact),
		T(output__markdown_of_one_and_of_nothing),
		T(output__markdown_names_what_is_not_covered),
		T(output__markdown_escapes_what_the_code_says),
		T(output__gitlab_validates_against_the_schema),
		T(output__gitlab_schema_check_rejects_broken_issues),
		T(output__gitlab_issue_structure),
		T(output__gitlab_fingerprints_are_unique_and_stable),
		T(output__rdjson_validates_against_the_schema),
		T(output__rdjson_schema_check_rejects_broken_documents),
		T(output__schema_check_follows_relative_refs),
		T(output__rdjson_diagnostic_structure),
	};
#undef T

	return cmocka_run_group_tests_name("output_gate", tests, NULL, NULL);
}
