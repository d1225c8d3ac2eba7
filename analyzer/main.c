/*
 * main.c - the leakgate command line.
 *
 * Parses options, loads the rules, gathers the compile commands, runs the
 * driver, sorts the findings, renders them in the chosen format and turns
 * the outcome into the exit status: 0 no findings, 1 findings, 2 error.
 * It is the only place that prints diagnostics or exits.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compdb.h"
#include "diag.h"
#include "driver.h"
#include "config.h"
#include "finding.h"
#include "gate.h"
#include "hash.h"
#include "memory.h"
#include "merge.h"
#include "output.h"
#include "rules.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };

static const char usage[] =
"usage: leakgate [OPTIONS] [FILE...] [-- COMPILER_ARGS...]\n"
"\n"
"Finds the paths on which a C function leaves a resource (a database\n"
"connection, a query result, a file, a lock) held when it ends.\n"
"\n"
"Input:\n"
"  -p, --build-path DIR    read DIR/compile_commands.json; analyse every entry,\n"
"                          or only the FILEs named\n"
"  -r, --rules PATH|NAME   a rule file, a directory of rule files, or a built-in\n"
"                          pack's name; repeatable; default: every built-in pack\n"
"      --config FILE       the project configuration (default: the nearest\n"
"                          .leakgate.yml from here upwards)\n"
"      --no-config         read no .leakgate.yml\n"
"      --staged            read the files staged in git (the index), not the\n"
"                          working tree, and report only findings in them\n"
"      --allow-outside DIR accept compile database entries for files under\n"
"                          DIR, outside the project (the git work tree holding\n"
"                          the current directory); repeatable\n"
"Output:\n"
"  -f, --format text|sarif|json|github|gitlab|rdjson|markdown[:FILE]\n"
"                          output format; repeatable; with :FILE written there\n"
"                          (default: text on standard output)\n"
"  -o, --output FILE       write the (first) format to FILE\n"
"      --color WHEN        auto (default: on terminals), always, never\n"
"      --max-annotations N github: error annotations written (default: 10)\n"
"The gate:\n"
"      --baseline FILE     drop the findings recorded in FILE\n"
"      --write-baseline FILE  record the current findings in FILE and exit\n"
"      --diff-base REF     keep the findings whose path touches a line changed\n"
"                          since the merge base of REF and HEAD\n"
"      --diff FILE         the same, from a unified diff ('-': standard input)\n"
"      --exclude GLOB      never report findings in matching files; repeatable\n"
"      --report-unused-suppressions  warn about leakgate-ignore comments that\n"
"                          suppress nothing\n"
"Sharding (one CI job per shard, then one merge):\n"
"      --shard K/N         check only the K-th of N shares of the files, dealt\n"
"                          out by size (every file is still summarised)\n"
"      --merge OUT IN...   join the shards' SARIF reports IN into OUT and exit\n"
"                          with the verdict of the whole: 0, 1 or 2\n"
"Analysis:\n"
"  -j, --jobs N            translation units analysed in parallel\n"
"                          (default: number of CPUs)\n"
"      --cache-dir DIR     keep what each run learnt in DIR (default:\n"
"                          .cache/leakgate); a file none of whose inputs changed\n"
"                          is not parsed again\n"
"      --no-cache          neither read nor write the cache\n"
"      --max-states N      per-function budget: distinct states at one point\n"
"                          (default: 512)\n"
"      --max-steps N       per-function budget: analysis steps (default: 2000000)\n"
"      --max-seconds N     per-file budget: seconds to parse and analyse one\n"
"                          file, fractions allowed (default: 120; 0: no limit)\n"
"      --allow-over-budget a function or file over its budget is a warning,\n"
"                          not an error (its unexplored paths are not checked)\n"
"Information:\n"
"      --list-rules        print the resources the loaded rules define, and exit\n"
"      --stats             print what was parsed, computed and reused\n"
"      --progress          show a progress line (files done / total, the file,\n"
"                          the time so far) on standard error; default: on a\n"
"                          terminal outside CI; --no-progress: never\n"
"      --dump-summaries    print what each function does to resources, as its\n"
"                          callers see it\n"
"      --dump-cfg          print each function's control-flow graph (developers)\n"
"      --version           print the version and exit\n"
"      --help              print this help and exit\n"
"\n"
"Without FILEs and without -p, ./compile_commands.json is used when present.\n"
"Arguments after -- are compiler flags for the FILEs named (e.g. -Iinclude).\n"
"\n"
"Exit status: 0 no findings; 1 findings; 2 error (bad usage, invalid rule\n"
"file or configuration, unreadable input, a file that does not parse, a\n"
"compile database that cannot be read, a function or file over its budget\n"
"unless --allow-over-budget).\n";

struct out_spec {
	enum lg_format format;
	const char *file;    /* NULL: standard output */
};

