/*
 * fuzz_baseline.c - the baseline reader (gate.h, pass 3) on arbitrary bytes.
 *
 * Writes the input to a file as a baseline and applies it, with
 * lg_baseline_apply(), to three findings: two in src/a.c whose fingerprints
 * the hand-written seeds name, and one whose headline is taken from the
 * input (any bytes but NUL).  Checks: a failure leaves an error in the sink
 * and every finding in place; a success drops only findings, never adds
 * any.  Then the findings that are left are written as a new baseline with
 * lg_baseline_write() and that is applied to a fresh copy of them: the
 * round trip must drop every one of them, with no error and no note about
 * unused entries.
 */
#include <string.h>

#include "finding.h"
#include "fuzz.h"
#include "gate.h"

#define MAX_INPUT (64 * 1024)
#define FP_A "3fa2d41c0e9b7a55"
#define FP_B "e1"

static void add(struct lg_findings *fs, const char *file, const char *fn,
		const char *fp, const char *msg, size_t msg_len)
{
	struct lg_finding f = { 0 };
	f.rule_id = strdup("pool-connection");
	f.function = strdup(fn);
	f.handle = strdup("conn");
	f.acquirer = strdup("pool_acquire");
	f.file = strdup(file);
	f.line = 12;
	f.col = 3;
	f.acq_file = strdup(file);
	f.acq_line = 10;
	f.acq_col = 20;
	f.message = strndup(msg, msg_len);
	f.fingerprint = strdup(fp);
	FUZZ_CHECK(f.message && lg_findings_push(fs, &f) == 0, "out of memory");
}

static void make(struct lg_findings *fs, const uint8_t *data, size_t size)
{
	add(fs, "src/a.c", "handle_login", FP_A,
	    "connection 'conn' acquired by pool_acquire() at line 10 is still held", 71);
	add(fs, "src/a.c", "export_all", FP_B, "handle 'h' is lost", 18);
	const char *msg = (const char *)data;
	size_t len = strnlen(msg, size < 200 ? size : 200);
	add(fs, "src/b.c", "f", FP_A, msg, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	const char *path = fuzz_write("baseline", data, size);
	char *cwd = strdup(fuzz_dir());
	struct lg_findings fs = LG_FINDINGS_INIT;
	struct lg_diags d = LG_DIAGS_INIT;
	make(&fs, data, size);
	size_t before = fs.n;

	int r = lg_baseline_apply(path, &fs, cwd, &d);
	if (r < 0) {
		FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) > 0, "failed without an error");
		FUZZ_CHECK(fs.n == before, "a failed apply dropped findings");
	} else {
		FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) == 0, "succeeded with an error: %s",
			   d.v[0].msg);
		FUZZ_CHECK(fs.n <= before, "findings added");
	}
	lg_diags_release(&d);

	/* the round trip: what is left, written and read back */
	const char *again = fuzz_write("written/baseline", NULL, 0);
	char *again_path = strdup(again);
	FUZZ_CHECK(lg_baseline_write(again_path, &fs, cwd, &d) == 0, "cannot write: %s",
		   d.n ? d.v[0].msg : "?");
	struct lg_findings copy = LG_FINDINGS_INIT;
	make(&copy, data, size);
	r = lg_baseline_apply(again_path, &copy, cwd, &d);
	FUZZ_CHECK(r == 0, "the written baseline does not read back: %s",
		   d.n ? d.v[0].msg : "?");
	FUZZ_CHECK(lg_diags_count(&d, LG_NOTE) == 0, "%zu written entries match nothing",
		   lg_diags_count(&d, LG_NOTE));
	FUZZ_CHECK(copy.n == before - fs.n, "%zu findings left, %zu expected", copy.n,
		   before - fs.n);

	lg_findings_release(&copy);
	lg_findings_release(&fs);
	lg_diags_release(&d);
	free(again_path);
	free(cwd);
	return 0;
}
