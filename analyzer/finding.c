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

struct sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->nbuf = 0;
}

static void sha256_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			      (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
			      ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
			      ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	while (n) {
		size_t k = 64 - s->nbuf < n ? 64 - s->nbuf : n;

		memcpy(s->buf + s->nbuf, p, k);
		s->nbuf += k;
		p += k;
		n -= k;
		if (s->nbuf == 64) {
			sha256_block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

/* Writes the digest as 64 lowercase hex digits and a NUL to `hex`. */
static void sha256_final_hex(struct sha256 *s, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t npad = (s->nbuf < 56 ? 56 : 120) - s->nbuf;

	for (int i = 0; i < 8; i++)
		pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, pad, npad + 8);
	for (int i = 0; i < 32; i++) {
		unsigned char byte = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));

		hex[2 * i] = digits[byte >> 4];
		hex[2 * i + 1] = digits[byte & 15];
	}
	hex[64] = '\0';
}

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
static void hash_field(struct sha256 *s, const char *str)
{
	if (!str) {
		sha256_update(s, "-", 1);
		return;
	}
	sha256_update(s, "s", 1);
	sha256_update(s, str, strlen(str) + 1);
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
	struct sha256 s;
	char hex[65], *fp;

	sha256_init(&s);
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
	sha256_final_hex(&s, hex);
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
