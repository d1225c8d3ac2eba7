/*
 * fuzz_frontend.c - C source bytes through the whole analysis: the front
 * end (frontend.h), summaries (summary.h), the per-function analysis
 * (analysis.h), the findings (report.h) and their output formats.
 *
 * The input is handed to libclang as the unsaved content of a file that
 * does not exist on disk, tests/corpus/fuzz-input.c, so that the corpus's
 * own headers (#include "pool.h") resolve and nothing is written.  The
 * rules are the built-in packs plus tests/corpus/rules.  Every function
 * lowered is dumped (--dump-cfg), summarised and checked with a small
 * budget, as lg_driver_run does; the findings go through the inline
 * suppressions of the input (gate.h, pass 2, unused ones reported) and
 * are rendered as text, SARIF and JSON to nowhere.
 *
 * Checks: every graph the front end hands over passes lg_fn_check(); a
 * file that does not parse lowers no function and says why; the analysis
 * either succeeds or reports an error; every finding has its rule, file,
 * headline and fingerprint, and a path that starts with the acquisition
 * and ends with the loss.
 *
 * Each input runs on a thread with the driver's worker stack (256 MB),
 * since leakgate never lowers code on a smaller one.
 *
 * Cost: inputs over 32 KB are skipped, and the budget (64 states a block,
 * 100000 steps) keeps one function's analysis short; what is left is the
 * cost of libclang parsing the input and the headers it includes.
 */
#include <pthread.h>
#include <string.h>

#include "analysis.h"
#include "finding.h"
#include "frontend.h"
#include "fuzz.h"
#include "gate.h"
#include "output.h"
#include "report.h"
#include "rules.h"
#include "summary.h"

#define MAX_INPUT (32 * 1024)
#define WORKER_STACK ((size_t)256 << 20)
#define INPUT_FILE LEAKGATE_FUZZ_SOURCE_DIR "/tests/corpus/fuzz-input.c"

static struct lg_ruleset rules;
static struct lg_frontend *fe;

static void setup(void)
{
	struct lg_diags d = LG_DIAGS_INIT;
	lg_ruleset_init(&rules);
	if (lg_ruleset_load_builtin(&rules, LEAKGATE_SOURCE_RULES_DIR, &d) < 0 ||
	    lg_ruleset_load_spec(&rules, LEAKGATE_FUZZ_SOURCE_DIR "/tests/corpus/rules",
				 NULL, &d) < 0) {
		lg_diags_print(&d, stderr, 0);
		abort();
	}
	lg_diags_release(&d);
	fe = lg_frontend_new();
	FUZZ_CHECK(fe != NULL, "no libclang index");
}

struct fns {
	struct lg_fn **v;
	size_t n;
};

static int keep(void *ctx, struct lg_fn *fn)
{
	struct fns *f = ctx;
	FUZZ_CHECK(lg_fn_check(fn) == 0, "the front end handed over a broken graph of %s()",
		   fn->name);
	lg_fn_dump(fn, fuzz_null());
	struct lg_fn **v = realloc(f->v, (f->n + 1) * sizeof(*v));
	FUZZ_CHECK(v != NULL, "out of memory");
	f->v = v;
	f->v[f->n++] = fn;
	return 0;
}

static const char *line_of(void *ctx, const char *file, unsigned line, size_t *len)
{
	struct lg_tu_info *info = ctx;
	if (!info->file || strcmp(file, info->file) != 0)
		return NULL;
	return lg_text_line(&info->source, line, len);
}

static void check_finding(const struct lg_finding *f)
{
	FUZZ_CHECK(f->rule_id && f->file && f->message && f->fingerprint && f->function,
		   "a finding without rule, file, message, fingerprint or function");
	FUZZ_CHECK(f->n_steps >= 2, "a path of %zu steps", f->n_steps);
	FUZZ_CHECK(f->steps[0].kind == LG_STEP_ACQUIRE, "the path starts with step kind %d",
		   (int)f->steps[0].kind);
	FUZZ_CHECK(f->steps[f->n_steps - 1].kind == LG_STEP_LOSS,
		   "the path ends with step kind %d", (int)f->steps[f->n_steps - 1].kind);
	for (size_t i = 0; i < f->n_steps; i++)
		FUZZ_CHECK(f->steps[i].message && f->steps[i].file, "step %zu is empty", i);
}

static void render(const struct lg_findings *fs, const struct lg_diags *d)
{
	static const enum lg_format formats[] = { LG_FORMAT_TEXT, LG_FORMAT_SARIF,
						  LG_FORMAT_JSON };
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct lg_output_opts o = { .format = formats[i], .version = "fuzz",
					    .rules = &rules, .problems = d };
		struct lg_diags od = LG_DIAGS_INIT;
		lg_output(fuzz_null(), fs, &o, &od);
		lg_diags_release(&od);
	}
}

