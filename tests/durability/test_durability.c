/*
 * test_durability.c - every file leakgate writes survives a kill, concurrent
 * runs, and a tree that plants links (README.md, "What leakgate writes, and
 * how").
 *
 * Each test runs the real leakgate binary (fork and exec, no shell,
 * standard input from /dev/null) in a fresh temporary directory holding a
 * generated project: FILES translation units of FNS functions each, every
 * function with two leaks of a pooled connection, so that a run lasts long
 * enough to be interrupted while it writes (a SARIF report of about
 * 900 kB, 24 cache entries).  The project has two states, A and B (B moves every line and
 * changes every leak), so that what a run writes differs from what an
 * earlier run left.
 *
 *   - durability__kill_at_random_points: the previous version of a file
 *     (the report of -o, the --write-baseline file, the cache, the --merge
 *     output) is put in place, a run is started and SIGKILLed after a random
 *     delay spread over a complete run's duration (measured as the kills go,
 *     half of them in the run's last third, where files are written), and
 *     the file must be byte for byte the previous version or the complete
 *     new one, never a part, never missing; then a normal run must succeed
 *     and write the new one.  The delays come from a PRNG whose seed is printed
 *     (LEAKGATE_TEST_SEED=N replays it); LEAKGATE_TEST_KILLS=N sets the kills
 *     per kind (default 7: 21 runs killed, each checked for the files it
 *     writes: the report and the cache, the baseline and the cache, the
 *     merged report).
 *   - durability__concurrent_runs_share_the_cache: 4 runs at once on one
 *     cache directory, twice: all find the same as a run without the cache,
 *     say nothing on standard error, and leave a cache the next run uses
 *     whole.
 *   - durability__*link*: a cache directory (or a part of its path, or its
 *     entries) that is a link to elsewhere, and report, baseline and merge
 *     paths that are links: nothing is written through them;
 *     ci/leakgate-ci refuses a leakgate-out that is a link, and a cache
 *     committed to the repository.
 *   - durability__stale_temporary_files_*: what killed runs leave does not
 *     disturb later runs, and is removed once an hour old.
 *   - durability__devices_*: /dev/null, /dev/stdout and a FIFO are written in
 *     place; /dev/null is still the null device afterwards.
 *
 * Usage: test_durability LEAKGATE_BINARY REPO_ROOT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

extern char **environ;

static const char *leakgate;   /* LEAKGATE_BINARY, absolute */
static const char *repo_root;  /* REPO_ROOT, absolute */
static char **child_env;       /* environ with LC_ALL=C and NO_COLOR=1 */
static uint64_t rng;           /* xorshift64* state */
static unsigned kills_per_kind = 7;

#define FILES 24
#define FNS 4

/* ---- small things ---------------------------------------------------------- */

static uint64_t rand64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

/* Uniform in [lo, hi). */
static double rand_between(double lo, double hi)
{
	return lo + (hi - lo) * (double)(rand64() >> 11) / 9007199254740992.0;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A file's bytes. */
struct bytes {
	char *p;
	size_t n;
};

static void bytes_release(struct bytes *b)
{
	free(b->p);
	*b = (struct bytes){ 0 };
}

/* The content of `path`; .p is NULL when it cannot be read. */
static struct bytes read_bytes(const char *path)
{
	struct bytes b = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return b;
	FILE *mem = open_memstream(&b.p, &b.n);
	assert_non_null(mem);
	char buf[65536];
	size_t r;
	while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, r, mem);
	fclose(f);
	fclose(mem);
	return b;
}

static bool bytes_equal(const struct bytes *a, const struct bytes *b)
{
	return a->p && b->p && a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

static void write_bytes(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The names in `dir` but . and .., sorted, each followed by a space. */
static char *listing(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			fprintf(mem, "%s ", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	fclose(mem);
	return buf;
}

/* ---- fixture: a temporary directory and the strings a test made ----------- */

#define MAX_STRS 512

struct fx {
	double started;   /* when setup ran, for the time each test takes */
	char *dir;
	char *strs[MAX_STRS];
	size_t n_strs;
};

static const char *fmt(struct fx *f, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static const char *fmt(struct fx *f, const char *format, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, format);
	assert_true(vasprintf(&s, format, ap) >= 0);
	va_end(ap);
	assert_true(f->n_strs < MAX_STRS);
	f->strs[f->n_strs++] = s;
	return s;
}

static const char *in(struct fx *f, const char *name)
{
	return fmt(f, "%s/%s", f->dir, name);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f || asprintf(&f->dir, "%s/leakgate-durability-XXXXXX",
			   tmp && *tmp ? tmp : "/tmp") < 0 || !mkdtemp(f->dir))
		return -1;
	f->started = now_seconds();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	print_message("durability: %.2f s\n", now_seconds() - f->started);
	remove_tree(f->dir);
	free(f->dir);
	for (size_t i = 0; i < f->n_strs; i++)
		free(f->strs[i]);
	free(f);
	return 0;
}

/* ---- running leakgate ------------------------------------------------------- */

struct run {
	int status;   /* exit status; 128 + N when killed by signal N */
	char *out, *err;
};

static void run_release(struct run *r)
{
	free(r->out);
	free(r->err);
	*r = (struct run){ 0 };
}

/* Starts argv in `cwd`: standard input from /dev/null, standard output and
 * error to the descriptors given (-1: /dev/null). */
static pid_t start(const char *cwd, const char *const *argv, int out, int err)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out >= 0 ? out : null, 1) < 0 ||
		    dup2(err >= 0 ? err : null, 2) < 0 || chdir(cwd) != 0)
			_exit(126);
		execve(argv[0], (char *const *)argv, child_env);
		_exit(127);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Appends what `fd` has to *b; false at its end. */
