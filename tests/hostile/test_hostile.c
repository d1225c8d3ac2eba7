/*
 * test_hostile.c - a compile database written by an attacker.
 *
 * A pull request controls compile_commands.json, and libclang obeys the
 * flags in it.  Each attack below names a marker path inside a fresh
 * temporary project; the real leakgate binary is run on it three ways (the
 * flags in the entry's "arguments", in a response file the entry names,
 * and after `--` on the command line), and afterwards:
 *   - no file exists that was not there before (the marker directory is
 *     empty, the project's directories hold exactly what the test wrote);
 *   - leakgate still found the leak in tests/cli/leak.c, so the flags were
 *     dropped, not the file skipped;
 *   - a note names the flags when they load code, write an unusual file or
 *     are unknown, and no note is written for the usual outputs (-MD ...).
 * The entry's compiler is a script that would create a marker too: it must
 * never run.
 *
 * The negative checks cannot pass for want of a working marker: the
 * controls feed the same flags to libclang directly (clang_parseTranslationUnit,
 * as leakgate does) and see the writers write; they run the compiler script
 * and see it mark; they dlopen() marker.so in a child process and see its
 * constructor mark.  (libclang 19 loads no plugin while parsing, so for the
 * loaders this test guards against a libclang that would.)
 *
 * The project root: an entry outside it is refused (exit 2, an error naming
 * the database, the file and --allow-outside), --allow-outside accepts it,
 * and a symbolic link from inside to outside does not get around it.  So is
 * a response file outside it; one that would never end (/dev/zero, a FIFO,
 * one naming itself) and a database that is a link to /dev/zero are
 * refused before libclang reads them.  An entry that drops the same flags
 * as one noted before is counted, not noted again.
 *
 * Usage: test_hostile LEAKGATE_BINARY MARKER_SO TESTS_CLI_DIR
 */
#include <clang-c/Index.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

static const char *leakgate;   /* LEAKGATE_BINARY */
static const char *marker_so;  /* MARKER_SO */
static const char *cli_dir;    /* TESTS_CLI_DIR: leak.c, pool.h, rules/pool.yml */

/* ---- the attacks ------------------------------------------------------------- */

struct attack {
	const char *what;
	/* {M} is the marker's path, {SO} marker.so's */
	const char *flags[14];
	bool live;     /* libclang writes the marker when given these flags */
	bool noted;    /* leakgate must name them in a note */
};

