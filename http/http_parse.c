/*
 * http_parse.c: the HTTP/1.1 request head parser and the chunked body
 * decoder.
 *
 * Strict on purpose (reliability.md section 1.3): every ambiguity is
 * rejected, never normalised.  Every byte is judged when it is first
 * seen, in order, so a verdict never depends on how the input was split
 * into reads: a prefix of a request parses to 0 or to the same verdict as
 * the whole.  Only the checks that need the whole head (missing Host,
 * Content-Length with Transfer-Encoding, an unsupported coding) wait for
 * the empty line.
 *
 * It does no I/O, allocates nothing and keeps no global state beyond
 * constant tables.  It does not percent-decode, does not choose body
 * limits (413) and does not decide what to do with the connection.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "http_parse.h"

const struct http_limits http_default_limits = {
	.max_line = 8192,
	.max_field = 8192,
	.max_fields = 100,
	.max_head = 65536,
};

/* RFC 9110 5.6.2 tchar: names, methods, codings. */
static const uint8_t tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

/* RFC 9110 5.5: field-vchar, SP and HTAB; never NUL, CR, LF, CTL, DEL. */
static const uint8_t fvchar[256] = {
	['\t'] = 1, [' ' ... '~'] = 1, [0x80 ... 0xff] = 1,
};

/* RFC 9110 5.6.4 qdtext: fvchar without '"' and '\'. */
static const uint8_t qdtext[256] = {
	['\t'] = 1, [' ' ... '!'] = 1, ['#' ... '['] = 1, [']' ... '~'] = 1,
	[0x80 ... 0xff] = 1,
};

/*
 * RFC 3986 reg-name without pct-encoded: unreserved and sub-delims, less
 * ',' so that "Host: a, b" is refused (H14).
 */
static const uint8_t regname[256] = {
	['!'] = 1, ['$'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1, [')'] = 1,
	['*'] = 1, ['+'] = 1, [';'] = 1, ['='] = 1,
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

/* Hex digit values plus one; 0 means not a hex digit. */
static const uint8_t hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define IS_OWS(c)	((c) == ' ' || (c) == '\t')

/* What line_byte() returns when it has no byte to give. */
#define AT_END		(-1)	/* the input stops here */
#define AT_LIMIT	(-2)	/* the line is longer than its limit */

/* One parse of a head: the input, and what the fields said so far. */
struct parse {
	const unsigned char	*buf;
	size_t			 len;	/* clamped to max_head */
	int			 over;	/* len was clamped: more means -431 */
	struct http_request	*r;
	size_t			 nfields;	/* field lines, dropped too */
	int			 connect;	/* a valid CONNECT */
	int			 absolute;	/* absolute-form target */
	int			 cl_seen;
	int			 host_seen;
	int			 te_seen;
	int			 te_chunked;	/* chunked seen, so far last */
	int			 te_other;	/* a coding before chunked */
	int			 conn_close;
	int			 conn_keep;
};

static const char	slash[] = "/";

/* Returns 0 when more input may complete the head, -431 when it may not. */
static int
more(const struct parse *ps)
{
	return ps->over ? -431 : 0;
}

/*
 * Returns the byte at p of a line whose content must end before lend,
 * AT_END past the input or AT_LIMIT when p is at or past lend and the byte
 * is not the CR that ends the line.
 */
static inline int
line_byte(const struct parse *ps, size_t p, size_t lend)
{
	int	c;

	if (p >= ps->len)
		return AT_END;
	c = ps->buf[p];
	if (p >= lend && c != '\r')
		return AT_LIMIT;
	return c;
}

/* Returns the verdict for a negative line_byte() result. */
static int
line_short(const struct parse *ps, int c, int toolong)
{
	return c == AT_END ? more(ps) : toolong;
}

/* Returns start + n, or SIZE_MAX where that would wrap. */
static size_t
add_sat(size_t start, size_t n)
{
	return n > SIZE_MAX - start ? SIZE_MAX : start + n;
}

/* Returns 1 when p[0..n) equals the lower-case word, ignoring case. */
static int
word_is(const char *p, size_t n, const char *word)
{
	size_t	i;
	int	c;

	if (strlen(word) != n)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != word[i])
			return 0;
	}
	return 1;
}