struct options {
	const char *build_path;
	const char **rules;
	int n_rules;
	struct out_spec *outs;
	int n_outs;
	const char *output;
	const char *config;
	bool no_config;
	bool staged;
	const char **allow_outside;  /* --allow-outside DIRs */
	int n_allow_outside;
	unsigned max_annotations;
	const char *baseline;
	const char *write_baseline;
	const char *diff_base;
	const char *diff_file;
	const char **excludes;
	int n_excludes;
	bool report_unused;
	int jobs;
	bool list_rules;
	bool dump_cfg;
	bool dump_summaries;
	bool stats;
	int progress;            /* -1 auto (a terminal, not CI), 0, 1 */
	unsigned shard_k, shard_n;  /* --shard K/N; 0/0: none */
	char shard[32];             /* "K/N" */
	const char *merge;          /* --merge OUT */
	const char *cache_dir;      /* NULL: no cache */
	int color;           /* -1 auto, 0 never, 1 always */
	struct lg_budget budget;
	char **files;
	int n_files;
	char **cc_args;      /* after -- */
	int n_cc_args;
	bool have_dashdash;
};

/* One line: what was wrong, and where to look. */
static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "leakgate: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see 'leakgate --help'\n");
	return EXIT_ERROR;
}

static bool parse_count(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Where the built-in packs are: $LEAKGATE_RULES_DIR, then next to the
 * installed binary (BIN/../share/leakgate/rules), then the source tree. */
static char *builtin_rules_dir(void)
{
	const char *env = getenv("LEAKGATE_RULES_DIR");
	struct stat st;
	if (env && *env)
		return strdup(env);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char *p = NULL;
			if (asprintf(&p, "%s/../%s", exe, LEAKGATE_INSTALL_RULES_SUBDIR) >= 0) {
				char *real = realpath(p, NULL);
				free(p);
				if (real && stat(real, &st) == 0 && S_ISDIR(st.st_mode))
					return real;
				free(real);
			}
		}
	}
	return strdup(LEAKGATE_SOURCE_RULES_DIR);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_LIST = 256, OPT_VERSION, OPT_HELP, OPT_COLOR, OPT_MAX_STATES,
	       OPT_MAX_STEPS, OPT_DUMP_CFG, OPT_DUMP_SUMMARIES, OPT_CACHE_DIR,
	       OPT_NO_CACHE, OPT_STATS, OPT_CONFIG, OPT_NO_CONFIG, OPT_STAGED,
	       OPT_ALLOW_OUTSIDE,
	       OPT_MAX_ANN, OPT_BASELINE, OPT_WRITE_BASELINE, OPT_DIFF_BASE,
	       OPT_DIFF, OPT_EXCLUDE, OPT_UNUSED, OPT_PROGRESS, OPT_NO_PROGRESS,
	       OPT_SHARD, OPT_MERGE, OPT_MAX_SECONDS, OPT_ALLOW_OVER };
	static const struct option longopts[] = {
		{ "build-path", required_argument, NULL, 'p' },
		{ "rules", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "list-rules", no_argument, NULL, OPT_LIST },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "max-states", required_argument, NULL, OPT_MAX_STATES },
		{ "max-steps", required_argument, NULL, OPT_MAX_STEPS },
		{ "max-seconds", required_argument, NULL, OPT_MAX_SECONDS },
		{ "allow-over-budget", no_argument, NULL, OPT_ALLOW_OVER },
		{ "dump-cfg", no_argument, NULL, OPT_DUMP_CFG },
		{ "dump-summaries", no_argument, NULL, OPT_DUMP_SUMMARIES },
		{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "staged", no_argument, NULL, OPT_STAGED },
		{ "allow-outside", required_argument, NULL, OPT_ALLOW_OUTSIDE },
		{ "max-annotations", required_argument, NULL, OPT_MAX_ANN },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
		{ "diff-base", required_argument, NULL, OPT_DIFF_BASE },
		{ "diff", required_argument, NULL, OPT_DIFF },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "report-unused-suppressions", no_argument, NULL, OPT_UNUSED },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "merge", required_argument, NULL, OPT_MERGE },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	/* Everything after "--" is for the compiler: hide it from getopt. */
	int end = argc;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			o->have_dashdash = true;
			o->cc_args = argv + i + 1;
			o->n_cc_args = argc - i - 1;
			break;
		}

	opterr = 0;
	while ((c = getopt_long(end, argv, ":p:r:f:o:j:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->build_path = optarg;
			break;
		case 'r':
			o->rules[o->n_rules++] = optarg;
			break;
		case 'f': {
			char *colon = strchr(optarg, ':');
			if (colon)
				*colon = '\0';
			enum lg_format fmt;
			if (lg_format_parse(optarg, &fmt) < 0)
				return usage_error("unknown format '%s' (expected text, sarif, json, "
						   "github, gitlab, rdjson or markdown)", optarg);
			if (colon && !colon[1])
				return usage_error("format '%s:' names no file", optarg);
			o->outs[o->n_outs++] = (struct out_spec){ fmt, colon ? colon + 1 : NULL };
			break;
		}
		case 'o':
			o->output = optarg;
			break;
		case 'j':
			if (!parse_count(optarg, 1, 1024, &v))
				return usage_error("--jobs expects a number from 1 to 1024, got '%s'", optarg);
			o->jobs = (int)v;
			break;
		case OPT_LIST:
			o->list_rules = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else
				return usage_error("--color expects auto, always or never, got '%s'", optarg);
			break;
		case OPT_MAX_STATES:
			if (!parse_count(optarg, 1, 1000000, &v))
				return usage_error("--max-states expects a number from 1 to 1000000, got '%s'", optarg);
			o->budget.max_states_per_block = (uint32_t)v;
			break;
		case OPT_MAX_STEPS:
			if (!parse_count(optarg, 1, LONG_MAX, &v))
				return usage_error("--max-steps expects a positive number, got '%s'", optarg);
			o->budget.max_steps = (uint64_t)v;
			break;
		case OPT_MAX_SECONDS: {
			char *end = NULL;
			errno = 0;
			double secs = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(secs >= 0 && secs <= 1000000))
				return usage_error("--max-seconds expects a number of seconds from 0 to 1000000, got '%s'", optarg);
			o->budget.max_seconds = secs;
			break;
		}
		case OPT_ALLOW_OVER:
			o->budget.warn = true;
			break;
		case OPT_DUMP_CFG:
			o->dump_cfg = true;
			break;
		case OPT_DUMP_SUMMARIES:
			o->dump_summaries = true;
			break;
		case OPT_CACHE_DIR:
			o->cache_dir = optarg;
			break;
		case OPT_NO_CACHE:
			o->cache_dir = NULL;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_NO_CONFIG:
			o->no_config = true;
			break;
		case OPT_STAGED:
			o->staged = true;
			break;
		case OPT_ALLOW_OUTSIDE: {
			const char **v = realloc(o->allow_outside,
						 (size_t)(o->n_allow_outside + 1) * sizeof(*v));
			if (!v)
				return EXIT_ERROR;
			o->allow_outside = v;
			v[o->n_allow_outside++] = optarg;
			break;
		}
		case OPT_MAX_ANN:
			if (!parse_count(optarg, 1, 100000, &v))
				return usage_error("--max-annotations expects a number from 1 to 100000, got '%s'", optarg);
			o->max_annotations = (unsigned)v;
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_WRITE_BASELINE:
			o->write_baseline = optarg;
			break;
		case OPT_DIFF_BASE:
			o->diff_base = optarg;
			break;
		case OPT_DIFF:
			o->diff_file = optarg;
			break;
		case OPT_EXCLUDE:
			o->excludes[o->n_excludes++] = optarg;
			break;
		case OPT_UNUSED:
			o->report_unused = true;
			break;
		case OPT_PROGRESS:
			o->progress = 1;
			break;
		case OPT_NO_PROGRESS:
			o->progress = 0;
			break;
		case OPT_SHARD: {
			char *slash = strchr(optarg, '/');
			long k = 0, n = 0;
			if (slash && strlen(optarg) < sizeof(o->shard)) {
				*slash = '\0';
				bool ok = parse_count(optarg, 1, 10000, &k) &&
					  parse_count(slash + 1, 1, 10000, &n) && k <= n;
				*slash = '/';
				if (!ok)
					k = 0;
			}
			if (!k)
				return usage_error("--shard expects K/N with 1 <= K <= N <= 10000 "
						   "(e.g. 2/4), got '%s'", optarg);
			o->shard_k = (unsigned)k;
			o->shard_n = (unsigned)n;
			snprintf(o->shard, sizeof(o->shard), "%ld/%ld", k, n);
			break;
		}
		case OPT_MERGE:
			o->merge = optarg;
			break;
		case OPT_VERSION:
			printf("leakgate %s\n", LEAKGATE_VERSION);
			return -1;
		case OPT_HELP:
			fputs(usage, stdout);
			return -1;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	o->files = argv + optind;
	o->n_files = end - optind;
	if (o->diff_base && o->diff_file)
		return usage_error("%s", "--diff-base and --diff are two ways of saying the same: give one");
	int to_stdout = 0;
	for (int i = 0; i < o->n_outs; i++)
		to_stdout += !o->outs[i].file;
	if (o->output && o->n_outs && !o->outs[0].file)
		o->outs[0].file = o->output, to_stdout--;
	if (to_stdout > 1)
		return usage_error("%s", "only one format can go to standard output; give the others a file (-f sarif:out.sarif)");
	return 0;
}

static int gather_from(const struct options *o, const char *dbdir,
		       struct lg_compdb *db, struct lg_diags *d);

/* The compile commands to run: from -p, from ./compile_commands.json, or
 * from the FILEs and the flags after --. */
static int gather(const struct options *o, struct lg_compdb *db, struct lg_diags *d)
{
	struct stat st;

	for (int i = 0; i < o->n_files; i++) {
		if (stat(o->files[i], &st) != 0)
			return lg_diag(d, LG_ERROR, o->files[i], 0, 0,
				       "cannot read input file: %s", strerror(errno));
		if (!S_ISREG(st.st_mode))
			return lg_diag(d, LG_ERROR, o->files[i], 0, 0,
				       "input is not a regular file");
	}

	const char *dbdir = o->build_path;
	char *dbdir_buf = NULL;
	/* -p build/compile_commands.json: the directory is meant. */
	if (dbdir && stat(dbdir, &st) == 0 && S_ISREG(st.st_mode)) {
		dbdir_buf = strdup(dbdir);
		char *slash = dbdir_buf ? strrchr(dbdir_buf, '/') : NULL;
		if (slash)
			*slash = '\0';
		dbdir = slash ? dbdir_buf : ".";
	}
	int ret = gather_from(o, dbdir, db, d);
	free(dbdir_buf);
	return ret;
}

static int gather_from(const struct options *o, const char *dbdir,
		       struct lg_compdb *db, struct lg_diags *d)
{
	struct stat st;

	if (!dbdir && !o->have_dashdash && stat("compile_commands.json", &st) == 0)
		dbdir = ".";
	if (!dbdir && o->n_files == 0)
		return lg_diag(d, LG_ERROR, NULL, 0, 0,
			       "no input files and no compile_commands.json here; make one with "
			       "'cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON' or 'bear -- make', "
			       "pass its directory with -p, or name files: "
			       "leakgate file.c -- -Iinclude");

	if (!dbdir) {
		for (int i = 0; i < o->n_files; i++)
			if (lg_compdb_add(db, o->files[i], NULL,
					  (const char *const *)o->cc_args, o->n_cc_args) < 0)
				return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
		return 0;
	}

	struct lg_compdb all = LG_COMPDB_INIT;
	if (lg_compdb_load(&all, dbdir, o->allow_outside, o->n_allow_outside, d) < 0) {
		lg_compdb_release(&all);
		return -1;
	}
	if (o->n_files == 0) {
		*db = all;
		if (db->n == 0)
			return lg_diag(d, LG_ERROR, NULL, 0, 0,
				       "%s/compile_commands.json lists no files", dbdir);
		return 0;
	}
	int ret = 0;
	for (int i = 0; i < o->n_files && ret == 0; i++) {
		const struct lg_compile_cmd *c = lg_compdb_find(&all, o->files[i]);
		if (!c && o->build_path) {
			ret = lg_diag(d, LG_ERROR, o->files[i], 0, 0,
				      "not listed in %s/compile_commands.json", dbdir);
			break;
		}
		int r = c ? lg_compdb_add(db, c->file, c->directory,
					  (const char *const *)c->args, c->n_args)
			  : lg_compdb_add(db, o->files[i], NULL, NULL, 0);
		if (r < 0)
			ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	}
	lg_compdb_release(&all);
	return ret;
}

static void hash_file(struct lg_sha256 *h, const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;
	lg_sha256_update(h, path, strlen(path) + 1);
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		lg_sha256_update(h, buf, n);
	if (f)
		fclose(f);
}

/* What the cache keys on besides the sources: leakgate itself (its own
 * binary, so that a rebuilt analyzer never trusts what an older one
 * concluded) and every rule file's content, in the order loaded. */
static void digest_rules(const struct lg_ruleset *rs, char out[65])
{
	struct lg_sha256 h;
	lg_sha256_init(&h);
	hash_file(&h, "/proc/self/exe");
	for (size_t i = 0; i < rs->n_loaded; i++) {
		hash_file(&h, rs->loaded[i]);
	}
	lg_sha256_hex(&h, out);
}

static int want_color(int setting, FILE *f)
{
	if (setting >= 0)
		return setting;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return 0;
	const char *term = getenv("TERM");
	return isatty(fileno(f)) && !(term && strcmp(term, "dumb") == 0);
}

/* ---- --staged: the index, not the working tree ------------------------ */

struct staged {
	struct lg_unsaved *v;
	size_t n;
	char *top;            /* the repository's top directory */
};

static void staged_release(struct staged *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free((char *)st->v[i].path);
		free((char *)st->v[i].content);
	}
	free(st->v);
	free(st->top);
	memset(st, 0, sizeof(*st));
}

