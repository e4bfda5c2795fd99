/*
 * t4003-http-resp.c: unit test of http/http_resp.c, the response
 * writer.  Each case writes to one end of a real AF_UNIX stream
 * socketpair, made non-blocking as a worker's connection is, and reads
 * back the bytes that reached the other end.  The Date value changes
 * every second, so it is checked for form and then replaced by "X"
 * before the whole response is compared.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "http_resp.h"
#include "tap.h"

#define H(n, v)		{ n, sizeof(n) - 1, v, sizeof(v) - 1 }
#define NH(a)		(sizeof(a) / sizeof((a)[0]))
#define S(s)		s, sizeof(s) - 1
/* The end of every head, once the Date value is replaced by "X". */
#define TAIL		"Date: X\r\nServer: forkd\r\n\r\n"

#define BIG		(8u << 20)	/* far larger than a socket buffer */

static struct http_resp	r;
static int		sv[2] = { -1, -1 };
static char		got[16384];
static size_t		got_len;	/* as read, before the Date edit */
static int		date_ok;	/* the Date value had the right form */

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Opens a fresh connection; sv[0], the server's end, is non-blocking. */
static void
conn_open(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) == -1)
		bail("socketpair");
}

static void
conn_close(void)
{
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	sv[0] = sv[1] = -1;
}

/* Starts a case: a new connection and r ready for one response. */
static void
begin(int minor_version, int head_only, int keep_alive)
{
	conn_close();
	conn_open();
	http_resp_init(&r, sv[0], minor_version, head_only, keep_alive);
}

/* Returns whether d is a 29-byte IMF-fixdate ("Sun, 06 Nov 1994 ..."). */
static int
date_form_ok(const char *d)
{
	struct tm	tm;
	const char	*e;

	memset(&tm, 0, sizeof(tm));
	e = strptime(d, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return e == d + 29;
}

/*
 * Reads everything that reached the client end into got, then replaces
 * the value of each Date header with "X" and records whether all were
 * well formed.
 */
static const char *
output(void)
{
	char	*d;
	ssize_t	 n;

	got_len = 0;
	while (got_len < sizeof(got) - 1) {
		n = recv(sv[1], got + got_len, sizeof(got) - 1 - got_len,
		    MSG_DONTWAIT);
		if (n <= 0)
			break;
		got_len += n;
	}
	got[got_len] = '\0';
	date_ok = 0;
	for (d = got; (d = strstr(d, "\r\nDate: ")) != NULL; d++) {
		d += 8;
		if (strlen(d) < 31 || !date_form_ok(d) ||
		    memcmp(d + 29, "\r\n", 2) != 0) {
			date_ok = 0;
			break;
		}
		date_ok = 1;
		memmove(d + 1, d + 29, strlen(d + 29) + 1);
		*d = 'X';
	}
	return got;
}

static void
test_content_length(void)
{
	static const struct http_resp_header h[] = {
		H("Content-Type", "text/plain"), H("Content-Length", "5")
	};
	int	rs, rw, rf;

	begin(1, 0, 1);
	rs = http_resp_start(&r, S("200 OK"), h, NH(h));
	rw = http_resp_write(&r, S("hello"));
	rf = http_resp_finish(&r);
	ok(rs == 0 && rw == 0 && rf == 0, "200 with Content-Length: start, "
	    "write and finish return 0");
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 5\r\n" TAIL "hello",
	    "200 with the app's Content-Length is sent as given, then "
	    "Date, Server and the body");
	ok(date_ok, "the Date header is a 29-byte IMF-fixdate");
	is_int(r.keep_alive, 1, "a complete response keeps the connection");
	is_int(r.bytes_out, got_len, "bytes_out counts every byte sent");
	is_int(r.body_sent, 5, "body_sent counts the body bytes");
}

