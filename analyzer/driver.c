/*
 * driver.c - the three phases of driver.h, on worker threads.
 *
 * Workers take the next unit from a shared counter (the only shared mutable
 * state, guarded by a mutex), so both CPUs stay busy until the last file;
 * the checks take the next few functions of all units from one list.
 * Each unit keeps its graphs, its source text (for the findings' source
 * lines), its findings and its diagnostics apart; they are merged in input
 * order at the end.
 */
#include "driver.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cache.h"
#include "frontend.h"
#include "memory.h"
#include "parallel.h"
#include "readfile.h"
#include "report.h"
#include "summary.h"

#define WORKER_STACK ((size_t)256 << 20)   /* reserved, not committed */

struct unit {
	struct lg_fn **fns;        /* phase 1 -> 3 */
	size_t n_fns, cap_fns;
	struct lg_leaks *leaks;    /* phase 3: per function, for the cache */
	int *rc;                   /* phase 3: per function, lg_analyse's
				      result (or REUSED) */
	struct lg_diags *fn_diags; /* phase 3: per function, what its check
				      said, moved to `diags` in order */
	double deadline;           /* phase 3: when its budget runs out */
	bool checking;             /* phase 3: its functions are checked */
	struct lg_cache_entry *cached;  /* the previous run's entry, or NULL */
	bool from_cache;           /* the graphs came from it: not parsed */
	bool dirty;                /* reads content given in memory */
	bool skipped;              /* not affected by the change */
	bool other_shard;          /* --shard: another shard checks it */
	size_t checked, reused;
	struct lg_tu_info info;
	struct lg_findings findings;
	struct lg_diags diags;
	char *dump;                /* --dump-cfg text */
	size_t dump_len;
	double parse_s;            /* wall time parsing and lowering it took */
	bool over_budget;          /* some of it was not fully analysed, and
				      the user allowed that: not cached */
	int failed;
};

struct shared {
	const struct lg_driver_opts *o;
	const char *phase_name;
	size_t done;
	struct lg_cache *cache;
	const struct lg_compdb *db;
	struct unit *units;
	const struct lg_summaries *summaries;   /* phase 3 */
	void (*phase)(struct shared *s, struct lg_frontend *fe, size_t i);
	bool needs_frontend;
	pthread_mutex_t lock;
	size_t next;
	size_t *order;          /* the units, largest file first (NULL: in
				   order): a large file started last would
				   leave the other workers idle */
};

/* ---- phase 1: parse and lower ---------------------------------------------- */

static int keep_fn(void *ctx, struct lg_fn *fn)
{
	struct unit *u = ctx;
	if (u->n_fns == u->cap_fns) {
		size_t cap = u->cap_fns ? u->cap_fns * 2 : 16;
		struct lg_fn **v = realloc(u->fns, cap * sizeof(*v));
		if (!v) {
			lg_fn_free(fn);
			lg_diag(&u->diags, LG_ERROR, NULL, 0, 0, "out of memory");
			u->failed = 1;
			return -1;
		}
		u->fns = v;
		u->cap_fns = cap;
	}
	u->fns[u->n_fns++] = fn;
	return 0;
}

static bool is_unsaved(const struct lg_driver_opts *o, const char *path)
{
	for (size_t i = 0; i < o->n_unsaved; i++)
		if (strcmp(o->unsaved[i].path, path) == 0)
			return true;
	return false;
}

/* The graphs of an unchanged unit, from the cache: nothing is parsed. */
static bool take_cached(struct unit *u)
{
	struct lg_cache_entry *e = u->cached;
	if (!e || !e->fresh)
		return false;
	u->info.file = strdup(e->main_file);
	if (!u->info.file || lg_text_read(&u->info.source, u->info.file) < 0) {
		lg_tu_info_release(&u->info);
		return false;
	}
	u->info.includes = e->includes;
	u->info.n_includes = e->n_includes;
	e->includes = NULL;
	e->n_includes = 0;
	u->fns = e->fns;
	u->n_fns = u->cap_fns = e->n_fns;
	e->fns = NULL;
	e->n_fns = 0;
	return true;
}

/* The compiler names files as it opened them: problems show them as
 * findings do, relative to the current directory. */
static void show_paths(struct unit *u, size_t from, const char *cwd)
{
	for (size_t k = from; k < u->diags.n; k++) {
		char *shown = u->diags.v[k].file
			? lg_display_path(u->diags.v[k].file, cwd) : NULL;
		if (shown) {
			free(u->diags.v[k].file);
			u->diags.v[k].file = shown;
		}
	}
}

