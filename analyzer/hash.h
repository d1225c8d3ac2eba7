/*
 * hash.h - SHA-256, written here (FIPS 180-4), for fingerprints and for the
 * cache's content keys.  Streaming: init, update any number of times, hex.
 */
#ifndef LEAKGATE_HASH_H
#define LEAKGATE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct lg_sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

void lg_sha256_init(struct lg_sha256 *s);
void lg_sha256_update(struct lg_sha256 *s, const void *data, size_t n);
/* Writes the digest as 64 lowercase hex digits and a NUL; `s` is spent. */
void lg_sha256_hex(struct lg_sha256 *s, char hex[65]);

/* The digest of one buffer. */
void lg_sha256_buf(const void *data, size_t n, char hex[65]);

#endif
