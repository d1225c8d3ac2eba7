/*
 * test_output.c - unit tests for the findings list (finding.c) and the two
 * output formats (output_text.c, output_sarif.c, output.c).
 *
 * Findings are built by hand, as the driver would build them.  Text output
 * is compared byte for byte.  SARIF output is written to a file, validated
 * against the SARIF 2.1.0 JSON schema with python3-jsonschema (the schema's
 * path is argv[1]; without it those checks are skipped), and read back with
 * jansson for structural checks.  The schema check is itself checked: a
 * deliberately broken document must fail it.
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

extern char **environ;

/* What main() hands every test, and what setup adds to it. */
struct config {
	const char *schema;   /* SARIF schema path (argv[1]) or NULL */
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
	strcpy(fx->dir, "/tmp/test_output.XXXXXX");
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
 * The leak of the brief's example:
 *   examples/login.c:42:9, 'conn' acquired at 30:12 by pool_acquire(),
 *   a true branch at 35:9, lost by returning.
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
	f.line = 42;
	f.col = 9;
	f.source_line = xstrdup("        return -1;");
	f.acq_file = xstrdup("examples/login.c");
	f.acq_line = 30;
	f.acq_col = 12;
	f.message = xstrdup("connection 'conn' acquired by pool_acquire() at "
			    "line 30 is still held when the function returns "
			    "here");
	f.n_steps = 3;
	f.steps = calloc(3, sizeof(*f.steps));
	assert_non_null(f.steps);
	set_step(&f.steps[0], LG_STEP_ACQUIRE, "examples/login.c", 30, 12,
		 "'conn' acquired here by pool_acquire()");
	set_step(&f.steps[1], LG_STEP_BRANCH, "examples/login.c", 35, 9,
		 "taking the true branch of 'if (!user_ok)'");
	set_step(&f.steps[2], LG_STEP_LOSS, "examples/login.c", 42, 9,
		 "returning with 'conn' still held");
	assert_int_equal(lg_finding_fingerprint(&f), 0);
	return f;
}

/* A two-step leak of a FILE * in `file` at line:col. */
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

