/* Declarations shared by the lowering fixtures. */
struct conn;
struct conn *get(void);
void put(struct conn *c);
int use(struct conn *c);
int cond(void);
_Noreturn void die(const char *why);