static bool drain(int fd, char **p, size_t *n, size_t *cap)
{
	if (*cap - *n < 65536) {
		*cap = *cap * 2 + 65536;
		*p = realloc(*p, *cap);
		assert_non_null(*p);
	}
	ssize_t r = read(fd, *p + *n, *cap - *n - 1);
	if (r < 0 && errno == EINTR)
		return true;
	assert_true(r >= 0);
	*n += (size_t)r;
	(*p)[*n] = '\0';
	return r > 0;
}

/* Runs argv in `cwd` to its end and collects both outputs. */
static void run_argv(const char *cwd, const char *const *argv, struct run *r)
{
	int op[2], ep[2];
	size_t on = 0, ocap = 0, en = 0, ecap = 0;

	run_release(r);
	assert_int_equal(pipe2(op, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ep, O_CLOEXEC), 0);
	pid_t pid = start(cwd, argv, op[1], ep[1]);
	close(op[1]);
	close(ep[1]);
	struct pollfd p[2] = { { op[0], POLLIN, 0 }, { ep[0], POLLIN, 0 } };
	for (int open_fds = 2; open_fds;) {
		if (poll(p, 2, -1) < 0) {
			assert_int_equal(errno, EINTR);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			bool more = i == 0 ? drain(p[i].fd, &r->out, &on, &ocap)
					   : drain(p[i].fd, &r->err, &en, &ecap);
			if (!more) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	r->status = wait_status(pid);
	if (!r->out)
		r->out = strdup("");
	if (!r->err)
		r->err = strdup("");
}

/* Nothing on standard error but notes (--merge tells what it merged). */
static void assert_no_problem(const struct run *r)
{
	assert_null(strstr(r->err, "error:"));
	assert_null(strstr(r->err, "warning:"));
}

#define MAX_ARGS 24

/* The argv of leakgate with `args` (NULL-terminated). */
static void lg_argv(const char **argv, const char *const *args)
{
	size_t n = 0;

	argv[n++] = leakgate;
	for (; args[n - 1]; n++) {
		assert_true(n < MAX_ARGS - 1);
		argv[n] = args[n - 1];
	}
	argv[n] = NULL;
}

static void run_lg(struct fx *f, struct run *r, const char *const *args)
{
	const char *argv[MAX_ARGS];

	lg_argv(argv, args);
	run_argv(f->dir, argv, r);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
/* LG(f, &run, args...): leakgate in the test's directory, to its end. */
#define LG(f, r, ...) run_lg((f), (r), ARGS(__VA_ARGS__))
/* The analysis options every run of the project uses. */
#define PROJECT "--no-config", "-r", "pool.yml", "-p", "."

/* ---- the project -------------------------------------------------------------- */

/* Writes state `s` (0: A, 1: B) of the project; B moves every line and
 * changes every leak's condition. */
static void write_project(struct fx *f, int s)
{
	write_text(in(f, "pool.yml"),
		   "version: 1\n"
		   "resources:\n"
		   "  - id: pool-connection\n"
		   "    kind: connection\n"
		   "    description: Connection taken from the pool\n"
		   "    acquire:\n"
		   "      - function: pool_acquire\n"
		   "        returns: handle\n"
		   "    release:\n"
		   "      - function: pool_release\n"
		   "        arg: 1\n");
	write_text(in(f, "pool.h"),
		   "struct pool;\n"
		   "struct conn;\n"
		   "struct conn *pool_acquire(struct pool *p);\n"
		   "void pool_release(struct pool *p, struct conn *c);\n"
		   "int db_query(struct conn *c, const char *sql);\n");
	FILE *db = fopen(in(f, "compile_commands.json"), "w");
	assert_non_null(db);
	fputs("[\n", db);
	for (int i = 0; i < FILES; i++) {
		FILE *c = fopen(fmt(f, "%s/unit%02d.c", f->dir, i), "w");
		assert_non_null(c);
		fprintf(c, "#include \"pool.h\"\n%s", s ? "/* state B */\n" : "");
		for (int k = 0; k < FNS; k++)
			fprintf(c,
				"int handler_%d_%d(struct pool *p, int x)\n"
				"{\n"
				"    struct conn *c = pool_acquire(p);\n"
				"    if (!c)\n"
				"        return -1;\n"
				"    if (x > %d && db_query(c, \"SELECT %d\") < 0)\n"
				"        return -2;\n"
				"    if (x == %d)\n"
				"        return -3;\n"
				"    pool_release(p, c);\n"
				"    return 0;\n"
				"}\n",
				i, k, k + s, k, k * 2 + s);
		assert_int_equal(fclose(c), 0);
		fprintf(db, "  {\"directory\": \"%s\", \"file\": \"unit%02d.c\", "
			"\"arguments\": [\"cc\", \"-c\", \"unit%02d.c\"]}%s\n",
			f->dir, i, i, i + 1 < FILES ? "," : "");
	}
	fputs("]\n", db);
	assert_int_equal(fclose(db), 0);
}

/* ---- a directory's entries, as bytes ------------------------------------------ */

#define MAX_ENTRIES 64

struct snapshot {
	size_t n;
	char *name[MAX_ENTRIES];
	struct bytes data[MAX_ENTRIES];
};

static bool is_tmp_name(const char *name)
{
	return strstr(name, ".tmp.") != NULL;
}

/* The regular files of `dir` but temporary ones. */
static void snapshot_take(struct snapshot *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	*s = (struct snapshot){ 0 };
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || is_tmp_name(e->d_name))
			continue;
		assert_true(s->n < MAX_ENTRIES);
		char *path;
		assert_true(asprintf(&path, "%s/%s", dir, e->d_name) > 0);
		s->name[s->n] = strdup(e->d_name);
		s->data[s->n] = read_bytes(path);
		assert_non_null(s->data[s->n].p);
		s->n++;
		free(path);
	}
	closedir(d);
}

static void snapshot_release(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->name[i]);
		bytes_release(&s->data[i]);
	}
	s->n = 0;
}

