/*
 * t0005-httpopts: the HTTP limits' text form (supervisor -> zygote), and
 * the trust rules for X-Forwarded-* (http_trusted, http_forwarded).
 */
#include <errno.h>
#include <string.h>

#include "http_parse.h"
#include "http_util.h"
#include "httpopts.h"
#include "tap.h"

static int
fwd(const char *raw, const char *peer, const char *allow, char *addr,
    const char **scheme)
{
	struct http_request	req;

	if (http_parse_request(raw, strlen(raw), &req, NULL) <= 0)
		return -1000;
	return http_forwarded(&req, peer, allow, addr, 64, scheme);
}

int
main(void)
{
	struct httpopts	 o, p;
	char		 buf[256], addr[64];
	const char	*scheme;

	plan(22);
	httpopts_format(&httpopts_defaults, buf, sizeof(buf));
	is_str(buf, "8192,8192,100,65536,16777216,20,30,5,1000,5",
	    "the defaults' text form");
	is_int(httpopts_parse(buf, &o), 0, "parses back");
	ok(memcmp(&o, &httpopts_defaults, sizeof(o)) == 0,
	    "and round-trips exactly");
	p = o;
	is_int(httpopts_parse("1,2,3,4,5,6,7,8,9", &p), -EINVAL,
	    "nine fields are refused");
	is_int(httpopts_parse("1,2,3,4,5,6,7,8,9,10,11", &p), -EINVAL,
	    "eleven fields are refused");
	is_int(httpopts_parse("1,2,3,4,x,6,7,8,9,10", &p), -EINVAL,
	    "a non-number is refused");
	is_int(httpopts_parse("1,2,3,4,-5,6,7,8,9,10", &p), -EINVAL,
	    "a sign is refused");
	ok(memcmp(&o, &p, sizeof(o)) == 0, "a failed parse writes nothing");

	ok(http_trusted("127.0.0.1", "127.0.0.1,::1"), "listed IPv4 trusted");
	ok(http_trusted("::1", "127.0.0.1,::1"), "listed IPv6 trusted");
	ok(!http_trusted("127.0.0.2", "127.0.0.1,::1"), "unlisted refused");
	ok(http_trusted("10.1.2.3", "10.0.0.0/8"), "CIDR /8 matches");
	ok(!http_trusted("11.1.2.3", "10.0.0.0/8"), "CIDR /8 excludes");
	ok(http_trusted("192.168.1.77", "192.168.1.64/26"), "CIDR /26 matches");
	ok(!http_trusted("192.168.1.128", "192.168.1.64/26"),
	    "CIDR /26 excludes");
	ok(http_trusted("203.0.113.9", "*"), "'*' trusts everyone");
	ok(http_trusted("", "127.0.0.1"), "a unix-socket peer is trusted");

	is_int(fwd("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4, "
	    "5.6.7.8\r\nX-Forwarded-Proto: https\r\n\r\n", "127.0.0.1",
	    "127.0.0.1", addr, &scheme), 0, "trusted forwarding parses");
	ok(strcmp(addr, "5.6.7.8") == 0 && strcmp(scheme, "https") == 0,
	    "the rightmost X-Forwarded-For and the proto are used (%s %s)",
	    addr, scheme);
	fwd("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4\r\n"
	    "X-Forwarded-Proto: https\r\n\r\n", "10.9.9.9", "127.0.0.1", addr,
	    &scheme);
	ok(strcmp(addr, "10.9.9.9") == 0 && strcmp(scheme, "http") == 0,
	    "an untrusted peer's headers are ignored");
	is_int(fwd("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Proto: https\r\n"
	    "X-Forwarded-Ssl: off\r\n\r\n", "127.0.0.1", "127.0.0.1", addr,
	    &scheme), -400, "H19: conflicting scheme headers -> 400");
	is_int(fwd("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Proto: gopher"
	    "\r\n\r\n", "127.0.0.1", "127.0.0.1", addr, &scheme), -400,
	    "an unknown forwarded scheme -> 400");
	return done();
}
