#include <stdarg.h>
#include "api.h"

/* va_arg(ap, T) yields the next argument: a value of its own, not `ap`
 * (libclang shows it as an unexposed expression around `ap`, as it shows
 * an implicit conversion). */
void put_all(int n, ...)
{
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		struct conn *c = va_arg(ap, struct conn *);
		put(c);
	}
	*va_arg(ap, int *) = n;
	va_end(ap);
}

/* Implicit conversions and parentheses stay transparent. */
long widen(struct conn *c)
{
	struct conn *d = (c);
	long k = use(d);
	return k;
}