static const struct bytes *snapshot_get(const struct snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return &s->data[i];
	return NULL;
}

/* Makes `dir` hold exactly the entries of `s`. */
static void snapshot_restore(const struct snapshot *s, const char *dir)
{
	remove_tree(dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	for (size_t i = 0; i < s->n; i++) {
		char *path;
		assert_true(asprintf(&path, "%s/%s", dir, s->name[i]) > 0);
		write_bytes(path, s->data[i].p, s->data[i].n);
		free(path);
	}
}

/* How many temporary files `dir` holds. */
static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += is_tmp_name(e->d_name);
	closedir(d);
	return n;
}

/* ---- the kills ------------------------------------------------------------------ */

/* A delay at which to kill a run that takes `t` seconds: half of them
 * anywhere in the run, half in its last third, where the files are
 * written. */
static double kill_delay(double t)
{
	return rand64() & 1 ? rand_between(0, 1.1 * t) : rand_between(0.65 * t, 1.05 * t);
}

/* Starts leakgate with `args` and SIGKILLs it after `delay` seconds; true
 * when the kill came before it ended. */
static bool run_and_kill(struct fx *f, const char *const *args, double delay)
{
	const char *argv[MAX_ARGS];

	lg_argv(argv, args);
	pid_t pid = start(f->dir, argv, -1, -1);
	sleep_seconds(delay);
	kill(pid, SIGKILL);
	return wait_status(pid) == 128 + SIGKILL;
}

/* shard1.sarif and shard2.sarif of the project as it is, using the cache
 * `cache`, and their merge in merged.sarif (and *merged when not NULL). */
static void shards_and_merge(struct fx *f, const char *cache, struct bytes *merged)
{
	struct run r = { 0 };

	LG(f, &r, PROJECT, "--cache-dir", cache, "--shard", "1/2", "-f", "sarif", "-o",
	   "shard1.sarif");
	assert_int_equal(r.status, 1);
	LG(f, &r, PROJECT, "--cache-dir", cache, "--shard", "2/2", "-f", "sarif", "-o",
	   "shard2.sarif");
	assert_int_equal(r.status, 1);
	LG(f, &r, "--merge", "merged.sarif", "shard1.sarif", "shard2.sarif");
	assert_no_problem(&r);
	assert_int_equal(r.status, 1);
	if (merged) {
		*merged = read_bytes(in(f, "merged.sarif"));
		assert_non_null(merged->p);
	}
	run_release(&r);
}

/* Each file a run writes, in state A (the previous version: [0]) and B
 * (the new one: [1]); merged[0] is state A's report. */
struct versions {
	struct bytes report[2];    /* report.sarif */
	struct bytes baseline[2];  /* baseline.txt */
	struct bytes merged[2];    /* merged.sarif */
	struct snapshot cache[2];  /* a cache made from nothing */
};

/* Makes them, and leaves the project in state B with shard1.sarif and
 * shard2.sarif of B. */