/* Renders `fs` as text into a string the caller frees. */
static char *render_text(const struct lg_findings *fs, int color)
{
	struct lg_output_opts o = { .format = LG_FORMAT_TEXT, .color = color };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(lg_output_text(out, fs, &o), 0);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_string(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

/* Names in `dir`, sorted, joined by spaces. */
static char *listing(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_true(n >= 0);
	assert_non_null(out);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			fprintf(out, "%s ", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	fclose(out);
	return buf;
}

/* ---- text ---- */

static void output__text_is_clang_shaped(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;

	(void)state;
	push(&fs, login_finding());
	text = render_text(&fs, 0);
	assert_string_equal(text,
		"examples/login.c:42:9: warning: connection 'conn' acquired by "
		"pool_acquire() at line 30 is still held when the function "
		"returns here [pool-connection]\n"
		"   42 |         return -1;\n"
		"      |         ^\n"
		"examples/login.c:30:12: note: 'conn' acquired here by "
		"pool_acquire()\n"
		"examples/login.c:35:9: note: taking the true branch of "
		"'if (!user_ok)'\n"
		"examples/login.c:42:9: note: returning with 'conn' still held\n"
		"1 leak found.\n");
	free(text);
	lg_findings_release(&fs);
}

static void output__text_expands_tabs_under_the_caret(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = login_finding();
	char *text;

	(void)state;
	/* Byte column 3 is 'r' after two tabs: display column 17. */
	free(f.source_line);
	f.source_line = xstrdup("\t\treturn -1;");
	f.col = 3;
	/* A tab in mid-line stops at the next multiple of 8. */
	struct lg_finding g = file_finding("a.c", 7, 8, 3);
	g.source_line = xstrdup("\tx =\tfp;");
	/*     bytes:   1   234  5 6  -> col 6 = 'f' at display 16 */
	g.col = 6;
	push(&fs, f);
	push(&fs, g);
	text = render_text(&fs, 0);
	assert_non_null(strstr(text,
		"   42 |                 return -1;\n"
		"      |                 ^\n"));
	assert_non_null(strstr(text,
		"    7 |         x =     fp;\n"
		"      |                 ^\n"));
	free(text);
	lg_findings_release(&fs);
}

static void output__text_widens_the_gutter_like_clang(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("big.c", 123456, 24, 1);
	char *text;

	(void)state;
	f.source_line = xstrdup("int f(){ int y; return y; }");
	push(&fs, f);
	text = render_text(&fs, 0);
	/* clang-19 prints exactly these two lines for this line and column. */
	assert_non_null(strstr(text,
		" 123456 | int f(){ int y; return y; }\n"
		"        |                        ^\n"));
	free(text);
	lg_findings_release(&fs);
}

static void output__text_shows_control_characters_safely(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("a.c", 2, 3, 1);
	char *text;

	(void)state;
	f.source_line = xstrdup("\033[2Jx;\r");
	f.col = 2;
	push(&fs, f);
	text = render_text(&fs, 0);
	assert_non_null(strstr(text,
		"    2 | <U+001B>[2Jx;\n"
		"      |         ^\n"));
	free(text);
	lg_findings_release(&fs);
}

static void output__text_without_source_line_has_no_snippet(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("lib/io.c", 20, 3, 12);
	char *text;

	(void)state;
	push(&fs, f);
	text = render_text(&fs, 0);
	assert_string_equal(text,
		"lib/io.c:20:3: warning: file 'fp' opened by fopen() at line 12 "
		"is still open when the function returns here [stdio-file]\n"
		"lib/io.c:12:7: note: 'fp' acquired here by fopen()\n"
		"lib/io.c:20:3: note: returning with 'fp' still open\n"
		"1 leak found.\n");
	free(text);
	lg_findings_release(&fs);
}

static void output__text_counts_leaks_in_plural(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;
	size_t len;

	(void)state;
	push(&fs, file_finding("a.c", 5, 3, 2));
	push(&fs, file_finding("b.c", 9, 3, 4));
	text = render_text(&fs, 0);
	len = strlen(text);
	assert_true(len > 15);
	assert_string_equal(text + len - 15, "2 leaks found.\n");
	assert_null(strstr(text, "1 leak found."));
	free(text);
	lg_findings_release(&fs);
}

static void output__text_of_nothing_is_empty(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *text;

	(void)state;
	text = render_text(&fs, 0);
	assert_string_equal(text, "");
	free(text);
	text = render_text(&fs, 1);
	assert_string_equal(text, "");
	free(text);
}

static void output__text_colors_like_clang(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("a.c", 5, 3, 2);
	char *text;

	(void)state;
	f.source_line = xstrdup("  return;");
	push(&fs, f);
	text = render_text(&fs, 1);
	assert_string_equal(text,
		"\033[1ma.c:5:3: \033[0m\033[0;1;35mwarning: \033[0m\033[1m"
		"file 'fp' opened by fopen() at line 2 is still open when the "
		"function returns here [stdio-file]\033[0m\n"
		"    5 |   return;\n"
		"      |   \033[0;1;32m^\033[0m\n"
		"\033[1ma.c:2:7: \033[0m\033[0;1;30mnote: \033[0m"
		"'fp' acquired here by fopen()\n"
		"\033[1ma.c:5:3: \033[0m\033[0;1;30mnote: \033[0m"
		"returning with 'fp' still open\n"
		"1 leak found.\n");
	free(text);
	lg_findings_release(&fs);
}

static void output__text_reports_write_errors(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_TEXT };
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	if (!full)
		skip();
	setvbuf(full, NULL, _IONBF, 0);
	push(&fs, login_finding());
	assert_int_equal(lg_output_text(full, &fs, &o), -1);
	fclose(full);
	lg_findings_release(&fs);
}

/* ---- the findings list ---- */

static void output__fingerprint_ignores_line_numbers(void **state)
{
	struct lg_finding a = login_finding(), b = login_finding();

	(void)state;
	assert_int_equal(strlen(a.fingerprint), 64);
	assert_int_equal(strspn(a.fingerprint, "0123456789abcdef"), 64);
	/* Everything moves down 10 lines, and the headline says so. */
	b.line += 10;
	b.col += 4;
	b.acq_line += 10;
	for (size_t i = 0; i < b.n_steps; i++)
		b.steps[i].line += 10;
	free(b.message);
	b.message = xstrdup("connection 'conn' acquired by pool_acquire() at "
			    "line 40 is still held when the function returns "
			    "here");
	free(b.source_line);
	b.source_line = xstrdup("\treturn -1;");
	assert_int_equal(lg_finding_fingerprint(&b), 0);
	assert_string_equal(a.fingerprint, b.fingerprint);
	lg_finding_release(&a);
	lg_finding_release(&b);
}

static void output__fingerprint_follows_the_path(void **state)
{
	struct lg_finding a = login_finding(), b = login_finding();
	char *first;

	(void)state;
	free(b.steps[1].message);
	b.steps[1].message = xstrdup("taking the false branch of 'if (!user_ok)'");
	assert_int_equal(lg_finding_fingerprint(&b), 0);
	assert_string_not_equal(a.fingerprint, b.fingerprint);

	/* The step's kind counts too, and so does the handle. */
	first = xstrdup(b.fingerprint);
	b.steps[1].kind = LG_STEP_CASE;
	assert_int_equal(lg_finding_fingerprint(&b), 0);
	assert_string_not_equal(first, b.fingerprint);
	free(b.handle);
	b.handle = xstrdup("conn2");
	assert_int_equal(lg_finding_fingerprint(&a), 0);
	assert_int_equal(lg_finding_fingerprint(&b), 0);
	assert_string_not_equal(a.fingerprint, b.fingerprint);
	free(first);
	lg_finding_release(&a);
	lg_finding_release(&b);
}

static void output__sort_unique_orders_and_drops_duplicates(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f, g;
	char *kept;

	(void)state;
	push(&fs, file_finding("b.c", 3, 1, 1));
	f = file_finding("a.c", 10, 2, 1);
	/* Same place and acquisition as f but another path: a duplicate;
	 * the one with the smaller fingerprint stays. */
	g = file_finding("a.c", 10, 2, 1);
	free(g.steps[1].message);
	g.steps[1].message = xstrdup("leaving with 'fp' still open");
	assert_int_equal(lg_finding_fingerprint(&g), 0);
	kept = xstrdup(strcmp(f.fingerprint, g.fingerprint) < 0 ?
		       f.fingerprint : g.fingerprint);
	push(&fs, f);
	push(&fs, file_finding("a.c", 9, 5, 1));
	push(&fs, g);
	/* Same place, another acquisition: not a duplicate. */
	push(&fs, file_finding("a.c", 10, 2, 0));
	/* Same place, another rule: not a duplicate. */
	f = file_finding("a.c", 10, 2, 1);
	free(f.rule_id);
	f.rule_id = xstrdup("posix-fd");
	push(&fs, f);
	push(&fs, file_finding("a.c", 9, 4, 1));

	lg_findings_sort_unique(&fs);
	assert_int_equal(fs.n, 6);
	assert_string_equal(fs.v[0].file, "a.c");
	assert_int_equal(fs.v[0].line, 9);
	assert_int_equal(fs.v[0].col, 4);
	assert_int_equal(fs.v[1].line, 9);
	assert_int_equal(fs.v[1].col, 5);
	assert_int_equal(fs.v[2].line, 10);
	assert_string_equal(fs.v[2].rule_id, "posix-fd");
	assert_string_equal(fs.v[3].rule_id, "stdio-file");
	assert_int_equal(fs.v[3].acq_line, 0);
	assert_string_equal(fs.v[4].rule_id, "stdio-file");
	assert_int_equal(fs.v[4].acq_line, 1);
	assert_string_equal(fs.v[4].fingerprint, kept);
	assert_string_equal(fs.v[5].file, "b.c");
	free(kept);
	lg_findings_release(&fs);
}

static void output__sort_unique_keeps_the_first_of_equals(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f;

	(void)state;
	/* Equal on every sort key, fingerprint included: the first pushed
	 * stays, whatever else differs. */
	for (int i = 0; i < 20; i++) {
		f = file_finding(i % 2 ? "b.c" : "a.c", 4, 1, 2);
		free(f.function);
		assert_true(asprintf(&f.function, "fn%d", i) > 0);
		push(&fs, f);
	}
	lg_findings_sort_unique(&fs);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.v[0].function, "fn0");
	assert_string_equal(fs.v[1].function, "fn1");
	lg_findings_release(&fs);
}

static void output__move_appends_and_empties(void **state)
{
	struct lg_findings a = LG_FINDINGS_INIT, b = LG_FINDINGS_INIT;

	(void)state;
	push(&b, file_finding("x.c", 1, 1, 1));
	lg_findings_move(&a, &b); /* into an empty list */
	push(&b, file_finding("y.c", 1, 1, 1));
	push(&b, file_finding("z.c", 1, 1, 1));
	lg_findings_move(&a, &b);
	assert_int_equal(b.n, 0);
	assert_null(b.v);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[0].file, "x.c");
	assert_string_equal(a.v[2].file, "z.c");
	lg_findings_release(&a);
	lg_findings_release(&b);
}

