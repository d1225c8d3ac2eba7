#include "api.h"

int goto_cleanup(void)
{
	struct conn *c = get();
	int rc = -1;
	if (!c)
		goto out;
	if (use(c) < 0)
		goto fail;
	rc = 0;
fail:
	put(c);
out:
	return rc;
}

int switch_fallthrough(int op)
{
	switch (op) {
	case 1:
		use(0);
		/* fall through */
	case 2:
		return 2;
	default:
		break;
	}
	switch (op) {
	case 3:
		return 3;
	}
	return 0;
}

#define CHECK(x) do { if (!(x)) return -1; } while (0)

int macro_and_stmt_expr(void)
{
	CHECK(cond());
	int v = ({ int t = cond(); t + 1; });
	{
		struct conn *inner = get();
		put(inner);
	}
	return v;
}