static const struct attack attacks[] = {
	/* files written */
	{ "-MD -MF", { "-MD", "-MF", "{M}" }, true, false },
	{ "-MMD -MF", { "-MMD", "-MF", "{M}" }, true, false },
	{ "-M -MF", { "-M", "-MF", "{M}" }, true, false },
	{ "-MT with -MF", { "-MD", "-MF", "{M}", "-MT", "touch {M}.sh #" }, true, false },
	{ "-MQ with -MF", { "-MMD", "-MF", "{M}", "-MQ", "x" }, true, false },
	{ "-Wp,-MD,", { "-Wp,-MD,{M}" }, true, false },
	{ "-MJ", { "-MJ", "{M}" }, true, true },
	{ "-o", { "-o", "{M}" }, false, false },
	{ "--serialize-diagnostics", { "--serialize-diagnostics", "{M}" }, false, true },
	{ "-ftime-trace=", { "-ftime-trace={M}" }, false, true },
	{ "-ftime-trace", { "-ftime-trace", "-ftime-trace-granularity=0", "-o", "{M}.o" },
	  false, true },
	{ "-save-temps=obj", { "-save-temps=obj", "-o", "{M}.o" }, false, true },
	{ "-save-temps=cwd", { "-save-temps=cwd" }, false, true },
	{ "-Xclang -dependency-file",
	  { "-Xclang", "-dependency-file", "-Xclang", "{M}", "-Xclang", "-MT", "-Xclang", "x" },
	  true, true },
	{ "-Xclang -header-include-file",
	  { "-Xclang", "-header-include-file", "-Xclang", "{M}", "-Xclang", "-H" }, true, true },
	{ "-Xclang -ast-dump-file",
	  { "-Xclang", "-ast-dump-file", "-Xclang", "{M}", "-Xclang", "-ast-dump" }, false, true },
	{ "-Xpreprocessor -dependency-file",
	  { "-Xpreprocessor", "-dependency-file", "-Xpreprocessor", "{M}", "-Xpreprocessor",
	    "-MT", "-Xpreprocessor", "x" }, true, true },
	{ "-fmodules-cache-path", { "-fmodules", "-fmodules-cache-path={M}" }, false, true },
	{ "-fcrash-diagnostics-dir", { "-fcrash-diagnostics-dir={M}" }, false, true },
	/* code loaded */
	{ "-fplugin=", { "-fplugin={SO}" }, false, true },
	{ "-fpass-plugin=", { "-fpass-plugin={SO}" }, false, true },
	{ "-Xclang -load", { "-Xclang", "-load", "-Xclang", "{SO}" }, false, true },
	{ "-Xclang -load -plugin",
	  { "-Xclang", "-load", "-Xclang", "{SO}", "-Xclang", "-plugin", "-Xclang", "x" },
	  false, true },
	{ "-Xclang -load -add-plugin",
	  { "-Xclang", "-load", "-Xclang", "{SO}", "-Xclang", "-add-plugin", "-Xclang", "x" },
	  false, true },
	{ "-load", { "-load", "{SO}" }, false, true },
	{ "-mllvm -load=", { "-mllvm", "-load={SO}" }, false, true },
};

#define N_ATTACKS (sizeof(attacks) / sizeof(*attacks))

/* ---- fixture: a project in a temporary directory ------------------------------ */

struct fx {
	char root[64];        /* the project: holds .git, so it is the root */
	char src[96];         /* leak.c, pool.h (and hostile.rsp) */
	char out[96];         /* where markers point: must stay empty */
	char ctl[96];         /* the controls' markers */
	char io[96];          /* leakgate's standard output and error */
	char marker[128];     /* out/M */
	char so_marker[128];  /* out/SO: marker.so's, through the environment */
	char cc[128];         /* the entry's "compiler": a script that marks */
	int status;
	char *out_text, *err_text;
};

static void xsnprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void xsnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	assert_true(r >= 0 && (size_t)r < n);
}

static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(mem);
	fclose(fp);
	return buf;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void copy_in(const char *name, const char *dir)
{
	char from[512], to[512];
	xsnprintf(from, sizeof(from), "%s/%s", cli_dir, name);
	xsnprintf(to, sizeof(to), "%s/%s", dir, name);
	char *text = read_all(from);
	assert_non_null(text);
	write_text(to, text, 0644);
	free(text);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	xsnprintf(f->root, sizeof(f->root), "/tmp/test_hostile.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	/* realpath: leakgate compares real paths */
	char *real = realpath(f->root, NULL);
	assert_non_null(real);
	xsnprintf(f->root, sizeof(f->root), "%s", real);
	free(real);
	char git[96];
	xsnprintf(git, sizeof(git), "%s/.git", f->root);
	xsnprintf(f->src, sizeof(f->src), "%s/src", f->root);
	xsnprintf(f->out, sizeof(f->out), "%s/out", f->root);
	xsnprintf(f->ctl, sizeof(f->ctl), "%s/ctl", f->root);
	xsnprintf(f->io, sizeof(f->io), "%s/io", f->root);
	xsnprintf(f->marker, sizeof(f->marker), "%s/M", f->out);
	xsnprintf(f->so_marker, sizeof(f->so_marker), "%s/SO", f->out);
	xsnprintf(f->cc, sizeof(f->cc), "%s/cc", f->io);
	const char *dirs[] = { git, f->src, f->out, f->ctl, f->io };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		assert_int_equal(mkdir(dirs[i], 0755), 0);
	copy_in("leak.c", f->src);
	copy_in("pool.h", f->src);
	char script[512];
	xsnprintf(script, sizeof(script), "#!/bin/sh\n: > '%s/CC'\n", f->out);
	write_text(f->cc, script, 0755);
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	free(f->out_text);
	free(f->err_text);
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* `t` with {M} and {SO} replaced (marker: the path {M} stands for). */
static char *subst(const char *t, const char *marker)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	for (const char *p = t; *p;) {
		if (strncmp(p, "{M}", 3) == 0) {
			fputs(marker, mem);
			p += 3;
		} else if (strncmp(p, "{SO}", 4) == 0) {
			fputs(marker_so, mem);
			p += 4;
		} else {
			fputc(*p++, mem);
		}
	}
	fclose(mem);
	return buf;
}

static int n_flags(const struct attack *a)
{
	int n = 0;
	while (n < 14 && a->flags[n])
		n++;
	return n;
}

/* The names in `dir`, sorted, joined by ' ' ("" when empty). */
static char *listing(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	bool first = true;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			fprintf(mem, "%s%s", first ? "" : " ", name);
			first = false;
		}
		free(names[i]);
	}
	free(names);
	fclose(mem);
	return buf;
}

