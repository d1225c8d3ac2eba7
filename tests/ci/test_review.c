/*
 * test_review.c - leakgate-review against a fake GitHub.
 *
 * Each test starts a small HTTP/1.1 server in a thread on 127.0.0.1 (an
 * ephemeral port), gives it a script of canned answers (one per request, in
 * order), writes a findings file, runs leakgate-review (fork and exec, no
 * shell) with GITHUB_API_URL pointing at the server, and then asserts the
 * exit status, both output streams and the requests the server recorded:
 * method, path with query, headers and JSON body.  The server answers every
 * request with `Connection: close`; a request past the end of the script
 * gets a 418, so an unexpected request shows in the assertions.
 *
 * Every run is checked for the token: it must not appear on standard output
 * or standard error, and in what the server received it may appear only in
 * the Authorization header.
 *
 * Usage: test_review LEAKGATE_REVIEW_BINARY
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lgtest.h"
#include <jansson.h>

#define TOKEN "secret-token-123"
#define REPO "octo/login"
#define COMMIT "0123456789abcdef0123456789abcdef01234567"
#define PULL "/repos/octo/login/pulls/7"
#define PAGE1 "?per_page=100&page=1"
#define PAGE2 "?per_page=100&page=2"
#define REVIEW_MARKER "<!-- leakgate-review -->"

static const char *review_bin; /* argv[1], absolute */

/* ---- strings a test owns until teardown ------------------------------------ */

#define MAX_STRS 256

struct strs {
	char *v[MAX_STRS];
	size_t n;
};

static char *keep(struct strs *s, char *p)
{
	assert_non_null(p);
	assert_true(s->n < MAX_STRS);
	s->v[s->n++] = p;
	return p;
}

static const char *sfmt(struct strs *s, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static const char *sfmt(struct strs *s, const char *format, ...)
{
	va_list ap;
	char *p = NULL;

	va_start(ap, format);
	assert_true(vasprintf(&p, format, ap) >= 0);
	va_end(ap);
	return keep(s, p);
}

/* ---- the fake GitHub ---------------------------------------------------------- */

/* One canned answer.  status 0: close the connection without answering. */
struct canned {
	int status;
	const char *body;    /* NULL: empty */
	const char *headers; /* extra header lines, each ending in "\r\n" */
};

/* One request as the server received it. */
struct req {
	char *method;
	char *path;    /* with the query */
	char *headers; /* the header lines, "\r\n"-separated */
	char *body;    /* NUL-terminated; "" when none */
};

#define MAX_SCRIPT 128
#define MAX_REQS 256

struct server {
	int lfd;
	int wake[2];           /* written to stop the thread */
	unsigned short port;
	pthread_t thread;
	pthread_mutex_t mu;    /* guards everything below */
	struct canned script[MAX_SCRIPT];
	size_t n_script, next;
	struct req reqs[MAX_REQS];
	size_t n_reqs;
};

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* The value of header `name` in a "\r\n"-separated block, or NULL; the
 * caller frees it. */
static char *header_in(const char *block, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = block; l && *l; l = strstr(l, "\r\n"), l = l ? l + 2 : NULL) {
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			const char *v = l + n + 1;
			v += strspn(v, " \t");
			return strndup(v, strcspn(v, "\r\n"));
		}
	}
	return NULL;
}

/* Reads one request from `fd`, records it, and answers from the script. */
static void serve_one(struct server *s, int fd)
{
	struct timeval tv = { 2, 0 };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	char *end = NULL;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!end) {
		if (cap - len < 4096) {
			char *more = realloc(buf, cap * 2 + 8192);
			if (!more) {
				free(buf);
				return;
			}
			buf = more;
			cap = cap * 2 + 8192;
		}
		ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
		if (r <= 0) {
			free(buf);
			return;
		}
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	size_t head = (size_t)(end - buf) + 4;
	char *first_end = strstr(buf, "\r\n");
	char *headers = strndup(first_end + 2, head - (size_t)(first_end + 2 - buf));
	char *cl = header_in(headers, "Content-Length");
	size_t want = cl ? strtoul(cl, NULL, 10) : 0;
	free(cl);
	while (len - head < want) {
		if (cap < head + want + 1) {
			char *more = realloc(buf, head + want + 1);
			if (!more)
				break;
			buf = more;
			cap = head + want + 1;
		}
		ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
	}

	struct req q = { 0 };
	char *sp1 = strchr(buf, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	q.method = strndup(buf, sp1 ? (size_t)(sp1 - buf) : 0);
	q.path = sp2 ? strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1)) : strdup("");
	q.headers = headers;
	q.body = strndup(buf + head, len - head);
	free(buf);

	struct canned a = { 418, "{\"message\":\"no canned answer\"}", NULL };
	pthread_mutex_lock(&s->mu);
	if (s->n_reqs < MAX_REQS)
		s->reqs[s->n_reqs++] = q;
	else
		free(q.method), free(q.path), free(q.headers), free(q.body);
	if (s->next < s->n_script)
		a = s->script[s->next++];
	pthread_mutex_unlock(&s->mu);

	if (a.status == 0)
		return; /* dropped */
	char *resp = NULL;
	const char *body = a.body ? a.body : "";
	int n = asprintf(&resp, "HTTP/1.1 %d Canned\r\nContent-Type: application/json; "
			 "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
			 a.status, strlen(body), a.headers ? a.headers : "", body);
	if (n >= 0)
		send_all(fd, resp, (size_t)n);
	free(resp);
	shutdown(fd, SHUT_WR);
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	for (;;) {
		struct pollfd p[2] = { { s->lfd, POLLIN, 0 }, { s->wake[0], POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_one(s, fd);
		close(fd);
	}
	return NULL;
}

/* Starts a server on `addr` (e.g. "127.0.0.1"), any free port. */
static struct server *server_start(const char *addr)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	assert_non_null(s);
	assert_int_equal(inet_pton(AF_INET, addr, &sa.sin_addr), 1);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sa, &sl), 0);
	s->port = ntohs(sa.sin_port);
	assert_int_equal(pipe2(s->wake, O_CLOEXEC), 0);
	assert_int_equal(pthread_mutex_init(&s->mu, NULL), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
	return s;
}

