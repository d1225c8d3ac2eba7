/*
 * net.c - posix descriptor wrappers (xtu-service).  Helpers only.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "service.h"

int h_listen(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int h_open_ro(const char *path, int *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*out = -1;
		return -1;
	}
	*out = fd;
	return 0;
}

void h_close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void h_auto_close_fd(int *fdp)
{
	if (*fdp >= 0)
		close(*fdp);
}
