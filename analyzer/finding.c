/*
 * finding.c - the list of findings, its order, and each finding's fingerprint
 * (see finding.h).
 *
 * This is the first pass of post-processing: a growable array that owns its
 * findings, a stable sort into the one order every output uses, removal of
 * findings reported twice at the same place (the same leak reached through
 * two translation units that include the same header), and a fingerprint
 * that identifies a leak across runs.  The fingerprint is a SHA-256 (written
 * out below, FIPS 180-4) of the facts that make up the leak (rule, function,
 * handle, acquirer, how it is lost, and the path as step kinds and
 * messages) and deliberately of no line or column, so that a baseline keeps
 * matching when unrelated code above moves.  Suppressions, baselines and the
 * diff filter are later passes (the gate); nothing here prints.
 */
#include "finding.h"
#include "hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void lg_findings_init(struct lg_findings *fs)
{
	fs->v = NULL;
	fs->n = fs->cap = 0;
}

static int findings_reserve(struct lg_findings *fs, size_t extra)
{
	size_t cap = fs->cap ? fs->cap : 8;
	struct lg_finding *v;

	if (extra <= fs->cap - fs->n)
		return 0;
	if (extra > SIZE_MAX / sizeof(*v) - fs->n)
		return -1;
	while (cap - fs->n < extra)
		cap = cap > SIZE_MAX / 2 / sizeof(*v) ? fs->n + extra : cap * 2;
	v = realloc(fs->v, cap * sizeof(*v));
	if (!v)
		return -1;
	fs->v = v;
	fs->cap = cap;
	return 0;
}

/*
 * Ownership passes to `fs` whatever happens: on success the finding is moved
 * in, on failure (out of memory) it is released; either way *f is left
 * empty, so the caller never frees it.
 */
int lg_findings_push(struct lg_findings *fs, struct lg_finding *f)
{
	if (findings_reserve(fs, 1) < 0) {
		lg_finding_release(f);
		return -1;
	}
	fs->v[fs->n++] = *f;
	memset(f, 0, sizeof(*f));
	return 0;
}

/*
 * Appends every finding of src to dst and leaves src empty.  Should dst fail
 * to grow, src is left as it was (nothing is lost; the caller sees
 * src->n != 0).
 */
void lg_findings_move(struct lg_findings *dst, struct lg_findings *src)
{
	if (!dst->n && !dst->cap) {
		*dst = *src;
		lg_findings_init(src);
		return;
	}
	if (findings_reserve(dst, src->n) < 0)
		return;
	if (src->n)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	free(src->v);
	lg_findings_init(src);
}

/* ---- order and de-duplication ---- */

/* NULL sorts before every string; strings compare bytewise. */
static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_uint(unsigned a, unsigned b)
{
	return (a > b) - (a < b);
}

/* The identity of a report: where, which rule, which acquisition. */
static int cmp_place(const struct lg_finding *a, const struct lg_finding *b)
{
	int c;

	if ((c = cmp_str(a->file, b->file)) ||
	    (c = cmp_uint(a->line, b->line)) ||
	    (c = cmp_uint(a->col, b->col)) ||
	    (c = cmp_str(a->rule_id, b->rule_id)) ||
	    (c = cmp_str(a->acq_file, b->acq_file)) ||
	    (c = cmp_uint(a->acq_line, b->acq_line)) ||
	    (c = cmp_uint(a->acq_col, b->acq_col)))
		return c;
	return 0;
}

static int cmp_finding(const struct lg_finding *a, const struct lg_finding *b)
{
	int c = cmp_place(a, b);

	return c ? c : cmp_str(a->fingerprint, b->fingerprint);
}

/* Stable: equal elements keep their order (b is taken only when smaller). */
static void merge(struct lg_finding *dst, const struct lg_finding *a, size_t na,
		  const struct lg_finding *b, size_t nb)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na && j < nb)
		dst[k++] = cmp_finding(&b[j], &a[i]) < 0 ? b[j++] : a[i++];
	while (i < na)
		dst[k++] = a[i++];
	while (j < nb)
		dst[k++] = b[j++];
}