static void
test_length_hint(void)
{
	int	rc = 0;

	begin(1, 0, 1);
	rc |= http_resp_start(&r, S("200 OK"), NULL, 0);
	http_resp_set_length_hint(&r, 11);
	rc |= http_resp_write(&r, S("hello "));
	rc |= http_resp_write(&r, S("world"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "a body with a length hint is written without error");
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n" TAIL
	    "hello world", "a length hint becomes Content-Length, not "
	    "chunked");
	is_int(r.keep_alive, 1, "a hinted body keeps the connection");

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), NULL, 0);
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "finishing with no body returns 0");
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" TAIL,
	    "a response finished before any body byte is Content-Length: 0");
}

static void
test_chunked(void)
{
	static const struct http_resp_header h[] = {
		H("Content-Type", "text/plain")
	};
	char	a[300], want[1024];
	int	rc;

	memset(a, 'a', sizeof(a));
	snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n" TAIL
	    "5\r\nhello\r\n12c\r\n%.300s\r\n0\r\n\r\n", a);

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), h, NH(h));
	rc |= http_resp_write(&r, "", 0);
	output();
	ok(rc == 0 && got_len == 0, "an empty write sends nothing, not even "
	    "the head");
	rc |= http_resp_write(&r, S("hello"));
	rc |= http_resp_write(&r, a, sizeof(a));
	rc |= http_resp_write(&r, "", 0);
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "a chunked body is written without error");
	is_str(output(), want, "unknown length on HTTP/1.1 is chunked: "
	    "5\\r\\nhello\\r\\n 12c\\r\\n... then 0\\r\\n\\r\\n");
	is_int(r.keep_alive, 1, "a chunked response keeps the connection");
}

static void
test_http10(void)
{
	static const struct http_resp_header h[] = {
		H("Content-Length", "2")
	};
	int	rc;

	begin(0, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), NULL, 0);
	rc |= http_resp_write(&r, S("hello"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "an HTTP/1.0 body of unknown length is written");
	is_str(output(), "HTTP/1.0 200 OK\r\nConnection: close\r\n" TAIL
	    "hello", "unknown length on HTTP/1.0: no length, no chunks, "
	    "Connection: close");
	is_int(r.keep_alive, 0, "unknown length on HTTP/1.0 clears "
	    "keep_alive");

	begin(0, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), h, NH(h));
	rc |= http_resp_write(&r, S("ok"));
	rc |= http_resp_finish(&r);
	is_str(output(), "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n"
	    "Connection: keep-alive\r\n" TAIL "ok",
	    "a 1.0 keep-alive request with a known length gets "
	    "Connection: keep-alive");
	ok(rc == 0 && r.keep_alive == 1, "a 1.0 keep-alive response keeps "
	    "the connection");

	begin(0, 0, 0);
	rc = http_resp_start(&r, S("200 OK"), h, NH(h));
	rc |= http_resp_write(&r, S("ok"));
	rc |= http_resp_finish(&r);
	is_str(output(), "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n" TAIL "ok",
	    "a 1.0 request without keep-alive gets Connection: close");

	begin(1, 0, 0);
	rc = http_resp_start(&r, S("200 OK"), h, NH(h));
	rc |= http_resp_write(&r, S("ok"));
	rc |= http_resp_finish(&r);
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n" TAIL "ok",
	    "keep_alive 0 on HTTP/1.1 adds Connection: close");
}

