/*
 * review.c - leakgate-review: leakgate's findings as a GitHub pull-request
 * review.
 *
 * The CI wrapper (ci/leakgate-ci) runs `leakgate --format json:FILE` at the
 * root of the repository and then this program, which reads FILE and makes
 * the pull request show it: one review whose body summarises the run, and
 * one line comment per finding, on the finding's line, with the path and the
 * fix.  A second run on the same pull request updates what the first one
 * posted instead of piling up reviews:
 *
 *   - no earlier leakgate review, findings:  POST one review, COMMENT event,
 *     with every finding's comment in it;
 *   - no earlier review, no findings:        nothing is posted;
 *   - an earlier review:                     PUT its body, DELETE each of
 *     its author's leakgate comments whose marker no finding has any more
 *     (or that GitHub shows as outdated), POST a comment for each finding
 *     that has none.
 *
 * Markers, invisible HTML comments on a line of their own, tie the posts to
 * the findings:
 *
 *   review body:   <!-- leakgate-review -->
 *   line comment:  <!-- leakgate:FINGERPRINT:FILE:LINE -->
 *
 * A marker counts only at the start of a line, so a reply that quotes it
 * ("> <!-- ...") is never taken for leakgate's own.  FILE is the path as
 * written, except that '%', control characters and every '-' of a run of
 * two or more are percent-encoded (an HTML comment must not contain "--").
 *
 * The token: read from GITHUB_TOKEN only (a --token option is refused: argv
 * is visible to every user of the machine and often echoed in CI logs),
 * given to libcurl through a header list built in memory, sent only to the
 * API URL's host (redirects are never followed: a 3xx is an error), never
 * printed and never written anywhere.  Every message this program prints
 * passes through one sink that replaces any occurrence of the token, so
 * even a server that echoes it back cannot make it show in a log.  Plain
 * http is accepted only for a loopback API URL.
 *
 * Requests: a 5xx answer or a transport failure is retried 3 times, after
 * LEAKGATE_REVIEW_RETRY_MS (default 1000) milliseconds, then twice and four
 * times that; a 4xx fails at once with GitHub's message.  A retried POST
 * that GitHub had in fact carried out leaves a duplicate comment; the next
 * run deletes it (only one comment per marker is kept).
 *
 * Left out: reading the diff.  GitHub refuses (422) a line comment on a line
 * that the pull request's diff does not show; leakgate's diff filter is
 * expected to have kept only findings in the change, and a 422 is reported
 * as an error like any other.
 *
 * The pull request is named by --repo, --pr and --commit, or by --event
 * $GITHUB_EVENT_PATH (what ci/leakgate-ci passes): the pull_request event
 * that GitHub Actions writes, which holds all three; options given
 * explicitly win over the event.
 *
 * Exit status: 0 when the pull request shows the findings, 2 on any failure
 * with one line on standard error, "leakgate-review: error: ...".  Nothing
 * but main() prints or exits; every function below returns 0 or -1 and
 * leaves its message in a struct lr_err.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#define PROG "leakgate-review"
#define REVIEW_MARKER "<!-- leakgate-review -->"
#define COMMENT_MARKER_PREFIX "<!-- leakgate:"
#define MARKER_SUFFIX " -->"
#define DEFAULT_API_URL "https://api.github.com"
#define PER_PAGE 100
#define MAX_PAGES 1000                /* 100,000 reviews or comments */
#define MAX_RETRIES 3
#define MAX_RESPONSE (64u << 20)      /* bytes of one answer */
#define MAX_SUMMARY 60000             /* bytes of --summary-file kept;
					 GitHub's bodies stop at 65536 */

/* ---- errors as values ----------------------------------------------------- */

/* The first failure of a run, one line. */
struct lr_err {
	char msg[2048];
};

static int lr_fail(struct lr_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets the message; returns -1 so that `return lr_fail(e, ...)` reads as
 * "fail with this message". */
static int lr_fail(struct lr_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *str_field(json_t *o, const char *key);

/* ---- the command line and the environment -------------------------------- */

struct lr_opts {
	const char *findings;     /* --findings FILE */
	const char *repo;         /* --repo OWNER/NAME */
	long pr;                  /* --pr NUMBER */
	const char *commit;       /* --commit SHA */
	const char *api_url;      /* --api-url, $GITHUB_API_URL, or github.com */
	const char *summary_file; /* --summary-file, or NULL */
	const char *event;        /* --event FILE: $GITHUB_EVENT_PATH, or NULL */
	json_t *event_doc;        /* that file parsed; owns what repo and
				     commit may point to */
	char pr_text[32];         /* the event's pull request number */
	const char *token;        /* $GITHUB_TOKEN (the environment's memory) */
	long retry_ms;            /* $LEAKGATE_REVIEW_RETRY_MS, default 1000 */
	int help;                 /* --help */
};

static const char usage_text[] =
"usage: " PROG " --findings FILE --repo OWNER/NAME --pr NUMBER --commit SHA\n"
"                       [--api-url URL] [--summary-file MARKDOWN_FILE]\n"
"       " PROG " --findings FILE --event GITHUB_EVENT_PATH [...]\n"
"\n"
"Posts leakgate's JSON findings (leakgate --format json:FILE) as a review of\n"
"the pull request, or updates the review an earlier run posted.\n"
"\n"
"  --findings FILE        leakgate's JSON report\n"
"  --repo OWNER/NAME      the repository\n"
"  --pr NUMBER            the pull request\n"
"  --commit SHA           the commit that was analysed (the PR's head)\n"
"  --event FILE           a pull_request event (GitHub Actions writes it to\n"
"                         $GITHUB_EVENT_PATH): the repository, the pull\n"
"                         request and its head commit, where the three\n"
"                         options above are not given\n"
"  --api-url URL          default: $GITHUB_API_URL, else " DEFAULT_API_URL "\n"
"  --summary-file FILE    Markdown added to the review's body\n"
"  --help                 print this help and exit\n"
"\n"
"Environment: GITHUB_TOKEN (required; never accepted on the command line),\n"
"GITHUB_API_URL, LEAKGATE_REVIEW_RETRY_MS (delay before the first retry,\n"
"default 1000).\n"
"Exit status: 0 done, 2 error.\n";

/* OWNER/NAME, each made of GitHub's name characters, neither "." nor "..". */
static int repo_valid(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!slash || strchr(slash + 1, '/'))
		return 0;
	for (const char *p = s; *p; p++)
		if (p != slash && !isalnum((unsigned char)*p) && !strchr("._-", *p))
			return 0;
	size_t owner = (size_t)(slash - s), name = strlen(slash + 1);
	if (owner == 0 || name == 0)
		return 0;
	if ((owner <= 2 && strspn(s, ".") == owner) ||
	    (name <= 2 && strspn(slash + 1, ".") == name))
		return 0;
	return 1;
}

/* A full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits. */
static int sha_valid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return s[n] == '\0' && (n == 40 || n == 64);
}

