#include "api.h"

/* A body partly written in another file: positions in both files, one
 * after the other (the line index of each file is looked up in turn). */
int included(int x)
{
	struct conn *c = get();
	if (!c)
		return -1;
#include "included.inc"
	put(c);
	return x;
}
