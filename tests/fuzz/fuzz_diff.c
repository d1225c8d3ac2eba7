/*
 * fuzz_diff.c - the unified-diff reader of the diff filter (gate.h, pass 4)
 * on arbitrary bytes.
 *
 * Writes the input to a file and reads it with lg_changes_from_diff(), the
 * reader behind --diff FILE, with the file names relative to a fixed root.
 * Checks: a failure leaves an error in the sink; on success every file the
 * change names is absolute and named once, and lg_changes_touch() agrees
 * with lg_gate_diff_filter(): a finding whose exit is on a line the change
 * touches is kept with that line as its anchor, and one in a file the
 * change does not name is dropped.
 */
#include <string.h>

#include "finding.h"
#include "fuzz.h"
#include "gate.h"

#define MAX_INPUT (64 * 1024)
#define ROOT "/src/project"
#define LINES 64

static struct lg_finding finding_at(const char *file, unsigned line)
{
	struct lg_finding f = { 0 };
	f.rule_id = strdup("pool-connection");
	f.function = strdup("f");
	f.handle = strdup("c");
	f.acquirer = strdup("pool_acquire");
	f.file = strdup(file);
	f.line = line;
	f.col = 1;
	f.acq_file = strdup(file);
	f.acq_line = 100000;
	f.acq_col = 1;
	f.message = strdup("connection 'c' is still held");
	f.fingerprint = strdup("00");
	return f;
}

static void check_filter(const struct lg_changes *c, const char *file)
{
	struct lg_findings fs = LG_FINDINGS_INIT;
	unsigned touched = 0;
	for (unsigned line = 0; line < LINES; line++) {
		if (!lg_changes_touch(c, file, line, "/"))
			continue;
		struct lg_finding f = finding_at(file, line);
		FUZZ_CHECK(lg_findings_push(&fs, &f) == 0, "out of memory");
		touched++;
	}
	/* a finding elsewhere: dropped, unless the diff names that file too */
	const char *elsewhere = "/elsewhere/not-in-the-diff.c";
	if (lg_changes_touch(c, elsewhere, 1, "/") || lg_changes_touch(c, elsewhere, 100000, "/"))
		touched++;
	struct lg_finding other = finding_at(elsewhere, 1);
	FUZZ_CHECK(lg_findings_push(&fs, &other) == 0, "out of memory");
	lg_gate_diff_filter(&fs, c, "/");
	FUZZ_CHECK(fs.n == touched, "%zu findings kept, %u expected", fs.n, touched);
	for (size_t i = 0; i < fs.n; i++) {
		const struct lg_finding *f = &fs.v[i];
		if (strcmp(f->file, file) != 0)
			continue;
		FUZZ_CHECK(f->anchor_file && strcmp(f->anchor_file, file) == 0,
			   "anchor in %s, not %s", f->anchor_file, file);
		FUZZ_CHECK(f->anchor_line == f->line, "anchor at %u, exit at %u",
			   f->anchor_line, f->line);
	}
	lg_findings_release(&fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	const char *path = fuzz_write("change.diff", data, size);
	struct lg_diags d = LG_DIAGS_INIT;
	struct lg_changes *c = lg_changes_from_diff(path, ROOT, &d);
	if (!c) {
		FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) > 0, "failed without an error");
		lg_diags_release(&d);
		return 0;
	}
	FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) == 0, "succeeded with an error: %s",
		   d.v[0].msg);
	const char **files = lg_changes_files(c);
	FUZZ_CHECK(files != NULL, "out of memory");
	for (size_t i = 0; files[i]; i++) {
		FUZZ_CHECK(files[i][0] == '/', "'%s' is not absolute", files[i]);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(files[i], files[k]) != 0, "'%s' listed twice",
				   files[i]);
		check_filter(c, files[i]);
	}
	lg_changes_free(c);
	lg_diags_release(&d);
	return 0;
}
