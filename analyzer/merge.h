/*
 * merge.h - joins the SARIF reports of shards (--shard K/N) into one report
 * and one verdict (--merge OUT IN...).
 *
 * Each input must be a SARIF 2.1.0 log written by leakgate: one run whose
 * invocation records whether that shard's run succeeded and, with --shard,
 * which shard it was.  The merged log has one run: the first input's tool
 * and originalUriBaseIds, the union of the rules (ruleIndex renumbered),
 * every result in input order, and one invocation that succeeded only when
 * every shard's did, carrying every shard's notifications.
 *
 * The verdict fails closed: an input that cannot be read or is not such a
 * log, shards that disagree on N, a shard given twice or missing (when the
 * inputs are shards, 1..N must each appear once), or a shard whose run did
 * not succeed, is an error.  The merged report is still written when every
 * input could be read, so that the findings of the shards that worked are
 * seen.
 */
#ifndef LEAKGATE_MERGE_H
#define LEAKGATE_MERGE_H

#include <stddef.h>

#include "diag.h"

struct lg_merge_result {
	size_t results;   /* findings in the merged report */
	size_t shards;    /* inputs joined */
	int failed;       /* a shard's run did not succeed, or shards are
			     missing, duplicated or inconsistent */
};

/*
 * Reads the `n` SARIF files of `inputs` and writes the merged log to `out`
 * (through a temporary file and a rename; "-" is standard output).
 * Returns 0 when the merged report was written (see res->failed for the
 * verdict), -1 when it could not be (an input unreadable or not a leakgate
 * SARIF log, or a write error), with the reason in `d`.
 */
int lg_merge_sarif(const char *out, const char *const *inputs, size_t n,
		   struct lg_merge_result *res, struct lg_diags *d);

#endif