static void server_stop(struct server *s)
{
	if (!s)
		return;
	(void)!write(s->wake[1], "x", 1);
	pthread_join(s->thread, NULL);
	close(s->lfd);
	close(s->wake[0]);
	close(s->wake[1]);
	for (size_t i = 0; i < s->n_reqs; i++) {
		free(s->reqs[i].method);
		free(s->reqs[i].path);
		free(s->reqs[i].headers);
		free(s->reqs[i].body);
	}
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Appends answers to the script; the strings must outlive the run. */
static void script(struct server *s, const struct canned *a, size_t n)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < n; i++) {
		assert_true(s->n_script < MAX_SCRIPT);
		s->script[s->n_script++] = a[i];
	}
	pthread_mutex_unlock(&s->mu);
}

#define SCRIPT(s, ...)                                                           \
	script((s), (const struct canned[]){ __VA_ARGS__ },                      \
	       sizeof((const struct canned[]){ __VA_ARGS__ }) / sizeof(struct canned))

static size_t n_reqs(struct server *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = s->n_reqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* ---- fixture -------------------------------------------------------------------- */

struct fx {
	char *dir;              /* a fresh temporary directory */
	struct server *gh;      /* the fake GitHub on 127.0.0.1 */
	const char *findings;   /* DIR/findings.json */
	struct lgt_run r;       /* the last run */
	struct strs strs;
	json_t *parsed[64];     /* bodies parsed by req_json */
	size_t n_parsed;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f || asprintf(&f->dir, "%s/leakgate-review-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return -1;
	if (!mkdtemp(f->dir))
		return -1;
	f->gh = server_start("127.0.0.1");
	f->findings = sfmt(&f->strs, "%s/findings.json", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	server_stop(f->gh);
	lgt_rm_tree(f->dir);
	free(f->dir);
	lgt_run_release(&f->r);
	for (size_t i = 0; i < f->strs.n; i++)
		free(f->strs.v[i]);
	for (size_t i = 0; i < f->n_parsed; i++)
		json_decref(f->parsed[i]);
	free(f);
	return 0;
}

/* ---- running leakgate-review -------------------------------------------------- */

/* Asserts that the token went nowhere but the Authorization header. */
static void assert_token_kept(struct fx *f)
{
	assert_null(strstr(f->r.out, TOKEN));
	assert_null(strstr(f->r.err, TOKEN));
	pthread_mutex_lock(&f->gh->mu);
	for (size_t i = 0; i < f->gh->n_reqs; i++) {
		struct req *q = &f->gh->reqs[i];
		char *auth = header_in(q->headers, "Authorization");
		assert_non_null(auth);
		assert_string_equal(auth, "Bearer " TOKEN);
		free(auth);
		const char *first = strstr(q->headers, TOKEN);
		assert_non_null(first);
		assert_null(strstr(first + 1, TOKEN));
		assert_null(strstr(q->path, TOKEN));
		assert_null(strstr(q->body, TOKEN));
	}
	pthread_mutex_unlock(&f->gh->mu);
}

/*
 * Runs leakgate-review with `args` (NULL-terminated), after the four
 * required options when `defaults` is set, and with the environment `env`
 * (NULL-terminated; NULL for the usual one: the token, the server's URL,
 * 1 ms retries).
 */
static void run_argv(struct fx *f, const char *const *env, int defaults,
		     const char *const *args)
{
	const char *argv[40] = { review_bin, "--findings", f->findings, "--repo", REPO,
				 "--pr", "7", "--commit", COMMIT };
	size_t n = defaults ? 9 : 1;
	const char *std_env[] = {
		"GITHUB_TOKEN=" TOKEN,
		sfmt(&f->strs, "GITHUB_API_URL=http://127.0.0.1:%u", f->gh->port),
		"LEAKGATE_REVIEW_RETRY_MS=1",
		"PATH=/usr/bin:/bin",
		"LC_ALL=C",
		NULL,
	};
	for (size_t i = 0; args[i]; i++) {
		assert_true(n < 39);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	assert_int_equal(lgt_spawn(f->dir, argv, (char *const *)(env ? env : std_env),
				   &f->r), 0);
	assert_token_kept(f);
}

static void run_env(struct fx *f, const char *const *env, const char *const *args)
{
	run_argv(f, env, 1, args);
}

#define RUN(f, ...) run_env((f), NULL, (const char *const[]){ __VA_ARGS__ NULL })
#define RUN_ENV(f, env, ...) run_env((f), (env), (const char *const[]){ __VA_ARGS__ NULL })
/* Without the default --findings, --repo, --pr and --commit. */
#define RUN_ONLY(f, ...) run_argv((f), NULL, 0, (const char *const[]){ __VA_ARGS__ NULL })

/* Both streams first: on a failure they explain the status. */
#define expect(f_, status_, out_, err_)                              \
	do {                                                         \
		assert_string_equal((f_)->r.err, (err_));            \
		assert_string_equal((f_)->r.out, (out_));            \
		assert_int_equal((f_)->r.status, (status_));         \
	} while (0)

/* ---- findings and GitHub's objects ----------------------------------------------- */

static const char *fp(struct fx *f, char c)
{
	char s[65];

	memset(s, c, 64);
	s[64] = '\0';
	return sfmt(&f->strs, "%s", s);
}

static const char *marker(struct fx *f, char c, const char *file, int line)
{
	return sfmt(&f->strs, "<!-- leakgate:%s:%s:%d -->", fp(f, c), file, line);
}

/* The outage's leak: src/login.c:48, path of three steps, a fix. */
static json_t *finding_login(struct fx *f)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s,"
			 " s:{s:s, s:i, s:i}, s:[{s:s, s:s, s:i, s:i, s:s},"
			 " {s:s, s:s, s:i, s:i, s:s}, {s:s, s:s, s:i, s:i, s:s}],"
			 " s:{s:s, s:i, s:s}}",
			 "rule_id", "pool-connection", "kind", "connection",
			 "function", "login", "handle", "conn", "acquirer", "pool_acquire",
			 "loss", "return", "file", "src/login.c", "line", 48, "column", 3,
			 "message", "connection 'conn' acquired by pool_acquire() at line 38 is "
			 "still held when the function returns here",
			 "fingerprint", fp(f, 'a'),
			 "acquisition", "file", "src/login.c", "line", 38, "column", 25,
			 "steps",
			 "kind", "acquire", "file", "src/login.c", "line", 38, "column", 25,
			 "message", "'conn' acquired here by pool_acquire()",
			 "kind", "branch", "file", "src/login.c", "line", 47, "column", 6,
			 "message", "taking the true branch of 'if (!check_password(password, stored_hash))'",
			 "kind", "loss", "file", "src/login.c", "line", 48, "column", 3,
			 "message", "returning with 'conn' still held",
			 "fix", "file", "src/login.c", "line", 48,
			 "insert", "\t\tpool_release(pool, conn);\n");
}

/* A finding without a fix, in `file` at `line`, fingerprint c*64. */
static json_t *finding_plain(struct fx *f, char c, const char *file, int line)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:[{s:s, s:s, s:i, s:i, s:s}], s:n}",
			 "rule_id", "stdio-file", "kind", "file", "file", file, "line", line,
			 "column", 2, "message", "file 'fp' acquired by fopen() at line 3 is lost "
			 "when 'fp' goes out of scope here",
			 "fingerprint", fp(f, c),
			 "steps", "kind", "acquire", "file", "src/other.h", "line", 3, "column", 7,
			 "message", "'fp' acquired here by fopen()",
			 "fix");
}