static void make_versions(struct fx *f, struct versions *v)
{
	struct run r = { 0 };

	for (int s = 0; s < 2; s++) {
		write_project(f, s);
		remove_tree(in(f, "cold"));
		LG(f, &r, PROJECT, "--cache-dir", "cold", "-f", "sarif", "-o", "report.sarif");
		assert_string_equal(r.err, "");
		assert_int_equal(r.status, 1);
		v->report[s] = read_bytes(in(f, "report.sarif"));
		assert_non_null(v->report[s].p);
		snapshot_take(&v->cache[s], in(f, "cold"));
		assert_int_equal(v->cache[s].n, FILES);
		LG(f, &r, PROJECT, "--cache-dir", "cold", "--write-baseline", "baseline.txt");
		assert_int_equal(r.status, 0);
		v->baseline[s] = read_bytes(in(f, "baseline.txt"));
		assert_non_null(v->baseline[s].p);
	}
	/* what --merge replaces: state A's report (a SARIF log of the whole
	 * project, as a merge writes one) */
	v->merged[0] = (struct bytes){ malloc(v->report[0].n), v->report[0].n };
	assert_non_null(v->merged[0].p);
	memcpy(v->merged[0].p, v->report[0].p, v->report[0].n);
	shards_and_merge(f, "cold", &v->merged[1]);
	assert_false(bytes_equal(&v->report[0], &v->report[1]));
	assert_false(bytes_equal(&v->baseline[0], &v->baseline[1]));
	assert_false(bytes_equal(&v->merged[0], &v->merged[1]));
	run_release(&r);
}

static void versions_release(struct versions *v)
{
	for (int s = 0; s < 2; s++) {
		bytes_release(&v->report[s]);
		bytes_release(&v->baseline[s]);
		bytes_release(&v->merged[s]);
		snapshot_release(&v->cache[s]);
	}
}

/* What the kills of one kind of run saw. */
struct tally {
	unsigned runs, killed;     /* runs started; of them, killed before the end */
	unsigned file_old, file_new, file_tmp;  /* the target after a kill: the
					previous version, the new one; a
					temporary file left beside it */
	unsigned entries_old, entries_new, cache_tmp;  /* the same for cache entries */
};

/* After a kill: each entry of `cache` is its previous version or its new
 * one, none missing, none more. */
static void check_cache_after_kill(const char *cache, const struct versions *v,
				   struct tally *t)
{
	struct snapshot now;

	snapshot_take(&now, cache);
	assert_int_equal(now.n, v->cache[0].n);
	for (size_t k = 0; k < now.n; k++) {
		const struct bytes *old = snapshot_get(&v->cache[0], now.name[k]);
		const struct bytes *new = snapshot_get(&v->cache[1], now.name[k]);
		assert_non_null(old);
		assert_non_null(new);
		if (bytes_equal(&now.data[k], old))
			t->entries_old++;
		else if (bytes_equal(&now.data[k], new))
			t->entries_new++;
		else
			fail_msg("cache entry %s is neither its previous version nor its "
				 "new one after a kill", now.name[k]);
	}
	snapshot_release(&now);
	t->cache_tmp += count_tmp(cache) > 0;
}

/*
 * The kills of one kind of run: before each, `target` (a name in the
 * test's directory) holds `old` and, with `cache`, the cache directory
 * "cache" holds state A's entries.  A run of `args` is started and killed
 * after a random delay; then the target must be `old` or `new` exactly, and
 * every cache entry its old or its new version.  Then a run of `args` to its
 * end must exit with `status`, write `new`, leave the cache of state B, and
 * say nothing but notes.  The delays are spread over the duration of a
 * complete run, measured as the kills go.
 */
static void kill_kind(struct fx *f, const char *kind, const char *const *args,
		      const char *target, const struct bytes *old, const struct bytes *new,
		      int status, const struct versions *cache)
{
	const char *path = in(f, target), *cache_dir = in(f, "cache");
	struct tally t = { 0 };
	struct run r = { 0 };
	double total = 0;

	for (unsigned i = 0; i <= kills_per_kind; i++) {
		write_bytes(path, old->p, old->n);
		if (cache)
			snapshot_restore(&cache->cache[0], cache_dir);
		if (i > 0) {
			int tmp_before = count_tmp(f->dir);
			t.runs++;
			t.killed += run_and_kill(f, args, kill_delay(total / i));
			t.file_tmp += count_tmp(f->dir) > tmp_before;

			struct bytes now = read_bytes(path);
			assert_non_null(now.p); /* never missing */
			if (bytes_equal(&now, old))
				t.file_old++;
			else if (bytes_equal(&now, new))
				t.file_new++;
			else
				fail_msg("%s: kill %u left %s neither the previous version "
					 "(%zu bytes) nor the new one (%zu bytes) but %zu bytes",
					 kind, i, target, old->n, new->n, now.n);
			bytes_release(&now);
			if (cache)
				check_cache_after_kill(cache_dir, cache, &t);
		}

		/* a normal run (the first one only measures) */
		double t0 = now_seconds();
		run_lg(f, &r, args);
		total += now_seconds() - t0;
		assert_no_problem(&r);
		assert_int_equal(r.status, status);
		struct bytes now = read_bytes(path);
		assert_true(bytes_equal(&now, new));
		bytes_release(&now);
		if (cache) {
			struct snapshot c;
			snapshot_take(&c, cache_dir);
			assert_int_equal(c.n, cache->cache[1].n);
			for (size_t k = 0; k < c.n; k++)
				assert_true(bytes_equal(&c.data[k],
							snapshot_get(&cache->cache[1], c.name[k])));
			snapshot_release(&c);
		}
	}
	print_message("durability: %s: a run takes %.3f s; %u kills (%u before the run "
		      "ended): %s was the previous version %u times, the new one %u times, "
		      "killed while being written %u times",
		      kind, total / (kills_per_kind + 1), t.runs, t.killed, target,
		      t.file_old, t.file_new, t.file_tmp);
	if (cache)
		print_message("; cache entries: %u as they were, %u rewritten whole, "
			      "killed while being written %u times",
			      t.entries_old, t.entries_new, t.cache_tmp);
	print_message("\n");
	run_release(&r);
}

