/*
 * test_gate_passes.c - the gate's passes on findings built by hand:
 * .leakgate.yml, exclude, inline suppressions, the baseline, the diff
 * filter.  Each test works in its own temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "finding.h"
#include "gate.h"

struct fx {
	char dir[64];
	struct lg_findings fs;
	struct lg_diags d;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/lg-gate-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	lg_findings_release(&f->fs);
	lg_diags_release(&f->d);
	free(f);
	return 0;
}

static char *path(struct fx *f, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
	return p;
}

static void put(struct fx *f, const char *name, const char *text)
{
	char *p = path(f, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(p);
}

/* A finding at file:line (absolute file), with one branch step at
 * step_line and a given fingerprint. */
static void add(struct fx *f, const char *name, unsigned line, unsigned step_line,
		const char *rule, const char *fingerprint)
{
	struct lg_finding x = { 0 };
	x.rule_id = strdup(rule);
	x.function = strdup("handle_login");
	x.handle = strdup("conn");
	x.acquirer = strdup("pool_acquire");
	x.file = path(f, name);
	x.line = line;
	x.col = 3;
	x.acq_file = path(f, name);
	x.acq_line = 2;
	x.message = strdup("connection 'conn' acquired by pool_acquire() at line 2 is "
			   "still held when the function returns here");
	x.fingerprint = strdup(fingerprint);
	x.steps = calloc(1, sizeof(*x.steps));
	x.steps[0] = (struct lg_step){ LG_STEP_BRANCH, path(f, name), step_line, 2,
				       strdup("taking the true branch of 'if (x)'") };
	x.n_steps = 1;
	assert_int_equal(lg_findings_push(&f->fs, &x), 0);
}

/* ---- .leakgate.yml ------------------------------------------------------- */

/* A pull request writes .leakgate.yml: the files it names for leakgate to
 * read (rules, baseline) must be the project's own, or the run would read
 * and perhaps quote any file of the CI machine. */
static void gate__config_names_only_the_projects_files(void **state)
{
	struct fx *f = *state;
	char outside[] = "/tmp/leakgate-outside-XXXXXX";
	assert_non_null(mkdtemp(outside));
	char *secret = NULL;
	assert_true(asprintf(&secret, "%s/hosts.yml", outside) > 0);
	FILE *fp = fopen(secret, "w");
	assert_non_null(fp);
	fputs("github.com:\n  oauth_token: gho_secret\n", fp);
	fclose(fp);
	char *real = realpath(secret, NULL);
	assert_non_null(real);

	const char *keys[] = { "rules", "baseline" };
	for (int k = 0; k < 2; k++) {
		char *text = NULL;
		assert_true(asprintf(&text, "%s: %s\n", keys[k], secret) > 0);
		put(f, ".leakgate.yml", text);
		free(text);
		char *cfg = path(f, ".leakgate.yml");
		struct lg_config c;
		lg_diags_release(&f->d);
		assert_int_equal(lg_config_load(&c, cfg, &f->d), -1);
		assert_int_equal(f->d.n, 1);
		char *root = realpath(f->dir, NULL);
		char *want = NULL;
		assert_true(asprintf(&want, "'%s' names %s, which is outside the project %s; "
				     "a project's configuration names only the project's "
				     "files (give it on the command line instead)",
				     keys[k], real, root) > 0);
		assert_string_equal(f->d.v[0].msg, want);
		assert_null(strstr(f->d.v[0].msg, "gho_secret"));
		free(want);
		free(root);
		free(cfg);
	}
	/* control: the same file inside the project is accepted */
	put(f, "hosts.yml", "version: 1\n");
	put(f, ".leakgate.yml", "rules: hosts.yml\nbaseline: hosts.yml\n");
	char *cfg = path(f, ".leakgate.yml");
	struct lg_config c;
	lg_diags_release(&f->d);
	assert_int_equal(lg_config_load(&c, cfg, &f->d), 0);
	lg_config_release(&c);
	free(cfg);
	unlink(secret);
	rmdir(outside);
	free(real);
	free(secret);
}

