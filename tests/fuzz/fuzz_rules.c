/*
 * fuzz_rules.c - the rule loader (rules.h) on arbitrary bytes.
 *
 * Feeds the input, as the YAML text of a rule file, to
 * lg_ruleset_load_buffer() (not NUL-terminated, as it may be).  Checks what
 * rules.h promises: a load that fails leaves an error in the sink and the
 * ruleset empty; one that succeeds leaves no error, and every resource is
 * found again by its id.  Then loads the same text a second time into the
 * same ruleset, which must fail when it defined a resource (the ids are
 * taken) and must leave the ruleset exactly as it was (rules.c's two-phase
 * commit): the --list-rules text before and after is compared.  Lookups and
 * the listing run over whatever was loaded.
 */
#include <string.h>

#include "fuzz.h"
#include "rules.h"

#define MAX_INPUT (64 * 1024)

static char *listing(const struct lg_ruleset *rs, size_t *len)
{
	char *text = NULL;
	FILE *m = open_memstream(&text, len);
	FUZZ_CHECK(m != NULL, "open_memstream");
	lg_ruleset_list(rs, m);
	fclose(m);
	return text;
}

static void check_diags(const struct lg_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		FUZZ_CHECK(d->v[i].msg && !strchr(d->v[i].msg, '\n'),
			   "diagnostic %zu is not one line: %s", i, d->v[i].msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	struct lg_ruleset rs;
	struct lg_diags d = LG_DIAGS_INIT;
	lg_ruleset_init(&rs);

	int r = lg_ruleset_load_buffer(&rs, "fuzz.yml", (const char *)data, size, &d);
	check_diags(&d);
	if (r < 0) {
		FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) > 0, "failed without an error");
		FUZZ_CHECK(rs.n_resources == 0, "a failed load left %zu resources",
			   rs.n_resources);
		goto out;
	}
	FUZZ_CHECK(r == 0, "returned %d", r);
	FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) == 0, "succeeded with an error: %s",
		   d.v[0].msg);
	for (size_t i = 0; i < rs.n_resources; i++) {
		const struct lg_resource *res = &rs.resources[i];
		FUZZ_CHECK(res->id && *res->id, "resource %zu without an id", i);
		FUZZ_CHECK(lg_ruleset_find(&rs, res->id) == (int)i, "'%s' not found again",
			   res->id);
		FUZZ_CHECK(lg_kind_name(res->kind) != NULL, "kind %d has no name",
			   (int)res->kind);
	}
	size_t n = 0;
	const struct lg_effect *e = lg_ruleset_lookup(&rs, "pool_acquire", &n);
	FUZZ_CHECK((e == NULL) == (n == 0), "lookup: %zu effects", n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(e[i].resource < rs.n_resources, "effect on resource %u of %zu",
			   e[i].resource, rs.n_resources);

	size_t len1 = 0, len2 = 0;
	char *before = listing(&rs, &len1);
	size_t n_before = rs.n_resources;
	lg_diags_release(&d);
	r = lg_ruleset_load_buffer(&rs, "again.yml", (const char *)data, size, &d);
	check_diags(&d);
	if (n_before > 0) {
		FUZZ_CHECK(r < 0, "the same %zu resource(s) loaded twice", n_before);
		FUZZ_CHECK(rs.n_resources == n_before, "a failed load changed the count");
		char *after = listing(&rs, &len2);
		FUZZ_CHECK(len1 == len2 && memcmp(before, after, len1) == 0,
			   "a failed load changed the ruleset:\n--- before\n%s--- after\n%s",
			   before, after);
		free(after);
	}
	free(before);
	lg_ruleset_list(&rs, fuzz_null());
out:
	lg_diags_release(&d);
	lg_ruleset_release(&rs);
	return 0;
}
