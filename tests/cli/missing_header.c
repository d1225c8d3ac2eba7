#include "pool.h"
#include "no_such_header.h"

int count(struct pool *p)
{
    return p != 0;
}