/* Runs leakgate in the project with `args` (NULL-terminated), marker.so's
 * marker in the environment. */
static void run_lg(struct fx *f, const char *const *args)
{
	char out_path[128], err_path[128];
	xsnprintf(out_path, sizeof(out_path), "%s/stdout", f->io);
	xsnprintf(err_path, sizeof(err_path), "%s/stderr", f->io);
	int n = 0;
	while (args[n])
		n++;
	const char **argv = calloc((size_t)n + 2, sizeof(*argv));
	assert_non_null(argv);
	argv[0] = leakgate;
	memcpy(argv + 1, args, (size_t)n * sizeof(*argv));
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int in = open("/dev/null", O_RDONLY);
		if (o < 0 || e < 0 || in < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 ||
		    dup2(in, 0) < 0 || chdir(f->root) != 0)
			_exit(126);
		setenv("LG_HOSTILE_MARKER", f->so_marker, 1);
		setenv("LC_ALL", "C", 1);
		unsetenv("CI");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(argv);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	f->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	free(f->out_text);
	free(f->err_text);
	f->out_text = read_all(out_path);
	f->err_text = read_all(err_path);
	assert_non_null(f->out_text);
	assert_non_null(f->err_text);
}

#define LG(f, ...) run_lg((f), (const char *const[]){ __VA_ARGS__, NULL })

static const char *finding =
	"src/leak.c:9:9: warning: connection 'c' acquired by pool_acquire() at line 5 "
	"is still held when the function returns here [pool-connection]\n";

static const char *pool_rules(void)
{
	static char path[512];
	xsnprintf(path, sizeof(path), "%s/rules/pool.yml", cli_dir);
	return path;
}

/* Writes compile_commands.json: one entry for src/leak.c whose arguments
 * are the compiler script, `flags` (NULL-terminated), -c and leak.c. */
static void write_db(struct fx *f, const char *const *flags)
{
	json_t *args = json_array();
	json_array_append_new(args, json_string(f->cc));
	for (int i = 0; flags[i]; i++)
		json_array_append_new(args, json_string(flags[i]));
	json_array_append_new(args, json_string("-c"));
	json_array_append_new(args, json_string("leak.c"));
	json_t *db = json_pack("[{s:s, s:s, s:o}]", "directory", f->src, "file", "leak.c",
			       "arguments", args);
	assert_non_null(db);
	char path[128];
	xsnprintf(path, sizeof(path), "%s/compile_commands.json", f->root);
	assert_int_equal(json_dump_file(db, path, JSON_INDENT(2)), 0);
	json_decref(db);
}

