/*
 * atomicfile.h: replaces a file whole: written under a temporary name
 * beside it, then renamed over it, so a reader sees the old file or the
 * new one, never half of one.  The tracker's ranges file, object index
 * and JSON report are written this way.
 */
#ifndef FORKD_ATOMICFILE_H
#define FORKD_ATOMICFILE_H

#include <sys/types.h>
#include <sys/uio.h>

/* Writes all of p[0..len) to fd; returns 0 or -errno. */
int	atomicfile_write_all(int fd, const void *p, size_t len);
/*
 * Writes the iovcnt pieces of iov to path.tmp with mode, renames it to
 * path.  Returns 0 or -errno (the temporary file is removed).
 */
int	atomicfile_replace(const char *path, const struct iovec *iov,
	    int iovcnt, mode_t mode);

#endif