static void parse_unit(struct shared *s, struct lg_frontend *fe, size_t i)
{
	const struct lg_compile_cmd *cmd = &s->db->v[i];
	struct unit *u = &s->units[i];
	struct lg_tu_job job = {
		cmd->file, cmd->directory, (const char *const *)cmd->args,
		cmd->n_args, s->o->unsaved, s->o->n_unsaved,
	};

	if (s->cache)
		u->cached = lg_cache_load(s->cache, cmd);
	/* A unit that reads a file given in memory is parsed from it and not
	 * written to the cache (its entry describes the disk). */
	u->dirty = is_unsaved(s->o, cmd->file);
	for (size_t k = 0; u->cached && k < u->cached->n_includes && !u->dirty; k++)
		u->dirty = is_unsaved(s->o, u->cached->includes[k]);
	if (s->o->n_unsaved && !u->cached)
		u->dirty = true;   /* it may include one: the cache cannot say */
	u->from_cache = !u->dirty && take_cached(u);
	double t0 = lg_now();
	if (!u->from_cache &&
	    lg_frontend_run(fe, &job, keep_fn, u, &u->info, &u->diags) != 0)
		u->failed = 1;
	u->parse_s = lg_now() - t0;
	/* libclang cannot be interrupted: a file whose parsing alone took its
	 * whole budget is not analysed further */
	double max = s->o->budget.max_seconds;
	if (!u->failed && max > 0 && u->parse_s > max) {
		bool warn = s->o->budget.warn;
		lg_diag(&u->diags, warn ? LG_WARNING : LG_ERROR, cmd->file, 0, 0,
			"file was not analysed: parsing it took %.1f s, more than "
			"--max-seconds %g%s", u->parse_s, max,
			warn ? " (allowed by --allow-over-budget)" : "");
		if (warn)
			u->over_budget = true;
		else
			u->failed = 1;
		for (size_t k = 0; k < u->n_fns; k++)
			lg_fn_free(u->fns[k]);
		u->n_fns = 0;
	}
	if (s->cache)
		for (size_t k = 0; k < u->n_fns; k++)
			lg_cache_digest_fn(u->fns[k]);
	if (s->o->dump_cfg) {
		FILE *m = open_memstream(&u->dump, &u->dump_len);
		if (m) {
			for (size_t k = 0; k < u->n_fns; k++)
				lg_fn_dump(u->fns[k], m);
			fclose(m);
		}
	}
	show_paths(u, 0, s->o->cwd);
}

/* ---- phase 3: check -------------------------------------------------------- */

/* The unit's main file is read the first time a finding quotes it. */
static const char *line_of(void *ctx, const char *file, unsigned line, size_t *len)
{
	struct unit *u = ctx;
	if (!u->info.file || strcmp(file, u->info.file) != 0)
		return NULL;
	struct lg_text *t = &u->info.source;
	if (!t->p && lg_text_read(t, u->info.file) < 0)
		return NULL;
	/* the line starts lowering found, when the file is still the one
	 * parsed (the same length; else they are found again) */
	if (!t->lines && u->info.line_starts && t->len == u->info.parsed_len) {
		t->lines = u->info.line_starts;
		t->n_lines = u->info.n_line_starts;
		u->info.line_starts = NULL;
	}
	return lg_text_line(t, line, len);
}

/* A previous run's leaks of `fn`, when none of its inputs changed. */
static bool reuse_leaks(const struct unit *u, const struct lg_summary *sum,
			const struct lg_fn *fn, struct lg_leaks *out)
{
	const struct lg_cache_memo *m = lg_cache_memo(u->cached, fn->id);
	if (!m || !sum || !sum->digest[0] || strcmp(m->digest, sum->digest) != 0)
		return false;
	for (size_t i = 0; i < m->leaks.n; i++) {
		const struct lg_leak *l = &m->leaks.v[i];
		if (l->acq_block >= fn->n_blocks ||
		    l->acq_event >= fn->blocks[l->acq_block].n_ev)
			return false;   /* does not fit the graph: not trusted */
	}
	for (size_t i = 0; i < m->leaks.n; i++)
		if (lg_leaks_push_copy(out, &m->leaks.v[i]) < 0)
			return false;
	return true;
}

/* Does the unit read a file the change touches (its main file, or one of
 * the files libclang says it included)? */
static bool affected(const struct shared *s, const struct unit *u, size_t i)
{
	const char *const *ch = s->o->changed;
	if (!ch)
		return true;
	for (size_t k = 0; ch[k]; k++) {
		if (strcmp(ch[k], s->db->v[i].file) == 0)
			return true;
		for (size_t j = 0; j < u->info.n_includes; j++)
			if (strcmp(ch[k], u->info.includes[j]) == 0)
				return true;
	}
	return false;
}

