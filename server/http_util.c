/*
 * http_util.c: pure helpers for building a WSGI environ from a parsed
 * request.  They never fail and never allocate.
 */
#include <strings.h>
#include <string.h>

#include "http_util.h"

static int
http_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
http_path_decode(const char *in, size_t n, char *out)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (in[i] == '%' && i + 2 < n &&
		    (hi = http_hexval(in[i + 1])) >= 0 &&
		    (lo = http_hexval(in[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			out[o++] = in[i];
	}
	return o;
}

size_t
http_origin_offset(const char *path, size_t n)
{
	size_t	i;

	if (n == 0 || path[0] == '/')
		return 0;
	/* scheme "://" authority, then the path starts at the next '/'. */
	for (i = 0; i + 2 < n; i++)
		if (path[i] == ':' && path[i + 1] == '/' && path[i + 2] == '/')
			break;
	if (i + 2 >= n)
		return 0;
	for (i += 3; i < n; i++)
		if (path[i] == '/')
			return i;
	return n;
}

size_t
http_env_key(const char *name, size_t n, char *out)
{
	size_t	i, o = 0;

	if (n == 12 && strncasecmp(name, "content-type", 12) == 0) {
		memcpy(out, "CONTENT_TYPE", 12);
		return 12;
	}
	if (n == 14 && strncasecmp(name, "content-length", 14) == 0) {
		memcpy(out, "CONTENT_LENGTH", 14);
		return 14;
	}
	memcpy(out, "HTTP_", 5);
	o = 5;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		else if (c == '-')
			c = '_';
		out[o++] = c;
	}
	return o;
}
