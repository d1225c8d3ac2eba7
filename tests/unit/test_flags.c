/*
 * test_flags.c - the allow-list of compiler flags (analyzer/flags.h).
 *
 * Each test gives lg_flags_filter() a command's flags and states exactly
 * what is kept (what libclang will see), what is listed as dropped, and
 * whether the drop deserves a note.  Response files are written into a
 * fresh temporary directory per test.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "flags.h"

/* ---- helpers ---------------------------------------------------------------- */

struct fx {
	char dir[64];          /* a temporary directory for response files */
	struct lg_flags out;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_flags.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
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
	lg_flags_release(&f->out);
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void write_in(struct fx *f, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Filters the NULL-terminated `args` (in f->dir) into f->out. */
static void run_in(struct fx *f, const char *const *args)
{
	int n = 0;
	while (args[n])
		n++;
	lg_flags_release(&f->out);
	assert_int_equal(lg_flags_filter(&f->out, args, n, f->dir), 0);
	assert_non_null(f->out.argv);
	assert_null(f->out.argv[f->out.argc]);
}

#define FILTER(f, ...) run_in((f), (const char *const[]){ __VA_ARGS__, NULL })

/* The kept flags, joined by '|', for one comparison. */
static const char *kept(struct fx *f)
{
	static char buf[4096];
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < f->out.argc; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "|" : "",
				      f->out.argv[i]);
	return buf;
}

static const char *dropped(struct fx *f)
{
	return f->out.dropped ? f->out.dropped : "";
}

/* One flag (with its value) that must be dropped with a note. */
static void expect_noted(struct fx *f, const char *const *args, const char *listed)
{
	run_in(f, args);
	if (f->out.argc != 0 || !f->out.notable || strcmp(dropped(f), listed) != 0)
		fail_msg("'%s': kept '%s', dropped '%s', notable %d", listed, kept(f),
			 dropped(f), f->out.notable);
}

#define NOTED(f, listed, ...) \
	expect_noted((f), (const char *const[]){ __VA_ARGS__, NULL }, (listed))

/* ---- what shapes parsing is kept --------------------------------------------- */

static void flags__parsing_flags_are_kept_as_given(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-I", "inc", "-Iinc2", "-isystem", "/sys", "-iquote", "q", "-idirafter",
	       "a", "-imacros", "m.h", "-DX=1", "-D", "Y", "-UZ", "-undef", "-std=gnu11",
	       "-ansi", "-x", "c", "-xc-header", "-target", "x86_64-linux-gnu",
	       "--target=aarch64-linux-gnu", "-m64", "-march=x86-64-v2", "-mno-sse4",
	       "-O2", "-Os", "-pthread", "-Wall", "-Wno-error=unused", "-w", "-pedantic",
	       "-fno-builtin", "-fno-builtin-malloc", "-fms-extensions",
	       "-funsigned-char", "-fshort-enums", "-fblocks", "-fopenmp",
	       "-fgnu89-inline", "-fPIC", "-nostdinc", "--sysroot=/s", "-isysroot",
	       "/s2", "-resource-dir", "/r");
	assert_string_equal(kept(f),
		"-I|inc|-Iinc2|-isystem|/sys|-iquote|q|-idirafter|a|-imacros|m.h|-DX=1|-D|Y|"
		"-UZ|-undef|-std=gnu11|-ansi|-x|c|-xc-header|-target|x86_64-linux-gnu|"
		"--target=aarch64-linux-gnu|-m64|-march=x86-64-v2|-mno-sse4|-O2|-Os|"
		"-pthread|-Wall|-Wno-error=unused|-w|-pedantic|-fno-builtin|"
		"-fno-builtin-malloc|-fms-extensions|-funsigned-char|-fshort-enums|"
		"-fblocks|-fopenmp|-fgnu89-inline|-fPIC|-nostdinc|--sysroot=/s|-isysroot|"
		"/s2|-resource-dir|/r");
	assert_null(f->out.dropped);
	assert_false(f->out.notable);
}

/* The driver would look for a.h.pch or a.h.gch beside a.h and load that
 * (a binary file a pull request can supply); cc1's -include does not. */