/* Every file staged for the next commit (added, copied, modified, renamed),
 * with its staged content. */
static int read_staged(struct staged *st, struct lg_diags *d)
{
	const char *top_argv[] = { "git", "rev-parse", "--show-toplevel", NULL };
	char *top = NULL;
	if (lg_run_capture(top_argv, NULL, &top, NULL) != 0) {
		free(top);
		return lg_diag(d, LG_ERROR, NULL, 0, 0,
			       "--staged: not inside a git repository (git rev-parse failed)");
	}
	top[strcspn(top, "\r\n")] = '\0';
	st->top = top;
	const char *names_argv[] = { "git", "diff", "--cached", "--name-only", "-z",
				     "--diff-filter=ACMR", NULL };
	char *names = NULL;
	size_t len = 0;
	if (lg_run_capture(names_argv, top, &names, &len) != 0) {
		free(names);
		return lg_diag(d, LG_ERROR, NULL, 0, 0, "--staged: 'git diff --cached' failed");
	}
	int ret = 0;
	for (size_t p = 0; p < len && ret == 0;) {
		const char *name = names + p;
		p += strlen(name) + 1;
		if (!*name)
			continue;
		char *spec = NULL, *content = NULL;
		size_t clen = 0;
		if (asprintf(&spec, ":%s", name) < 0) {
			ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
			break;
		}
		const char *show_argv[] = { "git", "show", spec, NULL };
		if (lg_run_capture(show_argv, top, &content, &clen) != 0) {
			ret = lg_diag(d, LG_ERROR, name, 0, 0, "--staged: cannot read the staged content");
			free(content);
			free(spec);
			break;
		}
		free(spec);
		struct lg_unsaved *v = realloc(st->v, (st->n + 1) * sizeof(*v));
		char *abs = lg_path_absolute(name, top);
		if (!v || !abs) {
			free(abs);
			free(content);
			ret = lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
			break;
		}
		st->v = v;
		v[st->n++] = (struct lg_unsaved){ abs, content, clen };
	}
	free(names);
	return ret;
}