/* Writes the findings file (consumes the findings, NULL-terminated). */
static void write_findings(struct fx *f, ...)
{
	json_t *arr = json_array();
	va_list ap;
	json_t *x;

	va_start(ap, f);
	while ((x = va_arg(ap, json_t *)))
		assert_int_equal(json_array_append_new(arr, x), 0);
	va_end(ap);
	json_t *doc = json_pack("{s:s, s:s, s:o, s:{s:I, s:{}}}", "tool", "leakgate",
				"version", "0.1.0", "findings", arr, "summary",
				"findings", (json_int_t)json_array_size(arr), "by_rule");
	assert_non_null(doc);
	assert_int_equal(json_dump_file(doc, f->findings, JSON_INDENT(1)), 0);
	json_decref(doc);
}

static const char *dump(struct fx *f, json_t *j)
{
	assert_non_null(j);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return keep(&f->strs, s);
}

static json_t *user(const char *login)
{
	return json_pack("{s:s, s:s}", "login", login, "type", login[0] == 'g' ? "Bot" : "User");
}

#define BOT "github-actions[bot]"

static json_t *review_obj(long id, const char *login, const char *body)
{
	return json_pack("{s:I, s:o, s:s, s:s}", "id", (json_int_t)id, "user", user(login),
			 "body", body, "state", "COMMENTED");
}

/* A line comment; `line` 0 for an outdated one (null). */
static json_t *comment_obj(long id, const char *login, const char *body, int line)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:o}", "id", (json_int_t)id, "user", user(login),
			 "body", body, "path", "src/login.c",
			 "line", line ? json_integer(line) : json_null());
}

/* ---- asserting requests ------------------------------------------------------------ */

static struct req *req_at(struct fx *f, size_t i)
{
	assert_true(i < n_reqs(f->gh));
	return &f->gh->reqs[i];
}