/* A decimal number in [lo, hi], nothing else. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Prints an option as the user wrote it, without what follows '='. */
static int opt_name_len(const char *arg)
{
	size_t n = strcspn(arg, "=");

	return n > 64 ? 64 : (int)n;
}

/* What --repo, --pr and --commit leave unsaid, from a pull_request (or
 * pull_request_target) event: repository.full_name, pull_request.number
 * and pull_request.head.sha. */
static int opts_event(struct lr_opts *o, const char **pr, struct lr_err *e)
{
	json_error_t je;

	o->event_doc = json_load_file(o->event, 0, &je);
	if (!o->event_doc)
		return lr_fail(e, "%s:%d:%d: cannot read the event: %s", o->event, je.line,
			       je.column, je.text);
	json_t *pull = json_object_get(o->event_doc, "pull_request");
	if (!json_is_object(pull))
		return lr_fail(e, "%s: not a pull request's event (no \"pull_request\")", o->event);
	if (!o->repo)
		o->repo = str_field(json_object_get(o->event_doc, "repository"), "full_name");
	if (!o->commit)
		o->commit = str_field(json_object_get(pull, "head"), "sha");
	json_t *n = json_object_get(pull, "number");
	if (!*pr && json_is_integer(n)) {
		snprintf(o->pr_text, sizeof(o->pr_text), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(n));
		*pr = o->pr_text;
	}
	if (!o->repo || !o->commit || !*pr)
		return lr_fail(e, "%s: the event names no %s", o->event,
			       !o->repo ? "repository.full_name" : !o->commit ? "pull_request.head.sha"
			       : "pull_request.number");
	return 0;
}