/* The report of -o, the baseline, the cache and the merged report, each
 * killed at random points of the runs that write it. */
static void durability__kill_at_random_points(void **state)
{
	struct fx *f = *state;
	struct versions v = { 0 };

	make_versions(f, &v);
	kill_kind(f, "report (-o) and cache",
		  ARGS(PROJECT, "--cache-dir", "cache", "-f", "sarif", "-o", "report.sarif"),
		  "report.sarif", &v.report[0], &v.report[1], 1, &v);
	kill_kind(f, "baseline (--write-baseline) and cache",
		  ARGS(PROJECT, "--cache-dir", "cache", "--write-baseline", "baseline.txt"),
		  "baseline.txt", &v.baseline[0], &v.baseline[1], 0, &v);
	kill_kind(f, "merge (--merge)",
		  ARGS("--merge", "merged.sarif", "shard1.sarif", "shard2.sarif"),
		  "merged.sarif", &v.merged[0], &v.merged[1], 1, NULL);
	versions_release(&v);
}

/* ---- concurrent runs ---------------------------------------------------------- */

/* 4 runs at once on one cache directory, twice: the same findings as
 * without the cache, nothing on standard error; then one more run takes
 * every unit from the cache. */
static void durability__concurrent_runs_share_the_cache(void **state)
{
	struct fx *f = *state;
	struct run r = { 0 };
	enum { N = 4 };

	write_project(f, 1);
	LG(f, &r, PROJECT, "--no-cache");
	assert_int_equal(r.status, 1);
	char *expected = strdup(r.out);

	for (int round = 0; round < 2; round++) {
		pid_t pid[N];
		const char *argv[MAX_ARGS];
		lg_argv(argv, ARGS(PROJECT, "--cache-dir", "shared", "-j", "1"));
		for (int i = 0; i < N; i++) {
			int out = open(fmt(f, "%s/out%d.txt", f->dir, i),
				       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			int err = open(fmt(f, "%s/err%d.txt", f->dir, i),
				       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			assert_true(out >= 0 && err >= 0);
			pid[i] = start(f->dir, argv, out, err);
			close(out);
			close(err);
		}
		for (int i = 0; i < N; i++) {
			assert_int_equal(wait_status(pid[i]), 1);
			struct bytes out = read_bytes(fmt(f, "%s/out%d.txt", f->dir, i));
			struct bytes err = read_bytes(fmt(f, "%s/err%d.txt", f->dir, i));
			assert_int_equal(err.n, 0);
			assert_int_equal(out.n, strlen(expected));
			assert_memory_equal(out.p, expected, out.n);
			bytes_release(&out);
			bytes_release(&err);
		}
		char *names = listing(in(f, "shared"));
		assert_null(strstr(names, ".tmp."));
		free(names);
	}

	LG(f, &r, PROJECT, "--cache-dir", "shared", "--stats");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, expected);
	assert_non_null(strstr(r.err, fmt(f, "%d files (0 parsed, %d from the cache)",
					  FILES, FILES)));
	free(expected);
	run_release(&r);
}

/* ---- links planted in the tree ------------------------------------------------ */

/* `dir` holds nothing. */
static void assert_empty_dir(const char *dir)
{
	char *names = listing(dir);
	assert_string_equal(names, "");
	free(names);
}

/* .cache/leakgate, or .cache, a link to a directory elsewhere: leakgate
 * warns, runs without a cache, and writes nothing there. */
static void durability__cache_dir_that_is_a_link_is_not_used(void **state)
{
	struct fx *f = *state;
	struct run r = { 0 };
	const char *outside = in(f, "outside");

	write_project(f, 1);
	LG(f, &r, PROJECT, "--no-cache");
	char *expected = strdup(r.out);
	assert_int_equal(mkdir(outside, 0755), 0);

	assert_int_equal(mkdir(in(f, ".cache"), 0755), 0);
	assert_int_equal(symlink(outside, in(f, ".cache/leakgate")), 0);
	LG(f, &r, PROJECT);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, expected);
	assert_string_equal(r.err,
		".cache/leakgate: warning: cannot use the cache directory: '.cache/leakgate' "
		"is a symbolic link, which leakgate does not follow there; running without "
		"a cache\n");
	assert_empty_dir(outside);

	/* a part of the path, given absolute but inside the tree */
	assert_int_equal(unlink(in(f, ".cache/leakgate")), 0);
	assert_int_equal(rmdir(in(f, ".cache")), 0);
	assert_int_equal(symlink(outside, in(f, ".cache")), 0);
	const char *abs = in(f, ".cache/leakgate");
	LG(f, &r, PROJECT, "--cache-dir", abs);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, expected);
	assert_string_equal(r.err,
		fmt(f, "%s: warning: cannot use the cache directory: '%s/.cache' is a "
		    "symbolic link, which leakgate does not follow there; running without "
		    "a cache\n", abs, f->dir));
	assert_empty_dir(outside);
	free(expected);
	run_release(&r);
}

