/*
 * test_gate.c - the merge gate end to end, on real git repositories.
 *
 * Each test makes a git repository in a fresh temporary directory, commits
 * the login service of examples/login-service on `main` (pool.h, login.h,
 * its rule file leakgate.yml, a .leakgate.yml naming the rules and the
 * compile database in build/), makes a change on a branch or in the index,
 * and runs what CI or git would run: ci/leakgate-ci, ci/install-hook and
 * `git commit` through the installed pre-commit hook.  It asserts the exit
 * status (0 pass, 1 blocked by findings, 2 could not check) and the output,
 * exactly where the output is the gate's own and by the lines that matter
 * where it is git's.
 *
 * Usage: test_gate LEAKGATE_BINARY REPO_ROOT SARIF_SCHEMA
 *
 * Programs are spawned with fork and exec, no shell, standard input from
 * /dev/null, in an environment made from scratch: PATH, HOME (the test's
 * directory), LC_ALL=C, NO_COLOR=1, git kept away from the user's and the
 * system's configuration, LEAKGATE=LEAKGATE_BINARY, and only the CI
 * variables a test sets (so a run inside GitHub Actions or GitLab CI tests
 * the same thing).  The cache is leakgate's default, .cache/leakgate in the
 * repository (ignored by git).  SARIF is validated with python3 -m
 * jsonschema against SARIF_SCHEMA, and the GitLab Code Quality issues
 * against gitlab-codeclimate-issue.schema.json beside it.
 */
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

#include "lgtest.h"

/* ---- the command line of this program, read once in main ---------------- */

static const char *leakgate;       /* LEAKGATE_BINARY, absolute */
static const char *repo_root;      /* REPO_ROOT, absolute */
static const char *sarif_schema;   /* SARIF_SCHEMA, absolute */
static const char *gitlab_schema;  /* its directory's gitlab-codeclimate-issue.schema.json */

/* ---- fixture ------------------------------------------------------------- */

#define MAX_STRS 128

/* One test's state: a temporary directory holding the repository (repo/)
 * and what lives outside it (the job summary, spare baselines), the last
 * run, and the strings the test built (freed in teardown). */
