/*
 * tmpfile.h - the temporary files behind every file leakgate writes whole.
 *
 * A report, a baseline, a merged report and each cache entry are written
 * to a temporary file in the target's own directory and renamed over the
 * target (output.c, cache.c), so that a run killed at any moment leaves
 * the previous version.  This module owns the temporary files' names,
 * BASE.tmp.XXXXXX with six random characters as mkstemp(3) makes them,
 * their creation (never an existing name, never through a link), and the
 * removal of those that killed runs left behind.  Directories are given as
 * descriptors, so that nothing here follows a name that changed.
 */
#ifndef LEAKGATE_TMPFILE_H
#define LEAKGATE_TMPFILE_H

/* A temporary file left this many seconds ago belongs to a dead run. */
#define LG_TMP_STALE_SECONDS (60 * 60)

/*
 * Creates a new temporary file for `base` in the directory `dfd`: never an
 * existing name, never through a link (O_EXCL | O_NOFOLLOW), mode 0666
 * under the umask.  Returns the descriptor and, in *name, its name (the
 * caller frees it); -1 with errno and *name NULL.
 */
int lg_tmp_create(int dfd, const char *base, char **name);

/* Removes the temporary files of `base` in `dfd` (of any base when NULL)
 * older than LG_TMP_STALE_SECONDS; a younger one may be another run's. */
void lg_tmp_clean_stale(int dfd, const char *base);

#endif