/* What the project holds after a run: nothing new anywhere. */
static void check_nothing_written(struct fx *f, const char *what, const char *way,
				  bool rsp)
{
	char *out = listing(f->out);
	char *src = listing(f->src);
	char *top = listing(f->root);
	const char *want_src = rsp ? "hostile.rsp leak.c pool.h" : "leak.c pool.h";
	if (*out || strcmp(src, want_src) != 0 ||
	    strcmp(top, ".git compile_commands.json ctl io out src") != 0)
		fail_msg("%s (%s): leakgate left files behind: out/ holds '%s', src/ holds "
			 "'%s', the project holds '%s'", what, way, out, src, top);
	free(out);
	free(src);
	free(top);
}

static void check_run(struct fx *f, const struct attack *a, const char *way, bool rsp,
		      const char *note)
{
	check_nothing_written(f, a->what, way, rsp);
	if (f->status != 1 || !strstr(f->out_text, finding))
		fail_msg("%s (%s): the leak was not reported (exit %d)\nstdout:\n%s\nstderr:\n%s",
			 a->what, way, f->status, f->out_text, f->err_text);
	bool has_note = strstr(f->err_text, note) != NULL;
	if (a->noted && !has_note)
		fail_msg("%s (%s): no note naming the flags dropped; stderr:\n%s", a->what, way,
			 f->err_text);
	if (!a->noted && strstr(f->err_text, "dropped flags"))
		fail_msg("%s (%s): a note for usual flags; stderr:\n%s", a->what, way,
			 f->err_text);
}

/* ---- controls: the markers work --------------------------------------------------- */

/* The same flags given straight to libclang (as leakgate gives its own), in
 * a child process: does the marker appear? */