static void
test_head(void)
{
	static const struct http_resp_header h[] = {
		H("Content-Length", "5")
	};
	int	rc;

	begin(1, 1, 1);
	rc = http_resp_start(&r, S("200 OK"), h, NH(h));
	rc |= http_resp_write(&r, S("hello"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "HEAD with Content-Length: writing the body returns 0");
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" TAIL,
	    "HEAD sends the head with the app's Content-Length and no body");
	is_int(r.keep_alive, 1, "HEAD without its body keeps the connection");

	begin(1, 1, 1);
	rc = http_resp_start(&r, S("200 OK"), NULL, 0);
	http_resp_set_length_hint(&r, 5);
	rc |= http_resp_write(&r, S("hello"));
	rc |= http_resp_finish(&r);
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" TAIL,
	    "HEAD with a length hint sends Content-Length and no body");

	begin(1, 1, 1);
	rc = http_resp_start(&r, S("200 OK"), NULL, 0);
	rc |= http_resp_write(&r, S("hello"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "HEAD of unknown length: write and finish return 0");
	is_str(output(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    TAIL, "HEAD of unknown length sends no chunk and no last chunk");
}

static void
test_no_body(void)
{
	static const struct http_resp_header h[] = {
		H("ETag", "\"v1\"")
	};
	int	rc;

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("204 No Content"), NULL, 0);
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "204: start and finish return 0");
	is_str(output(), "HTTP/1.1 204 No Content\r\n" TAIL,
	    "204 has no Content-Length and no Transfer-Encoding");
	is_int(r.keep_alive, 1, "204 keeps the connection");

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("304 Not Modified"), h, NH(h));
	rc |= http_resp_write(&r, S("body"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "304: a body write is accepted");
	is_str(output(), "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n" TAIL,
	    "304 sends no framing header and drops the app's body bytes");
}

struct bad_case {
	const char			*what;
	const char			*status;
	size_t				 status_len;
	struct http_resp_header		 h[2];
	size_t				 nh;
};

static const struct bad_case bad_cases[] = {
	{ "a CR in a header value", S("200 OK"),
	    { H("X-A", "a\rb") }, 1 },
	{ "a LF in a header value", S("200 OK"),
	    { H("X-A", "a\nb") }, 1 },
	{ "a NUL in a header value", S("200 OK"),
	    { H("X-A", "a\0b") }, 1 },
	{ "a DEL in a header value", S("200 OK"),
	    { H("X-A", "a\177b") }, 1 },
	{ "a space in a header name", S("200 OK"),
	    { H("X A", "1") }, 1 },
	{ "a colon in a header name", S("200 OK"),
	    { H("X:A", "1") }, 1 },
	{ "an empty header name", S("200 OK"),
	    { H("", "1") }, 1 },
	{ "a CR LF in a header name", S("200 OK"),
	    { H("X\r\nY", "1") }, 1 },
	{ "status \"20 OK\" (two digits)", S("20 OK"),
	    { H("X-A", "1") }, 0 },
	{ "status \"200OK\" (no space)", S("200OK"),
	    { H("X-A", "1") }, 0 },
	{ "status \"999 x\" (not 1xx-5xx)", S("999 x"),
	    { H("X-A", "1") }, 0 },
	{ "status \"099 x\"", S("099 x"),
	    { H("X-A", "1") }, 0 },
	{ "status \"2000 OK\" (four digits)", S("2000 OK"),
	    { H("X-A", "1") }, 0 },
	{ "status \"200\" (no reason)", S("200"),
	    { H("X-A", "1") }, 0 },
	{ "an empty status", S(""),
	    { H("X-A", "1") }, 0 },
	{ "a CR LF in the status", S("200 OK\r\nX-Evil: 1"),
	    { H("X-A", "1") }, 0 },
	{ "hop-by-hop Transfer-Encoding", S("200 OK"),
	    { H("Transfer-Encoding", "chunked") }, 1 },
	{ "hop-by-hop transfer-encoding (lower case)", S("200 OK"),
	    { H("transfer-encoding", "chunked") }, 1 },
	{ "hop-by-hop Keep-Alive", S("200 OK"),
	    { H("Keep-Alive", "timeout=5") }, 1 },
	{ "hop-by-hop Upgrade", S("200 OK"),
	    { H("Upgrade", "websocket") }, 1 },
	{ "hop-by-hop TE", S("200 OK"),
	    { H("TE", "trailers") }, 1 },
	{ "hop-by-hop Trailer", S("200 OK"),
	    { H("Trailer", "X-Sum") }, 1 },
	{ "hop-by-hop Proxy-Authenticate", S("200 OK"),
	    { H("Proxy-Authenticate", "Basic") }, 1 },
	{ "Content-Length \"5x\"", S("200 OK"),
	    { H("Content-Length", "5x") }, 1 },
	{ "Content-Length \"-1\"", S("200 OK"),
	    { H("Content-Length", "-1") }, 1 },
	{ "an empty Content-Length", S("200 OK"),
	    { H("Content-Length", "") }, 1 },
	{ "two Content-Length headers", S("200 OK"),
	    { H("Content-Length", "5"), H("content-length", "5") }, 2 },
};

