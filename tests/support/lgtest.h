/*
 * lgtest.h - what the test programs that run leakgate (or git, or the CI
 * scripts) share: running a program and collecting what it printed, and
 * removing a temporary directory.  Each test program keeps its own
 * fixtures and assertions; this is only the plumbing, so that a fix to it
 * is made once.
 *
 * Ownership: lgt_spawn() fills a struct lgt_run whose strings the caller
 * frees with lgt_run_release() (which also makes it reusable).
 */
#ifndef LEAKGATE_TEST_SUPPORT_H
#define LEAKGATE_TEST_SUPPORT_H

/* What a program printed and how it ended. */
struct lgt_run {
	int status;  /* exit status; 128 + N when killed by signal N */
	char *out;   /* standard output, NUL-terminated */
	char *err;   /* standard error, NUL-terminated */
};

void lgt_run_release(struct lgt_run *r);

/*
 * Runs argv (argv[0] looked up on the PATH when it holds no '/') in `cwd`
 * (NULL: the current directory) with the environment `envp` (NULL: this
 * process's), standard input from /dev/null, and collects both outputs,
 * read together so that neither pipe can fill up.  A program that cannot
 * be started exits 127 (126 when its directory cannot be entered).
 * Returns 0, or -1 with errno when the test itself cannot go on (no pipe,
 * no process, no memory); `r` is released first.
 */
int lgt_spawn(const char *cwd, const char *const *argv, char *const *envp,
	      struct lgt_run *r);

/* Removes `dir` and everything below it, following no link. */
void lgt_rm_tree(const char *dir);

#endif
