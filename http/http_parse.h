/*
 * http_parse.h: the HTTP/1.1 request head parser and the chunked body
 * decoder, as pure functions over the caller's bytes.
 *
 * It does no I/O, never allocates and knows nothing about Python, WSGI or
 * sockets.  It decides whether a head is complete, well formed and framed
 * unambiguously (RFC 9112, reliability.md section 1.3); what to answer and
 * when to close is the caller's business.  After any negative return the
 * caller answers that status with "Connection: close" and never parses the
 * bytes that follow.
 */
#ifndef FORKD_HTTP_PARSE_H
#define FORKD_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADERS	100

struct http_header {
	const char	*name;		/* points into the caller's buffer */
	size_t		 name_len;
	const char	*value;		/* OWS stripped on both sides */
	size_t		 value_len;
};

struct http_limits {
	size_t	max_line;	/* request line; longer -> -414 (8192) */
	size_t	max_field;	/* one field line; longer -> -431 (8192) */
	size_t	max_fields;	/* field lines; more -> -431 (100) */
	size_t	max_head;	/* whole head; larger -> -431 (65536) */
};
extern const struct http_limits http_default_limits;

/*
 * Every pointer points into the caller's buffer, except path for an
 * absolute-form target without a path, which points to a static "/", and
 * an absent authority, which is "".
 */
struct http_request {
	const char	*method;	/* a token, case kept (R4) */
	size_t		 method_len;
	const char	*target;	/* as sent */
	size_t		 target_len;
	const char	*path;		/* before '?', not percent-decoded; */
	size_t		 path_len;	/* for absolute-form, after authority */
	const char	*query;		/* after '?', without it */
	size_t		 query_len;	/* 0 if none */
	const char	*authority;	/* absolute-form: the target's (H15); */
	size_t		 authority_len;	/* else Host; "" if neither */
	int		 minor_version;	/* 0 or 1: HTTP/1.0 or HTTP/1.1 */
	/* In the order received; names with '_' are dropped (H7). */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t		 nheaders;
	int64_t		 content_length;	/* -1 when absent */
	unsigned	 chunked:1;	/* Transfer-Encoding: chunked */
	/*
	 * HTTP/1.1: unless Connection lists "close"; HTTP/1.0: only when it
	 * lists "keep-alive" and not "close" (tokens, any case).
	 */
	unsigned	 keep_alive:1;
	unsigned	 expect_continue:1;	/* 100-continue, 1.1 only */
	size_t		 head_len;	/* leading CRLFs to final CRLF */
};

/*
 * Parses the head of one request from buf[0..len); lim NULL means
 * http_default_limits.  Returns the head length (> 0) when complete,
 * 0 when more bytes are needed, or the negated status to answer (-400,
 * -414, -417, -431, -501, -505) for a bad request.  Each byte is judged
 * as soon as it arrives, so a longer buffer never turns an error into 0
 * or into a success.  *req is written only on success; the next request
 * of a pipeline starts at buf + head_len (after the body).
 */
int	http_parse_request(const char *buf, size_t len,
	    struct http_request *req, const struct http_limits *lim);

/* Chunked body decoder, a state machine that decodes in place. */
struct http_chunked {
	int		 state;		/* private */
	uint64_t	 remaining;	/* private: data bytes left, or the
					   trailer name matcher */
	size_t		 ext_len;	/* private: bytes on this line (C10) */
	size_t		 trailer_len;	/* private */
	unsigned	 trailer_fields;	/* private */
};

/* Prepares c for a new chunked body.  Returns nothing. */
void	http_chunked_init(struct http_chunked *c);

/*
 * Decodes buf[0..*len) in place: chunk data is moved to the front of
 * buf, *len becomes the number of data bytes produced and *consumed the
 * number of input bytes used.  Returns 1 when the last chunk and the
 * trailer section are complete (bytes after *consumed belong to the next
 * request), 0 when more input is needed (all input was consumed), or -400
 * on a framing error, after which *len and *consumed are unchanged and
 * every later call returns -400 too.  Trailers are checked with the
 * header rules and the default limits, then discarded.
 */
int	http_chunked_decode(struct http_chunked *c, char *buf, size_t *len,
	    size_t *consumed);

/* Returns the standard reason phrase for an HTTP status, or "Unknown". */
const char *http_reason(int status);

#endif
