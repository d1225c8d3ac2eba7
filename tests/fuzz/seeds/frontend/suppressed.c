/* Suppressions next to leaks: used, unused, without a reason, several rules,
 * in a block comment. */
#include <stdio.h>
#include <stdlib.h>

#include "pool.h"

int f(struct pool *p)
{
	struct conn *c = pool_acquire(p);
	if (!c)
		return -1;
	if (db_query(c, "x") != 0)
		return -2; // leakgate-ignore(pool-connection): torn down right after
	pool_release(p, c);
	return 0;
}

void g(const char *path)
{
	FILE *f = fopen(path, "r");
	/* leakgate-ignore(stdio-file, pool-connection): the process exits */
	if (!f)
		return;
	FILE *m = fopen(path, "w"); // leakgate-ignore(stdio-file)
	(void)m;
}

int h(void) // leakgate-ignore(nothing-here): unused
{
	return 0;
}