#define assert_req(f_, i_, method_, path_)                                   \
	do {                                                                 \
		struct req *q_ = req_at((f_), (i_));                         \
		assert_string_equal(q_->method, (method_));                  \
		assert_string_equal(q_->path, (path_));                      \
	} while (0)

static json_t *req_json(struct fx *f, size_t i)
{
	json_error_t je;
	json_t *j = json_loads(req_at(f, i)->body, 0, &je);

	assert_non_null(j);
	assert_true(f->n_parsed < 64);
	f->parsed[f->n_parsed++] = j;
	return j;
}

static const char *req_header(struct fx *f, size_t i, const char *name)
{
	char *v = header_in(req_at(f, i)->headers, name);

	return v ? keep(&f->strs, v) : NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	assert_non_null(s);
	return s;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected to find\n  %s\nin\n  %s", needle, hay);
}

/* ---- tests -------------------------------------------------------------------------- */

/* The exact comment on the outage's leak. */
static const char *login_comment(struct fx *f)
{
	return sfmt(&f->strs,
		"**leakgate:** connection 'conn' acquired by pool\\_acquire() at line 38 is still "
		"held when the function returns here \\[pool\\-connection\\]\n"
		"\n"
		"1. line 38: 'conn' acquired here by pool\\_acquire()\n"
		"2. line 47: taking the true branch of 'if (\\!check\\_password(password, stored\\_hash))'\n"
		"3. line 48: returning with 'conn' still held\n"
		"\n"
		"Fix: insert before line 48:\n"
		"```c\n"
		"\t\tpool_release(pool, conn);\n"
		"```\n"
		"\n"
		"%s\n", marker(f, 'a', "src/login.c", 48));
}

static void review__first_review_posts_every_finding(void **state)
{
	struct fx *f = *state;
	const char *summary = sfmt(&f->strs, "%s/summary.md", f->dir);
	FILE *fp_ = fopen(summary, "w");

	assert_non_null(fp_);
	fputs("#### Details\n\nSee the job's log.", fp_);
	fclose(fp_);
	write_findings(f, finding_login(f), finding_plain(f, 'b', "src/db.c", 12), NULL);
	SCRIPT(f->gh, { 200, "[]", NULL }, { 200, "[]", NULL }, { 200, "{\"id\": 900}", NULL });

	RUN(f, "--summary-file", summary,);
	expect(f, 0, "leakgate-review: posted review 900 with 2 comments\n", "");

	assert_int_equal(n_reqs(f->gh), 3);
	assert_req(f, 0, "GET", PULL "/reviews" PAGE1);
	assert_req(f, 1, "GET", PULL "/comments" PAGE1);
	assert_req(f, 2, "POST", PULL "/reviews");
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(req_header(f, i, "Authorization"), "Bearer " TOKEN);
		assert_string_equal(req_header(f, i, "Accept"), "application/vnd.github+json");
		assert_string_equal(req_header(f, i, "X-GitHub-Api-Version"), "2022-11-28");
		assert_string_equal(req_header(f, i, "User-Agent"), "leakgate-review");
	}
	assert_null(req_header(f, 0, "Content-Type"));
	assert_string_equal(req_header(f, 2, "Content-Type"), "application/json");

	json_t *b = req_json(f, 2);
	assert_int_equal(json_object_size(b), 4);
	assert_string_equal(jstr(b, "commit_id"), COMMIT);
	assert_string_equal(jstr(b, "event"), "COMMENT");
	assert_string_equal(jstr(b, "body"),
		"### leakgate\n\nleakgate found 2 leaks that this change adds (commit `0123456`); "
		"each is commented on the line where the resource is lost.\n\n"
		"#### Details\n\nSee the job's log.\n\n" REVIEW_MARKER "\n");
	json_t *cs = json_object_get(b, "comments");
	assert_int_equal(json_array_size(cs), 2);

	json_t *c0 = json_array_get(cs, 0), *c1 = json_array_get(cs, 1);
	assert_int_equal(json_object_size(c0), 4);
	assert_string_equal(jstr(c0, "path"), "src/login.c");
	assert_int_equal(json_integer_value(json_object_get(c0, "line")), 48);
	assert_string_equal(jstr(c0, "side"), "RIGHT");
	assert_string_equal(jstr(c0, "body"), login_comment(f));

	assert_string_equal(jstr(c1, "path"), "src/db.c");
	assert_int_equal(json_integer_value(json_object_get(c1, "line")), 12);
	assert_string_equal(jstr(c1, "side"), "RIGHT");
	assert_string_equal(jstr(c1, "body"),
		sfmt(&f->strs,
		     "**leakgate:** file 'fp' acquired by fopen() at line 3 is lost when 'fp' "
		     "goes out of scope here \\[stdio\\-file\\]\n"
		     "\n"
		     "1. src/other.h:3: 'fp' acquired here by fopen()\n"
		     "\n"
		     "%s\n", marker(f, 'b', "src/db.c", 12)));
}

/* A finding the diff filter anchored elsewhere on its path (the change
 * touched a branch, not the exit) is commented where the change is: a
 * review can only comment on lines the pull request shows. */