/* Without memory for a merge sort: insertion sort, also stable. */
static void insertion_sort(struct lg_finding *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct lg_finding x = v[i];
		size_t j = i;

		for (; j > 0 && cmp_finding(&x, &v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Bottom-up merge sort, ping-ponging between v and a scratch array. */
static void stable_sort(struct lg_finding *v, size_t n)
{
	struct lg_finding *tmp, *src = v, *dst;

	if (n < 2)
		return;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp) {
		insertion_sort(v, n);
		return;
	}
	dst = tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = mid + w < n ? mid + w : n;

			merge(dst + lo, src + lo, mid - lo, src + mid, hi - mid);
		}
		struct lg_finding *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
}

/*
 * Sorts by file, line, column, rule id, acquisition file, line and column,
 * then fingerprint; then keeps only the first of the findings that agree on
 * everything but the fingerprint (one report per leak and place: the same
 * leak reached twice, or through two paths, is reported once).
 */
void lg_findings_sort_unique(struct lg_findings *fs)
{
	size_t out = 0;

	stable_sort(fs->v, fs->n);
	for (size_t i = 0; i < fs->n; i++) {
		if (out && !cmp_place(&fs->v[out - 1], &fs->v[i])) {
			lg_finding_release(&fs->v[i]);
			continue;
		}
		fs->v[out++] = fs->v[i];
	}
	fs->n = out;
}

/* ---- SHA-256 (FIPS 180-4) ---- */

/* ---- fingerprint ---- */

/* Names, not enum values, so that reordering an enum keeps fingerprints. */
static const char *loss_name(enum lg_loss l)
{
	switch (l) {
	case LG_LOSS_RETURN: return "return";
	case LG_LOSS_SCOPE: return "scope";
	case LG_LOSS_OVERWRITE: return "overwrite";
	}
	return "?";
}

static const char *step_name(enum lg_step_kind k)
{
	switch (k) {
	case LG_STEP_ACQUIRE: return "acquire";
	case LG_STEP_BRANCH: return "branch";
	case LG_STEP_CASE: return "case";
	case LG_STEP_JUMP: return "jump";
	case LG_STEP_LOSS: return "loss";
	}
	return "?";
}

/*
 * One field: a tag byte, then the string and its NUL, or tag '-' alone for
 * NULL.  Strings hold no NUL, so the encoding is unambiguous.
 */
static void hash_field(struct lg_sha256 *s, const char *str)
{
	if (!str) {
		lg_sha256_update(s, "-", 1);
		return;
	}
	lg_sha256_update(s, "s", 1);
	lg_sha256_update(s, str, strlen(str) + 1);
}

/*
 * The digest of "leakgate/v1", rule id, function, handle, acquirer, loss
 * kind, then per step its kind and message.  No file name, line or column
 * goes in (nor the headline, which names the acquisition's line): moving
 * the function, or the file, keeps the fingerprint; a different path
 * changes it.
 */
int lg_finding_fingerprint(struct lg_finding *f)
{
	struct lg_sha256 s;
	char hex[65], *fp;

	lg_sha256_init(&s);
	hash_field(&s, "leakgate/v1");
	hash_field(&s, f->rule_id);
	hash_field(&s, f->function);
	hash_field(&s, f->handle);
	hash_field(&s, f->acquirer);
	hash_field(&s, loss_name(f->loss));
	for (size_t i = 0; i < f->n_steps; i++) {
		hash_field(&s, step_name(f->steps[i].kind));
		hash_field(&s, f->steps[i].message);
	}
	lg_sha256_hex(&s, hex);
	fp = strdup(hex);
	if (!fp)
		return -1;
	free(f->fingerprint);
	f->fingerprint = fp;
	return 0;
}

/* ---- lifecycle ---- */

void lg_finding_release(struct lg_finding *f)
{
	free(f->rule_id);
	free(f->function);
	free(f->handle);
	free(f->acquirer);
	free(f->file);
	free(f->source_line);
	free(f->acq_file);
	free(f->message);
	for (size_t i = 0; i < f->n_steps; i++) {
		free(f->steps[i].file);
		free(f->steps[i].message);
	}
	free(f->steps);
	free(f->fix_text);
	free(f->anchor_file);
	free(f->fingerprint);
	memset(f, 0, sizeof(*f));
}

void lg_findings_release(struct lg_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		lg_finding_release(&fs->v[i]);
	free(fs->v);
	lg_findings_init(fs);
}
