/*
 * posix.c - file descriptors: posix-fd (open, openat, creat, socket,
 * accept, dup, dup2 return a descriptor -> close).
 *
 * A negative descriptor holds nothing: `fd < 0` and `fd == -1` are the
 * descriptor's NULL tests.  read, write, connect and friends only borrow.
 * (dup2 onto a standard descriptor is left out: nobody closes 0, 1, 2.)
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "pool.h"

/* ---- open ----------------------------------------------------------------- */

/* The read error returns with the descriptor open. */
int leak_open_read_fails(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, n) < 0)
		return -1;		// expect: leak posix-fd
	close(fd);
	return 0;
}

int ok_open_read_fails(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t got = read(fd, buf, n);
	close(fd);
	return got < 0 ? -1 : 0;
}

/* The descriptor goes to the caller; `fd == -1` is the failure test. */
int ok_openat_returned(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Write-then-fsync: the fsync failure forgets the close. */
int leak_creat_fsync_fails(const char *path, const char *data, size_t n)
{
	int fd = creat(path, 0644);
	if (fd == -1)
		return -1;
	if (write(fd, data, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	if (fsync(fd) != 0)
		return -1;		// expect: leak posix-fd
	return close(fd);
}

/* A lock file "touched" with creat and never closed. */
void leak_creat_discarded(const char *path)
{
	creat(path, 0600);		// expect: leak posix-fd
}

/* The goto-cleanup idiom with a -1 sentinel. */
int ok_open_goto_cleanup(const char *src, const char *dst)
{
	char buf[4096];
	int rc = -1;
	int in = -1, out = -1;

	in = open(src, O_RDONLY);
	if (in < 0)
		goto done;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		goto done;
	ssize_t got;
	while ((got = read(in, buf, sizeof buf)) > 0) {
		if (write(out, buf, (size_t)got) != got)
			goto done;
	}
	rc = got < 0 ? -1 : 0;
done:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	return rc;
}

/* ---- Sockets ---------------------------------------------------------------- */

/* connect() fails: the socket is not closed. */
int leak_socket_connect_fails(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0)
		return -1;		// expect: leak posix-fd
	return fd;
}

int ok_socket_connect_fails(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A listening socket stored in the caller's struct field. */
int ok_listen_socket_in_field(struct listener *l, const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (const struct sockaddr *)addr, sizeof *addr) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	l->fd = fd;
	return 0;
}

/* The client descriptor declared in the loop body is left behind by
 * continue. */
void leak_accept_loop_continue(int lfd, int max)
{
	for (int i = 0; i < max; i++) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		if (serve_client(cfd) < 0)
			continue;	// expect: leak posix-fd
		close(cfd);
	}
}

void ok_accept_loop(int lfd, int max)
{
	for (int i = 0; i < max; i++) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		serve_client(cfd);
		close(cfd);
	}
}

/* The client descriptor falls off the end of the loop body. */
void leak_accept_loop_body_end(int lfd, int max)
{
	for (int i = 0; i < max; i++) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd >= 0)
			serve_client(cfd);
	}				// expect: leak posix-fd
}

/* ---- dup ------------------------------------------------------------------- */

/* A duplicate handed to the caller through the out parameter. */
int ok_dup_out(int fd, int *out)
{
	int copy = dup(fd);
	if (copy < 0)
		return -1;
	*out = copy;
	return 0;
}

/* The duplicate made for a check is never closed. */
int leak_dup_never_closed(int fd)
{
	int copy = dup(fd);
	if (copy < 0)
		return -1;
	return fcntl(copy, F_GETFL);	// expect: leak posix-fd
}

/* dup2 onto a descriptor the function chose: closed afterwards. */
int ok_dup2_closed(int fd, int target)
{
	int d = dup2(fd, target);
	if (d < 0)
		return -1;
	int rc = serve_client(d);
	close(d);
	return rc;
}

/* dup2 returns the descriptor the caller named (stdout here): nothing new
 * to close; the original is closed. */
int ok_redirect_stdout(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (dup2(fd, STDOUT_FILENO) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The same redirection, forgetting the original on the error path. */
int leak_redirect_error_path(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (dup2(fd, STDOUT_FILENO) < 0)
		return -1;		// expect: leak posix-fd
	close(fd);
	return 0;
}
