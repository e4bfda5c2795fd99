/*
 * t4001-http-parse.c: unit test of http/http_parse.c against the
 * bad-input table of research/reliability.md section 1.3.
 *
 * Each check is named after the table row it covers.  Every input is
 * copied so that it ends right before a PROT_NONE page, so a read past
 * its end crashes (as picohttpparser's tests do).  Every head is also
 * parsed as each of its prefixes, which must give 0 or the verdict of the
 * whole; every chunked body is also fed split in two at each byte and one
 * byte at a time, which must give the same data and verdict (the middle
 * of long inputs is sampled to keep the run short).  It tests the parser
 * only: no sockets, no server.
 */
#include <sys/mman.h>

#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#include "http_parse.h"
#include "tap.h"

#define WHOLE	INT_MAX		/* want: the whole input is the head */
#define ROOM	(2u << 20)	/* bytes before the guard page */

/* Makes a case from a string literal, NULs included. */
#define IN(s)	s, sizeof(s) - 1
/* The rest of a chunk_test that must fail. */
#define BAD	-400, NULL, 0

#define RL	"GET / HTTP/1.1\r\n"
#define HOST	"Host: h\r\n"

static char	*guard;		/* the first byte of the PROT_NONE page */

/* malloc that bails out instead of returning NULL. */
static void *
tmalloc(size_t n)
{
	void	*p = malloc(n);

	if (p == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

static void
guard_init(void)
{
	guard = tap_guard_map(ROOM);
}

/* Returns a copy of s[0..n) whose last byte is right before the guard. */
static char *
at_edge(const char *s, size_t n)
{
	char	*p = guard - n;

	memmove(p, s, n);
	return p;
}

static int
parse(const char *s, size_t n, struct http_request *req,
    const struct http_limits *lim)
{
	return http_parse_request(at_edge(s, n), n, req, lim);
}

/*
 * Checks the verdict on the whole input, then that every prefix parses to
 * 0 or to that same verdict.  Long inputs are sampled in the middle.
 */
static void
head_case(const char *name, const char *in, size_t len, int want,
    const struct http_limits *lim)
{
	struct http_request	 req;
	size_t			 k, step, bad = SIZE_MAX;
	int			 got, r;

	if (want == WHOLE)
		want = (int)len;
	got = parse(in, len, &req, lim);
	is_int(got, want, "%s", name);

	step = len > 8192 ? len / 512 + 1 : 1;
	for (k = 0; k < len && bad == SIZE_MAX; k++) {
		if (k > 2048 && k + 2048 < len && k % step != 0)
			continue;
		r = parse(in, k, &req, lim);
		if (r != 0 && r != got)
			bad = k;
	}
	if (!ok(bad == SIZE_MAX, "%s (every prefix)", name))
		diag("  prefix of %zu bytes gives %d, whole gives %d", bad,
		    parse(in, bad, &req, lim), got);
}

struct head_test {
	const char	*name;
	const char	*in;
	size_t		 len;
	int		 want;
};

static const struct head_test head_tests[] = {
	/* Request line */
	{ "R1 two SP after the method -> 400",
	    IN("GET  / HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R1 two SP before the version -> 400",
	    IN("GET /  HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R1 HTAB as separator -> 400",
	    IN("GET\t/\tHTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R1 SP after the version -> 400",
	    IN("GET / HTTP/1.1 \r\n" HOST "\r\n"), -400 },
	{ "R1 SP before the method -> 400",
	    IN(" GET / HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R2 bare LF as separator -> 400",
	    IN("GET /\nHTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R2 bare LF ending the request line -> 400",
	    IN("GET / HTTP/1.1\n" HOST "\r\n"), -400 },
	{ "R3 method with separators -> 400",
	    IN("G=\":<>(e),[T];?\" /get HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R3 NUL in method -> 400",
	    IN("GET\0 /foo HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R3 method ending in colon -> 400",
	    IN("GET: / HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R3 colon inside method -> 400",
	    IN("bla:rgh /foo HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R3 UTF-8 in method -> 400",
	    IN("GET\xc3\x9f / HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R4 unknown token method PURGE accepted",
	    IN("PURGE / HTTP/1.1\r\n" HOST "\r\n"), WHOLE },
	{ "R4 unknown token method -BLARGH accepted",
	    IN("-BLARGH / HTTP/1.1\r\n" HOST "\r\n"), WHOLE },
	{ "R5 HTTP/1.32 -> 400",
	    IN("GET / HTTP/1.32\r\n" HOST "\r\n"), -400 },
	{ "R5 HTTP/111 -> 400",
	    IN("GET / HTTP/111\r\n" HOST "\r\n"), -400 },
	{ "R5 HTTP/1111111111.1 -> 400",
	    IN("GET / HTTP/1111111111.1\r\n" HOST "\r\n"), -400 },
	{ "R5 FTP/1.1 -> 400",
	    IN("GET / FTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R5 lower-case http/1.1 -> 400",
	    IN("GET / http/1.1\r\n" HOST "\r\n"), -400 },
	{ "R5 HTTP/4294967295.255 -> 400",
	    IN("GET / HTTP/4294967295.255\r\n" HOST "\r\n"), -400 },
	{ "R5 HTTP/01.1 -> 400",
	    IN("GET / HTTP/01.1\r\n" HOST "\r\n"), -400 },
	{ "R5 HTTP/1. -> 400",
	    IN("GET / HTTP/1.\r\n" HOST "\r\n"), -400 },
	{ "R5 well-formed HTTP/1.2 -> 505",
	    IN("GET / HTTP/1.2\r\n" HOST "\r\n"), -505 },
	{ "R5 well-formed HTTP/2.0 -> 505",
	    IN("GET / HTTP/2.0\r\n" HOST "\r\n"), -505 },
	{ "R5 well-formed HTTP/3.0 -> 505",
	    IN("GET / HTTP/3.0\r\n" HOST "\r\n"), -505 },
	{ "R5 well-formed HTTP/0.9 -> 505",
	    IN("GET / HTTP/0.9\r\n" HOST "\r\n"), -505 },
	{ "R6 empty target -> 400",
	    IN("GET  HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R6 method alone (HTTP/0.9 style) -> 400",
	    IN("GET\r\n\r\n"), -400 },
	{ "R6 no version (HTTP/0.9 style) -> 400",
	    IN("GET /\r\n\r\n"), -400 },
	{ "R6 empty version -> 400",
	    IN("GET / \r\n" HOST "\r\n"), -400 },
	{ "R7 asterisk-form with GET -> 400",
	    IN("GET * HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 asterisk-form with OPTIONS accepted",
	    IN("OPTIONS * HTTP/1.1\r\n" HOST "\r\n"), WHOLE },
	{ "R7 asterisk followed by more -> 400",
	    IN("OPTIONS *x HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 authority-form with GET -> 400",
	    IN("GET example.com:80 HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 relative target -> 400",
	    IN("GET foo/bar HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 absolute-form with another scheme -> 400",
	    IN("GET ftp://h/ HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 absolute-form with an empty host -> 400",
	    IN("GET http:///x HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 absolute-form with userinfo -> 400",
	    IN("GET http://u@h/ HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 absolute-form http:// alone -> 400",
	    IN("GET http:// HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R7 absolute-form accepted",
	    IN("GET https://h:8443/x?y HTTP/1.1\r\n" HOST "\r\n"), WHOLE },
	{ "R8 CONNECT host:port -> 501",
	    IN("CONNECT h:443 HTTP/1.1\r\n" HOST "\r\n"), -501 },
	{ "R8 CONNECT [v6]:port -> 501",
	    IN("CONNECT [::1]:443 HTTP/1.1\r\n" HOST "\r\n"), -501 },
	{ "R8 CONNECT without a port -> 400",
	    IN("CONNECT h HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R8 CONNECT with origin-form -> 400",
	    IN("CONNECT / HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R9 NUL in target -> 400",
	    IN("GET /a\0b HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R9 CTL in target -> 400",
	    IN("GET /a\x01" "b HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R9 DEL in target -> 400",
	    IN("GET /a\x7f" "b HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R9 byte >= 0x80 in target -> 400",
	    IN("GET /caf\xc3\xa9 HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R9 SP inside target -> 400",
	    IN("GET /a b HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R9 HTAB inside target -> 400",
	    IN("GET /a\tb HTTP/1.1\r\n" HOST "\r\n"), -400 },
	{ "R11 one leading CRLF ignored",
	    IN("\r\n" RL HOST "\r\n"), WHOLE },
	{ "R11 two leading CRLF ignored",
	    IN("\r\n\r\n" RL HOST "\r\n"), WHOLE },
	{ "R11 three leading CRLF -> 400",
	    IN("\r\n\r\n\r\n" RL HOST "\r\n"), -400 },
	{ "R11 leading bare LF -> 400",
	    IN("\n" RL HOST "\r\n"), -400 },
	{ "R11 leading bare CR -> 400",
	    IN("\r" RL HOST "\r\n"), -400 },

	/* Header field syntax */
	{ "H1 SP before colon -> 400",
	    IN(RL HOST "Content-Length : 3\r\n\r\nabc"), -400 },
	{ "H1 HTAB before colon -> 400",
	    IN(RL HOST "Transfer-Encoding\t: chunked\r\n\r\n"), -400 },
	{ "H2 HTAB before the first field -> 400",
	    IN(RL "\tContent-Length: 1\r\n" HOST "\r\n"), -400 },
	{ "H2 SP before the first field -> 400",
	    IN(RL " Transfer-Encoding: chunked\r\n" HOST "\r\n"), -400 },
	{ "H3 obs-fold -> 400",
	    IN(RL HOST "Long: one\r\n two\r\n\r\n"), -400 },
	{ "H3 obs-fold with HTAB -> 400",
	    IN(RL HOST "Long: one\r\n\ttwo\r\n\r\n"), -400 },
	{ "H4 empty name -> 400",
	    IN(RL HOST ": ignored\r\n\r\n"), -400 },
	{ "H4 colon alone -> 400",
	    IN(RL HOST ":\r\n\r\n"), -400 },
	{ "H5 no colon -> 400",
	    IN(RL HOST "Content-Length 10\r\n\r\n"), -400 },
	{ "H5 name alone -> 400",
	    IN(RL HOST "Foo\r\n\r\n"), -400 },
	{ "H6 NUL in name -> 400",
	    IN(RL HOST "Fo\0o: x\r\n\r\n"), -400 },
	{ "H6 CTL in name -> 400",
	    IN(RL HOST "Fo\x01o: x\r\n\r\n"), -400 },
	{ "H6 SP in name -> 400",
	    IN(RL HOST "Foo Bar: x\r\n\r\n"), -400 },
	{ "H6 separator in name -> 400",
	    IN(RL HOST "Foo{: x\r\n\r\n"), -400 },
	{ "H6 quote in name -> 400",
	    IN(RL HOST "\"Foo\": x\r\n\r\n"), -400 },
	{ "H6 0x85 in name -> 400",
	    IN(RL HOST "Foo\x85: x\r\n\r\n"), -400 },
	{ "H6 0xa0 in name -> 400",
	    IN(RL HOST "Foo\xa0: x\r\n\r\n"), -400 },
	{ "H6 UTF-8 in name -> 400",
	    IN(RL HOST "Content-Length\xc3\x9f: 1\r\n\r\n"), -400 },
	{ "H7 Transfer_Encoding dropped, no 501",
	    IN(RL HOST "Transfer_Encoding: tricked\r\n\r\n"), WHOLE },
	{ "H7 Content_Length dropped, no duplicate",
	    IN(RL HOST "Content_Length: 7\r\nContent-Length: 3\r\n\r\n"),
	    WHOLE },
	{ "H8 NUL in value -> 400",
	    IN(RL HOST "X: v\0alue\r\n\r\n"), -400 },
	{ "H8 CR in value -> 400",
	    IN(RL HOST "X: v\ralue\r\n\r\n"), -400 },
	{ "H8 LF in value -> 400",
	    IN(RL HOST "X: a\nb: c\r\n\r\n"), -400 },
	{ "H9 BEL in value -> 400",
	    IN(RL HOST "X: a\x07" "b\r\n\r\n"), -400 },
	{ "H9 DEL in value -> 400",
	    IN(RL HOST "X: a\x7f" "b\r\n\r\n"), -400 },
	{ "H9 VT in value -> 400",
	    IN(RL HOST "X: a\vb\r\n\r\n"), -400 },
	{ "H9 FF in value -> 400",
	    IN(RL HOST "X: a\fb\r\n\r\n"), -400 },
	{ "H9 HTAB in value accepted",
	    IN(RL HOST "X: a\tb\r\n\r\n"), WHOLE },
	{ "H10 obs-text in value accepted",
	    IN(RL HOST "X: \x85" "caf\xe9\xa0\r\n\r\n"), WHOLE },
	{ "H11 bare LF between fields -> 400",
	    IN(RL HOST "x:x\nTransfer-Encoding: chunked\r\n\r\n"), -400 },
	{ "H11 bare LF ending the head -> 400",
	    IN(RL HOST "\n"), -400 },
	{ "H12 bare CR between fields -> 400",
	    IN(RL HOST "Visible: :/\rSmuggled: :)\r\n\r\n"), -400 },
	{ "H12 head ending in CR CR -> 400",
	    IN(RL HOST "\r\rX"), -400 },
	{ "H12 head ending in CRLF CR X -> 400",
	    IN(RL "Host: h\r\n\rX"), -400 },
	{ "H13 OWS around value accepted",
	    IN(RL HOST "X: \t a b \t \r\n\r\n"), WHOLE },
	{ "H14 HTTP/1.1 without Host -> 400",
	    IN(RL "X: y\r\n\r\n"), -400 },
	{ "H14 two identical Host -> 400",
	    IN(RL HOST HOST "\r\n"), -400 },
	{ "H14 two different Host -> 400",
	    IN(RL "Host: a\r\nhost: b\r\n\r\n"), -400 },
	{ "H14 Host list -> 400",
	    IN(RL "Host: a, b\r\n\r\n"), -400 },
	{ "H14 Host with userinfo -> 400",
	    IN(RL "Host: user@h\r\n\r\n"), -400 },
	{ "H14 Host with path -> 400",
	    IN(RL "Host: h/path\r\n\r\n"), -400 },
	{ "H14 Host with SP inside -> 400",
	    IN(RL "Host: h h\r\n\r\n"), -400 },
	{ "H14 empty Host in HTTP/1.1 -> 400",
	    IN(RL "Host:\r\n\r\n"), -400 },
	{ "H14 Host with an empty name and a port -> 400",
	    IN(RL "Host: :80\r\n\r\n"), -400 },
	{ "H14 Host with a port over 65535 -> 400",
	    IN(RL "Host: h:65536\r\n\r\n"), -400 },
	{ "H14 Host with a bad percent escape -> 400",
	    IN(RL "Host: h%zz\r\n\r\n"), -400 },
	{ "H14 Host with a bare IPv6 address -> 400",
	    IN(RL "Host: ::1\r\n\r\n"), -400 },
	{ "H14 Host [v6]:port accepted",
	    IN(RL "Host: [::1]:8080\r\n\r\n"), WHOLE },
	{ "H14 Host name:port accepted",
	    IN(RL "Host: www.example.com:443\r\n\r\n"), WHOLE },
	{ "H14 empty Host in HTTP/1.0 accepted",
	    IN("GET / HTTP/1.0\r\nHost:\r\n\r\n"), WHOLE },
	{ "H14 no Host in HTTP/1.0 accepted",
	    IN("GET / HTTP/1.0\r\n\r\n"), WHOLE },
	{ "H14 bad Host in HTTP/1.0 -> 400",
	    IN("GET / HTTP/1.0\r\nHost: a@b\r\n\r\n"), -400 },
	{ "H15 absolute-form authority differing from Host accepted",
	    IN("GET http://a.example/x HTTP/1.1\r\nHost: b.example\r\n\r\n"),
	    WHOLE },

	/* Message framing */
	{ "F1 Content-Length then Transfer-Encoding -> 400",
	    IN(RL HOST "Content-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), -400 },
	{ "F1 Transfer-Encoding then Content-Length -> 400",
	    IN(RL HOST "Transfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n"), -400 },
	{ "F2 two different Content-Length -> 400",
	    IN(RL HOST "Content-Length: 3\r\nContent-Length: 2\r\n\r\n"),
	    -400 },
	{ "F3 Content-Length list 5, 5 -> 400",
	    IN(RL HOST "Content-Length: 5, 5\r\n\r\n"), -400 },
	{ "F3 two identical Content-Length -> 400",
	    IN(RL HOST "Content-Length: 5\r\ncontent-length: 5\r\n\r\n"),
	    -400 },
	{ "F4 Content-Length +1 -> 400",
	    IN(RL HOST "Content-Length: +1\r\n\r\n"), -400 },
	{ "F4 Content-Length -1 -> 400",
	    IN(RL HOST "Content-Length: -1\r\n\r\n"), -400 },
	{ "F4 Content-Length -0 -> 400",
	    IN(RL HOST "Content-Length: -0\r\n\r\n"), -400 },
	{ "F4 Content-Length 0x10 -> 400",
	    IN(RL HOST "Content-Length: 0x10\r\n\r\n"), -400 },
	{ "F4 Content-Length 1_0 -> 400",
	    IN(RL HOST "Content-Length: 1_0\r\n\r\n"), -400 },
	{ "F4 Content-Length 0 1 -> 400",
	    IN(RL HOST "Content-Length: 0 1\r\n\r\n"), -400 },
	{ "F4 Content-Length 3 1 -> 400",
	    IN(RL HOST "Content-Length: 3 1\r\n\r\n"), -400 },
	{ "F4 Content-Length 1Z -> 400",
	    IN(RL HOST "Content-Length: 1Z\r\n\r\n"), -400 },
	{ "F4 Content-Length 1e3 -> 400",
	    IN(RL HOST "Content-Length: 1e3\r\n\r\n"), -400 },
	{ "F4 empty Content-Length -> 400",
	    IN(RL HOST "Content-Length:\r\n\r\n"), -400 },
	{ "F4 Content-Length of OWS only -> 400",
	    IN(RL HOST "Content-Length:  \t \r\n\r\n"), -400 },
	{ "F4 non-ASCII digit in Content-Length -> 400",
	    IN(RL HOST "Content-Length: \xd9\xa3\r\n\r\n"), -400 },
	{ "F4 Content-Length bla-bla -> 400",
	    IN(RL HOST "Content-Length: bla-bla\r\n\r\n"), -400 },
	{ "F5 Content-Length 99999999999999999999999 -> 400",
	    IN(RL HOST "Content-Length: 99999999999999999999999\r\n\r\n"),
	    -400 },
	{ "F5 Content-Length 2^63 -> 400",
	    IN(RL HOST "Content-Length: 9223372036854775808\r\n\r\n"), -400 },
	{ "F5 Content-Length 2^63-1 accepted",
	    IN(RL HOST "Content-Length: 9223372036854775807\r\n\r\n"),
	    WHOLE },
	{ "F6 Content-Length 003 accepted",
	    IN(RL HOST "Content-Length: 003\r\n\r\n"), WHOLE },
	{ "F7 chunked then a gzip line -> 400",
	    IN(RL HOST "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n"), -400 },
	{ "F7 chunked, gzip -> 400",
	    IN(RL HOST "Transfer-Encoding: chunked, gzip\r\n\r\n"), -400 },
	{ "F8 Transfer-Encoding gzip alone -> 501",
	    IN(RL HOST "Transfer-Encoding: gzip\r\n\r\n"), -501 },
	{ "F8 Transfer-Encoding identity -> 501",
	    IN(RL HOST "Transfer-Encoding: identity\r\n\r\n"), -501 },
	{ "F8 Transfer-Encoding blegh -> 501",
	    IN(RL HOST "Transfer-Encoding: blegh\r\n\r\n"), -501 },
	{ "F8 Transfer-Encoding compress -> 501",
	    IN(RL HOST "Transfer-Encoding: compress\r\n\r\n"), -501 },
	{ "F9 gzip, chunked -> 501",
	    IN(RL HOST "Transfer-Encoding: gzip, chunked\r\n\r\n"), -501 },
	{ "F9 gzip line then chunked line -> 501",
	    IN(RL HOST "Transfer-Encoding: gzip\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), -501 },
	{ "F10 chunked, chunked -> 400",
	    IN(RL HOST "Transfer-Encoding: chunked, chunked\r\n\r\n"), -400 },
	{ "F10 identity, chunked, identity, chunked -> 400",
	    IN(RL HOST "Transfer-Encoding: identity, chunked, identity, "
	    "chunked\r\n\r\n"), -400 },
	{ "F10 two chunked lines -> 400",
	    IN(RL HOST "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), -400 },
	{ "F11 VT before chunked -> 400",
	    IN(RL HOST "Transfer-Encoding:\x0b" "chunked\r\n\r\n"), -400 },
	{ "F11 FF before chunked -> 400",
	    IN(RL HOST "Transfer-Encoding:\x0c" "chunked\r\n\r\n"), -400 },
	{ "F11 0xa0 around chunked -> 400",
	    IN(RL HOST "Transfer-Encoding: \xa0" "chunked\xa0\r\n\r\n"),
	    -400 },
	{ "F11 0x85 before chunked -> 400",
	    IN(RL HOST "Transfer-Encoding: \x85" "chunked\r\n\r\n"), -400 },
	{ "F11 NUL after chunked -> 400",
	    IN(RL HOST "Transfer-Encoding: chunked\0\r\n\r\n"), -400 },
	{ "F11 quoted chunked -> 400",
	    IN(RL HOST "Transfer-Encoding: \"chunked\"\r\n\r\n"), -400 },
	{ "F11 chunked with a parameter -> 400",
	    IN(RL HOST "Transfer-Encoding: chunked;q=1\r\n\r\n"), -400 },
	{ "F12 Chunked (case) accepted",
	    IN(RL HOST "Transfer-Encoding: Chunked\r\n\r\n"), WHOLE },
	{ "F12 chunked with trailing OWS accepted",
	    IN(RL HOST "Transfer-Encoding: chunked \t\r\n\r\n"), WHOLE },
	{ "F12 empty list element before chunked accepted",
	    IN(RL HOST "Transfer-Encoding: , chunked\r\n\r\n"), WHOLE },
	{ "F12 CHUNKED with Content-Length -> 400",
	    IN(RL HOST "Transfer-Encoding: CHUNKED\r\n"
	    "Content-Length: 3\r\n\r\n"), -400 },
	{ "F13 Transfer-Encoding in HTTP/1.0 -> 400",
	    IN("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
	    -400 },
	{ "F14 empty Transfer-Encoding -> 400",
	    IN(RL HOST "Transfer-Encoding:\r\n\r\n"), -400 },
	{ "F14 Transfer-Encoding of OWS only -> 400",
	    IN(RL HOST "Transfer-Encoding:   \r\n\r\n"), -400 },
	{ "F14 Transfer-Encoding of commas only -> 400",
	    IN(RL HOST "Transfer-Encoding: , ,\r\n\r\n"), -400 },
	{ "F15 name continued across lines -> 400",
	    IN(RL HOST "Transfer-\r\nEncoding: chunked\r\n\r\n"), -400 },
	{ "F16 POST with neither CL nor TE accepted",
	    IN("POST / HTTP/1.1\r\n" HOST "\r\n"), WHOLE },
	{ "F17 GET with Content-Length accepted",
	    IN(RL HOST "Content-Length: 5\r\n\r\n"), WHOLE },

	/* Connection, expectations */
	{ "P5 Connection: close accepted",
	    IN(RL HOST "Connection: close\r\n\r\n"), WHOLE },
	{ "P6 Expect: 100-continue accepted",
	    IN(RL HOST "Expect: 100-continue\r\n\r\n"), WHOLE },
	{ "P6 unknown expectation -> 417",
	    IN(RL HOST "Expect: 200-ok\r\n\r\n"), -417 },
	{ "P6 expectation list -> 417",
	    IN(RL HOST "Expect: 100-continue, x\r\n\r\n"), -417 },
	{ "P6 empty Expect -> 417",
	    IN(RL HOST "Expect:\r\n\r\n"), -417 },
};

/* A field of the last parse, by index, as a C string comparison. */
#define is_field(req, i, n, v, what) do {				\
	is_mem((req)->headers[i].name, (req)->headers[i].name_len, n,	\
	    "%s: name", what);						\
	is_mem((req)->headers[i].value, (req)->headers[i].value_len, v,\
	    "%s: value", what);						\
} while (0)

static int
parse_str(const char *s, struct http_request *req)
{
	return parse(s, strlen(s), req, NULL);
}

static void
test_fields(void)
{
	struct http_request	 req;
	const char		*s, *b;
	int			 r;

	s = "GET /p/a%20th?x=1&y=? HTTP/1.1\r\n"
	    "Host: example.com:8080\r\nX-A:  v \t\r\nX-B:\r\n\r\n";
	r = parse_str(s, &req);
	b = guard - strlen(s);
	is_int(r, strlen(s), "R origin-form GET parses");
	is_mem(req.method, req.method_len, "GET", "R method");
	is_mem(req.target, req.target_len, "/p/a%20th?x=1&y=?",
	    "R target as sent");
	is_mem(req.path, req.path_len, "/p/a%20th",
	    "R path raw, before the first '?'");
	is_mem(req.query, req.query_len, "x=1&y=?", "R query after '?'");
	is_int(req.minor_version, 1, "R minor version 1");
	is_mem(req.authority, req.authority_len, "example.com:8080",
	    "H14 authority from Host");
	is_int(req.nheaders, 3, "H header count");
	is_field(&req, 0, "Host", "example.com:8080", "H first header");
	is_field(&req, 1, "X-A", "v", "H13 OWS stripped");
	is_field(&req, 2, "X-B", "", "H empty value");
	ok(req.headers[1].name >= b && req.headers[1].value < b + strlen(s),
	    "H fields point into the caller's buffer");
	is_int(req.content_length, -1, "F16 no Content-Length is -1");
	is_int(req.chunked, 0, "F16 not chunked");
	is_int(req.keep_alive, 1, "P HTTP/1.1 keeps alive by default");
	is_int(req.expect_continue, 0, "P6 no expectation");
	is_int(req.head_len, strlen(s), "P1 head_len is the whole head");

	r = parse_str("get /x HTTP/1.1\r\n" HOST "\r\n", &req);
	is_mem(req.method, req.method_len, "get",
	    "R4 method is not casefolded");

	s = "\r\n\r\nGET /a HTTP/1.0\r\n\r\n";
	r = parse_str(s, &req);
	is_int(req.head_len, strlen(s), "R11 head_len counts leading CRLFs");
	is_mem(req.method, req.method_len, "GET",
	    "R11 method after leading CRLFs");
	is_int(req.minor_version, 0, "R minor version 0");
	is_int(req.keep_alive, 0, "P HTTP/1.0 closes by default");
	is_int(req.authority_len, 0, "H14 HTTP/1.0 without Host: no authority");

	r = parse_str("OPTIONS * HTTP/1.1\r\n" HOST "\r\n", &req);
	is_mem(req.path, req.path_len, "*", "R7 OPTIONS * path is *");
	is_int(req.query_len, 0, "R7 OPTIONS * has no query");

	r = parse_str("GET http://a.example/x?y HTTP/1.1\r\n"
	    "Host: b.example\r\n\r\n", &req);
	is_mem(req.authority, req.authority_len, "a.example",
	    "H15 authority from the absolute-form target");
	is_mem(req.path, req.path_len, "/x", "H15 path of absolute-form");
	is_mem(req.query, req.query_len, "y", "H15 query of absolute-form");
	is_mem(req.headers[0].value, req.headers[0].value_len, "b.example",
	    "H15 Host is still passed through");

	r = parse_str("GET HTTPS://A.example?q HTTP/1.1\r\n" HOST "\r\n",
	    &req);
	is_mem(req.path, req.path_len, "/",
	    "R7 absolute-form without a path has path /");
	is_mem(req.query, req.query_len, "q",
	    "R7 absolute-form without a path keeps its query");

	r = parse_str(RL HOST "Content_Length: 7\r\nX_Y: 1\r\n"
	    "Content-Length: 3\r\n\r\n", &req);
	is_int(req.nheaders, 2, "H7 underscore names are not stored");
	is_int(req.content_length, 3, "H7 dropped Content_Length is ignored");
	is_field(&req, 1, "Content-Length", "3", "H7 others kept in order");

	r = parse_str(RL HOST "Transfer_Encoding: tricked\r\n\r\n", &req);
	is_int(req.chunked, 0, "H7 dropped Transfer_Encoding is ignored");

	r = parse_str(RL HOST "X: \x85" "caf\xe9\xa0\r\n\r\n", &req);
	is_mem(req.headers[1].value, req.headers[1].value_len,
	    "\x85" "caf\xe9\xa0", "H10 obs-text kept, 0x85/0xa0 not OWS");

	r = parse_str(RL HOST "X: a\tb\r\n\r\n", &req);
	is_mem(req.headers[1].value, req.headers[1].value_len, "a\tb",
	    "H9 HTAB inside a value kept");

	r = parse_str(RL HOST "Content-Length: 003\r\n\r\n", &req);
	is_int(req.content_length, 3, "F6 003 is decimal 3");
	r = parse_str(RL HOST "Content-Length: 9223372036854775807\r\n\r\n",
	    &req);
	is_int(req.content_length, INT64_MAX, "F5 largest Content-Length");
	r = parse_str(RL HOST "Content-Length: 0\r\n\r\n", &req);
	is_int(req.content_length, 0, "F Content-Length 0");

	r = parse_str(RL HOST "Transfer-Encoding: , Chunked \r\n\r\n", &req);
	is_int(req.chunked, 1, "F12 , Chunked is chunked");
	is_int(req.content_length, -1, "F12 chunked has no Content-Length");

	r = parse_str("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req);
	is_int(req.keep_alive, 1, "P HTTP/1.0 with keep-alive keeps alive");
	r = parse_str("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
	    "Connection: close\r\n\r\n", &req);
	is_int(req.keep_alive, 0, "P close wins over keep-alive");
	r = parse_str(RL HOST "Connection: Upgrade, CLOSE\r\n\r\n", &req);
	is_int(req.keep_alive, 0, "P5 close found in a Connection list");
	r = parse_str(RL HOST "Connection: closed, xclose\r\n\r\n", &req);
	is_int(req.keep_alive, 1, "P close matches whole tokens only");

	r = parse_str(RL HOST "Expect: 100-Continue\r\n\r\n", &req);
	is_int(req.expect_continue, 1, "P6 Expect: 100-continue, any case");
	r = parse_str("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", &req);
	is_int(r > 0 && req.expect_continue == 0, 1,
	    "P6 100-continue ignored in HTTP/1.0");

	(void)r;
}

static void
test_pipeline(void)
{
	struct http_request	 req;
	const char		*s;
	char			*b;
	int			 r;

	/* P1: two requests in one read. */
	s = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	b = at_edge(s, strlen(s));
	r = http_parse_request(b, strlen(s), &req, NULL);
	is_int(r, strlen(s) / 2, "P1 first of two pipelined requests");
	r = http_parse_request(b + r, strlen(s) - r, &req, NULL);
	is_int(r, strlen(s) / 2, "P1 second request starts at head_len");
	is_mem(req.path, req.path_len, "/b", "P1 second request's path");

	/* F16: a POST without framing has no body; what follows is next. */
	s = "POST /a HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	b = at_edge(s, strlen(s));
	r = http_parse_request(b, strlen(s), &req, NULL);
	is_int(r, strlen("POST /a HTTP/1.1\r\nHost: h\r\n\r\n"),
	    "F16 POST without CL or TE ends at its head");
	r = http_parse_request(b + r, strlen(s) - r, &req, NULL);
	is_mem(req.path, req.path_len, "/b",
	    "F16 next request parsed right after it");

	/* F17: a GET with a body; the caller skips content_length bytes. */
	s = "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"
	    "helloGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	b = at_edge(s, strlen(s));
	r = http_parse_request(b, strlen(s), &req, NULL);
	is_int(req.content_length, 5, "F17 GET with Content-Length 5");
	r += (int)req.content_length;
	r = http_parse_request(b + r, strlen(s) - r, &req, NULL);
	is_mem(req.path, req.path_len, "/b",
	    "F17 next request after exactly 5 body bytes");

	/* P5: close; the caller ignores what follows head_len. */
	s = "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGARBAGE";
	r = parse_str(s, &req);
	is_int(r, (int)strlen(s) - 7, "P5 head_len stops before extra data");
	is_int(req.keep_alive, 0, "P5 Connection: close clears keep_alive");

	/* Garbage after a good request does not change the first verdict. */
	s = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n\x16\x03\x01";
	r = parse_str(s, &req);
	is_int(r, (int)strlen(s) - 3, "P2 valid request before garbage");
}

/* Builds "GET /aaa... HTTP/1.1" of exactly n bytes, then rest. */
static char *
long_line(size_t n, const char *rest, size_t *len)
{
	size_t	 rl = strlen(rest);
	char	*s = tmalloc(n + rl + 1);

	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', n - 5 - 9);
	memcpy(s + n - 9, " HTTP/1.1", 9);
	memcpy(s + n, rest, rl + 1);
	*len = n + rl;
	return s;
}

/* Builds RL HOST then nfields "X-n: v" lines, each field of flen bytes. */
static char *
many_fields(size_t nfields, size_t flen, const char *end, size_t *len)
{
	size_t	 i, off, el = strlen(end);
	char	*s = tmalloc(64 + nfields * (flen + 2) + el);

	off = (size_t)sprintf(s, RL HOST);
	for (i = 0; i < nfields; i++) {
		int	h = sprintf(s + off, "X-%zu: ", i);

		memset(s + off + h, 'v', flen - h);
		off += flen;
		memcpy(s + off, "\r\n", 2);
		off += 2;
	}
	memcpy(s + off, end, el + 1);
	*len = off + el;
	return s;
}

static void
test_limits(void)
{
	struct http_limits	 small = { 32, 24, 3, 128 };
	struct http_limits	 wide = http_default_limits;
	char			*s;
	size_t			 n;

	s = long_line(8192, "\r\n" HOST "\r\n", &n);
	head_case("R10 request line of 8192 bytes accepted", s, n, WHOLE,
	    NULL);
	free(s);
	s = long_line(8193, "\r\n" HOST "\r\n", &n);
	head_case("R10 request line of 8193 bytes -> 414", s, n, -414, NULL);
	free(s);
	s = long_line(1 << 20, "", &n);
	head_case("R10 1 MiB line without CRLF -> 414 early", s, n, -414,
	    NULL);
	free(s);
	head_case("R10 line at a small max_line accepted",
	    IN("GET /aaaaaaaaaaaaaaaaaa HTTP/1.1\r\n" HOST "\r\n"), WHOLE,
	    &small);
	head_case("R10 line one over a small max_line -> 414",
	    IN("GET /aaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n" HOST "\r\n"), -414,
	    &small);
	head_case("R10 incomplete line over a small max_line -> 414",
	    IN("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), -414, &small);

	s = many_fields(99, 20, "\r\n", &n);
	head_case("H16 100 field lines accepted", s, n, WHOLE, NULL);
	free(s);
	s = many_fields(100, 20, "\r\n", &n);
	head_case("H16 101 field lines -> 431", s, n, -431, NULL);
	free(s);
	s = many_fields(99, 20, "X_Dropped: 1\r\n\r\n", &n);
	head_case("H16 dropped underscore fields count too -> 431", s, n,
	    -431, NULL);
	free(s);
	wide.max_fields = 1000;
	s = many_fields(100, 20, "\r\n", &n);
	head_case("H16 max_fields above HTTP_MAX_HEADERS is capped -> 431",
	    s, n, -431, &wide);
	free(s);
	head_case("H16 three fields at max_fields 3 accepted",
	    IN(RL HOST "A: 1\r\nB: 2\r\n\r\n"), WHOLE, &small);
	head_case("H16 four fields at max_fields 3 -> 431",
	    IN(RL HOST "A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), -431, &small);

	s = many_fields(1, 8192, "\r\n", &n);
	head_case("H17 field line of 8192 bytes accepted", s, n, WHOLE, NULL);
	free(s);
	s = many_fields(1, 8193, "\r\n", &n);
	head_case("H17 field line of 8193 bytes -> 431", s, n, -431, NULL);
	free(s);
	s = many_fields(1, 20000, "", &n);
	n -= 2;				/* no CRLF: still incomplete */
	head_case("H17 incomplete long field line -> 431 early", s, n, -431,
	    NULL);
	free(s);
	head_case("H17 field line at a small max_field accepted",
	    IN(RL HOST "X: 123456789012345678901\r\n\r\n"), WHOLE, &small);
	head_case("H17 field line over a small max_field -> 431",
	    IN(RL HOST "X: 1234567890123456789012\r\n\r\n"), -431, &small);

	s = many_fields(9, 8000, "\r\n", &n);
	head_case("H18 head over 64 KiB -> 431", s, n, -431, NULL);
	free(s);
	s = many_fields(9, 8000, "", &n);
	head_case("H18 incomplete head over 64 KiB -> 431 early", s, n, -431,
	    NULL);
	free(s);
	s = many_fields(1, 99, "\r\n", &n);
	small.max_field = 8192;
	head_case("H18 head of exactly max_head accepted", s, n, WHOLE,
	    &small);
	free(s);
	s = many_fields(1, 100, "\r\n", &n);
	head_case("H18 head one over max_head -> 431", s, n, -431, &small);
	free(s);
}

/* Chunked bodies. */

struct chunk_test {
	const char	*name;
	const char	*in;
	size_t		 len;
	int		 want;		/* 1, 0 or -400 */
	const char	*data;		/* decoded data, when want >= 0 */
	size_t		 used;		/* consumed when want == 1; 0: all */
};

static const struct chunk_test chunk_tests[] = {
	{ "C1 0x prefix -> 400", IN("0x5\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C1 plus sign -> 400", IN("+5\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C1 minus sign -> 400", IN("-5\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C1 underscore in size -> 400", IN("6_0\r\n"), BAD },
	{ "C1 0_2e -> 400", IN("0_2e\r\n"), BAD },
	{ "C1 non-hex letter -> 400", IN("5g\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C2 empty size -> 400", IN("\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C2 extension without size -> 400",
	    IN(" ;foo=bar\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C2 SP before size -> 400", IN(" 0\r\n\r\n"), BAD },
	{ "C2 SP after size without extension -> 400", IN("0 \r\n\r\n"),
	    BAD },
	{ "C2 SP after extension name at line end -> 400",
	    IN("5;a \r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C3 BWS before ; accepted",
	    IN("5 ;ext\r\nhello\r\n0\r\n\r\n"), 1, "hello", 0 },
	{ "C3 ext=val accepted",
	    IN("5;ext=val\r\nhello\r\n0\r\n\r\n"), 1, "hello", 0 },
	{ "C3 BWS around ; and = accepted",
	    IN("5 ; a = b ;c\t;\td=\"\"\r\nhello\r\n0;last\r\n\r\n"), 1,
	    "hello", 0 },
	{ "C3 quoted-string value with quoted-pair accepted",
	    IN("5;a=\"b \\\"c\\\" ;d\x80\"\r\nhello\r\n0\r\n\r\n"), 1,
	    "hello", 0 },
	{ "C4 17 hex digits -> 400",
	    IN("fffffffffffffffff\r\n"), BAD },
	{ "C4 2^64 -> 400", IN("10000000000000000\r\n"), BAD },
	{ "C4 16 hex digits accepted, then needs data",
	    IN("ffffffffffffffff\r\nab"), 0, "ab", 0 },
	{ "C4 leading zeros do not count toward 16 digits",
	    IN("00000000000000000005\r\nhello\r\n0\r\n\r\n"), 1, "hello", 0 },
	{ "C5 uppercase hex accepted",
	    IN("A\r\n0123456789\r\n0\r\n\r\n"), 1, "0123456789", 0 },
	{ "C5 leading zeros accepted",
	    IN("000a\r\n0123456789\r\n00\r\n\r\n"), 1, "0123456789", 0 },
	{ "C5 several chunks accepted",
	    IN("3\r\nabc\r\n1F\r\n0123456789abcdef0123456789abcde\r\n"
	    "0\r\n\r\n"), 1, "abc0123456789abcdef0123456789abcde", 0 },
	{ "C6 data longer than size -> 400",
	    IN("3\r\nxxxx\r\n0\r\n\r\n"), BAD },
	{ "C6 junk instead of CRLF after data -> 400",
	    IN("3\r\nxxx__1a\r\n"), BAD },
	{ "C6 data shorter than size -> 400",
	    IN("5\r\nabc\r\n0\r\n\r\n"), BAD },
	{ "C6 CR CR after data -> 400",
	    IN("3\r\nabc\r\r\n0\r\n\r\n"), BAD },
	{ "C7 bare LF after size -> 400", IN("5\nhello\r\n0\r\n\r\n"), BAD },
	{ "C7 bare LF after data -> 400", IN("5\r\nhello\n0\r\n\r\n"), BAD },
	{ "C7 bare LF after last size -> 400", IN("0\n\r\n"), BAD },
	{ "C7 bare LF ending the body -> 400", IN("0\r\n\n"), BAD },
	{ "C7 bare LF ending a trailer -> 400",
	    IN("0\r\nX: y\n\r\n"), BAD },
	{ "C8 CR inside an extension value -> 400",
	    IN("5;ext=val\rue\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C8 CR CR after an extension -> 400",
	    IN("41;a=b\r\rXXX"), BAD },
	{ "C8 CR CR after a size -> 400", IN("5\r\r;ABCD"), BAD },
	{ "C8 CR inside a quoted extension -> 400",
	    IN("5;a=\"b\rc\"\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C8 LF inside a quoted extension -> 400",
	    IN("5;a=\"b\nc\"\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 bare ; -> 400", IN("5;\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 ;; -> 400", IN("5;;a\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 extension without a name -> 400",
	    IN("5;=v\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 extension with an empty value -> 400",
	    IN("5;a=\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 quoted extension name -> 400",
	    IN("5;\"a\"\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 non-token extension name -> 400",
	    IN("5;a@b\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 two names without ; -> 400",
	    IN("5;a b\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 quote after a token value -> 400",
	    IN("5;a=b\"\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C9 NUL in a quoted value -> 400",
	    IN("5;a=\"\0\"\r\nhello\r\n0\r\n\r\n"), BAD },
	{ "C11 last chunk without the final CRLF is incomplete",
	    IN("0\r\n"), 0, "", 0 },
	{ "C11 last chunk and CR is incomplete", IN("0\r\n\r"), 0, "", 0 },
	{ "C11 EOF mid-chunk is incomplete", IN("5\r\nhel"), 0, "hel", 0 },
	{ "C11 EOF before the CRLF after data is incomplete",
	    IN("5\r\nhello\r"), 0, "hello", 0 },
	{ "C12 Content-Length in trailers -> 400",
	    IN("0\r\nContent-Length: 5\r\n\r\n"), BAD },
	{ "C12 transfer-encoding in trailers -> 400",
	    IN("0\r\ntransfer-encoding: chunked\r\n\r\n"), BAD },
	{ "C12 HOST in trailers -> 400", IN("0\r\nHOST: a\r\n\r\n"), BAD },
	{ "C12 Host after another trailer -> 400",
	    IN("0\r\nX: 1\r\nHost:a\r\n\r\n"), BAD },
	{ "C12 names that only start alike are allowed",
	    IN("0\r\nContent-Lengthx: 5\r\nHos: a\r\nHostt: b\r\n"
	    "Content-Lengt: 1\r\n\r\n"), 1, "", 0 },
	{ "C13 valid trailers are discarded",
	    IN("3\r\nabc\r\n0\r\nX-Trailer: ok\r\nY: \x80 z \r\n\r\n"), 1,
	    "abc", 0 },
	{ "C13 SP before colon in trailer -> 400",
	    IN("0\r\nX : y\r\n\r\n"), BAD },
	{ "C13 trailer starting with SP -> 400",
	    IN("0\r\n y: z\r\n\r\n"), BAD },
	{ "C13 obs-fold in trailers -> 400",
	    IN("0\r\nA: b\r\n c\r\n\r\n"), BAD },
	{ "C13 NUL in a trailer value -> 400",
	    IN("0\r\nX: a\0b\r\n\r\n"), BAD },
	{ "C13 bare CR in a trailer value -> 400",
	    IN("0\r\nX: a\rb\r\n\r\n"), BAD },
	{ "C13 DEL in a trailer value -> 400",
	    IN("0\r\nX: \x7f\r\n\r\n"), BAD },
	{ "C13 empty trailer name -> 400", IN("0\r\n: v\r\n\r\n"), BAD },
	{ "C13 trailer without colon -> 400", IN("0\r\nX y\r\n\r\n"), BAD },
	{ "P1 bytes after the body are left for the next request",
	    IN("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n"), 1, "abc", 13 },
};

/*
 * Feeds in[0..len) to a fresh decoder in pieces ending at the offsets in
 * cuts[] (the last piece ends at len), each copied to the guard page.
 * Appends data to out, sets *used on 1.  Returns the first non-zero
 * verdict, -1000 on a broken contract (0 without consuming everything).
 */
static int
chunk_feed(const char *in, size_t len, const size_t *cuts, size_t ncuts,
    char *out, size_t *outlen, size_t *used)
{
	struct http_chunked	 c;
	size_t			 from = 0, to, i, n, cons;
	char			*b;
	int			 r = 0;

	http_chunked_init(&c);
	*outlen = 0;
	for (i = 0; i <= ncuts && from < len; i++, from = to) {
		to = i < ncuts ? cuts[i] : len;
		b = at_edge(in + from, to - from);
		n = to - from;
		cons = SIZE_MAX;
		r = http_chunked_decode(&c, b, &n, &cons);
		if (r < 0)
			return r;
		memcpy(out + *outlen, b, n);
		*outlen += n;
		if (r == 1) {
			*used = from + cons;
			return 1;
		}
		if (cons != to - from)
			return -1000;
	}
	return r;
}

static void
chunk_case(const struct chunk_test *t)
{
	static char	 out[1 << 20];
	size_t		 outlen, used, want_used, k, *cuts, bad = SIZE_MAX;
	int		 r;

	want_used = t->used ? t->used : t->len;
	cuts = tmalloc((t->len + 1) * sizeof(*cuts));
	for (k = 0; k < t->len; k++)
		cuts[k] = k + 1;

	r = chunk_feed(t->in, t->len, NULL, 0, out, &outlen, &used);
	if (t->want < 0)
		is_int(r, t->want, "%s", t->name);
	else if (!ok(r == t->want && outlen == strlen(t->data) &&
	    memcmp(out, t->data, outlen) == 0 &&
	    (r != 1 || used == want_used), "%s", t->name))
		diag("  got %d, %zu data bytes \"%.*s\", used %zu", r, outlen,
		    (int)outlen, out, used);

	/* Every two-piece split (long inputs: sampled), then byte by byte. */
	for (k = 1; k <= t->len && bad == SIZE_MAX; k++) {
		if (k > 1024 && k + 1024 < t->len && k % 61 != 0)
			continue;	/* long inputs: sample the middle */
		if (k < t->len)
			r = chunk_feed(t->in, t->len, &k, 1, out, &outlen,
			    &used);
		else
			r = chunk_feed(t->in, t->len, cuts, t->len - 1, out,
			    &outlen, &used);
		if (r != t->want || (r >= 0 &&
		    (outlen != strlen(t->data) ||
		    memcmp(out, t->data, outlen) != 0 ||
		    (r == 1 && used != want_used))))
			bad = k;
	}
	if (!ok(bad == SIZE_MAX, "%s (split anywhere, byte by byte)",
	    t->name))
		diag("  split at %zu gives %d", bad, r);
	free(cuts);
}

/* A chunk_test built at run time; in and data are malloc'ed. */
static void
chunk_case_gen(const char *name, char *in, size_t len, int want,
    char *data)
{
	struct chunk_test	t = { name, in, len, want, data, 0 };

	chunk_case(&t);
	free(in);
	free(data);
}

static void
test_chunked_gen(void)
{
	char	*in, *data;
	size_t	 n, i;

	/* C10: the size line is bounded, extensions included. */
	in = tmalloc(8192);
	n = (size_t)sprintf(in, "1;");
	memset(in + n, 'a', 4090);
	n += 4090;
	n += (size_t)sprintf(in + n, "\r\nX\r\n0\r\n\r\n");
	chunk_case_gen("C10 size line of 4093 bytes accepted", in, n, 1,
	    strdup("X"));
	in = tmalloc(8192);
	n = (size_t)sprintf(in, "1;");
	memset(in + n, 'a', 5000);
	n += 5000;
	n += (size_t)sprintf(in + n, "\r\nX\r\n0\r\n\r\n");
	chunk_case_gen("C10 extension of 5000 bytes -> 400", in, n, -400,
	    strdup(""));

	/* C13: trailers are bounded by the header limits. */
	in = tmalloc(16384);
	n = (size_t)sprintf(in, "0\r\nX: ");
	memset(in + n, 'v', 8192 - 3);
	n += 8192 - 3;
	n += (size_t)sprintf(in + n, "\r\n\r\n");
	chunk_case_gen("C13 trailer line of 8192 bytes accepted", in, n, 1,
	    strdup(""));
	in = tmalloc(16384);
	n = (size_t)sprintf(in, "0\r\nX: ");
	memset(in + n, 'v', 8192 - 2);
	n += 8192 - 2;
	n += (size_t)sprintf(in + n, "\r\n\r\n");
	chunk_case_gen("C13 trailer line of 8193 bytes -> 400", in, n, -400,
	    strdup(""));
	in = tmalloc(4096);
	n = (size_t)sprintf(in, "0\r\n");
	for (i = 0; i < 100; i++)
		n += (size_t)sprintf(in + n, "T: %zu\r\n", i);
	n += (size_t)sprintf(in + n, "\r\n");
	chunk_case_gen("C13 100 trailer fields accepted", in, n, 1,
	    strdup(""));
	in = tmalloc(4096);
	n = (size_t)sprintf(in, "0\r\n");
	for (i = 0; i < 101; i++)
		n += (size_t)sprintf(in + n, "T: %zu\r\n", i);
	n += (size_t)sprintf(in + n, "\r\n");
	chunk_case_gen("C13 101 trailer fields -> 400", in, n, -400,
	    strdup(""));

	/* C14: many one-byte chunks decode; each costs O(1). */
	in = tmalloc(1000 * 6 + 8);
	data = tmalloc(1001);
	for (i = 0, n = 0; i < 1000; i++) {
		memcpy(in + n, "1\r\nX\r\n", 6);
		n += 6;
		data[i] = 'X';
	}
	data[i] = '\0';
	n += (size_t)sprintf(in + n, "0\r\n\r\n");
	chunk_case_gen("C14 1000 one-byte chunks accepted", in, n, 1, data);
}

static void
test_chunked_state(void)
{
	struct http_chunked	 c;
	const char		*s;
	char			*b;
	size_t			 n, used;
	int			 r;

	s = "3\r\nabc\r\n0\r\n\r\nNEXT";
	n = strlen(s);
	b = at_edge(s, n);
	http_chunked_init(&c);
	r = http_chunked_decode(&c, b, &n, &used);
	is_int(r, 1, "P1 body ends before the next request");
	is_mem(b, n, "abc", "P1 data moved to the front in place");
	is_mem(b + used, strlen(s) - used, "NEXT",
	    "P1 bytes after consumed are untouched");
	n = 4;
	used = 99;
	r = http_chunked_decode(&c, b + used, &n, &used);
	ok(r == 1 && n == 0 && used == 0,
	    "C decoder stays done and consumes nothing more");

	s = "5\r\nabcdeX";
	n = strlen(s);
	b = at_edge(s, n);
	http_chunked_init(&c);
	used = 99;
	r = http_chunked_decode(&c, b, &n, &used);
	is_int(r, -400, "C6 error after data");
	ok(n == strlen(s) && used == 99, "C6 outputs untouched on error");
	n = 3;
	r = http_chunked_decode(&c, b, &n, &used);
	is_int(r, -400, "C6 decoder stays failed");

	s = "";
	n = 0;
	http_chunked_init(&c);
	r = http_chunked_decode(&c, at_edge(s, 0), &n, &used);
	ok(r == 0 && n == 0 && used == 0, "C11 empty input needs more");
}

static void
test_reason(void)
{
	is_str(http_reason(200), "OK", "reason 200");
	is_str(http_reason(100), "Continue", "reason 100");
	is_str(http_reason(400), "Bad Request", "reason 400");
	is_str(http_reason(414), "URI Too Long", "reason 414");
	is_str(http_reason(417), "Expectation Failed", "reason 417");
	is_str(http_reason(431), "Request Header Fields Too Large",
	    "reason 431");
	is_str(http_reason(501), "Not Implemented", "reason 501");
	is_str(http_reason(505), "HTTP Version Not Supported", "reason 505");
	is_str(http_reason(599), "Unknown", "reason 599 is Unknown");
	is_str(http_reason(-400), "Unknown", "reason -400 is Unknown");
}

int
main(void)
{
	size_t	i;

	guard_init();
	plan_lazy();
	for (i = 0; i < sizeof(head_tests) / sizeof(head_tests[0]); i++)
		head_case(head_tests[i].name, head_tests[i].in,
		    head_tests[i].len, head_tests[i].want, NULL);
	test_fields();
	test_pipeline();
	test_limits();
	for (i = 0; i < sizeof(chunk_tests) / sizeof(chunk_tests[0]); i++)
		chunk_case(&chunk_tests[i]);
	test_chunked_gen();
	test_chunked_state();
	test_reason();
	return done();
}
