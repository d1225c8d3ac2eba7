#include "pool.h"

int login(struct pool *p)
{
    struct conn *c = pool_acquire(p);
    if (!c)
        return -1;
    if (db_query(c, "SELECT 1") < 0)
        return -1;
    pool_release(p, c);
    return 0;
}