static bool is_c_file(const char *path)
{
	size_t n = strlen(path);
	return n > 2 && strcmp(path + n - 2, ".c") == 0;
}

/* Keeps only the findings in staged files (of those named, when some are). */
static void keep_staged(struct lg_findings *fs, const struct staged *st,
			const struct options *o, const char *cwd)
{
	size_t w = 0;
	for (size_t i = 0; i < fs->n; i++) {
		char *abs = lg_path_absolute(fs->v[i].file, cwd);
		bool keep = false;
		for (size_t k = 0; abs && k < st->n && !keep; k++)
			keep = strcmp(st->v[k].path, abs) == 0;
		if (keep && o->n_files) {
			bool named = false;
			for (int k = 0; k < o->n_files && !named; k++) {
				char *n = lg_path_absolute(o->files[k], cwd);
				named = n && strcmp(n, abs) == 0;
				free(n);
			}
			keep = named;
		}
		free(abs);
		if (!keep) {
			lg_finding_release(&fs->v[i]);
			continue;
		}
		fs->v[w++] = fs->v[i];
	}
	fs->n = w;
}

/* The compile commands of a --staged run: the database's (every entry, so
 * that summaries of helpers in other files are at hand; unchanged ones come
 * from the cache), plus staged .c files it does not list, with no flags. */