/*
 * Returns 0 when p[0..n) is uri-host [":" port] with a non-empty host
 * (RFC 3986; no userinfo, no ',' and a port of at most 65535), -1 when it
 * is not.  need_port: authority-form, where the port is required.
 */
static int
authority_check(const char *p, size_t n, int need_port)
{
	size_t	i = 0, digits;
	long	port;
	int	c;

	if (n > 0 && p[0] == '[') {
		/* IP-literal; IPvFuture and zone ids are not accepted. */
		for (i = 1; i < n && p[i] != ']'; i++) {
			c = (unsigned char)p[i];
			if (!hexval[c] && c != ':' && c != '.')
				return -1;
		}
		if (i == n || i == 1)
			return -1;
		i++;
	} else {
		while (i < n && p[i] != ':') {
			c = (unsigned char)p[i];
			if (c == '%') {
				if (n - i < 3 ||
				    !hexval[(unsigned char)p[i + 1]] ||
				    !hexval[(unsigned char)p[i + 2]])
					return -1;
				i += 3;
			} else if (regname[c])
				i++;
			else
				return -1;
		}
		if (i == 0)
			return -1;
	}
	if (i == n)
		return need_port ? -1 : 0;
	if (p[i] != ':')
		return -1;
	port = 0;
	for (i++, digits = 0; i < n; i++, digits++) {
		if (!IS_DIGIT(p[i]) || digits == 5)
			return -1;
		port = port * 10 + (p[i] - '0');
	}
	if (port > 65535 || (need_port && digits == 0))
		return -1;
	return 0;
}

/*
 * Splits r->target into path and query, checks its form against the
 * method (RFC 9112 3.2) and sets ps->connect for a valid CONNECT.
 * Returns 0 or -400.
 */
static int
target_check(struct parse *ps)
{
	struct http_request	*r = ps->r;
	const char		*t = r->target, *q;
	size_t			 n = r->target_len, skip, alen;

	if (r->method_len == 7 && memcmp(r->method, "CONNECT", 7) == 0) {
		if (authority_check(t, n, 1) == -1)
			return -400;
		ps->connect = 1;
		return 0;
	}
	r->authority = "";
	r->authority_len = 0;
	if (t[0] == '*') {
		if (n != 1 || r->method_len != 7 ||
		    memcmp(r->method, "OPTIONS", 7) != 0)
			return -400;
		r->path = t;
		r->path_len = 1;
		r->query = t + 1;
		r->query_len = 0;
		return 0;
	}
	if (t[0] != '/') {
		if (n > 7 && word_is(t, 7, "http://"))
			skip = 7;
		else if (n > 8 && word_is(t, 8, "https://"))
			skip = 8;
		else
			return -400;
		for (alen = 0; skip + alen < n; alen++)
			if (t[skip + alen] == '/' || t[skip + alen] == '?')
				break;
		/* An empty host or any userinfo is an error (RFC 9110 4.2). */
		if (authority_check(t + skip, alen, 0) == -1)
			return -400;
		r->authority = t + skip;
		r->authority_len = alen;
		ps->absolute = 1;
		t += skip + alen;
		n -= skip + alen;
	}
	if ((q = memchr(t, '?', n)) == NULL) {
		r->path = t;
		r->path_len = n;
		r->query = t + n;
		r->query_len = 0;
	} else {
		r->path = t;
		r->path_len = q - t;
		r->query = q + 1;
		r->query_len = n - (q - t) - 1;
	}
	if (r->path_len == 0) {
		r->path = slash;
		r->path_len = 1;
	}
	return 0;
}

/*
 * Parses the request line at *pos up to and including its CRLF.
 * Returns 1 and advances *pos when it is complete and acceptable,
 * otherwise 0 or a negated status.
 */
