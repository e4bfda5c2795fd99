/*
 * t0013-accesslog.c: unit test of the access log: the format compiler
 * (common/accessfmt.c), the escaper and the line renderer
 * (http/accesslog.c) on requests parsed by the real parser and answers
 * built by the real response writer into a sink, and the file's open,
 * append and reopen after a move.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "accessfmt.h"
#include "accesslog.h"
#include "http_conn.h"
#include "tap.h"

#define H(n, v)		{ n, sizeof(n) - 1, v, sizeof(v) - 1 }

static struct http_exchange	ex;
static char			line[8192];

static int
discard(void *arg, const struct iovec *iov, int iovcnt)
{
	(void)arg;
	(void)iov;
	(void)iovcnt;
	return 0;
}

/*
 * Parses raw into ex and answers it with status, the given headers and
 * body (status NULL: the app never answered).
 */
static void
exchange(const char *raw, const char *remote, const char *status,
    const struct http_resp_header *h, size_t nh, const char *body)
{
	http_resp_free(&ex.resp);
	memset(&ex, 0, sizeof(ex));
	if (http_parse_request(raw, strlen(raw), &ex.req, NULL) <= 0) {
		printf("Bail out! cannot parse %s\n", raw);
		exit(1);
	}
	ex.remote_addr = remote;
	http_resp_init(&ex.resp, -1, ex.req.minor_version, 0, 1);
	ex.resp.sink = discard;
	if (status == NULL)
		return;
	(void)http_resp_start(&ex.resp, status, strlen(status), h, nh);
	http_resp_set_length_hint(&ex.resp, strlen(body));
	(void)http_resp_write(&ex.resp, body, strlen(body));
	(void)http_resp_finish(&ex.resp);
}

/* Renders ex with fmt into line, without the newline; NULL on error. */
static const char *
render(const char *fmt, uint64_t ns)
{
	struct accessfmt	*af;
	struct accesslog	 al;
	char			 err[256];
	ssize_t			 n;

	if (accessfmt_compile(fmt, &af, err, sizeof(err)) != 0) {
		diag("%s: %s", fmt, err);
		return NULL;
	}
	(void)accesslog_open(&al, "-", af);
	n = accesslog_render(&al, &ex, ns);
	if (n <= 0 || (size_t)n >= sizeof(line) || al.buf[n - 1] != '\n')
		return NULL;
	memcpy(line, al.buf, n - 1);
	line[n - 1] = '\0';
	accesslog_close(&al);
	accessfmt_free(af);
	return line;
}

/* Compiles fmt; returns the error text ("" when it compiles). */
static const char *
compile_err(const char *fmt)
{
	static char		 err[256];
	struct accessfmt	*af;

	err[0] = '\0';
	if (accessfmt_compile(fmt, &af, err, sizeof(err)) == 0)
		accessfmt_free(af);
	return err;
}