static void
test_invalid(void)
{
	static const struct http_resp_header good[] = {
		H("X-Tab", "a\tb"), H("X-Empty", ""), H("X-Latin", "caf\xe9")
	};
	const struct bad_case	*b;
	size_t			 i;
	int			 rw, rf;

	for (i = 0; i < NH(bad_cases); i++) {
		b = &bad_cases[i];
		begin(1, 0, 1);
		is_int(http_resp_start(&r, b->status, b->status_len, b->h,
		    b->nh), -EINVAL, "http_resp_start rejects %s with -EINVAL",
		    b->what);
	}

	begin(1, 0, 1);
	(void)http_resp_start(&r, S("200 OK"), bad_cases[0].h, 1);
	rw = http_resp_write(&r, S("hello"));
	rf = http_resp_finish(&r);
	output();
	ok(rw != 0 && rf != 0 && got_len == 0, "after a rejected start, "
	    "write and finish fail and nothing is sent");

	begin(1, 0, 1);
	is_int(http_resp_start(&r, S("200 OK"), good, NH(good)), 0,
	    "a tab, an empty value and obs-text in values are accepted");
}

static void
test_connection_header(void)
{
	static const struct http_resp_header close_h[] = {
		H("Connection", "close"), H("Content-Length", "2")
	};
	static const struct http_resp_header ka_h[] = {
		H("Connection", "keep-alive"), H("Content-Length", "2")
	};
	int	rc;

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), close_h, NH(close_h));
	is_int(rc, 0, "the app may send Connection: close");
	is_int(r.keep_alive, 0, "Connection: close from the app clears "
	    "keep_alive");
	rc |= http_resp_write(&r, S("ok"));
	rc |= http_resp_finish(&r);
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n" TAIL "ok",
	    "the app's Connection: close is sent exactly once");

	begin(0, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), ka_h, NH(ka_h));
	rc |= http_resp_write(&r, S("ok"));
	rc |= http_resp_finish(&r);
	is_str(output(), "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n"
	    "Connection: keep-alive\r\n" TAIL "ok",
	    "the app's Connection: keep-alive on 1.0 is sent exactly once");
}

static void
test_length_mismatch(void)
{
	static const struct http_resp_header h5[] = {
		H("Content-Length", "5")
	};
	static const struct http_resp_header h2[] = {
		H("Content-Length", "2")
	};
	int	rc;

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), h5, NH(h5));
	rc |= http_resp_write(&r, S("hel"));
	is_int(rc, 0, "writing within Content-Length succeeds");
	is_int(http_resp_write(&r, S("lo!")), -EMSGSIZE,
	    "writing past the app's Content-Length is -EMSGSIZE");
	is_int(r.error, -EMSGSIZE, "the overrun is recorded in error, so the "
	    "caller closes");
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" TAIL "hel",
	    "the overrunning write sends none of its bytes");
	ok(http_resp_finish(&r) != 0, "finish after an overrun fails");

	begin(1, 0, 1);
	(void)http_resp_start(&r, S("200 OK"), h2, NH(h2));
	is_int(http_resp_write(&r, S("hello")), -EMSGSIZE,
	    "a first write longer than Content-Length is -EMSGSIZE");
	output();
	is_int(got_len, 0, "a first write longer than Content-Length sends "
	    "nothing");

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), h5, NH(h5));
	rc |= http_resp_write(&r, S("hel"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "finishing short of Content-Length returns 0");
	is_int(r.keep_alive, 0, "finishing short of Content-Length clears "
	    "keep_alive");
	is_str(output(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" TAIL "hel",
	    "finishing short of Content-Length sends what was written");
}

static void
test_restart(void)
{
	static const struct http_resp_header h1[] = {
		H("X-First", "1"), H("Content-Length", "3")
	};
	static const struct http_resp_header h2[] = {
		H("X-Second", "2"), H("Content-Length", "4")
	};
	int	rc;

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), h1, NH(h1));
	rc |= http_resp_start(&r, S("500 Internal Server Error"), h2, NH(h2));
	is_int(rc, 0, "http_resp_start may be called twice before sending");
	rc |= http_resp_write(&r, S("oops"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "the second start's Content-Length (4) is the one "
	    "enforced, not the first's (3)");
	is_str(output(), "HTTP/1.1 500 Internal Server Error\r\nX-Second: 2\r\n"
	    "Content-Length: 4\r\n" TAIL "oops",
	    "the second start replaces the first's status and headers");

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("200 OK"), NULL, 0);
	rc |= http_resp_write(&r, S("x"));
	ok(rc == 0 && http_resp_start(&r, S("500 Oops"), NULL, 0) < 0,
	    "http_resp_start after the head is sent fails");
	rc |= http_resp_finish(&r);
	is_str(output(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    TAIL "1\r\nx\r\n0\r\n\r\n",
	    "a start refused after sending does not change the response");
}