/* ---- SARIF ---- */

/* Runs the jsonschema CLI; its exit status (0: valid). */
static int jsonschema(const char *schema, const char *instance, int quiet)
{
	char *argv[] = { PYTHON, "-m", "jsonschema", "-i", (char *)instance,
			 (char *)schema, NULL };
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

static const char *schema_or_skip(const struct fixture *fx)
{
	if (!fx->cfg->schema || access(PYTHON, X_OK) < 0)
		skip();
	assert_int_equal(access(fx->cfg->schema, R_OK), 0);
	return fx->cfg->schema;
}

/* Writes `fs` as SARIF to `path` (through lg_output_write_file). */
static void write_sarif(const char *path, const struct lg_findings *fs,
			const struct lg_ruleset *rules)
{
	struct lg_output_opts o = { .format = LG_FORMAT_SARIF,
				    .version = "0.1.0", .rules = rules };
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

/* A ruleset built by hand in `res`: the SARIF writer reads only
 * `resources`. */
static struct lg_ruleset test_ruleset(struct lg_resource res[2])
{
	struct lg_ruleset rs = { 0 };

	res[0] = (struct lg_resource){ .id = "stdio-file", .kind = LG_KIND_FILE,
		.description = "a FILE * from fopen() that is never closed "
			       "with fclose()" };
	res[1] = (struct lg_resource){ .id = "pool-connection",
		.kind = LG_KIND_CONNECTION,
		.description = "a pooled connection that is never given back "
			       "with pool_release()" };
	rs.resources = res;
	rs.n_resources = rs.cap_resources = 2;
	return rs;
}

static void three_findings(struct lg_findings *fs)
{
	push(fs, login_finding());
	push(fs, file_finding("src/my file.c", 8, 3, 4));
	push(fs, file_finding("/abs/dir/ü #1.c", 8, 3, 4));
	lg_findings_sort_unique(fs);
}

static void output__sarif_validates_against_the_schema(void **state)
{
	struct fixture *fx = *state;
	const char *schema = schema_or_skip(fx);
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_resource resources[2];
	struct lg_ruleset rs = test_ruleset(resources);
	char *with = path_in(fx, "with-rules.sarif");
	char *without = path_in(fx, "without-rules.sarif");
	char *empty = path_in(fx, "empty.sarif");

	write_sarif(empty, &fs, NULL);
	three_findings(&fs);
	write_sarif(with, &fs, &rs);
	write_sarif(without, &fs, NULL);
	assert_int_equal(jsonschema(schema, with, 0), 0);
	assert_int_equal(jsonschema(schema, without, 0), 0);
	assert_int_equal(jsonschema(schema, empty, 0), 0);
	free(with);
	free(without);
	free(empty);
	lg_findings_release(&fs);
}

/* The validator must notice a broken document: else the test above proves
 * nothing. */
static void output__sarif_schema_check_rejects_broken_documents(void **state)
{
	struct fixture *fx = *state;
	const char *schema = schema_or_skip(fx);
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *good = path_in(fx, "good.sarif"), *bad = path_in(fx, "bad.sarif");
	json_t *doc, *result;

	three_findings(&fs);
	write_sarif(good, &fs, NULL);

	doc = load_json(good);
	json_object_del(doc, "version");
	assert_int_equal(json_dump_file(doc, bad, JSON_INDENT(2)), 0);
	assert_int_not_equal(jsonschema(schema, bad, 1), 0);
	json_decref(doc);

	/* Deep in a result: a line must be >= 1. */
	doc = load_json(good);
	result = json_array_get(json_object_get(json_array_get(
		json_object_get(doc, "runs"), 0), "results"), 0);
	assert_non_null(result);
	json_object_set_new(json_object_get(json_object_get(json_array_get(
		json_object_get(result, "locations"), 0), "physicalLocation"),
		"region"), "startLine", json_integer(0));
	assert_int_equal(json_dump_file(doc, bad, JSON_INDENT(2)), 0);
	assert_int_not_equal(jsonschema(schema, bad, 1), 0);
	json_decref(doc);

	/* A level SARIF does not have. */
	doc = load_json(good);
	result = json_array_get(json_object_get(json_array_get(
		json_object_get(doc, "runs"), 0), "results"), 0);
	json_object_set_new(result, "level", json_string("fatal"));
	assert_int_equal(json_dump_file(doc, bad, JSON_INDENT(2)), 0);
	assert_int_not_equal(jsonschema(schema, bad, 1), 0);
	json_decref(doc);

	free(good);
	free(bad);
	lg_findings_release(&fs);
}

/* runs[0] of the SARIF file at `path`; *doc owns it. */
static json_t *load_run(const char *path, json_t **doc)
{
	json_t *run;

	*doc = load_json(path);
	assert_string_equal(json_string_value(json_object_get(*doc, "version")),
			    "2.1.0");
	assert_string_equal(json_string_value(json_object_get(*doc, "$schema")),
			    "https://json.schemastore.org/sarif-2.1.0.json");
	assert_int_equal(json_array_size(json_object_get(*doc, "runs")), 1);
	run = json_array_get(json_object_get(*doc, "runs"), 0);
	assert_non_null(run);
	return run;
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

static void output__sarif_result_structure(void **state)
{
	struct fixture *fx = *state;
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_resource resources[2];
	struct lg_ruleset rs = test_ruleset(resources);
	char *path = path_in(fx, "report.sarif"), *text;
	json_t *doc, *run, *res = NULL, *results;
	const char *fp;

	push(&fs, login_finding());
	fp = fs.v[0].fingerprint;
	write_sarif(path, &fs, &rs);
	run = load_run(path, &doc);

	check_str(run, "tool.driver.name", "leakgate");
	check_str(run, "tool.driver.version", "0.1.0");
	check_str(run, "columnKind", "utf16CodeUnits");
	assert_int_equal(json_array_size(json_object_get(json_object_get(
		json_object_get(run, "tool"), "driver"), "rules")), 2);
	check_str(run, "tool.driver.rules.1.id", "pool-connection");
	check_str(run, "tool.driver.rules.1.shortDescription.text",
		  "a pooled connection that is never given back with "
		  "pool_release()");
	check_str(run, "tool.driver.rules.1.defaultConfiguration.level",
		  "warning");
	check_str(run, "tool.driver.rules.1.properties.kind",
		  lg_kind_name(LG_KIND_CONNECTION));

	results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 1);
	res = json_array_get(results, 0);
	check_str(res, "ruleId", "pool-connection");
	check_int(res, "ruleIndex", 1);
	check_str(res, "level", "warning");
	check_str(res, "message.text", fs.v[0].message);
	check_str(res, "locations.0.physicalLocation.artifactLocation.uri",
		  "examples/login.c");
	check_str(res, "locations.0.physicalLocation.artifactLocation.uriBaseId",
		  "%SRCROOT%");
	check_int(res, "locations.0.physicalLocation.region.startLine", 42);
	check_int(res, "locations.0.physicalLocation.region.startColumn", 9);
	check_str(res, "locations.0.logicalLocations.0.name", "login");
	check_str(res, "locations.0.logicalLocations.0.kind", "function");

	/* The acquisition comes first among the related locations. */
	check_int(res, "relatedLocations.0.id", 0);
	check_str(res, "relatedLocations.0.message.text",
		  "'conn' acquired here by pool_acquire()");
	check_int(res, "relatedLocations.0.physicalLocation.region.startLine",
		  30);
	check_int(res, "relatedLocations.0.physicalLocation.region.startColumn",
		  12);

	/* One code flow, one thread flow, one location per step. */
	assert_int_equal(json_array_size(json_object_get(res, "codeFlows")), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(
		json_object_get(json_array_get(json_object_get(res, "codeFlows"),
					       0), "threadFlows"), 0),
		"locations")), 3);
	check_str(res, "codeFlows.0.threadFlows.0.locations.1.location."
		  "message.text", "taking the true branch of 'if (!user_ok)'");
	check_int(res, "codeFlows.0.threadFlows.0.locations.1.location."
		  "physicalLocation.region.startLine", 35);
	check_str(res, "codeFlows.0.threadFlows.0.locations.2.location."
		  "message.text", "returning with 'conn' still held");
	check_str(res, "partialFingerprints.leakgate/v1", fp);

	/* Pretty-printed, two spaces, insertion order, final newline. */
	text = read_file(path);
	assert_true(!strncmp(text, "{\n  \"$schema\": ", 15));
	assert_true(text[strlen(text) - 1] == '\n');
	assert_true(strstr(text, "\"ruleId\"") < strstr(text, "\"ruleIndex\""));
	free(text);

	json_decref(doc);
	free(path);
	lg_findings_release(&fs);
}

