/*
 * corpus_test.c - runs leakgate over the fixture corpus and holds it to the
 * fixtures' inline expectations.
 *
 *   corpus_test LEAKGATE CORPUS_DIR [-- EXTRA_CLANG_FLAGS...]
 *
 * One cmocka test per fixture, in two runs of name order: first every *.c
 * file of CORPUS_DIR except this one, named after the file; then every
 * directory CORPUS_DIR/xtu-NAME (a group: several translation units whose
 * callers use helpers defined in the others), named after the directory.
 *
 * A file's test runs
 *
 *   LEAKGATE --format sarif -r CORPUS_DIR/rules/pool.yml -r libpq ...
 *            -r pthread FIXTURE -- -ICORPUS_DIR EXTRA_CLANG_FLAGS...
 *
 * A group's test writes TMP/compile_commands.json into a fresh temporary
 * directory, one entry per *.c file of the group (absolute paths,
 * "directory" the group's directory, "arguments" ["cc", "-c", "-IGROUP",
 * "-ICORPUS_DIR", EXTRA_CLANG_FLAGS..., FILE]), and runs
 *
 *   LEAKGATE --format sarif -r CORPUS_DIR/rules/pool.yml -r libpq ...
 *            -r pthread -p TMP
 *
 * Either way (fork/exec, stdout and stderr read through pipes), the test
 * takes ruleId, locations[0].physicalLocation.region.startLine,
 * ...artifactLocation.uri and locations[0].logicalLocations[0].name from
 * each SARIF result, and compares the multiset of (file, line, rule id)
 * with the fixture's expectations; a result's file is the fixture file
 * whose name is the uri's last component.  The test fails on any missing
 * or extra finding, on an exit status other than 1 with findings or 0
 * without, and on a fixture that breaks the corpus rules.
 *
 * The corpus rules, checked here:
 *   - a finding is expected by `// expect: leak RULE` on its line; several
 *     on one line are separated by commas (`leak a, leak b`; repeat an item
 *     for two findings of one rule);
 *   - every function is named leak_NAME (at least one expectation in its
 *     body), ok_NAME (none), or h_NAME: a helper that leak_ and ok_
 *     functions call, which must have no finding and no expectation and
 *     is left out of the leak_/ok_ counts;
 *   - a function definition is a line that starts in column 0, contains
 *     `leak_NAME(`, `ok_NAME(` or `h_NAME(` and does not end with ';'; the
 *     function runs to the line before the next definition in its file;
 *   - a fixture (a file, or a group as a whole) has at least one leak_ or
 *     ok_ function.
 *
 * A group teardown prints one summary line to stdout (a group counts as
 * one fixture):
 *   corpus: N fixtures; leaky functions fully found A/B; clean functions
 *   flagged C/D; findings expected E, reported R, missing M, extra X
 * and a second line for the helpers:
 *   helpers: flagged H/K
 *
 * Left out on purpose: columns, messages and code-flow steps are not
 * compared (the CLI transcripts cover those); the exit status is the
 * runner's own count of failed fixtures, as cmocka returns it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2 */
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>

/* How long one leakgate run may take before it is killed. */
#define RUN_TIMEOUT_MS (300 * 1000)

/* This file lives among the fixtures but is not one. */
#define RUNNER_SOURCE "corpus_test.c"

static const char *const builtin_packs[] = {
	"libpq", "mysql", "sqlite3", "hiredis", "odbc", "stdio", "posix", "pthread",
};

/* ---- Data ---------------------------------------------------------------- */

struct totals {
	unsigned fixtures;       /* fixtures run */
	unsigned leaky;          /* leak_ functions */
	unsigned leaky_found;    /* ... whose expectations were all reported */
	unsigned clean;          /* ok_ functions */
	unsigned clean_flagged;  /* ... with at least one finding */
	unsigned helpers;        /* h_ functions */
	unsigned helpers_flagged; /* ... with at least one finding */
	unsigned expected, reported, missing, extra;
};

struct fixture;

struct corpus {
	const char *leakgate;       /* the binary under test */
	const char *dir;            /* CORPUS_DIR, as given */
	char *abs_dir;              /* CORPUS_DIR, absolute; owned */
	char *const *extra_flags;   /* after "--"; points into argv */
	int n_extra;
	struct fixture *fixtures;   /* one per test, owned */
	size_t n_fixtures;
	struct totals totals;       /* summed over the tests run */
};