static int
request_line(struct parse *ps, size_t *pos, size_t max_line)
{
	static const char	 proto[] = "HTTP/D.D";
	struct http_request	*r = ps->r;
	const unsigned char	*b = ps->buf;
	size_t			 p = *pos, lend, start;
	int			 c, i, rc;

	lend = add_sat(p, max_line);

	/* method = token */
	r->method = (const char *)b + p;
	for (start = p;; p++) {
		if ((c = line_byte(ps, p, lend)) < 0)
			return line_short(ps, c, -414);
		if (c == ' ')
			break;
		if (!tchar[c])
			return -400;
	}
	if ((r->method_len = p - start) == 0)
		return -400;
	p++;

	/* request-target: visible ASCII only (R9), never empty (R6) */
	r->target = (const char *)b + p;
	for (start = p;; p++) {
		if ((c = line_byte(ps, p, lend)) < 0)
			return line_short(ps, c, -414);
		if (c == ' ')
			break;
		if (c < 0x21 || c > 0x7e)
			return -400;
	}
	if ((r->target_len = p - start) == 0)
		return -400;
	if ((rc = target_check(ps)) != 0)
		return rc;
	p++;

	/* HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF */
	for (i = 0; proto[i] != '\0'; i++, p++) {
		if ((c = line_byte(ps, p, lend)) < 0)
			return line_short(ps, c, -414);
		if (proto[i] == 'D' ? !IS_DIGIT(c) : c != proto[i])
			return -400;
	}
	if ((c = line_byte(ps, p, lend)) < 0)
		return line_short(ps, c, -414);
	if (c != '\r')
		return -400;
	if (++p >= ps->len)
		return more(ps);
	if (b[p] != '\n')
		return -400;
	/* b[p - 4] is the major digit, b[p - 2] the minor one. */
	if (b[p - 4] != '1' || b[p - 2] > '1')
		return -505;
	r->minor_version = b[p - 2] - '0';
	if (ps->connect)
		return -501;		/* WSGI cannot tunnel (R8) */
	*pos = p + 1;
	return 1;
}

/*
 * Parses one field line at *pos up to and including its CRLF into *h.
 * Returns 1 and advances *pos when it is complete, otherwise 0 or a
 * negated status.  *drop is set when the name holds '_' (H7).
 */
static int
field_line(struct parse *ps, size_t *pos, size_t max_field,
    struct http_header *h, int *drop)
{
	const unsigned char	*b = ps->buf;
	size_t			 p = *pos, lend, vend;
	int			 c;

	lend = add_sat(p, max_field);
	*drop = 0;

	/* field-name = token, then ':' at once (H1, H4, H5, H6) */
	h->name = (const char *)b + p;
	for (;; p++) {
		if ((c = line_byte(ps, p, lend)) < 0)
			return line_short(ps, c, -431);
		if (c == ':')
			break;
		if (!tchar[c])
			return -400;
		if (c == '_')
			*drop = 1;
	}
	if ((h->name_len = p - *pos) == 0)
		return -400;
	p++;

	/* OWS field-value OWS CRLF (H8..H13) */
	for (;; p++) {
		if ((c = line_byte(ps, p, lend)) < 0)
			return line_short(ps, c, -431);
		if (!IS_OWS(c))
			break;
	}
	h->value = (const char *)b + p;
	for (vend = p;; p++) {
		if ((c = line_byte(ps, p, lend)) < 0)
			return line_short(ps, c, -431);
		if (c == '\r')
			break;
		if (!fvchar[c])
			return -400;
		if (!IS_OWS(c))
			vend = p + 1;
	}
	h->value_len = vend - (size_t)(h->value - (const char *)b);
	if (++p >= ps->len)
		return more(ps);
	if (b[p] != '\n')
		return -400;
	*pos = p + 1;
	return 1;
}

/* Returns 0 or -400 for a Content-Length field (F2..F6). */
static int
content_length(struct parse *ps, const char *v, size_t n)
{
	int64_t	cl = 0;
	size_t	i;
	int	d;

	if (ps->cl_seen++ || n == 0)
		return -400;
	for (i = 0; i < n; i++) {
		if (!IS_DIGIT(v[i]))
			return -400;
		d = v[i] - '0';
		if (cl > (INT64_MAX - d) / 10)
			return -400;
		cl = cl * 10 + d;
	}
	ps->r->content_length = cl;
	return 0;
}

/*
 * Returns 0 or -400 for a Transfer-Encoding field: a list of tokens,
 * empty elements ignored, chunked at most once and last (F7, F10..F14).
 * The 501 cases need the whole head and are decided in head_check().
 */