static int opts_parse(struct lr_opts *o, int argc, char **argv,
		      struct lr_err *e)
{
	static const struct option longopts[] = {
		{ "findings", required_argument, NULL, 'f' },
		{ "repo", required_argument, NULL, 'r' },
		{ "pr", required_argument, NULL, 'p' },
		{ "commit", required_argument, NULL, 'c' },
		{ "api-url", required_argument, NULL, 'a' },
		{ "summary-file", required_argument, NULL, 's' },
		{ "event", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pr = NULL;

	/* Before getopt, which would accept "--tok" as an abbreviation of
	 * nothing and print the value of "--token=..." in its complaint. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--token", 7) == 0 &&
		    (argv[i][7] == '\0' || argv[i][7] == '=') )
			return lr_fail(e, "--token is not accepted: a command line is visible to "
				       "every user of the machine and is often echoed in CI logs; "
				       "put the token in the GITHUB_TOKEN environment variable");
	}

	opterr = 0;
	optind = 1;
	for (;;) {
		int c = getopt_long(argc, argv, ":", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'f': o->findings = optarg; break;
		case 'r': o->repo = optarg; break;
		case 'p': pr = optarg; break;
		case 'c': o->commit = optarg; break;
		case 'a': o->api_url = optarg; break;
		case 's': o->summary_file = optarg; break;
		case 'e': o->event = optarg; break;
		case 'h': o->help = 1; return 0;
		case ':':
			return lr_fail(e, "option '%.*s' needs a value (see --help)",
				       opt_name_len(argv[optind - 1]), argv[optind - 1]);
		default:
			if (optopt)
				return lr_fail(e, "unknown option '-%c' (see --help)", optopt);
			return lr_fail(e, "unknown option '%.*s' (see --help)",
				       opt_name_len(argv[optind - 1]), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return lr_fail(e, "unexpected argument '%.64s' (see --help)", argv[optind]);
	if (o->event && opts_event(o, &pr, e) != 0)
		return -1;

	if (!o->findings)
		return lr_fail(e, "missing --findings FILE (see --help)");
	if (!o->repo || !pr || !o->commit)
		return lr_fail(e, "missing %s or --event FILE (see --help)",
			       !o->repo ? "--repo OWNER/NAME" : !pr ? "--pr NUMBER" : "--commit SHA");
	if (!repo_valid(o->repo))
		return lr_fail(e, "--repo '%.200s' is not OWNER/NAME", o->repo);
	if (parse_long(pr, 1, INT_MAX, &o->pr) != 0)
		return lr_fail(e, "--pr '%.64s' is not a pull request number", pr);
	if (!sha_valid(o->commit))
		return lr_fail(e, "--commit '%.80s' is not a full commit id (40 or 64 hex digits)",
			       o->commit);
	return 0;
}

/* GITHUB_TOKEN, GITHUB_API_URL and LEAKGATE_REVIEW_RETRY_MS. */
static int opts_env(struct lr_opts *o, struct lr_err *e)
{
	const char *retry = getenv("LEAKGATE_REVIEW_RETRY_MS");

	o->token = getenv("GITHUB_TOKEN");
	if (!o->token || !*o->token)
		return lr_fail(e, "GITHUB_TOKEN is not set; the token is read from the environment only");
	for (const char *p = o->token; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return lr_fail(e, "GITHUB_TOKEN holds a character that cannot be sent in an "
				       "HTTP header (a space, a newline, a control character or "
				       "non-ASCII)");
	if (!o->api_url) {
		o->api_url = getenv("GITHUB_API_URL");
		if (!o->api_url || !*o->api_url)
			o->api_url = DEFAULT_API_URL;
	}
	o->retry_ms = 1000;
	if (retry && *retry && parse_long(retry, 0, 60000, &o->retry_ms) != 0)
		return lr_fail(e, "LEAKGATE_REVIEW_RETRY_MS '%.32s' is not a number of "
			       "milliseconds from 0 to 60000", retry);
	return 0;
}

/* ---- findings --------------------------------------------------------------- */

/* One finding, as the review needs it.  Strings point into the JSON
 * document, which outlives the array. */
struct lr_finding {
	const char *file;        /* relative to the repository root */
	long line;               /* 1-based */
	const char *rule_id;
	const char *message;     /* the headline */
	const char *fingerprint; /* hex */
	json_t *steps;           /* array, or NULL */
	json_t *fix;             /* object, or NULL */
	char *marker;            /* <!-- leakgate:FP:FILE:LINE -->, owned */
	char *comment;           /* the line comment's body, owned */
};

struct lr_findings {
	json_t *doc;             /* the parsed report, owned */
	struct lr_finding *v;
	size_t n;
};

static void lr_findings_release(struct lr_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].marker);
		free(fs->v[i].comment);
	}
	free(fs->v);
	json_decref(fs->doc);
	*fs = (struct lr_findings){ 0 };
}

static const char *str_field(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Appends `s` to `out` with Markdown's meaning taken away: ASCII
 * punctuation that could start markup or HTML (a forged marker included)
 * is backslash-escaped, control characters become spaces. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < ' ' || c == 0x7f)
			fputc(' ', out);
		else if (strchr("\\`*_{}[]<>#+-!|~&$", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
}

/* The longest run of backticks in s. */
static size_t backtick_run(const char *s)
{
	size_t best = 0, run = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* The path as it goes into a marker (see the top of the file). */
static void marker_path(FILE *out, const char *p)
{
	for (size_t i = 0; p[i]; i++) {
		unsigned char c = (unsigned char)p[i];
		int dash_run = c == '-' && ((i > 0 && p[i - 1] == '-') || p[i + 1] == '-');
		if (c == '%' || c < ' ' || c == 0x7f || dash_run)
			fprintf(out, "%%%02X", c);
		else
			fputc(c, out);
	}
}

/* "line N" for a place in the finding's own file, else "FILE:N". */
static void md_place(FILE *out, const struct lr_finding *f, json_t *where)
{
	const char *file = str_field(where, "file");
	json_int_t line = json_integer_value(json_object_get(where, "line"));

	if (file && strcmp(file, f->file) != 0) {
		md_text(out, file);
		fprintf(out, ":%" JSON_INTEGER_FORMAT, line);
	} else {
		fprintf(out, "line %" JSON_INTEGER_FORMAT, line);
	}
}

/*
 * The line comment:
 *
 *   **leakgate:** HEADLINE \[RULE\]
 *
 *   1. line 38: 'conn' acquired here by pool\_acquire()
 *   2. line 47: taking the true branch of ...
 *
 *   Fix: insert before line 48:
 *   ```c
 *   <fix.insert>
 *   ```
 *
 *   <!-- leakgate:FP:FILE:LINE -->
 *
 * (A ```suggestion block would replace the commented line, which this
 * program does not have, so the fix is shown rather than offered.)
 */
static char *comment_body(const struct lr_finding *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	fputs("**leakgate:** ", out);
	md_text(out, f->message);
	if (f->rule_id) {
		fputs(" \\[", out);
		md_text(out, f->rule_id);
		fputs("\\]", out);
	}
	fputs("\n", out);

	size_t n_steps = json_array_size(f->steps);
	if (n_steps)
		fputs("\n", out);
	for (size_t i = 0; i < n_steps; i++) {
		json_t *step = json_array_get(f->steps, i);
		const char *msg = str_field(step, "message");
		fprintf(out, "%zu. ", i + 1);
		md_place(out, f, step);
		fputs(": ", out);
		md_text(out, msg ? msg : "");
		fputs("\n", out);
	}

	const char *insert = str_field(f->fix, "insert");
	if (insert && *insert) {
		size_t fence = backtick_run(insert) + 1;
		if (fence < 3)
			fence = 3;
		fputs("\nFix: insert before ", out);
		md_place(out, f, f->fix);
		fputs(":\n", out);
		fprintf(out, "%.*sc\n", (int)fence, "````````````````````````````````");
		fputs(insert, out);
		if (insert[strlen(insert) - 1] != '\n')
			fputs("\n", out);
		fprintf(out, "%.*s\n", (int)fence, "````````````````````````````````");
	}
	fprintf(out, "\n%s\n", f->marker);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *marker_for(const struct lr_finding *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	fprintf(out, COMMENT_MARKER_PREFIX "%s:", f->fingerprint);
	marker_path(out, f->file);
	fprintf(out, ":%ld" MARKER_SUFFIX, f->line);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Checks one finding of the report and fills *f. */
static int finding_read(struct lr_finding *f, json_t *j, size_t i,
			const char *path, struct lr_err *e)
{
	json_t *line = json_object_get(j, "line");
	json_t *fix = json_object_get(j, "fix");
	json_t *steps = json_object_get(j, "steps");

	if (!json_is_object(j))
		return lr_fail(e, "%s: findings[%zu] is not an object", path, i);
	f->file = str_field(j, "file");
	f->message = str_field(j, "message");
	f->fingerprint = str_field(j, "fingerprint");
	f->rule_id = str_field(j, "rule_id");
	if (!f->file || !*f->file)
		return lr_fail(e, "%s: findings[%zu] has no \"file\"", path, i);
	while (strncmp(f->file, "./", 2) == 0)
		f->file += 2;
	if (f->file[0] == '/' || strncmp(f->file, "../", 3) == 0)
		return lr_fail(e, "%s: findings[%zu]: \"%.200s\" is not relative to the "
			       "repository root (run leakgate there)", path, i, f->file);
	if (!json_is_integer(line) || json_integer_value(line) < 1 ||
	    json_integer_value(line) > INT_MAX)
		return lr_fail(e, "%s: findings[%zu] has no valid \"line\"", path, i);
	f->line = (long)json_integer_value(line);
	/* A review can only comment on lines the change shows: where the
	 * diff filter says the change touches the path. */
	json_t *anchor = json_object_get(j, "anchor");
	if (json_is_object(anchor) && json_is_string(json_object_get(anchor, "file")) &&
	    json_is_integer(json_object_get(anchor, "line")) &&
	    json_integer_value(json_object_get(anchor, "line")) >= 1 &&
	    json_integer_value(json_object_get(anchor, "line")) <= INT_MAX) {
		f->file = json_string_value(json_object_get(anchor, "file"));
		while (strncmp(f->file, "./", 2) == 0)
			f->file += 2;
		if (f->file[0] == '/' || strncmp(f->file, "../", 3) == 0)
			return lr_fail(e, "%s: findings[%zu]: anchor \"%.200s\" is not relative "
				       "to the repository root", path, i, f->file);
		f->line = (long)json_integer_value(json_object_get(anchor, "line"));
	}
	if (!f->message || !*f->message)
		return lr_fail(e, "%s: findings[%zu] has no \"message\"", path, i);
	if (!f->fingerprint || !*f->fingerprint || strlen(f->fingerprint) > 128 ||
	    f->fingerprint[strspn(f->fingerprint, "0123456789abcdefABCDEF")])
		return lr_fail(e, "%s: findings[%zu] has no hex \"fingerprint\"", path, i);
	if (steps && !json_is_array(steps))
		return lr_fail(e, "%s: findings[%zu]: \"steps\" is not an array", path, i);
	f->steps = steps;
	if (fix && !json_is_null(fix)) {
		if (!json_is_object(fix) || !json_is_string(json_object_get(fix, "insert")) ||
		    !json_is_integer(json_object_get(fix, "line")))
			return lr_fail(e, "%s: findings[%zu]: \"fix\" is not {file, line, insert}",
				       path, i);
		f->fix = fix;
	}
	f->marker = marker_for(f);
	f->comment = f->marker ? comment_body(f) : NULL;
	if (!f->comment)
		return lr_fail(e, "out of memory");
	return 0;
}

/* Reads leakgate's JSON report. */
static int lr_findings_load(struct lr_findings *fs, const char *path,
			    struct lr_err *e)
{
	json_error_t je;

	fs->doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!fs->doc)
		return lr_fail(e, "%s:%d:%d: cannot read leakgate's findings: %s", path,
			       je.line, je.column, je.text);
	json_t *arr = json_object_get(fs->doc, "findings");
	if (!json_is_object(fs->doc) || !json_is_array(arr))
		return lr_fail(e, "%s: not a leakgate JSON report (no \"findings\" array)", path);
	const char *tool = str_field(fs->doc, "tool");
	if (tool && strcmp(tool, "leakgate") != 0)
		return lr_fail(e, "%s: a report of \"%.64s\", not of leakgate", path, tool);

	size_t n = json_array_size(arr);
	fs->v = calloc(n ? n : 1, sizeof(*fs->v));
	if (!fs->v)
		return lr_fail(e, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct lr_finding f = { 0 };
		int rc = finding_read(&f, json_array_get(arr, i), i, path, e);
		if (rc == 0)
			for (size_t k = 0; k < fs->n; k++)
				if (strcmp(fs->v[k].marker, f.marker) == 0)
					rc = 1; /* the same place twice: one comment */
		if (rc != 0) {
			free(f.marker);
			free(f.comment);
			if (rc < 0)
				return -1;
			continue;
		}
		fs->v[fs->n++] = f;
	}
	return 0;
}

/* ---- the review's body ------------------------------------------------------ */

/* Reads at most MAX_SUMMARY bytes of the --summary-file. */
static int summary_read(const char *path, char **out, struct lr_err *e)
{
	FILE *in = fopen(path, "rb");

	*out = NULL;
	if (!in)
		return lr_fail(e, "%s: cannot open the summary file: %s", path, strerror(errno));
	char *buf = malloc(MAX_SUMMARY + 2);
	if (!buf) {
		fclose(in);
		return lr_fail(e, "out of memory");
	}
	size_t n = fread(buf, 1, MAX_SUMMARY + 1, in);
	int bad = ferror(in);
	fclose(in);
	if (bad) {
		free(buf);
		return lr_fail(e, "%s: cannot read the summary file", path);
	}
	int truncated = n > MAX_SUMMARY;
	if (truncated) { /* cut before a character, not inside one */
		n = MAX_SUMMARY;
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			n--;
	}
	buf[n] = '\0';
	json_t *check = json_stringn(buf, n); /* NULL: a NUL byte or not UTF-8 */
	if (!check) {
		free(buf);
		return lr_fail(e, "%s: the summary file is not UTF-8 text", path);
	}
	json_decref(check);
	if (truncated) {
		char *t = NULL;
		if (asprintf(&t, "%s\n\n*(summary truncated)*", buf) < 0)
			t = NULL;
		free(buf);
		if (!t)
			return lr_fail(e, "out of memory");
		buf = t;
	}
	*out = buf;
	return 0;
}

/*
 * ### leakgate
 *
 * leakgate found N leak(s) that this change adds (commit `abc1234`).
 *
 * <summary file>
 *
 * <!-- leakgate-review -->
 */
static char *review_body(size_t n, const char *commit, const char *summary)
{
	char *s = NULL;
	int rc;

	if (n == 0)
		rc = asprintf(&s, "### leakgate\n\nleakgate found no leaks that this change adds "
			      "(commit `%.7s`).\n\n%s%s" REVIEW_MARKER "\n", commit,
			      summary ? summary : "", summary ? "\n\n" : "");
	else
		rc = asprintf(&s, "### leakgate\n\nleakgate found %zu leak%s that this change adds "
			      "(commit `%.7s`); each is commented on the line where the "
			      "resource is lost.\n\n%s%s" REVIEW_MARKER "\n", n,
			      n == 1 ? "" : "s", commit, summary ? summary : "",
			      summary ? "\n\n" : "");
	return rc < 0 ? NULL : s;
}

/* ---- HTTP: one request to the API, retried --------------------------------- */

struct lr_buf {
	char *p;
	size_t len;
};

static size_t buf_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct lr_buf *b = ud;
	size_t n = size * nmemb;

	if (n > MAX_RESPONSE - b->len)
		return 0; /* libcurl fails the transfer */
	char *p = realloc(b->p, b->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, data, n);
	b->len += n;
	p[b->len] = '\0';
	b->p = p;
	return n;
}

/* The client: one libcurl handle and the two header lists that carry the
 * token.  lr_client_init() then lr_client_release(), which wipes the token's
 * copies before freeing them. */
struct lr_client {
	CURL *curl;
	char *base;                  /* the API URL without its trailing '/' */
	struct curl_slist *hdr;      /* requests without a body */
	struct curl_slist *hdr_json; /* the same plus Content-Type */
	long retry_ms;
	long status;                 /* the last request's HTTP status, or 0 */
	char errbuf[CURL_ERROR_SIZE];
};

static void slist_wipe_free(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static void lr_client_release(struct lr_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	slist_wipe_free(c->hdr);
	slist_wipe_free(c->hdr_json);
	free(c->base);
	*c = (struct lr_client){ 0 };
}

/* localhost, 127.0.0.0/8 or ::1 (as libcurl spells hosts). */
static int is_loopback(const char *host)
{
	struct in_addr a;

	if (inet_pton(AF_INET, host, &a) == 1)
		return (ntohl(a.s_addr) >> 24) == 127;
	return strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0;
}

/* Checks the API URL: http or https, a host, no credentials, no query. */
static int api_url_check(const char *url, struct lr_err *e)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
	int rc = -1;

	if (!u)
		return lr_fail(e, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		lr_fail(e, "the API URL '%.200s' is not a URL", url);
		goto cleanup;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
		lr_fail(e, "the API URL '%.200s' is not http or https", url);
	else if (strcmp(scheme, "http") == 0 && !is_loopback(host))
		lr_fail(e, "the API URL '%.200s' is plain http: the token would cross the "
			"network unencrypted; use https", url);
	else if (user || query || frag)
		lr_fail(e, "the API URL must not hold credentials, a query or a fragment");
	else
		rc = 0;
cleanup:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

static int lr_client_init(struct lr_client *c, const char *api_url,
			  const char *token, long retry_ms, struct lr_err *e)
{
	static const char *const common[] = {
		"Accept: application/vnd.github+json",
		"X-GitHub-Api-Version: 2022-11-28",
		"User-Agent: leakgate-review",
		"Expect:", /* no 100-continue round trip */
	};
	char *auth = NULL;

	*c = (struct lr_client){ .retry_ms = retry_ms };
	if (api_url_check(api_url, e) != 0)
		return -1;
	c->base = strdup(api_url);
	c->curl = curl_easy_init();
	if (!c->base || !c->curl || asprintf(&auth, "Authorization: Bearer %s", token) < 0) {
		lr_client_release(c);
		return lr_fail(e, "out of memory");
	}
	size_t n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';

	int ok = 1;
	struct curl_slist *l;
	for (int pass = 0; pass < 2 && ok; pass++) {
		struct curl_slist **list = pass ? &c->hdr_json : &c->hdr;
		ok = (l = curl_slist_append(*list, auth)) != NULL;
		*list = ok ? l : *list;
		for (size_t i = 0; ok && i < sizeof(common) / sizeof(common[0]); i++) {
			ok = (l = curl_slist_append(*list, common[i])) != NULL;
			*list = ok ? l : *list;
		}
		if (ok && pass) {
			ok = (l = curl_slist_append(*list, "Content-Type: application/json")) != NULL;
			*list = ok ? l : *list;
		}
	}
	explicit_bzero(auth, strlen(auth));
	free(auth);
	if (!ok) {
		lr_client_release(c);
		return lr_fail(e, "out of memory");
	}
	return 0;
}

/* "HOST" or "HOST:PORT" of a URL, for a message; NULL when it has none. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *s = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		if (asprintf(&s, "%s%s%s", host, port ? ":" : "", port ? port : "") < 0)
			s = NULL;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return s;
}

/* GitHub's "message", and the details of "errors" (a 422 says there which
 * field was wrong), from an error answer. */
static void github_message(const struct lr_buf *b, char *out, size_t size)
{
	json_t *j = b->p ? json_loadb(b->p, b->len, 0, NULL) : NULL;
	const char *msg = str_field(j, "message");
	size_t n = 0;

	out[0] = '\0';
	if (msg)
		n = (size_t)snprintf(out, size, ": %s", msg);
	json_t *errs = json_object_get(j, "errors");
	for (size_t i = 0; i < json_array_size(errs) && n < size; i++) {
		json_t *x = json_array_get(errs, i);
		const char *d = json_is_string(x) ? json_string_value(x) : str_field(x, "message");
		if (!d)
			d = str_field(x, "code");
		if (d)
			n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "; " : " (", d);
		if (i + 1 == json_array_size(errs) && n < size)
			n += (size_t)snprintf(out + n, size - n, ")");
	}
	json_decref(j);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* One attempt; fills *status (0 when the transfer failed) and *b. */
static CURLcode attempt(struct lr_client *c, const char *method, const char *url,
			const char *body, long *status, struct lr_buf *b)
{
	CURL *h = c->curl;

	curl_easy_reset(h);
	c->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, body ? c->hdr_json : c->hdr);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);

	*status = 0;
	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	return rc;
}

/*
 * METHOD BASE+PATH with `body` (borrowed; NULL for none) as JSON.  On a 2xx,
 * *out (when not NULL) receives the parsed answer, or NULL for an empty
 * one; the caller owns it.
 */
static int lr_request(struct lr_client *c, const char *method, const char *path,
		      json_t *body, json_t **out, struct lr_err *e)
{
	char *url = NULL, *text = NULL;
	struct lr_buf b = { 0 };
	long status = 0;
	CURLcode rc = CURLE_OK;
	int ret = -1;

	if (out)
		*out = NULL;
	if (asprintf(&url, "%s%s", c->base, path) < 0)
		return lr_fail(e, "out of memory");
	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		lr_fail(e, "out of memory");
		goto cleanup;
	}

	for (int try = 0;; try++) {
		free(b.p);
		b = (struct lr_buf){ 0 };
		rc = attempt(c, method, url, text, &status, &b);
		int transient = rc != CURLE_OK || status >= 500;
		if (!transient || try == MAX_RETRIES)
			break;
		sleep_ms(c->retry_ms << try);
	}

	c->status = status;
	if (rc != CURLE_OK) {
		lr_fail(e, "%s %s: no answer from %s after %d attempts: %s", method, path,
			c->base, MAX_RETRIES + 1, c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	} else if (status >= 200 && status < 300) {
		if (out && b.len) {
			json_error_t je;
			*out = json_loadb(b.p, b.len, 0, &je);
			if (!*out) {
				lr_fail(e, "%s %s: the answer is not JSON: %s", method, path, je.text);
				goto cleanup;
			}
		}
		ret = 0;
	} else if (status >= 300 && status < 400) {
		char *where = NULL, *host = NULL;
		curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &where);
		host = where ? url_host(where) : NULL;
		if (host)
			lr_fail(e, "%s %s: the API answered %ld; refusing to follow a redirect to %s "
				"(the token goes to the API URL's host only)", method, path, status,
				host);
		else
			lr_fail(e, "%s %s: the API answered %ld; refusing to follow a redirect",
				method, path, status);
		free(host);
	} else {
		char msg[1024];
		github_message(&b, msg, sizeof(msg));
		if (status >= 500)
			lr_fail(e, "%s %s: GitHub answered %ld%s (after %d attempts)", method, path,
				status, msg, MAX_RETRIES + 1);
		else
			lr_fail(e, "%s %s: GitHub answered %ld%s", method, path, status, msg);
	}
cleanup:
	free(b.p);
	free(text);
	free(url);
	return ret;
}

/* Every page of a list (`path` has no query): one array, the caller's. */
static int lr_get_all(struct lr_client *c, const char *path, json_t **out,
		      struct lr_err *e)
{
	json_t *all = json_array();

	*out = NULL;
	if (!all)
		return lr_fail(e, "out of memory");
	for (int page = 1;; page++) {
		char *p = NULL;
		json_t *got = NULL;
		if (page > MAX_PAGES) {
			json_decref(all);
			return lr_fail(e, "GET %s: more than %d pages", path, MAX_PAGES);
		}
		if (asprintf(&p, "%s?per_page=%d&page=%d", path, PER_PAGE, page) < 0) {
			json_decref(all);
			return lr_fail(e, "out of memory");
		}
		int rc = lr_request(c, "GET", p, NULL, &got, e);
		if (rc == 0 && !json_is_array(got))
			rc = lr_fail(e, "GET %s: the answer is not a list", p);
		free(p);
		if (rc != 0) {
			json_decref(got);
			json_decref(all);
			return -1;
		}
		size_t n = json_array_size(got);
		json_array_extend(all, got);
		json_decref(got);
		if (n < PER_PAGE)
			break;
	}
	*out = all;
	return 0;
}

/* ---- the review ------------------------------------------------------------- */

/* The marker line of a body: the first line that starts with `prefix` and
 * ends with " -->" (trailing blanks ignored).  Returns its length and sets
 * *at, or returns 0. */
static size_t marker_line(const char *body, const char *prefix, const char **at)
{
	size_t plen = strlen(prefix), slen = strlen(MARKER_SUFFIX);

	for (const char *l = body; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		while (n > 0 && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
			n--;
		if (n >= plen && n >= slen && strncmp(l, prefix, plen) == 0 &&
		    strncmp(l + n - slen, MARKER_SUFFIX, slen) == 0) {
			*at = l;
			return n;
		}
	}
	return 0;
}

static const char *login_of(json_t *x)
{
	return str_field(json_object_get(x, "user"), "login");
}

static int same_login(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* What this run did, for the line on standard output. */
struct lr_done {
	int posted_review;   /* a new review */
	json_int_t review;   /* its id, or the updated one's */
	size_t posted, deleted, kept;
};

/* A new review with every finding's comment. */
static int review_post(struct lr_client *c, const char *base, const struct lr_opts *o,
		       const struct lr_findings *fs, const char *body,
		       struct lr_done *done, struct lr_err *e)
{
	json_t *comments = json_array(), *got = NULL;
	char *path = NULL;
	int rc = -1;

	for (size_t i = 0; comments && i < fs->n; i++)
		if (json_array_append_new(comments, json_pack("{s:s, s:I, s:s, s:s}",
					  "path", fs->v[i].file, "line", (json_int_t)fs->v[i].line,
					  "side", "RIGHT", "body", fs->v[i].comment)) != 0) {
			json_decref(comments);
			comments = NULL;
		}
	json_t *req = comments ? json_pack("{s:s, s:s, s:s, s:o}", "commit_id", o->commit,
					   "event", "COMMENT", "body", body,
					   "comments", comments) : NULL;
	if (!req || asprintf(&path, "%s/reviews", base) < 0) {
		path = NULL;
		lr_fail(e, "out of memory");
		goto cleanup;
	}
	if (lr_request(c, "POST", path, req, &got, e) != 0)
		goto cleanup;
	done->posted_review = 1;
	done->review = json_integer_value(json_object_get(got, "id"));
	done->posted = fs->n;
	rc = 0;
cleanup:
	json_decref(got);
	json_decref(req);
	free(path);
	return rc;
}

/*
 * Brings an earlier review up to date: its body, then its author's leakgate
 * comments (one kept per current marker, on a line GitHub still shows; the
 * others deleted), then a comment for each finding without one.
 */
static int review_update(struct lr_client *c, const char *base, const struct lr_opts *o,
			 const struct lr_findings *fs, const char *body, json_t *review,
			 json_t *comments, struct lr_done *done, struct lr_err *e)
{
	char *path = NULL;
	int rc = -1;
	json_int_t id = json_integer_value(json_object_get(review, "id"));
	const char *author = login_of(review);
	char *have = calloc(fs->n ? fs->n : 1, 1);

	done->review = id;
	if (!have)
		return lr_fail(e, "out of memory");

	json_t *req = json_pack("{s:s}", "body", body);
	if (!req || asprintf(&path, "%s/reviews/%" JSON_INTEGER_FORMAT, base, id) < 0) {
		json_decref(req);
		free(have);
		return lr_fail(e, "out of memory");
	}
	rc = lr_request(c, "PUT", path, req, NULL, e);
	json_decref(req);
	free(path);
	path = NULL;
	if (rc != 0)
		goto cleanup;

	size_t i;
	json_t *cm;
	json_array_foreach(comments, i, cm) {
		const char *text = str_field(cm, "body"), *at = NULL;
		json_t *reply = json_object_get(cm, "in_reply_to_id");
		if (!text || (reply && !json_is_null(reply)) || !same_login(login_of(cm), author))
			continue;
		size_t n = marker_line(text, COMMENT_MARKER_PREFIX, &at);
		if (!n)
			continue;
		size_t k = fs->n;
		if (json_is_integer(json_object_get(cm, "line")))
			for (k = 0; k < fs->n; k++)
				if (!have[k] && strlen(fs->v[k].marker) == n &&
				    strncmp(fs->v[k].marker, at, n) == 0)
					break;
		if (k < fs->n) {
			have[k] = 1;
			done->kept++;
			continue;
		}
		if (asprintf(&path, "/repos/%s/pulls/comments/%" JSON_INTEGER_FORMAT, o->repo,
			     json_integer_value(json_object_get(cm, "id"))) < 0) {
			path = NULL;
			rc = lr_fail(e, "out of memory");
			goto cleanup;
		}
		rc = lr_request(c, "DELETE", path, NULL, NULL, e);
		/* 404: someone deleted it in the meantime. */
		if (rc != 0 && c->status == 404)
			rc = 0;
		free(path);
		path = NULL;
		if (rc != 0)
			goto cleanup;
		done->deleted++;
	}

	for (i = 0; i < fs->n; i++) {
		if (have[i])
			continue;
		req = json_pack("{s:s, s:s, s:I, s:s, s:s}", "commit_id", o->commit,
				"path", fs->v[i].file, "line", (json_int_t)fs->v[i].line,
				"side", "RIGHT", "body", fs->v[i].comment);
		if (!req || asprintf(&path, "%s/comments", base) < 0) {
			json_decref(req);
			path = NULL;
			rc = lr_fail(e, "out of memory");
			goto cleanup;
		}
		rc = lr_request(c, "POST", path, req, NULL, e);
		json_decref(req);
		free(path);
		path = NULL;
		if (rc != 0)
			goto cleanup;
		done->posted++;
	}
	rc = 0;
cleanup:
	free(have);
	return rc;
}

/* The whole run after the options: find, then post or update. */
static int lr_review(const struct lr_opts *o, const struct lr_findings *fs,
		     const char *summary, struct lr_done *done, struct lr_err *e)
{
	struct lr_client c;
	json_t *reviews = NULL, *comments = NULL, *earlier = NULL;
	char *base = NULL, *path = NULL, *body = NULL;
	int rc = -1;

	if (lr_client_init(&c, o->api_url, o->token, o->retry_ms, e) != 0)
		return -1;
	if (asprintf(&base, "/repos/%s/pulls/%ld", o->repo, o->pr) < 0) {
		base = NULL;
		lr_fail(e, "out of memory");
		goto cleanup;
	}
	if (!(body = review_body(fs->n, o->commit, summary))) {
		lr_fail(e, "out of memory");
		goto cleanup;
	}

	if (asprintf(&path, "%s/reviews", base) < 0) {
		path = NULL;
		lr_fail(e, "out of memory");
		goto cleanup;
	}
	if (lr_get_all(&c, path, &reviews, e) != 0)
		goto cleanup;
	free(path);
	if (asprintf(&path, "%s/comments", base) < 0) {
		path = NULL;
		lr_fail(e, "out of memory");
		goto cleanup;
	}
	if (lr_get_all(&c, path, &comments, e) != 0)
		goto cleanup;

	size_t i;
	json_t *r;
	const char *at;
	json_array_foreach(reviews, i, r) {
		const char *text = str_field(r, "body");
		if (text && json_is_integer(json_object_get(r, "id")) &&
		    marker_line(text, REVIEW_MARKER, &at) == strlen(REVIEW_MARKER)) {
			earlier = r;
			break;
		}
	}

	if (earlier)
		rc = review_update(&c, base, o, fs, body, earlier, comments, done, e);
	else if (fs->n)
		rc = review_post(&c, base, o, fs, body, done, e);
	else
		rc = 0;
cleanup:
	json_decref(reviews);
	json_decref(comments);
	free(body);
	free(path);
	free(base);
	lr_client_release(&c);
	return rc;
}

/* ---- main: the only place that prints or exits ----------------------------- */

/* Prints `s` on one line with every occurrence of the token replaced and
 * control characters shown as spaces. */
static void print_line(FILE *out, const char *prefix, const char *s, const char *token)
{
	size_t tlen = token ? strlen(token) : 0;

	fputs(prefix, out);
	while (*s) {
		if (tlen && strncmp(s, token, tlen) == 0) {
			fputs("[REDACTED]", out);
			s += tlen;
			continue;
		}
		fputc((unsigned char)*s < ' ' || *s == 0x7f ? ' ' : *s, out);
		s++;
	}
	fputc('\n', out);
}

int main(int argc, char **argv)
{
	struct lr_opts o = { 0 };
	struct lr_findings fs = { 0 };
	struct lr_done done = { 0 };
	struct lr_err e = { "" };
	char *summary = NULL;
	int rc;

	rc = opts_parse(&o, argc, argv, &e);
	if (rc == 0 && o.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (rc == 0)
		rc = opts_env(&o, &e);
	if (rc == 0)
		rc = lr_findings_load(&fs, o.findings, &e);
	if (rc == 0 && o.summary_file)
		rc = summary_read(o.summary_file, &summary, &e);
	if (rc == 0) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			rc = lr_fail(&e, "cannot initialise libcurl");
		} else {
			rc = lr_review(&o, &fs, summary, &done, &e);
			curl_global_cleanup();
		}
	}

	if (rc != 0) {
		print_line(stderr, PROG ": error: ", e.msg, o.token);
	} else {
		char line[256];
		if (done.posted_review)
			snprintf(line, sizeof(line), "posted review %" JSON_INTEGER_FORMAT
				 " with %zu comment%s", done.review, done.posted,
				 done.posted == 1 ? "" : "s");
		else if (done.review)
			snprintf(line, sizeof(line), "updated review %" JSON_INTEGER_FORMAT
				 ": %zu comment%s posted, %zu deleted, %zu kept", done.review,
				 done.posted, done.posted == 1 ? "" : "s", done.deleted, done.kept);
		else
			snprintf(line, sizeof(line), "no findings and no earlier review: nothing posted");
		print_line(stdout, PROG ": ", line, o.token);
	}
	free(summary);
	lr_findings_release(&fs);
	json_decref(o.event_doc);
	return rc == 0 ? 0 : 2;
}
