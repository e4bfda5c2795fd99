/*
 * http_util.c: pure helpers for building a WSGI environ from a parsed
 * request.  They never fail and never allocate.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "hexdigit.h"
#include "http_parse.h"

#include "http_util.h"

size_t
http_path_decode(const char *in, size_t n, char *out)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (in[i] == '%' && i + 2 < n &&
		    (hi = hex_digit(in[i + 1])) >= 0 &&
		    (lo = hex_digit(in[i + 2])) >= 0) {
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

/* Parses an address or "addr/bits"; returns the family, or 0. */
static int
http_parse_net(const char *s, size_t n, unsigned char addr[16],
    unsigned *ret_bits)
{
	char		 buf[64];
	const char	*slash;
	unsigned long	 bits;
	char		*end;
	int		 fam;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		buf[slash - buf] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		fam = AF_INET6;
	else
		return 0;
	bits = fam == AF_INET ? 32 : 128;
	if (slash != NULL) {
		bits = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || slash[1] == '\0' ||
		    bits > (fam == AF_INET ? 32u : 128u))
			return 0;
	}
	*ret_bits = (unsigned)bits;
	return fam;
}

int
http_trusted(const char *peer, const char *allow)
{
	unsigned char	 p[16], a[16];
	unsigned	 bits, pbits, i;
	const char	*s, *e;
	int		 pf, af;

	if (allow == NULL || *allow == '\0')
		return 0;
	if (strcmp(allow, "*") == 0 || *peer == '\0')
		return 1;	/* "*", or a unix socket: a local proxy */
	if ((pf = http_parse_net(peer, strlen(peer), p, &pbits)) == 0)
		return 0;
	for (s = allow; *s != '\0'; s = *e ? e + 1 : e) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		if ((af = http_parse_net(s, e - s, a, &bits)) != pf)
			continue;
		for (i = 0; i < bits / 8; i++)
			if (p[i] != a[i])
				break;
		if (i < bits / 8)
			continue;
		if (bits % 8 != 0 &&
		    ((p[i] ^ a[i]) & (0xff << (8 - bits % 8)) & 0xff) != 0)
			continue;
		return 1;
	}
	return 0;
}

/* The last comma-separated element of a header value, OWS trimmed. */
static void
http_last_elem(const char *v, size_t n, const char **ret, size_t *ret_len)
{
	size_t	i = n;

	while (i > 0 && v[i - 1] != ',')
		i--;
	v += i;
	n -= i;
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*ret = v;
	*ret_len = n;
}

int
http_forwarded(const struct http_request *req, const char *peer,
    const char *allow, char *ret_addr, size_t addrlen,
    const char **ret_scheme)
{
	const struct http_header *h;
	unsigned char	 tmp[16];
	const char	*v, *scheme = NULL, *said;
	size_t		 i, n;
	unsigned	 bits;

	*ret_scheme = "http";
	snprintf(ret_addr, addrlen, "%s", peer);
	if (!http_trusted(peer, allow))
		return 0;
	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		said = NULL;
		http_last_elem(h->value, h->value_len, &v, &n);
		if (h->name_len == 15 &&
		    strncasecmp(h->name, "x-forwarded-for", 15) == 0) {
			if (n < addrlen && http_parse_net(v, n, tmp, &bits) &&
			    memchr(v, '/', n) == NULL)
				snprintf(ret_addr, addrlen, "%.*s", (int)n, v);
			continue;
		}
		if (h->name_len == 17 &&
		    strncasecmp(h->name, "x-forwarded-proto", 17) == 0) {
			if (n == 5 && strncasecmp(v, "https", 5) == 0)
				said = "https";
			else if (n == 4 && strncasecmp(v, "http", 4) == 0)
				said = "http";
			else
				return -400;
		} else if (h->name_len == 15 &&
		    strncasecmp(h->name, "x-forwarded-ssl", 15) == 0) {
			if (n == 2 && strncasecmp(v, "on", 2) == 0)
				said = "https";
			else if (n == 3 && strncasecmp(v, "off", 3) == 0)
				said = "http";
			else
				return -400;
		}
		if (said == NULL)
			continue;
		/* Two headers that disagree on the scheme: refuse (H19). */
		if (scheme != NULL && strcmp(scheme, said) != 0)
			return -400;
		scheme = said;
	}
	if (scheme != NULL)
		*ret_scheme = scheme;
	return 0;
}
