/*
 * test_cli.c - the leakgate command line, tested as transcripts.
 *
 * Each test runs the leakgate binary (fork and exec, no shell) with a fresh
 * temporary directory as its working directory, and asserts the exit status
 * (0 no findings, 1 findings, 2 error) and the exact text on standard output
 * and standard error.  Where a message holds a part that depends on the
 * system (a temporary path) the test builds that part into the expected
 * text rather than matching loosely.
 *
 * Usage: test_cli LEAKGATE_BINARY TESTS_CLI_DIR REPO_ROOT SARIF_SCHEMA_PATH
 *
 * The inputs live next to this file: pool.h with its rule file
 * rules/pool.yml, leak.c (one leak), clean.c, syntax_error.c,
 * missing_header.c, the broken rule files bad-*.yml and a compile database
 * that is not JSON (not-json/).  Tests that need a compile database or a
 * file named relative to the working directory write them into the
 * temporary directory.
 *
 * leakgate runs with LEAKGATE_RULES_DIR set to REPO_ROOT/rules (so the
 * built-in packs are the repository's), TERM=xterm-256color and NO_COLOR
 * unset (so colour would show if leakgate ignored that its output is not a
 * terminal), and LC_ALL=C.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "lgtest.h"

extern char **environ;

/* ---- the command line of this program, read once in main ---------------- */

static const char *leakgate;     /* LEAKGATE_BINARY, absolute */
static const char *cli_dir;      /* TESTS_CLI_DIR, absolute */
static const char *repo_root;    /* REPO_ROOT, absolute */
static const char *sarif_schema; /* SARIF_SCHEMA_PATH, absolute */
static char **child_env;         /* the environment leakgate runs with */

/* ---- fixture ------------------------------------------------------------- */

#define MAX_STRS 256


/* One test's state: its working directory, the last run, and the strings
 * it built (freed in teardown). */
struct fx {
	char *dir;
	struct lgt_run r;
	char *strs[MAX_STRS];
	size_t n_strs;
};

static const char *fmt(struct fx *f, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* A string the fixture owns until teardown. */
static const char *fmt(struct fx *f, const char *format, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, format);
	assert_true(vasprintf(&s, format, ap) >= 0);
	va_end(ap);
	assert_true(f->n_strs < MAX_STRS);
	f->strs[f->n_strs++] = s;
	return s;
}