/*
 * Phase 3 has two steps.  First every function that needs it is checked,
 * the functions of all units in one list that the threads share (one
 * large file must not leave the other threads idle), each keeping its
 * leaks, its result and what it said apart.  Then each unit, in parallel,
 * gathers those in order, reports and writes its cache entry.
 */
#define REUSED 1000   /* rc: the leaks came from the cache (lg_analyse
			   gives 0, -1 or LG_OVER_BUDGET) */

/* Which units are checked, with room for their functions' results; the
 * budget of each is what parsing left, from now.  -1 when memory runs
 * out. */
static int prepare_checks(struct shared *s)
{
	double now = lg_now();
	for (size_t i = 0; i < s->db->n; i++) {
		struct unit *u = &s->units[i];
		if (u->other_shard)
			continue;
		if (!affected(s, u, i)) {
			u->skipped = true;
			continue;
		}
		size_t n = u->n_fns ? u->n_fns : 1;
		u->leaks = calloc(n, sizeof(*u->leaks));
		u->rc = calloc(n, sizeof(*u->rc));
		u->fn_diags = calloc(n, sizeof(*u->fn_diags));
		if (!u->leaks || !u->rc || !u->fn_diags)
			return -1;
		u->checking = true;
		u->deadline = s->o->budget.max_seconds > 0
			? now + s->o->budget.max_seconds - u->parse_s : 0;
	}
	return 0;
}

struct check_list {
	struct shared *s;
	size_t (*items)[2];     /* (unit, function) */
};

static void check_fn(void *ctx, size_t j)
{
	const struct check_list *l = ctx;
	struct shared *s = l->s;
	struct unit *u = &s->units[l->items[j][0]];
	size_t k = l->items[j][1];
	struct lg_fn *fn = u->fns[k];
	struct lg_leaks *leaks = &u->leaks[k];
	const struct lg_summary *sum = lg_summaries_find(s->summaries, fn->id);
	if (s->cache && reuse_leaks(u, sum, fn, leaks)) {
		u->rc[k] = REUSED;
		return;
	}
	lg_leaks_release(leaks);
	struct lg_oracle oracle = lg_summaries_oracle(s->summaries);
	struct lg_budget budget = s->o->budget;
	budget.deadline = u->deadline;
	u->rc[k] = lg_analyse(fn, &oracle, &budget, leaks, &u->fn_diags[k]);
}

/* Checks every function of the units being checked, on `jobs` threads.
 * -1 when memory runs out. */
static int check_functions(struct shared *s, int jobs)
{
	size_t n = 0;
	for (size_t i = 0; i < s->db->n; i++)
		if (s->units[i].checking)
			n += s->units[i].n_fns;
	struct check_list l = { s, malloc((n ? n : 1) * sizeof(*l.items)) };
	if (!l.items)
		return -1;
	size_t m = 0;
	for (size_t i = 0; i < s->db->n; i++)
		for (size_t k = 0; s->units[i].checking && k < s->units[i].n_fns; k++) {
			l.items[m][0] = i;
			l.items[m][1] = k;
			m++;
		}
	lg_parallel_for(n, jobs, check_fn, &l);
	free(l.items);
	return 0;
}

static void report_unit(struct shared *s, struct lg_frontend *fe, size_t i)
{
	(void)fe;
	struct unit *u = &s->units[i];
	if (!u->checking)
		return;
	size_t n_diags = u->diags.n;
	struct lg_oracle oracle = lg_summaries_oracle(s->summaries);
	struct lg_report_ctx rc = { s->o->rules, &oracle, line_of, u, s->o->cwd };

	for (size_t k = 0; k < u->n_fns; k++) {
		struct lg_fn *fn = u->fns[k];
		struct lg_leaks *leaks = &u->leaks[k];
		if (u->rc[k] == REUSED) {
			u->reused++;
		} else {
			u->checked++;
			lg_diags_move(&u->diags, &u->fn_diags[k]);
			if (u->rc[k] < 0)
				u->failed = 1;
			else if (u->rc[k] == LG_OVER_BUDGET)
				u->over_budget = true;
		}
		if (lg_report(&rc, fn, leaks, &u->findings) < 0) {
			lg_diag(&u->diags, LG_ERROR, NULL, 0, 0, "out of memory");
			u->failed = 1;
		}
	}
	/* What this run learnt, for the next one.  A unit that did not parse,
	 * or whose functions went over budget, is not cached. */
	if (s->cache && !u->failed && !u->over_budget && !u->dirty && u->info.file) {
		struct lg_cache_fn_result *res = calloc(u->n_fns ? u->n_fns : 1, sizeof(*res));
		if (res) {
			for (size_t k = 0; k < u->n_fns; k++)
				res[k] = (struct lg_cache_fn_result){
					u->fns[k], lg_summaries_find(s->summaries, u->fns[k]->id),
					&u->leaks[k] };
			lg_cache_store(s->cache, &s->db->v[i], u->info.file, u->info.includes,
				       u->info.n_includes, res, u->n_fns, &u->diags);
			free(res);
		}
	}
	show_paths(u, n_diags, s->o->cwd);
}