static void
test_compiler(void)
{
	static const struct {
		const char	*fmt;
		const char	*says;	/* in the reason */
		const char	*what;
	} bad[] = {
		{ "%(h)s %(zz)s", "unknown atom %(zz)s",
		    "an unknown atom is refused, and named" },
		{ "%(h)d", "want %(h)s", "a conversion other than s is refused" },
		{ "%(h", "never closed", "an open %( is refused" },
		{ "100% sure", "at byte 4", "a lone % is refused, with where" },
		{ "%({x}e)s", "environ", "environ atoms are refused, with why" },
		{ "%({a b}i)s", "not a header name",
		    "a header atom must name a header" },
	};
	struct accessfmt	*af;
	char			 err[256], big[ACCESSFMT_MAX + 2];
	size_t			 i;

	is_int(accessfmt_compile(ACCESSFMT_DEFAULT, &af, err, sizeof(err)), 0,
	    "gunicorn's default format compiles");
	is_int(af->npieces, 18, "into 9 atoms and 9 pieces of text");
	is_int(af->pieces[0].atom, ACCESSFMT_HOST, "the first is h");
	is_mem(af->pieces[7].text, af->pieces[7].len, " \"",
	    "text between atoms is one piece");
	accessfmt_free(af);
	is_int(accessfmt_compile("%({X-Test}i)s %({Content-Type}o)s", &af,
	    err, sizeof(err)), 0, "header atoms compile");
	is_int(af->pieces[0].atom, ACCESSFMT_REQ_HEADER, "{name}i: a request "
	    "header");
	is_mem(af->pieces[0].text, af->pieces[0].len, "x-test",
	    "its name kept in lower case");
	is_int(af->pieces[2].atom, ACCESSFMT_RESP_HEADER, "{name}o: a "
	    "response header");
	accessfmt_free(af);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(strstr(compile_err(bad[i].fmt), bad[i].says) != NULL,
		    "%s (%s)", bad[i].what, bad[i].fmt);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(strstr(compile_err(big), "longer than") != NULL,
	    "a format over the limit is refused");
	is_str(compile_err("100%% %(s)s"), "", "%%%% is a literal %%");
}

static void
test_escape(void)
{
	char	out[64];
	size_t	n;

	n = accesslog_escape(out, "a\"b\\c\r\n\t\x7f\xe9 ~", 12);
	is_mem(out, n, "a\\\"b\\\\c\\x0d\\x0a\\x09\\x7f\\xe9 ~",
	    "quote, backslash, controls, DEL and high bytes are escaped");
	is_int(accesslog_escape(out, "", 0), 0, "nothing in, nothing out");
}

static void
test_render(void)
{
	static const struct http_resp_header	h[] = {
		H("Content-Type", "text/plain"), H("X-Out", "one"),
		H("X-Out", "two"),
	};
	const char	*l, *t;
	char		 want[128];

	setenv("TZ", "UTC", 1);
	tzset();
	exchange("GET /p?q=1 HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\n"
	    "User-Agent: ua \"quoted\"\r\n"
	    "Authorization: Basic Ym9iOnB3\r\n\r\n",
	    "10.0.0.1", "200 OK", h, 3, "hello");
	l = render(ACCESSFMT_DEFAULT, 0);
	t = l != NULL ? strchr(l, '[') : NULL;
	ok(t != NULL && strlen(t) > 29 && t[3] == '/' && t[7] == '/' &&
	    t[12] == ':' && memcmp(t + 21, " +0000] ", 8) == 0,
	    "t: [dd/Mon/yyyy:hh:mm:ss +0000] under TZ=UTC");
	if (t != NULL && strlen(t) > 29)
		memmove(line + (t - l), t + 29, strlen(t + 29) + 1);
	is_str(line, "10.0.0.1 - bob \"GET /p?q=1 HTTP/1.1\" 200 5 "
	    "\"http://r/\" \"ua \\\"quoted\\\"\"", "the default format, "
	    "the user from Basic auth, quotes escaped");
	snprintf(want, sizeof(want), "GET|/p|q=1|HTTP/1.1|200|5|5|<%d>",
	    (int)getpid());
	is_str(render("%(m)s|%(U)s|%(q)s|%(H)s|%(s)s|%(B)s|%(b)s|%(p)s", 0),
	    want, "m U q H s B b p");
	is_str(render("%(T)s %(M)s %(D)s %(L)s", 2345678901ULL),
	    "2 2345 2345678 2.345678", "T M D L from nanoseconds");
	is_str(render("%({x-out}o)s|%({content-type}o)s|%({content-length}o)s"
	    "|%({nope}o)s", 0), "one,two|text/plain|5|-",
	    "response headers, repeated ones joined, framing ones too");
	is_str(render("%({HOST}i)s|%({nope}i)s|%(l)s", 0), "x|-|-",
	    "request headers by any case; absent ones are -");

	exchange("HEAD /a%20b%0d%0a?x=%0d%0a HTTP/1.0\r\nX-A: 1\r\nX-A: 2\r\n"
	    "Authorization: Basic Ym9i\r\n\r\n", "", "204 No Content", NULL, 0,
	    "");
	is_str(render("%(h)s|%(U)s|%(q)s|%(r)s|%(b)s|%(B)s|%({x-a}i)s|%(u)s",
	    0), "-|/a b\\x0d\\x0a|x=%0d%0a|HEAD /a%20b%0d%0a?x=%0d%0a "
	    "HTTP/1.0|-|0|1,2|bob", "decoded path escaped, no body is -, "
	    "repeated request headers joined, a user without ':'");

	exchange("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n"
	    "Authorization: Basic !!!!\r\nUser-Agent: \x80\xff\t\r\n\r\n",
	    "::1", NULL, NULL, 0, "");
	is_str(render("%(h)s|%(U)s|%(s)s|%(u)s|%(a)s|%(f)s", 0),
	    "::1|/|-|-|\\x80\\xff|-", "an unanswered request has status -, "
	    "bad base64 no user, high bytes escaped");
	exchange("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\n"
	    "\r\n",
	    "1.2.3.4", "200 OK", NULL, 0, "");
	is_str(render("%(u)s", 0), "-", "only Basic auth names a user");

	setenv("TZ", "XYZ+07:30", 1);
	tzset();
	l = render("%(t)s", 0);
	ok(l != NULL && strlen(l) == 28 && strcmp(l + 22, "-0730]") == 0,
	    "t: a zone west of UTC (%s)", l ? l : "(null)");
	setenv("TZ", "UTC", 1);
	tzset();
}