static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	if (asprintf(&f->dir, "%s/leakgate-cli-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
		free(f);
		return -1;
	}
	if (!mkdtemp(f->dir)) {
		free(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}


static int teardown(void **state)
{
	struct fx *f = *state;

	lgt_rm_tree(f->dir);
	free(f->dir);
	lgt_run_release(&f->r);
	for (size_t i = 0; i < f->n_strs; i++)
		free(f->strs[i]);
	free(f);
	return 0;
}

/* ---- running a program --------------------------------------------------- */

/* Runs argv[0] with argv in `cwd` (see lgt_spawn). */
static void spawn(const char *cwd, const char *const *argv, struct lgt_run *r)
{
	assert_int_equal(lgt_spawn(cwd, argv, child_env, r), 0);
}

/* Runs leakgate with the arguments after `cwd` (NULL-terminated) in `cwd`. */
static void run_lg(struct fx *f, const char *cwd, const char *const *args)
{
	const char *argv[32] = { leakgate };
	size_t n = 1;

	for (; args[n - 1]; n++) {
		assert_true(n < 31);
		argv[n] = args[n - 1];
	}
	argv[n] = NULL;
	spawn(cwd, argv, &f->r);
}

/* LG(f, args...) runs leakgate in the test's directory. */
#define LG(f, ...) run_lg((f), (f)->dir, (const char *const[]){ __VA_ARGS__, NULL })
/* LG_IN(f, dir, args...) runs it in `dir`. */
#define LG_IN(f, dir, ...) run_lg((f), (dir), (const char *const[]){ __VA_ARGS__, NULL })

/* The transcript leakgate must end with: both streams first, since on a
 * failure they explain the status.  A macro, so a failure names the test's
 * line. */
#define expect(f_, status_, out_, err_)                              \
	do {                                                         \
		assert_string_equal((f_)->r.err, (err_));            \
		assert_string_equal((f_)->r.out, (out_));            \
		assert_int_equal((f_)->r.status, (status_));         \
	} while (0)

/* ---- files ---------------------------------------------------------------- */

static const char *cli_path(struct fx *f, const char *name)
{
	return fmt(f, "%s/%s", cli_dir, name);
}

static const char *pool_rules(struct fx *f)
{
	return cli_path(f, "rules/pool.yml");
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static char *read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!fp)
		return NULL;
	FILE *mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	int c;
	while ((c = getc(fp)) != EOF)
		putc(c, mem);
	fclose(fp);
	fclose(mem);
	return buf;
}

/* Copies tests/cli/NAME into `dir`. */
static void copy_in(struct fx *f, const char *name, const char *dir)
{
	char *text = read_text(cli_path(f, name));

	assert_non_null(text);
	write_file(fmt(f, "%s/%s", dir, name), text);
	free(text);
}

static const char *make_dir(struct fx *f, const char *name)
{
	const char *d = fmt(f, "%s/%s", f->dir, name);

	assert_int_equal(mkdir(d, 0755), 0);
	return d;
}

/* The names in `dir` but . and .., sorted, one a line. */
static const char *listing(struct fx *f, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char *buf = NULL;
	size_t len = 0;

	assert_true(n >= 0);
	FILE *mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			fprintf(mem, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	fclose(mem);
	const char *s = fmt(f, "%s", buf);
	free(buf);
	return s;
}

/* ---- expected texts -------------------------------------------------------- */

/* The report on leak.c, naming it `name`. */
static const char *leak_report(struct fx *f, const char *name)
{
	return fmt(f,
		"%1$s:9:9: warning: connection 'c' acquired by pool_acquire() at line 5 is still held when the function returns here [pool-connection]\n"
		"    9 |         return -1;\n"
		"      |         ^\n"
		"%1$s:5:22: note: 'c' acquired here by pool_acquire()\n"
		"%1$s:6:9: note: taking the false branch of 'if (!c)'\n"
		"%1$s:8:9: note: taking the true branch of 'if (db_query(c, \"SELECT 1\") < 0)'\n"
		"%1$s:9:9: note: returning with 'c' still held\n"
		"1 leak found.\n", name);
}

/* What syntax_error.c gives, naming it `name`. */
static const char *syntax_error_diags(struct fx *f, const char *name)
{
	return fmt(f,
		"%1$s:5:15: error: expected expression\n"
		"%1$s: error: file does not parse (1 compiler error); it was not analysed\n",
		name);
}

static const char *no_database_hint =
	"make one with 'cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON' or 'bear -- make'";

/* A compile database in `dbdir` with one entry for `src_dir`/leak.c, built
 * with gcc-only flags. */
static void write_compdb(struct fx *f, const char *dbdir, const char *src_dir)
{
	write_file(fmt(f, "%s/compile_commands.json", dbdir),
		   fmt(f, "[\n"
			  "  {\n"
			  "    \"directory\": \"%s\",\n"
			  "    \"file\": \"leak.c\",\n"
			  "    \"command\": \"gcc -c -o leak.o -fno-stringop-truncation "
			  "-Wno-format-truncation leak.c\"\n"
			  "  }\n"
			  "]\n", src_dir));
}

/* ---- good paths ------------------------------------------------------------ */

static void cli__version_prints_the_project_version(void **state)
{
	struct fx *f = *state;
	char *cmake = read_text(fmt(f, "%s/CMakeLists.txt", repo_root));
	char version[32] = "";

	assert_non_null(cmake);
	const char *p = strstr(cmake, "project(leakgate VERSION ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "project(leakgate VERSION %31[0-9.]", version), 1);
	free(cmake);

	LG(f, "--version");
	expect(f, 0, fmt(f, "leakgate %s\n", version), "");
}

static void cli__help_names_every_option(void **state)
{
	struct fx *f = *state;
	static const char *const options[] = {
		"-p, --build-path DIR", "-r, --rules PATH|NAME",
		"-f, --format text|sarif", "-o, --output FILE", "-j, --jobs N",
		"--list-rules", "--version", "--help",
	};

	LG(f, "--help");
	assert_string_equal(f->r.err, "");
	assert_int_equal(f->r.status, 0);
	assert_true(strncmp(f->r.out,
			    "usage: leakgate [OPTIONS] [FILE...] [-- COMPILER_ARGS...]\n",
			    strlen("usage: leakgate [OPTIONS] [FILE...] [-- COMPILER_ARGS...]\n")) == 0);
	for (size_t i = 0; i < sizeof(options) / sizeof(*options); i++)
		if (!strstr(f->r.out, options[i]))
			fail_msg("--help does not mention '%s'", options[i]);
}

static void cli__list_rules_prints_the_resource(void **state)
{
	struct fx *f = *state;
	const char *rules = pool_rules(f);

	LG(f, "--list-rules", "-r", rules);
	expect(f, 0,
	       fmt(f, "pool-connection (connection): Connection taken from the application's pool\n"
		      "  acquire:  pool_acquire() -> returns handle\n"
		      "  release:  pool_release(arg 1)\n"
		      "  defined in %s:4\n", rules),
	       "");
}

static void cli__clean_file_exits_0_silently(void **state)
{
	struct fx *f = *state;

	LG(f, "-r", pool_rules(f), cli_path(f, "clean.c"));
	expect(f, 0, "", "");
}

static void cli__leak_prints_report_and_exits_1(void **state)
{
	struct fx *f = *state;

	copy_in(f, "pool.h", f->dir);
	copy_in(f, "leak.c", f->dir);
	LG(f, "-r", pool_rules(f), "leak.c");
	expect(f, 1, leak_report(f, "leak.c"), "");
}

/* The same leak in files written with "\r\n" and with lone "\r" line ends
 * (Windows, old Mac): the same lines and columns, and the same line quoted
 * (positions and quotes count lines as the compiler does). */
static void cli__leak_in_crlf_and_cr_files_reports_the_same_lines(void **state)
{
	struct fx *f = *state;
	char *text = read_text(cli_path(f, "leak.c"));
	assert_non_null(text);
	size_t n = strlen(text);
	char *crlf = malloc(2 * n + 1), *cr = strdup(text);
	assert_non_null(crlf);
	assert_non_null(cr);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n')
			crlf[k++] = '\r';
		crlf[k++] = text[i];
		if (cr[i] == '\n')
			cr[i] = '\r';
	}
	crlf[k] = '\0';
	copy_in(f, "pool.h", f->dir);
	write_file(fmt(f, "%s/crlf.c", f->dir), crlf);
	write_file(fmt(f, "%s/cr.c", f->dir), cr);
	free(text);
	free(crlf);
	free(cr);
	LG(f, "-r", pool_rules(f), "crlf.c");
	expect(f, 1, leak_report(f, "crlf.c"), "");
	LG(f, "-r", pool_rules(f), "cr.c");
	expect(f, 1, leak_report(f, "cr.c"), "");
}

static void cli__leak_outside_cwd_is_named_absolutely(void **state)
{
	struct fx *f = *state;
	const char *leak = cli_path(f, "leak.c");

	LG(f, "-r", pool_rules(f), leak);
	expect(f, 1, leak_report(f, leak), "");
}

static void cli__rules_from_a_directory(void **state)
{
	struct fx *f = *state;

	copy_in(f, "pool.h", f->dir);
	copy_in(f, "leak.c", f->dir);
	LG(f, "-r", cli_path(f, "rules"), "leak.c");
	expect(f, 1, leak_report(f, "leak.c"), "");
}

static void cli__sarif_output_file_validates(void **state)
{
	struct fx *f = *state;

	LG(f, "--no-cache", "-r", pool_rules(f), "-f", "sarif", "-o", "out.sarif",
	   cli_path(f, "leak.c"));
	expect(f, 1, "", "");
	/* Only the report: no temporary file left behind (and, with
	 * --no-cache, no cache directory either). */
	assert_string_equal(listing(f, f->dir), "out.sarif\n");

	struct lgt_run v = { 0 };
	const char *validate[] = { "/usr/bin/python3", "-m", "jsonschema", "-i",
				   "out.sarif", sarif_schema, NULL };
	spawn(f->dir, validate, &v);
	if (v.status != 0)
		fail_msg("out.sarif does not validate against %s:\n%s%s",
			 sarif_schema, v.out, v.err);
	lgt_run_release(&v);

	json_error_t jerr;
	json_t *sarif = json_load_file(fmt(f, "%s/out.sarif", f->dir), 0, &jerr);
	if (!sarif)
		fail_msg("out.sarif:%d:%d: %s", jerr.line, jerr.column, jerr.text);
	json_t *results = json_object_get(json_array_get(json_object_get(sarif, "runs"), 0),
					  "results");
	assert_int_equal(json_array_size(results), 1);
	json_t *res = json_array_get(results, 0);
	assert_string_equal(json_string_value(json_object_get(res, "ruleId")),
			    "pool-connection");
	json_t *region = json_object_get(json_object_get(json_object_get(
		json_array_get(json_object_get(res, "locations"), 0),
		"physicalLocation"), "region"), "startLine");
	assert_int_equal(json_integer_value(region), 9);
	json_t *flow = json_array_get(json_object_get(res, "codeFlows"), 0);
	json_t *steps = json_object_get(json_array_get(json_object_get(flow, "threadFlows"), 0),
					"locations");
	assert_true(json_array_size(steps) >= 2);
	json_decref(sarif);
}

static void cli__no_colour_when_output_is_not_a_terminal(void **state)
{
	struct fx *f = *state;

	/* Both streams carry text: the report and the parse error. */
	LG(f, "-r", pool_rules(f), cli_path(f, "leak.c"), cli_path(f, "syntax_error.c"));
	assert_int_equal(f->r.status, 2);
	assert_true(f->r.out[0] && f->r.err[0]);
	if (strchr(f->r.out, '\033'))
		fail_msg("escape sequence on standard output (a pipe):\n%s", f->r.out);
	if (strchr(f->r.err, '\033'))
		fail_msg("escape sequence on standard error (a pipe):\n%s", f->r.err);
}

/* ---- compile databases ----------------------------------------------------- */

static void cli__build_path_analyses_entries_and_drops_gcc_flags(void **state)
{
	struct fx *f = *state;
	const char *src = make_dir(f, "src");
	const char *build = make_dir(f, "build");

	copy_in(f, "pool.h", src);
	copy_in(f, "leak.c", src);
	write_compdb(f, build, src);
	LG(f, "-r", pool_rules(f), "-p", "build");
	expect(f, 1, leak_report(f, "src/leak.c"),
	       "build/compile_commands.json: note: dropped flags that do not shape parsing "
	       "from the entry for src/leak.c: -c, -o leak.o, -fno-stringop-truncation\n");
}

static void cli__build_path_with_file_not_listed_exits_2(void **state)
{
	struct fx *f = *state;
	const char *src = make_dir(f, "src");
	const char *build = make_dir(f, "build");

	copy_in(f, "pool.h", src);
	copy_in(f, "leak.c", src);
	copy_in(f, "clean.c", src);
	write_compdb(f, build, src);
	LG(f, "-r", pool_rules(f), "-p", "build", "src/clean.c");
	expect(f, 2, "",
	       "build/compile_commands.json: note: dropped flags that do not shape parsing "
	       "from the entry for src/leak.c: -c, -o leak.o, -fno-stringop-truncation\n"
	       "src/clean.c: error: not listed in build/compile_commands.json\n");
}

static void cli__compile_commands_in_cwd_is_used_by_default(void **state)
{
	struct fx *f = *state;

	copy_in(f, "pool.h", f->dir);
	copy_in(f, "leak.c", f->dir);
	write_compdb(f, f->dir, f->dir);
	LG(f, "-r", pool_rules(f));
	expect(f, 1, leak_report(f, "leak.c"),
	       "compile_commands.json: note: dropped flags that do not shape parsing "
	       "from the entry for leak.c: -c, -o leak.o, -fno-stringop-truncation\n");
}

static void cli__compdb_not_json_exits_2(void **state)
{
	struct fx *f = *state;
	const char *dir = cli_path(f, "not-json");

	LG(f, "-r", pool_rules(f), "-p", dir);
	expect(f, 2, "",
	       fmt(f, "%s/compile_commands.json:3:6: error: invalid compile database: "
		      "invalid token near 'oops' (expected a JSON array of "
		      "{\"directory\", \"file\", \"command\" or \"arguments\"})\n", dir));
}

/* An empty file (a build that died before writing it) still has a place to
 * point at: line 1, column 1. */
static void cli__compdb_empty_file_names_line_and_column(void **state)
{
	struct fx *f = *state;

	make_dir(f, "build");
	write_file(fmt(f, "%s/build/compile_commands.json", f->dir), "");
	LG(f, "-r", pool_rules(f), "-p", "build");
	expect(f, 2, "",
	       "build/compile_commands.json:1:1: error: invalid compile database: "
	       "'[' or '{' expected near end of file (expected a JSON array of "
	       "{\"directory\", \"file\", \"command\" or \"arguments\"})\n");
}

static void cli__build_path_without_database_exits_2(void **state)
{
	struct fx *f = *state;

	make_dir(f, "build");
	LG(f, "-r", pool_rules(f), "-p", "build");
	expect(f, 2, "",
	       fmt(f, "build/compile_commands.json: error: cannot read compile database: "
		      "No such file or directory; %s\n", no_database_hint));
}

static void cli__no_inputs_says_how_to_make_a_database(void **state)
{
	struct fx *f = *state;

	LG_IN(f, f->dir, NULL);
	expect(f, 2, "",
	       fmt(f, "leakgate: error: no input files and no compile_commands.json here; "
		      "%s, pass its directory with -p, or name files: "
		      "leakgate file.c -- -Iinclude\n", no_database_hint));
}

/* ---- inputs that fail ------------------------------------------------------ */

static void cli__missing_input_file_exits_2(void **state)
{
	struct fx *f = *state;

	LG(f, "-r", pool_rules(f), "missing.c");
	expect(f, 2, "", "missing.c: error: cannot read input file: No such file or directory\n");
}

static void cli__syntax_error_exits_2(void **state)
{
	struct fx *f = *state;
	const char *file = cli_path(f, "syntax_error.c");

	LG(f, "-r", pool_rules(f), file);
	expect(f, 2, "", syntax_error_diags(f, file));
}

/* Parse errors name a file as the findings do: relative to the working
 * directory when it is inside it. */
static void cli__parse_error_names_file_like_findings(void **state)
{
	struct fx *f = *state;

	copy_in(f, "pool.h", f->dir);
	copy_in(f, "syntax_error.c", f->dir);
	LG(f, "-r", pool_rules(f), "syntax_error.c");
	expect(f, 2, "", syntax_error_diags(f, "syntax_error.c"));
}

static void cli__missing_header_exits_2(void **state)
{
	struct fx *f = *state;
	const char *file = cli_path(f, "missing_header.c");

	LG(f, "-r", pool_rules(f), file);
	expect(f, 2, "",
	       fmt(f, "%1$s:2:10: error: 'no_such_header.h' file not found\n"
		      "%1$s: error: file does not parse (1 compiler error); it was not analysed\n",
		   file));
}

static void cli__one_bad_file_does_not_hide_other_findings(void **state)
{
	struct fx *f = *state;
	const char *leak = cli_path(f, "leak.c");
	const char *bad = cli_path(f, "syntax_error.c");

	LG(f, "-r", pool_rules(f), leak, bad);
	expect(f, 2, leak_report(f, leak), syntax_error_diags(f, bad));
}

/* ---- bad rules ------------------------------------------------------------- */

static void expect_rule_error(struct fx *f, const char *name, const char *where_what)
{
	const char *file = cli_path(f, name);

	LG(f, "-r", file, cli_path(f, "leak.c"));
	expect(f, 2, "", fmt(f, "%s:%s\n", file, where_what));
}

static void cli__empty_rule_file_exits_2(void **state)
{
	expect_rule_error(*state, "bad-empty.yml",
			  "1:1: error: empty rule file (expected 'version: 1' and 'resources:')");
}

static void cli__rule_with_wrong_type_exits_2(void **state)
{
	expect_rule_error(*state, "bad-wrong-type.yml",
			  "11:14: error: expected a non-negative integer for 'arg', got 'first'");
}

static void cli__rule_with_unknown_key_exits_2(void **state)
{
	expect_rule_error(*state, "bad-unknown-key.yml",
			  "12:5: error: unknown key 'cleanup' in resource 'pool-connection' "
			  "(expected one of: id, kind, description, acquire, release, transfer)");
}

static void cli__rule_with_duplicate_id_exits_2(void **state)
{
	struct fx *f = *state;

	expect_rule_error(f, "bad-duplicate-id.yml",
			  fmt(f, "12:9: error: duplicate resource id 'pool-connection' "
				 "(first defined at %s:3:9)", cli_path(f, "bad-duplicate-id.yml")));
}

/* The message names the built-in packs: the *.yml of REPO_ROOT/rules. */
static void cli__unknown_pack_exits_2(void **state)
{
	struct fx *f = *state;
	struct dirent **names;
	int n = scandir(fmt(f, "%s/rules", repo_root), &names, NULL, alphasort);
	char *packs = NULL;
	size_t len = 0;

	assert_true(n > 0);
	FILE *mem = open_memstream(&packs, &len);
	assert_non_null(mem);
	int k = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		if (names[i]->d_name[0] != '.' && l > 4 &&
		    strcmp(names[i]->d_name + l - 4, ".yml") == 0)
			fprintf(mem, "%s%.*s", k++ ? ", " : "", (int)(l - 4), names[i]->d_name);
		free(names[i]);
	}
	free(names);
	fclose(mem);
	const char *expected = fmt(f, "leakgate: error: unknown rule pack or file 'no-such-pack' "
				      "(built-in packs: %s)\n", packs);
	free(packs);

	LG(f, "-r", "no-such-pack", cli_path(f, "leak.c"));
	expect(f, 2, "", expected);
}

/* ---- bad usage ------------------------------------------------------------- */

static void cli__unknown_option_exits_2(void **state)
{
	struct fx *f = *state;

	LG(f, "--frobnicate", cli_path(f, "leak.c"));
	expect(f, 2, "", "leakgate: error: unknown option '--frobnicate'; see 'leakgate --help'\n");
}

static void cli__format_xml_exits_2(void **state)
{
	struct fx *f = *state;

	LG(f, "--format", "xml", cli_path(f, "leak.c"));
	expect(f, 2, "", "leakgate: error: unknown format 'xml' (expected text, sarif, json, github, gitlab, rdjson or markdown); see 'leakgate --help'\n");
}

static void cli__jobs_0_exits_2(void **state)
{
	struct fx *f = *state;

	LG(f, "-j", "0", cli_path(f, "leak.c"));
	expect(f, 2, "", "leakgate: error: --jobs expects a number from 1 to 1024, got '0'; see 'leakgate --help'\n");
}

/* ---- main ------------------------------------------------------------------ */

static char *absolute(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p)
		fprintf(stderr, "test_cli: %s: %s\n", path, strerror(errno));
	return p;
}

/* The environment leakgate runs with (see the top of this file). */
static char **make_env(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 5, sizeof(*env));
	size_t k = 0;
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i];
		if (strncmp(e, "NO_COLOR=", 9) && strncmp(e, "TERM=", 5) &&
		    strncmp(e, "LC_ALL=", 7) && strncmp(e, "LEAKGATE_RULES_DIR=", 19))
			env[k++] = strdup(e);
	}
	env[k++] = strdup("TERM=xterm-256color");
	env[k++] = strdup("LC_ALL=C");
	if (asprintf(&env[k], "LEAKGATE_RULES_DIR=%s/rules", repo_root) < 0)
		env[k] = NULL;
	k++;
	for (size_t i = 0; i < k; i++)
		if (!env[i])
			return NULL;
	return env;
}