static bool libclang_writes(struct fx *f, const struct attack *a)
{
	char marker[128], src[128];
	xsnprintf(marker, sizeof(marker), "%s/M", f->ctl);
	xsnprintf(src, sizeof(src), "%s/leak.c", f->src);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		const char *argv[16];
		int n = 0;
		argv[n++] = "-working-directory";
		argv[n++] = f->src;
		for (int i = 0; i < n_flags(a); i++)
			argv[n++] = subst(a->flags[i], marker);
		CXIndex idx = clang_createIndex(0, 0);
		CXTranslationUnit tu = NULL;
		clang_parseTranslationUnit2(idx, src, argv, n, NULL, 0, 0, &tu);
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	char *left = listing(f->ctl);
	bool wrote = *left != '\0';
	free(left);
	nftw(f->ctl, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	assert_int_equal(mkdir(f->ctl, 0755), 0);
	return wrote;
}

static void hostile__control_libclang_obeys_the_writers(void **state)
{
	struct fx *f = *state;
	int live = 0;
	for (size_t i = 0; i < N_ATTACKS; i++) {
		if (!attacks[i].live)
			continue;
		if (!libclang_writes(f, &attacks[i]))
			fail_msg("control: libclang given %s wrote no marker; the checks "
				 "below would prove nothing", attacks[i].what);
		live++;
	}
	assert_true(live >= 8);
}

static void hostile__control_marker_so_marks_when_loaded(void **state)
{
	struct fx *f = *state;
	char marker[128];
	xsnprintf(marker, sizeof(marker), "%s/SO", f->ctl);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("LG_HOSTILE_MARKER", marker, 1);
		_exit(dlopen(marker_so, RTLD_NOW) ? 0 : 1);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(access(marker, F_OK), 0);
}

static void hostile__control_the_compiler_script_marks_when_run(void **state)
{
	struct fx *f = *state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(f->cc, f->cc, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	char cc_marker[160];
	xsnprintf(cc_marker, sizeof(cc_marker), "%s/CC", f->out);
	assert_int_equal(access(cc_marker, F_OK), 0);
	unlink(cc_marker);
}

/* ---- the attacks, three ways ------------------------------------------------------ */

static const char *db_note =
	"compile_commands.json: note: dropped flags that do not shape parsing from the "
	"entry for src/leak.c: ";

static void hostile__flags_in_the_entry_write_and_load_nothing(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < N_ATTACKS; i++) {
		const struct attack *a = &attacks[i];
		char *flags[16] = { 0 };
		for (int k = 0; k < n_flags(a); k++)
			flags[k] = subst(a->flags[k], f->marker);
		write_db(f, (const char *const *)flags);
		LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
		check_run(f, a, "in the entry", false, db_note);
		for (int k = 0; flags[k]; k++)
			free(flags[k]);
	}
}

/* Quoted as a response file: each argument in double quotes, with '\' and
 * '"' escaped. */
static void write_rsp(struct fx *f, const struct attack *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	for (int k = 0; k < n_flags(a); k++) {
		char *s = subst(a->flags[k], f->marker);
		fputc('"', mem);
		for (const char *p = s; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', mem);
			fputc(*p, mem);
		}
		fputs(k % 2 ? "\"\n" : "\" ", mem);
		free(s);
	}
	fclose(mem);
	char path[160];
	xsnprintf(path, sizeof(path), "%s/hostile.rsp", f->src);
	write_text(path, buf, 0644);
	free(buf);
}

static void hostile__flags_in_a_response_file_write_and_load_nothing(void **state)
{
	struct fx *f = *state;
	const char *flags[] = { "-DFROM_THE_ENTRY", "@hostile.rsp", NULL };
	for (size_t i = 0; i < N_ATTACKS; i++) {
		write_rsp(f, &attacks[i]);
		write_db(f, flags);
		LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
		check_run(f, &attacks[i], "in a response file", true, db_note);
	}
}

/* After --: the flags filtered by the front end, a response file expanded
 * by leakgate itself (libclang's compile database expands the entries'). */
static void hostile__flags_after_dashdash_write_and_load_nothing(void **state)
{
	struct fx *f = *state;
	const char *note = "src/leak.c: note: dropped flags that do not shape parsing: ";
	char rsp[160];
	xsnprintf(rsp, sizeof(rsp), "@%s/hostile.rsp", f->src);
	for (size_t i = 0; i < N_ATTACKS; i++) {
		const struct attack *a = &attacks[i];
		const char *argv[32];
		char *owned[16] = { 0 };
		int n = 0;
		argv[n++] = "--no-cache";
		argv[n++] = "--no-config";
		argv[n++] = "-r";
		argv[n++] = pool_rules();
		argv[n++] = "src/leak.c";
		argv[n++] = "--";
		for (int k = 0; k < n_flags(a); k++)
			argv[n++] = owned[k] = subst(a->flags[k], f->marker);
		argv[n] = NULL;
		/* the compile database is not read when files and -- are given */
		write_db(f, (const char *const[]){ NULL });
		run_lg(f, argv);
		check_run(f, a, "after --", false, note);
		for (int k = 0; owned[k]; k++)
			free(owned[k]);

		write_rsp(f, a);
		LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "src/leak.c", "--", rsp);
		check_run(f, a, "in a response file after --", true, note);
		char path[160];
		xsnprintf(path, sizeof(path), "%s/hostile.rsp", f->src);
		unlink(path);
	}
}

/* The "command" form, split by libclang with shell quoting. */
static void hostile__a_shell_command_entry_writes_nothing(void **state)
{
	struct fx *f = *state;
	char cmd[1024];
	xsnprintf(cmd, sizeof(cmd),
		  "%s -MD -MF %s -MT 'touch %s.sh #' -Xclang -load -Xclang %s -c leak.c",
		  f->cc, f->marker, f->marker, marker_so);
	json_t *db = json_pack("[{s:s, s:s, s:s}]", "directory", f->src, "file", "leak.c",
			       "command", cmd);
	char path[128];
	xsnprintf(path, sizeof(path), "%s/compile_commands.json", f->root);
	assert_int_equal(json_dump_file(db, path, 0), 0);
	json_decref(db);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	const struct attack a = { "a shell command", { NULL }, false, true };
	check_run(f, &a, "command", false, db_note);
	char want[512];
	xsnprintf(want, sizeof(want), "%s-MD, -MF %s, -MT 'touch %s.sh #', "
		  "-Xclang -load -Xclang %s, -c\n", db_note, f->marker, f->marker, marker_so);
	assert_string_equal(f->err_text, want);
}

