/*
 * test_arena.c - the arena of arena.h: alignment, zeroing, arrays that
 * grow (in place, or leaving memory that later requests reuse), requests
 * larger than a chunk, trimming a finished arena, reset.
 */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static void arena__alloc_is_zeroed_and_aligned(void **state)
{
	(void)state;
	struct lg_arena a = LG_ARENA_INIT;
	for (size_t n = 1; n < 300; n += 7) {
		unsigned char *p = lg_arena_alloc(&a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xab, n);
	}
	char *s = lg_arena_strdup(&a, "pooled connection");
	assert_string_equal(s, "pooled connection");
	lg_arena_release(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
}

static void arena__grow_keeps_elements_and_zeroes_the_rest(void **state)
{
	(void)state;
	struct lg_arena a = LG_ARENA_INIT;
	int *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 5000; i++) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 2;
			int *w = lg_arena_grow(&a, v, n, ncap, sizeof(*w));
			assert_non_null(w);
			for (size_t k = n; k < ncap; k++)
				assert_int_equal(w[k], 0);
			v = w;
			cap = ncap;
		}
		v[n++] = i;
		lg_arena_alloc(&a, 24);   /* other allocations in between */
	}
	for (int i = 0; i < 5000; i++)
		assert_int_equal(v[i], i);
	lg_arena_release(&a);
}

static void arena__last_array_grows_in_place(void **state)
{
	(void)state;
	struct lg_arena a = LG_ARENA_INIT;
	lg_arena_alloc(&a, 16);
	long *v = lg_arena_grow(&a, NULL, 0, 4, sizeof(*v));
	v[3] = 42;
	long *w = lg_arena_grow(&a, v, 4, 8, sizeof(*w));
	assert_ptr_equal(w, v);
	assert_int_equal(w[3], 42);
	assert_int_equal(w[7], 0);
	lg_arena_release(&a);
}

static void arena__array_left_behind_is_reused(void **state)
{
	(void)state;
	struct lg_arena a = LG_ARENA_INIT;
	double *v = lg_arena_grow(&a, NULL, 0, 8, sizeof(*v));
	lg_arena_alloc(&a, 16);   /* v is no longer the last allocation */
	double *w = lg_arena_grow(&a, v, 8, 16, sizeof(*w));
	assert_ptr_not_equal(w, v);
#ifdef TEST_ASAN
	/* a pointer kept into the old array is caught */
	assert_true(__asan_address_is_poisoned((char *)v + 32));
#endif
	/* the next request of the old array's size gets its memory */
	double *u = lg_arena_grow(&a, NULL, 0, 8, sizeof(*u));
	assert_ptr_equal(u, v);
	for (int i = 0; i < 8; i++)
		assert_true(u[i] == 0.0);
	/* as does a plain allocation */
	lg_arena_alloc(&a, 16);   /* w is no longer the last allocation */
	double *x = lg_arena_grow(&a, w, 16, 32, sizeof(*x));
	assert_ptr_not_equal(x, w);
	void *y = lg_arena_alloc(&a, 16 * sizeof(double));
	assert_ptr_equal(y, w);
	lg_arena_release(&a);
}

static void arena__large_request_keeps_filling_the_chunk(void **state)
{
	(void)state;
	struct lg_arena a = LG_ARENA_INIT;
	char *x = lg_arena_alloc(&a, 16);
	char *big = lg_arena_alloc(&a, 200000);
	assert_non_null(big);
	big[199999] = 1;
	char *y = lg_arena_alloc(&a, 16);
	assert_ptr_equal(y, x + 16);
	lg_arena_release(&a);
}

static void arena__trim_gives_back_the_unused_tail(void **state)
{
	(void)state;
	struct lg_arena a = LG_ARENA_INIT;
	char *x = lg_arena_alloc(&a, 100);
	strcpy(x, "kept");
	size_t before = a.total;
	lg_arena_trim(&a);
#ifdef TEST_ASAN
	assert_int_equal(a.total, before);   /* chunks are malloc'd: kept whole */
#else
	assert_true(a.total < before);
#endif
	assert_string_equal(x, "kept");
	/* the arena still works after a trim */
	char *y = lg_arena_alloc(&a, 5000);
	assert_non_null(y);
	memset(y, 1, 5000);
	assert_string_equal(x, "kept");
	lg_arena_release(&a);
}

static void arena__reset_starts_again_from_the_first_chunk(void **state)
{
	(void)state;
	struct lg_arena a = LG_ARENA_INIT;
	void *first = lg_arena_alloc(&a, 64);
	int *v = lg_arena_grow(&a, NULL, 0, 16, sizeof(*v));
	lg_arena_alloc(&a, 16);
	lg_arena_grow(&a, v, 16, 32, sizeof(*v));   /* leaves v behind */
	lg_arena_reset(&a);
	for (int i = 0; i < LG_ARENA_SPARE_CLASSES; i++)
		assert_null(a.spare[i]);
	char *p = lg_arena_alloc(&a, 64);
	assert_ptr_equal(p, first);
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	lg_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena__alloc_is_zeroed_and_aligned),
		cmocka_unit_test(arena__grow_keeps_elements_and_zeroes_the_rest),
		cmocka_unit_test(arena__last_array_grows_in_place),
		cmocka_unit_test(arena__array_left_behind_is_reused),
		cmocka_unit_test(arena__large_request_keeps_filling_the_chunk),
		cmocka_unit_test(arena__trim_gives_back_the_unused_tail),
		cmocka_unit_test(arena__reset_starts_again_from_the_first_chunk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
