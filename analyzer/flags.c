/*
 * flags.c - the allow-list of compiler flags (the policy is in flags.h).
 *
 * Two steps.  expand() replaces each @FILE by the arguments the file holds
 * (as gcc and clang do before they read any option).  filter() then walks
 * the arguments once; each is matched against `rules`, an ordered table
 * (the first rule that matches decides), and is kept, dropped, or dropped
 * with a note.  A handful of flags whose fate depends on their value
 * (-Xclang, -x, -include, -Wp,) have a small function of their own.
 * Nothing here runs a program, writes a file, or prints: the caller gets
 * the kept flags and one printable list of what was dropped.
 */
#include "flags.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RSP_MAX_BYTES (1 << 20)   /* a response file larger is not read */
#define ARGS_MAX (1 << 16)        /* expansion stops growing the list here */
#define NOTE_ITEMS_MAX 32         /* items listed in `dropped`, then "N more" */
#define NOTE_ARG_MAX 120          /* bytes of one argument shown */

/* ---- growing arrays of strings ---------------------------------------------- */

struct strv {
	char **v;
	int n, cap;
	bool oom;
};

static void strv_push(struct strv *s, const char *a)
{
	if (s->oom)
		return;
	if (s->n + 1 >= s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, (size_t)cap * sizeof(*v));
		if (!v) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	char *c = strdup(a);
	if (!c) {
		s->oom = true;
		return;
	}
	s->v[s->n++] = c;
	s->v[s->n] = NULL;
}

static void strv_release(struct strv *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- response files ------------------------------------------------------------ */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int lg_flags_split(const char *text, char ***argv, int *argc)
{
	struct strv out = { 0 };
	size_t n = strlen(text);
	char *tok = malloc(n + 1);
	size_t len = 0;
	if (!tok)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (len == 0 && is_space(c))
			continue;
		if (c == '\\' && i + 1 < n) {
			tok[len++] = text[++i];
			continue;
		}
		if (c == '\'' || c == '"') {
			for (i++; i < n && text[i] != c; i++) {
				if (text[i] == '\\' && i + 1 < n)
					i++;
				tok[len++] = text[i];
			}
			if (i == n)
				break;
			continue;
		}
		if (is_space(c)) {
			tok[len] = '\0';
			strv_push(&out, tok);
			len = 0;
			continue;
		}
		tok[len++] = c;
	}
	if (len) {
		tok[len] = '\0';
		strv_push(&out, tok);
	}
	free(tok);
	if (out.oom) {
		strv_release(&out);
		return -1;
	}
	if (!out.v) {
		out.v = calloc(1, sizeof(*out.v));
		if (!out.v)
			return -1;
	}
	*argv = out.v;
	*argc = out.n;
	return 0;
}

/* The text of response file `name` (relative to `dir`), or NULL when it is
 * not a regular file that can be read, or is too large. */