/* A build whose every entry carries the same plugin gets one note and a
 * count; an entry that drops something else gets its own. */
static void hostile__the_same_flags_are_noted_once(void **state)
{
	struct fx *f = *state;
	json_t *db = json_array();
	const char *plugins[] = { "-fplugin=a.so", "-fplugin=a.so", "-fplugin=b.so",
				  "-fplugin=a.so" };
	for (int i = 0; i < 4; i++) {
		char out[16];
		snprintf(out, sizeof(out), "%d.o", i);
		json_array_append_new(db, json_pack("{s:s, s:s, s:[s, s, s, s, s, s]}",
						    "directory", f->src, "file", "leak.c",
						    "arguments", f->cc, plugins[i], "-c",
						    "-o", out, "leak.c"));
	}
	char path[128];
	xsnprintf(path, sizeof(path), "%s/compile_commands.json", f->root);
	assert_int_equal(json_dump_file(db, path, 0), 0);
	json_decref(db);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	char want[1024];
	xsnprintf(want, sizeof(want),
		  "%1$s-fplugin=a.so, -c, -o 0.o\n"
		  "%1$s-fplugin=b.so, -c, -o 2.o\n"
		  "compile_commands.json: note: 2 more entries dropped the same flags as an "
		  "entry named above\n", db_note);
	assert_string_equal(f->err_text, want);
	assert_int_equal(f->status, 1);
}

/* ---- the project root ------------------------------------------------------------------ */

/* An entry whose arguments are the compiler script, `rsp`, -c and leak.c. */
static void write_db_rsp(struct fx *f, const char *rsp)
{
	write_db(f, (const char *const[]){ rsp, NULL });
}

/* libclang reads an entry's response files to the end while it loads the
 * database: /dev/zero or a FIFO would hang the gate.  They are refused
 * before libclang sees them. */
static void hostile__response_files_that_never_end_are_refused(void **state)
{
	struct fx *f = *state;
	write_db_rsp(f, "@/dev/zero");
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	assert_int_equal(f->status, 2);
	assert_string_equal(f->err_text,
		"compile_commands.json: error: the entry for src/leak.c names the response "
		"file /dev/zero, which is not a regular file\n");

	char fifo[160], want[512];
	xsnprintf(fifo, sizeof(fifo), "%s/fifo.rsp", f->src);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	write_db_rsp(f, "@fifo.rsp");
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	assert_int_equal(f->status, 2);
	xsnprintf(want, sizeof(want), "compile_commands.json: error: the entry for src/leak.c "
		  "names the response file %s, which is not a regular file\n", fifo);
	assert_string_equal(f->err_text, want);
	unlink(fifo);

	/* one that names itself */
	char loop[160];
	xsnprintf(loop, sizeof(loop), "%s/loop.rsp", f->src);
	write_text(loop, "-DLOOP @loop.rsp\n", 0644);
	write_db_rsp(f, "@loop.rsp");
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	assert_int_equal(f->status, 2);
	xsnprintf(want, sizeof(want), "compile_commands.json: error: the entry for src/leak.c "
		  "names the response file %s, nested more than 8 response files deep\n", loop);
	assert_string_equal(f->err_text, want);
	unlink(loop);
}

/* .leakgate.yml (in the pull request) names the compile database's
 * directory: a database that is a link to /dev/zero must not hang. */
static void hostile__a_database_that_never_ends_is_refused(void **state)
{
	struct fx *f = *state;
	char path[128];
	xsnprintf(path, sizeof(path), "%s/compile_commands.json", f->root);
	assert_int_equal(symlink("/dev/zero", path), 0);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	assert_int_equal(f->status, 2);
	assert_string_equal(f->err_text, "compile_commands.json: error: cannot read compile "
					 "database: not a regular file\n");
}

