/*
 * test_readfile.c - lg_text: a file read whole or mapped, and its lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "readfile.h"

static char *write_temp(const char *text, size_t len)
{
	char *p = strdup("/tmp/lg-text-XXXXXX");
	assert_non_null(p);
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return p;
}

static void expect_line(struct lg_text *t, unsigned line, const char *want)
{
	size_t len = 0;
	const char *got = lg_text_line(t, line, &len);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
}

static void text__small_file_is_read_and_its_lines_found(void **state)
{
	(void)state;
	const char src[] = "first\r\nsecond\n\nlast";
	char *p = write_temp(src, sizeof(src) - 1);
	struct lg_text t;
	assert_int_equal(lg_text_read(&t, p), 0);
	assert_int_equal(t.mapped, 0);
	assert_int_equal(t.len, sizeof(src) - 1);
	assert_int_equal(t.p[t.len], '\0');
	expect_line(&t, 1, "first");
	expect_line(&t, 2, "second");
	expect_line(&t, 3, "");
	expect_line(&t, 4, "last");
	expect_line(&t, 5, NULL);
	expect_line(&t, 0, NULL);
	lg_text_release(&t);
	unlink(p);
	free(p);
}

/* A large file is mapped; its last line may sit in the last page, whose
 * tail past the end of the file is the NUL the text promises. */
static void text__large_file_is_mapped_and_ends_in_a_nul(void **state)
{
	(void)state;
	size_t n = 20000, len = 0;
	char *src = malloc(n * 16 + 1);
	assert_non_null(src);
	for (size_t i = 1; i <= n; i++)
		len += (size_t)sprintf(src + len, "line %zu\n", i);
	len += (size_t)sprintf(src + len, "tail");
	long page = sysconf(_SC_PAGESIZE);
	assert_true(len % (size_t)page != 0);
	char *p = write_temp(src, len);
	struct lg_text t;
	assert_int_equal(lg_text_read(&t, p), 0);
	assert_int_equal(t.mapped, len);
	assert_int_equal(t.len, len);
	assert_int_equal(t.p[t.len], '\0');
	expect_line(&t, 1, "line 1");
	expect_line(&t, 12345, "line 12345");
	expect_line(&t, 20000, "line 20000");
	expect_line(&t, 20001, "tail");
	expect_line(&t, 20002, NULL);
	lg_text_release(&t);
	assert_null(t.p);
	unlink(p);
	free(p);
	free(src);
}

/* A file that fills its last page exactly has no room for the NUL in a
 * mapping: it is read instead. */
static void text__file_of_whole_pages_is_read(void **state)
{
	(void)state;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = page * 32;
	char *src = malloc(len);
	assert_non_null(src);
	memset(src, 'x', len);
	src[len - 1] = '\n';
	char *p = write_temp(src, len);
	struct lg_text t;
	assert_int_equal(lg_text_read(&t, p), 0);
	assert_int_equal(t.mapped, 0);
	assert_int_equal(t.len, len);
	assert_int_equal(t.p[t.len], '\0');
	size_t l = 0;
	assert_non_null(lg_text_line(&t, 1, &l));
	assert_int_equal(l, len - 1);
	lg_text_release(&t);
	unlink(p);
	free(p);
	free(src);
}

static void text__missing_file_and_directory_fail(void **state)
{
	(void)state;
	struct lg_text t;
	assert_int_equal(lg_text_read(&t, "/nonexistent/leakgate/x.c"), -1);
	assert_null(t.p);
	lg_text_release(&t);   /* harmless on a failed read */
	assert_int_equal(lg_text_read(&t, "/tmp"), -1);
	assert_null(t.p);
}

/* Lines end where the compiler ends them: "\n", "\r\n", and a lone "\r"
 * (old Mac files), so a finding's line is the line quoted. */
static void text__lines_end_as_the_compiler_ends_them(void **state)
{
	(void)state;
	const char src[] = "a\rb\r\nc\n\rd\r";
	struct lg_text t;
	assert_int_equal(lg_text_copy(&t, src, sizeof(src) - 1), 0);
	expect_line(&t, 1, "a");
	expect_line(&t, 2, "b");
	expect_line(&t, 3, "c");
	expect_line(&t, 4, "");
	expect_line(&t, 5, "d");
	expect_line(&t, 6, "");
	expect_line(&t, 7, NULL);
	unsigned line = 0;
	const char *at = lg_text_line_at(&t, 3, &line);   /* the "\r" after "b" */
	assert_int_equal(line, 2);
	assert_ptr_equal(at, t.p + 2);
	at = lg_text_line_at(&t, 7, &line);               /* the "\r" before "d" */
	assert_int_equal(line, 4);
	assert_ptr_equal(at, t.p + 7);
	lg_text_release(&t);

	size_t n = 0, hint = 0;
	size_t *starts = lg_line_starts(src, sizeof(src) - 1, &n);
	assert_non_null(starts);
	assert_int_equal(n, 6);
	static const size_t want[] = { 0, 2, 5, 7, 8, 10 };
	for (size_t i = 0; i < n; i++)
		assert_int_equal(starts[i], want[i]);
	/* in order, with the hint, and out of order */
	for (size_t off = 0; off <= sizeof(src) - 1; off++) {
		size_t k = lg_line_at(starts, n, off, &hint);
		assert_true(starts[k] <= off && (k + 1 == n || off < starts[k + 1]));
		assert_int_equal(lg_line_at(starts, n, off, NULL), k);
	}
	assert_int_equal(lg_line_at(starts, n, 0, &hint), 0);
	free(starts);
}

/* lg_line_at from any hint, against a plain count of the line starts. */
static void text__line_at_agrees_with_counting_from_any_hint(void **state)
{
	(void)state;
	size_t len = 200000;
	char *buf = malloc(len);
	assert_non_null(buf);
	unsigned seed = 12345;
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (seed >> 16) % 23 == 0 ? '\n' : 'x';
	}
	size_t n = 0;
	size_t *starts = lg_line_starts(buf, len, &n);
	assert_non_null(starts);
	size_t count = 1;
	for (size_t i = 0; i < len; i++)
		count += buf[i] == '\n';
	assert_int_equal(n, count);
	for (int t = 0; t < 20000; t++) {
		seed = seed * 1103515245u + 12345u;
		size_t off = (seed >> 8) % (len + 1);
		seed = seed * 1103515245u + 12345u;
		size_t hint = (seed >> 8) % (n + 2);   /* past the end too */
		size_t want = 0;
		while (want + 1 < n && starts[want + 1] <= off)
			want++;
		assert_int_equal(lg_line_at(starts, n, off, &hint), want);
		assert_int_equal(hint, want);
	}
	free(starts);
	free(buf);
}

static void text__copy_keeps_the_bytes_given(void **state)
{
	(void)state;
	struct lg_text t;
	assert_int_equal(lg_text_copy(&t, "a\nb\nnot this", 3), 0);
	assert_int_equal(t.len, 3);
	expect_line(&t, 1, "a");
	expect_line(&t, 2, "b");
	expect_line(&t, 3, NULL);
	lg_text_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text__small_file_is_read_and_its_lines_found),
		cmocka_unit_test(text__large_file_is_mapped_and_ends_in_a_nul),
		cmocka_unit_test(text__file_of_whole_pages_is_read),
		cmocka_unit_test(text__missing_file_and_directory_fail),
		cmocka_unit_test(text__lines_end_as_the_compiler_ends_them),
		cmocka_unit_test(text__line_at_agrees_with_counting_from_any_hint),
		cmocka_unit_test(text__copy_keeps_the_bytes_given),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