static void run_one(const uint8_t *data, size_t size)
{
	static const char *const args[] = {
		"-std=gnu17", "-I/usr/include/postgresql", "-I/usr/include/mariadb",
		"-I/usr/include/hiredis",
		"-I" LEAKGATE_FUZZ_SOURCE_DIR "/tests/corpus/xtu-login",
		"-I" LEAKGATE_FUZZ_SOURCE_DIR "/tests/corpus/xtu-report",
		"-I" LEAKGATE_FUZZ_SOURCE_DIR "/tests/corpus/xtu-service",
		"-I" LEAKGATE_FUZZ_SOURCE_DIR "/tests/lowering",
		"-I" LEAKGATE_FUZZ_SOURCE_DIR "/examples/login-service",
	};
	struct lg_unsaved in = { INPUT_FILE, (const char *)data, size };
	struct lg_tu_job job = { INPUT_FILE, NULL, args, sizeof(args) / sizeof(args[0]),
				 &in, 1 };
	struct lg_diags d = LG_DIAGS_INIT;
	struct lg_tu_info info = { 0 };
	struct fns fns = { NULL, 0 };

	int r = lg_frontend_run(fe, &job, keep, &fns, &info, &d);
	if (r < 0) {
		FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) > 0, "did not parse, and no error");
		FUZZ_CHECK(fns.n == 0, "did not parse, yet %zu functions lowered", fns.n);
	}

	struct lg_budget budget = { .max_states_per_block = 64, .max_steps = 100000 };
	struct lg_summaries sums;
	lg_summaries_init(&sums, &rules);
	FUZZ_CHECK(lg_summaries_compute(&sums, fns.v, fns.n, &budget, NULL) == 0,
		   "out of memory");
	lg_summaries_dump(&sums, fuzz_null());

	struct lg_oracle oracle = lg_summaries_oracle(&sums);
	struct lg_report_ctx rc = { &rules, &oracle, line_of, &info, LEAKGATE_FUZZ_SOURCE_DIR };
	struct lg_findings fs = LG_FINDINGS_INIT;
	for (size_t i = 0; i < fns.n; i++) {
		struct lg_leaks leaks = LG_LEAKS_INIT;
		size_t errors = lg_diags_count(&d, LG_ERROR);
		if (lg_analyse(fns.v[i], &oracle, &budget, &leaks, &d) < 0)
			FUZZ_CHECK(lg_diags_count(&d, LG_ERROR) > errors,
				   "the analysis of %s() failed without an error", fns.v[i]->name);
		FUZZ_CHECK(lg_report(&rc, fns.v[i], &leaks, &fs) == 0, "out of memory");
		lg_leaks_release(&leaks);
	}
	lg_findings_sort_unique(&fs);
	for (size_t i = 0; i < fs.n; i++)
		check_finding(&fs.v[i]);
	size_t found = fs.n;
	const char *sources[] = { INPUT_FILE };
	FUZZ_CHECK(lg_gate_suppress(&fs, sources, 1, &in, 1, LEAKGATE_FUZZ_SOURCE_DIR, true,
				    &d) == 0, "out of memory");
	FUZZ_CHECK(fs.n <= found, "suppressions added findings");
	render(&fs, &d);
	if (getenv("LEAKGATE_FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_frontend: %s, %zu functions, %zu findings, "
			"%zu errors\n", r == 0 ? "parsed" : "did not parse", fns.n, fs.n,
			lg_diags_count(&d, LG_ERROR));
	if (getenv("LEAKGATE_FUZZ_VERBOSE") && r < 0)
		lg_diags_print(&d, stderr, 0);

	lg_findings_release(&fs);
	lg_summaries_release(&sums);
	for (size_t i = 0; i < fns.n; i++)
		lg_fn_free(fns.v[i]);
	free(fns.v);
	lg_tu_info_release(&info);
	lg_diags_release(&d);
}

struct input {
	const uint8_t *data;
	size_t size;
};

static void *worker(void *arg)
{
	const struct input *in = arg;
	run_one(in->data, in->size);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	if (!fe)
		setup();
	/* On a stack as large as the driver's workers have (driver.c,
	 * WORKER_STACK): the lowering and libclang recurse as deep as the code
	 * nests, and leakgate never runs them on a smaller stack. */
	struct input in = { data, size };
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	FUZZ_CHECK(pthread_create(&t, &attr, worker, &in) == 0, "no thread");
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	return 0;
}