static int gather_staged(const struct options *o, const char *dbdir,
			 const struct staged *st, struct lg_compdb *db,
			 struct lg_diags *d)
{
	if (dbdir && lg_compdb_load(db, dbdir, o->allow_outside, o->n_allow_outside, d) < 0)
		return -1;
	for (size_t i = 0; i < st->n; i++) {
		if (!is_c_file(st->v[i].path) || lg_compdb_find(db, st->v[i].path))
			continue;
		if (o->n_files) {
			bool named = false;
			for (int k = 0; k < o->n_files && !named; k++) {
				char *abs = lg_path_absolute(o->files[k], NULL);
				named = abs && strcmp(abs, st->v[i].path) == 0;
				free(abs);
			}
			if (!named)
				continue;
		}
		if (lg_compdb_add(db, st->v[i].path, NULL, (const char *const *)o->cc_args,
				  o->n_cc_args) < 0)
			return lg_diag(d, LG_ERROR, NULL, 0, 0, "out of memory");
	}
	return 0;
}

/* ---- progress -------------------------------------------------------------- */

struct progress {
	struct timespec start;
	const char *cwd;
	bool shown;
};

static double elapsed(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* One line, rewritten in place: "parsing 12/300 src/db.c 3.2s". */
static void show_progress(void *ctx, const char *phase, size_t done, size_t total,
			  const char *file)
{
	struct progress *p = ctx;
	const char *shown = file;
	size_t n = p->cwd ? strlen(p->cwd) : 0;
	if (n && strncmp(file, p->cwd, n) == 0 && file[n] == '/')
		shown = file + n + 1;
	fprintf(stderr, "\r\033[K%s %zu/%zu %.60s %.1fs", phase, done, total, shown,
		elapsed(&p->start));
	fflush(stderr);
	p->shown = true;
}

/* ---- --merge ------------------------------------------------------------------ */

/* Joins the shards' reports: the files named are the inputs. */
static int run_merge(const struct options *o)
{
	struct lg_diags d = LG_DIAGS_INIT;
	struct lg_merge_result res;
	int status = EXIT_ERROR;

	if (o->n_files == 0) {
		usage_error("%s", "--merge OUT needs the shards' SARIF reports after it "
			    "(leakgate --merge all.sarif shard-*.sarif)");
		return EXIT_ERROR;
	}
	if (lg_merge_sarif(o->merge, (const char *const *)o->files, (size_t)o->n_files,
			   &res, &d) == 0) {
		if (!res.failed)
			status = res.results ? EXIT_FINDINGS : EXIT_CLEAN;
		lg_diag(&d, LG_NOTE, o->merge, 0, 0, "%zu report%s merged: %zu finding%s%s",
			res.shards, res.shards == 1 ? "" : "s", res.results,
			res.results == 1 ? "" : "s",
			res.failed ? "; the verdict is an error (see above)" : "");
	}
	lg_diags_print(&d, stderr, want_color(o->color, stderr));
	lg_diags_release(&d);
	return status;
}

/* ---- the run -------------------------------------------------------------- */

/* Writes every report; `problems` are the run's diagnostics (SARIF records
 * them), the reports' own failures go to `d`. */
static int write_outputs(const struct options *o, const struct lg_findings *fs,
			 const struct lg_ruleset *rules, const struct lg_diags *problems,
			 struct lg_diags *d)
{
	struct out_spec dflt = { LG_FORMAT_TEXT, o->output };
	const struct out_spec *outs = o->n_outs ? o->outs : &dflt;
	int n = o->n_outs ? o->n_outs : 1;
	int ret = 0;

	for (int i = 0; i < n; i++) {
		struct lg_output_opts oo = {
			.format = outs[i].format, .version = LEAKGATE_VERSION,
			.rules = rules, .max_annotations = o->max_annotations,
			.problems = problems, .shard = o->shard_k ? o->shard : NULL,
			.color = outs[i].format == LG_FORMAT_TEXT && !outs[i].file &&
				 want_color(o->color, stdout),
		};
		int w = outs[i].file ? lg_output_write_file(outs[i].file, fs, &oo, d)
				     : lg_output(stdout, fs, &oo, d);
		if (!outs[i].file && fflush(stdout) != 0)
			w = lg_diag(d, LG_ERROR, NULL, 0, 0, "cannot write the report: %s",
				    strerror(errno));
		if (w < 0)
			ret = -1;
	}
	return ret;
}

#ifdef LEAKGATE_JEMALLOC
/* jemalloc's options (memory.h says why jemalloc): memory in transparent
 * huge pages, a 2 MiB page faulted once instead of 512 pages of 4 KiB.
 * MALLOC_CONF in the environment still overrides them. */
const char *malloc_conf = "thp:always,metadata_thp:always";
#endif

int main(int argc, char **argv)
{
	struct options o = { .jobs = 0, .color = -1, .budget = LG_BUDGET_DEFAULT,
			     .cache_dir = ".cache/leakgate", .progress = -1 };
	struct lg_diags d = LG_DIAGS_INIT;
	struct lg_ruleset rules;
	struct lg_compdb db = LG_COMPDB_INIT;
	struct lg_findings findings = LG_FINDINGS_INIT;
	struct lg_config cfg = { 0 };
	struct staged st = { 0 };
	struct lg_changes *changes = NULL;
	int status = EXIT_ERROR;
	char *rules_dir = NULL, *cfg_path = NULL;
	char cwd[PATH_MAX];

	lg_memory_setup();
	o.rules = calloc((size_t)argc + 1, sizeof(*o.rules));
	o.outs = calloc((size_t)argc + 1, sizeof(*o.outs));
	o.excludes = calloc((size_t)argc + 1, sizeof(*o.excludes));
	if (!o.rules || !o.outs || !o.excludes || !getcwd(cwd, sizeof(cwd))) {
		free(o.rules);
		free(o.outs);
		free(o.excludes);
		return EXIT_ERROR;
	}
	int pa = parse_args(argc, argv, &o);
	if (pa != 0) {
		free(o.rules);
		free(o.outs);
		free(o.excludes);
		return pa < 0 ? EXIT_CLEAN : pa;
	}
	if (o.merge) {
		status = run_merge(&o);
		free(o.rules);
		free(o.outs);
		free(o.excludes);
		return status;
	}
	if (o.jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o.jobs = n > 0 ? (int)n : 1;
	}

	lg_ruleset_init(&rules);
	/* The project's configuration: the command line overrides it. */
	if (!o.no_config) {
		cfg_path = o.config ? strdup(o.config) : lg_config_find(cwd);
		if (cfg_path && lg_config_load(&cfg, cfg_path, &d) < 0)
			goto out;
	}

	rules_dir = builtin_rules_dir();
	if (!rules_dir)
		goto out;
	int rr = 0;
	if (o.n_rules)
		for (int i = 0; i < o.n_rules && rr == 0; i++)
			rr = lg_ruleset_load_spec(&rules, o.rules[i], rules_dir, &d);
	else if (cfg.n_rules)
		for (size_t i = 0; i < cfg.n_rules && rr == 0; i++)
			rr = lg_ruleset_load_spec(&rules, cfg.rules[i], rules_dir, &d);
	else
		rr = lg_ruleset_load_builtin(&rules, rules_dir, &d);
	if (rr < 0)
		goto out;
	if (rules.n_resources == 0) {
		lg_diag(&d, LG_ERROR, NULL, 0, 0, "the rules loaded define no resource");
		goto out;
	}
	if (o.list_rules) {
		lg_ruleset_list(&rules, stdout);
		status = EXIT_CLEAN;
		goto out;
	}

	if (!o.build_path && cfg.compile_database && !o.have_dashdash)
		o.build_path = cfg.compile_database;
	if (o.diff_base)
		changes = lg_changes_from_git(o.diff_base, cwd, &d);
	else if (o.diff_file)
		changes = lg_changes_from_diff(o.diff_file, cwd, &d);
	if ((o.diff_base || o.diff_file) && !changes)
		goto out;
	if (o.staged) {
		if (read_staged(&st, &d) < 0)
			goto out;
		const char *dbdir = o.build_path;
		struct stat sb;
		if (!dbdir && stat("compile_commands.json", &sb) == 0)
			dbdir = ".";
		if (gather_staged(&o, dbdir, &st, &db, &d) < 0)
			goto out;
	} else if (changes && !o.build_path && !o.n_files && !o.have_dashdash &&
		   access("compile_commands.json", R_OK) != 0) {
		/* A change without a compile database: its .c files, with no
		 * flags (as the pre-commit hook does). */
		for (const char **f = lg_changes_files(changes); f && *f; f++)
			if (is_c_file(*f) && access(*f, R_OK) == 0 &&
			    lg_compdb_add(&db, *f, NULL, NULL, 0) < 0)
				goto out;
		if (db.n == 0)
			lg_diag(&d, LG_NOTE, NULL, 0, 0, "the change touches no C file");
	} else if (gather(&o, &db, &d) < 0) {
		goto out;
	}

	/* what the cache keys on (hashing the executable costs a few ms, so
	 * only when there is a cache) */
	char rules_digest[65] = "";
	if (o.cache_dir)
		digest_rules(&rules, rules_digest);
	struct lg_driver_stats stats = { 0 };
	struct lg_driver_opts dopts = {
		.rules = &rules, .budget = o.budget, .jobs = o.jobs, .cwd = cwd,
		.dump_cfg = o.dump_cfg ? stdout : NULL,
		.dump_summaries = o.dump_summaries ? stdout : NULL,
		.cache_dir = o.cache_dir, .rules_digest = rules_digest,
		.unsaved = st.v, .n_unsaved = st.n,
		.changed = changes ? lg_changes_files(changes) : NULL,
		.shard_k = o.shard_k, .shard_n = o.shard_n,
	};
	/* A progress line on a terminal for runs over many files; silent in
	 * CI logs (CI=true) unless asked. */
	struct progress prog = { .cwd = cwd };
	clock_gettime(CLOCK_MONOTONIC, &prog.start);
	const char *ci = getenv("CI");
	bool want_progress = o.progress > 0 ||
		(o.progress < 0 && isatty(fileno(stderr)) && !(ci && *ci) && db.n > 1);
	if (want_progress) {
		dopts.progress = show_progress;
		dopts.progress_ctx = &prog;
	}
	int run = db.n ? lg_driver_run(&dopts, &db, &findings, &d, &stats) : 0;
	if (prog.shown)
		fputs("\r\033[K", stderr);   /* the line goes before the report */
	if (o.stats) {
		char skipped[64] = "";
		if (stats.units_skipped)
			snprintf(skipped, sizeof(skipped), ", %zu not touched by the change",
				 stats.units_skipped);
		else if (stats.units_other_shards)
			snprintf(skipped, sizeof(skipped), ", %zu checked by other shards",
				 stats.units_other_shards);
		lg_diag(&d, LG_NOTE, NULL, 0, 0,
			"%zu files (%zu parsed, %zu from the cache%s); %zu functions "
			"(summaries: %zu computed, %zu reused; checks: %zu run, %zu reused); "
			"%.2f s parsing, %.2f s summarising, %.2f s checking",
			stats.units, stats.units_parsed, stats.units_cached, skipped,
			stats.functions, stats.summaries_computed, stats.summaries_reused,
			stats.functions_checked, stats.functions_reused,
			stats.parse_s, stats.summarise_s, stats.check_s);
	}

	/* The gate's chain: exclude, suppressions, baseline, diff, sort. */
	if (o.n_excludes)
		lg_gate_exclude(&findings, o.excludes, (size_t)o.n_excludes, cwd, cwd);
	else if (cfg.n_exclude)
		lg_gate_exclude(&findings, (const char *const *)cfg.exclude, cfg.n_exclude,
				cfg.dir, cwd);
	const char **sources = calloc(db.n + 1, sizeof(*sources));
	for (size_t i = 0; sources && i < db.n; i++)
		sources[i] = db.v[i].file;
	if (!sources || lg_gate_suppress(&findings, sources, db.n, st.v, st.n, cwd,
					 o.report_unused, &d) < 0)
		run = lg_diag(&d, LG_ERROR, NULL, 0, 0, "out of memory");
	free(sources);
	if (o.staged)
		keep_staged(&findings, &st, &o, cwd);
	lg_findings_sort_unique(&findings);
	if (o.write_baseline) {
		int w = lg_baseline_write(o.write_baseline, &findings, cwd, &d);
		if (w == 0)
			lg_diag(&d, LG_NOTE, o.write_baseline, 0, 0, "recorded %zu finding%s",
				findings.n, findings.n == 1 ? "" : "s");
		status = w < 0 || run < 0 ? EXIT_ERROR : EXIT_CLEAN;
		goto out;
	}
	const char *baseline = o.baseline ? o.baseline : cfg.baseline;
	if (baseline && lg_baseline_apply(baseline, &findings, cwd, &d) < 0)
		run = -1;
	if (changes)
		lg_gate_diff_filter(&findings, changes, cwd);

	/* Diagnostics first, so a reader sees why a file was not analysed
	 * before the findings of the others. */
	lg_diags_print(&d, stderr, want_color(o.color, stderr));
	struct lg_diags wd = LG_DIAGS_INIT;   /* the reports' own problems */
	int w = write_outputs(&o, &findings, &rules, &d, &wd);
	lg_diags_release(&d);
	lg_diags_move(&d, &wd);
	if (w < 0 || run < 0)
		status = EXIT_ERROR;
	else
		status = findings.n ? EXIT_FINDINGS : EXIT_CLEAN;

out:
	lg_diags_print(&d, stderr, want_color(o.color, stderr));
	lg_diags_release(&d);
	lg_findings_release(&findings);
	lg_compdb_release(&db);
	lg_ruleset_release(&rules);
	lg_config_release(&cfg);
	lg_changes_free(changes);
	staged_release(&st);
	free(cfg_path);
	free(rules_dir);
	free(o.rules);
	free(o.outs);
	free(o.excludes);
	free(o.allow_outside);
	return status;
}
