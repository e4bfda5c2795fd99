/*
 * http_resp.h: writes one HTTP/1.x response on a connection: the status
 * line and the app's headers (validated), then the body framed by
 * Content-Length, chunked encoding (HTTP/1.1) or connection close.
 */
#ifndef FORKD_HTTP_RESP_H
#define FORKD_HTTP_RESP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/*
 * Bytes a response could not write without blocking, kept for the
 * connection loop to send when the socket is writable: a slow reader
 * then holds memory, not the worker.
 */
struct http_outbuf {
	char	*p;
	size_t	 len;		/* bytes held */
	size_t	 off;		/* bytes of them already sent */
	size_t	 cap;
};

struct http_resp {
	int		 fd;
	int		 minor_version;	/* of the request */
	unsigned	 head_only:1;	/* HEAD: headers, no body */
	unsigned	 keep_alive:1;	/* cleared when the connection must close */
	unsigned	 started:1;	/* headers are set */
	unsigned	 sent_head:1;	/* headers are on the wire */
	unsigned	 chunked:1;
	unsigned	 finished:1;
	unsigned	 no_body:1;	/* 1xx, 204, 304 */
	int		 status;
	int		 error;		/* -errno of the first failed write */
	int64_t		 content_length;	/* the app's, or -1 */
	int64_t		 length_hint;	/* total body size if known, or -1 */
	uint64_t	 body_sent;
	uint64_t	 bytes_out;
	unsigned	 send_timeout_ms;
	/*
	 * When set, bytes go to sink instead of fd, and a body of unknown
	 * length is not chunked (the warmup client reads it whole).
	 */
	int		(*sink)(void *arg, const struct iovec *iov, int iovcnt);
	void		*sink_arg;
	/* When set, writes never wait for a slow reader: see above. */
	struct http_outbuf *out;
	size_t		 out_max;	/* beyond it, writes wait after all */
	char		*head;		/* the head being built (owned) */
	size_t		 head_len;
	size_t		 head_cap;
};

struct http_resp_header {
	const char	*name;
	size_t		 name_len;
	const char	*value;
	size_t		 value_len;
};

/*
 * Prepares r for a response to a request on fd; no I/O.  r must be
 * zeroed before its first use: its head buffer is kept across calls.
 */
void	http_resp_init(struct http_resp *r, int fd, int minor_version,
	    int head_only, int keep_alive);
void	http_resp_free(struct http_resp *r);
/*
 * Sets the status ("200 OK") and headers.  May be called again before
 * the head is sent (start_response with exc_info).  Returns 0, -EINVAL
 * when the status or a header is malformed or hop-by-hop (the caller
 * answers 500), or -ENOMEM.
 */
int	http_resp_start(struct http_resp *r, const char *status,
	    size_t status_len, const struct http_resp_header *h, size_t nh);
/* Total body length when the caller knows it in advance (-1: unknown). */
void	http_resp_set_length_hint(struct http_resp *r, int64_t len);
/*
 * Sends len body bytes (the head first if it is not out yet).  Returns 0
 * or -errno: -EPIPE/-ECONNRESET when the client left, -ETIMEDOUT, or
 * -EMSGSIZE when the app writes past its Content-Length.
 */
int	http_resp_write(struct http_resp *r, const void *buf, size_t len);
/*
 * Sends len bytes of file fd from offset off as body, with sendfile(2).
 * The head goes first; if its framing is not fixed yet, len becomes the
 * Content-Length.  Returns 0, -ENOTSUP when the caller must copy instead
 * (a memory sink, or a chunked response), or -errno.
 */
int	http_resp_sendfile(struct http_resp *r, int fd, off_t off, size_t len);
/* Ends the response (head if unsent, last chunk).  Returns 0 or -errno. */
int	http_resp_finish(struct http_resp *r);
/*
 * Sends a complete error response with "Connection: close".  Returns 0
 * or -errno.
 */
int	http_resp_simple(int fd, int minor_version, int status,
	    const char *body, int close_conn);
/*
 * Sends all of iov, waiting for POLLOUT up to timeout_ms at each wait
 * (a per-wait idle timeout, not an overall deadline); 0 or -errno.
 */
int	http_send_all(int fd, const struct iovec *iov, int iovcnt,
	    unsigned timeout_ms);
/*
 * Sends what ob holds without blocking.  Returns 1 when all is sent, 0
 * when the socket is full again, or -errno.
 */
int	http_outbuf_flush(struct http_outbuf *ob, int fd);
void	http_outbuf_free(struct http_outbuf *ob);
/* Returns the RFC 9110 date for now, cached for the current second. */
const char *http_date(void);

#endif
