/*
 * lgtest.c - running programs and removing directories, for the tests
 * (see lgtest.h).
 */
#include "lgtest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void lgt_run_release(struct lgt_run *r)
{
	free(r->out);
	free(r->err);
	*r = (struct lgt_run){ 0 };
}

/* A growing, NUL-terminated buffer. */
struct buf {
	char *s;
	size_t len, cap;
};

/* Appends what is readable on `fd` to `b`: 1 when more may come, 0 at end
 * of file, -1 on error. */
static int drain(int fd, struct buf *b)
{
	if (b->cap - b->len < 4096) {
		size_t cap = b->cap * 2 + 4096;
		char *s = realloc(b->s, cap);
		if (!s)
			return -1;
		b->s = s;
		b->cap = cap;
	}
	ssize_t n = read(fd, b->s + b->len, b->cap - b->len - 1);
	if (n < 0)
		return errno == EINTR ? 1 : -1;
	b->len += (size_t)n;
	b->s[b->len] = '\0';
	return n > 0;
}

int lgt_spawn(const char *cwd, const char *const *argv, char *const *envp,
	      struct lgt_run *r)
{
	int op[2], ep[2];

	lgt_run_release(r);
	if (pipe2(op, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(op[0]);
		close(op[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(op[0]);
		close(op[1]);
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(op[1], 1) < 0 || dup2(ep[1], 2) < 0)
			_exit(126);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		execvpe(argv[0], (char *const *)argv, envp ? envp : environ);
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);

	struct buf out = { 0 }, err = { 0 };
	struct pollfd p[2] = { { op[0], POLLIN, 0 }, { ep[0], POLLIN, 0 } };
	int open_fds = 2, failed = 0;
	while (open_fds) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			failed = errno;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			int more = drain(p[i].fd, i == 0 ? &out : &err);
			if (more < 0 && !failed)
				failed = errno ? errno : ENOMEM;
			if (more <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			failed = errno;
			break;
		}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = out.s ? out.s : strdup("");
	r->err = err.s ? err.s : strdup("");
	if (!r->out || !r->err) {
		lgt_run_release(r);
		errno = ENOMEM;
		return -1;
	}
	if (failed) {
		errno = failed;
		return -1;
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void lgt_rm_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
