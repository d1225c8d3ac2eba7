/*
 * tmpfile.c - temporary files for writing a file whole (see tmpfile.h).
 */
#include "tmpfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUFFIX ".tmp."
#define RANDOM_CHARS 6

/* BASE.tmp.XXXXXX with six random characters (malloc'd), or NULL. */
static char *tmp_name(const char *base)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static unsigned long counter;
	unsigned char r[RANDOM_CHARS];
	char tail[RANDOM_CHARS + 1];
	char *name;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* no entropy yet: the pid, the time and a count still differ
		 * between processes and threads; O_EXCL settles the rest */
		struct timespec ts;
		unsigned long n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long x = (unsigned long)getpid() * 2654435761u ^
				  (unsigned long)ts.tv_nsec ^ n * 40503u;
		for (size_t i = 0; i < sizeof(r); i++, x /= 62)
			r[i] = (unsigned char)(x % 62);
	}
	for (size_t i = 0; i < RANDOM_CHARS; i++)
		tail[i] = chars[r[i] % 62];
	tail[RANDOM_CHARS] = '\0';
	if (asprintf(&name, "%s" SUFFIX "%s", base, tail) < 0)
		return NULL;
	return name;
}

int lg_tmp_create(int dfd, const char *base, char **name)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		*name = tmp_name(base);
		if (!*name) {
			errno = ENOMEM;
			return -1;
		}
		int fd = openat(dfd, *name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		int err = errno;
		free(*name);
		*name = NULL;
		if (err != EEXIST) {
			errno = err;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/* Whether `name` is a temporary file of `base` (of any base when NULL). */
static bool is_tmp_of(const char *name, const char *base)
{
	size_t len = strlen(name), tail = strlen(SUFFIX) + RANDOM_CHARS;
	if (len <= tail || strncmp(name + len - tail, SUFFIX, strlen(SUFFIX)) != 0)
		return false;
	return !base || (len - tail == strlen(base) && strncmp(name, base, len - tail) == 0);
}

void lg_tmp_clean_stale(int dfd, const char *base)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	time_t now = time(NULL);
	struct dirent *e;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(dir))) {
		struct stat st;
		if (!is_tmp_of(e->d_name, base))
			continue;
		if (!fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
		    !S_ISDIR(st.st_mode) && now - st.st_mtime > LG_TMP_STALE_SECONDS)
			unlinkat(dfd, e->d_name, 0);
	}
	closedir(dir);
}