static void flags__include_is_passed_past_the_pch_probe(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-include", "a.h", "-includeb.h", "-Xclang", "-include", "-Xclang", "c.h");
	assert_string_equal(kept(f), "-Xclang|-include|-Xclang|a.h|-Xclang|-include|-Xclang|b.h|"
				     "-Xclang|-include|-Xclang|c.h");
	assert_false(f->out.notable);
}

/* The value of a kept flag is never read as a flag of its own. */
static void flags__a_value_that_looks_like_a_flag_stays_a_value(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-D", "-fplugin=x.so", "-MF", "-fplugin=y.so");
	assert_string_equal(kept(f), "-D|-fplugin=x.so");
	assert_string_equal(dropped(f), "-MF -fplugin=y.so");
	assert_false(f->out.notable);
}

static void flags__a_flag_without_its_value_is_dropped(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-DA", "-I");
	assert_string_equal(kept(f), "-DA");
	assert_string_equal(dropped(f), "-I");
	assert_false(f->out.notable);
	FILTER(f, "-include");
	assert_string_equal(kept(f), "");
}

/* ---- the usual outputs and modes: dropped without a note --------------------- */

static void flags__usual_outputs_are_dropped_quietly(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-c", "-o", "obj/a.o", "-MD", "-MF", "deps/a.d", "-MT", "obj/a.o", "-MQ",
	       "q", "-MMD", "-MP", "-g", "-ggdb3", "-O2", "-Wall", "-Werror", "-Werror=format",
	       "-Wp,-MMD,deps/.a.d", "-fstack-protector-strong", "-fsanitize=address",
	       "-fdiagnostics-color=always", "-pipe", "-fsyntax-only", "-E", "-S",
	       "-Wl,-rpath,/x", "-lm", "-L", "/lib", "-include-pch", "x.pch", "a.c", "b.o");
	assert_string_equal(kept(f), "-O2|-Wall");
	assert_false(f->out.notable);
	assert_string_equal(dropped(f),
		"-c, -o obj/a.o, -MD, -MF deps/a.d, -MT obj/a.o, -MQ q, -MMD, -MP, -g, -ggdb3, "
		"-Werror, -Werror=format, -Wp,-MMD,deps/.a.d, -fstack-protector-strong, "
		"-fsanitize=address, -fdiagnostics-color=always, -pipe, -fsyntax-only, -E, "
		"-S, -Wl,-rpath,/x, -lm, -L /lib, -include-pch x.pch");
}

/* CMake's precompiled headers with clang. */
static void flags__cmake_pch_keeps_its_header_quietly(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-Xclang", "-include-pch", "-Xclang", "/b/cmake_pch.h.pch", "-Xclang",
	       "-include", "-Xclang", "/b/cmake_pch.h", "-Xclang", "-fno-pch-timestamp");
	assert_string_equal(kept(f), "-Xclang|-include|-Xclang|/b/cmake_pch.h");
	assert_false(f->out.notable);
}

/* ---- code loading, unusual outputs, unknown flags: a note --------------------- */

static void flags__code_loaders_are_dropped_with_a_note(void **state)
{
	struct fx *f = *state;
	NOTED(f, "-fplugin=/p/x.so", "-fplugin=/p/x.so");
	NOTED(f, "-fplugin-arg-x-y", "-fplugin-arg-x-y");
	NOTED(f, "-fpass-plugin=/p/x.so", "-fpass-plugin=/p/x.so");
	NOTED(f, "-Xclang -load -Xclang /p/x.so", "-Xclang", "-load", "-Xclang", "/p/x.so");
	NOTED(f, "-Xclang -plugin -Xclang p", "-Xclang", "-plugin", "-Xclang", "p");
	NOTED(f, "-Xclang -add-plugin -Xclang p", "-Xclang", "-add-plugin", "-Xclang", "p");
	NOTED(f, "-Xclang -plugin-arg-p -Xclang v", "-Xclang", "-plugin-arg-p", "-Xclang", "v");
	NOTED(f, "-load /p/x.so", "-load", "/p/x.so");
	NOTED(f, "-mllvm -load=/p/x.so", "-mllvm", "-load=/p/x.so");
	NOTED(f, "-Xpreprocessor -MD", "-Xpreprocessor", "-MD");
	NOTED(f, "-Xclang -fcolor-diagnostics", "-Xclang", "-fcolor-diagnostics");
}

