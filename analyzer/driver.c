/*
 * driver.c - worker threads over translation units (see driver.h).
 *
 * Workers take the next unit from a shared counter (the only shared mutable
 * state, guarded by a mutex), so both CPUs stay busy until the last file.
 * Each unit's findings, diagnostics and dumps are kept apart and merged in
 * input order at the end.
 */
#include "driver.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "report.h"

#define WORKER_STACK ((size_t)256 << 20)   /* reserved, not committed */

struct unit_result {
	struct lg_findings findings;
	struct lg_diags diags;
	char *dump;           /* --dump-cfg text */
	size_t dump_len;
	int failed;
};

struct shared {
	const struct lg_driver_opts *o;
	const struct lg_compdb *db;
	struct unit_result *results;
	pthread_mutex_t lock;
	size_t next;
};

struct fn_ctx {
	const struct lg_driver_opts *o;
	struct lg_frontend *fe;
	struct unit_result *r;
	FILE *dump;
};

static const char *line_of(void *ctx, const char *file, unsigned line, size_t *len)
{
	return lg_frontend_line(ctx, file, line, len);
}

/* One function: analysis, then report. */
static int on_function(void *ctx, struct lg_fn *fn)
{
	struct fn_ctx *c = ctx;
	struct lg_oracle oracle = lg_oracle_rules(c->o->rules);
	struct lg_leaks leaks = LG_LEAKS_INIT;

	if (c->dump)
		lg_fn_dump(fn, c->dump);
	if (lg_analyse(fn, &oracle, &c->o->budget, &leaks, &c->r->diags) < 0)
		c->r->failed = 1;
	struct lg_report_ctx rc = { c->o->rules, line_of, c->fe, c->o->cwd };
	if (lg_report(&rc, fn, &leaks, &c->r->findings) < 0) {
		lg_diag(&c->r->diags, LG_ERROR, NULL, 0, 0, "out of memory");
		c->r->failed = 1;
	}
	lg_leaks_release(&leaks);
	lg_fn_free(fn);
	return 0;
}

static void run_unit(struct shared *s, struct lg_frontend *fe, size_t i)
{
	const struct lg_compile_cmd *cmd = &s->db->v[i];
	struct unit_result *r = &s->results[i];
	struct fn_ctx c = { s->o, fe, r, NULL };
	struct lg_tu_job job = {
		cmd->file, cmd->directory, (const char *const *)cmd->args,
		cmd->n_args, NULL, 0,
	};

	if (s->o->dump_cfg)
		c.dump = open_memstream(&r->dump, &r->dump_len);
	if (lg_frontend_run(fe, &job, on_function, &c, &r->diags) != 0)
		r->failed = 1;
	if (c.dump)
		fclose(c.dump);
	/* The compiler names files as it opened them: show them as findings
	 * do, relative to the current directory. */
	for (size_t k = 0; k < r->diags.n; k++) {
		char *shown = r->diags.v[k].file
			? lg_display_path(r->diags.v[k].file, s->o->cwd) : NULL;
		if (shown) {
			free(r->diags.v[k].file);
			r->diags.v[k].file = shown;
		}
	}
}

static void *worker(void *arg)
{
	struct shared *s = arg;
	struct lg_frontend *fe = lg_frontend_new();

	for (;;) {
		pthread_mutex_lock(&s->lock);
		size_t i = s->next++;
		pthread_mutex_unlock(&s->lock);
		if (i >= s->db->n)
			break;
		if (!fe) {
			lg_diag(&s->results[i].diags, LG_ERROR, s->db->v[i].file, 0, 0,
				"cannot start libclang");
			s->results[i].failed = 1;
			continue;
		}
		run_unit(s, fe, i);
	}
	lg_frontend_free(fe);
	return NULL;
}

int lg_driver_run(const struct lg_driver_opts *o, const struct lg_compdb *db,
		  struct lg_findings *out, struct lg_diags *d)
{
	struct shared s = { .o = o, .db = db };
	int jobs = o->jobs < 1 ? 1 : o->jobs;
	int ret = 0;

	if (db->n == 0)
		return 0;
	if ((size_t)jobs > db->n)
		jobs = (int)db->n;
	s.results = calloc(db->n, sizeof(*s.results));
	pthread_t *threads = calloc((size_t)jobs, sizeof(*threads));
	if (!s.results || !threads) {
		free(s.results);
		free(threads);
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	}
	pthread_mutex_init(&s.lock, NULL);
	/* Workers get a large stack: libclang and the lowering recurse as deep
	 * as the code nests (a long else-if chain, a deep expression). */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	int started = 0;
	for (int i = 0; i < jobs; i++) {
		if (pthread_create(&threads[i], &attr, worker, &s) != 0)
			break;
		started++;
	}
	pthread_attr_destroy(&attr);
	if (started == 0)
		worker(&s);   /* no thread could start: work here */
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&s.lock);

	for (size_t i = 0; i < db->n; i++) {
		struct unit_result *r = &s.results[i];
		if (r->failed)
			ret = -1;
		if (o->dump_cfg && r->dump)
			fwrite(r->dump, 1, r->dump_len, o->dump_cfg);
		free(r->dump);
		lg_findings_move(out, &r->findings);
		lg_findings_release(&r->findings);
		lg_diags_move(d, &r->diags);
	}
	free(s.results);
	free(threads);
	return ret;
}