static void review__comment_goes_to_the_anchor(void **state)
{
	struct fx *f = *state;
	json_t *x = finding_plain(f, 'd', "src/db.c", 40);
	assert_int_equal(json_object_set_new(x, "anchor",
		json_pack("{s:s, s:i}", "file", "src/db.c", "line", 33)), 0);
	write_findings(f, x, NULL);
	SCRIPT(f->gh, { 200, "[]", NULL }, { 200, "[]", NULL }, { 200, "{\"id\": 901}", NULL });

	RUN(f,);
	expect(f, 0, "leakgate-review: posted review 901 with 1 comment\n", "");
	json_t *b = req_json(f, 2);
	json_t *c0 = json_array_get(json_object_get(b, "comments"), 0);
	assert_string_equal(jstr(c0, "path"), "src/db.c");
	assert_int_equal(json_integer_value(json_object_get(c0, "line")), 33);
	assert_non_null(strstr(jstr(c0, "body"), marker(f, 'd', "src/db.c", 33)));
}

static void review__update_edits_body_and_syncs_comments(void **state)
{
	struct fx *f = *state;

	write_findings(f, finding_login(f), finding_plain(f, 'c', "src/login.c", 90), NULL);
	const char *reviews = dump(f, json_pack("[o, o]",
		review_obj(11, "alice", "Looks fine."),
		review_obj(55, BOT, "### leakgate\n\nold text\n\n" REVIEW_MARKER "\n")));
	const char *stale = marker(f, 'b', "src/db.c", 12);
	const char *comments = dump(f, json_pack("[o, o, o, o, o]",
		comment_obj(101, BOT, login_comment(f), 48),
		comment_obj(102, BOT, sfmt(&f->strs, "old\n\n%s\n", stale), 12),
		comment_obj(103, "alice", "Nice catch.", 5),
		json_pack("{s:I, s:I, s:o, s:s, s:i}", "id", (json_int_t)104,
			  "in_reply_to_id", (json_int_t)102, "user", user(BOT),
			  "body", sfmt(&f->strs, "%s\nquoted by a bot", stale), "line", 12),
		comment_obj(105, "alice", sfmt(&f->strs, "%s\ncopied by a human",
					       marker(f, 'd', "src/x.c", 1)), 1)));
	SCRIPT(f->gh, { 200, reviews, NULL }, { 200, comments, NULL }, { 200, "{\"id\": 55}", NULL },
	       { 204, NULL, NULL }, { 201, "{\"id\": 300}", NULL });

	RUN(f, );
	expect(f, 0, "leakgate-review: updated review 55: 1 comment posted, 1 deleted, 1 kept\n", "");

	assert_int_equal(n_reqs(f->gh), 5);
	assert_req(f, 2, "PUT", PULL "/reviews/55");
	json_t *b = req_json(f, 2);
	assert_int_equal(json_object_size(b), 1);
	assert_string_equal(jstr(b, "body"),
		"### leakgate\n\nleakgate found 2 leaks that this change adds (commit `0123456`); "
		"each is commented on the line where the resource is lost.\n\n" REVIEW_MARKER "\n");

	assert_req(f, 3, "DELETE", "/repos/octo/login/pulls/comments/102");
	assert_string_equal(req_at(f, 3)->body, "");
	assert_null(req_header(f, 3, "Content-Type"));

	assert_req(f, 4, "POST", PULL "/comments");
	json_t *c = req_json(f, 4);
	assert_int_equal(json_object_size(c), 5);
	assert_string_equal(jstr(c, "commit_id"), COMMIT);
	assert_string_equal(jstr(c, "path"), "src/login.c");
	assert_int_equal(json_integer_value(json_object_get(c, "line")), 90);
	assert_string_equal(jstr(c, "side"), "RIGHT");
	assert_contains(jstr(c, "body"), marker(f, 'c', "src/login.c", 90));
}

static void review__outdated_comment_is_replaced(void **state)
{
	struct fx *f = *state;

	write_findings(f, finding_login(f), NULL);
	const char *reviews = dump(f, json_pack("[o]", review_obj(55, BOT, REVIEW_MARKER)));
	const char *comments = dump(f, json_pack("[o]", comment_obj(101, BOT, login_comment(f), 0)));
	SCRIPT(f->gh, { 200, reviews, NULL }, { 200, comments, NULL }, { 200, "{}", NULL },
	       { 204, NULL, NULL }, { 201, "{}", NULL });

	RUN(f, );
	expect(f, 0, "leakgate-review: updated review 55: 1 comment posted, 1 deleted, 0 kept\n", "");
	assert_int_equal(n_reqs(f->gh), 5);
	assert_req(f, 3, "DELETE", "/repos/octo/login/pulls/comments/101");
	assert_req(f, 4, "POST", PULL "/comments");
	assert_string_equal(jstr(req_json(f, 4), "body"), login_comment(f));
}

