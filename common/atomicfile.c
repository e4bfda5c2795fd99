/*
 * atomicfile.c: replacing a file whole (atomicfile.h).  It does not
 * fsync: the files it writes are reports and hand-offs between forkd's
 * own processes, rewritten at every use, not data to keep across a
 * crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "atomicfile.h"

int
atomicfile_write_all(int fd, const void *p, size_t len)
{
	const char	*c = p;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, c, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int
atomicfile_replace(const char *path, const struct iovec *iov, int iovcnt,
    mode_t mode)
{
	char	tmp[4096];
	int	fd, i, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1)
		return -errno;
	for (i = 0; i < iovcnt && r == 0; i++)
		r = atomicfile_write_all(fd, iov[i].iov_base, iov[i].iov_len);
	if (close(fd) == -1 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) == -1)
		r = -errno;
	if (r != 0)
		(void)unlink(tmp);
	return r;
}