static void gate__config_resolves_paths_against_its_directory(void **state)
{
	struct fx *f = *state;
	char *sub = path(f, "sub");
	assert_int_equal(mkdir(sub, 0755), 0);
	put(f, "pool.yml", "version: 1\n");
	put(f, ".leakgate.yml",
	      "# the project's settings\n"
	      "rules: [pool.yml, libpq]\n"
	      "compile_database: build\n"
	      "baseline: .leakgate-baseline\n"
	      "exclude:\n"
	      "  - third_party/**\n");
	char *found = lg_config_find(sub);
	char *want = path(f, ".leakgate.yml");
	assert_string_equal(found, want);

	struct lg_config c;
	assert_int_equal(lg_config_load(&c, found, &f->d), 0);
	assert_int_equal(c.n_rules, 2);
	char *pool = path(f, "pool.yml");
	assert_string_equal(c.rules[0], pool);
	assert_string_equal(c.rules[1], "libpq");   /* a pack name stays one */
	char *build = path(f, "build");
	assert_string_equal(c.compile_database, build);
	assert_int_equal(c.n_exclude, 1);
	assert_true(lg_config_excluded((const char *const *)c.exclude, c.n_exclude, c.dir,
				       "third_party/x/y.c", f->dir));
	assert_false(lg_config_excluded((const char *const *)c.exclude, c.n_exclude, c.dir,
					"src/y.c", f->dir));
	lg_config_release(&c);
	free(build);
	free(pool);
	free(want);
	free(found);
	free(sub);
}

static void expect_config_error(struct fx *f, const char *text, const char *where_what)
{
	put(f, ".leakgate.yml", text);
	char *p = path(f, ".leakgate.yml");
	struct lg_config c;
	assert_int_equal(lg_config_load(&c, p, &f->d), -1);
	assert_int_equal(f->d.n, 1);
	char *got = NULL;
	assert_true(asprintf(&got, "%u:%u: %s", f->d.v[0].line, f->d.v[0].col,
			     f->d.v[0].msg) > 0);
	assert_string_equal(got, where_what);
	free(got);
	free(p);
	lg_diags_release(&f->d);
}

static void gate__config_errors_name_line_and_column(void **state)
{
	struct fx *f = *state;
	expect_config_error(f, "rules: [a]\nrulez: [b]\n",
		"2:1: unknown setting 'rulez' (expected one of: rules, compile_database, "
		"baseline, exclude)");
	expect_config_error(f, "baseline: [a, b]\n",
		"1:11: expected a string for 'baseline', got a sequence");
	expect_config_error(f, "exclude: {a: b}\n",
		"1:10: expected a list of strings for 'exclude', got a mapping");
	expect_config_error(f, "rules: [a]\nrules: [b]\n", "2:1: setting 'rules' given twice");
	expect_config_error(f, "- a\n- b\n",
		"1:1: expected a mapping of settings (rules, compile_database, baseline, "
		"exclude) at the top of .leakgate.yml");
	expect_config_error(f, "rules: [a\n", "2:1: invalid YAML: did not find expected ',' or ']'");
}

/* ---- suppressions ---------------------------------------------------------- */

static void gate__suppression_on_the_line_or_above_drops_the_finding(void **state)
{
	struct fx *f = *state;
	put(f, "a.c",
	      "int f(void) {\n"                                          /* 1 */
	      "    // leakgate-ignore(pool-connection): closed by atexit\n" /* 2 */
	      "    return 1;\n"                                           /* 3 */
	      "    return 2; /* leakgate-ignore(pool-connection): ok */\n" /* 4 */
	      "    // leakgate-ignore(libpq-result): another rule\n"      /* 5 */
	      "    return 3;\n"                                           /* 6 */
	      "    // leakgate-ignore(pool-connection)\n"                 /* 7 */
	      "    return 4;\n"                                           /* 8 */
	      "    // leakgate-ignore(pool-connection): never used\n"     /* 9 */
	      "}\n");
	add(f, "a.c", 3, 1, "pool-connection", "aa");
	add(f, "a.c", 4, 1, "pool-connection", "bb");
	add(f, "a.c", 6, 1, "pool-connection", "cc");
	add(f, "a.c", 8, 1, "pool-connection", "dd");
	char *src = path(f, "a.c");
	const char *sources[] = { src };
	assert_int_equal(lg_gate_suppress(&f->fs, sources, 1, NULL, 0, f->dir, true, &f->d), 0);
	assert_int_equal(f->fs.n, 2);   /* line 6 (other rule) and 8 (no reason) */
	assert_int_equal(f->fs.v[0].line, 6);
	assert_int_equal(f->fs.v[1].line, 8);
	/* the suppression without a reason, the unused ones */
	assert_int_equal(f->d.n, 3);
	assert_int_equal(f->d.v[0].line, 5);
	assert_non_null(strstr(f->d.v[0].msg, "unused suppression"));
	assert_int_equal(f->d.v[1].line, 7);
	assert_non_null(strstr(f->d.v[1].msg, "without a reason"));
	assert_int_equal(f->d.v[2].line, 9);
	assert_non_null(strstr(f->d.v[2].msg, "unused suppression"));
	free(src);
}