/* Cache entries that are links (or a FIFO) are neither read nor written
 * through: they are replaced by real entries. */
static void durability__cache_entries_that_are_links_are_replaced(void **state)
{
	struct fx *f = *state;
	struct run r = { 0 };
	const char *cache = in(f, "cache");
	struct snapshot good;

	write_project(f, 1);
	LG(f, &r, PROJECT, "--no-cache");
	char *expected = strdup(r.out);
	LG(f, &r, PROJECT, "--cache-dir", "cache");
	snapshot_take(&good, cache);
	assert_int_equal(good.n, FILES);
	assert_int_equal(mkdir(in(f, "outside"), 0755), 0);
	for (size_t i = 0; i < good.n; i++) {
		const char *entry = fmt(f, "%s/%s", cache, good.name[i]);
		assert_int_equal(unlink(entry), 0);
		if (i == 0) {
			assert_int_equal(mkfifo(entry, 0644), 0);
			continue;
		}
		const char *victim = fmt(f, "%s/outside/victim%zu", f->dir, i);
		/* a victim that looks like the entry: were it read, it would
		 * be trusted */
		write_bytes(victim, good.data[i].p, good.data[i].n);
		assert_int_equal(symlink(victim, entry), 0);
	}
	LG(f, &r, PROJECT, "--cache-dir", "cache", "--stats");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, expected);
	/* every unit parsed again: no entry was taken */
	assert_non_null(strstr(r.err, fmt(f, "%d files (%d parsed, 0 from the cache)",
					  FILES, FILES)));
	for (size_t i = 0; i < good.n; i++) {
		struct stat st;
		assert_int_equal(lstat(fmt(f, "%s/%s", cache, good.name[i]), &st), 0);
		assert_true(S_ISREG(st.st_mode));
		if (i == 0)
			continue;
		struct bytes victim = read_bytes(fmt(f, "%s/outside/victim%zu", f->dir, i));
		assert_true(bytes_equal(&victim, &good.data[i]));
		bytes_release(&victim);
	}
	snapshot_release(&good);
	free(expected);
	run_release(&r);
}

/* A link at -o, -f FMT:FILE, --write-baseline or --merge's OUT is replaced
 * by the file; what it points to is untouched. */
static void durability__output_paths_that_are_links_are_replaced(void **state)
{
	struct fx *f = *state;
	struct run r = { 0 };
	static const char *const names[] = { "report.sarif", "report.json", "baseline.txt",
					     "merged.sarif" };

	write_project(f, 1);
	struct bytes want[4];
	LG(f, &r, PROJECT, "--cache-dir", "cache", "-f", "sarif", "-o", "ref.sarif", "-f",
	   "json:ref.json");
	want[0] = read_bytes(in(f, "ref.sarif"));
	want[1] = read_bytes(in(f, "ref.json"));
	LG(f, &r, PROJECT, "--cache-dir", "cache", "--write-baseline", "ref.txt");
	want[2] = read_bytes(in(f, "ref.txt"));
	LG(f, &r, "--merge", "ref-merged.sarif", "ref.sarif");
	want[3] = read_bytes(in(f, "ref-merged.sarif"));

	assert_int_equal(mkdir(in(f, "outside"), 0755), 0);
	for (int i = 0; i < 4; i++) {
		const char *victim = fmt(f, "%s/outside/%s", f->dir, names[i]);
		write_text(victim, "precious\n");
		unlink(in(f, names[i]));
		assert_int_equal(symlink(victim, in(f, names[i])), 0);
	}
	/* a dangling link too */
	assert_int_equal(symlink(fmt(f, "%s/outside/nothing", f->dir), in(f, "dangling.txt")), 0);

	LG(f, &r, PROJECT, "--cache-dir", "cache", "-f", "sarif", "-o", "report.sarif",
	   "-f", "json:report.json", "-f", "text:dangling.txt");
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 1);
	LG(f, &r, PROJECT, "--cache-dir", "cache", "--write-baseline", "baseline.txt");
	assert_int_equal(r.status, 0);
	LG(f, &r, "--merge", "merged.sarif", "ref.sarif");
	assert_no_problem(&r);
	assert_int_equal(r.status, 1);

	for (int i = 0; i < 4; i++) {
		struct stat st;
		assert_int_equal(lstat(in(f, names[i]), &st), 0);
		assert_true(S_ISREG(st.st_mode));
		struct bytes got = read_bytes(in(f, names[i]));
		assert_true(bytes_equal(&got, &want[i]));
		bytes_release(&got);
		bytes_release(&want[i]);
		struct bytes victim = read_bytes(fmt(f, "%s/outside/%s", f->dir, names[i]));
		assert_int_equal(victim.n, 9);
		assert_memory_equal(victim.p, "precious\n", 9);
		bytes_release(&victim);
	}
	char *names_out = listing(in(f, "outside"));
	assert_string_equal(names_out,
			    "baseline.txt merged.sarif report.json report.sarif ");
	free(names_out);
	run_release(&r);
}