static void flags__unusual_outputs_are_dropped_with_a_note(void **state)
{
	struct fx *f = *state;
	NOTED(f, "-MJ m.json", "-MJ", "m.json");
	NOTED(f, "--serialize-diagnostics m.dia", "--serialize-diagnostics", "m.dia");
	NOTED(f, "-ftime-trace=m.json", "-ftime-trace=m.json");
	NOTED(f, "-ftime-trace, -ftime-trace-granularity=0", "-ftime-trace",
	      "-ftime-trace-granularity=0");
	NOTED(f, "-save-temps=obj", "-save-temps=obj");
	NOTED(f, "-save-temps", "-save-temps");
	NOTED(f, "-Xclang -dependency-file -Xclang m.d", "-Xclang", "-dependency-file",
	      "-Xclang", "m.d");
	NOTED(f, "-Xclang -header-include-file -Xclang m.txt", "-Xclang",
	      "-header-include-file", "-Xclang", "m.txt");
	NOTED(f, "-Xclang -ast-dump-file -Xclang m", "-Xclang", "-ast-dump-file", "-Xclang", "m");
	NOTED(f, "-fmodules, -fmodules-cache-path=m", "-fmodules", "-fmodules-cache-path=m");
	NOTED(f, "-fcrash-diagnostics-dir=m", "-fcrash-diagnostics-dir=m");
	NOTED(f, "-fprofile-generate=m", "-fprofile-generate=m");
	NOTED(f, "--coverage", "--coverage");
	NOTED(f, "-Wp,-MF,m", "-Wp,-MF,m");
	NOTED(f, "--config=m.cfg", "--config=m.cfg");
	NOTED(f, "--driver-mode=cl", "--driver-mode=cl");
	NOTED(f, "-x ast", "-x", "ast");
}

/* Every flag not on the list is unknown: dropped, never guessed at. */
static void flags__unknown_flags_are_dropped_with_a_note(void **state)
{
	struct fx *f = *state;
	NOTED(f, "-fno-stringop-truncation", "-fno-stringop-truncation");
	NOTED(f, "--write-dependencies", "--write-dependencies");
	NOTED(f, "--include-directory=x", "--include-directory=x");
}

/* The list names every flag dropped once one deserves a note. */
static void flags__the_note_lists_every_flag_dropped(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-c", "-DX", "-MD", "-MF", "deps/a.d", "-Xclang", "-load", "-Xclang",
	       "evil.so", "-o", "a.o", "a.c");
	assert_string_equal(kept(f), "-DX");
	assert_true(f->out.notable);
	assert_string_equal(dropped(f),
			    "-c, -MD, -MF deps/a.d, -Xclang -load -Xclang evil.so, -o a.o");
	/* what decides whether another command's note says the same */
	assert_string_equal(f->out.notables, "-Xclang -load -Xclang evil.so");
	FILTER(f, "-c", "-DX");
	assert_null(f->out.notables);
}

/* A hostile argument cannot break the note's line (nor start a CI
 * workflow command on the next one), nor make it endless. */
static void flags__the_note_stays_one_short_line(void **state)
{
	struct fx *f = *state;
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '-';
	big[sizeof(big) - 1] = '\0';
	FILTER(f, "-MT", "x\n::error::owned # y", big);
	assert_null(strchr(dropped(f), '\n'));
	char expect[400];
	snprintf(expect, sizeof(expect), "-MT 'x?::error::owned # y', %.120s...", big);
	assert_string_equal(dropped(f), expect);

	const char *many[41];
	for (int i = 0; i < 40; i++)
		many[i] = "-fno-such-flag";
	many[40] = NULL;
	run_in(f, many);
	const char *tail = dropped(f) + strlen(dropped(f)) - strlen(", and 8 more");
	assert_string_equal(tail, ", and 8 more");
}

