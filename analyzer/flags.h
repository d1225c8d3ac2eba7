/*
 * flags.h - which compiler flags leakgate passes to libclang, and why.
 *
 * A compile database comes with the code it describes, and on a pull
 * request both are written by whoever opened it.  libclang obeys the flags
 * it is given: `-MD -MF FILE -MT TEXT` writes TEXT into FILE, `-Xclang
 * -header-include-file`, `-MJ`, `-fmodules-cache-path` write files, and
 * `-fplugin=`, `-Xclang -load` name code to load.  So leakgate passes an
 * allow-list: only the flags that shape how a file parses.
 *
 * Kept (passed to libclang):
 *   - include paths: -I, -isystem, -iquote, -idirafter, -iprefix,
 *     -iwithprefix[before], -iframework, -F, -imacros, -include (passed as
 *     `-Xclang -include -Xclang FILE`, so that clang's driver does not go
 *     looking for FILE.pch or FILE.gch beside it and load that instead),
 *     --sysroot, -isysroot, -resource-dir, --gcc-toolchain=,
 *     --gcc-install-dir=, -nostdinc and its kin;
 *   - macros: -D, -U, -undef;
 *   - language and standard: -x with a C-family language, -std=, -ansi,
 *     -trigraphs, -pthread, -O levels (they define __OPTIMIZE__, which
 *     headers test);
 *   - target: -target, --target=, -arch, -m... (except -mllvm);
 *   - -f options that only change the language (a list below: -fno-builtin,
 *     -fms-extensions, -funsigned-char, -fblocks, -fopenmp, -fPIC, ...);
 *   - warnings: -W... and -w (they decide whether, say, an implicit
 *     declaration is an error), but not -Werror, -Wfatal-errors, -Wp,
 *     -Wa, or -Wl,.
 * Dropped silently (recognised, harmless, and not needed to parse): the
 * modes -c, -S, -E, -fsyntax-only; the usual outputs -o, -M, -MM, -MD,
 * -MMD, -MF, -MT, -MQ, -MP, -MG (and -Wp,-MD,FILE / -Wp,-MMD,FILE); -g...;
 * linker and assembler options (-l, -L, -Wl,, -Xlinker, -shared, ...);
 * code generation and diagnostics -f options from a list (-fstack-protector,
 * -fsanitize=, -fdiagnostics-..., ...); -Werror; -include-pch (the header
 * itself is included as text); positional arguments (sources, objects).
 * Dropped with a note (the caller writes one note per command naming every
 * flag dropped from it): anything that loads code (-fplugin=, -fpass-plugin=,
 * -load, every -Xclang pair but `-Xclang -include`, -mllvm,
 * -Xpreprocessor), writes a file other than the usual outputs (-MJ,
 * --serialize-diagnostics, -ftime-trace, -save-temps, -fprofile...,
 * -fmodules..., -fcrash-diagnostics-dir, -fdump-..., --coverage, ...),
 * reads a configuration (--config, -specs), changes the driver
 * (--driver-mode=, -ccc-...), and every flag not named here (unknown: kept
 * out, never guessed at).
 *
 * Response files (@FILE) are expanded first, as gcc and clang do: read
 * relative to the command's directory, split by whitespace with '...',
 * "..." and backslash quoting, nested up to LG_FLAGS_RSP_DEPTH deep; then
 * every flag they held is filtered like the others.  A response file that
 * cannot be read (or is nested too deep) is dropped with a note.
 *
 * The compiler (argv[0]) is never part of what is filtered and is never run.
 *
 * Ownership: an lg_flags owns its strings; lg_flags_release() frees them.
 */
#ifndef LEAKGATE_FLAGS_H
#define LEAKGATE_FLAGS_H

#include <stdbool.h>

#define LG_FLAGS_RSP_DEPTH 4

struct lg_flags {
	char **argv;      /* the flags kept, in order, for libclang;
			     NULL-terminated */
	int argc;
	char *dropped;    /* every flag dropped, with its argument, printable
			     and on one line: "-MD, -MF deps/a.d, -Xclang -load
			     -Xclang evil.so"; NULL when nothing was dropped */
	bool notable;     /* something dropped deserves a note: it loads
			     code, writes an unusual file, or is unknown */
	char *notables;   /* only the items that deserve a note, as in
			     `dropped` (NULL when none): two commands with
			     the same `notables` deserve the same note */
};

#define LG_FLAGS_INIT { NULL, 0, NULL, false, NULL }

/*
 * Filters a command's flags (without the compiler and without the source
 * file): expands response files found under `directory` (NULL: the current
 * directory), then keeps what the allow-list allows.  The result is a fixed
 * point: filtering `out->argv` again keeps all of it and drops nothing.
 * 0, or -1 when out of memory (`out` is then empty).
 */
int lg_flags_filter(struct lg_flags *out, const char *const *args, int n_args,
		    const char *directory);

void lg_flags_release(struct lg_flags *f);

/*
 * Splits the text of a response file into arguments, as gcc and clang do:
 * whitespace separates; '...' and "..." group (the quotes are removed); a
 * backslash takes the next character as it is, inside quotes too.  On
 * success *argv is a malloc'd NULL-terminated array of malloc'd strings.
 * 0, or -1 when out of memory.
 */
int lg_flags_split(const char *text, char ***argv, int *argc);

/* `s` with control characters shown as '?', for a one-line message;
 * malloc'd (NULL when out of memory). */
char *lg_flags_printable(const char *s);

#endif