static int
transfer_encoding(struct parse *ps, const char *v, size_t n)
{
	size_t	i = 0, start;
	int	codings = 0;

	if (ps->r->minor_version == 0)
		return -400;			/* F13 */
	ps->te_seen = 1;
	while (i < n) {
		while (i < n && IS_OWS(v[i]))
			i++;
		if (i == n)
			break;
		if (v[i] == ',') {
			i++;
			continue;
		}
		for (start = i; i < n && tchar[(unsigned char)v[i]]; i++)
			;
		if (i == start)
			return -400;		/* F11: not a token */
		if (ps->te_chunked)
			return -400;		/* F7, F10: chunked not last */
		if (word_is(v + start, i - start, "chunked"))
			ps->te_chunked = 1;
		else
			ps->te_other = 1;
		codings++;
		while (i < n && IS_OWS(v[i]))
			i++;
		if (i < n && v[i] != ',')
			return -400;
	}
	return codings ? 0 : -400;		/* F14 */
}

/* Notes "close" and "keep-alive" in a Connection list; never fails. */
static void
connection(struct parse *ps, const char *v, size_t n)
{
	size_t	i = 0, start, end;

	while (i < n) {
		for (start = i; i < n && v[i] != ','; i++)
			;
		for (end = i; end > start && IS_OWS(v[end - 1]); end--)
			;
		while (start < end && IS_OWS(v[start]))
			start++;
		if (word_is(v + start, end - start, "close"))
			ps->conn_close = 1;
		else if (word_is(v + start, end - start, "keep-alive"))
			ps->conn_keep = 1;
		i++;
	}
}

/* Applies what a kept field means for framing.  Returns 0 or a status. */
static int
field_apply(struct parse *ps, const struct http_header *h)
{
	struct http_request	*r = ps->r;
	const char		*n = h->name, *v = h->value;
	size_t			 nl = h->name_len, vl = h->value_len;

	switch (nl) {
	case 4:
		if (!word_is(n, nl, "host"))
			break;
		if (ps->host_seen++)
			return -400;		/* H14: even identical */
		if (vl == 0) {
			if (r->minor_version == 1)
				return -400;
		} else if (authority_check(v, vl, 0) == -1)
			return -400;
		if (!ps->absolute) {
			r->authority = v;
			r->authority_len = vl;
		}
		break;
	case 6:
		if (!word_is(n, nl, "expect"))
			break;
		if (!word_is(v, vl, "100-continue"))
			return -417;
		/* RFC 9110 10.1.1: ignored in an HTTP/1.0 request. */
		if (r->minor_version == 1)
			r->expect_continue = 1;
		break;
	case 10:
		if (word_is(n, nl, "connection"))
			connection(ps, v, vl);
		break;
	case 14:
		if (word_is(n, nl, "content-length"))
			return content_length(ps, v, vl);
		break;
	case 17:
		if (word_is(n, nl, "transfer-encoding"))
			return transfer_encoding(ps, v, vl);
		break;
	}
	return 0;
}

/* The checks that need the whole head.  Returns 0 or a status. */
static int
head_check(struct parse *ps)
{
	struct http_request	*r = ps->r;

	if (r->minor_version == 1 && !ps->host_seen)
		return -400;			/* H14 */
	if (ps->te_seen) {
		if (ps->cl_seen)
			return -400;		/* F1 */
		if (!ps->te_chunked || ps->te_other)
			return -501;		/* F8, F9 */
		r->chunked = 1;
	}
	if (r->minor_version == 1)
		r->keep_alive = !ps->conn_close;
	else
		r->keep_alive = ps->conn_keep && !ps->conn_close;
	return 0;
}

