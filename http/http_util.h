/*
 * http_util.h: small pure helpers the WSGI bridge needs to turn a parsed
 * request into a CGI-style environ.  No I/O, no allocation, no Python.
 */
#ifndef FORKD_HTTP_UTIL_H
#define FORKD_HTTP_UTIL_H

#include <stddef.h>

/*
 * Percent-decodes in[0..n) into out (room for n bytes).  "%zz" and a
 * truncated escape are copied as they are, as gunicorn and wsgiref do.
 * Returns the decoded length.
 */
size_t	http_path_decode(const char *in, size_t n, char *out);
/*
 * For an absolute-form target ("http://host:80/p?q"), returns the offset
 * of its path ("/p"); for origin-form, 0.  A target with no path after the
 * authority yields n (the caller uses "/").
 */
size_t	http_origin_offset(const char *path, size_t n);
/*
 * Writes the environ key for header name[0..n) into out (room for n + 6):
 * "HTTP_" + upper-cased name with '-' as '_', or "CONTENT_TYPE" /
 * "CONTENT_LENGTH" for those two.  Returns the key length.
 */
size_t	http_env_key(const char *name, size_t n, char *out);

struct http_request;

/*
 * Returns 1 when peer (a textual address; "" for a unix socket) is in
 * allow: "*", or a comma list of addresses and CIDR networks.
 */
int	http_trusted(const char *peer, const char *allow);
/*
 * What a trusted proxy says about the client (gunicorn's
 * --forwarded-allow-ips): the rightmost X-Forwarded-For address into
 * ret_addr, and the scheme from X-Forwarded-Proto or X-Forwarded-Ssl.
 * An untrusted peer's headers are ignored: ret_addr is the peer, the
 * scheme "http".  Returns 0, or -400 when a trusted peer's scheme
 * headers are malformed or disagree.
 */
int	http_forwarded(const struct http_request *req, const char *peer,
	    const char *allow, char *ret_addr, size_t addrlen,
	    const char **ret_scheme);

#endif
