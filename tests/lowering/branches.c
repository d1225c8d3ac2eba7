#include "api.h"

int if_else(int x)
{
	struct conn *c = get();
	if (!c)
		return -1;
	if (x > 0)
		put(c);
	else
		use(c);
	return 0;
}

int short_circuit(int a, int b)
{
	if (a && !b)
		return 1;
	if (a || b == 3)
		return 2;
	return 0;
}

int ternary_and_comma(int a)
{
	struct conn *c = a ? get() : 0;
	int n = (use(c), a);
	return n;
}

int assign_in_condition(void)
{
	struct conn *c;
	if ((c = get()) == 0)
		return -1;
	put(c);
	return 0;
}

void noreturn_call(int a)
{
	if (a < 0)
		die("negative");
	put(0);
}