/* A report to a device (/dev/null, /dev/stdout) is written to it, not
 * renamed over it: the device must still be a device afterwards. */
static void cli__report_to_a_device_keeps_the_device(void **state)
{
	struct fx *f = *state;
	LG(f, "--no-cache", "-r", pool_rules(f), "-f", "json:/dev/null", cli_path(f, "leak.c"));
	expect(f, 1, "", "");
	struct stat st;
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

/* ---- the summary cache ------------------------------------------------------ */

/* A three-file project: a wrapper and a release helper in db.c (behind
 * db.h), a caller in login.c that uses them, and other.c that includes
 * neither.  RELEASES in db.h decides whether db_put() releases. */
static void write_project(struct fx *f, int releases)
{
	char *pool_h = read_text(cli_path(f, "pool.h"));
	assert_non_null(pool_h);
	write_file(fmt(f, "%s/pool.h", f->dir), pool_h);
	free(pool_h);
	write_file(fmt(f, "%s/db.h", f->dir),
		   fmt(f, "#include \"pool.h\"\n"
			  "#define RELEASES %d\n"
			  "struct conn *db_get(struct pool *p);\n"
			  "void db_put(struct pool *p, struct conn *c);\n", releases));
	write_file(fmt(f, "%s/db.c", f->dir),
		   "#include \"db.h\"\n"
		   "struct conn *db_get(struct pool *p)\n"
		   "{\n"
		   "    return pool_acquire(p);\n"
		   "}\n"
		   "void db_put(struct pool *p, struct conn *c)\n"
		   "{\n"
		   "    if (RELEASES)\n"
		   "        pool_release(p, c);\n"
		   "}\n");
	write_file(fmt(f, "%s/login.c", f->dir),
		   "#include \"db.h\"\n"
		   "int login(struct pool *p)\n"
		   "{\n"
		   "    struct conn *c = db_get(p);\n"
		   "    if (!c)\n"
		   "        return -1;\n"
		   "    int rc = db_query(c, \"SELECT 1\");\n"
		   "    db_put(p, c);\n"
		   "    return rc;\n"
		   "}\n");
	write_file(fmt(f, "%s/other.c", f->dir),
		   "#include \"pool.h\"\n"
		   "int other(struct pool *p)\n"
		   "{\n"
		   "    struct conn *c = pool_acquire(p);\n"
		   "    if (!c)\n"
		   "        return -1;\n"
		   "    return db_query(c, \"SELECT 2\");\n"
		   "}\n");
	write_file(fmt(f, "%s/compile_commands.json", f->dir),
		   fmt(f, "[\n"
			  "  {\"directory\": \"%1$s\", \"file\": \"db.c\", \"command\": \"cc -c db.c\"},\n"
			  "  {\"directory\": \"%1$s\", \"file\": \"login.c\", \"command\": \"cc -c login.c\"},\n"
			  "  {\"directory\": \"%1$s\", \"file\": \"other.c\", \"command\": \"cc -c other.c\"}\n"
			  "]\n", f->dir));
}

/* The --stats line ends with the wall time of each phase, which no test can
 * predict: checks that they are there, then drops them from f->r.err. */
static void drop_times(struct fx *f)
{
	char *end = strstr(f->r.err, " s checking");
	char *start = strstr(f->r.err, " reused); ");
	assert_non_null(end);
	assert_non_null(start);
	start += strlen(" reused");
	assert_non_null(strstr(start, " s parsing, "));
	assert_non_null(strstr(start, " s summarising, "));
	start += 1;   /* keeps the ')' */
	end += strlen(" s checking");
	memmove(start, end, strlen(end) + 1);
}

static const char *stats_line(size_t files, size_t parsed, size_t cached, size_t fns,
			      size_t computed, size_t sreused, size_t checked,
			      size_t creused, struct fx *f)
{
	return fmt(f, "leakgate: note: %zu files (%zu parsed, %zu from the cache); "
		      "%zu functions (summaries: %zu computed, %zu reused; checks: "
		      "%zu run, %zu reused)\n", files, parsed, cached, fns, computed,
		   sreused, checked, creused);
}

/* The cache changes nothing in what is reported: a run without it, a first
 * run that fills it and a second run that uses it print the same findings;
 * the second run parses nothing and recomputes nothing. */
static void cli__cache_gives_identical_findings(void **state)
{
	struct fx *f = *state;
	write_project(f, 1);

	LG(f, "--no-cache", "-r", pool_rules(f), "-p", ".");
	assert_int_equal(f->r.status, 1);
	char *without = strdup(f->r.out);
	assert_non_null(strstr(without, "other.c:7:5: warning: connection 'c'"));
	assert_null(strstr(without, "login.c"));

	LG(f, "--stats", "-r", pool_rules(f), "-p", ".");
	drop_times(f);
	expect(f, 1, without, stats_line(3, 3, 0, 4, 4, 0, 4, 0, f));
	LG(f, "--stats", "-r", pool_rules(f), "-p", ".");
	drop_times(f);
	expect(f, 1, without, stats_line(3, 0, 3, 4, 0, 4, 0, 4, f));
	free(without);
}

/* A header that changes invalidates the files that include it (re-parsed)
 * and the functions whose summaries' inputs changed (db_put(), and login()
 * through db_put()); other.c, which does not include it, comes from the
 * cache. */
static void cli__changed_header_invalidates_what_depends_on_it(void **state)
{
	struct fx *f = *state;
	write_project(f, 1);
	LG(f, "-r", pool_rules(f), "-p", ".");
	assert_int_equal(f->r.status, 1);
	assert_null(strstr(f->r.out, "login.c"));

	write_project(f, 0);   /* db_put() no longer releases */
	LG(f, "--stats", "-r", pool_rules(f), "-p", ".");
	drop_times(f);
	assert_int_equal(f->r.status, 1);
	assert_non_null(strstr(f->r.out,
		"login.c:9:5: warning: connection 'c' acquired by db_get() at line 4 "
		"is still held when the function returns here [pool-connection]"));
	/* db.c and login.c include db.h: parsed; other.c: from the cache.
	 * db_put()'s graph changed, and login() calls it: both are computed
	 * again; db_get()'s graph is the same and other() is untouched: both
	 * are reused. */
	assert_string_equal(f->r.err, stats_line(3, 2, 1, 4, 2, 2, 2, 2, f));

	/* the same findings as a run without the cache */
	char *with = strdup(f->r.out);
	LG(f, "--no-cache", "-r", pool_rules(f), "-p", ".");
	assert_string_equal(f->r.out, with);
	free(with);
}

/* A cache entry that is corrupt, truncated or from another format is
 * ignored (and rewritten), never trusted. */
static void cli__corrupt_cache_entries_are_ignored(void **state)
{
	struct fx *f = *state;
	write_project(f, 1);
	LG(f, "-r", pool_rules(f), "-p", ".");
	char *expected = strdup(f->r.out);
	const char *cache = fmt(f, "%s/.cache/leakgate", f->dir);
	const char *names = listing(f, cache);
	assert_int_equal(strlen(names) > 0, 1);

	static const char *const garbage[] = {
		"not json at all",
		"{\"format\": \"leakgate-cache/1\"",
		"{\"format\": \"leakgate-cache/999\", \"version\": \"0\"}",
		"{\"format\": \"leakgate-cache/1\", \"version\": \"" LEAKGATE_VERSION_FOR_TESTS "\","
		" \"rules\": \"x\", \"file\": \"/nonexistent.c\", \"inputs\": [[\"/nonexistent.c\", \"00\"]],"
		" \"fns\": [{\"name\": \"f\", \"blocks\": [{\"ev\": [[9]]}]}], \"memos\": []}",
	};
	for (size_t g = 0; g < sizeof(garbage) / sizeof(*garbage); g++) {
		/* overwrite every entry with this garbage */
		char *list = strdup(names), *save = NULL;
		for (char *n = strtok_r(list, "\n", &save); n; n = strtok_r(NULL, "\n", &save))
			write_file(fmt(f, "%s/%s", cache, n), garbage[g]);
		free(list);
		LG(f, "--stats", "-r", pool_rules(f), "-p", ".");
	drop_times(f);
		expect(f, 1, expected, stats_line(3, 3, 0, 4, 4, 0, 4, 0, f));
	}
	free(expected);
}

/* ---- progress ---------------------------------------------------------------- */

/* --progress rewrites one line of standard error per file and phase and
 * clears it before the report; standard output carries the report alone. */
static void cli__progress_line_is_cleared_and_leaves_the_report_alone(void **state)
{
	struct fx *f = *state;
	const char *leak = cli_path(f, "leak.c");

	LG(f, "--no-cache", "-j", "1", "-r", pool_rules(f), leak);
	char *quiet_out = strdup(f->r.out);
	assert_non_null(quiet_out);
	assert_string_equal(f->r.err, "");

	LG(f, "--no-cache", "--progress", "-r", pool_rules(f), leak, cli_path(f, "clean.c"));
	assert_int_equal(f->r.status, 1);
	assert_string_equal(f->r.out, quiet_out);
	const char *err = f->r.err;
	assert_true(strncmp(err, "\r\033[Kparsing 1/2 ", strlen("\r\033[Kparsing 1/2 ")) == 0);
	assert_non_null(strstr(err, "\r\033[Kparsing 2/2 "));
	assert_non_null(strstr(err, "\r\033[Kchecking 2/2 "));
	size_t n = strlen(err);
	assert_true(n > 4 && strcmp(err + n - 4, "\r\033[K") == 0);
	assert_null(strchr(err, '\n'));
	free(quiet_out);

	/* The largest file is parsed first, whatever the order given: a
	 * large file started last would leave the other workers idle. */
	const char *big = fmt(f, "%s/big.c", f->dir);
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_non_null(m);
	for (int i = 0; i < 2000; i++)
		fprintf(m, "int big_%d(int x) { return x + %d; }\n", i, i);
	fclose(m);
	write_file(big, text);
	free(text);
	LG(f, "--no-cache", "-j", "1", "--progress", "-r", pool_rules(f),
	   cli_path(f, "clean.c"), big);
	assert_int_equal(f->r.status, 0);
	assert_true(strncmp(f->r.err, "\r\033[Kparsing 1/2 ", strlen("\r\033[Kparsing 1/2 ")) == 0);
	assert_non_null(strstr(f->r.err, "parsing 1/2 "));
	const char *first = f->r.err + strlen("\r\033[Kparsing 1/2 ");
	assert_true(strstr(first, "big.c") != NULL &&
		    strstr(first, "big.c") < strstr(first, "\r"));

	/* --no-progress wins over --progress given before it. */
	LG(f, "--no-cache", "--progress", "--no-progress", "-r", pool_rules(f), leak,
	   cli_path(f, "clean.c"));
	assert_int_equal(f->r.status, 1);
	assert_string_equal(f->r.err, "");
}

/* The usage block of README.md is the option list of --help, verbatim, so
 * the documentation of every option stays true. */
static void cli__readme_usage_is_the_help_text(void **state)
{
	struct fx *f = *state;
	char *readme = read_text(fmt(f, "%s/README.md", repo_root));
	assert_non_null(readme);

	LG(f, "--help");
	assert_int_equal(f->r.status, 0);
	const char *opts = strstr(f->r.out, "\nInput:\n");
	const char *end = strstr(f->r.out, "--help ");
	assert_non_null(opts);
	assert_non_null(end);
	end = strchr(end, '\n');
	assert_non_null(end);
	char *block = NULL;
	assert_true(asprintf(&block, "## Usage\n\n```\n"
			     "leakgate [OPTIONS] [FILE...] [-- COMPILER_ARGS...]%.*s```\n",
			     (int)(end + 1 - opts), opts) > 0);
	if (!strstr(readme, block))
		fail_msg("README.md's usage block differs from 'leakgate --help'");
	free(block);
	free(readme);
}

/* ---- shards ------------------------------------------------------------------- */

static void validate_sarif(struct fx *f, const char *name)
{
	struct lgt_run v = { 0 };
	const char *validate[] = { "/usr/bin/python3", "-m", "jsonschema", "-i",
				   name, sarif_schema, NULL };
	spawn(f->dir, validate, &v);
	if (v.status != 0)
		fail_msg("%s does not validate against %s:\n%s%s", name, sarif_schema,
			 v.out, v.err);
	lgt_run_release(&v);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "uri:line: message" of every result of a SARIF file, sorted, one per line. */
static const char *sarif_results(struct fx *f, const char *name)
{
	json_error_t jerr;
	json_t *log = json_load_file(fmt(f, "%s/%s", f->dir, name), 0, &jerr);
	if (!log)
		fail_msg("%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
	json_t *results = json_object_get(json_array_get(json_object_get(log, "runs"), 0),
					  "results");
	size_t n = json_array_size(results);
	char **lines = calloc(n + 1, sizeof(*lines));
	assert_non_null(lines);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(results, i);
		json_t *pl = json_object_get(json_array_get(json_object_get(r, "locations"), 0),
					     "physicalLocation");
		assert_true(asprintf(&lines[i], "%s:%lld: %s [%s]\n",
			json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
			(long long)json_integer_value(json_object_get(json_object_get(pl, "region"),
								      "startLine")),
			json_string_value(json_object_get(json_object_get(r, "message"), "text")),
			json_string_value(json_object_get(r, "ruleId"))) > 0);
	}
	qsort(lines, n, sizeof(*lines), cmp_strp);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]);
	char *all = calloc(len, 1);
	assert_non_null(all);
	for (size_t i = 0; i < n; i++) {
		strcat(all, lines[i]);
		free(lines[i]);
	}
	free(lines);
	json_decref(log);
	const char *kept = fmt(f, "%s", all);
	free(all);
	return kept;
}

