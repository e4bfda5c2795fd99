/*
 * accesslog.h: the access log a worker writes, one line per answered
 * request, in a format compiled once (common/accessfmt.h).  Each line
 * goes out in one write(2) on an O_APPEND descriptor, so the lines of
 * several workers sharing the file never interleave.
 */
#ifndef FORKD_ACCESSLOG_H
#define FORKD_ACCESSLOG_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "accessfmt.h"

struct http_exchange;

struct accesslog {
	const struct accessfmt	*fmt;
	const char		*path;		/* NULL: stderr ("-") */
	int			 fd;		/* -1: could not be opened */
	char			*buf;		/* the line being rendered */
	size_t			 len;
	size_t			 cap;
	time_t			 t_sec;		/* the second t_str shows */
	char			 t_str[64];
	char			 pid[16];	/* "<pid>", set at open */
};

/*
 * Opens path ("-": stderr) for appending, mode 0640, in this process.
 * Returns 0 or -errno; on failure al is still usable and writes nothing
 * until accesslog_reopen() succeeds.
 */
int	accesslog_open(struct accesslog *al, const char *path,
	    const struct accessfmt *fmt);
/*
 * Opens the path again (after the file was moved away) and only then
 * closes the old descriptor.  Returns 0 or -errno, keeping the old one.
 */
int	accesslog_reopen(struct accesslog *al);
/*
 * Renders the line for ex, answered in ns nanoseconds, into al->buf.
 * Returns its length (newline included) or -ENOMEM.
 */
ssize_t	accesslog_render(struct accesslog *al, const struct http_exchange *ex,
	    uint64_t ns);
/* Renders and writes the line.  Returns 0 or -errno. */
int	accesslog_write(struct accesslog *al, const struct http_exchange *ex,
	    uint64_t ns);
void	accesslog_close(struct accesslog *al);
/*
 * Writes in[0..n) to out (room for 4 n) with control bytes, DEL and
 * bytes over 0x7f as \xHH, '"' as \" and '\' as \\, so that no value
 * can end a field or forge a line.  Returns the bytes written.
 */
size_t	accesslog_escape(char *out, const char *in, size_t n);

#endif