/* A test's state: one file, or a group of files (an xtu-* directory). */
struct fixture {
	struct corpus *corpus;
	char *name;                 /* "pool.c" or "xtu-login"; the test's name; owned */
	char *path;                 /* "CORPUS_DIR/pool.c"; for a group, the
				       directory's absolute path; owned */
	int group;                  /* an xtu-* directory */
	char **files;               /* the source files: for a file fixture its
				       path, for a group each *.c (absolute),
				       sorted; owned */
	size_t n_files;
};

enum func_kind {
	FUNC_OK,                    /* ok_: no finding */
	FUNC_LEAK,                  /* leak_: its expectations, nothing else */
	FUNC_HELPER,                /* h_: no finding, not counted as leak_/ok_ */
};

/* A leak_, ok_ or h_ function, found by scanning a fixture file's lines. */
struct func {
	char *name;
	size_t file;                /* index into the fixture's files */
	unsigned first, last;       /* its lines, 1-based, inclusive */
	enum func_kind kind;
	unsigned n_expected;        /* expectations in its lines */
	unsigned n_matched;         /* ... matched by a finding */
	unsigned n_reported;        /* findings attributed to it */
};

/* One item of an `// expect:` comment. */
struct expectation {
	size_t file;                /* index into the fixture's files */
	unsigned line;
	char *rule;
	int func;                   /* index into funcs, or -1 */
	int matched;
};

/* One SARIF result. */
struct finding {
	unsigned line;              /* 0 when the result has none */
	char *rule;
	char *function;             /* logical location; may be NULL */
	char *message;              /* may be NULL */
	char *uri;                  /* artifact location; may be NULL */
	int file;                   /* index into the fixture's files, or -1
				       when the uri names none of them */
	int matched;
};

/* Everything one test learns; released before the test can fail. */
struct check {
	const struct fixture *fx;
	struct func *funcs;
	size_t n_funcs, cap_funcs;
	struct expectation *exps;
	size_t n_exps, cap_exps;
	struct finding *finds;
	size_t n_finds, cap_finds;
	unsigned problems;          /* lines printed with problem() */
};

/* What one leakgate run produced. */
struct run {
	char *out, *err;            /* NUL-terminated; owned */
	size_t out_len, err_len;
	int exited;                 /* 1: exited normally, status in `status` */
	int status;                 /* exit status, or the killing signal */
	int timed_out;
};

/* The group teardown has no state of its own (a group state would replace
 * every test's state in cmocka 1.1), so the corpus is reachable here. */
static struct corpus *summary_corpus;

/* ---- Small helpers ---------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "corpus_test: out of memory\n");
		abort();
	}
	return q;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static char *xasprintf(const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(1, 2);
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xrealloc(NULL, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* Makes room for one more element of `size` bytes in *v. */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, *cap * size);
}

