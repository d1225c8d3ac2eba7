/*
 * login.h - the login handler.  login.c is the code as it was deployed
 * (it leaks a pooled connection on every wrong password); login_fixed.c is
 * the same code with the fix.  Both define handle_login(), so a program
 * links exactly one of them.
 */
#ifndef LOGIN_SERVICE_LOGIN_H
#define LOGIN_SERVICE_LOGIN_H

#include "pool.h"

enum login_result {
	LOGIN_OK,           /* password matches; last_login stamped */
	LOGIN_DENIED,       /* unknown user or wrong password */
	LOGIN_UNAVAILABLE,  /* no database connection to be had */
};

enum login_result handle_login(struct db_pool *pool, const char *user,
			       const char *password);

#endif
