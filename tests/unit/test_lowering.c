/*
 * test_lowering.c - the front end's lowering, compared as stable text.
 *
 * For each tests/lowering/NAME.c the test lowers every function through
 * lg_frontend_run and compares the concatenated lg_fn_dump() output with
 * NAME.cfg, byte for byte.  After a deliberate change to the lowering, run
 * with LEAKGATE_UPDATE_EXPECTED=1 to rewrite the .cfg files, then review
 * their diff like code.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfg.h"
#include "diag.h"
#include "frontend.h"

static const char *dir;

static int dump_fn(void *ctx, struct lg_fn *fn)
{
	lg_fn_dump(fn, ctx);
	lg_fn_free(fn);
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static void lowering__matches_expected(void **state)
{
	const char *name = *state;
	char src[4096], exp[4096];
	snprintf(src, sizeof(src), "%s/%s", dir, name);
	snprintf(exp, sizeof(exp), "%s/%.*s.cfg", dir, (int)(strlen(name) - 2), name);

	char *got = NULL;
	size_t got_len = 0;
	FILE *mem = open_memstream(&got, &got_len);
	struct lg_diags d = LG_DIAGS_INIT;
	struct lg_frontend *fe = lg_frontend_new();
	const char *args[] = { "-I", dir };
	struct lg_tu_job job = { src, NULL, args, 2, NULL, 0 };
	int r = lg_frontend_run(fe, &job, dump_fn, mem, NULL, &d);
	fclose(mem);
	lg_diags_print(&d, stderr, 0);
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);

	if (getenv("LEAKGATE_UPDATE_EXPECTED")) {
		FILE *o = fopen(exp, "wb");
		assert_non_null(o);
		fwrite(got, 1, got_len, o);
		fclose(o);
	}
	size_t exp_len = 0;
	char *want = read_all(exp, &exp_len);
	if (!want)
		fail_msg("cannot read %s", exp);
	if (exp_len != got_len || memcmp(want, got, got_len) != 0) {
		fprintf(stderr, "--- expected %s\n%s--- got\n%s", exp, want, got);
		fail_msg("lowering of %s differs from %s", src, exp);
	}
	free(want);
	free(got);
	lg_diags_release(&d);
	lg_frontend_free(fe);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_lowering DIR\n");
		return 2;
	}
	dir = argv[1];
	DIR *dp = opendir(dir);
	if (!dp) {
		perror(dir);
		return 2;
	}
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dp)) && n < 256) {
		size_t l = strlen(de->d_name);
		if (l > 2 && strcmp(de->d_name + l - 2, ".c") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), by_name);
	struct CMUnitTest *tests = calloc(n ? n : 1, sizeof(*tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = names[i];
		tests[i].test_func = lowering__matches_expected;
		tests[i].initial_state = names[i];
	}
	int r = _cmocka_run_group_tests("lowering", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(tests);
	return r;
}