static int is_ident(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Prints one problem of the fixture (cmocka's error stream) and counts it. */
static void problem(struct check *ck, const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(2, 3);
static void problem(struct check *ck, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	print_error("%s\n", buf);
	ck->problems++;
}

static void check_release(struct check *ck)
{
	for (size_t i = 0; i < ck->n_funcs; i++)
		free(ck->funcs[i].name);
	for (size_t i = 0; i < ck->n_exps; i++)
		free(ck->exps[i].rule);
	for (size_t i = 0; i < ck->n_finds; i++) {
		free(ck->finds[i].rule);
		free(ck->finds[i].function);
		free(ck->finds[i].message);
		free(ck->finds[i].uri);
	}
	free(ck->funcs);
	free(ck->exps);
	free(ck->finds);
}

static void run_release(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* ---- Reading the fixture ------------------------------------------------------- */

/* Reads a whole file; NULL (errno set) on failure. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (cap < n + 4096 + 1) {
			cap = (n + 4096 + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, 4096, f);
		n += got;
		if (got < 4096)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * When `line` is the first line of a leak_/ok_/h_ function's definition,
 * stores the name's start and length.  A definition starts in column 0 (not
 * with '#', '/', '*', '{' or '}'), contains `leak_NAME(`, `ok_NAME(` or
 * `h_NAME(` as a whole identifier, and does not end with ';'.
 */
static int definition_name(const char *line, const char **name, size_t *len)
{
	size_t n = strlen(line);
	if (n == 0 || isspace((unsigned char)line[0]) || strchr("#/*{}", line[0]))
		return 0;
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		n--;
	if (n > 0 && line[n - 1] == ';')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && is_ident(line[i - 1]))
			continue;
		if (!starts_with(line + i, "leak_") && !starts_with(line + i, "ok_") &&
		    !starts_with(line + i, "h_"))
			continue;
		size_t j = i;
		while (j < n && is_ident(line[j]))
			j++;
		if (j < n && line[j] == '(') {
			*name = line + i;
			*len = j - i;
			return 1;
		}
	}
	return 0;
}

/* The text after `// expect:` on this line, or NULL. */
static const char *expect_comment(const char *line)
{
	for (const char *c = strstr(line, "//"); c; c = strstr(c + 2, "//")) {
		const char *p = c + 2;
		while (*p == ' ' || *p == '\t')
			p++;
		if (starts_with(p, "expect:"))
			return p + strlen("expect:");
	}
	return NULL;
}

static enum func_kind func_kind_of(const char *name)
{
	return starts_with(name, "leak_") ? FUNC_LEAK
	     : starts_with(name, "h_") ? FUNC_HELPER : FUNC_OK;
}

/* The path of the fixture's file `file`, for messages. */
static const char *file_path(const struct check *ck, size_t file)
{
	return ck->fx->files[file];
}

/* Parses `leak RULE[, leak RULE]...` into expectations at `file`:`lineno`. */
static void parse_expectations(struct check *ck, const char *text, size_t file,
			       unsigned lineno)
{
	while (*text == ' ' || *text == '\t')
		text++;
	const char *p = text;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!starts_with(p, "leak") || (p[4] != ' ' && p[4] != '\t')) {
			problem(ck, "%s:%u: malformed expectation (want `// expect: leak RULE[, leak RULE]...`): %s",
				file_path(ck, file), lineno, text);
			return;
		}
		p += 4;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *rule = p;
		while (is_ident(*p) || *p == '-' || *p == '.')
			p++;
		size_t rule_len = (size_t)(p - rule);
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (rule_len == 0 || (*p != ',' && *p != '\0')) {
			problem(ck, "%s:%u: malformed expectation (want `// expect: leak RULE[, leak RULE]...`): %s",
				file_path(ck, file), lineno, text);
			return;
		}
		ck->exps = grow(ck->exps, ck->n_exps, &ck->cap_exps, sizeof *ck->exps);
		ck->exps[ck->n_exps++] = (struct expectation){
			.file = file, .line = lineno,
			.rule = xstrndup(rule, rule_len), .func = -1,
		};
		if (*p == '\0')
			return;
		p++;		/* the comma */
	}
}

/* The function of file `file` whose lines contain `line`, or -1. */
static int func_at(const struct check *ck, int file, unsigned line)
{
	for (size_t i = 0; file >= 0 && i < ck->n_funcs; i++)
		if (ck->funcs[i].file == (size_t)file &&
		    ck->funcs[i].first <= line && line <= ck->funcs[i].last)
			return (int)i;
	return -1;
}

/* The function of file `file` named `name`, or -1 (a static function may
 * have its name in several files of a group). */