/* ci/leakgate-ci does not write its reports through a leakgate-out that
 * the change made a link, and does not use a cache the change committed. */
static void durability__ci_refuses_what_the_tree_planted(void **state)
{
	struct fx *f = *state;
	struct run r = { 0 };
	const char *script = fmt(f, "%s/ci/leakgate-ci", repo_root);

	write_project(f, 1);
	assert_int_equal(mkdir(in(f, "outside"), 0755), 0);
	assert_int_equal(symlink(in(f, "outside"), in(f, "leakgate-out")), 0);
	const char *git_init[] = { "/usr/bin/env", "git", "init", "-q", NULL };
	const char *git_commit[] = { "/usr/bin/env", "git", "-c", "user.name=t",
				     "-c", "user.email=t@example.com", "-c",
				     "commit.gpgsign=false", "commit", "-q",
				     "--allow-empty", "-m", "base", NULL };
	run_argv(f->dir, git_init, &r);
	if (r.status != 0) {
		run_release(&r);
		skip();
	}
	run_argv(f->dir, git_commit, &r);
	assert_int_equal(r.status, 0);
	char *env_lg;
	assert_true(asprintf(&env_lg, "LEAKGATE=%s", leakgate) > 0);
	/* as outside any CI: nothing posted, no job summary written */
	const char *argv[] = { "/usr/bin/env", "-u", "GITHUB_ACTIONS", "-u", "GITLAB_CI",
			       "-u", "GITHUB_TOKEN", "-u", "GITHUB_STEP_SUMMARY", env_lg,
			       "bash", script, "--base", "HEAD", NULL };
	run_argv(f->dir, argv, &r);
	assert_string_equal(r.err, "leakgate-ci: error: 'leakgate-out' is a symbolic link: "
				   "not writing the reports through it\n");
	assert_int_equal(r.status, 2);
	assert_empty_dir(in(f, "outside"));

	/* a cache committed to the repository is not believed */
	assert_int_equal(unlink(in(f, "leakgate-out")), 0);
	assert_int_equal(mkdir(in(f, ".cache"), 0755), 0);
	assert_int_equal(mkdir(in(f, ".cache/leakgate"), 0755), 0);
	write_text(in(f, ".cache/leakgate/planted.json"), "{}\n");
	const char *git_add[] = { "/usr/bin/env", "git", "add", "-f", ".cache", NULL };
	run_argv(f->dir, git_add, &r);
	assert_int_equal(r.status, 0);
	run_argv(f->dir, git_commit, &r);
	assert_int_equal(r.status, 0);
	run_argv(f->dir, argv, &r);
	assert_string_equal(r.err, "leakgate-ci: warning: .cache/leakgate is committed to the "
				   "repository: running without the cache\n"
				   "leakgate-ci: no new leak\n");
	assert_int_equal(r.status, 0);
	free(env_lg);
	run_release(&r);
}

/* ---- what killed runs leave ------------------------------------------------------ */

/* Temporary files of killed runs (cache entries and reports) are ignored;
 * once an hour old they are removed. */
static void durability__stale_temporary_files_are_ignored_then_removed(void **state)
{
	struct fx *f = *state;
	struct run r = { 0 };

	write_project(f, 1);
	LG(f, &r, PROJECT, "--cache-dir", "cache", "-o", "ref.txt");
	struct bytes want = read_bytes(in(f, "ref.txt"));
	LG(f, &r, PROJECT, "--cache-dir", "cache");
	char *entries = listing(in(f, "cache"));
	char *first = strndup(entries, strcspn(entries, " "));

	/* the leftovers: a half entry and a half report, old and new */
	const char *old_entry = fmt(f, "%s/cache/%s.tmp.AbC123", f->dir, first);
	const char *new_entry = fmt(f, "%s/cache/%s.tmp.XyZ789", f->dir, first);
	const char *old_report = in(f, "report.txt.tmp.Old001");
	const char *new_report = in(f, "report.txt.tmp.New001");
	const char *const leftovers[] = { old_entry, new_entry, old_report, new_report };
	for (int i = 0; i < 4; i++)
		write_text(leftovers[i], "{\"format\": \"leakgate-cache/2\", \"vers");
	struct timespec two_hours_ago[2] = { { time(NULL) - 7200, 0 }, { time(NULL) - 7200, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, old_entry, two_hours_ago, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, old_report, two_hours_ago, 0), 0);

	LG(f, &r, PROJECT, "--cache-dir", "cache", "--stats", "-o", "report.txt");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, fmt(f, "(0 parsed, %d from the cache)", FILES)));
	struct bytes got = read_bytes(in(f, "report.txt"));
	assert_true(bytes_equal(&got, &want));
	assert_int_equal(access(old_entry, F_OK), -1);
	assert_int_equal(access(old_report, F_OK), -1);
	assert_int_equal(access(new_entry, F_OK), 0);
	assert_int_equal(access(new_report, F_OK), 0);

	bytes_release(&got);
	bytes_release(&want);
	free(entries);
	free(first);
	run_release(&r);
}