static void output__sarif_without_ruleset_lists_rules_in_use(void **state)
{
	struct fixture *fx = *state;
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *path = path_in(fx, "report.sarif");
	json_t *doc, *run;

	three_findings(&fs);
	write_sarif(path, &fs, NULL);
	run = load_run(path, &doc);
	assert_int_equal(json_array_size(json_object_get(json_object_get(
		json_object_get(run, "tool"), "driver"), "rules")), 2);
	/* Sorted: "/abs/..." (stdio-file), "examples/..." (pool-connection),
	 * "src/..." (stdio-file). */
	check_str(run, "tool.driver.rules.0.id", "stdio-file");
	check_str(run, "tool.driver.rules.0.properties.kind",
		  lg_kind_name(LG_KIND_FILE));
	assert_null(at(run, "tool.driver.rules.0.shortDescription.text"));
	check_str(run, "tool.driver.rules.1.id", "pool-connection");
	check_int(run, "results.0.ruleIndex", 0);
	check_int(run, "results.1.ruleIndex", 1);
	check_int(run, "results.2.ruleIndex", 0);
	json_decref(doc);
	free(path);
	lg_findings_release(&fs);
}

static void output__sarif_encodes_uris(void **state)
{
	struct fixture *fx = *state;
	struct lg_findings fs = LG_FINDINGS_INIT;
	char *path = path_in(fx, "report.sarif"), *cwd, *want;
	json_t *doc, *run;
	const char *base;

	three_findings(&fs);
	write_sarif(path, &fs, NULL);
	run = load_run(path, &doc);

	/* An absolute path: a file:// URI with no base, UTF-8 bytes, space
	 * and '#' percent-encoded. */
	check_str(run, "results.0.locations.0.physicalLocation.artifactLocation."
		  "uri", "file:///abs/dir/%C3%BC%20%231.c");
	assert_null(at(run, "results.0.locations.0.physicalLocation."
			   "artifactLocation.uriBaseId"));
	/* A relative path: relative to %SRCROOT%. */
	check_str(run, "results.2.locations.0.physicalLocation.artifactLocation."
		  "uri", "src/my%20file.c");
	check_str(run, "results.2.locations.0.physicalLocation.artifactLocation."
		  "uriBaseId", "%SRCROOT%");
	check_str(run, "results.2.relatedLocations.0.physicalLocation."
		  "artifactLocation.uri", "src/my%20file.c");
	check_str(run, "results.2.codeFlows.0.threadFlows.0.locations.0.location."
		  "physicalLocation.artifactLocation.uri", "src/my%20file.c");

	/* %SRCROOT% is the working directory, as a file URI ending in '/'. */
	cwd = getcwd(NULL, 0);
	assert_non_null(cwd);
	assert_true(asprintf(&want, "file://%s%s", cwd,
			     strcmp(cwd, "/") ? "/" : "") > 0);
	base = json_string_value(at(run, "originalUriBaseIds.%SRCROOT%.uri"));
	assert_non_null(base);
	if (!strpbrk(cwd, " %#?[]"))  /* else it is encoded: not compared */
		assert_string_equal(base, want);
	free(want);
	free(cwd);

	json_decref(doc);
	free(path);
	lg_findings_release(&fs);
}