/* ---- workers ------------------------------------------------------------------ */

static void *worker(void *arg)
{
	struct shared *s = arg;
	struct lg_frontend *fe = s->needs_frontend ? lg_frontend_new() : NULL;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		size_t i = s->next++;
		pthread_mutex_unlock(&s->lock);
		if (i >= s->db->n)
			break;
		if (s->order)
			i = s->order[i];
		if (s->needs_frontend && !fe) {
			lg_diag(&s->units[i].diags, LG_ERROR, s->db->v[i].file, 0, 0,
				"cannot start libclang");
			s->units[i].failed = 1;
			continue;
		}
		s->phase(s, fe, i);
		if (s->o->progress) {
			pthread_mutex_lock(&s->lock);
			s->done++;
			s->o->progress(s->o->progress_ctx, s->phase_name, s->done, s->db->n,
				       s->db->v[i].file);
			pthread_mutex_unlock(&s->lock);
		}
	}
	lg_frontend_free(fe);
	return NULL;
}

/* Runs `phase` over every unit on `jobs` threads. */
static void run_phase(struct shared *s, int jobs, const char *name,
		      void (*phase)(struct shared *, struct lg_frontend *, size_t),
		      bool needs_frontend)
{
	s->phase_name = name;
	s->done = 0;
	pthread_t *threads = calloc((size_t)jobs, sizeof(*threads));
	s->phase = phase;
	s->needs_frontend = needs_frontend;
	s->next = 0;
	int started = 0;
	if (threads) {
		/* Workers get a large stack: libclang and the lowering recurse
		 * as deep as the code nests (a long else-if chain). */
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, WORKER_STACK);
		for (int i = 0; i < jobs; i++) {
			if (pthread_create(&threads[i], &attr, worker, s) != 0)
				break;
			started++;
		}
		pthread_attr_destroy(&attr);
	}
	if (started == 0)
		worker(s);   /* no thread could start: work here */
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

/* ---- shards ------------------------------------------------------------------ */

struct costed {
	size_t index;
	off_t cost;
	const char *file;
};