/* Three shards find, together, exactly what one run finds, including the
 * leak in login.c that only a summary of db.c (another shard's file)
 * reveals; --merge joins their reports into one valid SARIF report and the
 * verdict of the whole. */
static void cli__shards_together_find_what_one_run_finds(void **state)
{
	struct fx *f = *state;
	write_project(f, 0);   /* login.c leaks through db_put() */

	LG(f, "--no-cache", "-r", pool_rules(f), "-p", ".", "-f", "sarif:all.sarif");
	expect(f, 1, "", "");
	const char *all = sarif_results(f, "all.sarif");
	assert_non_null(strstr(all, "login.c:9: "));
	assert_non_null(strstr(all, "other.c:7: "));

	size_t total = 0;
	for (int k = 1; k <= 3; k++) {
		const char *shard = fmt(f, "%d/3", k);
		const char *out = fmt(f, "shard-%d.sarif", k);
		LG(f, "--no-cache", "--shard", shard, "-r", pool_rules(f), "-p", ".",
		   "-f", fmt(f, "sarif:%s", out));
		assert_string_equal(f->r.err, "");
		assert_true(f->r.status == 0 || f->r.status == 1);
		const char *mine = sarif_results(f, out);
		/* each file is checked by one shard only */
		for (const char *l = mine; *l; l = strchr(l, '\n') + 1)
			total++;
	}
	LG(f, "--merge", "merged.sarif", "shard-1.sarif", "shard-2.sarif", "shard-3.sarif");
	expect(f, 1, "", "merged.sarif: note: 3 reports merged: 2 findings\n");
	assert_int_equal(total, 2);
	assert_string_equal(sarif_results(f, "merged.sarif"), all);
	validate_sarif(f, "merged.sarif");
	assert_string_equal(listing(f, f->dir),
			    "all.sarif\ncompile_commands.json\ndb.c\ndb.h\nlogin.c\n"
			    "merged.sarif\nother.c\npool.h\nshard-1.sarif\nshard-2.sarif\n"
			    "shard-3.sarif\n");

	/* A clean project merges to 0. */
	write_project(f, 1);
	write_file(fmt(f, "%s/other.c", f->dir), "int other(void) { return 0; }\n");
	for (int k = 1; k <= 2; k++) {
		LG(f, "--no-cache", "--shard", fmt(f, "%d/2", k), "-r", pool_rules(f), "-p", ".",
		   "-f", fmt(f, "sarif:clean-%d.sarif", k));
		expect(f, 0, "", "");
	}
	LG(f, "--merge", "clean.sarif", "clean-1.sarif", "clean-2.sarif");
	expect(f, 0, "", "clean.sarif: note: 2 reports merged: 0 findings\n");
}