static void
test_reuse(void)
{
	static const struct http_resp_header h[] = {
		H("Content-Length", "1")
	};
	int	rc;

	begin(1, 0, 1);
	rc = http_resp_start(&r, S("404 Not Found"), h, NH(h));
	rc |= http_resp_write(&r, S("a"));
	rc |= http_resp_finish(&r);
	http_resp_init(&r, sv[0], 1, 0, 1);
	rc |= http_resp_start(&r, S("200 OK"), NULL, 0);
	rc |= http_resp_write(&r, S("bc"));
	rc |= http_resp_finish(&r);
	is_int(rc, 0, "two responses on one connection with one struct");
	is_str(output(), "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n"
	    TAIL "a" "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    TAIL "2\r\nbc\r\n0\r\n\r\n",
	    "after http_resp_init the second response is fresh: none of the "
	    "first's status, headers or length");
}

static void
test_epipe(void)
{
	begin(1, 0, 1);
	close(sv[1]);
	sv[1] = -1;
	is_int(http_resp_start(&r, S("200 OK"), NULL, 0), 0,
	    "http_resp_start does no I/O: it succeeds with the peer gone");
	is_int(http_resp_write(&r, S("hello")), -EPIPE,
	    "writing to a connection whose peer closed is -EPIPE");
	is_int(r.error, -EPIPE, "the -EPIPE is recorded in error");
	is_int(http_resp_write(&r, S("again")), -EPIPE,
	    "a write after -EPIPE fails the same way");
	is_int(http_resp_finish(&r), -EPIPE, "finish after -EPIPE returns "
	    "-EPIPE");
}

/*
 * The child end of test_big: reads the whole response and checks it is
 * one chunk of BIG pattern bytes.  Exits 0 when it is.
 */
