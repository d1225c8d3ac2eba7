/*
 * readfile.c - reading a whole file into memory (see readfile.h).
 */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

char *lg_read_stream(FILE *f, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	do {
		if (n == cap) {
			char *nb = realloc(buf, (cap = cap ? cap * 2 : 65536) + 1);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		int err = errno ? errno : EIO;
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *lg_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	errno = 0;
	char *buf = lg_read_stream(f, len);
	int err = errno;
	fclose(f);
	errno = err;
	return buf;
}

/* ---- lg_text ----------------------------------------------------------------- */

/* Files smaller than this are read: a mapping costs a system call and a
 * page table entry per page either way, and a small read costs less. */
#define MAP_AT_LEAST ((size_t)64 << 10)

int lg_text_read(struct lg_text *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	size_t size = (size_t)st.st_size;
	long page = sysconf(_SC_PAGESIZE);
	/* Mapped only when the last page has room for the NUL: the kernel
	 * fills a mapping's tail past the end of the file with zeros. */
	if (S_ISREG(st.st_mode) && size >= MAP_AT_LEAST && page > 0 &&
	    size % (size_t)page != 0) {
		int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
		flags |= MAP_POPULATE;   /* one call, not a fault per 64 KiB */
#endif
		void *m = mmap(NULL, size, PROT_READ, flags, fd, 0);
		if (m != MAP_FAILED) {
			close(fd);
			t->p = m;
			t->len = size;
			t->mapped = size;
			return 0;
		}
	}
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	errno = 0;
	char *buf = lg_read_stream(f, &t->len);
	int err = errno;
	fclose(f);
	if (!buf) {
		errno = err;
		t->len = 0;
		return -1;
	}
	t->p = buf;
	return 0;
}

int lg_text_copy(struct lg_text *t, const char *buf, size_t len)
{
	memset(t, 0, sizeof(*t));
	char *p = malloc(len + 1);
	if (!p)
		return -1;
	memcpy(p, buf, len);
	p[len] = '\0';
	t->p = p;
	t->len = len;
	return 0;
}

static bool line_end(const char *buf, size_t len, size_t i)
{
	return buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));
}

/* Appends to `starts` the offset after each newline of buf[0, len); room
 * for `cap` entries, *n used; false when it ran out of room.  Sixteen
 * bytes at a time where SSE2 is there: a source line is some thirty bytes,
 * and a call to memchr per line costs more than the scan itself. */
static bool newlines(const char *buf, size_t len, size_t *starts, size_t cap, size_t *n)
{
	size_t k = *n, i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');
	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));
		while (m) {
			if (k == cap)
				return false;
			starts[k++] = i + (size_t)__builtin_ctz(m) + 1;
			m &= m - 1;
		}
	}
#endif
	for (; i < len; i++)
		if (buf[i] == '\n') {
			if (k == cap)
				return false;
			starts[k++] = i + 1;
		}
	*n = k;
	return true;
}

size_t *lg_line_starts(const char *buf, size_t len, size_t *n)
{
	bool cr = memchr(buf, '\r', len) != NULL;
	size_t count = 1;
	if (cr) {
		for (size_t i = 0; i < len; i++)
			count += line_end(buf, len, i);
	} else {
		/* a first guess (lines of source are some thirty bytes), and a
		 * count only when it was short */
		count = len / 24 + 16;
	}
	for (;;) {
		size_t *starts = malloc(count * sizeof(*starts));
		if (!starts)
			return NULL;
		size_t k = 0;
		starts[k++] = 0;
		if (cr) {
			for (size_t i = 0; i < len; i++)
				if (line_end(buf, len, i))
					starts[k++] = i + 1;
		} else if (!newlines(buf, len, starts, count, &k)) {
			free(starts);
			count = 1;
			for (const char *q = buf; (q = memchr(q, '\n', len - (size_t)(q - buf))); q++)
				count++;
			continue;
		}
		*n = k;
		return starts;
	}
}

size_t lg_line_at(const size_t *starts, size_t n, size_t off, size_t *hint)
{
	/* From the last answer outwards, doubling the step (positions asked
	 * in a row are near each other), then halving what is left; always
	 * starts[lo] <= off < starts[hi] (starts[n] taken as past the end). */
	size_t k = hint && *hint < n ? *hint : 0, lo, hi, step = 1;
	if (starts[k] <= off) {
		while (k + step < n && starts[k + step] <= off) {
			k += step;
			step *= 2;
		}
		lo = k;
		hi = k + step < n ? k + step : n;
	} else {
		while (k >= step && starts[k - step] > off) {
			k -= step;
			step *= 2;
		}
		lo = k >= step ? k - step : 0;
		hi = k;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (hint)
		*hint = lo;
	return lo;
}

static int index_lines(struct lg_text *t)
{
	if (!t->lines)
		t->lines = lg_line_starts(t->p, t->len, &t->n_lines);
	return t->lines ? 0 : -1;
}

const char *lg_text_line(struct lg_text *t, unsigned line, size_t *len)
{
	if (!t->p || line == 0 || index_lines(t) < 0 || line > t->n_lines)
		return NULL;
	size_t b = t->lines[line - 1];
	size_t e = line < t->n_lines ? t->lines[line] : t->len;
	if (e > b && t->p[e - 1] == '\n')
		e--;
	if (e > b && t->p[e - 1] == '\r')
		e--;
	*len = e - b;
	return t->p + b;
}

const char *lg_text_line_at(struct lg_text *t, size_t off, unsigned *line)
{
	if (!t->p || off > t->len || index_lines(t) < 0)
		return NULL;
	size_t k = lg_line_at(t->lines, t->n_lines, off, NULL);
	*line = (unsigned)(k + 1);
	return t->p + t->lines[k];
}

void lg_text_release(struct lg_text *t)
{
	if (t->mapped)
		munmap((void *)t->p, t->mapped);
	else
		free((void *)t->p);
	free(t->lines);
	memset(t, 0, sizeof(*t));
}
