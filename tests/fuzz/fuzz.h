/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz share.
 *
 * Each harness defines LLVMFuzzerTestOneInput() and nothing else global that
 * the analyzer sees.  It is linked either with libFuzzer (the fuzz build,
 * -DLEAKGATE_FUZZ=ON, clang) or with replay.c, a main() that feeds it the
 * files named on its command line (the regression replay that ctest runs).
 *
 * Readers that only take a path (the diff, the baseline, .leakgate.yml) get
 * the input written to a file in a private temporary directory that the
 * process removes when it exits; nothing is written anywhere else.
 *
 * A harness checks the readers' documented invariants with FUZZ_CHECK: a
 * broken one aborts, which libFuzzer and the replay both count as a crash.
 */
#ifndef LEAKGATE_FUZZ_H
#define LEAKGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The process's private directory (absolute; made on first use). */
const char *fuzz_dir(void);

/* Writes `size` bytes to fuzz_dir()/`name` (subdirectories are made) and
 * returns that path (static storage, valid until the next call).  Aborts
 * when it cannot: the harness could test nothing. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* A stream that discards what is written to it (opened once). */
FILE *fuzz_null(void);

#define FUZZ_CHECK(cond, ...)                                               \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: invariant broken: %s: ",   \
				__FILE__, __LINE__, #cond);                 \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			abort();                                            \
		}                                                           \
	} while (0)

#endif
