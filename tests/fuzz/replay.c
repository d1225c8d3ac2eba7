/*
 * replay.c - main() for a harness built without libFuzzer: feeds it every
 * file named on the command line, and every regular file in each directory
 * named (in name order, not recursively), once each, and exits 0 when none
 * crashed.  This is what the ctest fuzz_regressions runs over the seeds and
 * tests/fuzz/regressions/<harness>/, so a fixed crash stays fixed in the
 * ordinary gcc build.  A crash aborts the process, so the file being fed is
 * named on standard error before it is fed.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int feed(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, n = 0, r;
	uint8_t *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "replay: out of memory reading %s\n", path);
		return -1;
	}
	/* an exact-size copy, so that reading past the input is caught by
	 * a sanitizer as it is under libFuzzer */
	uint8_t *in = malloc(n ? n : 1);
	if (!in) {
		free(buf);
		return -1;
	}
	memcpy(in, buf, n);
	free(buf);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(in, n);
	free(in);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int feed_dir(const char *dir, size_t *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, NULL), ret = 0;
	if (n < 0) {
		fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **paths = calloc((size_t)n + 1, sizeof(*paths));
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		struct stat st;
		char *p = NULL;
		if (names[i]->d_name[0] != '.' && paths &&
		    asprintf(&p, "%s/%s", dir, names[i]->d_name) >= 0) {
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				paths[k++] = p;
			else
				free(p);
		}
		free(names[i]);
	}
	free(names);
	if (!paths)
		return -1;
	qsort(paths, k, sizeof(*paths), by_name);
	for (size_t i = 0; i < k; i++) {
		if (feed(paths[i]) < 0)
			ret = -1;
		free(paths[i]);
	}
	*count += k;
	free(paths);
	return ret;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int ret = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (feed_dir(argv[i], &count) < 0)
				ret = 1;
		} else if (feed(argv[i]) < 0) {
			ret = 1;
		} else {
			count++;
		}
	}
	fprintf(stderr, "replay: %zu input%s, no crash\n", count, count == 1 ? "" : "s");
	return ret;
}