/* The merge fails closed: a missing or repeated shard, a shard whose run
 * failed, a file that is not a leakgate report, bad --shard values. */
static void cli__merge_fails_closed(void **state)
{
	struct fx *f = *state;
	write_project(f, 0);
	for (int k = 1; k <= 3; k++)
		LG(f, "--no-cache", "--shard", fmt(f, "%d/3", k), "-r", pool_rules(f), "-p", ".",
		   "-f", fmt(f, "sarif:shard-%d.sarif", k));

	/* The report of what was given is written, but the verdict is an
	 * error. */
	LG(f, "--merge", "m.sarif", "shard-1.sarif", "shard-3.sarif");
	expect(f, 2, "", "leakgate: error: the report of shard 2/3 is missing: the verdict "
			 "needs every shard\n"
			 "m.sarif: note: 2 reports merged: 2 findings; the verdict is an "
			 "error (see above)\n");
	LG(f, "--merge", "m.sarif", "shard-1.sarif", "shard-2.sarif", "shard-2.sarif",
	   "shard-3.sarif");
	assert_int_equal(f->r.status, 2);
	assert_true(strncmp(f->r.err, "shard-2.sarif: error: shard 2/3 is given twice\n"
				      "m.sarif: note: 4 reports merged: ", 80) == 0);
	assert_non_null(strstr(f->r.err, "; the verdict is an error (see above)\n"));
	assert_int_equal(unlink(fmt(f, "%s/m.sarif", f->dir)), 0);

	write_file(fmt(f, "%s/bad.sarif", f->dir), "{\"version\": \"2.1.0\",\n  \"runs\": [}\n");
	LG(f, "--merge", "m.sarif", "shard-1.sarif", "bad.sarif");
	assert_int_equal(f->r.status, 2);
	assert_true(strncmp(f->r.err, "bad.sarif:2:", 12) == 0);
	assert_non_null(strstr(f->r.err, "error: cannot read the report: "));
	write_file(fmt(f, "%s/other.sarif", f->dir),
		   "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}},"
		   " \"results\": []}]}\n");
	LG(f, "--merge", "m.sarif", "other.sarif");
	expect(f, 2, "", "other.sarif: error: expected a SARIF 2.1.0 report written by "
			 "leakgate: the tool is not leakgate\n");
	/* an input that cannot be read: no merged report at all */
	assert_null(strstr(listing(f, f->dir), "m.sarif"));

	/* A shard whose run failed (login.c does not parse) makes the whole
	 * verdict an error, even though its report was written. */
	write_file(fmt(f, "%s/login.c", f->dir), "int login(void) { return }\n");
	for (int k = 1; k <= 3; k++) {
		LG(f, "--no-cache", "--shard", fmt(f, "%d/3", k), "-r", pool_rules(f), "-p", ".",
		   "-f", fmt(f, "sarif:shard-%d.sarif", k));
		assert_int_equal(f->r.status, 2);
	}
	LG(f, "--merge", "m.sarif", "shard-1.sarif", "shard-2.sarif", "shard-3.sarif");
	assert_int_equal(f->r.status, 2);
	assert_non_null(strstr(f->r.err, "shard-1.sarif: error: that run did not succeed"));
	assert_non_null(strstr(f->r.err, "the verdict is an error"));
	json_error_t jerr;
	json_t *log = json_load_file(fmt(f, "%s/m.sarif", f->dir), 0, &jerr);
	assert_non_null(log);
	json_t *inv = json_array_get(json_object_get(json_array_get(json_object_get(log, "runs"), 0),
						     "invocations"), 0);
	assert_true(json_is_false(json_object_get(inv, "executionSuccessful")));
	/* told once, not once per shard */
	json_t *notes = json_object_get(inv, "toolExecutionNotifications");
	size_t i, parse_errors = 0;
	json_t *n;
	json_array_foreach(notes, i, n)
		parse_errors += strstr(json_string_value(json_object_get(json_object_get(n, "message"),
									 "text")),
				       "file does not parse") != NULL;
	assert_int_equal(parse_errors, 1);
	json_decref(log);

	LG(f, "--shard", "4/3", "-p", ".");
	expect(f, 2, "", "leakgate: error: --shard expects K/N with 1 <= K <= N <= 10000 "
			 "(e.g. 2/4), got '4/3'; see 'leakgate --help'\n");
	LG(f, "--shard", "0/3", "-p", ".");
	assert_int_equal(f->r.status, 2);
	LG(f, "--merge", "m.sarif");
	expect(f, 2, "", "leakgate: error: --merge OUT needs the shards' SARIF reports after it "
			 "(leakgate --merge all.sarif shard-*.sarif); see 'leakgate --help'\n");
}