/* A response file outside the project would put a file of the CI machine
 * into the flags (and, through the note, into the log). */
static void hostile__a_response_file_outside_the_project_is_refused(void **state)
{
	struct fx *f = *state;
	char tmpl[] = "/tmp/test_hostile_rsp.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *dir = realpath(tmpl, NULL);
	assert_non_null(dir);
	char rsp[256], arg[260], want[1024];
	xsnprintf(rsp, sizeof(rsp), "%s/secret.rsp", dir);
	write_text(rsp, "--token=hunter2\n", 0644);
	xsnprintf(arg, sizeof(arg), "@%s", rsp);
	write_db_rsp(f, arg);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	assert_int_equal(f->status, 2);
	xsnprintf(want, sizeof(want),
		  "compile_commands.json: error: the entry for src/leak.c names the response "
		  "file %s, which is outside the project %s; --allow-outside %s accepts it\n",
		  rsp, f->root, dir);
	assert_string_equal(f->err_text, want);

	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".", "--allow-outside", dir);
	assert_int_equal(f->status, 1);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* An entry for a copy of leak.c in another temporary directory. */
static char *outside_entry(struct fx *f)
{
	char tmpl[] = "/tmp/test_hostile_out.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *dir = realpath(tmpl, NULL);
	assert_non_null(dir);
	copy_in("leak.c", dir);
	copy_in("pool.h", dir);
	json_t *db = json_pack("[{s:s, s:s, s:[s, s, s]}]", "directory", dir, "file", "leak.c",
			       "arguments", f->cc, "-c", "leak.c");
	char path[128];
	xsnprintf(path, sizeof(path), "%s/compile_commands.json", f->root);
	assert_int_equal(json_dump_file(db, path, 0), 0);
	json_decref(db);
	return dir;
}

static void hostile__an_entry_outside_the_project_is_refused(void **state)
{
	struct fx *f = *state;
	char *dir = outside_entry(f);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	char want[1024];
	xsnprintf(want, sizeof(want),
		  "compile_commands.json: error: the entry for %s/leak.c is outside the project "
		  "%s and is not analysed; --allow-outside %s accepts it\n", dir, f->root, dir);
	assert_int_equal(f->status, 2);
	assert_string_equal(f->out_text, "");
	assert_string_equal(f->err_text, want);

	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".", "--allow-outside", dir);
	assert_int_equal(f->status, 1);
	assert_non_null(strstr(f->out_text, "leak.c:9:9: warning: connection 'c'"));
	assert_string_equal(f->err_text, "");
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* src/link.c -> a file outside: the real path decides. */
static void hostile__a_link_out_of_the_project_is_refused(void **state)
{
	struct fx *f = *state;
	char *dir = outside_entry(f);
	char target[256], link[256];
	xsnprintf(target, sizeof(target), "%s/leak.c", dir);
	xsnprintf(link, sizeof(link), "%s/link.c", f->src);
	assert_int_equal(symlink(target, link), 0);
	json_t *db = json_pack("[{s:s, s:s, s:[s, s, s]}]", "directory", f->src, "file", "link.c",
			       "arguments", f->cc, "-c", "link.c");
	char path[128];
	xsnprintf(path, sizeof(path), "%s/compile_commands.json", f->root);
	assert_int_equal(json_dump_file(db, path, 0), 0);
	json_decref(db);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", ".");
	char want[1024];
	xsnprintf(want, sizeof(want),
		  "compile_commands.json: error: the entry for src/link.c (%s) is outside the "
		  "project %s and is not analysed; --allow-outside %s accepts it\n",
		  target, f->root, dir);
	assert_int_equal(f->status, 2);
	assert_string_equal(f->err_text, want);
	unlink(link);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* The root is the work tree's top, also when leakgate runs in a
 * subdirectory of it. */
static void hostile__the_root_is_the_top_of_the_work_tree(void **state)
{
	struct fx *f = *state;
	write_db(f, (const char *const[]){ NULL });
	char sub[128];
	xsnprintf(sub, sizeof(sub), "%s/io/sub", f->root);
	assert_int_equal(mkdir(sub, 0755), 0);
	char root[96];
	memcpy(root, f->root, sizeof(root));
	/* run from io/sub with -p pointing at the project's database */
	xsnprintf(f->root, sizeof(f->root), "%s", sub);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "-p", "../..");
	memcpy(f->root, root, sizeof(root));
	assert_int_equal(f->status, 1);
	assert_string_equal(f->err_text, "");
}