static char *read_rsp(const char *name, const char *dir)
{
	char *path = NULL;
	if (name[0] == '/' || !dir || !*dir)
		path = strdup(name);
	else if (asprintf(&path, "%s/%s", dir, name) < 0)
		path = NULL;
	if (!path)
		return NULL;
	/* O_NONBLOCK: a FIFO named by a hostile database must not hang us. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *text = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= RSP_MAX_BYTES) {
		size_t size = (size_t)st.st_size, got = 0;
		text = malloc(size + 1);
		while (text && got < size) {
			ssize_t r = read(fd, text + got, size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (text)
			text[got] = '\0';
	}
	close(fd);
	return text;
}

/* Appends `args` to `out`, each @FILE replaced by what it holds (up to
 * LG_FLAGS_RSP_DEPTH files deep).  A file that cannot be read, or one too
 * deep, stays as "@FILE" for the filter to drop. */
static void expand(struct strv *out, const char *const *args, int n,
		   const char *dir, int depth)
{
	for (int i = 0; i < n && !out->oom; i++) {
		const char *a = args[i];
		char *text = NULL;
		if (a[0] == '@' && a[1] && depth < LG_FLAGS_RSP_DEPTH && out->n < ARGS_MAX)
			text = read_rsp(a + 1, dir);
		if (!text) {
			strv_push(out, a);
			continue;
		}
		char **sub = NULL;
		int n_sub = 0;
		if (lg_flags_split(text, &sub, &n_sub) < 0) {
			out->oom = true;
		} else {
			expand(out, (const char *const *)sub, n_sub, dir, depth + 1);
			for (int k = 0; k < n_sub; k++)
				free(sub[k]);
			free(sub);
		}
		free(text);
	}
}

/* ---- what was dropped, as one printable line ----------------------------------- */

/* A string being built. */
struct buf {
	char *s;
	size_t len, cap;
};

struct filter {
	struct strv keep;
	struct buf note;     /* every item dropped */
	struct buf key;      /* the items that deserve a note */
	struct buf *to;      /* where note_put() writes: &note or &key */
	int items, more;     /* items listed; items over NOTE_ITEMS_MAX */
	int key_items;
	bool notable;
	bool oom;
};

static void note_put(struct filter *f, const char *s, size_t n)
{
	struct buf *b = f->to;
	if (f->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			f->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

char *lg_flags_printable(const char *s)
{
	char *out = strdup(s);
	for (char *p = out; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

/* One argument as the note shows it: control characters as '?', cut after
 * NOTE_ARG_MAX bytes, in single quotes when it holds blanks or quotes. */
static void note_arg(struct filter *f, const char *a)
{
	size_t n = strlen(a);
	bool cut = n > NOTE_ARG_MAX;
	if (cut) {
		n = NOTE_ARG_MAX;
		while (n > 0 && ((unsigned char)a[n] & 0xc0) == 0x80)
			n--;   /* not inside a UTF-8 sequence */
	}
	bool quote = n == 0 || strcspn(a, " \t\n\r'\"\\") < n;
	if (quote)
		note_put(f, "'", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c < 0x20 || c == 0x7f)
			note_put(f, "?", 1);
		else if (quote && (c == '\'' || c == '\\'))
			note_put(f, c == '\'' ? "\\'" : "\\\\", 2);
		else
			note_put(f, a + i, 1);
	}
	if (cut)
		note_put(f, "...", 3);
	if (quote)
		note_put(f, "'", 1);
}

/* ---- the rules -------------------------------------------------------------------- */

enum fate {
	KEEP,     /* passed to libclang */
	DROP,     /* dropped, listed, no note of its own */
	NOTE,     /* dropped, and the command gets a note */
};

enum shape {
	EXACT,          /* the flag alone: -c */
	PREFIX,         /* every flag that starts so: -std=c11, -Wall */
	SEP,            /* the flag, then its value: -target x86_64-linux-gnu */
	JOINED_OR_SEP,  /* -Iinclude or -I include */
};

/* A flag whose fate depends on its value: called with the arguments the
 * rule matched (`n` of them, the value last), it keeps or drops them. */
typedef void (*special_fn)(struct filter *f, const char *const *a, int n);

struct rule {
	const char *name;
	enum shape shape;
	enum fate fate;
	special_fn special;  /* NULL: `fate` decides */
};

static void keep(struct filter *f, const char *const *a, int n)
{
	for (int i = 0; i < n; i++)
		strv_push(&f->keep, a[i]);
}

static void put_item(struct filter *f, const char *const *a, int n, int *items)
{
	if ((*items)++)
		note_put(f, ", ", 2);
	for (int i = 0; i < n; i++) {
		if (i)
			note_put(f, " ", 1);
		note_arg(f, a[i]);
	}
}

static void drop(struct filter *f, const char *const *a, int n, enum fate fate)
{
	if (fate == NOTE) {
		f->notable = true;
		f->to = &f->key;
		if (f->key_items < 8 * NOTE_ITEMS_MAX)
			put_item(f, a, n, &f->key_items);
	}
	f->to = &f->note;
	if (f->items == NOTE_ITEMS_MAX)
		f->more++;
	else
		put_item(f, a, n, &f->items);
}

/* -x LANG: a C-family language is kept; any other (ast, pcm,
 * precompiled-header, ir, ...) would make libclang read the file as
 * something else than source. */
static void x_lang(struct filter *f, const char *const *a, int n)
{
	static const char *const langs[] = {
		"c", "c-header", "cpp-output", "c++", "c++-header", "c++-cpp-output",
		"objective-c", "objective-c-header", "none",
	};
	const char *lang = n == 2 ? a[1] : a[0] + 2;
	for (size_t i = 0; i < sizeof(langs) / sizeof(*langs); i++)
		if (strcmp(lang, langs[i]) == 0) {
			keep(f, a, n);
			return;
		}
	drop(f, a, n, NOTE);
}

/* -include FILE is passed as `-Xclang -include -Xclang FILE`: the same
 * include, but clang's driver does not look for FILE.pch or FILE.gch beside
 * FILE and load that in its place (a binary AST file, which a pull request
 * could supply). */
static void include(struct filter *f, const char *const *a, int n)
{
	const char *file = n == 2 ? a[1] : a[0] + strlen("-include");
	const char *v[] = { "-Xclang", "-include", "-Xclang", file };
	keep(f, v, 4);
}

/* -Wp,-MD,FILE and -Wp,-MMD,FILE are the usual dependency files (the Linux
 * kernel's); any other -Wp, hands options to the preprocessor unseen. */
static void wp(struct filter *f, const char *const *a, int n)
{
	bool deps = strncmp(a[0], "-Wp,-MD,", 8) == 0 || strncmp(a[0], "-Wp,-MMD,", 9) == 0;
	drop(f, a, n, deps ? DROP : NOTE);
}

/* Parsing: kept. */
#define K(name, shape) { name, shape, KEEP, NULL }
/* Recognised, harmless, not needed: dropped without a note. */
#define D(name, shape) { name, shape, DROP, NULL }
/* Loads code, writes an unusual file, or changes the driver: a note. */
#define N(name, shape) { name, shape, NOTE, NULL }

/* -Xclang is matched by xclang() before this table. */
static const struct rule rules[] = {
	/* include paths */
	K("-I", JOINED_OR_SEP),
	K("-isystem-after", JOINED_OR_SEP),
	K("-isystem", JOINED_OR_SEP),
	K("-iquote", JOINED_OR_SEP),
	K("-idirafter", JOINED_OR_SEP),
	K("-iwithprefixbefore", JOINED_OR_SEP),
	K("-iwithprefix", JOINED_OR_SEP),
	K("-iprefix", JOINED_OR_SEP),
	K("-iframework", JOINED_OR_SEP),
	K("-F", JOINED_OR_SEP),
	D("-include-pch", SEP),
	{ "-include", JOINED_OR_SEP, KEEP, include },
	K("-imacros", JOINED_OR_SEP),
	K("-isysroot", JOINED_OR_SEP),
	K("--sysroot=", PREFIX),
	K("--sysroot", SEP),
	K("-resource-dir=", PREFIX),
	K("-resource-dir", SEP),
	K("--gcc-toolchain=", PREFIX),
	K("--gcc-install-dir=", PREFIX),
	K("-nostdinc", EXACT),
	K("-nostdinc++", EXACT),
	K("-nostdlibinc", EXACT),
	K("-nobuiltininc", EXACT),
	/* macros */
	K("-D", JOINED_OR_SEP),
	K("-U", JOINED_OR_SEP),
	K("-undef", EXACT),
	/* language and standard */
	{ "-x", JOINED_OR_SEP, KEEP, x_lang },
	K("-std=", PREFIX),
	K("--std=", PREFIX),
	K("-ansi", EXACT),
	K("-trigraphs", EXACT),
	K("-pthread", EXACT),
	K("-O", PREFIX),
	/* target */
	K("-target", SEP),
	K("--target=", PREFIX),
	K("-arch", SEP),
	N("-mllvm", SEP),
	K("-m", PREFIX),
	/* warnings: kept, but none turns a warning into an error */
	D("-Werror", EXACT),
	D("-Werror=", PREFIX),
	D("-Werror-implicit-function-declaration", EXACT),
	D("-Wfatal-errors", EXACT),
	D("-pedantic-errors", EXACT),
	D("-Wl,", PREFIX),
	D("-Wa,", PREFIX),
	{ "-Wp,", PREFIX, NOTE, wp },
	K("-W", PREFIX),
	K("-w", EXACT),
	K("-pedantic", EXACT),
	/* modes and the usual outputs */
	D("-c", EXACT),
	D("-S", EXACT),
	D("-E", EXACT),
	D("-fsyntax-only", EXACT),
	D("-o", JOINED_OR_SEP),
	D("-M", EXACT),
	D("-MM", EXACT),
	D("-MD", EXACT),
	D("-MMD", EXACT),
	D("-MP", EXACT),
	D("-MG", EXACT),
	D("-MV", EXACT),
	D("-MF", JOINED_OR_SEP),
	D("-MT", JOINED_OR_SEP),
	D("-MQ", JOINED_OR_SEP),
	N("-MJ", JOINED_OR_SEP),
	D("-g", PREFIX),
	D("-pipe", EXACT),
	D("-v", EXACT),
	D("-###", EXACT),
	D("-Qunused-arguments", EXACT),
	D("-H", EXACT),
	D("-C", EXACT),
	D("-CC", EXACT),
	D("-P", EXACT),
	/* linking and assembling, which libclang never does */
	N("-load", SEP),
	D("-l", JOINED_OR_SEP),
	D("-L", JOINED_OR_SEP),
	D("-T", JOINED_OR_SEP),
	D("-B", JOINED_OR_SEP),
	D("-Xlinker", SEP),
	D("-Xassembler", SEP),
	D("-shared", EXACT),
	D("-static", EXACT),
	D("-static-libgcc", EXACT),
	D("-rdynamic", EXACT),
	D("-nostdlib", EXACT),
	D("-nostartfiles", EXACT),
	D("-nodefaultlibs", EXACT),
	D("-pie", EXACT),
	D("-no-pie", EXACT),
	D("-s", EXACT),
	D("-fuse-ld=", PREFIX),
	/* other programs' options, configurations, the driver itself */
	N("-Xpreprocessor", SEP),
	N("-Xanalyzer", SEP),
	N("--config=", PREFIX),
	N("--config", SEP),
	N("--driver-mode=", PREFIX),
	N("-ccc-", PREFIX),
	N("-specs=", PREFIX),
	N("--specs=", PREFIX),
	N("-specs", SEP),
	/* outputs other than the usual */
	N("--serialize-diagnostics", SEP),
	N("-save-temps", PREFIX),
	N("-aux-info", SEP),
	N("-dumpdir", SEP),
	N("-dumpbase", SEP),
	N("--coverage", EXACT),
	/* -f: code loading and unusual outputs first */
	N("-fplugin", PREFIX),
	N("-fpass-plugin", PREFIX),
	N("-ftime-trace", PREFIX),
	N("-fprofile", PREFIX),
	N("-fcs-profile", PREFIX),
	N("-fcrash-diagnostics", PREFIX),
	N("-fmodule", PREFIX),
	N("-fimplicit-module", PREFIX),
	N("-fprebuilt-module", PREFIX),
	N("-fbuild-session", PREFIX),
	N("-fsave-optimization-record", PREFIX),
	N("-foptimization-record", PREFIX),
	N("-fdump-", PREFIX),
	N("-fstack-usage", EXACT),
	N("-fcallgraph-info", PREFIX),
	N("-fcoverage", PREFIX),
	N("-ftest-coverage", EXACT),
	/* -f: the language */
	K("-fno-builtin", PREFIX),        /* and -fno-builtin-FUNCTION */
	K("-fbuiltin", EXACT),
	K("-ffreestanding", EXACT),
	K("-fhosted", EXACT),
	K("-fms-extensions", EXACT),
	K("-fno-ms-extensions", EXACT),
	K("-fms-compatibility", EXACT),
	K("-fno-ms-compatibility", EXACT),
	K("-fms-compatibility-version=", PREFIX),
	K("-fgnu89-inline", EXACT),
	K("-fno-gnu89-inline", EXACT),
	K("-fgnu-keywords", EXACT),
	K("-fno-gnu-keywords", EXACT),
	K("-fasm", EXACT),
	K("-fno-asm", EXACT),
	K("-fgnuc-version=", PREFIX),
	K("-funsigned-char", EXACT),
	K("-fno-unsigned-char", EXACT),
	K("-fsigned-char", EXACT),
	K("-fno-signed-char", EXACT),
	K("-fshort-enums", EXACT),
	K("-fno-short-enums", EXACT),
	K("-fshort-wchar", EXACT),
	K("-fno-short-wchar", EXACT),
	K("-fblocks", EXACT),
	K("-fno-blocks", EXACT),
	K("-fopenmp", EXACT),
	K("-fopenmp=", PREFIX),
	K("-fopenmp-simd", EXACT),
	K("-fopenmp-version=", PREFIX),
	K("-fno-openmp", EXACT),
	K("-fdollars-in-identifiers", EXACT),
	K("-fno-dollars-in-identifiers", EXACT),
	K("-fdeclspec", EXACT),
	K("-fno-declspec", EXACT),
	K("-fpascal-strings", EXACT),
	K("-fno-pascal-strings", EXACT),
	K("-ftrigraphs", EXACT),
	K("-fno-trigraphs", EXACT),
	K("-fcommon", EXACT),
	K("-fno-common", EXACT),
	K("-fwrapv", EXACT),
	K("-fno-wrapv", EXACT),
	K("-ffast-math", EXACT),             /* __FAST_MATH__ */
	K("-fno-fast-math", EXACT),
	K("-ffinite-math-only", EXACT),      /* __FINITE_MATH_ONLY__ */
	K("-fno-finite-math-only", EXACT),
	K("-fmath-errno", EXACT),
	K("-fno-math-errno", EXACT),
	K("-fPIC", EXACT),                   /* __PIC__ */
	K("-fpic", EXACT),
	K("-fPIE", EXACT),
	K("-fpie", EXACT),
	K("-fno-PIC", EXACT),
	K("-fno-pic", EXACT),
	K("-fno-PIE", EXACT),
	K("-fno-pie", EXACT),
	K("-fexceptions", EXACT),
	K("-fno-exceptions", EXACT),
	K("-fno-inline", EXACT),             /* __NO_INLINE__ */
	K("-fpack-struct", EXACT),
	K("-fpack-struct=", PREFIX),
	K("-fmax-type-align=", PREFIX),
	K("-fstrict-flex-arrays=", PREFIX),
	K("-fbracket-depth=", PREFIX),
	K("-finput-charset=", PREFIX),
	K("-fexec-charset=", PREFIX),
	K("-fmacro-prefix-map=", PREFIX),    /* __FILE__ */
	K("-ffile-prefix-map=", PREFIX),
	/* -f: code generation and diagnostics */
	D("-fdiagnostics-", PREFIX),
	D("-fno-diagnostics-", PREFIX),
	D("-fcolor-diagnostics", EXACT),
	D("-fno-color-diagnostics", EXACT),
	D("-fansi-escape-codes", EXACT),
	D("-fcaret-diagnostics", EXACT),
	D("-fno-caret-diagnostics", EXACT),
	D("-fshow-", PREFIX),
	D("-fno-show-", PREFIX),
	D("-fmessage-length=", PREFIX),
	D("-ferror-limit=", PREFIX),
	D("-fmacro-backtrace-limit=", PREFIX),
	D("-ftemplate-backtrace-limit=", PREFIX),
	D("-fsanitize", PREFIX),
	D("-fno-sanitize", PREFIX),
	D("-fstack-protector", PREFIX),
	D("-fno-stack-protector", PREFIX),
	D("-fstack-clash-protection", EXACT),
	D("-fno-stack-clash-protection", EXACT),
	D("-fcf-protection", PREFIX),
	D("-fvisibility", PREFIX),
	D("-fomit-frame-pointer", EXACT),
	D("-fno-omit-frame-pointer", EXACT),
	D("-ffunction-sections", EXACT),
	D("-fno-function-sections", EXACT),
	D("-fdata-sections", EXACT),
	D("-fno-data-sections", EXACT),
	D("-fstrict-aliasing", EXACT),
	D("-fno-strict-aliasing", EXACT),
	D("-fstrict-overflow", EXACT),
	D("-fno-strict-overflow", EXACT),
	D("-fasynchronous-unwind-tables", EXACT),
	D("-fno-asynchronous-unwind-tables", EXACT),
	D("-funwind-tables", EXACT),
	D("-fno-unwind-tables", EXACT),
	D("-fplt", EXACT),
	D("-fno-plt", EXACT),
	D("-fsemantic-interposition", EXACT),
	D("-fno-semantic-interposition", EXACT),
	D("-fdelete-null-pointer-checks", EXACT),
	D("-fno-delete-null-pointer-checks", EXACT),
	D("-ftrapv", EXACT),
	D("-finline", PREFIX),
	D("-fno-inline-", PREFIX),
	D("-flto", PREFIX),
	D("-fno-lto", EXACT),
	D("-fdebug-", PREFIX),
	D("-fno-debug-", PREFIX),
	D("-fstandalone-debug", EXACT),
	D("-fno-standalone-debug", EXACT),
	D("-fident", EXACT),
	D("-fno-ident", EXACT),
	D("-ffp-contract=", PREFIX),
	D("-ffp-model=", PREFIX),
	D("-fexcess-precision=", PREFIX),
	D("-ftrapping-math", EXACT),
	D("-fno-trapping-math", EXACT),
	D("-fno-signed-zeros", EXACT),
	D("-fjump-tables", EXACT),
	D("-fno-jump-tables", EXACT),
	D("-fzero-initialized-in-bss", EXACT),
	D("-fno-zero-initialized-in-bss", EXACT),
	D("-fmerge-all-constants", EXACT),
	D("-fno-merge-all-constants", EXACT),
	D("-fpatchable-function-entry=", PREFIX),
	D("-ftls-model=", PREFIX),
	D("-fpcc-struct-return", EXACT),
	D("-freg-struct-return", EXACT),
	D("-foptimize-sibling-calls", EXACT),
	D("-fno-optimize-sibling-calls", EXACT),
	D("-funroll-loops", EXACT),
	D("-fno-unroll-loops", EXACT),
	D("-fvectorize", EXACT),
	D("-fno-vectorize", EXACT),
	D("-fslp-vectorize", EXACT),
	D("-fno-slp-vectorize", EXACT),
	D("-ftree-vectorize", EXACT),
	D("-fno-tree-vectorize", EXACT),
	D("-fverbose-asm", EXACT),
	D("-fno-verbose-asm", EXACT),
	D("-frecord-gcc-switches", EXACT),
	D("-fno-record-gcc-switches", EXACT),
	D("-frecord-command-line", EXACT),
	D("-fno-record-command-line", EXACT),
	D("-fintegrated-as", EXACT),
	D("-fno-integrated-as", EXACT),
	D("-faddrsig", EXACT),
	D("-fno-addrsig", EXACT),
	D("-fno-rtti", EXACT),
	D("-fno-threadsafe-statics", EXACT),
};

#undef K
#undef D
#undef N

/* How many arguments from a[0] the rule takes (0: it does not match). */
static int match(const struct rule *r, const char *const *a, int left)
{
	size_t len = strlen(r->name);
	switch (r->shape) {
	case EXACT:
		return strcmp(a[0], r->name) == 0;
	case PREFIX:
		return strncmp(a[0], r->name, len) == 0;
	case SEP:
		if (strcmp(a[0], r->name) != 0)
			return 0;
		return left > 1 ? 2 : 1;
	case JOINED_OR_SEP:
		if (strncmp(a[0], r->name, len) != 0)
			return 0;
		return a[0][len] || left < 2 ? 1 : 2;
	}
	return 0;
}

/* Options of clang's front end (cc1) that take their value as the next
 * argument: after -Xclang, their value comes as `-Xclang VALUE`. */
static bool cc1_takes_value(const char *a)
{
	static const char *const with_value[] = {
		"-load", "-plugin", "-add-plugin", "-dependency-file",
		"-header-include-file", "-include-pch", "-include", "-MT", "-MQ",
		"-ast-dump-file", "-main-file-name", "-module-dependency-dir",
		"-diagnostic-log-file", "-dependency-dot", "-o", "-triple",
		"-target-cpu", "-target-feature", "-stack-protector",
		"-serialize-diagnostic-file", "-mllvm",
	};
	for (size_t i = 0; i < sizeof(with_value) / sizeof(*with_value); i++)
		if (strcmp(a, with_value[i]) == 0)
			return true;
	return strncmp(a, "-plugin-arg-", 12) == 0;
}

/* -Xclang OPTION hands OPTION to clang's front end, past every check of the
 * driver: none is kept but `-Xclang -include -Xclang FILE` (what -include
 * becomes here, and what CMake writes for precompiled headers).  CMake's
 * own -include-pch and -fno-pch-timestamp are dropped without a note; every
 * other pair gets one.  Returns the number of arguments taken. */
static int xclang(struct filter *f, const char *const *a, int left)
{
	if (left < 2) {
		drop(f, a, 1, DROP);
		return 1;
	}
	const char *opt = a[1];
	bool pair = cc1_takes_value(opt) && left >= 4 && strcmp(a[2], "-Xclang") == 0;
	int n = pair ? 4 : 2;
	if (pair && strcmp(opt, "-include") == 0)
		keep(f, a, 4);
	else if ((pair && strcmp(opt, "-include-pch") == 0) ||
		 strcmp(opt, "-fno-pch-timestamp") == 0)
		drop(f, a, n, DROP);
	else
		drop(f, a, n, NOTE);
	return n;
}

/* One flag (and its value): kept or dropped.  The number of arguments
 * taken. */
static int filter_one(struct filter *f, const char *const *a, int left)
{
	if (strcmp(a[0], "-Xclang") == 0)
		return xclang(f, a, left);
	if (a[0][0] != '-' || a[0][1] == '\0') {
		/* A source, an object, a library, "-": not a flag.  An @FILE
		 * left here could not be read (or was nested too deep). */
		if (a[0][0] == '@')
			drop(f, a, 1, NOTE);
		return 1;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		int n = match(&rules[i], a, left);
		if (!n)
			continue;
		const struct rule *r = &rules[i];
		bool no_value = n == 1 && (r->shape == SEP ||
					   (r->shape == JOINED_OR_SEP && strcmp(a[0], r->name) == 0));
		if (no_value)   /* the last argument, its value missing */
			drop(f, a, 1, r->fate == KEEP ? DROP : r->fate);
		else if (r->special)
			r->special(f, a, n);
		else if (r->fate == KEEP)
			keep(f, a, n);
		else
			drop(f, a, n, r->fate);
		return n;
	}
	drop(f, a, 1, NOTE);   /* unknown: out */
	return 1;
}

int lg_flags_filter(struct lg_flags *out, const char *const *args, int n_args,
		    const char *directory)
{
	struct strv all = { 0 };
	struct filter f = { 0 };
	*out = (struct lg_flags)LG_FLAGS_INIT;

	f.to = &f.note;
	expand(&all, args, n_args, directory, 0);
	for (int i = 0; i < all.n && !all.oom;)
		i += filter_one(&f, (const char *const *)all.v + i, all.n - i);
	if (f.more) {
		char more[48];
		snprintf(more, sizeof(more), ", and %d more", f.more);
		f.to = &f.note;
		note_put(&f, more, strlen(more));
	}
	/* An empty list still ends in NULL. */
	if (!f.keep.v && !f.keep.oom) {
		f.keep.v = calloc(1, sizeof(*f.keep.v));
		f.keep.oom = !f.keep.v;
	}
	bool oom = all.oom || f.keep.oom || f.oom;
	strv_release(&all);
	if (oom) {
		strv_release(&f.keep);
		free(f.note.s);
		free(f.key.s);
		return -1;
	}
	out->argv = f.keep.v;
	out->argc = f.keep.n;
	out->dropped = f.note.s;
	out->notable = f.notable;
	out->notables = f.key.s;
	return 0;
}

void lg_flags_release(struct lg_flags *f)
{
	for (int i = 0; i < f->argc; i++)
		free(f->argv[i]);
	free(f->argv);
	free(f->dropped);
	free(f->notables);
	*f = (struct lg_flags)LG_FLAGS_INIT;
}
