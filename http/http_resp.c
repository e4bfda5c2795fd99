/*
 * http_resp.c: the response writer the workers use.  It validates what
 * the app gives it (no CR, LF or NUL anywhere, token header names, no
 * hop-by-hop headers), decides the framing at the first body byte and
 * writes with writev on a non-blocking socket, waiting with poll under an
 * idle timeout.  It does not read requests and knows nothing of Python.
 */
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http_parse.h"
#include "http_resp.h"

#define HTTP_SEND_TIMEOUT_MS	30000

const char *
http_date(void)
{
	/* One per process; a worker is single-threaded. */
	static char	buf[40];
	static time_t	last;
	time_t		now = time(NULL);
	struct tm	tm;

	if (now != last) {
		gmtime_r(&now, &tm);
		strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	return buf;
}

void
http_resp_init(struct http_resp *r, int fd, int minor_version,
    int head_only, int keep_alive)
{
	char	*head = r->head;
	size_t	 cap = r->head_cap;

	memset(r, 0, sizeof(*r));
	r->head = head;		/* the buffer is reused across requests */
	r->head_cap = cap;
	r->fd = fd;
	r->minor_version = minor_version;
	r->head_only = head_only ? 1 : 0;
	r->keep_alive = keep_alive ? 1 : 0;
	r->content_length = -1;
	r->length_hint = -1;
	r->send_timeout_ms = HTTP_SEND_TIMEOUT_MS;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->head);
	r->head = NULL;
	r->head_cap = 0;
}

static int
http_resp_append(struct http_resp *r, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (r->head_len + n > r->head_cap) {
		cap = r->head_cap ? r->head_cap : 1024;
		while (cap < r->head_len + n)
			cap *= 2;
		if ((p = realloc(r->head, cap)) == NULL)
			return -ENOMEM;
		r->head = p;
		r->head_cap = cap;
	}
	memcpy(r->head + r->head_len, s, n);
	r->head_len += n;
	return 0;
}

