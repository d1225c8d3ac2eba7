/*
 * logfile.c - stdio wrappers and cleanup functions (xtu-report).  Helpers
 * only: none of them may have a finding.
 */
#include "pool.h"
#include "report.h"

FILE *h_log_open(const char *path)
{
	FILE *f = fopen(path, "a");
	if (!f)
		log_msg("cannot open %s", path);
	return f;
}

void h_log_close(FILE *f)
{
	fflush(f);
	fclose(f);
}

int h_log_write(FILE *f, const char *msg)
{
	return fputs(msg, f) < 0 ? -1 : 0;
}

void h_auto_close(FILE **fp)
{
	if (*fp)
		fclose(*fp);
}

void h_auto_flush(FILE **fp)
{
	if (*fp)
		fflush(*fp);
}