int
http_parse_request(const char *buf, size_t len, struct http_request *req,
    const struct http_limits *lim)
{
	struct http_request	 r;
	struct http_header	 h;
	struct parse		 ps;
	size_t			 p = 0, max_head, max_fields;
	int			 i, rc, drop;

	if (lim == NULL)
		lim = &http_default_limits;
	max_head = lim->max_head < INT_MAX ? lim->max_head : INT_MAX;
	max_fields = lim->max_fields < HTTP_MAX_HEADERS ?
	    lim->max_fields : HTTP_MAX_HEADERS;

	memset(&ps, 0, sizeof(ps));
	ps.buf = (const unsigned char *)buf;
	ps.len = len;
	if (len > max_head) {
		ps.len = max_head;
		ps.over = 1;
	}
	ps.r = &r;
	r.nheaders = 0;
	r.content_length = -1;
	r.chunked = 0;
	r.keep_alive = 0;
	r.expect_continue = 0;

	/* Up to two empty lines before the request line (R11). */
	for (i = 0; i < 2; i++) {
		if (p >= ps.len)
			return more(&ps);
		if (ps.buf[p] != '\r')
			break;
		if (p + 1 >= ps.len)
			return more(&ps);
		if (ps.buf[p + 1] != '\n')
			return -400;
		p += 2;
	}
	if ((rc = request_line(&ps, &p, lim->max_line)) != 1)
		return rc;

	for (;;) {
		if (p >= ps.len)
			return more(&ps);
		if (ps.buf[p] == '\r')
			break;
		if (ps.nfields++ == max_fields)
			return -431;		/* H16: dropped ones count */
		if ((rc = field_line(&ps, &p, lim->max_field, &h, &drop)) != 1)
			return rc;
		if (drop)
			continue;
		if ((rc = field_apply(&ps, &h)) != 0)
			return rc;
		r.headers[r.nheaders++] = h;
	}
	if (p + 1 >= ps.len)
		return more(&ps);
	if (ps.buf[p + 1] != '\n')
		return -400;			/* H12 */
	p += 2;
	if ((rc = head_check(&ps)) != 0)
		return rc;
	r.head_len = p;

	/* Copy out only what was filled in: the header array is large. */
	memcpy(req, &r, offsetof(struct http_request, headers));
	memcpy(req->headers, r.headers, r.nheaders * sizeof(r.headers[0]));
	req->nheaders = r.nheaders;
	req->content_length = r.content_length;
	req->chunked = r.chunked;
	req->keep_alive = r.keep_alive;
	req->expect_continue = r.expect_continue;
	req->head_len = r.head_len;
	return (int)p;
}

/*
 * The chunked decoder.  Limits without a caller-supplied struct: a size
 * line (digits, BWS and extensions) of at most CHUNK_LINE_MAX bytes (C10),
 * trailers bounded like a head with the default limits (C13).
 */
#define CHUNK_LINE_MAX	4096

enum {
	CH_SIZE0,		/* first hex digit of a size line */
	CH_SIZE,		/* more hex digits */
	CH_SIZE_BWS,		/* BWS after the size: only ';' may follow */
	CH_EXT_NAME0,		/* after ';' BWS: first byte of a name */
	CH_EXT_NAME,		/* in a name */
	CH_EXT_NAME_BWS,	/* BWS after a name: ';' or '=' must follow */
	CH_EXT_VAL0,		/* after '=' BWS: token or quoted-string */
	CH_EXT_TOKEN,		/* in a token value */
	CH_EXT_QUOTED,		/* in a quoted-string */
	CH_EXT_QPAIR,		/* after a backslash in a quoted-string */
	CH_EXT_VAL_END,		/* after a closing quote */
	CH_EXT_VAL_BWS,		/* BWS after a value: ';' must follow */
	CH_SIZE_LF,		/* CR seen at the end of a size line */
	CH_DATA,
	CH_DATA_CR,
	CH_DATA_LF,
	CH_TR_LINE0,		/* start of a trailer line or the last CRLF */
	CH_TR_NAME,
	CH_TR_VALUE,
	CH_TR_LF,		/* CR seen at the end of a trailer line */
	CH_END_LF,		/* CR seen on the line that ends the body */
	CH_DONE,
	CH_ERROR,
};

/*
 * Trailer names that must not appear (C12).  While a trailer name is
 * read, c->remaining holds one bit per name that still matches.
 */
static const char	*const forbidden_trailers[] = {
	"content-length", "transfer-encoding", "host",
};
#define NFORBIDDEN	(sizeof(forbidden_trailers) / \
			    sizeof(forbidden_trailers[0]))