static void output__sarif_repairs_invalid_utf8(void **state)
{
	struct fixture *fx = *state;
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_finding f = file_finding("a.c", 3, 1, 1);
	char *path = path_in(fx, "report.sarif");
	json_t *doc, *run;

	free(f.function);
	f.function = xstrdup("caf\xe9"); /* Latin-1 */
	push(&fs, f);
	write_sarif(path, &fs, NULL);
	run = load_run(path, &doc);
	check_str(run, "results.0.locations.0.logicalLocations.0.name",
		  "caf\xef\xbf\xbd");
	json_decref(doc);
	free(path);
	lg_findings_release(&fs);
}

static void output__sarif_reports_write_errors(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_SARIF };
	struct lg_diags d = LG_DIAGS_INIT;
	FILE *full = fopen("/dev/full", "w");
	char *want;

	(void)state;
	if (!full)
		skip();
	setvbuf(full, NULL, _IONBF, 0);
	push(&fs, login_finding());
	assert_int_equal(lg_output(full, &fs, &o, &d), -1);
	assert_int_equal(d.n, 1);
	assert_true(asprintf(&want, "cannot write the SARIF report: %s",
			     strerror(ENOSPC)) > 0);
	assert_string_equal(d.v[0].msg, want);
	free(want);

	/* And a format that does not exist is an error, not a crash. */
	o.format = (enum lg_format)42;
	assert_int_equal(lg_output(full, &fs, &o, &d), -1);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[1].msg, "unknown output format 42");
	fclose(full);
	lg_diags_release(&d);
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

