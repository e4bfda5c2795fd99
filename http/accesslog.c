/*
 * accesslog.c: renders and writes a worker's access log lines, after
 * each response, from what the connection loop knows: the parsed
 * request, the response's status, head and bytes, the client's address
 * and the time taken.  The format was compiled once at start
 * (common/accessfmt.c); here a line is only appended to a buffer the
 * log keeps, then written with one write(2).
 *
 * Every value a client or the app chose is escaped, so a request can
 * neither end a quoted field nor forge a line.  It knows nothing of
 * Python, sockets or signals: the loop decides when to reopen.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "accesslog.h"
#include "grow.h"
#include "http_conn.h"
#include "http_util.h"

static const char accesslog_hex[] = "0123456789abcdef";

size_t
accesslog_escape(char *out, const char *in, size_t n)
{
	size_t	i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = in[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = c;
		} else if (c < 0x20 || c >= 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = accesslog_hex[c >> 4];
			out[o++] = accesslog_hex[c & 15];
		} else
			out[o++] = c;
	}
	return o;
}

/* Makes room for want more bytes in the line; 0 or -ENOMEM. */
static int
accesslog_reserve(struct accesslog *al, size_t want)
{
	return grow_array((void **)&al->buf, &al->cap, al->len + want, 1,
	    1024);
}

static int
accesslog_raw(struct accesslog *al, const char *s, size_t n)
{
	if (accesslog_reserve(al, n) != 0)
		return -ENOMEM;
	memcpy(al->buf + al->len, s, n);
	al->len += n;
	return 0;
}

static int
accesslog_esc(struct accesslog *al, const char *s, size_t n)
{
	if (accesslog_reserve(al, 4 * n) != 0)
		return -ENOMEM;
	al->len += accesslog_escape(al->buf + al->len, s, n);
	return 0;
}

/* A value, or "-" when it is empty. */
static int
accesslog_value(struct accesslog *al, const char *s, size_t n)
{
	return n == 0 ? accesslog_raw(al, "-", 1) : accesslog_esc(al, s, n);
}

static int
accesslog_num(struct accesslog *al, uint64_t v)
{
	char	buf[24];

	return accesslog_raw(al, buf, snprintf(buf, sizeof(buf), "%" PRIu64,
	    v));
}

/*
 * A value that must first be decoded: decode(in, n, out) writes at most
 * n bytes.  They land past the room the escaped form needs, and the
 * escape, reading ahead of its writes, never overtakes them.
 */
static int
accesslog_decoded(struct accesslog *al, const char *in, size_t n,
    size_t (*decode)(const char *, size_t, char *))
{
	char	*tmp;
	size_t	 m;

	if (accesslog_reserve(al, 5 * n) != 0)
		return -ENOMEM;
	tmp = al->buf + al->len + 4 * n;
	m = decode(in, n, tmp);
	if (m == 0)
		return accesslog_raw(al, "-", 1);
	al->len += accesslog_escape(al->buf + al->len, tmp, m);
	return 0;
}

/* Every request header named name (lower case), joined with ','. */
static int
accesslog_req_header(struct accesslog *al, const struct http_request *req,
    const char *name, size_t nlen)
{
	size_t	i;
	int	found = 0;

	for (i = 0; i < req->nheaders; i++) {
		const struct http_header *h = &req->headers[i];

		if (h->name_len != nlen || strncasecmp(h->name, name, nlen))
			continue;
		if ((found++ && accesslog_raw(al, ",", 1) != 0) ||
		    accesslog_esc(al, h->value, h->value_len) != 0)
			return -ENOMEM;
	}
	return found ? 0 : accesslog_raw(al, "-", 1);
}

/* A response header, read back from the head the response built. */
static int
accesslog_resp_header(struct accesslog *al, const struct http_resp *r,
    const char *name, size_t nlen)
{
	const char	*p, *end = r->head + r->head_len, *eol, *v;
	int		 found = 0;

	if (r->head == NULL || r->head_len == 0)
		return accesslog_raw(al, "-", 1);
	/* Past the status line; each field line ends with CRLF. */
	p = memchr(r->head, '\n', r->head_len);
	for (p = p ? p + 1 : end; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		if ((size_t)(eol - p) < nlen + 1 || p[nlen] != ':' ||
		    strncasecmp(p, name, nlen) != 0)
			continue;
		for (v = p + nlen + 1; v < eol && *v == ' '; v++)
			;
		if ((found++ && accesslog_raw(al, ",", 1) != 0) ||
		    accesslog_esc(al, v, eol - v - (eol[-1] == '\r')) != 0)
			return -ENOMEM;
	}
	return found ? 0 : accesslog_raw(al, "-", 1);
}