/* ---- response files ------------------------------------------------------------ */

static void flags__response_files_are_expanded_then_filtered(void **state)
{
	struct fx *f = *state;
	write_in(f, "r.rsp", "-DA=1 \"-DB=two words\" -MD -MF 'm d'\n@sub/nested.rsp -Iinc\n");
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_in(f, "sub/nested.rsp", "-Xclang -load -Xclang evil.so -DNESTED\n");
	FILTER(f, "-c", "@r.rsp", "-O1");
	assert_string_equal(kept(f), "-DA=1|-DB=two words|-DNESTED|-Iinc|-O1");
	assert_true(f->out.notable);
	assert_string_equal(dropped(f), "-c, -MD, -MF 'm d', -Xclang -load -Xclang evil.so");
}

static void flags__an_unreadable_response_file_is_noted(void **state)
{
	struct fx *f = *state;
	NOTED(f, "@missing.rsp", "@missing.rsp");
	NOTED(f, "@.", "@.");   /* a directory */
}

/* A file that names itself stops LG_FLAGS_RSP_DEPTH files deep. */
static void flags__response_files_nest_a_few_deep(void **state)
{
	struct fx *f = *state;
	write_in(f, "self.rsp", "-DX @self.rsp");
	FILTER(f, "@self.rsp");
	assert_int_equal(f->out.argc, LG_FLAGS_RSP_DEPTH);
	assert_string_equal(dropped(f), "@self.rsp");
	assert_true(f->out.notable);
}

static void flags__split_quotes_as_gcc_and_clang(void **state)
{
	(void)state;
	char **v = NULL;
	int n = 0;
	assert_int_equal(lg_flags_split(" a 'b c'\t\"d\\\"e\" f\\ g '' h\\'i\n'j\\'k'\r\n", &v, &n), 0);
	const char *want[] = { "a", "b c", "d\"e", "f g", "h'i", "j'k" };
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++) {
		assert_string_equal(v[i], want[i]);
		free(v[i]);
	}
	assert_null(v[n]);
	free(v);
	assert_int_equal(lg_flags_split("  \n", &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v[0]);
	free(v);
}

/* ---- the result is a fixed point -------------------------------------------------- */

/* The front end filters what the compile database kept: nothing more may
 * go, and nothing may change. */
static void flags__filtering_twice_changes_nothing(void **state)
{
	struct fx *f = *state;
	FILTER(f, "-c", "-I", "a", "-include", "b.h", "-x", "c", "-D", "-Xclang",
	       "-Xclang", "-load", "-Xclang", "e.so", "-MD", "-MF", "d", "-target", "t",
	       "-O2", "-fno-foo", "-Wall", "-fPIC", "x.c");
	struct lg_flags first = f->out;
	f->out = (struct lg_flags)LG_FLAGS_INIT;
	run_in(f, (const char *const *)first.argv);
	assert_int_equal(f->out.argc, first.argc);
	for (int i = 0; i < first.argc; i++)
		assert_string_equal(f->out.argv[i], first.argv[i]);
	assert_null(f->out.dropped);
	lg_flags_release(&first);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(flags__parsing_flags_are_kept_as_given),
		T(flags__include_is_passed_past_the_pch_probe),
		T(flags__a_value_that_looks_like_a_flag_stays_a_value),
		T(flags__a_flag_without_its_value_is_dropped),
		T(flags__usual_outputs_are_dropped_quietly),
		T(flags__cmake_pch_keeps_its_header_quietly),
		T(flags__code_loaders_are_dropped_with_a_note),
		T(flags__unusual_outputs_are_dropped_with_a_note),
		T(flags__unknown_flags_are_dropped_with_a_note),
		T(flags__the_note_lists_every_flag_dropped),
		T(flags__the_note_stays_one_short_line),
		T(flags__response_files_are_expanded_then_filtered),
		T(flags__an_unreadable_response_file_is_noted),
		T(flags__response_files_nest_a_few_deep),
		T(flags__split_quotes_as_gcc_and_clang),
		T(flags__filtering_twice_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