static void output__sarif_survives_out_of_memory(void **state)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_resource resources[2];
	struct lg_ruleset rs = test_ruleset(resources);
	struct lg_output_opts o = { .format = LG_FORMAT_SARIF, .version = "1",
				    .rules = &rs };
	int failures = 0, successes = 0;

	(void)state;
	three_findings(&fs);
	json_set_alloc_funcs(failing_malloc, free);
	/* Fail the 1st, 2nd, ... allocation until one run needs no more. */
	for (long k = 0; !successes && k < 100000; k++) {
		struct lg_diags d = LG_DIAGS_INIT;
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		int ret;

		assert_non_null(out);
		jansson_allocs_left = k;
		ret = lg_output_sarif(out, &fs, &o, &d);
		jansson_allocs_left = -1;
		fclose(out);
		if (ret < 0) {
			failures++;
			assert_int_equal(d.n, 1);
			assert_string_equal(d.v[0].msg, "cannot build the SARIF "
					    "report: out of memory");
		} else {
			successes++;
			assert_int_equal(d.n, 0);
			assert_true(len > 0 && buf[len - 1] == '\n');
		}
		free(buf);
		lg_diags_release(&d);
	}
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(successes, 1);
	assert_true(failures > 100);
	lg_findings_release(&fs);
}