static void review__pagination_reads_every_page(void **state)
{
	struct fx *f = *state;
	json_t *r1 = json_array(), *c1 = json_array();

	for (int i = 0; i < 100; i++) {
		json_array_append_new(r1, review_obj(1000 + i, "alice", "LGTM"));
		json_array_append_new(c1, comment_obj(2000 + i, "alice", "nit", 3));
	}
	write_findings(f, finding_login(f), NULL);
	const char *reviews2 = dump(f, json_pack("[o]", review_obj(555, BOT, "x\n" REVIEW_MARKER)));
	const char *comments2 = dump(f, json_pack("[o]",
		comment_obj(777, BOT, marker(f, 'e', "src/login.c", 3), 3)));
	SCRIPT(f->gh, { 200, dump(f, r1), NULL }, { 200, reviews2, NULL },
	       { 200, dump(f, c1), NULL }, { 200, comments2, NULL },
	       { 200, "{}", NULL }, { 204, NULL, NULL }, { 201, "{}", NULL });

	RUN(f, );
	expect(f, 0, "leakgate-review: updated review 555: 1 comment posted, 1 deleted, 0 kept\n", "");
	assert_int_equal(n_reqs(f->gh), 7);
	assert_req(f, 0, "GET", PULL "/reviews" PAGE1);
	assert_req(f, 1, "GET", PULL "/reviews" PAGE2);
	assert_req(f, 2, "GET", PULL "/comments" PAGE1);
	assert_req(f, 3, "GET", PULL "/comments" PAGE2);
	assert_req(f, 4, "PUT", PULL "/reviews/555");
	assert_req(f, 5, "DELETE", "/repos/octo/login/pulls/comments/777");
	assert_req(f, 6, "POST", PULL "/comments");
}

static void review__retries_after_502(void **state)
{
	struct fx *f = *state;

	write_findings(f, finding_login(f), NULL);
	SCRIPT(f->gh, { 200, "[]", NULL }, { 200, "[]", NULL },
	       { 502, "{\"message\": \"Server Error\"}", NULL }, { 201, "{\"id\": 901}", NULL });

	RUN(f, );
	expect(f, 0, "leakgate-review: posted review 901 with 1 comment\n", "");
	assert_int_equal(n_reqs(f->gh), 4);
	assert_req(f, 2, "POST", PULL "/reviews");
	assert_req(f, 3, "POST", PULL "/reviews");
	assert_string_equal(req_at(f, 2)->body, req_at(f, 3)->body);
}

static void review__gives_up_after_three_retries(void **state)
{
	struct fx *f = *state;

	write_findings(f, finding_login(f), NULL);
	SCRIPT(f->gh, { 200, "[]", NULL }, { 200, "[]", NULL },
	       { 502, "{\"message\": \"Server Error\"}", NULL },
	       { 503, "{\"message\": \"Server Error\"}", NULL },
	       { 502, "{\"message\": \"Server Error\"}", NULL },
	       { 502, "{\"message\": \"Server Error\"}", NULL },
	       { 201, "{\"id\": 901}", NULL });

	RUN(f, );
	expect(f, 2, "", "leakgate-review: error: POST " PULL "/reviews: GitHub answered 502: "
	       "Server Error (after 4 attempts)\n");
	assert_int_equal(n_reqs(f->gh), 6);
}

static void review__retries_after_a_dropped_connection(void **state)
{
	struct fx *f = *state;

	write_findings(f, NULL);
	SCRIPT(f->gh, { 0, NULL, NULL }, { 200, "[]", NULL }, { 200, "[]", NULL });

	RUN(f, );
	expect(f, 0, "leakgate-review: no findings and no earlier review: nothing posted\n", "");
	assert_int_equal(n_reqs(f->gh), 3);
	assert_req(f, 0, "GET", PULL "/reviews" PAGE1);
	assert_req(f, 1, "GET", PULL "/reviews" PAGE1);
}

static void review__unreachable_api_gives_up(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* A port that was free a moment ago, now with nobody listening. */
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	unsigned port = ntohs(sa.sin_port);
	write_findings(f, NULL);

	const char *env[] = { "GITHUB_TOKEN=" TOKEN, "LEAKGATE_REVIEW_RETRY_MS=1",
			      sfmt(&f->strs, "GITHUB_API_URL=http://127.0.0.1:%u/", port), NULL };
	RUN_ENV(f, env, );
	assert_int_equal(f->r.status, 2);
	assert_string_equal(f->r.out, "");
	assert_contains(f->r.err, sfmt(&f->strs, "leakgate-review: error: GET " PULL "/reviews"
				       PAGE1 ": no answer from http://127.0.0.1:%u after 4 "
				       "attempts: ", port));
	assert_non_null(strchr(f->r.err, '\n'));
	assert_string_equal(strchr(f->r.err, '\n'), "\n");
}

static void review__redirect_is_refused(void **state)
{
	struct fx *f = *state;
	struct server *other = server_start("127.0.0.2");
	unsigned port2 = other->port;
	const char *loc = sfmt(&f->strs, "Location: http://127.0.0.2:%u" PULL "/reviews" PAGE1 "\r\n",
			       port2);

	write_findings(f, finding_login(f), NULL);
	SCRIPT(f->gh, { 302, "", loc }, { 200, "[]", NULL });
	SCRIPT(other, { 200, "[]", NULL });

	RUN(f, );
	size_t elsewhere = n_reqs(other);
	server_stop(other);
	expect(f, 2, "", sfmt(&f->strs, "leakgate-review: error: GET " PULL "/reviews" PAGE1
			      ": the API answered 302; refusing to follow a redirect to "
			      "127.0.0.2:%u (the token goes to the API URL's host only)\n", port2));
	assert_int_equal(elsewhere, 0);
	assert_int_equal(n_reqs(f->gh), 1);
}

