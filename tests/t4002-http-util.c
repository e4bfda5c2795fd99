/*
 * t4002-http-util.c: unit test of http/http_util.c, the helpers that
 * turn a parsed request into WSGI environ values.
 *
 * Every input is copied so that it ends right before a PROT_NONE page,
 * and every output buffer is exactly the size the header promises and
 * also ends at a guard page, so a read or write past either end crashes.
 */
#include <sys/mman.h>

#include <unistd.h>

#include "http_util.h"
#include "tap.h"

/* Makes an argument pair from a string literal, NULs included. */
#define IN(s)	s, sizeof(s) - 1

#define ROOM	65536		/* bytes before each guard page */

static char	*in_guard, *out_guard;

static char *
guard_map(void)
{
	return tap_guard_map(ROOM);
}

/* Returns a copy of s[0..n) whose last byte is right before a guard. */
static const char *
at_edge(const char *s, size_t n)
{
	return memmove(in_guard - n, s, n);
}

/* Returns an output buffer of n bytes that ends at a guard page. */
static char *
out_room(size_t n)
{
	memset(out_guard - ROOM, 0x5a, ROOM);
	return out_guard - n;
}

static void
decode_case(const char *in, size_t n, const char *want, size_t want_len,
    const char *what)
{
	char	*out = out_room(n);
	size_t	 got;

	got = http_path_decode(at_edge(in, n), n, out);
	if (!ok(got == want_len && memcmp(out, want, want_len) == 0,
	    "http_path_decode: %s", what))
		diag("  got \"%.*s\" (%zu bytes), want \"%.*s\" (%zu)",
		    (int)(got <= n ? got : n), out, got, (int)want_len, want,
		    want_len);
}

static void
origin_case(const char *in, size_t n, size_t want, const char *what)
{
	is_int(http_origin_offset(at_edge(in, n), n), want,
	    "http_origin_offset: %s", what);
}

static void
key_case(const char *name, const char *want)
{
	size_t	 n = strlen(name);
	char	*out = out_room(n + 6);
	size_t	 got;

	got = http_env_key(at_edge(name, n), n, out);
	is_mem(out, got, want, "http_env_key: \"%s\" -> %s", name, want);
}

static void
test_decode(void)
{
	decode_case(IN("/plain/path"), IN("/plain/path"),
	    "a path without escapes is copied");
	decode_case(IN(""), IN(""), "an empty path decodes to nothing");
	decode_case(IN("/a%2Fb"), IN("/a/b"), "%2F decodes to a slash");
	decode_case(IN("/a%2fb"), IN("/a/b"), "lower-case %2f decodes too");
	decode_case(IN("a%20b"), IN("a b"), "%20 decodes to a space");
	decode_case(IN("%41%62%63"), IN("Abc"), "adjacent escapes all "
	    "decode");
	decode_case(IN("%e2%82%ac"), IN("\xe2\x82\xac"), "escaped UTF-8 "
	    "decodes to its bytes");
	decode_case(IN("a%00b"), IN("a\0b"), "%00 decodes to a NUL byte");
	decode_case(IN("a+b"), IN("a+b"), "'+' is not a space in a path");
	decode_case(IN("/x%zz"), IN("/x%zz"), "%zz is copied as it is");
	decode_case(IN("/x%4g"), IN("/x%4g"), "%4g (second digit not hex) "
	    "is copied");
	decode_case(IN("/x%g4"), IN("/x%g4"), "%g4 (first digit not hex) "
	    "is copied");
	decode_case(IN("/x%4"), IN("/x%4"), "a truncated escape %4 at the "
	    "end is copied");
	decode_case(IN("/x%"), IN("/x%"), "a '%' at the end is copied");
	decode_case(IN("%"), IN("%"), "a lone '%' is copied");
	decode_case(IN("%%41"), IN("%A"), "\"%%41\" keeps the first '%' and "
	    "decodes %41");
	decode_case(IN("%2541"), IN("%41"), "%25 decodes once, not twice");
	decode_case(IN("/a%41"), IN("/aA"), "an escape ending the input "
	    "decodes");
}

static void
test_origin(void)
{
	origin_case(IN("/a"), 0, "origin-form \"/a\" starts at 0");
	origin_case(IN("/"), 0, "origin-form \"/\" starts at 0");
	origin_case(IN("/a?b=http://x/y"), 0, "a URL in the query of "
	    "origin-form is ignored");
	origin_case(IN("http://h/p"), 8, "\"http://h/p\": the path is at 8");
	origin_case(IN("http://h"), 8, "\"http://h\" without a path yields n");
	origin_case(IN("http://h/"), 8, "\"http://h/\": the path \"/\" is "
	    "at 8");
	origin_case(IN("https://h:8080/x/y"), 14, "\"https://h:8080/x/y\": "
	    "the path is at 14");
	origin_case(IN("http://user@h:1/p?q"), 15, "userinfo and port are "
	    "skipped as authority");
	origin_case(IN(""), 0, "an empty target yields 0");
	origin_case(IN("*"), 0, "\"*\" (OPTIONS) yields 0");
}

static void
test_env_key(void)
{
	key_case("Content-Type", "CONTENT_TYPE");
	key_case("content-type", "CONTENT_TYPE");
	key_case("CONTENT-TYPE", "CONTENT_TYPE");
	key_case("content-length", "CONTENT_LENGTH");
	key_case("Content-Length", "CONTENT_LENGTH");
	key_case("X-Forwarded-For", "HTTP_X_FORWARDED_FOR");
	key_case("accept", "HTTP_ACCEPT");
	key_case("Host", "HTTP_HOST");
	key_case("Content-MD5", "HTTP_CONTENT_MD5");
	key_case("Content-Typo", "HTTP_CONTENT_TYPO");
	key_case("Content-Type-X", "HTTP_CONTENT_TYPE_X");
	key_case("Content-Lengt", "HTTP_CONTENT_LENGT");
	key_case("X-1", "HTTP_X_1");
	key_case("a", "HTTP_A");
}

int
main(void)
{
	plan(42);
	in_guard = guard_map();
	out_guard = guard_map();
	test_decode();
	test_origin();
	test_env_key();
	return done();
}