/* ---- writing files ---- */

static void output__write_file_replaces_atomically(void **state)
{
	struct fixture *fx = *state;
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_TEXT };
	struct lg_diags d = LG_DIAGS_INIT;
	char *path = path_in(fx, "report.txt"), *old = path_in(fx, "old.txt");
	char *text, *names;
	struct stat before, after;

	push(&fs, login_finding());
	write_string(path, "old report\n");
	assert_int_equal(chmod(path, 0640), 0);
	/* A second name for the old file: rename(2) leaves it alone, while
	 * rewriting in place would change it too. */
	assert_int_equal(link(path, old), 0);
	assert_int_equal(stat(path, &before), 0);

	assert_int_equal(lg_output_write_file(path, &fs, &o, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(after.st_mode & 07777, 0640);

	text = read_file(old);
	assert_string_equal(text, "old report\n");
	free(text);
	text = read_file(path);
	assert_non_null(strstr(text, "[pool-connection]\n"));
	free(text);

	/* No temporary file is left behind. */
	names = listing(fx->dir);
	assert_string_equal(names, "old.txt report.txt ");
	free(names);

	free(path);
	free(old);
	lg_diags_release(&d);
	lg_findings_release(&fs);
}

static void output__write_file_creates_with_umask_mode(void **state)
{
	struct fixture *fx = *state;
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_SARIF };
	struct lg_diags d = LG_DIAGS_INIT;
	char *path = path_in(fx, "new.sarif"), *names;
	mode_t mask = umask(027);
	struct stat st;

	assert_int_equal(lg_output_write_file(path, &fs, &o, &d), 0);
	umask(mask);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	names = listing(fx->dir);
	assert_string_equal(names, "new.sarif ");
	free(names);
	free(path);
	lg_diags_release(&d);
}