/* Standard base64, padding optional, up to the first ':' (the user). */
static size_t
accesslog_user_decode(const char *in, size_t n, char *out)
{
	uint32_t	acc = 0;
	size_t		i, o = 0;
	int		bits = 0, v;

	for (i = 0; i < n && in[i] != '='; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '/')
			v = c == '+' ? 62 : 63;
		else
			return 0;	/* not base64: no user */
		acc = acc << 6 | v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if ((out[o] = (char)(acc >> bits)) == ':')
				return o;
			o++;
		}
	}
	return o;
}

/* u: the user of "Authorization: Basic ...", as gunicorn reads it. */
static int
accesslog_user(struct accesslog *al, const struct http_request *req)
{
	const char	*v;
	size_t		 i, n;

	for (i = 0; i < req->nheaders; i++)
		if (req->headers[i].name_len == 13 &&
		    strncasecmp(req->headers[i].name, "authorization", 13) == 0)
			break;
	if (i == req->nheaders)
		return accesslog_raw(al, "-", 1);
	v = req->headers[i].value;
	n = req->headers[i].value_len;
	if (n < 6 || strncasecmp(v, "basic ", 6) != 0)
		return accesslog_raw(al, "-", 1);
	for (v += 6, n -= 6; n > 0 && (*v == ' ' || *v == '\t'); v++, n--)
		;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return accesslog_decoded(al, v, n, accesslog_user_decode);
}

/* t: [10/Oct/2000:13:55:36 -0700], local time, built once a second. */
static int
accesslog_time(struct accesslog *al)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t		now = time(NULL);
	struct tm	tm;
	int		off;

	if (now != al->t_sec) {
		/* By hand, not strftime: an app's setlocale() would rename
		   the months. */
		localtime_r(&now, &tm);
		/* Zones are less than a day off UTC. */
		off = (int)((tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff) /
		    60 % (24 * 60));
		snprintf(al->t_str, sizeof(al->t_str),
		    "[%02d/%s/%04d:%02d:%02d:%02d %c%02d%02d]", tm.tm_mday,
		    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, tm.tm_gmtoff < 0 ? '-' : '+',
		    off / 60, off % 60);
		al->t_sec = now;
	}
	return accesslog_raw(al, al->t_str, strlen(al->t_str));
}

static int
accesslog_request_line(struct accesslog *al, const struct http_request *req)
{
	char	proto[] = "HTTP/1.x";

	proto[7] = '0' + req->minor_version;
	if (accesslog_esc(al, req->method, req->method_len) != 0 ||
	    accesslog_raw(al, " ", 1) != 0 ||
	    accesslog_esc(al, req->target, req->target_len) != 0 ||
	    accesslog_raw(al, " ", 1) != 0)
		return -ENOMEM;
	return accesslog_raw(al, proto, 8);
}