static int
count_lines(const char *path)
{
	FILE	*f = fopen(path, "r");
	int	 c, n = 0;

	if (f == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void
test_file(void)
{
	struct accessfmt	*af;
	struct accesslog	 al;
	struct stat		 st;
	char			 dir[] = "/tmp/t0013.XXXXXX";
	char			 path[64], moved[64], err[64];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/access.log", dir);
	snprintf(moved, sizeof(moved), "%s/access.log.1", dir);
	umask(022);
	(void)accessfmt_compile("%(m)s %(U)s", &af, err, sizeof(err));
	exchange("GET /one HTTP/1.1\r\nHost: x\r\n\r\n", "", "200 OK", NULL,
	    0, "");
	is_int(accesslog_open(&al, path, af), 0, "the log opens, created");
	is_int(stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1, 0640,
	    "with mode 0640");
	is_int(accesslog_write(&al, &ex, 0), 0, "a line is written");
	is_int(accesslog_write(&al, &ex, 0), 0, "and another");
	is_int(rename(path, moved), 0, "the file is moved away");
	is_int(accesslog_write(&al, &ex, 0), 0, "a line after the move");
	is_int(accesslog_reopen(&al), 0, "the log reopens");
	is_int(accesslog_write(&al, &ex, 0), 0, "a line after the reopen");
	is_int(count_lines(moved), 3, "the moved file has the lines before "
	    "the reopen");
	is_int(count_lines(path), 1, "the new file the one after");
	(void)unlink(path);
	(void)unlink(moved);
	(void)rmdir(dir);
	is_int(accesslog_reopen(&al), -ENOENT, "a reopen that fails says so");
	is_int(accesslog_write(&al, &ex, 0), 0, "and the old descriptor "
	    "is kept");
	accesslog_close(&al);
	is_int(accesslog_open(&al, "/nonexistent/dir/access.log", af),
	    -ENOENT, "an unopenable path is -ENOENT");
	is_int(accesslog_write(&al, &ex, 0), 0, "and such a log writes "
	    "nothing, quietly");
	accesslog_close(&al);
	accessfmt_free(af);
}

int
main(void)
{
	plan(42);
	test_compiler();
	test_escape();
	test_render();
	test_file();
	http_resp_free(&ex.resp);
	return done();
}