static int by_cost(const void *pa, const void *pb)
{
	const struct costed *a = pa, *b = pb;
	if (a->cost != b->cost)
		return a->cost > b->cost ? -1 : 1;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* The units with their costs (the size of the main file), largest first;
 * NULL when memory runs out. */
static struct costed *by_size(const struct lg_compdb *db)
{
	struct costed *c = calloc(db->n ? db->n : 1, sizeof(*c));
	if (!c)
		return NULL;
	for (size_t i = 0; i < db->n; i++) {
		struct stat st;
		c[i] = (struct costed){ i, 0, db->v[i].file };
		if (stat(c[i].file, &st) == 0)
			c[i].cost = st.st_size;
		c[i].cost += 1;   /* an empty or unreadable file still costs */
	}
	qsort(c, db->n, sizeof(*c), by_cost);
	return c;
}

/* Marks the units that are not shard K's (see driver.h). */
static int deal_shards(struct shared *s, unsigned k, unsigned n)
{
	size_t units = s->db->n;
	struct costed *c = by_size(s->db);
	off_t *load = calloc(n, sizeof(*load));
	if (!c || !load) {
		free(c);
		free(load);
		return -1;
	}
	for (size_t i = 0; i < units; i++) {
		unsigned best = 0;
		for (unsigned j = 1; j < n; j++)
			if (load[j] < load[best])
				best = j;
		load[best] += c[i].cost;
		s->units[c[i].index].other_shard = best + 1 != k;
	}
	free(c);
	free(load);
	return 0;
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lg_driver_run(const struct lg_driver_opts *o, const struct lg_compdb *db,
		  struct lg_findings *out, struct lg_diags *d,
		  struct lg_driver_stats *stats)
{
	struct shared s = { .o = o, .db = db };
	struct lg_driver_stats st = { .units = db->n };
	struct lg_summaries summaries;
	int jobs = o->jobs < 1 ? 1 : o->jobs;
	int ret = 0;

	if (db->n == 0)
		return 0;
	if ((size_t)jobs > db->n)
		jobs = (int)db->n;
	s.units = calloc(db->n, sizeof(*s.units));
	if (!s.units)
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	pthread_mutex_init(&s.lock, NULL);
	if (o->cache_dir)
		s.cache = lg_cache_open(o->cache_dir, o->rules_digest, d);

	if (o->shard_n && deal_shards(&s, o->shard_k, o->shard_n) < 0) {
		free(s.units);
		pthread_mutex_destroy(&s.lock);
		lg_cache_close(s.cache);
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	}
	struct costed *sized = by_size(db);
	s.order = sized ? malloc(db->n * sizeof(*s.order) + 1) : NULL;
	for (size_t i = 0; s.order && i < db->n; i++)
		s.order[i] = sized[i].index;
	free(sized);
	lg_frontend_init_process();
	double t0 = wall_seconds();
	run_phase(&s, jobs, "parsing", parse_unit, true);
	/* the parsers' memory (libclang's trees, freed) goes back to the
	 * system before the summaries' threads, whose own malloc arenas
	 * cannot reuse it, raise the peak */
	lg_memory_give_back();
	double t1 = wall_seconds();

	/* Phase 2: every function of every unit, bottom up. */
	size_t n_fns = 0;
	for (size_t i = 0; i < db->n; i++)
		n_fns += s.units[i].n_fns;
	struct lg_fn **all = malloc((n_fns ? n_fns : 1) * sizeof(*all));
	const struct lg_summary_memo **memos = calloc(n_fns ? n_fns : 1, sizeof(*memos));
	lg_summaries_init(&summaries, o->rules);
	summaries.rules_digest = o->rules_digest;
	summaries.jobs = o->jobs < 1 ? 1 : o->jobs;
	summaries.digests = s.cache != NULL;
	if (!all || !memos) {
		ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	} else {
		size_t k = 0;
		for (size_t i = 0; i < db->n; i++)
			for (size_t j = 0; j < s.units[i].n_fns; j++) {
				const struct lg_cache_memo *m =
					lg_cache_memo(s.units[i].cached, s.units[i].fns[j]->id);
				memos[k] = m ? &m->summary : NULL;
				all[k++] = s.units[i].fns[j];
			}
		if (lg_summaries_compute(&summaries, all, n_fns, &o->budget, memos) < 0)
			ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	}
	free(all);
	free(memos);
	st.functions = n_fns;
	st.summaries_computed = summaries.computed;
	st.summaries_reused = summaries.reused;
	if (o->dump_summaries)
		lg_summaries_dump(&summaries, o->dump_summaries);

	s.summaries = &summaries;
	double t2 = wall_seconds();
	if (ret == 0 && (prepare_checks(&s) < 0 || check_functions(&s, summaries.jobs) < 0))
		ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	if (ret == 0)
		run_phase(&s, jobs, "checking", report_unit, false);
	st.parse_s = t1 - t0;
	st.summarise_s = t2 - t1;
	st.check_s = wall_seconds() - t2;

	for (size_t i = 0; i < db->n; i++) {
		struct unit *u = &s.units[i];
		if (u->failed)
			ret = -1;
		if (u->from_cache)
			st.units_cached++;
		else
			st.units_parsed++;
		st.functions_checked += u->checked;
		st.units_skipped += u->skipped;
		st.units_other_shards += u->other_shard;
		st.functions_reused += u->reused;
		for (size_t k = 0; u->leaks && k < u->n_fns; k++)
			lg_leaks_release(&u->leaks[k]);
		free(u->leaks);
		for (size_t k = 0; u->fn_diags && k < u->n_fns; k++)
			lg_diags_release(&u->fn_diags[k]);
		free(u->fn_diags);
		free(u->rc);
		lg_cache_entry_free(u->cached);
		if (o->dump_cfg && u->dump)
			fwrite(u->dump, 1, u->dump_len, o->dump_cfg);
		free(u->dump);
		for (size_t k = 0; k < u->n_fns; k++)
			lg_fn_free(u->fns[k]);
		free(u->fns);
		lg_tu_info_release(&u->info);
		lg_findings_move(out, &u->findings);
		lg_findings_release(&u->findings);
		lg_diags_move(d, &u->diags);
	}
	lg_summaries_release(&summaries);
	lg_cache_close(s.cache);
	pthread_mutex_destroy(&s.lock);
	free(s.units);
	free(s.order);
	if (stats)
		*stats = st;
	return ret;
}