/* ---- the README's set-up commands ------------------------------------------ */

/* CI runs the README's test command, verbatim: the second ```sh block of
 * README.md must appear as a line of .ci/run. */
static void cli__ci_runs_the_readme_test_command(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/README.md", repo_root);
	char *readme = read_text(path);
	assert_non_null(readme);
	snprintf(path, sizeof(path), "%s/.ci/run", repo_root);
	char *ci = read_text(path);
	assert_non_null(ci);

	const char *p = readme;
	char *cmd[2] = { NULL, NULL };
	for (int i = 0; i < 2; i++) {
		p = strstr(p, "```sh\n");
		assert_non_null(p);
		p += 6;
		const char *e = strchr(p, '\n');
		assert_non_null(e);
		cmd[i] = strndup(p, (size_t)(e - p));
		p = e;
	}
	assert_non_null(strstr(cmd[1], "ctest"));
	assert_non_null(strstr(cmd[0], "run-demo"));
	char *line = NULL;
	assert_true(asprintf(&line, "\n%s\n", cmd[1]) > 0);
	if (!strstr(ci, line))
		fail_msg(".ci/run does not run the README's test command: %s", cmd[1]);
	free(line);
	free(cmd[0]);
	free(cmd[1]);
	free(readme);
	free(ci);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s LEAKGATE_BINARY TESTS_CLI_DIR REPO_ROOT "
			"SARIF_SCHEMA_PATH\n", argv[0]);
		return 2;
	}
	char *paths[4];
	for (int i = 0; i < 4; i++)
		if (!(paths[i] = absolute(argv[i + 1])))
			return 2;
	leakgate = paths[0];
	cli_dir = paths[1];
	repo_root = paths[2];
	sarif_schema = paths[3];
	child_env = make_env();
	if (!child_env)
		return 2;

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(cli__version_prints_the_project_version),
		T(cli__help_names_every_option),
		T(cli__readme_usage_is_the_help_text),
		T(cli__shards_together_find_what_one_run_finds),
		T(cli__merge_fails_closed),
		T(cli__progress_line_is_cleared_and_leaves_the_report_alone),
		T(cli__list_rules_prints_the_resource),
		T(cli__clean_file_exits_0_silently),
		T(cli__leak_prints_report_and_exits_1),
		T(cli__leak_outside_cwd_is_named_absolutely),
		T(cli__leak_in_crlf_and_cr_files_reports_the_same_lines),
		T(cli__rules_from_a_directory),
		T(cli__sarif_output_file_validates),
		T(cli__no_colour_when_output_is_not_a_terminal),
		T(cli__build_path_analyses_entries_and_drops_gcc_flags),
		T(cli__build_path_with_file_not_listed_exits_2),
		T(cli__compile_commands_in_cwd_is_used_by_default),
		T(cli__compdb_not_json_exits_2),
		T(cli__compdb_empty_file_names_line_and_column),
		T(cli__build_path_without_database_exits_2),
		T(cli__no_inputs_says_how_to_make_a_database),
		T(cli__missing_input_file_exits_2),
		T(cli__syntax_error_exits_2),
		T(cli__parse_error_names_file_like_findings),
		T(cli__missing_header_exits_2),
		T(cli__one_bad_file_does_not_hide_other_findings),
		T(cli__empty_rule_file_exits_2),
		T(cli__rule_with_wrong_type_exits_2),
		T(cli__rule_with_unknown_key_exits_2),
		T(cli__rule_with_duplicate_id_exits_2),
		T(cli__unknown_pack_exits_2),
		T(cli__unknown_option_exits_2),
		T(cli__format_xml_exits_2),
		T(cli__jobs_0_exits_2),
		T(cli__report_to_a_device_keeps_the_device),
		T(cli__cache_gives_identical_findings),
		T(cli__changed_header_invalidates_what_depends_on_it),
		T(cli__corrupt_cache_entries_are_ignored),
		T(cli__ci_runs_the_readme_test_command),
	};
#undef T
	int failed = cmocka_run_group_tests_name("cli", tests, NULL, NULL);

	for (size_t i = 0; child_env[i]; i++)
		free(child_env[i]);
	free(child_env);
	for (int i = 0; i < 4; i++)
		free(paths[i]);
	return failed;
}