static void
big_reader(int fd)
{
	static const char	 head[] = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n";
	size_t			 cap = BIG + 4096, len = 0, i;
	char			*buf, *body;
	ssize_t			 n;

	if ((buf = malloc(cap)) == NULL)
		_exit(10);
	while ((n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	if (n < 0 || len == cap)
		_exit(11);
	if (len < sizeof(head) || memcmp(buf, head, sizeof(head) - 1) != 0)
		_exit(12);
	if ((body = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		_exit(13);
	body += 4;
	if ((size_t)(buf + len - body) != 8 + BIG + 7 ||
	    memcmp(body, "800000\r\n", 8) != 0 ||
	    memcmp(body + 8 + BIG, "\r\n0\r\n\r\n", 7) != 0)
		_exit(14);
	for (i = 0; i < BIG; i++)
		if (body[8 + i] != (char)(i * 7 + i / 4096))
			_exit(15);
	free(buf);
	_exit(0);
}

static void
test_big(void)
{
	struct timespec	 t0, t1;
	char		*data;
	pid_t		 pid;
	size_t		 i;
	int		 st, rw, rf;

	if ((data = malloc(BIG)) == NULL)
		bail("malloc");
	for (i = 0; i < BIG; i++)
		data[i] = (char)(i * 7 + i / 4096);

	begin(1, 0, 1);
	fflush(stdout);
	if ((pid = fork()) == -1)
		bail("fork");
	if (pid == 0) {
		close(sv[0]);
		big_reader(sv[1]);
	}
	close(sv[1]);
	sv[1] = -1;
	rw = http_resp_start(&r, S("200 OK"), NULL, 0);
	rw |= http_resp_write(&r, data, BIG);
	is_int(rw, 0, "an 8 MiB write completes while the client reads");
	rf = http_resp_finish(&r);
	is_int(rf, 0, "finish after the 8 MiB write returns 0");
	close(sv[0]);
	sv[0] = -1;
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			bail("waitpid");
	if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the client received "
	    "the 8 MiB as one correct chunk and the last chunk"))
		diag("  reader status 0x%x", st);
	is_int(r.body_sent, BIG, "body_sent is 8 MiB");

	/* Nobody reads: the write must give up after send_timeout_ms. */
	begin(1, 0, 1);
	r.send_timeout_ms = 200;
	(void)http_resp_start(&r, S("200 OK"), NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rw = http_resp_write(&r, data, BIG);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	is_int(rw, -ETIMEDOUT, "a write the client never reads is "
	    "-ETIMEDOUT after send_timeout_ms");
	ok(t1.tv_sec - t0.tv_sec < 10, "the timed-out write returned in "
	    "well under 10 s");
	free(data);
}

static void
test_simple(void)
{
	begin(1, 0, 1);
	is_int(http_resp_simple(sv[0], 1, 404, "nope\n", 1), 0,
	    "http_resp_simple returns 0");
	is_str(output(), "HTTP/1.1 404 Not Found\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
	    "Connection: close\r\n" TAIL "nope\n",
	    "http_resp_simple 404 on 1.1 with close: status, type, length, "
	    "Connection: close, body");

	begin(0, 0, 1);
	is_int(http_resp_simple(sv[0], 0, 400, "", 0), 0,
	    "http_resp_simple with an empty body returns 0");
	is_str(output(), "HTTP/1.0 400 Bad Request\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n"
	    TAIL, "http_resp_simple 400 on 1.0 without close");
}

static void
test_send_all(void)
{
	struct iovec	iov[3];

	begin(1, 0, 1);
	iov[0].iov_base = "ab";
	iov[0].iov_len = 2;
	iov[1].iov_base = "";
	iov[1].iov_len = 0;
	iov[2].iov_base = "cd";
	iov[2].iov_len = 2;
	is_int(http_send_all(sv[0], iov, 3, 1000), 0, "http_send_all returns "
	    "0");
	is_str(output(), "abcd", "http_send_all sends every iovec in order, "
	    "skipping empty ones");
}

static void
test_date(void)
{
	const char	*d = http_date();
	struct tm	 tm;
	time_t		 now = time(NULL), t;

	is_int(strlen(d), 29, "http_date is 29 characters");
	ok(strlen(d) >= 4 && strcmp(d + strlen(d) - 4, " GMT") == 0,
	    "http_date ends in \" GMT\"");
	memset(&tm, 0, sizeof(tm));
	t = strptime(d, "%a, %d %b %Y %H:%M:%S GMT", &tm) == d + 29 ?
	    timegm(&tm) : 0;
	ok(t >= now - 2 && t <= now + 2, "http_date is an IMF-fixdate of "
	    "the current time (\"%s\")", d);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	plan(103);
	test_date();
	test_content_length();
	test_length_hint();
	test_chunked();
	test_http10();
	test_head();
	test_no_body();
	test_invalid();
	test_connection_header();
	test_length_mismatch();
	test_restart();
	test_reuse();
	test_epipe();
	test_big();
	test_simple();
	test_send_all();
	conn_close();
	http_resp_free(&r);
	return done();
}