static int
http_is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
http_value_ok(const char *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char c = v[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static int
http_name_is(const struct http_resp_header *h, const char *name)
{
	return h->name_len == strlen(name) &&
	    strncasecmp(h->name, name, h->name_len) == 0;
}

static int
http_parse_length(const char *v, size_t n, int64_t *ret)
{
	int64_t	x = 0;
	size_t	i;

	if (n == 0 || n > 18)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
		x = x * 10 + (v[i] - '0');
	}
	*ret = x;
	return 0;
}

int
http_resp_start(struct http_resp *r, const char *status, size_t status_len,
    const struct http_resp_header *h, size_t nh)
{
	static const char *const hop[] = { "keep-alive", "proxy-authenticate",
	    "proxy-authorization", "te", "trailer", "transfer-encoding",
	    "upgrade" };
	char		 line[64];
	size_t		 i, j;
	int		 code, n, r_;

	if (r->sent_head)
		return -EALREADY;
	/* "NNN reason": three digits, a space, a visible reason. */
	if (status_len < 4 || status[3] != ' ' || status[0] < '1' ||
	    status[0] > '5' || status[1] < '0' || status[1] > '9' ||
	    status[2] < '0' || status[2] > '9' ||
	    !http_value_ok(status, status_len))
		return -EINVAL;
	code = (status[0] - '0') * 100 + (status[1] - '0') * 10 +
	    (status[2] - '0');
	r->head_len = 0;
	r->content_length = -1;
	r->status = code;
	r->no_body = code < 200 || code == 204 || code == 304;
	n = snprintf(line, sizeof(line), "HTTP/1.%d ", r->minor_version);
	if ((r_ = http_resp_append(r, line, n)) != 0 ||
	    (r_ = http_resp_append(r, status, status_len)) != 0 ||
	    (r_ = http_resp_append(r, "\r\n", 2)) != 0)
		return r_;
	for (i = 0; i < nh; i++) {
		if (h[i].name_len == 0 || !http_value_ok(h[i].value,
		    h[i].value_len))
			return -EINVAL;
		for (j = 0; j < h[i].name_len; j++)
			if (!http_is_tchar((unsigned char)h[i].name[j]))
				return -EINVAL;
		for (j = 0; j < sizeof(hop) / sizeof(hop[0]); j++)
			if (http_name_is(&h[i], hop[j]))
				return -EINVAL;
		if (http_name_is(&h[i], "connection")) {
			/* The app may ask to close; we frame the rest. */
			if (h[i].value_len == 5 &&
			    strncasecmp(h[i].value, "close", 5) == 0)
				r->keep_alive = 0;
			continue;
		}
		if (http_name_is(&h[i], "content-length")) {
			if (r->content_length != -1 ||
			    http_parse_length(h[i].value, h[i].value_len,
			    &r->content_length) != 0)
				return -EINVAL;
		}
		if ((r_ = http_resp_append(r, h[i].name, h[i].name_len)) ||
		    (r_ = http_resp_append(r, ": ", 2)) ||
		    (r_ = http_resp_append(r, h[i].value, h[i].value_len)) ||
		    (r_ = http_resp_append(r, "\r\n", 2)))
			return r_;
	}
	r->started = 1;
	return 0;
}

void
http_resp_set_length_hint(struct http_resp *r, int64_t len)
{
	r->length_hint = len;
}

int
http_send_all(int fd, const struct iovec *iov_in, int iovcnt,
    unsigned timeout_ms)
{
	struct iovec	 iov[8];
	struct iovec	*v = iov;
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 r;

	if (iovcnt > 8)
		return -EINVAL;
	memcpy(iov, iov_in, iovcnt * sizeof(*iov));
	while (iovcnt > 0) {
		if (v->iov_len == 0) {
			v++;
			iovcnt--;
			continue;
		}
		n = writev(fd, v, iovcnt);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			pfd.fd = fd;
			pfd.events = POLLOUT;
			r = poll(&pfd, 1, timeout_ms);
			if (r == 0)
				return -ETIMEDOUT;
			if (r == -1 && errno != EINTR)
				return -errno;
			continue;
		}
		while (n > 0 && iovcnt > 0) {
			if ((size_t)n >= v->iov_len) {
				n -= v->iov_len;
				v++;
				iovcnt--;
			} else {
				v->iov_base = (char *)v->iov_base + n;
				v->iov_len -= n;
				n = 0;
			}
		}
	}
	return 0;
}

void
http_outbuf_free(struct http_outbuf *ob)
{
	free(ob->p);
	memset(ob, 0, sizeof(*ob));
}