struct fx {
	char *dir;         /* the temporary directory */
	char *repo;        /* dir/repo: the git work tree */
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

/* Takes `s` (malloc'd) into the fixture. */
static const char *keep(struct fx *f, char *s)
{
	assert_non_null(s);
	assert_true(f->n_strs < MAX_STRS);
	f->strs[f->n_strs++] = s;
	return s;
}



static int teardown(void **state)
{
	struct fx *f = *state;

	if (!f)
		return 0;
	if (f->dir)
		lgt_rm_tree(f->dir);
	free(f->dir);
	free(f->repo);
	lgt_run_release(&f->r);
	for (size_t i = 0; i < f->n_strs; i++)
		free(f->strs[i]);
	free(f);
	return 0;
}

/* ---- running a program --------------------------------------------------- */

/* The environment of every program the tests run, plus `extra`
 * ("NAME=VALUE", NULL-terminated; a later one wins).  Malloc'd strings in
 * a malloc'd array. */
static char **make_env(const struct fx *f, const char *const *extra)
{
	const char *path = getenv("PATH");
	const char *tmp = getenv("TMPDIR");
	char **env = calloc(32, sizeof(*env));
	size_t n = 0;

	assert_non_null(env);
	assert_true(asprintf(&env[n++], "PATH=%s", path && *path ? path : "/usr/bin:/bin") >= 0);
	assert_true(asprintf(&env[n++], "HOME=%s", f->dir) >= 0);
	if (tmp && *tmp)
		assert_true(asprintf(&env[n++], "TMPDIR=%s", tmp) >= 0);
	assert_true(asprintf(&env[n++], "LEAKGATE=%s", leakgate) >= 0);
	env[n++] = strdup("LC_ALL=C");
	env[n++] = strdup("NO_COLOR=1");
	env[n++] = strdup("TERM=dumb");
	env[n++] = strdup("GIT_CONFIG_NOSYSTEM=1");
	env[n++] = strdup("GIT_CONFIG_GLOBAL=/dev/null");
	for (size_t i = 0; extra && extra[i]; i++) {
		size_t name = strcspn(extra[i], "=");
		for (size_t k = 0; k < n; k++)
			if (strncmp(env[k], extra[i], name + 1) == 0) {
				free(env[k]);
				env[k] = env[--n];
				env[n] = NULL;
				break;
			}
		assert_true(n < 31);
		env[n++] = strdup(extra[i]);
	}
	for (size_t i = 0; i < n; i++)
		assert_non_null(env[i]);
	return env;
}

/*
 * Runs argv (argv[0] looked up on the PATH when it has no '/') in `cwd`
 * with the test environment plus `extra`, standard input from /dev/null,
 * and collects both outputs (read together, so neither pipe can fill up).
 */
static void spawn(struct fx *f, const char *cwd, const char *const *extra,
		  const char *const *argv)
{
	char **env = make_env(f, extra);
	int r = lgt_spawn(cwd, argv, env, &f->r);
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	assert_int_equal(r, 0);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ENV ((const char *const *)NULL)

/* RUN(f, env, argv...) runs a program in the repository. */
#define RUN(f, env, ...) spawn((f), (f)->repo, (env), ARGS(__VA_ARGS__))

/* Runs git in the repository; it must succeed. */
#define GIT(f, ...)                                                       \
	do {                                                              \
		RUN((f), NO_ENV, "git", __VA_ARGS__);                     \
		if ((f)->r.status != 0)                                   \
			fail_msg("git failed (%d): %s", (f)->r.status,    \
				 (f)->r.err);                             \
	} while (0)

/* The gate, as CI runs it: ci/leakgate-ci with `env` and the arguments. */
#define GATE(f, env, ...) \
	RUN((f), (env), fmt((f), "%s/ci/leakgate-ci", repo_root), __VA_ARGS__)

/* The transcript a run must end with: both streams first, since on a
 * failure they explain the status.  A macro, so a failure names the
 * test's line. */
#define expect(f_, status_, out_, err_)                              \
	do {                                                         \
		assert_string_equal((f_)->r.err, (err_));            \
		assert_string_equal((f_)->r.out, (out_));            \
		assert_int_equal((f_)->r.status, (status_));         \
	} while (0)

/* `text` holds `part`; else the failure shows both. */
#define assert_contains(text_, part_)                                          \
	do {                                                                   \
		const char *t_ = (text_), *p_ = (part_);                       \
		if (!strstr(t_, p_))                                           \
			fail_msg("expected to find\n%s\nin\n%s", p_, t_);      \
	} while (0)

/* ---- files ---------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* The whole of `path` (malloc'd), or NULL when it cannot be read. */
static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;

	if (!fp)
		return NULL;
	for (;;) {
		char *nb = realloc(buf, len + 8192 + 1);
		assert_non_null(nb);
		buf = nb;
		size_t n = fread(buf + len, 1, 8192, fp);
		len += n;
		if (n < 8192)
			break;
	}
	fclose(fp);
	buf[len] = '\0';
	return buf;
}

/* A file of the repository, by its path in it. */
static const char *in_repo(struct fx *f, const char *name)
{
	return fmt(f, "%s/%s", f->repo, name);
}

static void write_repo_file(struct fx *f, const char *name, const char *text)
{
	write_file(in_repo(f, name), text);
}

/* examples/login-service/NAME, as text the fixture owns. */
static const char *example(struct fx *f, const char *name)
{
	const char *path = fmt(f, "%s/examples/login-service/%s", repo_root, name);
	char *text = read_all(path);

	if (!text)
		fail_msg("cannot read %s", path);
	return keep(f, text);
}

/* `text` with its first `from` replaced by `to`; `from` must be there. */
static const char *replace(struct fx *f, const char *text, const char *from,
			   const char *to)
{
	const char *at = strstr(text, from);

	if (!at)
		fail_msg("'%s' is not in the text", from);
	return fmt(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

/* The leaky handler with a suppression comment on the line above its
 * leaking return (which moves to line 49). */
static const char *leaky_suppressed(struct fx *f, const char *comment)
{
	return replace(f, example(f, "login.c"), "\t\treturn LOGIN_DENIED;\n\n",
		       fmt(f, "\t\t%s\n\t\treturn LOGIN_DENIED;\n\n", comment));
}

/* ---- the repository ---------------------------------------------------------- */

static const char leakgate_yml[] =
	"# The login service: the pool's rules, the compile database.\n"
	"rules: [leakgate.yml]\n"
	"compile_database: build\n";

/* Commits everything staged and in `files` with message `msg`. */
static void commit(struct fx *f, const char *msg)
{
	GIT(f, "add", "-A");
	GIT(f, "commit", "-q", "--no-verify", "-m", msg);
}

static const char *head(struct fx *f)
{
	GIT(f, "rev-parse", "HEAD");
	return fmt(f, "%.40s", f->r.out);
}

/*
 * A repository whose `main` holds the login service without its handler:
 * pool.h, login.h, the pool's rule file, .leakgate.yml, .gitignore, and a
 * compile database (build/, ignored, as a build writes it) that lists
 * login.c.
 */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	*state = f;
	if (asprintf(&f->dir, "%s/leakgate-gate-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
		f->dir = NULL;
		return -1;
	}
	if (!mkdtemp(f->dir) || asprintf(&f->repo, "%s/repo", f->dir) < 0 ||
	    mkdir(f->repo, 0755) != 0)
		return -1;

	GIT(f, "init", "-q", "-b", "main");
	GIT(f, "config", "user.name", "Gate Test");
	GIT(f, "config", "user.email", "gate@example.com");
	GIT(f, "config", "commit.gpgsign", "false");
	write_repo_file(f, "pool.h", example(f, "pool.h"));
	write_repo_file(f, "login.h", example(f, "login.h"));
	write_repo_file(f, "leakgate.yml", example(f, "leakgate.yml"));
	write_repo_file(f, ".leakgate.yml", leakgate_yml);
	write_repo_file(f, ".gitignore", "/build/\n/.cache/\n/leakgate-out/\n");
	assert_int_equal(mkdir(in_repo(f, "build"), 0755), 0);
	write_repo_file(f, "build/compile_commands.json",
			fmt(f, "[{\"directory\": \"%s\", \"file\": \"login.c\", "
			    "\"arguments\": [\"cc\", \"-std=gnu17\", \"-c\", \"login.c\"]}]\n",
			    f->repo));
	commit(f, "The login service's pool");
	return 0;
}

/* On a new branch `change`, commits login.c with `text`. */
static void change_login(struct fx *f, const char *text, const char *msg)
{
	GIT(f, "checkout", "-q", "-b", "change");
	write_repo_file(f, "login.c", text);
	commit(f, msg);
}

/* ---- the gate in CI ---------------------------------------------------------- */

static const char leak_report[] =
	"login.c:48:3: warning: connection 'conn' acquired by pool_acquire() at line 38 is "
	"still held when the function returns here [pool-connection]\n"
	"   48 |                 return LOGIN_DENIED;\n"
	"      |                 ^\n"
	"login.c:38:25: note: 'conn' acquired here by pool_acquire()\n"
	"login.c:39:6: note: taking the false branch of 'if (conn == NULL)'\n"
	"login.c:43:6: note: taking the false branch of 'if (found != 0)'\n"
	"login.c:47:6: note: taking the true branch of 'if (!check_password(password, stored_hash))'\n"
	"login.c:48:3: note: returning with 'conn' still held\n"
	"1 leak found.\n";

static const char blocked[] =
	"leakgate-ci: this change adds a leak: blocked (see above, or leakgate-out/)\n";
static const char passed[] = "leakgate-ci: no new leak\n";

/* The change that drained the pool: the handler, leaking on a wrong
 * password, is blocked with the path that leaks. */
static void gate__leak_is_blocked(void **state)
{
	struct fx *f = *state;

	change_login(f, example(f, "login.c"), "Add the login handler");
	GATE(f, NO_ENV, "--base", "main");
	expect(f, 1, leak_report, blocked);
}

/* The same on GitHub Actions: a workflow-command annotation on the leaking
 * line, the finding in the job summary, and SARIF that code scanning takes. */
static void gate__leak_is_blocked_on_github(void **state)
{
	struct fx *f = *state;
	const char *summary = fmt(f, "%s/step-summary.md", f->dir);

	write_file(summary, "");
	change_login(f, example(f, "login.c"), "Add the login handler");
	GATE(f, ARGS("GITHUB_ACTIONS=true", fmt(f, "GITHUB_STEP_SUMMARY=%s", summary)),
	     "--base", "main");
	assert_string_equal(f->r.err, blocked);
	assert_int_equal(f->r.status, 1);
	assert_contains(f->r.out, leak_report);
	assert_contains(f->r.out,
			"\n::error file=login.c,line=48,endLine=48,col=3,title=leakgate pool-connection::"
			"connection 'conn' acquired by pool_acquire() at line 38 is still held when the "
			"function returns here%0A");

	char *md = read_all(summary);
	assert_non_null(md);
	keep(f, md);
	assert_contains(md, "## leakgate: 1 leak\n");
	assert_contains(md, "`login.c:48` pool-connection");
	assert_contains(md, "`login.c:47` taking the true branch of 'if (!check\\_password(");

	const char *sarif = in_repo(f, "leakgate-out/leakgate.sarif");
	RUN(f, NO_ENV, "/usr/bin/python3", "-m", "jsonschema", "-i", sarif, sarif_schema);
	expect(f, 0, "", "");
	char *text = read_all(sarif);
	assert_non_null(text);
	keep(f, text);
	assert_contains(text, "\"ruleId\": \"pool-connection\"");
	assert_contains(text, "\"uri\": \"login.c\"");
}

/* The analyzer reads the pull request's code: it runs without the review
 * token (or GitLab's job token) in its environment.  A wrapper in place of
 * leakgate records the environment it was given, then runs leakgate. */
static void gate__analyzer_runs_without_the_tokens(void **state)
{
	struct fx *f = *state;
	const char *seen = fmt(f, "%s/env-seen", f->dir);
	const char *wrapper = fmt(f, "%s/leakgate-wrapper", f->dir);
	write_file(wrapper, fmt(f, "#!/bin/sh\nenv > '%s'\nexec '%s' \"$@\"\n", seen, leakgate));
	assert_int_equal(chmod(wrapper, 0755), 0);

	change_login(f, example(f, "login.c"), "Add the login handler");
	GATE(f, ARGS(fmt(f, "LEAKGATE=%s", wrapper), "GITHUB_TOKEN=ghs_DoNotLeakThis",
		     "CI_JOB_TOKEN=glcbt-DoNotLeakEither"), "--base", "main");
	expect(f, 1, leak_report, blocked);
	char *env = read_all(seen);
	assert_non_null(env);
	keep(f, env);
	assert_contains(env, "LC_ALL=C\n");          /* the control: it was recorded */
	assert_null(strstr(env, "DoNotLeak"));
	assert_null(strstr(f->r.out, "DoNotLeak"));
	assert_null(strstr(f->r.err, "DoNotLeak"));
}

/* The fix, the same handler releasing on every path, passes. */
static void gate__fixed_change_passes(void **state)
{
	struct fx *f = *state;

	change_login(f, example(f, "login_fixed.c"), "Add the login handler");
	GATE(f, NO_ENV, "--base", "main");
	expect(f, 0, "", passed);
}

/* `main` with the leaky handler committed and its leak recorded in the
 * baseline that .leakgate.yml names. */
static void baseline_leak_on_main(struct fx *f)
{
	write_repo_file(f, "login.c", example(f, "login.c"));
	write_repo_file(f, ".leakgate.yml", fmt(f, "%sbaseline: .leakgate-baseline\n", leakgate_yml));
	RUN(f, NO_ENV, leakgate, "--write-baseline", ".leakgate-baseline");
	expect(f, 0, "", ".leakgate-baseline: note: recorded 1 finding\n");
	commit(f, "The login handler as deployed; its leak is known");
}

/* A change to a file whose leak is in the baseline passes: a new function
 * above the leaky one moves the leak by 8 lines, and a comment on the
 * acquiring line puts the leak's path in the change.  Without the
 * baseline the same change is blocked, so it is the baseline (matched by
 * fingerprint, not by line) that lets it through. */
static void gate__baselined_leak_in_a_changed_file_passes(void **state)
{
	struct fx *f = *state;
	const char *text = example(f, "login.c");

	baseline_leak_on_main(f);
	text = replace(f, text, "enum login_result handle_login(",
		       "/* How many logins were attempted, for the /health page. */\n"
		       "static unsigned long login_attempts;\n"
		       "\n"
		       "unsigned long login_attempt_count(void)\n"
		       "{\n"
		       "\treturn login_attempts;\n"
		       "}\n"
		       "\n"
		       "enum login_result handle_login(");
	text = replace(f, text, "pool_acquire(pool);\n",
		       "pool_acquire(pool);  /* lent until pool_release() */\n");
	change_login(f, text, "Count login attempts");
	GATE(f, NO_ENV, "--base", "main");
	expect(f, 0, "", passed);

	const char *none = fmt(f, "%s/empty-baseline", f->dir);
	write_file(none, "");
	GATE(f, NO_ENV, "--base", "main", "--baseline", none);
	assert_int_equal(f->r.status, 1);
	assert_contains(f->r.out, "login.c:56:3: warning: connection 'conn' acquired by "
				  "pool_acquire() at line 46 is still held");
	assert_contains(f->r.out, "login.c:46:25: note: 'conn' acquired here by pool_acquire()\n");
}

/* A change that gives the known leak another path is reported: its
 * fingerprint holds the path, so the baseline entry no longer matches (and
 * says so). */
static void gate__baselined_leak_with_a_new_path_is_blocked(void **state)
{
	struct fx *f = *state;

	baseline_leak_on_main(f);
	change_login(f, replace(f, example(f, "login.c"),
				"if (!check_password(password, stored_hash))",
				"if (check_password(password, stored_hash) == 0)"),
		     "Compare the password check with 0");
	GATE(f, NO_ENV, "--base", "main");
	assert_int_equal(f->r.status, 1);
	assert_string_equal(f->r.out, replace(f, leak_report,
		"taking the true branch of 'if (!check_password(password, stored_hash))'",
		"taking the true branch of 'if (check_password(password, stored_hash) == 0)'"));
	assert_contains(f->r.err, fmt(f, "%s/.leakgate-baseline:4:1: note: baseline entry "
				      "matches no finding any more (pool-connection in "
				      "handle_login())", f->repo));
	assert_contains(f->r.err, blocked);
}

/* A leak marked as accepted, with a reason, on the line above it passes. */
static void gate__suppressed_leak_passes(void **state)
{
	struct fx *f = *state;

	change_login(f, leaky_suppressed(f, "// leakgate-ignore(pool-connection): the "
					 "pool is rebuilt after each denied login"),
		     "Add the login handler; its leak is accepted");
	GATE(f, NO_ENV, "--base", "main");
	expect(f, 0, "", passed);
}

/* Without a reason the suppression suppresses nothing, and says so. */
static void gate__suppression_without_reason_still_blocks(void **state)
{
	struct fx *f = *state;

	change_login(f, leaky_suppressed(f, "// leakgate-ignore(pool-connection)"),
		     "Add the login handler; its leak is accepted");
	GATE(f, NO_ENV, "--base", "main");
	assert_int_equal(f->r.status, 1);
	assert_contains(f->r.out, "login.c:49:3: warning: connection 'conn' acquired by "
				  "pool_acquire() at line 38 is still held when the function "
				  "returns here [pool-connection]\n");
	assert_string_equal(f->r.err,
		"login.c:48:6: warning: suppression without a reason suppresses nothing "
		"(expected '// leakgate-ignore(rule-id): why this leak is acceptable')\n"
		"leakgate-ci: this change adds a leak: blocked (see above, or leakgate-out/)\n");
}

/* A change that does not parse cannot be checked: it is blocked (exit 2),
 * with the compiler's error. */
static void gate__file_that_does_not_parse_blocks(void **state)
{
	struct fx *f = *state;

	change_login(f, replace(f, example(f, "login_fixed.c"), "return LOGIN_OK;",
				"return LOGIN_OK"),
		     "Add the login handler");
	GATE(f, NO_ENV, "--base", "main");
	assert_int_equal(f->r.status, 2);
	assert_string_equal(f->r.out, "");
	assert_contains(f->r.err, ": error: expected ';' after return statement\n");
	assert_contains(f->r.err, "login.c: error: file does not parse (1 compiler error); "
				  "it was not analysed\n");
	assert_contains(f->r.err, "leakgate-ci: leakgate failed to run (exit 2): the change "
				  "is not checked\n");
}

/* In a GitLab merge-request pipeline the base comes from
 * CI_MERGE_REQUEST_DIFF_BASE_SHA, and the Code Quality report holds the
 * leak, each issue valid against GitLab's schema. */
static void gate__gitlab_code_quality_report(void **state)
{
	struct fx *f = *state;
	const char *base = head(f);

	change_login(f, example(f, "login.c"), "Add the login handler");
	GATE(f, ARGS("GITLAB_CI=true", fmt(f, "CI_MERGE_REQUEST_DIFF_BASE_SHA=%s", base)),
	     "--out", "leakgate-out");
	expect(f, 1, leak_report, blocked);

	static const char check[] =
		"import json, sys, jsonschema\n"
		"schema = json.load(open(sys.argv[2]))\n"
		"issues = json.load(open(sys.argv[1]))\n"
		"assert isinstance(issues, list)\n"
		"for i in issues:\n"
		"    jsonschema.validate(i, schema)\n"
		"    loc = i['location']\n"
		"    print(i['check_name'], i['severity'], loc['path'], loc['lines']['begin'],\n"
		"          len(i['fingerprint']) > 0, i['description'])\n";
	RUN(f, NO_ENV, "/usr/bin/python3", "-c", check,
	    in_repo(f, "leakgate-out/gl-code-quality-report.json"), gitlab_schema);
	expect(f, 0,
	       "pool-connection major login.c 48 True connection 'conn' acquired by "
	       "pool_acquire() at line 38 is still held when the function returns here\n",
	       "");
}

/* Outside CI, with no --base, the gate cannot tell what changed: an error
 * that says what to pass, not a pass. */
static void gate__no_base_outside_ci_is_an_error(void **state)
{
	struct fx *f = *state;

	change_login(f, example(f, "login.c"), "Add the login handler");
	GATE(f, NO_ENV, "--out", "leakgate-out");
	expect(f, 2, "", "leakgate-ci: error: cannot tell the base of the change: pass "
			 "--base REF (e.g. --base origin/main)\n");
}

/* ---- the pre-commit hook ------------------------------------------------------ */

static void install_hook(struct fx *f)
{
	RUN(f, NO_ENV, fmt(f, "%s/ci/install-hook", repo_root));
	expect(f, 0, fmt(f, "install-hook: installed .git/hooks/pre-commit (runs %s/ci/pre-commit)\n",
			 repo_root), "");
}

/* The hook checks what is staged, not the working tree: the leaky handler
 * staged with the fixed one in the working tree stops the commit, with the
 * staged source line in the report; staging the fix lets it through. */
static void gate__hook_checks_the_index_not_the_working_tree(void **state)
{
	struct fx *f = *state;
	const char *before = head(f);

	install_hook(f);
	write_repo_file(f, "login.c", example(f, "login.c"));
	GIT(f, "add", "login.c");
	write_repo_file(f, "login.c", example(f, "login_fixed.c"));

	RUN(f, NO_ENV, "git", "commit", "-q", "-m", "Add the login handler");
	assert_int_not_equal(f->r.status, 0);
	const char *both = fmt(f, "%s%s", f->r.out, f->r.err);
	assert_contains(both, leak_report);
	assert_contains(both, "leakgate-pre-commit: the staged changes leak a resource: commit stopped\n");
	assert_string_equal(head(f), before);

	GIT(f, "add", "login.c");
	RUN(f, NO_ENV, "git", "commit", "-q", "-m", "Add the login handler");
	expect(f, 0, "", "");
	assert_string_not_equal(head(f), before);
	GIT(f, "show", "HEAD:login.c");
	assert_string_equal(f->r.out, example(f, "login_fixed.c"));
}

/* The hook fails closed: when leakgate cannot check the staged files (here:
 * they do not parse; then: no leakgate at all) the commit is stopped. */
static void gate__hook_fails_closed(void **state)
{
	struct fx *f = *state;
	const char *before = head(f);

	install_hook(f);
	write_repo_file(f, "login.c", replace(f, example(f, "login_fixed.c"),
					      "return LOGIN_OK;", "return LOGIN_OK"));
	GIT(f, "add", "login.c");
	RUN(f, NO_ENV, "git", "commit", "-q", "-m", "Add the login handler");
	assert_int_not_equal(f->r.status, 0);
	assert_contains(f->r.err, "login.c: error: file does not parse (1 compiler error); "
				  "it was not analysed\n");
	assert_contains(f->r.err, "leakgate-pre-commit: error: leakgate failed (exit 2): the "
				  "staged files are not checked\n");

	write_repo_file(f, "login.c", example(f, "login_fixed.c"));
	GIT(f, "add", "login.c");
	const char *missing = fmt(f, "%s/no-such-leakgate", f->dir);
	RUN(f, ARGS(fmt(f, "LEAKGATE=%s", missing)), "git", "commit", "-q", "-m",
	    "Add the login handler");
	assert_int_not_equal(f->r.status, 0);
	assert_contains(f->r.err, fmt(f, "leakgate-pre-commit: error: LEAKGATE='%s' is not an "
				      "executable file\n", missing));
	assert_string_equal(head(f), before);
}

/* Suppressions are read where the findings are: in the staged content.  A
 * suppression only in the working tree must not let a staged leak through,
 * and one that is staged must count whatever the working tree says. */
static void gate__hook_reads_suppressions_from_the_index(void **state)
{
	struct fx *f = *state;
	const char *before = head(f);
	const char *suppressed = leaky_suppressed(f, "// leakgate-ignore(pool-connection): "
						     "the pool is rebuilt after each denied login");

	install_hook(f);
	write_repo_file(f, "login.c", example(f, "login.c"));
	GIT(f, "add", "login.c");
	write_repo_file(f, "login.c", suppressed);
	RUN(f, NO_ENV, "git", "commit", "-q", "-m", "Add the login handler");
	assert_contains(f->r.err, leak_report);
	assert_int_not_equal(f->r.status, 0);
	assert_string_equal(head(f), before);

	write_repo_file(f, "login.c", suppressed);
	GIT(f, "add", "login.c");
	write_repo_file(f, "login.c", example(f, "login.c"));
	RUN(f, NO_ENV, "git", "commit", "-q", "-m", "Add the login handler");
	expect(f, 0, "", "");
}

/* A pre-commit hook that is not leakgate's is kept unless --force, which
 * keeps it as pre-commit.orig; --uninstall removes only leakgate's. */
static void gate__install_hook_refuses_a_foreign_hook(void **state)
{
	struct fx *f = *state;
	const char *hook = in_repo(f, ".git/hooks/pre-commit");
	const char *install = fmt(f, "%s/ci/install-hook", repo_root);
	static const char foreign[] = "#!/bin/sh\necho 'the team lint'\n";

	write_file(hook, foreign);
	assert_int_equal(chmod(hook, 0755), 0);
	RUN(f, NO_ENV, install);
	expect(f, 1, "",
	       "install-hook: .git/hooks/pre-commit exists and is not leakgate's: not replaced\n"
	       "install-hook: call leakgate's hook from it (ci/pre-commit), or pass --force to "
	       "replace it (it is kept as pre-commit.orig)\n");
	assert_string_equal(keep(f, read_all(hook)), foreign);

	RUN(f, NO_ENV, install, "--uninstall");
	expect(f, 1, "", "install-hook: .git/hooks/pre-commit is not leakgate's hook: left alone\n");
	assert_string_equal(keep(f, read_all(hook)), foreign);

	RUN(f, NO_ENV, install, "--force");
	expect(f, 0, fmt(f, "install-hook: the previous hook is kept as .git/hooks/pre-commit.orig\n"
			 "install-hook: installed .git/hooks/pre-commit (runs %s/ci/pre-commit)\n",
			 repo_root), "");
	assert_string_equal(keep(f, read_all(in_repo(f, ".git/hooks/pre-commit.orig"))), foreign);
	assert_contains(keep(f, read_all(hook)), "# leakgate-pre-commit-hook");

	RUN(f, NO_ENV, install, "--uninstall");
	expect(f, 0, "install-hook: removed .git/hooks/pre-commit\n"
		     "install-hook: the hook it replaced is still in .git/hooks/pre-commit.orig\n", "");
	assert_null(read_all(hook));
}

/* Installing twice changes nothing; core.hooksPath is where git looks, so
 * it is where the hook goes, from any directory of the work tree. */
static void gate__install_hook_is_idempotent_and_follows_hooks_path(void **state)
{
	struct fx *f = *state;
	const char *install = fmt(f, "%s/ci/install-hook", repo_root);

	GIT(f, "config", "core.hooksPath", ".githooks");
	assert_int_equal(mkdir(in_repo(f, "src"), 0755), 0);
	spawn(f, in_repo(f, "src"), NO_ENV, ARGS(install));
	expect(f, 0, fmt(f, "install-hook: installed .githooks/pre-commit (runs %s/ci/pre-commit)\n",
			 repo_root), "");
	const char *first = keep(f, read_all(in_repo(f, ".githooks/pre-commit")));
	struct stat st;
	assert_int_equal(stat(in_repo(f, ".githooks/pre-commit"), &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	assert_null(read_all(in_repo(f, ".git/hooks/pre-commit")));

	RUN(f, NO_ENV, install);
	expect(f, 0, "install-hook: .githooks/pre-commit is already leakgate's hook\n", "");
	assert_string_equal(keep(f, read_all(in_repo(f, ".githooks/pre-commit"))), first);

	write_repo_file(f, "login.c", example(f, "login.c"));
	GIT(f, "add", "login.c");
	RUN(f, NO_ENV, "git", "commit", "-q", "-m", "Add the login handler");
	assert_int_not_equal(f->r.status, 0);
	assert_contains(f->r.err, leak_report);

	RUN(f, NO_ENV, install, "--uninstall");
	expect(f, 0, "install-hook: removed .githooks/pre-commit\n", "");
}

/* ---- main ------------------------------------------------------------------------- */

static char *absolute(const char *path)
{
	char *abs = realpath(path, NULL);

	if (!abs)
		fprintf(stderr, "test_gate: %s: %s\n", path, strerror(errno));
	return abs;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s LEAKGATE_BINARY REPO_ROOT SARIF_SCHEMA\n", argv[0]);
		return 2;
	}
	char *paths[3];
	for (int i = 0; i < 3; i++)
		if (!(paths[i] = absolute(argv[i + 1])))
			return 2;
	leakgate = paths[0];
	repo_root = paths[1];
	sarif_schema = paths[2];
	char *gl = NULL;
	const char *slash = strrchr(sarif_schema, '/');
	if (asprintf(&gl, "%.*s/gitlab-codeclimate-issue.schema.json",
		     (int)(slash - sarif_schema), sarif_schema) < 0)
		return 2;
	gitlab_schema = gl;

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(gate__leak_is_blocked),
		T(gate__leak_is_blocked_on_github),
		T(gate__analyzer_runs_without_the_tokens),
		T(gate__fixed_change_passes),
		T(gate__baselined_leak_in_a_changed_file_passes),
		T(gate__baselined_leak_with_a_new_path_is_blocked),
		T(gate__suppressed_leak_passes),
		T(gate__suppression_without_reason_still_blocks),
		T(gate__file_that_does_not_parse_blocks),
		T(gate__gitlab_code_quality_report),
		T(gate__no_base_outside_ci_is_an_error),
		T(gate__hook_checks_the_index_not_the_working_tree),
		T(gate__hook_fails_closed),
		T(gate__hook_reads_suppressions_from_the_index),
		T(gate__install_hook_refuses_a_foreign_hook),
		T(gate__install_hook_is_idempotent_and_follows_hooks_path),
	};
#undef T
	int failed = cmocka_run_group_tests_name("gate", tests, NULL, NULL);

	free(gl);
	for (int i = 0; i < 3; i++)
		free(paths[i]);
	return failed;
}
