/*
 * test_limits.c - pathological inputs end, within the budget, with a
 * message; none crashes.
 *
 * Each test writes a generated C file into a fresh temporary directory,
 * runs the leakgate binary on it (fork and exec, no shell) and asserts the
 * exit status and what it printed: the finding the file was built to hold,
 * or the error naming the function or file that went over its budget.  The
 * shapes are those of issue 6: a function 20,000 lines long, blocks nested
 * 2,000 deep, a macro that expands to a megabyte, a file of 100,000
 * functions.  A status of 128 + N means the process died of signal N.
 *
 * Usage: test_limits LEAKGATE_BINARY
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lgtest.h"

static const char *leakgate;

struct fx {
	char dir[256];
	struct lgt_run r;
};

static const char pool_h[] =
	"struct pool; struct conn;\n"
	"struct conn *pool_acquire(struct pool *p);\n"
	"void pool_release(struct pool *p, struct conn *c);\n"
	"int step(int);\n";

static const char pool_yml[] =
	"version: 1\n"
	"resources:\n"
	"  - id: pool-connection\n"
	"    kind: connection\n"
	"    description: a pooled connection\n"
	"    acquire:\n"
	"      - function: pool_acquire\n"
	"        returns: handle\n"
	"    release:\n"
	"      - function: pool_release\n"
	"        arg: 1\n";


static void put(struct fx *f, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/leakgate-limits-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	put(f, "pool.h", pool_h);
	put(f, "pool.yml", pool_yml);
	*state = f;
	return 0;
}


static int teardown(void **state)
{
	struct fx *f = *state;
	lgt_rm_tree(f->dir);
	lgt_run_release(&f->r);
	free(f);
	return 0;
}

/* Runs leakgate in the test's directory with `args` (NULL-terminated) after
 * `--no-cache -r pool.yml`. */
static void lg(struct fx *f, ...)
{
	const char *argv[16] = { leakgate, "--no-cache", "--no-config", "-r", "pool.yml" };
	size_t n = 5;
	va_list ap;
	va_start(ap, f);
	for (const char *a; (a = va_arg(ap, const char *));) {
		assert_true(n < 15);
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;

	assert_int_equal(lgt_spawn(f->dir, argv, NULL, &f->r), 0);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- the generated files ------------------------------------------------------ */

/* A growing text. */
struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *format, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, format);
		int n = vsnprintf(t->s ? t->s + t->len : NULL,
				  t->s ? t->cap - t->len : 0, format, ap);
		va_end(ap);
		assert_true(n >= 0);
		if (t->s && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
		t->s[t->len] = '\0';
	}
}

/* 20,000 lines in one function, each a branch; the leak is the early
 * return on the next-to-last lines. */
static void write_long(struct fx *f, unsigned lines)
{
	struct text t = { 0 };
	add(&t, "#include \"pool.h\"\n"
		"int longfn(struct pool *p, int x)\n{\n"
		"\tstruct conn *c = pool_acquire(p);\n"
		"\tif (!c)\n\t\treturn -1;\n");
	for (unsigned i = 0; i < lines - 11; i++)
		add(&t, "\tif (x == %u) x = step(x);\n", i);
	add(&t, "\tif (x < 0)\n\t\treturn -2;\n\tpool_release(p, c);\n\treturn x;\n}\n");
	put(f, "long.c", t.s);
	free(t.s);
}

static void limits__function_of_20000_lines(void **state)
{
	struct fx *f = *state;
	write_long(f, 20000);
	lg(f, "long.c", NULL);
	assert_string_equal(f->r.err, "");
	assert_int_equal(f->r.status, 1);
	assert_non_null(strstr(f->r.out, "long.c:19997:3: warning: connection 'c' "
					 "acquired by pool_acquire() at line 4 is still held"));
	assert_int_equal(count(f->r.out, ": warning: "), 1);
}

/* Blocks nested 2,000 deep, the leak at the bottom: clang alone stops at
 * 256 nested brackets. */
static void limits__blocks_nested_2000_deep(void **state)
{
	struct fx *f = *state;
	struct text t = { 0 };
	add(&t, "#include \"pool.h\"\n"
		"int deep(struct pool *p, int x)\n{\n"
		"\tstruct conn *c = pool_acquire(p);\n"
		"\tif (!c)\n\t\treturn -1;\n");
	for (unsigned i = 0; i < 2000; i++)
		add(&t, "if (x > %u) {\n", i);
	add(&t, "return 7;\n");   /* line 6 + 2000 + 1 */
	for (unsigned i = 0; i < 2000; i++)
		add(&t, "}\n");
	add(&t, "\tpool_release(p, c);\n\treturn x;\n}\n");
	put(f, "deep.c", t.s);
	free(t.s);
	lg(f, "deep.c", NULL);
	assert_string_equal(f->r.err, "");
	assert_int_equal(f->r.status, 1);
	assert_non_null(strstr(f->r.out, "deep.c:2007:1: warning: connection 'c' "
					 "acquired by pool_acquire() at line 4 is still held"));
	assert_int_equal(count(f->r.out, ": warning: "), 1);
}

/* A macro that doubles 17 times: one statement of 131,072 calls, over a
 * megabyte once expanded.  (libclang's own parsing thread has too small a
 * stack for it: this crashed the process before.) */
