#include "api.h"

void while_loop(int n)
{
	while (n > 0) {
		struct conn *c = get();
		if (!c)
			continue;
		n--;
		put(c);
	}
}

void do_while(void)
{
	do {
		use(0);
	} while (cond());
}

void for_forms(void)
{
	for (int i = 0; i < 3; i++)
		use(0);
	for (;;) {
		if (cond())
			break;
	}
	int j;
	for (j = 0; ; j++)
		if (j == 5)
			break;
}