/* Narrows the trailer name matcher by byte c at index i of the name. */
static void
trailer_match(struct http_chunked *c, size_t i, int ch)
{
	size_t	k;

	if (ch >= 'A' && ch <= 'Z')
		ch += 'a' - 'A';
	/* A name still matching has length >= i, so [i] is in bounds. */
	for (k = 0; k < NFORBIDDEN; k++)
		if ((c->remaining & (1ULL << k)) &&
		    forbidden_trailers[k][i] != ch)
			c->remaining &= ~(1ULL << k);
}

/* Returns 1 when the complete trailer name of length n is forbidden. */
static int
trailer_forbidden(const struct http_chunked *c, size_t n)
{
	size_t	k;

	for (k = 0; k < NFORBIDDEN; k++)
		if ((c->remaining & (1ULL << k)) &&
		    strlen(forbidden_trailers[k]) == n)
			return 1;
	return 0;
}

void
http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = CH_SIZE0;
}

/*
 * Moves one size-line byte through the extension grammar of RFC 9112
 * 7.1.1.  Returns the next state, or CH_ERROR.
 */
static int
chunk_ext_step(int state, int ch)
{
	switch (state) {
	case CH_SIZE:
	case CH_EXT_NAME:
	case CH_EXT_TOKEN:
		if (state != CH_SIZE && tchar[ch])
			return state;
		if (ch == ';')
			return CH_EXT_NAME0;
		if (ch == '\r')
			return CH_SIZE_LF;
		if (IS_OWS(ch))
			return state == CH_SIZE ? CH_SIZE_BWS :
			    state == CH_EXT_NAME ? CH_EXT_NAME_BWS :
			    CH_EXT_VAL_BWS;
		if (ch == '=' && state == CH_EXT_NAME)
			return CH_EXT_VAL0;
		return CH_ERROR;
	case CH_SIZE_BWS:
	case CH_EXT_VAL_BWS:
		if (IS_OWS(ch))
			return state;
		return ch == ';' ? CH_EXT_NAME0 : CH_ERROR;
	case CH_EXT_NAME0:
		if (IS_OWS(ch))
			return state;
		return tchar[ch] ? CH_EXT_NAME : CH_ERROR;
	case CH_EXT_NAME_BWS:
		if (IS_OWS(ch))
			return state;
		if (ch == ';')
			return CH_EXT_NAME0;
		return ch == '=' ? CH_EXT_VAL0 : CH_ERROR;
	case CH_EXT_VAL0:
		if (IS_OWS(ch))
			return state;
		if (ch == '"')
			return CH_EXT_QUOTED;
		return tchar[ch] ? CH_EXT_TOKEN : CH_ERROR;
	case CH_EXT_QUOTED:
		if (ch == '"')
			return CH_EXT_VAL_END;
		if (ch == '\\')
			return CH_EXT_QPAIR;
		return qdtext[ch] ? state : CH_ERROR;
	case CH_EXT_QPAIR:
		/* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
		return fvchar[ch] ? CH_EXT_QUOTED : CH_ERROR;
	case CH_EXT_VAL_END:
		if (ch == ';')
			return CH_EXT_NAME0;
		if (ch == '\r')
			return CH_SIZE_LF;
		return IS_OWS(ch) ? CH_EXT_VAL_BWS : CH_ERROR;
	}
	return CH_ERROR;
}

int
http_chunked_decode(struct http_chunked *c, char *buf, size_t *len,
    size_t *consumed)
{
	const unsigned char	*in = (const unsigned char *)buf;
	size_t			 i = 0, o = 0, n = *len, take;
	int			 ch, d;

	while (i < n) {
		switch (c->state) {
		case CH_DONE:
			goto done;
		case CH_ERROR:
			return -400;
		case CH_DATA:
			take = n - i;
			if (take > c->remaining)
				take = (size_t)c->remaining;
			if (o != i)
				memmove(buf + o, buf + i, take);
			o += take;
			i += take;
			if ((c->remaining -= take) == 0)
				c->state = CH_DATA_CR;
			continue;
		}

		ch = in[i++];
		switch (c->state) {
		case CH_SIZE0:
			c->ext_len = 0;
			c->remaining = 0;
			/* FALLTHROUGH */
		case CH_SIZE:
			if (++c->ext_len > CHUNK_LINE_MAX)
				goto bad;		/* C10 */
			if ((d = hexval[ch]) != 0) {
				/* At most 16 significant digits (C4). */
				if (c->remaining > UINT64_MAX >> 4)
					goto bad;
				c->remaining = c->remaining << 4 | (d - 1);
				c->state = CH_SIZE;
			} else if (c->state == CH_SIZE0)
				goto bad;		/* C1, C2 */
			else if ((c->state = chunk_ext_step(CH_SIZE, ch)) ==
			    CH_ERROR)
				goto bad;
			break;
		case CH_SIZE_LF:
			if (ch != '\n')
				goto bad;		/* C7, C8 */
			if (c->remaining > 0)
				c->state = CH_DATA;
			else {
				c->state = CH_TR_LINE0;
				c->trailer_len = 0;
				c->trailer_fields = 0;
			}
			break;
		case CH_DATA_CR:
			if (ch != '\r')
				goto bad;		/* C6 */
			c->state = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (ch != '\n')
				goto bad;		/* C6, C7 */
			c->state = CH_SIZE0;
			break;
		case CH_TR_LINE0:
			if (++c->trailer_len >
			    http_default_limits.max_head)
				goto bad;
			if (ch == '\r') {
				c->state = CH_END_LF;
				break;
			}
			/* A leading SP or HTAB would be obs-fold (H2, H3). */
			if (!tchar[ch] || c->trailer_fields ==
			    http_default_limits.max_fields)
				goto bad;
			c->remaining = (1ULL << NFORBIDDEN) - 1;
			trailer_match(c, 0, ch);
			c->ext_len = 1;
			c->state = CH_TR_NAME;
			break;
		case CH_TR_NAME:
		case CH_TR_VALUE:
			if (++c->trailer_len > http_default_limits.max_head)
				goto bad;
			if (c->state == CH_TR_VALUE && ch == '\r') {
				c->state = CH_TR_LF;
				break;
			}
			if (c->ext_len++ == http_default_limits.max_field)
				goto bad;
			if (c->state == CH_TR_VALUE) {
				if (!fvchar[ch])
					goto bad;	/* H8, H9 */
			} else if (ch == ':') {
				if (trailer_forbidden(c, c->ext_len - 1))
					goto bad;	/* C12 */
				c->state = CH_TR_VALUE;
			} else if (!tchar[ch])
				goto bad;		/* H1, H5, H6 */
			else
				trailer_match(c, c->ext_len - 1, ch);
			break;
		case CH_TR_LF:
			if (++c->trailer_len > http_default_limits.max_head ||
			    ch != '\n')
				goto bad;
			c->trailer_fields++;
			c->state = CH_TR_LINE0;
			break;
		case CH_END_LF:
			if (ch != '\n')
				goto bad;
			c->state = CH_DONE;
			goto done;
		default:
			if (++c->ext_len > CHUNK_LINE_MAX)
				goto bad;		/* C10 */
			if ((c->state = chunk_ext_step(c->state, ch)) ==
			    CH_ERROR)
				goto bad;		/* C3, C8, C9 */
			break;
		}
	}
	if (c->state == CH_ERROR)
		return -400;
	if (c->state != CH_DONE) {
		*len = o;
		*consumed = i;
		return 0;
	}
 done:
	*len = o;
	*consumed = i;
	return 1;
 bad:
	c->state = CH_ERROR;
	return -400;
}

/* RFC 9110 section 15 and the registered extensions still in use. */
static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 102, "Processing" },
	{ 103, "Early Hints" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 203, "Non-Authoritative Information" },
	{ 204, "No Content" },
	{ 205, "Reset Content" },
	{ 206, "Partial Content" },
	{ 207, "Multi-Status" },
	{ 208, "Already Reported" },
	{ 226, "IM Used" },
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 305, "Use Proxy" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 421, "Misdirected Request" },
	{ 422, "Unprocessable Content" },
	{ 423, "Locked" },
	{ 424, "Failed Dependency" },
	{ 425, "Too Early" },
	{ 426, "Upgrade Required" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 451, "Unavailable For Legal Reasons" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
	{ 506, "Variant Also Negotiates" },
	{ 507, "Insufficient Storage" },
	{ 508, "Loop Detected" },
	{ 510, "Not Extended" },
	{ 511, "Network Authentication Required" },
};

const char *
http_reason(int status)
{
	size_t	i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}