static void limits__macro_expanding_to_a_megabyte(void **state)
{
	struct fx *f = *state;
	struct text t = { 0 };
	add(&t, "#include \"pool.h\"\n#define A0(x) step(x)+step(x)\n");
	for (unsigned i = 1; i <= 16; i++)
		add(&t, "#define A%u(x) A%u(x)+A%u(x)\n", i, i - 1, i - 1);
	/* line 19 */
	add(&t, "int big(struct pool *p, int x)\n{\n"
		"\tstruct conn *c = pool_acquire(p);\n"   /* line 21 */
		"\tif (!c)\n\t\treturn -1;\n"
		"\tx = A16(x);\n"
		"\tif (x)\n\t\treturn 3;\n"               /* line 26 */
		"\tpool_release(p, c);\n\treturn x;\n}\n");
	put(f, "macro.c", t.s);
	free(t.s);
	lg(f, "macro.c", NULL);
	assert_string_equal(f->r.err, "");
	assert_int_equal(f->r.status, 1);
	assert_non_null(strstr(f->r.out, "macro.c:26:3: warning: connection 'c' "
					 "acquired by pool_acquire() at line 21 is still held"));
	assert_int_equal(count(f->r.out, ": warning: "), 1);
}

/* A condition of 12,000 `&&` terms nests deeper than leakgate follows: the
 * function is named as not analysed (exit 2), the process does not die. */
static void limits__nesting_past_the_bound_is_named(void **state)
{
	struct fx *f = *state;
	struct text t = { 0 };
	add(&t, "#include \"pool.h\"\n"
		"int chain(struct pool *p, int x)\n{\n"
		"\tstruct conn *c = pool_acquire(p);\n"
		"\tif (!c)\n\t\treturn -1;\n\tif (x > 0");
	for (unsigned i = 1; i < 12000; i++)
		add(&t, " && x > %u", i);
	add(&t, ")\n\t\treturn 2;\n\tpool_release(p, c);\n\treturn 0;\n}\n");
	put(f, "chain.c", t.s);
	free(t.s);
	lg(f, "chain.c", NULL);
	assert_int_equal(f->r.status, 2);
	assert_string_equal(f->r.out, "");
	assert_string_equal(f->r.err,
		"chain.c:2:5: error: function 'chain' was not analysed: its statements "
		"and expressions nest more than 10000 deep\n");
}

/* 100,000 functions, one in a thousand leaking. */
static void write_many(struct fx *f)
{
	struct text t = { 0 };
	add(&t, "#include \"pool.h\"\n");
	for (unsigned i = 0; i < 100000; i++)
		if (i % 1000 == 0)
			add(&t, "int f%u(struct pool *p, int x) { struct conn *c = "
				"pool_acquire(p); if (!c) return -1; if (x) return 1; "
				"pool_release(p, c); return 0; }\n", i);
		else
			add(&t, "int f%u(int x) { return step(x) + %u; }\n", i, i);
	put(f, "many.c", t.s);
	free(t.s);
}

static void limits__file_of_100000_functions(void **state)
{
	struct fx *f = *state;
	write_many(f);
	lg(f, "many.c", NULL);
	assert_string_equal(f->r.err, "");
	assert_int_equal(f->r.status, 1);
	assert_int_equal(count(f->r.out, ": warning: connection 'c' acquired by "
				       "pool_acquire()"), 100);
	assert_non_null(strstr(f->r.out, "many.c:99002:"));
	assert_non_null(strstr(f->r.out, "100 leaks found."));
}

/* Over the step budget: an error naming the function, exit 2; allowed by
 * the user: a warning, and the verdict of what was seen. */
static void limits__function_over_its_budget_is_named(void **state)
{
	struct fx *f = *state;
	write_long(f, 20000);
	lg(f, "--max-steps", "1000", "long.c", NULL);
	assert_int_equal(f->r.status, 2);
	assert_string_equal(f->r.err,
		"long.c:2:5: error: function 'longfn' was not fully analysed: it "
		"needs more than 1000 analysis steps; raise --max-steps\n");
	assert_string_equal(f->r.out, "");

	lg(f, "--max-steps", "1000", "--allow-over-budget", "-f", "sarif", "long.c", NULL);
	assert_int_equal(f->r.status, 0);
	assert_string_equal(f->r.err,
		"long.c:2:5: warning: function 'longfn' was not fully analysed: it "
		"needs more than 1000 analysis steps; raise --max-steps (allowed "
		"by --allow-over-budget: leaks on the paths not followed are not "
		"reported)\n");
	/* the report says so too */
	assert_non_null(strstr(f->r.out, "\"executionSuccessful\": true"));
	assert_non_null(strstr(f->r.out, "function 'longfn' was not fully analysed"));
}

/* Over the time budget: parsing 100,000 functions takes far more than
 * 10 ms on any machine, so --max-seconds 0.01 stops the file, with exit 2. */
static void limits__file_over_its_time_budget_is_named(void **state)
{
	struct fx *f = *state;
	write_many(f);
	lg(f, "--max-seconds", "0.01", "many.c", NULL);
	assert_int_equal(f->r.status, 2);
	assert_string_equal(f->r.out, "");
	assert_non_null(strstr(f->r.err, "many.c: error: file was not analysed: "
					 "parsing it took "));
	assert_non_null(strstr(f->r.err, " s, more than --max-seconds 0.01\n"));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s LEAKGATE_BINARY\n", argv[0]);
		return 2;
	}
	leakgate = argv[1];
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(limits__function_of_20000_lines),
		T(limits__blocks_nested_2000_deep),
		T(limits__macro_expanding_to_a_megabyte),
		T(limits__nesting_past_the_bound_is_named),
		T(limits__file_of_100000_functions),
		T(limits__function_over_its_budget_is_named),
		T(limits__file_over_its_time_budget_is_named),
	};
#undef T
	return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