/* A file can #include any file the CI user can read, and the compiler's
 * errors quote its words: errors in files outside the project are shown
 * without them.  Control: the same file inside the project is quoted (so
 * the words would be seen if leakgate printed them). */
static void hostile__errors_in_files_outside_the_project_are_not_quoted(void **state)
{
	struct fx *f = *state;
	char tmpl[] = "/tmp/test_hostile_secret.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char secret[128], text[256], main_c[256];
	xsnprintf(secret, sizeof(secret), "%s/netrc", tmpl);
	write_text(secret, "machine api.github.com login ghs_SECRETTOKEN1234\n", 0600);
	xsnprintf(text, sizeof(text), "int x;\n#include \"%s\"\n", secret);
	xsnprintf(main_c, sizeof(main_c), "%s/steal.c", f->src);
	write_text(main_c, text, 0644);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "src/steal.c", "-f", "sarif");
	assert_int_equal(f->status, 2);
	assert_null(strstr(f->err_text, "SECRET"));
	assert_null(strstr(f->out_text, "SECRET"));
	assert_null(strstr(f->err_text, "machine"));
	char want[512];
	xsnprintf(want, sizeof(want), "%s:1:1: error: the compiler found an error in "
		  "this file, which is outside the project; its words are not shown\n",
		  secret);
	assert_non_null(strstr(f->err_text, want));

	/* control: inside the project, the compiler's words are shown */
	char inside[128];
	xsnprintf(inside, sizeof(inside), "%s/netrc.h", f->src);
	write_text(inside, "machine api.github.com login ghs_SECRETTOKEN1234\n", 0600);
	write_text(main_c, "int x;\n#include \"netrc.h\"\n", 0644);
	LG(f, "--no-cache", "--no-config", "-r", pool_rules(), "src/steal.c");
	assert_int_equal(f->status, 2);
	assert_non_null(strstr(f->err_text, "'machine'"));
	nftw(tmpl, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s LEAKGATE_BINARY MARKER_SO TESTS_CLI_DIR\n", argv[0]);
		return 2;
	}
	leakgate = realpath(argv[1], NULL);
	marker_so = realpath(argv[2], NULL);
	cli_dir = realpath(argv[3], NULL);
	if (!leakgate || !marker_so || !cli_dir) {
		fprintf(stderr, "%s: cannot find the binary, marker.so or the cli directory\n",
			argv[0]);
		return 2;
	}
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(hostile__control_libclang_obeys_the_writers),
		T(hostile__control_marker_so_marks_when_loaded),
		T(hostile__control_the_compiler_script_marks_when_run),
		T(hostile__flags_in_the_entry_write_and_load_nothing),
		T(hostile__flags_in_a_response_file_write_and_load_nothing),
		T(hostile__flags_after_dashdash_write_and_load_nothing),
		T(hostile__a_shell_command_entry_writes_nothing),
		T(hostile__the_same_flags_are_noted_once),
		T(hostile__response_files_that_never_end_are_refused),
		T(hostile__a_database_that_never_ends_is_refused),
		T(hostile__a_response_file_outside_the_project_is_refused),
		T(hostile__an_entry_outside_the_project_is_refused),
		T(hostile__a_link_out_of_the_project_is_refused),
		T(hostile__the_root_is_the_top_of_the_work_tree),
		T(hostile__errors_in_files_outside_the_project_are_not_quoted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
