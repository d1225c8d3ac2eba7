/*
 * output.c - choosing a format and writing a report file (see output.h).
 *
 * lg_output() dispatches to the one formatter the options name.
 * lg_output_write_file() makes writing a named report all-or-nothing: the
 * report is rendered into PATH.tmp.XXXXXX (mkstemp, so in PATH's own
 * directory and on its file system), flushed and fsync'ed, then renamed over
 * PATH.  Readers of PATH see the old report or the new one, never a part;
 * on any failure the temporary file is removed and PATH is untouched.
 *
 * The temporary file gets the permissions PATH already had, or, for a new
 * PATH, those open(2) would give under the umask (mkstemp makes it 0600).
 * Reading the umask sets it back at once; the output stage runs after the
 * workers are done, so no other thread is creating files meanwhile.
 */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lg_output(FILE *out, const struct lg_findings *fs,
	      const struct lg_output_opts *o, struct lg_diags *d)
{
	switch (o->format) {
	case LG_FORMAT_TEXT:
		errno = 0;
		if (lg_output_text(out, fs, o) < 0) {
			int err = errno ? errno : EIO;

			lg_diag(d, LG_ERROR, NULL, 0, 0,
				"cannot write the report: %s", strerror(err));
			errno = err; /* for lg_output_write_file */
			return -1;
		}
		return 0;
	case LG_FORMAT_SARIF:
		return lg_output_sarif(out, fs, o, d);
	}
	return lg_diag(d, LG_ERROR, NULL, 0, 0, "unknown output format %d",
		       (int)o->format);
}

/* PATH's mode if it exists, otherwise 0666 less the umask. */
static mode_t report_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (!stat(path, &st) && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	mask = umask(022);
	umask(mask);
	return 0666 & ~mask;
}

int lg_output_write_file(const char *path, const struct lg_findings *fs,
			 const struct lg_output_opts *o, struct lg_diags *d)
{
	struct lg_diags local = LG_DIAGS_INIT;
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, err = 0;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		err = ENOMEM;
		goto fail;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		free(tmp);
		tmp = NULL; /* nothing was created */
		goto fail;
	}
	if (fchmod(fd, report_mode(path)) < 0 || !(f = fdopen(fd, "w"))) {
		err = errno;
		goto fail;
	}
	fd = -1; /* f owns it now */

	/*
	 * When the stream failed, the formatter's own diagnostic ("cannot
	 * write the SARIF report: ...") would only repeat ours without the
	 * file name, so it is kept aside and dropped.
	 */
	errno = 0;
	if (lg_output(f, fs, o, &local) < 0) {
		err = errno ? errno : EIO;
		if (!ferror(f))
			lg_diags_move(d, &local); /* not I/O: it explains */
		goto fail;
	}
	if (fflush(f) == EOF || fsync(fileno(f)) < 0) {
		err = errno;
		goto fail;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		err = errno;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) < 0) {
		err = errno;
		goto fail;
	}
	free(tmp);
	lg_diags_release(&local);
	return 0;

fail:
	lg_diag(d, LG_ERROR, path, 0, 0, "cannot write the report: %s",
		strerror(err));
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	lg_diags_release(&local);
	return -1;
}