static int func_named(const struct check *ck, int file, const char *name)
{
	for (size_t i = 0; file >= 0 && name && i < ck->n_funcs; i++)
		if (ck->funcs[i].file == (size_t)file && strcmp(ck->funcs[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Scans one file of the fixture: its functions and expectations.  0, or
 * -1 with a problem reported. */
static int scan_file(struct check *ck, size_t file)
{
	size_t len;
	char *text = read_file(file_path(ck, file), &len);
	if (!text) {
		problem(ck, "%s: cannot read: %s", file_path(ck, file), strerror(errno));
		return -1;
	}
	size_t first_func = ck->n_funcs;
	unsigned lineno = 0;
	for (char *line = text; line && *line; ) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;

		const char *name;
		size_t name_len;
		if (definition_name(line, &name, &name_len)) {
			if (ck->n_funcs > first_func)
				ck->funcs[ck->n_funcs - 1].last = lineno - 1;
			ck->funcs = grow(ck->funcs, ck->n_funcs, &ck->cap_funcs, sizeof *ck->funcs);
			ck->funcs[ck->n_funcs] = (struct func){
				.name = xstrndup(name, name_len), .file = file,
				.first = lineno, .last = UINT32_MAX,
			};
			ck->funcs[ck->n_funcs].kind = func_kind_of(ck->funcs[ck->n_funcs].name);
			ck->n_funcs++;
		}
		const char *exp = expect_comment(line);
		if (exp)
			parse_expectations(ck, exp, file, lineno);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	if (ck->n_funcs == first_func && ck->fx->group)
		problem(ck, "%s: no leak_, ok_ or h_ function found", file_path(ck, file));
	return 0;
}

/* Scans the fixture's files: functions, expectations, and the naming
 * rules. */
static void scan_fixture(struct check *ck)
{
	if (ck->fx->n_files == 0)
		problem(ck, "%s: no *.c file", ck->fx->path);
	for (size_t file = 0; file < ck->fx->n_files; file++)
		scan_file(ck, file);

	for (size_t i = 0; i < ck->n_exps; i++) {
		struct expectation *e = &ck->exps[i];
		e->func = func_at(ck, (int)e->file, e->line);
		if (e->func < 0) {
			problem(ck, "%s:%u: expectation outside any leak_ or ok_ function",
				file_path(ck, e->file), e->line);
			continue;
		}
		struct func *f = &ck->funcs[e->func];
		f->n_expected++;
		if (f->kind == FUNC_OK)
			problem(ck, "%s:%u: %s expects a leak but is named ok_ (rename it leak_...)",
				file_path(ck, e->file), e->line, f->name);
		else if (f->kind == FUNC_HELPER)
			problem(ck, "%s:%u: %s expects a leak but is a helper (h_: no finding allowed; "
				"put the leak in a leak_ caller)",
				file_path(ck, e->file), e->line, f->name);
	}
	size_t callers = 0;
	for (size_t i = 0; i < ck->n_funcs; i++) {
		const struct func *f = &ck->funcs[i];
		if (f->kind != FUNC_HELPER)
			callers++;
		if (f->kind == FUNC_LEAK && f->n_expected == 0)
			problem(ck, "%s:%u: %s has no `// expect:` comment (name it ok_... if it does not leak)",
				file_path(ck, f->file), f->first, f->name);
	}
	if (callers == 0)
		problem(ck, "%s: no leak_ or ok_ function found", ck->fx->path);
}

/* ---- Running leakgate ---------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Appends what is readable on `fd` to *buf; 0 at end of file. */
static ssize_t drain(int fd, char **buf, size_t *len, size_t *cap)
{
	if (*cap < *len + 4096 + 1) {
		*cap = (*len + 4096 + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	ssize_t got;
	do
		got = read(fd, *buf + *len, 4096);
	while (got < 0 && errno == EINTR);
	if (got > 0)
		*len += (size_t)got;
	(*buf)[*len] = '\0';
	return got;
}

/* Runs argv[0] with `argv`, collecting stdout and stderr.  0, or -1 with a
 * problem reported. */
static int run_command(struct check *ck, char *const argv[], struct run *r)
{
	int out[2], err[2];
	memset(r, 0, sizeof *r);
	if (pipe2(out, O_CLOEXEC) < 0)
		goto pipe_failed;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		goto pipe_failed;
	}

	pid_t pid = fork();
	if (pid < 0) {
		problem(ck, "%s: fork: %s", ck->fx->path, strerror(errno));
		close(out[0]); close(out[1]); close(err[0]); close(err[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "corpus_test: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);

	size_t out_cap = 0, err_cap = 0;
	struct pollfd fds[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
	char **bufs[2] = { &r->out, &r->err };
	size_t *lens[2] = { &r->out_len, &r->err_len };
	size_t *caps[2] = { &out_cap, &err_cap };
	long deadline = now_ms() + RUN_TIMEOUT_MS;
	int open_fds = 2;
	while (open_fds > 0) {
		long left = deadline - now_ms();
		if (left <= 0) {
			r->timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		int n = poll(fds, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (drain(fds[i].fd, bufs[i], lens[i], caps[i]) <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (!r->out)
		r->out = xstrdup("");
	if (!r->err)
		r->err = xstrdup("");

	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status)) {
		r->exited = 1;
		r->status = WEXITSTATUS(status);
	} else {
		r->status = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
	}
	return 0;

pipe_failed:
	problem(ck, "%s: pipe: %s", ck->fx->path, strerror(errno));
	return -1;
}

/* LEAKGATE --format sarif -r RULES ... FIXTURE -- -ICORPUS_DIR EXTRA...
 * for a file; LEAKGATE --format sarif -r RULES ... -p BUILD_PATH for a
 * group. */
static char **leakgate_argv(const struct fixture *fx, const char *build_path)
{
	const struct corpus *c = fx->corpus;
	size_t n_packs = sizeof builtin_packs / sizeof builtin_packs[0];
	/* 5 leading words, 2 per pack, fixture, "--", -I, extras, NULL; or
	 * -p, its directory, --allow-outside, the corpus (its files are outside
	 * the project when the build directory is outside the work tree) */
	size_t n = 0, cap = 11 + 2 * n_packs + (size_t)c->n_extra;
	char **argv = xrealloc(NULL, cap * sizeof *argv);

	argv[n++] = xstrdup(c->leakgate);
	argv[n++] = xstrdup("--format");
	argv[n++] = xstrdup("sarif");
	argv[n++] = xstrdup("-r");
	argv[n++] = xasprintf("%s/rules/pool.yml", c->dir);
	for (size_t i = 0; i < n_packs; i++) {
		argv[n++] = xstrdup("-r");
		argv[n++] = xstrdup(builtin_packs[i]);
	}
	if (fx->group) {
		argv[n++] = xstrdup("-p");
		argv[n++] = xstrdup(build_path);
		argv[n++] = xstrdup("--allow-outside");
		argv[n++] = xstrdup(c->abs_dir);
		argv[n] = NULL;
		return argv;
	}
	argv[n++] = xstrdup(fx->path);
	argv[n++] = xstrdup("--");
	argv[n++] = xasprintf("-I%s", c->dir);
	for (int i = 0; i < c->n_extra; i++)
		argv[n++] = xstrdup(c->extra_flags[i]);
	argv[n] = NULL;
	return argv;
}

/* ---- A group's compile commands ---------------------------------------------- */

/* One entry of compile_commands.json: FILE compiled in the group's
 * directory with -IGROUP -ICORPUS_DIR EXTRA... */
static json_t *compile_command(const struct fixture *fx, const char *file)
{
	const struct corpus *c = fx->corpus;
	json_t *args = json_array();
	json_array_append_new(args, json_string("cc"));
	json_array_append_new(args, json_string("-c"));
	char *inc = xasprintf("-I%s", fx->path);
	json_array_append_new(args, json_string(inc));
	free(inc);
	inc = xasprintf("-I%s", c->abs_dir);
	json_array_append_new(args, json_string(inc));
	free(inc);
	for (int i = 0; i < c->n_extra; i++)
		json_array_append_new(args, json_string(c->extra_flags[i]));
	json_array_append_new(args, json_string(file));

	json_t *entry = json_object();
	json_object_set_new(entry, "directory", json_string(fx->path));
	json_object_set_new(entry, "file", json_string(file));
	json_object_set_new(entry, "arguments", args);
	return entry;
}

/* Makes a fresh temporary directory holding compile_commands.json for the
 * group's files.  The directory's path (to be given to remove_build_dir),
 * or NULL with a problem reported. */
static char *make_build_dir(struct check *ck)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/corpus_test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		problem(ck, "%s: cannot make a temporary directory %s: %s",
			ck->fx->path, dir, strerror(errno));
		free(dir);
		return NULL;
	}
	json_t *db = json_array();
	for (size_t i = 0; i < ck->fx->n_files; i++)
		json_array_append_new(db, compile_command(ck->fx, ck->fx->files[i]));
	char *path = xasprintf("%s/compile_commands.json", dir);
	int rc = json_dump_file(db, path, JSON_INDENT(2));
	json_decref(db);
	if (rc != 0) {
		problem(ck, "%s: cannot write %s", ck->fx->path, path);
		unlink(path);
		rmdir(dir);
		free(path);
		free(dir);
		return NULL;
	}
	free(path);
	return dir;
}

/* Removes what make_build_dir made, and frees `dir`. */
static void remove_build_dir(char *dir)
{
	char *path = xasprintf("%s/compile_commands.json", dir);
	if (unlink(path) < 0)
		print_error("corpus_test: cannot remove %s: %s\n", path, strerror(errno));
	if (rmdir(dir) < 0)
		print_error("corpus_test: cannot remove %s: %s\n", dir, strerror(errno));
	free(path);
	free(dir);
}

static void argv_free(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* ---- Reading the SARIF ----------------------------------------------------------- */

static char *json_string_dup(json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static void add_result(struct check *ck, json_t *result)
{
	json_t *loc = json_array_get(json_object_get(result, "locations"), 0);
	json_t *phys = json_object_get(loc, "physicalLocation");
	json_t *line = json_object_get(json_object_get(phys, "region"), "startLine");
	json_t *uri = json_object_get(json_object_get(phys, "artifactLocation"), "uri");
	json_t *logical = json_array_get(json_object_get(loc, "logicalLocations"), 0);
	if (!logical)	/* tolerated: logicalLocations on the result itself */
		logical = json_array_get(json_object_get(result, "logicalLocations"), 0);
	json_t *fn = json_object_get(logical, "name");
	if (!fn)
		fn = json_object_get(logical, "fullyQualifiedName");

	ck->finds = grow(ck->finds, ck->n_finds, &ck->cap_finds, sizeof *ck->finds);
	struct finding *f = &ck->finds[ck->n_finds++];
	*f = (struct finding){
		.line = json_is_integer(line) && json_integer_value(line) > 0
			? (unsigned)json_integer_value(line) : 0,
		.rule = json_string_dup(json_object_get(result, "ruleId")),
		.function = json_string_dup(fn),
		.message = json_string_dup(json_object_get(json_object_get(result, "message"), "text")),
		.uri = json_string_dup(uri),
	};
	if (!f->rule)
		f->rule = xstrdup("(no ruleId)");
}

/* Collects every result of every run.  0, or -1 with a problem reported. */
static int parse_sarif(struct check *ck, const struct run *r)
{
	json_error_t jerr;
	json_t *root = json_loadb(r->out, r->out_len, 0, &jerr);
	if (!root) {
		problem(ck, "%s: leakgate's output is not JSON (line %d: %s)",
			ck->fx->path, jerr.line, jerr.text);
		return -1;
	}
	json_t *runs = json_object_get(root, "runs");
	if (!json_is_array(runs)) {
		problem(ck, "%s: leakgate's SARIF has no \"runs\" array", ck->fx->path);
		json_decref(root);
		return -1;
	}
	size_t i, j;
	json_t *run, *result;
	json_array_foreach(runs, i, run) {
		json_t *results = json_object_get(run, "results");
		json_array_foreach(results, j, result)
			add_result(ck, result);
	}
	json_decref(root);
	return 0;
}

/* ---- Comparing ------------------------------------------------------------------ */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/*
 * The fixture file a finding is in: the file whose name is the last
 * component of the finding's uri, or -1 when none is.  A finding without a
 * uri is in a file fixture's only file (a group's is in none).
 */
static int finding_file(const struct check *ck, const struct finding *f)
{
	if (!f->uri)
		return ck->fx->n_files == 1 ? 0 : -1;
	for (size_t i = 0; i < ck->fx->n_files; i++)
		if (strcmp(base_name(f->uri), base_name(ck->fx->files[i])) == 0)
			return (int)i;
	return -1;
}

/* By file (findings in no fixture file last), line, rule. */
static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->file != y->file)
		return x->file < 0 ? 1 : y->file < 0 ? -1 : x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

static void compare(struct check *ck)
{
	for (size_t i = 0; i < ck->n_finds; i++)
		ck->finds[i].file = finding_file(ck, &ck->finds[i]);
	qsort(ck->finds, ck->n_finds, sizeof *ck->finds, cmp_finding);

	for (size_t i = 0; i < ck->n_finds; i++) {
		struct finding *f = &ck->finds[i];
		if (f->file < 0)
			continue;
		int fi = func_at(ck, f->file, f->line);
		if (fi < 0)
			fi = func_named(ck, f->file, f->function);
		if (fi >= 0)
			ck->funcs[fi].n_reported++;
		for (size_t j = 0; j < ck->n_exps; j++) {
			struct expectation *e = &ck->exps[j];
			if (!e->matched && e->file == (size_t)f->file && e->line == f->line &&
			    strcmp(e->rule, f->rule) == 0) {
				e->matched = f->matched = 1;
				if (e->func >= 0)
					ck->funcs[e->func].n_matched++;
				break;
			}
		}
	}

	for (size_t j = 0; j < ck->n_exps; j++) {
		const struct expectation *e = &ck->exps[j];
		if (!e->matched)
			problem(ck, "%s:%u: missing leak %s (function %s)", file_path(ck, e->file),
				e->line, e->rule, e->func >= 0 ? ck->funcs[e->func].name : "?");
	}
	for (size_t i = 0; i < ck->n_finds; i++) {
		const struct finding *f = &ck->finds[i];
		if (f->matched)
			continue;
		int fi = func_at(ck, f->file, f->line);
		if (fi < 0)
			fi = func_named(ck, f->file, f->function);
		const char *where = f->function ? f->function
				  : fi >= 0 ? ck->funcs[fi].name : "?";
		int helper = fi >= 0 && ck->funcs[fi].kind == FUNC_HELPER;
		problem(ck, "%s:%u: unexpected leak %s in %s%s: %s",
			f->file >= 0 ? file_path(ck, (size_t)f->file) : f->uri ? f->uri : "?",
			f->line, f->rule, where,
			helper ? " (a helper: h_ functions must have no finding)" : "",
			f->message ? f->message : "(no message)");
	}
}

/* Adds this fixture's numbers to the corpus totals. */
static void add_totals(struct totals *t, const struct check *ck)
{
	t->fixtures++;
	for (size_t i = 0; i < ck->n_funcs; i++) {
		const struct func *f = &ck->funcs[i];
		switch (f->kind) {
		case FUNC_LEAK:
			t->leaky++;
			if (f->n_expected > 0 && f->n_matched == f->n_expected)
				t->leaky_found++;
			break;
		case FUNC_OK:
			t->clean++;
			if (f->n_reported > 0)
				t->clean_flagged++;
			break;
		case FUNC_HELPER:
			t->helpers++;
			if (f->n_reported > 0)
				t->helpers_flagged++;
			break;
		}
	}
	for (size_t j = 0; j < ck->n_exps; j++) {
		t->expected++;
		if (!ck->exps[j].matched)
			t->missing++;
	}
	for (size_t i = 0; i < ck->n_finds; i++) {
		t->reported++;
		if (!ck->finds[i].matched)
			t->extra++;
	}
}

/* ---- The tests ------------------------------------------------------------------ */

/* Runs leakgate on one fixture and checks everything; returns the number
 * of problems printed.  Allocates nothing that outlives it. */
static unsigned check_fixture(const struct fixture *fx, struct totals *totals)
{
	struct check ck = { .fx = fx };
	struct run r;
	int ran = 0;

	scan_fixture(&ck);

	char *build_dir = fx->group && fx->n_files > 0 ? make_build_dir(&ck) : NULL;
	if (!fx->group || build_dir) {
		char **argv = leakgate_argv(fx, build_dir);
		ran = run_command(&ck, argv, &r) == 0;
		argv_free(argv);
	}
	if (build_dir)
		remove_build_dir(build_dir);

	if (ran) {
		if (r.timed_out) {
			problem(&ck, "%s: leakgate did not finish within %d s (killed)",
				fx->path, RUN_TIMEOUT_MS / 1000);
		} else if (!r.exited) {
			problem(&ck, "%s: leakgate was killed by signal %d; its stderr:\n%s",
				fx->path, r.status, r.err);
		} else if (r.status != 0 && r.status != 1) {
			problem(&ck, "%s: leakgate exited with status %d; its stderr:\n%s",
				fx->path, r.status, r.err);
		} else if (parse_sarif(&ck, &r) == 0) {
			compare(&ck);
			int want = ck.n_finds > 0 ? 1 : 0;
			if (r.status != want)
				problem(&ck, "%s: leakgate exited with status %d after reporting %zu finding(s); want %d",
					fx->path, r.status, ck.n_finds, want);
		} else if (r.err_len > 0) {
			print_error("leakgate's stderr:\n%s\n", r.err);
		}
		run_release(&r);
	}

	add_totals(totals, &ck);
	unsigned problems = ck.problems;
	check_release(&ck);
	return problems;
}

static void test_fixture(void **state)
{
	struct fixture *fx = *state;
	unsigned problems = check_fixture(fx, &fx->corpus->totals);
	if (problems)
		fail_msg("%s: %u problem(s), listed above", fx->name, problems);
}

static int print_summary(void **state)
{
	(void)state;
	const struct totals *t = &summary_corpus->totals;
	printf("corpus: %u fixtures; leaky functions fully found %u/%u; "
	       "clean functions flagged %u/%u; findings expected %u, reported %u, "
	       "missing %u, extra %u\n",
	       t->fixtures, t->leaky_found, t->leaky, t->clean_flagged, t->clean,
	       t->expected, t->reported, t->missing, t->extra);
	printf("helpers: flagged %u/%u\n", t->helpers_flagged, t->helpers);
	fflush(stdout);
	return 0;
}

/* ---- Main ---------------------------------------------------------------------- */

/* Files first, then groups; each in name order. */
static int cmp_fixture(const void *a, const void *b)
{
	const struct fixture *x = a, *y = b;
	if (x->group != y->group)
		return x->group ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_source_name(const char *name)
{
	size_t n = strlen(name);
	return n > 2 && name[0] != '.' && strcmp(name + n - 2, ".c") == 0;
}

static int is_fixture_name(const char *name)
{
	return is_source_name(name) && strcmp(name, RUNNER_SOURCE) != 0;
}

/* An xtu-NAME entry of CORPUS_DIR that is a directory. */
static int is_group(const struct corpus *c, const char *name)
{
	if (!starts_with(name, "xtu-") || name[4] == '\0')
		return 0;
	char *path = xasprintf("%s/%s", c->abs_dir, name);
	struct stat st;
	int dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	free(path);
	return dir;
}

/* Lists the *.c files of the group fx->path (absolute), sorted.  0, or -1
 * with a message. */
static int list_group_files(struct fixture *fx)
{
	DIR *d = opendir(fx->path);
	if (!d) {
		fprintf(stderr, "corpus_test: %s: %s\n", fx->path, strerror(errno));
		return -1;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_source_name(de->d_name))
			continue;
		fx->files = grow(fx->files, fx->n_files, &cap, sizeof *fx->files);
		fx->files[fx->n_files++] = xasprintf("%s/%s", fx->path, de->d_name);
	}
	closedir(d);
	if (fx->n_files > 0)
		qsort(fx->files, fx->n_files, sizeof *fx->files, cmp_string);
	return 0;
}

/* Lists the fixtures of c->dir, sorted: the files, then the groups.  0, or
 * -1 with a message. */
static int list_fixtures(struct corpus *c)
{
	DIR *d = opendir(c->dir);
	if (!d) {
		fprintf(stderr, "corpus_test: %s: %s\n", c->dir, strerror(errno));
		return -1;
	}
	size_t cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		int group = is_group(c, de->d_name);
		if (!group && !is_fixture_name(de->d_name))
			continue;
		c->fixtures = grow(c->fixtures, c->n_fixtures, &cap, sizeof *c->fixtures);
		struct fixture *fx = &c->fixtures[c->n_fixtures++];
		*fx = (struct fixture){
			.corpus = c,
			.name = xstrdup(de->d_name),
			.group = group,
		};
		if (group) {
			fx->path = xasprintf("%s/%s", c->abs_dir, de->d_name);
			if (list_group_files(fx) < 0)
				rc = -1;
		} else {
			fx->path = xasprintf("%s/%s", c->dir, de->d_name);
			fx->files = xrealloc(NULL, sizeof *fx->files);
			fx->files[0] = xstrdup(fx->path);
			fx->n_files = 1;
		}
	}
	closedir(d);
	if (c->n_fixtures > 0)
		qsort(c->fixtures, c->n_fixtures, sizeof *c->fixtures, cmp_fixture);
	return rc;
}

static void corpus_release(struct corpus *c)
{
	for (size_t i = 0; i < c->n_fixtures; i++) {
		struct fixture *fx = &c->fixtures[i];
		for (size_t j = 0; j < fx->n_files; j++)
			free(fx->files[j]);
		free(fx->files);
		free(fx->name);
		free(fx->path);
	}
	free(c->fixtures);
	free(c->abs_dir);
}

static int usage(void)
{
	fprintf(stderr, "usage: corpus_test LEAKGATE CORPUS_DIR [-- EXTRA_CLANG_FLAGS...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (argc > 3 && strcmp(argv[3], "--") != 0))
		return usage();

	struct corpus c = {
		.leakgate = argv[1],
		.dir = argv[2],
		.extra_flags = argc > 4 ? argv + 4 : NULL,
		.n_extra = argc > 4 ? argc - 4 : 0,
	};
	c.abs_dir = realpath(c.dir, NULL);
	if (!c.abs_dir) {
		fprintf(stderr, "corpus_test: %s: %s\n", c.dir, strerror(errno));
		return 2;
	}
	if (list_fixtures(&c) < 0) {
		corpus_release(&c);
		return 2;
	}
	if (c.n_fixtures == 0) {
		fprintf(stderr, "corpus_test: no fixtures (*.c, xtu-*/) in %s\n", c.dir);
		corpus_release(&c);
		return 2;
	}

	/* A variable-length array, so that cmocka_run_group_tests_name's
	 * sizeof(tests) / sizeof(tests[0]) counts the fixtures. */
	struct CMUnitTest tests[c.n_fixtures];
	for (size_t i = 0; i < c.n_fixtures; i++)
		tests[i] = (struct CMUnitTest){
			.name = c.fixtures[i].name,
			.test_func = test_fixture,
			.initial_state = &c.fixtures[i],
		};

	summary_corpus = &c;
	int failed = cmocka_run_group_tests_name("corpus", tests, NULL, print_summary);
	summary_corpus = NULL;

	corpus_release(&c);
	return failed;
}