/* A large file (read through a mapping) with CRLF line ends: marks on the
 * first line, far down, and on a last line without a newline; lines are
 * counted only up to each mark, so each must still land on its own line. */
static void gate__suppressions_in_a_large_file_land_on_their_lines(void **state)
{
	struct fx *f = *state;
	char *p = path(f, "big.c");
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("/* leakgate-ignore(pool-connection): the first line */\r\n", fp);
	for (int i = 2; i < 4000; i++)
		fprintf(fp, "int filler_%d = %d; /* some text to make it long */\r\n", i, i);
	fputs("    // leakgate-ignore(pool-connection): line 4000\r\n", fp);   /* 4000 */
	fputs("    return 1;\r\n", fp);                                           /* 4001 */
	for (int i = 4002; i < 5000; i++)
		fprintf(fp, "int filler_%d = %d;\r\n", i, i);
	fputs("return 2; // leakgate-ignore(pool-connection): the last line", fp); /* 5000 */
	fclose(fp);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(st.st_size > (64 << 10));
	add(f, "big.c", 4001, 1, "pool-connection", "aa");
	add(f, "big.c", 4002, 1, "pool-connection", "bb");   /* not covered */
	add(f, "big.c", 5000, 1, "pool-connection", "cc");
	const char *sources[] = { p };
	assert_int_equal(lg_gate_suppress(&f->fs, sources, 1, NULL, 0, f->dir, true, &f->d), 0);
	assert_int_equal(f->fs.n, 1);
	assert_int_equal(f->fs.v[0].line, 4002);
	assert_int_equal(f->d.n, 1);   /* the first line's: nothing there */
	assert_int_equal(f->d.v[0].line, 1);
	assert_int_equal(f->d.v[0].col, 4);
	assert_non_null(strstr(f->d.v[0].msg, "unused suppression"));
	free(p);
}

/* ---- baseline ----------------------------------------------------------------- */

static void gate__baseline_survives_moved_lines_not_changed_paths(void **state)
{
	struct fx *f = *state;
	add(f, "a.c", 10, 8, "pool-connection", "aaaa");
	add(f, "b.c", 20, 18, "pool-connection", "bbbb");
	char *bl = path(f, "baseline");
	assert_int_equal(lg_baseline_write(bl, &f->fs, f->dir, &f->d), 0);
	lg_findings_release(&f->fs);

	/* a.c's leak moved down 5 lines (same fingerprint); b.c's path changed
	 * (new fingerprint); a new leak appeared in c.c */
	add(f, "a.c", 15, 13, "pool-connection", "aaaa");
	add(f, "b.c", 20, 18, "pool-connection", "bbb2");
	add(f, "c.c", 5, 3, "pool-connection", "cccc");
	assert_int_equal(lg_baseline_apply(bl, &f->fs, f->dir, &f->d), 0);
	assert_int_equal(f->fs.n, 2);
	assert_non_null(strstr(f->fs.v[0].file, "b.c"));
	assert_non_null(strstr(f->fs.v[1].file, "c.c"));
	/* b.c's old entry matches nothing: a note, not an error */
	assert_int_equal(f->d.n, 1);
	assert_int_equal(f->d.v[0].sev, LG_NOTE);
	assert_non_null(strstr(f->d.v[0].msg, "matches no finding any more"));

	/* human-readable: header comments, then one tab-separated line each */
	FILE *fp = fopen(bl, "r");
	char line[512];
	int entries = 0;
	while (fgets(line, sizeof(line), fp))
		if (line[0] != '#') {
			entries++;
			assert_non_null(strstr(line, "\thandle_login\tpool-connection\t"));
		}
	fclose(fp);
	assert_int_equal(entries, 2);
	free(bl);
}