static void output__write_file_failure_leaves_no_temp(void **state)
{
	struct fixture *fx = *state;
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_output_opts o = { .format = LG_FORMAT_TEXT };
	struct lg_diags d = LG_DIAGS_INIT;
	char *dir = path_in(fx, "report.txt"), *missing, *names, *want;

	push(&fs, login_finding());

	/* rename(2) fails: the destination is a directory. */
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(lg_output_write_file(dir, &fs, &o, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].sev, LG_ERROR);
	assert_true(asprintf(&want, "cannot write the report: %s",
			     strerror(EISDIR)) > 0);
	assert_string_equal(d.v[0].msg, want);
	assert_string_equal(d.v[0].file, dir);
	free(want);
	names = listing(fx->dir);
	assert_string_equal(names, "report.txt ");
	free(names);

	/* mkstemp fails: no such directory. */
	missing = path_in(fx, "nodir/report.txt");
	lg_diags_release(&d);
	assert_int_equal(lg_output_write_file(missing, &fs, &o, &d), -1);
	assert_int_equal(d.n, 1);
	assert_true(asprintf(&want, "cannot write the report: %s",
			     strerror(ENOENT)) > 0);
	assert_string_equal(d.v[0].msg, want);
	assert_string_equal(d.v[0].file, missing);
	free(want);
	names = listing(fx->dir);
	assert_string_equal(names, "report.txt ");
	free(names);

	free(dir);
	free(missing);
	lg_diags_release(&d);
	lg_findings_release(&fs);
}

int main(int argc, char **argv)
{
	struct config cfg = { argc > 1 ? argv[1] : NULL };
#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &cfg)
	const struct CMUnitTest tests[] = {
		T(output__text_is_clang_shaped),
		T(output__text_expands_tabs_under_the_caret),
		T(output__text_widens_the_gutter_like_clang),
		T(output__text_shows_control_characters_safely),
		T(output__text_without_source_line_has_no_snippet),
		T(output__text_counts_leaks_in_plural),
		T(output__text_of_nothing_is_empty),
		T(output__text_colors_like_clang),
		T(output__text_reports_write_errors),
		T(output__fingerprint_ignores_line_numbers),
		T(output__fingerprint_follows_the_path),
		T(output__sort_unique_orders_and_drops_duplicates),
		T(output__sort_unique_keeps_the_first_of_equals),
		T(output__move_appends_and_empties),
		T(output__sarif_validates_against_the_schema),
		T(output__sarif_schema_check_rejects_broken_documents),
		T(output__sarif_result_structure),
		T(output__sarif_without_ruleset_lists_rules_in_use),
		T(output__sarif_encodes_uris),
		T(output__sarif_repairs_invalid_utf8),
		T(output__sarif_reports_write_errors),
		T(output__sarif_survives_out_of_memory),
		T(output__write_file_replaces_atomically),
		T(output__write_file_creates_with_umask_mode),
		T(output__write_file_failure_leaves_no_temp),
	};
#undef T

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