static int
accesslog_atom(struct accesslog *al, const struct accessfmt_piece *p,
    const struct http_exchange *ex, uint64_t ns)
{
	const struct http_request	*req = &ex->req;
	const struct http_resp		*r = &ex->resp;
	char				 buf[32];

	switch (p->atom) {
	case ACCESSFMT_TEXT:
		return accesslog_raw(al, p->text, p->len);
	case ACCESSFMT_HOST:
		return accesslog_value(al, ex->remote_addr,
		    strlen(ex->remote_addr));
	case ACCESSFMT_IDENT:
		return accesslog_raw(al, "-", 1);
	case ACCESSFMT_USER:
		return accesslog_user(al, req);
	case ACCESSFMT_TIME:
		return accesslog_time(al);
	case ACCESSFMT_REQUEST:
		return accesslog_request_line(al, req);
	case ACCESSFMT_METHOD:
		return accesslog_esc(al, req->method, req->method_len);
	case ACCESSFMT_PATH: {
		/* As PATH_INFO: from the origin-form path, decoded. */
		size_t off = http_origin_offset(req->path, req->path_len);

		if (off == req->path_len)
			return accesslog_raw(al, "/", 1);
		return accesslog_decoded(al, req->path + off,
		    req->path_len - off, http_path_decode);
	}
	case ACCESSFMT_QUERY:
		return accesslog_esc(al, req->query, req->query_len);
	case ACCESSFMT_PROTOCOL:
		return accesslog_raw(al, req->minor_version ? "HTTP/1.1" :
		    "HTTP/1.0", 8);
	case ACCESSFMT_STATUS:
		if (r->status == 0)
			return accesslog_raw(al, "-", 1);
		return accesslog_num(al, (uint64_t)r->status);
	case ACCESSFMT_LENGTH:
		return accesslog_num(al, r->body_sent);
	case ACCESSFMT_LENGTH_CLF:
		if (r->body_sent == 0)
			return accesslog_raw(al, "-", 1);
		return accesslog_num(al, r->body_sent);
	case ACCESSFMT_REFERER:
		return accesslog_req_header(al, req, "referer", 7);
	case ACCESSFMT_AGENT:
		return accesslog_req_header(al, req, "user-agent", 10);
	case ACCESSFMT_SECONDS:
		return accesslog_num(al, ns / 1000000000);
	case ACCESSFMT_MILLIS:
		return accesslog_num(al, ns / 1000000);
	case ACCESSFMT_MICROS:
		return accesslog_num(al, ns / 1000);
	case ACCESSFMT_DECIMAL:
		return accesslog_raw(al, buf, snprintf(buf, sizeof(buf),
		    "%" PRIu64 ".%06" PRIu64, ns / 1000000000,
		    ns % 1000000000 / 1000));
	case ACCESSFMT_PID:
		return accesslog_raw(al, al->pid, strlen(al->pid));
	case ACCESSFMT_REQ_HEADER:
		return accesslog_req_header(al, req, p->text, p->len);
	case ACCESSFMT_RESP_HEADER:
		return accesslog_resp_header(al, r, p->text, p->len);
	}
	return accesslog_raw(al, "-", 1);
}

ssize_t
accesslog_render(struct accesslog *al, const struct http_exchange *ex,
    uint64_t ns)
{
	size_t	i;

	al->len = 0;
	for (i = 0; i < al->fmt->npieces; i++)
		if (accesslog_atom(al, &al->fmt->pieces[i], ex, ns) != 0)
			return -ENOMEM;
	if (accesslog_raw(al, "\n", 1) != 0)
		return -ENOMEM;
	return (ssize_t)al->len;
}

int
accesslog_write(struct accesslog *al, const struct http_exchange *ex,
    uint64_t ns)
{
	ssize_t	n, w;
	size_t	off = 0;

	if (al->fd < 0)
		return 0;	/* it could not be opened; said at the time */
	if ((n = accesslog_render(al, ex, ns)) < 0)
		return (int)n;
	/* One write: O_APPEND places the whole line at the end. */
	while (off < (size_t)n) {
		w = write(al->fd, al->buf + off, n - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -errno;
		if (w == 0)
			return -EIO;
		off += w;
	}
	return 0;
}

int
accesslog_open(struct accesslog *al, const char *path,
    const struct accessfmt *fmt)
{
	memset(al, 0, sizeof(*al));
	al->fmt = fmt;
	al->fd = -1;
	al->t_sec = -1;
	snprintf(al->pid, sizeof(al->pid), "<%d>", (int)getpid());
	if (strcmp(path, "-") == 0) {
		al->fd = STDERR_FILENO;
		return 0;
	}
	al->path = path;
	return accesslog_reopen(al);
}

int
accesslog_reopen(struct accesslog *al)
{
	int	fd;

	if (al->path == NULL)
		return 0;	/* stderr is never reopened */
	fd = open(al->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return -errno;
	if (al->fd >= 0)
		close(al->fd);
	al->fd = fd;
	return 0;
}

void
accesslog_close(struct accesslog *al)
{
	if (al->path != NULL && al->fd >= 0)
		close(al->fd);
	al->fd = -1;
	free(al->buf);
	al->buf = NULL;
	al->cap = al->len = 0;
}