static void gate__malformed_baseline_is_an_error_with_its_place(void **state)
{
	struct fx *f = *state;
	put(f, "baseline", "# comment\na.c\tf\tpool-connection\tNOT-HEX\tmsg\n");
	char *bl = path(f, "baseline");
	assert_int_equal(lg_baseline_apply(bl, &f->fs, f->dir, &f->d), -1);
	assert_int_equal(f->d.n, 1);
	assert_int_equal(f->d.v[0].line, 2);
	assert_int_equal(f->d.v[0].col, 23);
	assert_string_equal(f->d.v[0].msg,
		"invalid baseline entry: expected a hexadecimal fingerprint in the fourth field");
	free(bl);
}

/* ---- the diff filter ---------------------------------------------------------- */

static void gate__diff_filter_keeps_findings_whose_path_touches_the_change(void **state)
{
	struct fx *f = *state;
	put(f, "change.diff",
	      "diff --git a/a.c b/a.c\n"
	      "--- a/a.c\n"
	      "+++ b/a.c\n"
	      "@@ -7,0 +8,2 @@ int f(void)\n"
	      "+    if (x)\n"
	      "+        return 1;\n"
	      "diff --git a/b.c b/b.c\n"
	      "--- a/b.c\n"
	      "+++ b/b.c\n"
	      "@@ -30 +29,0 @@\n"
	      "-    pool_release(p, c);\n");
	add(f, "a.c", 40, 8, "pool-connection", "aa");   /* a step on line 8 */
	add(f, "a.c", 50, 45, "pool-connection", "bb");  /* untouched */
	add(f, "b.c", 30, 25, "pool-connection", "cc");  /* next to a deletion */
	char *diff = path(f, "change.diff");
	struct lg_changes *c = lg_changes_from_diff(diff, f->dir, &f->d);
	assert_non_null(c);
	lg_gate_diff_filter(&f->fs, c, f->dir);
	assert_int_equal(f->fs.n, 2);
	assert_int_equal(f->fs.v[0].line, 40);
	assert_int_equal(f->fs.v[1].line, 30);
	/* where a review comment can go: the step the change touches, or the
	 * exit when the change touches it */
	assert_int_equal(f->fs.v[0].anchor_line, 8);
	assert_int_equal(f->fs.v[1].anchor_line, 30);
	const char **files = lg_changes_files(c);
	assert_non_null(files[0]);
	assert_non_null(files[1]);
	assert_null(files[2]);
	lg_changes_free(c);
	free(diff);
}

static void gate__bad_hunk_header_is_an_error(void **state)
{
	struct fx *f = *state;
	put(f, "bad.diff", "+++ b/a.c\n@@ nonsense @@\n");
	char *diff = path(f, "bad.diff");
	assert_null(lg_changes_from_diff(diff, f->dir, &f->d));
	assert_int_equal(f->d.n, 1);
	assert_int_equal(f->d.v[0].line, 2);
	free(diff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(gate__config_resolves_paths_against_its_directory),
		T(gate__config_names_only_the_projects_files),
		T(gate__config_errors_name_line_and_column),
		T(gate__suppression_on_the_line_or_above_drops_the_finding),
		T(gate__suppressions_in_a_large_file_land_on_their_lines),
		T(gate__baseline_survives_moved_lines_not_changed_paths),
		T(gate__malformed_baseline_is_an_error_with_its_place),
		T(gate__diff_filter_keeps_findings_whose_path_touches_the_change),
		T(gate__bad_hunk_header_is_an_error),
#undef T
	};
	return cmocka_run_group_tests_name("gate passes", tests, NULL, NULL);
}