int
http_outbuf_flush(struct http_outbuf *ob, int fd)
{
	ssize_t	n;

	while (ob->off < ob->len) {
		n = send(fd, ob->p + ob->off, ob->len - ob->off, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		ob->off += n;
	}
	ob->len = ob->off = 0;
	return 1;
}

static int
http_outbuf_add(struct http_outbuf *ob, const struct iovec *iov, int n,
    size_t skip)
{
	size_t	need = ob->len, cap;
	char	*p;
	int	i;

	for (i = 0; i < n; i++)
		need += iov[i].iov_len;
	need -= skip;
	if (need > ob->cap) {
		cap = ob->cap ? ob->cap : 16384;
		while (cap < need)
			cap *= 2;
		if ((p = realloc(ob->p, cap)) == NULL)
			return -ENOMEM;
		ob->p = p;
		ob->cap = cap;
	}
	for (i = 0; i < n; i++) {
		size_t	l = iov[i].iov_len;
		char	*b = iov[i].iov_base;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		memcpy(ob->p + ob->len, b + skip, l - skip);
		ob->len += l - skip;
		skip = 0;
	}
	return 0;
}

/* Fills v (room for n) with what iov[0..n) holds past its first skip bytes. */
static int
http_iov_tail(const struct iovec *iov, int n, size_t skip, struct iovec *v)
{
	int	i, k = 0;

	for (i = 0; i < n; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		v[k].iov_base = (char *)iov[i].iov_base + skip;
		v[k++].iov_len = iov[i].iov_len - skip;
		skip = 0;
	}
	return k;
}

/*
 * Writes iov without waiting: what the socket does not take now goes to
 * r->out, up to r->out_max held; past that, it waits as before.
 */
static int
http_resp_out(struct http_resp *r, const struct iovec *iov, int n)
{
	struct http_outbuf	*ob = r->out;
	size_t			 total = 0, sent = 0;
	ssize_t			 w;
	int			 i, rc;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (ob->len > ob->off) {
		/* Order: what is held goes first. */
		if (ob->len - ob->off + total <= r->out_max)
			return http_outbuf_add(ob, iov, n, 0);
		if ((rc = http_send_all(r->fd, &(struct iovec){ ob->p + ob->off,
		    ob->len - ob->off }, 1, r->send_timeout_ms)) != 0)
			return rc;
		ob->len = ob->off = 0;
	}
	while (sent < total) {
		struct iovec	v[8];
		int		k = http_iov_tail(iov, n, sent, v);

		w = writev(r->fd, v, k);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno != EAGAIN)
			return -errno;
		if (w == -1)
			break;
		sent += w;
	}
	if (sent == total)
		return 0;
	if (total - sent <= r->out_max)
		return http_outbuf_add(ob, iov, n, sent);
	/* Too big to hold: wait for the reader after all. */
	{
		struct iovec	v[8];
		int		k = http_iov_tail(iov, n, sent, v);

		return http_send_all(r->fd, v, k, r->send_timeout_ms);
	}
}

/* Adds the framing headers and the blank line; the head is then final. */
static int
http_resp_seal_head(struct http_resp *r, size_t first_len, int last)
{
	char	buf[96];
	int	n, r_;

	if (r->no_body || r->content_length >= 0)
		;
	else if (r->length_hint >= 0 || last) {
		/* We know the whole body: frame it by length. */
		r->content_length = r->length_hint >= 0 ? r->length_hint :
		    (int64_t)first_len;
		n = snprintf(buf, sizeof(buf), "Content-Length: %" PRId64
		    "\r\n", r->content_length);
		if ((r_ = http_resp_append(r, buf, n)) != 0)
			return r_;
	} else if (r->minor_version >= 1 && r->sink == NULL) {
		r->chunked = 1;
		if ((r_ = http_resp_append(r,
		    "Transfer-Encoding: chunked\r\n", 28)) != 0)
			return r_;
	} else
		r->keep_alive = 0;	/* HTTP/1.0: the close ends the body */
	if (!r->keep_alive)
		r_ = http_resp_append(r, "Connection: close\r\n", 19);
	else if (r->minor_version == 0)
		r_ = http_resp_append(r, "Connection: keep-alive\r\n", 24);
	else
		r_ = 0;
	if (r_ != 0)
		return r_;
	n = snprintf(buf, sizeof(buf), "Date: %s\r\nServer: forkd\r\n\r\n",
	    http_date());
	return http_resp_append(r, buf, n);
}

static int
http_resp_send(struct http_resp *r, const void *buf, size_t len, int last)
{
	struct iovec	iov[4];
	char		chunk[24];
	int		n = 0, rc;

	if (r->error)
		return r->error;
	if (!r->sent_head) {
		if ((rc = http_resp_seal_head(r, len, last)) != 0)
			return r->error = rc;
		iov[n].iov_base = r->head;
		iov[n++].iov_len = r->head_len;
	}
	if (r->head_only || r->no_body)
		len = 0;
	if (r->content_length >= 0 &&
	    r->body_sent + len > (uint64_t)r->content_length)
		return r->error = -EMSGSIZE;
	if (len > 0 && r->chunked) {
		iov[n].iov_base = chunk;
		iov[n++].iov_len = snprintf(chunk, sizeof(chunk), "%zx\r\n",
		    len);
	}
	if (len > 0) {
		iov[n].iov_base = (void *)buf;
		iov[n++].iov_len = len;
	}
	if (len > 0 && r->chunked) {
		iov[n].iov_base = "\r\n";
		iov[n++].iov_len = 2;
	}
	if (last && r->chunked && !r->head_only) {
		iov[n].iov_base = "0\r\n\r\n";
		iov[n++].iov_len = 5;
	}
	if (n == 0)
		return 0;
	if (r->sink != NULL)
		rc = r->sink(r->sink_arg, iov, n);
	else if (r->out != NULL)
		rc = http_resp_out(r, iov, n);
	else
		rc = http_send_all(r->fd, iov, n, r->send_timeout_ms);
	if (rc != 0)
		return r->error = rc;
	if (!r->sent_head)
		r->bytes_out += r->head_len;
	r->sent_head = 1;
	r->body_sent += len;
	r->bytes_out += len;
	return 0;
}