static void review__unauthorized_fails_with_githubs_message(void **state)
{
	struct fx *f = *state;

	write_findings(f, finding_login(f), NULL);
	SCRIPT(f->gh, { 401, "{\"message\": \"Bad credentials\", \"documentation_url\": "
		       "\"https://docs.github.com/rest\"}", NULL });

	RUN(f, );
	expect(f, 2, "", "leakgate-review: error: GET " PULL "/reviews" PAGE1
	       ": GitHub answered 401: Bad credentials\n");
	assert_int_equal(n_reqs(f->gh), 1);
}

static void review__unprocessable_names_githubs_errors(void **state)
{
	struct fx *f = *state;

	write_findings(f, finding_login(f), NULL);
	SCRIPT(f->gh, { 200, "[]", NULL }, { 200, "[]", NULL },
	       { 422, "{\"message\": \"Unprocessable Entity\", \"errors\": "
		      "[\"Line could not be resolved\"]}", NULL });

	RUN(f, );
	expect(f, 2, "", "leakgate-review: error: POST " PULL "/reviews: GitHub answered 422: "
	       "Unprocessable Entity (Line could not be resolved)\n");
	assert_int_equal(n_reqs(f->gh), 3);
}

static void review__token_echoed_by_the_server_is_redacted(void **state)
{
	struct fx *f = *state;

	write_findings(f, NULL);
	SCRIPT(f->gh, { 403, "{\"message\": \"token " TOKEN " may not read\\nthis\"}", NULL });

	RUN(f, );
	expect(f, 2, "", "leakgate-review: error: GET " PULL "/reviews" PAGE1
	       ": GitHub answered 403: token [REDACTED] may not read this\n");
}

static void review__no_findings_and_no_review_posts_nothing(void **state)
{
	struct fx *f = *state;

	write_findings(f, NULL);
	SCRIPT(f->gh, { 200, "[]", NULL }, { 200, "[]", NULL });

	RUN(f, );
	expect(f, 0, "leakgate-review: no findings and no earlier review: nothing posted\n", "");
	assert_int_equal(n_reqs(f->gh), 2);
	assert_req(f, 0, "GET", PULL "/reviews" PAGE1);
	assert_req(f, 1, "GET", PULL "/comments" PAGE1);
}

static void review__no_findings_clears_the_earlier_review(void **state)
{
	struct fx *f = *state;

	write_findings(f, NULL);
	const char *reviews = dump(f, json_pack("[o]", review_obj(55, BOT, "old\n" REVIEW_MARKER)));
	const char *comments = dump(f, json_pack("[o, o, o]",
		comment_obj(101, BOT, login_comment(f), 48),
		comment_obj(102, BOT, marker(f, 'b', "src/db.c", 12), 12),
		comment_obj(103, "alice", "Thanks!", 48)));
	SCRIPT(f->gh, { 200, reviews, NULL }, { 200, comments, NULL }, { 200, "{}", NULL },
	       { 204, NULL, NULL }, { 204, NULL, NULL });

	RUN(f, );
	expect(f, 0, "leakgate-review: updated review 55: 0 comments posted, 2 deleted, 0 kept\n", "");
	assert_int_equal(n_reqs(f->gh), 5);
	assert_req(f, 2, "PUT", PULL "/reviews/55");
	assert_string_equal(jstr(req_json(f, 2), "body"),
		"### leakgate\n\nleakgate found no leaks that this change adds (commit `0123456`).\n\n"
		REVIEW_MARKER "\n");
	assert_req(f, 3, "DELETE", "/repos/octo/login/pulls/comments/101");
	assert_req(f, 4, "DELETE", "/repos/octo/login/pulls/comments/102");
}

/* As ci/leakgate-ci runs it: --findings, --event, --summary-file. */
static void review__event_file_names_the_pull_request(void **state)
{
	struct fx *f = *state;
	const char *event = sfmt(&f->strs, "%s/event.json", f->dir);
	const char *summary = sfmt(&f->strs, "%s/summary.md", f->dir);
	json_t *ev = json_pack("{s:s, s:i, s:{s:i, s:{s:s, s:s}, s:{s:s}}, s:{s:s}}",
			       "action", "synchronize", "number", 7,
			       "pull_request", "number", 7,
			       "head", "sha", COMMIT, "ref", "feature",
			       "base", "sha", "ffffffffffffffffffffffffffffffffffffffff",
			       "repository", "full_name", REPO);

	assert_int_equal(json_dump_file(ev, event, 0), 0);
	json_decref(ev);
	FILE *fp_ = fopen(summary, "w");
	assert_non_null(fp_);
	fclose(fp_);
	write_findings(f, finding_login(f), NULL);
	SCRIPT(f->gh, { 200, "[]", NULL }, { 200, "[]", NULL }, { 200, "{\"id\": 902}", NULL });

	RUN_ONLY(f, "--findings", f->findings, "--event", event, "--summary-file", summary,);
	expect(f, 0, "leakgate-review: posted review 902 with 1 comment\n", "");
	assert_int_equal(n_reqs(f->gh), 3);
	assert_req(f, 0, "GET", PULL "/reviews" PAGE1);
	assert_req(f, 2, "POST", PULL "/reviews");
	assert_string_equal(jstr(req_json(f, 2), "commit_id"), COMMIT);

	json_t *push = json_pack("{s:s, s:{s:s}}", "ref", "refs/heads/main",
				 "repository", "full_name", REPO);
	assert_int_equal(json_dump_file(push, event, 0), 0);
	json_decref(push);
	RUN_ONLY(f, "--findings", f->findings, "--event", event,);
	expect(f, 2, "", sfmt(&f->strs, "leakgate-review: error: %s: not a pull request's event "
			      "(no \"pull_request\")\n", event));
	assert_int_equal(n_reqs(f->gh), 3);
}

