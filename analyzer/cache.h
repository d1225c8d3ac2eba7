/*
 * cache.h - what earlier runs learnt, kept on disk.
 *
 * One entry per translation unit (per compile command), named by a digest
 * of the file's path, its directory, its flags, and the salt: leakgate's
 * own binary and the rules (so a rebuilt analyzer never trusts what an
 * older one concluded).  An
 * entry holds:
 *   - the unit's lowered graphs, with the digest of the content of the main
 *     file and of every file it included: when none of them changed, the
 *     graphs are used as they are and nothing is parsed;
 *   - per function, a memo: the digest of everything its summary and its
 *     findings depend on (its graph, the rules, its callees' summaries),
 *     and that summary and those leaks.  A function whose digest did not
 *     change is neither summarised nor checked again, even when its file
 *     was re-parsed.
 * Entries are JSON (jansson), written to a temporary file and renamed, so a
 * reader never sees half an entry and concurrent runs do not corrupt each
 * other.  The directory may be in an untrusted tree: no link there is
 * followed (cache.c says exactly which), and an entry is read only when it
 * is a regular file.  An entry that does not parse, has another format version, or
 * names anything out of range is ignored (and rewritten), never trusted.
 *
 * The cache is shared by the worker threads; its own state (the digests of
 * files already read in this run) is guarded by a mutex.
 * Ownership: lg_cache_entry values belong to the caller (free them with
 * lg_cache_entry_free); graphs handed out are the caller's.
 */
#ifndef LEAKGATE_CACHE_H
#define LEAKGATE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "cfg.h"
#include "compdb.h"
#include "diag.h"
#include "frontend.h"
#include "summary.h"

struct lg_cache;

/* A function's memo, as read from or written to an entry. */
struct lg_cache_memo {
	char *id;                    /* the function's id */
	char *digest;                /* its input digest */
	struct lg_summary_memo summary;
	struct lg_effect *effects;   /* owned: summary.effects points here */
	struct lg_leaks leaks;
};

struct lg_cache_entry {
	bool fresh;                  /* every input is unchanged: the graphs
					below can be used */
	struct lg_fn **fns;          /* when fresh */
	size_t n_fns;
	char *main_file;             /* as the graphs name it */
	char **includes;
	size_t n_includes;
	struct lg_cache_memo *memos;
	size_t n_memos;
};

/* Opens (creating it) the cache directory.  NULL with a warning in `d` when
 * it cannot be used, a link in its path included: the run goes on without
 * a cache.  Removes the temporary files killed runs left, once an hour old. */
struct lg_cache *lg_cache_open(const char *dir, const char *rules_digest,
			       struct lg_diags *d);
void lg_cache_close(struct lg_cache *c);

/* The entry of `cmd`, or NULL when there is none (or it cannot be trusted). */
struct lg_cache_entry *lg_cache_load(struct lg_cache *c,
				     const struct lg_compile_cmd *cmd);
void lg_cache_entry_free(struct lg_cache_entry *e);

/* The memo of function `id` in `e`, or NULL. */
const struct lg_cache_memo *lg_cache_memo(const struct lg_cache_entry *e,
					  const char *id);

/* Sets fn->digest: the SHA-256 of the graph's serialised form. */
int lg_cache_digest_fn(struct lg_fn *fn);

/* What one function contributes to the entry that is written. */
struct lg_cache_fn_result {
	const struct lg_fn *fn;
	const struct lg_summary *summary;   /* may be NULL */
	const struct lg_leaks *leaks;
};

/* Writes the entry of `cmd`: the graphs, the inputs' digests (the main
 * file and `info`'s includes), and each function's memo.  0, or -1 with a
 * warning in `d` (a cache that cannot be written does not fail the run). */
int lg_cache_store(struct lg_cache *c, const struct lg_compile_cmd *cmd,
		   const char *main_file, char *const *includes,
		   size_t n_includes, const struct lg_cache_fn_result *fns,
		   size_t n_fns, struct lg_diags *d);

#endif