int
http_resp_write(struct http_resp *r, const void *buf, size_t len)
{
	if (!r->started)
		return -EINVAL;
	if (len == 0)
		return 0;	/* PEP 3333: an empty write sends nothing yet */
	return http_resp_send(r, buf, len, 0);
}

int
http_resp_sendfile(struct http_resp *r, int fd, off_t off, size_t len)
{
	struct pollfd	pfd;
	ssize_t		n;
	int		rc;

	if (!r->started)
		return -EINVAL;
	if (r->sink != NULL || r->chunked)
		return -ENOTSUP;
	if (!r->sent_head) {
		if (r->content_length < 0)
			r->length_hint = len;
		if ((rc = http_resp_send(r, NULL, 0, 0)) != 0)
			return rc;	/* sends the head alone */
		if (r->chunked)
			return -ENOTSUP;
	}
	if (r->head_only || r->no_body)
		return 0;
	if (r->content_length >= 0 &&
	    r->body_sent + len > (uint64_t)r->content_length)
		return r->error = -EMSGSIZE;
	if (r->out != NULL && r->out->len > r->out->off) {
		/* The file follows what is held: send that first. */
		if ((rc = http_send_all(r->fd, &(struct iovec){ r->out->p +
		    r->out->off, r->out->len - r->out->off }, 1,
		    r->send_timeout_ms)) != 0)
			return r->error = rc;
		r->out->len = r->out->off = 0;
	}
	while (len > 0) {
		n = sendfile(r->fd, fd, &off, len);
		if (n == 0)
			return r->error = -EIO;	/* the file shrank */
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return r->error = -errno;
			pfd.fd = r->fd;
			pfd.events = POLLOUT;
			if ((rc = poll(&pfd, 1, r->send_timeout_ms)) == 0)
				return r->error = -ETIMEDOUT;
			continue;
		}
		len -= n;
		r->body_sent += n;
		r->bytes_out += n;
	}
	return 0;
}

int
http_resp_finish(struct http_resp *r)
{
	int	rc;

	if (r->finished)
		return r->error;
	r->finished = 1;
	if (!r->started)
		return -EINVAL;
	rc = http_resp_send(r, NULL, 0, 1);
	/* A body shorter than its Content-Length: the framing is broken. */
	if (rc == 0 && r->content_length >= 0 && !r->head_only &&
	    !r->no_body && r->body_sent != (uint64_t)r->content_length)
		r->keep_alive = 0;
	return rc;
}

int
http_resp_simple(int fd, int minor_version, int status, const char *body,
    int close_conn)
{
	char		head[256];
	struct iovec	iov[2];
	size_t		blen = strlen(body);
	int		n;

	n = snprintf(head, sizeof(head), "HTTP/1.%d %d %s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n%sDate: %s\r\nServer: forkd\r\n\r\n",
	    minor_version == 0 ? 0 : 1, status, http_reason(status), blen,
	    close_conn ? "Connection: close\r\n" : "", http_date());
	iov[0].iov_base = head;
	iov[0].iov_len = n;
	iov[1].iov_base = (void *)body;
	iov[1].iov_len = blen;
	return http_send_all(fd, iov, 2, 5000);
}
