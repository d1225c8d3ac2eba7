/*
 * fuzz_config.c - the project configuration reader (config.h) on arbitrary
 * bytes.
 *
 * Writes the input as a .leakgate.yml in a directory of its own and reads
 * it with lg_config_load().  Checks: a failure leaves an error in the sink
 * and the configuration zeroed; a success leaves no error, names the file
 * and its directory as absolute paths, resolves compile_database and
 * baseline to absolute paths, and has no NULL among its rules and exclude
 * globs.  The globs are then matched, as the exclude pass does, against a
 * few paths inside and outside that directory.
 */
#include <string.h>

#include "config.h"
#include "finding.h"
#include "fuzz.h"
#include "gate.h"

#define MAX_INPUT (64 * 1024)

static const char *const probes[] = {
	"src/a.c", "third_party/x/y.c", "a.c", "/elsewhere/b.c", "src/../c.h",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	const char *path = fuzz_write("project/.leakgate.yml", data, size);
	struct lg_config c;
	struct lg_diags d = LG_DIAGS_INIT;
	int r = lg_config_load(&c, path, &d);
	if (r < 0) {
		FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) > 0, "failed without an error");
		FUZZ_CHECK(!c.path && !c.dir && !c.rules && !c.n_rules && !c.exclude &&
			   !c.n_exclude && !c.baseline && !c.compile_database,
			   "a failed load left settings behind");
		lg_diags_release(&d);
		return 0;
	}
	FUZZ_CHECK(r == 0, "returned %d", r);
	FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) == 0, "succeeded with an error: %s",
		   d.v[0].msg);
	FUZZ_CHECK(c.path && c.path[0] == '/' && c.dir && c.dir[0] == '/',
		   "path '%s', dir '%s'", c.path, c.dir);
	FUZZ_CHECK(!c.compile_database || c.compile_database[0] == '/',
		   "compile_database '%s' not absolute", c.compile_database);
	FUZZ_CHECK(!c.baseline || c.baseline[0] == '/', "baseline '%s' not absolute",
		   c.baseline);
	for (size_t i = 0; i < c.n_rules; i++)
		FUZZ_CHECK(c.rules[i] != NULL, "rules[%zu] is NULL", i);
	for (size_t i = 0; i < c.n_exclude; i++)
		FUZZ_CHECK(c.exclude[i] != NULL, "exclude[%zu] is NULL", i);

	struct lg_findings fs = LG_FINDINGS_INIT;
	size_t n_probes = sizeof(probes) / sizeof(probes[0]), excluded = 0;
	for (size_t i = 0; i < n_probes; i++) {
		int hit = lg_config_excluded((const char *const *)c.exclude, c.n_exclude,
					     c.dir, probes[i], c.dir);
		excluded += hit != 0;
		struct lg_finding f = { 0 };
		f.file = strdup(probes[i]);
		f.rule_id = strdup("r");
		f.message = strdup("m");
		FUZZ_CHECK(f.file && lg_findings_push(&fs, &f) == 0, "out of memory");
	}
	lg_gate_exclude(&fs, (const char *const *)c.exclude, c.n_exclude, c.dir, c.dir);
	FUZZ_CHECK(fs.n == n_probes - excluded, "the exclude pass kept %zu, not %zu", fs.n,
		   n_probes - excluded);
	lg_findings_release(&fs);
	lg_config_release(&c);
	lg_diags_release(&d);
	return 0;
}