static void review__token_option_is_refused(void **state)
{
	struct fx *f = *state;
	static const char msg[] =
		"leakgate-review: error: --token is not accepted: a command line is visible to "
		"every user of the machine and is often echoed in CI logs; put the token in the "
		"GITHUB_TOKEN environment variable\n";

	write_findings(f, finding_login(f), NULL);
	RUN(f, "--token", "x",);
	expect(f, 2, "", msg);
	RUN(f, "--token=" TOKEN,);
	expect(f, 2, "", msg);
	assert_int_equal(n_reqs(f->gh), 0);
}

static void review__missing_token_is_an_error(void **state)
{
	struct fx *f = *state;
	const char *env[] = { sfmt(&f->strs, "GITHUB_API_URL=http://127.0.0.1:%u", f->gh->port),
			      NULL };

	write_findings(f, finding_login(f), NULL);
	RUN_ENV(f, env, );
	expect(f, 2, "", "leakgate-review: error: GITHUB_TOKEN is not set; the token is read "
	       "from the environment only\n");
	assert_int_equal(n_reqs(f->gh), 0);
}

static void review__plain_http_off_loopback_is_refused(void **state)
{
	struct fx *f = *state;
	const char *env[] = { "GITHUB_TOKEN=" TOKEN, NULL };

	write_findings(f, finding_login(f), NULL);
	RUN_ENV(f, env, "--api-url", "http://github.example.com/api/v3",);
	expect(f, 2, "", "leakgate-review: error: the API URL 'http://github.example.com/api/v3' "
	       "is plain http: the token would cross the network unencrypted; use https\n");
}

static void review__bad_input_fails_before_any_request(void **state)
{
	struct fx *f = *state;
	FILE *fp_ = fopen(f->findings, "w");

	assert_non_null(fp_);
	fputs("{\"findings\": [", fp_);
	fclose(fp_);
	RUN(f, );
	assert_int_equal(f->r.status, 2);
	assert_contains(f->r.err, sfmt(&f->strs, "leakgate-review: error: %s:1:", f->findings));
	assert_contains(f->r.err, ": cannot read leakgate's findings: ");

	write_findings(f, finding_plain(f, 'b', "/home/ci/src/db.c", 12), NULL);
	RUN(f, );
	expect(f, 2, "", sfmt(&f->strs, "leakgate-review: error: %s: findings[0]: "
			      "\"/home/ci/src/db.c\" is not relative to the repository root "
			      "(run leakgate there)\n", f->findings));

	write_findings(f, NULL);
	run_env(f, NULL, (const char *const[]){ "--repo", "../x", NULL });
	expect(f, 2, "", "leakgate-review: error: --repo '../x' is not OWNER/NAME\n");
	run_env(f, NULL, (const char *const[]){ "--pr", "7x", NULL });
	expect(f, 2, "", "leakgate-review: error: --pr '7x' is not a pull request number\n");
	RUN_ONLY(f, "--findings", f->findings, "--repo", REPO, "--pr", "7",);
	expect(f, 2, "", "leakgate-review: error: missing --commit SHA or --event FILE "
	       "(see --help)\n");
	assert_int_equal(n_reqs(f->gh), 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s LEAKGATE_REVIEW_BINARY\n", argv[0]);
		return 2;
	}
	review_bin = realpath(argv[1], NULL);
	if (!review_bin) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(errno));
		return 2;
	}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(review__first_review_posts_every_finding),
		T(review__comment_goes_to_the_anchor),
		T(review__update_edits_body_and_syncs_comments),
		T(review__outdated_comment_is_replaced),
		T(review__pagination_reads_every_page),
		T(review__retries_after_502),
		T(review__gives_up_after_three_retries),
		T(review__retries_after_a_dropped_connection),
		T(review__unreachable_api_gives_up),
		T(review__redirect_is_refused),
		T(review__unauthorized_fails_with_githubs_message),
		T(review__unprocessable_names_githubs_errors),
		T(review__token_echoed_by_the_server_is_redacted),
		T(review__no_findings_and_no_review_posts_nothing),
		T(review__no_findings_clears_the_earlier_review),
		T(review__event_file_names_the_pull_request),
		T(review__token_option_is_refused),
		T(review__missing_token_is_an_error),
		T(review__plain_http_off_loopback_is_refused),
		T(review__bad_input_fails_before_any_request),
	};
#undef T
	int failed = cmocka_run_group_tests_name("review", tests, NULL, NULL);

	free((char *)review_bin);
	return failed ? 1 : 0;
}