/* ---- devices ------------------------------------------------------------------------ */

static void assert_dev_null_is_the_null_device(void)
{
	struct stat st;
	assert_int_equal(lstat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 1);
	assert_int_equal(minor(st.st_rdev), 3);
}

/* /dev/null and /dev/stdout as any output, and a FIFO, are written where
 * they are; /dev/null stays the null device. */
static void durability__devices_are_written_in_place(void **state)
{
	struct fx *f = *state;
	struct run r = { 0 };

	write_project(f, 1);
	LG(f, &r, PROJECT, "--cache-dir", "cache", "-f", "sarif:ref.sarif", "-f",
	   "json:/dev/null", "-f", "text:/dev/null");
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, "");
	assert_int_equal(r.status, 1);
	assert_dev_null_is_the_null_device();
	struct bytes want = read_bytes(in(f, "ref.sarif"));
	assert_non_null(want.p);
	LG(f, &r, PROJECT, "--cache-dir", "cache", "--write-baseline", "/dev/null");
	assert_int_equal(r.status, 0);
	assert_dev_null_is_the_null_device();
	LG(f, &r, "--merge", "/dev/null", "ref.sarif");
	assert_no_problem(&r);
	assert_int_equal(r.status, 1);
	assert_dev_null_is_the_null_device();

	LG(f, &r, PROJECT, "--cache-dir", "cache", "-f", "sarif", "-o", "/dev/stdout");
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 1);
	assert_int_equal(strlen(r.out), want.n);
	assert_memory_equal(r.out, want.p, want.n);
	LG(f, &r, PROJECT, "--cache-dir", "cache", "--write-baseline", "/dev/stdout");
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "# leakgate baseline", 19) == 0);

	/* a FIFO: a reader copies what comes into a file */
	const char *fifo = in(f, "report.fifo"), *copy = in(f, "copy.sarif");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	pid_t reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		struct bytes b = read_bytes(fifo);
		FILE *o = fopen(copy, "wb");
		_exit(o && b.p && fwrite(b.p, 1, b.n, o) == b.n && fclose(o) == 0 ? 0 : 1);
	}
	LG(f, &r, PROJECT, "--cache-dir", "cache", "-f", "sarif", "-o", "report.fifo");
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 1);
	assert_int_equal(wait_status(reader), 0);
	struct bytes got = read_bytes(copy);
	assert_true(bytes_equal(&got, &want));
	struct stat st;
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_dev_null_is_the_null_device();

	bytes_release(&got);
	bytes_release(&want);
	run_release(&r);
}

/* ---- main ------------------------------------------------------------------------------ */

static char **make_env(void)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) && strncmp(environ[i], "NO_COLOR=", 9))
			env[k++] = environ[i];
	env[k++] = "LC_ALL=C";
	env[k++] = "NO_COLOR=1";
	return env;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s LEAKGATE_BINARY REPO_ROOT\n", argv[0]);
		return 2;
	}
	leakgate = realpath(argv[1], NULL);
	repo_root = realpath(argv[2], NULL);
	child_env = make_env();
	if (!leakgate || !repo_root || !child_env) {
		fprintf(stderr, "%s: cannot find %s or %s\n", argv[0], argv[1], argv[2]);
		return 2;
	}
	const char *seed = getenv("LEAKGATE_TEST_SEED");
	const char *kills = getenv("LEAKGATE_TEST_KILLS");
	rng = seed && *seed ? strtoull(seed, NULL, 10)
			    : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	if (!rng)
		rng = 1;
	printf("durability: seed %llu (LEAKGATE_TEST_SEED=%llu replays it)\n",
	       (unsigned long long)rng, (unsigned long long)rng);
	fflush(stdout);
	if (kills && atoi(kills) > 0)
		kills_per_kind = (unsigned)atoi(kills);

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(durability__kill_at_random_points),
		T(durability__concurrent_runs_share_the_cache),
		T(durability__cache_dir_that_is_a_link_is_not_used),
		T(durability__cache_entries_that_are_links_are_replaced),
		T(durability__output_paths_that_are_links_are_replaced),
		T(durability__ci_refuses_what_the_tree_planted),
		T(durability__stale_temporary_files_are_ignored_then_removed),
		T(durability__devices_are_written_in_place),
	};
#undef T
	int failed = cmocka_run_group_tests_name("durability", tests, NULL, NULL);
	struct stat st;
	if (lstat("/dev/null", &st) != 0 || !S_ISCHR(st.st_mode)) {
		fprintf(stderr, "durability: /dev/null is no longer a character device\n");
		failed++;
	}
	free(child_env);
	return failed;
}
