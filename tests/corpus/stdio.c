/*
 * stdio.c - streams: stdio-file (fopen, fdopen, freopen, tmpfile ->
 * fclose) and stdio-pipe (popen -> pclose).
 *
 * A NULL stream holds nothing.  Passing a stream to fgets, fprintf and the
 * like only borrows it.  (freopen is left out: it is usually called on
 * stdin/stdout/stderr, which nobody closes.)
 */
#include <stdio.h>
#include <string.h>

#include "pool.h"

/* ---- fopen ----------------------------------------------------------------- */

/* The read error returns with the file open. */
int leak_fopen_read_fails(const char *path, char *buf, int n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, n, f))
		return -1;		// expect: leak stdio-file
	fclose(f);
	return 0;
}

int ok_fopen_read_fails(const char *path, char *buf, int n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, n, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* A parse error in the middle of the line loop. */
int leak_fopen_return_in_loop(const char *path)
{
	char line[256];
	int count = 0;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f)) {
		if (parse_line(line) < 0)
			return -1;	// expect: leak stdio-file
		count++;
	}
	fclose(f);
	return count;
}

int ok_fopen_loop_break(const char *path)
{
	char line[256];
	int count = 0;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f)) {
		if (parse_line(line) < 0) {
			count = -1;
			break;
		}
		count++;
	}
	fclose(f);
	return count;
}

/* Opening each file into one variable without closing the previous one. */
int leak_fopen_overwrite_in_loop(const char **paths, int n)
{
	int opened = 0;
	FILE *f = NULL;
	for (int i = 0; i < n; i++) {
		f = fopen(paths[i], "r");	// expect: leak stdio-file
		if (f)
			opened++;
	}
	if (f)
		fclose(f);
	return opened;
}

/* "Touching" a file: the stream is thrown away at once. */
void leak_fopen_discarded(const char *path)
{
	fopen(path, "a");		// expect: leak stdio-file
}

/* Passed straight to a function that only borrows it. */
void leak_fopen_into_unknown(const char *path)
{
	log_file(fopen(path, "a"));	// expect: leak stdio-file
}

void ok_fopen_into_fclose(const char *path)
{
	FILE *f = fopen(path, "a");
	if (f)
		fclose(f);
}

/* The stream belongs to the caller. */
FILE *ok_fopen_returned(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return fopen(path, "w");
}

/* ---- fdopen and tmpfile ---------------------------------------------------- */

int ok_fdopen_closed(int fd, const char *msg)
{
	FILE *f = fdopen(fd, "w");
	if (!f)
		return -1;
	int rc = fputs(msg, f);
	if (fclose(f) != 0)
		return -1;
	return rc < 0 ? -1 : 0;
}

/* The write error returns with the temporary file open. */
int leak_tmpfile_write_fails(const char *data, char *out, int n)
{
	FILE *t = tmpfile();
	if (!t)
		return -1;
	if (fputs(data, t) == EOF)
		return -1;		// expect: leak stdio-file
	rewind(t);
	int rc = fgets(out, n, t) ? 0 : -1;
	fclose(t);
	return rc;
}

/* ---- popen ----------------------------------------------------------------- */

/* No output from the command: the pipe is not closed. */
int leak_popen_no_output(const char *cmd, char *line, int n)
{
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	if (fgets(line, n, p) == NULL)
		return -1;		// expect: leak stdio-pipe
	return pclose(p);
}

int ok_popen_pclose(const char *cmd, char *line, int n)
{
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	int got = fgets(line, n, p) != NULL;
	int status = pclose(p);
	return got ? status : -1;
}

/* Writing to a command; the pipe is closed on both paths. */
int ok_popen_write(const char *cmd, const char *input)
{
	FILE *p = popen(cmd, "w");
	if (!p)
		return -1;
	if (fputs(input, p) == EOF) {
		pclose(p);
		return -1;
	}
	return pclose(p) == 0 ? 0 : -1;
}

/* ---- A file and a pipe ------------------------------------------------------ */

/* Copying a command's output to a file: the write error leaves both. */
int leak_file_and_pipe(const char *cmd, const char *path)
{
	char buf[512];
	FILE *out = fopen(path, "w");
	if (!out)
		return -1;
	FILE *in = popen(cmd, "r");
	if (!in) {
		fclose(out);
		return -1;
	}
	while (fgets(buf, sizeof buf, in)) {
		if (fputs(buf, out) == EOF)
			return -1;	// expect: leak stdio-file, leak stdio-pipe
	}
	pclose(in);
	return fclose(out);
}

int ok_file_and_pipe(const char *cmd, const char *path)
{
	char buf[512];
	int rc = 0;
	FILE *out = fopen(path, "w");
	if (!out)
		return -1;
	FILE *in = popen(cmd, "r");
	if (!in) {
		fclose(out);
		return -1;
	}
	while (fgets(buf, sizeof buf, in)) {
		if (fputs(buf, out) == EOF) {
			rc = -1;
			break;
		}
	}
	pclose(in);
	if (fclose(out) != 0)
		rc = -1;
	return rc;
}

/* freopen on stdout reopens the caller's stream: testing and dropping its
 * result leaks nothing. */
int ok_freopen_stdout(const char *path)
{
	if (freopen(path, "w", stdout) == NULL)
		return -1;
	puts("redirected");
	return 0;
}

/* freopen of a stream this function opened: the reopened stream is ours. */
int leak_freopen_own_stream(const char *a, const char *b)
{
	FILE *f = fopen(a, "r");
	if (!f)
		return -1;
	f = freopen(b, "r", f);
	if (!f)
		return -1;
	return fgetc(f);		// expect: leak stdio-file
}

/* The reopened stream closed: clean. */
int ok_freopen_own_stream(const char *a, const char *b)
{
	FILE *f = fopen(a, "r");
	if (!f)
		return -1;
	f = freopen(b, "r", f);
	if (!f)
		return -1;
	int c = fgetc(f);
	fclose(f);
	return c;
}
