#include "pool.h"

int count(struct pool *p)
{
    return 1 +;
}
