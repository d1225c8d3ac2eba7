/*
 * marker.c - a shared object that says it was loaded.
 *
 * Its constructor creates the file named by $LG_HOSTILE_MARKER (when set):
 * test_hostile.c puts it behind every plugin-loading flag it can think of
 * and checks that leakgate never creates that file.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void lg_hostile_mark(void)
{
	const char *path = getenv("LG_HOSTILE_MARKER");
	if (!path || !*path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}
